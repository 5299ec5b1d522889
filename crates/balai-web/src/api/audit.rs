//! The public audit API: anyone can fetch the signed checkpoint, the verifier key, the leaves and
//! inclusion and consistency proofs, and check the log without trusting us.

use super::answers;
use crate::AppState;
use crate::error::Expected;
use crate::error::{ApiError, AppError};
use crate::i18n::RequestLang;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use balai_store::audit::{self, ProofRequestError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/audit/checkpoint", get(checkpoint))
        .route("/v1/audit/public-key", get(public_key))
        .route("/v1/audit/leaves", get(leaves))
        .route("/v1/audit/proof/inclusion", get(inclusion))
        .route("/v1/audit/proof/consistency", get(consistency))
}

/// At most this many leaves per request.
pub const MAX_LEAVES: u64 = 1000;

fn b64(hash: &[u8]) -> String {
    STANDARD.encode(hash)
}

fn text(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A non-negative whole number, or a 400 naming the parameter.
fn number(value: Option<&str>, param: &'static str) -> Result<u64, AppError> {
    value
        .ok_or(AppError::BadParameter { param, expected: Expected::NonNegative })?
        .parse::<u64>()
        .map_err(|_| AppError::BadParameter { param, expected: Expected::NonNegative })
}

fn beyond(param: &'static str) -> AppError {
    AppError::BadParameter { param, expected: Expected::WithinTree }
}

/// The latest signed checkpoint, exactly the C2SP signed-note text.
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, description = "C2SP tlog-checkpoint signed note", body = String, content_type = "text/plain"),
        (status = 404, response = answers::NotFound),
        (status = 429, response = answers::TooManyRequests)))]
pub async fn checkpoint(State(state): State<AppState>, RequestLang(lang): RequestLang) -> Response {
    match audit::latest_checkpoint(&state.db).await {
        Ok(Some(c)) => text(c.note),
        Ok(None) => ApiError(AppError::NotFound, lang).into_response(),
        Err(e) => ApiError(e.into(), lang).into_response(),
    }
}

/// The checkpoint verifier key, in C2SP signed-note vkey format.
#[utoipa::path(get, path = "/api/v1/audit/public-key", tag = "audit",
    responses((status = 200, description = "C2SP signed-note verifier key", body = String, content_type = "text/plain"),
        (status = 404, response = answers::NotFound),
        (status = 429, response = answers::TooManyRequests)))]
pub async fn public_key(State(state): State<AppState>, RequestLang(lang): RequestLang) -> Response {
    match &state.config.audit_public_key {
        Some(vkey) => text(format!("{vkey}\n")),
        None => ApiError(AppError::NotFound, lang).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LeavesQuery {
    /// First leaf index (inclusive), at most the tree size.
    #[param(required = true, value_type = u64, minimum = 0)]
    start: Option<String>,
    /// Last leaf index (exclusive); at least `start`, at most `start + 1000` and the tree size.
    #[param(required = true, value_type = u64, minimum = 0)]
    end: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeafItem {
    index: i64,
    /// Base64 of the RFC 6962 leaf hash.
    leaf_hash: String,
    recorded_at: String,
    government_id: Option<i64>,
    actor_role: String,
    actor_id: String,
    action: String,
    subject_table: String,
    subject_id: String,
    /// Hex SHA-256 of the subject's state after the change (absent for reads and events).
    state_hash: Option<String>,
    /// Why personal data was read.
    purpose: Option<String>,
    /// The entry, base64: `leaf_hash` is SHA-256 of a 0x00 byte followed by these bytes (RFC 6962).
    entry: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeavesPage {
    start: u64,
    end: u64,
    tree_size: u64,
    leaves: Vec<LeafItem>,
}

/// Leaves `[start, end)`, with the bytes each leaf hash covers.
#[utoipa::path(get, path = "/api/v1/audit/leaves", tag = "audit", params(LeavesQuery),
    responses((status = 200, body = LeavesPage), (status = 400, response = answers::BadRequest),
        (status = 429, response = answers::TooManyRequests)))]
pub async fn leaves(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<LeavesQuery>,
) -> Result<Json<LeavesPage>, ApiError> {
    let fail = |e: AppError| ApiError(e, lang);
    let start = number(q.start.as_deref(), "start").map_err(fail)?;
    let end = number(q.end.as_deref(), "end").map_err(fail)?;
    let (size, _) = audit::head(&state.db).await.map_err(|e| fail(e.into()))?;
    if start > size {
        return Err(fail(beyond("start")));
    }
    if end < start || end > size || end - start > MAX_LEAVES {
        return Err(fail(AppError::BadParameter { param: "end", expected: Expected::LeafRange }));
    }
    let rows = audit::leaves(&state.db, start as i64, end as i64).await.map_err(|e| fail(e.into()))?;
    let leaves = rows
        .into_iter()
        .map(|l| {
            let entry = l.entry_bytes();
            LeafItem {
                index: l.seq,
                leaf_hash: audit::unhex(&l.leaf_hash).map(|h| b64(&h)).unwrap_or_default(),
                recorded_at: l.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                government_id: l.government_id,
                actor_role: l.actor_role,
                actor_id: l.actor_id,
                action: l.action,
                subject_table: l.subject_table,
                subject_id: l.subject_id,
                state_hash: l.state_hash,
                purpose: l.purpose,
                entry: STANDARD.encode(&entry),
            }
        })
        .collect();
    Ok(Json(LeavesPage { start, end, tree_size: size, leaves }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// Leaf index, below `size`.
    #[param(required = true, value_type = u64, minimum = 0)]
    index: Option<String>,
    /// Tree size the proof is for (≤ the current size).
    #[param(required = true, value_type = u64, minimum = 1)]
    size: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    leaf_index: u64,
    tree_size: u64,
    /// Base64 leaf hash.
    leaf_hash: String,
    /// Base64 hashes, RFC 9162 §2.1.3 order.
    proof: Vec<String>,
}

fn proof_error(e: ProofRequestError) -> AppError {
    match e {
        ProofRequestError::OutOfRange { param, .. } => beyond(param),
        ProofRequestError::Store(s) => s.into(),
    }
}

/// An inclusion proof of one leaf in the tree of a given size.
#[utoipa::path(get, path = "/api/v1/audit/proof/inclusion", tag = "audit", params(InclusionQuery),
    responses((status = 200, body = InclusionProof), (status = 400, response = answers::BadRequest),
        (status = 429, response = answers::TooManyRequests)))]
pub async fn inclusion(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    let fail = |e: AppError| ApiError(e, lang);
    let index = number(q.index.as_deref(), "index").map_err(fail)?;
    let size = number(q.size.as_deref(), "size").map_err(fail)?;
    let (leaf, proof) = audit::inclusion_proof(&state.db, index, size).await.map_err(|e| fail(proof_error(e)))?;
    Ok(Json(InclusionProof {
        leaf_index: index,
        tree_size: size,
        leaf_hash: b64(&leaf),
        proof: proof.iter().map(|h| b64(h)).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The earlier tree size.
    #[param(required = true, value_type = u64, minimum = 0)]
    from: Option<String>,
    /// The later tree size (≥ `from`, ≤ the current size).
    #[param(required = true, value_type = u64, minimum = 0)]
    to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    from: u64,
    to: u64,
    /// Base64 hashes, RFC 9162 §2.1.4 order.
    proof: Vec<String>,
}

/// A consistency proof between two tree sizes: the later tree extends the earlier one.
#[utoipa::path(get, path = "/api/v1/audit/proof/consistency", tag = "audit", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 400, response = answers::BadRequest),
        (status = 429, response = answers::TooManyRequests)))]
pub async fn consistency(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    let fail = |e: AppError| ApiError(e, lang);
    let from = number(q.from.as_deref(), "from").map_err(fail)?;
    let to = number(q.to.as_deref(), "to").map_err(fail)?;
    let proof = audit::consistency_proof(&state.db, from, to).await.map_err(|e| fail(proof_error(e)))?;
    Ok(Json(ConsistencyProof { from, to, proof: proof.iter().map(|h| b64(h)).collect() }))
}
