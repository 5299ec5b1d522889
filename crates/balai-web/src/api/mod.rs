//! The JSON API (`/api/v1`), described by OpenAPI 3.1 at `/api/openapi.json`.

pub mod applications;
pub mod audit;
pub mod catalogue;
pub mod dashboard;
pub mod identity;
pub mod payments;

use crate::AppState;
use crate::error::Expected;
use crate::texts::common as texts;
use axum::Json;
use axum::Router;
use axum::routing::{MethodRouter, get};
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
        applications::track,
        applications::own,
        dashboard::panel,
        payments::invoice,
        payments::generic_callback
    ),
    components(
        schemas(crate::error::Problem, crate::error::ProblemField),
        responses(
            answers::BadRequest,
            answers::Unauthorized,
            answers::Forbidden,
            answers::NotFound,
            answers::Conflict,
            answers::PayloadTooLarge,
            answers::UnsupportedMediaType,
            answers::Unprocessable,
            answers::TooManyRequests,
            answers::InternalError,
            answers::Unavailable
        )
    ),
    modifiers(&LayerAnswers),
    tags(
        (name = "catalogue", description = "Services, their standards (Standar Pelayanan) and agencies"),
        (name = "applications", description = "Apply once for a service, upload documents, follow a case by its tracking number"),
        (name = "identity", description = "Citizen sign-in with NIK and a one-time code"),
        (name = "audit", description = "The tamper-evident audit log: RFC 6962 proofs and C2SP signed checkpoints"),
        (name = "payments", description = "A citizen's invoice (QRIS and virtual account) and the payment gateway's signed notification"),
        (name = "dashboard", description = "Performance figures from aggregates: applications, complaints, trends, agency ranking, the public map, SKM per unit")
    )
)]
pub struct ApiDoc;

/// The problem+json answers (RFC 9457, the [`crate::error::Problem`] schema), described once and
/// named from each operation (`response = answers::NotFound`).
pub mod answers {
    use crate::error::Problem;
    use utoipa::ToResponse;

    /// A parameter or the body cannot be read, or is outside its bounds (`param` names it).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct BadRequest(pub Problem);

    /// Sign-in required, or a wrong one-time code (`attempts_left`).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Unauthorized(pub Problem);

    /// A state-changing call from another site's page (`/problems/foreign-origin`).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Forbidden(pub Problem);

    /// Nothing by that name or number.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct NotFound(pub Problem);

    /// The request conflicts with the current state (an idempotency key reused with another body,
    /// a step the case's flow does not allow now).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Conflict(pub Problem);

    /// The body is larger than this call accepts.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct PayloadTooLarge(pub Problem);

    /// The body is not of a type this call accepts (JSON; `multipart/form-data` for uploads).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct UnsupportedMediaType(pub Problem);

    /// The content breaks a rule: each field at fault is named in `errors`.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Unprocessable(pub Problem);

    /// Too many requests from this client (or for this NIK): repeat after `Retry-After` seconds.
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        headers(("Retry-After" = i64, description = "Seconds to wait before repeating the request"))
    )]
    pub struct TooManyRequests(pub Problem);

    /// A failure on our side (`/problems/internal`); the details are in the server's log only.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct InternalError(pub Problem);

    /// The database or the population register cannot be reached for now: repeat after
    /// `Retry-After` seconds. `/problems/unavailable`: nothing was written. `/problems/outcome-unknown`:
    /// the database went away while a change was being saved, which may or may not have been kept
    /// (repeat a submission with the same `Idempotency-Key` to get the one case).
    #[derive(ToResponse)]
    #[response(
        content_type = "application/problem+json",
        headers(("Retry-After" = i64, description = "Seconds to wait before repeating the request"))
    )]
    pub struct Unavailable(pub Problem);
}

/// What the layers around every operation may answer, added to each operation's own responses: a
/// failure of ours (500) or an unreachable database (503), and for a call that carries a body, a
/// call from another site's page (403) or a body that is not JSON (415) refused by
/// [`json_from_this_site`], or too large to read (413).
struct LayerAnswers;

impl utoipa::Modify for LayerAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Ref, RefOr};
        for item in openapi.paths.paths.values_mut() {
            let reads = [item.get.as_mut(), item.head.as_mut()].into_iter().flatten().map(|op| (op, false));
            let writes = [item.post.as_mut(), item.put.as_mut(), item.patch.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
                .map(|op| (op, true));
            for (operation, has_body) in reads.chain(writes) {
                let mut add = |status: &str, name: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                };
                add("500", "InternalError");
                add("503", "Unavailable");
                if has_body {
                    add("403", "Forbidden");
                    add("413", "PayloadTooLarge");
                    add("415", "UnsupportedMediaType");
                }
            }
        }
    }
}

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(catalogue::routes())
        .merge(dashboard::routes())
        .merge(identity::routes(&state))
        .merge(applications::routes(&state))
        .merge(payments::routes(&state))
        .merge(audit::routes().route_layer(axum::middleware::from_fn_with_state(state, crate::ops::rate_limited)))
}

/// A route whose calls carry a body (`with_body_checks(post(handler), state)`), behind
/// [`json_from_this_site`]. The check sits on the route's methods, not on the whole router, so a
/// method a path does not serve is answered 405 by the router (it was answered 415, as if it had
/// sent a body of the wrong type).
pub(crate) fn with_body_checks(route: MethodRouter<AppState>, state: &AppState) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn_with_state(state.clone(), json_from_this_site))
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
/// is allowed, for command-line and server clients. Reads (`GET`, `HEAD`) carry no body and are not
/// routed through here ([`with_body_checks`]).
async fn json_from_this_site(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
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
    use super::{ApiDoc, page_number, positive, same_site};
    use balai_store::Paging;
    use serde_json::Value;
    use utoipa::OpenApi;

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    /// Every error an operation documents is problem+json with the `Problem` schema (a shared
    /// response is followed to its component), and every operation documents 500 and 503.
    #[test]
    fn every_documented_error_is_problem_json() {
        let doc = doc();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                let responses = operation["responses"].as_object().unwrap();
                for status in ["500", "503"] {
                    assert!(responses.contains_key(status), "{method} {path} documents no {status}");
                }
                if method == "post" {
                    for status in ["403", "413", "415"] {
                        assert!(responses.contains_key(status), "{method} {path} documents no {status}");
                    }
                }
                for (status, response) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
                    let response = match response["$ref"].as_str() {
                        Some(name) => &doc["components"]["responses"][name.rsplit('/').next().unwrap()],
                        None => response,
                    };
                    let content = response["content"].as_object().unwrap_or_else(|| panic!("{method} {path} {status}"));
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        ["application/problem+json"],
                        "{method} {path} {status}"
                    );
                    assert_eq!(
                        content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
        assert_eq!(operations, 19);
    }

    /// The bounds the description gives the paging parameters are the ones the handlers enforce.
    #[test]
    fn documented_paging_bounds_are_the_enforced_ones() {
        let doc = doc();
        for path in ["/api/v1/services", "/api/v1/agencies"] {
            let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let schema = |name: &str| parameters.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
            let (page, per_page) = (schema("page"), schema("per_page"));
            assert_eq!((page["type"].as_str(), page["minimum"].as_i64()), (Some("integer"), Some(1)), "{path}");
            assert_eq!(page["maximum"].as_i64(), Some(Paging::MAX_PAGE), "{path}");
            assert_eq!(per_page["maximum"].as_i64(), Some(Paging::MAX_PER_PAGE), "{path}");
        }
        let max = Paging::MAX_PAGE;
        assert_eq!(page_number(Some(&max.to_string())).unwrap(), max);
        assert!(page_number(Some(&(max + 1).to_string())).is_err() && page_number(Some("0")).is_err());
        assert!(positive(Some("0"), "version", 1).is_err() && positive(Some("1"), "version", 1).is_ok());
    }

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
