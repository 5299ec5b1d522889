//! Purpose-bound access (R3, R20): staff open a citizen's record only through a case their role and
//! place allow them to work, naming why. Each read is a `citizen_reads` row — what the citizen's page
//! "Siapa yang mengakses data saya" lists — and an audit-log leaf carrying the purpose, written in
//! the same transaction as the read, so there is no read without its record.

use super::citizens::{Citizen, citizen_in};
use super::vault::Vault;
use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::cases::{self, CaseKind};
use crate::{Db, StoreError, Tx, query};
use balai_domain::IndonesianTimeZone;
use balai_domain::identity::{Action, Principal, Purpose, Role, Target, permits};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why a read was refused. Nothing is written when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessRefused {
    /// No such case (or none this officer may know of).
    NoSuchCase,
    /// The case is not about a known citizen (an anonymous complaint).
    NoCitizenOnCase,
    /// The case is outside the officer's role, agency or unit.
    NotYourCase,
    /// The account is not an active officer.
    NotStaff,
}

#[derive(sqlx::FromRow)]
struct OfficerPlace {
    role: String,
    government_id: Option<i64>,
    agency_id: Option<i64>,
    unit_id: Option<i64>,
}

/// An officer's role and place as their account says now, read inside the caller's transaction, so a
/// role revoked a moment ago no longer counts.
pub async fn officer_principal(tx: &mut Tx, officer_id: i64) -> Result<Option<Principal>, StoreError> {
    let officer: Option<OfficerPlace> = tx
        .fetch_optional(
            query("SELECT role, government_id, agency_id, unit_id FROM officers WHERE id = $1").bind(officer_id),
        )
        .await?;
    Ok(officer.and_then(|OfficerPlace { role, government_id, agency_id, unit_id }| {
        Some(Principal {
            role: Role::parse(&role)?,
            government_id,
            agency_id,
            unit_id,
            citizen_id: None,
            assurance: None,
        })
    }))
}

/// The one permission check of every officer command: the officer's role and place are read from
/// their account inside the command's transaction, then `permits` decides. Refusal is
/// [`StoreError::Forbidden`], so the command rolls back whatever it has not yet written (nothing).
pub async fn authorize_officer(
    tx: &mut Tx,
    officer_id: i64,
    action: Action,
    target: &Target,
) -> Result<Principal, StoreError> {
    match officer_principal(tx, officer_id).await? {
        Some(who) if permits(&who, action, target) => Ok(who),
        _ => Err(StoreError::Forbidden),
    }
}

/// Opens the record of the citizen a case is about, for an officer working that case, and records
/// the read, in one transaction. The officer's role and place are read from their account inside it,
/// so a role revoked a moment ago no longer reads. A refused read writes nothing.
pub async fn read_citizen_for_case(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    case_id: i64,
    purpose: &Purpose,
) -> Result<Result<Citizen, AccessRefused>, StoreError> {
    let mut tx = db.begin().await?;
    let read = read_citizen_for_case_in(&mut tx, vault, officer_id, case_id, purpose).await?;
    tx.commit().await?;
    Ok(read)
}

/// [`read_citizen_for_case`] inside a transaction the caller holds (the demo seed's).
pub async fn read_citizen_for_case_in(
    tx: &mut Tx,
    vault: &Vault,
    officer_id: i64,
    case_id: i64,
    purpose: &Purpose,
) -> Result<Result<Citizen, AccessRefused>, StoreError> {
    let Some(who) = officer_principal(tx, officer_id).await? else {
        return Ok(Err(AccessRefused::NotStaff));
    };
    let Some(case) = cases::case_in(tx, case_id).await? else {
        return Ok(Err(AccessRefused::NoSuchCase));
    };
    if !permits(&who, Action::ReadCitizenForCase, &case.target()) {
        return Ok(Err(AccessRefused::NotYourCase));
    }
    let Some(citizen_id) = case.citizen_id else {
        return Ok(Err(AccessRefused::NoCitizenOnCase));
    };
    let Some(citizen) = citizen_in(tx, vault, citizen_id).await? else {
        return Err(StoreError::Corrupt(format!("case {case_id} names a missing citizen")));
    };
    let read_id = tx
        .insert(
            query(
                "INSERT INTO citizen_reads (government_id, citizen_id, case_id, officer_id, officer_role, agency_id, purpose, read_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(case.government_id)
            .bind(citizen_id)
            .bind(case.id)
            .bind(officer_id)
            .bind(who.role.code())
            .bind(who.agency_id)
            .bind(purpose.as_str())
            .bind(Utc::now()),
        )
        .await?;
    let audit_seq = audit::record_read(
        tx,
        &Actor::officer(officer_id),
        "identity.citizen.read",
        &Subject::new("citizen_reads", read_id),
        Some(case.government_id),
        purpose.as_str(),
    )
    .await?;
    tx.execute(query("UPDATE citizen_reads SET audit_seq = $1 WHERE id = $2").bind(audit_seq).bind(read_id)).await?;
    Ok(Ok(citizen))
}

/// One read of a citizen's record, as the citizen is shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitizenRead {
    pub read_at: DateTime<Utc>,
    /// The zone of the government whose officer read, to show the time as they would.
    pub time_zone: IndonesianTimeZone,
    pub agency_name: Option<String>,
    pub officer_role: Role,
    pub case_reference: String,
    pub case_title: String,
    pub purpose: String,
    /// The audit-log leaf that vouches for this read.
    pub audit_seq: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ReadRow {
    read_at: DateTime<Utc>,
    time_zone: String,
    agency_name: Option<String>,
    officer_role: String,
    case_id: i64,
    case_kind: String,
    case_title: String,
    purpose: String,
    /// Written with the read, after its leaf; `audit verify` checks it against the log.
    audit_seq: Option<i64>,
}

/// Every read of a citizen's record, newest first.
pub async fn reads_of(db: &Db, citizen_id: i64, limit: i64) -> Result<Vec<CitizenRead>, StoreError> {
    let rows: Vec<ReadRow> = db
        .fetch_all(
            query(
                "SELECT r.read_at, g.time_zone, a.name AS agency_name, r.officer_role, r.case_id, c.kind AS case_kind, \
                 c.title AS case_title, r.purpose, r.audit_seq \
                 FROM citizen_reads r JOIN cases c ON c.id = r.case_id JOIN governments g ON g.id = r.government_id \
                 LEFT JOIN agencies a ON a.id = r.agency_id \
                 WHERE r.citizen_id = $1 ORDER BY r.read_at DESC, r.id DESC LIMIT $2",
            )
            .bind(citizen_id)
            .bind(limit),
        )
        .await?;
    let mut reads = Vec::with_capacity(rows.len());
    for row in rows {
        let kind = CaseKind::parse(&row.case_kind)
            .ok_or_else(|| StoreError::Corrupt(format!("case kind {}", row.case_kind)))?;
        reads.push(CitizenRead {
            read_at: row.read_at,
            time_zone: IndonesianTimeZone::parse(&row.time_zone)
                .ok_or_else(|| StoreError::Corrupt(format!("time zone {}", row.time_zone)))?,
            agency_name: row.agency_name,
            officer_role: Role::parse(&row.officer_role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {}", row.officer_role)))?,
            case_reference: cases::reference(kind, row.case_id),
            case_title: row.case_title,
            purpose: row.purpose,
            audit_seq: row.audit_seq,
        });
    }
    Ok(reads)
}

// ---- audited state ----------------------------------------------------------------------------

/// Each read of a citizen's record is an audited row; it also shows the citizen the number of the
/// leaf that vouches for it, which `verify` checks.
pub(crate) const AUDITED: &[AuditedTable] =
    &[AuditedTable::new("citizen_reads", read_state).numbered_by(leaf_numbers_of_reads)];

#[derive(Serialize, sqlx::FromRow)]
struct CitizenReadState {
    id: i64,
    government_id: i64,
    citizen_id: i64,
    case_id: i64,
    officer_id: i64,
    officer_role: String,
    agency_id: Option<i64>,
    purpose: String,
    read_at: DateTime<Utc>,
}

fn read_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<CitizenReadState>(
        tx,
        "citizen_reads",
        query(
            "SELECT id, government_id, citizen_id, case_id, officer_id, officer_role, agency_id, purpose, read_at \
                     FROM citizen_reads WHERE id = $1",
        ),
        id,
    )
}

fn leaf_numbers_of_reads<'a>(tx: &'a mut Tx) -> BoxFuture<'a, Result<audit::LeafNumbers, StoreError>> {
    Box::pin(async move {
        let reads: Vec<(i64, Option<i64>)> =
            tx.fetch_all(query("SELECT id, audit_seq FROM citizen_reads ORDER BY id")).await?;
        Ok(reads.into_iter().map(|(id, seq)| (id.to_string(), seq)).collect())
    })
}
