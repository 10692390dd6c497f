-- Assay collector schema, version 1 (PostgreSQL). The same tables, columns and meaning as
-- db/sqlite/V1__schema.sql; differences are dialect only: BIGINT for SQLite's INTEGER, BYTEA for
-- BLOB, and an identity column row_id where SQLite has its implicit rowid (ties of created_at /
-- enrolled_at are listed in insertion order). Applied once, under an advisory lock, by the first
-- collector that opens an empty database; the version is kept in schema_version. Times are epoch
-- milliseconds UTC. Statements are separated by ';' (the loader splits on that).

CREATE TABLE schema_version (
    version     INTEGER NOT NULL PRIMARY KEY,
    applied_at  BIGINT  NOT NULL
);

CREATE TABLE tokens (
    token_hash  TEXT    NOT NULL PRIMARY KEY,   -- SHA-256 hex of the token; the token is never stored
    role        TEXT    NOT NULL,               -- enroll | auditor | admin | host
    host_id     TEXT,                           -- set for role host only
    note        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    row_id      BIGINT  GENERATED ALWAYS AS IDENTITY,
    expires_at  BIGINT,
    uses_left   BIGINT,
    revoked_at  BIGINT
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
    enrolled_at   BIGINT  NOT NULL,
    last_seen     BIGINT,                       -- collector clock at the last accepted report
    last_seq      BIGINT  NOT NULL DEFAULT 0,   -- chain end; 0 = no report yet
    last_hash     TEXT    NOT NULL DEFAULT '',
    last_verdict  TEXT,
    row_id        BIGINT  GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX hosts_by_system_uuid ON hosts (system_uuid);

CREATE TABLE reports (
    host_id          TEXT    NOT NULL REFERENCES hosts (host_id),
    seq              BIGINT  NOT NULL,
    payload_hash     TEXT    NOT NULL,
    window_start     BIGINT  NOT NULL,          -- agent's claim
    window_end       BIGINT  NOT NULL,          -- agent's claim
    verdict          TEXT    NOT NULL,
    received_at      BIGINT  NOT NULL,          -- collector clock
    agent_started_ms BIGINT  NOT NULL,
    envelope         BYTEA   NOT NULL,          -- envelope JSON, UTF-8 (stored out of line by TOAST when large)
    PRIMARY KEY (host_id, seq)
);

CREATE TABLE host_events (
    id        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_id   TEXT    NOT NULL REFERENCES hosts (host_id),
    kind      TEXT    NOT NULL,                 -- fork | clone-suspected
    seq       BIGINT  NOT NULL,                 -- 0 when not about one report
    detail    TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    evidence  BYTEA                             -- e.g. the refused envelope of a fork
);

CREATE INDEX host_events_by_host ON host_events (host_id, id);

-- Refused uploads that broke a host's chain (seq-gap, prev-mismatch; issue 9). One row per host,
-- kind and chain end: an agent retrying the same refused upload every minute bumps refusals and
-- last_at instead of adding rows, so a looping agent cannot fill the table.
CREATE TABLE chain_breaks (
    host_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,                -- seq-gap | prev-mismatch
    chain_end  BIGINT  NOT NULL,                -- the collector's last seq for the host when refused
    got_seq    BIGINT  NOT NULL,                -- seq of the latest refused report
    detail     TEXT    NOT NULL,                -- the latest refusal's reason
    first_at   BIGINT  NOT NULL,
    last_at    BIGINT  NOT NULL,
    refusals   BIGINT  NOT NULL,                -- refused uploads at this chain end
    PRIMARY KEY (host_id, kind, chain_end)
);

-- Transparency log (issue 12); see db/sqlite/V1__schema.sql for the meaning of each column.
CREATE TABLE log_queue (
    id       BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_id  TEXT    NOT NULL,
    seq      BIGINT  NOT NULL
);

CREATE TABLE log_leaves (
    leaf_index BIGINT  NOT NULL PRIMARY KEY,
    host_id    TEXT    NOT NULL,
    seq        BIGINT  NOT NULL,
    UNIQUE (host_id, seq)
);

CREATE TABLE log_nodes (
    level  INTEGER NOT NULL,
    idx    BIGINT  NOT NULL,
    hash   BYTEA   NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE log_checkpoints (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    size       BIGINT  NOT NULL,
    note       TEXT    NOT NULL,
    log_key    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE log_cosignatures (
    checkpoint_id BIGINT  NOT NULL REFERENCES log_checkpoints (id),
    witness       TEXT    NOT NULL,
    line          TEXT    NOT NULL,
    at            BIGINT  NOT NULL,
    PRIMARY KEY (checkpoint_id, witness)
);

CREATE TABLE log_witness_state (
    witness  TEXT    NOT NULL PRIMARY KEY,
    size     BIGINT  NOT NULL
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
    from_ms     BIGINT  NOT NULL,
    to_ms       BIGINT  NOT NULL,
    text        TEXT    NOT NULL,                 -- pledge text or a reference to the signed document
    created_at  BIGINT  NOT NULL
);

CREATE TABLE host_addresses (
    host_id   TEXT    NOT NULL,
    address   TEXT    NOT NULL,                   -- canonical IP text
    source    TEXT    NOT NULL,                   -- interface (agent's claim) | upload (collector saw it)
    first_ms  BIGINT  NOT NULL,                   -- held from (window start / upload time)
    last_ms   BIGINT  NOT NULL,                   -- held until
    PRIMARY KEY (host_id, address, source, first_ms)
);

CREATE INDEX host_addresses_by_address ON host_addresses (address, first_ms);

-- Alerts and their webhook deliveries (issue 9).
CREATE TABLE webhooks (
    webhook_id     TEXT    NOT NULL PRIMARY KEY,
    url            TEXT    NOT NULL,
    secret         TEXT    NOT NULL,              -- HMAC-SHA256 key; the collector must sign with it, so it is kept
    operators_json TEXT    NOT NULL,              -- operators whose alerts it gets; [] = all
    created_at     BIGINT  NOT NULL
);

CREATE TABLE alerts (
    alert_id    TEXT    NOT NULL PRIMARY KEY,
    dedupe_key  TEXT    NOT NULL UNIQUE,          -- one alert per mining run, fork, silence
    host_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,                 -- mining | fork | unattested | chain-broken
    seq         BIGINT  NOT NULL,
    detail      TEXT    NOT NULL,
    raised_at   BIGINT  NOT NULL,
    acked_at    BIGINT,
    acked_by    TEXT    NOT NULL
);

CREATE TABLE alert_deliveries (
    alert_id        TEXT    NOT NULL,
    webhook_id      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_ms BIGINT  NOT NULL,
    delivered_at    BIGINT,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (alert_id, webhook_id)
);

CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_ms);

-- Ingest-maintained summaries (issue 9: fleet page, host history and pledge reports at 100,000
-- hosts read these, never the report rows). Written by appendReport in the transaction that
-- stores the report; see db/sqlite/V1__schema.sql for the meaning of each column. Separate
-- statements, no migrations framework: a database made before these existed must be recreated.
CREATE TABLE host_stretches (
    host_id          TEXT    NOT NULL,
    first_seq        BIGINT  NOT NULL,
    last_seq         BIGINT  NOT NULL,
    from_ms          BIGINT  NOT NULL,
    to_ms            BIGINT  NOT NULL,
    verdict          TEXT    NOT NULL,
    agent_started_ms BIGINT  NOT NULL,
    gap_reason       TEXT,                      -- a lifecycle report's marked gap (agent-crashed, agent-stopped, shed, reports-lost); NULL: covers
    PRIMARY KEY (host_id, first_seq)
);

CREATE TABLE host_days (
    host_id        TEXT              NOT NULL,
    day_ms         BIGINT            NOT NULL,
    first_seq      BIGINT            NOT NULL,
    last_seq       BIGINT            NOT NULL,
    reports        BIGINT            NOT NULL,
    energy_joules  DOUBLE PRECISION  NOT NULL,
    energy_reports BIGINT            NOT NULL,
    PRIMARY KEY (host_id, day_ms)
);

CREATE TABLE host_findings (
    host_id     TEXT    NOT NULL,
    finding_key TEXT    NOT NULL,
    first_seq   BIGINT  NOT NULL,
    last_seq    BIGINT  NOT NULL,
    reports     BIGINT  NOT NULL,
    from_ms     BIGINT  NOT NULL,
    to_ms       BIGINT  NOT NULL,
    rule_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    evidence    TEXT    NOT NULL,
    PRIMARY KEY (host_id, finding_key, first_seq)
);

CREATE TABLE host_groups (
    grp      TEXT NOT NULL,
    host_id  TEXT NOT NULL,
    PRIMARY KEY (grp, host_id)
);

CREATE INDEX hosts_by_verdict ON hosts (last_verdict, host_id);
