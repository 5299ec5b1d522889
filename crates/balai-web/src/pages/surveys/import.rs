//! `/admin/skm/impor`: an officer uploads the answers typed from paper forms (CSV or XLSX) for a
//! unit of their agency. `balai_sheets` reads and checks the file; a file with any bad row is
//! answered with every bad row and its reason, and nothing is imported; a good one is imported in
//! one transaction (`surveys::import_dated_as_officer`).

use super::{S, texts};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::{RequestLang, lang_of};
use crate::pages::{Chrome, error_page, no_store, render};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::identity::{Action, Target};
use balai_domain::org::Place;
use balai_sheets::{ImportedRow, SheetFormat, read_responses};
use balai_store::org::{self, Unit};
use balai_store::surveys::{self, ServiceName};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Parts a posted form may have (a file and a few fields).
const MAX_PARTS: usize = 10;
/// The longest text field read.
const MAX_TEXT_FIELD: usize = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/admin/skm/impor",
        axum::routing::get(show)
            .post(import)
            .layer(axum::extract::DefaultBodyLimit::max(balai_sheets::MAX_FILE_BYTES + 64 * 1024)),
    )
}

#[derive(askama::Template)]
#[template(path = "surveys/import.html")]
struct ImportPage {
    chrome: Chrome,
    s: S,
    csrf: String,
    /// (code, name, selected)
    units: Vec<(String, String, bool)>,
    services: Vec<(String, String, bool)>,
    answered_on: String,
    done: Option<String>,
    /// The heading over the problems, and each problem (row, column, reason).
    problems_heading: String,
    problems: Vec<String>,
}

struct Counter {
    government_id: i64,
    agency_id: i64,
    zone: IndonesianTimeZone,
    units: Vec<Unit>,
    services: Vec<ServiceName>,
}

async fn counter(state: &AppState, admin: &Admin) -> Result<Counter, AppError> {
    let (Some(government_id), Some(agency_id)) = (admin.principal.government_id, admin.principal.agency_id) else {
        return Err(AppError::Forbidden);
    };
    let units: Vec<Unit> = org::units(&state.db, agency_id)
        .await?
        .into_iter()
        .filter(|u| admin.may(Action::RecordSurvey, &Target::unit(government_id, agency_id, u.id)))
        .collect();
    if units.is_empty() {
        return Err(AppError::Forbidden);
    }
    let government = org::government(&state.db, government_id).await?;
    let zone = IndonesianTimeZone::parse(&government.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let services = surveys::agency_services(&state.db, agency_id).await?;
    Ok(Counter { government_id, agency_id, zone, units, services })
}

/// What was posted: the fields, and the file with its name.
#[derive(Default)]
struct Posted {
    values: HashMap<String, String>,
    file: Option<(Option<String>, Vec<u8>)>,
    file_error: Option<String>,
}

impl Posted {
    fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }
}

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
        if name == "file" {
            let file_name = field.file_name().map(|n| n.chars().take(200).collect::<String>());
            match crate::applications::read_bounded(field, balai_sheets::MAX_FILE_BYTES).await {
                Ok(bytes) if bytes.is_empty() => {}
                Ok(bytes) => posted.file = Some((file_name, bytes)),
                Err(e) => posted.file_error = Some(e.message(lang)),
            }
        } else if let Ok(bytes) = crate::applications::read_bounded(field, MAX_TEXT_FIELD).await {
            posted.values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(posted)
}

fn page(lang: Lang, uri: &Uri, admin: &Admin, counter: &Counter, posted: &Posted) -> ImportPage {
    let mut chrome = Chrome::new(lang, texts::IMPORT_HEADING.get(lang), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let today = counter.zone.local_date(chrono::Utc::now()).to_string();
    let answered_on = match posted.get("answered_on") {
        "" => today,
        given => given.to_owned(),
    };
    ImportPage {
        chrome,
        s: S(lang),
        csrf: admin.csrf_token.clone(),
        units: counter.units.iter().map(|u| (u.code.clone(), u.name.clone(), u.code == posted.get("unit"))).collect(),
        services: counter
            .services
            .iter()
            .map(|s| (s.code.clone(), lang.pick(&s.name, &s.name_en).to_owned(), s.code == posted.get("service")))
            .collect(),
        answered_on,
        done: None,
        problems_heading: String::new(),
        problems: Vec::new(),
    }
}

fn refused(lang: Lang, uri: &Uri, error: AppError) -> Response {
    if matches!(error, AppError::Forbidden) {
        let page = super::link::MessagePage {
            chrome: Chrome::new(lang, texts::IMPORT_HEADING.get(lang), uri),
            body: texts::KIOSK_NO_PLACE.get(lang).to_owned(),
            done: false,
            link: None,
        };
        return (StatusCode::FORBIDDEN, no_store(render(&page))).into_response();
    }
    error_page(lang, uri, error)
}

async fn show(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    match counter(&state, &admin).await {
        Ok(counter) => no_store(render(&page(lang, &uri, &admin, &counter, &Posted::default()))),
        Err(e) => refused(lang, &uri, e),
    }
}

/// The page again with the problems listed (422), nothing imported.
fn problems(lang: Lang, uri: &Uri, admin: &Admin, counter: &Counter, posted: &Posted, list: Vec<String>) -> Response {
    let mut page = page(lang, uri, admin, counter, posted);
    let count = list.len().to_string();
    page.problems_heading = texts::IMPORT_BAD_ROWS.fill(lang, &[("count", &count)]);
    page.problems = list;
    (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response()
}

async fn import(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let lang = lang_of(&parts);
    let uri = parts.uri.clone();
    let admin = match Admin::from_request_parts(&mut parts, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let posted = match read_posted(&state, lang, Request::from_parts(parts, body)).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    if !admin.check_csrf(posted.get("csrf")) {
        tracing::warn!(admin_id = admin.admin_id, "survey import refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let counter = match counter(&state, &admin).await {
        Ok(counter) => counter,
        Err(e) => return refused(lang, &uri, e),
    };
    let mut list = Vec::new();
    let unit = counter.units.iter().find(|u| u.code == posted.get("unit").trim());
    if unit.is_none() {
        list.push(format!(
            "{}: {}",
            texts::KIOSK_UNIT.get(lang),
            balai_domain::validation::Rule::Unknown.message(lang)
        ));
    }
    let service_code = posted.get("service").trim();
    let service = counter.services.iter().find(|s| s.code == service_code);
    if !service_code.is_empty() && service.is_none() {
        list.push(format!(
            "{}: {}",
            texts::KIOSK_SERVICE.get(lang),
            balai_domain::validation::Rule::Unknown.message(lang)
        ));
    }
    let now = state.config.clock.now();
    let (first, last) = surveys::answer_days(counter.zone, now);
    let default_day = match posted.get("answered_on").trim() {
        "" => Some(last),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|d| (first..=last).contains(d)),
    };
    if default_day.is_none() {
        list.push(texts::IMPORT_BAD_DATE.get(lang).to_owned());
    }
    if let Some(message) = &posted.file_error {
        list.push(format!("{}: {message}", texts::IMPORT_FILE.get(lang)));
    }
    let Some((file_name, bytes)) = posted.file.clone() else {
        if posted.file_error.is_none() {
            list.push(texts::IMPORT_NO_FILE.get(lang).to_owned());
        }
        return problems(lang, &uri, &admin, &counter, &posted, list);
    };
    // Reading an XLSX is work: off the request threads.
    let read = tokio::task::spawn_blocking(move || {
        let format = SheetFormat::detect(file_name.as_deref(), &bytes);
        read_responses(&bytes, format)
    })
    .await;
    let rows: Vec<ImportedRow> = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(errors)) => {
            list.extend(errors.0.iter().map(|e| e.message(lang)));
            return problems(lang, &uri, &admin, &counter, &posted, list);
        }
        Err(e) => return error_page(lang, &uri, AppError::Internal(format!("sheet reading task: {e}"))),
    };
    for row in &rows {
        if row.date.is_some_and(|d| !(first..=last).contains(&d)) {
            list.push(texts::IMPORT_DATE_OUT.fill(lang, &[("row", &row.row.to_string())]));
        }
    }
    let (Some(unit), Some(default_day), true) = (unit, default_day, list.is_empty()) else {
        return problems(lang, &uri, &admin, &counter, &posted, list);
    };
    let dated: Vec<_> = rows.iter().map(|r| (&r.response, r.date.unwrap_or(default_day))).collect();
    let place = Place::unit(counter.government_id, counter.agency_id, unit.id);
    let service_id = service.map(|s| s.id);
    match surveys::import_dated_as_officer(&state.db, admin.admin_id, place, service_id, &dated, now).await {
        Ok(count) => {
            let mut page = page(lang, &uri, &admin, &counter, &posted);
            page.done = Some(texts::IMPORT_DONE.fill(lang, &[("count", &super::grouped(count as u64, lang))]));
            no_store(render(&page))
        }
        Err(balai_store::StoreError::Invalid(found)) => {
            let list = super::summary(lang, &found).into_iter().map(|(_, message)| message).collect();
            problems(lang, &uri, &admin, &counter, &posted, list)
        }
        Err(e) => refused(lang, &uri, e.into()),
    }
}
