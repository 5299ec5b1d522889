//! The JSON API (`/api/v1`), described by OpenAPI 3.1 at `/api/openapi.json`.

pub mod audit;
pub mod catalogue;
pub mod identity;

use crate::AppState;
use crate::error::Expected;
use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Balai API",
        description = "Public service catalogue of Indonesian regional governments. Errors are RFC 9457 problem+json with a stable `type`.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        catalogue::list_services,
        catalogue::get_service,
        catalogue::list_agencies,
        catalogue::get_agency,
        audit::checkpoint,
        audit::public_key,
        audit::leaves,
        audit::inclusion,
        audit::consistency,
        identity::request_code,
        identity::verify
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    tags(
        (name = "catalogue", description = "Services, their standards (Standar Pelayanan) and agencies"),
        (name = "identity", description = "Citizen sign-in with NIK and a one-time code"),
        (name = "audit", description = "The tamper-evident audit log: RFC 6962 proofs and C2SP signed checkpoints")
    )
)]
pub struct ApiDoc;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(catalogue::routes())
        .merge(identity::routes())
        .merge(audit::routes().route_layer(axum::middleware::from_fn_with_state(state, crate::ops::rate_limited)))
}

/// Parses an optional positive integer query parameter, naming it when it is wrong.
pub fn positive(value: Option<&str>, param: &'static str, default: i64) -> Result<i64, crate::error::AppError> {
    match value {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(crate::error::AppError::BadParameter { param, expected: Expected::Positive }),
    }
}
