//! The preamble every form post shares, written once: who is signed in (or off to sign-in), the
//! page language, and the CSRF token, whose mismatch is answered with the error page (403) before
//! the handler runs. Handlers then parse, call one command, and render.

use crate::AppState;
use crate::auth::{Admin, Citizen};
use crate::error::AppError;
use crate::i18n::lang_of;
use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use balai_domain::Lang;
use serde::de::DeserializeOwned;

/// A posted form that carries the session's CSRF token.
pub trait CsrfField {
    fn csrf(&self) -> &str;
}

/// Raw pairs (forms with numbered rows): the token is the `csrf` pair.
impl CsrfField for Vec<(String, String)> {
    fn csrf(&self) -> &str {
        self.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default()
    }
}

/// A form an officer posted, its CSRF token checked against their session.
pub struct OfficerPost<T> {
    pub admin: Admin,
    pub lang: Lang,
    pub uri: Uri,
    pub form: T,
}

/// A form a citizen posted, its CSRF token checked against their session.
pub struct CitizenPost<T> {
    pub citizen: Citizen,
    pub lang: Lang,
    pub uri: Uri,
    pub form: T,
}

/// Splits the request into its session principal `P` and its form `T`, or the response that ends it.
async fn session_and_form<P, T>(req: Request, state: &AppState) -> Result<(P, Lang, Uri, T), Response>
where
    P: FromRequestParts<AppState, Rejection = Response>,
    T: DeserializeOwned + CsrfField,
{
    let (mut parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let uri = parts.uri.clone();
    let principal = P::from_request_parts(&mut parts, state).await?;
    let Form(form) =
        Form::<T>::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
    Ok((principal, lang, uri, form))
}

impl<T> FromRequest<AppState> for OfficerPost<T>
where
    T: DeserializeOwned + CsrfField + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (admin, lang, uri, form) = session_and_form::<Admin, T>(req, state).await?;
        if !admin.check_csrf(form.csrf()) {
            tracing::warn!(admin_id = admin.admin_id, "officer form refused: CSRF token mismatch");
            return Err(crate::pages::error_page(lang, &uri, AppError::Forbidden));
        }
        Ok(OfficerPost { admin, lang, uri, form })
    }
}

impl<T> FromRequest<AppState> for CitizenPost<T>
where
    T: DeserializeOwned + CsrfField + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (citizen, lang, uri, form) = session_and_form::<Citizen, T>(req, state).await?;
        if !citizen.check_csrf(form.csrf()) {
            tracing::warn!("citizen form refused: CSRF token mismatch");
            return Err(crate::pages::error_page(lang, &uri, AppError::Forbidden));
        }
        Ok(CitizenPost { citizen, lang, uri, form })
    }
}

/// Implements [`CsrfField`] for form structs with a `csrf: String` field.
macro_rules! csrf_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::posted::CsrfField for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use csrf_form;
