//! Officer sign-in through the government's OpenID Connect provider.
//!
//! `/admin/masuk/oidc` sends the browser to the provider and `/admin/masuk/oidc/callback` takes it
//! back, through the round trip citizens' sign-in shares ([`super::oidc_flow`]): only that browser's
//! pending sign-in, once; a forged or replayed state, an unknown nonce or a token the provider did
//! not sign is refused and logged. The verified claims name the role and place; the store brings
//! the officer's record in line with them.

use super::officer_sign_in::{NextParam, SignInMethod, finish_sign_in, login_page, safe_next};
use super::oidc_flow::{self, CallbackParams, NotSent, Refusal, Refused};
use super::texts;
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::error_page;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::identity::Role;
use balai_store::StoreError;
use balai_store::identity::oidc::{self, ClaimedOfficer, LoginFlow};

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
    match oidc_flow::leave_for_provider(&state, &sso.provider, LoginFlow::Officer, next.clone()).await {
        Ok(response) => response,
        Err(NotSent::Unavailable) => {
            login_page(&state, lang, &uri, Some(unavailable(lang).to_owned()), next, String::new())
        }
        Err(NotSent::Store(e)) => error_page(lang, &uri, e.into()),
    }
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
    oidc_flow::spend_binding(&mut response, &state, LoginFlow::Officer);
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
    let (identity, next) = match oidc_flow::come_back(state, &sso.provider, LoginFlow::Officer, headers, params).await {
        Ok(back) => (back.identity, safe_next(Some(&back.next))),
        Err(Refused { reason, next }) => {
            let next = next.map_or_else(|| "/admin".to_owned(), |n| safe_next(Some(&n)));
            let message = match reason {
                Refusal::Restart => restart(lang),
                Refusal::ProviderSaidNo => texts::THE_IDENTITY_PROVIDER_DID_NOT.get(lang),
                Refusal::Unavailable => unavailable(lang),
                Refusal::Unverified => texts::THE_SSO_SIGN_IN_COULD.get(lang),
                Refusal::Store(e) => return Err(error_page(lang, uri, e.into())),
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
        return Err(refuse(texts::THIS_ROLE_REQUIRES_TWO_STEP.get(lang), next));
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
    let signed_in = oidc::claim_officer(&state.db, &claimed).await;
    match signed_in {
        Ok(id) => Ok((id, next)),
        Err(StoreError::Invalid(errors)) => {
            let claim = match errors.0.first().map(|e| e.field.as_str()) {
                Some("role") => &sso.role_claim,
                Some("government") => &sso.government_claim,
                _ => &sso.agency_claim,
            };
            tracing::warn!(claim = %claim, "OIDC sign-in refused: a claim names no Balai role or place");
            let message = texts::THIS_SSO_ACCOUNT_HAS_NO.fill(lang, &[("claim", &claim.to_string())]);
            Err(login_page(state, lang, uri, Some(message), next, String::new()))
        }
        Err(e) => Err(error_page(lang, uri, e.into())),
    }
}

fn restart(lang: Lang) -> &'static str {
    texts::THE_SSO_SIGN_IN_IS.get(lang)
}

fn unavailable(lang: Lang) -> &'static str {
    texts::THE_IDENTITY_PROVIDER_SSO_CANNOT.get(lang)
}
