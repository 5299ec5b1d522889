//! The working-day calendar of each government, as data an administrator can correct per year.

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject, to_json};
use crate::identity::access::authorize_officer;
use crate::{Db, StoreError, Tx, query};
use balai_domain::calendar::WorkingCalendar;
use balai_domain::identity::{Action, Target};
use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;

/// The holiday types are the domain's; re-exported so callers of the store keep one import.
pub use balai_domain::calendar::{Holiday, HolidayKind};

#[derive(sqlx::FromRow)]
struct HolidayRow {
    date: NaiveDate,
    name: String,
    kind: String,
}

/// Replaces one year's holidays for a government and marks the year as covered.
/// An officer replaces a government's holidays for one year: one transaction that checks their
/// permission against their account as it is now, writes the year, appends its leaf and commits.
pub async fn replace_year_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    year: i32,
    holidays: &[Holiday],
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ManageCalendar, &Target::government(government_id)).await?;
    replace_year(&mut tx, &Actor::officer(officer_id), government_id, year, holidays).await?;
    tx.commit().await
}

pub async fn replace_year(
    tx: &mut Tx,
    actor: &Actor,
    government_id: i64,
    year: i32,
    holidays: &[Holiday],
) -> Result<(), StoreError> {
    if let Some(stray) = holidays.iter().find(|h| h.date.year() != year) {
        return Err(StoreError::Corrupt(format!("holiday {} is not in {year}", stray.date)));
    }
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    tx.execute(
        query("DELETE FROM holidays WHERE government_id = $1 AND date >= $2 AND date <= $3")
            .bind(government_id)
            .bind(start)
            .bind(end),
    )
    .await?;
    for h in holidays {
        tx.execute(
            query("INSERT INTO holidays (government_id, date, name, kind) VALUES ($1, $2, $3, $4)")
                .bind(government_id)
                .bind(h.date)
                .bind(&h.name)
                .bind(h.kind.code()),
        )
        .await?;
    }
    tx.execute(
        query("DELETE FROM calendar_years WHERE government_id = $1 AND year = $2")
            .bind(government_id)
            .bind(i64::from(year)),
    )
    .await?;
    tx.execute(
        query("INSERT INTO calendar_years (government_id, year, updated_at) VALUES ($1, $2, $3)")
            .bind(government_id)
            .bind(i64::from(year))
            .bind(Utc::now()),
    )
    .await?;
    audit::record_change(tx, actor, "calendar.year.replace", &year_subject(government_id, year), Some(government_id))
        .await?;
    Ok(())
}

pub async fn holidays(db: &Db, government_id: i64, year: i32) -> Result<Vec<Holiday>, StoreError> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    let rows: Vec<HolidayRow> = db
        .fetch_all(
            query("SELECT date, name, kind FROM holidays WHERE government_id = $1 AND date >= $2 AND date <= $3 ORDER BY date")
                .bind(government_id)
                .bind(start)
                .bind(end),
        )
        .await?;
    rows.into_iter().map(holiday_from_row).collect()
}

fn holiday_from_row(row: HolidayRow) -> Result<Holiday, StoreError> {
    let kind =
        HolidayKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt(format!("holiday kind {}", row.kind)))?;
    Ok(Holiday { date: row.date, name: row.name, kind })
}

pub async fn covered_years(db: &Db, government_id: i64) -> Result<Vec<i32>, StoreError> {
    let rows: Vec<(i64,)> = db
        .fetch_all(query("SELECT year FROM calendar_years WHERE government_id = $1 ORDER BY year").bind(government_id))
        .await?;
    rows.into_iter()
        .map(|(y,)| i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("calendar year {y}"))))
        .collect()
}

/// The government's whole calendar, ready for deadline arithmetic.
pub async fn working_calendar(db: &Db, government_id: i64) -> Result<WorkingCalendar, StoreError> {
    let years = covered_years(db, government_id).await?;
    let dates: Vec<(NaiveDate,)> =
        db.fetch_all(query("SELECT date FROM holidays WHERE government_id = $1").bind(government_id)).await?;
    WorkingCalendar::new(years, dates.into_iter().map(|(d,)| d)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The same, read in the caller's transaction (a command's deadlines and its writes see one state).
pub(crate) async fn working_calendar_in(tx: &mut Tx, government_id: i64) -> Result<WorkingCalendar, StoreError> {
    let years: Vec<(i64,)> = tx
        .fetch_all(query("SELECT year FROM calendar_years WHERE government_id = $1 ORDER BY year").bind(government_id))
        .await?;
    let years = years
        .into_iter()
        .map(|(y,)| i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("calendar year {y}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let dates: Vec<(NaiveDate,)> =
        tx.fetch_all(query("SELECT date FROM holidays WHERE government_id = $1").bind(government_id)).await?;
    WorkingCalendar::new(years, dates.into_iter().map(|(d,)| d)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

// ---- audited state ----------------------------------------------------------------------------

/// A government's year is one audited subject (`government_id/year`): its holidays are its state.
pub(crate) const AUDITED: &[AuditedTable] =
    &[AuditedTable::new("calendar_years", year_state).listed_by(covered_years_of_all)];

#[derive(Serialize, sqlx::FromRow)]
struct HolidayState {
    id: i64,
    date: NaiveDate,
    name: String,
    kind: String,
}

/// A government's calendar for one year (its holidays are replaced together): `government_id/year`.
fn year_subject(government_id: i64, year: i32) -> Subject {
    Subject::new("calendar_years", format!("{government_id}/{year}"))
}

fn year_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move {
        let (government_id, year) = id
            .split_once('/')
            .and_then(|(g, y)| Some((g.parse::<i64>().ok()?, y.parse::<i32>().ok()?)))
            .ok_or_else(|| StoreError::Corrupt(format!("calendar subject {id:?}")))?;
        let covered: Option<(i64,)> = tx
            .fetch_optional(
                query("SELECT year FROM calendar_years WHERE government_id = $1 AND year = $2")
                    .bind(government_id)
                    .bind(i64::from(year)),
            )
            .await?;
        if covered.is_none() {
            return Ok(None);
        }
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| StoreError::Corrupt("year".into()))?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| StoreError::Corrupt("year".into()))?;
        let holidays: Vec<HolidayState> = tx
            .fetch_all(
                query(
                    "SELECT id, date, name, kind FROM holidays WHERE government_id = $1 AND date >= $2 AND date <= $3 \
                     ORDER BY date",
                )
                .bind(government_id)
                .bind(start)
                .bind(end),
            )
            .await?;
        Ok(Some(to_json(&(government_id, year, holidays))))
    })
}

fn covered_years_of_all<'a>(tx: &'a mut Tx) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64, i64)> = tx.fetch_all(query("SELECT government_id, year FROM calendar_years")).await?;
        Ok(rows.into_iter().map(|(g, y)| format!("{g}/{y}")).collect())
    })
}
