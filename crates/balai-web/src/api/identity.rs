//! Citizen sign-in API: ask for a one-time code, then trade NIK and code for a session cookie.

use super::{answers, with_body_checks};
use crate::AppState;
use crate::auth;
use crate::error::{ApiError, AppError, Problem, Refusal};
use crate::i18n::RequestLang;
use crate::identity::{self, CITIZEN_COOKIE, PENDING_COOKIE};
use crate::ops::ClientAddr;
use crate::pages::identity::texts;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use balai_domain::Lang;
use balai_store::identity::codes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/auth/citizen/code", with_body_checks(post(request_code), state))
        .route("/v1/auth/citizen/verify", with_body_checks(post(verify), state))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The 16-digit NIK.
    #[serde(default)]
    #[schema(required = true)]
    nik: String,
    /// `email`, `sms` or `whatsapp`.
    #[serde(default)]
    #[schema(required = true)]
    channel: String,
    /// The e-mail address or Indonesian mobile number (08… or +628…) on record for this NIK. May be
    /// omitted: the code then goes to the contact on record for the channel. A code is only ever sent
    /// to a contact on record, and the answer is the same whether or not one was sent.
    #[serde(default)]
    to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSentBody {
    channel: String,
    /// The destination, masked (`bu••@contoh.id`, `+62812••••890`): the one typed, or the one on
    /// record when none was typed. The code arrives there only if it is the contact on record.
    sent_to: String,
    expires_in_seconds: i64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VerifyRequest {
    #[serde(default)]
    #[schema(required = true)]
    nik: String,
    /// The 6-digit code.
    #[serde(default)]
    #[schema(required = true)]
    code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedInBody {
    citizen_id: i64,
}

fn parse_body<T: serde::de::DeserializeOwned>(lang: Lang, body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|_| {
        ApiError(
            AppError::from(Refusal {
                status: StatusCode::BAD_REQUEST,
                problem_type: "/problems/bad-body",
                title: texts::INVALID_REQUEST_BODY.get(lang),
                field: None,
                rule: "json_object",
                message: texts::THE_BODY_MUST_BE_A.get(lang).to_owned(),
                retry_after: None,
                attempts_left: None,
            }),
            lang,
        )
    })
}

/// Sends a one-time sign-in code (6 digits, valid 5 minutes, 5 attempts).
#[utoipa::path(post, path = "/api/v1/auth/citizen/code", tag = "identity", request_body = CodeRequest,
    responses(
        (status = 202, description = "Code sent", body = CodeSentBody),
        (status = 400, response = answers::BadRequest),
        (status = 422, description = "The NIK, channel or destination breaks a rule (named in `errors`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many codes for this NIK or from this client (`Retry-After`)", body = Problem,
            content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait before asking again")))
    ))]
pub async fn request_code(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    ClientAddr(client): ClientAddr,
    body: String,
) -> Result<Response, ApiError> {
    let request: CodeRequest = parse_body(lang, &body)?;
    let sent = identity::request_code(&state, lang, &request.nik, &request.channel, &request.to, client)
        .await
        .map_err(|e| ApiError(e, lang))?;
    let mut response = (
        StatusCode::ACCEPTED,
        Json(CodeSentBody {
            channel: sent.channel.code().to_owned(),
            sent_to: sent.masked_recipient,
            expires_in_seconds: sent.expires_in_seconds,
        }),
    )
        .into_response();
    // The code can be entered only with this cookie: nobody who merely knows the NIK can spend its attempts.
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(PENDING_COOKIE, &sent.pending_token, codes::CODE_MINUTES * 60, state.config.secure_cookies),
    );
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Trades NIK and code for a session (an HttpOnly cookie), on the client that asked for the code (its
/// `balai_pending` cookie). A first sign-in creates the citizen record from the population register.
#[utoipa::path(post, path = "/api/v1/auth/citizen/verify", tag = "identity", request_body = VerifyRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignedInBody),
        (status = 400, response = answers::BadRequest),
        (status = 401, description = "Wrong code (`attempts_left`), or no open code on this client", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "The NIK or code is malformed", body = Problem,
            content_type = "application/problem+json")
    ))]
pub async fn verify(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    headers: axum::http::HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    let request: VerifyRequest = parse_body(lang, &body)?;
    let pending = auth::cookie_value(&headers, PENDING_COOKIE);
    let signed_in = identity::verify_code(&state, lang, pending, Some(&request.nik), &request.code)
        .await
        .map_err(|e| ApiError(e, lang))?;
    let mut response = Json(SignedInBody { citizen_id: signed_in.citizen_id }).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            CITIZEN_COOKIE,
            &signed_in.session_token,
            state.config.session_minutes * 60,
            state.config.secure_cookies,
        ),
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(PENDING_COOKIE, "", 0, state.config.secure_cookies));
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}
