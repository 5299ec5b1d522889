//! The dashboard (R11) and open data (R17): aggregates kept in the same transaction as every case
//! event, and the panels read from them, never from the cases.
//!
//! Three tables (migration `…0200_dashboard`):
//! - `dashboard_daily`: per (government, kind, agency, unit or 0, service or 0, local day) the
//!   counters `received`, `closed`, `closed_on_time`, `resolved`, `resolved_on_time`,
//!   `closed_working_days_sum`, `verified`, `verified_on_time`;
//! - `dashboard_durations`: the closed cases of the same key by working days taken (`bucket`
//!   0..=60, 61 for more), so percentiles are exact;
//! - `dashboard_open`: cases open now per place and service (the backlog).
//!
//! **What a case counts as.** A case counts where it sits now (or sat when it closed): its
//! government, kind, agency, unit and service. It is `received` on its opening day; when it reaches
//! a final status it is `closed` on that day, `resolved` if the outcome is the one the citizen came
//! for (an application completed, a complaint resolved), and on time if an application closed at or
//! before its overall deadline (paused days added back), or a complaint with every step of its route
//! done at or before that step's deadline. A complaint is `verified` on the day the desk's first
//! step ("Verifikasi") was done — by disposition to an agency, or by the desk closing or re-routing
//! it — and on time if that was at or before the step's deadline. Days are the government's local
//! days; working days are counted on its calendar (see `balai_domain::dashboard`).
//!
//! Every event records the difference between what the case counted as before and after it: when
//! a case moves to another unit, agency or government its counts move with it, so the tables are
//! always exactly what [`recompute`] derives from the cases.

use crate::cases::{self, Case, CaseStep, Move};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::calendar::{IndonesianTimeZone, WorkingCalendar};
use balai_domain::cases::CaseKind;
use balai_domain::dashboard::{self as rules, Counters, WorkingDayIndex};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

mod panels;
mod units;
pub use panels::*;
pub use units::*;

/// Where a case counts: the key of its aggregate rows (0 for no unit, no service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub government_id: i64,
    pub kind: &'static str,
    pub agency_id: i64,
    pub unit_id: i64,
    pub service_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Closing {
    day: NaiveDate,
    on_time: bool,
    resolved: bool,
    working_days: u32,
}

/// What one case adds to the aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Contribution {
    key: Key,
    opened: NaiveDate,
    closed: Option<Closing>,
    verified: Option<(NaiveDate, bool)>,
}

/// A complaint's desk step: when it was done, and its deadline.
type DeskStep = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The facts of a case the aggregates depend on.
struct Facts<'a> {
    government_id: i64,
    kind: CaseKind,
    agency_id: i64,
    unit_id: Option<i64>,
    service_id: Option<i64>,
    opened_at: DateTime<Utc>,
    status: &'a str,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    /// A complaint's desk step (position 0): when it was done and its deadline.
    desk_step: Option<DeskStep>,
    /// Whether any step of the route was done after its deadline.
    late_step: bool,
}

fn on_or_before(at: DateTime<Utc>, due: Option<DateTime<Utc>>) -> bool {
    due.is_none_or(|due| at <= due)
}

fn contribution(
    facts: &Facts<'_>,
    zone: IndonesianTimeZone,
    working_days: &mut dyn FnMut(NaiveDate, NaiveDate) -> u32,
) -> Contribution {
    let opened = zone.local_date(facts.opened_at);
    let closed = facts.closed_at.map(|closed_at| {
        let day = zone.local_date(closed_at);
        let on_time = match facts.kind {
            CaseKind::Application => on_or_before(closed_at, facts.due_at),
            CaseKind::Complaint => !facts.late_step,
        };
        Closing {
            day,
            on_time,
            resolved: rules::is_resolution(facts.kind, facts.status),
            working_days: working_days(opened, day),
        }
    });
    let verified = match (facts.kind, facts.desk_step) {
        (CaseKind::Complaint, Some((Some(done), due))) => Some((zone.local_date(done), on_or_before(done, due))),
        _ => None,
    };
    Contribution {
        key: Key {
            government_id: facts.government_id,
            kind: facts.kind.code(),
            agency_id: facts.agency_id,
            unit_id: facts.unit_id.unwrap_or(0),
            service_id: facts.service_id.unwrap_or(0),
        },
        opened,
        closed,
        verified,
    }
}

/// The rows one contribution touches, each with its counters.
fn daily_rows(c: &Contribution) -> BTreeMap<NaiveDate, Counters> {
    let mut rows: BTreeMap<NaiveDate, Counters> = BTreeMap::new();
    rows.entry(c.opened).or_default().received += 1;
    if let Some(closed) = c.closed {
        let row = rows.entry(closed.day).or_default();
        row.closed += 1;
        row.closed_on_time += i64::from(closed.on_time);
        row.resolved += i64::from(closed.resolved);
        row.resolved_on_time += i64::from(closed.resolved && closed.on_time);
        row.closed_working_days_sum += i64::from(closed.working_days);
    }
    if let Some((day, on_time)) = c.verified {
        let row = rows.entry(day).or_default();
        row.verified += 1;
        row.verified_on_time += i64::from(on_time);
    }
    rows
}

fn scaled(c: &Counters, sign: i64) -> Counters {
    Counters {
        received: c.received * sign,
        closed: c.closed * sign,
        closed_on_time: c.closed_on_time * sign,
        resolved: c.resolved * sign,
        resolved_on_time: c.resolved_on_time * sign,
        closed_working_days_sum: c.closed_working_days_sum * sign,
        verified: c.verified * sign,
        verified_on_time: c.verified_on_time * sign,
    }
}

const UPSERT_DAILY: &str = "INSERT INTO dashboard_daily (government_id, kind, agency_id, unit_id, service_id, day, \
     received, closed, closed_on_time, resolved, resolved_on_time, closed_working_days_sum, verified, verified_on_time) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (government_id, kind, agency_id, unit_id, service_id, day) DO UPDATE SET \
     received = dashboard_daily.received + excluded.received, \
     closed = dashboard_daily.closed + excluded.closed, \
     closed_on_time = dashboard_daily.closed_on_time + excluded.closed_on_time, \
     resolved = dashboard_daily.resolved + excluded.resolved, \
     resolved_on_time = dashboard_daily.resolved_on_time + excluded.resolved_on_time, \
     closed_working_days_sum = dashboard_daily.closed_working_days_sum + excluded.closed_working_days_sum, \
     verified = dashboard_daily.verified + excluded.verified, \
     verified_on_time = dashboard_daily.verified_on_time + excluded.verified_on_time";

const UPSERT_DURATION: &str = "INSERT INTO dashboard_durations (government_id, kind, agency_id, unit_id, service_id, day, \
     bucket, closed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (government_id, kind, agency_id, unit_id, service_id, day, bucket) DO UPDATE SET \
     closed = dashboard_durations.closed + excluded.closed";

const UPSERT_OPEN: &str = "INSERT INTO dashboard_open (government_id, kind, agency_id, unit_id, service_id, open_cases) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (government_id, kind, agency_id, unit_id, service_id) DO UPDATE SET \
     open_cases = dashboard_open.open_cases + excluded.open_cases";

/// Adds (`sign` = 1) or takes away (-1) one case's contribution; rows left at zero are deleted, so
/// the tables hold exactly the rows a recomputation makes.
async fn apply(tx: &mut Tx, c: &Contribution, sign: i64) -> Result<(), StoreError> {
    let k = c.key;
    for (day, counters) in daily_rows(c) {
        let d = scaled(&counters, sign);
        tx.execute(
            query(UPSERT_DAILY)
                .bind(k.government_id)
                .bind(k.kind)
                .bind(k.agency_id)
                .bind(k.unit_id)
                .bind(k.service_id)
                .bind(day)
                .bind(d.received)
                .bind(d.closed)
                .bind(d.closed_on_time)
                .bind(d.resolved)
                .bind(d.resolved_on_time)
                .bind(d.closed_working_days_sum)
                .bind(d.verified)
                .bind(d.verified_on_time),
        )
        .await?;
        if sign < 0 {
            tx.execute(
                query(
                    "DELETE FROM dashboard_daily WHERE government_id = $1 AND kind = $2 AND agency_id = $3 \
                     AND unit_id = $4 AND service_id = $5 AND day = $6 AND received = 0 AND closed = 0 \
                     AND closed_on_time = 0 AND resolved = 0 AND resolved_on_time = 0 \
                     AND closed_working_days_sum = 0 AND verified = 0 AND verified_on_time = 0",
                )
                .bind(k.government_id)
                .bind(k.kind)
                .bind(k.agency_id)
                .bind(k.unit_id)
                .bind(k.service_id)
                .bind(day),
            )
            .await?;
        }
    }
    match c.closed {
        Some(closed) => {
            tx.execute(
                query(UPSERT_DURATION)
                    .bind(k.government_id)
                    .bind(k.kind)
                    .bind(k.agency_id)
                    .bind(k.unit_id)
                    .bind(k.service_id)
                    .bind(closed.day)
                    .bind(i64::from(rules::bucket(closed.working_days)))
                    .bind(sign),
            )
            .await?;
            if sign < 0 {
                tx.execute(
                    query(
                        "DELETE FROM dashboard_durations WHERE government_id = $1 AND kind = $2 AND agency_id = $3 \
                         AND unit_id = $4 AND service_id = $5 AND day = $6 AND bucket = $7 AND closed = 0",
                    )
                    .bind(k.government_id)
                    .bind(k.kind)
                    .bind(k.agency_id)
                    .bind(k.unit_id)
                    .bind(k.service_id)
                    .bind(closed.day)
                    .bind(i64::from(rules::bucket(closed.working_days))),
                )
                .await?;
            }
        }
        None => {
            tx.execute(
                query(UPSERT_OPEN)
                    .bind(k.government_id)
                    .bind(k.kind)
                    .bind(k.agency_id)
                    .bind(k.unit_id)
                    .bind(k.service_id)
                    .bind(sign),
            )
            .await?;
            if sign < 0 {
                tx.execute(
                    query(
                        "DELETE FROM dashboard_open WHERE government_id = $1 AND kind = $2 AND agency_id = $3 \
                         AND unit_id = $4 AND service_id = $5 AND open_cases = 0",
                    )
                    .bind(k.government_id)
                    .bind(k.kind)
                    .bind(k.agency_id)
                    .bind(k.unit_id)
                    .bind(k.service_id),
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn zone_in(tx: &mut Tx, government_id: i64) -> Result<IndonesianTimeZone, StoreError> {
    let (zone,): (String,) =
        tx.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(government_id)).await?;
    IndonesianTimeZone::parse(&zone).ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))
}

fn no_calendar(_: NaiveDate, _: NaiveDate) -> u32 {
    0
}

/// Counts a case just opened (called by `cases::open_case`, in its transaction): received on its
/// opening day, open now.
pub async fn record_opened_in(tx: &mut Tx, case: &Case) -> Result<(), StoreError> {
    let zone = zone_in(tx, case.government_id).await?;
    let facts = facts_of(case, None, false);
    let c = contribution(&facts, zone, &mut no_calendar);
    apply(tx, &c, 1).await
}

fn facts_of(case: &Case, desk_step: Option<DeskStep>, late_step: bool) -> Facts<'_> {
    Facts {
        government_id: case.government_id,
        kind: case.kind,
        agency_id: case.agency_id,
        unit_id: case.unit_id,
        service_id: case.service_id,
        opened_at: case.opened_at,
        status: &case.status,
        due_at: case.due_at,
        closed_at: case.closed_at,
        desk_step,
        late_step,
    }
}

fn late(steps: &[CaseStep]) -> bool {
    steps.iter().any(|s| matches!((s.done_at, s.due_at), (Some(done), Some(due)) if done > due))
}

/// Moves a case's counts as it moves (called by `cases::move_case`, in its transaction, after the
/// caller has written the route's steps): what it counted as before the move is taken away and what
/// it counts as after is added, when the two differ.
pub async fn record_moved_in(tx: &mut Tx, before: &Case, step: &Move<'_>) -> Result<(), StoreError> {
    let same_place = step.to_agency_id == before.agency_id && step.to_unit_id == before.unit_id;
    let desk_done_before = before.current_step > 0;
    let desk_done_after = step.to_step > 0;
    if same_place
        && step.closed_at.is_none()
        && (before.kind == CaseKind::Application || desk_done_before == desk_done_after)
    {
        return Ok(());
    }
    let government_id = if step.to_agency_id == before.agency_id {
        before.government_id
    } else {
        let (government_id,): (i64,) =
            tx.fetch_one(query("SELECT government_id FROM agencies WHERE id = $1").bind(step.to_agency_id)).await?;
        government_id
    };
    let after = Case {
        government_id,
        agency_id: step.to_agency_id,
        unit_id: step.to_unit_id,
        status: step.to_status.to_owned(),
        current_step: step.to_step,
        due_at: step.due_at,
        paused_since: step.paused_since,
        closed_at: step.closed_at,
        version: before.version + 1,
        ..before.clone()
    };
    let (desk_before, desk_after, late_after) = match before.kind {
        CaseKind::Application => (None, None, false),
        CaseKind::Complaint => {
            let steps = cases::steps_in(tx, before.id).await?;
            let desk = steps.iter().find(|s| s.position == 0).map(|s| (s.done_at, s.due_at));
            let desk_before = if desk_done_before { desk } else { None };
            (desk_before, desk, after.closed_at.is_some() && late(&steps))
        }
    };
    let zone_before = zone_in(tx, before.government_id).await?;
    let old = contribution(&facts_of(before, desk_before, false), zone_before, &mut no_calendar);
    let new = if after.closed_at.is_some() {
        let (calendar, zone) = cases::calendar_in(tx, after.government_id).await?;
        contribution(&facts_of(&after, desk_after, late_after), zone, &mut |a, b| {
            rules::working_days_taken(&calendar, a, b)
        })
    } else {
        let zone = if government_id == before.government_id { zone_before } else { zone_in(tx, government_id).await? };
        contribution(&facts_of(&after, desk_after, false), zone, &mut no_calendar)
    };
    if old != new {
        apply(tx, &old, -1).await?;
        apply(tx, &new, 1).await?;
    }
    Ok(())
}

// ---- recomputation ----------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct CaseFacts {
    id: i64,
    kind: String,
    agency_id: i64,
    unit_id: Option<i64>,
    service_id: Option<i64>,
    opened_at: DateTime<Utc>,
    status: String,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct StepTimes {
    case_id: i64,
    position: i64,
    due_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
}

/// What a recomputation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    pub cases: u64,
    pub daily_rows: u64,
    pub duration_rows: u64,
    pub open_rows: u64,
}

/// Cases read per statement while recomputing.
const CASES_PER_READ: i64 = 5_000;
/// Rows written per INSERT while recomputing (14 values each; both engines take far more).
const ROWS_PER_INSERT: usize = 200;

/// Rebuilds a government's aggregates from its cases and their steps, in one transaction: what
/// the events kept must equal this (the conformance test checks it after random work), and a bulk
/// load that wrote cases directly calls it once at the end.
pub async fn recompute(db: &Db, government_id: i64) -> Result<Recomputed, StoreError> {
    let mut tx = db.begin().await?;
    let done = recompute_in(&mut tx, government_id).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`recompute`] in the caller's transaction.
pub async fn recompute_in(tx: &mut Tx, government_id: i64) -> Result<Recomputed, StoreError> {
    for table in ["dashboard_daily", "dashboard_durations", "dashboard_open"] {
        tx.execute(dynamic_query(format!("DELETE FROM {table} WHERE government_id = $1")).bind(government_id)).await?;
    }
    let (calendar, zone) = cases::calendar_in(tx, government_id).await?;
    let (daily, durations, open, cases) = aggregate_cases(tx, government_id, &calendar, zone).await?;
    let mut done = Recomputed { cases, ..Recomputed::default() };
    done.daily_rows = write_daily(tx, &daily).await?;
    done.duration_rows = write_durations(tx, &durations).await?;
    done.open_rows = write_open(tx, &open).await?;
    Ok(done)
}

type Daily = BTreeMap<(Key, NaiveDate), Counters>;
type Durations = BTreeMap<(Key, NaiveDate, u32), i64>;
type Open = BTreeMap<Key, i64>;

async fn aggregate_cases(
    tx: &mut Tx,
    government_id: i64,
    calendar: &WorkingCalendar,
    zone: IndonesianTimeZone,
) -> Result<(Daily, Durations, Open, u64), StoreError> {
    let mut daily = Daily::new();
    let mut durations = Durations::new();
    let mut open = Open::new();
    let mut index = WorkingDayIndex::new(calendar);
    let mut after = 0i64;
    let mut count = 0u64;
    loop {
        let page: Vec<CaseFacts> = tx
            .fetch_all(
                query(
                    // `+government_id`: walk the primary key from `after`; through the government's
                    // index, SQLite read and sorted every case of the government for each page.
                    "SELECT id, kind, agency_id, unit_id, service_id, opened_at, status, due_at, closed_at FROM cases \
                     WHERE +government_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(government_id)
                .bind(after)
                .bind(CASES_PER_READ),
            )
            .await?;
        let Some(last) = page.last().map(|c| c.id) else { break };
        // The routes of this page's complaints, read by the steps' own key range.
        let steps: Vec<StepTimes> = tx
            .fetch_all(
                query("SELECT case_id, position, due_at, done_at FROM case_steps WHERE case_id > $1 AND case_id <= $2")
                    .bind(after)
                    .bind(last),
            )
            .await?;
        let complaints: HashSet<i64> =
            page.iter().filter(|c| c.kind == CaseKind::Complaint.code()).map(|c| c.id).collect();
        let mut by_case: HashMap<i64, Vec<StepTimes>> = HashMap::new();
        for step in steps.into_iter().filter(|step| complaints.contains(&step.case_id)) {
            by_case.entry(step.case_id).or_default().push(step);
        }
        for row in &page {
            let kind =
                CaseKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt(format!("case kind {}", row.kind)))?;
            let route = by_case.get(&row.id).map(Vec::as_slice).unwrap_or_default();
            let desk_step = route.iter().find(|s| s.position == 0).map(|s| (s.done_at, s.due_at));
            let late_step = route.iter().any(|s| matches!((s.done_at, s.due_at), (Some(d), Some(u)) if d > u));
            let facts = Facts {
                government_id,
                kind,
                agency_id: row.agency_id,
                unit_id: row.unit_id,
                service_id: row.service_id,
                opened_at: row.opened_at,
                status: &row.status,
                due_at: row.due_at,
                closed_at: row.closed_at,
                desk_step: if kind == CaseKind::Complaint { desk_step } else { None },
                late_step,
            };
            let c = contribution(&facts, zone, &mut |a, b| index.between(a, b));
            for (day, counters) in daily_rows(&c) {
                daily.entry((c.key, day)).or_default().add(&counters);
            }
            match c.closed {
                Some(closed) => {
                    *durations.entry((c.key, closed.day, rules::bucket(closed.working_days))).or_default() += 1
                }
                None => *open.entry(c.key).or_default() += 1,
            }
            count += 1;
        }
        after = last;
    }
    Ok((daily, durations, open, count))
}

fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn write_daily(tx: &mut Tx, daily: &Daily) -> Result<u64, StoreError> {
    let rows: Vec<_> = daily.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut q = dynamic_query(format!(
            "INSERT INTO dashboard_daily (government_id, kind, agency_id, unit_id, service_id, day, received, closed, \
             closed_on_time, resolved, resolved_on_time, closed_working_days_sum, verified, verified_on_time) VALUES {}",
            placeholders(chunk.len(), 14)
        ));
        for ((k, day), c) in chunk {
            q = q
                .bind(k.government_id)
                .bind(k.kind)
                .bind(k.agency_id)
                .bind(k.unit_id)
                .bind(k.service_id)
                .bind(*day)
                .bind(c.received)
                .bind(c.closed)
                .bind(c.closed_on_time)
                .bind(c.resolved)
                .bind(c.resolved_on_time)
                .bind(c.closed_working_days_sum)
                .bind(c.verified)
                .bind(c.verified_on_time);
        }
        tx.execute(q).await?;
    }
    Ok(rows.len() as u64)
}

async fn write_durations(tx: &mut Tx, durations: &Durations) -> Result<u64, StoreError> {
    let rows: Vec<_> = durations.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut q = dynamic_query(format!(
            "INSERT INTO dashboard_durations (government_id, kind, agency_id, unit_id, service_id, day, bucket, closed) \
             VALUES {}",
            placeholders(chunk.len(), 8)
        ));
        for ((k, day, bucket), closed) in chunk {
            q = q
                .bind(k.government_id)
                .bind(k.kind)
                .bind(k.agency_id)
                .bind(k.unit_id)
                .bind(k.service_id)
                .bind(*day)
                .bind(i64::from(*bucket))
                .bind(**closed);
        }
        tx.execute(q).await?;
    }
    Ok(rows.len() as u64)
}

async fn write_open(tx: &mut Tx, open: &Open) -> Result<u64, StoreError> {
    let rows: Vec<_> = open.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut q = dynamic_query(format!(
            "INSERT INTO dashboard_open (government_id, kind, agency_id, unit_id, service_id, open_cases) VALUES {}",
            placeholders(chunk.len(), 6)
        ));
        for (k, n) in chunk {
            q = q.bind(k.government_id).bind(k.kind).bind(k.agency_id).bind(k.unit_id).bind(k.service_id).bind(**n);
        }
        tx.execute(q).await?;
    }
    Ok(rows.len() as u64)
}

// ---- the rows as they are, for the conformance test and for checks ------------------------------

/// One `dashboard_daily` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DailyRow {
    pub kind: String,
    pub agency_id: i64,
    pub unit_id: i64,
    pub service_id: i64,
    pub day: NaiveDate,
    pub received: i64,
    pub closed: i64,
    pub closed_on_time: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    pub closed_working_days_sum: i64,
    pub verified: i64,
    pub verified_on_time: i64,
}

/// Every aggregate row of a government, in key order: daily rows, duration rows
/// `(kind, agency, unit, service, day, bucket, closed)` and open rows `(kind, agency, unit, service, open)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub daily: Vec<DailyRow>,
    pub durations: Vec<(String, i64, i64, i64, NaiveDate, i64, i64)>,
    pub open: Vec<(String, i64, i64, i64, i64)>,
}

/// Reads every aggregate row of a government (small governments only: tests and checks).
pub async fn snapshot(db: &Db, government_id: i64) -> Result<Snapshot, StoreError> {
    let mut tx = db.begin_read().await?;
    let daily = tx
        .fetch_all(
            query(
                "SELECT kind, agency_id, unit_id, service_id, day, received, closed, closed_on_time, resolved, \
                 resolved_on_time, closed_working_days_sum, verified, verified_on_time FROM dashboard_daily \
                 WHERE government_id = $1 ORDER BY kind, agency_id, unit_id, service_id, day",
            )
            .bind(government_id),
        )
        .await?;
    let durations = tx
        .fetch_all(
            query(
                "SELECT kind, agency_id, unit_id, service_id, day, bucket, closed FROM dashboard_durations \
                 WHERE government_id = $1 ORDER BY kind, agency_id, unit_id, service_id, day, bucket",
            )
            .bind(government_id),
        )
        .await?;
    let open = tx
        .fetch_all(
            query(
                "SELECT kind, agency_id, unit_id, service_id, open_cases FROM dashboard_open \
                 WHERE government_id = $1 ORDER BY kind, agency_id, unit_id, service_id",
            )
            .bind(government_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Snapshot { daily, durations, open })
}
