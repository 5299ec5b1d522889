//! Errors at the HTTP edge: every failure is mapped here, once, to RFC 9457 problem+json for the API
//! or to an HTML page for people.

use crate::texts::common as texts;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use balai_domain::Lang;
use balai_domain::validation::FieldErrors;
use balai_store::StoreError;
use serde::Serialize;

/// What a parameter should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Positive,
    /// A page number within [`balai_store::Paging::MAX_PAGE`].
    PageNumber,
    NonNegative,
    AtMost100,
    RegionCode,
    WithinTree,
    LeafRange,
    /// An `Idempotency-Key` header of 1 to 100 characters.
    IdempotencyKey,
    /// A JSON object `{government, service, fields, documents}`.
    ApplicationBody,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A payment gateway's notification body.
    PaymentNotification,
}

impl Expected {
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Expected::Positive => texts::EXPECTED_POSITIVE,
            Expected::PageNumber => texts::EXPECTED_PAGE_NUMBER,
            Expected::NonNegative => texts::EXPECTED_NON_NEGATIVE,
            Expected::AtMost100 => texts::EXPECTED_AT_MOST_100,
            Expected::RegionCode => texts::EXPECTED_REGION_CODE,
            Expected::WithinTree => texts::EXPECTED_WITHIN_TREE,
            Expected::LeafRange => texts::EXPECTED_LEAF_RANGE,
            Expected::IdempotencyKey => texts::EXPECTED_IDEMPOTENCY_KEY,
            Expected::ApplicationBody => texts::EXPECTED_APPLICATION_BODY,
            Expected::Date => texts::EXPECTED_DATE,
            Expected::PaymentNotification => texts::EXPECTED_PAYMENT_NOTIFICATION,
        }
        .get(lang)
    }
}

/// What went wrong, independent of how it is shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad parameter {param}")]
    BadParameter { param: &'static str, expected: Expected },
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("stale version")]
    StaleVersion { current: i64 },
    #[error("forbidden")]
    Forbidden,
    /// The case's workflow does not allow this event now.
    #[error("workflow: {0}")]
    Workflow(balai_domain::applications::WorkflowError),
    /// The complaint flow does not allow this event now.
    #[error("complaint flow: {0}")]
    ComplaintFlow(balai_store::complaints::FlowError),
    /// A deadline could not be counted: the calendar lacks a year (an administrator must add it).
    #[error("calendar: {0}")]
    Calendar(balai_domain::calendar::CalendarError),
    /// An idempotency key reused with a different request.
    #[error("idempotency key reused")]
    IdempotencyConflict,
    #[error("too many requests")]
    TooManyRequests,
    /// A request refused by a rule of the domain, already phrased in the request's language.
    #[error("refused: {}", .0.rule)]
    Refused(Box<Refusal>),
    /// The database cannot be reached or refuses work for now: nothing was written, and the same
    /// request may succeed in a few seconds.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The database went away while a change was committing: it may or may not have been saved.
    #[error("outcome unknown: {0}")]
    Unconfirmed(String),
    #[error("internal error")]
    Internal(String),
}

/// Seconds a client is asked to wait before repeating a request the database could not take.
pub const UNAVAILABLE_RETRY_AFTER: i64 = 5;

/// A refusal that names the rule (and the field, when one is at fault).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: StatusCode,
    pub problem_type: &'static str,
    pub title: &'static str,
    pub field: Option<&'static str>,
    pub rule: &'static str,
    pub message: String,
    /// Seconds until a throttled request may be repeated (also sent as `Retry-After`).
    pub retry_after: Option<i64>,
    /// Attempts left on a one-time code.
    pub attempts_left: Option<i64>,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(Box::new(r))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::StaleVersion { current } => AppError::StaleVersion { current },
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Workflow(e) => AppError::Workflow(e),
            StoreError::ComplaintFlow(e) => AppError::ComplaintFlow(e),
            StoreError::Calendar(e) => AppError::Calendar(e),
            StoreError::IdempotencyConflict => AppError::IdempotencyConflict,
            StoreError::TooManyRequests => AppError::TooManyRequests,
            StoreError::Unconfirmed(e) => AppError::Unconfirmed(e.to_string()),
            other if other.is_unavailable() => AppError::Unavailable(other.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::StaleVersion { .. } => StatusCode::CONFLICT,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Workflow(_)
            | AppError::ComplaintFlow(_)
            | AppError::Calendar(_)
            | AppError::IdempotencyConflict => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Refused(r) => r.status,
            AppError::Unavailable(_) | AppError::Unconfirmed(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable problem type: clients branch on this, never on the wording.
    pub fn problem_type(&self) -> &'static str {
        match self {
            AppError::NotFound => "/problems/not-found",
            AppError::BadParameter { .. } => "/problems/bad-parameter",
            AppError::Invalid(_) => "/problems/validation",
            AppError::StaleVersion { .. } => "/problems/stale-version",
            AppError::Forbidden => "/problems/forbidden",
            AppError::Workflow(_) | AppError::ComplaintFlow(_) => "/problems/workflow",
            AppError::Calendar(_) => "/problems/calendar-not-covered",
            AppError::IdempotencyConflict => "/problems/idempotency-key-reused",
            AppError::TooManyRequests => "/problems/too-many-requests",
            AppError::Refused(r) => r.problem_type,
            AppError::Unavailable(_) => "/problems/unavailable",
            AppError::Unconfirmed(_) => "/problems/outcome-unknown",
            AppError::Internal(_) => "/problems/internal",
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self {
            AppError::NotFound => texts::NOT_FOUND_TITLE.get(lang),
            AppError::BadParameter { .. } => texts::BAD_PARAMETER_TITLE.get(lang),
            AppError::Invalid(_) => texts::INVALID_TITLE.get(lang),
            AppError::StaleVersion { .. } => texts::STALE_VERSION_TITLE.get(lang),
            AppError::Forbidden => texts::FORBIDDEN_TITLE.get(lang),
            AppError::Workflow(_) | AppError::ComplaintFlow(_) => texts::WORKFLOW_TITLE.get(lang),
            AppError::Calendar(_) => texts::CALENDAR_TITLE.get(lang),
            AppError::IdempotencyConflict => texts::KEY_REUSED_TITLE.get(lang),
            AppError::TooManyRequests => texts::TOO_MANY_TITLE.get(lang),
            AppError::Refused(r) => r.title,
            AppError::Unavailable(_) | AppError::Unconfirmed(_) => texts::UNAVAILABLE_TITLE.get(lang),
            AppError::Internal(_) => texts::INTERNAL_TITLE.get(lang),
        }
    }

    pub fn detail(&self, lang: Lang) -> String {
        match self {
            AppError::NotFound => texts::NOT_FOUND_DETAIL.get(lang).into(),
            AppError::BadParameter { param, expected } => {
                texts::BAD_PARAMETER_DETAIL.fill(lang, &[("param", param), ("expected", expected.text(lang))])
            }
            AppError::Invalid(errors) => texts::INVALID_DETAIL.fill(lang, &[("count", &errors.0.len().to_string())]),
            AppError::StaleVersion { current } => {
                texts::STALE_VERSION_DETAIL.fill(lang, &[("current", &current.to_string())])
            }
            AppError::Forbidden => texts::FORBIDDEN_DETAIL.get(lang).into(),
            AppError::Workflow(e) => e.message(lang),
            AppError::ComplaintFlow(e) => balai_domain::complaints::flow_message(e, lang),
            AppError::Calendar(balai_domain::calendar::CalendarError::YearNotCovered(year)) => {
                texts::CALENDAR_YEAR_DETAIL.fill(lang, &[("year", &year.to_string())])
            }
            AppError::Calendar(balai_domain::calendar::CalendarError::TooManyDays(days)) => {
                texts::CALENDAR_DAYS_DETAIL.fill(lang, &[("days", &days.to_string())])
            }
            AppError::IdempotencyConflict => texts::KEY_REUSED_DETAIL.get(lang).into(),
            AppError::TooManyRequests => texts::TOO_MANY_DETAIL.get(lang).into(),
            AppError::Refused(r) => r.message.clone(),
            // Internal details go to the log, never to the client.
            AppError::Unavailable(_) => texts::UNAVAILABLE_DETAIL.get(lang).into(),
            AppError::Unconfirmed(_) => texts::UNCONFIRMED_DETAIL.get(lang).into(),
            AppError::Internal(_) => texts::INTERNAL_DETAIL.get(lang).into(),
        }
    }

    /// The problem document for this error in the given language.
    pub fn problem(&self, lang: Lang) -> Problem {
        let errors = match self {
            AppError::Invalid(errors) => errors
                .0
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    rule: rule_name(&e.rule),
                    message: e.rule.message(lang),
                })
                .collect(),
            AppError::Refused(r) => r
                .field
                .map(|field| ProblemField {
                    field: field.to_owned(),
                    rule: r.rule.to_owned(),
                    message: r.message.clone(),
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let (retry_after, attempts_left) = match self {
            AppError::Refused(r) => (r.retry_after, r.attempts_left),
            AppError::Unavailable(_) | AppError::Unconfirmed(_) => (Some(UNAVAILABLE_RETRY_AFTER), None),
            _ => (None, None),
        };
        let param = match self {
            AppError::BadParameter { param, .. } => Some((*param).to_owned()),
            _ => None,
        };
        Problem {
            problem_type: self.problem_type().to_owned(),
            title: self.title(lang).to_owned(),
            status: self.status().as_u16(),
            detail: self.detail(lang),
            param,
            errors,
            retry_after,
            attempts_left,
        }
    }

    pub fn log(&self) {
        match self {
            AppError::Internal(message) => tracing::error!(error = %message, "request failed"),
            // Expected while the database is away: one line per request, not an alarm per request.
            AppError::Unavailable(message) => tracing::warn!(error = %message, "database unavailable"),
            AppError::Unconfirmed(message) => tracing::warn!(error = %message, "database lost during a commit"),
            _ => {}
        }
    }

    /// The `Retry-After` seconds this error asks for, if any.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            AppError::Refused(r) => r.retry_after,
            AppError::Unavailable(_) | AppError::Unconfirmed(_) => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }
}

fn rule_name(rule: &balai_domain::validation::Rule) -> String {
    serde_json::to_value(rule)
        .ok()
        .and_then(|v| v.get("rule").and_then(|r| r.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The query or path parameter at fault, for `bad-parameter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// One entry per field that failed validation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Seconds to wait before repeating a throttled request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// Attempts left on a one-time code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub rule: String,
    pub message: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// An API failure in the request's language.
pub struct ApiError(pub AppError, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        self.0.problem(self.1).into_response()
    }
}

/// The largest rejection text read back to find the field it names.
const REJECTION_TEXT_LIMIT: usize = 4096;

/// axum answers a request it cannot read (a query, form, JSON body or path that does not fit the
/// handler's types, a body too large or of the wrong type) with a plain-text 4xx naming Rust types
/// and fields. No handler of ours answers a 4xx in plain text, so such a response is one of those:
/// it is replaced here, once, by problem+json under `/api/` and by the error page elsewhere, in the
/// request's language. Only a missing field's name is kept: it is one of our form or JSON names.
pub async fn readable_rejections(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (parts, body) = request.into_parts();
    let lang = crate::i18n::lang_of(&parts);
    let uri = parts.uri.clone();
    let response = next.run(axum::extract::Request::from_parts(parts, body)).await;
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !response.status().is_client_error() || !plain_text {
        return response;
    }
    let status = response.status();
    let text = axum::body::to_bytes(response.into_body(), REJECTION_TEXT_LIMIT).await.unwrap_or_default();
    let field = missing_field(&String::from_utf8_lossy(&text));
    tracing::info!(status = status.as_u16(), field = field.as_deref().unwrap_or("-"), "request could not be read");
    let error = AppError::from(unreadable(lang, status, field.as_deref()));
    answer_for(lang, &uri, error)
}

/// An error met in an extractor: [`answer_for`] the request as the client sent it (a nested router
/// sees its path without the prefix it is nested under).
pub fn answer_for_parts(parts: &axum::http::request::Parts, error: AppError) -> Response {
    let uri = parts.extensions.get::<axum::extract::OriginalUri>().map_or(&parts.uri, |o| &o.0);
    answer_for(crate::i18n::lang_of(parts), uri, error)
}

/// An error met outside a handler (in an extractor or a layer): problem+json under `/api/`, the
/// error page elsewhere, in the request's language.
pub fn answer_for(lang: Lang, uri: &axum::http::Uri, error: AppError) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(error, lang).into_response()
    } else {
        crate::pages::error_page(lang, uri, error)
    }
}

/// The field serde names in "missing field `nik`", when it is a plain name.
fn missing_field(text: &str) -> Option<String> {
    let rest = text.split("missing field `").nth(1)?;
    let name = rest.split('`').next()?;
    let plain = !name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plain.then(|| name.to_owned())
}

fn unreadable(lang: Lang, status: StatusCode, field: Option<&str>) -> Refusal {
    let (problem_type, title, rule, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "/problems/too-large",
            texts::TOO_LARGE_TITLE.get(lang),
            "body_size",
            texts::TOO_LARGE_DETAIL.get(lang).to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "/problems/unsupported-media-type",
            texts::UNSUPPORTED_MEDIA_TYPE_TITLE.get(lang),
            "content_type",
            texts::UNSUPPORTED_MEDIA_TYPE_DETAIL.get(lang).to_owned(),
        ),
        _ => (
            "/problems/bad-request",
            texts::UNREADABLE_TITLE.get(lang),
            "readable_request",
            match field {
                Some(f) => texts::UNREADABLE_MISSING_FIELD.fill(lang, &[("field", f)]),
                None => texts::UNREADABLE_DETAIL.get(lang).to_owned(),
            },
        ),
    };
    // Keep the client-error status axum chose (400, 413, 415, 422).
    Refusal { status, problem_type, title, field: None, rule, message, retry_after: None, attempts_left: None }
}
