-- Identity, second part: one session mechanism for every kind of principal, citizens with their
-- personal data sealed at rest, one-time sign-in codes, and the notification outbox.
--
-- Columns ending in _enc hold "v1:" + base64(nonce || XChaCha20-Poly1305 ciphertext), sealed with
-- the column name as associated data; columns ending in _hash hold a keyed HMAC-SHA-256 (hex) used
-- for lookups, so neither a copy of the table nor its indexes reveal a NIK, phone or address.

-- Every staff account is an officer with a role (officer, verifier, agency_head, government_admin,
-- inspector, auditor); the catalogue administrators of the first migration become government admins.
ALTER TABLE admins RENAME TO officers;
ALTER TABLE officers ADD COLUMN role TEXT NOT NULL DEFAULT 'government_admin'
    CHECK (role IN ('officer', 'verifier', 'agency_head', 'government_admin', 'inspector', 'auditor'));
ALTER TABLE officers ADD COLUMN agency_id INTEGER REFERENCES agencies (id);
ALTER TABLE officers ADD COLUMN unit_id INTEGER REFERENCES units (id);
ALTER TABLE officers ADD COLUMN totp_secret_enc TEXT;    -- RFC 6238 secret, sealed
ALTER TABLE officers ADD COLUMN totp_last_step INTEGER;    -- a code is accepted once (RFC 6238 section 5.2)
ALTER TABLE officers ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officers ADD COLUMN locked_until TEXT;

-- Sessions of officers and citizens, in the database so any node serves any
-- request. token_hash is the SHA-256 of the cookie value: a leaked table opens no session.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    -- officer_totp: the password was right, the second factor is still due (5 minutes)
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('officer', 'officer_totp', 'citizen')),
    principal_id   INTEGER NOT NULL,
    csrf_token     TEXT NOT NULL,
    pending_totp_enc TEXT,            -- a TOTP secret being enrolled, until its first code is right
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_principal ON sessions (principal_kind, principal_id);
DROP TABLE admin_sessions;

-- One record per person for the whole deployment: a resident of Kota Kupang is also one of NTT.
CREATE TABLE citizens (
    id          INTEGER PRIMARY KEY,
    nik_hash    TEXT NOT NULL UNIQUE,
    nik_enc     TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    birth_place TEXT NOT NULL,
    birth_date  TEXT,
    sex         TEXT CHECK (sex IN ('L', 'P')),
    address_enc TEXT,
    region_code TEXT,                 -- village or district code of the address
    kk_enc      TEXT,
    phone_enc   TEXT,
    email_enc   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Documents the government already holds for a citizen (once-only: never asked for again).
CREATE TABLE citizen_documents (
    id            INTEGER PRIMARY KEY,
    citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
    doc_type      TEXT NOT NULL,
    number_enc    TEXT,
    issuer        TEXT NOT NULL,      -- the agency that issued or verified it
    issued_on     TEXT,
    UNIQUE (citizen_id, doc_type)
);

-- One-time sign-in codes: 6 digits, 5 minutes, 5 attempts. Throttles count these rows.
CREATE TABLE one_time_codes (
    id                 INTEGER PRIMARY KEY,
    nik_hash           TEXT NOT NULL,
    nik_enc            TEXT NOT NULL,  -- to open the citizen record on success
    code_hash          TEXT NOT NULL,
    pending_token_hash TEXT NOT NULL UNIQUE, -- the browser's handle on this sign-in (cookie)
    channel            TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    recipient_enc      TEXT NOT NULL,
    client_hash        TEXT NOT NULL,  -- keyed hash of the client address, for the per-address throttle
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    attempts_left      INTEGER NOT NULL,
    used_at            TEXT
);
CREATE INDEX one_time_codes_nik ON one_time_codes (nik_hash, created_at);
CREATE INDEX one_time_codes_client ON one_time_codes (client_hash, created_at);

-- The notification outbox: a row per message, delivered by the worker with retries and back-off.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    government_id   INTEGER REFERENCES governments (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    recipient_enc   TEXT NOT NULL,
    template        TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_enc        TEXT NOT NULL,     -- bodies carry one-time codes and case details
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    transport       TEXT,              -- what delivered it: smtp, webhook, demo
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
