//! Open data: a reuser finds the catalogue, reads its licence, downloads a government's daily file
//! and finds no person in it; small counts are withheld; a bad period is refused by name.

use crate::support::TestApp;
use axum::http::StatusCode;

crate::on_both_engines_with_work!(
    the_catalogue_names_its_licence_and_a_csv_that_downloads,
    small_counts_are_withheld_and_no_person_is_named,
    a_bad_period_or_government_is_refused_by_name,
);

const CC_BY: &str = "https://creativecommons.org/licenses/by/4.0/";
const HEADER: &str =
    "day,agency_code,agency_name,service_code,service_name,kind,received,closed,closed_on_time,resolved,suppressed";

async fn the_catalogue_names_its_licence_and_a_csv_that_downloads(app: TestApp) {
    let answer = app.get("/open-data/catalog.jsonld").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header("content-type"), "application/ld+json");
    let catalogue = answer.json();
    assert_eq!(catalogue["@type"], "dcat:Catalog");
    assert_eq!(catalogue["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
    assert_eq!(catalogue["dct:publisher"]["@type"], "foaf:Agent");
    assert_eq!(catalogue["dct:publisher"]["foaf:name"], "Pemerintah Kota Kupang", "the home government publishes it");
    let datasets = catalogue["dcat:dataset"].as_array().expect("a list of datasets");
    let kupang = datasets
        .iter()
        .find(|d| d["dct:publisher"]["dct:identifier"] == "53.71")
        .unwrap_or_else(|| panic!("Kota Kupang's dataset: {catalogue}"));
    assert_eq!(kupang["@type"], "dcat:Dataset");
    assert_eq!(kupang["dct:license"]["@id"], CC_BY);
    let languages: Vec<&str> =
        kupang["dct:title"].as_array().unwrap().iter().filter_map(|t| t["@language"].as_str()).collect();
    assert_eq!(languages, ["id", "en"]);
    assert_eq!(kupang["dct:temporal"]["@type"], "dct:PeriodOfTime", "the seeded days: {kupang}");
    let csv = kupang["dcat:distribution"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dcat:mediaType"]["@id"].as_str().is_some_and(|m| m.ends_with("/text/csv")))
        .unwrap_or_else(|| panic!("a CSV distribution: {kupang}"));
    assert_eq!(csv["dct:license"]["@id"], CC_BY);
    let url = csv["dcat:downloadURL"]["@id"].as_str().unwrap();
    let file = app.get(url).await;
    assert_eq!(file.status, StatusCode::OK, "{url}: {}", file.body);
    assert_eq!(file.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(file.body.lines().next(), Some(HEADER));
    assert!(file.body.lines().count() > 1, "the last 30 days hold the seeded work: {}", file.body);
    let json = app.get(&url.replace("daily.csv", "daily.json")).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.json()["license"], CC_BY);

    // The page a person reads: the licence, the rule, the columns, the links; no script needed.
    let page = app.get("/open-data").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Data terbuka</h1>"));
    assert!(page.body.contains(&format!("<a rel=\"license\" href=\"{CC_BY}\">")));
    assert!(page.body.contains("Angka 1 sampai 4 tidak diterbitkan"));
    assert!(page.body.contains("<th scope=\"row\">closed_on_time</th>"));
    assert!(page.body.contains("href=\"/open-data/53.71/daily.csv\""));
    assert!(!page.body.contains("<script"));
    let english = app.get("/open-data?lang=en").await;
    assert!(
        english.body.contains("<h1>Open data</h1>") && english.body.contains("Counts from 1 to 4 are not published")
    );
    let dashboard = app.get("/dasbor").await;
    assert!(dashboard.body.contains("href=\"/open-data\""), "the dashboard links to open data");
}

async fn small_counts_are_withheld_and_no_person_is_named(app: TestApp) {
    let file = app.get("/open-data/53.71/daily.csv").await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let rows: Vec<Vec<String>> = file.body.lines().skip(1).map(cells).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row.len(), 11, "{row:?}");
        for count in &row[6..10] {
            if let Ok(n) = count.parse::<i64>() {
                assert!(n == 0 || n >= 5, "a count of 1–4 is published: {row:?}");
            }
        }
        let withheld = row[6..10].iter().any(String::is_empty);
        assert_eq!(row[10] == "true", withheld, "the flag says whether a count is withheld: {row:?}");
    }
    assert!(rows.iter().any(|r| r[10] == "true"), "the demo's days hold small counts, withheld: {}", file.body);
    // Exact counts stand behind the withheld cells: the dashboard counts each case.
    let (cases,): (i64,) = app
        .db
        .fetch_one(balai_store::query(
            "SELECT COUNT(*) FROM cases c JOIN governments g ON g.id = c.government_id WHERE g.region_code = '53.71'",
        ))
        .await
        .unwrap();
    assert!(cases > 0);
    let json = app.get("/open-data/53.71/daily.json").await.json();
    let withheld = json["rows"].as_array().unwrap().iter().find(|r| r["suppressed"] == true).unwrap();
    assert!(["received", "closed", "closed_on_time", "resolved"].iter().any(|c| withheld[c].is_null()), "{withheld}");

    // Nobody in it: none of the demo citizens' names, NIKs, phones or addresses, over the whole period.
    let all = app.get("/open-data/53.71/daily.csv?from=2024-01-01").await;
    assert_eq!(all.status, StatusCode::OK);
    let all_json = app.get("/open-data/53.71/daily.json?from=2024-01-01").await;
    for (nik, record) in balai_store::seed::demo_register() {
        let address = record.address.clone().unwrap_or_default();
        let street = address.split(',').next().unwrap_or_default().to_owned();
        let phone = record.phone.clone().unwrap_or_default();
        for body in [&all.body, &all_json.body] {
            assert!(!body.contains(&nik), "a NIK in open data");
            assert!(!body.contains(&record.full_name), "a name in open data");
            for part in record.full_name.split(' ') {
                assert!(!body.contains(part), "a part of a name ({part}) in open data");
            }
            assert!(!body.contains(&phone) && !body.contains(&phone[3..]), "a phone in open data");
            assert!(!body.contains(&street), "an address in open data");
        }
    }
}

async fn a_bad_period_or_government_is_refused_by_name(app: TestApp) {
    for (path, param) in [
        ("/open-data/53.71/daily.csv?from=2026-02-30", "from"),
        ("/open-data/53.71/daily.json?from=kemarin", "from"),
        ("/open-data/53.71/daily.csv?to=31-01-2026", "to"),
        ("/open-data/53.71/daily.csv?from=2026-03-01&to=2026-02-01", "to"),
        ("/open-data/53.71/daily.csv?from=2020-01-01&to=2026-01-01", "from"),
        ("/open-data/99.99/daily.csv", "government"),
    ] {
        let refused = app.get(path).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path}: {}", refused.body);
        assert_eq!(refused.header("content-type"), "application/problem+json", "{path}");
        let problem = refused.json();
        let named = problem["param"].as_str().or(problem["errors"][0]["field"].as_str());
        assert_eq!(named, Some(param), "{path}: {}", refused.body);
    }
    assert_eq!(app.get("/open-data/53.71/semua.xlsx").await.status, StatusCode::NOT_FOUND);
}

/// The cells of one CSV line (quoted cells may hold commas and doubled quotes).
fn cells(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}
