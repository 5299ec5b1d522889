//! Errors at the HTTP edge: every failure is mapped here, once, to RFC 9457 problem+json for the API
//! or to an HTML page for people.

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
}

impl Expected {
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Expected::Positive => lang.pick("bilangan bulat ≥ 1", "a whole number ≥ 1"),
            Expected::PageNumber => lang.pick("bilangan bulat 1–10000", "a whole number from 1 to 10000"),
            Expected::NonNegative => lang.pick("bilangan bulat ≥ 0", "a whole number ≥ 0"),
            Expected::AtMost100 => lang.pick("paling banyak 100", "at most 100"),
            Expected::RegionCode => lang.pick("kode wilayah seperti 53.71", "a region code such as 53.71"),
            Expected::WithinTree => lang.pick("dalam ukuran pohon saat ini", "within the current tree size"),
            Expected::LeafRange => lang.pick(
                "antara start dan start + 1000, dalam ukuran pohon",
                "between start and start + 1000, within the tree size",
            ),
        }
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
    /// A request refused by a rule of the domain, already phrased in the request's language.
    #[error("refused: {}", .0.rule)]
    Refused(Box<Refusal>),
    #[error("internal error")]
    Internal(String),
}

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
            AppError::Refused(r) => r.status,
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
            AppError::Refused(r) => r.problem_type,
            AppError::Internal(_) => "/problems/internal",
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self {
            AppError::NotFound => lang.pick("Tidak ditemukan", "Not found"),
            AppError::BadParameter { .. } => lang.pick("Parameter tidak sah", "Invalid parameter"),
            AppError::Invalid(_) => lang.pick("Isian tidak sah", "Invalid input"),
            AppError::StaleVersion { .. } => lang.pick("Data sudah diubah orang lain", "Changed by someone else"),
            AppError::Forbidden => lang.pick("Tidak diizinkan", "Forbidden"),
            AppError::Refused(r) => r.title,
            AppError::Internal(_) => lang.pick("Kesalahan pada server", "Server error"),
        }
    }

    pub fn detail(&self, lang: Lang) -> String {
        match self {
            AppError::NotFound => {
                lang.pick("Data yang diminta tidak ada.", "The requested resource does not exist.").into()
            }
            AppError::BadParameter { param, expected } => match lang {
                Lang::Id => format!("Parameter `{param}` tidak sah: harus {}.", expected.text(lang)),
                Lang::En => format!("Parameter `{param}` is invalid: expected {}.", expected.text(lang)),
            },
            AppError::Invalid(errors) => match lang {
                Lang::Id => format!("{} isian perlu diperbaiki.", errors.0.len()),
                Lang::En => format!("{} field(s) need correcting.", errors.0.len()),
            },
            AppError::StaleVersion { current } => match lang {
                Lang::Id => {
                    format!("Versi terbaru sekarang {current}; muat ulang lalu ulangi perubahan.")
                }
                Lang::En => {
                    format!("The latest version is now {current}; reload and redo the change.")
                }
            },
            AppError::Forbidden => lang.pick("Anda tidak berhak melakukan ini.", "You may not do this.").into(),
            AppError::Refused(r) => r.message.clone(),
            // Internal details go to the log, never to the client.
            AppError::Internal(_) => lang
                .pick(
                    "Permintaan tidak dapat diproses. Silakan coba lagi.",
                    "The request could not be processed. Please try again.",
                )
                .into(),
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
        if let AppError::Internal(message) = self {
            tracing::error!(error = %message, "request failed");
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
    if uri.path().starts_with("/api/") {
        ApiError(error, lang).into_response()
    } else {
        crate::pages::error_page(lang, &uri, error)
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
            lang.pick("Permintaan terlalu besar", "Request too large"),
            "body_size",
            lang.pick("Isi permintaan melebihi batas ukuran.", "The request body is larger than allowed.").to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "/problems/unsupported-media-type",
            lang.pick("Jenis isi tidak didukung", "Unsupported content type"),
            "content_type",
            lang.pick(
                "Jenis isi permintaan (Content-Type) tidak sesuai untuk alamat ini.",
                "The request's Content-Type does not suit this address.",
            )
            .to_owned(),
        ),
        _ => (
            "/problems/bad-request",
            lang.pick("Permintaan tidak dapat dibaca", "Request could not be read"),
            "readable_request",
            match (field, lang) {
                (Some(f), Lang::Id) => format!("Isian `{f}` wajib ada."),
                (Some(f), Lang::En) => format!("The field `{f}` is required."),
                (None, _) => lang
                    .pick(
                        "Ada parameter atau isian yang hilang atau formatnya salah.",
                        "A parameter or field is missing or malformed.",
                    )
                    .to_owned(),
            },
        ),
    };
    // Keep the client-error status axum chose (400, 413, 415, 422).
    Refusal { status, problem_type, title, field: None, rule, message, retry_after: None, attempts_left: None }
}
