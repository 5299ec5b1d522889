//! The receiving treasurer's pages (bendahara penerimaan): `/admin/pembayaran` (pick a day, import a
//! statement, held payments, refunds awaiting a decision), `/admin/pembayaran/rekonsiliasi?tanggal=`
//! (a day's reconciliation, and the same as `.csv` and `.xlsx`), `/admin/pembayaran/impor` (the
//! statement file, multipart) and `/admin/pembayaran/pengembalian` (asking for a refund, and its
//! decision by someone else). Every change is one store command; these pages parse and render.

use super::treasury_texts as texts;
use crate::AppState;
use crate::auth::Admin;
use crate::error::{AppError, Expected};
use crate::i18n::{RequestLang, lang_of};
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::identity::{Action, Target};
use balai_domain::money::Rupiah;
use balai_domain::validation::{FieldErrors, Rule};
use balai_sheets::reconciliation as sheet;
use balai_store::StoreError;
use balai_store::org;
use balai_store::payments::reconcile::{self, Day, MatchStatus, MismatchReason, StatementFormat};
use balai_store::payments::refunds::{self, RefundablePayment};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/pembayaran", get(home))
        .route("/admin/pembayaran/rekonsiliasi", get(day_page))
        .route("/admin/pembayaran/rekonsiliasi.csv", get(day_csv))
        .route("/admin/pembayaran/rekonsiliasi.xlsx", get(day_xlsx))
        .route(
            "/admin/pembayaran/impor",
            post(import).layer(DefaultBodyLimit::max(reconcile::MAX_STATEMENT_BYTES + 64 * 1024)),
        )
        .route("/admin/pembayaran/pengembalian", get(refund_form).post(request_refund))
        .route("/admin/pembayaran/pengembalian/putusan", post(decide))
}

/// The texts of these pages, by name, for templates: `{{ t.t("AMOUNT") }}`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}

/// The treasurer's government: their own, when they may reconcile it.
fn government_of(admin: &Admin) -> Result<i64, AppError> {
    admin
        .principal
        .government_id
        .filter(|g| admin.may(Action::ReconcilePayments, &Target::government(*g)))
        .ok_or(AppError::Forbidden)
}

fn chrome(lang: Lang, title: &str, uri: &Uri, admin: &Admin) -> Chrome {
    let mut chrome = Chrome::new(lang, title, uri);
    chrome.admin_name = Some(admin.display_name.clone());
    chrome
}

async fn zone_of(state: &AppState, government_id: i64) -> Result<(org::Government, IndonesianTimeZone), AppError> {
    let government = org::government(&state.db, government_id).await?;
    let zone = government.zone();
    Ok((government, zone))
}

fn outcome_label(outcome: &str, lang: Lang) -> &'static str {
    match outcome {
        "paid" => texts::OUTCOME_PAID.get(lang),
        "failed" => texts::OUTCOME_FAILED.get(lang),
        "held_amount" => texts::OUTCOME_HELD_AMOUNT.get(lang),
        "held_not_payable" => texts::OUTCOME_HELD_NOT_PAYABLE.get(lang),
        _ => texts::OUTCOME_HELD_PAID_TWICE.get(lang),
    }
}

fn status_label(status: MatchStatus, reason: Option<MismatchReason>, lang: Lang) -> &'static str {
    match (status, reason) {
        (MatchStatus::Matched, _) => texts::MATCHED.get(lang),
        (MatchStatus::Unmatched, _) => texts::UNMATCHED.get(lang),
        (MatchStatus::Mismatched, Some(MismatchReason::Amount)) => texts::REASON_AMOUNT.get(lang),
        (MatchStatus::Mismatched, Some(MismatchReason::NotPaid)) => texts::REASON_NOT_PAID.get(lang),
        (MatchStatus::Mismatched, Some(MismatchReason::Held)) => texts::REASON_HELD.get(lang),
        (MatchStatus::Mismatched, Some(MismatchReason::Refunded)) => texts::REASON_REFUNDED.get(lang),
        (MatchStatus::Mismatched, Some(MismatchReason::Twice)) => texts::REASON_TWICE.get(lang),
        (MatchStatus::Mismatched, None) => texts::MISMATCHED.get(lang),
    }
}

fn channel_label(code: &str, lang: Lang) -> &'static str {
    balai_domain::payments::Channel::parse(code).map_or("—", |c| c.label(lang))
}

// ---- the treasurer's home ------------------------------------------------------------------------

pub struct HeldRow {
    pub payment_id: i64,
    pub bill: String,
    pub amount: String,
    pub outcome: &'static str,
    pub refundable: String,
    pub agency: String,
    pub paid_at: String,
    pub href: String,
}

pub struct RefundRow {
    pub id: i64,
    pub payment_id: i64,
    pub bill: String,
    pub agency: String,
    pub amount: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// Asked by the reader: someone else decides.
    pub own: bool,
}

pub struct StatementRow {
    pub id: i64,
    pub format: String,
    pub lines: i64,
    pub imported_at: String,
}

#[derive(askama::Template)]
#[template(path = "payments/treasury_home.html")]
struct HomePage {
    chrome: Chrome,
    t: T,
    csrf: String,
    today: String,
    notice: Option<String>,
    problems_heading: String,
    problems: Vec<String>,
    held: Vec<HeldRow>,
    refunds: Vec<RefundRow>,
    statements: Vec<StatementRow>,
}

fn held_row(p: &RefundablePayment, zone: IndonesianTimeZone, lang: Lang) -> HeldRow {
    HeldRow {
        payment_id: p.payment_id,
        bill: p.bill_number.clone(),
        amount: Rupiah(p.amount).to_string(),
        outcome: outcome_label(&p.outcome, lang),
        refundable: p.refundable().to_string(),
        agency: p.agency_name.clone(),
        paid_at: zone.format(p.paid_at),
        href: format!("/admin/pembayaran/pengembalian?pembayaran={}", p.payment_id),
    }
}

/// The home page with a notice or problems (the answer to a post).
async fn home_with(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    notice: Option<String>,
    problems_heading: String,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let government_id = government_of(admin)?;
    let (_, zone) = zone_of(state, government_id).await?;
    let held = refunds::held_payments(&state.db, admin.admin_id, government_id, 100).await?;
    let open = refunds::open_refunds(&state.db, admin.admin_id, government_id, 100).await?;
    let statements = reconcile::recent_statements(&state.db, admin.admin_id, government_id, 10).await?;
    let page = HomePage {
        chrome: chrome(lang, texts::HOME_HEADING.get(lang), uri, admin),
        t: T(lang),
        csrf: admin.csrf_token.clone(),
        today: zone.local_date(state.config.clock.now()).to_string(),
        notice,
        problems_heading,
        problems,
        held: held.iter().map(|p| held_row(p, zone, lang)).collect(),
        refunds: open
            .into_iter()
            .map(|r| RefundRow {
                id: r.id,
                payment_id: r.payment_id,
                bill: r.bill_number,
                agency: r.agency_name,
                amount: Rupiah(r.amount).to_string(),
                reason: r.reason,
                requested_by: r.requested_by_name,
                requested_at: zone.format(r.requested_at),
                own: r.requested_by == admin.admin_id,
            })
            .collect(),
        statements: statements
            .into_iter()
            .map(|s| StatementRow {
                id: s.id,
                format: s.format.to_uppercase(),
                lines: s.line_count,
                imported_at: zone.format(s.imported_at),
            })
            .collect(),
    };
    Ok(no_store(render(&page)))
}

async fn home(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    treasurer_home(&state, lang, &uri, &admin).await
}

/// The treasurer's home page, also what `/admin` shows a treasurer.
pub async fn treasurer_home(state: &AppState, lang: Lang, uri: &Uri, admin: &Admin) -> Response {
    match home_with(state, lang, uri, admin, None, String::new(), Vec::new()).await {
        Ok(page) => page,
        Err(e) => error_page(lang, uri, e),
    }
}

/// The home page as the answer to a post, with `status`.
async fn answer(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
) -> Response {
    let heading = if problems.is_empty() { String::new() } else { texts::ERRORS.get(lang).to_owned() };
    match home_with(state, lang, uri, admin, notice, heading, problems).await {
        Ok(page) => (status, page).into_response(),
        Err(e) => error_page(lang, uri, e),
    }
}

// ---- a day ----------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct DayQuery {
    #[serde(default)]
    tanggal: String,
}

pub struct LineView {
    pub source: String,
    pub amount: String,
    pub bill: String,
    pub reference: String,
    pub description: String,
    pub status: &'static str,
    pub matched: bool,
    pub service: String,
    pub agency: String,
}

pub struct PaymentView {
    pub payment_id: i64,
    pub bill: String,
    pub amount: String,
    pub channel: &'static str,
    pub paid_at: String,
    pub service: String,
    pub agency: String,
}

pub struct TotalView {
    pub name: String,
    pub received: String,
    pub on_statement: String,
    pub difference: String,
    pub differs: bool,
}

#[derive(askama::Template)]
#[template(path = "payments/treasury_day.html")]
struct DayPage {
    chrome: Chrome,
    t: T,
    counts: String,
    zone_note: String,
    csv_href: String,
    xlsx_href: String,
    lines: Vec<LineView>,
    missing: Vec<PaymentView>,
    tables: Vec<TotalTable>,
    total: TotalView,
}

pub struct TotalTable {
    pub title: &'static str,
    pub id: &'static str,
    pub rows: Vec<TotalView>,
}

/// The day asked for (today in the government's zone when none), the government and its zone.
async fn read_day(
    state: &AppState,
    admin: &Admin,
    q: &DayQuery,
) -> Result<(Day, org::Government, IndonesianTimeZone), AppError> {
    let government_id = government_of(admin)?;
    let (government, zone) = zone_of(state, government_id).await?;
    let day = match q.tanggal.trim() {
        "" => zone.local_date(state.config.clock.now()),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::BadParameter { param: "tanggal", expected: Expected::Date })?,
    };
    let read = reconcile::reconciliation_day(&state.db, admin.admin_id, government_id, day).await?;
    Ok((read, government, zone))
}

fn total_view(t: &reconcile::Total, lang: Lang, name: Option<String>) -> TotalView {
    TotalView {
        name: name.or_else(|| t.name.clone()).unwrap_or_else(|| texts::NO_INVOICE.get(lang).to_owned()),
        received: t.received.to_string(),
        on_statement: t.on_statement.to_string(),
        difference: t.difference().to_string(),
        differs: t.difference().0 != 0,
    }
}

async fn day_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<DayQuery>,
) -> Response {
    let (day, _, zone) = match read_day(&state, &admin, &q).await {
        Ok(read) => read,
        Err(e) => return error_page(lang, &uri, e),
    };
    let date = day.day.to_string();
    let title = texts::DAY_HEADING.fill(lang, &[("day", &date)]);
    let counts = texts::COUNTS.fill(
        lang,
        &[
            ("matched", &day.count(MatchStatus::Matched).to_string()),
            ("mismatched", &day.count(MatchStatus::Mismatched).to_string()),
            ("unmatched", &day.count(MatchStatus::Unmatched).to_string()),
            ("missing", &day.not_on_statement.len().to_string()),
        ],
    );
    let page = DayPage {
        chrome: chrome(lang, &title, &uri, &admin),
        t: T(lang),
        zone_note: texts::DAY_ZONE.fill(lang, &[("zone", zone.code())]),
        csv_href: format!("/admin/pembayaran/rekonsiliasi.csv?tanggal={date}"),
        xlsx_href: format!("/admin/pembayaran/rekonsiliasi.xlsx?tanggal={date}"),
        counts,
        lines: day
            .lines
            .iter()
            .map(|l| LineView {
                source: format!("{}/{}", l.statement_id, l.line_number),
                amount: Rupiah(l.amount).to_string(),
                bill: l.bill_number.clone().unwrap_or_else(|| "—".to_owned()),
                reference: l.bank_reference.clone(),
                description: l.description.clone(),
                status: status_label(l.status(), l.reason(), lang),
                matched: l.status() == MatchStatus::Matched,
                service: l.service_name.clone().unwrap_or_else(|| "—".to_owned()),
                agency: l.agency_name.clone().unwrap_or_else(|| "—".to_owned()),
            })
            .collect(),
        missing: day
            .not_on_statement
            .iter()
            .map(|p| PaymentView {
                payment_id: p.payment_id,
                bill: p.bill_number.clone(),
                amount: Rupiah(p.amount).to_string(),
                channel: channel_label(&p.channel, lang),
                paid_at: zone.format(p.paid_at),
                service: p.service_name.clone(),
                agency: p.agency_name.clone(),
            })
            .collect(),
        tables: vec![
            TotalTable {
                title: texts::TOTALS_SERVICE.get(lang),
                id: "by-service",
                rows: day.by_service.iter().map(|t| total_view(t, lang, None)).collect(),
            },
            TotalTable {
                title: texts::TOTALS_AGENCY.get(lang),
                id: "by-agency",
                rows: day.by_agency.iter().map(|t| total_view(t, lang, None)).collect(),
            },
        ],
        total: total_view(&day.total, lang, Some(texts::TOTAL.get(lang).to_owned())),
    };
    no_store(render(&page))
}

/// The day as plain rows for the files.
fn day_sheet(day: &Day, government: &org::Government, zone: IndonesianTimeZone, lang: Lang) -> sheet::DaySheet {
    let total = |t: &reconcile::Total, name: Option<String>| sheet::TotalRow {
        name: name.or_else(|| t.name.clone()).unwrap_or_else(|| texts::NO_INVOICE.get(lang).to_owned()),
        received: t.received.0,
        on_statement: t.on_statement.0,
    };
    sheet::DaySheet {
        lang,
        government: government.name.clone(),
        day: format!("{} ({})", day.day, zone.code()),
        lines: day
            .lines
            .iter()
            .map(|l| sheet::LineRow {
                value_date: l.value_date.to_string(),
                source: format!("{}/{}", l.statement_id, l.line_number),
                amount: l.amount,
                bill_number: l.bill_number.clone().unwrap_or_default(),
                bank_reference: l.bank_reference.clone(),
                description: l.description.clone(),
                status: status_label(l.status(), l.reason(), lang).to_owned(),
                service: l.service_name.clone().unwrap_or_default(),
                agency: l.agency_name.clone().unwrap_or_default(),
            })
            .collect(),
        not_on_statement: day
            .not_on_statement
            .iter()
            .map(|p| sheet::PaymentRow {
                paid_at: zone.format(p.paid_at),
                payment_id: p.payment_id,
                bill_number: p.bill_number.clone(),
                amount: p.amount,
                channel: channel_label(&p.channel, lang).to_owned(),
                service: p.service_name.clone(),
                agency: p.agency_name.clone(),
            })
            .collect(),
        by_service: day.by_service.iter().map(|t| total(t, None)).collect(),
        by_agency: day.by_agency.iter().map(|t| total(t, None)).collect(),
        total: total(&day.total, Some(texts::TOTAL.get(lang).to_owned())),
    }
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    no_store(response)
}

async fn day_csv(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<DayQuery>,
) -> Response {
    match read_day(&state, &admin, &q).await {
        Ok((day, government, zone)) => download(
            sheet::day_csv(&day_sheet(&day, &government, zone, lang)).into_bytes(),
            "text/csv; charset=utf-8",
            format!("rekonsiliasi-{}-{}.csv", government.region_code.replace('.', ""), day.day),
        ),
        Err(e) => error_page(lang, &uri, e),
    }
}

async fn day_xlsx(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<DayQuery>,
) -> Response {
    let (day, government, zone) = match read_day(&state, &admin, &q).await {
        Ok(read) => read,
        Err(e) => return error_page(lang, &uri, e),
    };
    let rows = day_sheet(&day, &government, zone, lang);
    // Writing a workbook is work: off the request threads.
    let bytes = match tokio::task::spawn_blocking(move || sheet::day_xlsx(&rows)).await {
        Ok(bytes) => bytes,
        Err(e) => return error_page(lang, &uri, AppError::Internal(format!("workbook task: {e}"))),
    };
    download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("rekonsiliasi-{}-{}.xlsx", government.region_code.replace('.', ""), day.day),
    )
}

// ---- importing a statement ------------------------------------------------------------------------

/// What was posted: the fields, and the file with its name.
#[derive(Default)]
struct Posted {
    values: HashMap<String, String>,
    file: Option<(Option<String>, Vec<u8>)>,
    file_error: Option<String>,
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
        if parts > 5 {
            break;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().map(|n| n.chars().take(200).collect::<String>());
            match crate::applications::read_bounded(field, reconcile::MAX_STATEMENT_BYTES).await {
                Ok(bytes) if bytes.is_empty() => {}
                Ok(bytes) => posted.file = Some((file_name, bytes)),
                Err(e) => posted.file_error = Some(e.message(lang)),
            }
        } else if let Ok(bytes) = crate::applications::read_bounded(field, 200).await {
            posted.values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(posted)
}

/// A statement's format by its file name: MT940 files end in `.sta`, `.940` or `.mt940`.
fn format_of(file_name: Option<&str>) -> StatementFormat {
    let name = file_name.unwrap_or_default().to_ascii_lowercase();
    if [".sta", ".940", ".mt940"].iter().any(|ext| name.ends_with(ext)) {
        StatementFormat::Mt940
    } else {
        StatementFormat::Csv
    }
}

/// Each refusal of an import in the reader's words: a line's number and column, or the file's.
fn import_problems(errors: &FieldErrors, lang: Lang) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let reason = e.rule.message(lang);
            if let Some(rest) = e.field.strip_prefix("lines[")
                && let Some((line, column)) = rest.split_once("].")
            {
                return texts::IMPORT_LINE.fill(lang, &[("line", line), ("column", column), ("reason", &reason)]);
            }
            match (e.field.as_str(), &e.rule) {
                ("file", Rule::Duplicate) => texts::IMPORT_DUPLICATE.get(lang).to_owned(),
                ("format", _) => texts::IMPORT_FORMAT.get(lang).to_owned(),
                _ => format!("{}: {reason}", texts::IMPORT_FILE.get(lang)),
            }
        })
        .collect()
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
    if !admin.check_csrf(posted.values.get("csrf").map(String::as_str).unwrap_or_default()) {
        tracing::warn!(admin_id = admin.admin_id, "statement import refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let government_id = match government_of(&admin) {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let Some((file_name, bytes)) = posted.file else {
        let problem = posted.file_error.unwrap_or_else(|| texts::IMPORT_NO_FILE.get(lang).to_owned());
        return answer(&state, lang, &uri, &admin, StatusCode::UNPROCESSABLE_ENTITY, None, vec![problem]).await;
    };
    let format = format_of(file_name.as_deref());
    let now = state.config.clock.now();
    match reconcile::import_statement_as_officer(&state.db, admin.admin_id, government_id, &bytes, format, now).await {
        Ok(done) => {
            let notice = texts::IMPORT_DONE.fill(
                lang,
                &[
                    ("lines", &done.lines.to_string()),
                    ("matched", &done.matched.to_string()),
                    ("mismatched", &done.mismatched.to_string()),
                    ("unmatched", &done.unmatched.to_string()),
                ],
            );
            answer(&state, lang, &uri, &admin, StatusCode::OK, Some(notice), Vec::new()).await
        }
        Err(StoreError::Invalid(errors)) => {
            let problems = import_problems(&errors, lang);
            let heading = texts::IMPORT_PROBLEMS.fill(lang, &[("count", &problems.len().to_string())]);
            match home_with(&state, lang, &uri, &admin, None, heading, problems).await {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
                Err(e) => error_page(lang, &uri, e),
            }
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

// ---- refunds --------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct RefundQuery {
    #[serde(default)]
    pembayaran: String,
}

#[derive(askama::Template)]
#[template(path = "payments/treasury_refund.html")]
struct RefundPage {
    chrome: Chrome,
    t: T,
    csrf: String,
    payment_query: String,
    payment: Option<HeldRow>,
    refundable_value: i64,
    amount_hint: String,
    amount: String,
    reason: String,
    /// (field id, message) for the summary.
    errors: Vec<(&'static str, String)>,
    amount_error: Option<String>,
    reason_error: Option<String>,
    /// The refundable amount changed since the form was shown.
    stale: Option<String>,
    not_found: bool,
}

#[derive(Deserialize)]
struct RefundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    refundable: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    refund: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

crate::posted::csrf_form!(RefundForm, DecideForm);

fn refund_page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    payment: Option<(&RefundablePayment, IndonesianTimeZone)>,
) -> RefundPage {
    let refundable = payment.map_or(Rupiah(0), |(p, _)| p.refundable());
    RefundPage {
        chrome: chrome(lang, texts::REFUND_HEADING.get(lang), uri, admin),
        t: T(lang),
        csrf: admin.csrf_token.clone(),
        payment_query: payment.map(|(p, _)| p.payment_id.to_string()).unwrap_or_default(),
        payment: payment.map(|(p, zone)| held_row(p, zone, lang)),
        refundable_value: refundable.0,
        amount_hint: texts::REFUND_AMOUNT_HINT.fill(lang, &[("refundable", &refundable.to_string())]),
        amount: String::new(),
        reason: String::new(),
        errors: Vec::new(),
        amount_error: None,
        reason_error: None,
        stale: None,
        not_found: false,
    }
}

/// The payment a form names, as the reader may see it (`None`: no such payment of theirs).
async fn payment_for(
    state: &AppState,
    admin: &Admin,
    id: &str,
) -> Result<Option<(RefundablePayment, IndonesianTimeZone)>, AppError> {
    let government_id = government_of(admin)?;
    let Ok(id) = id.trim().parse::<i64>() else { return Ok(None) };
    match refunds::refundable_payment(&state.db, admin.admin_id, id).await {
        Ok(p) if p.government_id == government_id => {
            let (_, zone) = zone_of(state, government_id).await?;
            Ok(Some((p, zone)))
        }
        Ok(_) | Err(StoreError::NotFound | StoreError::Forbidden) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn refund_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<RefundQuery>,
) -> Response {
    if let Err(e) = government_of(&admin) {
        return error_page(lang, &uri, e);
    }
    let found = match payment_for(&state, &admin, &q.pembayaran).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let mut page = refund_page(lang, &uri, &admin, found.as_ref().map(|(p, z)| (p, *z)));
    page.not_found = found.is_none() && !q.pembayaran.trim().is_empty();
    page.payment_query = q.pembayaran.trim().chars().take(20).collect();
    let status = if page.not_found { StatusCode::NOT_FOUND } else { StatusCode::OK };
    (status, no_store(render(&page))).into_response()
}

async fn request_refund(State(state): State<AppState>, post: OfficerPost<RefundForm>) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let found = match payment_for(&state, &admin, &form.payment).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let Some((payment, zone)) = found else {
        // The form names no payment of theirs: the field is named, as for any other bad input.
        let mut page = refund_page(lang, &uri, &admin, None);
        page.not_found = true;
        page.payment_query = form.payment.trim().chars().take(20).collect();
        page.errors.push(("pembayaran", texts::REFUND_NOT_FOUND.get(lang).to_owned()));
        return (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response();
    };
    let mut page = refund_page(lang, &uri, &admin, Some((&payment, zone)));
    page.amount = form.amount.chars().take(40).collect();
    page.reason = form.reason.chars().take(refunds::MAX_REASON_CHARS + 100).collect();
    // The hidden field carries what the form showed; what it cannot read counts as nothing seen.
    let named = form.refundable.trim().parse::<i64>().map(Rupiah).unwrap_or(Rupiah(-1));
    let Ok(amount) = Rupiah::parse(&form.amount) else {
        let message = texts::REFUND_NOT_AMOUNT.get(lang).to_owned();
        page.errors.push(("amount", message.clone()));
        page.amount_error = Some(message);
        return (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response();
    };
    let now = state.config.clock.now();
    match refunds::request_refund_as_officer(
        &state.db,
        admin.admin_id,
        payment.payment_id,
        amount,
        named,
        &form.reason,
        now,
    )
    .await
    {
        Ok(refund) => {
            let notice = texts::REFUND_ASKED
                .fill(lang, &[("id", &refund.id.to_string()), ("amount", &Rupiah(refund.amount).to_string())]);
            answer(&state, lang, &uri, &admin, StatusCode::OK, Some(notice), Vec::new()).await
        }
        Err(StoreError::Invalid(errors)) => {
            for e in &errors.0 {
                match e.field.as_str() {
                    "refundable" => {
                        // The form now carries the figure as it is: asking again is a deliberate choice.
                        let stale =
                            texts::REFUND_STALE.fill(lang, &[("refundable", &payment.refundable().to_string())]);
                        page.errors.push(("amount", stale.clone()));
                        page.stale = Some(stale);
                    }
                    "reason" => {
                        let message = e.rule.message(lang);
                        page.errors.push(("reason", message.clone()));
                        page.reason_error = Some(message);
                    }
                    _ => {
                        let message = e.rule.message(lang);
                        page.errors.push(("amount", message.clone()));
                        page.amount_error = Some(message);
                    }
                }
            }
            (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

async fn decide(State(state): State<AppState>, post: OfficerPost<DecideForm>) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    if let Err(e) = government_of(&admin) {
        return error_page(lang, &uri, e);
    }
    let Ok(refund_id) = form.refund.trim().parse::<i64>() else {
        return error_page(lang, &uri, AppError::BadParameter { param: "refund", expected: Expected::Positive });
    };
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return error_page(lang, &uri, AppError::BadParameter { param: "decision", expected: Expected::Positive }),
    };
    let now = state.config.clock.now();
    match refunds::decide_refund_as_officer(&state.db, admin.admin_id, refund_id, approve, &form.note, now).await {
        Ok(refund) => {
            let done = if approve { texts::DECIDED_APPROVED } else { texts::DECIDED_REJECTED };
            let notice = done.fill(lang, &[("id", &refund.id.to_string())]);
            answer(&state, lang, &uri, &admin, StatusCode::OK, Some(notice), Vec::new()).await
        }
        // A treasurer of the government refused here is the one who asked: four eyes.
        Err(StoreError::Forbidden) => {
            let government_id = admin.principal.government_id.unwrap_or_default();
            let own = refunds::open_refunds(&state.db, admin.admin_id, government_id, 1_000)
                .await
                .is_ok_and(|open| open.iter().any(|r| r.id == refund_id && r.requested_by == admin.admin_id));
            if !own {
                return error_page(lang, &uri, AppError::Forbidden);
            }
            let problem = texts::DECIDE_OWN.get(lang).to_owned();
            answer(&state, lang, &uri, &admin, StatusCode::FORBIDDEN, None, vec![problem]).await
        }
        Err(StoreError::NotFound) => {
            let problem = texts::DECIDE_NOT_FOUND.get(lang).to_owned();
            answer(&state, lang, &uri, &admin, StatusCode::UNPROCESSABLE_ENTITY, None, vec![problem]).await
        }
        Err(StoreError::StaleVersion { .. }) => {
            let problem = texts::DECIDED_ALREADY.get(lang).to_owned();
            answer(&state, lang, &uri, &admin, StatusCode::CONFLICT, None, vec![problem]).await
        }
        Err(StoreError::Invalid(errors)) => {
            let problems =
                errors.0.iter().map(|e| format!("{}: {}", texts::NOTE.get(lang), e.rule.message(lang))).collect();
            answer(&state, lang, &uri, &admin, StatusCode::UNPROCESSABLE_ENTITY, None, problems).await
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
