//! A government's complaint rules, versioned: the deadlines (working days) of DOMAIN.md's classes,
//! the desk that verifies and disposes, the area reports must lie in, and what "nearby" means for the
//! similar-report check. A revision is a new version; reports keep the one they were received under.

use crate::audit::{self, Actor, BoxFuture, Subject};
use crate::identity::access::authorize_officer;
use crate::{Db, StoreError, Tx, query};
use balai_domain::complaints::{DeadlineRules, GeoBox};
use balai_domain::identity::{Action, Target};
use balai_domain::org::Place;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One version of a government's rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintRules {
    pub id: i64,
    pub government_id: i64,
    pub version: i64,
    pub deadlines: DeadlineRules,
    /// The complaint desk (pengelola pengaduan): verifies, disposes, re-routes.
    pub desk_unit_id: i64,
    /// Reports must lie inside it, when set.
    pub area: Option<GeoBox>,
    pub similar_radius_m: u32,
    pub similar_days: u32,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct RulesRow {
    id: i64,
    government_id: i64,
    version: i64,
    verify_days: i64,
    information_days: i64,
    ordinary_days: i64,
    supervisory_days: i64,
    response_days: i64,
    reopen_days: i64,
    desk_unit_id: i64,
    area_min_lat_e6: Option<i64>,
    area_min_lon_e6: Option<i64>,
    area_max_lat_e6: Option<i64>,
    area_max_lon_e6: Option<i64>,
    similar_radius_m: i64,
    similar_days: i64,
    note: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, government_id, version, verify_days, information_days, ordinary_days, supervisory_days, \
     response_days, reopen_days, desk_unit_id, area_min_lat_e6, area_min_lon_e6, area_max_lat_e6, area_max_lon_e6, \
     similar_radius_m, similar_days, note, created_by, created_at";

fn days(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("complaint rule of {value} days")))
}

impl TryFrom<RulesRow> for ComplaintRules {
    type Error = StoreError;

    fn try_from(row: RulesRow) -> Result<Self, StoreError> {
        let degrees = |v: i64| v as f64 / 1_000_000.0;
        let area = match (row.area_min_lat_e6, row.area_min_lon_e6, row.area_max_lat_e6, row.area_max_lon_e6) {
            (Some(a), Some(b), Some(c), Some(d)) => {
                Some(GeoBox { min_lat: degrees(a), min_lon: degrees(b), max_lat: degrees(c), max_lon: degrees(d) })
            }
            _ => None,
        };
        Ok(ComplaintRules {
            id: row.id,
            government_id: row.government_id,
            version: row.version,
            deadlines: DeadlineRules {
                verify_days: days(row.verify_days)?,
                information_days: days(row.information_days)?,
                ordinary_days: days(row.ordinary_days)?,
                supervisory_days: days(row.supervisory_days)?,
                response_days: days(row.response_days)?,
                reopen_days: days(row.reopen_days)?,
            },
            desk_unit_id: row.desk_unit_id,
            area,
            similar_radius_m: days(row.similar_radius_m)?,
            similar_days: days(row.similar_days)?,
            note: row.note,
            created_at: row.created_at,
        })
    }
}

/// The rules in force for a government (its newest version), if it has any.
pub(crate) async fn current_in(tx: &mut Tx, government_id: i64) -> Result<Option<ComplaintRules>, StoreError> {
    let row: Option<RulesRow> = tx
        .fetch_optional(
            crate::dynamic_query(format!(
                "SELECT {COLUMNS} FROM complaint_rules WHERE government_id = $1 ORDER BY version DESC LIMIT 1"
            ))
            .bind(government_id),
        )
        .await?;
    row.map(ComplaintRules::try_from).transpose()
}

pub(crate) async fn by_id_in(tx: &mut Tx, id: i64) -> Result<ComplaintRules, StoreError> {
    let row: RulesRow = tx
        .fetch_one(crate::dynamic_query(format!("SELECT {COLUMNS} FROM complaint_rules WHERE id = $1")).bind(id))
        .await?;
    ComplaintRules::try_from(row)
}

/// The rules in force for a government.
pub async fn current(db: &Db, government_id: i64) -> Result<Option<ComplaintRules>, StoreError> {
    let mut tx = db.begin_read().await?;
    let rules = current_in(&mut tx, government_id).await?;
    tx.commit().await?;
    Ok(rules)
}

/// Every version of a government's rules, newest first (what an auditor compares).
pub async fn history(db: &Db, government_id: i64) -> Result<Vec<ComplaintRules>, StoreError> {
    let rows: Vec<RulesRow> = db
        .fetch_all(
            crate::dynamic_query(format!(
                "SELECT {COLUMNS} FROM complaint_rules WHERE government_id = $1 ORDER BY version DESC"
            ))
            .bind(government_id),
        )
        .await?;
    rows.into_iter().map(ComplaintRules::try_from).collect()
}

/// A new version of the rules, as an admin writes it.
#[derive(Debug, Clone)]
pub struct RulesEdit<'a> {
    pub deadlines: DeadlineRules,
    pub desk_unit_id: i64,
    pub area: Option<GeoBox>,
    pub similar_radius_m: u32,
    pub similar_days: u32,
    /// Why the rules changed (the regulation revised, a new desk): kept with the version.
    pub note: &'a str,
}

fn check(edit: &RulesEdit<'_>) -> Result<String, FieldErrors> {
    let mut e = match edit.deadlines.check() {
        Ok(()) => FieldErrors::default(),
        Err(errors) => errors,
    };
    if let Some(area) = edit.area
        && !area.is_valid()
    {
        e.push("area", Rule::OutsideArea { area: "Indonesia" });
    }
    if !(10..=50_000).contains(&edit.similar_radius_m) {
        e.push("similar_radius_m", Rule::OutOfRange { min: 10, max: 50_000 });
    }
    if !(1..=365).contains(&edit.similar_days) {
        e.push("similar_days", Rule::OutOfRange { min: 1, max: 365 });
    }
    let note = e.text("note", edit.note, 500);
    e.into_result().map(|()| note)
}

/// Writes a new version in the caller's transaction, with its leaf (the seed and the admin's command).
pub async fn publish_in(
    tx: &mut Tx,
    actor: &Actor,
    officer_id: Option<i64>,
    government_id: i64,
    edit: &RulesEdit<'_>,
    now: DateTime<Utc>,
) -> Result<ComplaintRules, StoreError> {
    let note = check(edit)?;
    let desk: Option<(i64,)> =
        tx.fetch_optional(query("SELECT government_id FROM units WHERE id = $1").bind(edit.desk_unit_id)).await?;
    if desk.is_none_or(|(government,)| government != government_id) {
        let mut e = FieldErrors::default();
        e.push("desk_unit_id", Rule::Unknown);
        return Err(StoreError::Invalid(e));
    }
    let version = current_in(tx, government_id).await?.map_or(1, |rules| rules.version + 1);
    let e6 = |v: f64| (v * 1_000_000.0).round() as i64;
    let id = tx
        .insert(
            query(
                "INSERT INTO complaint_rules (government_id, version, verify_days, information_days, ordinary_days, \
                 supervisory_days, response_days, reopen_days, desk_unit_id, area_min_lat_e6, area_min_lon_e6, \
                 area_max_lat_e6, area_max_lon_e6, similar_radius_m, similar_days, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
            )
            .bind(government_id)
            .bind(version)
            .bind(i64::from(edit.deadlines.verify_days))
            .bind(i64::from(edit.deadlines.information_days))
            .bind(i64::from(edit.deadlines.ordinary_days))
            .bind(i64::from(edit.deadlines.supervisory_days))
            .bind(i64::from(edit.deadlines.response_days))
            .bind(i64::from(edit.deadlines.reopen_days))
            .bind(edit.desk_unit_id)
            .bind(edit.area.map(|a| e6(a.min_lat)))
            .bind(edit.area.map(|a| e6(a.min_lon)))
            .bind(edit.area.map(|a| e6(a.max_lat)))
            .bind(edit.area.map(|a| e6(a.max_lon)))
            .bind(i64::from(edit.similar_radius_m))
            .bind(i64::from(edit.similar_days))
            .bind(note)
            .bind(officer_id)
            .bind(now),
        )
        .await?;
    audit::record_change(
        tx,
        actor,
        "complaints.rules.publish",
        &Subject::new("complaint_rules", id),
        Some(government_id),
    )
    .await?;
    by_id_in(tx, id).await
}

/// A government admin publishes a new version of the rules.
pub async fn publish_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    edit: &RulesEdit<'_>,
    now: DateTime<Utc>,
) -> Result<ComplaintRules, StoreError> {
    let mut tx = db.begin().await?;
    let place = Place { government_id, agency_id: None, unit_id: None };
    authorize_officer(&mut tx, officer_id, Action::ManageComplaints, &Target::at(place)).await?;
    let rules = publish_in(&mut tx, &Actor::officer(officer_id), Some(officer_id), government_id, edit, now).await?;
    tx.commit().await?;
    Ok(rules)
}

pub(crate) fn rules_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<RulesRow>(
        tx,
        "complaint_rules",
        crate::dynamic_query(format!("SELECT {COLUMNS} FROM complaint_rules WHERE id = $1")),
        id,
    )
}
