//! Applications API: a service's form, uploads, submitting with an idempotency key, and the public
//! tracking of a case by its number (no personal data).

use super::{answers, with_body_checks};
use crate::AppState;
use crate::applications::MAX_ONE_FILE_REQUEST;
use crate::applications::{ApiCitizen, clean_and_store, problem_of_file_error};
use crate::error::{ApiError, AppError, Expected, Problem};
use crate::i18n::RequestLang;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use balai_domain::Lang;
use balai_domain::applications::TrackingNumber;
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, PublicApplication};
use balai_store::org;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/services/{code}/form", get(service_form))
        .route("/v1/uploads", with_body_checks(post(upload), state).layer(DefaultBodyLimit::max(MAX_ONE_FILE_REQUEST)))
        .route("/v1/applications", with_body_checks(post(submit), state))
        .route("/v1/applications/{tracking_number}", get(track))
        .route("/v1/me/applications/{tracking_number}", get(own))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FormQuery {
    /// Region code of the government, e.g. `53.71`.
    government: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormDocument {
    code: String,
    name: String,
    required: bool,
    accepted: Vec<String>,
    /// The id of the citizen's own copy held by the government, when signed in and held.
    on_file: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormDoc {
    /// JSON Schema (draft 2020-12) of the `fields` object.
    #[schema(value_type = Object)]
    schema: serde_json::Value,
    documents: Vec<FormDocument>,
}

fn region_of(state: &AppState, given: Option<String>) -> Result<String, AppError> {
    given
        .filter(|g| !g.is_empty())
        .or_else(|| state.config.default_region.clone())
        .ok_or(AppError::BadParameter { param: "government", expected: Expected::RegionCode })
}

/// The application form of a service: the JSON Schema of its fields and the documents it needs.
#[utoipa::path(get, path = "/api/v1/services/{code}/form", tag = "applications",
    params(("code" = String, Path, description = "Service code"), FormQuery),
    responses((status = 200, body = FormDoc),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound)))]
pub async fn service_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(code): Path<String>,
    Query(q): Query<FormQuery>,
    citizen: Option<ApiCitizen>,
) -> Result<Json<FormDoc>, ApiError> {
    let fail = |e: AppError| ApiError(e, lang);
    let region = region_of(&state, q.government).map_err(fail)?;
    let government = org::government_by_region(&state.db, &region).await.map_err(|e| fail(e.into()))?;
    let terms = applications::form_terms(&state.db, government.id, &code, citizen.map(|c| c.citizen_id))
        .await
        .map_err(|e| fail(e.into()))?;
    let documents = terms
        .documents
        .iter()
        .map(|d| FormDocument {
            code: d.code.clone(),
            name: d.name.clone(),
            required: d.required,
            accepted: d.accepted.iter().map(|t| (*t).to_owned()).collect(),
            on_file: terms.on_file.iter().find(|(c, _)| *c == d.code).map(|(_, id)| *id),
        })
        .collect();
    Ok(Json(FormDoc { schema: balai_domain::applications::json_schema(&terms.terms.form), documents }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadDoc {
    id: i64,
    content_type: String,
    size: i64,
}

/// The upload form (`multipart/form-data`).
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The document: PDF, JPEG or PNG, recognised by its bytes.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Uploads one file (multipart, field `file`): PDF, JPEG or PNG, recognised by its bytes; images are
/// re-encoded without their metadata.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "applications",
    params(FormQuery),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "One part named `file`"),
    responses((status = 201, body = UploadDoc),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, description = "No government with this region code", body = Problem,
            content_type = "application/problem+json"),
        (status = 413, response = answers::PayloadTooLarge),
        (status = 422, description = "The file is refused: empty, not a PDF, JPEG or PNG, damaged, or an image too large to open",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many uploads by this citizen today", body = Problem,
            content_type = "application/problem+json")))]
pub async fn upload(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<FormQuery>,
    citizen: ApiCitizen,
    mut multipart: Multipart,
) -> Response {
    let fail = |e: AppError| ApiError(e, lang).into_response();
    let region = match region_of(&state, q.government) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let government = match org::government_by_region(&state.db, &region).await {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    let mut bytes = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                match crate::applications::read_bounded(field, state.config.max_upload_bytes).await {
                    Ok(b) => {
                        bytes = Some(b);
                        break;
                    }
                    Err(e) => return ApiError(problem_of_file_error(lang, &e), lang).into_response(),
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => break,
        }
    }
    let Some(bytes) = bytes else {
        let mut e = balai_domain::validation::FieldErrors::default();
        e.push("file", balai_domain::validation::Rule::Required);
        return fail(AppError::Invalid(e));
    };
    match clean_and_store(&state, lang, citizen.citizen_id, government.id, bytes).await {
        Ok(upload) => (
            StatusCode::CREATED,
            Json(UploadDoc { id: upload.id, content_type: upload.content_type, size: upload.size }),
        )
            .into_response(),
        Err(e) => ApiError(e, lang).into_response(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentRef {
    code: String,
    /// An upload's id from `POST /api/v1/uploads`.
    upload: Option<i64>,
    /// The id of a document the government holds for the citizen (`on_file` in the form).
    on_file: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationRequest {
    /// Region code of the government, e.g. `53.71`.
    government: String,
    /// Service code.
    service: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    fields: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    documents: Vec<DocumentRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepDoc {
    name: String,
    unit: String,
    due_at: Option<String>,
    done_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDoc {
    tracking_number: String,
    service: String,
    government: String,
    status: String,
    submitted_at: String,
    due_at: Option<String>,
    steps: Vec<StepDoc>,
    /// The fee's invoice, once one exists: in the answer to the citizen who applied (never on the
    /// public tracking call).
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice: Option<super::payments::InvoiceSummary>,
}

impl From<PublicApplication> for ApplicationDoc {
    fn from(a: PublicApplication) -> Self {
        ApplicationDoc {
            tracking_number: a.tracking_number,
            service: a.service,
            government: a.government,
            status: a.status.code().to_owned(),
            submitted_at: a.submitted_at.to_rfc3339(),
            due_at: a.due_at.map(|d| d.to_rfc3339()),
            steps: a
                .steps
                .into_iter()
                .map(|s| StepDoc {
                    name: s.name,
                    unit: s.unit,
                    due_at: s.due_at.map(|d| d.to_rfc3339()),
                    done_at: s.done_at.map(|d| d.to_rfc3339()),
                })
                .collect(),
            invoice: None,
        }
    }
}

/// Submits an application. Requires the `Idempotency-Key` header: the same key again returns the
/// same case; the key with another body is refused (409).
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body = ApplicationRequest,
    params(("Idempotency-Key" = String, Header, description = "A client-chosen key, at most 100 characters")),
    responses((status = 201, description = "The case was opened", body = ApplicationDoc),
        (status = 200, description = "The same key and body again: the case opened the first time", body = ApplicationDoc),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 409, response = answers::Conflict),
        (status = 422, response = answers::Unprocessable)))]
pub async fn submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    headers: HeaderMap,
    citizen: ApiCitizen,
    body: String,
) -> Response {
    let fail = |e: AppError| ApiError(e, lang).into_response();
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).filter(|k| !k.trim().is_empty())
    else {
        return fail(AppError::BadParameter { param: "Idempotency-Key", expected: Expected::IdempotencyKey });
    };
    if key.chars().count() > applications::MAX_IDEMPOTENCY_KEY_CHARS {
        return fail(AppError::BadParameter { param: "Idempotency-Key", expected: Expected::IdempotencyKey });
    }
    let request: ApplicationRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(_) => return fail(AppError::BadParameter { param: "body", expected: Expected::ApplicationBody }),
    };
    let government = match org::government_by_region(&state.db, &request.government).await {
        Ok(g) => g,
        Err(balai_store::StoreError::NotFound) => {
            let mut e = balai_domain::validation::FieldErrors::default();
            e.push("government", balai_domain::validation::Rule::Unknown);
            return fail(AppError::Invalid(e));
        }
        Err(e) => return fail(e.into()),
    };
    let mut problems = balai_domain::validation::FieldErrors::default();
    let mut documents = Vec::new();
    for (i, d) in request.documents.iter().take(applications::MAX_DOCUMENTS + 1).enumerate() {
        match (d.upload, d.on_file) {
            (Some(id), None) => {
                documents.push(DocumentChoice { code: d.code.clone(), source: DocumentSource::Upload(id) })
            }
            (None, Some(id)) => {
                documents.push(DocumentChoice { code: d.code.clone(), source: DocumentSource::OnFile(id) })
            }
            _ => problems.push(format!("documents[{i}]"), balai_domain::validation::Rule::Required),
        }
    }
    if !problems.is_empty() {
        return fail(AppError::Invalid(problems));
    }
    let application = Application {
        government_id: government.id,
        service_code: &request.service,
        fields: &request.fields,
        documents: &documents,
        idempotency_key: key,
        lang,
    };
    match applications::submit(&state.db, &state.vault, citizen.citizen_id, &application, state.config.clock.now())
        .await
    {
        Ok(submitted) => {
            let status = if submitted.replayed { StatusCode::OK } else { StatusCode::CREATED };
            let invoice = submitted.invoice.as_ref().map(Into::into);
            let mut doc = ApplicationDoc::from(submitted.application);
            doc.invoice = invoice;
            (status, Json(doc)).into_response()
        }
        Err(e) => fail(e.into()),
    }
}

/// The public state of an application by its tracking number: no personal data.
#[utoipa::path(get, path = "/api/v1/applications/{tracking_number}", tag = "applications",
    params(("tracking_number" = String, Path, description = "e.g. K7QX-4M9P-2")),
    responses((status = 200, body = ApplicationDoc),
        (status = 400, response = answers::BadRequest),
        (status = 404, description = "No such case, or not a tracking number (the detail says why)", body = Problem,
            content_type = "application/problem+json")))]
pub async fn track(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(number): Path<String>,
) -> Result<Json<ApplicationDoc>, ApiError> {
    let number = parse_tracking(lang, &number)?;
    match applications::public_application(&state.db, &number).await {
        Ok(Some(found)) => Ok(Json(found.into())),
        Ok(None) => Err(ApiError(AppError::NotFound, lang)),
        Err(e) => Err(ApiError(e.into(), lang)),
    }
}

/// One of the signed-in citizen's own applications, with its invoice once there is one. Another
/// citizen's case is 404, as if it did not exist.
#[utoipa::path(get, path = "/api/v1/me/applications/{tracking_number}", tag = "applications",
    params(("tracking_number" = String, Path, description = "e.g. K7QX-4M9P-2")),
    responses((status = 200, body = ApplicationDoc),
        (status = 400, response = answers::BadRequest),
        (status = 401, response = answers::Unauthorized),
        (status = 404, description = "No such case of this citizen, or not a tracking number", body = Problem,
            content_type = "application/problem+json")))]
pub async fn own(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    citizen: ApiCitizen,
    Path(number): Path<String>,
) -> Result<Json<ApplicationDoc>, ApiError> {
    let number = parse_tracking(lang, &number)?;
    let fail = |e: balai_store::StoreError| ApiError(e.into(), lang);
    let Some((case_id, view)) =
        applications::citizen_application(&state.db, citizen.citizen_id, &number).await.map_err(fail)?
    else {
        return Err(ApiError(AppError::NotFound, lang));
    };
    let invoice = balai_store::payments::latest_invoice_of_case(&state.db, case_id).await.map_err(fail)?;
    let mut doc = ApplicationDoc::from(view);
    doc.invoice = invoice.as_ref().map(Into::into);
    Ok(Json(doc))
}

/// A tracking number with a bad checksum is answered without a database lookup, with a hint.
pub fn parse_tracking(lang: Lang, number: &str) -> Result<TrackingNumber, ApiError> {
    TrackingNumber::parse(number).map_err(|e| ApiError(crate::applications::bad_tracking_number(lang, &e), lang))
}
