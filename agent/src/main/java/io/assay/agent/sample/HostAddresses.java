package io.assay.agent.sample;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The host's IP addresses for the report, so the collector can answer a regulator's "which host
 * held this address then". Loopback, link-local and wildcard addresses are left out: they say
 * nothing about the host outside it. Reads the interfaces through the JDK (netlink underneath), no
 * fork; an unreadable interface list gives an empty list, never a failed window.
 */
public final class HostAddresses {
    private HostAddresses() {}

    /** The addresses of the interfaces that are up, canonical text, sorted. */
    public static List<String> read() {
        List<InetAddress> all = new ArrayList<>();
        try {
            var interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                NetworkInterface ni = interfaces.nextElement();
                if (!ni.isUp()) continue;
                ni.getInetAddresses().asIterator().forEachRemaining(all::add);
            }
        } catch (SocketException e) {
            return List.of();
        }
        return reportable(all);
    }

    /** Those of {@code addresses} worth reporting, as canonical text (no scope id), sorted, without repeats. */
    public static List<String> reportable(Collection<InetAddress> addresses) {
        TreeSet<String> out = new TreeSet<>();
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) continue;
            String text = a.getHostAddress();
            int scope = text.indexOf('%');
            out.add(scope < 0 ? text : text.substring(0, scope));
        }
        return List.copyOf(out);
    }
}
