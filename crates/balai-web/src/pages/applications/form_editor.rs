//! An administrator edits a service's application form: the fields as JSON (one object per field:
//! key, label, label_en, kind, required, prefill), checked field by field, published as a new
//! version of the standard with a change note, as every edit of a standard is.

use super::L;
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
use balai_domain::applications::FormField;
use balai_domain::identity::Action;
use balai_store::catalogue;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/layanan/{region}/{code}/formulir", get(show).post(save))
}

#[derive(askama::Template)]
#[template(path = "admin_form_editor.html")]
struct EditorPage {
    chrome: Chrome,
    l: L,
    service: String,
    action: String,
    csrf: String,
    version: i64,
    json: String,
    note: String,
    errors: Vec<(String, String)>,
    example: &'static str,
}

const EXAMPLE: &str = r#"[{"key": "nama_anak", "label": "Nama anak", "label_en": "Child's name", "kind": {"type": "text", "max_chars": 100}, "required": true, "prefill": null}]"#;

#[allow(clippy::too_many_arguments)]
fn editor(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    detail: &catalogue::ServiceDetail,
    json: String,
    note: String,
    errors: Vec<(String, String)>,
) -> EditorPage {
    let l = L(lang);
    let mut chrome = Chrome::new(lang, l.t("FORM_EDITOR_HEADING"), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    EditorPage {
        chrome,
        l,
        service: detail.standard.name.clone(),
        action: format!("/admin/layanan/{}/{}/formulir", detail.service.region_code, detail.service.code),
        csrf: admin.csrf_token.clone(),
        version: detail.service.current_version,
        json,
        note,
        errors,
        example: EXAMPLE,
    }
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path((region, code)): Path<(String, String)>,
) -> Response {
    let detail = match catalogue::service_by_code_fresh(&state.db, &region, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if !admin.may(
        Action::ManageCatalogue,
        &balai_domain::identity::Target::agency(detail.service.government_id, detail.service.agency_id),
    ) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let fields = match catalogue::form_fields(&state.db, detail.service.id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let json = serde_json::to_string_pretty(&fields).unwrap_or_else(|_| "[]".into());
    no_store(render(&editor(lang, &uri, &admin, &detail, json, String::new(), Vec::new())))
}

#[derive(Deserialize)]
struct EditorForm {
    // A post without its token meets the CSRF check (403), not the form parser.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    change_note: String,
    #[serde(default)]
    expected_version: String,
}
crate::posted::csrf_form!(EditorForm);

/// The longest form text accepted (forty fields with fifty options each fit well within it).
const MAX_FORM_JSON: usize = 256 * 1024;

async fn save(
    State(state): State<AppState>,
    Path((region, code)): Path<(String, String)>,
    post: OfficerPost<EditorForm>,
) -> Response {
    let OfficerPost { admin, lang, uri, form } = post;
    let detail = match catalogue::service_by_code_fresh(&state.db, &region, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let refuse = |errors: Vec<(String, String)>, status: StatusCode| {
        let page = editor(lang, &uri, &admin, &detail, form.fields.clone(), form.change_note.clone(), errors);
        (status, no_store(render(&page))).into_response()
    };
    if form.fields.len() > MAX_FORM_JSON {
        let message = balai_domain::validation::Rule::TooLong { max: MAX_FORM_JSON }.message(lang);
        return refuse(vec![("fields".into(), message)], StatusCode::UNPROCESSABLE_ENTITY);
    }
    let fields: Vec<FormField> = match serde_json::from_str(&form.fields) {
        Ok(f) => f,
        Err(e) => {
            let message = super::texts::FORM_JSON_ERROR.fill(lang, &[("line", &e.line().to_string())]);
            return refuse(vec![("fields".into(), message)], StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let Ok(expected) = form.expected_version.parse::<i64>() else {
        return error_page(
            lang,
            &uri,
            AppError::BadParameter { param: "expected_version", expected: crate::error::Expected::Positive },
        );
    };
    match catalogue::revise_form_as_officer(
        &state.db,
        admin.admin_id,
        detail.service.id,
        expected,
        &fields,
        &form.change_note,
    )
    .await
    {
        Ok(_) => {
            let query = if lang == Lang::En { "?lang=en" } else { "" };
            Redirect::to(&format!("/layanan/{region}/{code}{query}")).into_response()
        }
        Err(balai_store::StoreError::Invalid(errors)) => {
            let list = errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect();
            refuse(list, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e @ balai_store::StoreError::StaleVersion { .. }) => {
            let message = AppError::from(e).detail(lang);
            refuse(vec![("expected_version".into(), message)], StatusCode::CONFLICT)
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
