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
        assertThat(SchemaScript.load("/db/sqlite/V1__schema.sql")).hasSize(22); // + log (issue 12), fleet and alerts (issue 9)
        assertThat(SchemaScript.load("/db/postgres/V1__schema.sql")).hasSize(23); // + schema_version
    }
}
