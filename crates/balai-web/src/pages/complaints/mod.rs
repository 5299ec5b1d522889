//! Complaints pages (LAPOR!): anyone reports a problem, an aspiration or a request for information,
//! signed in or not; the reporter follows it with the tracking number and secret; the public reads
//! the reports not marked rahasia, on a list and a map, with their timeline, and supports them.
//! The officers' side: the queue, a report's page with its actions, and the rules editor.

mod follow;
mod public;
mod report;
mod rules;
pub(crate) mod texts;
mod track;
mod work;
pub(crate) mod work_texts;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::http::HeaderMap;
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::complaints::{ComplaintEvent, ComplaintStatus};
use balai_store::complaints::PublicEvent;
use balai_store::org::{self, Government};
use chrono::{DateTime, Utc};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(report::routes())
        .merge(track::routes())
        .merge(public::routes())
        .merge(follow::routes())
        .route("/static/lokasi.js", axum::routing::get(location_script))
}

/// The officers' complaint pages.
pub fn officer_routes() -> Router<AppState> {
    Router::new().merge(work::routes()).merge(rules::routes())
}

/// How many tracking attempts (number and secret) a client may make at once, and how soon it may
/// make one more after that: ten guesses, then one every half minute.
pub const TRACKING_ATTEMPTS: u32 = 10;
pub const TRACKING_REFILL: std::time::Duration = std::time::Duration::from_secs(30);

/// The small optional script that fills the location fields from the browser's position. The form
/// works without it: the button stays hidden and the fields take typed coordinates.
async fn location_script() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/lokasi.js"),
    )
        .into_response()
}

/// The texts of this context, by name, for templates: `{{ l.t("REPORT") }}`.
#[derive(Debug, Clone, Copy)]
pub struct L(pub Lang);

impl L {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}

/// The government a page is about: the one named by `?pemda=`, else the deployment's default.
pub(crate) async fn government_of(state: &AppState, region: Option<&str>) -> Result<Government, AppError> {
    let region = region.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    match region.or_else(|| state.config.default_region.clone()) {
        Some(region) => Ok(org::government_by_region(&state.db, &region).await?),
        None => {
            // Without a default, the first government that takes complaints.
            for government in org::governments(&state.db).await? {
                if balai_store::complaints::rules::current(&state.db, government.id).await?.is_some() {
                    return Ok(government);
                }
            }
            Err(AppError::NotFound)
        }
    }
}

/// The cookie that tells one browser's "me too" from another's, for someone not signed in.
pub(crate) const SUPPORTER_COOKIE: &str = "balai_supporter";

/// Who supports a report: the citizen when signed in, else this browser's random key (hashed, so
/// the stored key is not the cookie). `None` when the browser has no key yet.
pub(crate) fn supporter_key(citizen_id: Option<i64>, headers: &HeaderMap) -> Option<String> {
    if let Some(id) = citizen_id {
        return Some(format!("citizen:{id}"));
    }
    let cookie = crate::auth::cookie_value(headers, SUPPORTER_COOKIE).filter(|c| c.len() >= 20 && c.len() <= 64)?;
    Some(format!("browser:{}", &crate::auth::token_hash(cookie)[..40]))
}

/// A line of a report's timeline: when, what happened, the status it led to, who (by role only).
pub(crate) struct TimelineLine {
    pub at: String,
    pub what: String,
    pub status: String,
    pub by: String,
    pub reason: String,
    pub photo_ids: Vec<i64>,
}

pub(crate) fn timeline(lang: Lang, zone: IndonesianTimeZone, events: &[PublicEvent]) -> Vec<TimelineLine> {
    events
        .iter()
        .map(|e| TimelineLine {
            at: zone.format(e.at),
            what: event_label(lang, &e.event),
            status: ComplaintStatus::parse(&e.to_status).map(|s| s.label(lang).to_owned()).unwrap_or_default(),
            by: match e.actor.as_str() {
                "officer" => texts::BY_OFFICER.get(lang),
                "reporter" | "citizen" => texts::BY_REPORTER.get(lang),
                _ => texts::BY_SYSTEM.get(lang),
            }
            .to_owned(),
            reason: e.reason.clone(),
            photo_ids: e.photo_ids.clone(),
        })
        .collect()
}

fn event_label(lang: Lang, event: &str) -> String {
    match event {
        "submitted" => texts::EVENT_SUBMITTED.get(lang).to_owned(),
        "breach" => texts::EVENT_BREACH.get(lang).to_owned(),
        other => ComplaintEvent::parse(other).map_or_else(|| other.to_owned(), |e| e.label(lang).to_owned()),
    }
}

/// A moment as the government's people read it.
pub(crate) fn when(zone: IndonesianTimeZone, at: Option<DateTime<Utc>>) -> String {
    at.map(|t| zone.format(t)).unwrap_or_default()
}

/// The signed-in citizen, if any, without sending anyone to sign in.
pub(crate) async fn citizen_of(state: &AppState, headers: &HeaderMap) -> Option<i64> {
    let token = crate::auth::cookie_value(headers, crate::identity::CITIZEN_COOKIE)?;
    let hash = crate::auth::token_hash(token);
    balai_store::identity::live_session(
        &state.db,
        balai_store::identity::PrincipalKind::Citizen,
        &hash,
        state.config.clock.now(),
    )
    .await
    .ok()
    .flatten()
    .map(|s| s.principal_id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_a_template_asks_for_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/complaints");
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("l.t(\"") {
                let rest = &text[i + 5..];
                let name = &rest[..rest.find('"').unwrap()];
                assert!(super::texts::ALL.iter().any(|(n, _)| *n == name), "{}: {name}", path.display());
                asked += 1;
            }
        }
        assert!(asked > 20, "the complaints templates ask for their texts ({asked})");
    }
}
