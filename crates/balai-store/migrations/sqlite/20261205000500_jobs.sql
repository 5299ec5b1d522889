-- The job queue: work to do after a command commits (a deadline check, a breach notice), written in
-- that command's transaction and run by any node. A job is work, not a record: it is not audited;
-- what a job changes goes through a command, which leaves its own leaf.
--
-- A worker claims a due job by setting a fresh random `lease_token` and `leased_until` in one guarded
-- statement; finishing, failing or extending matches that token, so a worker whose lease ran out
-- cannot overwrite the outcome of the worker that claimed the job after it.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER REFERENCES governments (id),  -- NULL: a system-wide job
    kind          TEXT NOT NULL,                         -- a code fixed in the program
    payload       TEXT NOT NULL,                         -- JSON, at most 16 KiB: references, not personal data
    dedupe_key    TEXT,                                  -- at most one unfinished job per kind and key
    status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
    run_at        TEXT NOT NULL,                         -- not before
    attempts      INTEGER NOT NULL,                      -- claims so far
    max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
    lease_token   TEXT,
    leased_until  TEXT,
    last_error    TEXT,                                  -- a short reason, no personal data
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);
-- Claiming reads only unfinished jobs, by kind and due time.
CREATE INDEX jobs_due ON jobs (kind, run_at) WHERE status = 'pending';
CREATE UNIQUE INDEX jobs_dedupe ON jobs (kind, dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL;
-- Dead letters for operators, and purging finished work.
CREATE INDEX jobs_finished ON jobs (status, finished_at);
