//! The receipt (bukti bayar) of a paid invoice: rendered and sealed by the web layer, recorded here
//! once, where `/verifikasi/{id}` finds issued documents. A receipt is not one of the citizen's held
//! documents (it proves a payment, not a fact about the person), and it is not the case's output.

use super::{Invoice, invoice_by_id_in};
use crate::applications::IssuedRecord;
use crate::audit::{self, Actor, Subject};
use crate::{Db, StoreError, query};
use balai_domain::payments::InvoiceStatus;
use chrono::{DateTime, NaiveDate, Utc};

/// A receipt rendered, sealed and kept by the caller.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    /// The public id of the verification page.
    pub id: String,
    pub number: String,
    pub product: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub sha256: String,
    pub signature: String,
    pub object_key: String,
}

/// The receipt number: the bill number is already unique per government and never reused.
pub fn receipt_number(bill_number: &str, issued_on: NaiveDate) -> String {
    use chrono::Datelike;
    format!("BPR/{bill_number}/{}", issued_on.year())
}

/// What became of a request to record a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// This receipt is now the invoice's.
    New(IssuedRecord),
    /// Another request recorded one first; it is the invoice's receipt, and this one was not kept.
    Existing(IssuedRecord),
}

impl Recorded {
    pub fn record(&self) -> &IssuedRecord {
        match self {
            Recorded::New(r) | Recorded::Existing(r) => r,
        }
    }
}

/// An invoice's receipt, once recorded.
pub async fn receipt_of(db: &Db, invoice: &Invoice) -> Result<Option<IssuedRecord>, StoreError> {
    match &invoice.receipt_id {
        Some(id) => crate::applications::issued_document(db, id).await,
        None => Ok(None),
    }
}

/// Records the receipt of the citizen's own paid invoice in one transaction: the issued document
/// (audited) and the invoice's `receipt_id` (audited). Another's invoice is not found; an invoice
/// that is not paid is refused with nothing written; an invoice that has a receipt keeps it.
pub async fn record_receipt_as_citizen(
    db: &Db,
    citizen_id: i64,
    invoice_public_id: &str,
    receipt: &NewReceipt,
    now: DateTime<Utc>,
) -> Result<Recorded, StoreError> {
    // Ownership and existence are checked before the write transaction, then read again in it.
    let invoice = super::invoice_for_citizen(db, citizen_id, invoice_public_id).await?;
    let mut tx = db.begin().await?;
    let invoice = invoice_by_id_in(&mut tx, invoice.id).await?;
    let (owner,): (Option<i64>,) =
        tx.fetch_one(query("SELECT citizen_id FROM cases WHERE id = $1").bind(invoice.case_id)).await?;
    if owner != Some(citizen_id) {
        return Err(StoreError::NotFound);
    }
    if invoice.status()? != InvoiceStatus::Success {
        // Only a paid invoice has a receipt: to the citizen, there is none to fetch.
        return Err(StoreError::NotFound);
    }
    if let Some(existing) = &invoice.receipt_id {
        let record = issued_in(&mut tx, existing).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("invoice {} names a receipt that is not on record", invoice.id))
        })?;
        return Ok(Recorded::Existing(record));
    }
    tx.execute(
        query(
            "INSERT INTO issued_documents (id, government_id, case_id, citizen_id, number, product, issuer, issued_on, \
             sha256, signature, object_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(receipt.id.as_str())
        .bind(invoice.government_id)
        .bind(invoice.case_id)
        .bind(citizen_id)
        .bind(receipt.number.as_str())
        .bind(receipt.product.as_str())
        .bind(receipt.issuer.as_str())
        .bind(receipt.issued_on)
        .bind(receipt.sha256.as_str())
        .bind(receipt.signature.as_str())
        .bind(receipt.object_key.as_str())
        .bind(now),
    )
    .await?;
    let actor = Actor::system("payments.receipt");
    audit::record_change(
        &mut tx,
        &actor,
        "payments.receipt.issued",
        &Subject::new("issued_documents", &receipt.id),
        Some(invoice.government_id),
    )
    .await?;
    let changed = tx
        .execute(
            query("UPDATE invoices SET receipt_id = $1 WHERE id = $2 AND receipt_id IS NULL AND version = $3")
                .bind(receipt.id.as_str())
                .bind(invoice.id)
                .bind(invoice.version),
        )
        .await?;
    if changed != 1 {
        // Another request recorded its receipt first (PostgreSQL lets both read before either
        // wrote): this one is dropped with its transaction, and the first is the invoice's.
        drop(tx);
        let now_current = super::invoice_for_citizen(db, citizen_id, invoice_public_id).await?;
        return match receipt_of(db, &now_current).await? {
            Some(record) => Ok(Recorded::Existing(record)),
            None => Err(StoreError::StaleVersion { current: now_current.version }),
        };
    }
    audit::record_change(
        &mut tx,
        &actor,
        "payments.invoice.receipt",
        &Subject::new("invoices", invoice.id),
        Some(invoice.government_id),
    )
    .await?;
    let record = issued_in(&mut tx, &receipt.id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Recorded::New(record))
}

async fn issued_in(tx: &mut crate::Tx, id: &str) -> Result<Option<IssuedRecord>, StoreError> {
    tx.fetch_optional(
        query(
            "SELECT id, government_id, case_id, citizen_id, number, product, issuer, issued_on, sha256, signature, \
             object_key FROM issued_documents WHERE id = $1",
        )
        .bind(id),
    )
    .await
}
