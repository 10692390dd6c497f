package io.assay.agent.enroll;

import io.assay.protocol.api.HostIdentity;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * Reads the identity a host presents at enrollment from OSHI: hostname, system UUID, board serial,
 * and the MACs of its non-loopback interfaces (sorted, deduplicated). Values OSHI cannot read
 * (no permission to DMI, a container) are "" rather than OSHI's "unknown".
 */
public final class HostIdentityProbe {
    private HostIdentityProbe() {}

    public static HostIdentity probe(SystemInfo si) {
        HardwareAbstractionLayer hw = si.getHardware();
        String hostname = clean(si.getOperatingSystem().getNetworkParams().getHostName());
        String uuid = clean(hw.getComputerSystem().getHardwareUUID());
        String serial = clean(hw.getComputerSystem().getBaseboard().getSerialNumber());
        TreeSet<String> macs = new TreeSet<>();
        for (NetworkIF nif : hw.getNetworkIFs(false)) {
            String mac = clean(nif.getMacaddr()).toLowerCase(Locale.ROOT);
            if (!mac.isEmpty() && !mac.equals("00:00:00:00:00:00")) macs.add(mac);
        }
        return new HostIdentity(hostname, uuid, serial, List.copyOf(macs));
    }

    private static String clean(String s) {
        if (s == null) return "";
        String t = s.strip();
        return t.equalsIgnoreCase("unknown") || t.equalsIgnoreCase("none") || t.equalsIgnoreCase("default string") ? "" : t;
    }
}
