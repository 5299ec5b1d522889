//! Following a public report, and subscribing to new public reports in an area or a category, by
//! e-mail. Nothing is sent to an address until it confirms: the first message carries a link with
//! a random token (only its hash is kept), and the same token ends the following or subscription.
//! Addresses are sealed (`complaint_followers.email`, `complaint_subscriptions.email`) and found by
//! a keyed hash of the lower-cased address.

use super::EMAIL_LOOKUP;
use crate::identity::vault::Vault;
use crate::notify::{self, NewMessage};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::Lang;
use balai_domain::complaints::GeoBox;
use balai_domain::notify::MessageKind;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// What an address asks to hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum Interest<'a> {
    /// One public report, by tracking number: its moves.
    Report { tracking_number: &'a str },
    /// New public reports of a government, in a category, inside a box, or both (neither: all).
    News { government_id: i64, category_id: Option<i64>, area: Option<GeoBox> },
}

/// The address as stored and compared: trimmed; checked to look like one.
fn checked_email(email: &str) -> Result<String, StoreError> {
    let email = email.trim();
    let ok = !email.is_empty()
        && email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if ok {
        Ok(email.to_owned())
    } else {
        let mut e = FieldErrors::default();
        e.push("email", Rule::Format { expected: "nama@contoh.id" });
        Err(StoreError::Invalid(e))
    }
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let bytes: [u8; 24] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn e6(value: f64) -> i64 {
    (value * 1_000_000.0).round() as i64
}

/// Records the wish and mails the confirmation link (`confirm_link` makes it from the token). A
/// report that is not public is `NotFound`, as for anyone else. Asking again for an address that
/// already confirmed changes nothing and sends nothing; an unconfirmed one gets a fresh link.
pub async fn follow(
    db: &Db,
    vault: &Vault,
    interest: &Interest<'_>,
    email: &str,
    confirm_link: &(dyn Fn(&str) -> String + Sync),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let email = checked_email(email)?;
    let email_hash = vault.lookup_hash(EMAIL_LOOKUP, &email.to_lowercase());
    let token = new_token();
    let mut tx = db.begin().await?;
    let (government_id, what) = match interest {
        Interest::Report { tracking_number } => {
            let found: Option<(i64, i64, bool)> = tx
                .fetch_optional(
                    query(
                        "SELECT c.id, c.government_id, p.public FROM cases c JOIN complaints p ON p.case_id = c.id \
                         WHERE c.tracking_number = $1",
                    )
                    .bind(tracking_number.trim().to_uppercase()),
                )
                .await?;
            let Some((case_id, government_id, true)) = found else { return Err(StoreError::NotFound) };
            let existing: Option<(i64, Option<DateTime<Utc>>)> = tx
                .fetch_optional(
                    query("SELECT id, confirmed_at FROM complaint_followers WHERE case_id = $1 AND email_hash = $2")
                        .bind(case_id)
                        .bind(email_hash.as_str()),
                )
                .await?;
            match existing {
                Some((_, Some(_))) => return Ok(()),
                Some((id, None)) => {
                    tx.execute(
                        query("UPDATE complaint_followers SET token_hash = $1, created_at = $2 WHERE id = $3")
                            .bind(token_hash(&token))
                            .bind(now)
                            .bind(id),
                    )
                    .await?;
                }
                None => {
                    tx.execute(
                        query(
                            "INSERT INTO complaint_followers (government_id, case_id, email_enc, email_hash, token_hash, \
                             confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, NULL, $6)",
                        )
                        .bind(government_id)
                        .bind(case_id)
                        .bind(vault.seal("complaint_followers.email", &email))
                        .bind(email_hash.as_str())
                        .bind(token_hash(&token))
                        .bind(now),
                    )
                    .await?;
                }
            }
            (government_id, format!("laporan {}", tracking_number.trim().to_uppercase()))
        }
        Interest::News { government_id, category_id, area } => {
            if area.is_some_and(|a| !a.is_valid()) {
                let mut e = FieldErrors::default();
                e.push("area", Rule::OutsideArea { area: "Indonesia" });
                return Err(StoreError::Invalid(e));
            }
            tx.execute(
                query(
                    "INSERT INTO complaint_subscriptions (government_id, category_id, min_lat_e6, min_lon_e6, max_lat_e6, \
                     max_lon_e6, email_enc, email_hash, token_hash, confirmed_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)",
                )
                .bind(*government_id)
                .bind(*category_id)
                .bind(area.map(|a| e6(a.min_lat)))
                .bind(area.map(|a| e6(a.min_lon)))
                .bind(area.map(|a| e6(a.max_lat)))
                .bind(area.map(|a| e6(a.max_lon)))
                .bind(vault.seal("complaint_subscriptions.email", &email))
                .bind(email_hash.as_str())
                .bind(token_hash(&token))
                .bind(now),
            )
            .await?;
            (*government_id, "laporan baru".to_owned())
        }
    };
    confirmation_in(&mut tx, vault, government_id, &email, &what, &confirm_link(&token)).await?;
    tx.commit().await?;
    Ok(())
}

async fn confirmation_in(
    tx: &mut Tx,
    vault: &Vault,
    government_id: i64,
    email: &str,
    what: &str,
    link: &str,
) -> Result<(), StoreError> {
    let kind = MessageKind::FollowConfirm;
    let (subject, body) = notify::templates::compose(tx, kind, Lang::Id, &[("what", what), ("link", link)]).await?;
    notify::enqueue(
        tx,
        vault,
        &NewMessage {
            government_id: Some(government_id),
            channel: balai_domain::contact::Channel::Email,
            recipient: email,
            template: kind.code(),
            lang: Lang::Id,
            subject,
            body,
        },
    )
    .await?;
    Ok(())
}

/// Confirms the address a token was sent to; `false` for a token that opens nothing.
pub async fn confirm(db: &Db, token: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let mut found = 0;
    for table in ["complaint_followers", "complaint_subscriptions"] {
        tx.execute(
            dynamic_query(format!(
                "UPDATE {table} SET confirmed_at = $1 WHERE token_hash = $2 AND confirmed_at IS NULL"
            ))
            .bind(now)
            .bind(hash.as_str()),
        )
        .await?;
        // A link opened twice confirms once and still answers that it is confirmed.
        let (rows,): (i64,) = tx
            .fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM {table} WHERE token_hash = $1")).bind(hash.as_str()))
            .await?;
        found += rows;
    }
    tx.commit().await?;
    Ok(found > 0)
}

/// Ends the following or subscription a token belongs to; `false` for a token that opens nothing.
pub async fn unsubscribe(db: &Db, token: &str) -> Result<bool, StoreError> {
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let mut done = 0;
    for table in ["complaint_followers", "complaint_subscriptions"] {
        done +=
            tx.execute(dynamic_query(format!("DELETE FROM {table} WHERE token_hash = $1")).bind(hash.as_str())).await?;
    }
    tx.commit().await?;
    Ok(done > 0)
}
