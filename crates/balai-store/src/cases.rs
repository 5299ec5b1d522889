//! Cases: what applications (permohonan) and complaints (pengaduan) share — where a case sits
//! (government, agency, unit), whose it is, and what it is about. Each context keeps its own details
//! in its own table keyed by the case id; access to the citizen's record goes through the case
//! ([`crate::identity::access`]).

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::org::Place;
use crate::{Db, StoreError, Tx, query};
use balai_domain::identity::Target;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The kind is a domain rule; re-exported so callers keep naming it from the store.
pub use balai_domain::cases::CaseKind;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    government_id: i64,
    kind: String,
    agency_id: i64,
    unit_id: Option<i64>,
    citizen_id: Option<i64>,
    service_id: Option<i64>,
    title: String,
    opened_at: DateTime<Utc>,
}

pub(crate) const CASE_COLUMNS: &str =
    "id, government_id, kind, agency_id, unit_id, citizen_id, service_id, title, opened_at";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: i64,
    pub government_id: i64,
    pub kind: CaseKind,
    pub agency_id: i64,
    pub unit_id: Option<i64>,
    pub citizen_id: Option<i64>,
    pub service_id: Option<i64>,
    pub title: String,
    pub opened_at: DateTime<Utc>,
}

impl Case {
    /// `PMH-000012`: what the citizen and the officer quote.
    pub fn reference(&self) -> String {
        reference(self.kind, self.id)
    }

    /// Where the case sits: always with an agency, and with a unit once forwarded to one.
    pub fn place(&self) -> Place {
        Place { government_id: self.government_id, agency_id: Some(self.agency_id), unit_id: self.unit_id }
    }

    /// Where the case sits and whom it concerns, for the permission check.
    pub fn target(&self) -> Target {
        Target::at_concerning(self.place(), self.citizen_id)
    }
}

pub fn reference(kind: CaseKind, id: i64) -> String {
    kind.reference(id)
}

impl TryFrom<CaseRow> for Case {
    type Error = StoreError;

    fn try_from(row: CaseRow) -> Result<Case, StoreError> {
        Ok(Case {
            id: row.id,
            government_id: row.government_id,
            kind: CaseKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt(format!("case kind {}", row.kind)))?,
            agency_id: row.agency_id,
            unit_id: row.unit_id,
            citizen_id: row.citizen_id,
            service_id: row.service_id,
            title: row.title,
            opened_at: row.opened_at,
        })
    }
}

pub struct NewCase<'a> {
    pub government_id: i64,
    pub kind: CaseKind,
    pub agency_id: i64,
    pub unit_id: Option<i64>,
    pub citizen_id: Option<i64>,
    pub service_id: Option<i64>,
    pub title: &'a str,
}

/// Opens a case; the opening is a leaf of the audit log.
pub async fn open_case(tx: &mut Tx, actor: &Actor, new: &NewCase<'_>) -> Result<i64, StoreError> {
    let id = tx
        .insert(
            query(
                "INSERT INTO cases (government_id, kind, agency_id, unit_id, citizen_id, service_id, title, opened_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(new.government_id)
            .bind(new.kind.code())
            .bind(new.agency_id)
            .bind(new.unit_id)
            .bind(new.citizen_id)
            .bind(new.service_id)
            .bind(new.title)
            .bind(Utc::now()),
        )
        .await?;
    audit::record_change(tx, actor, "cases.open", &Subject::new("cases", id), Some(new.government_id)).await?;
    Ok(id)
}

pub(crate) async fn case_in(tx: &mut Tx, id: i64) -> Result<Option<Case>, StoreError> {
    let row: Option<CaseRow> = tx
        .fetch_optional(crate::dynamic_query(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")).bind(id))
        .await?;
    row.map(Case::try_from).transpose()
}

pub async fn case(db: &Db, id: i64) -> Result<Option<Case>, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = case_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(case)
}

/// The newest cases of an agency, newest first (an officer's work list).
pub async fn agency_cases(db: &Db, government_id: i64, agency_id: i64, limit: i64) -> Result<Vec<Case>, StoreError> {
    let rows: Vec<CaseRow> = db
        .fetch_all(
            crate::dynamic_query(format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE government_id = $1 AND agency_id = $2 ORDER BY opened_at DESC, id DESC LIMIT $3"
            ))
            .bind(government_id)
            .bind(agency_id)
            .bind(limit),
        )
        .await?;
    rows.into_iter().map(Case::try_from).collect()
}

// ---- audited state ----------------------------------------------------------------------------

/// Cases are audited rows (each context's own details are audited with its own tables).
pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("cases", case_state)];

fn case_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<CaseRow>(
        tx,
        "cases",
        crate::dynamic_query(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")),
        id,
    )
}
