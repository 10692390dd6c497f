package io.assay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.server.TestCollector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerMainTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        return runWith(Map.of(), args);
    }

    private static Run runWith(Map<String, String> env, String... args) {
        CommandLine cl = ServerMain.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void tokenCreatePrintsOnlyTheTokenAndItWorks() {
        Path db = dir.resolve("assay.db");
        Run created = run("token", "create", "--role", "auditor", "--db", db.toString(), "--note", "audit team");

        assertThat(created.code()).isZero();
        String token = created.out().strip();
        assertThat(token).matches("assay_auditor_[A-Za-z0-9_-]{43}");
        assertThat(created.out()).isEqualTo(token + System.lineSeparator());

        try (TestCollector server = TestCollector.start(dir)) {
            assertThat(server.get("/api/v1/hosts", token).statusCode()).isEqualTo(200);
        }
        Run listed = run("token", "list", "--db", db.toString());
        assertThat(listed.code()).isZero();
        assertThat(listed.out()).contains("auditor").contains("audit team").doesNotContain(token);
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run("token", "create", "--db", dir.resolve("x.db").toString()).code()).isEqualTo(2);
        assertThat(run("token", "create", "--role", "host", "--db", dir.resolve("x.db").toString()).code()).isEqualTo(2);
        assertThat(run("no-such-command").code()).isEqualTo(2);
        assertThat(run("serve", "--listen", "nonsense", "--db", dir.resolve("x.db").toString()).code()).isEqualTo(2);
    }

    @Test
    void helpWorksForEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"serve", "--help"}, {"token", "create", "--help"},
                {"token", "list", "--help"}, {"bench-ingest", "--help"}}) {
            Run r = run(args);
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage:");
        }
    }

    @Test
    void portInUseIsAClearRuntimeFailure() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Run r = run("serve", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--db",
                    dir.resolve("x.db").toString());

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("Cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("another --listen").doesNotContain("\tat ");
            assertThat(dir.resolve("x.db")).doesNotExist();
        }
    }

    @Test
    void missingDatabaseDirectoryIsAClearRuntimeFailure() {
        Run r = run("token", "list", "--db", dir.resolve("missing/dir/assay.db").toString());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("does not exist").doesNotContain("\tat ");
    }

    @Test
    void databaseOptionsThatContradictEachOtherAreAllReportedTogether() {
        Run r = runWith(Map.of("ASSAY_DB_PASSWORD", "pw"), "token", "list", "--db", dir.resolve("x.db").toString(),
                "--db-url", "postgres://nope", "--db-password-file", dir.resolve("missing-pw").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--db (a SQLite file) and --db-url (a PostgreSQL database) exclude each other")
                .contains("--db-url needs --db-user").contains("the password is given twice")
                .contains("cannot read --db-password-file").contains("jdbc:postgresql://HOST:PORT/DATABASE")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("x.db")).doesNotExist();

        Run pgOnly = run("serve", "--db", dir.resolve("x.db").toString(), "--db-user", "assay");
        assertThat(pgOnly.code()).isEqualTo(2);
        assertThat(pgOnly.err()).contains("--db-user applies to PostgreSQL only");
    }

    @Test
    void tokenCommandsWorkOnPostgresWithThePasswordFromAFileOrTheEnvironment() throws Exception {
        try (var pg = io.assay.server.store.postgres.TestPostgres.start()) {
            String url = pg.newDatabase();
            Path pw = Files.writeString(dir.resolve("pw"), "any-password-trust-auth\n");
            Run created = run("token", "create", "--role", "admin", "--db-url", url, "--db-user", "postgres",
                    "--db-password-file", pw.toString(), "--note", "pg admin");
            assertThat(created.code()).as(created.err()).isZero();
            assertThat(created.out().strip()).startsWith("assay_admin_");

            Run listed = runWith(Map.of("ASSAY_DB_PASSWORD", "x"), "token", "list", "--db-url", url, "--db-user", "postgres");
            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("admin").contains("pg admin");
        }
    }
}
