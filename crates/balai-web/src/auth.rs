//! Administrator authentication for the catalogue: server-side sessions, CSRF (password hashes and
//! second-factor codes are [`balai_auth`]'s).
//!
//! The session cookie holds a random token; the database holds only its SHA-256. Every form carries the
//! session's CSRF token; the sign-in form, which has no session yet, uses a double-submit cookie.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use balai_domain::identity::{Action, Principal, Target, permits};
use balai_domain::org::Place;
use balai_store::identity;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "balai_admin";
/// The half-open session between a right password and a right second factor.
pub const TOTP_COOKIE: &str = "balai_admin_totp";
pub const LOGIN_CSRF_COOKIE: &str = "balai_login_csrf";

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How the edge flags and names its cookies. Decided once, by the binary; every cookie goes through
/// [`set_cookie`] (or [`set_return_cookie`]) and is read back through [`cookie_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// Neither `Secure` nor a prefix: only for a plain-http deployment on a host other than loopback.
    Plain,
    /// `Secure` cookies under their plain names, and HSTS: the demo on `http://127.0.0.1` (browsers
    /// accept `Secure` there, and no sibling host can plant cookies on a loopback address).
    Secure,
    /// `Secure` cookies named `__Host-…` (so `Path=/` and no `Domain`: a sibling subdomain cannot
    /// plant or overwrite them), and HSTS. A deployment behind TLS.
    HostOnly,
}

impl CookieSecurity {
    pub fn secure(self) -> bool {
        self != CookieSecurity::Plain
    }

    /// The name a cookie travels under.
    pub fn name(self, name: &str) -> String {
        match self {
            CookieSecurity::HostOnly => format!("{HOST_PREFIX}{name}"),
            _ => name.to_owned(),
        }
    }
}

const HOST_PREFIX: &str = "__Host-";
/// Every cookie Balai sets has a name in this namespace.
const NAMESPACE: &str = "balai_";

pub fn cookie_value<'a>(parts_headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
}

pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, security: CookieSecurity) -> HeaderValue {
    cookie(name, value, max_age_seconds, security, "Strict")
}

/// A cookie that must come back on a top-level navigation from another site (the identity
/// provider's redirect to our callback), which `SameSite=Strict` would withhold.
pub fn set_return_cookie(name: &str, value: &str, max_age_seconds: i64, security: CookieSecurity) -> HeaderValue {
    cookie(name, value, max_age_seconds, security, "Lax")
}

fn cookie(name: &str, value: &str, max_age_seconds: i64, security: CookieSecurity, same_site: &str) -> HeaderValue {
    debug_assert!(name.starts_with(NAMESPACE), "cookie {name} outside the namespace the edge guards");
    let secure = if security.secure() { "; Secure" } else { "" };
    let name = security.name(name);
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite={same_site}{secure}"
    ))
    .expect("cookie text is ASCII")
}

/// Cookies in, HSTS out. With `__Host-` names, handlers still ask for cookies by their plain names:
/// the request's `Cookie` header is rewritten here, keeping only the prefixed form of Balai's
/// cookies, so a plain-named cookie planted by a sibling host is never read.
pub async fn cookie_edge(
    axum::extract::State(security): axum::extract::State<CookieSecurity>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if security == CookieSecurity::HostOnly {
        let kept: Vec<String> = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .filter_map(|c| match c.strip_prefix(HOST_PREFIX) {
                Some(ours) if ours.starts_with(NAMESPACE) => Some(ours.to_owned()),
                Some(_) => Some(c.to_owned()),
                None if c.starts_with(NAMESPACE) => None,
                None => Some(c.to_owned()),
            })
            .collect();
        let headers = request.headers_mut();
        headers.remove(header::COOKIE);
        if let Ok(value) = HeaderValue::from_str(&kept.join("; "))
            && !kept.is_empty()
        {
            headers.insert(header::COOKIE, value);
        }
    }
    let mut response = next.run(request).await;
    if security.secure() {
        // Browsers heed this only over HTTPS; on the plain-http demo it is ignored.
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// How long a sign-in form may stay open.
pub const LOGIN_CSRF_SECONDS: i64 = 3600;
const LOGIN_CSRF_KIND: &str = "sign-in-form";

/// A new token for a sign-in form, which has no session to carry one: returns the token for the
/// form and the `Set-Cookie` that carries the same token (double submit). The token is random,
/// stamped with its time and signed with a key derived from the server's personal-data key, so a
/// cookie someone else planted with a value of their choosing (cookie tossing) does not pass
/// [`login_csrf_ok`], and a harvested one expires.
pub fn issue_login_csrf(state: &AppState) -> (String, HeaderValue) {
    let body = format!("{}.{}", random_token(), state.config.clock.now().timestamp());
    let token = format!("{body}.{}", state.vault.lookup_hash(LOGIN_CSRF_KIND, &body));
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &token, LOGIN_CSRF_SECONDS, state.config.secure_cookies);
    (token, cookie)
}

/// The sign-in form's token matches its cookie, carries this server's signature and is fresh.
pub fn login_csrf_ok(state: &AppState, headers: &axum::http::HeaderMap, submitted: &str) -> bool {
    let Some(cookie) = cookie_value(headers, LOGIN_CSRF_COOKIE) else { return false };
    if cookie.is_empty() || !same_secret(cookie, submitted) {
        return false;
    }
    let Some((body, signature)) = cookie.rsplit_once('.') else { return false };
    let Some(issued) = body.split_once('.').and_then(|(_, t)| t.parse::<i64>().ok()) else { return false };
    // A minute of clock difference between nodes is tolerated.
    let age = state.config.clock.now().timestamp().saturating_sub(issued);
    (-60..=LOGIN_CSRF_SECONDS).contains(&age) && same_secret(signature, &state.vault.lookup_hash(LOGIN_CSRF_KIND, body))
}

/// A signed-in officer on the administration pages. Extracting it from a request without a live
/// session redirects to sign-in, remembering the page. What the officer may do is asked of
/// [`balai_domain::identity::permits`], through [`Admin::may`].
pub struct Admin {
    pub admin_id: i64,
    pub username: String,
    pub display_name: String,
    pub principal: Principal,
    pub csrf_token: String,
    pub token_hash: String,
}

impl Admin {
    /// The one permission check, for this officer.
    pub fn may(&self, action: Action, target: &Target) -> bool {
        permits(&self.principal, action, target)
    }

    /// Whether this officer may manage something of the given government's catalogue (all of it as
    /// its admin, or their own agency's part as its head).
    pub fn manages(&self, government_id: i64) -> bool {
        let own_part = Target::at(Place { government_id, agency_id: self.principal.agency_id, unit_id: None });
        self.may(Action::ManageCatalogue, &own_part)
    }

    /// The officer as the audit log names them.
    pub fn actor(&self) -> balai_store::audit::Actor {
        balai_store::audit::Actor::officer(self.admin_id)
    }

    pub fn check_csrf(&self, submitted: &str) -> bool {
        same_secret(&self.csrf_token, submitted)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts.uri.path();
            Redirect::to(&format!("/admin/masuk?next={}", crate::pages::urlencode(next))).into_response()
        };
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = token_hash(token);
        match identity::officer_session(&state.db, &hash, state.config.clock.now()).await {
            Ok(Some(s)) => Ok(Admin {
                admin_id: s.officer_id,
                principal: s.principal(),
                username: s.username,
                display_name: s.display_name,
                csrf_token: s.csrf_token,
                token_hash: hash,
            }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::error::answer_for_parts(parts, e.into())),
        }
    }
}

/// A signed-in citizen. Extracting it without a live session redirects to the citizen sign-in page,
/// remembering the page.
pub struct Citizen {
    pub citizen_id: i64,
    pub csrf_token: String,
    pub token_hash: String,
    /// How surely this session proves the person.
    pub assurance: balai_domain::identity::Assurance,
}

impl Citizen {
    pub fn check_csrf(&self, submitted: &str) -> bool {
        same_secret(&self.csrf_token, submitted)
    }

    /// The one permission check, for a citizen's own actions (which know the session's level).
    pub fn may(&self, action: Action) -> bool {
        permits(&Principal::citizen(self.citizen_id, self.assurance), action, &Target::citizen(self.citizen_id))
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_sign_in = || {
            let next = parts.uri.path();
            Redirect::to(&format!("/masuk?next={}", crate::pages::urlencode(next))).into_response()
        };
        let Some(token) = cookie_value(&parts.headers, crate::identity::CITIZEN_COOKIE) else {
            return Err(to_sign_in());
        };
        let hash = token_hash(token);
        match identity::live_session(&state.db, identity::PrincipalKind::Citizen, &hash, state.config.clock.now()).await
        {
            Ok(Some(s)) => Ok(Citizen {
                citizen_id: s.principal_id,
                assurance: s.citizen_assurance(),
                csrf_token: s.csrf_token,
                token_hash: hash,
            }),
            Ok(None) => Err(to_sign_in()),
            Err(e) => Err(crate::error::answer_for_parts(parts, e.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "ab"));
    }
}
