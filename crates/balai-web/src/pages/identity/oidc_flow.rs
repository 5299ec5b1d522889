//! The OpenID Connect round trip both sign-ins share: officers at `/admin/masuk/oidc` through the
//! government's provider, citizens at `/masuk/idp` through a citizen identity provider.
//!
//! Leaving, a pending sign-in (state, nonce, PKCE verifier, where to go next) is kept in the
//! database under the hash of a cookie set on this browser, marked with its flow. Coming back, the
//! callback takes that browser's pending sign-in of its own flow, once, within ten minutes, checks
//! the state and has the provider's answer verified (code with the PKCE verifier, ID token against
//! the nonce). Everything after that (what the claims mean) is each flow's own.

use super::texts;
use crate::AppState;
use crate::auth;
use crate::pages::{Chrome, no_store, render};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use balai_domain::Lang;
use balai_oidc::{OidcError, Provider, VerifiedIdentity};
use balai_store::StoreError;
use balai_store::identity::oidc::{self, LoginFlow, PendingLogin};
use chrono::{Duration, Utc};
use serde::Deserialize;

/// How long the provider may take to send the browser back.
pub(super) const PENDING_MINUTES: i64 = 10;

/// The cookie that binds a pending sign-in of `flow` to the browser that started it.
fn binding_cookie(flow: LoginFlow) -> &'static str {
    match flow {
        LoginFlow::Officer => "balai_oidc",
        LoginFlow::Citizen => "balai_idp",
    }
}

/// Why the browser could not be sent to the provider.
pub(super) enum NotSent {
    /// The provider cannot be reached or describes itself wrongly.
    Unavailable,
    Store(StoreError),
}

/// Sends the browser to the provider, keeping the pending sign-in under a cookie bound to it.
/// `next` must already be a safe path of the flow's area.
pub(super) async fn leave_for_provider(
    state: &AppState,
    provider: &Provider,
    flow: LoginFlow,
    next: String,
) -> Result<Response, NotSent> {
    let started = provider.start().await.map_err(|e| {
        tracing::error!(flow = flow.code(), error = %e, "OIDC sign-in could not start");
        NotSent::Unavailable
    })?;
    let binding = auth::random_token();
    let pending = PendingLogin {
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next_path: next,
    };
    let kept = oidc::keep_pending_login(
        &state.db,
        &state.vault,
        flow,
        &auth::token_hash(&binding),
        &pending,
        Utc::now() + Duration::minutes(PENDING_MINUTES),
    )
    .await;
    kept.map_err(NotSent::Store)?;
    let mut response = Redirect::to(&started.authorize_url).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_return_cookie(binding_cookie(flow), &binding, PENDING_MINUTES * 60, state.config.secure_cookies),
    );
    Ok(response)
}

/// What the provider sends back (RFC 6749 section 4.1.2).
#[derive(Deserialize)]
pub(super) struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a callback proved nobody.
pub(super) enum Refusal {
    /// No pending sign-in of this flow from this browser (expired, used, forged), a state that is not
    /// its own, or no code: the person starts again.
    Restart,
    /// The provider answered with an error (the person cancelled, or the provider said no).
    ProviderSaidNo,
    /// The provider cannot be reached or describes itself wrongly.
    Unavailable,
    /// The code or the ID token did not verify.
    Unverified,
    Store(StoreError),
}

/// A callback refused, with the pending sign-in's `next` (unchecked) when there was one.
pub(super) struct Refused {
    pub reason: Refusal,
    pub next: Option<String>,
}

/// A person the provider vouched for, and where they wanted to go (unchecked: the flow checks it
/// again against its own area, as the row may predate a stricter rule).
pub(super) struct CameBack {
    pub identity: VerifiedIdentity,
    pub next: String,
}

/// Takes this browser's pending sign-in of `flow` and has the provider's answer verified.
pub(super) async fn come_back(
    state: &AppState,
    provider: &Provider,
    flow: LoginFlow,
    headers: &HeaderMap,
    params: CallbackParams,
) -> Result<CameBack, Refused> {
    let f = flow.code();
    let refused = |reason, next: Option<&str>| Refused { reason, next: next.map(str::to_owned) };
    let pending = match auth::cookie_value(headers, binding_cookie(flow)) {
        None => None,
        Some(binding) => {
            let taken =
                oidc::take_pending_login(&state.db, &state.vault, flow, &auth::token_hash(binding), Utc::now()).await;
            taken.map_err(|e| refused(Refusal::Store(e), None))?
        }
    };
    let Some(pending) = pending else {
        tracing::warn!(
            flow = f,
            "OIDC callback refused: no pending sign-in from this browser (expired, used or forged)"
        );
        return Err(refused(Refusal::Restart, None));
    };
    let next = Some(pending.next_path.as_str());
    if !params.state.as_deref().is_some_and(|s| auth::same_secret(s, &pending.state)) {
        tracing::warn!(flow = f, "OIDC callback refused: the state does not match the pending sign-in");
        return Err(refused(Refusal::Restart, next));
    }
    if let Some(error) = params.error {
        // The provider's error code (RFC 6749 section 4.1.2.1) names no person.
        tracing::info!(flow = f, error = %error.chars().take(64).collect::<String>(), "identity provider refused the sign-in");
        return Err(refused(Refusal::ProviderSaidNo, next));
    }
    let Some(code) = params.code else {
        tracing::warn!(flow = f, "OIDC callback refused: no authorization code");
        return Err(refused(Refusal::Restart, next));
    };
    match provider.finish(code, pending.nonce.clone(), pending.pkce_verifier.clone()).await {
        Ok(identity) => Ok(CameBack { identity, next: pending.next_path }),
        Err(e) => {
            tracing::warn!(flow = f, error = %e, "OIDC callback refused");
            let reason = match e {
                OidcError::Discovery(_) | OidcError::Settings(_) => Refusal::Unavailable,
                _ => Refusal::Unverified,
            };
            Err(refused(reason, next))
        }
    }
}

/// Clears the binding cookie: the pending sign-in was used up, whatever the outcome.
pub(super) fn spend_binding(response: &mut Response, state: &AppState, flow: LoginFlow) {
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_return_cookie(binding_cookie(flow), "", 0, state.config.secure_cookies));
}

#[derive(askama::Template)]
#[template(path = "signed_in_continue.html")]
struct ContinuePage {
    chrome: Chrome,
    heading: &'static str,
    continue_label: &'static str,
    next: String,
}

/// The page after a sign-in that came back from another site: it moves on to `next` by itself
/// (meta refresh, no script) and offers the link for those whose browsers do not. Back from the
/// provider the browser is on a cross-site redirect chain, where it would withhold the
/// SameSite=Strict session cookie from a redirect; this page starts a same-site navigation instead.
pub(super) fn continue_page(lang: Lang, uri: &Uri, next: &str) -> Response {
    let heading = texts::YOU_ARE_SIGNED_IN.get(lang);
    let page = ContinuePage {
        chrome: Chrome::new(lang, heading, uri),
        heading,
        continue_label: texts::CONTINUE.get(lang),
        next: next.to_owned(),
    };
    no_store(render(&page))
}
