//! Notification texts, edited by an admin per message and language (the notify context's admin
//! page). A text is checked before it is saved; a refused text is shown again with each problem next
//! to its field, and nothing is stored.

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
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::identity::{Action, Target};
use balai_domain::notify::{MessageKind, TextProblem};
use balai_store::notify::templates::{self, MessageText};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/pesan", get(list))
        .route("/admin/pesan/{kind}/{lang}", post(save))
        .route("/admin/pesan/{kind}/{lang}/bawaan", post(reset))
}

/// Deployment-wide texts: only an admin of the whole deployment edits them.
fn may_edit(admin: &Admin) -> bool {
    admin.may(Action::ManageTemplates, &Target::default())
}

struct TextView {
    id: String,
    action: String,
    heading: String,
    edited: bool,
    subject: String,
    body: String,
    subject_error: Option<String>,
    body_error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "admin_templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    csrf: String,
    intro: String,
    notice: Option<&'static str>,
    error_summary: &'static str,
    has_errors: bool,
    subject_label: &'static str,
    body_label: &'static str,
    edited_label: &'static str,
    shipped_label: &'static str,
    save_label: &'static str,
    reset_label: &'static str,
    texts: Vec<TextView>,
}

fn lang_name(ui: Lang, of: Lang) -> &'static str {
    match of {
        Lang::Id => super::texts::INDONESIAN.get(ui),
        Lang::En => super::texts::ENGLISH.get(ui),
    }
}

/// The page, with one text replaced by what the admin submitted and its problems.
fn page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    texts: Vec<MessageText>,
    submitted: Option<(MessageKind, Lang, String, String, Vec<TextProblem>)>,
    notice: Option<&'static str>,
) -> Response {
    let mut has_errors = false;
    let views = texts
        .into_iter()
        .map(|t| {
            let id = format!("{}-{}", t.kind.code(), t.lang.code());
            let mut view = TextView {
                action: format!("/admin/pesan/{}/{}", t.kind.code(), t.lang.code()),
                heading: format!("{} — {}", t.kind.label(lang), lang_name(lang, t.lang)),
                edited: t.edited_at.is_some(),
                subject: t.subject,
                body: t.body,
                subject_error: None,
                body_error: None,
                id,
            };
            if let Some((kind, text_lang, subject, body, problems)) = &submitted
                && *kind == t.kind
                && *text_lang == t.lang
            {
                view.subject = subject.clone();
                view.body = body.clone();
                let message = |field: &str| {
                    let found: Vec<String> =
                        problems.iter().filter(|p| p.field == field).map(|p| p.message(lang, *kind)).collect();
                    (!found.is_empty()).then(|| found.join(" "))
                };
                view.subject_error = message("subject");
                view.body_error = message("body");
                has_errors = !problems.is_empty();
            }
            view
        })
        .collect();
    let values = MessageKind::SignInCode
        .variables()
        .iter()
        .map(|(name, _)| format!("{{{{ {name} }}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut chrome = Chrome::new(lang, super::texts::TEMPLATES_HEADING.get(lang), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = TemplatesPage {
        chrome,
        csrf: admin.csrf_token.clone(),
        intro: super::texts::TEMPLATES_INTRO.fill(lang, &[("values", &values)]),
        notice,
        error_summary: super::texts::TEMPLATES_NOT_SAVED.get(lang),
        has_errors,
        subject_label: super::texts::SUBJECT.get(lang),
        body_label: super::texts::BODY.get(lang),
        edited_label: super::texts::EDITED.get(lang),
        shipped_label: super::texts::SHIPPED.get(lang),
        save_label: super::texts::SAVE.get(lang),
        reset_label: super::texts::RESET.get(lang),
        texts: views,
    };
    let status = if has_errors { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    no_store((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
struct SavedParam {
    disimpan: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    axum::extract::Query(saved): axum::extract::Query<SavedParam>,
) -> Response {
    if !may_edit(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let notice = saved.disimpan.is_some().then(|| super::texts::SAVED.get(lang));
    match templates::texts(&state.db).await {
        Ok(texts) => page(lang, &uri, &admin, texts, None, notice),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct TextForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

/// The text a POST changes, once its form is genuine and its sender may edit texts.
fn editable(admin: &Admin, kind: &str, text_lang: &str) -> Result<(MessageKind, Lang), AppError> {
    if !may_edit(admin) {
        return Err(AppError::Forbidden);
    }
    let kind = MessageKind::parse(kind).ok_or(AppError::NotFound)?;
    let text_lang = Lang::ALL.into_iter().find(|l| l.code() == text_lang).ok_or(AppError::NotFound)?;
    Ok((kind, text_lang))
}

fn back_to_list(lang: Lang) -> Response {
    let suffix = if lang == Lang::En { "&lang=en" } else { "" };
    Redirect::to(&format!("/admin/pesan?disimpan=1{suffix}")).into_response()
}

crate::posted::csrf_form!(TextForm, CsrfForm);

async fn save(
    State(state): State<AppState>,
    Path((kind, text_lang)): Path<(String, String)>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<TextForm>,
) -> Response {
    let (kind, text_lang) = match editable(&admin, &kind, &text_lang) {
        Ok(t) => t,
        Err(e) => return error_page(lang, &uri, e),
    };
    // Checked before the transaction: rendering a text is CPU the admin chooses, and must not run
    // while the write lock is held.
    let saved = match templates::check_text(kind, text_lang, &form.subject, &form.body) {
        Err(problems) => Ok(Err(problems)),
        Ok(checked) => templates::save_text_as_officer(&state.db, admin.admin_id, &checked).await.map(Ok),
    };
    match saved {
        Ok(Ok(())) => {
            tracing::info!(template = kind.code(), lang = text_lang.code(), "message text saved");
            back_to_list(lang)
        }
        Ok(Err(problems)) => match templates::texts(&state.db).await {
            Ok(texts) => {
                page(lang, &uri, &admin, texts, Some((kind, text_lang, form.subject, form.body, problems)), None)
            }
            Err(e) => error_page(lang, &uri, e.into()),
        },
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn reset(
    State(state): State<AppState>,
    Path((kind, text_lang)): Path<(String, String)>,
    OfficerPost { admin, lang, uri, form: _ }: OfficerPost<CsrfForm>,
) -> Response {
    let (kind, text_lang) = match editable(&admin, &kind, &text_lang) {
        Ok(t) => t,
        Err(e) => return error_page(lang, &uri, e),
    };
    match templates::reset_text_as_officer(&state.db, admin.admin_id, kind, text_lang).await {
        Ok(_) => back_to_list(lang),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
