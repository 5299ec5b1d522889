-- Open311 GeoReport v2 client applications: each holds an API key (kept only as its SHA-256) that
-- lets it file reports for one government, or for every government of the deployment (NULL).
CREATE TABLE open311_clients (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER REFERENCES governments (id),
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    created_by    INTEGER REFERENCES officers (id)
);
CREATE INDEX open311_clients_government ON open311_clients (government_id, id);
