//! Officer administration: a government admin lists the government's officers, creates one with a
//! role and an agency, and resets a password (which also ends the officer's sessions and second factor).

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
    let mut agency_options = vec![(String::new(), lang.pick("— tanpa perangkat daerah —", "— no agency —").to_owned())];
    agency_options.extend(agencies.iter().map(|a| (a.id.to_string(), a.name.clone())));
    let role_options = Role::STAFF.iter().map(|r| (r.code().to_owned(), r.label(lang).to_owned())).collect();
    let fields = vec![
        field("username", lang.pick("Nama pengguna", "Username"), "text", &form.username, Vec::new()),
        field("display_name", lang.pick("Nama lengkap", "Full name"), "text", &form.display_name, Vec::new()),
        field("role", lang.pick("Peran", "Role"), "select", &form.role, role_options),
        field("agency", lang.pick("Perangkat daerah", "Agency"), "select", &form.agency, agency_options),
        field(
            "password",
            lang.pick("Kata sandi awal (paling sedikit 12 karakter)", "Initial password (at least 12 characters)"),
            "password",
            "",
            Vec::new(),
        ),
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
    let mut chrome = Chrome::new(lang, format!("{} — {}", lang.pick("Petugas", "Officers"), government.name), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = OfficersPage {
        chrome,
        region: government.region_code.clone(),
        csrf: admin.csrf_token.clone(),
        notice,
        error_summary: lang.pick("Periksa isian berikut", "Please check the following"),
        errors: errors.0.iter().map(|e| (e.field.clone(), field_message(lang, &e.field, &e.rule))).collect(),
        officers: rows,
        username_label: lang.pick("Nama pengguna", "Username"),
        role_label: lang.pick("Peran", "Role"),
        reset_label: lang.pick("Atur ulang kata sandi", "Reset password"),
        new_password_label: lang.pick("Kata sandi baru", "New password"),
        locked_label: lang.pick("Terkunci sementara", "Locked for now"),
        new_heading: lang.pick("Petugas baru", "New officer"),
        fields,
        create_label: lang.pick("Buat akun petugas", "Create officer account"),
    };
    // Usernames, roles and lock states of staff: not for browser or proxy caches.
    no_store((status, render(&page)).into_response())
}

fn field_message(lang: Lang, field: &str, rule: &Rule) -> String {
    match (field, rule) {
        ("username", Rule::Format { .. }) => lang
            .pick(
                "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik, garis bawah dan tanda hubung, diawali huruf atau angka (huruf besar dijadikan kecil).",
                "A username may hold only the letters a–z, digits 0–9, full stops, underscores and hyphens, starting with a letter or digit (capitals become lower case).",
            )
            .into(),
        ("username", Rule::Duplicate) => lang
            .pick(
                "Nama pengguna ini sudah dipakai (huruf besar dan kecil dianggap sama).",
                "This username is taken (capital and small letters count as the same).",
            )
            .into(),
        ("password", Rule::TooShort { min }) => match lang {
            Lang::Id => format!("Kata sandi paling sedikit {min} karakter."),
            Lang::En => format!("The password needs at least {min} characters."),
        },
        ("agency_id" | "agency", Rule::Required) => lang
            .pick(
                "Peran ini bekerja di satu perangkat daerah: pilih perangkat daerahnya.",
                "This role works in one agency: choose it.",
            )
            .into(),
        ("agency_id" | "agency", Rule::Unknown) => lang
            .pick(
                "Peran ini tidak terikat pada perangkat daerah; kosongkan pilihan.",
                "This role belongs to no agency; leave it empty.",
            )
            .into(),
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
    let notice = match lang {
        Lang::Id => format!(
            "Kata sandi {} diatur ulang; semua sesinya berakhir dan faktor keduanya perlu didaftarkan lagi.",
            officer.username
        ),
        Lang::En => format!(
            "{}'s password was reset; all their sessions ended and their second factor must be enrolled again.",
            officer.username
        ),
    };
    page(&state, lang, &uri, &admin, &government, NewOfficerForm::default(), FieldErrors::default(), Some(notice)).await
}
