//! Citizen pages: sign in with NIK and a one-time code, the citizen's own record, sign out.
//! The NIK never travels in a URL: after the first form, the browser holds only a pending token.

use super::texts;
use crate::AppState;
use crate::auth::{self, Citizen, LOGIN_CSRF_COOKIE};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::identity::{self, CITIZEN_COOKIE, PENDING_COOKIE};
use crate::ops::ClientAddr;
use crate::pages::{Chrome, FieldErrors, error_page, no_store, render};
use crate::posted::CitizenPost;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::contact::{Channel, mask_recipient};
use balai_domain::identity::Action;
use balai_domain::nik::Sex;
use balai_store::identity::access;
use balai_store::identity::citizens::{self, mask_digits};
use balai_store::identity::codes;
use chrono::Utc;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/masuk", get(sign_in_form).post(sign_in))
        .route("/masuk/kode", get(code_form).post(enter_code))
        .route("/akun", get(account))
        .route("/akun/akses", get(access_log))
        .route("/keluar", post(sign_out))
        .route("/keluar/semua", post(sign_out_everywhere))
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    crate::redirect::local_path(next, "/akun", crate::redirect::Area::Public)
}

// ---- step 1: NIK and where to send the code ---------------------------------------------------

#[derive(askama::Template)]
#[template(path = "citizen_sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    intro: &'static str,
    error_summary: &'static str,
    errors: Vec<(&'static str, String)>,
    csrf: String,
    next: String,
    nik_hint: &'static str,
    nik: String,
    channel_label: &'static str,
    channels: Vec<(&'static str, &'static str)>,
    channel: String,
    to_label: &'static str,
    to_hint: &'static str,
    to: String,
    submit_label: &'static str,
    demo_hint: Option<String>,
    demo_inbox_label: &'static str,
    idp: Option<super::citizen_idp::IdpLink>,
}

impl SignInPage {
    fn is_channel(&self, code: &str) -> bool {
        self.channel == code
    }
}

impl FieldErrors for SignInPage {
    fn field_errors(&self) -> &[(&'static str, String)] {
        &self.errors
    }
}

#[derive(Deserialize, Default)]
struct NextParam {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignInForm {
    #[serde(default)]
    nik: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    form: SignInForm,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Response {
    let (csrf, csrf_cookie) = auth::issue_login_csrf(state);
    let page = SignInPage {
        chrome: Chrome::new(lang, texts::SIGN_IN_WITH_YOUR_NIK.get(lang), uri),
        intro: texts::WE_SEND_A_6_DIGIT.get(lang),
        error_summary: texts::PLEASE_CHECK_THE_FOLLOWING.get(lang),
        errors,
        csrf: csrf.clone(),
        next: safe_next(form.next.as_deref()),
        nik_hint: texts::NIK_HINT.get(lang),
        nik: form.nik,
        channel_label: texts::SEND_THE_CODE_BY.get(lang),
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label(lang))).collect(),
        channel: if form.channel.is_empty() { "email".to_owned() } else { form.channel },
        to_label: texts::E_MAIL_ADDRESS_OR_MOBILE.get(lang),
        to_hint: texts::THE_CONTACT_ON_RECORD_FOR.get(lang),
        to: form.to,
        submit_label: texts::SEND_CODE.get(lang),
        demo_hint: state.config.demo_inbox.then(|| {
            texts::DEMO_SIGN_IN_AS_MARIA.fill(
                lang,
                &[("nik", balai_store::seed::DEMO_CITIZEN_NIK), ("email", balai_store::seed::DEMO_CITIZEN_EMAIL)],
            )
        }),
        demo_inbox_label: texts::OPEN_THE_DEMO_INBOX.get(lang),
        idp: super::citizen_idp::IdpLink::for_sign_in(state, lang, &safe_next(form.next.as_deref())),
    };
    let mut response = (status, render(&page)).into_response();
    response.headers_mut().append(header::SET_COOKIE, csrf_cookie);
    no_store(response)
}

async fn sign_in_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(p): Query<NextParam>,
) -> Response {
    sign_in_page(&state, lang, &uri, SignInForm { next: p.next, ..SignInForm::default() }, Vec::new(), StatusCode::OK)
}

fn login_csrf_ok(state: &AppState, headers: &HeaderMap, submitted: &str) -> bool {
    auth::login_csrf_ok(state, headers, submitted)
}

async fn sign_in(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<SignInForm>,
) -> Response {
    if !login_csrf_ok(&state, &headers, &form.csrf) {
        tracing::warn!("citizen sign-in refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    match identity::request_code(&state, lang, &form.nik, &form.channel, &form.to, client).await {
        Ok(sent) => {
            let next = safe_next(form.next.as_deref());
            let lang_amp = if lang == Lang::En { "&lang=en" } else { "" };
            let mut response =
                Redirect::to(&format!("/masuk/kode?next={}{lang_amp}", crate::pages::urlencode(&next))).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    PENDING_COOKIE,
                    &sent.pending_token,
                    codes::CODE_MINUTES * 60,
                    state.config.secure_cookies,
                ),
            );
            response
        }
        Err(AppError::Refused(r)) => {
            let status = r.status;
            let field = r.field.unwrap_or("nik");
            sign_in_page(&state, lang, &uri, form, vec![(field, r.message)], status)
        }
        Err(other) => error_page(lang, &uri, other),
    }
}

// ---- step 2: the code --------------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "citizen_code.html")]
struct CodePage {
    chrome: Chrome,
    sent_to: String,
    error: Option<String>,
    csrf: String,
    next: String,
    code_label: &'static str,
    code_hint: &'static str,
    submit_label: &'static str,
    restart_label: &'static str,
    demo_inbox_label: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn code_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    headers: &HeaderMap,
    next: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let pending = match auth::cookie_value(headers, PENDING_COOKIE) {
        Some(token) => match codes::pending_sign_in(&state.db, &state.vault, token, Utc::now()).await {
            Ok(p) => p,
            Err(e) => return error_page(lang, uri, e.into()),
        },
        None => None,
    };
    let Some(pending) = pending else {
        // Nothing open (expired, used up, or never asked): start again.
        let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
        return Redirect::to(&format!("/masuk{lang_q}")).into_response();
    };
    let (csrf, csrf_cookie) = auth::issue_login_csrf(state);
    let zone = balai_domain::IndonesianTimeZone::Wita;
    // Worded alike whether or not a code was sent: the page must not tell a stranger which it was.
    let sent_to = texts::IF_IS_THE_CONTACT_ON.fill(
        lang,
        &[
            ("masked_recipient", &pending.masked_recipient.to_string()),
            ("channel", pending.channel.label(lang)),
            ("until", &zone.format(pending.expires_at).to_string()),
            ("attempts_left", &pending.attempts_left.to_string()),
        ],
    );
    let page = CodePage {
        chrome: Chrome::new(lang, texts::ENTER_THE_CODE.get(lang), uri),
        sent_to,
        error,
        csrf: csrf.clone(),
        next: safe_next(next),
        code_label: texts::T_6_DIGIT_CODE.get(lang),
        code_hint: texts::NEVER_GIVE_THIS_CODE_TO.get(lang),
        submit_label: texts::SIGN_IN.get(lang),
        restart_label: texts::REQUEST_A_NEW_CODE_OR.get(lang),
        demo_inbox_label: state.config.demo_inbox.then(|| texts::DEMO_OPEN_INBOX_FOR_CODE.get(lang)),
    };
    let mut response = (status, render(&page)).into_response();
    response.headers_mut().append(header::SET_COOKIE, csrf_cookie);
    no_store(response)
}

async fn code_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(p): Query<NextParam>,
) -> Response {
    code_page(&state, lang, &uri, &headers, p.next.as_deref(), None, StatusCode::OK).await
}

async fn enter_code(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    if !login_csrf_ok(&state, &headers, &form.csrf) {
        tracing::warn!("citizen code refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let Some(pending) = auth::cookie_value(&headers, PENDING_COOKIE) else {
        return code_page(&state, lang, &uri, &headers, form.next.as_deref(), None, StatusCode::OK).await;
    };
    match identity::verify_code(&state, lang, Some(pending), None, &form.code).await {
        Ok(signed_in) => {
            let secure = state.config.secure_cookies;
            let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                auth::set_cookie(CITIZEN_COOKIE, &signed_in.session_token, state.config.session_minutes * 60, secure),
            );
            h.append(header::SET_COOKIE, auth::set_cookie(PENDING_COOKIE, "", 0, secure));
            h.append(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure));
            response
        }
        Err(AppError::Refused(r)) if r.attempts_left.is_some_and(|n| n > 0) || r.rule == "code_format" => {
            code_page(&state, lang, &uri, &headers, form.next.as_deref(), Some(r.message), r.status).await
        }
        Err(AppError::Refused(r)) => {
            // The code is dead (no attempts left, expired): back to step 1 with the reason.
            let errors = vec![("nik", r.message)];
            sign_in_page(&state, lang, &uri, SignInForm { next: form.next, ..SignInForm::default() }, errors, r.status)
        }
        Err(other) => error_page(lang, &uri, other),
    }
}

// ---- the citizen's own record ------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "citizen_account.html")]
struct AccountPage {
    chrome: Chrome,
    level_label: &'static str,
    level: &'static str,
    change_contact_label: &'static str,
    full_note: Option<&'static str>,
    access_label: &'static str,
    masked_nik: String,
    name_label: &'static str,
    full_name: String,
    not_yet: &'static str,
    birth_label: &'static str,
    birth: Option<String>,
    address_label: &'static str,
    address: Option<String>,
    kk_label: &'static str,
    masked_kk: Option<String>,
    phone_label: &'static str,
    phone: Option<String>,
    email_label: &'static str,
    email: Option<String>,
    documents_heading: &'static str,
    documents: Vec<String>,
    no_documents: &'static str,
    csrf: String,
    sign_out_label: &'static str,
    sign_out_everywhere_label: &'static str,
}

async fn account(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    citizen: Citizen,
) -> Response {
    let record = match citizens::citizen(&state.db, &state.vault, citizen.citizen_id).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if !citizen.may(Action::ViewOwnRecord) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    // A code to a contact on record shows the record masked; address, birth and document numbers
    // need a session that proves the person (a counter visit or an identity provider).
    let full = citizen.may(Action::ViewOwnFullRecord);
    let birth = birth_line(lang, &record).filter(|_| full);
    let documents = record
        .documents
        .iter()
        .map(|d| {
            if full {
                document_line(lang, d)
            } else {
                format!("{} — {}", document_label(lang, &d.doc_type), d.issuer)
            }
        })
        .collect();
    let page = AccountPage {
        chrome: Chrome::new(lang, texts::MY_RECORD.get(lang), &uri),
        level_label: texts::SIGN_IN_ASSURANCE.get(lang),
        level: citizen.assurance.label(lang),
        change_contact_label: texts::CHANGE_PHONE_OR_E_MAIL.get(lang),
        full_note: (!full).then(|| texts::ADDRESS_BIRTH_DATE_AND_DOCUMENT.get(lang)),
        access_label: texts::WHO_HAS_ACCESSED_MY_DATA.get(lang),
        masked_nik: record.masked_nik(),
        name_label: texts::NAME.get(lang),
        not_yet: texts::NOT_RECORDED_YET.get(lang),
        full_name: record.full_name.clone(),
        birth_label: texts::PLACE_AND_DATE_OF_BIRTH.get(lang),
        birth,
        address_label: texts::ADDRESS.get(lang),
        address: record.address.clone().filter(|_| full),
        kk_label: texts::FAMILY_CARD_NUMBER.get(lang),
        masked_kk: record.kk.as_deref().map(mask_digits).filter(|_| full),
        phone_label: texts::MOBILE.get(lang),
        phone: record.phone.as_deref().map(mask_recipient),
        email_label: texts::E_MAIL.get(lang),
        email: record.email.as_deref().map(mask_recipient),
        documents_heading: texts::DOCUMENTS_THE_GOVERNMENT_ALREADY_HOLDS.get(lang),
        documents,
        no_documents: texts::NONE_YET_DOCUMENTS_ISSUED_TO.get(lang),
        csrf: citizen.csrf_token.clone(),
        sign_out_label: texts::SIGN_OUT.get(lang),
        sign_out_everywhere_label: texts::SIGN_OUT_ON_EVERY_DEVICE.get(lang),
    };
    no_store(render(&page))
}

/// "Kupang, 12-03-1990 (perempuan)": place, date and sex of birth, as the record holds them.
pub(crate) fn birth_line(lang: Lang, record: &citizens::Citizen) -> Option<String> {
    record.birth_date.map(|d| {
        let sex = match record.sex {
            Some(Sex::Female) => texts::FEMALE.get(lang),
            Some(Sex::Male) => texts::MALE.get(lang),
            None => "",
        };
        let place = if record.birth_place.is_empty() { String::new() } else { format!("{}, ", record.birth_place) };
        format!("{place}{} ({sex})", d.format("%d-%m-%Y"))
    })
}

/// "Kartu Keluarga 5371••••••••0021 — Disdukcapil …": a held document, its number masked.
pub(crate) fn document_line(lang: Lang, d: &citizens::HeldDocument) -> String {
    let number = d.number.as_deref().map(|n| format!(" {}", mask_digits(n))).unwrap_or_default();
    format!("{}{number} — {}", document_label(lang, &d.doc_type), d.issuer)
}

// ---- who has read the record ---------------------------------------------------------------

struct ReadView {
    when: String,
    agency: String,
    role: &'static str,
    case_reference: String,
    case_title: String,
    purpose: String,
    audit_seq: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "citizen_access.html")]
struct AccessPage {
    chrome: Chrome,
    intro: &'static str,
    empty: &'static str,
    when_label: &'static str,
    agency_label: &'static str,
    role_label: &'static str,
    case_label: &'static str,
    purpose_label: &'static str,
    leaf_label: &'static str,
    complain: &'static str,
    back_label: &'static str,
    reads: Vec<ReadView>,
}

/// Every read of the citizen's record by staff (R20), as the audit log vouches for it.
async fn access_log(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    citizen: Citizen,
) -> Response {
    let reads = match access::reads_of(&state.db, citizen.citizen_id, 500).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let reads = reads
        .into_iter()
        .map(|r| ReadView {
            when: r.time_zone.format(r.read_at),
            agency: r.agency_name.unwrap_or_else(|| "—".to_owned()),
            role: r.officer_role.label(lang),
            case_reference: r.case_reference,
            case_title: r.case_title,
            purpose: r.purpose,
            audit_seq: r.audit_seq,
        })
        .collect();
    let page = AccessPage {
        chrome: Chrome::new(lang, texts::WHO_HAS_ACCESSED_MY_DATA.get(lang), &uri),
        intro: texts::OFFICERS_CAN_OPEN_YOUR_RECORD.get(lang),
        empty: texts::NO_OFFICER_HAS_OPENED_YOUR.get(lang),
        when_label: texts::WHEN.get(lang),
        agency_label: texts::AGENCY.get(lang),
        role_label: texts::OFFICER_S_ROLE.get(lang),
        case_label: texts::CASE.get(lang),
        purpose_label: texts::PURPOSE.get(lang),
        leaf_label: texts::AUDIT_LOG_ENTRY.get(lang),
        complain: texts::AN_OPENING_YOU_DO_NOT.get(lang),
        back_label: texts::BACK_TO_MY_RECORD.get(lang),
        reads,
    };
    no_store(render(&page))
}

fn document_label(lang: Lang, doc_type: &str) -> String {
    balai_domain::catalogue::DocumentType::parse(doc_type)
        .map(|d| d.label(lang).to_owned())
        .unwrap_or_else(|| doc_type.to_owned())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

crate::posted::csrf_form!(CsrfForm);

async fn sign_out(
    State(state): State<AppState>,
    CitizenPost { citizen, lang, uri, form: _ }: CitizenPost<CsrfForm>,
) -> Response {
    end_sessions(&state, lang, &uri, &citizen, false).await
}

/// Ends every session of the citizen, on every device (a lost phone, a shared computer).
async fn sign_out_everywhere(
    State(state): State<AppState>,
    CitizenPost { citizen, lang, uri, form: _ }: CitizenPost<CsrfForm>,
) -> Response {
    end_sessions(&state, lang, &uri, &citizen, true).await
}

async fn end_sessions(state: &AppState, lang: Lang, uri: &Uri, citizen: &Citizen, everywhere: bool) -> Response {
    use balai_store::identity::{PrincipalKind, sign_out, sign_out_everywhere};
    let closed = if everywhere {
        sign_out_everywhere(&state.db, PrincipalKind::Citizen, citizen.citizen_id).await.map(drop)
    } else {
        sign_out(&state.db, PrincipalKind::Citizen, &citizen.token_hash, citizen.citizen_id).await
    };
    if let Err(e) = closed {
        return error_page(lang, uri, e.into());
    }
    let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
    let mut response = Redirect::to(&format!("/{lang_q}")).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(CITIZEN_COOKIE, "", 0, state.config.secure_cookies));
    response
}
