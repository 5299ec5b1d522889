//! `/skm/{agency}?periode=2026-Q3&pemda=53.71`: an agency's published SKM results — the IKM with
//! its grade, the mean score of each element, respondents against the minimum sample, and the
//! same per unit and per service. Everyone alike reads it, so it is read on the lagging reader.

use super::{S, grouped, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, ErrorPage, error_page, render};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
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

pub(super) async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<ResultsQuery>,
) -> Response {
    let government = match government(&state, q.pemda.as_deref()).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let zone = IndonesianTimeZone::parse(&government.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let current = Period::quarter_of(zone.local_date(state.config.clock.now()));
    let period = match q.periode.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => current,
        Some(text) => match Period::parse(text) {
            Some(period) => period,
            None => {
                let shown: String = text.chars().take(20).collect();
                let body = texts::BAD_PERIOD_BODY.fill(lang, &[("value", &shown)]);
                return bad_request(
                    lang,
                    &uri,
                    StatusCode::BAD_REQUEST,
                    texts::BAD_PERIOD_HEADING.get(lang).into(),
                    body,
                );
            }
        },
    };
    let agency = match surveys::agency_by_code(&state.db, government.id, code.trim()).await {
        Ok(Some(agency)) => agency,
        Ok(None) => {
            let shown: String = code.chars().take(64).collect();
            let body = texts::UNKNOWN_AGENCY_BODY.fill(lang, &[("code", &shown), ("government", &government.name)]);
            return bad_request(
                lang,
                &uri,
                StatusCode::NOT_FOUND,
                texts::UNKNOWN_AGENCY_HEADING.get(lang).into(),
                body,
            );
        }
        Err(e) => return error_page(lang, &uri, e.into()),
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
