//! Whistleblowing (WBS) pages. `/wbs` takes a report from anyone, signed in or not, and never links it
//! to a session: text and identity are sealed to the Inspectorate's public key by the store before
//! anything is written. `/wbs/lacak` follows a report by number and secret (status and history only;
//! a wrong secret is answered like an unknown number, and the tries are throttled per client).
//! `/admin/wbs` is the inspectors' list; a report opens only with the private key an inspector
//! pastes, used in memory for that one request.

pub(crate) mod texts;

use crate::AppState;
use crate::auth::{self, Admin};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::ops::ClientAddr;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::complaints::ComplaintEvent;
use balai_store::complaints::whistleblowing::{self, KeyRefused, NewWhistleblowing};
use balai_store::complaints::{self, Instruction, ReporterKey};
use balai_store::{StoreError, org};
use serde::Deserialize;
use std::sync::Arc;

/// Tries of `/wbs/lacak` a client may make: a burst of 10, then one every 6 seconds.
const TRACK_BURST: u32 = 10;
const TRACK_PERIOD_SECONDS: u64 = 6;

type TrackLimiter = governor::DefaultKeyedRateLimiter<String>;

pub fn routes() -> Router<AppState> {
    let limiter: Arc<TrackLimiter> = Arc::new(governor::RateLimiter::keyed(
        governor::Quota::with_period(std::time::Duration::from_secs(TRACK_PERIOD_SECONDS))
            .expect("a period above zero")
            .allow_burst(std::num::NonZeroU32::new(TRACK_BURST).expect("above zero")),
    ));
    Router::new()
        .route("/wbs", get(form).post(submit))
        .route("/wbs/lacak", get(track_form).post(track))
        .route("/admin/wbs", get(queue))
        .route("/admin/wbs/{id}", get(show))
        .route("/admin/wbs/{id}/buka", post(open))
        .route("/admin/wbs/{id}/aksi", post(act))
        .layer(Extension(limiter))
}

/// The texts of this context, by name, for templates: `{{ w.t("WBS_SEND") }}`.
#[derive(Debug, Clone, Copy)]
pub struct W(pub Lang);

impl W {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}

fn lang_query(lang: Lang) -> &'static str {
    if lang == Lang::En { "?lang=en" } else { "" }
}

// ---- the reporter's form ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct RegionQuery {
    wilayah: Option<String>,
}

/// Every field defaults, so a form without its token meets the CSRF check, not the parser.
#[derive(Debug, Default, Deserialize)]
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    when: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    idempotency_key: String,
}

#[derive(askama::Template)]
#[template(path = "wbs_form.html")]
struct FormPage {
    chrome: Chrome,
    w: W,
    csrf: String,
    form: ReportForm,
    government: String,
    details: Vec<Input>,
    identity: Vec<Input>,
    errors: Vec<(String, String)>,
    error_summary: &'static str,
}

/// One short input of the form, its value and refusal resolved.
struct Input {
    field: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
    autocomplete: &'static str,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn with_cookie(mut response: Response, cookie: header::HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    no_store(response)
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    mut form: ReportForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let w = W(lang);
    let region = if form.region.trim().is_empty() {
        state.config.default_region.clone().unwrap_or_default()
    } else {
        form.region.trim().to_owned()
    };
    let government = match org::government_by_region(&state.db, &region).await {
        Ok(g) => g,
        Err(StoreError::NotFound) => return error_page(lang, uri, AppError::NotFound),
        Err(e) => return error_page(lang, uri, e.into()),
    };
    form.region = region;
    if form.idempotency_key.is_empty() {
        form.idempotency_key = auth::random_token();
    }
    let (csrf, cookie) = auth::issue_login_csrf(state);
    let input = |field: &'static str, label: &'static str, value: &str, autocomplete: &'static str| Input {
        field,
        label: w.t(label),
        value: value.to_owned(),
        error: errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()),
        autocomplete,
    };
    let details = vec![
        input("when", "WBS_WHEN", &form.when, "off"),
        input("place", "WBS_PLACE", &form.place, "off"),
        input("people", "WBS_PEOPLE", &form.people, "off"),
    ];
    let identity =
        vec![input("name", "WBS_NAME", &form.name, "name"), input("contact", "WBS_CONTACT", &form.contact, "email")];
    let page = FormPage {
        chrome: Chrome::new(lang, w.t("WBS_HEADING"), uri),
        w,
        csrf,
        form,
        government: government.name,
        details,
        identity,
        errors,
        error_summary: w.t("WBS_CHECK"),
    };
    with_cookie((status, render(&page)).into_response(), cookie)
}

async fn form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<RegionQuery>,
) -> Response {
    let form = ReportForm { region: q.wilayah.unwrap_or_default(), ..ReportForm::default() };
    form_page(&state, lang, &uri, form, Vec::new(), StatusCode::OK).await
}

#[derive(askama::Template)]
#[template(path = "wbs_receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    w: W,
    tracking: String,
    secret: String,
}

async fn submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ReportForm>,
) -> Response {
    if !auth::login_csrf_ok(&state, &headers, &form.csrf) {
        tracing::warn!("whistleblowing report refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let government = match org::government_by_region(&state.db, form.region.trim()).await {
        Ok(g) => g,
        Err(StoreError::NotFound) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    // Filed as a guest whoever is signed in: the session is not read here at all.
    let new = NewWhistleblowing {
        government_id: government.id,
        text: &form.text,
        when: &form.when,
        place: &form.place,
        people: &form.people,
        name: &form.name,
        contact: &form.contact,
        idempotency_key: &form.idempotency_key,
    };
    match whistleblowing::file(&state.db, &state.vault, &new, state.config.clock.now()).await {
        Ok(filed) => {
            let w = W(lang);
            let page = ReceiptPage {
                chrome: Chrome::new(lang, w.t("WBS_RECEIVED"), &uri),
                w,
                tracking: filed.tracking_number.as_str().to_owned(),
                // A replay of the same form shows the number again; the secret was shown once.
                secret: filed.secret.unwrap_or_default(),
            };
            no_store((StatusCode::CREATED, render(&page)).into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            let errors = errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect();
            form_page(&state, lang, &uri, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(StoreError::NotFound) => {
            let errors = vec![("text".to_owned(), W(lang).t("WBS_UNAVAILABLE").to_owned())];
            form_page(&state, lang, &uri, form, errors, StatusCode::SERVICE_UNAVAILABLE).await
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

// ---- following a report -------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct TrackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tracking: String,
    #[serde(default)]
    secret: String,
}

#[derive(askama::Template)]
#[template(path = "wbs_track_ask.html")]
struct TrackAskPage {
    chrome: Chrome,
    w: W,
    csrf: String,
    tracking: String,
    error: Option<&'static str>,
}

fn track_ask(state: &AppState, lang: Lang, uri: &Uri, tracking: String, error: Option<&'static str>) -> Response {
    let w = W(lang);
    let (csrf, cookie) = auth::issue_login_csrf(state);
    let status = match error {
        None => StatusCode::OK,
        Some(e) if e == w.t("WBS_THROTTLED") => StatusCode::TOO_MANY_REQUESTS,
        // The form again, with the reason (the same for an unknown number and a wrong secret).
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = TrackAskPage { chrome: Chrome::new(lang, w.t("WBS_TRACK_HEADING"), uri), w, csrf, tracking, error };
    with_cookie((status, render(&page)).into_response(), cookie)
}

async fn track_form(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Response {
    track_ask(&state, lang, &uri, String::new(), None)
}

struct HistoryLine {
    at: String,
    what: String,
    reason: String,
}

#[derive(askama::Template)]
#[template(path = "wbs_track.html")]
struct TrackPage {
    chrome: Chrome,
    w: W,
    tracking: String,
    status: &'static str,
    submitted: String,
    due: String,
    history: Vec<HistoryLine>,
}

fn event_label(lang: Lang, code: &str) -> String {
    ComplaintEvent::ALL
        .iter()
        .find(|e| e.code() == code)
        .map(|e| e.label(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

async fn track(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<TrackLimiter>>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<TrackForm>,
) -> Response {
    if !auth::login_csrf_ok(&state, &headers, &form.csrf) {
        tracing::warn!("whistleblowing tracking refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let w = W(lang);
    let tracking: String = form.tracking.trim().chars().take(64).collect();
    if limiter.check_key(&crate::ops::throttle_key(client)).is_err() {
        tracing::info!("whistleblowing tracking throttled");
        return track_ask(&state, lang, &uri, tracking, Some(w.t("WBS_THROTTLED")));
    }
    let key = ReporterKey::Secret { tracking_number: &tracking, secret: &form.secret };
    let view = match complaints::reporter_view(&state.db, &state.vault, &key).await {
        Ok(view) => view,
        // An unknown number, a wrong secret and a report of another kind read the same.
        Err(StoreError::NotFound) => return track_ask(&state, lang, &uri, tracking, Some(w.t("WBS_NOT_FOUND"))),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if view.channel != balai_domain::complaints::Channel::Whistleblowing {
        return track_ask(&state, lang, &uri, tracking, Some(w.t("WBS_NOT_FOUND")));
    }
    let zone = match balai_store::cases::case(&state.db, view.report.line.case_id).await {
        Ok(Some(case)) => org::government(&state.db, case.government_id).await.map(|g| g.zone()).ok(),
        _ => None,
    }
    .unwrap_or(IndonesianTimeZone::Wib);
    let report = &view.report;
    let page = TrackPage {
        chrome: Chrome::new(lang, w.t("WBS_TRACK_HEADING"), &uri),
        w,
        tracking: report.line.tracking_number.clone(),
        status: report.line.status.label(lang),
        submitted: zone.format(report.line.submitted_at),
        due: report.line.due_at.map(|d| zone.format(d)).unwrap_or_default(),
        history: report
            .events
            .iter()
            .map(|e| HistoryLine { at: zone.format(e.at), what: event_label(lang, &e.event), reason: e.reason.clone() })
            .collect(),
    };
    no_store(render(&page))
}

// ---- the inspectorate ---------------------------------------------------------------------------

struct QueueLine {
    href: String,
    tracking: String,
    status: &'static str,
    submitted: String,
    due: String,
    late: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_wbs_queue.html")]
struct QueuePage {
    chrome: Chrome,
    w: W,
    lines: Vec<QueueLine>,
}

async fn zone_of(state: &AppState, admin: &Admin) -> IndonesianTimeZone {
    match admin.principal.government_id {
        Some(g) => org::government(&state.db, g).await.map(|g| g.zone()).unwrap_or(IndonesianTimeZone::Wib),
        None => IndonesianTimeZone::Wib,
    }
}

async fn queue(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    let w = W(lang);
    let now = state.config.clock.now();
    let lines = match whistleblowing::queue(&state.db, admin.admin_id, now).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = zone_of(&state, &admin).await;
    let mut chrome = Chrome::new(lang, w.t("WBS_QUEUE_HEADING"), &uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = QueuePage {
        chrome,
        w,
        lines: lines
            .into_iter()
            .map(|l| QueueLine {
                href: format!("/admin/wbs/{}{}", l.case_id, lang_query(lang)),
                tracking: l.tracking_number,
                status: l.status.label(lang),
                submitted: zone.format(l.opened_at),
                due: l.due_at.map(|d| zone.format(d)).unwrap_or_default(),
                late: l.late,
            })
            .collect(),
    };
    no_store(render(&page))
}

struct ActionView {
    code: &'static str,
    label: &'static str,
}

struct OpeningLine {
    who: String,
    at: String,
}

/// What an opening with the right key shows, for this response only.
struct OpenedView {
    text: String,
    when: String,
    place: String,
    people: String,
    name: String,
    contact: String,
    note: String,
}

#[derive(askama::Template)]
#[template(path = "admin_wbs_case.html")]
struct CasePage {
    chrome: Chrome,
    w: W,
    id: i64,
    csrf: String,
    version: i64,
    tracking: String,
    status: &'static str,
    submitted: String,
    due: String,
    fingerprint: String,
    history: Vec<HistoryLine>,
    openings: Vec<OpeningLine>,
    actions: Vec<ActionView>,
    opened: Option<OpenedView>,
    error: Option<String>,
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    id: i64,
    opened: Option<OpenedView>,
    error: Option<String>,
) -> Response {
    let w = W(lang);
    let seen = match whistleblowing::case_for_inspector(&state.db, admin.admin_id, id).await {
        Ok(seen) => seen,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let zone = zone_of(state, admin).await;
    let tracking = seen.case.tracking_number.clone().unwrap_or_default();
    let mut chrome = Chrome::new(lang, format!("{} {tracking}", w.t("WBS_QUEUE_HEADING")), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = CasePage {
        chrome,
        w,
        id,
        csrf: admin.csrf_token.clone(),
        version: seen.case.version,
        tracking,
        status: seen.status.label(lang),
        submitted: zone.format(seen.case.opened_at),
        due: seen.case.due_at.map(|d| zone.format(d)).unwrap_or_default(),
        fingerprint: seen.key_fingerprint,
        history: seen
            .history
            .iter()
            .map(|e| HistoryLine { at: zone.format(e.at), what: event_label(lang, &e.event), reason: e.reason.clone() })
            .collect(),
        openings: seen
            .openings
            .iter()
            .map(|o| OpeningLine { who: o.officer_name.clone(), at: zone.format(o.opened_at) })
            .collect(),
        actions: seen.events.iter().map(|e| ActionView { code: e.code(), label: e.label(lang) }).collect(),
        opened,
        error,
    };
    no_store(render(&page))
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<i64>,
) -> Response {
    case_page(&state, lang, &uri, &admin, id, None, None).await
}

/// The pasted key lives in this form for one request; it is never logged (the form has no `Debug`).
#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    private_key: String,
}
crate::posted::csrf_form!(OpenForm);

async fn open(State(state): State<AppState>, Path(id): Path<i64>, post: OfficerPost<OpenForm>) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let w = W(lang);
    let now = state.config.clock.now();
    let opened = whistleblowing::open_as_inspector(&state.db, admin.admin_id, id, &form.private_key, now).await;
    drop(form);
    match opened {
        Ok(Ok(opened)) => {
            let view = OpenedView {
                text: opened.report.text,
                when: opened.report.when,
                place: opened.report.place,
                people: opened.report.people,
                name: opened.identity.name,
                contact: opened.identity.contact,
                note: texts::WBS_OPENED_NOTE.fill(lang, &[("seq", &opened.audit_seq.to_string())]),
            };
            case_page(&state, lang, &uri, &admin, id, Some(view), None).await
        }
        Ok(Err(refused)) => {
            let message = match refused {
                KeyRefused::Malformed => w.t("WBS_KEY_MALFORMED"),
                KeyRefused::WrongKey => w.t("WBS_KEY_WRONG"),
            };
            let page = case_page(&state, lang, &uri, &admin, id, None, Some(message.to_owned())).await;
            if page.status() == StatusCode::OK {
                (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
            } else {
                page
            }
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}
crate::posted::csrf_form!(ActForm);

async fn act(State(state): State<AppState>, Path(id): Path<i64>, post: OfficerPost<ActForm>) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let Some(event) = ComplaintEvent::ALL.into_iter().find(|e| e.code() == form.event) else {
        return error_page(
            lang,
            &uri,
            AppError::BadParameter { param: "event", expected: crate::error::Expected::Positive },
        );
    };
    // Only inspectors reach a whistleblowing report, through the complaint flow's own check.
    if let Err(e) = whistleblowing::case_for_inspector(&state.db, admin.admin_id, id).await {
        return error_page(lang, &uri, e.into());
    }
    let instruction =
        Instruction { reason: &form.reason, expected_version: form.version.parse().ok(), ..Instruction::default() };
    let now = state.config.clock.now();
    match complaints::act_as_officer(&state.db, &state.vault, admin.admin_id, id, event, &instruction, now).await {
        Ok(_) => Redirect::to(&format!("/admin/wbs/{id}{}", lang_query(lang))).into_response(),
        Err(StoreError::Invalid(errors)) => {
            let message =
                errors.0.iter().map(|e| format!("{}: {}", e.field, e.rule.message(lang))).collect::<Vec<_>>().join(" ");
            let page = case_page(&state, lang, &uri, &admin, id, None, Some(message)).await;
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e @ (StoreError::ComplaintFlow(_) | StoreError::StaleVersion { .. })) => {
            let message = AppError::from(e).detail(lang);
            let page = case_page(&state, lang, &uri, &admin, id, None, Some(message)).await;
            (StatusCode::CONFLICT, page).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
