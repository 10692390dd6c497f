package io.assay.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The collector's database. Implementations are thread-safe: any number of threads may run
 * transactions at once, and several stores (several collector processes) may share one database.
 * Read transactions see a consistent snapshot and do not block writers. Whether read-write
 * transactions run one at a time (SQLite) or concurrently (PostgreSQL) is the backend's
 * business: a writer that reads a host and then writes according to what it read must read it
 * with {@link Tx#lockHost}, which holds that host against every other writer until commit.
 *
 * <p>Transactions are owned by the store: the work function runs inside one, the store commits
 * when it returns and rolls back when it throws (the exception then propagates unchanged).
 * Database failures surface as {@link StoreException}.
 *
 * <pre>{@code
 * HostRecord host = store.inTransaction(tx -> { tx.insertHost(h); return h; });
 * List<HostRecord> all = store.read(ReadTx::listHosts);
 * }</pre>
 */
public interface Store extends AutoCloseable {

    /** Runs {@code work} in a read-write transaction and returns its result. */
    <T> T inTransaction(Work<Tx, T> work);

    /** Runs {@code work} in a read-only snapshot transaction and returns its result. */
    <T> T read(Work<ReadTx, T> work);

    /** Closes all connections. Transactions after this throw {@link StoreException}. */
    @Override
    void close();

    /** A function run inside a transaction. */
    @FunctionalInterface
    interface Work<X, T> {
        T apply(X tx);
    }

    /** Queries. Results are snapshots; lists are immutable. */
    interface ReadTx {
        Optional<TokenRecord> findToken(String tokenHash);

        /** All tokens, oldest first. */
        List<TokenRecord> listTokens();

        Optional<HostRecord> findHost(String hostId);

        /** The host whose pinned key is {@code publicKey} (standard base64), if any. */
        Optional<HostRecord> findHostByPublicKey(String publicKey);

        /** Hosts that presented {@code systemUuid} at enrollment, oldest first. */
        List<HostRecord> findHostsBySystemUuid(String systemUuid);

        /** All hosts, in enrollment order. */
        List<HostRecord> listHosts();

        /**
         * One page of hosts by host id: at most {@code limit} hosts whose id sorts after
         * {@code afterHostId} (empty string: from the first).
         */
        List<HostRecord> listHosts(String afterHostId, int limit);

        Optional<StoredReport> findReport(String hostId, long seq);

        /** One page of a host's report index; see {@link ReportQuery}. */
        List<ReportRow> listReports(String hostId, ReportQuery query);

        /** A host's events, oldest first. */
        List<HostEvent> listEvents(String hostId);

        /** A host's chain breaks, by chain end then kind. */
        List<ChainBreak> listChainBreaks(String hostId);

        /** The transparency log's tables in this transaction (writes need a read-write one). */
        LogTables log();

        /** Operators, groups, token scopes, pledges and host addresses in this transaction. */
        FleetTables fleet();

        /** The ingest-maintained summaries of each host's reports (stretches, days, finding runs). */
        SummaryTables summaries();

        /** Alerts, webhooks and deliveries in this transaction. */
        AlertTables alerts();
    }

    /** Queries and writes. */
    interface Tx extends ReadTx {
        /**
         * Reads the host and holds it until this transaction ends: another transaction's
         * {@code lockHost} of the same host, in this store or another one on the same database,
         * waits until this one commits or rolls back, and then reads what it left. Use it before
         * checking and moving a host's chain end.
         */
        Optional<HostRecord> lockHost(String hostId);

        /** Inserts a token; throws {@link StoreException} if its hash is already stored. */
        void insertToken(TokenRecord token);

        /**
         * Uses up one of the token's remaining uses; false when none is left (unlimited tokens
         * always succeed). Atomic: two enrollments racing for the last use cannot both succeed.
         */
        boolean useToken(String tokenHash);

        /** Marks the token revoked at {@code at}; false when no such token or already revoked. */
        boolean revokeToken(String tokenHash, java.time.Instant at);

        /** Inserts a newly enrolled host; throws {@link StoreException} on a duplicate id or key. */
        void insertHost(HostRecord host);

        /**
         * Stores a report, queues it for the transparency log, moves the host's chain end to it, and
         * folds it into the host's {@link SummaryTables summaries}, in this transaction. Throws
         * {@link StoreException} if the host already has a report with this seq, or if the
         * host's chain end is not at {@code seq - 1} (so the chain end never skips or goes back).
         */
        void appendReport(StoredReport report);

        void insertEvent(HostEvent event);

        /**
         * Records one refused upload at the host's chain end {@code chainEnd}: the first at that
         * chain end and kind is stored with {@code refusals} 1, each further one adds one and moves
         * {@code lastAt}, {@code gotSeq} and {@code detail} (one row per host, kind and chain end,
         * however often an agent retries). Returns the row as it is now.
         */
        ChainBreak recordChainBreak(String hostId, ChainBreak.Kind kind, long chainEnd, long gotSeq, String detail,
                java.time.Instant at);
    }
}
