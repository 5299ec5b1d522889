//! Cases: what applications (permohonan) and complaints (pengaduan) share — where a case sits
//! (government, agency, unit), whose it is, and what it is about. Each context keeps its own details
//! in its own table keyed by the case id; access to the citizen's record goes through the case
//! ([`crate::identity::access`]).

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::org::Place;
use crate::{Db, StoreError, Tx, query};
use balai_domain::applications::TrackingNumber;
use balai_domain::calendar::{Deadline, IndonesianTimeZone, WorkingCalendar};
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
    tracking_number: Option<String>,
    status: String,
    current_step: i64,
    due_at: Option<DateTime<Utc>>,
    paused_since: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

pub(crate) const CASE_COLUMNS: &str = "id, government_id, kind, agency_id, unit_id, citizen_id, service_id, title, opened_at, \
     tracking_number, status, current_step, due_at, paused_since, closed_at, version";

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
    /// What the citizen quotes and looks the case up by, without signing in.
    pub tracking_number: Option<String>,
    /// The status code of the case's kind (for applications, an `ApplicationStatus` code).
    pub status: String,
    /// The position of the step the case is at on its route.
    pub current_step: i64,
    /// The overall deadline; moved when the clock pauses for the citizen.
    pub due_at: Option<DateTime<Utc>>,
    /// Set while the case waits on the citizen (the clock stands still).
    pub paused_since: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Optimistic concurrency: every transition increments it.
    pub version: i64,
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
            tracking_number: row.tracking_number,
            status: row.status,
            current_step: row.current_step,
            due_at: row.due_at,
            paused_since: row.paused_since,
            closed_at: row.closed_at,
            version: row.version,
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
    /// The first status, a code of the kind's flow.
    pub status: &'a str,
    pub opened_at: DateTime<Utc>,
    /// The overall deadline, when the case has one.
    pub due_at: Option<DateTime<Utc>>,
    /// The route: every hand-over with its unit and working-day SLA. The first step starts at once.
    pub steps: &'a [NewStep<'a>],
}

/// One hand-over on a case's route.
pub struct NewStep<'a> {
    pub name: &'a str,
    pub unit_id: i64,
    pub sla_days: u32,
    /// The first step's deadline, set by the caller from the government's calendar.
    pub due_at: Option<DateTime<Utc>>,
}

/// Opens a case with a fresh tracking number and its route; the opening is a leaf of the audit log.
pub async fn open_case(tx: &mut Tx, actor: &Actor, new: &NewCase<'_>) -> Result<Opened, StoreError> {
    let tracking_number = TrackingNumber::from_random(rand::random::<[u8; 16]>());
    let id = tx
        .insert(
            query(
                "INSERT INTO cases (government_id, kind, agency_id, unit_id, citizen_id, service_id, title, opened_at, \
                 tracking_number, status, current_step, due_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, 1) RETURNING id",
            )
            .bind(new.government_id)
            .bind(new.kind.code())
            .bind(new.agency_id)
            .bind(new.unit_id)
            .bind(new.citizen_id)
            .bind(new.service_id)
            .bind(new.title)
            .bind(new.opened_at)
            .bind(tracking_number.as_str())
            .bind(new.status)
            .bind(new.due_at),
        )
        .await?;
    for (position, step) in new.steps.iter().enumerate() {
        let first = position == 0;
        tx.execute(
            query(
                "INSERT INTO case_steps (government_id, case_id, position, name, unit_id, sla_days, started_at, due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new.government_id)
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(step.name)
            .bind(step.unit_id)
            .bind(i64::from(step.sla_days))
            .bind(if first { Some(new.opened_at) } else { None })
            .bind(if first { step.due_at } else { None }),
        )
        .await?;
    }
    audit::record_change(tx, actor, "cases.open", &Subject::new("cases", id), Some(new.government_id)).await?;
    let opened = Case {
        id,
        government_id: new.government_id,
        kind: new.kind,
        agency_id: new.agency_id,
        unit_id: new.unit_id,
        citizen_id: new.citizen_id,
        service_id: new.service_id,
        title: new.title.to_owned(),
        opened_at: new.opened_at,
        tracking_number: Some(tracking_number.as_str().to_owned()),
        status: new.status.to_owned(),
        current_step: 0,
        due_at: new.due_at,
        paused_since: None,
        closed_at: None,
        version: 1,
    };
    crate::dashboard::record_opened_in(tx, &opened).await?;
    Ok(Opened { id, tracking_number })
}

/// A case just opened: its id and the number the citizen follows it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub id: i64,
    pub tracking_number: TrackingNumber,
}

/// One hand-over on a case's route, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseStep {
    pub id: i64,
    pub case_id: i64,
    pub position: i64,
    pub name: String,
    pub unit_id: i64,
    pub sla_days: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
}

const STEP_COLUMNS: &str = "id, case_id, position, name, unit_id, sla_days, started_at, due_at, done_at, breached_at";

pub(crate) async fn steps_in(tx: &mut Tx, case_id: i64) -> Result<Vec<CaseStep>, StoreError> {
    tx.fetch_all(
        crate::dynamic_query(format!("SELECT {STEP_COLUMNS} FROM case_steps WHERE case_id = $1 ORDER BY position"))
            .bind(case_id),
    )
    .await
}

pub async fn steps(db: &Db, case_id: i64) -> Result<Vec<CaseStep>, StoreError> {
    db.fetch_all(
        crate::dynamic_query(format!("SELECT {STEP_COLUMNS} FROM case_steps WHERE case_id = $1 ORDER BY position"))
            .bind(case_id),
    )
    .await
}

/// One transition of a case, as the history shows it: who, when, from, to, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseEvent {
    pub id: i64,
    pub case_id: i64,
    pub event: String,
    /// `officer`, `citizen` or `system`.
    pub actor: String,
    pub officer_id: Option<i64>,
    pub from_status: String,
    pub to_status: String,
    pub step: i64,
    pub from_unit_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

const EVENT_COLUMNS: &str =
    "id, case_id, event, actor, officer_id, from_status, to_status, step, from_unit_id, to_unit_id, reason, at";

pub(crate) async fn events_in(tx: &mut Tx, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
    tx.fetch_all(
        crate::dynamic_query(format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY id"))
            .bind(case_id),
    )
    .await
}

pub async fn events(db: &Db, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
    db.fetch_all(
        crate::dynamic_query(format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY id"))
            .bind(case_id),
    )
    .await
}

/// Who made a transition, as the case history and the audit log name them.
#[derive(Debug, Clone)]
pub enum EventActor {
    Officer(i64),
    Citizen(i64),
    /// A reporter who is not named: anonymous, or following a report by its tracking secret.
    Reporter,
    System(&'static str),
}

impl EventActor {
    fn code(&self) -> &'static str {
        match self {
            EventActor::Officer(_) => "officer",
            EventActor::Citizen(_) => "citizen",
            EventActor::Reporter => "reporter",
            EventActor::System(_) => "system",
        }
    }

    pub(crate) async fn audit_actor(&self, tx: &mut Tx) -> Result<Actor, StoreError> {
        match self {
            EventActor::Officer(id) => Ok(Actor::officer(*id)),
            EventActor::Citizen(id) => crate::identity::citizens::audit_actor(tx, *id).await,
            EventActor::Reporter => Ok(Actor::public()),
            EventActor::System(what) => Ok(Actor::system(what)),
        }
    }
}

/// Where a case moves: its new status, step and place, and its clock.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub event: &'a str,
    pub actor: EventActor,
    pub to_status: &'a str,
    pub to_step: i64,
    pub to_agency_id: i64,
    pub to_unit_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub paused_since: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Written for the citizen to read; never field values.
    pub reason: &'a str,
    pub at: DateTime<Utc>,
}

/// Moves a case in the caller's transaction: the case row (guarded by its version, so two officers
/// acting at once cannot both win), the event row, and one audit leaf for each.
pub(crate) async fn move_case(tx: &mut Tx, case: &Case, step: &Move<'_>) -> Result<i64, StoreError> {
    let changed = tx
        .execute(
            query(
                "UPDATE cases SET status = $1, current_step = $2, agency_id = $3, unit_id = $4, due_at = $5, \
                 paused_since = $6, closed_at = $7, version = version + 1 WHERE id = $8 AND version = $9",
            )
            .bind(step.to_status)
            .bind(step.to_step)
            .bind(step.to_agency_id)
            .bind(step.to_unit_id)
            .bind(step.due_at)
            .bind(step.paused_since)
            .bind(step.closed_at)
            .bind(case.id)
            .bind(case.version),
        )
        .await?;
    if changed == 0 {
        let current = case_in(tx, case.id).await?.ok_or(StoreError::NotFound)?;
        return Err(StoreError::StaleVersion { current: current.version });
    }
    let officer_id = match step.actor {
        EventActor::Officer(id) => Some(id),
        _ => None,
    };
    let event_id = tx
        .insert(
            query(
                "INSERT INTO case_events (government_id, case_id, event, actor, officer_id, from_status, to_status, step, \
                 from_unit_id, to_unit_id, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(case.government_id)
            .bind(case.id)
            .bind(step.event)
            .bind(step.actor.code())
            .bind(officer_id)
            .bind(case.status.as_str())
            .bind(step.to_status)
            .bind(case.current_step)
            .bind(case.unit_id)
            .bind(step.to_unit_id)
            .bind(step.reason)
            .bind(step.at),
        )
        .await?;
    let actor = step.actor.audit_actor(tx).await?;
    let action = format!("cases.{}", step.event);
    audit::record_change(tx, &actor, &action, &Subject::new("case_events", event_id), Some(case.government_id)).await?;
    audit::record_change(tx, &actor, &action, &Subject::new("cases", case.id), Some(case.government_id)).await?;
    crate::dashboard::record_moved_in(tx, case, step).await?;
    Ok(event_id)
}

/// Records an event that does not move the case (a breach of a step's deadline), with its leaf.
pub(crate) async fn note_event(
    tx: &mut Tx,
    case: &Case,
    event: &str,
    actor: &EventActor,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let event_id = tx
        .insert(
            query(
                "INSERT INTO case_events (government_id, case_id, event, actor, officer_id, from_status, to_status, step, \
                 from_unit_id, to_unit_id, reason, at) VALUES ($1, $2, $3, $4, NULL, $5, $5, $6, $7, $7, $8, $9) RETURNING id",
            )
            .bind(case.government_id)
            .bind(case.id)
            .bind(event)
            .bind(actor.code())
            .bind(case.status.as_str())
            .bind(case.current_step)
            .bind(case.unit_id)
            .bind(reason)
            .bind(at),
        )
        .await?;
    let audit_actor = actor.audit_actor(tx).await?;
    audit::record_change(
        tx,
        &audit_actor,
        &format!("cases.{event}"),
        &Subject::new("case_events", event_id),
        Some(case.government_id),
    )
    .await?;
    Ok(event_id)
}

/// Updates one step of a case's route (its unit, start, deadline, completion) in the caller's transaction.
pub(crate) async fn set_step(tx: &mut Tx, step: &CaseStep) -> Result<(), StoreError> {
    tx.execute(
        query(
            "UPDATE case_steps SET unit_id = $1, started_at = $2, due_at = $3, done_at = $4, breached_at = $5 WHERE id = $6",
        )
        .bind(step.unit_id)
        .bind(step.started_at)
        .bind(step.due_at)
        .bind(step.done_at)
        .bind(step.breached_at)
        .bind(step.id),
    )
    .await?;
    Ok(())
}

/// A case by its tracking number.
pub(crate) async fn case_by_tracking_in(tx: &mut Tx, tracking_number: &str) -> Result<Option<Case>, StoreError> {
    let row: Option<CaseRow> = tx
        .fetch_optional(
            crate::dynamic_query(format!("SELECT {CASE_COLUMNS} FROM cases WHERE tracking_number = $1"))
                .bind(tracking_number),
        )
        .await?;
    row.map(Case::try_from).transpose()
}

pub(crate) async fn case_in(tx: &mut Tx, id: i64) -> Result<Option<Case>, StoreError> {
    let row: Option<CaseRow> = tx
        .fetch_optional(crate::dynamic_query(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")).bind(id))
        .await?;
    row.map(Case::try_from).transpose()
}

/// Whether a case is a whistleblowing report (sealed to the inspectorate; no generic page shows it).
pub async fn is_sealed(db: &Db, id: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(query("SELECT case_id FROM complaints WHERE case_id = $1 AND channel = 'wbs'").bind(id))
        .await?;
    Ok(row.is_some())
}

pub async fn case(db: &Db, id: i64) -> Result<Option<Case>, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = case_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(case)
}

/// The newest cases of an agency, newest first (an officer's work list). Whistleblowing reports are
/// never on it: only inspectors see them, through their own pages.
pub async fn agency_cases(db: &Db, government_id: i64, agency_id: i64, limit: i64) -> Result<Vec<Case>, StoreError> {
    let rows: Vec<CaseRow> = db
        .fetch_all(
            crate::dynamic_query(format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE government_id = $1 AND agency_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM complaints p WHERE p.case_id = cases.id AND p.channel = 'wbs') \
                 ORDER BY opened_at DESC, id DESC LIMIT $3"
            ))
            .bind(government_id)
            .bind(agency_id)
            .bind(limit),
        )
        .await?;
    rows.into_iter().map(Case::try_from).collect()
}

// ---- deadlines ---------------------------------------------------------------------------------

/// The government's working calendar and time zone, for deadlines.
pub(crate) async fn calendar_in(
    tx: &mut Tx,
    government_id: i64,
) -> Result<(WorkingCalendar, IndonesianTimeZone), StoreError> {
    let calendar = crate::calendar::working_calendar_in(tx, government_id).await?;
    let (zone,): (String,) =
        tx.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(government_id)).await?;
    let zone = IndonesianTimeZone::parse(&zone).ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))?;
    Ok((calendar, zone))
}

/// The deadline `days` working days after `start`.
pub(crate) fn deadline(
    calendar: &WorkingCalendar,
    zone: IndonesianTimeZone,
    start: DateTime<Utc>,
    days: i64,
) -> Result<Deadline, StoreError> {
    let days = u32::try_from(days).map_err(|_| StoreError::Corrupt(format!("service level of {days} days")))?;
    calendar.deadline(start, days, zone).map_err(StoreError::Calendar)
}

/// Moves a deadline later by the working days a pause took (a pause's own day costs nothing).
pub(crate) fn extended(
    calendar: &WorkingCalendar,
    zone: IndonesianTimeZone,
    due_at: DateTime<Utc>,
    paused_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, StoreError> {
    let paused = calendar
        .working_days_between(zone.local_date(paused_since), zone.local_date(now))
        .map_err(StoreError::Calendar)?;
    if paused == 0 {
        return Ok(due_at);
    }
    // `due_at` is the start of the day after the due date, in the government's zone.
    let due_date = zone.local_date(due_at - chrono::Duration::seconds(1));
    let moved = calendar.add_working_days(due_date, paused).map_err(StoreError::Calendar)?;
    let next = moved.succ_opt().ok_or_else(|| StoreError::Corrupt("date overflow".into()))?;
    Ok(zone.start_of_day(next))
}

/// Queues the check of a step's deadline for the moment it falls due (the job queue runs it; the
/// periodic scan catches anything a lost job missed).
pub(crate) async fn schedule_breach_check(
    tx: &mut Tx,
    case: &Case,
    position: usize,
    due_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // One check per step and deadline: a deadline moved by a pause gets its own check.
    let dedupe = format!("{}:{position}:{}", case.id, due_at.timestamp());
    crate::jobs::enqueue(
        tx,
        &crate::jobs::NewJob {
            kind: crate::applications::BREACH_CHECK,
            government_id: Some(case.government_id),
            payload: serde_json::json!({ "case_id": case.id, "position": position }),
            run_at: due_at,
            max_attempts: 5,
            dedupe_key: Some(&dedupe),
        },
    )
    .await?;
    Ok(())
}

// ---- audited state ----------------------------------------------------------------------------

/// Cases are audited rows (each context's own details are audited with its own tables).
pub(crate) const AUDITED: &[AuditedTable] =
    &[AuditedTable::new("cases", case_state), AuditedTable::new("case_events", event_state)];

fn case_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<CaseRow>(
        tx,
        "cases",
        crate::dynamic_query(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")),
        id,
    )
}

fn event_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<CaseEvent>(
        tx,
        "case_events",
        crate::dynamic_query(format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE id = $1")),
        id,
    )
}
