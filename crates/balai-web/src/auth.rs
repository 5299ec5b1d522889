//! Administrator authentication for the catalogue: Argon2id passwords, server-side sessions, CSRF.
//!
//! The session cookie holds a random token; the database holds only its SHA-256. Every form carries the
//! session's CSRF token; the sign-in form, which has no session yet, uses a double-submit cookie.

use crate::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use balai_store::identity;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "balai_admin";
pub const LOGIN_CSRF_COOKIE: &str = "balai_login_csrf";

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

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

pub fn cookie_value<'a>(parts_headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
}

pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("cookie text is ASCII")
}

/// A signed-in administrator. Extracting it from a request without a live session redirects to sign-in,
/// remembering the page.
pub struct Admin {
    pub admin_id: i64,
    pub username: String,
    pub display_name: String,
    pub government_id: Option<i64>,
    pub csrf_token: String,
    pub token_hash: String,
}

impl Admin {
    /// Whether this admin may manage the given government's catalogue.
    pub fn manages(&self, government_id: i64) -> bool {
        self.government_id.is_none_or(|g| g == government_id)
    }

    /// The admin as the audit log names them.
    pub fn actor(&self) -> balai_store::audit::Actor {
        balai_store::audit::Actor::admin(self.admin_id)
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
            Redirect::to(&format!("/admin/masuk?next={}", crate::pages::catalogue::urlencode(next))).into_response()
        };
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = token_hash(token);
        match identity::session(&state.db, &hash, Utc::now()).await {
            Ok(Some(s)) => Ok(Admin {
                admin_id: s.admin_id,
                username: s.username,
                display_name: s.display_name,
                government_id: s.government_id,
                csrf_token: s.csrf_token,
                token_hash: hash,
            }),
            Ok(None) => Err(to_login()),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Err(axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response())
            }
        }
    }
}

/// A signed-in citizen. Extracting it without a live session redirects to the citizen sign-in page,
/// remembering the page.
pub struct Citizen {
    pub citizen_id: i64,
    pub csrf_token: String,
    pub token_hash: String,
}

impl Citizen {
    pub fn check_csrf(&self, submitted: &str) -> bool {
        same_secret(&self.csrf_token, submitted)
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_sign_in = || {
            let next = parts.uri.path();
            Redirect::to(&format!("/masuk?next={}", crate::pages::catalogue::urlencode(next))).into_response()
        };
        let Some(token) = cookie_value(&parts.headers, crate::identity::CITIZEN_COOKIE) else {
            return Err(to_sign_in());
        };
        let hash = token_hash(token);
        match identity::live_session(&state.db, identity::PrincipalKind::Citizen, &hash, Utc::now()).await {
            Ok(Some(s)) => Ok(Citizen { citizen_id: s.principal_id, csrf_token: s.csrf_token, token_hash: hash }),
            Ok(None) => Err(to_sign_in()),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Err(axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let hash = hash_password("rahasia-sekali");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "rahasia-sekali"));
        assert!(!verify_password(&hash, "rahasia-sekalI"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "ab"));
    }
}
