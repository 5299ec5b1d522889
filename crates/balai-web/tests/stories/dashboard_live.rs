//! The dashboard's live figures: a reader of `/dasbor/stream` gets the overview at once, equal to
//! the overview panel, and a new report shows in the next event; a bad filter is refused by name;
//! past the bound of open streams the answer is 503 with Retry-After; streams end when the server
//! stops.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use balai_web::WebConfig;
use balai_web::pages::dashboard::stream::Closing;
use http_body_util::BodyExt;
use std::time::Duration;

/// One event of the stream: its `event`, `id` and `retry` fields and its data as JSON.
#[derive(Debug, Default)]
struct Sse {
    event: String,
    id: String,
    retry: Option<String>,
    data: serde_json::Value,
}

/// Reads the body until a whole event (ending in a blank line, not a keep-alive comment) arrived.
async fn next_event(body: &mut Body, pending: &mut String) -> Option<Sse> {
    loop {
        while let Some(end) = pending.find("\n\n") {
            let block: String = pending.drain(..end + 2).collect();
            let mut event = Sse::default();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event.event = v.to_owned();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    event.id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("retry: ") {
                    event.retry = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            if !data.is_empty() {
                event.data = serde_json::from_str(&data).unwrap_or_else(|e| panic!("not JSON ({e}): {data}"));
                return Some(event);
            }
        }
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame()).await.expect("an event in time")?;
        let data = frame.expect("a readable frame").into_data().unwrap_or_default();
        pending.push_str(&String::from_utf8_lossy(&data));
    }
}

async fn open(app: &TestApp, path: &str) -> axum::response::Response {
    app.raw(Request::get(path).header("accept", "text/event-stream").body(Body::empty()).unwrap()).await
}

async fn a_reader_gets_the_overview_at_once_and_a_new_report_in_the_next_event(app: TestApp) {
    let page = app.get("/dasbor").await;
    assert!(page.body.contains("aria-live=\"polite\""), "the page has a polite live region");
    assert!(page.body.contains("data-stream=\"/dasbor/stream\""), "{}", page.body);
    assert!(page.body.contains("<script src=\"/static/dasbor.js\" defer></script>"));
    let script = app.get("/static/dasbor.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.header("content-type").starts_with("text/javascript"));
    assert!(script.body.contains("EventSource"));
    // A page for an earlier period does not follow today's figures.
    let past = app.get("/dasbor?from=2022-01-01&to=2022-12-31").await;
    assert!(!past.body.contains("data-stream="), "a past period has no live figures");

    let response = open(&app, "/dasbor/stream").await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/event-stream");
    assert_eq!(header("x-accel-buffering"), "no");
    let mut body = response.into_body();
    let mut pending = String::new();
    let first = next_event(&mut body, &mut pending).await.expect("the current figures on connect");
    assert_eq!(first.event, "overview");
    assert_eq!(first.retry.as_deref(), Some("5000"), "a reconnect hint");
    let panel = app.get("/api/v1/dashboard/overview").await.json();
    assert_eq!(first.data["applications"], panel["data"]["applications"], "{}", first.data);
    assert_eq!(first.data["complaints"], panel["data"]["complaints"], "{}", first.data);
    assert_eq!(first.data["period"], panel["data"]["period"]);
    assert_eq!(first.data["government"], "53.71");
    let text = first.data.to_string();
    assert!(!text.contains("tracking") && !text.contains("title"), "numbers only: {text}");

    let received = first.data["complaints"]["received"].as_i64().unwrap();
    crate::complaints::public_report(&app, "live-1").await;
    let next = next_event(&mut body, &mut pending).await.expect("the change arrives");
    assert_eq!(next.data["complaints"]["received"].as_i64(), Some(received + 1), "{}", next.data);
    assert_ne!(next.id, first.id, "each change is a new event");
    assert_eq!(next.retry, None);

    // The same filter as the page, named and checked the same way.
    let agency = open(&app, "/dasbor/stream?agency=disdukcapil").await;
    assert_eq!(agency.status(), StatusCode::OK);
    let mut agency_body = agency.into_body();
    let only = next_event(&mut agency_body, &mut String::new()).await.unwrap();
    assert_eq!(only.data["agency"], "disdukcapil");
    let panel = app.get("/api/v1/dashboard/overview?agency=disdukcapil").await.json();
    assert_eq!(only.data["applications"], panel["data"]["applications"]);
    for (query, param) in
        [("agency=TIDAK-ADA", "agency"), ("service=a%20b", "service"), ("government=99.99", "government")]
    {
        let refused = app.get(&format!("/dasbor/stream?{query}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(refused.header("content-type"), "application/problem+json");
        let problem = refused.json();
        let named = problem["param"].as_str().or(problem["errors"][0]["field"].as_str());
        assert_eq!(named, Some(param), "{query}: {}", refused.body);
    }
}

crate::on_both_engines!(a_reader_gets_the_overview_at_once_and_a_new_report_in_the_next_event);

#[tokio::test]
async fn past_the_bound_of_open_streams_the_answer_is_503_until_one_closes() {
    let app =
        TestApp::demo_with(WebConfig { default_region: Some("53.71".into()), live_streams: 2, ..WebConfig::default() })
            .await;
    let first = open(&app, "/dasbor/stream").await;
    let second = open(&app, "/dasbor/stream?agency=disdukcapil").await;
    assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
    let refused = app.get("/dasbor/stream").await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.header("content-type"), "application/problem+json");
    assert_eq!(refused.header("retry-after"), "30");
    assert_eq!(refused.json()["type"], "/problems/too-many-streams");
    assert!(refused.json()["detail"].as_str().unwrap().contains("coba lagi"), "{}", refused.body);
    // A reader who leaves makes room.
    drop(first);
    let again = open(&app, "/dasbor/stream").await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn open_streams_end_when_the_server_stops() {
    let (close, closing) = Closing::new();
    let app =
        TestApp::demo_with(WebConfig { default_region: Some("53.71".into()), closing, ..WebConfig::default() }).await;
    let mut body = open(&app, "/dasbor/stream").await.into_body();
    let mut pending = String::new();
    assert!(next_event(&mut body, &mut pending).await.is_some());
    close.close();
    assert!(next_event(&mut body, &mut pending).await.is_none(), "the stream ends instead of holding the stop");
}
