-- Non-cash payment of retribusi: each government's QRIS merchant facts, which services invoice at
-- submission, invoices with their events, and every payment a gateway or bank reported.

-- The receiving treasurer (bendahara penerimaan) becomes a role. SQLite cannot alter a CHECK, so
-- the column is rebuilt beside the old one (its values copied) and takes its name.
ALTER TABLE officers ADD COLUMN role_next TEXT NOT NULL DEFAULT 'government_admin'
    CHECK (role_next IN ('officer', 'verifier', 'agency_head', 'government_admin', 'inspector', 'auditor', 'treasurer'));
UPDATE officers SET role_next = role;
ALTER TABLE officers DROP COLUMN role;
ALTER TABLE officers RENAME COLUMN role_next TO role;

-- A government takes non-cash payment once it has these facts; without them fees are paid at a
-- counter and recorded by an officer, as before.
CREATE TABLE payment_settings (
    government_id       INTEGER PRIMARY KEY REFERENCES governments (id),
    nmid                TEXT NOT NULL,        -- QRIS National Merchant ID of the regional treasury
    merchant_name       TEXT NOT NULL,        -- at most 25 characters, as the QR carries it
    merchant_city       TEXT NOT NULL,        -- at most 15 characters
    postal_code         TEXT NOT NULL,
    mcc                 TEXT NOT NULL,        -- merchant category code, 9399 for government services
    merchant_criteria   TEXT NOT NULL,
    qris_expiry_minutes INTEGER NOT NULL CHECK (qris_expiry_minutes BETWEEN 5 AND 43200),
    va_expiry_minutes   INTEGER NOT NULL CHECK (va_expiry_minutes BETWEEN 5 AND 43200),
    updated_at          TEXT NOT NULL
);

-- Services whose fee is invoiced when the application is submitted (paid before the work starts);
-- every other service with a fee is invoiced when its case reaches the payment step.
CREATE TABLE payment_upfront_services (
    service_id    INTEGER PRIMARY KEY REFERENCES services (id),
    government_id INTEGER NOT NULL REFERENCES governments (id)
);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL,               -- random: the id in links and the API
    government_id   INTEGER NOT NULL REFERENCES governments (id),
    agency_id       INTEGER NOT NULL REFERENCES agencies (id),
    service_id      INTEGER NOT NULL REFERENCES services (id),
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    bill_number     TEXT NOT NULL,               -- digits with a check digit; the VA customer number
    amount          INTEGER NOT NULL CHECK (amount > 0),
    status          TEXT NOT NULL CHECK (status IN
                        ('created', 'started', 'submitted', 'success', 'failed', 'cancelled', 'expired', 'refunded')),
    channel         TEXT CHECK (channel IN ('qris', 'va', 'counter')),
    paid_amount     INTEGER NOT NULL DEFAULT 0,
    refunded_amount INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    paid_at         TEXT,
    receipt_id      TEXT,                        -- the issued receipt (bukti bayar), once rendered
    version         INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX invoices_public_id ON invoices (public_id);
CREATE UNIQUE INDEX invoices_bill_number ON invoices (bill_number);
CREATE INDEX invoices_case ON invoices (case_id);
CREATE INDEX invoices_open ON invoices (status, expires_at);
CREATE INDEX invoices_paid ON invoices (government_id, paid_at);

CREATE TABLE invoice_events (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    event         TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    actor         TEXT NOT NULL,                 -- officer:<id>, citizen, system:<what>
    detail        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX invoice_events_invoice ON invoice_events (invoice_id, id);

-- Every payment reported to Balai, once per (source, transaction id): a repeated notification finds
-- its row and changes nothing. A payment that does not pay its invoice is held for the treasurer.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    government_id  INTEGER NOT NULL REFERENCES governments (id),
    invoice_id     INTEGER NOT NULL REFERENCES invoices (id),
    source         TEXT NOT NULL,                -- generic, snap, counter
    transaction_id TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('qris', 'va', 'counter')),
    amount         INTEGER NOT NULL,
    refunded_amount INTEGER NOT NULL DEFAULT 0,          -- refunds approved against this payment
    outcome        TEXT NOT NULL CHECK (outcome IN ('paid', 'failed', 'held_amount', 'held_not_payable', 'held_paid_twice')),
    paid_at        TEXT NOT NULL,
    received_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX payments_transaction ON payments (source, transaction_id);
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE INDEX payments_day ON payments (government_id, paid_at);
