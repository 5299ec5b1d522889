//! The complaint rules editor of a government admin: the version in force with its note, every
//! earlier version, and a form that publishes a new one (the six deadlines in working days, the
//! complaint desk, the area reports must lie in, what "nearby" means for similar reports). A new
//! version applies to reports received after it; each report keeps the version it came under.

use super::work_texts::{self as texts, W};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::applications::when;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::complaints::{DeadlineRules, GeoBox};
use balai_domain::identity::{Action, Target};
use balai_store::StoreError;
use balai_store::complaints::RulesEdit;
use balai_store::complaints::rules::{self, ComplaintRules};
use balai_store::org::{self, Government};
use serde::Deserialize;
use std::collections::HashMap;

const PATH: &str = "/admin/pengaduan/aturan";

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/pengaduan/aturan", get(page).post(publish))
}

/// The editor's address for an officer who may publish rules somewhere, else `None`.
pub(crate) fn rules_href(admin: &Admin) -> Option<String> {
    let target = match admin.principal.government_id {
        Some(g) => Target::government(g),
        None => Target::default(),
    };
    admin.may(Action::ManageComplaints, &target).then(|| PATH.to_owned())
}

/// The six deadline fields, in the order the form shows them, with their labels.
const DEADLINE_FIELDS: [(&str, crate::texts::Text); 6] = [
    ("verify_days", texts::VERIFY_DAYS),
    ("information_days", texts::INFORMATION_DAYS),
    ("ordinary_days", texts::ORDINARY_DAYS),
    ("supervisory_days", texts::SUPERVISORY_DAYS),
    ("response_days", texts::RESPONSE_DAYS),
    ("reopen_days", texts::REOPEN_DAYS),
];

const AREA_FIELDS: [(&str, crate::texts::Text); 4] = [
    ("min_lat", texts::MIN_LAT),
    ("max_lat", texts::MAX_LAT),
    ("min_lon", texts::MIN_LON),
    ("max_lon", texts::MAX_LON),
];

struct Input {
    id: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
}

struct VersionView {
    version: i64,
    at: String,
    note: String,
    deadlines: String,
    desk: String,
    area: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "complaints/work_rules.html")]
struct RulesPage {
    chrome: Chrome,
    w: W,
    csrf: String,
    region: String,
    governments: Vec<Choice>,
    current: Option<VersionView>,
    current_heading: String,
    versions: Vec<VersionView>,
    deadlines: Vec<Input>,
    area: Vec<Input>,
    area_error: Option<String>,
    desk_units: Vec<Choice>,
    desk_error: Option<String>,
    /// The similar-report distance and period.
    numbers: Vec<Input>,
    note: Input,
    errors: Vec<(String, String)>,
    published: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RulesQuery {
    wilayah: Option<String>,
    terbit: Option<i64>,
}

/// The governments whose rules this officer may publish.
async fn managed(state: &AppState, admin: &Admin) -> Result<Vec<Government>, StoreError> {
    Ok(org::governments(&state.db)
        .await?
        .into_iter()
        .filter(|g| admin.may(Action::ManageComplaints, &Target::government(g.id)))
        .collect())
}

/// The government asked for (by region code), else the officer's own, else the first they manage.
fn chosen(governments: &[Government], admin: &Admin, region: Option<&str>) -> Option<Government> {
    match region.filter(|r| !r.is_empty()) {
        Some(region) => governments.iter().find(|g| g.region_code == region).cloned(),
        None => governments
            .iter()
            .find(|g| Some(g.id) == admin.principal.government_id)
            .or_else(|| governments.first())
            .cloned(),
    }
}

fn area_text(lang: Lang, area: Option<GeoBox>) -> String {
    match area {
        Some(a) => format!("{:.4}, {:.4} — {:.4}, {:.4}", a.min_lat, a.min_lon, a.max_lat, a.max_lon),
        None => texts::NO_AREA.get(lang).to_owned(),
    }
}

fn version_view(
    lang: Lang,
    zone: balai_domain::calendar::IndonesianTimeZone,
    units: &[(i64, i64, String)],
    rules: &ComplaintRules,
) -> VersionView {
    let d = &rules.deadlines;
    VersionView {
        version: rules.version,
        at: when(zone, Some(rules.created_at)),
        note: rules.note.clone(),
        deadlines: format!(
            "{} / {} / {} / {} / {} / {}",
            d.verify_days, d.information_days, d.ordinary_days, d.supervisory_days, d.response_days, d.reopen_days
        ),
        desk: units.iter().find(|(u, _, _)| *u == rules.desk_unit_id).map(|(_, _, n)| n.clone()).unwrap_or_default(),
        area: area_text(lang, rules.area),
    }
}

/// The form's values from the rules in force (or DOMAIN.md's defaults when there are none).
fn values_of(current: Option<&ComplaintRules>) -> HashMap<String, String> {
    let mut values = HashMap::new();
    let d = current.map(|r| r.deadlines).unwrap_or(DeadlineRules::DEFAULT);
    for (field, days) in [
        ("verify_days", d.verify_days),
        ("information_days", d.information_days),
        ("ordinary_days", d.ordinary_days),
        ("supervisory_days", d.supervisory_days),
        ("response_days", d.response_days),
        ("reopen_days", d.reopen_days),
    ] {
        values.insert(field.to_owned(), days.to_string());
    }
    if let Some(rules) = current {
        values.insert("desk_unit_id".into(), rules.desk_unit_id.to_string());
        values.insert("similar_radius_m".into(), rules.similar_radius_m.to_string());
        values.insert("similar_days".into(), rules.similar_days.to_string());
        if let Some(a) = rules.area {
            for (field, v) in
                [("min_lat", a.min_lat), ("max_lat", a.max_lat), ("min_lon", a.min_lon), ("max_lon", a.max_lon)]
            {
                values.insert(field.to_owned(), format!("{v}"));
            }
        }
    } else {
        values.insert("similar_radius_m".into(), "200".into());
        values.insert("similar_days".into(), "30".into());
    }
    values
}

#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    region: Option<&str>,
    posted: Option<HashMap<String, String>>,
    errors: Vec<(String, String)>,
    published: Option<i64>,
) -> Response {
    let w = W(lang);
    let governments = match managed(state, admin).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let Some(government) = chosen(&governments, admin, region) else {
        return error_page(lang, uri, AppError::Forbidden);
    };
    let loaded = async {
        let history = rules::history(&state.db, government.id).await?;
        let units = org::units_of_government(&state.db, government.id).await?;
        Ok::<_, StoreError>((history, units))
    }
    .await;
    let (history, units) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let zone = government.zone();
    let current = history.first();
    let values = posted.unwrap_or_else(|| values_of(current));
    let value = |field: &str| values.get(field).cloned().unwrap_or_default();
    let error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let input = |id: &'static str, label: crate::texts::Text| Input {
        id,
        label: label.get(lang),
        value: value(id),
        error: error(id),
    };
    let chosen_desk = value("desk_unit_id");
    let mut chrome = Chrome::new(lang, w.t("RULES_HEADING"), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = RulesPage {
        chrome,
        w,
        csrf: admin.csrf_token.clone(),
        region: government.region_code.clone(),
        governments: governments
            .iter()
            .map(|g| Choice { value: g.region_code.clone(), label: g.name.clone(), selected: g.id == government.id })
            .collect(),
        current: current.map(|r| version_view(lang, zone, &units, r)),
        current_heading: current
            .map(|r| texts::CURRENT.fill(lang, &[("version", &r.version.to_string())]))
            .unwrap_or_default(),
        versions: history.iter().map(|r| version_view(lang, zone, &units, r)).collect(),
        deadlines: DEADLINE_FIELDS.iter().map(|(id, label)| input(id, *label)).collect(),
        area: AREA_FIELDS.iter().map(|(id, label)| input(id, *label)).collect(),
        area_error: error("area"),
        desk_units: units
            .iter()
            .map(|(u, _, name)| Choice {
                value: u.to_string(),
                label: name.clone(),
                selected: chosen_desk == u.to_string(),
            })
            .collect(),
        desk_error: error("desk_unit_id"),
        numbers: vec![input("similar_radius_m", texts::SIMILAR_RADIUS), input("similar_days", texts::SIMILAR_DAYS)],
        note: input("note", texts::NOTE),
        errors: errors.clone(),
        published: published.map(|v| texts::PUBLISHED_NOTICE.fill(lang, &[("version", &v.to_string())])),
    };
    no_store(render(&page))
}

async fn page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<RulesQuery>,
) -> Response {
    render_page(&state, lang, &uri, &admin, q.wilayah.as_deref(), None, Vec::new(), q.terbit).await
}

/// The posted form as pairs (the CSRF token among them).
type PostedPairs = Vec<(String, String)>;

/// Reads the posted form into an edit, every problem named by its field.
fn parse_edit<'a>(lang: Lang, values: &'a HashMap<String, String>) -> Result<RulesEdit<'a>, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let get = |field: &str| values.get(field).map(|v| v.trim()).unwrap_or_default();
    let number = |field: &str, errors: &mut Vec<(String, String)>| -> u32 {
        match get(field).parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push((field.to_owned(), texts::NUMBER_EXPECTED.get(lang).to_owned()));
                0
            }
        }
    };
    let deadlines = DeadlineRules {
        verify_days: number("verify_days", &mut errors),
        information_days: number("information_days", &mut errors),
        ordinary_days: number("ordinary_days", &mut errors),
        supervisory_days: number("supervisory_days", &mut errors),
        response_days: number("response_days", &mut errors),
        reopen_days: number("reopen_days", &mut errors),
    };
    let similar_radius_m = number("similar_radius_m", &mut errors);
    let similar_days = number("similar_days", &mut errors);
    let desk_unit_id = match get("desk_unit_id").parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            errors.push(("desk_unit_id".into(), balai_domain::validation::Rule::Required.message(lang)));
            0
        }
    };
    let corners: Vec<&str> = AREA_FIELDS.iter().map(|(f, _)| get(f)).collect();
    let area = if corners.iter().all(|c| c.is_empty()) {
        None
    } else {
        let parsed: Vec<Option<f64>> = corners.iter().map(|c| c.replace(',', ".").parse::<f64>().ok()).collect();
        match parsed[..] {
            [Some(min_lat), Some(max_lat), Some(min_lon), Some(max_lon)] => {
                Some(GeoBox { min_lat, min_lon, max_lat, max_lon })
            }
            _ => {
                errors.push(("area".into(), texts::AREA_INCOMPLETE.get(lang).to_owned()));
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RulesEdit { deadlines, desk_unit_id, area, similar_radius_m, similar_days, note: get("note") })
}

async fn publish(State(state): State<AppState>, post: OfficerPost<PostedPairs>) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let values: HashMap<String, String> = form.into_iter().filter(|(k, _)| k != "csrf").collect();
    let region = values.get("wilayah").cloned().unwrap_or_default();
    let governments = match managed(&state, &admin).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    // A government this officer may not manage is refused as such, not as an unknown field.
    let Some(government) = chosen(&governments, &admin, Some(&region)) else {
        return error_page(lang, &uri, AppError::Forbidden);
    };
    let errors = match parse_edit(lang, &values) {
        Err(errors) => errors,
        Ok(edit) => {
            let now = state.config.clock.now();
            match rules::publish_as_officer(&state.db, admin.admin_id, government.id, &edit, now).await {
                Ok(published) => {
                    let lang_amp = if lang == Lang::En { "&lang=en" } else { "" };
                    let to = format!(
                        "{PATH}?wilayah={}&terbit={}{lang_amp}",
                        crate::pages::urlencode(&government.region_code),
                        published.version
                    );
                    return Redirect::to(&to).into_response();
                }
                Err(StoreError::Invalid(errors)) => {
                    errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect()
                }
                Err(e) => return error_page(lang, &uri, e.into()),
            }
        }
    };
    let region = government.region_code.clone();
    let page = render_page(&state, lang, &uri, &admin, Some(&region), Some(values.clone()), errors, None).await;
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}
