-- The dashboard (R11) and open data (R17) read aggregates, never cases. Every case event updates
-- them in the same transaction as the event (`dashboard::record_opened_in` / `record_moved_in`,
-- called from `cases::open_case` / `cases::move_case`); `dashboard::recompute` rebuilds them from
-- the cases and equals what the events kept (property-tested on both engines).
--
-- A case counts where it sits now: its government, kind, agency, unit (0 when it has none) and
-- service (0 for a complaint). `received` is on the day it was opened, the closing counters on the
-- day it closed, `verified` on the day the desk's first step was done; days are the government's
-- local calendar days. No row names a person or a case.

-- One row per place, service and day.
--   received                 cases opened that day
--   closed                   cases that reached a final status that day (any outcome)
--   closed_on_time           … on time: an application at or before its overall deadline (paused
--                            days added back); a complaint with every step of its route done at or
--                            before that step's deadline
--   resolved                 … with the outcome the citizen came for: completed / resolved
--   resolved_on_time         … resolved and on time
--   closed_working_days_sum  working days from opening to closing (the opening day not counted),
--                            summed over `closed`
--   verified                 complaints whose desk step (the first, "Verifikasi") was done that day:
--                            disposed to an agency, or closed or re-routed by the desk
--   verified_on_time         … done at or before that step's deadline
CREATE TABLE dashboard_daily (
    government_id           INTEGER NOT NULL REFERENCES governments (id),
    kind                    TEXT NOT NULL,
    agency_id               INTEGER NOT NULL REFERENCES agencies (id),
    unit_id                 INTEGER NOT NULL,
    service_id              INTEGER NOT NULL,
    day                     TEXT NOT NULL,
    received                INTEGER NOT NULL,
    closed                  INTEGER NOT NULL,
    closed_on_time          INTEGER NOT NULL,
    resolved                INTEGER NOT NULL,
    resolved_on_time        INTEGER NOT NULL,
    closed_working_days_sum INTEGER NOT NULL,
    verified                INTEGER NOT NULL,
    verified_on_time        INTEGER NOT NULL,
    PRIMARY KEY (government_id, kind, agency_id, unit_id, service_id, day)
);
-- Panels filter by government and a period first; agency and service follow.
CREATE INDEX dashboard_daily_period ON dashboard_daily (government_id, day, kind, agency_id);

-- The closed cases of a place, service and closing day by working days taken: `bucket` is the
-- number of working days (0..=60) or 61 for more than 60, so the median and p90 are exact.
CREATE TABLE dashboard_durations (
    government_id INTEGER NOT NULL REFERENCES governments (id),
    kind          TEXT NOT NULL,
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    unit_id       INTEGER NOT NULL,
    service_id    INTEGER NOT NULL,
    day           TEXT NOT NULL,
    bucket        INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 61),
    closed        INTEGER NOT NULL,
    PRIMARY KEY (government_id, kind, agency_id, unit_id, service_id, day, bucket)
);
CREATE INDEX dashboard_durations_period ON dashboard_durations (government_id, day, kind, agency_id);

-- Cases open now per place and service (the backlog); the backlog at an earlier day is this minus
-- what was received after it plus what was closed after it.
CREATE TABLE dashboard_open (
    government_id INTEGER NOT NULL REFERENCES governments (id),
    kind          TEXT NOT NULL,
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    unit_id       INTEGER NOT NULL,
    service_id    INTEGER NOT NULL,
    open_cases    INTEGER NOT NULL,
    PRIMARY KEY (government_id, kind, agency_id, unit_id, service_id)
);
