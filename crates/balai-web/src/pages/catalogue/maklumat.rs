//! An agency's maklumat pelayanan (service declaration).

use super::texts;
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::identity::{Action, Target};
use balai_store::StoreError;
use balai_store::catalogue;
use balai_store::org;
use serde::Deserialize;
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/instansi/{id}/maklumat", get(maklumat_form).post(update_maklumat))
}

// ---- maklumat -------------------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "admin_maklumat.html")]
struct MaklumatPage {
    chrome: Chrome,
    heading: String,
    agency_id: i64,
    csrf: String,
    field_label: &'static str,
    error: Option<String>,
    text: String,
    submit_label: &'static str,
}

async fn managed_agency(state: &AppState, admin: &Admin, id: &str) -> Result<org::Agency, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let agency = org::agency(&state.db, id).await?;
    if !admin.may(Action::ManageCatalogue, &Target::agency(agency.government_id, agency.id)) {
        return Err(AppError::Forbidden);
    }
    Ok(agency)
}

fn maklumat_page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    agency: &org::Agency,
    text: String,
    error: Option<String>,
) -> Response {
    let heading = format!("{}: {}", texts::MAKLUMAT_HEADING.get(lang), agency.name);
    let mut chrome = Chrome::new(lang, heading.clone(), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    no_store(
        (
            status,
            render(&MaklumatPage {
                chrome,
                heading,
                agency_id: agency.id,
                csrf: admin.csrf_token.clone(),
                field_label: texts::MAKLUMAT_FIELD.get(lang),
                error,
                text,
                submit_label: texts::MAKLUMAT_SUBMIT.get(lang),
            }),
        )
            .into_response(),
    )
}

async fn maklumat_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    match managed_agency(&state, &admin, &id).await {
        Ok(agency) => maklumat_page(lang, &uri, &admin, &agency, agency.maklumat.clone(), None),
        Err(e) => error_page(lang, &uri, e),
    }
}

#[derive(Deserialize)]
struct MaklumatForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    maklumat: String,
}

crate::posted::csrf_form!(MaklumatForm);

async fn update_maklumat(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<MaklumatForm>,
) -> Response {
    let agency = match managed_agency(&state, &admin, &id).await {
        Ok(a) => a,
        Err(e) => return error_page(lang, &uri, e),
    };
    let saved = catalogue::update_maklumat_as_officer(&state.db, admin.admin_id, agency.id, &form.maklumat).await;
    match saved {
        Ok(()) => {
            tracing::info!(admin_id = admin.admin_id, agency_id = agency.id, "maklumat updated");
            Redirect::to(&format!("/instansi/{}", agency.id)).into_response()
        }
        Err(StoreError::Invalid(errors)) => {
            let message = errors.for_field("maklumat").map(|r| r.message(lang));
            maklumat_page(lang, &uri, &admin, &agency, form.maklumat, message)
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
