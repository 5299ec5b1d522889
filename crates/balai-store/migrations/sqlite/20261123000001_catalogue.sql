-- Catalogue: governments, their agencies and units, and services whose standards are versioned.
-- Every table that grows carries government_id: the government is the unit of scale.

CREATE TABLE governments (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL CHECK (time_zone IN ('WIB', 'WITA', 'WIT')),
    created_at  TEXT NOT NULL
);

CREATE TABLE service_categories (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    code          TEXT NOT NULL,
    name_id       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    UNIQUE (government_id, code)
);

CREATE TABLE agencies (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    address       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL,
    maklumat      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (government_id, code)
);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    parent_id     INTEGER REFERENCES units (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    UNIQUE (government_id, code)
);
CREATE INDEX units_agency ON units (agency_id);

CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    government_id   INTEGER NOT NULL REFERENCES governments (id),
    agency_id       INTEGER NOT NULL REFERENCES agencies (id),
    category_id     INTEGER NOT NULL REFERENCES service_categories (id),
    code            TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (government_id, code)
);
CREATE INDEX services_agency ON services (agency_id);
CREATE INDEX services_category ON services (category_id);

CREATE TABLE service_versions (
    id                     INTEGER PRIMARY KEY,
    government_id          INTEGER NOT NULL REFERENCES governments (id),
    service_id             INTEGER NOT NULL REFERENCES services (id),
    version                INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    name_en                TEXT NOT NULL,
    summary                TEXT NOT NULL,
    keywords               TEXT NOT NULL, -- JSON array of strings
    sla_days               INTEGER NOT NULL CHECK (sla_days >= 0),
    fee                    INTEGER NOT NULL CHECK (fee >= 0),
    fee_legal_basis        TEXT NOT NULL,
    product                TEXT NOT NULL,
    complaint_handling     TEXT NOT NULL,
    legal_basis            TEXT NOT NULL, -- JSON array of strings
    facilities             TEXT NOT NULL,
    competence             TEXT NOT NULL,
    internal_supervision   TEXT NOT NULL,
    staff_count            INTEGER NOT NULL,
    service_guarantee      TEXT NOT NULL,
    security_guarantee     TEXT NOT NULL,
    performance_evaluation TEXT NOT NULL,
    sk_number              TEXT NOT NULL,
    effective_date         TEXT NOT NULL,
    search_text            TEXT NOT NULL,
    change_note            TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    UNIQUE (service_id, version)
);

CREATE TABLE service_requirements (
    id                 INTEGER PRIMARY KEY,
    government_id      INTEGER NOT NULL REFERENCES governments (id),
    version_id         INTEGER NOT NULL REFERENCES service_versions (id),
    position           INTEGER NOT NULL,
    document           TEXT NOT NULL,
    doc_type           TEXT NOT NULL,
    held_by_government BOOLEAN NOT NULL,
    note               TEXT NOT NULL,
    UNIQUE (version_id, position)
);

CREATE TABLE service_steps (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    version_id    INTEGER NOT NULL REFERENCES service_versions (id),
    position      INTEGER NOT NULL,
    description   TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    sla_days      INTEGER NOT NULL CHECK (sla_days >= 0),
    UNIQUE (version_id, position)
);

-- The working-day calendar is data: a year is covered once an administrator (or the seed) set its holidays.
CREATE TABLE calendar_years (
    government_id INTEGER NOT NULL REFERENCES governments (id),
    year          INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (government_id, year)
);

CREATE TABLE holidays (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    date          TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('libur_nasional', 'cuti_bersama', 'libur_daerah')),
    UNIQUE (government_id, date)
);

-- Administrators of the catalogue. Full identity (citizens, officers, roles, OIDC) builds on this.
CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER REFERENCES governments (id), -- NULL: administers every government
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY, -- SHA-256 of the cookie value: a leaked table opens no session
    admin_id   INTEGER NOT NULL REFERENCES admins (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);
