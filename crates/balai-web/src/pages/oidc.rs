//! Officer sign-in through the government's OpenID Connect provider.
//!
//! `/admin/masuk/oidc` keeps a pending sign-in (state, nonce, PKCE verifier) in the database under
//! the hash of a cookie it sets on this browser, then sends the browser to the provider. The
//! callback accepts only that browser's pending sign-in, once: a forged or replayed state, an
//! unknown nonce or a token the provider did not sign is refused and logged. The verified claims
//! name the role and place; the store brings the officer's record in line with them.

use super::admin::{NextParam, SignInMethod, finish_sign_in, login_page, safe_next};
use super::{Chrome, error_page, no_store, render};
use crate::AppState;
use crate::auth;
use crate::error::AppError;
use crate::i18n::RequestLang;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::identity::Role;
use balai_store::StoreError;
use balai_store::identity::oidc::{self, ClaimedOfficer, PendingLogin};
use chrono::{Duration, Utc};
use serde::Deserialize;

/// The provider and how its claims map to Balai's roles and places.
#[derive(Clone)]
pub struct OidcSignIn {
    pub provider: balai_oidc::Provider,
    /// The claim whose value is a role code (`officer`, `verifier`, `agency_head`, …).
    pub role_claim: String,
    /// The claim whose value is the government's region code (`5371`).
    pub government_claim: String,
    /// The claim whose value is the agency's code within that government.
    pub agency_claim: String,
    /// Roles that need a second factor here (agency head, government admin) are accepted from the
    /// provider only when its `amr` claim shows one.
    pub require_second_factor: bool,
}

impl std::fmt::Debug for OidcSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSignIn").field("issuer", &self.provider.issuer()).finish_non_exhaustive()
    }
}

/// The cookie that binds a pending sign-in to the browser that started it.
const BINDING_COOKIE: &str = "balai_oidc";
/// How long the provider may take to send the browser back.
const PENDING_MINUTES: i64 = 10;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/masuk/oidc", get(start)).route("/admin/masuk/oidc/callback", get(callback))
}

async fn start(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(params): Query<NextParam>,
) -> Response {
    let Some(sso) = &state.config.oidc else { return error_page(lang, &uri, AppError::NotFound) };
    let next = safe_next(params.next.as_deref());
    let started = match sso.provider.start().await {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "OIDC sign-in could not start");
            return login_page(&state, lang, &uri, Some(unavailable(lang).to_owned()), next, String::new());
        }
    };
    let binding = auth::random_token();
    let pending = PendingLogin {
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next_path: next,
    };
    let kept = async {
        let mut tx = state.db.begin().await?;
        oidc::begin_login(
            &mut tx,
            &state.vault,
            &auth::token_hash(&binding),
            &pending,
            Utc::now() + Duration::minutes(PENDING_MINUTES),
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = kept {
        return error_page(lang, &uri, e.into());
    }
    let mut response = Redirect::to(&started.authorize_url).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_return_cookie(BINDING_COOKIE, &binding, PENDING_MINUTES * 60, state.config.secure_cookies),
    );
    response
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let mut response = match signed_in_officer(&state, lang, &uri, &headers, params).await {
        Ok((officer_id, next)) => finish_sign_in(&state, lang, &uri, officer_id, &next, None, SignInMethod::Oidc).await,
        Err(refused) => refused,
    };
    // The pending sign-in was used up either way.
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_return_cookie(BINDING_COOKIE, "", 0, state.config.secure_cookies));
    response
}

/// The officer the callback proves, or the page that says why not.
async fn signed_in_officer(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    headers: &HeaderMap,
    params: CallbackParams,
) -> Result<(i64, String), Response> {
    let Some(sso) = &state.config.oidc else { return Err(error_page(lang, uri, AppError::NotFound)) };
    let refuse =
        |message: &str, next: String| login_page(state, lang, uri, Some(message.to_owned()), next, String::new());
    let pending = match auth::cookie_value(headers, BINDING_COOKIE) {
        None => None,
        Some(binding) => {
            let taken = async {
                let mut tx = state.db.begin().await?;
                let pending = oidc::take_login(&mut tx, &state.vault, &auth::token_hash(binding), Utc::now()).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(pending)
            }
            .await;
            taken.map_err(|e| error_page(lang, uri, e.into()))?
        }
    };
    let Some(pending) = pending else {
        tracing::warn!("OIDC callback refused: no pending sign-in from this browser (expired, used or forged)");
        return Err(refuse(restart(lang), "/admin".into()));
    };
    // Checked again on the way out: the row may predate a stricter rule.
    let next = safe_next(Some(&pending.next_path));
    if !params.state.as_deref().is_some_and(|s| auth::same_secret(s, &pending.state)) {
        tracing::warn!("OIDC callback refused: the state does not match the pending sign-in");
        return Err(refuse(restart(lang), next));
    }
    if let Some(error) = params.error {
        // The provider's error code (RFC 6749 section 4.1.2.1) names no person.
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "identity provider refused the sign-in");
        return Err(refuse(
            lang.pick(
                "Penyedia identitas tidak mengizinkan masuk.",
                "The identity provider did not allow the sign-in.",
            ),
            next,
        ));
    }
    let Some(code) = params.code else {
        tracing::warn!("OIDC callback refused: no authorization code");
        return Err(refuse(restart(lang), next));
    };
    let identity = match sso.provider.finish(code, pending.nonce, pending.pkce_verifier).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %e, "OIDC callback refused");
            let message = match e {
                balai_oidc::OidcError::Discovery(_) | balai_oidc::OidcError::Settings(_) => unavailable(lang),
                _ => lang.pick(
                    "Masuk lewat SSO gagal diverifikasi. Silakan coba lagi.",
                    "The SSO sign-in could not be verified. Please try again.",
                ),
            };
            return Err(refuse(message, next));
        }
    };
    let role = identity.text_claim(&sso.role_claim);
    if sso.require_second_factor
        && role.and_then(Role::parse).is_some_and(Role::requires_totp)
        && !identity.used_second_factor()
    {
        tracing::warn!(role = role.unwrap_or_default(), "OIDC sign-in refused: the role needs a second factor");
        return Err(refuse(
            lang.pick(
                "Peran ini mewajibkan verifikasi dua langkah. Masuklah di penyedia identitas dengan faktor kedua.",
                "This role requires two-step verification. Sign in at the identity provider with a second factor.",
            ),
            next,
        ));
    }
    let login_name = identity.email.as_deref().filter(|_| identity.email_verified).unwrap_or(&identity.subject);
    let display_name = identity.name.as_deref().unwrap_or(login_name);
    let claimed = ClaimedOfficer {
        issuer: &identity.issuer,
        subject: &identity.subject,
        login_name,
        display_name,
        role,
        government_region: identity.text_claim(&sso.government_claim),
        agency_code: identity.text_claim(&sso.agency_claim),
    };
    let signed_in = async {
        let mut tx = state.db.begin().await?;
        let id = oidc::sign_in_claimed(&mut tx, &claimed).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    }
    .await;
    match signed_in {
        Ok(id) => Ok((id, next)),
        Err(StoreError::Invalid(errors)) => {
            let claim = match errors.0.first().map(|e| e.field.as_str()) {
                Some("role") => &sso.role_claim,
                Some("government") => &sso.government_claim,
                _ => &sso.agency_claim,
            };
            tracing::warn!(claim = %claim, "OIDC sign-in refused: a claim names no Balai role or place");
            let message = match lang {
                Lang::Id => format!(
                    "Akun SSO ini belum diberi peran atau tempat tugas yang dikenal Balai (klaim {claim}). Hubungi admin pemerintah daerah."
                ),
                Lang::En => format!(
                    "This SSO account has no role or place Balai knows (claim {claim}). Ask the government's administrator."
                ),
            };
            Err(login_page(state, lang, uri, Some(message), next, String::new()))
        }
        Err(e) => Err(error_page(lang, uri, e.into())),
    }
}

fn restart(lang: Lang) -> &'static str {
    lang.pick(
        "Sesi masuk lewat SSO sudah tidak berlaku. Silakan mulai lagi.",
        "The SSO sign-in is no longer valid. Please start again.",
    )
}

fn unavailable(lang: Lang) -> &'static str {
    lang.pick(
        "Penyedia identitas (SSO) sedang tidak dapat dihubungi. Coba lagi nanti atau masuk dengan kata sandi.",
        "The identity provider (SSO) cannot be reached. Try again later or sign in with a password.",
    )
}

#[derive(askama::Template)]
#[template(path = "admin_continue.html")]
struct ContinuePage {
    chrome: Chrome,
    heading: &'static str,
    continue_label: &'static str,
    next: String,
}

/// The page after a sign-in that came back from another site: it moves on to `next` by itself
/// (meta refresh, no script) and offers the link for those whose browsers do not.
pub(super) fn continue_page(lang: Lang, uri: &Uri, next: &str) -> Response {
    let heading = lang.pick("Anda sudah masuk", "You are signed in");
    let page = ContinuePage {
        chrome: Chrome::new(lang, heading, uri),
        heading,
        continue_label: lang.pick("Lanjutkan", "Continue"),
        next: next.to_owned(),
    };
    no_store(render(&page))
}
