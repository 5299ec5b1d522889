//! A citizen changes a phone or e-mail address online: the new contact is proven by a code sent there,
//! and the old one by a code sent to the contact on record — unless the session is at the substantial
//! level, which already proves the person. Without the old contact, the way is a counter visit.
//! Every old and new contact is told once the change is made, as for a change at a counter.

use super::citizens::{self, citizen_in};
use super::vault::Vault;
use crate::notify::{self, NewMessage};
use crate::{StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::contact::{Channel, mask_recipient};
use balai_domain::identity::{Action, Assurance, Principal, Target, permits};
use balai_domain::notify::MessageKind;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

pub const CHANGE_MINUTES: i64 = 10;
pub const CHANGE_ATTEMPTS: i64 = 5;
/// Changes a citizen may start in [`CHANGE_WINDOW_MINUTES`]: each sends up to two messages.
pub const MAX_CHANGES: i64 = 3;
pub const CHANGE_WINDOW_MINUTES: i64 = 60;

/// A change started: the codes are in the outbox, the browser holds the pending token.
pub struct ChangeStarted {
    pub pending_token: String,
    /// Where the code for the old contact went (masked), when one is needed.
    pub old_contact: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Why a change was not started. Nothing is written or sent when it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRefused {
    /// The new contact is the one already on record.
    Unchanged,
    /// No contact on record to confirm with, and the session is basic: a counter visit is needed.
    NoContactToConfirm,
    /// Too many changes started lately.
    Throttled { retry_after_seconds: i64 },
}

/// The outcome of entering the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCheck {
    /// Both codes right: the contact is bound at this level, and everyone concerned was told.
    Changed {
        assurance: Assurance,
    },
    Wrong {
        attempts_left: i64,
    },
    NoOpenChange,
}

fn code_hash(vault: &Vault, pending: &str, which: &str, code: &str) -> String {
    vault.lookup_hash("contact-change-code", &format!("{pending}:{which}:{code}"))
}

fn pending_hash(vault: &Vault, token: &str) -> String {
    vault.lookup_hash("contact-change", token)
}

fn six_digits() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

/// The phone for SMS and WhatsApp, the address for e-mail.
fn contact_for(record: &citizens::Citizen, channel: Channel) -> Option<&str> {
    match channel {
        Channel::Email => record.email.as_deref(),
        Channel::Sms | Channel::Whatsapp => record.phone.as_deref(),
    }
}

/// Starts a change of the citizen's contact for `channel` to `new_recipient` (normalised), sending a
/// code there and, for a basic session, one to the contact on record.
#[allow(clippy::too_many_arguments)]
pub async fn start_change(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
    session: Assurance,
    channel: Channel,
    new_recipient: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<ChangeStarted, ChangeRefused>, StoreError> {
    let record = citizen_in(tx, vault, citizen_id).await?.ok_or(StoreError::NotFound)?;
    if contact_for(&record, channel).is_some_and(|c| c.eq_ignore_ascii_case(new_recipient)) {
        return Ok(Err(ChangeRefused::Unchanged));
    }
    let since = now - Duration::minutes(CHANGE_WINDOW_MINUTES);
    let started: Vec<(DateTime<Utc>,)> = tx
        .fetch_all(
            query("SELECT created_at FROM contact_changes WHERE citizen_id = $1 AND created_at > $2")
                .bind(citizen_id)
                .bind(since),
        )
        .await?;
    if started.len() as i64 >= MAX_CHANGES {
        let oldest = started.iter().map(|(t,)| *t).min().unwrap_or(now);
        let retry_after_seconds = (oldest + Duration::minutes(CHANGE_WINDOW_MINUTES) - now).num_seconds().max(1);
        return Ok(Err(ChangeRefused::Throttled { retry_after_seconds }));
    }
    // The old contact of the same channel confirms; lacking one, the other contact on record.
    let old = match session {
        Assurance::Substantial => None,
        Assurance::Basic => {
            let other = if channel == Channel::Email { Channel::Sms } else { Channel::Email };
            let found = contact_for(&record, channel)
                .map(|c| (channel, c.to_owned()))
                .or_else(|| contact_for(&record, other).map(|c| (other, c.to_owned())));
            match found {
                Some(old) => Some(old),
                None => return Ok(Err(ChangeRefused::NoContactToConfirm)),
            }
        }
    };
    let pending_token = {
        let bytes: [u8; 32] = rand::random();
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let new_code = six_digits();
    let old_code = old.as_ref().map(|_| six_digits());
    let expires_at = now + Duration::minutes(CHANGE_MINUTES);
    // A contact bound from a substantial session is as sure as the session; otherwise it is basic.
    let assurance = session;
    tx.execute(
        query(
            "INSERT INTO contact_changes (citizen_id, channel, new_recipient_enc, new_code_hash, old_channel, \
             old_recipient_enc, old_code_hash, assurance, pending_token_hash, attempts_left, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(citizen_id)
        .bind(channel.code())
        .bind(vault.seal("contact_changes.new_recipient", new_recipient))
        .bind(code_hash(vault, &pending_token, "new", &new_code))
        .bind(old.as_ref().map(|(c, _)| c.code()))
        .bind(old.as_ref().map(|(_, r)| vault.seal("contact_changes.old_recipient", r)))
        .bind(old_code.as_deref().map(|code| code_hash(vault, &pending_token, "old", code)))
        .bind(assurance.code())
        .bind(pending_hash(vault, &pending_token))
        .bind(CHANGE_ATTEMPTS)
        .bind(now)
        .bind(expires_at),
    )
    .await?;
    let masked_new = mask_recipient(new_recipient);
    let minutes = CHANGE_MINUTES.to_string();
    let mut sends = vec![(channel, new_recipient.to_owned(), new_code)];
    if let (Some((old_channel, old_recipient)), Some(code)) = (&old, old_code) {
        sends.push((*old_channel, old_recipient.clone(), code));
    }
    for (to_channel, to, code) in sends {
        let (subject, body) = notify::templates::compose(
            tx,
            MessageKind::ContactCode,
            lang,
            &[("code", code.as_str()), ("minutes", minutes.as_str()), ("contact", masked_new.as_str())],
        )
        .await?;
        notify::enqueue(
            tx,
            vault,
            &NewMessage {
                government_id: None,
                channel: to_channel,
                recipient: &to,
                template: MessageKind::ContactCode.code(),
                lang,
                subject,
                body,
            },
        )
        .await?;
    }
    Ok(Ok(ChangeStarted { pending_token, old_contact: old.map(|(_, r)| mask_recipient(&r)), expires_at }))
}

#[derive(sqlx::FromRow)]
struct OpenChange {
    id: i64,
    channel: String,
    new_recipient_enc: String,
    new_code_hash: String,
    old_recipient_enc: Option<String>,
    old_code_hash: Option<String>,
    assurance: String,
    attempts_left: i64,
}

/// An open change as its code page shows it: both contacts masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub new_contact: String,
    /// Where the code for the old contact went, when one is due.
    pub old_contact: Option<String>,
    pub attempts_left: i64,
}

/// The open change behind a pending token, as the code page shows it.
pub async fn open_change(
    db: &crate::Db,
    vault: &Vault,
    citizen_id: i64,
    pending_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingChange>, StoreError> {
    let mut tx = db.begin_read().await?;
    let open = find_open(&mut tx, vault, citizen_id, pending_token, now).await?;
    tx.commit().await?;
    let Some(open) = open else { return Ok(None) };
    let corrupt = |e: super::VaultError| StoreError::Corrupt(e.to_string());
    let new = vault.open("contact_changes.new_recipient", &open.new_recipient_enc).map_err(corrupt)?;
    let old =
        vault.open_optional("contact_changes.old_recipient", open.old_recipient_enc.as_deref()).map_err(corrupt)?;
    Ok(Some(PendingChange {
        new_contact: mask_recipient(&new),
        old_contact: old.as_deref().map(mask_recipient),
        attempts_left: open.attempts_left,
    }))
}

async fn find_open(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
    pending_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<OpenChange>, StoreError> {
    tx.fetch_optional(
        query(
            "SELECT id, channel, new_recipient_enc, new_code_hash, old_recipient_enc, old_code_hash, assurance, attempts_left \
             FROM contact_changes WHERE pending_token_hash = $1 AND citizen_id = $2 AND used_at IS NULL \
             AND attempts_left > 0 AND expires_at > $3",
        )
        .bind(pending_hash(vault, pending_token))
        .bind(citizen_id)
        .bind(now),
    )
    .await
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the codes of an open change; both right binds the contact, audits it as the citizen's own
/// act, and tells every old and new contact.
#[allow(clippy::too_many_arguments)]
pub async fn confirm_change(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
    pending_token: &str,
    new_code: &str,
    old_code: Option<&str>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<ChangeCheck, StoreError> {
    let Some(open) = find_open(tx, vault, citizen_id, pending_token, now).await? else {
        return Ok(ChangeCheck::NoOpenChange);
    };
    let new_right = same(&code_hash(vault, pending_token, "new", new_code.trim()), &open.new_code_hash);
    let old_right = match &open.old_code_hash {
        None => true,
        Some(hash) => old_code.is_some_and(|code| same(&code_hash(vault, pending_token, "old", code.trim()), hash)),
    };
    if !(new_right && old_right) {
        let attempts_left = open.attempts_left - 1;
        tx.execute(
            query("UPDATE contact_changes SET attempts_left = $1 WHERE id = $2").bind(attempts_left).bind(open.id),
        )
        .await?;
        return Ok(ChangeCheck::Wrong { attempts_left });
    }
    tx.execute(query("UPDATE contact_changes SET used_at = $1 WHERE id = $2").bind(now).bind(open.id)).await?;
    let corrupt = |e: super::VaultError| StoreError::Corrupt(e.to_string());
    let channel = Channel::parse(&open.channel).ok_or_else(|| StoreError::Corrupt("contact change channel".into()))?;
    let recipient = vault.open("contact_changes.new_recipient", &open.new_recipient_enc).map_err(corrupt)?;
    let assurance = Assurance::parse(&open.assurance).unwrap_or(Assurance::Basic);
    let before = citizen_in(tx, vault, citizen_id).await?.ok_or(StoreError::NotFound)?;
    let actor = citizens::audit_actor(tx, citizen_id).await?;
    citizens::set_contact(
        tx,
        &actor,
        "identity.citizen.contact_change",
        vault,
        citizen_id,
        channel,
        &recipient,
        assurance,
    )
    .await?;
    let place = lang.pick("diubah daring oleh pemilik akun", "changed online by the account holder");
    tell_old_and_new_contacts(tx, vault, &before, None, (channel, &recipient), place, lang).await?;
    Ok(ChangeCheck::Changed { assurance })
}

/// Tells every contact the record held before (`before`) and the new one that a contact was bound,
/// once each (a phone by SMS). Returns how many were told.
pub async fn tell_old_and_new_contacts(
    tx: &mut Tx,
    vault: &Vault,
    before: &citizens::Citizen,
    government_id: Option<i64>,
    new: (Channel, &str),
    place: &str,
    lang: Lang,
) -> Result<usize, StoreError> {
    let old = [(Channel::Sms, before.phone.as_deref()), (Channel::Email, before.email.as_deref())];
    let contacts = old.into_iter().filter_map(|(c, v)| v.map(|v| (c, v.to_owned())));
    tell(tx, vault, contacts.collect(), government_id, new, place, lang).await
}

pub(crate) async fn tell(
    tx: &mut Tx,
    vault: &Vault,
    old: Vec<(Channel, String)>,
    government_id: Option<i64>,
    (channel, recipient): (Channel, &str),
    place: &str,
    lang: Lang,
) -> Result<usize, StoreError> {
    let contact = mask_recipient(recipient);
    let (subject, body) = notify::templates::compose(
        tx,
        MessageKind::ContactChanged,
        lang,
        &[("contact", contact.as_str()), ("place", place)],
    )
    .await?;
    let mut told: Vec<String> = Vec::new();
    for (to_channel, to) in old.into_iter().chain([(channel, recipient.to_owned())]) {
        // A phone is told by SMS; each address once.
        let to_channel = if to_channel == Channel::Whatsapp { Channel::Sms } else { to_channel };
        if told.iter().any(|t| t.eq_ignore_ascii_case(&to)) {
            continue;
        }
        notify::enqueue(
            tx,
            vault,
            &NewMessage {
                government_id,
                channel: to_channel,
                recipient: &to,
                template: MessageKind::ContactChanged.code(),
                lang,
                subject: subject.clone(),
                body: body.clone(),
            },
        )
        .await?;
        told.push(to);
    }
    Ok(told.len())
}

/// A citizen starts changing their own contact, as one command: the session's permission (its
/// level), then [`start_change`], in one transaction. A refused change writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn start_own_change(
    db: &crate::Db,
    vault: &Vault,
    citizen_id: i64,
    session: Assurance,
    channel: Channel,
    new_recipient: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<ChangeStarted, ChangeRefused>, StoreError> {
    if !permits(&Principal::citizen(citizen_id, session), Action::ChangeOwnContact, &Target::citizen(citizen_id)) {
        return Err(StoreError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let started = start_change(&mut tx, vault, citizen_id, session, channel, new_recipient, lang, now).await?;
    tx.commit().await?;
    Ok(started)
}

/// A citizen enters the codes of their open change, as one command ([`confirm_change`]); a wrong
/// attempt is counted (committed) too.
#[allow(clippy::too_many_arguments)]
pub async fn confirm_own_change(
    db: &crate::Db,
    vault: &Vault,
    citizen_id: i64,
    pending_token: &str,
    new_code: &str,
    old_code: Option<&str>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<ChangeCheck, StoreError> {
    let mut tx = db.begin().await?;
    let checked = confirm_change(&mut tx, vault, citizen_id, pending_token, new_code, old_code, lang, now).await?;
    tx.commit().await?;
    Ok(checked)
}
