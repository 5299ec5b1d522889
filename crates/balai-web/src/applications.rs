//! What the applications pages and API share: the API's citizen (401, never a redirect), cleaning
//! and keeping uploads, the tracking-number hint, and issuing a signed document on completion.

use crate::AppState;
use crate::error::{ApiError, AppError, Refusal};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use balai_domain::Lang;
use balai_domain::applications::TrackingNumberError;
use balai_files::{Cleaned, FileError, FileStore, Limits};
use balai_store::applications::{self, IssuedDocument, Upload};
use std::sync::Arc;

/// The applications texts shared by the API and the pages.
pub(crate) mod texts {
    crate::texts::texts! {
        SIGN_IN_TITLE = "Perlu masuk"
            / "Sign-in required";
        SIGN_IN_DETAIL = "Masuk sebagai warga (NIK dan kode sekali pakai) untuk mengajukan permohonan."
            / "Sign in as a citizen (NIK and one-time code) to apply.";
        FILE_TITLE = "Berkas ditolak"
            / "File refused";
        TRACKING_TITLE = "Nomor pelacakan tidak sah"
            / "Invalid tracking number";
    }
}

/// A citizen calling the API with their session cookie. Without a live session the answer is 401
/// problem+json (an API client is not sent to a sign-in page).
pub struct ApiCitizen {
    pub citizen_id: i64,
    pub assurance: balai_domain::identity::Assurance,
}

impl FromRequestParts<AppState> for ApiCitizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = crate::i18n::lang_of(parts);
        let unauthorized = || {
            ApiError(
                AppError::from(Refusal {
                    status: StatusCode::UNAUTHORIZED,
                    problem_type: "/problems/sign-in-required",
                    title: texts::SIGN_IN_TITLE.get(lang),
                    field: None,
                    rule: "citizen_session",
                    message: texts::SIGN_IN_DETAIL.get(lang).to_owned(),
                    retry_after: None,
                    attempts_left: None,
                }),
                lang,
            )
            .into_response()
        };
        let Some(token) = crate::auth::cookie_value(&parts.headers, crate::identity::CITIZEN_COOKIE) else {
            return Err(unauthorized());
        };
        let hash = crate::auth::token_hash(token);
        match balai_store::identity::live_session(
            &state.db,
            balai_store::identity::PrincipalKind::Citizen,
            &hash,
            state.config.clock.now(),
        )
        .await
        {
            Ok(Some(s)) => Ok(ApiCitizen { citizen_id: s.principal_id, assurance: s.citizen_assurance() }),
            Ok(None) => Err(unauthorized()),
            Err(e) => Err(crate::error::answer_for_parts(parts, e.into())),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for ApiCitizen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        Ok(<ApiCitizen as FromRequestParts<AppState>>::from_request_parts(parts, state).await.ok())
    }
}

/// The largest request that carries one file (the file's own bound, from configuration, is checked
/// as it streams in; this stops a body that is far beyond any file before it is read).
pub const MAX_ONE_FILE_REQUEST: usize = 24 * 1024 * 1024;
/// The largest application form post: its documents together (each still bounded on its own).
pub const MAX_FORM_REQUEST: usize = 64 * 1024 * 1024;

/// Reads one multipart field, refusing it as soon as it grows past the bound (never buffering more).
pub async fn read_bounded(field: axum::extract::multipart::Field<'_>, max: usize) -> Result<Vec<u8>, FileError> {
    balai_files::read_bounded(field, max).await
}

/// A refused file, named and explained in the citizen's language.
pub fn problem_of_file_error(lang: Lang, e: &FileError) -> AppError {
    let status = match e {
        FileError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::from(Refusal {
        status,
        problem_type: "/problems/file-refused",
        title: texts::FILE_TITLE.get(lang),
        field: Some("file"),
        rule: file_rule(e),
        message: e.message(lang),
        retry_after: None,
        attempts_left: None,
    })
}

fn file_rule(e: &FileError) -> &'static str {
    match e {
        FileError::Empty => "not_empty",
        FileError::TooLarge { .. } => "max_size",
        FileError::UnknownType => "pdf_jpeg_png",
        FileError::DecompressionBomb => "image_dimensions",
        FileError::ActivePdf => "no_active_content",
        _ => "readable_file",
    }
}

/// A tracking number that is not one: the hint says why (a look-alike symbol, a typo the check caught).
pub fn bad_tracking_number(lang: Lang, e: &TrackingNumberError) -> AppError {
    AppError::from(Refusal {
        status: StatusCode::NOT_FOUND,
        problem_type: "/problems/bad-tracking-number",
        title: texts::TRACKING_TITLE.get(lang),
        field: Some("tracking_number"),
        rule: "tracking_number",
        message: e.message(lang),
        retry_after: None,
        attempts_left: None,
    })
}

/// Cleans a file off the request thread (decoding an image is CPU work), keeps it, and records it.
pub async fn clean_and_store(
    state: &AppState,
    lang: Lang,
    citizen_id: i64,
    government_id: i64,
    bytes: Vec<u8>,
) -> Result<Upload, AppError> {
    let limits = Limits { max_bytes: state.config.max_upload_bytes, ..Limits::default() };
    let cleaned: Cleaned = tokio::task::spawn_blocking(move || balai_files::clean(&bytes, &limits))
        .await
        .map_err(|e| AppError::Internal(format!("file cleaning task: {e}")))?
        .map_err(|e| problem_of_file_error(lang, &e))?;
    let key = state
        .config
        .files
        .put(government_id, &cleaned)
        .await
        .map_err(|e| AppError::Internal(format!("keeping a file: {e}")))?;
    let size = i64::try_from(cleaned.bytes.len()).unwrap_or(i64::MAX);
    Ok(applications::record_upload(
        &state.db,
        citizen_id,
        government_id,
        &key,
        cleaned.kind.content_type(),
        size,
        &cleaned.sha256_hex,
        state.config.clock.now(),
    )
    .await?)
}

/// Where uploads and issued documents are kept.
pub type Files = Arc<FileStore>;

/// The page address the QR code of a document points to.
pub fn verify_url(state: &AppState, host: Option<&str>, id: &str) -> String {
    let origin = state
        .config
        .public_origin
        .clone()
        .or_else(|| host.map(|h| format!("http://{h}")))
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    format!("{}/verifikasi/{id}", origin.trim_end_matches('/'))
}

/// Renders, seals and keeps the output document of a case about to be completed; the completion
/// records it in the same transaction as the case's move.
pub async fn issue_document(
    state: &AppState,
    host: Option<&str>,
    case_id: i64,
    officer_id: i64,
) -> Result<IssuedDocument, AppError> {
    let file = applications::case_file_for_officer(&state.db, &state.vault, officer_id, case_id).await?;
    let citizen_id =
        file.case.citizen_id.ok_or_else(|| AppError::Internal("an application without a citizen".into()))?;
    let citizen = balai_store::identity::citizens::citizen(&state.db, &state.vault, citizen_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let government = balai_store::org::government(&state.db, file.case.government_id).await?;
    let agency = balai_store::org::agency(&state.db, file.case.agency_id).await?;
    let zone = government.zone();
    let now = state.config.clock.now();
    let issued_on = zone.local_date(now);
    let tracking = file.public.tracking_number.clone();
    let number = applications::document_number(&file.service_code, &tracking, issued_on);
    let id = crate::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(22).collect::<String>();
    let url = verify_url(state, host, &id);
    let product = if file.product.is_empty() { file.public.service.clone() } else { file.product.clone() };
    let key = state.config.document_keys.signing_key(&government.region_code);
    let owned = OwnedDocument {
        government: government.name.clone(),
        agency: agency.name.clone(),
        product: product.clone(),
        service: file.public.service.clone(),
        citizen_name: citizen.full_name.clone(),
        number: number.clone(),
        issued_on,
        zone: zone.code().to_owned(),
        url,
        tracking: tracking.clone(),
    };
    let (product, pdf, seal) =
        tokio::task::spawn_blocking(move || -> Result<(String, Vec<u8>, balai_documents::Seal), String> {
            // A product too long for the page is named by its first clause (the same on the record).
            let (product, pdf) = balai_documents::render_pdf_fitting(&owned.borrowed()).map_err(|e| e.to_string())?;
            let seal = balai_documents::seal(&pdf, &key);
            Ok((product, pdf, seal))
        })
        .await
        .map_err(|e| AppError::Internal(format!("document task: {e}")))?
        .map_err(|e| AppError::Internal(format!("rendering a document: {e}")))?;
    let cleaned = Cleaned { kind: balai_files::FileKind::Pdf, bytes: pdf, sha256_hex: seal.sha256_hex.clone() };
    let object_key = state
        .config
        .files
        .put(government.id, &cleaned)
        .await
        .map_err(|e| AppError::Internal(format!("keeping a document: {e}")))?;
    let doc_type = applications::output_document_type(&product).code().to_owned();
    Ok(IssuedDocument {
        id,
        number,
        product,
        issuer: agency.name.clone(),
        issued_on,
        doc_type,
        sha256: seal.sha256_hex,
        signature: seal.signature_b64,
        object_key,
    })
}

/// What a document is made of, owned, so it can be rendered off the request thread.
struct OwnedDocument {
    government: String,
    agency: String,
    product: String,
    service: String,
    citizen_name: String,
    number: String,
    issued_on: chrono::NaiveDate,
    zone: String,
    url: String,
    tracking: String,
}

impl OwnedDocument {
    fn borrowed(&self) -> balai_documents::IssuedDocument<'_> {
        balai_documents::IssuedDocument {
            government: &self.government,
            agency: &self.agency,
            product: &self.product,
            service: &self.service,
            citizen_name: &self.citizen_name,
            document_number: &self.number,
            issued_on: self.issued_on,
            zone_label: &self.zone,
            verify_url: &self.url,
            tracking_number: &self.tracking,
        }
    }
}
