use crate::support::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::demo().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    app.db.close().await;
    assert_eq!(app.get("/readyz").await.status, StatusCode::SERVICE_UNAVAILABLE, "a closed database is not ready");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = TestApp::demo().await;
    for path in ["/", "/layanan/53.71/AKTA-LAHIR", "/api/v1/services", "/tidak-ada", "/admin/masuk"] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: no inline script");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert!(!r.header("referrer-policy").is_empty(), "{path}");
        assert!(!r.header("x-request-id").is_empty(), "{path}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style() {
    let app = TestApp::demo().await;
    for path in ["/", "/cari?q=izin", "/layanan/53.71/AKTA-LAHIR", "/admin/masuk"] {
        let body = app.get(path).await.body;
        assert!(!body.contains("<script"), "{path}");
        assert!(!body.contains("style=") && !body.contains("<style"), "{path}");
    }
}
