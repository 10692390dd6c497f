-- Assay collector schema, version 1 (SQLite). Applied once on open; the version is kept in
-- PRAGMA user_version. Times are epoch milliseconds UTC. Statements are separated by ';' at
-- the end of a line (the loader splits on that).

CREATE TABLE tokens (
    token_hash  TEXT    NOT NULL PRIMARY KEY,   -- SHA-256 hex of the token; the token is never stored
    role        TEXT    NOT NULL,               -- enroll | auditor | admin | host
    host_id     TEXT,                           -- set for role host only
    note        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,                        -- enrollment refused after this; NULL: never
    uses_left   INTEGER,                        -- enrollments left; NULL: unlimited
    revoked_at  INTEGER                         -- NULL: not revoked
);

CREATE TABLE hosts (
    host_id       TEXT    NOT NULL PRIMARY KEY,
    public_key    TEXT    NOT NULL UNIQUE,      -- pinned Ed25519 key, standard base64
    key_id        TEXT    NOT NULL,
    hostname      TEXT    NOT NULL,
    system_uuid   TEXT    NOT NULL,
    board_serial  TEXT    NOT NULL,
    macs_json     TEXT    NOT NULL,             -- JSON array of strings
    agent_version TEXT    NOT NULL,
    enrolled_at   INTEGER NOT NULL,
    last_seen     INTEGER,                      -- collector clock at the last accepted report
    last_seq      INTEGER NOT NULL DEFAULT 0,   -- chain end; 0 = no report yet
    last_hash     TEXT    NOT NULL DEFAULT '',
    last_verdict  TEXT
);

CREATE INDEX hosts_by_system_uuid ON hosts (system_uuid);

CREATE TABLE reports (
    host_id          TEXT    NOT NULL REFERENCES hosts (host_id),
    seq              INTEGER NOT NULL,
    payload_hash     TEXT    NOT NULL,
    window_start     INTEGER NOT NULL,          -- agent's claim
    window_end       INTEGER NOT NULL,          -- agent's claim
    verdict          TEXT    NOT NULL,
    received_at      INTEGER NOT NULL,          -- collector clock
    agent_started_ms INTEGER NOT NULL,
    envelope         BLOB    NOT NULL,          -- envelope JSON, UTF-8; last so index scans skip it
    PRIMARY KEY (host_id, seq)
);

CREATE TABLE host_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id   TEXT    NOT NULL REFERENCES hosts (host_id),
    kind      TEXT    NOT NULL,                 -- fork | clone-suspected
    seq       INTEGER NOT NULL,                 -- 0 when not about one report
    detail    TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    evidence  BLOB                              -- e.g. the refused envelope of a fork
);

CREATE INDEX host_events_by_host ON host_events (host_id, id);

-- Refused uploads that broke a host's chain (seq-gap, prev-mismatch; issue 9). One row per host,
-- kind and chain end: an agent retrying the same refused upload every minute bumps refusals and
-- last_at instead of adding rows, so a looping agent cannot fill the table.
CREATE TABLE chain_breaks (
    host_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,                -- seq-gap | prev-mismatch
    chain_end  INTEGER NOT NULL,                -- the collector's last seq for the host when refused
    got_seq    INTEGER NOT NULL,                -- seq of the latest refused report
    detail     TEXT    NOT NULL,                -- the latest refusal's reason
    first_at   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    refusals   INTEGER NOT NULL,                -- refused uploads at this chain end
    PRIMARY KEY (host_id, kind, chain_end)
);

-- Transparency log (issue 12). Every stored report is queued in the same transaction; the one
-- sequencer moves queued reports into log_leaves in batches and stores every complete
-- perfect-subtree hash in log_nodes (level 0 = leaf hashes), so a proof reads O(log n) rows.
CREATE TABLE log_queue (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id  TEXT    NOT NULL,
    seq      INTEGER NOT NULL
);

CREATE TABLE log_leaves (
    leaf_index INTEGER NOT NULL PRIMARY KEY,    -- 0-based position in the log
    host_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    UNIQUE (host_id, seq)
);

CREATE TABLE log_nodes (
    level  INTEGER NOT NULL,                    -- subtree height; 0 = leaf hash
    idx    INTEGER NOT NULL,                    -- covers leaves [idx * 2^level, (idx + 1) * 2^level)
    hash   BLOB    NOT NULL,                    -- 32 bytes
    PRIMARY KEY (level, idx)
);

CREATE TABLE log_checkpoints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    size       INTEGER NOT NULL,
    note       TEXT    NOT NULL,                -- the signed note (C2SP tlog-checkpoint), as signed
    log_key    TEXT    NOT NULL,                -- the log's note verifier key that signed it
    created_at INTEGER NOT NULL
);

CREATE TABLE log_cosignatures (
    checkpoint_id INTEGER NOT NULL REFERENCES log_checkpoints (id),
    witness       TEXT    NOT NULL,             -- the witness's key name
    line          TEXT    NOT NULL,             -- the signature line as returned, with its newline
    at            INTEGER NOT NULL,
    PRIMARY KEY (checkpoint_id, witness)
);

CREATE TABLE log_witness_state (
    witness  TEXT    NOT NULL PRIMARY KEY,      -- witness URL
    size     INTEGER NOT NULL                   -- the tree size it last cosigned for us
);

-- Operators, groups, pledges, host addresses (issue 9). Lists are JSON arrays of strings.
CREATE TABLE token_scopes (
    token_hash     TEXT    NOT NULL PRIMARY KEY,  -- tokens.token_hash
    operators_json TEXT    NOT NULL,              -- operators the token is limited to; [] = all
    groups_json    TEXT    NOT NULL               -- groups given to hosts this (enroll) token enrolls
);

CREATE TABLE host_fleet (
    host_id     TEXT    NOT NULL PRIMARY KEY,     -- hosts.host_id
    operator    TEXT    NOT NULL,
    groups_json TEXT    NOT NULL
);

CREATE INDEX host_fleet_by_operator ON host_fleet (operator);

CREATE TABLE pledges (
    pledge_id   TEXT    NOT NULL PRIMARY KEY,
    operator    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    hosts_json  TEXT    NOT NULL,
    groups_json TEXT    NOT NULL,
    from_ms     INTEGER  NOT NULL,
    to_ms       INTEGER  NOT NULL,
    text        TEXT    NOT NULL,                 -- pledge text or a reference to the signed document
    created_at  INTEGER  NOT NULL
);

CREATE TABLE host_addresses (
    host_id   TEXT    NOT NULL,
    address   TEXT    NOT NULL,                   -- canonical IP text
    source    TEXT    NOT NULL,                   -- interface (agent's claim) | upload (collector saw it)
    first_ms  INTEGER  NOT NULL,                   -- held from (window start / upload time)
    last_ms   INTEGER  NOT NULL,                   -- held until
    PRIMARY KEY (host_id, address, source, first_ms)
);

CREATE INDEX host_addresses_by_address ON host_addresses (address, first_ms);

-- Alerts and their webhook deliveries (issue 9).
CREATE TABLE webhooks (
    webhook_id     TEXT    NOT NULL PRIMARY KEY,
    url            TEXT    NOT NULL,
    secret         TEXT    NOT NULL,              -- HMAC-SHA256 key; the collector must sign with it, so it is kept
    operators_json TEXT    NOT NULL,              -- operators whose alerts it gets; [] = all
    created_at     INTEGER  NOT NULL
);

CREATE TABLE alerts (
    alert_id    TEXT    NOT NULL PRIMARY KEY,
    dedupe_key  TEXT    NOT NULL UNIQUE,          -- one alert per mining run, fork, silence
    host_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,                 -- mining | fork | unattested | chain-broken
    seq         INTEGER  NOT NULL,
    detail      TEXT    NOT NULL,
    raised_at   INTEGER  NOT NULL,
    acked_at    INTEGER,
    acked_by    TEXT    NOT NULL
);

CREATE TABLE alert_deliveries (
    alert_id        TEXT    NOT NULL,
    webhook_id      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER  NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (alert_id, webhook_id)
);

CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_ms);

-- Ingest-maintained summaries (issue 9). The fleet page, a host's history and pledge reports at
-- 100,000 hosts read these, never the report rows; appendReport writes them in the transaction
-- that stores the report. Separate statements, no migrations framework: a database made before
-- these existed must be recreated.
--
-- host_stretches: a host's covered time as merged stretches. A report joins the host's latest
-- stretch when it continues it (seq = last_seq + 1, same verdict and agent run, window starting
-- no earlier than the stretch and at most the coverage slack after its end); otherwise it starts a
-- new one. Coverage computed over stretches equals coverage over the reports (a healthy host-month
-- is one row).
CREATE TABLE host_stretches (
    host_id          TEXT    NOT NULL,
    first_seq        INTEGER NOT NULL,
    last_seq         INTEGER NOT NULL,
    from_ms          INTEGER NOT NULL,          -- window start of the first report
    to_ms            INTEGER NOT NULL,          -- latest window end of its reports
    verdict          TEXT    NOT NULL,
    agent_started_ms INTEGER NOT NULL,
    gap_reason       TEXT,                      -- a lifecycle report's marked gap (agent-crashed, agent-stopped, shed, reports-lost); NULL: covers
    PRIMARY KEY (host_id, first_seq)
);

-- host_days: per host and UTC day of the window start: the reports' seq range, count and energy.
CREATE TABLE host_days (
    host_id        TEXT    NOT NULL,
    day_ms         INTEGER NOT NULL,            -- UTC midnight
    first_seq      INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL,
    reports        INTEGER NOT NULL,
    energy_joules  REAL    NOT NULL,            -- sum of hardware.energy[].joules
    energy_reports INTEGER NOT NULL,            -- reports that stated energy (0: "not reported", not 0 J)
    PRIMARY KEY (host_id, day_ms)
);

-- host_findings: runs of one distinct finding (rule, pid, exe hash, summary) in consecutive
-- reports; a miner seen every minute for a month is one row.
CREATE TABLE host_findings (
    host_id     TEXT    NOT NULL,
    finding_key TEXT    NOT NULL,               -- rule|pid|exeSha256|summary
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    reports     INTEGER NOT NULL,               -- = last_seq - first_seq + 1
    from_ms     INTEGER NOT NULL,               -- window start of the first report
    to_ms       INTEGER NOT NULL,               -- window end of the last report
    rule_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    evidence    TEXT    NOT NULL,               -- the finding's JSON in the run's first report
    PRIMARY KEY (host_id, finding_key, first_seq)
);

-- host_groups: host_fleet.groups_json as rows, so a group filter is an index lookup.
CREATE TABLE host_groups (
    grp      TEXT NOT NULL,
    host_id  TEXT NOT NULL,
    PRIMARY KEY (grp, host_id)
);

CREATE INDEX hosts_by_verdict ON hosts (last_verdict, host_id);
