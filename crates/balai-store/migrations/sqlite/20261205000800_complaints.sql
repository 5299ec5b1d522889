-- Complaints the LAPOR! way (R7), whistleblowing (R8) and the Open311 API: a complaint is a case
-- (`cases.kind = 'complaint'`) with its details here; it moves through `cases::move_case` like an
-- application, with the complaint flow's status codes.

-- Each government's complaint rules, versioned: deadlines (working days), the desk that verifies and
-- disposes, the area reports must lie in, what counts as "nearby" for the similar-report check.
-- A report keeps the version it was received under; a revision never changes a report in flight.
CREATE TABLE complaint_rules (
    id                INTEGER PRIMARY KEY,
    government_id     INTEGER NOT NULL REFERENCES governments (id),
    version           INTEGER NOT NULL,
    verify_days       INTEGER NOT NULL CHECK (verify_days > 0),
    information_days  INTEGER NOT NULL CHECK (information_days > 0),
    ordinary_days     INTEGER NOT NULL CHECK (ordinary_days > 0),
    supervisory_days  INTEGER NOT NULL CHECK (supervisory_days > 0),
    response_days     INTEGER NOT NULL CHECK (response_days > 0),
    reopen_days       INTEGER NOT NULL CHECK (reopen_days > 0),
    desk_unit_id      INTEGER NOT NULL REFERENCES units (id),
    area_min_lat_e6   INTEGER,
    area_min_lon_e6   INTEGER,
    area_max_lat_e6   INTEGER,
    area_max_lon_e6   INTEGER,
    similar_radius_m  INTEGER NOT NULL CHECK (similar_radius_m > 0),
    similar_days      INTEGER NOT NULL CHECK (similar_days > 0),
    note              TEXT NOT NULL,
    created_by        INTEGER REFERENCES officers (id),
    created_at        TEXT NOT NULL,
    UNIQUE (government_id, version)
);

-- What a report is about: also the Open311 services (service_code = code). `attributes` is the JSON
-- list of the extra questions a client application must ask (Open311 service definitions).
CREATE TABLE complaint_categories (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    code          TEXT NOT NULL,
    name_id       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    description   TEXT NOT NULL,
    agency_id     INTEGER REFERENCES agencies (id),   -- where the desk usually disposes it
    keywords      TEXT NOT NULL,
    attributes    TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    UNIQUE (government_id, code)
);

-- Answers officers start from, per category (or for every category).
CREATE TABLE complaint_templates (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    category_id   INTEGER REFERENCES complaint_categories (id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX complaint_templates_category ON complaint_templates (government_id, category_id);

-- What a complaint adds to its case. `text` is what the reporter wrote (NULL for whistleblowing,
-- whose text and identity are sealed to the inspectorate's key); `public_title` and `public_text`
-- are the redacted copies public views read (NULL when the report is not public: rahasia or WBS).
-- The reporter's own contact, when given without an account, is sealed with the vault.
CREATE TABLE complaints (
    case_id           INTEGER PRIMARY KEY REFERENCES cases (id),
    government_id     INTEGER NOT NULL REFERENCES governments (id),
    report_kind       TEXT NOT NULL,
    channel           TEXT NOT NULL,
    category_id       INTEGER REFERENCES complaint_categories (id),
    text              TEXT,
    public_title      TEXT,
    public_text       TEXT,
    lat_e6            INTEGER,
    lon_e6            INTEGER,
    address           TEXT NOT NULL,
    region_code       TEXT,
    anonymous         BOOLEAN NOT NULL,
    confidential      BOOLEAN NOT NULL,
    public            BOOLEAN NOT NULL,
    reporter_enc      TEXT,
    reporter_hash     TEXT,
    sealed_identity   TEXT,
    sealed_text       TEXT,
    sealed_key_id     INTEGER,
    secret_hash       TEXT NOT NULL,
    rules_id          INTEGER NOT NULL REFERENCES complaint_rules (id),
    class             TEXT,
    duplicate_of      INTEGER REFERENCES cases (id),
    reopen_count      INTEGER NOT NULL,
    escalated_at      TEXT,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment    TEXT,
    rated_at          TEXT,
    supporters        INTEGER NOT NULL,
    open311_client_id INTEGER,
    submitted_at      TEXT NOT NULL
);
-- The public list pages by case id (keyset), so a read costs the same at a thousand reports or a million.
CREATE INDEX complaints_public_list ON complaints (government_id, public, case_id);
CREATE INDEX complaints_public_category ON complaints (government_id, public, category_id, case_id);
-- A citizen's own reports, anonymous ones too (by a keyed hash, never by a plain id).
CREATE INDEX complaints_reporter ON complaints (reporter_hash);
-- Similar reports nearby: same category, a box of latitude first.
CREATE INDEX complaints_nearby ON complaints (government_id, category_id, lat_e6);

-- Photos of a report (and of an agency's answer, with its event): cleaned and re-encoded like every
-- upload, kept in the file store. `public` follows the report's.
CREATE TABLE complaint_files (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    event_id      INTEGER REFERENCES case_events (id),
    object_key    TEXT NOT NULL UNIQUE,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX complaint_files_case ON complaint_files (case_id, id);

-- "Me too": one row per supporter (a citizen, or a browser's random key), counted on the report.
CREATE TABLE complaint_supporters (
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    supporter_key TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, supporter_key)
);

-- Idempotency of report submissions: the scope is the citizen, the Open311 client, or a guest
-- form's random key; the same key and body return the same report.
CREATE TABLE complaint_submission_keys (
    scope           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);

-- Followers of one report and subscribers to new reports in an area or category: an e-mail address
-- (sealed; found by its keyed hash), confirmed through a link before anything else is sent to it.
CREATE TABLE complaint_followers (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    email_enc     TEXT NOT NULL,
    email_hash    TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    confirmed_at  TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (case_id, email_hash)
);

CREATE TABLE complaint_subscriptions (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    category_id   INTEGER REFERENCES complaint_categories (id),
    min_lat_e6    INTEGER,
    min_lon_e6    INTEGER,
    max_lat_e6    INTEGER,
    max_lon_e6    INTEGER,
    email_enc     TEXT NOT NULL,
    email_hash    TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    confirmed_at  TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX complaint_subscriptions_government ON complaint_subscriptions (government_id, confirmed_at);
