//! One-time sign-in codes for citizens: 6 digits, valid 5 minutes, 5 attempts.
//!
//! Throttles count the code rows themselves, so every node sees the same counts: at most
//! [`MAX_CODES_PER_NIK`] codes per NIK and [`MAX_CODES_PER_CLIENT`] per client address in
//! [`THROTTLE_WINDOW_MINUTES`]. A code whose attempts are used up is dead; asking for a new one falls
//! under the per-NIK throttle, which is the lock-out. Codes are stored as keyed hashes only.

use super::citizens::{self, NewCitizen, nik_hash};
use super::vault::Vault;
use crate::audit::Actor;
use crate::{StoreError, Tx, query};
use balai_domain::contact::Channel;
use balai_domain::nik::Nik;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

pub const CODE_MINUTES: i64 = 5;
pub const CODE_ATTEMPTS: i64 = 5;
pub const MAX_CODES_PER_NIK: i64 = 3;
pub const MAX_CODES_PER_CLIENT: i64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// A code just issued. The code itself goes only into the outbox message.
pub struct IssuedCode {
    pub code: String,
    /// The browser's handle on this sign-in, kept in a cookie so the NIK never travels in a URL.
    pub pending_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why no code was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many codes for this NIK lately.
    Nik { retry_after_seconds: i64 },
    /// Too many codes from this client address lately.
    Client { retry_after_seconds: i64 },
}

fn code_hash(vault: &Vault, nik_hash: &str, code: &str) -> String {
    vault.lookup_hash("one-time-code", &format!("{nik_hash}:{code}"))
}

pub fn pending_hash(vault: &Vault, token: &str) -> String {
    vault.lookup_hash("pending-sign-in", token)
}

fn client_hash(vault: &Vault, client: &str) -> String {
    vault.lookup_hash("client", client)
}

async fn throttle(
    tx: &mut Tx,
    column_sql: &'static str,
    hash: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    max: i64,
) -> Result<Option<i64>, StoreError> {
    let rows: Vec<(DateTime<Utc>,)> = tx.fetch_all(query(column_sql).bind(hash).bind(since)).await?;
    if (rows.len() as i64) < max {
        return Ok(None);
    }
    // The window frees a slot when the oldest counted code leaves it.
    let oldest = rows.iter().map(|(t,)| *t).min().unwrap_or(now);
    Ok(Some((oldest + Duration::minutes(THROTTLE_WINDOW_MINUTES) - now).num_seconds().max(1)))
}

/// Issues a code for `nik`, to be sent over `channel` to `recipient` (already normalised).
pub async fn issue_code(
    tx: &mut Tx,
    vault: &Vault,
    nik: &Nik,
    channel: Channel,
    recipient: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Result<IssuedCode, Throttled>, StoreError> {
    let nik_hash = nik_hash(vault, nik);
    let client_hash = client_hash(vault, client);
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    if let Some(retry_after_seconds) = throttle(
        tx,
        "SELECT created_at FROM one_time_codes WHERE nik_hash = $1 AND created_at > $2",
        &nik_hash,
        since,
        now,
        MAX_CODES_PER_NIK,
    )
    .await?
    {
        return Ok(Err(Throttled::Nik { retry_after_seconds }));
    }
    if let Some(retry_after_seconds) = throttle(
        tx,
        "SELECT created_at FROM one_time_codes WHERE client_hash = $1 AND created_at > $2",
        &client_hash,
        since,
        now,
        MAX_CODES_PER_CLIENT,
    )
    .await?
    {
        return Ok(Err(Throttled::Client { retry_after_seconds }));
    }
    // A new code replaces any earlier one still open for this NIK.
    tx.execute(
        query("UPDATE one_time_codes SET attempts_left = 0 WHERE nik_hash = $1 AND used_at IS NULL")
            .bind(nik_hash.as_str()),
    )
    .await?;
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
    let pending_token = {
        let bytes: [u8; 32] = rand::random();
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let expires_at = now + Duration::minutes(CODE_MINUTES);
    tx.execute(
        query(
            "INSERT INTO one_time_codes (nik_hash, nik_enc, code_hash, pending_token_hash, channel, recipient_enc, client_hash, \
             created_at, expires_at, attempts_left) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(nik_hash.as_str())
        .bind(vault.seal("one_time_codes.nik", nik.expose()))
        .bind(code_hash(vault, &nik_hash, &code))
        .bind(pending_hash(vault, &pending_token))
        .bind(channel.code())
        .bind(vault.seal("one_time_codes.recipient", recipient))
        .bind(client_hash)
        .bind(now)
        .bind(expires_at)
        .bind(CODE_ATTEMPTS),
    )
    .await?;
    Ok(Ok(IssuedCode { code, pending_token, expires_at }))
}

/// The outcome of entering a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code: the citizen (created on first sign-in) may get a session.
    Accepted { citizen_id: i64, created: bool },
    /// Wrong code; this many attempts remain (0: the code is dead, ask for a new one).
    Wrong { attempts_left: i64 },
    /// No open code: never asked, expired, used, or its attempts are used up.
    NoOpenCode,
}

#[derive(sqlx::FromRow)]
struct OpenCode {
    id: i64,
    nik_hash: String,
    nik_enc: String,
    code_hash: String,
    channel: String,
    recipient_enc: String,
    attempts_left: i64,
    expires_at: DateTime<Utc>,
}

/// The open code found by NIK hash or by pending-token hash: unused, unexpired, attempts left.
fn open_code(by_pending_token: bool, hash: String, now: DateTime<Utc>) -> crate::Query {
    let sql = if by_pending_token {
        "SELECT id, nik_hash, nik_enc, code_hash, channel, recipient_enc, attempts_left, expires_at FROM one_time_codes \
         WHERE pending_token_hash = $1 AND used_at IS NULL AND attempts_left > 0 AND expires_at > $2"
    } else {
        "SELECT id, nik_hash, nik_enc, code_hash, channel, recipient_enc, attempts_left, expires_at FROM one_time_codes \
         WHERE nik_hash = $1 AND used_at IS NULL AND attempts_left > 0 AND expires_at > $2 ORDER BY id DESC LIMIT 1"
    };
    query(sql).bind(hash).bind(now)
}

/// Checks a code entered with the NIK (the API's way).
pub async fn check_code_for_nik(
    tx: &mut Tx,
    vault: &Vault,
    nik: &Nik,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let open: Option<OpenCode> = tx.fetch_optional(open_code(false, nik_hash(vault, nik), now)).await?;
    check(tx, vault, open, code, now).await
}

/// Checks a code entered on the page opened by `issue_code` (the browser's way, by pending token).
pub async fn check_code_for_pending(
    tx: &mut Tx,
    vault: &Vault,
    pending_token: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let open: Option<OpenCode> = tx.fetch_optional(open_code(true, pending_hash(vault, pending_token), now)).await?;
    check(tx, vault, open, code, now).await
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn check(
    tx: &mut Tx,
    vault: &Vault,
    open: Option<OpenCode>,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let Some(open) = open else { return Ok(CodeCheck::NoOpenCode) };
    let code = code.trim();
    if !same(&code_hash(vault, &open.nik_hash, code), &open.code_hash) {
        let attempts_left = open.attempts_left - 1;
        tx.execute(
            query("UPDATE one_time_codes SET attempts_left = $1 WHERE id = $2").bind(attempts_left).bind(open.id),
        )
        .await?;
        return Ok(CodeCheck::Wrong { attempts_left });
    }
    tx.execute(query("UPDATE one_time_codes SET used_at = $1 WHERE id = $2").bind(now).bind(open.id)).await?;
    let corrupt = |e: super::VaultError| StoreError::Corrupt(e.to_string());
    let nik_digits = vault.open("one_time_codes.nik", &open.nik_enc).map_err(corrupt)?;
    let nik = Nik::parse(&nik_digits, now.date_naive()).map_err(|e| StoreError::Corrupt(format!("stored NIK: {e}")))?;
    let channel = Channel::parse(&open.channel).ok_or_else(|| StoreError::Corrupt("one-time code channel".into()))?;
    let recipient = vault.open("one_time_codes.recipient", &open.recipient_enc).map_err(corrupt)?;
    if let Some(citizen_id) = citizens::citizen_id_by_nik(tx, vault, &nik).await? {
        return Ok(CodeCheck::Accepted { citizen_id, created: false });
    }
    // First sign-in: the record starts with the NIK and the contact just proven; the register fills the rest.
    let mut new = NewCitizen::default();
    match channel {
        Channel::Email => new.email = Some(recipient),
        Channel::Sms | Channel::Whatsapp => new.phone = Some(recipient),
    }
    let citizen_id = citizens::create_citizen(tx, &Actor::system("sign-up"), vault, &nik, &new).await?;
    Ok(CodeCheck::Accepted { citizen_id, created: true })
}

/// A sign-in waiting for its code, as the code page shows it.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub channel: Channel,
    /// Masked for the screen: `bu••@contoh.id`.
    pub masked_recipient: String,
    pub expires_at: DateTime<Utc>,
    pub attempts_left: i64,
}

/// The open sign-in behind a browser's pending token, if it is still open.
pub async fn pending_sign_in(
    db: &crate::Db,
    vault: &Vault,
    pending_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingSignIn>, StoreError> {
    let open: Option<OpenCode> = db.fetch_optional(open_code(true, pending_hash(vault, pending_token), now)).await?;
    let Some(open) = open else { return Ok(None) };
    let recipient =
        vault.open("one_time_codes.recipient", &open.recipient_enc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some(PendingSignIn {
        channel: Channel::parse(&open.channel).ok_or_else(|| StoreError::Corrupt("one-time code channel".into()))?,
        masked_recipient: balai_domain::contact::mask_recipient(&recipient),
        expires_at: open.expires_at,
        attempts_left: open.attempts_left,
    }))
}
