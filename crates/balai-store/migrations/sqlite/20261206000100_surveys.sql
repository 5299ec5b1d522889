-- SKM (Survei Kepuasan Masyarakat): invitations by one-time link, the responses, and their sums per day.

-- A one-time link sent when an application is completed or a report closed. Only the SHA-256 of the
-- token is kept; the link opens one response until it expires.
CREATE TABLE survey_invitations (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    service_id    INTEGER REFERENCES services (id),           -- NULL: a report, not a service
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    token_hash    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    response_id   INTEGER
);
CREATE UNIQUE INDEX survey_invitations_token ON survey_invitations (token_hash);
CREATE UNIQUE INDEX survey_invitations_case ON survey_invitations (case_id);

-- One respondent's answers: the nine scores (1-4), what they chose to say about themselves, and a
-- suggestion (runs of digits and e-mail addresses masked before it is kept).
CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY,
    government_id   INTEGER NOT NULL REFERENCES governments (id),
    agency_id       INTEGER NOT NULL REFERENCES agencies (id),
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    service_id      INTEGER REFERENCES services (id),
    case_id         INTEGER REFERENCES cases (id),
    channel         TEXT NOT NULL CHECK (channel IN ('link', 'kiosk', 'import')),
    answered_on     TEXT NOT NULL,                             -- the day in the government's time zone
    u1              INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2              INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3              INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4              INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5              INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6              INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7              INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8              INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9              INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    sex             TEXT,
    age_band        TEXT,
    education       TEXT,
    occupation      TEXT,
    suggestion      TEXT NOT NULL,
    recorded_by     INTEGER REFERENCES officers (id),          -- the officer at a kiosk or importing
    idempotency_key TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX survey_responses_scope ON survey_responses (government_id, agency_id, answered_on);
CREATE INDEX survey_responses_case ON survey_responses (case_id);
CREATE UNIQUE INDEX survey_responses_idempotency ON survey_responses (recorded_by, idempotency_key);

-- Sums of the scores per unit, service and day, written in the transaction of each response, so
-- results read days, never responses. service_id 0: responses without a service (reports, a kiosk
-- asked about the unit as a whole).
CREATE TABLE survey_tallies (
    government_id INTEGER NOT NULL REFERENCES governments (id),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    service_id    INTEGER NOT NULL,
    day           TEXT NOT NULL,
    respondents   INTEGER NOT NULL,
    sum_u1        INTEGER NOT NULL,
    sum_u2        INTEGER NOT NULL,
    sum_u3        INTEGER NOT NULL,
    sum_u4        INTEGER NOT NULL,
    sum_u5        INTEGER NOT NULL,
    sum_u6        INTEGER NOT NULL,
    sum_u7        INTEGER NOT NULL,
    sum_u8        INTEGER NOT NULL,
    sum_u9        INTEGER NOT NULL,
    PRIMARY KEY (government_id, agency_id, unit_id, service_id, day)
);
CREATE INDEX survey_tallies_day ON survey_tallies (government_id, agency_id, day);
