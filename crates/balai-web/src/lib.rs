//! Balai's HTTP edge: server-rendered pages, the JSON API with its OpenAPI description, operations
//! endpoints and middleware. One module per context, as in every other layer.

pub mod api;
pub mod applications;
pub mod auth;
pub mod clock;
pub mod error;
pub mod i18n;
pub mod identity;
pub mod open311;
pub mod ops;
pub mod pages;
pub mod posted;
pub mod redirect;
pub mod register;
pub mod snap;
pub mod texts;

use axum::Router;
use balai_store::Db;
pub use clock::Clock;
use metrics_exporter_prometheus::PrometheusHandle;

/// Settings the web layer needs; the binary fills them from config.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The government shown when a request names none (the deployment's "home" region).
    pub default_region: Option<String>,
    /// How cookies are flagged and named (`Secure`, `__Host-`), and whether HSTS is sent.
    /// Browsers accept secure cookies on http://127.0.0.1 and localhost.
    pub secure_cookies: auth::CookieSecurity,
    /// Admin sessions expire after this many minutes.
    pub session_minutes: i64,
    /// The audit checkpoint verifier key (C2SP vkey), published at `/api/v1/audit/public-key`.
    pub audit_public_key: Option<String>,
    /// Requests per second each client address may make to the public audit API (burst: 5 s worth).
    pub audit_requests_per_second: u32,
    /// The demo's inbox page (`/demo/pesan`) shows every outbox message, one-time codes included.
    /// Never on in production.
    pub demo_inbox: bool,
    /// Officer sign-in through the government's OpenID Connect provider, when configured.
    pub oidc: Option<pages::identity::OidcSignIn>,
    /// Citizen sign-in through a citizen identity provider (national digital identity, provincial
    /// SSO), when configured.
    pub citizen_oidc: Option<pages::identity::CitizenIdp>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (for throttles and rate limits).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The population register first sign-ins are checked against.
    pub register: register::RegisterConnector,
    /// The site's public origin (`https://layanan.kupangkota.go.id`) when it differs from the `Host`
    /// the server sees (a proxy that rewrites it); state-changing API calls are accepted from it.
    pub public_origin: Option<String>,
    /// The time sign-in, the second factor and sessions act on (stories move it instead of waiting).
    pub clock: Clock,
    /// Where uploads and issued documents are kept (a local directory, or object storage).
    pub files: std::sync::Arc<balai_files::FileStore>,
    /// The keys issued documents are signed with (one per government).
    pub document_keys: balai_documents::DocumentKeys,
    /// The largest file a citizen may upload.
    pub max_upload_bytes: usize,
    /// The most dashboard live streams (`/dasbor/stream`) open at once; past it, 503 with Retry-After.
    pub live_streams: usize,
    /// Ends open live streams when the server starts to shut down.
    pub closing: pages::dashboard::stream::Closing,
    /// Virtual-account payments over SNAP, when a bank is configured; without it its routes answer 404.
    pub snap: Option<snap::SnapConfig>,
    /// Non-cash payment: the gateway callback's secret, virtual accounts, the demo gateway.
    pub payments: PaymentsConfig,
}

/// How payments reach the server.
#[derive(Clone, Default)]
pub struct PaymentsConfig {
    /// The shared secret of the generic gateway callback (`Balai-Signature`); without it the
    /// callback endpoint is not served.
    pub callback_secret: Option<Vec<u8>>,
    /// The bank's partner service id (the government's virtual-account prefix), when virtual
    /// accounts are offered.
    pub partner_service_id: Option<String>,
    /// The demo's payment page offers "pay with the demo gateway", which sends the signed callback
    /// over HTTP to this origin (`http://127.0.0.1:8080`). Never on in production.
    pub demo_gateway_origin: Option<String>,
}

impl std::fmt::Debug for PaymentsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed.
        f.debug_struct("PaymentsConfig")
            .field("callback_secret", &self.callback_secret.as_ref().map(|_| "<set>"))
            .field("partner_service_id", &self.partner_service_id)
            .field("demo_gateway_origin", &self.demo_gateway_origin)
            .finish()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            default_region: None,
            secure_cookies: auth::CookieSecurity::HostOnly,
            session_minutes: 8 * 60,
            audit_public_key: None,
            audit_requests_per_second: 20,
            demo_inbox: false,
            oidc: None,
            citizen_oidc: None,
            trusted_proxies: Vec::new(),
            register: register::RegisterConnector::none(),
            public_origin: None,
            clock: Clock::system(),
            files: std::sync::Arc::new(balai_files::FileStore::in_memory()),
            // A key nobody keeps: a server configured without one signs nothing that outlives it.
            document_keys: balai_documents::DocumentKeys::from_master(rand::random()),
            max_upload_bytes: 10 * 1024 * 1024,
            live_streams: pages::dashboard::stream::MAX_STREAMS,
            closing: pages::dashboard::stream::Closing::default(),
            snap: None,
            payments: PaymentsConfig::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Seals and opens personal data (NIK, KK, phone, address) at rest.
    pub vault: balai_store::identity::Vault,
    /// Shared, not copied: the state is cloned for every request's extractors, and a copy of the
    /// configuration (identity providers, proxies, document keys) was a dozen allocations each time.
    pub config: std::sync::Arc<WebConfig>,
    /// Per-address limiter for the public audit API (in memory: each node limits on its own).
    pub audit_limiter: std::sync::Arc<ops::ClientLimiter>,
    /// Per-address limiter for tracking a complaint by number and secret (guessing secrets).
    pub tracking_limiter: std::sync::Arc<ops::ClientLimiter>,
    /// The dashboard's live streams: their bound and the feeds they share.
    pub live: std::sync::Arc<pages::dashboard::stream::LiveHub>,
}

/// The public application: pages, API and health checks.
pub fn app(db: Db, vault: balai_store::identity::Vault, config: WebConfig) -> Router {
    let audit_limiter = std::sync::Arc::new(ops::client_limiter(config.audit_requests_per_second));
    let cookies = config.secure_cookies;
    let tracking_limiter = std::sync::Arc::new(ops::ClientLimiter::per_period(
        pages::complaints::TRACKING_ATTEMPTS,
        pages::complaints::TRACKING_REFILL,
    ));
    // Survey invitations are written inside the store's transactions, which know no addresses.
    balai_store::surveys::set_link_origin(config.public_origin.as_deref());
    let live = std::sync::Arc::new(pages::dashboard::stream::LiveHub::new(config.live_streams, config.closing.clone()));
    let state = AppState { db, vault, config: std::sync::Arc::new(config), audit_limiter, tracking_limiter, live };
    ops::with_layers(
        Router::new()
            .merge(pages::routes())
            .nest("/api", api::routes(state.clone()))
            .merge(open311::routes())
            .merge(snap::routes())
            .merge(ops::routes())
            .fallback(pages::not_found)
            .with_state(state)
            .layer(axum::middleware::from_fn(error::readable_rejections))
            .layer(axum::middleware::from_fn_with_state(cookies, auth::cookie_edge)),
    )
}

/// The metrics listener's application, kept off the public port.
pub fn metrics_app(handle: PrometheusHandle) -> Router {
    ops::metrics_routes(handle)
}
