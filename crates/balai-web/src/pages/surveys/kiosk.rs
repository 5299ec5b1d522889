//! `/admin/skm/kios`: the questionnaire on a device at a unit's counter, opened by a signed-in
//! officer (`RecordSurvey` at the unit). Each render carries a fresh idempotency key, so a double
//! tap records once; after a response the form comes back empty for the next respondent.

use super::{Questionnaire, S, posted, questionnaire, response_fields, summary, texts};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, FieldErrors, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use balai_domain::Lang;
use balai_domain::identity::{Action, Target};
use balai_domain::org::Place;
use balai_domain::validation::{FieldErrors as Errors, Rule};
use balai_store::org::{self, Unit};
use balai_store::surveys::{self, ServiceName};
use serde::Deserialize;

#[derive(askama::Template)]
#[template(path = "surveys/kiosk.html")]
struct KioskPage {
    chrome: Chrome,
    s: S,
    csrf: String,
    idempotency_key: String,
    recorded: bool,
    /// (code, name, selected)
    units: Vec<(String, String, bool)>,
    unit_error: Option<String>,
    /// (code, name, selected)
    services: Vec<(String, String, bool)>,
    service_error: Option<String>,
    error_summary: &'static str,
    errors: Vec<(&'static str, String)>,
    q: Questionnaire,
}

impl FieldErrors for KioskPage {
    fn field_errors(&self) -> &[(&'static str, String)] {
        &self.errors
    }
}

/// Where the officer may open a kiosk: the units of their agency they may record at, and its services.
struct Counter {
    government_id: i64,
    agency_id: i64,
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
    let services = surveys::agency_services(&state.db, agency_id).await?;
    Ok(Counter { government_id, agency_id, units, services })
}

fn new_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[allow(clippy::too_many_arguments)]
fn page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    counter: &Counter,
    form: &[(String, String)],
    errors: &Errors,
    key: String,
    recorded: bool,
) -> KioskPage {
    let mut chrome = Chrome::new(lang, texts::KIOSK_HEADING.get(lang), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let unit = posted(form, "unit").unwrap_or_default();
    let service = posted(form, "service").unwrap_or_default();
    let message = |field: &str| errors.for_field(field).map(|rule| rule.message(lang));
    KioskPage {
        chrome,
        s: S(lang),
        csrf: admin.csrf_token.clone(),
        idempotency_key: key,
        recorded,
        units: counter.units.iter().map(|u| (u.code.clone(), u.name.clone(), u.code == unit)).collect(),
        unit_error: message("unit"),
        services: counter
            .services
            .iter()
            .map(|s| (s.code.clone(), lang.pick(&s.name, &s.name_en).to_owned(), s.code == service))
            .collect(),
        service_error: message("service"),
        error_summary: texts::PLEASE_CHECK.get(lang),
        errors: summary(lang, errors),
        q: questionnaire(lang, form, errors),
    }
}

#[derive(Deserialize)]
pub(super) struct KioskQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    tercatat: Option<String>,
}

fn refused(lang: Lang, uri: &Uri, error: AppError) -> Response {
    if matches!(error, AppError::Forbidden) {
        let page = super::link::MessagePage {
            chrome: Chrome::new(lang, texts::KIOSK_HEADING.get(lang), uri),
            body: texts::KIOSK_NO_PLACE.get(lang).to_owned(),
            done: false,
            link: None,
        };
        return (StatusCode::FORBIDDEN, no_store(render(&page))).into_response();
    }
    error_page(lang, uri, error)
}

pub(super) async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<KioskQuery>,
) -> Response {
    let counter = match counter(&state, &admin).await {
        Ok(counter) => counter,
        Err(e) => return refused(lang, &uri, e),
    };
    // The unit and service stay chosen from one respondent to the next.
    let kept: Vec<(String, String)> = vec![
        ("unit".into(), q.unit.chars().take(64).collect()),
        ("service".into(), q.service.chars().take(64).collect()),
    ];
    let recorded = q.tercatat.is_some();
    no_store(render(&page(lang, &uri, &admin, &counter, &kept, &Errors::default(), new_key(), recorded)))
}

pub(super) async fn record(
    State(state): State<AppState>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<Vec<(String, String)>>,
) -> Response {
    let counter = match counter(&state, &admin).await {
        Ok(counter) => counter,
        Err(e) => return refused(lang, &uri, e),
    };
    let mut errors = Errors::default();
    let unit_code = posted(&form, "unit").unwrap_or_default().trim();
    let unit = counter.units.iter().find(|u| u.code == unit_code);
    if unit.is_none() {
        errors.push("unit", if unit_code.is_empty() { Rule::Required } else { Rule::Unknown });
    }
    let service_code = posted(&form, "service").unwrap_or_default().trim();
    let service = counter.services.iter().find(|s| s.code == service_code);
    if !service_code.is_empty() && service.is_none() {
        errors.push("service", Rule::Unknown);
    }
    let key = posted(&form, "idempotency_key").unwrap_or_default().chars().take(200).collect::<String>();
    let response = match response_fields(&form).validate() {
        Ok(response) => Some(response),
        Err(found) => {
            errors.0.extend(found.0);
            None
        }
    };
    let (Some(unit), Some(response), true) = (unit, response, errors.is_empty()) else {
        let key = if key.is_empty() { new_key() } else { key };
        let page = page(lang, &uri, &admin, &counter, &form, &errors, key, false);
        return (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response();
    };
    let place = Place::unit(counter.government_id, counter.agency_id, unit.id);
    let now = state.config.clock.now();
    match surveys::respond_at_kiosk_as_officer(
        &state.db,
        admin.admin_id,
        place,
        service.map(|s| s.id),
        &response,
        &key,
        now,
    )
    .await
    {
        Ok(_) => {
            let lang_amp = if lang == Lang::En { "&lang=en" } else { "" };
            let service = service.map(|s| s.code.as_str()).unwrap_or_default();
            let next = format!(
                "/admin/skm/kios?unit={}&service={}&tercatat=1{lang_amp}",
                crate::pages::urlencode(&unit.code),
                crate::pages::urlencode(service)
            );
            Redirect::to(&next).into_response()
        }
        Err(balai_store::StoreError::Invalid(found)) => {
            let key = new_key();
            let page = page(lang, &uri, &admin, &counter, &form, &found, key, false);
            (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response()
        }
        Err(e) => refused(lang, &uri, e.into()),
    }
}
