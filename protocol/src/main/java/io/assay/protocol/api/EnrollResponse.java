package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

/**
 * The collector's answer to an enrollment.
 *
 * @param hostToken bearer token for this host's report uploads; it can do nothing else
 * @param warnings e.g. "another host presented the same system UUID" (a cloned VM)
 */
public record EnrollResponse(String hostId, String keyId, String hostToken, java.util.List<String> warnings) {
    public EnrollResponse {
        requireNonNull(hostId, "hostId");
        requireNonNull(keyId, "keyId");
        requireNonNull(hostToken, "hostToken");
        warnings = java.util.List.copyOf(requireNonNull(warnings, "warnings"));
    }
}
