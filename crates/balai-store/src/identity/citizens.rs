//! The one citizen record (R3): entered once, held by the government, read under authorisation.
//!
//! NIK, KK, address, phone and e-mail are sealed at rest ([`Vault`]); the NIK is found through its
//! keyed hash. Name, birth place and date, sex and the address's region code stay in the clear: they
//! are needed to list, sort and route, and alone they identify no one as surely as a NIK does.

use super::vault::{Vault, VaultError};
use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject, numeric_id, to_json};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::contact::Channel;
use balai_domain::identity::Assurance;
use balai_domain::nik::{Nik, Sex};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub(crate) const CITIZEN_COLUMNS: &str = "id, nik_hash, nik_enc, full_name, birth_place, birth_date, sex, address_enc, \
     region_code, kk_enc, phone_enc, email_enc, created_at, updated_at, phone_assurance, email_assurance";

/// A citizen row as stored (sealed columns still sealed).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct CitizenRow {
    id: i64,
    nik_hash: String,
    nik_enc: String,
    full_name: String,
    birth_place: String,
    birth_date: Option<NaiveDate>,
    sex: Option<String>,
    address_enc: Option<String>,
    region_code: Option<String>,
    kk_enc: Option<String>,
    phone_enc: Option<String>,
    email_enc: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    // Absent rather than null while basic, so states hashed before these columns existed still match.
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_assurance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_assurance: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct DocumentRow {
    doc_type: String,
    number_enc: Option<String>,
    issuer: String,
    issued_on: Option<NaiveDate>,
}

/// A document the government already holds for the citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDocument {
    pub doc_type: String,
    pub number: Option<String>,
    pub issuer: String,
    pub issued_on: Option<NaiveDate>,
}

/// A citizen record, opened. Its `Debug` hides the personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: i64,
    pub nik: String,
    pub full_name: String,
    pub birth_place: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
    pub region_code: Option<String>,
    pub kk: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// How surely the phone and the e-mail address are the person's.
    pub phone_assurance: Assurance,
    pub email_assurance: Assurance,
    pub documents: Vec<HeldDocument>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Citizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Citizen({})", self.id)
    }
}

impl Citizen {
    /// `5371••••••••0001`, for screens.
    pub fn masked_nik(&self) -> String {
        mask_digits(&self.nik)
    }
}

/// Shows the first four and last four digits of a NIK or KK number.
pub fn mask_digits(number: &str) -> String {
    if number.len() < 8 || !number.is_ascii() {
        return "•".repeat(number.chars().count());
    }
    format!("{}{}{}", &number[..4], "•".repeat(number.len() - 8), &number[number.len() - 4..])
}

/// What the population register (or a sign-up) knows of a new citizen.
#[derive(Debug, Clone, Default)]
pub struct NewCitizen {
    pub full_name: String,
    pub birth_place: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
    pub region_code: Option<String>,
    pub kk: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "L",
        Sex::Female => "P",
    }
}

pub fn nik_hash(vault: &Vault, nik: &Nik) -> String {
    vault.lookup_hash("nik", nik.expose())
}

/// Creates the record of a citizen; the creation is a leaf of the audit log.
pub async fn create_citizen(
    tx: &mut Tx,
    actor: &Actor,
    vault: &Vault,
    nik: &Nik,
    new: &NewCitizen,
) -> Result<i64, StoreError> {
    let now = Utc::now();
    let seal = |column, value: &Option<String>| value.as_deref().map(|v| vault.seal(column, v));
    let pseudonym = new_pseudonym();
    let id = tx
        .insert(
            query(
                "INSERT INTO citizens (nik_hash, nik_enc, full_name, birth_place, birth_date, sex, address_enc, region_code, \
                 kk_enc, phone_enc, email_enc, created_at, updated_at, audit_pseudonym) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id",
            )
            .bind(nik_hash(vault, nik))
            .bind(vault.seal("citizens.nik", nik.expose()))
            .bind(new.full_name.as_str())
            .bind(new.birth_place.as_str())
            .bind(new.birth_date)
            .bind(new.sex.or(Some(nik.sex)).map(sex_code))
            .bind(seal("citizens.address", &new.address))
            .bind(new.region_code.clone())
            .bind(seal("citizens.kk", &new.kk))
            .bind(seal("citizens.phone", &new.phone))
            .bind(seal("citizens.email", &new.email))
            .bind(now)
            .bind(pseudonym.as_str()),
        )
        .await?;
    audit::record_change(tx, actor, "identity.citizen.create", &Subject::new("citizens", pseudonym), None).await?;
    Ok(id)
}

/// A citizen's name in the public audit log: `p` and 32 random hex digits, drawn once per record.
/// Random rather than keyed: no key can be tried against the small space of record ids, and rotating
/// the personal-data key leaves it unchanged.
fn new_pseudonym() -> String {
    let bytes: [u8; 16] = rand::random();
    let mut name = String::with_capacity(33);
    name.push('p');
    for b in bytes {
        name.push_str(&format!("{b:02x}"));
    }
    name
}

/// Whether a citizen subject id is a pseudonym (new leaves) rather than a record id (older leaves).
pub(crate) fn is_pseudonym(id: &str) -> bool {
    id.len() == 33 && id.starts_with('p') && id[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The pseudonym that names a citizen in the audit log (their record id for a record without one).
pub async fn pseudonym(tx: &mut Tx, citizen_id: i64) -> Result<String, StoreError> {
    let row: Option<(Option<String>,)> =
        tx.fetch_optional(query("SELECT audit_pseudonym FROM citizens WHERE id = $1").bind(citizen_id)).await?;
    Ok(row.and_then(|(p,)| p).unwrap_or_else(|| citizen_id.to_string()))
}

/// The audit subject of a citizen's record.
pub async fn audit_subject(tx: &mut Tx, citizen_id: i64) -> Result<Subject, StoreError> {
    Ok(Subject::new("citizens", pseudonym(tx, citizen_id).await?))
}

/// The audit actor of a citizen acting on their own behalf.
pub async fn audit_actor(tx: &mut Tx, citizen_id: i64) -> Result<Actor, StoreError> {
    Ok(Actor { role: "citizen".into(), id: pseudonym(tx, citizen_id).await? })
}

/// Records a document the government holds for the citizen (replacing an older one of the same type).
pub async fn hold_document(
    tx: &mut Tx,
    actor: &Actor,
    vault: &Vault,
    citizen_id: i64,
    document: &HeldDocument,
) -> Result<(), StoreError> {
    tx.execute(
        query("DELETE FROM citizen_documents WHERE citizen_id = $1 AND doc_type = $2")
            .bind(citizen_id)
            .bind(document.doc_type.as_str()),
    )
    .await?;
    tx.execute(
        query(
            "INSERT INTO citizen_documents (citizen_id, doc_type, number_enc, issuer, issued_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(citizen_id)
        .bind(document.doc_type.as_str())
        .bind(document.number.as_deref().map(|n| vault.seal("citizen_documents.number", n)))
        .bind(document.issuer.as_str())
        .bind(document.issued_on),
    )
    .await?;
    touch(tx, citizen_id).await?;
    let subject = audit_subject(tx, citizen_id).await?;
    audit::record_change(tx, actor, "identity.citizen.document", &subject, None).await?;
    Ok(())
}

/// Binds a phone or e-mail to a citizen's record at a level; `action` names how in the audit log
/// (`identity.citizen.contact_at_counter`, …). Returns the contact it replaced, if any.
#[allow(clippy::too_many_arguments)]
pub async fn set_contact(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    vault: &Vault,
    citizen_id: i64,
    channel: Channel,
    recipient: &str,
    assurance: Assurance,
) -> Result<Option<String>, StoreError> {
    let (sql, column) = match channel {
        Channel::Email => ("UPDATE citizens SET email_enc = $1, email_assurance = $2 WHERE id = $3", "citizens.email"),
        Channel::Sms | Channel::Whatsapp => {
            ("UPDATE citizens SET phone_enc = $1, phone_assurance = $2 WHERE id = $3", "citizens.phone")
        }
    };
    let before = citizen_in(tx, vault, citizen_id).await?.ok_or(StoreError::NotFound)?;
    let old = match channel {
        Channel::Email => before.email,
        Channel::Sms | Channel::Whatsapp => before.phone,
    };
    // Basic is stored as NULL, so records whose contacts never rose keep the state older leaves hashed.
    let level = (assurance != Assurance::Basic).then_some(assurance.code());
    tx.execute(query(sql).bind(vault.seal(column, recipient)).bind(level).bind(citizen_id)).await?;
    touch(tx, citizen_id).await?;
    let subject = audit_subject(tx, citizen_id).await?;
    audit::record_change(tx, actor, action, &subject, None).await?;
    Ok(old)
}

async fn touch(tx: &mut Tx, citizen_id: i64) -> Result<(), StoreError> {
    tx.execute(query("UPDATE citizens SET updated_at = $1 WHERE id = $2").bind(Utc::now()).bind(citizen_id)).await?;
    Ok(())
}

/// The record of the citizen with this NIK, if there is one.
pub async fn citizen_by_nik(tx: &mut Tx, vault: &Vault, nik: &Nik) -> Result<Option<Citizen>, StoreError> {
    match citizen_id_by_nik(tx, vault, nik).await? {
        Some(id) => citizen_in(tx, vault, id).await,
        None => Ok(None),
    }
}

/// The id of the citizen with this NIK, if there is one.
pub async fn citizen_id_by_nik(tx: &mut Tx, vault: &Vault, nik: &Nik) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> =
        tx.fetch_optional(query("SELECT id FROM citizens WHERE nik_hash = $1").bind(nik_hash(vault, nik))).await?;
    Ok(row.map(|(id,)| id))
}

/// Whether Balai holds a record for this NIK, and its id: asked before the population register is
/// (a network call, made outside any write transaction) only for a person not held here.
pub async fn held_citizen_id(db: &Db, vault: &Vault, nik: &Nik) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> =
        db.fetch_optional(query("SELECT id FROM citizens WHERE nik_hash = $1").bind(nik_hash(vault, nik))).await?;
    Ok(row.map(|(id,)| id))
}

/// The citizen's own record, opened. Staff read it only through [`super::access::read_citizen_for_case`].
pub async fn citizen(db: &Db, vault: &Vault, id: i64) -> Result<Option<Citizen>, StoreError> {
    let mut tx = db.begin_read().await?;
    let citizen = citizen_in(&mut tx, vault, id).await?;
    tx.commit().await?;
    Ok(citizen)
}

pub(crate) async fn citizen_in(tx: &mut Tx, vault: &Vault, id: i64) -> Result<Option<Citizen>, StoreError> {
    let row: Option<CitizenRow> = tx
        .fetch_optional(dynamic_query(format!("SELECT {CITIZEN_COLUMNS} FROM citizens WHERE id = $1")).bind(id))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let documents: Vec<DocumentRow> = tx
        .fetch_all(
            query("SELECT doc_type, number_enc, issuer, issued_on FROM citizen_documents WHERE citizen_id = $1 ORDER BY doc_type")
                .bind(id),
        )
        .await?;
    let open = |e: VaultError| StoreError::Corrupt(e.to_string());
    let documents = documents
        .into_iter()
        .map(|d| {
            Ok(HeldDocument {
                doc_type: d.doc_type,
                number: vault.open_optional("citizen_documents.number", d.number_enc.as_deref()).map_err(open)?,
                issuer: d.issuer,
                issued_on: d.issued_on,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Citizen {
        id: row.id,
        nik: vault.open("citizens.nik", &row.nik_enc).map_err(open)?,
        full_name: row.full_name,
        birth_place: row.birth_place,
        birth_date: row.birth_date,
        sex: row.sex.as_deref().map(|s| if s == "P" { Sex::Female } else { Sex::Male }),
        address: vault.open_optional("citizens.address", row.address_enc.as_deref()).map_err(open)?,
        region_code: row.region_code,
        kk: vault.open_optional("citizens.kk", row.kk_enc.as_deref()).map_err(open)?,
        phone: vault.open_optional("citizens.phone", row.phone_enc.as_deref()).map_err(open)?,
        email: vault.open_optional("citizens.email", row.email_enc.as_deref()).map_err(open)?,
        phone_assurance: row.phone_assurance.as_deref().and_then(Assurance::parse).unwrap_or(Assurance::Basic),
        email_assurance: row.email_assurance.as_deref().and_then(Assurance::parse).unwrap_or(Assurance::Basic),
        documents,
        created_at: row.created_at,
    }))
}

/// How many citizen records exist (the binary refuses to start over them without their key).
pub async fn count(db: &Db) -> Result<i64, StoreError> {
    let (n,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM citizens")).await?;
    Ok(n)
}

/// Checks that the vault opens the stored records (a wrong key is refused at start, not at first read).
pub async fn vault_opens_records(db: &Db, vault: &Vault) -> Result<bool, StoreError> {
    let row: Option<(String,)> = db.fetch_optional(query("SELECT nik_enc FROM citizens ORDER BY id LIMIT 1")).await?;
    Ok(row.is_none_or(|(sealed,)| vault.open("citizens.nik", &sealed).is_ok()))
}

// ---- audited state ----------------------------------------------------------------------------

/// Citizen records are audited rows, their held documents part of their state. Newer leaves name a
/// record by its pseudonym, older ones by its id.
pub(crate) const AUDITED: &[AuditedTable] =
    &[AuditedTable::new("citizens", citizen_state).aliased_by(pseudonyms_of_all)];

fn citizen_state<'a>(tx: &'a mut Tx, subject_id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move {
        let id = if is_pseudonym(subject_id) {
            let row: Option<(i64,)> =
                tx.fetch_optional(query("SELECT id FROM citizens WHERE audit_pseudonym = $1").bind(subject_id)).await?;
            match row {
                Some((id,)) => id,
                None => return Ok(None),
            }
        } else {
            numeric_id("citizens", subject_id)?
        };
        let citizen: Option<CitizenRow> = tx
            .fetch_optional(dynamic_query(format!("SELECT {CITIZEN_COLUMNS} FROM citizens WHERE id = $1")).bind(id))
            .await?;
        let Some(citizen) = citizen else { return Ok(None) };
        let documents: Vec<DocumentRow> = tx
            .fetch_all(
                query(
                    "SELECT doc_type, number_enc, issuer, issued_on FROM citizen_documents \
                     WHERE citizen_id = $1 ORDER BY doc_type",
                )
                .bind(id),
            )
            .await?;
        // Sealed columns are hashed as stored: the log vouches for the ciphertext.
        Ok(Some(to_json(&(citizen, documents))))
    })
}

fn pseudonyms_of_all<'a>(tx: &'a mut Tx) -> BoxFuture<'a, Result<Vec<(String, String)>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64, Option<String>)> = tx.fetch_all(query("SELECT id, audit_pseudonym FROM citizens")).await?;
        Ok(rows.into_iter().filter_map(|(id, pseudonym)| pseudonym.map(|p| (p, id.to_string()))).collect())
    })
}
