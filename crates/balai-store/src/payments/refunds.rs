//! Refunds of retribusi, with four eyes: a treasurer asks ([`request_refund_as_officer`]) naming
//! the refundable amount they saw, and someone else decides ([`decide_refund_as_officer`]): another
//! treasurer of the government or the head of the agency whose fee it was, never the one who asked.
//!
//! What is refundable of a payment is what it brought (nothing, for a failed one) less what was
//! refunded and less what is asked and not yet decided, so two requests cannot together pass what was
//! paid. Each request locks its payment's row before it reads those sums (on PostgreSQL, a no-op
//! update; SQLite's single writer does the same), and the approval grows `refunded_amount` through a
//! guarded update that cannot pass the payment's amount, whatever raced it. An approval that refunds
//! the whole of what paid an invoice moves the invoice from success to refunded through its state
//! table (event row and leaf).

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::identity::access::authorize_officer;
use crate::payments::{invoice_by_id_in, move_invoice_in};
use crate::{Db, StoreError, Tx, query};
use balai_domain::identity::{Action, Target};
use balai_domain::money::Rupiah;
use balai_domain::payments::{self as rules, AmountError, InvoiceEvent, InvoiceStatus, MAX_AMOUNT};
use balai_domain::personal_number;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The longest reason or decision note kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    Requested,
    Approved,
    Rejected,
}

impl RefundStatus {
    pub fn code(self) -> &'static str {
        match self {
            RefundStatus::Requested => "requested",
            RefundStatus::Approved => "approved",
            RefundStatus::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<RefundStatus> {
        [RefundStatus::Requested, RefundStatus::Approved, RefundStatus::Rejected].into_iter().find(|s| s.code() == code)
    }
}

/// A refund row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Refund {
    pub id: i64,
    pub government_id: i64,
    pub agency_id: i64,
    pub payment_id: i64,
    pub invoice_id: i64,
    pub amount: i64,
    pub named_refundable: i64,
    pub reason: String,
    pub status: String,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl Refund {
    pub fn status(&self) -> RefundStatus {
        RefundStatus::parse(&self.status).unwrap_or(RefundStatus::Requested)
    }
}

const REFUND_COLUMNS: &str = "id, government_id, agency_id, payment_id, invoice_id, amount, named_refundable, reason, \
     status, requested_by, requested_at, decided_by, decided_at, decision_note";

/// A payment with what is still refundable of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RefundablePayment {
    pub payment_id: i64,
    pub government_id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub invoice_id: i64,
    pub bill_number: String,
    pub amount: i64,
    pub refunded_amount: i64,
    pub outcome: String,
    pub channel: String,
    pub paid_at: DateTime<Utc>,
    /// Asked and not yet decided.
    pub pending: i64,
}

impl RefundablePayment {
    /// What the payment brought: nothing when it failed.
    pub fn received(&self) -> Rupiah {
        Rupiah(if self.outcome == "failed" { 0 } else { self.amount })
    }

    /// What a new request may still ask: received, less refunded, less asked and undecided.
    pub fn refundable(&self) -> Rupiah {
        rules::refundable(self.received(), Rupiah(self.refunded_amount + self.pending))
    }
}

const PAYMENT_SELECT: &str = "SELECT p.id AS payment_id, p.government_id, i.agency_id, a.short_name AS agency_name, \
     p.invoice_id, i.bill_number, p.amount, p.refunded_amount, p.outcome, p.channel, p.paid_at, \
     (SELECT COUNT(*) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'requested') AS pending \
     FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN agencies a ON a.id = i.agency_id";

async fn refundable_payment_in(tx: &mut Tx, payment_id: i64) -> Result<Option<RefundablePayment>, StoreError> {
    let Some(mut payment) = tx
        .fetch_optional::<RefundablePayment>(
            crate::dynamic_query(format!("{PAYMENT_SELECT} WHERE p.id = $1")).bind(payment_id),
        )
        .await?
    else {
        return Ok(None);
    };
    // The sum is taken here, not in SQL: PostgreSQL sums BIGINT as NUMERIC.
    let pending: Vec<(i64,)> = tx
        .fetch_all(query("SELECT amount FROM refunds WHERE payment_id = $1 AND status = 'requested'").bind(payment_id))
        .await?;
    payment.pending = pending.iter().map(|(a,)| a).sum();
    Ok(Some(payment))
}

/// A payment and what is refundable of it, for a treasurer of its government (the request form).
pub async fn refundable_payment(db: &Db, officer_id: i64, payment_id: i64) -> Result<RefundablePayment, StoreError> {
    let mut tx = db.begin_read().await?;
    let payment = refundable_payment_in(&mut tx, payment_id).await?.ok_or(StoreError::NotFound)?;
    authorize_officer(
        &mut tx,
        officer_id,
        Action::RequestRefund,
        &Target::agency(payment.government_id, payment.agency_id),
    )
    .await?;
    Ok(payment)
}

/// Payments Balai holds for the treasurer (wrong amount, paid twice, paid too late) with money still
/// refundable, oldest first, at most `limit`.
pub async fn held_payments(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    limit: i64,
) -> Result<Vec<RefundablePayment>, StoreError> {
    let mut tx = db.begin_read().await?;
    authorize_officer(&mut tx, officer_id, Action::ReconcilePayments, &Target::government(government_id)).await?;
    let ids: Vec<(i64,)> = tx
        .fetch_all(
            query(
                "SELECT id FROM payments WHERE government_id = $1 AND outcome LIKE 'held\\_%' ESCAPE '\\' \
                 AND refunded_amount < amount ORDER BY paid_at, id LIMIT $2",
            )
            .bind(government_id)
            .bind(limit),
        )
        .await?;
    let mut held = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(payment) = refundable_payment_in(&mut tx, id).await? {
            held.push(payment);
        }
    }
    Ok(held)
}

/// A refund with the facts its list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RefundView {
    pub id: i64,
    pub payment_id: i64,
    pub bill_number: String,
    pub agency_name: String,
    pub amount: i64,
    pub reason: String,
    pub status: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
}

/// Refunds of the government waiting for a decision, oldest first.
pub async fn open_refunds(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    limit: i64,
) -> Result<Vec<RefundView>, StoreError> {
    let mut tx = db.begin_read().await?;
    authorize_officer(&mut tx, officer_id, Action::ReconcilePayments, &Target::government(government_id)).await?;
    tx.fetch_all(
        query(
            "SELECT r.id, r.payment_id, i.bill_number, a.short_name AS agency_name, r.amount, r.reason, r.status, \
             r.requested_by, o.display_name AS requested_by_name, r.requested_at \
             FROM refunds r JOIN invoices i ON i.id = r.invoice_id JOIN agencies a ON a.id = r.agency_id \
             JOIN officers o ON o.id = r.requested_by \
             WHERE r.government_id = $1 AND r.status = 'requested' ORDER BY r.requested_at, r.id LIMIT $2",
        )
        .bind(government_id)
        .bind(limit),
    )
    .await
}

async fn refund_in(tx: &mut Tx, id: i64) -> Result<Option<Refund>, StoreError> {
    tx.fetch_optional(crate::dynamic_query(format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = $1")).bind(id))
        .await
}

fn amount_error(error: AmountError) -> FieldErrors {
    let mut e = FieldErrors::default();
    match error {
        AmountError::RefundNotPositive => e.push("amount", Rule::BelowMinimum { min: 1 }),
        AmountError::RefundAboveRefundable { refundable } => {
            e.push("amount", Rule::OutOfRange { min: 1, max: refundable.0 });
        }
        // The form sent what it showed; the field names the figure that changed, and the rule what
        // it is now.
        AmountError::RefundableChanged { refundable, .. } => {
            e.push("refundable", Rule::OutOfRange { min: refundable.0, max: refundable.0 });
        }
        AmountError::NoFee | AmountError::TooLarge => e.push("amount", Rule::OutOfRange { min: 1, max: MAX_AMOUNT }),
    }
    e
}

fn check_text(e: &mut FieldErrors, field: &str, text: &str, required: bool) -> String {
    let text = text.trim();
    if required && text.is_empty() {
        e.push(field, Rule::Required);
    } else if text.chars().count() > MAX_REASON_CHARS {
        e.push(field, Rule::TooLong { max: MAX_REASON_CHARS });
    } else if personal_number::carries_personal_number(text) {
        e.push(field, Rule::ContainsPersonalNumber);
    }
    text.to_owned()
}

/// A treasurer asks for (part of) a payment to be refunded. `named_refundable` is the refundable
/// amount the form showed: when it is no longer true, or the amount passes it, nothing is written
/// and the field is named.
pub async fn request_refund_as_officer(
    db: &Db,
    officer_id: i64,
    payment_id: i64,
    amount: Rupiah,
    named_refundable: Rupiah,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Refund, StoreError> {
    let mut tx = db.begin().await?;
    let found = refundable_payment_in(&mut tx, payment_id).await?.ok_or(StoreError::NotFound)?;
    authorize_officer(
        &mut tx,
        officer_id,
        Action::RequestRefund,
        &Target::agency(found.government_id, found.agency_id),
    )
    .await?;
    // Requests for one payment take turns from here: the second reads the first's row.
    tx.execute(query("UPDATE payments SET refunded_amount = refunded_amount WHERE id = $1").bind(payment_id)).await?;
    let payment = refundable_payment_in(&mut tx, payment_id).await?.ok_or(StoreError::NotFound)?;
    let mut e = FieldErrors::default();
    let reason = check_text(&mut e, "reason", reason, true);
    if let Err(error) = rules::check_refund(
        payment.received(),
        Rupiah(payment.refunded_amount + payment.pending),
        named_refundable,
        amount,
    ) {
        e.0.extend(amount_error(error).0);
    }
    e.into_result().map_err(StoreError::Invalid)?;
    let id = tx
        .insert(
            query(
                "INSERT INTO refunds (government_id, agency_id, payment_id, invoice_id, amount, named_refundable, reason, \
                 status, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9) RETURNING id",
            )
            .bind(payment.government_id)
            .bind(payment.agency_id)
            .bind(payment.payment_id)
            .bind(payment.invoice_id)
            .bind(amount.0)
            .bind(named_refundable.0)
            .bind(reason.as_str())
            .bind(officer_id)
            .bind(now),
        )
        .await?;
    audit::record_change(
        &mut tx,
        &Actor::officer(officer_id),
        "payments.refund.request",
        &Subject::new("refunds", id),
        Some(payment.government_id),
    )
    .await?;
    let refund = refund_in(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(refund)
}

/// Approves or rejects a requested refund: another treasurer of the government, or the head of the
/// invoice's agency; never the one who asked (403, nothing written). A refund decided already is a
/// 409. On approval the payment's (and, when the payment paid its invoice, the invoice's)
/// `refunded_amount` grows, guarded so it cannot pass what was paid; an invoice refunded in full
/// moves to refunded.
pub async fn decide_refund_as_officer(
    db: &Db,
    officer_id: i64,
    refund_id: i64,
    approve: bool,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Refund, StoreError> {
    let mut tx = db.begin().await?;
    let refund = refund_in(&mut tx, refund_id).await?.ok_or(StoreError::NotFound)?;
    authorize_officer(
        &mut tx,
        officer_id,
        Action::ApproveRefund,
        &Target::agency(refund.government_id, refund.agency_id),
    )
    .await?;
    if refund.requested_by == officer_id {
        return Err(StoreError::Forbidden);
    }
    let mut e = FieldErrors::default();
    let note = check_text(&mut e, "note", note, !approve);
    e.into_result().map_err(StoreError::Invalid)?;
    let to = if approve { RefundStatus::Approved } else { RefundStatus::Rejected };
    let decided = tx
        .execute(
            query(
                "UPDATE refunds SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
                 WHERE id = $5 AND status = 'requested'",
            )
            .bind(to.code())
            .bind(officer_id)
            .bind(now)
            .bind(note.as_str())
            .bind(refund.id),
        )
        .await?;
    if decided != 1 {
        return Err(StoreError::StaleVersion { current: 1 });
    }
    let actor = Actor::officer(officer_id);
    audit::record_change(
        &mut tx,
        &actor,
        &format!("payments.refund.{}", if approve { "approve" } else { "reject" }),
        &Subject::new("refunds", refund.id),
        Some(refund.government_id),
    )
    .await?;
    if approve {
        approve_in(&mut tx, &actor, &refund, now).await?;
    }
    let refund = refund_in(&mut tx, refund.id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(refund)
}

async fn approve_in(tx: &mut Tx, actor: &Actor, refund: &Refund, now: DateTime<Utc>) -> Result<(), StoreError> {
    // Re-checked here, whatever was approved since the request: never past what was paid.
    let grown = tx
        .execute(
            query(
                "UPDATE payments SET refunded_amount = refunded_amount + $1 \
                 WHERE id = $2 AND outcome <> 'failed' AND refunded_amount + $1 <= amount",
            )
            .bind(refund.amount)
            .bind(refund.payment_id),
        )
        .await?;
    if grown != 1 {
        let (amount, refunded): (i64, i64) = tx
            .fetch_one(query("SELECT amount, refunded_amount FROM payments WHERE id = $1").bind(refund.payment_id))
            .await?;
        return Err(above_what_is_left(amount - refunded));
    }
    audit::record_change(
        tx,
        actor,
        "payments.payment.refund",
        &Subject::new("payments", refund.payment_id),
        Some(refund.government_id),
    )
    .await?;
    let (outcome,): (String,) =
        tx.fetch_one(query("SELECT outcome FROM payments WHERE id = $1").bind(refund.payment_id)).await?;
    if outcome != "paid" {
        // A held payment never paid its invoice: only the payment's own sum grows.
        return Ok(());
    }
    let grown = tx
        .execute(
            query(
                "UPDATE invoices SET refunded_amount = refunded_amount + $1 \
                 WHERE id = $2 AND refunded_amount + $1 <= paid_amount",
            )
            .bind(refund.amount)
            .bind(refund.invoice_id),
        )
        .await?;
    if grown != 1 {
        let (paid, refunded): (i64, i64) = tx
            .fetch_one(query("SELECT paid_amount, refunded_amount FROM invoices WHERE id = $1").bind(refund.invoice_id))
            .await?;
        return Err(above_what_is_left(paid - refunded));
    }
    audit::record_change(
        tx,
        actor,
        "payments.invoice.refunded_amount",
        &Subject::new("invoices", refund.invoice_id),
        Some(refund.government_id),
    )
    .await?;
    let invoice = invoice_by_id_in(tx, refund.invoice_id).await?;
    if invoice.status()? == InvoiceStatus::Success && invoice.refunded_amount >= invoice.paid_amount {
        move_invoice_in(tx, &invoice, InvoiceEvent::Refund, actor, &format!("refund:{}", refund.id), now).await?;
    }
    Ok(())
}

/// The refund passes what is left to refund (something else was approved meanwhile).
fn above_what_is_left(left: i64) -> StoreError {
    let mut e = FieldErrors::default();
    e.push("amount", Rule::OutOfRange { min: 1, max: left.max(0) });
    StoreError::Invalid(e)
}

// ---- audit --------------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("refunds", refund_state)];

fn refund_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Refund>(
        tx,
        "refunds",
        crate::dynamic_query(format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = $1")),
        id,
    )
}
