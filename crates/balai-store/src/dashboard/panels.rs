//! The panels, read from the aggregate rows only: each query reads at most one row per day, kind,
//! place and service in the filter (plus the open-case rows and, for a backlog at a past day, the
//! rows after it), never a case. Callers pass `db.lagging()` for public reads.

use crate::{Db, StoreError, Value, dynamic_query, query};
use balai_domain::dashboard::{self as rules, BUCKETS, Counters, DashboardFilter, Period};
use balai_domain::validation::{FieldErrors, Rule};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// A filter resolved in its government: ids instead of codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub government_id: i64,
    pub agency_id: Option<i64>,
    pub service_id: Option<i64>,
    pub period: Period,
}

/// Resolves a checked filter's agency and service codes in the government; an unknown one is
/// refused by name (`agency`, `service`).
pub async fn scope(db: &Db, government_id: i64, filter: &DashboardFilter) -> Result<Scope, StoreError> {
    let mut errors = FieldErrors::default();
    let mut agency_id = None;
    if let Some(code) = &filter.agency {
        let row: Option<(i64,)> = db
            .fetch_optional(
                query("SELECT id FROM agencies WHERE government_id = $1 AND code = $2")
                    .bind(government_id)
                    .bind(code.as_str()),
            )
            .await?;
        match row {
            Some((id,)) => agency_id = Some(id),
            None => errors.push("agency", Rule::Unknown),
        }
    }
    let mut service_id = None;
    if let Some(code) = &filter.service {
        let row: Option<(i64, i64)> = db
            .fetch_optional(
                query("SELECT id, agency_id FROM services WHERE government_id = $1 AND code = $2")
                    .bind(government_id)
                    .bind(code.as_str()),
            )
            .await?;
        match row {
            Some((id, _)) => service_id = Some(id),
            None => errors.push("service", Rule::Unknown),
        }
    }
    errors.into_result().map_err(StoreError::Invalid)?;
    Ok(Scope { government_id, agency_id, service_id, period: filter.period })
}

/// The WHERE clause of a scope (with the period when `dated`), and its values from `$1`.
fn clause(scope: &Scope, dated: bool) -> (String, Vec<Value>) {
    clause_of(scope, dated, "")
}

/// [`clause`] with the columns of a table alias (`d.`).
fn clause_of(scope: &Scope, dated: bool, alias: &str) -> (String, Vec<Value>) {
    let mut sql = format!("{alias}government_id = $1");
    let mut binds: Vec<Value> = vec![scope.government_id.into()];
    let mut push = |sql: &mut String, text: &str, value: Value| {
        binds.push(value);
        sql.push_str(&text.replace('?', &format!("${}", binds.len())));
    };
    if dated {
        push(&mut sql, &format!(" AND {alias}day >= ?"), scope.period.from.into());
        push(&mut sql, &format!(" AND {alias}day <= ?"), scope.period.to.into());
    }
    if let Some(agency) = scope.agency_id {
        push(&mut sql, &format!(" AND {alias}agency_id = ?"), agency.into());
    }
    if let Some(service) = scope.service_id {
        push(&mut sql, &format!(" AND {alias}service_id = ?"), service.into());
    }
    (sql, binds)
}

fn bound(sql: String, binds: Vec<Value>) -> crate::Query {
    let mut q = dynamic_query(sql);
    for value in binds {
        q = q.bind(value);
    }
    q
}

#[derive(sqlx::FromRow)]
struct KindSums {
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

impl KindSums {
    fn counters(&self) -> Counters {
        Counters {
            received: self.received,
            closed: self.closed,
            closed_on_time: self.closed_on_time,
            resolved: self.resolved,
            resolved_on_time: self.resolved_on_time,
            closed_working_days_sum: self.closed_working_days_sum,
            verified: self.verified,
            verified_on_time: self.verified_on_time,
        }
    }
}

fn sums_select(group: &str) -> String {
    format!(
        "SELECT {group}, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, \
         CAST(COALESCE(SUM(closed_on_time), 0) AS BIGINT) AS closed_on_time, CAST(COALESCE(SUM(resolved), 0) AS BIGINT) AS resolved, \
         CAST(COALESCE(SUM(resolved_on_time), 0) AS BIGINT) AS resolved_on_time, \
         CAST(COALESCE(SUM(closed_working_days_sum), 0) AS BIGINT) AS closed_working_days_sum, \
         CAST(COALESCE(SUM(verified), 0) AS BIGINT) AS verified, CAST(COALESCE(SUM(verified_on_time), 0) AS BIGINT) AS verified_on_time"
    )
}

/// The counters of each kind over the scope.
async fn totals(db: &Db, scope: &Scope) -> Result<BTreeMap<String, Counters>, StoreError> {
    let (clause, binds) = clause(scope, true);
    let rows: Vec<KindSums> = db
        .fetch_all(bound(format!("{} FROM dashboard_daily WHERE {clause} GROUP BY kind", sums_select("kind")), binds))
        .await?;
    Ok(rows.iter().map(|r| (r.kind.clone(), r.counters())).collect())
}

/// The closed cases of a kind over the scope by working days taken.
async fn histogram(db: &Db, scope: &Scope, kind: &str) -> Result<[i64; BUCKETS], StoreError> {
    let (clause, mut binds) = clause(scope, true);
    binds.push(kind.into());
    let sql = format!(
        "SELECT bucket, CAST(SUM(closed) AS BIGINT) FROM dashboard_durations WHERE {clause} AND kind = ${} GROUP BY bucket",
        binds.len()
    );
    let rows: Vec<(i64, i64)> = db.fetch_all(bound(sql, binds)).await?;
    let mut histogram = [0i64; BUCKETS];
    for (bucket, count) in rows {
        if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| histogram.get_mut(b)) {
            *slot += count;
        }
    }
    Ok(histogram)
}

/// Cases of a kind open at the end of the period's last day: open now, less those received after
/// it, plus those closed after it.
async fn backlog(db: &Db, scope: &Scope, kind: &str, today: NaiveDate) -> Result<i64, StoreError> {
    let (clause_now, mut binds) = clause(scope, false);
    binds.push(kind.into());
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(open_cases), 0) AS BIGINT) FROM dashboard_open WHERE {clause_now} AND kind = ${}",
        binds.len()
    );
    let (open,): (i64,) = db.fetch_one(bound(sql, binds)).await?;
    if scope.period.to >= today {
        return Ok(open);
    }
    let (clause_after, mut binds) = clause(scope, false);
    binds.push(kind.into());
    binds.push(scope.period.to.into());
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT), CAST(COALESCE(SUM(closed), 0) AS BIGINT) FROM dashboard_daily \
         WHERE {clause_after} AND kind = ${} AND day > ${}",
        binds.len() - 1,
        binds.len()
    );
    let (received, closed): (i64, i64) = db.fetch_one(bound(sql, binds)).await?;
    Ok(open - received + closed)
}

/// Applications over the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationsPanel {
    pub received: i64,
    /// Completed (the output issued).
    pub completed: i64,
    /// Decided: completed or rejected.
    pub closed: i64,
    pub closed_on_time: i64,
    /// `closed_on_time / closed` in tenths of a percent.
    pub sla_compliance_permille: Option<i64>,
    /// Working days from submission to decision, averaged, in tenths.
    pub average_working_days_tenths: Option<i64>,
    /// The 90th percentile (nearest rank) in working days; 61 means more than 60.
    pub p90_working_days: Option<u32>,
    /// Open at the end of the period.
    pub backlog: i64,
}

/// Complaints over the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintsPanel {
    pub received: i64,
    pub verified: i64,
    pub verified_on_time: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    /// Closed with any outcome (resolved, unresolved, not our authority, duplicate).
    pub closed: i64,
    pub backlog: i64,
}

/// The dashboard's first figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub period: Period,
    pub applications: ApplicationsPanel,
    pub complaints: ComplaintsPanel,
}

pub async fn applications(db: &Db, scope: &Scope, today: NaiveDate) -> Result<ApplicationsPanel, StoreError> {
    let totals = totals(db, scope).await?;
    applications_from(db, scope, today, totals.get("application").copied().unwrap_or_default()).await
}

async fn applications_from(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    c: Counters,
) -> Result<ApplicationsPanel, StoreError> {
    let histogram = histogram(db, scope, "application").await?;
    Ok(ApplicationsPanel {
        received: c.received,
        completed: c.resolved,
        closed: c.closed,
        closed_on_time: c.closed_on_time,
        sla_compliance_permille: c.compliance_permille(),
        average_working_days_tenths: c.average_tenths(),
        p90_working_days: rules::percentile(&histogram, 90),
        backlog: backlog(db, scope, "application", today).await?,
    })
}

pub async fn complaints(db: &Db, scope: &Scope, today: NaiveDate) -> Result<ComplaintsPanel, StoreError> {
    let totals = totals(db, scope).await?;
    complaints_from(db, scope, today, totals.get("complaint").copied().unwrap_or_default()).await
}

async fn complaints_from(db: &Db, scope: &Scope, today: NaiveDate, c: Counters) -> Result<ComplaintsPanel, StoreError> {
    Ok(ComplaintsPanel {
        received: c.received,
        verified: c.verified,
        verified_on_time: c.verified_on_time,
        resolved: c.resolved,
        resolved_on_time: c.resolved_on_time,
        closed: c.closed,
        backlog: backlog(db, scope, "complaint", today).await?,
    })
}

pub async fn overview(db: &Db, scope: &Scope, today: NaiveDate) -> Result<Overview, StoreError> {
    let totals = totals(db, scope).await?;
    Ok(Overview {
        period: scope.period,
        applications: applications_from(db, scope, today, totals.get("application").copied().unwrap_or_default())
            .await?,
        complaints: complaints_from(db, scope, today, totals.get("complaint").copied().unwrap_or_default()).await?,
    })
}

/// One week of the trend (weeks start on Monday; the first and last may be cut by the period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Week {
    pub week_start: NaiveDate,
    pub applications_received: i64,
    pub applications_completed: i64,
    pub complaints_received: i64,
    pub complaints_resolved: i64,
}

/// The most weeks a trend shows: a three-year period has 158 weeks at most.
pub const MAX_WEEKS: usize = 160;

pub async fn trend(db: &Db, scope: &Scope) -> Result<Vec<Week>, StoreError> {
    let (clause, binds) = clause(scope, true);
    let rows: Vec<(NaiveDate, String, i64, i64)> = db
        .fetch_all(bound(
            format!(
                "SELECT day, kind, CAST(SUM(received) AS BIGINT), CAST(SUM(resolved) AS BIGINT) FROM dashboard_daily \
                 WHERE {clause} GROUP BY day, kind"
            ),
            binds,
        ))
        .await?;
    let mut weeks: BTreeMap<NaiveDate, Week> = BTreeMap::new();
    let mut day = rules::week_start(scope.period.from);
    while day <= scope.period.to && weeks.len() < MAX_WEEKS {
        weeks.insert(
            day,
            Week {
                week_start: day,
                applications_received: 0,
                applications_completed: 0,
                complaints_received: 0,
                complaints_resolved: 0,
            },
        );
        day += chrono::Duration::days(7);
    }
    for (day, kind, received, resolved) in rows {
        if let Some(week) = weeks.get_mut(&rules::week_start(day)) {
            if kind == "application" {
                week.applications_received += received;
                week.applications_completed += resolved;
            } else {
                week.complaints_received += received;
                week.complaints_resolved += resolved;
            }
        }
    }
    Ok(weeks.into_values().collect())
}

/// One agency in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RankedAgency {
    pub agency_id: i64,
    pub code: String,
    pub name: String,
    pub received: i64,
    pub closed: i64,
    pub closed_on_time: i64,
}

impl RankedAgency {
    pub fn compliance_permille(&self) -> Option<i64> {
        rules::permille(self.closed_on_time, self.closed)
    }
}

/// Every agency of the government (or the one filtered), by the share of its cases (applications
/// and complaints) closed on time, best first; agencies that closed nothing come last; ties by name.
pub async fn ranking(db: &Db, scope: &Scope) -> Result<Vec<RankedAgency>, StoreError> {
    let (clause, mut binds) = clause(scope, true);
    let mut sql = format!(
        "SELECT a.id AS agency_id, a.code, a.name, CAST(COALESCE(s.received, 0) AS BIGINT) AS received, \
         CAST(COALESCE(s.closed, 0) AS BIGINT) AS closed, CAST(COALESCE(s.closed_on_time, 0) AS BIGINT) AS closed_on_time \
         FROM agencies a LEFT JOIN (SELECT agency_id, SUM(received) AS received, SUM(closed) AS closed, \
         SUM(closed_on_time) AS closed_on_time FROM dashboard_daily WHERE {clause} GROUP BY agency_id) s \
         ON s.agency_id = a.id WHERE a.government_id = $1"
    );
    if let Some(agency) = scope.agency_id {
        binds.push(agency.into());
        sql.push_str(&format!(" AND a.id = ${}", binds.len()));
    }
    let mut rows: Vec<RankedAgency> = db.fetch_all(bound(sql, binds)).await?;
    rows.sort_by(|a, b| {
        let key = |r: &RankedAgency| r.compliance_permille().map_or(i64::MAX, |p| -p);
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name)).then(a.agency_id.cmp(&b.agency_id))
    });
    Ok(rows)
}

/// A public report on the map: what the public list already shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    pub tracking_number: String,
    pub title: String,
    pub category: String,
    pub status: String,
    pub lat: f64,
    pub lon: f64,
    pub submitted_on: NaiveDate,
}

/// The most points a map shows (the newest public reports of the period).
pub const MAP_POINTS: i64 = crate::complaints::MAX_LIST;

/// Public reports of the period with a location, newest first: read through the public list, which
/// never returns a rahasia or whistleblowing report.
pub async fn map(db: &Db, scope: &Scope) -> Result<Vec<MapPoint>, StoreError> {
    let (zone,): (String,) =
        db.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(scope.government_id)).await?;
    let zone = balai_domain::calendar::IndonesianTimeZone::parse(&zone)
        .ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))?;
    let until = scope.period.to.succ_opt().unwrap_or(scope.period.to);
    let filter = crate::complaints::PublicFilter {
        since: Some(zone.start_of_day(scope.period.from)),
        until: Some(zone.start_of_day(until)),
        ..crate::complaints::PublicFilter::default()
    };
    let lines = crate::complaints::public_list(db, scope.government_id, &filter, MAP_POINTS).await?;
    Ok(lines
        .into_iter()
        .filter_map(|line| {
            let point = line.location?;
            Some(MapPoint {
                tracking_number: line.tracking_number,
                title: line.title,
                category: line.category_code,
                status: line.status.code().to_owned(),
                lat: point.lat,
                lon: point.lon,
                submitted_on: zone.local_date(line.submitted_at),
            })
        })
        .collect())
}

/// One line of open data: a day, an agency and a service (empty for complaints), with the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpenDataLine {
    pub day: NaiveDate,
    pub agency_code: String,
    pub agency_name: String,
    pub service_code: Option<String>,
    pub applications_received: i64,
    pub applications_completed: i64,
    pub applications_completed_on_time: i64,
    pub complaints_received: i64,
    pub complaints_resolved: i64,
}

/// The most days an open-data file covers.
pub const OPEN_DATA_MAX_DAYS: i64 = 366;

/// Daily counts per agency and service over the scope (at most [`OPEN_DATA_MAX_DAYS`] days), by
/// day, agency code and service code. Counts are exact here; the edge suppresses small ones.
pub async fn open_data(db: &Db, scope: &Scope) -> Result<Vec<OpenDataLine>, StoreError> {
    let (clause, binds) = clause_of(scope, true, "d.");
    let sql = format!(
        "SELECT d.day, a.code AS agency_code, a.name AS agency_name, s.code AS service_code, \
         CAST(SUM(CASE WHEN d.kind = 'application' THEN d.received ELSE 0 END) AS BIGINT) AS applications_received, \
         CAST(SUM(CASE WHEN d.kind = 'application' THEN d.resolved ELSE 0 END) AS BIGINT) AS applications_completed, \
         CAST(SUM(CASE WHEN d.kind = 'application' THEN d.resolved_on_time ELSE 0 END) AS BIGINT) AS applications_completed_on_time, \
         CAST(SUM(CASE WHEN d.kind = 'complaint' THEN d.received ELSE 0 END) AS BIGINT) AS complaints_received, \
         CAST(SUM(CASE WHEN d.kind = 'complaint' THEN d.resolved ELSE 0 END) AS BIGINT) AS complaints_resolved \
         FROM dashboard_daily d JOIN agencies a ON a.id = d.agency_id LEFT JOIN services s ON s.id = d.service_id \
         WHERE {clause} GROUP BY d.day, a.code, a.name, s.code ORDER BY d.day, a.code, s.code"
    );
    db.fetch_all(bound(sql, binds)).await
}

/// One line of the published daily files: a day, an agency, a service (none for complaints) and a
/// kind, with the counts of that day. Read from `dashboard_daily` and the catalogue only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DailyLine {
    pub day: NaiveDate,
    pub agency_code: String,
    pub agency_name: String,
    pub service_code: Option<String>,
    /// The service's name as the catalogue shows it now.
    pub service_name: Option<String>,
    /// `application` or `complaint`.
    pub kind: String,
    pub received: i64,
    pub closed: i64,
    pub closed_on_time: i64,
    pub resolved: i64,
}

/// Daily counts per agency, service and kind over the scope (its period is bounded by the filter),
/// by day, agency code, kind and service code; units of an agency are summed. Counts are exact
/// here: the published files withhold the small ones.
pub async fn daily_lines(db: &Db, scope: &Scope) -> Result<Vec<DailyLine>, StoreError> {
    let (clause, binds) = clause_of(scope, true, "d.");
    let sql = format!(
        "SELECT d.day, a.code AS agency_code, a.name AS agency_name, s.code AS service_code, v.name AS service_name, \
         d.kind, CAST(SUM(d.received) AS BIGINT) AS received, CAST(SUM(d.closed) AS BIGINT) AS closed, \
         CAST(SUM(d.closed_on_time) AS BIGINT) AS closed_on_time, CAST(SUM(d.resolved) AS BIGINT) AS resolved \
         FROM dashboard_daily d JOIN agencies a ON a.id = d.agency_id LEFT JOIN services s ON s.id = d.service_id \
         LEFT JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
         WHERE {clause} GROUP BY d.day, a.code, a.name, s.code, v.name, d.kind \
         ORDER BY d.day, a.code, d.kind, s.code"
    );
    db.fetch_all(bound(sql, binds)).await
}

/// The first and last day a government's aggregates hold (None before its first case).
pub async fn extent(db: &Db, government_id: i64) -> Result<Option<(NaiveDate, NaiveDate)>, StoreError> {
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = db
        .fetch_one(query("SELECT MIN(day), MAX(day) FROM dashboard_daily WHERE government_id = $1").bind(government_id))
        .await?;
    Ok(first.zip(last))
}

/// The SKM respondents of one unit over the scope: what its IKM is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSatisfaction {
    pub agency_code: String,
    pub agency_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub tally: balai_domain::surveys::Tally,
}

#[derive(sqlx::FromRow)]
struct UnitTallyRow {
    agency_code: String,
    agency_name: String,
    unit_code: String,
    unit_name: String,
    respondents: i64,
    sum_u1: i64,
    sum_u2: i64,
    sum_u3: i64,
    sum_u4: i64,
    sum_u5: i64,
    sum_u6: i64,
    sum_u7: i64,
    sum_u8: i64,
    sum_u9: i64,
}

/// SKM per unit over the scope (its period, agency and service), read from the day sums
/// (`survey_tallies`) only, never a response: the units that had respondents, by agency and unit
/// name.
pub async fn satisfaction(db: &Db, scope: &Scope) -> Result<Vec<UnitSatisfaction>, StoreError> {
    let (clause, binds) = clause_of(scope, true, "t.");
    let sums: String = (1..=9).map(|i| format!(", CAST(SUM(t.sum_u{i}) AS BIGINT) AS sum_u{i}")).collect();
    let sql = format!(
        "SELECT a.code AS agency_code, a.name AS agency_name, u.code AS unit_code, u.name AS unit_name, \
         CAST(SUM(t.respondents) AS BIGINT) AS respondents{sums} \
         FROM survey_tallies t JOIN agencies a ON a.id = t.agency_id JOIN units u ON u.id = t.unit_id \
         WHERE {clause} GROUP BY a.code, a.name, u.code, u.name ORDER BY a.name, u.name, u.code"
    );
    let rows: Vec<UnitTallyRow> = db.fetch_all(bound(sql, binds)).await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(rows
        .into_iter()
        .filter(|r| r.respondents > 0)
        .map(|r| UnitSatisfaction {
            tally: balai_domain::surveys::Tally {
                respondents: count(r.respondents),
                sums: [r.sum_u1, r.sum_u2, r.sum_u3, r.sum_u4, r.sum_u5, r.sum_u6, r.sum_u7, r.sum_u8, r.sum_u9]
                    .map(count),
            },
            agency_code: r.agency_code,
            agency_name: r.agency_name,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
        })
        .collect())
}

/// Public reports of one category on the dashboard's map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub reports: i64,
}

/// The dashboard's map: the government's area (when its complaint rules set one), the public
/// reports of the period with a location inside it, and how many of them fall in each category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicMap {
    pub area: Option<balai_domain::complaints::GeoBox>,
    pub points: Vec<MapPoint>,
    pub categories: Vec<CategoryCount>,
    /// Whether the period holds more public reports than the map reads ([`MAP_POINTS`], the newest).
    pub truncated: bool,
}

/// [`map`] with the government's area and the count per category: read through the public list,
/// which never returns a rahasia or whistleblowing report. Public reports are not filtered by the
/// scope's agency or service (a report reaches an agency only after the desk's verification).
pub async fn public_map(db: &Db, scope: &Scope) -> Result<PublicMap, StoreError> {
    let (zone,): (String,) =
        db.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(scope.government_id)).await?;
    let zone = balai_domain::calendar::IndonesianTimeZone::parse(&zone)
        .ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))?;
    let area = crate::complaints::rules::current(db, scope.government_id).await?.and_then(|r| r.area);
    let until = scope.period.to.succ_opt().unwrap_or(scope.period.to);
    let filter = crate::complaints::PublicFilter {
        since: Some(zone.start_of_day(scope.period.from)),
        until: Some(zone.start_of_day(until)),
        area,
        ..crate::complaints::PublicFilter::default()
    };
    let lines = crate::complaints::public_list(db, scope.government_id, &filter, MAP_POINTS).await?;
    let truncated = i64::try_from(lines.len()).unwrap_or(i64::MAX) >= MAP_POINTS;
    let mut categories: BTreeMap<String, CategoryCount> = BTreeMap::new();
    let mut points = Vec::new();
    for line in lines {
        let Some(point) = line.location.filter(|p| area.is_none_or(|a| a.contains(*p))) else { continue };
        categories
            .entry(line.category_code.clone())
            .or_insert_with(|| CategoryCount {
                code: line.category_code.clone(),
                name_id: line.category_id.clone(),
                name_en: line.category_en.clone(),
                reports: 0,
            })
            .reports += 1;
        points.push(MapPoint {
            tracking_number: line.tracking_number,
            title: line.title,
            category: line.category_code,
            status: line.status.code().to_owned(),
            lat: point.lat,
            lon: point.lon,
            submitted_on: zone.local_date(line.submitted_at),
        });
    }
    let mut categories: Vec<CategoryCount> = categories.into_values().collect();
    categories.sort_by(|a, b| b.reports.cmp(&a.reports).then_with(|| a.name_id.cmp(&b.name_id)));
    Ok(PublicMap { area, points, categories, truncated })
}
