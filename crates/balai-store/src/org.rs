//! The organisation: governments, their agencies (OPD) and each agency's tree of units. The catalogue,
//! the calendar, cases and officers all point into it. Its pure rules (places, the unit tree, checks of
//! new rows) are [`balai_domain::org`]'s.
//!
//! The audit leaves keep the kinds they were first written under (`catalogue.government.create`, …):
//! a hashed leaf cannot be renamed, and readers of the log filter on them.

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::{Db, Page, Paging, StoreError, Tx, dynamic_query, query};
use balai_domain::IndonesianTimeZone;
use balai_domain::org::{self, UnitNode};
use balai_domain::region::RegionCode;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Pure rules of the organisation, re-exported so callers keep naming them from the store.
pub use balai_domain::org::{Place, unit_depth};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Government {
    pub id: i64,
    pub region_code: String,
    pub name: String,
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
}

impl Government {
    pub fn zone(&self) -> IndonesianTimeZone {
        IndonesianTimeZone::parse(&self.time_zone).unwrap_or(IndonesianTimeZone::Wib)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    pub government_id: i64,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub maklumat: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub government_id: i64,
    pub agency_id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

impl UnitNode for Unit {
    fn id(&self) -> i64 {
        self.id
    }

    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

#[derive(Debug, Clone)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub maklumat: String,
}

// ---- governments ----------------------------------------------------------------------------

pub async fn create_government(
    tx: &mut Tx,
    actor: &Actor,
    region_code: &RegionCode,
    name: &str,
    zone: IndonesianTimeZone,
) -> Result<Government, StoreError> {
    org::check_new_government(region_code)?;
    let id = tx
        .insert(
            query("INSERT INTO governments (region_code, name, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(region_code.as_str())
                .bind(name)
                .bind(zone.code())
                .bind(Utc::now()),
        )
        .await?;
    audit::record_change(tx, actor, "catalogue.government.create", &Subject::new("governments", id), Some(id)).await?;
    tx.fetch_one(query(GOVERNMENT_SELECT_BY_ID).bind(id)).await
}

const GOVERNMENT_SELECT_BY_ID: &str =
    "SELECT id, region_code, name, time_zone, created_at FROM governments WHERE id = $1";

pub async fn governments(db: &Db) -> Result<Vec<Government>, StoreError> {
    db.fetch_all(query("SELECT id, region_code, name, time_zone, created_at FROM governments ORDER BY region_code"))
        .await
}

pub async fn government_by_region(db: &Db, region_code: &str) -> Result<Government, StoreError> {
    db.fetch_one(
        query("SELECT id, region_code, name, time_zone, created_at FROM governments WHERE region_code = $1")
            .bind(region_code),
    )
    .await
}

pub async fn government(db: &Db, id: i64) -> Result<Government, StoreError> {
    db.fetch_one(query(GOVERNMENT_SELECT_BY_ID).bind(id)).await
}

// ---- agencies and units ---------------------------------------------------------------------

const AGENCY_COLUMNS: &str =
    "id, government_id, code, name, short_name, address, phone, email, maklumat, created_at, updated_at";

pub async fn create_agency(
    tx: &mut Tx,
    actor: &Actor,
    government_id: i64,
    agency: &NewAgency,
) -> Result<Agency, StoreError> {
    let now = Utc::now();
    let id = tx
        .insert(
            query(
                "INSERT INTO agencies (government_id, code, name, short_name, address, phone, email, maklumat, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(government_id)
            .bind(&agency.code)
            .bind(&agency.name)
            .bind(&agency.short_name)
            .bind(&agency.address)
            .bind(&agency.phone)
            .bind(&agency.email)
            .bind(&agency.maklumat)
            .bind(now),
        )
        .await?;
    audit::record_change(tx, actor, "catalogue.agency.create", &Subject::new("agencies", id), Some(government_id))
        .await?;
    tx.fetch_one(dynamic_query(format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1")).bind(id)).await
}

pub async fn agency(db: &Db, id: i64) -> Result<Agency, StoreError> {
    db.fetch_one(dynamic_query(format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1")).bind(id)).await
}

pub async fn agencies(db: &Db, region_code: Option<&str>, paging: Paging) -> Result<Page<Agency>, StoreError> {
    let (filter, args): (&str, Vec<String>) = match region_code {
        Some(r) => (" WHERE government_id = (SELECT id FROM governments WHERE region_code = $1)", vec![r.to_owned()]),
        None => ("", vec![]),
    };
    let n = args.len();
    let mut list = dynamic_query(format!(
        "SELECT {AGENCY_COLUMNS} FROM agencies{filter} ORDER BY government_id, name LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ));
    let mut count = dynamic_query(format!("SELECT COUNT(*) FROM agencies{filter}"));
    for a in &args {
        list = list.bind(a);
        count = count.bind(a);
    }
    let items = db.fetch_all(list.bind(paging.per_page).bind(paging.offset())).await?;
    let (total,): (i64,) = db.fetch_one(count).await?;
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}

pub async fn create_unit(
    tx: &mut Tx,
    actor: &Actor,
    agency: &Agency,
    parent_id: Option<i64>,
    code: &str,
    name: &str,
) -> Result<Unit, StoreError> {
    if let Some(parent) = parent_id {
        let (parent_agency,): (i64,) =
            tx.fetch_one(query("SELECT agency_id FROM units WHERE id = $1").bind(parent)).await?;
        org::check_unit_parent(agency.id, parent_agency)?;
    }
    let id = tx
        .insert(
            query("INSERT INTO units (government_id, agency_id, parent_id, code, name) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(agency.government_id)
                .bind(agency.id)
                .bind(parent_id)
                .bind(code)
                .bind(name),
        )
        .await?;
    audit::record_change(tx, actor, "catalogue.unit.create", &Subject::new("units", id), Some(agency.government_id))
        .await?;
    Ok(Unit {
        id,
        government_id: agency.government_id,
        agency_id: agency.id,
        parent_id,
        code: code.into(),
        name: name.into(),
    })
}

/// An agency's units in tree order (parents before children, siblings by name).
pub async fn units(db: &Db, agency_id: i64) -> Result<Vec<Unit>, StoreError> {
    let all: Vec<Unit> = db
        .fetch_all(
            query("SELECT id, government_id, agency_id, parent_id, code, name FROM units WHERE agency_id = $1 ORDER BY name")
                .bind(agency_id),
        )
        .await?;
    Ok(org::tree_order(all))
}

// ---- audited state ---------------------------------------------------------------------------

/// The organisation's tables the log vouches for, with how each row is read for its state hash.
pub(crate) const AUDITED: &[AuditedTable] = &[
    AuditedTable::new("governments", government_state),
    AuditedTable::new("agencies", agency_state),
    AuditedTable::new("units", unit_state),
];

fn government_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Government>(
        tx,
        "governments",
        query("SELECT id, region_code, name, time_zone, created_at FROM governments WHERE id = $1"),
        id,
    )
}

fn agency_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Agency>(
        tx,
        "agencies",
        query(
            "SELECT id, government_id, code, name, short_name, address, phone, email, maklumat, created_at, updated_at \
                     FROM agencies WHERE id = $1",
        ),
        id,
    )
}

fn unit_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Unit>(
        tx,
        "units",
        query("SELECT id, government_id, agency_id, parent_id, code, name FROM units WHERE id = $1"),
        id,
    )
}

/// Every unit of a government (id, agency, "agency — unit"), for choosing where to forward a case.
pub async fn units_of_government(db: &Db, government_id: i64) -> Result<Vec<(i64, i64, String)>, StoreError> {
    db.fetch_all(
        query(
            "SELECT u.id, u.agency_id, a.short_name || ' — ' || u.name FROM units u JOIN agencies a ON a.id = u.agency_id \
             WHERE u.government_id = $1 ORDER BY a.short_name, u.name LIMIT 1000",
        )
        .bind(government_id),
    )
    .await
}
