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

/// Longest request id taken from a client (or a proxy in front) instead of making one.
const MAX_REQUEST_ID_LEN: usize = 64;

/// A client's `x-request-id` is kept only when it is short and plain (`[A-Za-z0-9._-]`): it goes
/// into every log line and back into the response, where anything else could forge log fields or
/// carry data. Otherwise it is dropped and a fresh id is made.
fn acceptable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

async fn drop_unacceptable_request_id(mut request: Request, next: Next) -> Response {
    let ids: Vec<&HeaderValue> = request.headers().get_all(&X_REQUEST_ID).iter().collect();
    if !(ids.len() <= 1 && ids.iter().all(|v| acceptable_request_id(v))) {
        request.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(request).await
}

/// Wraps the public application in the middleware every response goes through.
pub fn with_layers(router: Router) -> Router {
    let ids = RequestIds { prefix: rand::random(), counter: Default::default() };
    router.layer(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn(drop_unacceptable_request_id))
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
    tracing::info_span!("request", method = %method_label(request.method()), route = %route, request_id = %id)
}

/// The method as a metric label or log field: the standard methods by name, anything else
/// (`curl -X SECTEST1`) as `OTHER`, so a client cannot mint label values.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

async fn common_headers_and_metrics(request: Request, next: Next) -> Response {
    {
        let started = Instant::now();
        let method = method_label(request.method());
        // Route templates are a fixed set; a path no route matched is one label value, whatever it was.
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "unmatched".into());
        let mut response = next.run(request).await;
        if response.status().is_server_error() && response.headers().contains_key(header::SET_COOKIE) {
            // A failure after a session was opened (a redirect that could not be built, say) must not
            // hand the browser a session along with the error page.
            tracing::error!(status = response.status().as_u16(), "cookies dropped from a failed response");
            response.headers_mut().remove(header::SET_COOKIE);
        }
        let status = response.status().as_u16().to_string();
        metrics::counter!("balai_http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
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

/// A rate limiter keyed by client address (GCRA, from the `governor` crate). It forgets clients
/// whose state has run back to that of a new client, so its memory follows the clients active in
/// the last minute rather than every address ever seen. IPv6 clients are keyed by their /64, the
/// block one subscriber usually holds, so walking through addresses does not buy new keys.
pub struct ClientLimiter {
    limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    started: Instant,
    /// Milliseconds after `started` of the last sweep.
    last_sweep: AtomicU64,
    sweep_every: std::time::Duration,
}

/// Above this many clients, a sweep runs at most every second instead of every `sweep_every`.
const SWEEP_EARLY_ABOVE: usize = 50_000;

impl ClientLimiter {
    pub fn new(per_second: u32, sweep_every: std::time::Duration) -> ClientLimiter {
        let rate = std::num::NonZeroU32::new(per_second.max(1)).expect("at least 1");
        let burst = std::num::NonZeroU32::new(per_second.max(1).saturating_mul(5)).expect("at least 1");
        ClientLimiter {
            limiter: governor::RateLimiter::keyed(governor::Quota::per_second(rate).allow_burst(burst)),
            started: Instant::now(),
            last_sweep: AtomicU64::new(0),
            sweep_every,
        }
    }

    /// A limiter that lets a client make `burst` requests at once, and one more every `refill`
    /// after that (for slow attempts such as guessing a secret, rather than a request rate).
    pub fn per_period(burst: u32, refill: std::time::Duration) -> ClientLimiter {
        let burst = std::num::NonZeroU32::new(burst.max(1)).expect("at least 1");
        let quota = governor::Quota::with_period(refill.max(std::time::Duration::from_millis(1)))
            .expect("a period of at least a millisecond")
            .allow_burst(burst);
        ClientLimiter {
            limiter: governor::RateLimiter::keyed(quota),
            started: Instant::now(),
            last_sweep: AtomicU64::new(0),
            sweep_every: std::time::Duration::from_secs(60),
        }
    }

    /// Whether the client may make a request now (and counts it).
    pub fn check(&self, client: std::net::IpAddr) -> bool {
        self.sweep_if_due();
        self.limiter.check_key(&limiter_key(client)).is_ok()
    }

    /// How many clients the limiter holds state for.
    pub fn tracked_clients(&self) -> usize {
        self.limiter.len()
    }

    fn sweep_if_due(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_sweep.load(Ordering::Relaxed);
        let every = u64::try_from(self.sweep_every.as_millis()).unwrap_or(u64::MAX);
        let due = now.saturating_sub(last) >= every
            || (self.limiter.len() > SWEEP_EARLY_ABOVE && now.saturating_sub(last) >= 1000);
        // One request sweeps; the others go on.
        if due && self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

fn limiter_key(client: std::net::IpAddr) -> std::net::IpAddr {
    match client {
        std::net::IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            std::net::IpAddr::V6(std::net::Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

pub fn client_limiter(per_second: u32) -> ClientLimiter {
    ClientLimiter::new(per_second, std::time::Duration::from_secs(60))
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
    if !state.audit_limiter.check(client) {
        let lang = crate::i18n::lang_of(&request.into_parts().0);
        let problem = crate::error::Problem {
            problem_type: "/problems/rate-limited".into(),
            title: crate::texts::common::RATE_LIMITED_TITLE.get(lang).into(),
            status: 429,
            detail: crate::texts::common::RATE_LIMITED_DETAIL.get(lang).into(),
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
    use super::{ClientLimiter, client_ip};
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

    #[test]
    fn the_audit_limiter_forgets_clients_that_went_quiet() {
        // 1000 requests a second: one request's trace is gone after a millisecond.
        let limiter = ClientLimiter::new(1000, std::time::Duration::from_millis(200));
        for i in 0..100u8 {
            assert!(limiter.check(ip(&format!("198.51.100.{i}"))));
        }
        assert_eq!(limiter.tracked_clients(), 100);
        std::thread::sleep(std::time::Duration::from_millis(250));
        assert!(limiter.check(ip("203.0.113.1")));
        assert_eq!(limiter.tracked_clients(), 1, "only the client just seen is still held");
    }

    #[test]
    fn an_ipv6_subscriber_cannot_walk_through_addresses_to_escape_the_limit() {
        let limiter = ClientLimiter::new(1, std::time::Duration::from_secs(60));
        let mut allowed = 0;
        for i in 0..20u16 {
            if limiter.check(ip(&format!("2001:db8:1:2::{i:x}"))) {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 5, "one /64 shares one burst");
        assert!(limiter.check(ip("2001:db8:1:3::1")), "the next /64 is another client");
        assert_eq!(limiter.tracked_clients(), 2);
    }

    #[test]
    fn unknown_methods_share_one_label() {
        use axum::http::Method;
        assert_eq!(super::method_label(&Method::GET), "GET");
        assert_eq!(super::method_label(&Method::from_bytes(b"SECTEST1").unwrap()), "OTHER");
    }

    #[test]
    fn request_ids_from_clients_are_kept_only_when_short_and_plain() {
        use axum::http::HeaderValue;
        assert!(super::acceptable_request_id(&HeaderValue::from_static("4bf92f3577b34da6-a3ce929d0e0e4736")));
        assert!(super::acceptable_request_id(&HeaderValue::from_static("req_1.2-3")));
        for bad in ["", "a b", "a\"b", "x=\"y\" level=error", "<script>"] {
            assert!(!super::acceptable_request_id(&HeaderValue::from_str(bad).unwrap()), "{bad:?}");
        }
        assert!(!super::acceptable_request_id(&HeaderValue::from_str(&"a".repeat(65)).unwrap()));
    }

    #[tokio::test]
    async fn a_failed_response_never_hands_out_a_cookie() {
        use axum::http::{Request, StatusCode, header};
        use tower::ServiceExt;
        let failing = axum::Router::new().route(
            "/",
            axum::routing::get(|| async {
                (StatusCode::INTERNAL_SERVER_ERROR, [(header::SET_COOKIE, "balai_admin=opened")], "failed")
            }),
        );
        let response = super::with_layers(failing)
            .oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().get(header::SET_COOKIE).is_none());
    }
}
