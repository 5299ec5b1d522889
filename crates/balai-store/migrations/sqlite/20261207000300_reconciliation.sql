-- The receiving treasurer's work: the bank's statements of the treasury account, read line by line
-- and matched against Balai's payments by bill number, and refunds asked by one treasurer and
-- decided by another (four eyes).

-- One imported statement file. The same file (by its SHA-256) is refused a second time.
CREATE TABLE bank_statements (
    id            INTEGER PRIMARY KEY,
    government_id INTEGER NOT NULL REFERENCES governments (id),
    format        TEXT NOT NULL CHECK (format IN ('csv', 'mt940')),
    sha256        TEXT NOT NULL,                 -- hex of the file's bytes
    line_count    INTEGER NOT NULL,
    imported_by   INTEGER NOT NULL REFERENCES officers (id),
    imported_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX bank_statements_file ON bank_statements (government_id, sha256);

-- A credit line of a statement, as matched when it was imported. The description keeps at most 80
-- characters, with every long run of digits but the bill number masked (phone and account numbers).
CREATE TABLE bank_statement_lines (
    id             INTEGER PRIMARY KEY,
    government_id  INTEGER NOT NULL REFERENCES governments (id),
    statement_id   INTEGER NOT NULL REFERENCES bank_statements (id),
    line_number    INTEGER NOT NULL,             -- the line of the file (the header is line 1)
    value_date     TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    bill_number    TEXT,                         -- found in the line, or NULL
    bank_reference TEXT NOT NULL,
    description    TEXT NOT NULL,
    match_status   TEXT NOT NULL CHECK (match_status IN ('matched', 'unmatched', 'mismatched')),
    match_reason   TEXT CHECK (match_reason IN ('amount', 'not_paid', 'held', 'refunded', 'twice')),
    invoice_id     INTEGER REFERENCES invoices (id),
    payment_id     INTEGER REFERENCES payments (id)
);
CREATE UNIQUE INDEX bank_statement_lines_line ON bank_statement_lines (statement_id, line_number);
CREATE INDEX bank_statement_lines_day ON bank_statement_lines (government_id, value_date);
CREATE INDEX bank_statement_lines_bill ON bank_statement_lines (government_id, bill_number);
CREATE INDEX bank_statement_lines_invoice ON bank_statement_lines (invoice_id);
CREATE INDEX bank_statement_lines_payment ON bank_statement_lines (payment_id);

-- A refund of (part of) a payment: asked by a treasurer naming the refundable amount they saw, then
-- approved or rejected by someone else.
CREATE TABLE refunds (
    id               INTEGER PRIMARY KEY,
    government_id    INTEGER NOT NULL REFERENCES governments (id),
    agency_id        INTEGER NOT NULL REFERENCES agencies (id),
    payment_id       INTEGER NOT NULL REFERENCES payments (id),
    invoice_id       INTEGER NOT NULL REFERENCES invoices (id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    named_refundable INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected')),
    requested_by     INTEGER NOT NULL REFERENCES officers (id),
    requested_at     TEXT NOT NULL,
    decided_by       INTEGER REFERENCES officers (id),
    decided_at       TEXT,
    decision_note    TEXT
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_invoice ON refunds (invoice_id);
CREATE INDEX refunds_open ON refunds (government_id, status, requested_at);
