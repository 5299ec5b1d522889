//! `GET /dasbor/stream`: the dashboard's overview figures as Server-Sent Events, for pages that
//! want to follow them live. Aggregates only (the same numbers as `/api/v1/dashboard/overview`),
//! never a case or a person.
//!
//! Built for many readers at once: a client never makes the server query the database for it.
//! Each distinct filter (government, agency, service) that somebody follows is a *feed* holding
//! the latest figures, already serialised, in a `watch` channel. One task per government (started
//! with its first feed, ended with its last) reads each of its feeds' figures once a second through
//! the lagging door and publishes only what changed; every client stream forwards the shared text.
//! The figures cover the default period of the page (the last [`DEFAULT_DAYS`] days up to today).
//!
//! Bounds: at most [`MAX_STREAMS`] streams open at once (a setting, `WebConfig::live_streams`) and
//! [`MAX_FEEDS_PER_GOVERNMENT`] distinct filters followed per government; past either the answer
//! is 503 with `Retry-After`. Streams end when the server starts to shut down, so open ones never
//! hold a stop back.
//!
//! [`DEFAULT_DAYS`]: balai_domain::dashboard::DEFAULT_DAYS

use crate::AppState;
use crate::api::dashboard::{DashboardQuery, read_scope};
use crate::error::{ApiError, AppError, Refusal};
use crate::i18n::RequestLang;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::dashboard::{DashboardFilter, FilterInput};
use balai_store::{Db, dashboard};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// Streams open at once unless the deployment sets `live_streams`: about 2,000 idle sockets and a
/// few kilobytes of buffers each, far below what one node holds, yet a flood of connections stops
/// here instead of at the file-descriptor limit.
pub const MAX_STREAMS: usize = 2_000;
/// Distinct filters followed at once in one government. Each costs one overview read a second, so
/// a client walking through agency and service codes cannot multiply the database's work.
pub const MAX_FEEDS_PER_GOVERNMENT: usize = 64;
/// How often a government's task reads its feeds' figures.
const TICK: Duration = Duration::from_secs(1);
/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a browser waits before reconnecting a dropped stream.
const RETRY: Duration = Duration::from_secs(5);
/// Seconds a refused client is asked to wait.
const FULL_RETRY_AFTER: i64 = 30;

pub(crate) mod texts {
    crate::texts::texts! {
        FULL = "Terlalu banyak pembaca pembaruan langsung saat ini. Angka di halaman tetap berlaku; coba lagi sebentar lagi."
            / "Too many readers of live updates right now. The figures on the page still stand; try again shortly.";
        UPDATED = "Angka diperbarui:"
            / "Figures updated:";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/dasbor/stream", get(stream)).route("/static/dasbor.js", get(script))
}

/// Tells open streams the server is stopping. Dropping it without [`CloseStreams::close`] leaves them open.
#[derive(Debug)]
pub struct CloseStreams(watch::Sender<bool>);

impl CloseStreams {
    pub fn close(&self) {
        let _ = self.0.send(true);
    }
}

/// The other end of [`CloseStreams`], kept in the web configuration.
#[derive(Debug, Clone)]
pub struct Closing(watch::Receiver<bool>);

impl Closing {
    pub fn new() -> (CloseStreams, Closing) {
        let (tx, rx) = watch::channel(false);
        (CloseStreams(tx), Closing(rx))
    }

    /// Until [`CloseStreams::close`]; forever when nothing can close (the sender is gone).
    async fn closed(&mut self) {
        if self.0.wait_for(|closing| *closing).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Default for Closing {
    /// Never closes: for servers that stop only with their process (tests, tools).
    fn default() -> Self {
        Closing::new().1
    }
}

/// A followed filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FeedKey {
    government_id: i64,
    agency_id: Option<i64>,
    service_id: Option<i64>,
}

/// What a feed's events say about their filter, and the zone its days are counted in.
#[derive(Debug, Clone)]
struct FeedMeta {
    government: String,
    agency: Option<String>,
    service: Option<String>,
    zone: IndonesianTimeZone,
}

/// The latest figures of a feed: its event number and its JSON text.
#[derive(Debug)]
struct Figures {
    id: u64,
    json: String,
}

struct Feed {
    meta: FeedMeta,
    sender: watch::Sender<Arc<Figures>>,
}

#[derive(Default)]
struct Feeds {
    by_key: HashMap<FeedKey, Feed>,
    /// Governments whose task is running.
    running: HashSet<i64>,
}

/// The live streams of one application: the bound on open streams, the feeds and their tasks.
pub struct LiveHub {
    permits: Arc<Semaphore>,
    closing: Closing,
    feeds: Mutex<Feeds>,
}

impl LiveHub {
    pub fn new(max_streams: usize, closing: Closing) -> LiveHub {
        LiveHub { permits: Arc::new(Semaphore::new(max_streams)), closing, feeds: Mutex::default() }
    }

    fn feeds(&self) -> std::sync::MutexGuard<'_, Feeds> {
        // A panic while holding the lock leaves plain maps behind, still consistent.
        self.feeds.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn existing(&self, key: &FeedKey) -> Option<watch::Receiver<Arc<Figures>>> {
        self.feeds().by_key.get(key).map(|feed| feed.sender.subscribe())
    }
}

/// The event's text: the filter, the period and the overview's figures (as the API's overview panel).
#[derive(Serialize)]
struct LiveFigures<'a> {
    government: &'a str,
    agency: Option<&'a str>,
    service: Option<&'a str>,
    #[serde(flatten)]
    overview: &'a dashboard::Overview,
}

/// Reads a feed's figures for today.
async fn read_figures(db: &Db, key: FeedKey, meta: &FeedMeta, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let today = meta.zone.local_date(now);
    let Ok(filter) = DashboardFilter::parse(FilterInput::default(), today) else { return None };
    let scope = dashboard::Scope {
        government_id: key.government_id,
        agency_id: key.agency_id,
        service_id: key.service_id,
        period: filter.period,
    };
    match dashboard::overview(db.lagging(), &scope, today).await {
        Ok(overview) => serde_json::to_string(&LiveFigures {
            government: &meta.government,
            agency: meta.agency.as_deref(),
            service: meta.service.as_deref(),
            overview: &overview,
        })
        .ok(),
        Err(e) => {
            tracing::warn!(error = %e, "reading the live dashboard figures failed");
            None
        }
    }
}

/// One government's task: once a second, each feed somebody still follows is read and published
/// if it changed; feeds nobody follows are dropped, and with the last one the task ends.
async fn run_government(hub: Arc<LiveHub>, db: Db, clock: crate::Clock, government_id: i64) {
    let mut closing = hub.closing.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = closing.closed() => return,
        }
        let work: Vec<(FeedKey, FeedMeta, watch::Sender<Arc<Figures>>)> = {
            let mut feeds = hub.feeds();
            feeds.by_key.retain(|key, feed| key.government_id != government_id || feed.sender.receiver_count() > 0);
            let work: Vec<_> = feeds
                .by_key
                .iter()
                .filter(|(key, _)| key.government_id == government_id)
                .map(|(key, feed)| (*key, feed.meta.clone(), feed.sender.clone()))
                .collect();
            if work.is_empty() {
                feeds.running.remove(&government_id);
                return;
            }
            work
        };
        let now = clock.now();
        for (key, meta, sender) in work {
            let Some(json) = read_figures(&db, key, &meta, now).await else { continue };
            sender.send_if_modified(|current| {
                if current.json == json {
                    return false;
                }
                *current = Arc::new(Figures { id: current.id + 1, json });
                true
            });
        }
    }
}

/// What the stream takes: the page's filter without its period (the stream follows today).
#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    pub government: Option<String>,
    pub agency: Option<String>,
    pub service: Option<String>,
}

fn full(lang: Lang) -> Response {
    ApiError(
        AppError::from(Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            problem_type: "/problems/too-many-streams",
            title: "Too many live streams",
            field: None,
            rule: "too_many_streams",
            message: texts::FULL.get(lang).to_owned(),
            retry_after: Some(FULL_RETRY_AFTER),
            attempts_left: None,
        }),
        lang,
    )
    .into_response()
}

fn event(figures: &Figures) -> Event {
    Event::default().event("overview").id(figures.id.to_string()).data(&figures.json)
}

/// One client's stream: the current figures at once (with the reconnect hint), then each change,
/// until the client leaves or the server stops. The permit is held as long as the stream lives.
struct ClientStream {
    figures: watch::Receiver<Arc<Figures>>,
    closing: Closing,
    first: bool,
    _permit: OwnedSemaphorePermit,
}

async fn next_event(mut s: ClientStream) -> Option<(Result<Event, Infallible>, ClientStream)> {
    if s.first {
        s.first = false;
        let current = s.figures.borrow_and_update().clone();
        return Some((Ok(event(&current).retry(RETRY)), s));
    }
    let changed = tokio::select! {
        changed = s.figures.changed() => changed.is_ok(),
        _ = s.closing.closed() => false,
    };
    if !changed {
        return None;
    }
    let current = s.figures.borrow_and_update().clone();
    Some((Ok(event(&current)), s))
}

async fn stream(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<StreamQuery>,
) -> Response {
    let fail = |e: AppError| ApiError(e, lang).into_response();
    let Ok(permit) = state.live.permits.clone().try_acquire_owned() else { return full(lang) };
    let query = DashboardQuery { government: q.government, agency: q.agency, service: q.service, from: None, to: None };
    let (government, scope, _) = match read_scope(&state, lang, &query).await {
        Ok(found) => found,
        Err(e) => return fail(e),
    };
    let key = FeedKey { government_id: government.id, agency_id: scope.agency_id, service_id: scope.service_id };
    let figures = match state.live.existing(&key) {
        Some(figures) => figures,
        None => {
            let code = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            let meta = FeedMeta {
                government: government.region_code.clone(),
                agency: code(query.agency),
                service: code(query.service),
                zone: government.zone(),
            };
            let Some(json) = read_figures(&state.db, key, &meta, state.config.clock.now()).await else {
                return fail(AppError::Unavailable("the live figures could not be read".into()));
            };
            let mut feeds = state.live.feeds();
            if let Some(feed) = feeds.by_key.get(&key) {
                // Another client opened the same feed meanwhile.
                feed.sender.subscribe()
            } else {
                let in_government = feeds.by_key.keys().filter(|k| k.government_id == key.government_id).count();
                if in_government >= MAX_FEEDS_PER_GOVERNMENT {
                    drop(feeds);
                    return full(lang);
                }
                let (sender, receiver) = watch::channel(Arc::new(Figures { id: 1, json }));
                feeds.by_key.insert(key, Feed { meta, sender });
                if feeds.running.insert(key.government_id) {
                    tokio::spawn(run_government(
                        state.live.clone(),
                        state.db.clone(),
                        state.config.clock.clone(),
                        key.government_id,
                    ));
                }
                receiver
            }
        }
    };
    let client = ClientStream { figures, closing: state.live.closing.clone(), first: true, _permit: permit };
    let events = futures_util::stream::unfold(client, next_event);
    let mut response =
        Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")).into_response();
    // Proxies that buffer responses (nginx) would hold the events back.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// The live region under the page's figures, and the script that fills it: only when the page
/// shows the period the stream follows (the default one, up to today). The page is complete
/// without them; a screen reader hears only the numbers that changed.
pub(super) fn live_region(
    lang: Lang,
    q: &DashboardQuery,
    scope: &dashboard::Scope,
    today: chrono::NaiveDate,
) -> String {
    if scope.period.to != today || scope.period.days() != balai_domain::dashboard::DEFAULT_DAYS {
        return String::new();
    }
    let mut url = String::from("/dasbor/stream");
    let mut sep = '?';
    for (name, value) in [("government", &q.government), ("agency", &q.agency), ("service", &q.service)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            url.push(sep);
            url.push_str(name);
            url.push('=');
            url.push_str(&crate::pages::urlencode(v));
            sep = '&';
        }
    }
    format!(
        "<p id=\"dasbor-live\" class=\"visually-hidden\" aria-live=\"polite\" data-stream=\"{}\" data-updated=\"{}\"></p>\
         <script src=\"/static/dasbor.js\" defer></script>",
        url.replace('&', "&amp;"),
        texts::UPDATED.get(lang)
    )
}

/// The small optional script that follows the stream (served like the other static files).
async fn script() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/dasbor.js"),
    )
        .into_response()
}
