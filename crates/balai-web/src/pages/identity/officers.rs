//! Officer administration: a government admin lists the government's officers, creates one with a
//! role and an agency, and resets a password (which also ends the officer's sessions and second factor).

use super::texts;
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::FieldView;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::identity::{Action, Role, Target, Username};
use balai_domain::validation::{FieldErrors, Rule};
use balai_store::identity::{NewOfficer, officers};
use balai_store::{Paging, StoreError, org};
use chrono::Utc;
use serde::Deserialize;

pub const MIN_PASSWORD: usize = 12;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/petugas/{region}", get(list).post(create))
        .route("/admin/petugas/{region}/{id}/sandi", post(reset_password))
}

struct OfficerRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    agency: Option<String>,
    locked: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_officers.html")]
struct OfficersPage {
    chrome: Chrome,
    region: String,
    csrf: String,
    notice: Option<String>,
    error_summary: &'static str,
    errors: Vec<(String, String)>,
    officers: Vec<OfficerRow>,
    username_label: &'static str,
    role_label: &'static str,
    reset_label: &'static str,
    new_password_label: &'static str,
    locked_label: &'static str,
    new_heading: &'static str,
    fields: Vec<FieldView>,
    create_label: &'static str,
}

#[derive(Deserialize, Default, Clone)]
struct NewOfficerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    password: String,
}

async fn government_for(state: &AppState, admin: &Admin, region: &str) -> Result<org::Government, AppError> {
    let government = org::government_by_region(&state.db, region).await?;
    if !admin.may(Action::ManageOfficers, &Target::government(government.id)) {
        return Err(AppError::Forbidden);
    }
    Ok(government)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    government: &org::Government,
    form: NewOfficerForm,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let loaded: Result<_, StoreError> = async {
        let agencies =
            org::agencies(&state.db, Some(&government.region_code), Paging::new(1, Paging::MAX_PER_PAGE)).await?;
        let officers = officers::officers_of(&state.db, government.id).await?;
        let locked = officers::locked_officers(&state.db, government.id, Utc::now()).await?;
        Ok((agencies.items, officers, locked))
    }
    .await;
    let (agencies, officers, locked) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let message = |field: &str| errors.for_field(field).map(|rule| field_message(lang, field, rule));
    let field = |id: &str, label: &str, kind: &'static str, value: &str, options: Vec<(String, String)>| {
        let error = message(id);
        FieldView {
            id: id.to_owned(),
            label: label.to_owned(),
            kind,
            value: value.to_owned(),
            hint: None,
            described_by: if error.is_some() { format!("{id}-error") } else { String::new() },
            error,
            options,
        }
    };
    let mut agency_options = vec![(String::new(), texts::NO_AGENCY.get(lang).to_owned())];
    agency_options.extend(agencies.iter().map(|a| (a.id.to_string(), a.name.clone())));
    let role_options = Role::STAFF.iter().map(|r| (r.code().to_owned(), r.label(lang).to_owned())).collect();
    let fields = vec![
        field("username", texts::USERNAME.get(lang), "text", &form.username, Vec::new()),
        field("display_name", texts::FULL_NAME.get(lang), "text", &form.display_name, Vec::new()),
        field("role", texts::ROLE.get(lang), "select", &form.role, role_options),
        field("agency", texts::AGENCY.get(lang), "select", &form.agency, agency_options),
        field("password", texts::INITIAL_PASSWORD_AT_LEAST_12.get(lang), "password", "", Vec::new()),
    ];
    let rows = officers
        .iter()
        .map(|o| OfficerRow {
            id: o.id,
            username: o.username.clone(),
            display_name: o.display_name.clone(),
            role: o.role().label(lang),
            agency: o.agency_id.and_then(|id| agencies.iter().find(|a| a.id == id)).map(|a| a.name.clone()),
            locked: locked.contains(&o.id),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut chrome = Chrome::new(lang, format!("{} — {}", texts::OFFICERS.get(lang), government.name), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = OfficersPage {
        chrome,
        region: government.region_code.clone(),
        csrf: admin.csrf_token.clone(),
        notice,
        error_summary: texts::PLEASE_CHECK_THE_FOLLOWING.get(lang),
        errors: errors.0.iter().map(|e| (e.field.clone(), field_message(lang, &e.field, &e.rule))).collect(),
        officers: rows,
        username_label: texts::USERNAME.get(lang),
        role_label: texts::ROLE.get(lang),
        reset_label: texts::RESET_PASSWORD.get(lang),
        new_password_label: texts::NEW_PASSWORD.get(lang),
        locked_label: texts::LOCKED_FOR_NOW.get(lang),
        new_heading: texts::NEW_OFFICER.get(lang),
        fields,
        create_label: texts::CREATE_OFFICER_ACCOUNT.get(lang),
    };
    // Usernames, roles and lock states of staff: not for browser or proxy caches.
    no_store((status, render(&page)).into_response())
}

fn field_message(lang: Lang, field: &str, rule: &Rule) -> String {
    match (field, rule) {
        ("username", Rule::Format { .. }) => texts::A_USERNAME_MAY_HOLD_ONLY.get(lang).into(),
        ("username", Rule::Duplicate) => texts::THIS_USERNAME_IS_TAKEN_CAPITAL.get(lang).into(),
        ("password", Rule::TooShort { min }) => {
            texts::THE_PASSWORD_NEEDS_AT_LEAST.fill(lang, &[("min", &min.to_string())])
        }
        ("agency_id" | "agency", Rule::Required) => texts::THIS_ROLE_WORKS_IN_ONE.get(lang).into(),
        ("agency_id" | "agency", Rule::Unknown) => texts::THIS_ROLE_BELONGS_TO_NO.get(lang).into(),
        _ => rule.message(lang),
    }
}

async fn list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(region): Path<String>,
) -> Response {
    match government_for(&state, &admin, &region).await {
        Ok(g) => page(&state, lang, &uri, &admin, &g, NewOfficerForm::default(), FieldErrors::default(), None).await,
        Err(e) => error_page(lang, &uri, e),
    }
}

crate::posted::csrf_form!(NewOfficerForm, ResetForm);

async fn create(
    State(state): State<AppState>,
    Path(region): Path<String>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<NewOfficerForm>,
) -> Response {
    let government = match government_for(&state, &admin, &region).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let mut errors = FieldErrors::default();
    // The same rule the store applies, checked here too so every field's problem shows at once.
    let username = match Username::parse(&form.username) {
        Ok(username) => username.as_str().to_owned(),
        Err(rule) => {
            errors.push("username", rule);
            String::new()
        }
    };
    let display_name = errors.text("display_name", &form.display_name, 200);
    let role = Role::parse(&form.role).filter(|r| *r != Role::Citizen);
    if role.is_none() {
        errors.push("role", Rule::Unknown);
    }
    if form.password.chars().count() < MIN_PASSWORD {
        errors.push("password", Rule::TooShort { min: MIN_PASSWORD });
    }
    let agency_id = form.agency.parse::<i64>().ok();
    if !errors.is_empty() {
        return page(&state, lang, &uri, &admin, &government, form, errors, None).await;
    }
    let hash = balai_auth::hash_password(&form.password);
    let new = NewOfficer {
        government_id: Some(government.id),
        agency_id,
        unit_id: None,
        role: role.unwrap_or(Role::Auditor),
        username: &username,
        display_name: &display_name,
        password_hash: &hash,
    };
    let created = officers::create_officer_as_officer(&state.db, admin.admin_id, &new).await;
    match created {
        Ok(id) => {
            tracing::info!(admin_id = admin.admin_id, officer_id = id, "officer created");
            Redirect::to(&format!("/admin/petugas/{region}")).into_response()
        }
        Err(StoreError::Invalid(errors)) => {
            let errors = FieldErrors(
                errors
                    .0
                    .into_iter()
                    .map(|mut e| {
                        if e.field == "agency_id" || e.field == "unit_id" {
                            e.field = "agency".into();
                        }
                        e
                    })
                    .collect(),
            );
            page(&state, lang, &uri, &admin, &government, form, errors, None).await
        }
        Err(StoreError::Database(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            let mut errors = FieldErrors::default();
            errors.push("username", Rule::Duplicate);
            page(&state, lang, &uri, &admin, &government, form, errors, None).await
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    Path((region, id)): Path<(String, i64)>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<ResetForm>,
) -> Response {
    let government = match government_for(&state, &admin, &region).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let officer = match officers::officer(&state.db, id).await {
        Ok(Some(o)) if o.government_id == Some(government.id) => o,
        Ok(_) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if form.password.chars().count() < MIN_PASSWORD {
        let mut errors = FieldErrors::default();
        errors.push("password", Rule::TooShort { min: MIN_PASSWORD });
        return page(&state, lang, &uri, &admin, &government, NewOfficerForm::default(), errors, None).await;
    }
    let hash = balai_auth::hash_password(&form.password);
    let done = officers::reset_password_as_officer(&state.db, admin.admin_id, government.id, officer.id, &hash).await;
    if let Err(e) = done {
        return error_page(lang, &uri, e.into());
    }
    tracing::info!(admin_id = admin.admin_id, officer_id = officer.id, "officer password reset");
    let notice = texts::S_PASSWORD_WAS_RESET_ALL.fill(lang, &[("username", &officer.username.to_string())]);
    page(&state, lang, &uri, &admin, &government, NewOfficerForm::default(), FieldErrors::default(), Some(notice)).await
}
