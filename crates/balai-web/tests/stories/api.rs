use crate::support::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn services_are_listed_with_paging_and_filters() {
    let app = TestApp::demo().await;
    let page = app.get("/api/v1/services?government=53.71&per_page=5").await;
    assert_eq!(page.status, StatusCode::OK);
    let json = page.json();
    assert_eq!(json["items"].as_array().unwrap().len(), 5);
    assert!(json["total"].as_i64().unwrap() >= 40);
    assert_eq!(json["per_page"], 5);

    let akta = app.get("/api/v1/services?q=akta%20kelahiran").await.json();
    let codes: Vec<&str> = akta["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"AKTA-LAHIR"));
    let birth = akta["items"].as_array().unwrap().iter().find(|i| i["code"] == "AKTA-LAHIR").unwrap();
    assert_eq!(
        (birth["fee"].as_i64(), birth["sla_days"].as_i64(), birth["fee_display"].as_str()),
        (Some(0), Some(5), Some("Rp0"))
    );

    let health = app.get("/api/v1/services?category=kesehatan&government=53.71").await.json();
    assert!(health["items"].as_array().unwrap().iter().all(|i| i["category"] == "kesehatan"));
}

#[tokio::test]
async fn bad_paging_parameters_are_named_in_a_problem() {
    let app = TestApp::demo().await;
    for (query, param) in [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("per_page=-1", "per_page"),
        ("per_page=1000", "per_page"),
        ("agency=x", "agency"),
    ] {
        let response = app.get(&format!("/api/v1/services?{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.header("content-type"), "application/problem+json");
        let problem = response.json();
        assert_eq!(problem["type"], "/problems/bad-parameter");
        assert_eq!(problem["param"], param, "{query}");
        assert_eq!(problem["status"], 400);
        assert!(problem["detail"].as_str().unwrap().contains(param));
    }
}

#[tokio::test]
async fn a_service_document_carries_all_fourteen_components_and_old_versions() {
    let app = TestApp::demo().await;
    let doc = app.get("/api/v1/services/AKTA-LAHIR").await.json();
    for key in [
        "requirements",
        "steps",
        "sla_days",
        "fee",
        "product",
        "complaint_handling",
        "legal_basis",
        "facilities",
        "competence",
        "internal_supervision",
        "staff_count",
        "service_guarantee",
        "security_guarantee",
        "performance_evaluation",
    ] {
        assert!(!doc[key].is_null(), "component {key} is present");
    }
    assert_eq!(doc["government"], "53.71", "the deployment's home government is the default");
    assert_eq!(doc["shown_version"], 1);
    assert!(doc["steps"][0]["unit_name"].as_str().unwrap().len() > 3);

    let province = app.get("/api/v1/services/PKB-TAHUNAN?government=53").await;
    assert_eq!(province.status, StatusCode::OK);
    let missing = app.get("/api/v1/services/TIDAK-ADA?government=53.71").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["type"], "/problems/not-found");
    let bad_version = app.get("/api/v1/services/AKTA-LAHIR?version=x").await;
    assert_eq!(bad_version.json()["param"], "version");
    assert_eq!(app.get("/api/v1/services/AKTA-LAHIR?version=2").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agencies_are_listed_and_shown_with_units_and_services() {
    let app = TestApp::demo().await;
    let list = app.get("/api/v1/agencies?government=53.71&per_page=100").await.json();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 10);
    let dukcapil = items.iter().find(|a| a["short_name"] == "Disdukcapil").expect("Disdukcapil is listed");
    let one = app.get(&format!("/api/v1/agencies/{}", dukcapil["id"])).await.json();
    assert!(!one["units"].as_array().unwrap().is_empty());
    assert!(one["services"].as_array().unwrap().iter().any(|s| s["code"] == "AKTA-LAHIR"));
    assert_eq!(app.get("/api/v1/agencies/99999").await.status, StatusCode::NOT_FOUND);
    let bad = app.get("/api/v1/agencies/abc").await;
    assert_eq!((bad.status, bad.json()["param"].as_str()), (StatusCode::BAD_REQUEST, Some("id")));
}

#[tokio::test]
async fn the_openapi_document_describes_the_api_in_3_1() {
    let app = TestApp::demo().await;
    let doc = app.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/services", "/api/v1/services/{code}", "/api/v1/agencies", "/api/v1/agencies/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn unknown_api_paths_are_problems_in_the_requested_language() {
    let app = TestApp::demo().await;
    let response = app.get("/api/v2/nothing?lang=en").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json()["title"], "Not found");
    assert_eq!(app.get("/api/v2/nothing").await.json()["title"], "Tidak ditemukan");
}

/// A method a path does not serve is answered 405 with the methods it does serve, before any check
/// of a body (it was 415, as if it had sent a body of the wrong type); a served `POST` still gets
/// the body check.
#[tokio::test]
async fn a_method_a_path_does_not_serve_is_405_not_a_body_refusal() {
    use axum::body::Body;
    use axum::http::{Method, Request};
    let app = TestApp::demo().await;
    for (method, path, allowed) in [
        (Method::TRACE, "/api/v1/agencies", "GET,HEAD"),
        (Method::PUT, "/api/v1/services", "GET,HEAD"),
        (Method::POST, "/api/v1/audit/checkpoint", "GET,HEAD"),
        (Method::DELETE, "/api/v1/applications", "POST"),
        (Method::GET, "/api/v1/auth/citizen/code", "POST"),
    ] {
        let response =
            app.request(Request::builder().method(method.clone()).uri(path).body(Body::empty()).unwrap()).await;
        assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(response.header("allow"), allowed, "{method} {path}");
    }
    let request = Request::builder().method(Method::POST).uri("/api/v1/auth/citizen/code").body(Body::empty()).unwrap();
    let refused = app.request(request).await;
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(refused.json()["type"], "/problems/unsupported-media-type");
}
