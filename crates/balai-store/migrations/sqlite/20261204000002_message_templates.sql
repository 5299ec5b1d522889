-- Notification texts edited by admins, per message kind and language. A missing row means the text
-- the platform ships with. Deployment-wide for now (sign-in codes belong to no one government).
CREATE TABLE message_templates (
    id         INTEGER PRIMARY KEY,
    template   TEXT NOT NULL,         -- the message kind, e.g. sign-in-code
    lang       TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    subject    TEXT NOT NULL,         -- MiniJinja syntax, like the body
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (template, lang)
);
