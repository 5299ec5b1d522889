//! The public dashboard: a visitor reads the figures, a chart's data table and downloads its CSV;
//! the API answers each panel as JSON and names the parameter it cannot use.

use crate::support::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn a_visitor_reads_the_dashboard_a_charts_table_and_downloads_its_csv() {
    let app = TestApp::demo().await;
    let page = app.get("/dasbor?from=2020-01-01&to=2022-12-31").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h1>Dasbor kinerja pelayanan</h1>"));
    assert!(page.body.contains("<svg class=\"chart\""), "the chart is drawn on the server");
    assert!(page.body.contains("<caption>Permohonan dan pengaduan per minggu"), "each chart has its data table");
    assert!(page.body.contains("<th scope=\"col\">Minggu mulai</th>"));
    assert!(page.body.contains("<form method=\"get\" action=\"/dasbor\""), "the filter works without JavaScript");
    assert!(!page.body.contains("<script"), "nothing needs a script");
    let csv = app.get("/dasbor/trend.csv?from=2022-12-01&to=2022-12-31").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv.header("content-disposition").starts_with("attachment; filename=\"dasbor-trend-"));
    let mut lines = csv.body.lines();
    assert_eq!(lines.next(), Some("Minggu mulai,Permohonan,Selesai,Pengaduan,Selesai tepat waktu"));
    assert_eq!(lines.next().map(|l| l.split(',').next()), Some(Some("2022-11-28")), "{}", csv.body);
    assert_eq!(app.get("/dasbor/lain.csv").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_answers_each_panel_and_names_a_bad_parameter() {
    let app = TestApp::demo().await;
    for panel in ["overview", "applications", "complaints", "trend", "ranking", "map"] {
        let answer = app.get(&format!("/api/v1/dashboard/{panel}?from=2026-01-01&to=2026-03-31")).await;
        assert_eq!(answer.status, StatusCode::OK, "{panel}: {}", answer.body);
        assert_eq!(answer.json()["panel"], panel);
    }
    let trend = app.get("/api/v1/dashboard/trend?from=2026-01-05&to=2026-01-25").await.json();
    assert_eq!(trend["data"].as_array().unwrap().len(), 3, "three weeks: {trend}");
    let unknown = app.get("/api/v1/dashboard/salaries").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.header("content-type"), "application/problem+json");
    for (query, param) in [
        ("from=2026-02-30", "from"),
        ("to=31-01-2026", "to"),
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("from=2020-01-01&to=2026-01-01", "from"),
        ("agency=TIDAK-ADA", "agency"),
        ("service=TIDAK-ADA", "service"),
        ("government=99.99", "government"),
    ] {
        let refused = app.get(&format!("/api/v1/dashboard/overview?{query}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}: {}", refused.body);
        assert_eq!(refused.header("content-type"), "application/problem+json");
        let problem = refused.json();
        let named = problem["param"].as_str().or(problem["errors"][0]["field"].as_str());
        assert_eq!(named, Some(param), "{query}: {}", refused.body);
    }
    let doc = app.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/dashboard/{panel}"]["get"].is_object());
}
