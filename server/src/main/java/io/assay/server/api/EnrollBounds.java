package io.assay.server.api;

import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.HostIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * Length bounds on what an enrollment stores and every host listing repeats. Without them one
 * enroll token could store 4 MiB hostnames, and each auditor listing would carry them all.
 */
final class EnrollBounds {
    static final int MAX_HOSTNAME = 253; // a DNS name's limit
    static final int MAX_SYSTEM_UUID = 64;
    static final int MAX_BOARD_SERIAL = 128;
    static final int MAX_MACS = 64;
    static final int MAX_MAC = 64; // "aa:bb:..." of an InfiniBand address is 59
    static final int MAX_PUBLIC_KEY = 64; // base64 of a 32-byte Ed25519 key is 44
    static final int MAX_AGENT_VERSION = 64;

    private EnrollBounds() {}

    /** Throws 400 naming every field over its bound. */
    static void check(EnrollRequest r) {
        List<String> over = new ArrayList<>();
        HostIdentity id = r.identity();
        bound(over, "identity.hostname", id.hostname(), MAX_HOSTNAME);
        bound(over, "identity.systemUuid", id.systemUuid(), MAX_SYSTEM_UUID);
        bound(over, "identity.boardSerial", id.boardSerial(), MAX_BOARD_SERIAL);
        if (id.macs().size() > MAX_MACS) {
            over.add("identity.macs has " + id.macs().size() + " entries (at most " + MAX_MACS + ")");
        }
        for (String mac : id.macs()) bound(over, "identity.macs[]", mac, MAX_MAC);
        bound(over, "publicKey", r.publicKey(), MAX_PUBLIC_KEY);
        bound(over, "agentVersion", r.agentVersion(), MAX_AGENT_VERSION);
        if (!over.isEmpty()) throw ApiException.malformed("the enrollment is refused: " + String.join("; ", over));
    }

    private static void bound(List<String> over, String field, String value, int max) {
        if (value != null && value.length() > max) {
            over.add(field + " is " + value.length() + " characters long (at most " + max + ")");
        }
    }
}
