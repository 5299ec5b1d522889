//! The notification outbox: a message is a row written in the same transaction as whatever caused it,
//! and a worker delivers it afterwards, with retries and back-off, until it is sent or dead.
//!
//! Any number of nodes may run the worker: a message is claimed by moving its `next_attempt_at` past a
//! lease with a guarded update, so two workers never send the same message at once. Recipients and
//! bodies are sealed at rest (bodies carry one-time codes and case details).

pub mod templates;

use crate::identity::vault::Vault;
use crate::{Db, StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::notify::delivery::{backoff, gives_up};
use chrono::{DateTime, Duration, Utc};

/// How long a claimed message is reserved for the worker that claimed it.
pub const LEASE_SECONDS: i64 = 60;

pub struct NewMessage<'a> {
    pub government_id: Option<i64>,
    pub channel: Channel,
    pub recipient: &'a str,
    pub template: &'a str,
    pub lang: Lang,
    pub subject: String,
    pub body: String,
}

pub async fn enqueue(tx: &mut Tx, vault: &Vault, message: &NewMessage<'_>) -> Result<i64, StoreError> {
    let now = Utc::now();
    tx.insert(
        query(
            "INSERT INTO outbox (government_id, channel, recipient_enc, template, lang, subject, body_enc, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) RETURNING id",
        )
        .bind(message.government_id)
        .bind(message.channel.code())
        .bind(vault.seal("outbox.recipient", message.recipient))
        .bind(message.template)
        .bind(message.lang.code())
        .bind(message.subject.as_str())
        .bind(vault.seal("outbox.body", &message.body))
        .bind(now),
    )
    .await
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    channel: String,
    recipient_enc: String,
    template: String,
    subject: String,
    body_enc: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    transport: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

const MESSAGE_COLUMNS: &str = "id, channel, recipient_enc, template, subject, body_enc, status, attempts, next_attempt_at, \
     last_error, transport, created_at, sent_at";

/// A message, opened. `Debug` hides recipient and body.
#[derive(Clone)]
pub struct Message {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub transport: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// This worker's claim on the message: only messages from [`claim_due`] carry one, and only its
    /// holder may record the outcome.
    pub lease: Option<Lease>,
}

/// The random token of one claim of a message. Claiming again (after the lease ran out) makes a new
/// one, so the earlier worker's outcome no longer lands.
#[derive(Clone, PartialEq, Eq)]
pub struct Lease(String);

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease(…)")
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({}, {}, {})", self.id, self.channel.code(), self.status)
    }
}

fn open(vault: &Vault, row: MessageRow) -> Result<Message, StoreError> {
    let corrupt = |e: crate::identity::VaultError| StoreError::Corrupt(e.to_string());
    Ok(Message {
        id: row.id,
        channel: Channel::parse(&row.channel)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox channel {}", row.channel)))?,
        recipient: vault.open("outbox.recipient", &row.recipient_enc).map_err(corrupt)?,
        template: row.template,
        subject: row.subject,
        body: vault.open("outbox.body", &row.body_enc).map_err(corrupt)?,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        transport: row.transport,
        created_at: row.created_at,
        sent_at: row.sent_at,
        lease: None,
    })
}

/// Claims up to `limit` due messages for delivery by this worker.
pub async fn claim_due(db: &Db, vault: &Vault, now: DateTime<Utc>, limit: i64) -> Result<Vec<Message>, StoreError> {
    let due: Vec<MessageRow> = db
        .fetch_all(
            crate::dynamic_query(format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $2"
            ))
            .bind(now)
            .bind(limit),
        )
        .await?;
    let lease_until = now + Duration::seconds(LEASE_SECONDS);
    let mut claimed = Vec::new();
    for row in due {
        let lease = Lease(hex_token());
        let won = db
            .execute(
                query(
                    "UPDATE outbox SET next_attempt_at = $1, lease_token = $2 \
                     WHERE id = $3 AND status = 'pending' AND next_attempt_at = $4",
                )
                .bind(lease_until)
                .bind(lease.0.as_str())
                .bind(row.id)
                .bind(row.next_attempt_at),
            )
            .await?;
        if won == 1 {
            let mut message = open(vault, row)?;
            message.lease = Some(lease);
            claimed.push(message);
        }
    }
    Ok(claimed)
}

/// 128 random bits as hex: a claim's token.
fn hex_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Puts a claimed message back until `until` without counting an attempt (a channel's rate limit).
/// `false` when the lease was lost (another worker has claimed the message since).
pub async fn defer(db: &Db, id: i64, lease: &Lease, until: DateTime<Utc>) -> Result<bool, StoreError> {
    let moved = db
        .execute(
            query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending' AND lease_token = $3")
                .bind(until)
                .bind(id)
                .bind(lease.0.as_str()),
        )
        .await?;
    Ok(moved == 1)
}

/// Records a delivery. `false` when the lease was lost: another worker claimed the message after
/// this one's lease ran out, and its outcome is the one that stands.
pub async fn mark_sent(
    db: &Db,
    id: i64,
    lease: &Lease,
    transport: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let moved = db
        .execute(
            query(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, transport = $1, sent_at = $2, last_error = NULL \
                 WHERE id = $3 AND status = 'pending' AND lease_token = $4",
            )
            .bind(transport)
            .bind(now)
            .bind(id)
            .bind(lease.0.as_str()),
        )
        .await?;
    Ok(moved == 1)
}

/// Records a failed attempt: the message is retried after [`backoff`], or dead once [`gives_up`] says
/// so (the policy is `balai_domain::notify::delivery`).
/// `error` must not contain the recipient or the body. Returns the new status, or `None` when the
/// lease was lost (see [`mark_sent`]).
pub async fn mark_failed(
    db: &Db,
    id: i64,
    lease: &Lease,
    error: &str,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, StoreError> {
    let (attempts,): (i64,) = db.fetch_one(query("SELECT attempts FROM outbox WHERE id = $1").bind(id)).await?;
    let failures = attempts + 1;
    let status = if gives_up(failures) { "dead" } else { "pending" };
    let error: String = error.chars().take(500).collect();
    // The attempt count read above is checked again, with the lease, so a concurrent change is not lost.
    let moved = db
        .execute(
            query(
                "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 \
                 WHERE id = $5 AND status = 'pending' AND lease_token = $6 AND attempts = $7",
            )
            .bind(status)
            .bind(failures)
            .bind(now + backoff(failures))
            .bind(error)
            .bind(id)
            .bind(lease.0.as_str())
            .bind(attempts),
        )
        .await?;
    Ok((moved == 1).then_some(status))
}

/// The newest messages, newest first (the demo's inbox page and the admin's outbox view).
pub async fn recent(db: &Db, vault: &Vault, limit: i64) -> Result<Vec<Message>, StoreError> {
    let rows: Vec<MessageRow> = db
        .fetch_all(
            crate::dynamic_query(format!("SELECT {MESSAGE_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1")).bind(limit),
        )
        .await?;
    rows.into_iter().map(|r| open(vault, r)).collect()
}

/// One message by id.
pub async fn message(db: &Db, vault: &Vault, id: i64) -> Result<Option<Message>, StoreError> {
    let row: Option<MessageRow> = db
        .fetch_optional(crate::dynamic_query(format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = $1")).bind(id))
        .await?;
    row.map(|r| open(vault, r)).transpose()
}
