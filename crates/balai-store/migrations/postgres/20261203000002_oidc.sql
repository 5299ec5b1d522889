-- Officer sign-in through the government's OpenID Connect provider.

-- An officer who signs in through the provider is known by (issuer, subject), never by e-mail:
-- an address can be reassigned, a subject cannot.
ALTER TABLE officers ADD COLUMN oidc_issuer TEXT;
ALTER TABLE officers ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX officers_oidc ON officers (oidc_issuer, oidc_subject);

-- A sign-in sent to the provider and not yet back. Keyed by the hash of a cookie set on the browser
-- that started it, so a callback is accepted only from that browser (no login CSRF), once, within
-- ten minutes.
CREATE TABLE oidc_logins (
    binding_hash      TEXT PRIMARY KEY,
    state             TEXT NOT NULL,
    nonce             TEXT NOT NULL,
    pkce_verifier_enc TEXT NOT NULL,
    next_path         TEXT NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);
