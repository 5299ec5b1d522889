-- Each claim of an outbox message gets a fresh random token, and only the worker holding it may
-- record the outcome: a worker whose lease ran out can no longer overwrite the result of the
-- worker that claimed the message after it.
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
