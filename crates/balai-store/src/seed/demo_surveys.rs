//! The demo's SKM responses, so the public results page has figures: most citizens whose demo
//! application was completed answered through their link (within three days), and walk-in
//! respondents answered at the demo officer's counter. Scores lean to "good", as real SKM results
//! do. Drawn from a fixed seed; every response goes through `surveys::record_response_in`, so the
//! day sums and the leaves are those of real responses.

use super::SeedError;
use super::demo_applications::Draw;
use crate::audit::Actor;
use crate::surveys::{NewResponse, SurveyChannel, record_response_in};
use crate::{Db, query};
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::surveys::{AgeBand, Answers, Education, Element, Occupation, Profile, Response, Score, Sex};
use chrono::{DateTime, Duration, Utc};

/// Invitations of cases closed this many days back are answered by their link; older ones lapsed
/// unanswered.
const RECENT_DAYS: i64 = 90;
/// Walk-in respondents at the demo officer's counter.
const KIOSK_RESPONSES: u64 = 24;

const SUGGESTIONS: [&str; 6] = [
    "Ruang tunggu perlu kipas angin tambahan.",
    "Petugas ramah, terima kasih.",
    "Mohon informasi persyaratan dipasang di depan loket.",
    "Antrean pagi terlalu panjang.",
    "Sudah baik, pertahankan.",
    "Tempat parkir sempit.",
];

fn drawn_response(draw: &mut Draw) -> Response {
    let scores = Element::ALL.map(|element| {
        // Mostly 3 and 4; waiting time (U3) and facilities (U9) a little lower, as surveys tend to find.
        let low = matches!(element, Element::U3 | Element::U9);
        let roll = draw.below(100);
        let value = match (low, roll) {
            (_, 0..=3) => 2,
            (true, 4..=14) => 2,
            (_, r) if r < 60 => 3,
            _ => 4,
        };
        Score::new(value).unwrap_or(Score::ALL[2])
    });
    let profile = Profile {
        sex: Some(*draw.pick(Sex::ALL)),
        age_band: draw.chance(0.9).then(|| *draw.pick(AgeBand::ALL)),
        education: draw.chance(0.8).then(|| *draw.pick(Education::ALL)),
        occupation: draw.chance(0.8).then(|| *draw.pick(Occupation::ALL)),
    };
    let suggestion = if draw.chance(0.3) { (*draw.pick(&SUGGESTIONS)).to_owned() } else { String::new() };
    Response { answers: Answers::new(scores), profile, suggestion }
}

#[derive(sqlx::FromRow)]
struct Invited {
    id: i64,
    government_id: i64,
    agency_id: i64,
    unit_id: i64,
    service_id: Option<i64>,
    case_id: i64,
    closed_at: Option<DateTime<Utc>>,
    time_zone: String,
}

pub(super) async fn seed(db: &Db, officer_id: i64, now: DateTime<Utc>, history: usize) -> Result<(), SeedError> {
    let mut draw = Draw(0x0053_4B4D_2026);
    seed_history(db, officer_id, now, history, &mut draw).await?;
    let mut tx = db.begin().await?;
    let invited: Vec<Invited> = tx
        .fetch_all(query(
            "SELECT i.id, i.government_id, i.agency_id, i.unit_id, i.service_id, i.case_id, c.closed_at, g.time_zone \
             FROM survey_invitations i JOIN cases c ON c.id = i.case_id JOIN governments g ON g.id = i.government_id \
             WHERE i.used_at IS NULL AND c.closed_at >= $1 ORDER BY i.id",
        ).bind(now - Duration::days(RECENT_DAYS)))
        .await?;
    for invitation in invited {
        if !draw.chance(0.75) {
            continue;
        }
        let zone = IndonesianTimeZone::parse(&invitation.time_zone).unwrap_or(IndonesianTimeZone::Wita);
        let closed = invitation.closed_at.unwrap_or(now);
        let answered_at =
            (closed + Duration::minutes(30 + i64::try_from(draw.below(3 * 24 * 60)).unwrap_or(0))).min(now);
        let response = drawn_response(&mut draw);
        let id = record_response_in(
            &mut tx,
            &Actor::public(),
            &NewResponse {
                government_id: invitation.government_id,
                agency_id: invitation.agency_id,
                unit_id: invitation.unit_id,
                service_id: invitation.service_id,
                case_id: Some(invitation.case_id),
                channel: SurveyChannel::Link,
                answered_on: zone.local_date(answered_at),
                response: &response,
                recorded_by: None,
                idempotency_key: None,
                created_at: answered_at,
            },
        )
        .await?;
        tx.execute(
            query("UPDATE survey_invitations SET used_at = $1, response_id = $2 WHERE id = $3")
                .bind(answered_at)
                .bind(id)
                .bind(invitation.id),
        )
        .await?;
    }
    // The counter: the demo officer's unit, or the first unit of their agency.
    let place: Option<(i64, i64, Option<i64>, String)> = tx
        .fetch_optional(
            query(
                "SELECT o.government_id, o.agency_id, o.unit_id, g.time_zone FROM officers o \
                 JOIN governments g ON g.id = o.government_id WHERE o.id = $1 AND o.agency_id IS NOT NULL",
            )
            .bind(officer_id),
        )
        .await?;
    if let Some((government_id, agency_id, unit_id, time_zone)) = place {
        let unit_id = match unit_id {
            Some(unit) => Some(unit),
            None => tx
                .fetch_optional::<(i64,)>(
                    query("SELECT id FROM units WHERE agency_id = $1 ORDER BY id LIMIT 1").bind(agency_id),
                )
                .await?
                .map(|(id,)| id),
        };
        let zone = IndonesianTimeZone::parse(&time_zone).unwrap_or(IndonesianTimeZone::Wita);
        for n in 0..unit_id.map_or(0, |_| KIOSK_RESPONSES) {
            let Some(unit_id) = unit_id else { break };
            let at = now - Duration::minutes(i64::try_from(draw.below(20 * 24 * 60)).unwrap_or(0));
            let response = drawn_response(&mut draw);
            let key = format!("demo-kiosk-{n}");
            record_response_in(
                &mut tx,
                &Actor::officer(officer_id),
                &NewResponse {
                    government_id,
                    agency_id,
                    unit_id,
                    service_id: None,
                    case_id: None,
                    channel: SurveyChannel::Kiosk,
                    answered_on: zone.local_date(at),
                    response: &response,
                    recorded_by: Some(officer_id),
                    idempotency_key: Some(&key),
                    created_at: at,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Completed {
    government_id: i64,
    agency_id: i64,
    unit_id: Option<i64>,
    service_id: Option<i64>,
    id: i64,
    closed_at: Option<DateTime<Utc>>,
    time_zone: String,
}

/// Rows written per transaction, so the writer is never held for long.
const HISTORY_BATCH: usize = 500;

/// The history's responses (`balai demo --history`): about `count` paper forms of applicants whose
/// applications were completed and who had no link to answer by (the demo's invented people have no
/// contact), typed in at their unit by the demo officer as agencies do with paper forms, each
/// answered within three days of its completion; as the history holds most completions, most of
/// them fall in it.
async fn seed_history(
    db: &Db,
    officer_id: i64,
    now: DateTime<Utc>,
    count: usize,
    draw: &mut Draw,
) -> Result<(), SeedError> {
    if count == 0 {
        return Ok(());
    }
    let completed: Vec<Completed> = db
        .fetch_all(query(
            "SELECT c.government_id, c.agency_id, c.unit_id, c.service_id, c.id, c.closed_at, g.time_zone \
                 FROM cases c JOIN governments g ON g.id = c.government_id \
                 WHERE c.kind = 'application' AND c.status = 'completed' \
                 AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.case_id = c.id) ORDER BY c.id",
        ))
        .await?;
    if completed.is_empty() {
        return Ok(());
    }
    // Each completed application answered with the same chance, so the total comes near `count`.
    let per_mille = (count as u64 * 1_000 / completed.len() as u64).min(1_000);
    let chosen: Vec<&Completed> = completed.iter().filter(|_| draw.below(1_000) < per_mille).collect();
    for (batch_number, batch) in chosen.chunks(HISTORY_BATCH).enumerate() {
        let mut tx = db.begin().await?;
        for (n, case) in batch.iter().enumerate() {
            let Some(unit_id) = case.unit_id else { continue };
            let zone = IndonesianTimeZone::parse(&case.time_zone).unwrap_or(IndonesianTimeZone::Wita);
            let closed = case.closed_at.unwrap_or(now);
            let answered_at = closed + Duration::minutes(30 + i64::try_from(draw.below(3 * 24 * 60)).unwrap_or(0));
            let response = drawn_response(draw);
            let key = format!("demo-history-{}", batch_number * HISTORY_BATCH + n);
            record_response_in(
                &mut tx,
                &Actor::officer(officer_id),
                &NewResponse {
                    government_id: case.government_id,
                    agency_id: case.agency_id,
                    unit_id,
                    service_id: case.service_id,
                    case_id: Some(case.id),
                    channel: SurveyChannel::Import,
                    answered_on: zone.local_date(answered_at),
                    response: &response,
                    recorded_by: Some(officer_id),
                    idempotency_key: Some(&key),
                    created_at: answered_at.min(now),
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
