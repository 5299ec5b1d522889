-- Citizen sign-in proves the person, not only an address: codes go only to a contact on record, each
-- contact and each session carries how surely it is the person's, and the public audit log names
-- citizens by a pseudonym instead of their record's id.

-- A random pseudonym per citizen (p + 32 hex digits), drawn once: new audit leaves name citizen
-- actors and subjects by it, so the public can verify the log but not follow a person through it.
ALTER TABLE citizens ADD COLUMN audit_pseudonym TEXT;
UPDATE citizens SET audit_pseudonym = 'p' || lower(hex(randomblob(16)));
CREATE UNIQUE INDEX citizens_audit_pseudonym ON citizens (audit_pseudonym);

-- How surely each contact is the person's. NULL: basic (from the population register, or proven
-- by a code); 'substantial': bound by an officer who saw the KTP-el, or through an identity provider
-- at that level. Absent from the audited state while NULL, so older leaves still match.
ALTER TABLE citizens ADD COLUMN phone_assurance TEXT CHECK (phone_assurance IN ('basic', 'substantial'));
ALTER TABLE citizens ADD COLUMN email_assurance TEXT CHECK (email_assurance IN ('basic', 'substantial'));

-- The level a session was opened at (NULL on sessions older than this migration: basic).
ALTER TABLE sessions ADD COLUMN assurance TEXT CHECK (assurance IN ('basic', 'substantial'));

-- A code request that names a contact not on record (or a NIK without one) gets the same answer as
-- any other, and a row like any other so it counts against the throttles, but nothing is sent and
-- no code can match it (delivered = false).
ALTER TABLE one_time_codes ADD COLUMN delivered BOOLEAN NOT NULL DEFAULT TRUE;
-- Keyed hash of NIK and destination: the per-NIK throttle counts per destination, so a stranger
-- naming a wrong address cannot lock the citizen out of codes to their own.
ALTER TABLE one_time_codes ADD COLUMN target_hash TEXT;
-- The level the code's contact carries, given to the session it opens.
ALTER TABLE one_time_codes ADD COLUMN assurance TEXT CHECK (assurance IN ('basic', 'substantial'));
-- For a first sign-in, the population register's record (sealed): the citizen record is created
-- from it only when the code is right, so asking for a code leaves no trace in the public log.
ALTER TABLE one_time_codes ADD COLUMN register_enc TEXT;
CREATE INDEX one_time_codes_target ON one_time_codes (target_hash, created_at);
