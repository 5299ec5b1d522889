//! The counter (loket): an officer who has checked a citizen's KTP-el in person binds the phone or
//! e-mail address the citizen gives, at the substantial level. It is how a person with no contact on
//! record, or who lost the old one, comes to sign in online; every old and new contact is told.

use super::texts;
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, FieldErrors, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::contact::{self, Channel};
use balai_domain::identity::{Action, Target};
use balai_domain::nik::Nik;
use balai_store::identity::citizens::{self, mask_digits};
use balai_store::identity::counter::{self, CounterRefused};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/loket", get(form).post(bind))
}

#[derive(askama::Template)]
#[template(path = "admin_counter.html")]
struct CounterPage {
    chrome: Chrome,
    intro: &'static str,
    done: Option<String>,
    error_summary: &'static str,
    errors: Vec<(&'static str, String)>,
    csrf: String,
    nik_hint: &'static str,
    nik: String,
    channel_label: &'static str,
    channels: Vec<(&'static str, &'static str)>,
    channel: String,
    to_label: &'static str,
    to: String,
    ktp_label: &'static str,
    submit_label: &'static str,
}

impl CounterPage {
    fn is_channel(&self, code: &str) -> bool {
        self.channel == code
    }
}

impl FieldErrors for CounterPage {
    fn field_errors(&self) -> &[(&'static str, String)] {
        &self.errors
    }
}

#[derive(Deserialize, Default)]
struct CounterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    ktp_checked: String,
}

fn page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    form: CounterForm,
    errors: Vec<(&'static str, String)>,
    done: Option<String>,
) -> CounterPage {
    let mut chrome = Chrome::new(lang, texts::COUNTER_VERIFY_A_CITIZEN.get(lang), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    CounterPage {
        chrome,
        intro: texts::CHECK_THE_CITIZEN_S_ORIGINAL.get(lang),
        done,
        error_summary: texts::PLEASE_CHECK_THE_FOLLOWING.get(lang),
        errors,
        csrf: admin.csrf_token.clone(),
        nik_hint: texts::COUNTER_NIK_HINT.get(lang),
        nik: form.nik,
        channel_label: texts::CONTACT_TO_RECORD.get(lang),
        channels: [Channel::Sms, Channel::Email].iter().map(|c| (c.code(), c.label(lang))).collect(),
        channel: if form.channel.is_empty() { "sms".to_owned() } else { form.channel },
        to_label: texts::MOBILE_NUMBER_OR_E_MAIL.get(lang),
        to: form.to,
        ktp_label: texts::I_HAVE_CHECKED_THIS_CITIZEN.get(lang),
        submit_label: texts::RECORD_THE_CONTACT.get(lang),
    }
}

fn may_verify(admin: &Admin) -> bool {
    admin.principal.government_id.is_some_and(|g| admin.may(Action::VerifyCitizenAtCounter, &Target::government(g)))
}

async fn form(RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    if !may_verify(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    no_store(render(&page(lang, &uri, &admin, CounterForm::default(), Vec::new(), None)))
}

crate::posted::csrf_form!(CounterForm);

async fn bind(
    State(state): State<AppState>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<CounterForm>,
) -> Response {
    if !may_verify(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let nik = Nik::parse(&form.nik, crate::identity::today())
        .map_err(|e| errors.push(("nik", e.message(lang).to_owned())))
        .ok();
    let channel = match form.channel.as_str() {
        "email" => Channel::Email,
        _ => Channel::Sms,
    };
    let recipient = contact::normalize_recipient(channel, &form.to)
        .map_err(|e| errors.push(("to", e.message(lang).to_owned())))
        .ok();
    if form.ktp_checked != "yes" {
        errors.push(("ktp_checked", texts::A_CONTACT_IS_RECORDED_ONLY.get(lang).to_owned()));
    }
    let (Some(nik), Some(recipient), true) = (nik, recipient, errors.is_empty()) else {
        return no_store(
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page(lang, &uri, &admin, form, errors, None))).into_response(),
        );
    };
    let outcome = async {
        // The register is asked outside the transaction, and only for a person Balai does not hold.
        let held = citizens::held_citizen_id(&state.db, &state.vault, &nik).await?;
        let register = match held {
            Some(_) => None,
            None => match state.config.register.lookup(&nik).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "population register lookup failed at a counter");
                    return Ok(Err(None));
                }
            },
        };
        let bound = counter::bind_contact_at_counter_as_officer(
            &state.db,
            &state.vault,
            admin.admin_id,
            &nik,
            channel,
            &recipient,
            register.as_ref(),
            lang,
        )
        .await?;
        Ok::<_, balai_store::StoreError>(bound.map_err(Some))
    }
    .await;
    match outcome {
        Ok(Ok(bound)) => {
            tracing::info!(citizen_id = bound.citizen_id, created = bound.created, "contact bound at a counter");
            let done = texts::CONTACT_RECORDED_FOR_NIK_SUBSTANTIAL.fill(
                lang,
                &[
                    ("contact", &contact::mask_recipient(&recipient).to_string()),
                    ("nik", &mask_digits(nik.expose()).to_string()),
                    ("notices", &bound.notices.to_string()),
                ],
            );
            no_store(render(&page(lang, &uri, &admin, CounterForm::default(), Vec::new(), Some(done))))
        }
        Ok(Err(refused)) => {
            let message = match refused {
                Some(CounterRefused::NotPermitted) => return error_page(lang, &uri, AppError::Forbidden),
                Some(CounterRefused::UnknownPerson) => texts::THIS_NIK_IS_NOT_IN.get(lang),
                None => texts::THE_POPULATION_REGISTER_CANNOT_BE.get(lang),
            };
            let status =
                if refused.is_none() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::UNPROCESSABLE_ENTITY };
            let errors = vec![("nik", message.to_owned())];
            no_store((status, render(&page(lang, &uri, &admin, form, errors, None))).into_response())
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
