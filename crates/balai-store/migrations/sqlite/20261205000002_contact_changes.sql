-- A citizen changing a phone or e-mail address online proves the new contact with a code sent there
-- and, unless the session is at the substantial level, the old one with a code sent to the contact
-- already on record. Both codes are entered together, on the device that asked (pending token).
CREATE TABLE contact_changes (
    id                  INTEGER PRIMARY KEY,
    citizen_id          INTEGER NOT NULL REFERENCES citizens (id),
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    new_recipient_enc   TEXT NOT NULL,
    new_code_hash       TEXT NOT NULL,
    old_channel         TEXT CHECK (old_channel IN ('email', 'sms', 'whatsapp')),
    old_recipient_enc   TEXT,
    old_code_hash       TEXT,            -- NULL: the session's level vouches instead of the old contact
    assurance           TEXT NOT NULL CHECK (assurance IN ('basic', 'substantial')),
    pending_token_hash  TEXT NOT NULL UNIQUE,
    attempts_left       INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    used_at             TEXT
);
CREATE INDEX contact_changes_citizen ON contact_changes (citizen_id, created_at);
