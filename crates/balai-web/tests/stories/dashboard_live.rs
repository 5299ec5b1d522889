//! The dashboard's live figures: a reader of `/dasbor/stream` gets the overview at once, equal to
//! the overview panel, and a new report shows in the next event; a bad filter is refused by name;
//! past the bound of open streams the answer is 503 with Retry-After; streams end when the server
//! stops. The internal dashboard `/admin/dasbor`: an officer reads their agency per unit and
//! downloads its tables; another agency's officer is refused it; a stranger is sent to sign in;
//! links to a unit's cases show only to those who may work them.

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

// ---- the internal dashboard ---------------------------------------------------------------------

use balai_domain::identity::Role;

/// A signed-in officer of `role` in the Kota Kupang agency `agency` (none: government-wide): their cookie.
async fn staff(app: &TestApp, username: &str, role: Role, agency: Option<&str>) -> String {
    crate::officers::officer(app, username, role, agency).await;
    let signed_in = crate::officers::password(app, username, crate::officers::PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    format!("balai_admin={}", signed_in.cookie("balai_admin").expect("no second factor for this role"))
}

/// Disdukcapil Kota Kupang's units: id and name.
async fn disdukcapil_units(app: &TestApp) -> Vec<(i64, String)> {
    let agencies = balai_store::org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100)).await.unwrap();
    let agency = agencies.items.into_iter().find(|a| a.code == "disdukcapil").unwrap();
    balai_store::org::units(&app.db, agency.id).await.unwrap().into_iter().map(|u| (u.id, u.name)).collect()
}

/// The cells of a table row whose header cell holds `name`, as text (links and markup dropped).
fn row_of(body: &str, caption: &str, name: &str) -> Vec<String> {
    let table = body.split(&format!("<caption>{caption}")).nth(1).unwrap_or_else(|| panic!("no table {caption}"));
    let table = table.split("</table>").next().unwrap();
    let row = table
        .split("<tr>")
        .find(|row| row.starts_with("<th scope=\"row\">") && row.contains(&format!(">{name}<")))
        .unwrap_or_else(|| panic!("no row {name} in {table}"));
    let strip = |html: &str| {
        let mut text = String::new();
        let mut inside = false;
        for c in html.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                c if !inside => text.push(c),
                _ => {}
            }
        }
        text
    };
    row.split("<t")
        .skip(1)
        .map(|cell| {
            let inner = &cell[cell.find('>').unwrap() + 1..];
            strip(inner.split("</t").next().unwrap())
        })
        .collect()
}

async fn an_officer_reads_their_agency_per_unit_downloads_a_table_and_opens_a_units_cases(app: TestApp) {
    // Two applications wait at their first step in a unit of Disdukcapil.
    crate::applications::marias_submitted_application(&app, "dasbor-1").await;
    crate::applications::marias_submitted_application(&app, "dasbor-2").await;
    let cookie = staff(&app, "petugas.dasbor", Role::Officer, Some("disdukcapil")).await;
    let page = app.get_with_cookie("/admin/dasbor", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h1>Dasbor perangkat daerah: "), "{}", page.body);
    assert_eq!(page.header("cache-control"), "no-store");
    assert!(page.body.contains("<caption>Permohonan per unit — "));
    assert!(page.body.contains("<caption>Pengaduan per unit — "));
    let units = disdukcapil_units(&app).await;
    assert!(units.len() >= 2, "the demo agency has units");
    // An officer of the whole agency may work every unit's cases: each unit links to them.
    for (id, name) in &units {
        assert!(page.body.contains(&format!("<a href=\"/admin/dasbor/unit/{id}\">{name}</a>")), "{name}");
    }
    assert!(page.body.contains("<form method=\"get\" action=\"/admin/dasbor\""));
    // The unit with the most open cases: its drill-down lists exactly them.
    let backlog = |name: &str| {
        let apps: i64 = row_of(&page.body, "Permohonan per unit", name)[3].parse().unwrap();
        let comps: i64 = row_of(&page.body, "Pengaduan per unit", name)[5].parse().unwrap();
        apps + comps
    };
    let (busiest, open) = units.iter().map(|(id, name)| ((id, name), backlog(name))).max_by_key(|(_, n)| *n).unwrap();
    assert!(open > 0, "the demo has open cases in some unit: {}", page.body);
    let cases = app.get_with_cookie(&format!("/admin/dasbor/unit/{}", busiest.0), &cookie).await;
    assert_eq!(cases.status, StatusCode::OK, "{}", cases.body);
    assert!(cases.body.contains(&format!("<h1>Kasus terbuka: {}</h1>", busiest.1)));
    let listed = cases.body.matches("<th scope=\"row\"><a href=\"/admin/").count() as i64;
    assert_eq!(listed, open.min(200), "the drill-down lists the cases behind the figure");

    let csv = app.get_with_cookie("/admin/dasbor/unit-permohonan.csv", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.header("content-disposition").starts_with("attachment; filename=\"dasbor-disdukcapil-unit-permohonan-")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Unit,Diterima,Selesai,Belum selesai di akhir periode,Diputus tepat waktu,Rata-rata hari kerja,Persentil 90 hari kerja"
        )
    );
    let first = lines.next().unwrap();
    assert!(units.iter().any(|(_, name)| first.starts_with(name.as_str())), "{first}");
    assert_eq!(csv.body.lines().count(), units.len() + 1 + usize::from(page.body.contains("Tanpa unit")));
    assert_eq!(app.get_with_cookie("/admin/dasbor/lain.csv", &cookie).await.status, StatusCode::NOT_FOUND);
}

async fn another_agencys_officer_is_refused_it_and_a_stranger_is_sent_to_sign_in(app: TestApp) {
    let agencies = balai_store::org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100)).await.unwrap();
    let other = agencies.items.iter().find(|a| a.code != "disdukcapil").unwrap();
    let cookie = staff(&app, "petugas.lain", Role::Officer, Some(&other.code)).await;
    for path in ["/admin/dasbor?agency=disdukcapil", "/admin/dasbor/unit-permohonan.csv?agency=disdukcapil"] {
        let refused = app.get_with_cookie(path, &cookie).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!refused.body.contains("Permohonan per unit"));
    }
    let (unit, _) = disdukcapil_units(&app).await.remove(0);
    let refused = app.get_with_cookie(&format!("/admin/dasbor/unit/{unit}"), &cookie).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let own = app.get_with_cookie("/admin/dasbor", &cookie).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains(&format!("<h1>Dasbor perangkat daerah: {}</h1>", other.name)), "{}", own.body);
    assert!(!own.body.contains("value=\"disdukcapil\""), "only their own agency to choose");

    for path in ["/admin/dasbor", "/admin/dasbor/unit-permohonan.csv", &format!("/admin/dasbor/unit/{unit}")] {
        let stranger = app.get(path).await;
        assert_eq!(stranger.status, StatusCode::SEE_OTHER, "{path}");
        assert!(stranger.header("location").starts_with("/admin/masuk?next="), "{path}");
    }
}

async fn links_to_a_units_cases_show_only_to_those_who_may_work_them(app: TestApp) {
    let units = disdukcapil_units(&app).await;
    // Maria's application waits in a unit; an officer of that unit signs in.
    let (case, tracking) = crate::applications::marias_submitted_application(&app, "dasbor-unit").await;
    let (own, own_code): (i64, String) = app
        .db
        .fetch_one(
            balai_store::query("SELECT u.id, u.code FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.id = $1")
                .bind(case),
        )
        .await
        .unwrap();
    let cookie = crate::applications::unit_officer(&app, "petugas.unit", &own_code).await;
    let page = app.get_with_cookie("/admin/dasbor", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (id, name) in &units {
        let linked = page.body.contains(&format!("<a href=\"/admin/dasbor/unit/{id}\">{name}</a>"));
        assert_eq!(linked, *id == own, "{name}: a unit's officer works only their unit's cases");
        assert!(page.body.contains(&format!(">{name}</")), "{name}: but reads every unit's figures");
        let drill = app.get_with_cookie(&format!("/admin/dasbor/unit/{id}"), &cookie).await;
        assert_eq!(drill.status, if *id == own { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{name}");
        if *id == own {
            let link = format!("<a href=\"/admin/permohonan/{case}\">{tracking}</a>");
            assert!(drill.body.contains(&link), "the case behind the figure: {}", drill.body);
            assert!(!drill.body.contains("Maria"), "the list names no citizen");
        }
    }
    // An auditor reads any agency's figures and works no case: no links at all.
    let auditor = staff(&app, "auditor.dasbor", Role::Auditor, None).await;
    let page = app.get_with_cookie("/admin/dasbor?agency=disdukcapil", &auditor).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("/admin/dasbor/unit/"), "no drill-down without WorkCase");
    for (id, _) in &units {
        assert_eq!(
            app.get_with_cookie(&format!("/admin/dasbor/unit/{id}"), &auditor).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

crate::on_both_engines!(
    a_reader_gets_the_overview_at_once_and_a_new_report_in_the_next_event,
    an_officer_reads_their_agency_per_unit_downloads_a_table_and_opens_a_units_cases,
    another_agencys_officer_is_refused_it_and_a_stranger_is_sent_to_sign_in,
    links_to_a_units_cases_show_only_to_those_who_may_work_them,
);
