//! The receiving treasurer's daily reconciliation: the bank's statement of the treasury account is
//! imported ([`import_statement_as_officer`]), each credit line matched by its bill number against
//! the payments Balai kept, and a day is read back ([`reconciliation_day`]) with what the bank shows,
//! what Balai received that the bank does not show, and totals per service and per agency.
//!
//! The statement is a CSV file in one documented layout ([`read_csv`]): UTF-8, the header
//! `value_date,amount,bill_number,bank_reference,description`, one credit per line. An import keeps
//! every line or none: each bad line is named with its line number and column. MT940 is not read yet
//! (see `docs/architecture.md`, "Reconciliation"): the format is in the schema so a reader can be added.
//!
//! A line's match is judged once, when it is imported, and kept with the line:
//! - *matched*: its bill number names an invoice of the government with a kept `paid` payment of the
//!   same amount that no earlier line claimed;
//! - *mismatched*: the invoice exists but the money does not agree (a different amount, an invoice not
//!   paid in Balai, a payment Balai holds, an invoice refunded, the same payment on a second line);
//! - *unmatched*: no invoice of the government has that bill number, or the line names none.

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::identity::access::authorize_officer;
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::identity::{Action, Target};
use balai_domain::money::Rupiah;
use balai_domain::payments::{BillNumber, MAX_AMOUNT};
use balai_domain::personal_number;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The largest statement file read: 5 MB.
pub const MAX_STATEMENT_BYTES: usize = 5 * 1024 * 1024;
/// The most lines one statement may hold (the header not counted).
pub const MAX_STATEMENT_LINES: usize = 50_000;
/// A line's description is kept to this many characters.
pub const DESCRIPTION_CHARS: usize = 80;
/// The longest bank reference kept.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// The longest description read (before it is shortened to [`DESCRIPTION_CHARS`]).
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;
/// The header the CSV layout asks for, in this order.
pub const CSV_HEADER: [&str; 5] = ["value_date", "amount", "bill_number", "bank_reference", "description"];
/// The length of the bill numbers Balai issues (region 4, serial 9, check digit 1).
pub const BILL_NUMBER_DIGITS: usize = 14;

/// The file format of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementFormat {
    Csv,
    Mt940,
}

impl StatementFormat {
    pub fn code(self) -> &'static str {
        match self {
            StatementFormat::Csv => "csv",
            StatementFormat::Mt940 => "mt940",
        }
    }

    pub fn parse(code: &str) -> Option<StatementFormat> {
        [StatementFormat::Csv, StatementFormat::Mt940].into_iter().find(|f| f.code() == code)
    }
}

/// How a statement line compares with Balai's payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchStatus {
    Matched,
    Mismatched,
    Unmatched,
}

impl MatchStatus {
    pub fn code(self) -> &'static str {
        match self {
            MatchStatus::Matched => "matched",
            MatchStatus::Mismatched => "mismatched",
            MatchStatus::Unmatched => "unmatched",
        }
    }

    pub fn parse(code: &str) -> Option<MatchStatus> {
        [MatchStatus::Matched, MatchStatus::Mismatched, MatchStatus::Unmatched].into_iter().find(|s| s.code() == code)
    }
}

/// Why a line with a known invoice is mismatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MismatchReason {
    /// Paid in Balai, but for another amount than the line's.
    Amount,
    /// Balai has no payment for the invoice (not paid, expired, cancelled).
    NotPaid,
    /// Balai holds a payment of this amount for the treasurer (wrong amount, paid twice, too late).
    Held,
    /// The invoice was refunded.
    Refunded,
    /// An earlier line already claimed the payment of this amount.
    Twice,
}

impl MismatchReason {
    pub fn code(self) -> &'static str {
        match self {
            MismatchReason::Amount => "amount",
            MismatchReason::NotPaid => "not_paid",
            MismatchReason::Held => "held",
            MismatchReason::Refunded => "refunded",
            MismatchReason::Twice => "twice",
        }
    }

    pub fn parse(code: &str) -> Option<MismatchReason> {
        [
            MismatchReason::Amount,
            MismatchReason::NotPaid,
            MismatchReason::Held,
            MismatchReason::Refunded,
            MismatchReason::Twice,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

// ---- reading a statement ------------------------------------------------------------------------

/// One credit line of a statement, as read and as it will be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub value_date: NaiveDate,
    pub amount: Rupiah,
    /// From the `bill_number` column, or else the first 14-digit run of the description that is one.
    pub bill_number: Option<BillNumber>,
    pub bank_reference: String,
    /// Shortened, with long digit runs other than the bill number masked ([`keep_description`]).
    pub description: String,
}

/// The field an error about line `line`'s column names: `lines[12].amount`.
pub fn line_field(line: usize, column: &str) -> String {
    format!("lines[{line}].{column}")
}

/// Reads a statement in the CSV layout. Every problem is reported (a line's number and column, or
/// `file` for the file as a whole), and any problem refuses the whole file.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<StatementLine>, FieldErrors> {
    let mut e = FieldErrors::default();
    if bytes.is_empty() {
        e.push("file", Rule::Required);
        return Err(e);
    }
    if bytes.len() > MAX_STATEMENT_BYTES {
        e.push("file", Rule::OutOfRange { min: 1, max: MAX_STATEMENT_BYTES as i64 });
        return Err(e);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        e.push("file", Rule::Format { expected: "UTF-8 text" });
        return Err(e);
    };
    // One credit per line of the file (a quoted field may hold commas, not line breaks), so a line's
    // number is the one an editor shows.
    let mut physical = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate();
    let header = physical.next().and_then(|(_, l)| record_of(l));
    if !header.is_some_and(|h| {
        h.len() == CSV_HEADER.len() && h.iter().zip(CSV_HEADER).all(|(h, want)| h.trim().eq_ignore_ascii_case(want))
    }) {
        e.push("file", Rule::Format { expected: "value_date,amount,bill_number,bank_reference,description" });
        return Err(e);
    }
    let mut lines = Vec::new();
    for (index, raw) in physical {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if lines.len() + e.0.len() >= MAX_STATEMENT_LINES {
            e.push("file", Rule::TooMany { max: MAX_STATEMENT_LINES });
            return Err(e);
        }
        match record_of(raw) {
            Some(record) if record.len() == CSV_HEADER.len() => {
                if let Some(read) = read_line(line, &record, &mut e) {
                    lines.push(read);
                }
            }
            _ => e.push(line_field(line, "line"), Rule::Format { expected: "five comma-separated columns" }),
        }
    }
    if lines.is_empty() && e.is_empty() {
        e.push("file", Rule::Required);
    }
    e.into_result().map(|()| lines)
}

/// One line read as CSV fields (RFC 4180 quoting), or `None` when it is not well-formed.
fn record_of(line: &str) -> Option<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    // A quote left open would swallow the rest: the line must be one record.
    reader.records().next().is_none().then_some(record)
}

fn read_line(line: usize, record: &csv::StringRecord, e: &mut FieldErrors) -> Option<StatementLine> {
    let before = e.0.len();
    let value_date = NaiveDate::parse_from_str(record[0].trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| record[0].trim().len() == 10 && *d >= NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date"));
    if value_date.is_none() {
        e.push(line_field(line, "value_date"), Rule::Format { expected: "2026-12-07" });
    }
    let amount = match read_amount(&record[1]) {
        Ok(amount) => Some(amount),
        Err(rule) => {
            e.push(line_field(line, "amount"), rule);
            None
        }
    };
    let typed_bill = record[2].trim();
    let mut bill_number = None;
    if !typed_bill.is_empty() {
        match BillNumber::parse(typed_bill) {
            Ok(bill) if bill.as_str().len() == BILL_NUMBER_DIGITS => bill_number = Some(bill),
            _ => e.push(
                line_field(line, "bill_number"),
                Rule::Format { expected: "14 digits with a valid check digit, or empty" },
            ),
        }
    }
    let bank_reference = record[3].trim();
    if bank_reference.is_empty() {
        e.push(line_field(line, "bank_reference"), Rule::Required);
    } else if bank_reference.chars().count() > MAX_REFERENCE_CHARS {
        e.push(line_field(line, "bank_reference"), Rule::TooLong { max: MAX_REFERENCE_CHARS });
    }
    let description = record[4].trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        e.push(line_field(line, "description"), Rule::TooLong { max: MAX_DESCRIPTION_CHARS });
    }
    if e.0.len() > before {
        return None;
    }
    let bill_number = bill_number.or_else(|| find_bill_number(description));
    Some(StatementLine {
        line,
        value_date: value_date?,
        amount: amount?,
        description: keep_description(description, bill_number.as_ref()),
        bill_number,
        bank_reference: bank_reference.to_owned(),
    })
}

/// Whole rupiah: digits only, optionally followed by `.00` (banks print cents that are always zero).
fn read_amount(text: &str) -> Result<Rupiah, Rule> {
    const EXPECTED: Rule = Rule::Format { expected: "1250000 or 1250000.00" };
    let text = text.trim();
    let digits = text.strip_suffix(".00").unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED);
    }
    let value: i64 = digits.parse().map_err(|_| Rule::OutOfRange { min: 1, max: MAX_AMOUNT })?;
    if !(1..=MAX_AMOUNT).contains(&value) {
        return Err(Rule::OutOfRange { min: 1, max: MAX_AMOUNT });
    }
    Ok(Rupiah(value))
}

/// The first run of exactly 14 ASCII digits in `text` that is a valid bill number.
pub fn find_bill_number(text: &str) -> Option<BillNumber> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == BILL_NUMBER_DIGITS
            && let Ok(bill) = BillNumber::parse(&text[start..i])
        {
            return Some(bill);
        }
    }
    None
}

/// What is kept of a line's description: the bank's words with every long run of digits (a phone,
/// an account or identity number) and every e-mail address masked by
/// [`personal_number::redact`], except the bill number itself, shortened to [`DESCRIPTION_CHARS`].
/// The payer's name often stands in it too; the short limit keeps what the treasurer needs to
/// recognise a transfer and little else.
pub fn keep_description(description: &str, bill: Option<&BillNumber>) -> String {
    let kept = match bill {
        Some(bill) if description.contains(bill.as_str()) => {
            description.split(bill.as_str()).map(personal_number::redact).collect::<Vec<_>>().join(bill.as_str())
        }
        _ => personal_number::redact(description),
    };
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if kept.chars().count() <= DESCRIPTION_CHARS {
        kept
    } else {
        let mut short: String = kept.chars().take(DESCRIPTION_CHARS - 1).collect();
        short.push('…');
        short
    }
}

// ---- matching -----------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
struct InvoiceFacts {
    id: i64,
    bill_number: String,
    status: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct PaymentFacts {
    id: i64,
    invoice_id: i64,
    amount: i64,
    outcome: String,
}

/// A line's verdict: status, why, and the invoice and payment it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verdict {
    status: MatchStatus,
    reason: Option<MismatchReason>,
    invoice_id: Option<i64>,
    payment_id: Option<i64>,
}

/// The one matching rule. `taken` holds the payments earlier lines (of this file or kept before)
/// already claimed; a payment a line claims is added to it.
fn judge(
    amount: Rupiah,
    invoice: Option<&InvoiceFacts>,
    payments: &[PaymentFacts],
    taken: &mut HashSet<i64>,
) -> Verdict {
    let Some(invoice) = invoice else {
        return Verdict { status: MatchStatus::Unmatched, reason: None, invoice_id: None, payment_id: None };
    };
    let mismatched = |reason, payment_id| Verdict {
        status: MatchStatus::Mismatched,
        reason: Some(reason),
        invoice_id: Some(invoice.id),
        payment_id,
    };
    let same_amount = |paid: bool| {
        payments.iter().filter(move |p| p.amount == amount.0 && (p.outcome == "paid") == paid && p.outcome != "failed")
    };
    if invoice.status == "refunded" {
        return mismatched(MismatchReason::Refunded, same_amount(true).next().map(|p| p.id));
    }
    if let Some(paid) = same_amount(true).find(|p| !taken.contains(&p.id)) {
        taken.insert(paid.id);
        return Verdict {
            status: MatchStatus::Matched,
            reason: None,
            invoice_id: Some(invoice.id),
            payment_id: Some(paid.id),
        };
    }
    if let Some(held) = same_amount(false).find(|p| !taken.contains(&p.id)) {
        taken.insert(held.id);
        return mismatched(MismatchReason::Held, Some(held.id));
    }
    if let Some(paid) = same_amount(true).next() {
        return mismatched(MismatchReason::Twice, Some(paid.id));
    }
    if payments.iter().any(|p| p.outcome == "paid") {
        return mismatched(MismatchReason::Amount, None);
    }
    mismatched(MismatchReason::NotPaid, None)
}

/// `$start, $start+1, …` for `n` values.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

const CHUNK: usize = 400;

// ---- importing ----------------------------------------------------------------------------------

/// What an import kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub statement_id: i64,
    pub lines: usize,
    pub matched: usize,
    pub mismatched: usize,
    pub unmatched: usize,
}

/// Imports one statement file of a government: every line, matched, or nothing. Refused for anyone
/// but a treasurer of that government (nothing written), for a file imported before (`file`:
/// duplicate), and for any bad line (each named by `lines[N].column`).
pub async fn import_statement_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    bytes: &[u8],
    format: StatementFormat,
    now: DateTime<Utc>,
) -> Result<Imported, StoreError> {
    // Reading the file is pure: done before the transaction, judged after the permission check.
    let read = match format {
        StatementFormat::Csv => read_csv(bytes),
        StatementFormat::Mt940 => {
            let mut e = FieldErrors::default();
            e.push("format", Rule::Format { expected: "csv" });
            Err(e)
        }
    };
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    let sha256 = audit::hex(&digest);
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ReconcilePayments, &Target::government(government_id)).await?;
    let lines = read.map_err(StoreError::Invalid)?;
    let seen: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM bank_statements WHERE government_id = $1 AND sha256 = $2")
                .bind(government_id)
                .bind(sha256.as_str()),
        )
        .await?;
    if seen.is_some() {
        let mut e = FieldErrors::default();
        e.push("file", Rule::Duplicate);
        return Err(StoreError::Invalid(e));
    }
    let statement_id = tx
        .insert(
            query(
                "INSERT INTO bank_statements (government_id, format, sha256, line_count, imported_by, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(government_id)
            .bind(format.code())
            .bind(sha256.as_str())
            .bind(lines.len() as i64)
            .bind(officer_id)
            .bind(now),
        )
        .await?;

    let verdicts = judge_lines_in(&mut tx, government_id, &lines).await?;
    let mut imported = Imported { statement_id, lines: lines.len(), matched: 0, mismatched: 0, unmatched: 0 };
    for verdict in &verdicts {
        match verdict.status {
            MatchStatus::Matched => imported.matched += 1,
            MatchStatus::Mismatched => imported.mismatched += 1,
            MatchStatus::Unmatched => imported.unmatched += 1,
        }
    }
    const COLUMNS: usize = 12;
    for (chunk_lines, chunk_verdicts) in lines.chunks(CHUNK).zip(verdicts.chunks(CHUNK)) {
        let rows: Vec<String> =
            (0..chunk_lines.len()).map(|i| format!("({})", placeholders(1 + i * COLUMNS, COLUMNS))).collect();
        let mut q = dynamic_query(format!(
            "INSERT INTO bank_statement_lines (government_id, statement_id, line_number, value_date, amount, \
             bill_number, bank_reference, description, match_status, match_reason, invoice_id, payment_id) \
             VALUES {}",
            rows.join(", ")
        ));
        for (line, verdict) in chunk_lines.iter().zip(chunk_verdicts) {
            q = q
                .bind(government_id)
                .bind(statement_id)
                .bind(line.line as i64)
                .bind(line.value_date)
                .bind(line.amount.0)
                .bind(line.bill_number.as_ref().map(|b| b.as_str().to_owned()))
                .bind(line.bank_reference.as_str())
                .bind(line.description.as_str())
                .bind(verdict.status.code())
                .bind(verdict.reason.map(|r| r.code()))
                .bind(verdict.invoice_id)
                .bind(verdict.payment_id);
        }
        tx.execute(q).await?;
    }
    audit::record_change(
        &mut tx,
        &Actor::officer(officer_id),
        "payments.statement.import",
        &Subject::new("bank_statements", statement_id),
        Some(government_id),
    )
    .await?;
    tx.commit().await?;
    Ok(imported)
}

/// Judges every line against the government's invoices and payments as they are in `tx`.
async fn judge_lines_in(tx: &mut Tx, government_id: i64, lines: &[StatementLine]) -> Result<Vec<Verdict>, StoreError> {
    let bills: Vec<&str> = {
        let set: std::collections::BTreeSet<&str> =
            lines.iter().filter_map(|l| l.bill_number.as_ref().map(BillNumber::as_str)).collect();
        set.into_iter().collect()
    };
    let mut invoices: HashMap<String, InvoiceFacts> = HashMap::new();
    for chunk in bills.chunks(CHUNK) {
        let mut q = dynamic_query(format!(
            "SELECT id, bill_number, status FROM invoices WHERE government_id = $1 AND bill_number IN ({})",
            placeholders(2, chunk.len())
        ))
        .bind(government_id);
        for bill in chunk {
            q = q.bind(*bill);
        }
        for invoice in tx.fetch_all::<InvoiceFacts>(q).await? {
            invoices.insert(invoice.bill_number.clone(), invoice);
        }
    }
    let invoice_ids: Vec<i64> = invoices.values().map(|i| i.id).collect();
    let mut payments: HashMap<i64, Vec<PaymentFacts>> = HashMap::new();
    let mut taken: HashSet<i64> = HashSet::new();
    for chunk in invoice_ids.chunks(CHUNK) {
        let mut q = dynamic_query(format!(
            "SELECT id, invoice_id, amount, outcome FROM payments WHERE invoice_id IN ({}) ORDER BY id",
            placeholders(1, chunk.len())
        ));
        for id in chunk {
            q = q.bind(*id);
        }
        for payment in tx.fetch_all::<PaymentFacts>(q).await? {
            payments.entry(payment.invoice_id).or_default().push(payment);
        }
        let mut q = dynamic_query(format!(
            "SELECT payment_id FROM bank_statement_lines WHERE payment_id IS NOT NULL AND invoice_id IN ({})",
            placeholders(1, chunk.len())
        ));
        for id in chunk {
            q = q.bind(*id);
        }
        let claimed: Vec<(i64,)> = tx.fetch_all(q).await?;
        taken.extend(claimed.into_iter().map(|(id,)| id));
    }
    let none = Vec::new();
    Ok(lines
        .iter()
        .map(|line| {
            let invoice = line.bill_number.as_ref().and_then(|b| invoices.get(b.as_str()));
            let of_invoice = invoice.and_then(|i| payments.get(&i.id)).unwrap_or(&none);
            judge(line.amount, invoice, of_invoice, &mut taken)
        })
        .collect())
}

// ---- a day's reconciliation ---------------------------------------------------------------------

/// A statement line as the day's reconciliation shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DayLine {
    pub id: i64,
    pub statement_id: i64,
    pub line_number: i64,
    pub value_date: NaiveDate,
    pub amount: i64,
    pub bill_number: Option<String>,
    pub bank_reference: String,
    pub description: String,
    pub match_status: String,
    pub match_reason: Option<String>,
    pub invoice_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
}

impl DayLine {
    pub fn status(&self) -> MatchStatus {
        MatchStatus::parse(&self.match_status).unwrap_or(MatchStatus::Unmatched)
    }

    pub fn reason(&self) -> Option<MismatchReason> {
        self.match_reason.as_deref().and_then(MismatchReason::parse)
    }
}

/// A payment Balai kept as paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DayPayment {
    pub payment_id: i64,
    pub invoice_id: i64,
    pub bill_number: String,
    pub amount: i64,
    pub channel: String,
    pub paid_at: DateTime<Utc>,
    pub service_id: i64,
    pub service_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    /// Whether any statement line claims it.
    pub on_statement: bool,
}

/// Sums for one service or one agency (`None`: lines that name no invoice of the government).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Total {
    pub id: Option<i64>,
    pub name: Option<String>,
    /// Paid payments kept by Balai on the day.
    pub received: Rupiah,
    /// Credit lines of the day's statements.
    pub on_statement: Rupiah,
}

impl Total {
    /// What the bank shows above (positive) or below (negative) what Balai received.
    pub fn difference(&self) -> Rupiah {
        Rupiah(self.on_statement.0 - self.received.0)
    }
}

/// One day of a government's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub day: NaiveDate,
    pub time_zone: String,
    /// The statement lines of that value date, as matched at import.
    pub lines: Vec<DayLine>,
    /// Balai's paid payments of the day (in the government's time zone) that no statement line claims:
    /// unmatched on Balai's side.
    pub not_on_statement: Vec<DayPayment>,
    pub by_service: Vec<Total>,
    pub by_agency: Vec<Total>,
    pub total: Total,
}

impl Day {
    pub fn count(&self, status: MatchStatus) -> usize {
        self.lines.iter().filter(|l| l.status() == status).count()
    }
}

async fn zone_in(tx: &mut Tx, government_id: i64) -> Result<IndonesianTimeZone, StoreError> {
    let (zone,): (String,) = tx
        .fetch_optional(query("SELECT time_zone FROM governments WHERE id = $1").bind(government_id))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(IndonesianTimeZone::parse(&zone).unwrap_or(IndonesianTimeZone::Wib))
}

/// Reads one day of a government's reconciliation, for a treasurer of that government.
pub async fn reconciliation_day(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    day: NaiveDate,
) -> Result<Day, StoreError> {
    let mut tx = db.begin_read().await?;
    authorize_officer(&mut tx, officer_id, Action::ReconcilePayments, &Target::government(government_id)).await?;
    let zone = zone_in(&mut tx, government_id).await?;
    let lines: Vec<DayLine> = tx
        .fetch_all(
            query(
                "SELECT l.id, l.statement_id, l.line_number, l.value_date, l.amount, l.bill_number, l.bank_reference, \
                 l.description, l.match_status, l.match_reason, l.invoice_id, l.payment_id, i.service_id, v.name AS service_name, \
                 i.agency_id, a.short_name AS agency_name \
                 FROM bank_statement_lines l \
                 LEFT JOIN invoices i ON i.id = l.invoice_id \
                 LEFT JOIN services s ON s.id = i.service_id \
                 LEFT JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 LEFT JOIN agencies a ON a.id = i.agency_id \
                 WHERE l.government_id = $1 AND l.value_date = $2 ORDER BY l.statement_id, l.line_number",
            )
            .bind(government_id)
            .bind(day),
        )
        .await?;
    let start = zone.start_of_day(day);
    let end = zone.start_of_day(day + Duration::days(1));
    let paid: Vec<DayPayment> = tx
        .fetch_all(
            query(
                "SELECT p.id AS payment_id, p.invoice_id, i.bill_number, p.amount, p.channel, p.paid_at, i.service_id, \
                 v.name AS service_name, i.agency_id, a.short_name AS agency_name, \
                 EXISTS (SELECT 1 FROM bank_statement_lines l WHERE l.payment_id = p.id) AS on_statement \
                 FROM payments p JOIN invoices i ON i.id = p.invoice_id \
                 JOIN services s ON s.id = i.service_id \
                 JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 JOIN agencies a ON a.id = i.agency_id \
                 WHERE p.government_id = $1 AND p.outcome = 'paid' AND p.paid_at >= $2 AND p.paid_at < $3 \
                 ORDER BY p.paid_at, p.id",
            )
            .bind(government_id)
            .bind(start)
            .bind(end),
        )
        .await?;
    drop(tx);

    let mut by_service: BTreeMap<Option<i64>, Total> = BTreeMap::new();
    let mut by_agency: BTreeMap<Option<i64>, Total> = BTreeMap::new();
    let blank =
        |id: Option<i64>, name: Option<String>| Total { id, name, received: Rupiah(0), on_statement: Rupiah(0) };
    for p in &paid {
        let s = by_service
            .entry(Some(p.service_id))
            .or_insert_with(|| blank(Some(p.service_id), Some(p.service_name.clone())));
        s.received.0 += p.amount;
        let a =
            by_agency.entry(Some(p.agency_id)).or_insert_with(|| blank(Some(p.agency_id), Some(p.agency_name.clone())));
        a.received.0 += p.amount;
    }
    for l in &lines {
        let s = by_service.entry(l.service_id).or_insert_with(|| blank(l.service_id, l.service_name.clone()));
        s.on_statement.0 += l.amount;
        let a = by_agency.entry(l.agency_id).or_insert_with(|| blank(l.agency_id, l.agency_name.clone()));
        a.on_statement.0 += l.amount;
    }
    let total = Total {
        id: None,
        name: None,
        received: Rupiah(paid.iter().map(|p| p.amount).sum()),
        on_statement: Rupiah(lines.iter().map(|l| l.amount).sum()),
    };
    let sorted = |map: BTreeMap<Option<i64>, Total>| {
        let mut totals: Vec<Total> = map.into_values().collect();
        // Named rows by name, the row of lines without an invoice last.
        totals.sort_by(|a, b| (a.id.is_none(), &a.name).cmp(&(b.id.is_none(), &b.name)));
        totals
    };
    Ok(Day {
        day,
        time_zone: zone.code().to_owned(),
        lines,
        not_on_statement: paid.into_iter().filter(|p| !p.on_statement).collect(),
        by_service: sorted(by_service),
        by_agency: sorted(by_agency),
        total,
    })
}

/// A statement as listed on the treasurer's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StatementSummary {
    pub id: i64,
    pub format: String,
    pub line_count: i64,
    pub imported_by: i64,
    pub imported_at: DateTime<Utc>,
}

/// The government's newest statements, for a treasurer of it.
pub async fn recent_statements(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    limit: i64,
) -> Result<Vec<StatementSummary>, StoreError> {
    let mut tx = db.begin_read().await?;
    authorize_officer(&mut tx, officer_id, Action::ReconcilePayments, &Target::government(government_id)).await?;
    tx.fetch_all(
        query(
            "SELECT id, format, line_count, imported_by, imported_at FROM bank_statements \
             WHERE government_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(government_id)
        .bind(limit),
    )
    .await
}

// ---- the demo -----------------------------------------------------------------------------------

/// A small statement for the demo, as the bank would send it for the latest local day on which the
/// government has paid payments: the first few of them as paid (matched), one more short by Rp1.000
/// (mismatched), the day's held payments (mismatched), and a cash deposit with no bill (unmatched).
/// `None` when the government has no paid payment or already has a statement.
pub async fn demo_statement(db: &Db, government_id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    let (statements,): (i64,) = db
        .fetch_one(query("SELECT COUNT(*) FROM bank_statements WHERE government_id = $1").bind(government_id))
        .await?;
    if statements > 0 {
        return Ok(None);
    }
    let (zone,): (String,) =
        db.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(government_id)).await?;
    let zone = IndonesianTimeZone::parse(&zone).unwrap_or(IndonesianTimeZone::Wib);
    let recent: Vec<(String, i64, String, DateTime<Utc>)> = db
        .fetch_all(
            query(
                "SELECT i.bill_number, p.amount, p.outcome, p.paid_at FROM payments p                  JOIN invoices i ON i.id = p.invoice_id                  WHERE p.government_id = $1 AND p.outcome <> 'failed' ORDER BY p.paid_at DESC, p.id DESC LIMIT 500",
            )
            .bind(government_id),
        )
        .await?;
    let Some(day) = recent.iter().find(|(_, _, outcome, _)| outcome == "paid").map(|(.., at)| zone.local_date(*at))
    else {
        return Ok(None);
    };
    let of_day: Vec<&(String, i64, String, DateTime<Utc>)> =
        recent.iter().filter(|(.., at)| zone.local_date(*at) == day).collect();
    let mut text = String::from("value_date,amount,bill_number,bank_reference,description\n");
    let mut n = 0;
    let mut line = |amount: i64, bill: &str, description: &str| {
        n += 1;
        text.push_str(&format!("{day},{amount},{bill},BPD-{}-{n:04},{description}\n", day.format("%Y%m%d")));
    };
    let paid: Vec<_> = of_day.iter().filter(|(_, _, outcome, _)| outcome == "paid").collect();
    for (i, (bill, amount, ..)) in paid.iter().take(4).enumerate() {
        if i == 3 {
            line(amount - 1_000, bill, "TRF VA KURANG BAYAR");
        } else {
            // The second line names its bill only in the description, as many banks print it.
            let (column, description) =
                if i == 1 { ("", format!("QRIS {bill} PEMBAYARAN RETRIBUSI")) } else { (bill.as_str(), "QRIS".into()) };
            line(*amount, column, &description);
        }
    }
    for (bill, amount, ..) in of_day.iter().filter(|(_, _, outcome, _)| outcome.starts_with("held_")).take(2) {
        line(*amount, bill, "TRF VA");
    }
    line(25_000, "", "SETORAN TUNAI LOKET");
    Ok(Some(text.into_bytes()))
}

// ---- audit --------------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("bank_statements", statement_state)];

#[derive(Serialize, sqlx::FromRow)]
struct StatementRow {
    id: i64,
    government_id: i64,
    format: String,
    sha256: String,
    line_count: i64,
    imported_by: i64,
    imported_at: DateTime<Utc>,
}

#[derive(Serialize, sqlx::FromRow)]
struct LineRow {
    line_number: i64,
    value_date: NaiveDate,
    amount: i64,
    bill_number: Option<String>,
    bank_reference: String,
    description: String,
    match_status: String,
    match_reason: Option<String>,
    invoice_id: Option<i64>,
    payment_id: Option<i64>,
}

#[derive(Serialize)]
struct StatementState {
    #[serde(flatten)]
    statement: StatementRow,
    lines: Vec<LineRow>,
}

/// A statement's state is its row and its lines (which are never changed once imported).
fn statement_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move {
        let id = audit::numeric_id("bank_statements", id)?;
        let Some(statement) = tx
            .fetch_optional::<StatementRow>(
                query(
                    "SELECT id, government_id, format, sha256, line_count, imported_by, imported_at \
                     FROM bank_statements WHERE id = $1",
                )
                .bind(id),
            )
            .await?
        else {
            return Ok(None);
        };
        let lines: Vec<LineRow> = tx
            .fetch_all(
                query(
                    "SELECT line_number, value_date, amount, bill_number, bank_reference, description, match_status, \
                     match_reason, invoice_id, payment_id FROM bank_statement_lines WHERE statement_id = $1 \
                     ORDER BY line_number",
                )
                .bind(id),
            )
            .await?;
        Ok(Some(audit::to_json(&StatementState { statement, lines })))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bill() -> BillNumber {
        BillNumber::compose("53.71", 12)
    }

    #[test]
    fn a_good_file_is_read_with_its_line_numbers_and_a_bill_number_found_in_the_description() {
        let b = bill();
        let text = format!(
            "\u{feff}value_date,amount,bill_number,bank_reference,description\n\
             2026-12-07,50000,{b},REF1,QRIS BUDI 081234567890\n\
             \n\
             2026-12-07,75000.00,,REF2,\"TRF {b}, HP 0812-3456-7890\"\n"
        );
        let lines = read_csv(text.as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].bill_number.as_ref(), Some(&b));
        assert_eq!(lines[0].amount, Rupiah(50_000));
        assert!(!lines[0].description.contains("081234567890"), "{}", lines[0].description);
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].amount, Rupiah(75_000));
        assert_eq!(lines[1].bill_number.as_ref(), Some(&b), "found in the description");
        assert!(lines[1].description.contains(b.as_str()), "{}", lines[1].description);
        assert!(!lines[1].description.contains("3456"), "{}", lines[1].description);
    }

    #[test]
    fn every_bad_line_is_named_with_its_column() {
        let text = "value_date,amount,bill_number,bank_reference,description\n\
                    07/12/2026,50000,,REF1,x\n\
                    2026-12-07,-5,,REF2,x\n\
                    2026-12-07,5,12345678901234,,x\n\
                    2026-12-07,5\n";
        let e = read_csv(text.as_bytes()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[2].value_date",
                "lines[3].amount",
                "lines[4].bill_number",
                "lines[4].bank_reference",
                "lines[5].line"
            ]
        );
    }

    #[test]
    fn the_file_itself_is_checked() {
        for bad in [&b""[..], b"a,b\n1,2\n", b"\xff\xfe", b"value_date,amount,bill_number,bank_reference,description\n"]
        {
            let e = read_csv(bad).unwrap_err();
            assert_eq!(e.0[0].field, "file");
        }
        let big = vec![b'a'; MAX_STATEMENT_BYTES + 1];
        assert_eq!(read_csv(&big).unwrap_err().0[0].field, "file");
    }

    #[test]
    fn amounts_are_whole_rupiah() {
        assert_eq!(read_amount("1250000"), Ok(Rupiah(1_250_000)));
        assert_eq!(read_amount("1250000.00"), Ok(Rupiah(1_250_000)));
        assert!(read_amount("1250000.50").is_err());
        assert!(read_amount("1.250.000").is_err());
        assert!(read_amount("0").is_err());
        assert!(read_amount("99999999999999999999").is_err());
    }

    #[test]
    fn descriptions_keep_the_bill_number_and_lose_other_long_numbers() {
        let b = bill();
        let kept = keep_description(&format!("{b} a/n 5371014107900001 telp 0812 3456 7890"), Some(&b));
        assert!(kept.starts_with(b.as_str()), "{kept}");
        assert!(!kept.contains("5371014107900001") && !kept.contains("7890"), "{kept}");
        let long = "x".repeat(200);
        assert_eq!(keep_description(&long, None).chars().count(), DESCRIPTION_CHARS);
    }

    #[test]
    fn the_matching_rule() {
        let invoice = |status: &str| InvoiceFacts { id: 1, bill_number: bill().to_string(), status: status.into() };
        let pay = |id, amount, outcome: &str| PaymentFacts { id, invoice_id: 1, amount, outcome: outcome.into() };
        let mut taken = HashSet::new();
        assert_eq!(judge(Rupiah(5), None, &[], &mut taken).status, MatchStatus::Unmatched);
        let paid = [pay(7, 50_000, "paid")];
        let v = judge(Rupiah(50_000), Some(&invoice("success")), &paid, &mut taken);
        assert_eq!((v.status, v.payment_id), (MatchStatus::Matched, Some(7)));
        let v = judge(Rupiah(50_000), Some(&invoice("success")), &paid, &mut taken);
        assert_eq!((v.status, v.reason), (MatchStatus::Mismatched, Some(MismatchReason::Twice)));
        let v = judge(Rupiah(40_000), Some(&invoice("success")), &paid, &mut HashSet::new());
        assert_eq!(v.reason, Some(MismatchReason::Amount));
        let v = judge(Rupiah(50_000), Some(&invoice("expired")), &[], &mut HashSet::new());
        assert_eq!(v.reason, Some(MismatchReason::NotPaid));
        let v = judge(
            Rupiah(50_000),
            Some(&invoice("expired")),
            &[pay(8, 50_000, "held_not_payable")],
            &mut HashSet::new(),
        );
        assert_eq!((v.reason, v.payment_id), (Some(MismatchReason::Held), Some(8)));
        let v = judge(Rupiah(50_000), Some(&invoice("refunded")), &paid, &mut HashSet::new());
        assert_eq!(v.reason, Some(MismatchReason::Refunded));
    }
}
