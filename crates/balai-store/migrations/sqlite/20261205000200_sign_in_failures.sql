-- Failed officer sign-ins, one row each, counted over a sliding window so every node sees the same
-- counts: per account (a keyed hash of the username typed, known or not) and per client (a keyed
-- hash of the address, or of its /64 for IPv6). Not audited: they are throttle state, and a leaf per
-- lock would tell the public log's readers which usernames exist.
CREATE TABLE sign_in_failures (
    id           INTEGER PRIMARY KEY,
    account_hash TEXT,             -- NULL: an attempt on an account already refused (counts for the client only)
    officer_id   INTEGER REFERENCES officers (id), -- when the username is an officer's: a good sign-in or a reset clears them
    client_hash  TEXT NOT NULL,
    failed_at    TEXT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account_hash, failed_at);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client_hash, failed_at);
CREATE INDEX sign_in_failures_officer ON sign_in_failures (officer_id);

-- The per-account counter and back-off lock they replace.
ALTER TABLE officers DROP COLUMN failed_sign_ins;
ALTER TABLE officers DROP COLUMN locked_until;
