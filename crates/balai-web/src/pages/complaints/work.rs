//! The officers' side of complaints: the queue of reports waiting for them, and a report's page with
//! everything it holds (the unredacted text, photos, location, route, history, the rules version it
//! came under) and a form for each move the flow and the officer's place allow. Every form posts to
//! one handler; answers may carry resolution photos, cleaned like every other upload. An anonymous
//! reporter is never described beyond "Pelapor anonim", and a guest's contact is never shown.

use super::work_texts::{self as texts, W};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::{RequestLang, lang_of};
use crate::pages::applications::{due_day, when};
use crate::pages::{Chrome, error_page, no_store, render};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::complaints::{Channel, ComplaintClass, ComplaintEvent, ComplaintStatus, MAX_PHOTOS};
use balai_store::StoreError;
use balai_store::complaints::{self, Instruction, OfficerView, StoredPhoto};
use balai_store::org;
use serde::Deserialize;
use std::collections::HashMap;

/// The largest post of an action: five photos and the text fields.
const MAX_ACTION_REQUEST: usize = crate::applications::MAX_FORM_REQUEST;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/pengaduan", get(queue))
        .route("/admin/pengaduan/{id}", get(show))
        .route("/admin/pengaduan/{id}/aksi", post(act).layer(DefaultBodyLimit::max(MAX_ACTION_REQUEST)))
        .route("/admin/pengaduan/{id}/foto/{photo}", get(photo))
}

/// The zone of a government, for dates as its people read them.
async fn zone_of(state: &AppState, government_id: Option<i64>) -> Result<IndonesianTimeZone, StoreError> {
    match government_id {
        Some(g) => Ok(org::government(&state.db, g).await?.zone()),
        None => Ok(IndonesianTimeZone::Wib),
    }
}

// ---- the queue ---------------------------------------------------------------------------------

struct QueueLineView {
    href: String,
    tracking: String,
    title: String,
    kind: &'static str,
    category: String,
    status: &'static str,
    due: String,
    late: bool,
    anonymous: bool,
    confidential: bool,
}

#[derive(askama::Template)]
#[template(path = "complaints/work_queue.html")]
struct QueuePage {
    chrome: Chrome,
    w: W,
    lines: Vec<QueueLineView>,
    /// The rules editor, for those who may publish the rules.
    rules_href: Option<String>,
}

async fn queue(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    let w = W(lang);
    let now = state.config.clock.now();
    let lines = match complaints::queue_for_officer(&state.db, admin.admin_id, now).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = match zone_of(&state, admin.principal.government_id).await {
        Ok(zone) => zone,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let lines = lines
        .into_iter()
        .map(|line| QueueLineView {
            href: format!("/admin/pengaduan/{}", line.case_id),
            tracking: line.tracking_number,
            title: line.title,
            kind: line.kind.label(lang),
            category: line.category,
            status: line.status.label(lang),
            due: due_day(zone, line.due_at),
            late: line.late,
            anonymous: line.anonymous,
            confidential: line.confidential,
        })
        .collect();
    let mut chrome = Chrome::new(lang, w.t("QUEUE_HEADING"), &uri);
    chrome.admin_name = Some(admin.display_name.clone());
    no_store(render(&QueuePage { chrome, w, lines, rules_href: super::rules::rules_href(&admin) }))
}

// ---- a report ----------------------------------------------------------------------------------

struct PhotoView {
    href: String,
    alt: String,
}

struct StepView {
    name: String,
    unit: String,
    due: String,
    state: &'static str,
    current: bool,
}

struct EventView {
    at: String,
    what: String,
    reason: String,
    photos: Vec<PhotoView>,
}

/// One form on the page: an event the officer may cause now, with what was posted and refused.
struct ActionView {
    code: &'static str,
    label: &'static str,
    reason: bool,
    reason_label: &'static str,
    reason_hint: &'static str,
    reason_value: String,
    reroute: bool,
    dispose: bool,
    duplicate: bool,
    answer: bool,
    duplicate_value: String,
    /// Refusals by field name (`reason`, `to_unit`, …), for this form only.
    errors: Vec<(String, String)>,
}

impl ActionView {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// `aria-describedby` for an input: its hint and, when refused, its error.
    fn described(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint-{}", self.code));
        }
        if self.error(field).is_some() {
            ids.push(format!("{field}-error-{}", self.code));
        }
        ids.join(" ")
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "complaints/work_case.html")]
struct CasePage {
    chrome: Chrome,
    w: W,
    csrf: String,
    action: String,
    version: i64,
    tracking: String,
    title: String,
    status: &'static str,
    kind: &'static str,
    category: String,
    channel: &'static str,
    class: String,
    submitted: String,
    due: String,
    rules_version: String,
    anonymous: bool,
    confidential: bool,
    reporter: &'static str,
    text: String,
    photos: Vec<PhotoView>,
    location: Option<String>,
    address: String,
    duplicate_of: Option<String>,
    steps: Vec<StepView>,
    events: Vec<EventView>,
    actions: Vec<ActionView>,
    units: Vec<Choice>,
    governments: Vec<Choice>,
    classes: Vec<Choice>,
    templates: Vec<(String, String)>,
    answer_prefill: String,
    /// The summary of refused fields: (input id, message).
    errors: Vec<(String, String)>,
    stale: bool,
    refusal: Option<String>,
}

/// What a refused post leaves on the page.
#[derive(Default)]
struct Outcome {
    event: Option<ComplaintEvent>,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    stale: bool,
    refusal: Option<String>,
}

fn event_label(lang: Lang, code: &str) -> String {
    match code {
        "breach" => texts::EVENT_BREACH.get(lang).to_owned(),
        other => ComplaintEvent::parse(other).map(|e| e.label(lang).to_owned()).unwrap_or_else(|| other.to_owned()),
    }
}

fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    match channel {
        Channel::Web => texts::CHANNEL_WEB.get(lang),
        Channel::Open311 => texts::CHANNEL_OPEN311.get(lang),
        Channel::Whistleblowing => texts::CHANNEL_WBS.get(lang),
    }
}

fn reporter_label(lang: Lang, view: &OfficerView) -> &'static str {
    if view.anonymous {
        texts::REPORTER_ANONYMOUS.get(lang)
    } else if view.case.citizen_id.is_some() {
        texts::REPORTER_CITIZEN.get(lang)
    } else {
        texts::REPORTER_GUEST.get(lang)
    }
}

#[derive(Debug, Default, Deserialize)]
struct CaseQuery {
    templat: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Response {
    let template = q.templat.as_deref().and_then(|t| t.parse().ok());
    case_page(&state, lang, &uri, &admin, id, template, Outcome::default()).await
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    id: i64,
    template: Option<i64>,
    outcome: Outcome,
) -> Response {
    let w = W(lang);
    let view = match complaints::case_for_officer(&state.db, admin.admin_id, id).await {
        Ok(view) => view,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let government = view.case.government_id;
    let loaded = async {
        let zone = org::government(&state.db, government).await?.zone();
        let units = org::units_of_government(&state.db, government).await?;
        let governments = org::governments(&state.db).await?;
        let categories = complaints::categories(&state.db, government).await?;
        Ok::<_, StoreError>((zone, units, governments, categories))
    }
    .await;
    let (zone, units, governments, categories) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let report = &view.report;
    let photo = |n: usize, photo_id: i64, alt: crate::texts::Text| PhotoView {
        href: format!("/admin/pengaduan/{id}/foto/{photo_id}"),
        alt: alt.fill(lang, &[("n", &(n + 1).to_string())]),
    };
    let photos = report.photo_ids.iter().enumerate().map(|(n, p)| photo(n, *p, texts::PHOTO_ALT)).collect();
    let mut events = vec![EventView {
        at: when(zone, Some(report.line.submitted_at)),
        what: texts::EVENT_SUBMITTED.get(lang).to_owned(),
        reason: String::new(),
        photos: Vec::new(),
    }];
    events.extend(report.events.iter().map(|e| EventView {
        at: when(zone, Some(e.at)),
        what: event_label(lang, &e.event),
        reason: e.reason.clone(),
        photos: e.photo_ids.iter().enumerate().map(|(n, p)| photo(n, *p, texts::PHOTO_OF_EVENT_ALT)).collect(),
    }));
    let unit_name =
        |unit: i64| units.iter().find(|(u, _, _)| *u == unit).map(|(_, _, n)| n.clone()).unwrap_or_default();
    let closed = view.case.closed_at.is_some();
    let steps = view
        .steps
        .iter()
        .map(|s| {
            let current = !closed && s.position == view.case.current_step && s.done_at.is_none();
            StepView {
                name: s.name.clone(),
                unit: unit_name(s.unit_id),
                due: due_day(zone, s.due_at),
                state: if s.done_at.is_some() {
                    texts::STEP_DONE.get(lang)
                } else if current {
                    texts::STEP_NOW.get(lang)
                } else {
                    ""
                },
                current,
            }
        })
        .collect();
    let posted = |event: ComplaintEvent, field: &str| -> String {
        if outcome.event == Some(event) {
            outcome.values.get(field).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let actions = view
        .events
        .iter()
        .map(|&event| {
            let authority = event == ComplaintEvent::NotOurAuthority;
            ActionView {
                code: event.code(),
                label: event.label(lang),
                reason: event.needs_reason() && event != ComplaintEvent::Answer,
                reason_label: texts::WHY.get(lang),
                reason_hint: if authority { texts::AUTHORITY_HINT.get(lang) } else { texts::REASON_HINT.get(lang) },
                reason_value: posted(event, "reason"),
                reroute: event == ComplaintEvent::Reroute,
                dispose: event == ComplaintEvent::Dispose,
                duplicate: event == ComplaintEvent::MarkDuplicate,
                answer: event == ComplaintEvent::Answer,
                duplicate_value: posted(event, "duplicate_of"),
                errors: if outcome.event == Some(event) { outcome.errors.clone() } else { Vec::new() },
            }
        })
        .collect::<Vec<_>>();
    // The category's usual agency first: most reports go where their category says.
    let usual_agency = categories.iter().find(|c| Some(c.id) == view.category_id).and_then(|c| c.agency_id);
    let chosen_unit = posted(ComplaintEvent::Dispose, "to_unit");
    let (usual, other): (Vec<_>, Vec<_>) = units.iter().partition(|(_, agency, _)| Some(*agency) == usual_agency);
    let units = usual
        .into_iter()
        .chain(other)
        .map(|(u, _, name)| Choice {
            value: u.to_string(),
            label: name.clone(),
            selected: chosen_unit == u.to_string(),
        })
        .collect();
    let chosen_government = posted(ComplaintEvent::Reroute, "to_government");
    let governments = governments
        .into_iter()
        .filter(|g| g.id != government)
        .map(|g| Choice { value: g.id.to_string(), selected: chosen_government == g.id.to_string(), label: g.name })
        .collect();
    let chosen_class = posted(ComplaintEvent::Dispose, "class");
    let default_class = view.kind.default_class();
    let classes = ComplaintClass::ALL
        .into_iter()
        .map(|c| Choice {
            value: c.code().to_owned(),
            label: c.label(lang).to_owned(),
            selected: if chosen_class.is_empty() { c == default_class } else { chosen_class == c.code() },
        })
        .collect();
    let may_answer = view.events.contains(&ComplaintEvent::Answer);
    let templates = if may_answer {
        view.templates
            .iter()
            .map(|t| {
                let href = format!("/admin/pengaduan/{id}?templat={}{}#act-answer", t.id, chrome_amp(lang));
                (href, texts::USE_TEMPLATE.fill(lang, &[("title", &t.title)]))
            })
            .collect()
    } else {
        Vec::new()
    };
    let answer_prefill = match template.and_then(|t| view.templates.iter().find(|x| x.id == t)) {
        Some(t) if outcome.event.is_none() => t.body.clone(),
        _ => posted(ComplaintEvent::Answer, "reason"),
    };
    let errors = match outcome.event {
        Some(event) => outcome.errors.iter().map(|(f, m)| (format!("{f}-{}", event.code()), m.clone())).collect(),
        None => Vec::new(),
    };
    let location = report.line.location.map(|p| {
        texts::COORDINATES.fill(lang, &[("lat", &format!("{:.6}", p.lat)), ("lon", &format!("{:.6}", p.lon))])
    });
    let category = lang.pick(&report.line.category_id, &report.line.category_en).to_owned();
    let mut chrome =
        Chrome::new(lang, texts::CASE_HEADING.fill(lang, &[("tracking", &report.line.tracking_number)]), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let status = ComplaintStatus::parse(&view.case.status).unwrap_or(report.line.status);
    let page = CasePage {
        chrome,
        w,
        csrf: admin.csrf_token.clone(),
        action: format!("/admin/pengaduan/{id}/aksi"),
        version: view.case.version,
        tracking: report.line.tracking_number.clone(),
        title: report.line.title.clone(),
        status: status.label(lang),
        kind: view.kind.label(lang),
        category,
        channel: channel_label(lang, view.channel),
        class: report.class.map(|c| c.label(lang).to_owned()).unwrap_or_default(),
        submitted: when(zone, Some(report.line.submitted_at)),
        due: if closed { String::new() } else { due_day(zone, view.case.due_at) },
        rules_version: texts::RULES_VERSION_VALUE.fill(lang, &[("version", &view.rules_version.to_string())]),
        anonymous: view.anonymous,
        confidential: view.confidential,
        reporter: reporter_label(lang, &view),
        text: report.text.clone(),
        photos,
        location,
        address: report.line.address.clone(),
        duplicate_of: report.duplicate_of.clone(),
        steps,
        events,
        actions,
        units,
        governments,
        classes,
        templates,
        answer_prefill,
        errors,
        stale: outcome.stale,
        refusal: outcome.refusal,
    };
    no_store(render(&page))
}

fn chrome_amp(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "",
        Lang::En => "&lang=en",
    }
}

// ---- acting ------------------------------------------------------------------------------------

/// What an action form posted: its text fields and, from a `multipart/form-data` body, its photos.
#[derive(Default)]
struct Posted {
    values: HashMap<String, String>,
    photos: Vec<Vec<u8>>,
    /// A photo refused while it was read (too large): the field's message.
    photo_error: Option<String>,
}

impl Posted {
    fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }
}

/// The largest text field of an action form (a reason of 1,000 characters, each up to 4 bytes).
const MAX_TEXT_FIELD: usize = 16 * 1024;
/// Parts of a multipart action form read at most.
const MAX_PARTS: usize = 20;

async fn read_posted(state: &AppState, lang: Lang, request: Request) -> Result<Posted, Response> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let mut posted = Posted::default();
    if !multipart {
        let Form(pairs) =
            Form::<Vec<(String, String)>>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        posted.values = pairs.into_iter().collect();
        return Ok(posted);
    }
    let mut form = Multipart::from_request(request, state).await.map_err(IntoResponse::into_response)?;
    let mut parts = 0;
    while let Ok(Some(field)) = form.next_field().await {
        parts += 1;
        if parts > MAX_PARTS {
            break;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            match crate::applications::read_bounded(field, state.config.max_upload_bytes).await {
                Ok(bytes) if bytes.is_empty() => {}
                Ok(bytes) => posted.photos.push(bytes),
                Err(e) => posted.photo_error = Some(e.message(lang)),
            }
        } else if let Ok(bytes) = crate::applications::read_bounded(field, MAX_TEXT_FIELD).await {
            posted.values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(posted)
}

/// Cleans a resolution photo off the request thread (recognised by its bytes, re-encoded without
/// EXIF or GPS) and keeps it in the file store. A refused file (a PDF is no photo) is the inner
/// error: the message for the field.
async fn clean_photo(
    state: &AppState,
    lang: Lang,
    government_id: i64,
    bytes: Vec<u8>,
) -> Result<Result<StoredPhoto, String>, AppError> {
    let limits = balai_files::Limits { max_bytes: state.config.max_upload_bytes, ..balai_files::Limits::default() };
    let cleaned = match tokio::task::spawn_blocking(move || balai_files::clean(&bytes, &limits))
        .await
        .map_err(|e| AppError::Internal(format!("photo cleaning task: {e}")))?
    {
        Ok(cleaned) if cleaned.kind != balai_files::FileKind::Pdf => cleaned,
        Ok(_) => return Ok(Err(texts::PHOTO_NOT_IMAGE.get(lang).to_owned())),
        Err(e) => return Ok(Err(e.message(lang))),
    };
    let object_key = state
        .config
        .files
        .put(government_id, &cleaned)
        .await
        .map_err(|e| AppError::Internal(format!("keeping a photo: {e}")))?;
    Ok(Ok(StoredPhoto {
        object_key,
        content_type: cleaned.kind.content_type().to_owned(),
        size: i64::try_from(cleaned.bytes.len()).unwrap_or(i64::MAX),
        sha256: cleaned.sha256_hex,
    }))
}

/// One handler for every action form: the session and its CSRF token first (before any photo is
/// cleaned or kept), then photos only for an answer the officer may give, then one command.
async fn act(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let lang = lang_of(&parts);
    let uri = parts.uri.clone();
    let admin = match Admin::from_request_parts(&mut parts, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let mut posted = match read_posted(&state, lang, Request::from_parts(parts, body)).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    if !admin.check_csrf(posted.get("csrf")) {
        tracing::warn!(admin_id = admin.admin_id, "complaint action refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let Some(event) = ComplaintEvent::parse(posted.get("event")) else {
        return error_page(
            lang,
            &uri,
            AppError::BadParameter { param: "event", expected: crate::error::Expected::Positive },
        );
    };
    let mut outcome = Outcome { event: Some(event), values: posted.values.clone(), ..Outcome::default() };
    let mut photos = Vec::new();
    if event == ComplaintEvent::Answer && (!posted.photos.is_empty() || posted.photo_error.is_some()) {
        // Only an officer who may answer gets photos kept; anyone else meets the command's refusal.
        let allowed = match complaints::events_for_officer(&state.db, admin.admin_id, id).await {
            Ok(allowed) => allowed,
            Err(e) => return error_page(lang, &uri, e.into()),
        };
        if allowed.contains(&event) {
            if let Some(message) = posted.photo_error.clone() {
                outcome.errors.push(("photos".into(), message));
            } else if posted.photos.len() > MAX_PHOTOS {
                let max = MAX_PHOTOS.to_string();
                outcome.errors.push(("photos".into(), texts::PHOTOS_TOO_MANY.fill(lang, &[("max", &max)])));
            } else {
                let government = match balai_store::cases::case(&state.db, id).await {
                    Ok(Some(case)) => case.government_id,
                    Ok(None) => return error_page(lang, &uri, AppError::NotFound),
                    Err(e) => return error_page(lang, &uri, e.into()),
                };
                for bytes in std::mem::take(&mut posted.photos) {
                    match clean_photo(&state, lang, government, bytes).await {
                        Ok(Ok(photo)) => photos.push(photo),
                        Ok(Err(message)) => outcome.errors.push(("photos".into(), message)),
                        Err(e) => return error_page(lang, &uri, e),
                    }
                }
            }
            if !outcome.errors.is_empty() {
                outcome.errors.truncate(1);
                let page = case_page(&state, lang, &uri, &admin, id, None, outcome).await;
                return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
            }
        }
    }
    let duplicate_of = posted.get("duplicate_of").trim();
    let instruction = Instruction {
        reason: posted.get("reason"),
        to_unit_id: posted.get("to_unit").parse().ok(),
        class: ComplaintClass::parse(posted.get("class")),
        to_government_id: posted.get("to_government").parse().ok(),
        duplicate_of: (!duplicate_of.is_empty()).then_some(duplicate_of),
        photos: &photos,
        expected_version: posted.get("version").parse().ok(),
    };
    let now = state.config.clock.now();
    match complaints::act_as_officer(&state.db, &state.vault, admin.admin_id, id, event, &instruction, now).await {
        Ok(_) => {
            let query = if lang == Lang::En { "?lang=en" } else { "" };
            // After a disposition or a return the report may have left this officer's reach.
            let next = match complaints::case_for_officer(&state.db, admin.admin_id, id).await {
                Ok(_) => format!("/admin/pengaduan/{id}{query}"),
                Err(_) => format!("/admin/pengaduan{query}"),
            };
            Redirect::to(&next).into_response()
        }
        Err(StoreError::Invalid(errors)) => {
            outcome.errors = errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect();
            let page = case_page(&state, lang, &uri, &admin, id, None, outcome).await;
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(StoreError::StaleVersion { .. }) => {
            let outcome = Outcome { stale: true, ..Outcome::default() };
            let page = case_page(&state, lang, &uri, &admin, id, None, outcome).await;
            (StatusCode::CONFLICT, page).into_response()
        }
        Err(e @ StoreError::ComplaintFlow(_)) => {
            let outcome = Outcome { refusal: Some(AppError::from(e).detail(lang)), ..Outcome::default() };
            let page = case_page(&state, lang, &uri, &admin, id, None, outcome).await;
            (StatusCode::CONFLICT, page).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// A photo of a report (the reporter's or a resolution photo), to an officer who may read the report.
/// Served with its cleaned type and `nosniff`, never as HTML, and not kept by caches.
async fn photo(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path((id, photo)): Path<(i64, i64)>,
) -> Response {
    let (key, content_type) = match complaints::photo_for_officer(&state.db, admin.admin_id, id, photo).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    match state.config.files.get(&key).await {
        Ok(bytes) => no_store(
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, "inline".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => error_page(lang, &uri, AppError::Internal(format!("reading a complaint photo: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_a_complaints_work_template_asks_for_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/complaints");
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !name.starts_with("work_") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("w.t(\"") {
                let rest = &text[i + 5..];
                let name = &rest[..rest.find('"').unwrap()];
                assert!(super::texts::ALL.iter().any(|(n, _)| *n == name), "{}: {name}", path.display());
                asked += 1;
            }
        }
        assert!(asked > 40, "the complaints work templates ask for their texts ({asked})");
    }
}
