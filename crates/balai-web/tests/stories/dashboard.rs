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

/// Stories on the demo with its work seeded as `balai demo` seeds it.
mod with_work {
    use crate::support::TestApp;
    use axum::http::StatusCode;

    crate::on_both_engines_with_work!(
        the_demos_cases_are_counted,
        ikm_per_unit_is_read_from_the_day_sums,
        the_map_shows_public_reports_and_never_a_rahasia_one,
    );

    /// How many rows a query counts.
    async fn count(app: &TestApp, sql: &str) -> i64 {
        let (n,): (i64,) = app.db.fetch_one(balai_store::dynamic_query(sql.to_owned())).await.unwrap();
        n
    }

    /// The period `?from=` a year back to today: the demo's standard work lies inside it.
    fn last_year(app: &TestApp) -> String {
        format!("from={}", (app.clock.now() + chrono::Duration::hours(8) - chrono::Duration::days(365)).date_naive())
    }

    async fn the_demos_cases_are_counted(app: TestApp) {
        let kupang = "SELECT COUNT(*) FROM cases c JOIN governments g ON g.id = c.government_id \
                      WHERE g.region_code = '53.71' AND c.kind = ";
        let applications = count(&app, &format!("{kupang}'application'")).await;
        let complaints = count(&app, &format!("{kupang}'complaint'")).await;
        assert!(applications > 100 && complaints > 10, "the demo's work: {applications}, {complaints}");
        let overview = app.get(&format!("/api/v1/dashboard/overview?{}", last_year(&app))).await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        let data = &overview.json()["data"];
        assert_eq!(data["applications"]["received"], applications, "every application counts: {data}");
        assert_eq!(data["complaints"]["received"], complaints, "every complaint counts: {data}");
        assert!(data["applications"]["completed"].as_i64().unwrap() > 0, "{data}");
        // The page a visitor opens, over the last 30 days: the figures are not zero.
        let page = app.get("/dasbor").await;
        let figure = page.body.split("data-figure=\"applications.received\">").nth(1).unwrap();
        let received: i64 = figure.split('<').next().unwrap().parse().unwrap();
        assert!(received > 0, "the last 30 days hold the demo's applications");
    }

    async fn ikm_per_unit_is_read_from_the_day_sums(app: TestApp) {
        let answer = app.get(&format!("/api/v1/dashboard/satisfaction?{}", last_year(&app))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let units = answer.json()["data"].as_array().unwrap().clone();
        assert!(!units.is_empty(), "the demo's survey responses");
        for unit in &units {
            assert!(["A", "B", "C", "D"].contains(&unit["grade"].as_str().unwrap()), "{unit}");
            let ikm = unit["ikm_hundredths"].as_i64().unwrap();
            assert!((2500..=10000).contains(&ikm), "{unit}");
            assert_eq!(unit["ikm"], format!("{}.{:02}", ikm / 100, ikm % 100));
        }
        let respondents: i64 = units.iter().map(|u| u["respondents"].as_i64().unwrap()).sum();
        let responses = count(
            &app,
            "SELECT COUNT(*) FROM survey_responses r JOIN governments g ON g.id = r.government_id \
             WHERE g.region_code = '53.71'",
        )
        .await;
        assert_eq!(respondents, responses, "every respondent of Kota Kupang is counted once");
        // The agency filter holds.
        let agency = units[0]["agency"].as_str().unwrap().to_owned();
        let filtered = app.get(&format!("/api/v1/dashboard/satisfaction?agency={agency}&{}", last_year(&app))).await;
        let filtered = filtered.json()["data"].as_array().unwrap().clone();
        assert!(!filtered.is_empty() && filtered.iter().all(|u| u["agency"] == agency.as_str()));
        // On the page: a chart, its table, its CSV.
        let page = app.get(&format!("/dasbor?{}", last_year(&app))).await;
        assert!(page.body.contains("<caption>IKM per unit layanan"), "{}", page.body);
        assert!(page.body.contains(&format!("<th scope=\"row\">{}</th>", units[0]["unit_name"].as_str().unwrap())));
        let csv = app.get(&format!("/dasbor/satisfaction.csv?{}", last_year(&app))).await;
        assert_eq!(csv.status, StatusCode::OK);
        let mut lines = csv.body.lines();
        assert_eq!(lines.next(), Some("Unit layanan,Perangkat daerah,Responden,IKM,Mutu pelayanan"));
        assert_eq!(lines.count(), units.len());
    }

    async fn the_map_shows_public_reports_and_never_a_rahasia_one(app: TestApp) {
        let period = last_year(&app);
        let map = app.get(&format!("/api/v1/dashboard/map?{period}")).await.json();
        let points = map["data"].as_array().unwrap().clone();
        assert!(!points.is_empty(), "the demo's public reports with a location");
        let rahasia: Vec<(String,)> = app
            .db
            .fetch_all(balai_store::query(
                "SELECT c.tracking_number FROM cases c JOIN complaints p ON p.case_id = c.id \
                 WHERE (p.confidential = TRUE OR p.public = FALSE) AND p.lat_e6 IS NOT NULL \
                 AND c.tracking_number IS NOT NULL",
            ))
            .await
            .unwrap();
        assert!(!rahasia.is_empty(), "the demo holds confidential reports with a location");
        let page = app.get(&format!("/dasbor?{period}")).await;
        assert!(page.body.contains("<h2 id=\"h-map\">Peta pengaduan publik</h2>"));
        assert!(page.body.contains("<svg class=\"chart map\""), "drawn on the server, no tiles");
        assert!(page.body.contains("<caption>Pengaduan publik di peta per kategori"), "a table stands for the map");
        assert!(page.body.contains("href=\"/pengaduan\""), "the full public map is linked");
        assert!(page.body.contains("laporan rahasia dan laporan WBS tidak pernah ditampilkan"));
        let drawn = page.body.matches("<circle ").count();
        assert!(drawn > 0 && drawn <= points.len(), "{drawn} of {}", points.len());
        for (number,) in &rahasia {
            assert!(!points.iter().any(|p| p["tracking_number"] == number.as_str()), "{number} on the map");
            assert!(!page.body.contains(number.as_str()), "{number} on the page");
        }
        // The table's counts are the points drawn; its CSV downloads.
        let csv = app.get(&format!("/dasbor/map.csv?{period}")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let counted: usize =
            csv.body.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse::<usize>().unwrap()).sum();
        assert_eq!(counted, drawn);
    }
}
