-- The audit log: an RFC 6962 Merkle tree over every change and every personal-data read.
-- One log per deployment; leaves carry government_id so a per-government split stays possible.

CREATE TABLE audit_leaves (
    seq           INTEGER PRIMARY KEY, -- the leaf index, from 0, without gaps
    government_id INTEGER,
    recorded_at   TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject_table TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    state_hash    TEXT,                -- SHA-256 of the subject's new state; NULL for reads and events
    purpose       TEXT,                -- why personal data was read
    leaf_hash     TEXT NOT NULL
);
CREATE INDEX audit_leaves_subject ON audit_leaves (subject_table, subject_id, seq);

-- Perfect subtree nodes of level >= 1, written once when their last leaf is appended.
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

-- The single row every appender locks: it orders all appends and holds the compact range.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     INTEGER NOT NULL,
    frontier TEXT NOT NULL
);
INSERT INTO audit_head (id, size, frontier) VALUES (1, 0, '');

CREATE TABLE audit_checkpoints (
    size      INTEGER PRIMARY KEY,
    root      TEXT NOT NULL,
    note      TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
