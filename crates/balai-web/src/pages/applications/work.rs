//! The officer's work: the home page is the unit's queue, what is due first on top; a case page shows
//! the file and offers exactly the transitions the workflow allows, each one POST.

use super::{L, due_day, when};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::dashboard::texts as dashboard_texts;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::applications::{ApplicationEvent, ApplicationStatus};
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::identity::{Action, Role, Target};
use balai_store::applications::{self, Instruction, QueueFilter};
use balai_store::org;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/permohonan", get(queue))
        .route("/admin/permohonan/{id}", get(show))
        .route("/admin/permohonan/{id}/aksi", post(act))
        .route("/admin/permohonan/{id}/berkas/{upload}", get(attachment))
}

/// Whether an officer's home is the queue: staff who work an agency's cases.
pub(crate) fn works_cases(admin: &Admin) -> bool {
    admin.principal.agency_id.is_some()
        && matches!(admin.principal.role, Role::Officer | Role::Verifier | Role::AgencyHead)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    status: Option<String>,
    terlambat: Option<String>,
}

struct QueueLine {
    href: String,
    tracking: String,
    service: String,
    step: String,
    unit: String,
    status: String,
    due: String,
    remaining: String,
    late: bool,
}

struct StatusOption {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_queue.html")]
struct QueuePage {
    chrome: Chrome,
    l: L,
    /// The officer's other work, as the catalogue home offered it: their cases, and the counter
    /// for those who may bind a citizen's contact there.
    cases_label: &'static str,
    counter_label: Option<&'static str>,
    csrf: String,
    lines: Vec<QueueLine>,
    has_agency: bool,
    statuses: Vec<StatusOption>,
    late_only: bool,
    /// Heads of agency (and those who oversee a government) read the unit report.
    show_report: bool,
}

/// The working days between now and a step's deadline, as the queue shows it.
fn remaining(
    l: L,
    zone: IndonesianTimeZone,
    calendar: Option<&balai_domain::calendar::WorkingCalendar>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> (String, bool) {
    let Some(due_at) = due_at else { return (String::new(), false) };
    let due_date = zone.local_date(due_at - chrono::Duration::seconds(1));
    let today = zone.local_date(now);
    let Some(calendar) = calendar else { return (String::new(), now >= due_at) };
    if now >= due_at {
        let days = calendar.working_days_between(due_date, today).unwrap_or(0);
        (super::texts::DAYS_LATE.fill(l.0, &[("days", &days.to_string())]), true)
    } else if due_date == today {
        (l.t("DUE_TODAY").to_owned(), false)
    } else {
        let days = calendar.working_days_between(today, due_date).unwrap_or(0);
        (super::texts::DAYS_LEFT.fill(l.0, &[("days", &days.to_string())]), false)
    }
}

pub(crate) async fn queue_home(state: &AppState, lang: Lang, uri: &Uri, admin: &Admin, q: QueueQuery) -> Response {
    let l = L(lang);
    let now = state.config.clock.now();
    let status = q.status.as_deref().and_then(ApplicationStatus::parse);
    let late_only = q.terlambat.is_some();
    let filter = QueueFilter { status, service_id: None, late_only };
    let lines = match applications::queue_for_officer(&state.db, admin.admin_id, &filter, now).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let (zone, calendar) = match admin.principal.government_id {
        Some(g) => match org::government(&state.db, g).await {
            Ok(gov) => (gov.zone(), balai_store::calendar::working_calendar(&state.db, g).await.ok()),
            Err(e) => return error_page(lang, uri, e.into()),
        },
        None => (IndonesianTimeZone::Wib, None),
    };
    let lines = lines
        .into_iter()
        .map(|c| {
            // A case waiting on the citizen is not running late: its clock stands still.
            let (remaining, late) = match c.paused_since {
                Some(_) => (String::new(), c.breached),
                None => remaining(l, zone, calendar.as_ref(), c.step_due_at, now),
            };
            QueueLine {
                href: format!("/admin/permohonan/{}", c.case_id),
                tracking: c.tracking_number.clone().unwrap_or_default(),
                service: c.service.clone(),
                step: c.step_name.clone().unwrap_or_default(),
                unit: c.unit.clone().unwrap_or_default(),
                status: c.status().map(|s| s.label(lang)).unwrap_or_default().to_owned(),
                due: due_day(zone, c.step_due_at),
                remaining,
                late: late || c.breached,
            }
        })
        .collect();
    let statuses = ApplicationStatus::ALL
        .into_iter()
        .filter(|s| !s.is_final())
        .map(|s| StatusOption { code: s.code(), label: s.label(lang), selected: Some(s) == status })
        .collect();
    let mut chrome = Chrome::new(lang, l.t("QUEUE_HEADING"), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    no_store(render(&QueuePage {
        chrome,
        l,
        cases_label: dashboard_texts::CASES.get(lang),
        counter_label: admin
            .principal
            .government_id
            .is_some_and(|g| admin.may(Action::VerifyCitizenAtCounter, &Target::government(g)))
            .then(|| dashboard_texts::COUNTER.get(lang)),
        csrf: admin.csrf_token.clone(),
        lines,
        has_agency: admin.principal.agency_id.is_some(),
        statuses,
        late_only,
        show_report: admin.principal.government_id.is_some_and(|g| {
            let target = match admin.principal.agency_id {
                Some(a) => balai_domain::identity::Target::agency(g, a),
                None => balai_domain::identity::Target::government(g),
            };
            admin.may(balai_domain::identity::Action::ViewPerformance, &target)
        }),
    }))
}

async fn queue(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<QueueQuery>,
) -> Response {
    queue_home(&state, lang, &uri, &admin, q).await
}

struct ActionView {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
    forward: bool,
    payment: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_application.html")]
struct CasePage {
    chrome: Chrome,
    l: L,
    csrf: String,
    action: String,
    version: i64,
    tracking: String,
    service: String,
    status: ApplicationStatus,
    due: String,
    fee: String,
    payment: String,
    answers: Vec<(String, String)>,
    documents: Vec<(String, Option<String>)>,
    steps: Vec<super::track::StepLine>,
    events: Vec<super::EventLine>,
    actions: Vec<ActionView>,
    units: Vec<(i64, String)>,
    error: Option<String>,
}

fn answer_text(l: L, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Bool(true) => l.t("YES").to_owned(),
        serde_json::Value::Bool(false) => l.t("NO").to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => {
            let region = o.get("region").and_then(|v| v.as_str()).unwrap_or_default();
            let street = o.get("street").and_then(|v| v.as_str()).unwrap_or_default();
            format!("{street} ({region})")
        }
        other => other.to_string(),
    }
}

async fn case_page(state: &AppState, lang: Lang, uri: &Uri, admin: &Admin, id: i64, error: Option<String>) -> Response {
    let l = L(lang);
    let file = match applications::case_file_for_officer(&state.db, &state.vault, admin.admin_id, id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let zone = IndonesianTimeZone::parse(&file.public.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let answers = file
        .form
        .iter()
        .filter_map(|f| {
            file.fields.get(&f.key).map(|v| (lang.pick(&f.label, &f.label_en).to_owned(), answer_text(l, v)))
        })
        .collect();
    let documents = file
        .documents
        .iter()
        .map(|d| {
            let href = d.upload_id.map(|u| format!("/admin/permohonan/{id}/berkas/{u}"));
            (d.code.clone(), href)
        })
        .collect();
    let events = super::history(lang, zone, &file.events);
    let actions = file
        .allowed
        .iter()
        .filter(|e| e.party() == balai_domain::applications::Party::Officer)
        .map(|e| ActionView {
            code: e.code(),
            label: e.label(lang),
            needs_reason: e.needs_reason(),
            forward: *e == ApplicationEvent::Forward,
            payment: *e == ApplicationEvent::RecordPayment,
        })
        .collect();
    let units = match balai_store::org::units_of_government(&state.db, file.case.government_id).await {
        // The case's own agency's units first: most hand-overs stay inside the agency.
        Ok(units) => {
            let (own, other): (Vec<_>, Vec<_>) = units
                .into_iter()
                .filter(|(u, _, _)| Some(*u) != file.case.unit_id)
                .partition(|(_, agency, _)| *agency == file.case.agency_id);
            own.into_iter().chain(other).map(|(u, _, name)| (u, name)).collect()
        }
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let fee = if file.fee > 0 { balai_domain::money::Rupiah(file.fee).to_string() } else { String::new() };
    let payment = match (&file.receipt_number, file.fee > 0) {
        (Some(r), _) => super::texts::PAID.fill(lang, &[("receipt", r)]),
        (None, true) => l.t("UNPAID").to_owned(),
        (None, false) => String::new(),
    };
    let mut chrome =
        Chrome::new(lang, super::texts::CASE_HEADING.fill(lang, &[("tracking", &file.public.tracking_number)]), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = CasePage {
        chrome,
        l,
        csrf: admin.csrf_token.clone(),
        action: format!("/admin/permohonan/{id}/aksi"),
        version: file.case.version,
        tracking: file.public.tracking_number.clone(),
        service: file.public.service.clone(),
        status: file.public.status,
        due: due_day(zone, file.public.due_at),
        fee,
        payment,
        answers,
        documents,
        steps: super::track::step_lines(l, zone, &file.public),
        events,
        actions,
        units,
        error,
    };
    let _ = when;
    no_store(render(&page))
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<i64>,
) -> Response {
    case_page(&state, lang, &uri, &admin, id, None).await
}

/// Every field defaults, so a form without its token meets the CSRF check (403), not the parser.
#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    receipt_number: String,
    #[serde(default)]
    version: String,
}
crate::posted::csrf_form!(ActForm);

async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    post: OfficerPost<ActForm>,
) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let Some(event) = ApplicationEvent::parse(&form.event) else {
        return error_page(
            lang,
            &uri,
            AppError::BadParameter { param: "event", expected: crate::error::Expected::Positive },
        );
    };
    let issued = if event == ApplicationEvent::Complete {
        // Check the officer may act before any document is rendered.
        if let Err(e) = applications::may_act(&state.db, admin.admin_id, id, event).await {
            return error_page(lang, &uri, e.into());
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        match crate::applications::issue_document(&state, host, id, admin.admin_id).await {
            Ok(doc) => Some(doc),
            Err(e) => return error_page(lang, &uri, e),
        }
    } else {
        None
    };
    let instruction = Instruction {
        reason: &form.reason,
        to_unit_id: form.to_unit.parse().ok(),
        receipt_number: Some(form.receipt_number.as_str()).filter(|r| !r.is_empty()),
        expected_version: form.version.parse().ok(),
        issued: issued.as_ref(),
    };
    match applications::act_as_officer(
        &state.db,
        &state.vault,
        admin.admin_id,
        id,
        event,
        &instruction,
        state.config.clock.now(),
    )
    .await
    {
        Ok(_) => {
            let query = if lang == Lang::En { "?lang=en" } else { "" };
            Redirect::to(&format!("/admin/permohonan/{id}{query}")).into_response()
        }
        Err(balai_store::StoreError::Invalid(errors)) => {
            let message =
                errors.0.iter().map(|e| format!("{}: {}", e.field, e.rule.message(lang))).collect::<Vec<_>>().join(" ");
            let response = case_page(&state, lang, &uri, &admin, id, Some(message)).await;
            (StatusCode::UNPROCESSABLE_ENTITY, response).into_response()
        }
        Err(e @ (balai_store::StoreError::Workflow(_) | balai_store::StoreError::StaleVersion { .. })) => {
            let message = AppError::from(e).detail(lang);
            let response = case_page(&state, lang, &uri, &admin, id, Some(message)).await;
            (StatusCode::CONFLICT, response).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// A file attached to a case, shown to an officer who may work it. Served with its cleaned type and
/// `nosniff`, never as HTML.
async fn attachment(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path((id, upload)): Path<(i64, i64)>,
) -> Response {
    let found = match applications::upload_for_officer(&state.db, admin.admin_id, id, upload).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    match state.config.files.get(&found.object_key).await {
        Ok(bytes) => no_store(
            (
                [
                    (header::CONTENT_TYPE, found.content_type.clone()),
                    (header::CONTENT_DISPOSITION, "inline".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => error_page(lang, &uri, AppError::Internal(format!("reading an upload: {e}"))),
    }
}
