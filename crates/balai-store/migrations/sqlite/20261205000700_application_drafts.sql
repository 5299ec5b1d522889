-- A citizen's unsent answers for a service: kept until sent (then deleted) so an application can be
-- finished later, on another device. Sealed (they may hold an address); files are not kept here.
CREATE TABLE application_drafts (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    citizen_id    INTEGER NOT NULL REFERENCES citizens (id),
    service_id    INTEGER NOT NULL REFERENCES services (id),
    fields_enc    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (citizen_id, service_id)
);
