//! A citizen changes their phone or e-mail address: a code to the new contact and, for a basic session,
//! one to the contact on record, entered together on the device that asked. Everyone concerned is told.

use super::texts;
use crate::AppState;
use crate::auth::{self, Citizen};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, FieldErrors, error_page, no_store, render};
use crate::posted::CitizenPost;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::contact::{self, Channel};
use balai_domain::identity::Action;
use balai_store::identity::contacts::{self, ChangeCheck, ChangeRefused};
use chrono::Utc;
use serde::Deserialize;

/// The browser's handle on a contact change in progress.
const CHANGE_COOKIE: &str = "balai_contact_change";

pub fn routes() -> Router<AppState> {
    Router::new().route("/akun/kontak", get(form).post(start)).route("/akun/kontak/kode", get(code_form).post(confirm))
}

#[derive(askama::Template)]
#[template(path = "citizen_contact.html")]
struct ContactPage {
    chrome: Chrome,
    intro: &'static str,
    error_summary: &'static str,
    errors: Vec<(&'static str, String)>,
    csrf: String,
    channel_label: &'static str,
    channels: Vec<(&'static str, &'static str)>,
    channel: String,
    to_label: &'static str,
    to: String,
    submit_label: &'static str,
    back_label: &'static str,
}

impl ContactPage {
    fn is_channel(&self, code: &str) -> bool {
        self.channel == code
    }
}

impl FieldErrors for ContactPage {
    fn field_errors(&self) -> &[(&'static str, String)] {
        &self.errors
    }
}

#[derive(Deserialize, Default)]
struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    to: String,
}

fn contact_page(
    lang: Lang,
    uri: &Uri,
    citizen: &Citizen,
    form: ContactForm,
    errors: Vec<(&'static str, String)>,
) -> ContactPage {
    ContactPage {
        chrome: Chrome::new(lang, texts::CHANGE_A_CONTACT.get(lang), uri),
        intro: texts::WE_SEND_A_CODE_TO.get(lang),
        error_summary: texts::PLEASE_CHECK_THE_FOLLOWING.get(lang),
        errors,
        csrf: citizen.csrf_token.clone(),
        channel_label: texts::CONTACT_TO_CHANGE.get(lang),
        channels: [Channel::Sms, Channel::Email].iter().map(|c| (c.code(), c.label(lang))).collect(),
        channel: if form.channel.is_empty() { "sms".to_owned() } else { form.channel },
        to_label: texts::NEW_MOBILE_NUMBER_OR_E.get(lang),
        to: form.to,
        submit_label: texts::SEND_CODES.get(lang),
        back_label: texts::BACK_TO_MY_RECORD.get(lang),
    }
}

async fn form(RequestLang(lang): RequestLang, uri: Uri, citizen: Citizen) -> Response {
    if !citizen.may(Action::ChangeOwnContact) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    no_store(render(&contact_page(lang, &uri, &citizen, ContactForm::default(), Vec::new())))
}

crate::posted::csrf_form!(ContactForm, CodeForm);

async fn start(
    State(state): State<AppState>,
    CitizenPost { citizen, lang, uri, form }: CitizenPost<ContactForm>,
) -> Response {
    let channel = if form.channel == "email" { Channel::Email } else { Channel::Sms };
    let recipient = match contact::normalize_recipient(channel, &form.to) {
        Ok(r) => r,
        Err(e) => {
            let errors = vec![("to", e.message(lang).to_owned())];
            let page = contact_page(lang, &uri, &citizen, form, errors);
            return no_store((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let started = contacts::start_own_change(
        &state.db,
        &state.vault,
        citizen.citizen_id,
        citizen.assurance,
        channel,
        &recipient,
        lang,
        Utc::now(),
    )
    .await;
    let refusal = match started {
        Ok(Ok(started)) => {
            tracing::info!(
                channel = channel.code(),
                confirm_old = started.old_contact.is_some(),
                "contact change started"
            );
            let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
            let mut response = Redirect::to(&format!("/akun/kontak/kode{lang_q}")).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    CHANGE_COOKIE,
                    &started.pending_token,
                    contacts::CHANGE_MINUTES * 60,
                    state.config.secure_cookies,
                ),
            );
            return response;
        }
        Ok(Err(refused)) => refused,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let (status, message) = match refusal {
        ChangeRefused::Unchanged => {
            (StatusCode::UNPROCESSABLE_ENTITY, texts::THIS_CONTACT_IS_ALREADY_ON.get(lang).to_owned())
        }
        ChangeRefused::NoContactToConfirm => {
            (StatusCode::UNPROCESSABLE_ENTITY, texts::NO_CONTACT_ON_RECORD_CAN.get(lang).to_owned())
        }
        ChangeRefused::Throttled { retry_after_seconds } => (
            StatusCode::TOO_MANY_REQUESTS,
            texts::CONTACT_CHANGES_WERE_STARTED_WITHIN.fill(
                lang,
                &[
                    ("max", &contacts::MAX_CHANGES.to_string()),
                    ("window", &contacts::CHANGE_WINDOW_MINUTES.to_string()),
                    ("minutes", &((retry_after_seconds + 59) / 60).to_string()),
                ],
            ),
        ),
    };
    let page = contact_page(lang, &uri, &citizen, form, vec![("to", message)]);
    no_store((status, render(&page)).into_response())
}

#[derive(askama::Template)]
#[template(path = "citizen_contact_code.html")]
struct CodePage {
    chrome: Chrome,
    sent_to: String,
    error: Option<String>,
    csrf: String,
    new_code_label: String,
    old_code_label: Option<String>,
    submit_label: &'static str,
    restart_label: &'static str,
    demo_inbox_label: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_code: String,
    old_code: Option<String>,
}

async fn code_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    headers: &HeaderMap,
    citizen: &Citizen,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let pending = match auth::cookie_value(headers, CHANGE_COOKIE) {
        Some(token) => {
            match contacts::open_change(&state.db, &state.vault, citizen.citizen_id, token, Utc::now()).await {
                Ok(p) => p,
                Err(e) => return error_page(lang, uri, e.into()),
            }
        }
        None => None,
    };
    let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
    let Some(pending) = pending else {
        return Redirect::to(&format!("/akun/kontak{lang_q}")).into_response();
    };
    let sent_to = match (lang, &pending.old_contact) {
        (Lang::Id, Some(old)) => format!(
            "Kode dikirim ke kontak baru {} dan ke kontak yang tercatat {}. Masukkan keduanya; sisa percobaan {}.",
            pending.new_contact, old, pending.attempts_left
        ),
        (Lang::En, Some(old)) => format!(
            "Codes were sent to the new contact {} and to the contact on record {}. Enter both; {} attempt(s) left.",
            pending.new_contact, old, pending.attempts_left
        ),
        (Lang::Id, None) => {
            format!("Kode dikirim ke kontak baru {}. Sisa percobaan {}.", pending.new_contact, pending.attempts_left)
        }
        (Lang::En, None) => {
            format!(
                "A code was sent to the new contact {}. {} attempt(s) left.",
                pending.new_contact, pending.attempts_left
            )
        }
    };
    let page = CodePage {
        chrome: Chrome::new(lang, texts::ENTER_THE_CODES.get(lang), uri),
        sent_to,
        error,
        csrf: citizen.csrf_token.clone(),
        new_code_label: texts::CODE_SENT_TO.fill(lang, &[("contact", &pending.new_contact)]),
        old_code_label: pending.old_contact.as_ref().map(|old| texts::CODE_SENT_TO.fill(lang, &[("contact", old)])),
        submit_label: texts::SAVE_THE_CONTACT.get(lang),
        restart_label: texts::START_AGAIN.get(lang),
        demo_inbox_label: state.config.demo_inbox.then(|| texts::DEMO_OPEN_INBOX_FOR_CODES.get(lang)),
    };
    no_store((status, render(&page)).into_response())
}

async fn code_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    citizen: Citizen,
) -> Response {
    code_page(&state, lang, &uri, &headers, &citizen, None, StatusCode::OK).await
}

async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    CitizenPost { citizen, lang, uri, form }: CitizenPost<CodeForm>,
) -> Response {
    let Some(token) = auth::cookie_value(&headers, CHANGE_COOKIE) else {
        return code_page(&state, lang, &uri, &headers, &citizen, None, StatusCode::OK).await;
    };
    let checked = contacts::confirm_own_change(
        &state.db,
        &state.vault,
        citizen.citizen_id,
        token,
        &form.new_code,
        form.old_code.as_deref(),
        lang,
        Utc::now(),
    )
    .await;
    let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
    match checked {
        Ok(ChangeCheck::Changed { assurance }) => {
            tracing::info!(assurance = assurance.code(), "contact changed by its citizen");
            let mut response = Redirect::to(&format!("/akun{lang_q}")).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, auth::set_cookie(CHANGE_COOKIE, "", 0, state.config.secure_cookies));
            response
        }
        Ok(ChangeCheck::Wrong { attempts_left }) if attempts_left > 0 => {
            let message = texts::WRONG_CODE_ATTEMPTS_LEFT.fill(lang, &[("attempts_left", &attempts_left.to_string())]);
            code_page(&state, lang, &uri, &headers, &citizen, Some(message), StatusCode::UNAUTHORIZED).await
        }
        Ok(_) => {
            // Dead or expired: start again.
            Redirect::to(&format!("/akun/kontak{lang_q}")).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
