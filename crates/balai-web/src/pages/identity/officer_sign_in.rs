//! Officer sign-in: password, the second factor (TOTP), sign-out.

use super::texts;
use crate::AppState;
use crate::auth::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE, TOTP_COOKIE};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::ops::{ClientAddr, throttle_key};
use crate::pages::urlencode;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::OfficerPost;
use crate::redirect::{Area, local_path};
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_store::identity::NewSession;
use balai_store::identity::PrincipalKind;
use balai_store::identity::officers::{self, SignInRefused};
use balai_store::{StoreError, identity};
use chrono::{Duration, Utc};
use serde::Deserialize;
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/masuk", get(login_form).post(login))
        .route("/admin/masuk/faktor-kedua", get(totp_form).post(totp_submit))
        .route("/admin/keluar", post(logout))
        .route("/admin/keluar/semua", post(logout_everywhere))
}

// ---- sign in / out --------------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "admin_login.html")]
struct LoginPage {
    chrome: Chrome,
    heading: &'static str,
    username_label: &'static str,
    password_label: &'static str,
    submit_label: &'static str,
    error: Option<String>,
    csrf: String,
    next: String,
    username: String,
    /// The link to sign in through the government's identity provider, when one is configured.
    sso_href: Option<String>,
    sso_label: &'static str,
    or_label: &'static str,
}

#[derive(Deserialize)]
pub(super) struct NextParam {
    pub(super) next: Option<String>,
}

pub(super) fn login_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    error: Option<String>,
    next: String,
    username: String,
) -> Response {
    let (csrf, csrf_cookie) = auth::issue_login_csrf(state);
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    let heading = texts::OFFICER_SIGN_IN.get(lang);
    let page = LoginPage {
        chrome: Chrome::new(lang, heading, uri),
        heading,
        username_label: texts::USERNAME.get(lang),
        password_label: texts::PASSWORD.get(lang),
        submit_label: texts::SIGN_IN.get(lang),
        error,
        csrf: csrf.clone(),
        sso_href: state.config.oidc.as_ref().map(|_| format!("/admin/masuk/oidc?next={}", urlencode(&next))),
        sso_label: texts::SIGN_IN_WITH_THE_GOVERNMENT.get(lang),
        or_label: texts::OR_WITH_A_USERNAME_AND.get(lang),
        next,
        username,
    };
    let mut response = (status, render(&page)).into_response();
    response.headers_mut().append(header::SET_COOKIE, csrf_cookie);
    no_store(response)
}

/// Only paths of the administration are followed after sign-in (no open redirect).
pub(super) fn safe_next(next: Option<&str>) -> String {
    local_path(next, "/admin", Area::Admin)
}

async fn login_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(params): Query<NextParam>,
) -> Response {
    // Made before the first sign-in, so the first unknown username costs no more than any other.
    dummy_hash();
    login_page(&state, lang, &uri, None, safe_next(params.next.as_deref()), String::new())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    if !auth::login_csrf_ok(&state, &headers, &form.csrf) {
        tracing::warn!("admin sign-in refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let next = safe_next(form.next.as_deref());
    let secure = state.config.secure_cookies;
    let client = throttle_key(client);
    let officer = match identity::officer_by_username(&state.db, &form.username).await {
        Ok(a) => a,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    // A username nobody has is counted and locked exactly like an officer's, so no answer (message,
    // status, lock) tells which exist.
    let account = officer.as_ref().map(|o| o.username.clone()).unwrap_or_else(|| officers::account_key(&form.username));
    let now = state.config.clock.now();
    match officers::sign_in_refused(&state.db, &state.vault, &account, &client, now).await {
        Ok(None) => {}
        Ok(Some(refused)) => {
            return refused_sign_in(&state, lang, &uri, refused, next, form.username, officer.map(|o| o.id), &client)
                .await;
        }
        Err(e) => return error_page(lang, &uri, e.into()),
    }
    let verified = match &officer {
        Some(a) => balai_auth::verify_password(&a.password_hash, &form.password),
        None => {
            // Spend the same time as a real check so usernames cannot be probed by timing.
            balai_auth::verify_password(dummy_hash(), &form.password);
            false
        }
    };
    let officer = match officer {
        Some(officer) if verified => officer,
        other => {
            if let Err(e) = count_failure(&state, Some(&account), other.map(|o| o.id), &client, now).await {
                return error_page(lang, &uri, e.into());
            }
            tracing::info!("officer sign-in failed");
            let message = texts::WRONG_USERNAME_OR_PASSWORD.get(lang);
            return login_page(&state, lang, &uri, Some(message.to_owned()), next, form.username);
        }
    };
    if officer.role().requires_totp() {
        // The password was right; the second factor is still due, in a half-open session.
        let token = auth::random_token();
        let session = NewSession {
            token_hash: &auth::token_hash(&token),
            csrf_token: &auth::random_token(),
            expires_at: now + Duration::minutes(5),
        };
        let enrol = officer.totp_secret_enc.is_none().then(balai_auth::totp::new_secret);
        let opened =
            officers::start_second_factor(&state.db, &state.vault, officer.id, &session, enrol.as_deref()).await;
        if let Err(e) = opened {
            return error_page(lang, &uri, e.into());
        }
        let mut response =
            Redirect::to(&format!("/admin/masuk/faktor-kedua?next={}", urlencode(&next))).into_response();
        response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(TOTP_COOKIE, &token, 300, secure));
        return response;
    }
    finish_sign_in(&state, lang, &uri, officer.id, &next, None, SignInMethod::Password).await
}

/// What a refused sign-in says: the same for every username, known or not.
fn refused_message(lang: Lang, refused: SignInRefused) -> String {
    let at = balai_domain::IndonesianTimeZone::Wita.format(refused.until());
    match (refused, lang) {
        (SignInRefused::Account { .. }, Lang::Id) => {
            format!("Terlalu banyak percobaan gagal untuk nama pengguna ini: coba lagi setelah {at}.")
        }
        (SignInRefused::Account { .. }, Lang::En) => {
            format!("Too many failed attempts for this username: try again after {at}.")
        }
        (SignInRefused::Client { .. }, Lang::Id) => {
            format!("Terlalu banyak percobaan gagal dari jaringan Anda: coba lagi setelah {at}.")
        }
        (SignInRefused::Client { .. }, Lang::En) => {
            format!("Too many failed attempts from your network: try again after {at}.")
        }
    }
}

/// The sign-in page again, refused before any password was checked. An attempt on a refused
/// account still counts against the client (never against the account: that would extend the lock).
#[allow(clippy::too_many_arguments)]
async fn refused_sign_in(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    refused: SignInRefused,
    next: String,
    username: String,
    officer_id: Option<i64>,
    client: &str,
) -> Response {
    let now = state.config.clock.now();
    if let SignInRefused::Account { .. } = refused
        && let Err(e) = count_failure(state, None, officer_id, client, now).await
    {
        return error_page(lang, uri, e.into());
    }
    tracing::info!(officer_id, refused = ?refused, "officer sign-in refused by a throttle");
    let mut response = login_page(state, lang, uri, Some(refused_message(lang, refused)), next, username);
    if let SignInRefused::Client { until } = refused {
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        let seconds = (until - now).num_seconds().max(1);
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

async fn count_failure(
    state: &AppState,
    account: Option<&str>,
    officer_id: Option<i64>,
    client: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    officers::count_failed_sign_in(&state.db, &state.vault, account, officer_id, client, now).await
}

/// How an officer proved who they are, which decides how the browser moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignInMethod {
    Password,
    PasswordAndTotp,
    Oidc,
}

/// Opens the officer's session (ending a half-open one) and goes on to `next`.
pub(super) async fn finish_sign_in(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    officer_id: i64,
    next: &str,
    half_open: Option<&str>,
    method: SignInMethod,
) -> Response {
    let token = auth::random_token();
    let minutes = state.config.session_minutes;
    let session = NewSession {
        token_hash: &auth::token_hash(&token),
        csrf_token: &auth::random_token(),
        expires_at: state.config.clock.now() + Duration::minutes(minutes),
    };
    let opened = officers::sign_in_officer(&state.db, officer_id, half_open, &session).await;
    if let Err(e) = opened {
        return error_page(lang, uri, e.into());
    }
    tracing::info!(officer_id, method = ?method, "officer signed in");
    let secure = state.config.secure_cookies;
    // Back from the identity provider the browser is on a cross-site redirect chain, where it would
    // withhold the SameSite=Strict session cookie from a redirect; a page that moves on by itself
    // starts a same-site navigation instead.
    let mut response = match method {
        SignInMethod::Oidc => super::oidc_flow::continue_page(lang, uri, next),
        _ => Redirect::to(next).into_response(),
    };
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, &token, minutes * 60, secure));
    headers.append(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure));
    headers.append(header::SET_COOKIE, auth::set_cookie(TOTP_COOKIE, "", 0, secure));
    response
}

// ---- second factor (TOTP) -------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "admin_totp.html")]
struct TotpPage {
    chrome: Chrome,
    intro: String,
    enrolment_secret: Option<String>,
    enrolment_uri: Option<String>,
    secret_label: &'static str,
    error: Option<String>,
    csrf: String,
    next: String,
    code_label: &'static str,
    submit_label: &'static str,
}

struct HalfOpen {
    hash: String,
    officer: identity::Officer,
    csrf: String,
    /// The secret being enrolled, or the enrolled one.
    secret: String,
    enrolling: bool,
}

async fn half_open(state: &AppState, headers: &HeaderMap) -> Result<Option<HalfOpen>, StoreError> {
    let Some(token) = auth::cookie_value(headers, TOTP_COOKIE) else { return Ok(None) };
    let hash = auth::token_hash(token);
    let Some(session) =
        identity::live_session(&state.db, PrincipalKind::OfficerAwaitingTotp, &hash, state.config.clock.now()).await?
    else {
        return Ok(None);
    };
    let Some(officer) = identity::officers::officer(&state.db, session.principal_id).await? else { return Ok(None) };
    let (secret, enrolling) = match officer.totp_secret(&state.vault)? {
        Some(secret) => (secret, false),
        None => match identity::pending_totp(&state.db, &state.vault, &hash).await? {
            Some(secret) => (secret, true),
            None => return Ok(None),
        },
    };
    Ok(Some(HalfOpen { hash, officer, csrf: session.csrf_token, secret, enrolling }))
}

fn totp_page(lang: Lang, uri: &Uri, h: &HalfOpen, next: String, error: Option<String>, status: StatusCode) -> Response {
    let intro =
        if h.enrolling { texts::YOUR_ROLE_NEEDS_A_SECOND.get(lang) } else { texts::ENTER_THE_6_DIGIT_CODE.get(lang) };
    let page = TotpPage {
        chrome: Chrome::new(lang, texts::SECOND_FACTOR.get(lang), uri),
        intro: intro.to_owned(),
        enrolment_uri: h.enrolling.then(|| balai_auth::totp::enrolment_uri(&h.secret, &h.officer.username)).flatten(),
        enrolment_secret: h.enrolling.then(|| h.secret.clone()),
        secret_label: texts::KEY.get(lang),
        error,
        csrf: h.csrf.clone(),
        next,
        code_label: texts::AUTHENTICATOR_CODE.get(lang),
        submit_label: texts::SIGN_IN.get(lang),
    };
    no_store((status, render(&page)).into_response())
}

async fn totp_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<NextParam>,
) -> Response {
    match half_open(&state, &headers).await {
        Ok(Some(h)) => totp_page(lang, &uri, &h, safe_next(params.next.as_deref()), None, StatusCode::OK),
        Ok(None) => Redirect::to("/admin/masuk").into_response(),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Deserialize)]
struct TotpForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn totp_submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<TotpForm>,
) -> Response {
    let client = throttle_key(client);
    let h = match half_open(&state, &headers).await {
        Ok(Some(h)) => h,
        Ok(None) => return Redirect::to("/admin/masuk").into_response(),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if !auth::same_secret(&h.csrf, &form.csrf) {
        tracing::warn!("second factor refused: CSRF token mismatch");
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let next = safe_next(form.next.as_deref());
    let now = state.config.clock.now();
    match officers::sign_in_refused(&state.db, &state.vault, &h.officer.username, &client, now).await {
        Ok(None) => {}
        Ok(Some(refused)) => {
            let status = match refused {
                SignInRefused::Account { .. } => StatusCode::UNAUTHORIZED,
                SignInRefused::Client { .. } => StatusCode::TOO_MANY_REQUESTS,
            };
            return totp_page(lang, &uri, &h, next, Some(refused_message(lang, refused)), status);
        }
        Err(e) => return error_page(lang, &uri, e.into()),
    }
    let step = balai_auth::totp::check(&h.secret, &form.code, now.timestamp().max(0) as u64);
    let accepted = match step {
        None => false,
        Some(step) => {
            let enrol = h.enrolling.then_some(h.secret.as_str());
            let used = officers::accept_totp_step(&state.db, &state.vault, h.officer.id, step as i64, enrol).await;
            match used {
                Ok(fresh) => fresh,
                Err(e) => return error_page(lang, &uri, e.into()),
            }
        }
    };
    if !accepted {
        if let Err(e) = count_failure(&state, Some(&h.officer.username), Some(h.officer.id), &client, now).await {
            return error_page(lang, &uri, e.into());
        }
        tracing::info!(officer_id = h.officer.id, "second factor refused");
        let message = texts::WRONG_OR_ALREADY_USED_CODE.get(lang);
        return totp_page(lang, &uri, &h, next, Some(message.to_owned()), StatusCode::UNAUTHORIZED);
    }
    finish_sign_in(&state, lang, &uri, h.officer.id, &next, Some(&h.hash), SignInMethod::PasswordAndTotp).await
}

/// An Argon2id hash of a random string, verified against when the username is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| balai_auth::hash_password(&auth::random_token()))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

crate::posted::csrf_form!(CsrfForm);

async fn logout(
    State(state): State<AppState>,
    OfficerPost { admin, lang, uri, form: _ }: OfficerPost<CsrfForm>,
) -> Response {
    let closed = identity::sign_out(&state.db, PrincipalKind::Officer, &admin.token_hash, admin.admin_id).await;
    if let Err(e) = closed {
        return error_page(lang, &uri, e.into());
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies));
    response
}

/// Ends every session of this officer — a lost phone, a shared computer left signed in.
async fn logout_everywhere(
    State(state): State<AppState>,
    OfficerPost { admin, lang, uri, form: _ }: OfficerPost<CsrfForm>,
) -> Response {
    match identity::sign_out_everywhere(&state.db, PrincipalKind::Officer, admin.admin_id).await {
        Ok(n) => tracing::info!(officer_id = admin.admin_id, sessions = n, "officer signed out everywhere"),
        Err(e) => return error_page(lang, &uri, e.into()),
    }
    let mut response = Redirect::to("/admin/masuk").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies));
    response
}
