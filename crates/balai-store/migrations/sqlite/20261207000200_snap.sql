-- SNAP (Bank Indonesia's payment API standard) as the bank meets it: the Bearer tokens issued to the
-- bank, and the X-EXTERNAL-ID of each call, which the bank may not reuse on the same day. Short-lived
-- protocol state: the payment a call makes is recorded (and audited) by the payments tables.

-- A token is kept by its SHA-256 only; it lives 15 minutes.
CREATE TABLE snap_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX snap_tokens_hash ON snap_tokens (token_hash);
CREATE INDEX snap_tokens_expiry ON snap_tokens (expires_at);

-- One row per transaction call taken: the partner, its X-EXTERNAL-ID and the day (in WIB, UTC+7, the
-- day SNAP counts in). The unique index refuses a second call with the same id that day.
CREATE TABLE snap_requests (
    id          INTEGER PRIMARY KEY,
    partner_id  TEXT NOT NULL,
    external_id TEXT NOT NULL,
    day         TEXT NOT NULL,               -- YYYY-MM-DD in WIB
    service     TEXT NOT NULL CHECK (service IN ('inquiry', 'payment')),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX snap_requests_external_id ON snap_requests (partner_id, external_id, day);
CREATE INDEX snap_requests_created ON snap_requests (created_at);
