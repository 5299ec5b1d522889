//! The internal dashboard's breakdown of one agency per unit, read from the aggregates (never a
//! case), and the drill-down from a unit's figure to its open cases for officers who may work them.

use super::Scope;
use crate::{Db, StoreError, Value, dynamic_query, query};
use balai_domain::dashboard::{self as rules, BUCKETS, Counters};
use balai_domain::identity::{Action, Target, permits};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One unit of an agency over a scope (`unit_id` 0: cases the agency holds without a unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub applications: Counters,
    /// Applications closed in the period by working days taken (for the exact p90).
    pub application_durations: Vec<i64>,
    pub applications_backlog: i64,
    pub complaints: Counters,
    pub complaints_backlog: i64,
}

impl UnitFigures {
    fn new(unit_id: i64) -> UnitFigures {
        UnitFigures {
            unit_id,
            applications: Counters::default(),
            application_durations: vec![0; BUCKETS],
            applications_backlog: 0,
            complaints: Counters::default(),
            complaints_backlog: 0,
        }
    }

    /// The 90th percentile of the applications' working days (nearest rank; 61 is "more than 60").
    pub fn applications_p90(&self) -> Option<u32> {
        let mut histogram = [0i64; BUCKETS];
        for (slot, count) in histogram.iter_mut().zip(&self.application_durations) {
            *slot = *count;
        }
        rules::percentile(&histogram, 90)
    }
}

/// The WHERE clause of an agency's scope over a table (dated or not) and its values from `$1`.
fn agency_clause(scope: &Scope, agency_id: i64, dated: bool) -> (String, Vec<Value>) {
    let mut sql = String::from("government_id = $1 AND agency_id = $2");
    let mut binds: Vec<Value> = vec![scope.government_id.into(), agency_id.into()];
    if dated {
        binds.push(scope.period.from.into());
        binds.push(scope.period.to.into());
        sql.push_str(" AND day >= $3 AND day <= $4");
    }
    if let Some(service) = scope.service_id {
        binds.push(service.into());
        sql.push_str(&format!(" AND service_id = ${}", binds.len()));
    }
    (sql, binds)
}

fn bound(sql: String, binds: Vec<Value>) -> crate::Query {
    binds.into_iter().fold(dynamic_query(sql), |q, value| q.bind(value))
}

#[derive(sqlx::FromRow)]
struct UnitSums {
    unit_id: i64,
    kind: String,
    received: i64,
    closed: i64,
    closed_on_time: i64,
    resolved: i64,
    resolved_on_time: i64,
    closed_working_days_sum: i64,
    verified: i64,
    verified_on_time: i64,
}

/// Each unit of an agency with cases in the scope (or open now), by unit id; the rows read are
/// at most one per day, unit, kind and service of the agency.
pub async fn units(db: &Db, scope: &Scope, agency_id: i64, today: NaiveDate) -> Result<Vec<UnitFigures>, StoreError> {
    let mut units: BTreeMap<i64, UnitFigures> = BTreeMap::new();
    let (clause, binds) = agency_clause(scope, agency_id, true);
    let sums: Vec<UnitSums> = db
        .fetch_all(bound(
            format!(
                "SELECT unit_id, kind, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(closed) AS BIGINT) AS closed, \
                 CAST(SUM(closed_on_time) AS BIGINT) AS closed_on_time, CAST(SUM(resolved) AS BIGINT) AS resolved, \
                 CAST(SUM(resolved_on_time) AS BIGINT) AS resolved_on_time, \
                 CAST(SUM(closed_working_days_sum) AS BIGINT) AS closed_working_days_sum, \
                 CAST(SUM(verified) AS BIGINT) AS verified, CAST(SUM(verified_on_time) AS BIGINT) AS verified_on_time \
                 FROM dashboard_daily WHERE {clause} GROUP BY unit_id, kind"
            ),
            binds,
        ))
        .await?;
    for row in sums {
        let unit = units.entry(row.unit_id).or_insert_with(|| UnitFigures::new(row.unit_id));
        let counters = Counters {
            received: row.received,
            closed: row.closed,
            closed_on_time: row.closed_on_time,
            resolved: row.resolved,
            resolved_on_time: row.resolved_on_time,
            closed_working_days_sum: row.closed_working_days_sum,
            verified: row.verified,
            verified_on_time: row.verified_on_time,
        };
        match row.kind.as_str() {
            "application" => unit.applications.add(&counters),
            _ => unit.complaints.add(&counters),
        }
    }
    let (clause, binds) = agency_clause(scope, agency_id, true);
    let durations: Vec<(i64, i64, i64)> = db
        .fetch_all(bound(
            format!(
                "SELECT unit_id, bucket, CAST(SUM(closed) AS BIGINT) FROM dashboard_durations \
                 WHERE {clause} AND kind = 'application' GROUP BY unit_id, bucket"
            ),
            binds,
        ))
        .await?;
    for (unit_id, bucket, closed) in durations {
        let unit = units.entry(unit_id).or_insert_with(|| UnitFigures::new(unit_id));
        if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| unit.application_durations.get_mut(b)) {
            *slot += closed;
        }
    }
    // The backlog at the end of the period: open now, less what was received after it, plus what
    // closed after it.
    let (clause, binds) = agency_clause(scope, agency_id, false);
    let open: Vec<(i64, String, i64)> = db
        .fetch_all(bound(
            format!(
                "SELECT unit_id, kind, CAST(SUM(open_cases) AS BIGINT) FROM dashboard_open WHERE {clause} GROUP BY unit_id, kind"
            ),
            binds,
        ))
        .await?;
    let mut backlog: BTreeMap<(i64, String), i64> = open.into_iter().map(|(u, k, n)| ((u, k), n)).collect();
    if scope.period.to < today {
        let (clause, mut binds) = agency_clause(scope, agency_id, false);
        binds.push(scope.period.to.into());
        let after: Vec<(i64, String, i64, i64)> = db
            .fetch_all(bound(
                format!(
                    "SELECT unit_id, kind, CAST(SUM(received) AS BIGINT), CAST(SUM(closed) AS BIGINT) FROM dashboard_daily \
                     WHERE {clause} AND day > ${} GROUP BY unit_id, kind",
                    binds.len()
                ),
                binds,
            ))
            .await?;
        for (unit_id, kind, received, closed) in after {
            *backlog.entry((unit_id, kind)).or_default() += closed - received;
        }
    }
    for ((unit_id, kind), n) in backlog {
        let unit = units.entry(unit_id).or_insert_with(|| UnitFigures::new(unit_id));
        match kind.as_str() {
            "application" => unit.applications_backlog += n,
            _ => unit.complaints_backlog += n,
        }
    }
    Ok(units.into_values().collect())
}

/// An open case behind a unit's backlog, as the drill-down lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitCase {
    pub id: i64,
    pub kind: String,
    pub tracking_number: Option<String>,
    pub title: String,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

/// The most cases a drill-down lists.
pub const MAX_UNIT_CASES: i64 = 200;

/// A unit's open cases (of one service when given), oldest first, for an officer who may work the
/// unit's cases: the officer's role and place are read from their account, and anyone else is
/// refused ([`StoreError::Forbidden`]); an unknown unit is [`StoreError::NotFound`]. Whistleblowing
/// reports are never listed (they count only as numbers).
pub async fn unit_open_cases_for_officer(
    db: &Db,
    officer_id: i64,
    unit_id: i64,
    service_id: Option<i64>,
) -> Result<(crate::org::Unit, Vec<UnitCase>), StoreError> {
    let mut tx = db.begin_read().await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    let unit: Option<crate::org::Unit> = tx
        .fetch_optional(
            query("SELECT id, government_id, agency_id, parent_id, code, name FROM units WHERE id = $1").bind(unit_id),
        )
        .await?;
    let Some(unit) = unit else {
        tx.commit().await?;
        return Err(StoreError::NotFound);
    };
    if !permits(&who, Action::WorkCase, &Target::unit(unit.government_id, unit.agency_id, unit.id)) {
        tx.commit().await?;
        return Err(StoreError::Forbidden);
    }
    let cases: Vec<UnitCase> = tx
        .fetch_all(
            query(
                "SELECT c.id, c.kind, c.tracking_number, c.title, c.status, c.opened_at, c.due_at FROM cases c \
                 WHERE c.government_id = $1 AND c.agency_id = $2 AND c.unit_id = $3 AND c.closed_at IS NULL \
                 AND ($4 = 0 OR c.service_id = $4) \
                 AND NOT EXISTS (SELECT 1 FROM complaints p WHERE p.case_id = c.id AND p.channel = 'wbs') \
                 ORDER BY c.opened_at, c.id LIMIT $5",
            )
            .bind(unit.government_id)
            .bind(unit.agency_id)
            .bind(unit.id)
            .bind(service_id.unwrap_or(0))
            .bind(MAX_UNIT_CASES),
        )
        .await?;
    tx.commit().await?;
    Ok((unit, cases))
}
