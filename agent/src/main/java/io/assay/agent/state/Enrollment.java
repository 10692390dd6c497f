package io.assay.agent.state;

import static java.util.Objects.requireNonNull;

/**
 * What the collector gave this host at enrollment.
 *
 * @param hostToken bearer token for uploads; secret, so {@link #toString()} leaves it out
 */
public record Enrollment(String hostId, String serverUrl, String hostToken, String keyId) {
    public Enrollment {
        requireNonNull(hostId, "hostId");
        requireNonNull(serverUrl, "serverUrl");
        requireNonNull(hostToken, "hostToken");
        requireNonNull(keyId, "keyId");
    }

    @Override
    public String toString() {
        return "Enrollment[hostId=" + hostId + ", serverUrl=" + serverUrl + ", keyId=" + keyId + "]";
    }
}
