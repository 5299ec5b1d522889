//! `/survei/{token}`: the questionnaire behind the one-time link of an invitation. No session: the
//! form carries the signed double-submit token sign-in forms use. A link used before answers 409
//! and one past its 30 days 410, each with a page that says so; the first response stays.

use super::{Questionnaire, S, questionnaire, response_fields, summary, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, FieldErrors, error_page, no_store, render};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use balai_domain::Lang;
use balai_store::surveys::{self, Invitation, LinkRefused};

#[derive(askama::Template)]
#[template(path = "surveys/link.html")]
struct LinkPage {
    chrome: Chrome,
    s: S,
    intro: String,
    token: String,
    csrf: String,
    error_summary: &'static str,
    errors: Vec<(&'static str, String)>,
    q: Questionnaire,
}

impl FieldErrors for LinkPage {
    fn field_errors(&self) -> &[(&'static str, String)] {
        &self.errors
    }
}

#[derive(askama::Template)]
#[template(path = "surveys/message.html")]
pub(super) struct MessagePage {
    pub(super) chrome: Chrome,
    pub(super) body: String,
    pub(super) done: bool,
    pub(super) link: Option<(String, String)>,
}

/// The page of a link that opens no questionnaire: why, with its status.
fn refused(lang: Lang, uri: &Uri, why: LinkRefused) -> Response {
    let (status, heading, body) = match why {
        LinkRefused::AlreadyAnswered => (StatusCode::CONFLICT, texts::USED_HEADING, texts::USED_BODY),
        LinkRefused::Expired => (StatusCode::GONE, texts::EXPIRED_HEADING, texts::EXPIRED_BODY),
        LinkRefused::NotFound => (StatusCode::NOT_FOUND, texts::UNKNOWN_HEADING, texts::UNKNOWN_BODY),
    };
    let page = MessagePage {
        chrome: Chrome::new(lang, heading.get(lang), uri),
        body: body.get(lang).to_owned(),
        done: false,
        link: Some((
            format!("/pengaduan{}", if lang == Lang::En { "?lang=en" } else { "" }),
            texts::TO_COMPLAINTS.get(lang).to_owned(),
        )),
    };
    (status, no_store(render(&page))).into_response()
}

fn intro(lang: Lang, invitation: &Invitation) -> String {
    let service = match lang {
        Lang::Id => invitation.service.clone(),
        Lang::En => invitation.service_en.clone(),
    }
    .unwrap_or_else(|| texts::SURVEY_GENERAL_SERVICE.get(lang).to_owned());
    texts::SURVEY_INTRO.fill(lang, &[("service", &service), ("unit", &invitation.unit), ("agency", &invitation.agency)])
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    token: &str,
    invitation: &Invitation,
    form: &[(String, String)],
    errors: &balai_domain::validation::FieldErrors,
    status: StatusCode,
) -> Response {
    let (csrf, cookie) = crate::auth::issue_login_csrf(state);
    let page = LinkPage {
        chrome: Chrome::new(lang, texts::SURVEY_HEADING.get(lang), uri),
        s: S(lang),
        intro: intro(lang, invitation),
        token: token.to_owned(),
        csrf,
        error_summary: texts::PLEASE_CHECK.get(lang),
        errors: summary(lang, errors),
        q: questionnaire(lang, form, errors),
    };
    let mut response = (status, no_store(render(&page))).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    response
}

/// Bounds the token before anything reads it (a token is 43 characters).
fn bounded(token: &str) -> String {
    token.chars().take(64).collect()
}

pub(super) async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(token): Path<String>,
) -> Response {
    let token = bounded(&token);
    match surveys::invitation(&state.db, &token, state.config.clock.now()).await {
        Ok(Ok(invitation)) => {
            form_page(&state, lang, &uri, &token, &invitation, &[], &Default::default(), StatusCode::OK)
        }
        Ok(Err(why)) => refused(lang, &uri, why),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

pub(super) async fn answer(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = form.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    if !crate::auth::login_csrf_ok(&state, &headers, csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let token = bounded(&token);
    let now = state.config.clock.now();
    let invitation = match surveys::invitation(&state.db, &token, now).await {
        Ok(Ok(invitation)) => invitation,
        Ok(Err(why)) => return refused(lang, &uri, why),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let response = match response_fields(&form).validate() {
        Ok(response) => response,
        Err(errors) => {
            return form_page(
                &state,
                lang,
                &uri,
                &token,
                &invitation,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match surveys::respond_by_invitation(&state.db, &token, &response, now).await {
        Ok(Ok(_)) => {
            let lang_amp = if lang == Lang::En { "&lang=en" } else { "" };
            let page = MessagePage {
                chrome: Chrome::new(lang, texts::THANKS_HEADING.get(lang), &uri),
                body: texts::THANKS_BODY.get(lang).to_owned(),
                done: true,
                link: Some((
                    format!("/skm/{}?pemda={}{lang_amp}", invitation.agency_code, invitation.region_code),
                    texts::SEE_RESULTS.fill(lang, &[("agency", &invitation.agency)]),
                )),
            };
            no_store(render(&page))
        }
        Ok(Err(why)) => refused(lang, &uri, why),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
