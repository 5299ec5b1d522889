//! `/verifikasi/{id}`: where an issued document's QR code points. It says whether the document is on
//! record, shows only its number, type, issuer and date, checks a PDF someone holds against the seal,
//! and gives what an offline check needs (the hash and the government's public key).

use super::L;
use crate::AppState;
use crate::applications::MAX_ONE_FILE_REQUEST;
use crate::applications::read_bounded;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, render};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_documents::Verdict;
use balai_store::applications::{self, IssuedRecord};
use balai_store::org;
use base64::Engine as _;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verifikasi/{id}", get(show).post(check_file).layer(DefaultBodyLimit::max(MAX_ONE_FILE_REQUEST)))
}

#[derive(askama::Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    l: L,
    found: bool,
    genuine_text: String,
    number: String,
    product: String,
    issuer: String,
    issued_on: String,
    offline: String,
    action: String,
    /// The verdict on a file the visitor sent: (genuine, text).
    verdict: Option<(bool, String)>,
}

/// The longest id a document has (22 characters); anything longer is not one.
const MAX_ID: usize = 64;
/// The largest PDF accepted for checking.
const MAX_CHECKED_BYTES: usize = 20 * 1024 * 1024;

async fn record(state: &AppState, id: &str) -> Result<Option<(IssuedRecord, org::Government)>, AppError> {
    if id.len() > MAX_ID || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    match applications::issued_document(&state.db, id).await? {
        Some(r) => {
            let government = org::government(&state.db, r.government_id).await?;
            Ok(Some((r, government)))
        }
        None => Ok(None),
    }
}

fn page(
    state: &AppState,
    l: L,
    uri: &Uri,
    id: &str,
    found: Option<&(IssuedRecord, org::Government)>,
    verdict: Option<(bool, String)>,
) -> VerifyPage {
    let lang = l.0;
    let chrome = Chrome::new(lang, l.t("VERIFY_HEADING"), uri);
    match found {
        None => VerifyPage {
            chrome,
            l,
            found: false,
            genuine_text: l.t("UNKNOWN_DOCUMENT").to_owned(),
            number: String::new(),
            product: String::new(),
            issuer: String::new(),
            issued_on: String::new(),
            offline: String::new(),
            action: format!("/verifikasi/{id}"),
            verdict,
        },
        Some((r, government)) => {
            let key = state.config.document_keys.verifying_key(&government.region_code);
            let key_b64 = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
            VerifyPage {
                chrome,
                l,
                found: true,
                genuine_text: super::texts::GENUINE
                    .fill(lang, &[("issuer", &format!("{}, {}", r.issuer, government.name))]),
                number: r.number.clone(),
                product: r.product.clone(),
                issuer: r.issuer.clone(),
                issued_on: balai_documents::indonesian_date(r.issued_on),
                offline: super::texts::OFFLINE.fill(lang, &[("sha", &r.sha256), ("key", &key_b64)]),
                action: format!("/verifikasi/{id}"),
                verdict,
            }
        }
    }
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let found = match record(&state, &id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, &uri, e),
    };
    let status = if found.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    (status, render(&page(&state, L(lang), &uri, &id, found.as_ref(), None))).into_response()
}

async fn check_file(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let l = L(lang);
    let found = match record(&state, &id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, &uri, e),
    };
    let Some((r, government)) = found.as_ref() else {
        return (StatusCode::NOT_FOUND, render(&page(&state, l, &uri, &id, None, None))).into_response();
    };
    let mut bytes = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            match read_bounded(field, MAX_CHECKED_BYTES).await {
                Ok(b) => bytes = Some(b),
                Err(e) => {
                    let verdict = Some((false, e.message(lang)));
                    return (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        render(&page(&state, l, &uri, &id, found.as_ref(), verdict)),
                    )
                        .into_response();
                }
            }
            break;
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        let verdict = Some((false, balai_domain::validation::Rule::Required.message(lang)));
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page(&state, l, &uri, &id, found.as_ref(), verdict)))
            .into_response();
    };
    let key = state.config.document_keys.verifying_key(&government.region_code);
    let verdict = match balai_documents::check(&bytes, &r.sha256, &r.signature, &key) {
        Verdict::Genuine => (true, l.t("FILE_GENUINE").to_owned()),
        Verdict::Altered => (false, l.t("FILE_ALTERED").to_owned()),
        Verdict::BadSignature => (false, l.t("FILE_BAD_SIGNATURE").to_owned()),
    };
    render(&page(&state, l, &uri, &id, found.as_ref(), Some(verdict)))
}
