//! The working-day calendar of a government, corrected per year by its administrator: one holiday per
//! line, as the joint ministerial decree lists them, so a year can be pasted in and fixed in one place.

use super::{Chrome, error_page, no_store, render};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::calendar::{parse_holiday_lines, weekdays_left};
use balai_domain::identity::{Action, Target};
use balai_store::calendar::{self, Holiday};
use balai_store::org::{self, Government};
use serde::Deserialize;

/// The calendar page's fixed texts.
pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Kalender hari kerja"
            / "Working-day calendar";
        INTRO = "Hari libur nasional, cuti bersama dan libur daerah menentukan batas waktu setiap permohonan dan pengaduan. Perbaiki bila pemerintah menetapkan tanggal yang berbeda dari perkiraan."
            / "National holidays, cuti bersama and regional holidays set every deadline. Correct them when the government confirms dates that differ from the estimates.";
        YEARS = "Tahun"
            / "Years";
        SAVED = "Kalender disimpan."
            / "Calendar saved.";
        FIELD = "Hari libur (satu per baris)"
            / "Holidays (one per line)";
        HINT = "Format: TTTT-BB-HH,Nama,kategori — kategori: libur_nasional, cuti_bersama atau libur_daerah."
            / "Format: YYYY-MM-DD,Name,kind — kind: libur_nasional, cuti_bersama or libur_daerah.";
        WORKING_DAYS = "Hari kerja dalam tahun ini"
            / "Working days in this year";
        SUBMIT = "Simpan kalender"
            / "Save the calendar";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/kalender/{region}/{year}", get(show).post(replace))
}

#[derive(askama::Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    heading: String,
    intro: &'static str,
    years_label: &'static str,
    region: String,
    year: i32,
    years: Vec<i32>,
    saved: bool,
    saved_message: &'static str,
    csrf: String,
    field_label: &'static str,
    hint: &'static str,
    errors: Vec<String>,
    text: String,
    working_days_label: &'static str,
    working_days: String,
    submit_label: &'static str,
}

#[derive(Deserialize)]
struct SavedParam {
    disimpan: Option<String>,
}

/// Years an administrator may edit: the covered ones and the next one after them.
const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2100;

fn parse_year(raw: &str) -> Option<i32> {
    raw.parse::<i32>().ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

async fn load(state: &AppState, admin: &Admin, region: &str) -> Result<Government, AppError> {
    let government = org::government_by_region(&state.db, region).await?;
    if !admin.may(Action::ManageCalendar, &Target::government(government.id)) {
        return Err(AppError::Forbidden);
    }
    Ok(government)
}

fn to_text(holidays: &[Holiday]) -> String {
    holidays.iter().map(|h| format!("{},{},{}", h.date, h.name, h.kind.code())).collect::<Vec<_>>().join("\n")
}

/// The year's holiday list, or every bad line's message in the reader's language.
fn parse_lines(text: &str, year: i32, lang: Lang) -> Result<Vec<Holiday>, Vec<String>> {
    parse_holiday_lines(text, year).map_err(|errors| errors.iter().map(|e| e.message(lang)).collect())
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    government: &Government,
    year: i32,
    text: String,
    errors: Vec<String>,
    saved: bool,
) -> Response {
    let mut years = match calendar::covered_years(&state.db, government.id).await {
        Ok(y) => y,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let next = years.last().copied().unwrap_or(year) + 1;
    years.push(next);
    if !years.contains(&year) {
        years.push(year);
        years.sort();
    }
    let working_days = match parse_lines(&text, year, lang) {
        Ok(h) => weekdays_left(year, &h).to_string(),
        Err(_) => "—".into(),
    };
    let heading = format!("{} {year} — {}", texts::HEADING.get(lang), government.name);
    let mut chrome = Chrome::new(lang, heading.clone(), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = CalendarPage {
        chrome,
        heading,
        intro: texts::INTRO.get(lang),
        years_label: texts::YEARS.get(lang),
        region: government.region_code.clone(),
        year,
        years,
        saved,
        saved_message: texts::SAVED.get(lang),
        csrf: admin.csrf_token.clone(),
        field_label: texts::FIELD.get(lang),
        hint: texts::HINT.get(lang),
        errors,
        text,
        working_days_label: texts::WORKING_DAYS.get(lang),
        working_days,
        submit_label: texts::SUBMIT.get(lang),
    };
    no_store((status, render(&page)).into_response())
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path((region, year)): Path<(String, String)>,
    Query(saved): Query<SavedParam>,
) -> Response {
    let Some(year) = parse_year(&year) else { return error_page(lang, &uri, AppError::NotFound) };
    let government = match load(&state, &admin, &region).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let holidays = match calendar::holidays(&state.db, government.id, year).await {
        Ok(h) => h,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    page(&state, lang, &uri, &admin, &government, year, to_text(&holidays), vec![], saved.disimpan.is_some()).await
}

#[derive(Deserialize)]
struct CalendarForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    holidays: String,
}

crate::posted::csrf_form!(CalendarForm);

async fn replace(
    State(state): State<AppState>,
    Path((region, year)): Path<(String, String)>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<CalendarForm>,
) -> Response {
    let Some(year) = parse_year(&year) else { return error_page(lang, &uri, AppError::NotFound) };
    let government = match load(&state, &admin, &region).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let holidays = match parse_lines(&form.holidays, year, lang) {
        Ok(h) => h,
        Err(errors) => return page(&state, lang, &uri, &admin, &government, year, form.holidays, errors, false).await,
    };
    let saved = calendar::replace_year_as_officer(&state.db, admin.admin_id, government.id, year, &holidays).await;
    if let Err(e) = saved {
        return error_page(lang, &uri, e.into());
    }
    tracing::info!(
        admin_id = admin.admin_id,
        government_id = government.id,
        year,
        holidays = holidays.len(),
        "calendar year replaced"
    );
    Redirect::to(&format!("/admin/kalender/{region}/{year}?disimpan=1")).into_response()
}
