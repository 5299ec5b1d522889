//! `/skm/{agency}?periode=2026-Q3&pemda=53.71`: an agency's published SKM results — the IKM with
//! its grade, the mean score of each element, respondents against the minimum sample, and the
//! same per unit and per service. Everyone alike reads it, so it is read on the lagging reader.

use super::{S, grouped, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, ErrorPage, error_page, render};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::surveys::{Element, Period, Weighting};
use balai_store::org::{self, Government};
use balai_store::surveys::{self, Part, Results};
use serde::Deserialize;

/// One set of results as the page shows it.
struct Figures {
    ikm: Option<String>,
    grade: Option<String>,
    respondents: String,
    population: String,
    minimum: String,
    met: bool,
    sample_note: String,
    /// (code, name, NRR)
    elements: Vec<(&'static str, &'static str, String)>,
}

fn figures(lang: Lang, results: &Results) -> Figures {
    let index = results.tally.index(Weighting::Standard);
    let met = results.sample_met();
    let respondents = grouped(results.tally.respondents, lang);
    let minimum = grouped(results.minimum_sample(), lang);
    let sample_note = if met {
        texts::SAMPLE_MET.get(lang).to_owned()
    } else {
        texts::SAMPLE_NOT_MET.fill(lang, &[("respondents", &respondents), ("minimum", &minimum)])
    };
    Figures {
        ikm: index.map(|i| i.ikm.display(lang)),
        grade: index
            .map(|i| texts::GRADE_VALUE.fill(lang, &[("grade", i.grade.letter()), ("meaning", i.grade.meaning(lang))])),
        respondents,
        population: grouped(results.population, lang),
        minimum,
        met,
        sample_note,
        elements: Element::ALL
            .into_iter()
            .map(|e| {
                let nrr = index.map(|i| i.nrr(e).display(lang)).unwrap_or_else(|| texts::NONE.get(lang).to_owned());
                (e.code(), e.name(lang), nrr)
            })
            .collect(),
    }
}

/// A unit's or a service's line.
struct Line {
    name: String,
    figures: Figures,
}

fn lines(lang: Lang, parts: &[Part]) -> Vec<Line> {
    parts
        .iter()
        .map(|p| Line { name: lang.pick(&p.name, &p.name_en).to_owned(), figures: figures(lang, &p.results) })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "surveys/results.html")]
struct ResultsPage {
    chrome: Chrome,
    s: S,
    agency_code: String,
    region_code: String,
    period_code: String,
    period_label: String,
    /// (code, label, selected)
    periods: Vec<(String, String, bool)>,
    whole: Figures,
    /// (heading, lines): per unit, then per service.
    tables: Vec<(&'static str, Vec<Line>)>,
}

#[derive(Deserialize)]
pub(super) struct ResultsQuery {
    periode: Option<String>,
    pemda: Option<String>,
}

/// The periods offered: this and the seven quarters before, this and the previous three
/// semesters, this and the two years before.
fn period_choices(today: Period) -> Vec<Period> {
    let Period::Quarter { year, quarter } = today else { return vec![today] };
    let mut out = Vec::new();
    let (mut y, mut q) = (year, quarter);
    for _ in 0..8 {
        out.push(Period::Quarter { year: y, quarter: q });
        if q == 1 {
            (y, q) = (y - 1, 4);
        } else {
            q -= 1;
        }
    }
    let (mut y, mut s) = (year, if quarter <= 2 { 1 } else { 2 });
    for _ in 0..4 {
        out.push(Period::Semester { year: y, semester: s });
        if s == 1 {
            (y, s) = (y - 1, 2);
        } else {
            s = 1;
        }
    }
    out.extend((0..3).map(|back| Period::Year { year: year - back }));
    out
}

fn bad_request(lang: Lang, uri: &Uri, status: StatusCode, heading: String, body: String) -> Response {
    let page = ErrorPage { chrome: Chrome::new(lang, heading.clone(), uri), heading, body };
    (status, render(&page)).into_response()
}

async fn government(state: &AppState, region: Option<&str>) -> Result<Government, AppError> {
    let region = region.map(str::trim).filter(|r| !r.is_empty()).map(|r| r.chars().take(20).collect::<String>());
    match region.or_else(|| state.config.default_region.clone()) {
        Some(region) => Ok(org::government_by_region(state.db.lagging(), &region).await?),
        None => org::governments(state.db.lagging()).await?.into_iter().next().ok_or(AppError::NotFound),
    }
}

/// The agency and period a request names, or the page that says what is wrong with them.
struct Asked {
    government: Government,
    agency: balai_store::org::Agency,
    period: Period,
    current: Period,
}

async fn asked(state: &AppState, lang: Lang, uri: &Uri, code: &str, q: &ResultsQuery) -> Result<Asked, Response> {
    let government = government(state, q.pemda.as_deref()).await.map_err(|e| error_page(lang, uri, e))?;
    let zone = IndonesianTimeZone::parse(&government.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let current = Period::quarter_of(zone.local_date(state.config.clock.now()));
    let period = match q.periode.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => current,
        Some(text) => match Period::parse(text) {
            Some(period) => period,
            None => {
                let shown: String = text.chars().take(20).collect();
                let body = texts::BAD_PERIOD_BODY.fill(lang, &[("value", &shown)]);
                let heading = texts::BAD_PERIOD_HEADING.get(lang).into();
                return Err(bad_request(lang, uri, StatusCode::BAD_REQUEST, heading, body));
            }
        },
    };
    let agency = match surveys::agency_by_code(&state.db, government.id, code.trim()).await {
        Ok(Some(agency)) => agency,
        Ok(None) => {
            let shown: String = code.chars().take(64).collect();
            let body = texts::UNKNOWN_AGENCY_BODY.fill(lang, &[("code", &shown), ("government", &government.name)]);
            let heading = texts::UNKNOWN_AGENCY_HEADING.get(lang).into();
            return Err(bad_request(lang, uri, StatusCode::NOT_FOUND, heading, body));
        }
        Err(e) => return Err(error_page(lang, uri, e.into())),
    };
    Ok(Asked { government, agency, period, current })
}

pub(super) async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<ResultsQuery>,
) -> Response {
    let Asked { government, agency, period, current } = match asked(&state, lang, &uri, &code, &q).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let breakdown = match surveys::breakdown(&state.db, government.id, agency.id, period).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let mut choices = period_choices(current);
    if !choices.contains(&period) {
        choices.insert(0, period);
    }
    let page = ResultsPage {
        chrome: Chrome::new(lang, texts::RESULTS_HEADING.fill(lang, &[("agency", &agency.name)]), &uri),
        s: S(lang),
        agency_code: agency.code.clone(),
        region_code: government.region_code.clone(),
        period_code: period.code(),
        period_label: period.label(lang),
        periods: choices.into_iter().map(|p| (p.code(), p.label(lang), p == period)).collect(),
        whole: figures(lang, &breakdown.whole),
        tables: vec![
            (texts::PER_UNIT.get(lang), lines(lang, &breakdown.units)),
            (texts::PER_SERVICE.get(lang), lines(lang, &breakdown.services)),
        ],
    };
    render(&page)
}

/// The counts of the store in the report's shape: each code given, and how many did not say.
fn profile_of(counts: &surveys::ProfileCounts) -> balai_sheets::ProfileCounts {
    fn fill<T: Copy + PartialEq>(
        into: &mut balai_sheets::Breakdown<T>,
        from: &[(Option<String>, u64)],
        parse: fn(&str) -> Option<T>,
    ) {
        for (code, n) in from {
            match code.as_deref().and_then(parse).and_then(|c| into.counts.iter_mut().find(|(k, _)| *k == c)) {
                Some((_, count)) => *count += n,
                None => into.unstated += n,
            }
        }
    }
    let mut out = balai_sheets::ProfileCounts::default();
    fill(&mut out.sex, &counts.sex, balai_domain::surveys::Sex::parse);
    fill(&mut out.age, &counts.age_band, balai_domain::surveys::AgeBand::parse);
    fill(&mut out.education, &counts.education, balai_domain::surveys::Education::parse);
    fill(&mut out.occupation, &counts.occupation, balai_domain::surveys::Occupation::parse);
    out
}

/// `/skm/{agency}/laporan.xlsx` or `laporan.pdf`: the agency's report for the period, without
/// the suggestions (free text is not published).
pub(super) async fn report(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((code, file)): Path<(String, String)>,
    Query(q): Query<ResultsQuery>,
) -> Response {
    let pdf = match file.as_str() {
        "laporan.xlsx" => false,
        "laporan.pdf" => true,
        _ => return error_page(lang, &uri, AppError::NotFound),
    };
    let Asked { government, agency, period, .. } = match asked(&state, lang, &uri, &code, &q).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let scope = surveys::Scope { government_id: government.id, agency_id: agency.id, unit_id: None, service_id: None };
    let (results, counts) = match tokio::try_join!(
        surveys::results(&state.db, scope, period),
        surveys::profile_counts(&state.db, scope, period)
    ) {
        Ok(read) => read,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let heading = balai_sheets::ReportHeading {
        government: government.name.clone(),
        agency: agency.name.clone(),
        unit: String::new(),
        period: period.label(Lang::Id),
    };
    let Some(report) = balai_sheets::SkmReport::new(
        heading,
        &results.tally,
        Weighting::Standard,
        Some(results.population).filter(|n| *n > 0),
        profile_of(&counts),
        Vec::new(),
    ) else {
        let body = texts::NO_RESPONSES.get(lang).to_owned();
        return bad_request(lang, &uri, StatusCode::NOT_FOUND, texts::DOWNLOADS.get(lang).into(), body);
    };
    let bytes = match tokio::task::spawn_blocking(move || {
        if pdf { balai_sheets::report_pdf(&report) } else { balai_sheets::report_xlsx(&report) }
    })
    .await
    {
        Ok(bytes) => bytes,
        Err(e) => return error_page(lang, &uri, AppError::Internal(format!("report task: {e}"))),
    };
    let (content_type, extension) = if pdf {
        ("application/pdf", "pdf")
    } else {
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    };
    let name = format!("SKM-{}-{}.{extension}", agency.code, period.code());
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.', "-")
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_choices_run_back_from_the_current_quarter() {
        let choices = period_choices(Period::Quarter { year: 2026, quarter: 1 });
        let codes: Vec<String> = choices.iter().map(|p| p.code()).collect();
        assert_eq!(&codes[..3], ["2026-Q1", "2025-Q4", "2025-Q3"]);
        assert!(codes.contains(&"2026-S1".to_owned()) && codes.contains(&"2025-S2".to_owned()));
        assert_eq!(&codes[codes.len() - 3..], ["2026", "2025", "2024"]);
    }
}
