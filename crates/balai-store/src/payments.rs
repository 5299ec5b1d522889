//! Non-cash payment of retribusi: invoices for the fee of a case, the one way a reported payment is
//! settled against its invoice ([`settle`]), and the expiry of invoices nobody paid.
//!
//! An invoice is issued in the case's transaction: at submission for the services a government
//! asks to be paid first, otherwise when the case reaches its payment step. A payment that pays an
//! invoice moves the case on in the same transaction. A payment that does not (a wrong amount, an
//! invoice already paid or expired) is held for the treasurer when the money has already moved (a
//! gateway's notification) or refused when it has not (a bank asking first, as SNAP does).

pub mod receipts;
pub mod reconcile;
pub mod refunds;
pub mod snap;

use crate::applications::{self, Instruction};
use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::cases::{self, Case, EventActor};
use crate::identity::vault::Vault;
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::Rupiah;
use balai_domain::applications::{ApplicationEvent, ApplicationStatus};
use balai_domain::payments::{self as rules, BillNumber, Channel, InvoiceEvent, InvoiceStatus, Match, qris::Merchant};
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A government's facts for non-cash payment: its QRIS merchant and how long invoices stay payable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PaymentSettings {
    pub government_id: i64,
    pub nmid: String,
    pub merchant_name: String,
    pub merchant_city: String,
    pub postal_code: String,
    pub mcc: String,
    pub merchant_criteria: String,
    pub qris_expiry_minutes: i64,
    pub va_expiry_minutes: i64,
}

impl PaymentSettings {
    /// The merchant as the QR names it.
    pub fn merchant(&self) -> Merchant {
        Merchant {
            nmid: self.nmid.clone(),
            criteria: self.merchant_criteria.clone(),
            mcc: self.mcc.clone(),
            name: self.merchant_name.clone(),
            city: self.merchant_city.clone(),
            postal_code: self.postal_code.clone(),
        }
    }

    /// An invoice stays payable for the longer of its channels' times: one bill number serves both.
    pub fn invoice_lifetime(&self) -> Duration {
        Duration::minutes(self.qris_expiry_minutes.max(self.va_expiry_minutes))
    }

    /// Until when an invoice's QR is shown (its own, shorter time); the virtual account stays
    /// until the invoice expires.
    pub fn qris_until(&self, invoice: &Invoice) -> DateTime<Utc> {
        (invoice.created_at + Duration::minutes(self.qris_expiry_minutes)).min(invoice.expires_at)
    }
}

const SETTINGS_COLUMNS: &str = "government_id, nmid, merchant_name, merchant_city, postal_code, mcc, merchant_criteria, \
     qris_expiry_minutes, va_expiry_minutes";

pub async fn settings(db: &Db, government_id: i64) -> Result<Option<PaymentSettings>, StoreError> {
    db.fetch_optional(
        dynamic_query(format!("SELECT {SETTINGS_COLUMNS} FROM payment_settings WHERE government_id = $1"))
            .bind(government_id),
    )
    .await
}

async fn settings_in(tx: &mut Tx, government_id: i64) -> Result<Option<PaymentSettings>, StoreError> {
    tx.fetch_optional(
        dynamic_query(format!("SELECT {SETTINGS_COLUMNS} FROM payment_settings WHERE government_id = $1"))
            .bind(government_id),
    )
    .await
}

/// Sets a government's payment facts (the seed, an operator), checked as the QR will need them.
pub async fn put_settings_in(
    tx: &mut Tx,
    actor: &Actor,
    settings: &PaymentSettings,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // The codec is the judge of what a QR can carry; the refusal names the setting at fault.
    if let Err(e) = settings.merchant().validate() {
        use balai_domain::payments::qris::{EncodeError as E, Field};
        let field = match &e {
            E::Empty { field }
            | E::TooLong { field, .. }
            | E::NotPrintableAscii { field, .. }
            | E::NotAlphanumeric { field, .. }
            | E::NotDigits { field }
            | E::WrongLength { field, .. } => *field,
            E::UnknownCriteria => Field::Criteria,
            _ => Field::Nmid,
        };
        let (name, expected) = match field {
            Field::Nmid => ("nmid", "letters and digits, at most 15"),
            Field::Criteria => ("merchant_criteria", "one of UMI, UKE, UME, UBE, URE"),
            Field::Mcc => ("mcc", "4 digits"),
            Field::MerchantName => ("merchant_name", "printable ASCII, at most 25 characters"),
            Field::MerchantCity => ("merchant_city", "printable ASCII, at most 15 characters"),
            _ => ("postal_code", "5 digits"),
        };
        let mut errors = FieldErrors::default();
        errors.push(name, Rule::Format { expected });
        return Err(StoreError::Invalid(errors));
    }
    tx.execute(
        query(
            "INSERT INTO payment_settings (government_id, nmid, merchant_name, merchant_city, postal_code, mcc, \
             merchant_criteria, qris_expiry_minutes, va_expiry_minutes, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (government_id) DO UPDATE SET nmid = excluded.nmid, merchant_name = excluded.merchant_name, \
             merchant_city = excluded.merchant_city, postal_code = excluded.postal_code, mcc = excluded.mcc, \
             merchant_criteria = excluded.merchant_criteria, qris_expiry_minutes = excluded.qris_expiry_minutes, \
             va_expiry_minutes = excluded.va_expiry_minutes, updated_at = excluded.updated_at",
        )
        .bind(settings.government_id)
        .bind(&settings.nmid)
        .bind(&settings.merchant_name)
        .bind(&settings.merchant_city)
        .bind(&settings.postal_code)
        .bind(&settings.mcc)
        .bind(&settings.merchant_criteria)
        .bind(settings.qris_expiry_minutes)
        .bind(settings.va_expiry_minutes)
        .bind(now),
    )
    .await?;
    audit::record_change(
        tx,
        actor,
        "payments.settings",
        &Subject::new("payment_settings", settings.government_id),
        Some(settings.government_id),
    )
    .await?;
    Ok(())
}

/// Marks a service as invoiced at submission: the fee is paid before the work starts. Refused for a
/// service whose standard in force has no fee: there would be nothing to invoice.
pub async fn set_upfront_in(tx: &mut Tx, actor: &Actor, government_id: i64, service_id: i64) -> Result<(), StoreError> {
    let fee: Option<(i64,)> = tx
        .fetch_optional(
            query(
                "SELECT v.fee FROM services s JOIN service_versions v ON v.service_id = s.id \
                 AND v.version = s.current_version WHERE s.id = $1 AND s.government_id = $2",
            )
            .bind(service_id)
            .bind(government_id),
        )
        .await?;
    match fee {
        None => return Err(StoreError::NotFound),
        Some((fee,)) if rules::invoice_amount(Rupiah(fee)).is_err() => {
            let mut e = FieldErrors::default();
            e.push("fee", Rule::OutOfRange { min: 1, max: rules::MAX_AMOUNT });
            return Err(StoreError::Invalid(e));
        }
        Some(_) => {}
    }
    let added = tx
        .execute(
            query(
                "INSERT INTO payment_upfront_services (service_id, government_id) VALUES ($1, $2) \
             ON CONFLICT (service_id) DO NOTHING",
            )
            .bind(service_id)
            .bind(government_id),
        )
        .await?;
    if added == 1 {
        audit::record_change(
            tx,
            actor,
            "payments.upfront",
            &Subject::new("payment_upfront_services", service_id),
            Some(government_id),
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn is_upfront_in(tx: &mut Tx, service_id: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = tx
        .fetch_optional(query("SELECT service_id FROM payment_upfront_services WHERE service_id = $1").bind(service_id))
        .await?;
    Ok(row.is_some())
}

// ---- invoices -----------------------------------------------------------------------------------

/// An invoice as its pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Invoice {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub government_id: i64,
    pub agency_id: i64,
    pub service_id: i64,
    pub case_id: i64,
    pub bill_number: String,
    pub amount: i64,
    pub status: String,
    pub channel: Option<String>,
    pub paid_amount: i64,
    pub refunded_amount: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub receipt_id: Option<String>,
    pub version: i64,
}

impl Invoice {
    pub fn status(&self) -> Result<InvoiceStatus, StoreError> {
        InvoiceStatus::parse(&self.status).ok_or_else(|| StoreError::Corrupt(format!("invoice status {}", self.status)))
    }

    /// Payable and not past its time.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status().is_ok_and(InvoiceStatus::is_payable) && self.expires_at > now
    }
}

const INVOICE_COLUMNS: &str = "id, public_id, government_id, agency_id, service_id, case_id, bill_number, amount, status, \
     channel, paid_amount, refunded_amount, created_at, expires_at, paid_at, receipt_id, version";

fn new_public_id() -> String {
    // 20 symbols of base32 (100 bits): not guessable, and short enough to read out at a counter.
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes: [u8; 20] = rand::random();
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

async fn invoice_where_in(tx: &mut Tx, clause: &str, value: &str) -> Result<Option<Invoice>, StoreError> {
    tx.fetch_optional(dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE {clause}")).bind(value)).await
}

pub async fn invoice_by_public_id(db: &Db, public_id: &str) -> Result<Option<Invoice>, StoreError> {
    if !well_formed_public_id(public_id) {
        return Ok(None);
    }
    db.fetch_optional(
        dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE public_id = $1")).bind(public_id),
    )
    .await
}

/// An invoice by its bill number, as a bank asks for it. A number whose check digit fails is
/// answered without a query.
pub async fn invoice_by_bill_number(db: &Db, bill_number: &str) -> Result<Option<Invoice>, StoreError> {
    let Ok(bill) = BillNumber::parse(bill_number) else { return Ok(None) };
    db.fetch_optional(
        dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE bill_number = $1")).bind(bill.as_str()),
    )
    .await
}

fn well_formed_public_id(id: &str) -> bool {
    id.len() == 20 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The newest invoice of a case, whatever its state.
pub async fn latest_invoice_of_case(db: &Db, case_id: i64) -> Result<Option<Invoice>, StoreError> {
    db.fetch_optional(
        dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE case_id = $1 ORDER BY id DESC LIMIT 1"))
            .bind(case_id),
    )
    .await
}

pub(crate) async fn latest_invoice_of_case_in(tx: &mut Tx, case_id: i64) -> Result<Option<Invoice>, StoreError> {
    tx.fetch_optional(
        dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE case_id = $1 ORDER BY id DESC LIMIT 1"))
            .bind(case_id),
    )
    .await
}

/// A citizen's own invoice; another's does not exist to them.
pub async fn invoice_for_citizen(db: &Db, citizen_id: i64, public_id: &str) -> Result<Invoice, StoreError> {
    let invoice = invoice_by_public_id(db, public_id).await?.ok_or(StoreError::NotFound)?;
    let owner: Option<(Option<i64>,)> =
        db.fetch_optional(query("SELECT citizen_id FROM cases WHERE id = $1").bind(invoice.case_id)).await?;
    match owner {
        Some((Some(owner),)) if owner == citizen_id => Ok(invoice),
        _ => Err(StoreError::NotFound),
    }
}

/// Issues the invoice for a case's fee, in the case's transaction, when its government takes
/// non-cash payment. A case with an invoice still payable keeps it.
pub(crate) async fn issue_for_case_in(
    tx: &mut Tx,
    case: &Case,
    fee: Rupiah,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<Invoice>, StoreError> {
    let Some(settings) = settings_in(tx, case.government_id).await? else { return Ok(None) };
    let amount = rules::invoice_amount(fee).map_err(|_| {
        let mut e = FieldErrors::default();
        e.push("fee", Rule::OutOfRange { min: 1, max: rules::MAX_AMOUNT });
        StoreError::Invalid(e)
    })?;
    if let Some(existing) = latest_invoice_of_case_in(tx, case.id).await?
        && existing.is_open(now)
    {
        return Ok(Some(existing));
    }
    let service_id =
        case.service_id.ok_or_else(|| StoreError::Corrupt("an invoice for a case without a service".into()))?;
    let public_id = new_public_id();
    let (id,): (i64,) = tx
        .fetch_one(
            query(
                "INSERT INTO invoices (public_id, government_id, agency_id, service_id, case_id, bill_number, amount, \
                 status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(public_id.as_str())
            .bind(case.government_id)
            .bind(case.agency_id)
            .bind(service_id)
            .bind(case.id)
            // A stand-in, unique at once, replaced below by the number made from the row's id.
            .bind(format!("pending-{public_id}"))
            .bind(amount.0)
            .bind(InvoiceStatus::Created.code())
            .bind(now)
            .bind(now + settings.invoice_lifetime()),
        )
        .await?;
    let (region,): (String,) =
        tx.fetch_one(query("SELECT region_code FROM governments WHERE id = $1").bind(case.government_id)).await?;
    let serial = u64::try_from(id).map_err(|_| StoreError::Corrupt("invoice id".into()))?;
    let bill = BillNumber::compose(&region, serial);
    tx.execute(query("UPDATE invoices SET bill_number = $1 WHERE id = $2").bind(bill.as_str()).bind(id)).await?;
    note_invoice_event_in(tx, case.government_id, id, "issue", None, InvoiceStatus::Created, actor, "", now).await?;
    audit::record_change(tx, actor, "payments.invoice.issue", &Subject::new("invoices", id), Some(case.government_id))
        .await?;
    invoice_by_id_in(tx, id).await.map(Some)
}

pub(crate) async fn invoice_by_id_in(tx: &mut Tx, id: i64) -> Result<Invoice, StoreError> {
    tx.fetch_optional(dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1")).bind(id))
        .await?
        .ok_or(StoreError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn note_invoice_event_in(
    tx: &mut Tx,
    government_id: i64,
    invoice_id: i64,
    event: &str,
    from: Option<InvoiceStatus>,
    to: InvoiceStatus,
    actor: &Actor,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        query(
            "INSERT INTO invoice_events (government_id, invoice_id, event, from_status, to_status, actor, detail, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(government_id)
        .bind(invoice_id)
        .bind(event)
        .bind(from.map(InvoiceStatus::code))
        .bind(to.code())
        .bind(actor.label())
        .bind(detail)
        .bind(at),
    )
    .await?;
    Ok(())
}

/// Moves an invoice by one event of its state table: a guarded update on its version (two
/// notifications at once cannot both win), the event row and the audit leaf.
pub(crate) async fn move_invoice_in(
    tx: &mut Tx,
    invoice: &Invoice,
    event: InvoiceEvent,
    actor: &Actor,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<InvoiceStatus, StoreError> {
    let from = invoice.status()?;
    let to = rules::next_status(from, event).map_err(|_| StoreError::StaleVersion { current: invoice.version })?;
    let changed = tx
        .execute(
            query("UPDATE invoices SET status = $1, version = version + 1 WHERE id = $2 AND version = $3")
                .bind(to.code())
                .bind(invoice.id)
                .bind(invoice.version),
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::StaleVersion { current: invoice.version + 1 });
    }
    note_invoice_event_in(tx, invoice.government_id, invoice.id, event.code(), Some(from), to, actor, detail, now)
        .await?;
    audit::record_change(
        tx,
        actor,
        &format!("payments.invoice.{}", event.code()),
        &Subject::new("invoices", invoice.id),
        Some(invoice.government_id),
    )
    .await?;
    Ok(to)
}

/// The citizen opens the payment page: a new invoice becomes *started*. Opening it again changes nothing.
pub async fn open_as_citizen(
    db: &Db,
    citizen_id: i64,
    public_id: &str,
    now: DateTime<Utc>,
) -> Result<Invoice, StoreError> {
    let invoice = invoice_for_citizen(db, citizen_id, public_id).await?;
    if invoice.status()? != InvoiceStatus::Created || invoice.expires_at <= now {
        return Ok(invoice);
    }
    let mut tx = db.begin().await?;
    let actor = crate::identity::citizens::audit_actor(&mut tx, citizen_id).await?;
    let current = invoice_where_in(&mut tx, "public_id = $1", public_id).await?.ok_or(StoreError::NotFound)?;
    if current.status()? == InvoiceStatus::Created {
        move_invoice_in(&mut tx, &current, InvoiceEvent::Start, &actor, "", now).await?;
    }
    let opened = invoice_where_in(&mut tx, "public_id = $1", public_id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(opened)
}

/// A citizen asks for a new invoice when theirs expired or failed while the case still waits for
/// payment. Refused (nothing written) when the case does not wait for payment or an invoice is open.
pub async fn renew_as_citizen(
    db: &Db,
    citizen_id: i64,
    case_id: i64,
    now: DateTime<Utc>,
) -> Result<Invoice, StoreError> {
    let mut tx = db.begin().await?;
    let case = cases::case_in(&mut tx, case_id).await?.ok_or(StoreError::NotFound)?;
    if case.citizen_id != Some(citizen_id) {
        return Err(StoreError::NotFound);
    }
    let (fee, paid_at): (i64, Option<DateTime<Utc>>) =
        tx.fetch_one(query("SELECT fee, paid_at FROM applications WHERE case_id = $1").bind(case.id)).await?;
    let waits = case.status == ApplicationStatus::AwaitingPayment.code()
        || (paid_at.is_none()
            && case.closed_at.is_none()
            && is_upfront_in(&mut tx, case.service_id.unwrap_or(0)).await?);
    if paid_at.is_some() || !waits {
        return Err(StoreError::Workflow(balai_domain::applications::WorkflowError::NotAllowed {
            status: ApplicationStatus::parse(&case.status).unwrap_or(ApplicationStatus::InProgress),
            event: ApplicationEvent::RecordPayment,
        }));
    }
    let actor = crate::identity::citizens::audit_actor(&mut tx, citizen_id).await?;
    let invoice = renew_in(&mut tx, &case, Rupiah(fee), &actor, now).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(invoice)
}

/// The case's open invoice, or a new one when the last expired or failed (an expired one past its
/// time is marked so first, so only one is ever open).
pub(crate) async fn renew_in(
    tx: &mut Tx,
    case: &Case,
    fee: Rupiah,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<Invoice>, StoreError> {
    if let Some(last) = latest_invoice_of_case_in(tx, case.id).await?
        && last.status()?.is_payable()
        && last.expires_at <= now
    {
        move_invoice_in(tx, &last, InvoiceEvent::Expire, &Actor::system("payments.expiry"), "", now).await?;
    }
    issue_for_case_in(tx, case, fee, actor, now).await
}

/// Cancels the open invoice of a case that ends without its output (rejected), in the case's transaction.
pub(crate) async fn cancel_open_for_case_in(
    tx: &mut Tx,
    case_id: i64,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(last) = latest_invoice_of_case_in(tx, case_id).await?
        && last.status()?.is_payable()
    {
        move_invoice_in(tx, &last, InvoiceEvent::Cancel, actor, "", now).await?;
    }
    Ok(())
}

/// Expires payable invoices past their time, oldest first, at most `limit` a round.
pub async fn expire_due(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let due: Vec<(String,)> = db
        .fetch_all(
            query(
                "SELECT public_id FROM invoices WHERE status IN ('created', 'started', 'submitted') \
                 AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
            )
            .bind(now)
            .bind(limit),
        )
        .await?;
    let mut expired = 0;
    for (public_id,) in due {
        let mut tx = db.begin().await?;
        let Some(invoice) = invoice_where_in(&mut tx, "public_id = $1", &public_id).await? else { continue };
        if invoice.status()?.is_payable() && invoice.expires_at <= now {
            move_invoice_in(&mut tx, &invoice, InvoiceEvent::Expire, &Actor::system("payments.expiry"), "", now)
                .await?;
            tx.commit().await?;
            expired += 1;
        }
    }
    Ok(expired)
}

// ---- settling a payment -------------------------------------------------------------------------

/// A payment as a gateway or a bank reports it.
#[derive(Debug, Clone)]
pub struct IncomingPayment<'a> {
    /// Who reports it: `generic` (the signed callback), `snap` (a bank's virtual account), `counter`.
    pub source: &'a str,
    /// The reporter's id for the transaction: the same id again is the same payment.
    pub transaction_id: &'a str,
    pub bill_number: &'a str,
    pub amount: Rupiah,
    pub channel: Channel,
    pub paid_at: DateTime<Utc>,
    /// The gateway reports the payment failed (no money moved).
    pub failed: bool,
}

/// What to do with a payment that does not pay its invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// The money has moved (a gateway's notification): keep it for the treasurer, never mark paid.
    Hold,
    /// The money has not moved yet (a bank asks first): refuse, and keep nothing.
    Refuse,
}

/// What became of a reported payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The invoice is paid, and its case moved on.
    Paid { invoice: Invoice },
    /// The same transaction was reported before; nothing changed.
    Duplicate,
    /// No invoice has this bill number; nothing kept.
    UnknownBill,
    /// Held for the treasurer (or refused, under [`Mismatch::Refuse`]): the amount is not the bill's.
    WrongAmount { invoice: Invoice, held: bool },
    /// Held (or refused): the invoice was already paid.
    AlreadyPaid { invoice: Invoice, held: bool },
    /// Held (or refused): the invoice had expired, or was cancelled or failed.
    NotPayable { invoice: Invoice, held: bool },
    /// The gateway reported a failed payment: the invoice failed, a new one can be asked for.
    Failed { invoice: Invoice },
}

/// Settles one reported payment in one transaction: the payment row (once per source and
/// transaction id), the invoice's move, and for a payment that pays, the application's payment and
/// the case's move on. Refused payments write nothing.
pub async fn settle(
    db: &Db,
    vault: &Vault,
    payment: &IncomingPayment<'_>,
    mismatch: Mismatch,
    now: DateTime<Utc>,
) -> Result<Settlement, StoreError> {
    let mut tx = db.begin().await?;
    let outcome = settle_in(&mut tx, vault, payment, mismatch, now).await?;
    // What writes nothing ends with the transaction dropped (rolled back).
    let wrote = !matches!(
        outcome,
        Settlement::Duplicate
            | Settlement::UnknownBill
            | Settlement::WrongAmount { held: false, .. }
            | Settlement::AlreadyPaid { held: false, .. }
            | Settlement::NotPayable { held: false, .. }
    );
    if wrote {
        tx.commit().await?;
    }
    Ok(outcome)
}

pub(crate) async fn settle_in(
    tx: &mut Tx,
    vault: &Vault,
    payment: &IncomingPayment<'_>,
    mismatch: Mismatch,
    now: DateTime<Utc>,
) -> Result<Settlement, StoreError> {
    let seen: Option<(String,)> = tx
        .fetch_optional(
            query("SELECT outcome FROM payments WHERE source = $1 AND transaction_id = $2")
                .bind(payment.source)
                .bind(payment.transaction_id),
        )
        .await?;
    if seen.is_some() {
        return Ok(Settlement::Duplicate);
    }
    let Ok(bill) = BillNumber::parse(payment.bill_number) else { return Ok(Settlement::UnknownBill) };
    let Some(invoice) = invoice_where_in(tx, "bill_number = $1", bill.as_str()).await? else {
        return Ok(Settlement::UnknownBill);
    };
    let actor = Actor::system(&format!("payments.{}", payment.source));
    let status = invoice.status()?;
    if payment.failed {
        if !status.is_payable() {
            // A failure reported after the invoice moved on (paid, expired) changes nothing.
            return Ok(if keep(tx, payment, &invoice, "failed", now).await? {
                Settlement::Failed { invoice }
            } else {
                Settlement::Duplicate
            });
        }
        if !keep(tx, payment, &invoice, "failed", now).await? {
            return Ok(Settlement::Duplicate);
        }
        move_invoice_in(tx, &invoice, InvoiceEvent::Fail, &actor, payment.transaction_id, now).await?;
        let invoice = invoice_where_in(tx, "public_id = $1", &invoice.public_id).await?.ok_or(StoreError::NotFound)?;
        return Ok(Settlement::Failed { invoice });
    }
    let held = mismatch == Mismatch::Hold;
    let expired_in_time = status.is_payable() && invoice.expires_at <= payment.paid_at.min(now);
    let verdict = if expired_in_time {
        Match::NotPayable
    } else {
        rules::match_payment(status, Rupiah(invoice.amount), payment.amount)
    };
    let (outcome, settlement) = match verdict {
        Match::Pays => ("paid", None),
        Match::WrongAmount => ("held_amount", Some(Settlement::WrongAmount { invoice: invoice.clone(), held })),
        Match::AlreadyPaid => ("held_paid_twice", Some(Settlement::AlreadyPaid { invoice: invoice.clone(), held })),
        Match::NotPayable => ("held_not_payable", Some(Settlement::NotPayable { invoice: invoice.clone(), held })),
    };
    if let Some(settlement) = settlement {
        if held && !keep(tx, payment, &invoice, outcome, now).await? {
            return Ok(Settlement::Duplicate);
        }
        return Ok(settlement);
    }
    if !keep(tx, payment, &invoice, outcome, now).await? {
        return Ok(Settlement::Duplicate);
    }
    // What the payment says is written first, so the invoice's leaf vouches for it.
    tx.execute(
        query("UPDATE invoices SET channel = $1, paid_amount = $2, paid_at = $3 WHERE id = $4")
            .bind(payment.channel.code())
            .bind(payment.amount.0)
            .bind(payment.paid_at)
            .bind(invoice.id),
    )
    .await?;
    move_invoice_in(tx, &invoice, InvoiceEvent::Succeed, &actor, payment.transaction_id, now).await?;
    let paid = invoice_where_in(tx, "public_id = $1", &invoice.public_id).await?.ok_or(StoreError::NotFound)?;
    credit_case_in(tx, vault, &paid, &bill, now).await?;
    Ok(Settlement::Paid { invoice: paid })
}

/// Keeps the payment row once; `false` when this source's transaction is already kept (a second
/// notification raced this one).
async fn keep(
    tx: &mut Tx,
    payment: &IncomingPayment<'_>,
    invoice: &Invoice,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted: Option<(i64,)> = tx
        .fetch_optional(
            query(
                "INSERT INTO payments (government_id, invoice_id, source, transaction_id, channel, amount, outcome, \
                 paid_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (source, transaction_id) DO NOTHING RETURNING id",
            )
            .bind(invoice.government_id)
            .bind(invoice.id)
            .bind(payment.source)
            .bind(payment.transaction_id)
            .bind(payment.channel.code())
            .bind(payment.amount.0)
            .bind(outcome)
            .bind(payment.paid_at)
            .bind(now),
        )
        .await?;
    let Some((id,)) = inserted else { return Ok(false) };
    audit::record_change(
        tx,
        &Actor::system(&format!("payments.{}", payment.source)),
        &format!("payments.payment.{outcome}"),
        &Subject::new("payments", id),
        Some(invoice.government_id),
    )
    .await?;
    Ok(true)
}

/// The paid invoice credits its application: recorded as paid, and a case waiting for the payment
/// moves on, in the same transaction.
async fn credit_case_in(
    tx: &mut Tx,
    vault: &Vault,
    invoice: &Invoice,
    bill: &BillNumber,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let case = cases::case_in(tx, invoice.case_id).await?.ok_or(StoreError::NotFound)?;
    if case.status == ApplicationStatus::AwaitingPayment.code() {
        let instruction = Instruction { receipt_number: Some(bill.as_str()), ..Instruction::default() };
        applications::act_in(
            tx,
            vault,
            &case,
            EventActor::System("payment"),
            ApplicationEvent::RecordPayment,
            &instruction,
            now,
        )
        .await?;
    } else {
        applications::record_paid_in(tx, &case, bill.as_str(), &Actor::system("payment"), now).await?;
    }
    Ok(())
}

/// An officer recorded a payment at the counter: the case's open invoice is paid through the counter,
/// so a QR or virtual account shown earlier can no longer take the money twice.
pub(crate) async fn record_counter_payment_in(
    tx: &mut Tx,
    case: &Case,
    receipt_number: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(invoice) = latest_invoice_of_case_in(tx, case.id).await? else { return Ok(()) };
    if !invoice.status()?.is_payable() {
        return Ok(());
    }
    let transaction_id = format!("{}:{}", case.id, receipt_number);
    let payment = IncomingPayment {
        source: "counter",
        transaction_id: &transaction_id,
        bill_number: &invoice.bill_number,
        amount: Rupiah(invoice.amount),
        channel: Channel::Counter,
        paid_at: now,
        failed: false,
    };
    if !keep(tx, &payment, &invoice, "paid", now).await? {
        return Ok(());
    }
    tx.execute(
        query("UPDATE invoices SET channel = 'counter', paid_amount = amount, paid_at = $1 WHERE id = $2")
            .bind(now)
            .bind(invoice.id),
    )
    .await?;
    move_invoice_in(tx, &invoice, InvoiceEvent::Succeed, actor, receipt_number, now).await?;
    Ok(())
}

/// The events of an invoice, oldest first, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InvoiceEventLine {
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: DateTime<Utc>,
}

pub async fn invoice_events(db: &Db, invoice_id: i64) -> Result<Vec<InvoiceEventLine>, StoreError> {
    db.fetch_all(
        query("SELECT event, from_status, to_status, at FROM invoice_events WHERE invoice_id = $1 ORDER BY id")
            .bind(invoice_id),
    )
    .await
}

/// Records the receipt (bukti bayar) issued for a paid invoice, once.
pub async fn record_receipt(db: &Db, invoice_id: i64, receipt_id: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            query("UPDATE invoices SET receipt_id = $1 WHERE id = $2 AND receipt_id IS NULL AND status = 'success'")
                .bind(receipt_id)
                .bind(invoice_id),
        )
        .await?;
    if changed == 1 {
        let (government_id,): (i64,) =
            tx.fetch_one(query("SELECT government_id FROM invoices WHERE id = $1").bind(invoice_id)).await?;
        audit::record_change(
            &mut tx,
            &Actor::system("payments.receipt"),
            "payments.invoice.receipt",
            &Subject::new("invoices", invoice_id),
            Some(government_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- audit --------------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] = &[
    AuditedTable::new("invoices", invoice_state),
    AuditedTable::new("payments", payment_state),
    AuditedTable::new("payment_settings", settings_state).listed_by(settings_ids),
    AuditedTable::new("payment_upfront_services", upfront_state).listed_by(upfront_ids),
];

fn settings_ids<'a>(tx: &'a mut Tx) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64,)> = tx.fetch_all(query("SELECT government_id FROM payment_settings")).await?;
        Ok(rows.into_iter().map(|(id,)| id.to_string()).collect())
    })
}

fn upfront_ids<'a>(tx: &'a mut Tx) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64,)> = tx.fetch_all(query("SELECT service_id FROM payment_upfront_services")).await?;
        Ok(rows.into_iter().map(|(id,)| id.to_string()).collect())
    })
}

#[derive(Serialize, sqlx::FromRow)]
struct UpfrontState {
    service_id: i64,
    government_id: i64,
}

fn upfront_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<UpfrontState>(
        tx,
        "payment_upfront_services",
        query("SELECT service_id, government_id FROM payment_upfront_services WHERE service_id = $1"),
        id,
    )
}

fn invoice_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Invoice>(
        tx,
        "invoices",
        dynamic_query(format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1")),
        id,
    )
}

#[derive(Serialize, sqlx::FromRow)]
struct PaymentState {
    id: i64,
    government_id: i64,
    invoice_id: i64,
    source: String,
    transaction_id: String,
    channel: String,
    amount: i64,
    refunded_amount: i64,
    outcome: String,
    paid_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
}

fn payment_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<PaymentState>(
        tx,
        "payments",
        query(
            "SELECT id, government_id, invoice_id, source, transaction_id, channel, amount, refunded_amount, outcome, \
             paid_at, received_at FROM payments WHERE id = $1",
        ),
        id,
    )
}

fn settings_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<PaymentSettings>(
        tx,
        "payment_settings",
        dynamic_query(format!("SELECT {SETTINGS_COLUMNS} FROM payment_settings WHERE government_id = $1")),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_are_twenty_unambiguous_symbols_and_random() {
        let id = new_public_id();
        assert!(well_formed_public_id(&id), "{id}");
        assert_ne!(new_public_id(), id);
        assert!(!well_formed_public_id("ABCDEFGHIJKLMNOPQRST"));
        assert!(!well_formed_public_id("abc"));
    }
}
