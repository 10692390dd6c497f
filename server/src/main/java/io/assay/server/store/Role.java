package io.assay.server.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a bearer token may do. Stored by its {@link #wireName()}. */
public enum Role {
    /** May enroll hosts (operators hand these to provisioning). */
    ENROLL,
    /** May read hosts and reports. */
    AUDITOR,
    /** May do what enroll and auditor tokens may. */
    ADMIN,
    /** Bound to one host id; may only upload that host's reports. Issued by enrollment. */
    HOST,
    /** May read its own operators' hosts and create their pledges (issue 9); scoped by token_scopes. */
    OPERATOR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name such as {@code auditor}; throws with the allowed names otherwise. */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) return r;
        }
        throw new IllegalArgumentException("unknown role \"" + name + "\"; expected one of "
                + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
    }
}
