//! Citizen sign-in through a citizen identity provider (the national digital identity, or a
//! provincial SSO) over OpenID Connect: `/masuk/idp` sends the browser to the provider and
//! `/masuk/idp/callback` takes it back, through the round trip officers' sign-in shares
//! ([`super::oidc_flow`]).
//!
//! The provider vouches for the person: the NIK comes from a claim and must be a valid NIK, the
//! level from `acr` (substantial only for the values the deployment lists). The citizen is the
//! record held for that NIK, or one created from the population register, or, for a NIK the register
//! does not know, one holding the provider's name and nothing else. At the substantial level the
//! contacts the provider says it verified are bound at that level, and every old and new contact is
//! told. Creating the record, binding and opening the session are one transaction.

use super::oidc_flow::{self, CallbackParams, NotSent, Refusal, Refused};
use super::texts;
use crate::AppState;
use crate::auth::{self, LOGIN_CSRF_COOKIE};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::identity::{CITIZEN_COOKIE, PENDING_COOKIE};
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::contact::{Channel, normalize_recipient};
use balai_domain::identity::assurance_from_acr;
use balai_domain::nik::Nik;
use balai_store::identity::oidc::{self, CitizenSignedIn, LoginFlow};
use balai_store::identity::{NewSession, citizens};
use chrono::{Duration, Utc};
use serde::Deserialize;

/// The citizen identity provider and how its claims are read.
#[derive(Clone)]
pub struct CitizenIdp {
    pub provider: balai_oidc::Provider,
    /// The ID token claim holding the NIK (a string of 16 digits).
    pub nik_claim: String,
    /// `acr` values that mean the provider verified the person at the substantial level; any other
    /// value, or none, gives a basic session.
    pub substantial_acr: Vec<String>,
}

impl std::fmt::Debug for CitizenIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitizenIdp").field("issuer", &self.provider.issuer()).finish_non_exhaustive()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/masuk/idp", get(start)).route("/masuk/idp/callback", get(callback))
}

/// Only same-site paths outside the administration are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    crate::redirect::local_path(next, "/akun", crate::redirect::Area::Public)
}

fn lang_amp(lang: Lang) -> &'static str {
    if lang == Lang::En { "&lang=en" } else { "" }
}

/// The way to the provider on the citizen sign-in page, when one is configured.
pub struct IdpLink {
    pub href: String,
    pub label: &'static str,
    pub or_label: &'static str,
}

impl IdpLink {
    pub fn for_sign_in(state: &AppState, lang: Lang, next: &str) -> Option<IdpLink> {
        state.config.citizen_oidc.as_ref().map(|_| IdpLink {
            href: format!("/masuk/idp?next={}{}", crate::pages::urlencode(next), lang_amp(lang)),
            label: texts::SIGN_IN_WITH_YOUR_DIGITAL.get(lang),
            or_label: texts::OR_WITH_YOUR_NIK_AND.get(lang),
        })
    }
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(params): Query<NextParam>,
) -> Response {
    let Some(idp) = &state.config.citizen_oidc else { return error_page(lang, &uri, AppError::NotFound) };
    let next = safe_next(params.next.as_deref());
    match oidc_flow::leave_for_provider(&state, &idp.provider, LoginFlow::Citizen, next.clone()).await {
        Ok(response) => response,
        Err(NotSent::Unavailable) => {
            refused_page(lang, &uri, StatusCode::SERVICE_UNAVAILABLE, unavailable(lang), &next)
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
    let mut response = match signed_in_citizen(&state, lang, &uri, &headers, params).await {
        Ok((session_token, next)) => {
            // As after a code: the session cookie, and the code sign-in's leftovers cleared. The
            // page moves on by itself, as the browser withholds Strict cookies on this redirect chain.
            let secure = state.config.secure_cookies;
            let mut response = oidc_flow::continue_page(lang, &uri, &next);
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                auth::set_cookie(CITIZEN_COOKIE, &session_token, state.config.session_minutes * 60, secure),
            );
            h.append(header::SET_COOKIE, auth::set_cookie(PENDING_COOKIE, "", 0, secure));
            h.append(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure));
            response
        }
        Err(refused) => refused,
    };
    oidc_flow::spend_binding(&mut response, &state, LoginFlow::Citizen);
    response
}

/// The session token of the citizen the callback proves, and where to go; or the page that says
/// why not.
async fn signed_in_citizen(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    headers: &HeaderMap,
    params: CallbackParams,
) -> Result<(String, String), Response> {
    let Some(idp) = &state.config.citizen_oidc else { return Err(error_page(lang, uri, AppError::NotFound)) };
    let (person, next) = match oidc_flow::come_back(state, &idp.provider, LoginFlow::Citizen, headers, params).await {
        Ok(back) => (back.identity, safe_next(Some(&back.next))),
        Err(Refused { reason, next }) => {
            let next = safe_next(next.as_deref());
            let (status, message) = match reason {
                Refusal::Restart => (StatusCode::UNAUTHORIZED, texts::IDP_SIGN_IN_EXPIRED.get(lang)),
                Refusal::ProviderSaidNo => {
                    (StatusCode::UNAUTHORIZED, texts::THE_DIGITAL_IDENTITY_PROVIDER_DID.get(lang))
                }
                Refusal::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, unavailable(lang)),
                Refusal::Unverified => (StatusCode::UNAUTHORIZED, texts::IDP_SIGN_IN_UNVERIFIED.get(lang)),
                Refusal::Store(e) => return Err(error_page(lang, uri, e.into())),
            };
            return Err(refused_page(lang, uri, status, message, &next));
        }
    };
    let refuse = |status, message: &str| refused_page(lang, uri, status, message, &next);
    // The claim's value is personal data: the log names the claim and the rule, never the value.
    let nik = match person.text_claim(&idp.nik_claim).map(|v| Nik::parse(v, crate::identity::today())) {
        Some(Ok(nik)) => nik,
        found => {
            let rule = match &found {
                Some(Err(e)) => e.code(),
                _ => "missing",
            };
            tracing::warn!(claim = %idp.nik_claim, rule, "citizen IdP sign-in refused: no valid NIK in the ID token");
            return Err(refuse(StatusCode::UNAUTHORIZED, &no_nik(lang, &idp.nik_claim)));
        }
    };
    let assurance = assurance_from_acr(person.acr.as_deref(), &idp.substantial_acr);
    // The register is asked only for a NIK Balai holds no record of, and outside the write
    // transaction: it is a network call, and must not hold the writer.
    let held =
        citizens::held_citizen_id(&state.db, &state.vault, &nik).await.map_err(|e| error_page(lang, uri, e.into()))?;
    let register = match held {
        Some(_) => None,
        None => match state.config.register.lookup(&nik).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "population register lookup failed");
                return Err(refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    texts::THE_POPULATION_REGISTER_CANNOT_BE.get(lang),
                ));
            }
        },
    };
    // Contacts the provider says it verified; bound only at the substantial level (the store checks).
    // One that does not normalise is left out, not guessed at.
    let verified: Vec<(Channel, String)> = [
        (Channel::Email, person.email.as_deref().filter(|_| person.email_verified)),
        (Channel::Sms, person.phone_number.as_deref().filter(|_| person.phone_number_verified)),
    ]
    .into_iter()
    .filter_map(|(channel, value)| Some((channel, normalize_recipient(channel, value?).ok()?)))
    .collect();
    let token = auth::random_token();
    let session = NewSession {
        token_hash: &auth::token_hash(&token),
        csrf_token: &auth::random_token(),
        expires_at: Utc::now() + Duration::minutes(state.config.session_minutes),
    };
    let opened = oidc::sign_in_citizen_from_provider(
        &state.db,
        &state.vault,
        &nik,
        person.name.as_deref(),
        register.as_ref(),
        assurance,
        &verified,
        lang,
        &session,
    )
    .await;
    match opened {
        Ok(CitizenSignedIn { citizen_id, origin, contacts_bound }) => {
            tracing::info!(
                citizen_id,
                origin = ?origin,
                assurance = assurance.code(),
                contacts_bound,
                "citizen signed in through the identity provider"
            );
            Ok((token, next))
        }
        Err(e) => Err(error_page(lang, uri, e.into())),
    }
}

fn no_nik(lang: Lang, claim: &str) -> String {
    texts::THE_DIGITAL_IDENTITY_PROVIDER_SENT.fill(lang, &[("claim", claim)])
}

fn unavailable(lang: Lang) -> &'static str {
    texts::THE_DIGITAL_IDENTITY_PROVIDER_CANNOT.get(lang)
}

#[derive(askama::Template)]
#[template(path = "citizen_idp_refused.html")]
struct RefusedPage {
    chrome: Chrome,
    message: String,
    retry_href: String,
    retry_label: &'static str,
    code_href: String,
    code_label: &'static str,
}

/// Why the sign-in did not happen, with the ways on: the provider again, or NIK and code.
fn refused_page(lang: Lang, uri: &Uri, status: StatusCode, message: &str, next: &str) -> Response {
    let next_q = crate::pages::urlencode(next);
    let page = RefusedPage {
        chrome: Chrome::new(lang, texts::NOT_SIGNED_IN.get(lang), uri),
        message: message.to_owned(),
        retry_href: format!("/masuk/idp?next={next_q}{}", lang_amp(lang)),
        retry_label: texts::TRY_THE_DIGITAL_IDENTITY_AGAIN.get(lang),
        code_href: format!("/masuk?next={next_q}{}", lang_amp(lang)),
        code_label: texts::SIGN_IN_WITH_NIK_AND_CODE.get(lang),
    };
    no_store((status, render(&page)).into_response())
}
