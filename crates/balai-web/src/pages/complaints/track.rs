//! The reporter's side: `/pengaduan/lacak` opens a report with its tracking number and secret (a
//! POST: the secret is never in an address), shows everything the reporter wrote and the timeline,
//! and takes their response to the answer (accept, or reopen with a reason) and their rating.
//! A signed-in citizen finds their own reports at `/pengaduan/saya`.
//!
//! After the secret is checked once, the browser holds it in a short-lived cookie, sealed with the
//! server's key (so it is unreadable and unforgeable), `HttpOnly` and `SameSite=Strict`: the
//! response and rating forms then carry no secret. Re-posting the secret in hidden fields would put
//! it into every page's HTML (kept in history, restored by the back button) and would spend a
//! throttled attempt on every action; the cookie does neither, and it expires on its own.

use super::{L, TimelineLine, texts, timeline, when};
use crate::AppState;
use crate::auth::Citizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::ops::ClientAddr;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::complaints::{ComplaintEvent, Rating};
use balai_store::complaints::{self, ReporterKey, ReporterView};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pengaduan/lacak", get(show).post(open))
        .route("/pengaduan/lacak/tanggapan", post(respond))
        .route("/pengaduan/lacak/nilai", post(rate))
        .route("/pengaduan/saya", get(mine))
        .route("/pengaduan/saya/{id}", get(mine_one))
}

/// The cookie that keeps an opened report for a while (its value sealed by the server).
const REPORTER_COOKIE: &str = "balai_complaint_reporter";
/// How long an opened report stays open in the browser.
const REPORTER_SECONDS: i64 = 30 * 60;
/// What the seal is bound to: a sealed value made for another purpose does not open here.
const REPORTER_SEAL: &str = "complaint-reporter-cookie";

#[derive(Serialize, Deserialize)]
struct Opened {
    t: String,
    s: String,
    e: i64,
}

fn opened(state: &AppState, headers: &HeaderMap) -> Option<Opened> {
    let sealed = crate::auth::cookie_value(headers, REPORTER_COOKIE)?;
    let plain = state.vault.open(REPORTER_SEAL, sealed).ok()?;
    let opened: Opened = serde_json::from_str(&plain).ok()?;
    (opened.e > state.config.clock.now().timestamp()).then_some(opened)
}

#[derive(askama::Template)]
#[template(path = "complaints/track.html")]
struct AskPage {
    chrome: Chrome,
    l: L,
    csrf: String,
    number: String,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "complaints/reporter.html")]
struct ReporterPage {
    chrome: Chrome,
    l: L,
    csrf: String,
    tracking: String,
    title: String,
    text: String,
    kind: String,
    status: String,
    category: String,
    address: String,
    submitted: String,
    closed: String,
    anonymous: bool,
    confidential: bool,
    photos: String,
    timeline: Vec<TimelineLine>,
    rating: Option<String>,
    rating_comment: String,
    may_respond: bool,
    may_rate: bool,
    notice: Option<String>,
    error: Option<String>,
    public: bool,
}

fn ask_page(state: &AppState, lang: Lang, uri: &Uri, number: String, error: Option<String>) -> Response {
    let l = L(lang);
    let (csrf, cookie) = crate::auth::issue_login_csrf(state);
    let page = AskPage { chrome: Chrome::new(lang, l.t("TRACK_HEADING"), uri), l, csrf, number, error };
    let mut response = no_store(render(&page));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The time zone of the government a report was filed with.
pub(super) async fn zone_of(state: &AppState, case_id: i64) -> IndonesianTimeZone {
    match balai_store::cases::case(&state.db, case_id).await {
        Ok(Some(case)) => match balai_store::org::government(&state.db, case.government_id).await {
            Ok(g) => g.zone(),
            Err(_) => IndonesianTimeZone::Wib,
        },
        _ => IndonesianTimeZone::Wib,
    }
}

#[allow(clippy::too_many_arguments)]
async fn reporter_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    view: &ReporterView,
    actions: bool,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let l = L(lang);
    let line = &view.report.line;
    let zone = zone_of(state, line.case_id).await;
    let (csrf, cookie) = crate::auth::issue_login_csrf(state);
    let page = ReporterPage {
        chrome: Chrome::new(lang, format!("{} {}", l.t("YOUR_REPORT"), line.tracking_number), uri),
        l,
        csrf,
        tracking: line.tracking_number.clone(),
        title: line.title.clone(),
        text: view.report.text.clone(),
        kind: line.kind.label(lang).to_owned(),
        status: line.status.label(lang).to_owned(),
        category: lang.pick(&line.category_id, &line.category_en).to_owned(),
        address: line.address.clone(),
        submitted: when(zone, Some(line.submitted_at)),
        closed: when(zone, line.closed_at),
        anonymous: view.anonymous,
        confidential: view.confidential,
        photos: if view.report.photo_ids.is_empty() {
            String::new()
        } else {
            texts::PHOTO_COUNT.fill(lang, &[("count", &view.report.photo_ids.len().to_string())])
        },
        timeline: timeline(lang, zone, &view.report.events),
        rating: view
            .report
            .rating
            .as_ref()
            .map(|(stars, _)| texts::RATING_VALUE.fill(lang, &[("stars", &stars.to_string())])),
        rating_comment: view.report.rating.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        may_respond: actions && view.may_respond,
        may_rate: actions && view.may_rate,
        notice,
        error,
        public: !view.confidential,
    };
    let mut response = no_store(render(&page));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(Deserialize)]
struct ShowQuery {
    ok: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<ShowQuery>,
) -> Response {
    let Some(opened) = opened(&state, &headers) else { return ask_page(&state, lang, &uri, String::new(), None) };
    let key = ReporterKey::Secret { tracking_number: &opened.t, secret: &opened.s };
    match complaints::reporter_view(&state.db, &state.vault, &key).await {
        Ok(view) => {
            let notice = q.ok.is_some().then(|| texts::DONE.get(lang).to_owned());
            reporter_page(&state, lang, &uri, &view, true, notice, None).await
        }
        Err(balai_store::StoreError::NotFound) => {
            ask_page(&state, lang, &uri, String::new(), Some(texts::TRACK_SESSION_GONE.get(lang).to_owned()))
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nomor: String,
    #[serde(default)]
    rahasia: String,
}

async fn open(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<OpenForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let number: String = form.nomor.trim().chars().take(64).collect();
    // Every attempt counts, right or wrong: a throttled client learns nothing, not even that a
    // guess was right.
    if !state.tracking_limiter.check(client) {
        let mut response = ask_page(&state, lang, &uri, number, Some(texts::THROTTLED.get(lang).to_owned()));
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(super::TRACKING_REFILL.as_secs()));
        return response;
    }
    let secret: String = form.rahasia.trim().chars().take(64).collect();
    let key = ReporterKey::Secret { tracking_number: &number, secret: &secret };
    match complaints::reporter_view(&state.db, &state.vault, &key).await {
        Ok(view) => {
            let opened = Opened {
                t: view.report.line.tracking_number.clone(),
                s: secret,
                e: state.config.clock.now().timestamp() + REPORTER_SECONDS,
            };
            let sealed = state.vault.seal(REPORTER_SEAL, &serde_json::to_string(&opened).unwrap_or_default());
            let cookie =
                crate::auth::set_cookie(REPORTER_COOKIE, &sealed, REPORTER_SECONDS, state.config.secure_cookies);
            let query = if lang == Lang::En { "?lang=en" } else { "" };
            let mut response = Redirect::to(&format!("/pengaduan/lacak{query}")).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        // An unknown number, a number that is not one and a wrong secret get the same answer.
        Err(balai_store::StoreError::NotFound) => {
            let mut response =
                ask_page(&state, lang, &uri, number, Some(texts::NOT_FOUND_OR_SECRET.get(lang).to_owned()));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct RespondForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
}

fn back(lang: Lang) -> Response {
    let query = if lang == Lang::En { "&lang=en" } else { "" };
    Redirect::to(&format!("/pengaduan/lacak?ok=1{query}")).into_response()
}

async fn respond(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<RespondForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let Some(opened) = opened(&state, &headers) else {
        return ask_page(&state, lang, &uri, String::new(), Some(texts::TRACK_SESSION_GONE.get(lang).to_owned()));
    };
    let key = ReporterKey::Secret { tracking_number: &opened.t, secret: &opened.s };
    let event = match form.event.as_str() {
        "accept" => ComplaintEvent::Accept,
        "reopen" => ComplaintEvent::Reopen,
        _ => return error_page(lang, &uri, AppError::NotFound),
    };
    let reason = form.reason.trim();
    if event == ComplaintEvent::Reopen && reason.is_empty() {
        return match complaints::reporter_view(&state.db, &state.vault, &key).await {
            Ok(view) => {
                let error = Some(texts::REOPEN_REASON_REQUIRED.get(lang).to_owned());
                let mut response = reporter_page(&state, lang, &uri, &view, true, None, error).await;
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                response
            }
            Err(e) => error_page(lang, &uri, e.into()),
        };
    }
    match complaints::act_as_reporter(&state.db, &state.vault, &key, event, reason, state.config.clock.now()).await {
        Ok(_) => back(lang),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stars: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<RateForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let Some(opened) = opened(&state, &headers) else {
        return ask_page(&state, lang, &uri, String::new(), Some(texts::TRACK_SESSION_GONE.get(lang).to_owned()));
    };
    let key = ReporterKey::Secret { tracking_number: &opened.t, secret: &opened.s };
    let refused = |errors: balai_domain::validation::FieldErrors| {
        errors.0.iter().map(|e| e.rule.message(lang)).collect::<Vec<_>>().join(" ")
    };
    let result = match Rating::parse(&form.stars, &form.comment) {
        Ok(rating) => complaints::rate(&state.db, &state.vault, &key, &rating, state.config.clock.now()).await.map_err(
            |e| match e {
                balai_store::StoreError::Invalid(found) => Ok(refused(found)),
                other => Err(other),
            },
        ),
        Err(found) => Err(Ok(refused(found))),
    };
    match result {
        Ok(()) => back(lang),
        Err(Ok(message)) => match complaints::reporter_view(&state.db, &state.vault, &key).await {
            Ok(view) => {
                let mut response = reporter_page(&state, lang, &uri, &view, true, None, Some(message)).await;
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                response
            }
            Err(e) => error_page(lang, &uri, e.into()),
        },
        Err(Err(e)) => error_page(lang, &uri, e.into()),
    }
}

struct MineLine {
    case_id: i64,
    tracking: String,
    title: String,
    status: String,
    submitted: String,
}

#[derive(askama::Template)]
#[template(path = "complaints/mine.html")]
struct MinePage {
    chrome: Chrome,
    l: L,
    lines: Vec<MineLine>,
}

async fn mine(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, citizen: Citizen) -> Response {
    let l = L(lang);
    let lines = match complaints::reports_of_citizen(&state.db, &state.vault, citizen.citizen_id).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let mut out = Vec::new();
    for line in lines {
        let zone = zone_of(&state, line.case_id).await;
        out.push(MineLine {
            case_id: line.case_id,
            tracking: line.tracking_number,
            title: line.title,
            status: line.status.label(lang).to_owned(),
            submitted: when(zone, Some(line.submitted_at)),
        });
    }
    no_store(render(&MinePage { chrome: Chrome::new(lang, l.t("MY_REPORTS"), &uri), l, lines: out }))
}

async fn mine_one(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    citizen: Citizen,
    Path(id): Path<i64>,
) -> Response {
    let key = ReporterKey::Citizen { citizen_id: citizen.citizen_id, case_id: id };
    match complaints::reporter_view(&state.db, &state.vault, &key).await {
        Ok(view) => reporter_page(&state, lang, &uri, &view, false, None, None).await,
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
