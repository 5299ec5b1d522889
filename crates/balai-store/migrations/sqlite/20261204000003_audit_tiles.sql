-- The audit log moves to the C2SP tlog-tiles layout: leaves are stored 256 to a row as their canonical
-- entries ("entry bundles"), and tree hashes 256 to a row as the bottom rows of height-8 tiles. Whole-log
-- verification then reads one row per 256 leaves instead of one row per leaf and one per node, and an
-- inclusion proof reads a handful of tiles instead of a lookup per level.
--
-- The old per-leaf tables are kept under new names until the store converts them (in Rust: the entries
-- must be re-encoded byte for byte, and every old leaf hash is checked on the way); it then drops them and
-- sets audit_head.layout to 2.

ALTER TABLE audit_leaves RENAME TO audit_leaves_v1;
ALTER TABLE audit_nodes RENAME TO audit_nodes_v1;
DROP INDEX audit_leaves_subject;

-- Bundle N holds leaves [256·N, 256·N + 256): their canonical entries, one JSON object per line, in
-- order. A bundle is written once, whole, when its 256th leaf is appended.
CREATE TABLE audit_bundles (
    idx     INTEGER PRIMARY KEY,
    entries TEXT NOT NULL
);

-- Tile (L, N) holds the hashes of tree level 8·L, nodes [256·N, 256·N + 256), 32 bytes each, left to
-- right; level 0 holds the leaf hashes and, like bundles, is written whole. Only the last tile of each
-- higher level grows, by one hash per 256^L leaves.
CREATE TABLE audit_tiles (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

-- The leaves of the bundle being filled, one row each (so an append writes a small row, not a growing
-- one). The append that completes a bundle moves them into audit_bundles and audit_tiles.
CREATE TABLE audit_tail (
    seq       INTEGER PRIMARY KEY,
    entry     TEXT NOT NULL,
    leaf_hash BLOB NOT NULL
);

ALTER TABLE audit_head ADD COLUMN layout INTEGER NOT NULL DEFAULT 1;

-- The leaf that vouches for each read, shown to the citizen (not part of the read's hashed state: it
-- is written after the leaf; verify checks it against the log).
ALTER TABLE citizen_reads ADD COLUMN audit_seq INTEGER;
UPDATE citizen_reads SET audit_seq = (
    SELECT MAX(l.seq) FROM audit_leaves_v1 l
    WHERE l.subject_table = 'citizen_reads' AND l.subject_id = CAST(citizen_reads.id AS TEXT)
);
