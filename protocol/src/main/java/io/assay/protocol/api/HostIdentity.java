package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The hardware identity a host presents at enrollment. Cloned VMs share these values, so they
 * are recorded and compared, never used as the host id: the pinned key is what identifies a host.
 */
public record HostIdentity(String hostname, String systemUuid, String boardSerial, List<String> macs) {
    public HostIdentity {
        requireNonNull(hostname, "hostname");
        requireNonNull(systemUuid, "systemUuid");
        requireNonNull(boardSerial, "boardSerial");
        macs = List.copyOf(requireNonNull(macs, "macs"));
    }
}
