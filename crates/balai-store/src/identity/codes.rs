//! One-time sign-in codes for citizens: 6 digits, valid 5 minutes, 5 attempts.
//!
//! A code goes only to a contact on record for the NIK: the citizen record's, or for a person not yet
//! held here, the population register's. A request naming another destination, or a NIK with no
//! contact for the channel, is answered exactly like any other and gets a row like any other (so it
//! counts against the throttles), but nothing is sent and no code can match it.
//!
//! Throttles count the code rows themselves, so every node sees the same counts: at most
//! [`MAX_CODES_PER_NIK`] codes per NIK and destination, and [`MAX_CODES_PER_CLIENT`] per client address,
//! in [`THROTTLE_WINDOW_MINUTES`]. Counting per destination means a stranger naming a wrong address
//! cannot use up the citizen's own codes. Codes are entered against the browser's pending token, so
//! nobody but the requester can spend a code's attempts. Codes are stored as keyed hashes only.

use super::citizens::{self, nik_hash};
use super::register::RegisterRecord;
use super::vault::Vault;
use super::{NewSession, open_citizen_session};
use crate::audit::Actor;
use crate::notify::{self, NewMessage};
use crate::{Db, StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::Assurance;
use balai_domain::nik::Nik;
use balai_domain::notify::MessageKind;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
pub const CODE_MINUTES: i64 = 5;
pub const CODE_ATTEMPTS: i64 = 5;
pub const MAX_CODES_PER_NIK: i64 = 3;
pub const MAX_CODES_PER_CLIENT: i64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// Where a code for a NIK may go over one channel: the contact on record and how surely it is the
/// person's. `register` is set when the person is known only to the population register.
#[derive(Clone)]
pub struct ContactOnRecord {
    pub recipient: String,
    pub assurance: Assurance,
    pub register: Option<RegisterRecord>,
}

impl std::fmt::Debug for ContactOnRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ContactOnRecord({:?})", self.assurance)
    }
}

/// The contact the citizen record holds for a channel, if the NIK has a record here. `Ok(None)` when
/// there is no record: the caller may then ask the population register.
pub async fn contact_on_record(
    db: &crate::Db,
    vault: &Vault,
    nik: &Nik,
    channel: Channel,
) -> Result<Option<Option<ContactOnRecord>>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Contacts {
        phone_enc: Option<String>,
        phone_assurance: Option<String>,
        email_enc: Option<String>,
        email_assurance: Option<String>,
    }
    let row: Option<Contacts> = db
        .fetch_optional(
            query("SELECT phone_enc, phone_assurance, email_enc, email_assurance FROM citizens WHERE nik_hash = $1")
                .bind(nik_hash(vault, nik)),
        )
        .await?;
    let Some(Contacts {
        phone_enc: phone,
        phone_assurance: phone_level,
        email_enc: email,
        email_assurance: email_level,
    }) = row
    else {
        return Ok(None);
    };
    let (sealed, level, column) = match channel {
        Channel::Email => (email, email_level, "citizens.email"),
        Channel::Sms | Channel::Whatsapp => (phone, phone_level, "citizens.phone"),
    };
    let recipient = vault.open_optional(column, sealed.as_deref()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some(recipient.map(|recipient| ContactOnRecord {
        recipient,
        assurance: level.as_deref().and_then(Assurance::parse).unwrap_or(Assurance::Basic),
        register: None,
    })))
}

/// A code request, answered alike whether or not it is delivered.
pub struct IssuedCode {
    /// The code, when it goes to a contact on record; `None` when nothing is sent.
    pub code: Option<String>,
    /// The browser's handle on this sign-in, kept in a cookie so the NIK never travels in a URL.
    pub pending_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why no code was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many codes for this NIK and destination lately.
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

fn target_hash(vault: &Vault, nik_hash: &str, recipient: &str) -> String {
    vault.lookup_hash("code-target", &format!("{nik_hash}:{}", recipient.to_lowercase()))
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// Whether this client is over its code limit already: asked before the population register is, so a
/// client the throttle refuses cannot make Balai hammer the register on its behalf. (The transaction
/// that issues a code checks again.)
pub async fn client_throttled(
    db: &crate::Db,
    vault: &Vault,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<Throttled>, StoreError> {
    let mut tx = db.begin_read().await?;
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let found = throttle(
        &mut tx,
        "SELECT created_at FROM one_time_codes WHERE client_hash = $1 AND created_at > $2",
        &client_hash(vault, client),
        since,
        now,
        MAX_CODES_PER_CLIENT,
    )
    .await?;
    tx.commit().await?;
    Ok(found.map(|retry_after_seconds| Throttled::Client { retry_after_seconds }))
}

/// Records a code request for `nik` towards `target` (the destination typed, or the one on record).
/// With `deliver` (the contact on record, which the target matched) a real code is made for it;
/// without, a row that counts against the throttles and that no code opens.
#[allow(clippy::too_many_arguments)]
pub async fn issue_code(
    tx: &mut Tx,
    vault: &Vault,
    nik: &Nik,
    channel: Channel,
    target: &str,
    deliver: Option<&ContactOnRecord>,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Result<IssuedCode, Throttled>, StoreError> {
    let nik_hash = nik_hash(vault, nik);
    let client_hash = client_hash(vault, client);
    let target_hash = target_hash(vault, &nik_hash, target);
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    if let Some(retry_after_seconds) = throttle(
        tx,
        "SELECT created_at FROM one_time_codes WHERE target_hash = $1 AND created_at > $2",
        &target_hash,
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
    let code = match deliver {
        Some(_) => {
            // A new code replaces any earlier one still open for this NIK; requests that send nothing
            // replace nothing, so a stranger cannot cancel the citizen's code.
            tx.execute(
                query(
                    "UPDATE one_time_codes SET attempts_left = 0 \
                     WHERE nik_hash = $1 AND used_at IS NULL AND delivered = $2",
                )
                .bind(nik_hash.as_str())
                .bind(true),
            )
            .await?;
            Some(format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32)))
        }
        None => None,
    };
    let pending_token = random_hex();
    let expires_at = now + Duration::minutes(CODE_MINUTES);
    // No six digits hash to a random 64-hex-digit "code": an undelivered request can never be opened.
    let stored_code = code.clone().unwrap_or_else(random_hex);
    let register = deliver
        .and_then(|c| c.register.as_ref())
        .map(|r| vault.seal("one_time_codes.register", &serde_json::to_string(r).expect("records serialise")));
    tx.execute(
        query(
            "INSERT INTO one_time_codes (nik_hash, nik_enc, code_hash, pending_token_hash, channel, recipient_enc, client_hash, \
             created_at, expires_at, attempts_left, delivered, target_hash, assurance, register_enc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(nik_hash.as_str())
        .bind(vault.seal("one_time_codes.nik", nik.expose()))
        .bind(code_hash(vault, &nik_hash, &stored_code))
        .bind(pending_hash(vault, &pending_token))
        .bind(channel.code())
        .bind(vault.seal("one_time_codes.recipient", target))
        .bind(client_hash)
        .bind(now)
        .bind(expires_at)
        .bind(CODE_ATTEMPTS)
        .bind(deliver.is_some())
        .bind(target_hash)
        .bind(deliver.map(|c| c.assurance.code()))
        .bind(register),
    )
    .await?;
    Ok(Ok(IssuedCode { code, pending_token, expires_at }))
}

/// The outcome of entering a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code: the citizen (created from the register on a first sign-in) may get a session at
    /// the level of the contact the code went to.
    Accepted { citizen_id: i64, created: bool, assurance: Assurance },
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
    delivered: bool,
    assurance: Option<String>,
    register_enc: Option<String>,
}

/// The open code behind a pending token: unused, unexpired, attempts left.
fn open_code(pending_hash: String, now: DateTime<Utc>) -> crate::Query {
    query(
        "SELECT id, nik_hash, nik_enc, code_hash, channel, recipient_enc, attempts_left, expires_at, delivered, assurance, \
         register_enc FROM one_time_codes \
         WHERE pending_token_hash = $1 AND used_at IS NULL AND attempts_left > 0 AND expires_at > $2",
    )
    .bind(pending_hash)
    .bind(now)
}

/// Checks a code entered on the browser (or API client) that asked for it, by its pending token.
/// With `nik` (the API's way), the code must also be for that NIK.
pub async fn check_code(
    tx: &mut Tx,
    vault: &Vault,
    pending_token: &str,
    nik: Option<&Nik>,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let open: Option<OpenCode> = tx.fetch_optional(open_code(pending_hash(vault, pending_token), now)).await?;
    let open = open.filter(|o| nik.is_none_or(|n| same(&nik_hash(vault, n), &o.nik_hash)));
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
    if !open.delivered || !same(&code_hash(vault, &open.nik_hash, code), &open.code_hash) {
        let attempts_left = open.attempts_left - 1;
        tx.execute(
            query("UPDATE one_time_codes SET attempts_left = $1 WHERE id = $2").bind(attempts_left).bind(open.id),
        )
        .await?;
        return Ok(CodeCheck::Wrong { attempts_left });
    }
    tx.execute(query("UPDATE one_time_codes SET used_at = $1 WHERE id = $2").bind(now).bind(open.id)).await?;
    let corrupt = |e: super::VaultError| StoreError::Corrupt(e.to_string());
    let assurance = open.assurance.as_deref().and_then(Assurance::parse).unwrap_or(Assurance::Basic);
    let existing: Option<(i64,)> =
        tx.fetch_optional(query("SELECT id FROM citizens WHERE nik_hash = $1").bind(open.nik_hash.as_str())).await?;
    if let Some((citizen_id,)) = existing {
        return Ok(CodeCheck::Accepted { citizen_id, created: false, assurance });
    }
    // A first sign-in: the record is the population register's, whose contact the code just reached.
    let Some(sealed) = open.register_enc else {
        return Err(StoreError::Corrupt(
            "a delivered code for a NIK with neither a record nor a register entry".into(),
        ));
    };
    let record: RegisterRecord =
        serde_json::from_str(&vault.open("one_time_codes.register", &sealed).map_err(corrupt)?)
            .map_err(|e| StoreError::Corrupt(format!("stored register record: {e}")))?;
    let channel = Channel::parse(&open.channel).ok_or_else(|| StoreError::Corrupt("one-time code channel".into()))?;
    let recipient = vault.open("one_time_codes.recipient", &open.recipient_enc).map_err(corrupt)?;
    let nik_digits = vault.open("one_time_codes.nik", &open.nik_enc).map_err(corrupt)?;
    let nik = Nik::parse(&nik_digits, now.date_naive()).map_err(|e| StoreError::Corrupt(format!("stored NIK: {e}")))?;
    let mut new = record.to_new_citizen();
    // The contact just proven is the one on the register's record; keep it exactly as reached.
    match channel {
        Channel::Email => new.email = Some(recipient),
        Channel::Sms | Channel::Whatsapp => new.phone = Some(recipient),
    }
    let citizen_id = citizens::create_citizen(tx, &Actor::system("population-register"), vault, &nik, &new).await?;
    Ok(CodeCheck::Accepted { citizen_id, created: true, assurance })
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
    let open: Option<OpenCode> = db.fetch_optional(open_code(pending_hash(vault, pending_token), now)).await?;
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

/// The code request as one command: [`issue_code`] and, when a real code was made, its message in
/// the outbox, in one transaction. A throttled request writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn request_code(
    db: &Db,
    vault: &Vault,
    nik: &Nik,
    channel: Channel,
    target: &str,
    deliver: Option<&ContactOnRecord>,
    client: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<IssuedCode, Throttled>, StoreError> {
    let mut tx = db.begin().await?;
    let issued = match issue_code(&mut tx, vault, nik, channel, target, deliver, client, now).await? {
        Ok(issued) => issued,
        Err(throttled) => return Ok(Err(throttled)),
    };
    if let Some(code) = &issued.code {
        let minutes = CODE_MINUTES.to_string();
        let (subject, body) = notify::templates::compose(
            &mut tx,
            MessageKind::SignInCode,
            lang,
            &[("code", code.as_str()), ("minutes", minutes.as_str())],
        )
        .await?;
        notify::enqueue(
            &mut tx,
            vault,
            &NewMessage {
                government_id: None,
                channel,
                recipient: target,
                template: MessageKind::SignInCode.code(),
                lang,
                subject,
                body,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(issued))
}

/// A code entered, as one command: [`check_code`] and, when it is right, the citizen's session at
/// the level the code proved, in one transaction. A wrong attempt is counted (committed) too.
pub async fn sign_in_with_code(
    db: &Db,
    vault: &Vault,
    pending_token: &str,
    nik: Option<&Nik>,
    code: &str,
    session: &NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let mut tx = db.begin().await?;
    let check = check_code(&mut tx, vault, pending_token, nik, code, now).await?;
    if let CodeCheck::Accepted { citizen_id, assurance, .. } = check {
        open_citizen_session(
            &mut tx,
            citizen_id,
            session.token_hash,
            session.csrf_token,
            session.expires_at,
            assurance,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(check)
}
