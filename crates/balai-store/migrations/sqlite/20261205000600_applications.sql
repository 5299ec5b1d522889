-- Applications (permohonan) and the case machinery complaints will reuse (R4, R5, R10).

-- What every kind of case shares: a public tracking number, where it stands, the overall deadline,
-- and a version for optimistic concurrency. Status codes belong to the case's kind (domain rules).
ALTER TABLE cases ADD COLUMN tracking_number TEXT;
ALTER TABLE cases ADD COLUMN status TEXT NOT NULL DEFAULT 'in_progress';
ALTER TABLE cases ADD COLUMN current_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN due_at TEXT;
ALTER TABLE cases ADD COLUMN paused_since TEXT;
ALTER TABLE cases ADD COLUMN closed_at TEXT;
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX cases_tracking ON cases (tracking_number);
CREATE INDEX cases_unit_queue ON cases (government_id, unit_id, closed_at, due_at);

-- The route a case follows: one row per hand-over, each owned by a unit with its working-day SLA.
-- A step's deadline is set when the step starts; a paused case's open step gets its pause added back.
CREATE TABLE case_steps (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    sla_days      INTEGER NOT NULL CHECK (sla_days >= 0),
    started_at    TEXT,
    due_at        TEXT,
    done_at       TEXT,
    breached_at   TEXT,
    UNIQUE (case_id, position)
);
CREATE INDEX case_steps_open_due ON case_steps (done_at, due_at);

-- Every transition of a case: who, when, from, to, why. Each row is vouched for by an audit leaf.
-- `reason` is written by an officer for the citizen to read: it never carries field values.
CREATE TABLE case_events (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    event         TEXT NOT NULL,
    actor         TEXT NOT NULL,
    officer_id    INTEGER REFERENCES officers (id),
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    step          INTEGER NOT NULL,
    from_unit_id  INTEGER REFERENCES units (id),
    to_unit_id    INTEGER REFERENCES units (id),
    reason        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- What an application adds to its case: the standard it was made under, the answers (sealed: they
-- may hold an address), the fee and its payment.
CREATE TABLE applications (
    case_id            INTEGER PRIMARY KEY REFERENCES cases (id),
    government_id      INTEGER NOT NULL REFERENCES governments (id),
    service_version_id INTEGER NOT NULL REFERENCES service_versions (id),
    fields_enc         TEXT NOT NULL,
    fee                INTEGER NOT NULL CHECK (fee >= 0),
    paid_at            TEXT,
    receipt_number     TEXT,
    submitted_at       TEXT NOT NULL
);

-- Files a citizen uploaded (cleaned: recognised by their bytes, images re-encoded without metadata).
CREATE TABLE uploads (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
    object_key    TEXT NOT NULL UNIQUE,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX uploads_citizen ON uploads (citizen_id, created_at);

-- A document the government issued through Balai is held for the citizen with a link to it (once-only).
ALTER TABLE citizen_documents ADD COLUMN issued_document_id TEXT;

-- The documents attached to an application: an upload, or a document on file, by reference (its id
-- and type as they were when the application was made; a held document may be replaced later).
CREATE TABLE application_documents (
    id                  INTEGER PRIMARY KEY,
    government_id       INTEGER NOT NULL REFERENCES governments (id),
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    code                TEXT NOT NULL,
    upload_id           INTEGER REFERENCES uploads (id),
    citizen_document_id INTEGER,
    doc_type            TEXT NOT NULL,
    UNIQUE (case_id, code)
);

-- Output documents: the public id is random (it is printed in the QR code), the PDF is kept in the
-- file store, and its SHA-256 and Ed25519 signature let anyone check it, online or offline.
CREATE TABLE issued_documents (
    id            TEXT PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL UNIQUE REFERENCES cases (id),
    citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
    number        TEXT NOT NULL,
    product       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    signature     TEXT NOT NULL,
    object_key    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Idempotency of submissions: the same key from the same citizen returns the same case; a different
-- body under a used key is refused.
CREATE TABLE submission_keys (
    citizen_id      INTEGER NOT NULL REFERENCES citizens (id),
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (citizen_id, idempotency_key)
);

-- Form fields are part of the service standard: each version defines its application form (JSON).
ALTER TABLE service_versions ADD COLUMN form_fields TEXT NOT NULL DEFAULT '[]';

-- A work address for officers, where breach alerts reach a head of agency (not a citizen's personal data).
ALTER TABLE officers ADD COLUMN email TEXT;
