package io.assay.server.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A schema file on the class path, split into statements. Our schema files only: no ';' inside literals. */
public final class SchemaScript {
    private SchemaScript() {}

    /** The statements of the class-path resource {@code resource} (absolute, e.g. {@code /db/sqlite/V1__schema.sql}). */
    public static List<String> load(String resource) {
        try (InputStream in = SchemaScript.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the class path");
            return statements(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** Splits a schema file into statements: {@code --} comments removed, split at ';'. */
    public static List<String> statements(String script) {
        StringBuilder sb = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            int comment = line.indexOf("--");
            sb.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String part : sb.toString().split(";")) {
            if (!part.isBlank()) out.add(part.strip());
        }
        return List.copyOf(out);
    }
}
