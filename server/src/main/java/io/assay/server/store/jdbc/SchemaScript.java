package io.assay.server.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern CREATE_TABLE = Pattern.compile("(?is)^CREATE TABLE\\s+(?:IF NOT EXISTS\\s+)?(\\w+)\\s*\\((.*)\\)\\s*$");
    private static final Set<String> NOT_COLUMNS = Set.of("PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT");

    /** The tables the statements create, each with its column names (lower case), in script order. */
    public static Map<String, Set<String>> tables(List<String> statements) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String sql : statements) {
            Matcher m = CREATE_TABLE.matcher(sql);
            if (!m.matches()) continue;
            Set<String> columns = new TreeSet<>();
            for (String line : m.group(2).split("\n")) {
                String[] words = line.strip().split("\\s+");
                if (words.length < 2 || NOT_COLUMNS.contains(words[0].toUpperCase(Locale.ROOT))) continue;
                columns.add(words[0].toLowerCase(Locale.ROOT));
            }
            out.put(m.group(1).toLowerCase(Locale.ROOT), columns);
        }
        return out;
    }

    /**
     * What a database that says it has this script's version lacks of it: "table t" or "column t.c"
     * (empty when it has all). The schema was edited in place before the first release, so a
     * database written by an earlier development build carries the same version number with fewer
     * tables; finding that at start-up turns SQL errors at the first report into one clear refusal.
     */
    public static List<String> missing(Connection c, List<String> statements) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> t : tables(statements).entrySet()) {
            Set<String> have = new TreeSet<>();
            try (ResultSet rs = md.getColumns(null, null, t.getKey(), null)) {
                while (rs.next()) have.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
            if (have.isEmpty()) {
                out.add("table " + t.getKey());
                continue;
            }
            for (String col : t.getValue()) {
                if (!have.contains(col)) out.add("column " + t.getKey() + "." + col);
            }
        }
        return out;
    }

    /** The refusal for a database {@code where} that lacks {@code missing}. */
    public static String outdatedMessage(String where, List<String> missing) {
        return "Database " + where + " says it has this build's schema version but lacks " + String.join(", ", missing)
                + ": it was written by an earlier development build of assay-server, whose schema changed without a"
                + " migration. Start this build on a new database (--db NEW), and keep the old one read by the build"
                + " that wrote it (assay-server evidence export there keeps its reports checkable).";
    }
}
