package io.assay.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaScriptTest {
    @Test
    void splitsIntoStatementsWithoutComments() {
        assertThat(SchemaScript.statements("-- c; x\nCREATE TABLE a (x INT); -- y;\n\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)");
    }

    @Test
    void bothBackendSchemasLoad() {
        // Both backends hold the same tables: each feature adds its tables to both scripts.
        java.util.Set<String> sqlite = tables(SchemaScript.load("/db/sqlite/V1__schema.sql"));
        java.util.Set<String> postgres = tables(SchemaScript.load("/db/postgres/V1__schema.sql"));
        assertThat(sqlite).contains("tokens", "hosts", "reports", "host_events");
        postgres.remove("schema_version"); // SQLite tracks its version in PRAGMA user_version
        assertThat(postgres).isEqualTo(sqlite);
    }

    private static java.util.Set<String> tables(java.util.List<String> statements) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String st : statements) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("^CREATE TABLE (?:IF NOT EXISTS )?(\\w+)", java.util.regex.Pattern.CASE_INSENSITIVE)
                    .matcher(st.strip());
            if (m.find()) names.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        return names;
    }
}
