-- Purpose-bound access to a citizen's record (R3, R20): an officer opens it only through a case of
-- their agency, naming why, and the citizen sees every such read.

-- Cases: what applications (permohonan) and complaints (pengaduan) share. Each context adds its own
-- table keyed by case id; the case row carries what access and routing need.
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    kind          TEXT NOT NULL CHECK (kind IN ('application', 'complaint')),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    unit_id       INTEGER REFERENCES units (id),      -- where it sits now; NULL: the agency as a whole
    citizen_id    INTEGER REFERENCES citizens (id),   -- NULL for anonymous complaints
    service_id    INTEGER REFERENCES services (id),
    title         TEXT NOT NULL,
    opened_at     TEXT NOT NULL
);
CREATE INDEX cases_agency ON cases (government_id, agency_id, opened_at);
CREATE INDEX cases_citizen ON cases (citizen_id);

-- Every read of a citizen's record by staff, with the case and purpose, as the citizen is shown it.
-- Each row is vouched for by an audit-log leaf (subject citizen_reads/<id>) carrying the purpose.
-- The officer's role and agency are kept as they were at the time of the read.
CREATE TABLE citizen_reads (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    officer_id    INTEGER NOT NULL REFERENCES officers (id),
    officer_role  TEXT NOT NULL,
    agency_id     INTEGER REFERENCES agencies (id),
    purpose       TEXT NOT NULL,
    read_at       TEXT NOT NULL
);
CREATE INDEX citizen_reads_citizen ON citizen_reads (citizen_id, read_at);
