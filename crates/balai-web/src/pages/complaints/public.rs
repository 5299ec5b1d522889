//! What the public reads: `/pengaduan`, the reports not marked rahasia, newest first, paged by case
//! id (`?sebelum=`), filtered by category and state, with a map drawn on the server (each point a
//! link; the list is the primary content); `/pengaduan/{number}`, one report with its redacted text,
//! photos, timeline (roles, never names) and rating; "me too" support; the photos themselves.

use super::{L, SUPPORTER_COOKIE, TimelineLine, government_of, supporter_key, texts, timeline, when};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::complaints::{GeoBox, GeoPoint};
use balai_store::complaints::{self, PublicFilter, PublicLine};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pengaduan", get(list))
        .route("/pengaduan/feed.atom", get(feed))
        .route("/pengaduan/foto/{id}", get(photo))
        .route("/pengaduan/{number}", get(detail))
        .route("/pengaduan/{number}/dukung", post(support))
}

/// Reports on one page of the list.
const PAGE: i64 = 20;
/// The map's drawing size (the SVG scales to the screen).
const MAP_W: f64 = 320.0;
const MAP_H: f64 = 240.0;

#[derive(Deserialize)]
struct ListQuery {
    pemda: Option<String>,
    kategori: Option<String>,
    status: Option<String>,
    sebelum: Option<String>,
}

struct Line {
    tracking: String,
    title: String,
    category: String,
    status: String,
    submitted: String,
    address: String,
    supporters: String,
}

struct Point {
    x: String,
    y: String,
    tracking: String,
    name: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    chrome: Chrome,
    l: L,
    government: String,
    pemda: String,
    categories: Vec<Choice>,
    status: String,
    lines: Vec<Line>,
    points: Vec<Point>,
    map_view_box: String,
    next: Option<String>,
    csrf: String,
    /// The category the list is filtered by (the feed link keeps it).
    category: Option<String>,
}

/// Where a point falls in the map of `area`, or `None` outside it.
fn project(area: &GeoBox, point: GeoPoint) -> Option<(f64, f64)> {
    if !area.contains(point) {
        return None;
    }
    let x = (point.lon - area.min_lon) / (area.max_lon - area.min_lon) * MAP_W;
    let y = (area.max_lat - point.lat) / (area.max_lat - area.min_lat) * MAP_H;
    Some((x, y))
}

/// The box the map shows: the government's area, else the box around the page's points.
fn map_area(configured: Option<GeoBox>, lines: &[PublicLine]) -> Option<GeoBox> {
    if configured.is_some() {
        return configured;
    }
    let points: Vec<GeoPoint> = lines.iter().filter_map(|l| l.location).collect();
    let first = points.first()?;
    let mut area = GeoBox { min_lat: first.lat, max_lat: first.lat, min_lon: first.lon, max_lon: first.lon };
    for p in &points {
        area.min_lat = area.min_lat.min(p.lat);
        area.max_lat = area.max_lat.max(p.lat);
        area.min_lon = area.min_lon.min(p.lon);
        area.max_lon = area.max_lon.max(p.lon);
    }
    // A margin, so a single point or a line of points still makes a box.
    area.min_lat -= 0.01;
    area.max_lat += 0.01;
    area.min_lon -= 0.01;
    area.max_lon += 0.01;
    Some(area)
}

async fn list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Response {
    let l = L(lang);
    let government = match government_of(&state, q.pemda.as_deref()).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let categories = match complaints::categories(state.db.lagging(), government.id).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let wanted = q.kategori.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let category = match wanted {
        Some(code) => match categories.iter().find(|c| c.code == code) {
            Some(c) => Some(c.id),
            // A category this government does not have: no such list.
            None => return error_page(lang, &uri, AppError::NotFound),
        },
        None => None,
    };
    let status = q.status.as_deref().unwrap_or_default().trim().to_owned();
    let open = match status.as_str() {
        "terbuka" => Some(true),
        "selesai" => Some(false),
        _ => None,
    };
    let before = match q.sebelum.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match s.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                return error_page(
                    lang,
                    &uri,
                    AppError::BadParameter { param: "sebelum", expected: crate::error::Expected::Positive },
                );
            }
        },
        None => None,
    };
    let filter = PublicFilter { category_id: category, open, before, ..PublicFilter::default() };
    let found = match complaints::public_list(state.db.lagging(), government.id, &filter, PAGE).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let rules = complaints::rules::current(state.db.lagging(), government.id).await.ok().flatten();
    let zone = government.zone();
    let area = map_area(rules.and_then(|r| r.area), &found);
    let points = match area {
        Some(area) => found
            .iter()
            .filter_map(|line| {
                let (x, y) = project(&area, line.location?)?;
                Some(Point {
                    x: format!("{x:.1}"),
                    y: format!("{y:.1}"),
                    tracking: line.tracking_number.clone(),
                    name: format!("{} — {}", line.title, line.status.label(lang)),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let next = (i64::try_from(found.len()).unwrap_or(0) == PAGE).then(|| {
        let last = found.last().map(|l| l.case_id).unwrap_or_default();
        let mut query = vec![format!("sebelum={last}")];
        if let Some(code) = wanted {
            query.push(format!("kategori={}", crate::pages::urlencode(code)));
        }
        if open.is_some() {
            query.push(format!("status={status}"));
        }
        if q.pemda.as_deref().is_some_and(|p| !p.is_empty()) {
            query.push(format!("pemda={}", crate::pages::urlencode(&government.region_code)));
        }
        if lang == Lang::En {
            query.push("lang=en".into());
        }
        format!("/pengaduan?{}", query.join("&"))
    });
    let lines = found
        .iter()
        .map(|line| Line {
            tracking: line.tracking_number.clone(),
            title: line.title.clone(),
            category: lang.pick(&line.category_id, &line.category_en).to_owned(),
            status: line.status.label(lang).to_owned(),
            submitted: when(zone, Some(line.submitted_at)),
            address: line.address.clone(),
            supporters: texts::SUPPORTERS.fill(lang, &[("count", &line.supporters.to_string())]),
        })
        .collect();
    let (csrf, cookie) = crate::auth::issue_login_csrf(&state);
    let page = ListPage {
        chrome: Chrome::new(lang, l.t("PUBLIC_HEADING"), &uri),
        l,
        government: government.name.clone(),
        pemda: government.region_code.clone(),
        categories: categories
            .iter()
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name(lang).to_owned(),
                selected: Some(c.code.as_str()) == wanted,
            })
            .collect(),
        status,
        lines,
        points,
        map_view_box: format!("0 0 {MAP_W} {MAP_H}"),
        next,
        csrf,
        category: wanted.map(crate::pages::urlencode),
    };
    let mut response = render(&page);
    // The page carries a form token: it is not for shared caches.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(askama::Template)]
#[template(path = "complaints/detail.html")]
struct DetailPage {
    chrome: Chrome,
    l: L,
    csrf: String,
    tracking: String,
    title: String,
    text: String,
    kind: String,
    category: String,
    status: String,
    address: String,
    submitted: String,
    closed: String,
    supporters: String,
    photos: Vec<(i64, String)>,
    timeline: Vec<TimelineLine>,
    rating: Option<String>,
    rating_comment: String,
    /// The report this one was merged into, and the sentence saying so.
    duplicate_of: Option<(String, String)>,
    open: bool,
    supported: bool,
    /// Photos in the timeline are linked (the timeline is shared with the reporter's page).
    public: bool,
}

#[derive(Deserialize)]
struct DetailQuery {
    dukung: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(number): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let l = L(lang);
    // A rahasia report, a whistleblowing report and an unknown number are the same 404.
    let report = match complaints::public_report(state.db.lagging(), &number).await {
        Ok(Some(report)) => report,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = super::track::zone_of(&state, report.line.case_id).await;
    let line = &report.line;
    let (csrf, cookie) = crate::auth::issue_login_csrf(&state);
    let page = DetailPage {
        chrome: Chrome::new(lang, line.title.clone(), &uri),
        l,
        csrf,
        tracking: line.tracking_number.clone(),
        title: line.title.clone(),
        text: report.text.clone(),
        kind: line.kind.label(lang).to_owned(),
        category: lang.pick(&line.category_id, &line.category_en).to_owned(),
        status: line.status.label(lang).to_owned(),
        address: line.address.clone(),
        submitted: when(zone, Some(line.submitted_at)),
        closed: when(zone, line.closed_at),
        supporters: texts::SUPPORTERS.fill(lang, &[("count", &line.supporters.to_string())]),
        photos: report
            .photo_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, texts::PHOTO_ALT.fill(lang, &[("n", &(i + 1).to_string())])))
            .collect(),
        timeline: timeline(lang, zone, &report.events),
        rating: report
            .rating
            .as_ref()
            .map(|(stars, _)| texts::RATING_VALUE.fill(lang, &[("stars", &stars.to_string())])),
        rating_comment: report.rating.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        duplicate_of: report
            .duplicate_of
            .clone()
            .map(|n| (n.clone(), texts::DUPLICATE_OF.fill(lang, &[("number", &n)]))),
        open: line.closed_at.is_none(),
        supported: q.dukung.is_some(),
        public: true,
    };
    let mut response = render(&page);
    // The page carries a form token: it is not for shared caches.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

async fn photo(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else { return error_page(lang, &uri, AppError::NotFound) };
    // Only photos of public reports: others are the same 404 as no photo.
    let (key, content_type) = match complaints::public_photo(state.db.lagging(), id).await {
        Ok(Some(found)) => found,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let bytes = match state.config.files.get(&key).await {
        Ok(bytes) => bytes,
        Err(e) => return error_page(lang, &uri, AppError::Internal(format!("reading a photo: {e}"))),
    };
    // Only the types a cleaned photo can have; anything else is not served as itself.
    let content_type = match content_type.as_str() {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => return error_page(lang, &uri, AppError::NotFound),
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize)]
struct SupportForm {
    #[serde(default)]
    csrf: String,
}

async fn support(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<SupportForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let report = match complaints::public_report(&state.db, &number).await {
        Ok(Some(report)) => report,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let citizen = super::citizen_of(&state, &headers).await;
    let mut new_cookie = None;
    let key = match supporter_key(citizen, &headers) {
        Some(key) => key,
        None => {
            let token = crate::auth::random_token();
            new_cookie =
                Some(crate::auth::set_cookie(SUPPORTER_COOKIE, &token, 365 * 24 * 3600, state.config.secure_cookies));
            let mut headers = HeaderMap::new();
            headers
                .insert(header::COOKIE, HeaderValue::from_str(&format!("{SUPPORTER_COOKIE}={token}")).expect("ascii"));
            supporter_key(None, &headers).expect("a fresh key")
        }
    };
    match complaints::support(&state.db, report.line.case_id, &key, state.config.clock.now()).await {
        Ok(_) => {
            let query = if lang == Lang::En { "&lang=en" } else { "" };
            let mut response =
                Redirect::to(&format!("/pengaduan/{}?dukung=1{query}", report.line.tracking_number)).into_response();
            if let Some(cookie) = new_cookie {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// Entries in the feed.
const FEED_ENTRIES: i64 = 50;

struct Entry {
    id: String,
    title: String,
    updated: String,
    link: String,
    summary: String,
}

/// The Atom feed of new public reports. Written through an askama template with HTML escaping
/// (which escapes `& < > " '`, all XML needs in text and attributes), after dropping the characters
/// XML 1.0 cannot carry at all: a small fixed document does not need a feed crate.
#[derive(askama::Template)]
#[template(path = "complaints/feed.xml", escape = "html")]
struct Feed {
    id: String,
    title: String,
    self_link: String,
    alternate: String,
    updated: String,
    author: String,
    entries: Vec<Entry>,
}

/// Text as XML 1.0 may carry it: without control characters other than tab and line breaks.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && *c != '\u{FFFE}' && *c != '\u{FFFF}'))
        .collect()
}

#[derive(Deserialize)]
struct FeedQuery {
    pemda: Option<String>,
    kategori: Option<String>,
}

async fn feed(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Response {
    let government = match government_of(&state, q.pemda.as_deref()).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let wanted = q.kategori.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let category = match wanted {
        Some(code) => match complaints::category_by_code(state.db.lagging(), government.id, code).await {
            Ok(Some(c)) => Some(c),
            Ok(None) => return error_page(lang, &uri, AppError::NotFound),
            Err(e) => return error_page(lang, &uri, e.into()),
        },
        None => None,
    };
    let filter = PublicFilter { category_id: category.as_ref().map(|c| c.id), ..PublicFilter::default() };
    let lines = match complaints::public_list(state.db.lagging(), government.id, &filter, FEED_ENTRIES).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = state
        .config
        .public_origin
        .clone()
        .or_else(|| host.map(|h| format!("http://{h}")))
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let origin = origin.trim_end_matches('/');
    let query = match &category {
        Some(c) => format!("?kategori={}", crate::pages::urlencode(&c.code)),
        None => String::new(),
    };
    let updated = lines.first().map_or(government.created_at, |l| l.submitted_at);
    let title = match &category {
        Some(c) => format!("{} — {} — {}", texts::PUBLIC_HEADING.get(lang), government.name, c.name(lang)),
        None => format!("{} — {}", texts::PUBLIC_HEADING.get(lang), government.name),
    };
    let page = Feed {
        id: xml_text(&format!("{origin}/pengaduan/feed.atom{query}")),
        title: xml_text(&title),
        self_link: xml_text(&format!("{origin}/pengaduan/feed.atom{query}")),
        alternate: xml_text(&format!("{origin}/pengaduan{query}")),
        updated: updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        author: xml_text(&government.name),
        entries: lines
            .iter()
            .map(|line| Entry {
                id: xml_text(&format!("{origin}/pengaduan/{}", line.tracking_number)),
                title: xml_text(&line.title),
                updated: line.submitted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                link: xml_text(&format!("{origin}/pengaduan/{}", line.tracking_number)),
                summary: xml_text(&format!(
                    "{} · {} · {}{}",
                    lang.pick(&line.category_id, &line.category_en),
                    line.status.label(lang),
                    line.tracking_number,
                    if line.address.is_empty() { String::new() } else { format!(" · {}", line.address) }
                )),
            })
            .collect(),
    };
    match askama::Template::render(&page) {
        Ok(xml) => (
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            xml,
        )
            .into_response(),
        Err(e) => error_page(lang, &uri, AppError::Internal(format!("feed template: {e}"))),
    }
}
