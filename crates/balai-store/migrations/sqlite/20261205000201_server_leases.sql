-- Every running server (balai serve, balai demo) holds a lease row, renews it every few seconds and
-- deletes it when it stops cleanly; a crashed server's lease runs out. `balai keys rotate` refuses
-- while any lease is live: a server keeps sealing under the key it started with.
CREATE TABLE server_leases (
    node_id    TEXT PRIMARY KEY,  -- random, one per process
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    renewed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- One row that taking a lease and rotating the key both update first, so the two run one after the
-- other on PostgreSQL too (SQLite's single writer already orders them): a server cannot take its lease
-- unseen while a rotation is under way.
CREATE TABLE key_guard (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    rotated_at TEXT               -- the last rotation that committed
);
INSERT INTO key_guard (id) VALUES (1);
