//! Operations: health checks, metrics, request ids, structured request logs and security headers.

use crate::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

pub fn metrics_routes(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || std::future::ready(handle.render())))
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a random per-process prefix and a counter, so ids are unique across nodes and cheap.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    counter: std::sync::Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n:x}", self.prefix)).ok().map(RequestId::new)
    }
}

/// Wraps the public application in the middleware every response goes through.
pub fn with_layers(router: Router) -> Router {
    let ids = RequestIds { prefix: rand::random(), counter: Default::default() };
    router.layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(X_REQUEST_ID.clone(), ids))
            .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
            .layer(TraceLayer::new_for_http().make_span_with(request_span))
            .layer(middleware::from_fn(common_headers_and_metrics)),
    )
}

/// The log span of a request: method, route template and request id. Never the query string or the
/// concrete path, which could one day carry something personal.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".into());
    let id = request.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    tracing::info_span!("request", method = %request.method(), route = %route, request_id = %id)
}

async fn common_headers_and_metrics(request: Request, next: Next) -> Response {
    {
        let started = Instant::now();
        let method = request.method().to_string();
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "unmatched".into());
        let mut response = next.run(request).await;
        let status = response.status().as_u16().to_string();
        metrics::counter!("balai_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
            .increment(1);
        metrics::histogram!("balai_http_request_duration_seconds", "method" => method, "route" => route)
            .record(started.elapsed().as_secs_f64());
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'",
            ),
        );
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(self)"),
        );
        headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
        response
    }
}

/// A rate limiter keyed by client address (GCRA, from the `governor` crate).
pub type ClientLimiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

pub fn client_limiter(per_second: u32) -> ClientLimiter {
    let rate = std::num::NonZeroU32::new(per_second.max(1)).expect("at least 1");
    let burst = std::num::NonZeroU32::new(per_second.max(1).saturating_mul(5)).expect("at least 1");
    governor::RateLimiter::keyed(governor::Quota::per_second(rate).allow_burst(burst))
}

/// The client's address: the peer, or — when the peer is one of the configured reverse proxies —
/// the nearest address in `X-Forwarded-For` that is not a trusted proxy. A client cannot forge its
/// way past a throttle: the header is read only from trusted peers, and from the right.
pub fn client_ip(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trusted_proxies: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let trusted = |ip: &std::net::IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<std::net::IpAddr>())
        .collect::<Result<_, _>>()
        // A malformed chain is not trusted at all.
        .unwrap_or_default();
    forwarded.into_iter().rev().find(|ip| !trusted(ip)).unwrap_or(peer)
}

/// The key a throttle counts a client under: its address, or for IPv6 its /64 — one subscriber
/// line or host usually holds a whole /64, so counting single IPv6 addresses would give one client
/// 2^64 fresh starts. An IPv4 address mapped into IPv6 is its IPv4 address.
pub fn throttle_key(ip: std::net::IpAddr) -> String {
    match ip.to_canonical() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
    }
}

/// The client's address as [`client_ip`] sees it, for handlers.
pub struct ClientAddr(pub std::net::IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_ip(&parts.headers, &parts.extensions, &state.config.trusted_proxies)))
    }
}

/// Refuses a client that exceeds its rate with 429 problem+json and `Retry-After`.
pub async fn rate_limited(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = client_ip(request.headers(), request.extensions(), &state.config.trusted_proxies);
    if state.audit_limiter.check_key(&client).is_err() {
        let lang = crate::i18n::lang_of(&request.into_parts().0);
        let problem = crate::error::Problem {
            problem_type: "/problems/rate-limited".into(),
            title: lang.pick("Terlalu banyak permintaan", "Too many requests").into(),
            status: 429,
            detail: lang.pick("Coba lagi sebentar lagi.", "Try again in a moment.").into(),
            param: None,
            errors: Vec::new(),
            retry_after: Some(1),
            attempts_left: None,
        };
        return problem.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use axum::http::{Extensions, HeaderMap};
    use std::net::{IpAddr, SocketAddr};

    fn request_from(peer: &str, forwarded: Option<&str>) -> (HeaderMap, Extensions) {
        let mut headers = HeaderMap::new();
        if let Some(value) = forwarded {
            headers.insert("x-forwarded-for", value.parse().unwrap());
        }
        let mut extensions = Extensions::new();
        let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
        extensions.insert(axum::extract::ConnectInfo(addr));
        (headers, extensions)
    }

    fn client(peer: &str, forwarded: Option<&str>) -> IpAddr {
        let proxies = ["10.0.0.0/8".parse().unwrap(), "192.0.2.1/32".parse().unwrap()];
        let (headers, extensions) = request_from(peer, forwarded);
        client_ip(&headers, &extensions, &proxies)
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_is_throttled_not_the_proxy() {
        assert_eq!(client("10.1.2.3", Some("203.0.113.7")), ip("203.0.113.7"));
        // Two proxies in a row: the nearest untrusted hop is the client.
        assert_eq!(client("10.1.2.3", Some("203.0.113.7, 192.0.2.1")), ip("203.0.113.7"));
        // A client that sends its own header cannot choose its address: the proxy appended the real one.
        assert_eq!(client("10.1.2.3", Some("198.51.100.99, 203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn throttles_count_an_ipv6_client_by_its_64_and_an_ipv4_client_by_its_address() {
        use super::throttle_key;
        assert_eq!(throttle_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(throttle_key(ip("::ffff:192.0.2.7")), "192.0.2.7", "mapped IPv4 is IPv4");
        assert_eq!(throttle_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(ip("2001:db8:1:2::1")), throttle_key(ip("2001:db8:1:2:ffff::9")), "same /64");
        assert_ne!(throttle_key(ip("2001:db8:1:2::1")), throttle_key(ip("2001:db8:1:3::1")), "next /64");
    }

    #[test]
    fn a_forwarded_header_from_anyone_else_is_ignored() {
        assert_eq!(client("203.0.113.7", Some("198.51.100.99")), ip("203.0.113.7"));
        assert_eq!(client("10.1.2.3", None), ip("10.1.2.3"), "no header: the proxy itself");
        assert_eq!(client("10.1.2.3", Some("not-an-address")), ip("10.1.2.3"), "a malformed chain is not believed");
        let (headers, extensions) = request_from("10.1.2.3", Some("203.0.113.7"));
        assert_eq!(client_ip(&headers, &extensions, &[]), ip("10.1.2.3"), "no proxies configured");
    }
}
