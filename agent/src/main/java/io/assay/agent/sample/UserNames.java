package io.assay.agent.sample;

import io.assay.agent.evidence.ProcessSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * User names for the report's processes. {@code /etc/passwd} (already resolved in the snapshot)
 * answers for local users; a uid it does not know (LDAP, SSSD) is asked of {@code getent passwd}
 * once and remembered, and "unknown" when that fails too, as OSHI answered. OSHI ran
 * {@code getent} for every process on every sample (about 70 process starts a second here).
 * Confined to the sampling thread.
 */
public final class UserNames {
    private static final int MAX_CACHED = 4096;
    private final Map<Integer, String> looked = new HashMap<>();

    public String of(ProcessSnapshot s) {
        if (s.uid() < 0) return "unknown";
        if (!s.user().isEmpty() && !s.user().equals(Integer.toString(s.uid()))) return s.user();
        String name = looked.get(s.uid());
        if (name == null) {
            if (looked.size() >= MAX_CACHED) looked.clear();
            name = getent(s.uid());
            looked.put(s.uid(), name);
        }
        return name;
    }

    private static String getent(int uid) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", Integer.toString(uid))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String line = new String(out, StandardCharsets.UTF_8).strip();
            int colon = line.indexOf(':');
            return p.exitValue() == 0 && colon > 0 ? line.substring(0, colon) : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
