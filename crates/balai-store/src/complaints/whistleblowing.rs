//! Whistleblowing (WBS): the reporter's identity and text are sealed to the inspectorate's public key
//! before they reach the database, and opened only by an inspector holding the private key.
//!
//! Sealing is a libsodium-compatible sealed box (X25519, XSalsa20-Poly1305): anyone may seal to the
//! public key, only the private key opens. The server keeps the public key alone; the private key is
//! pasted by the inspector for one opening, used in memory and dropped. Each opening is a row in
//! `whistleblowing_openings` vouched for by an audit leaf that names who opened which report, never
//! what it says. The report is a complaint case on the `wbs` channel at the inspectorate's unit, so
//! it moves through the same flow; only inspectors may read or move it.

use super::{Filed, NewReport, Reporter, Sealed, complaint_case_in, complaint_row_in};
use crate::audit::{self, AuditedTable, BoxFuture, Subject};
use crate::cases::{self, Case, CaseEvent};
use crate::identity::access::officer_principal;
use crate::identity::vault::Vault;
use crate::{Db, StoreError, Tx, query};
use balai_domain::complaints::{Channel, ComplaintEvent, ComplaintStatus, MAX_TEXT_CHARS, ReportKind};
use balai_domain::identity::{Action, Target, permits};
use balai_domain::org::Place;
use balai_domain::validation::{FieldErrors, Rule};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How a private key is written down: this prefix, then the 32 key bytes in base64.
pub const PRIVATE_KEY_PREFIX: &str = "BALAI-WBS-KEY-1:";
/// The longest "when", "where" and "who" answers.
pub const MAX_DETAIL_CHARS: usize = 300;
/// The longest name and contact a reporter may leave.
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_CONTACT_CHARS: usize = 254;
/// The purpose every opening is recorded with.
pub const OPENING_PURPOSE: &str = "Pemeriksaan laporan WBS oleh inspektur";

// ---- keys ---------------------------------------------------------------------------------------

/// A fresh key pair: the public key (base64) the server keeps, and the private key in its written
/// form, to be shown once and kept by the inspectorate.
pub struct KeyPair {
    pub public_key: String,
    pub private_key: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("public_key", &self.public_key).finish_non_exhaustive()
    }
}

pub fn generate_key_pair() -> KeyPair {
    let secret = SecretKey::generate(&mut rand::rngs::OsRng);
    KeyPair {
        public_key: STANDARD.encode(secret.public_key().as_bytes()),
        private_key: format!("{PRIVATE_KEY_PREFIX}{}", STANDARD.encode(secret.to_bytes())),
    }
}

/// A public key's fingerprint, for people to compare: the first 16 bytes of its SHA-256, in groups.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    digest[..16]
        .chunks(2)
        .map(|pair| pair.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_public_key(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

/// Why a pasted private key opened nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    /// Not a key in the written form at all.
    #[error("the private key is not in the form BALAI-WBS-KEY-1:…")]
    Malformed,
    /// A key, but not the one this report was sealed to.
    #[error("the private key is not the one this report was sealed to")]
    WrongKey,
}

fn parse_private_key(text: &str) -> Result<SecretKey, KeyRefused> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let body = compact.strip_prefix(PRIVATE_KEY_PREFIX).ok_or(KeyRefused::Malformed)?;
    let bytes: [u8; 32] = STANDARD.decode(body).ok().and_then(|b| b.try_into().ok()).ok_or(KeyRefused::Malformed)?;
    Ok(SecretKey::from_bytes(bytes))
}

/// A registered public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WhistleblowingKey {
    pub id: i64,
    pub government_id: i64,
    pub unit_id: i64,
    pub public_key: String,
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub retired_at: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str = "id, government_id, unit_id, public_key, fingerprint, created_at, created_by, retired_at";

/// Who registers a key: a government admin (checked against their account now), or the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrar {
    Officer(i64),
    CommandLine,
}

/// Registers the inspectorate's public key for a government; reports are sealed to it from now on,
/// and the key it replaces is retired. `unit_code` is the inspectorate unit reports go to.
pub async fn register_key(
    db: &Db,
    registrar: Registrar,
    government_id: i64,
    unit_code: &str,
    public_key: &str,
    now: DateTime<Utc>,
) -> Result<WhistleblowingKey, StoreError> {
    let mut tx = db.begin().await?;
    let key = register_key_in(&mut tx, registrar, government_id, unit_code, public_key, now).await?;
    tx.commit().await?;
    Ok(key)
}

/// [`register_key`] in the caller's transaction (the demo seed's).
pub async fn register_key_in(
    tx: &mut Tx,
    registrar: Registrar,
    government_id: i64,
    unit_code: &str,
    public_key: &str,
    now: DateTime<Utc>,
) -> Result<WhistleblowingKey, StoreError> {
    let (actor, created_by) = match registrar {
        Registrar::Officer(officer_id) => {
            let who = officer_principal(tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
            if !permits(&who, Action::ManageComplaints, &Target::government(government_id)) {
                return Err(StoreError::Forbidden);
            }
            (audit::Actor::officer(officer_id), Some(officer_id))
        }
        Registrar::CommandLine => (audit::Actor::system("cli"), None),
    };
    let mut e = FieldErrors::default();
    let bytes = parse_public_key(public_key);
    if bytes.is_none() {
        e.push("public_key", Rule::Format { expected: "base64 (32 bytes)" });
    }
    let unit: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM units WHERE government_id = $1 AND code = $2")
                .bind(government_id)
                .bind(unit_code.trim()),
        )
        .await?;
    if unit.is_none() {
        e.push("unit", Rule::Unknown);
    }
    e.into_result()?;
    let (Some(bytes), Some((unit_id,))) = (bytes, unit) else { return Err(StoreError::NotFound) };
    let retired: Vec<(i64,)> = tx
        .fetch_all(
            query("SELECT id FROM whistleblowing_keys WHERE government_id = $1 AND retired_at IS NULL")
                .bind(government_id),
        )
        .await?;
    for (id,) in retired {
        tx.execute(query("UPDATE whistleblowing_keys SET retired_at = $1 WHERE id = $2").bind(now).bind(id)).await?;
        audit::record_change(
            tx,
            &actor,
            "complaints.whistleblowing.key.retire",
            &Subject::new("whistleblowing_keys", id),
            Some(government_id),
        )
        .await?;
    }
    let id = tx
        .insert(
            query(
                "INSERT INTO whistleblowing_keys (government_id, unit_id, public_key, fingerprint, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(government_id)
            .bind(unit_id)
            .bind(STANDARD.encode(bytes))
            .bind(fingerprint(&bytes))
            .bind(now)
            .bind(created_by),
        )
        .await?;
    audit::record_change(
        tx,
        &actor,
        "complaints.whistleblowing.key.register",
        &Subject::new("whistleblowing_keys", id),
        Some(government_id),
    )
    .await?;
    key_in(tx, id).await?.ok_or(StoreError::NotFound)
}

async fn key_in(tx: &mut Tx, id: i64) -> Result<Option<WhistleblowingKey>, StoreError> {
    tx.fetch_optional(
        crate::dynamic_query(format!("SELECT {KEY_COLUMNS} FROM whistleblowing_keys WHERE id = $1")).bind(id),
    )
    .await
}

/// The key reports to a government are sealed to now, if it has one.
pub async fn active_key(db: &Db, government_id: i64) -> Result<Option<WhistleblowingKey>, StoreError> {
    db.fetch_optional(
        crate::dynamic_query(format!(
            "SELECT {KEY_COLUMNS} FROM whistleblowing_keys WHERE government_id = $1 AND retired_at IS NULL"
        ))
        .bind(government_id),
    )
    .await
}

// ---- filing -------------------------------------------------------------------------------------

/// A whistleblowing report as the form sends it. Name and contact are optional; whatever is given is
/// sealed with the text, never stored readable.
#[derive(Debug, Clone)]
pub struct NewWhistleblowing<'a> {
    pub government_id: i64,
    /// What happened.
    pub text: &'a str,
    /// When it happened, in the reporter's words.
    pub when: &'a str,
    /// Where it happened.
    pub place: &'a str,
    /// Who was involved.
    pub people: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    /// The form's own random key: the same key and report return the same receipt.
    pub idempotency_key: &'a str,
}

/// What is sealed as the report's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedReport {
    pub text: String,
    pub when: String,
    pub place: String,
    pub people: String,
}

/// What is sealed as the reporter's identity (both may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedIdentity {
    pub name: String,
    pub contact: String,
}

fn check(new: &NewWhistleblowing<'_>) -> Result<(SealedReport, SealedIdentity), StoreError> {
    let mut e = FieldErrors::default();
    let text = e.text("text", new.text, MAX_TEXT_CHARS);
    let mut bounded = |field: &'static str, value: &str, max: usize| {
        let value = value.trim();
        if value.chars().count() > max {
            e.push(field, Rule::TooLong { max });
        }
        value.to_string()
    };
    let when = bounded("when", new.when, MAX_DETAIL_CHARS);
    let place = bounded("place", new.place, MAX_DETAIL_CHARS);
    let people = bounded("people", new.people, MAX_DETAIL_CHARS);
    let name = bounded("name", new.name, MAX_NAME_CHARS);
    let contact = bounded("contact", new.contact, MAX_CONTACT_CHARS);
    e.into_result()?;
    Ok((SealedReport { text, when, place, people }, SealedIdentity { name, contact }))
}

fn seal_to(key: &PublicKey, value: &impl Serialize) -> Result<String, StoreError> {
    let plain = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sealed = key.seal(&mut rand::rngs::OsRng, &plain).map_err(|_| StoreError::Corrupt("sealing failed".into()))?;
    Ok(STANDARD.encode(sealed))
}

/// Files a whistleblowing report: text and identity are sealed to the government's active key here,
/// then the report is filed as an anonymous, confidential complaint at the key's inspectorate unit.
/// Always as a guest: no citizen is linked, even when the reporter is signed in. `NotFound` when the
/// government has no key (it takes no whistleblowing reports yet).
pub async fn file(
    db: &Db,
    vault: &Vault,
    new: &NewWhistleblowing<'_>,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let (report, identity) = check(new)?;
    let key = active_key(db, new.government_id).await?.ok_or(StoreError::NotFound)?;
    let public = PublicKey::from_bytes(
        parse_public_key(&key.public_key).ok_or_else(|| StoreError::Corrupt("whistleblowing public key".into()))?,
    );
    let sealed_text = seal_to(&public, &report)?;
    let sealed_identity = seal_to(&public, &identity)?;
    let placeholder = NewReport {
        government_id: new.government_id,
        kind: ReportKind::Complaint,
        channel: Channel::Whistleblowing,
        category_code: "",
        title: "Laporan WBS",
        // The real text is only in the sealed box.
        text: "-",
        lat: "",
        lon: "",
        address: "",
        region_code: "",
        anonymous: true,
        confidential: true,
        reporter: Reporter::Guest { name: "", email: "", phone: "" },
        photos: &[],
        open311_client_id: None,
        idempotency_key: new.idempotency_key,
    };
    let sealed = Sealed { identity: &sealed_identity, text: &sealed_text, key_id: key.id, unit_id: key.unit_id };
    super::file(db, vault, &placeholder, Some(&sealed), now).await
}

// ---- what inspectors read -------------------------------------------------------------------------

/// A line of the inspectorate's whistleblowing queue (nothing of the sealed content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WbsLine {
    pub case_id: i64,
    pub tracking_number: String,
    pub status: ComplaintStatus,
    pub opened_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub late: bool,
}

/// The government's whistleblowing reports, open ones first by deadline, for an inspector; `Forbidden`
/// for anyone else.
pub async fn queue(db: &Db, officer_id: i64, now: DateTime<Utc>) -> Result<Vec<WbsLine>, StoreError> {
    let mut tx = db.begin_read().await?;
    let who = officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    tx.commit().await?;
    let Some(government_id) = who.government_id else { return Err(StoreError::Forbidden) };
    if !permits(&who, Action::ReadWhistleblowing, &Target::government(government_id)) {
        return Err(StoreError::Forbidden);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        case_id: i64,
        tracking_number: Option<String>,
        status: String,
        opened_at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
        closed_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = db
        .fetch_all(
            query(
                "SELECT c.id AS case_id, c.tracking_number, c.status, c.opened_at, c.due_at, c.closed_at \
                 FROM cases c JOIN complaints p ON p.case_id = c.id \
                 WHERE c.government_id = $1 AND p.channel = $2 \
                 ORDER BY CASE WHEN c.closed_at IS NULL THEN 0 ELSE 1 END, c.due_at, c.id DESC LIMIT 500",
            )
            .bind(government_id)
            .bind(Channel::Whistleblowing.code()),
        )
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(WbsLine {
                case_id: row.case_id,
                tracking_number: row.tracking_number.unwrap_or_default(),
                status: ComplaintStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt("status".into()))?,
                opened_at: row.opened_at,
                late: row.closed_at.is_none() && row.due_at.is_some_and(|due| due <= now),
                due_at: row.due_at,
                closed_at: row.closed_at,
            })
        })
        .collect()
}

/// One opening of a report, as the inspectorate sees the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Opening {
    pub id: i64,
    pub officer_id: i64,
    pub officer_name: String,
    pub opened_at: DateTime<Utc>,
}

/// A whistleblowing report as an inspector sees it before opening: where it stands, its history, who
/// opened it when, the key it is sealed to, and what the inspector may do now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectorCase {
    pub case: Case,
    pub status: ComplaintStatus,
    pub history: Vec<CaseEvent>,
    pub key_fingerprint: String,
    pub openings: Vec<Opening>,
    pub events: Vec<ComplaintEvent>,
}

/// Checks, inside the transaction, that the officer is an inspector of the report's government and
/// that the case is a whistleblowing report; anything else is `NotFound` or `Forbidden`.
async fn inspector_case_in(
    tx: &mut Tx,
    officer_id: i64,
    case_id: i64,
) -> Result<(Case, super::ComplaintRow), StoreError> {
    let case = complaint_case_in(tx, case_id).await?;
    let row = complaint_row_in(tx, case_id).await?;
    if row.channel != Channel::Whistleblowing.code() {
        return Err(StoreError::NotFound);
    }
    let who = officer_principal(tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    let place = Place { government_id: case.government_id, agency_id: Some(case.agency_id), unit_id: case.unit_id };
    if !permits(&who, Action::ReadWhistleblowing, &Target::at(place)) {
        return Err(StoreError::Forbidden);
    }
    Ok((case, row))
}

pub async fn case_for_inspector(db: &Db, officer_id: i64, case_id: i64) -> Result<InspectorCase, StoreError> {
    let mut tx = db.begin_read().await?;
    let (case, row) = inspector_case_in(&mut tx, officer_id, case_id).await?;
    let history = cases::events_in(&mut tx, case_id).await?;
    let key_id = row.sealed_key_id.ok_or_else(|| StoreError::Corrupt("whistleblowing report without a key".into()))?;
    let key = key_in(&mut tx, key_id).await?.ok_or_else(|| StoreError::Corrupt("missing whistleblowing key".into()))?;
    let openings: Vec<Opening> = tx
        .fetch_all(
            query(
                "SELECT o.id, o.officer_id, f.display_name AS officer_name, o.opened_at FROM whistleblowing_openings o \
                 JOIN officers f ON f.id = o.officer_id WHERE o.case_id = $1 ORDER BY o.opened_at DESC, o.id DESC",
            )
            .bind(case_id),
        )
        .await?;
    tx.commit().await?;
    let status = super::status_of(&case)?;
    let events = super::events_for_officer(db, officer_id, case_id).await?;
    Ok(InspectorCase { case, status, history, key_fingerprint: key.fingerprint, openings, events })
}

/// A report opened with the private key: its text and its reporter's identity, in memory only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub report: SealedReport,
    pub identity: SealedIdentity,
    /// The audit leaf that records this opening.
    pub audit_seq: i64,
}

fn unseal<T: for<'de> Deserialize<'de>>(secret: &SecretKey, sealed: &str) -> Result<T, StoreError> {
    let bytes = STANDARD.decode(sealed).map_err(|_| StoreError::Corrupt("sealed value".into()))?;
    let plain = secret.unseal(&bytes).map_err(|_| StoreError::Corrupt("sealed value does not open".into()))?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt("sealed value".into()))
}

/// Opens a report with the private key an inspector pasted: the key is checked against the one the
/// report was sealed to, the text and identity are opened in memory, and the opening is recorded
/// with its audit leaf, all in one transaction. A refused key writes nothing; the key is never kept.
pub async fn open_as_inspector(
    db: &Db,
    officer_id: i64,
    case_id: i64,
    private_key: &str,
    now: DateTime<Utc>,
) -> Result<Result<Opened, KeyRefused>, StoreError> {
    let mut tx = db.begin().await?;
    let (case, row) = inspector_case_in(&mut tx, officer_id, case_id).await?;
    let secret = match parse_private_key(private_key) {
        Ok(secret) => secret,
        Err(refused) => return Ok(Err(refused)),
    };
    let key_id = row.sealed_key_id.ok_or_else(|| StoreError::Corrupt("whistleblowing report without a key".into()))?;
    let key = key_in(&mut tx, key_id).await?.ok_or_else(|| StoreError::Corrupt("missing whistleblowing key".into()))?;
    if STANDARD.encode(secret.public_key().as_bytes()) != key.public_key {
        return Ok(Err(KeyRefused::WrongKey));
    }
    let (Some(sealed_text), Some(sealed_identity)) = (row.sealed_text.as_deref(), row.sealed_identity.as_deref())
    else {
        return Err(StoreError::Corrupt("whistleblowing report without its sealed parts".into()));
    };
    let report: SealedReport = unseal(&secret, sealed_text)?;
    let identity: SealedIdentity = unseal(&secret, sealed_identity)?;
    drop(secret);
    let opening_id = tx
        .insert(
            query(
                "INSERT INTO whistleblowing_openings (government_id, case_id, officer_id, key_id, opened_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(case.government_id)
            .bind(case.id)
            .bind(officer_id)
            .bind(key.id)
            .bind(now),
        )
        .await?;
    let audit_seq = audit::record_read(
        &mut tx,
        &audit::Actor::officer(officer_id),
        "complaints.whistleblowing.open",
        &Subject::new("whistleblowing_openings", opening_id),
        Some(case.government_id),
        OPENING_PURPOSE,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Opened { report, identity, audit_seq }))
}

// ---- audited state ------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] =
    &[AuditedTable::new("whistleblowing_keys", key_state), AuditedTable::new("whistleblowing_openings", opening_state)];

fn key_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<WhistleblowingKey>(
        tx,
        "whistleblowing_keys",
        crate::dynamic_query(format!("SELECT {KEY_COLUMNS} FROM whistleblowing_keys WHERE id = $1")),
        id,
    )
}

#[derive(Serialize, sqlx::FromRow)]
struct OpeningState {
    id: i64,
    government_id: i64,
    case_id: i64,
    officer_id: i64,
    key_id: i64,
    opened_at: DateTime<Utc>,
}

fn opening_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<OpeningState>(
        tx,
        "whistleblowing_openings",
        query(
            "SELECT id, government_id, case_id, officer_id, key_id, opened_at FROM whistleblowing_openings WHERE id = $1",
        ),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_private_key_only() {
        let pair = generate_key_pair();
        let public = PublicKey::from_bytes(parse_public_key(&pair.public_key).unwrap());
        let sealed = seal_to(&public, &SealedIdentity { name: "Ani".into(), contact: "ani@contoh.id".into() }).unwrap();
        assert!(!sealed.contains("Ani"));
        let secret = parse_private_key(&pair.private_key).unwrap();
        let opened: SealedIdentity = unseal(&secret, &sealed).unwrap();
        assert_eq!(opened.name, "Ani");
        let other = parse_private_key(&generate_key_pair().private_key).unwrap();
        assert!(unseal::<SealedIdentity>(&other, &sealed).is_err());
    }

    #[test]
    fn a_private_key_is_read_in_its_written_form_only() {
        let pair = generate_key_pair();
        assert!(pair.private_key.starts_with(PRIVATE_KEY_PREFIX));
        // Pasted across lines, it still reads.
        let wrapped = format!(" {}\n{} ", &pair.private_key[..20], &pair.private_key[20..]);
        assert!(parse_private_key(&wrapped).is_ok());
        assert_eq!(parse_private_key(&pair.public_key).err(), Some(KeyRefused::Malformed));
        assert_eq!(parse_private_key("BALAI-WBS-KEY-1:AAAA").err(), Some(KeyRefused::Malformed));
        assert!(!format!("{pair:?}").contains(&pair.private_key));
    }

    #[test]
    fn a_fingerprint_is_short_grouped_and_per_key() {
        let a = fingerprint(&[1; 32]);
        assert_eq!(a.len(), 8 * 4 + 7);
        assert_ne!(a, fingerprint(&[2; 32]));
    }
}
