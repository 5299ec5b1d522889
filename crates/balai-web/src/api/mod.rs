//! The JSON API (`/api/v1`), described by OpenAPI 3.1 at `/api/openapi.json`.

pub mod applications;
pub mod audit;
pub mod catalogue;
pub mod identity;

use crate::AppState;
use crate::error::Expected;
use crate::texts::common as texts;
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
        identity::verify,
        applications::service_form,
        applications::upload,
        applications::submit,
        applications::track
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    tags(
        (name = "catalogue", description = "Services, their standards (Standar Pelayanan) and agencies"),
        (name = "applications", description = "Apply once for a service, upload documents, follow a case by its tracking number"),
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
        .merge(applications::routes())
        .merge(
            audit::routes().route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::ops::rate_limited)),
        )
        .route_layer(axum::middleware::from_fn_with_state(state, json_from_this_site))
}

/// The `page` parameter: 1 when absent, else a whole number up to [`balai_store::Paging::MAX_PAGE`].
pub fn page_number(value: Option<&str>) -> Result<i64, crate::error::AppError> {
    let too_far = crate::error::AppError::BadParameter { param: "page", expected: Expected::PageNumber };
    match positive(value, "page", 1) {
        Ok(page) if page <= balai_store::Paging::MAX_PAGE => Ok(page),
        Ok(_) => Err(too_far),
        // Digits too many for a number are a page too far, not a malformed one.
        Err(_) if value.is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit())) => Err(too_far),
        Err(e) => Err(e),
    }
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

/// The body types a state-changing API call may carry. Every endpoint takes JSON today; an upload
/// endpoint would add `multipart/form-data` here for its own path, not for the whole API.
const BODY_TYPES: &[&str] = &["application/json"];

/// The one endpoint that takes a file: `multipart/form-data` there, and only there.
const UPLOAD_PATH: &str = "/v1/uploads";

/// Browsers send forms and `text/plain` across sites without asking (no CORS preflight), and a
/// page on another site can make a visitor's browser call us. So a state-changing API call must
/// name a JSON body, and one that carries an `Origin` must come from this site. A request without
/// `Origin` is not from a browser's cross-site page (browsers send it on every non-GET request) and
/// is allowed, for command-line and server clients. Reads (`GET`, `HEAD`) are not limited here.
async fn json_from_this_site(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{Method, StatusCode, header};
    use axum::response::IntoResponse;
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lang = crate::i18n::lang_of(&parts);
    let request = axum::extract::Request::from_parts(parts, body);
    let refuse =
        |status: StatusCode, problem_type: &'static str, title: &'static str, rule: &'static str, message: &str| {
            crate::error::ApiError(
                crate::error::AppError::from(crate::error::Refusal {
                    status,
                    problem_type,
                    title,
                    field: None,
                    rule,
                    message: message.to_owned(),
                    retry_after: None,
                    attempts_left: None,
                }),
                lang,
            )
            .into_response()
        };
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or(request.uri().authority().map(|a| a.as_str()));
        if !same_site(origin.to_str().unwrap_or_default(), host, state.config.public_origin.as_deref()) {
            tracing::warn!("API call refused: it comes from another site's page");
            return refuse(
                StatusCode::FORBIDDEN,
                "/problems/foreign-origin",
                texts::FOREIGN_ORIGIN_TITLE.get(lang),
                "same_origin",
                texts::FOREIGN_ORIGIN_DETAIL.get(lang),
            );
        }
    }
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let upload = request.uri().path() == UPLOAD_PATH || request.uri().path() == "/api/v1/uploads";
    let accepted =
        media_type.as_deref().is_some_and(|t| BODY_TYPES.contains(&t) || (upload && t == "multipart/form-data"));
    if !accepted {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "/problems/unsupported-media-type",
            texts::UNSUPPORTED_MEDIA_TYPE_TITLE.get(lang),
            "content_type",
            texts::API_BODY_NOT_JSON_DETAIL.get(lang),
        );
    }
    next.run(request).await
}

/// Whether an `Origin` (`https://host[:port]`) names the host the request was sent to, or the
/// configured public origin. `null` (a sandboxed or privacy-preserving context) is not this site.
pub fn same_site(origin: &str, host: Option<&str>, public_origin: Option<&str>) -> bool {
    let Some((scheme, authority)) = origin_parts(origin) else { return false };
    let from_host = host.is_some_and(|h| without_default_port(&h.trim().to_ascii_lowercase(), &scheme) == authority);
    let from_public = public_origin.and_then(origin_parts).is_some_and(|p| p == (scheme.clone(), authority.clone()));
    from_host || from_public
}

/// (scheme, host[:port]) of an origin, lower case, the scheme's default port left out.
fn origin_parts(origin: &str) -> Option<(String, String)> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.trim_end_matches('/').to_ascii_lowercase();
    if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
        return None;
    }
    Some((scheme.clone(), without_default_port(&authority, &scheme)))
}

fn without_default_port(authority: &str, scheme: &str) -> String {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority).to_owned()
}

#[cfg(test)]
mod tests {
    use super::same_site;

    #[test]
    fn an_origin_is_this_site_only_when_it_names_the_host_or_the_public_origin() {
        assert!(same_site("http://127.0.0.1:8080", Some("127.0.0.1:8080"), None));
        assert!(same_site("https://layanan.kupangkota.go.id", Some("layanan.kupangkota.go.id:443"), None));
        assert!(same_site("https://Layanan.KupangKota.go.id", Some("layanan.kupangkota.go.id"), None));
        assert!(!same_site("http://evil.example", Some("127.0.0.1:8080"), None));
        assert!(!same_site("http://127.0.0.1:9999", Some("127.0.0.1:8080"), None), "another port is another origin");
        assert!(!same_site("null", Some("127.0.0.1:8080"), None));
        assert!(!same_site("http://127.0.0.1:8080", None, None), "no host to compare with");
        assert!(!same_site("http://user@127.0.0.1:8080", Some("127.0.0.1:8080"), None));
        let public = Some("https://layanan.kupangkota.go.id/");
        assert!(same_site("https://layanan.kupangkota.go.id", Some("127.0.0.1:8080"), public), "behind a proxy");
        assert!(!same_site("http://layanan.kupangkota.go.id", Some("127.0.0.1:8080"), public), "not over plain http");
    }
}
