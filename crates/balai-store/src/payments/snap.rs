//! SNAP's protocol state, as a bank calls Balai for virtual-account payments: the Bearer tokens
//! issued to the bank (kept by their SHA-256, 15 minutes each) and the `X-EXTERNAL-ID` of each call
//! (unique per partner per day, the day counted in WIB as SNAP does). A reused id changes nothing.
//!
//! The payment itself goes through [`super::settle_in`] inside the call's transaction, with
//! [`Mismatch::Refuse`](super::Mismatch::Refuse): the bank asks before it moves the money, so a
//! payment that does not pay its invoice is refused and nothing of it is kept.

use super::{IncomingPayment, Invoice, Mismatch, Settlement};
use crate::identity::vault::Vault;
use crate::{Db, StoreError, Tx, query};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use sha2::{Digest, Sha256};

/// How long an access token lives.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(15);
/// How long a call's `X-EXTERNAL-ID` is kept: its day in WIB, and a day more for the clocks between.
const REQUEST_KEEP: Duration = Duration::days(2);

/// A token as handed to the bank, once; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The day SNAP counts `X-EXTERNAL-ID` in: the date in WIB (UTC+7).
pub fn wib_day(now: DateTime<Utc>) -> String {
    let wib = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    now.with_timezone(&wib).format("%Y-%m-%d").to_string()
}

/// Issues a Bearer token to `client_id` (whose signature the caller checked), valid for
/// [`TOKEN_LIFETIME`]. Tokens and call ids past their time are cleared in the same transaction.
pub async fn issue_token(db: &Db, client_id: &str, now: DateTime<Utc>) -> Result<IssuedToken, StoreError> {
    // 256 random bits, URL-safe base64: 43 characters.
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let expires_at = now + TOKEN_LIFETIME;
    let mut tx = db.begin().await?;
    tx.execute(query("DELETE FROM snap_tokens WHERE expires_at <= $1").bind(now)).await?;
    tx.execute(query("DELETE FROM snap_requests WHERE created_at <= $1").bind(now - REQUEST_KEEP)).await?;
    tx.execute(
        query("INSERT INTO snap_tokens (token_hash, client_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(client_id)
            .bind(now)
            .bind(expires_at),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken { token, expires_at })
}

/// Whether `token` was issued to `client_id` and has not expired.
pub async fn token_is_valid(db: &Db, client_id: &str, token: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    if token.is_empty() || token.len() > 256 {
        return Ok(false);
    }
    let row: Option<(String, DateTime<Utc>)> = db
        .fetch_optional(
            query("SELECT client_id, expires_at FROM snap_tokens WHERE token_hash = $1").bind(token_hash(token)),
        )
        .await?;
    Ok(matches!(row, Some((owner, expires_at)) if owner == client_id && expires_at > now))
}

/// What a transaction call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call<T> {
    /// The call was taken (its `X-EXTERNAL-ID` is now used for the day).
    Taken(T),
    /// The partner used this `X-EXTERNAL-ID` before today: nothing changed.
    ExternalIdReused,
}

/// A bill as the bank's inquiry is answered: the invoice and the name of what is paid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub invoice: Invoice,
    /// The service's current name (what the bank shows as the account name), not the citizen's.
    pub service_name: String,
}

async fn claim_in(
    tx: &mut Tx,
    partner_id: &str,
    external_id: &str,
    service: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted: Option<(i64,)> = tx
        .fetch_optional(
            query(
                "INSERT INTO snap_requests (partner_id, external_id, day, service, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (partner_id, external_id, day) DO NOTHING RETURNING id",
            )
            .bind(partner_id)
            .bind(external_id)
            .bind(wib_day(now))
            .bind(service)
            .bind(now),
        )
        .await?;
    Ok(inserted.is_some())
}

async fn bill_in(tx: &mut Tx, bill_number: &str) -> Result<Option<Bill>, StoreError> {
    let Ok(bill) = balai_domain::payments::BillNumber::parse(bill_number) else { return Ok(None) };
    let Some(invoice) = super::invoice_where_in(tx, "bill_number = $1", bill.as_str()).await? else {
        return Ok(None);
    };
    let (service_name,): (String,) = tx
        .fetch_one(
            query(
                "SELECT v.name FROM services s JOIN service_versions v \
                 ON v.service_id = s.id AND v.version = s.current_version WHERE s.id = $1",
            )
            .bind(invoice.service_id),
        )
        .await?;
    Ok(Some(Bill { invoice, service_name }))
}

/// The bank asks what a virtual account is for: the call's id is taken and the bill (if any) read,
/// in one transaction.
pub async fn inquire(
    db: &Db,
    partner_id: &str,
    external_id: &str,
    bill_number: &str,
    now: DateTime<Utc>,
) -> Result<Call<Option<Bill>>, StoreError> {
    let mut tx = db.begin().await?;
    if !claim_in(&mut tx, partner_id, external_id, "inquiry", now).await? {
        return Ok(Call::ExternalIdReused);
    }
    let bill = bill_in(&mut tx, bill_number).await?;
    tx.commit().await?;
    Ok(Call::Taken(bill))
}

/// What a payment call came to: the settlement, the bill as it is afterwards (for the answer), and
/// whether a [`Settlement::Duplicate`] is this very payment of this bill again (a bank's retry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub settlement: Settlement,
    pub bill: Option<Bill>,
    pub repeat_of_paid: bool,
}

/// The bank reports the citizen paid: the call's id is taken and the payment settled, refused
/// unless it pays its invoice, in one transaction.
pub async fn pay(
    db: &Db,
    vault: &Vault,
    partner_id: &str,
    external_id: &str,
    payment: &IncomingPayment<'_>,
    now: DateTime<Utc>,
) -> Result<Call<Paid>, StoreError> {
    let mut tx = db.begin().await?;
    if !claim_in(&mut tx, partner_id, external_id, "payment", now).await? {
        return Ok(Call::ExternalIdReused);
    }
    // A refused payment writes nothing in settle_in; the call's id is kept all the same.
    let settlement = super::settle_in(&mut tx, vault, payment, Mismatch::Refuse, now).await?;
    let bill = bill_in(&mut tx, payment.bill_number).await?;
    let mut repeat_of_paid = false;
    if let (Settlement::Duplicate, Some(bill)) = (&settlement, &bill) {
        let kept: Option<(i64, String)> = tx
            .fetch_optional(
                query("SELECT invoice_id, outcome FROM payments WHERE source = $1 AND transaction_id = $2")
                    .bind(payment.source)
                    .bind(payment.transaction_id),
            )
            .await?;
        repeat_of_paid = kept.is_some_and(|(invoice_id, outcome)| invoice_id == bill.invoice.id && outcome == "paid");
    }
    tx.commit().await?;
    Ok(Call::Taken(Paid { settlement, bill, repeat_of_paid }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_is_counted_in_wib() {
        assert_eq!(wib_day(Utc.with_ymd_and_hms(2026, 12, 5, 16, 59, 59).unwrap()), "2026-12-05");
        assert_eq!(wib_day(Utc.with_ymd_and_hms(2026, 12, 5, 17, 0, 0).unwrap()), "2026-12-06");
    }

    #[test]
    fn tokens_are_kept_by_their_sha256() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
