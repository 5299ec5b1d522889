-- Whistleblowing (R8): the public keys reports are sealed to. The inspectorate keeps the private key
-- itself; the server never holds it. One key per government is active (retired_at IS NULL); a retired
-- key stays so reports sealed to it can still be named by it.
CREATE TABLE whistleblowing_keys (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),    -- the inspectorate unit reports go to
    public_key    TEXT NOT NULL,                            -- X25519, base64
    fingerprint   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES officers (id),          -- NULL: from the command line
    retired_at    TEXT
);
CREATE UNIQUE INDEX whistleblowing_keys_active ON whistleblowing_keys (government_id) WHERE retired_at IS NULL;

-- Each time an inspector opens a sealed report: who, which report, with which key. Vouched for by an
-- audit-log leaf (subject whistleblowing_openings/<id>); what was read is never written anywhere.
CREATE TABLE whistleblowing_openings (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    officer_id    INTEGER NOT NULL REFERENCES officers (id),
    key_id        INTEGER NOT NULL REFERENCES whistleblowing_keys (id),
    opened_at     TEXT NOT NULL
);
CREATE INDEX whistleblowing_openings_case ON whistleblowing_openings (case_id, opened_at);
