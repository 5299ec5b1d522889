//! Public tracking: `/lacak` asks for the number, `/lacak/{number}` shows where the case stands —
//! service, government, status, deadlines and steps — and nothing personal.

use super::{L, due_day, when};
use crate::AppState;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, render};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::applications::{ApplicationStatus, TrackingNumber};
use balai_domain::calendar::IndonesianTimeZone;
use balai_store::applications::{self, PublicApplication};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/lacak", get(ask)).route("/lacak/{number}", get(show))
}

#[derive(Deserialize)]
struct AskQuery {
    nomor: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "track_ask.html")]
struct AskPage {
    chrome: Chrome,
    l: L,
    value: String,
    error: Option<String>,
}

async fn ask(RequestLang(lang): RequestLang, uri: Uri, Query(q): Query<AskQuery>) -> Response {
    let l = L(lang);
    let typed = q.nomor.unwrap_or_default();
    let typed = typed.chars().take(64).collect::<String>();
    if !typed.trim().is_empty() {
        match TrackingNumber::parse(&typed) {
            Ok(number) => {
                let query = if lang == balai_domain::Lang::En { "?lang=en" } else { "" };
                return Redirect::to(&format!("/lacak/{}{query}", number.as_str())).into_response();
            }
            Err(e) => {
                let page = AskPage {
                    chrome: Chrome::new(lang, l.t("TRACK_HEADING"), &uri),
                    l,
                    value: typed,
                    error: Some(e.message(lang)),
                };
                return (StatusCode::NOT_FOUND, render(&page)).into_response();
            }
        }
    }
    render(&AskPage { chrome: Chrome::new(lang, l.t("TRACK_HEADING"), &uri), l, value: String::new(), error: None })
}

pub(super) struct StepLine {
    pub name: String,
    pub unit: String,
    pub due: String,
    pub done: String,
    pub state: &'static str,
    pub current: bool,
}

pub(super) fn step_lines(l: L, zone: IndonesianTimeZone, app: &PublicApplication) -> Vec<StepLine> {
    let closed = app.status.is_final();
    app.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let current = !closed && i64::try_from(i).is_ok_and(|i| i == app.current_step);
            let state = if s.done_at.is_some() {
                l.t("DONE")
            } else if current {
                l.t("NOW")
            } else if s.due_at.is_none() {
                l.t("WAITING")
            } else {
                ""
            };
            StepLine {
                name: s.name.clone(),
                unit: s.unit.clone(),
                due: due_day(zone, s.due_at),
                done: when(zone, s.done_at),
                state,
                current,
            }
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "track.html")]
struct TrackPage {
    chrome: Chrome,
    l: L,
    number: String,
    service: String,
    government: String,
    status: ApplicationStatus,
    submitted: String,
    due: String,
    closed: String,
    steps: Vec<StepLine>,
    verify_href: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(number): Path<String>,
) -> Response {
    let l = L(lang);
    let number = match TrackingNumber::parse(&number) {
        Ok(n) => n,
        // A mistyped number is answered without a lookup, with the reason it is not one.
        Err(e) => {
            let page = AskPage {
                chrome: Chrome::new(lang, l.t("TRACK_HEADING"), &uri),
                l,
                value: number.chars().take(64).collect(),
                error: Some(e.message(lang)),
            };
            return (StatusCode::NOT_FOUND, render(&page)).into_response();
        }
    };
    let app = match applications::public_application(&state.db, &number).await {
        Ok(Some(app)) => app,
        Ok(None) => return error_page(lang, &uri, crate::error::AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = IndonesianTimeZone::parse(&app.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let steps = step_lines(l, zone, &app);
    let page = TrackPage {
        chrome: Chrome::new(lang, format!("{} {}", l.t("TRACKING_NUMBER"), app.tracking_number), &uri),
        l,
        number: app.tracking_number.clone(),
        service: match lang {
            balai_domain::Lang::Id => app.service.clone(),
            balai_domain::Lang::En => app.service_en.clone(),
        },
        government: app.government.clone(),
        status: app.status,
        submitted: when(zone, Some(app.submitted_at)),
        due: due_day(zone, app.due_at),
        closed: when(zone, app.closed_at),
        steps,
        verify_href: app.document_id.as_ref().map(|id| format!("/verifikasi/{id}")),
    };
    render(&page)
}
