//! Unit reports for heads of agency and those who oversee a government: per service and per unit,
//! received, completed, backlog, SLA compliance, average and p90 working days, breaches by step;
//! the same as CSV.

use super::L;
use crate::AppState;
use crate::auth::Admin;
use crate::error::{AppError, Expected};
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_store::applications::{self, Report};
use balai_store::org;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/laporan", get(page)).route("/admin/laporan.csv", get(csv))
}

#[derive(Debug, Default, Deserialize)]
struct ReportQuery {
    /// Region code of the government (deployment administrators choose one).
    pemerintah: Option<String>,
    dari: Option<String>,
    sampai: Option<String>,
}

fn date(value: Option<&str>, param: &'static str, default: NaiveDate) -> Result<NaiveDate, AppError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| AppError::BadParameter { param, expected: Expected::Date }),
    }
}

async fn load(state: &AppState, admin: &Admin, q: &ReportQuery) -> Result<(Report, String), AppError> {
    let government = match (admin.principal.government_id, q.pemerintah.as_deref().filter(|r| !r.is_empty())) {
        (Some(id), _) => org::government(&state.db, id).await?,
        (None, Some(region)) => org::government_by_region(&state.db, region).await?,
        (None, None) => match state.config.default_region.as_deref() {
            Some(region) => org::government_by_region(&state.db, region).await?,
            None => return Err(AppError::BadParameter { param: "pemerintah", expected: Expected::RegionCode }),
        },
    };
    let today = government.zone().local_date(state.config.clock.now());
    let to = date(q.sampai.as_deref(), "sampai", today)?;
    let from = date(q.dari.as_deref(), "dari", to - chrono::Duration::days(29))?;
    let report = applications::report_for_officer(&state.db, admin.admin_id, government.id, from, to).await?;
    Ok((report, government.name))
}

struct Row {
    name: String,
    received: u64,
    completed: u64,
    backlog: u64,
    compliance: String,
    average: String,
    p90: String,
}

#[derive(askama::Template)]
#[template(path = "admin_report.html")]
struct ReportPage {
    chrome: Chrome,
    l: L,
    government: String,
    from: String,
    to: String,
    services: Vec<Row>,
    units: Vec<Row>,
    breaches: Vec<(String, String, String, u64)>,
    csv_href: String,
}

fn rows(lines: &[applications::ReportLine]) -> Vec<Row> {
    let one = |v: Option<f64>| v.map(|x| format!("{x:.1}").replace('.', ",")).unwrap_or_else(|| "–".into());
    lines
        .iter()
        .map(|l| Row {
            name: l.name.clone(),
            received: l.figures.received,
            completed: l.figures.completed,
            backlog: l.figures.backlog,
            compliance: l
                .figures
                .sla_compliance_percent
                .map(|p| format!("{} %", one(Some(p))))
                .unwrap_or_else(|| "–".into()),
            average: one(l.figures.average_working_days),
            p90: l.figures.p90_working_days.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
        })
        .collect()
}

async fn page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Response {
    let l = L(lang);
    let (report, government) = match load(&state, &admin, &q).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &uri, e),
    };
    let mut chrome = Chrome::new(lang, l.t("REPORT_HEADING"), &uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    no_store(render(&ReportPage {
        chrome,
        l,
        government,
        from: report.from.to_string(),
        to: report.to.to_string(),
        services: rows(&report.by_service),
        units: rows(&report.by_unit),
        breaches: report
            .breaches
            .iter()
            .map(|b| (b.service.clone(), b.step.clone(), b.unit.clone(), b.breaches))
            .collect(),
        csv_href: format!("/admin/laporan.csv{query}"),
    }))
}

async fn csv(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Response {
    match load(&state, &admin, &q).await {
        Ok((report, _)) => no_store(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"laporan-{}-{}.csv\"", report.from, report.to),
                    ),
                ],
                report.to_csv(),
            )
                .into_response(),
        ),
        Err(e) => error_page(lang, &uri, e),
    }
}
