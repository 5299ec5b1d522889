//! What an attacker tried against the running demo, and what they meet now: redirects that stay on
//! this site, forms and parameters that cannot blow up a page or a number, an API that only its own
//! site's pages can drive, sign-in cookies nobody else can plant, and errors that say what was wrong
//! without showing the server's insides.

use crate::officers::{PASSWORD, officer};
use crate::support::{TestApp, TestResponse, as_refs, form_fields, set};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use balai_domain::identity::Role;
use balai_web::WebConfig;
use balai_web::auth::CookieSecurity;
use serde_json::json;

const MARIA: &str = "5371045203900003";

/// Submits the officer password form with a chosen `next`, under the given cookie names.
async fn officer_password_sign_in(app: &TestApp, csrf_cookie: &str, username: &str, next: &str) -> TestResponse {
    let form = app.get("/admin/masuk").await;
    let csrf = form.cookie(csrf_cookie).expect("sign-in form cookie");
    app.post_form(
        "/admin/masuk",
        &format!("{csrf_cookie}={csrf}"),
        &[("csrf", &csrf), ("username", username), ("password", PASSWORD), ("next", next)],
    )
    .await
}

// ---- redirects after sign-in stay on this site ------------------------------------------------

#[tokio::test]
async fn a_tab_hidden_in_next_cannot_send_a_citizen_to_another_site_after_sign_in() {
    let app = TestApp::demo().await;
    // The link an attacker sends: browsers drop the tab and follow `//evil.example`.
    let form = app.get("/masuk?next=/%09/evil.example").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.hidden("next"), "/akun", "the form carries only a path on this site");

    // Even a form the attacker built themselves, with the tab in `next`, ends on the account page.
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let sent = app
        .post_form(
            "/masuk",
            &format!("balai_login_csrf={csrf}"),
            &[
                ("csrf", &csrf),
                ("nik", MARIA),
                ("channel", "email"),
                ("to", "maria.lado@contoh.id"),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.header("location"), "/masuk/kode?next=%2Fakun");
    let pending = sent.cookie("balai_pending").unwrap();
    let code_page = app.get_with_cookie(sent.header("location"), &format!("balai_pending={pending}")).await;
    let csrf = code_page.cookie("balai_login_csrf").unwrap();
    let code = app.last_code().await;
    let signed_in = app
        .post_form(
            "/masuk/kode",
            &format!("balai_login_csrf={csrf}; balai_pending={pending}"),
            &[("csrf", &csrf), ("code", &code), ("next", "/%09/evil.example")],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(signed_in.header("location"), "/akun");
}

#[tokio::test]
async fn a_newline_in_next_after_an_officers_sign_in_leads_to_the_dashboard_not_to_an_error() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    let form = app.get("/admin/masuk?next=/admin%0A").await;
    assert_eq!(form.hidden("next"), "/admin");

    for next in ["/admin\n", "/admin%0A", "//evil.example/admin", "/admin/../\\evil.example"] {
        let signed_in = officer_password_sign_in(&app, "balai_login_csrf", "petugas", next).await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}: {}", signed_in.body);
        assert_eq!(signed_in.header("location"), "/admin", "{next:?}");
        let session = format!("balai_admin={}", signed_in.cookie("balai_admin").expect("a session"));
        assert_eq!(app.get_with_cookie("/admin", &session).await.status, StatusCode::OK);
    }
}

// ---- the service form and public numbers are bounded -------------------------------------------

async fn edit_form(app: &TestApp) -> (String, Vec<(String, String)>) {
    let session = app.sign_in_admin().await;
    let page = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut fields = form_fields(&page);
    set(&mut fields, "change_note", "Uji batas isian");
    (session, fields)
}

#[tokio::test]
async fn a_row_number_in_a_field_name_cannot_make_the_service_form_huge_or_overflow() {
    let app = TestApp::demo().await;
    let (session, fields) = edit_form(&app).await;
    for row in ["50000", "18446744073709551615", "99999999999999999999999", "007"] {
        let mut forged = fields.clone();
        forged.push((format!("req_document_{row}"), "x".into()));
        let page = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&forged)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "row {row}");
        assert!(page.body.len() < 500_000, "row {row}: a page of {} bytes", page.body.len());
        assert!(page.body.contains("Persyaratan: Paling banyak 50 baris."), "row {row}: the section is named");
    }
    // Nothing was published.
    let public = app.get("/api/v1/services/AKTA-LAHIR").await.json();
    assert_eq!(public["version"], 1);
}

#[tokio::test]
async fn more_requirements_than_a_standard_may_list_are_refused_by_name() {
    let app = TestApp::demo().await;
    let (session, mut fields) = edit_form(&app).await;
    fields.retain(|(name, _)| !name.starts_with("req_"));
    for i in 0..51 {
        fields.push((format!("req_document_{i}"), format!("Dokumen {i}")));
        fields.push((format!("req_doc_type_{i}"), "lainnya".into()));
    }
    let page = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Persyaratan: Paling banyak 50 baris."), "{}", page.body);
}

#[tokio::test]
async fn huge_step_times_and_a_far_future_effective_date_are_refused_with_the_field_named() {
    let app = TestApp::demo().await;
    let (session, mut fields) = edit_form(&app).await;
    set(&mut fields, "step_sla_0", &i64::MAX.to_string());
    set(&mut fields, "step_sla_1", &i64::MAX.to_string());
    set(&mut fields, "effective_date", "+262142-12-31");
    let page = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("Tahap prosedur 1: Waktu (hari kerja): Harus antara 0 dan 260."), "{}", page.body);
    assert!(page.body.contains("Tahap prosedur 2: Waktu (hari kerja): Harus antara 0 dan 260."));
    assert!(page.body.contains("Tanggal berlaku: Harus antara 2000 dan 2100."));
    assert_eq!(app.get("/api/v1/services/AKTA-LAHIR").await.json()["version"], 1, "nothing published");
}

#[tokio::test]
async fn page_numbers_beyond_the_last_possible_page_are_refused_with_the_parameter_named() {
    let app = TestApp::demo().await;
    for path in [
        "/api/v1/services?page=9223372036854775807",
        "/api/v1/agencies?page=9223372036854775807",
        "/api/v1/services?page=10001",
        "/api/v1/services?page=99999999999999999999999",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        let problem = response.json();
        assert_eq!(problem["type"], "/problems/bad-parameter", "{path}");
        assert_eq!(problem["param"], "page", "{path}");
        assert!(problem["detail"].as_str().unwrap().contains("1–10000"), "{path}: {problem}");
    }
    assert_eq!(app.get("/api/v1/services?page=10000").await.status, StatusCode::OK, "the last page is allowed");

    let search = app.get("/cari?page=9223372036854775807").await;
    assert_eq!(search.status, StatusCode::BAD_REQUEST);
    assert!(search.body.contains("Parameter `page` tidak sah"), "{}", search.body);
    let english = app.get("/cari?page=abc&lang=en").await;
    assert_eq!(english.status, StatusCode::BAD_REQUEST);
    assert!(english.body.contains("Parameter `page` is invalid"));
    assert_eq!(app.get("/cari?page=").await.status, StatusCode::OK, "an empty page is the first");
}

// ---- the JSON API answers only JSON, and only its own site's pages ----------------------------

fn api_post(path: &str, content_type: Option<&str>, origin: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post(path).header(header::HOST, "balai.test");
    if let Some(t) = content_type {
        request = request.header(header::CONTENT_TYPE, t);
    }
    if let Some(o) = origin {
        request = request.header(header::ORIGIN, o);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn another_sites_page_cannot_sign_a_visitor_in_through_the_api() {
    let app = TestApp::demo().await;
    let body = json!({"nik": MARIA, "code": "123456"}).to_string();
    let verify = "/api/v1/auth/citizen/verify";

    // Login CSRF: a form on evil.example posting text/plain (no CORS preflight) to the API.
    let forged = app.request(api_post(verify, Some("text/plain"), Some("http://evil.example"), &body)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(forged.header("content-type"), "application/problem+json");
    assert_eq!(forged.json()["type"], "/problems/foreign-origin");
    assert!(forged.cookie("balai_citizen").is_none());
    let json_from_elsewhere =
        app.request(api_post(verify, Some("application/json"), Some("https://evil.example"), &body)).await;
    assert_eq!(json_from_elsewhere.status, StatusCode::FORBIDDEN);
    let other_port =
        app.request(api_post(verify, Some("application/json"), Some("http://balai.test:8081"), &body)).await;
    assert_eq!(other_port.status, StatusCode::FORBIDDEN, "another port is another site");
    let sandboxed = app.request(api_post(verify, Some("application/json"), Some("null"), &body)).await;
    assert_eq!(sandboxed.status, StatusCode::FORBIDDEN);

    // Anything but JSON is refused, from anywhere.
    for content_type in
        [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data")]
    {
        let refused = app.request(api_post(verify, content_type, None, &body)).await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert_eq!(refused.json()["type"], "/problems/unsupported-media-type");
        assert!(refused.json()["detail"].as_str().unwrap().contains("application/json"));
    }

    // This site's own page, and a client that sends no Origin, are served.
    let own = app.request(api_post(verify, Some("application/json"), Some("http://balai.test"), &body)).await;
    assert_eq!(own.status, StatusCode::UNAUTHORIZED, "processed: no code was asked for: {}", own.body);
    let cli = app.request(api_post(verify, Some("application/json; charset=utf-8"), None, &body)).await;
    assert_eq!(cli.status, StatusCode::UNAUTHORIZED, "{}", cli.body);
    // Reading stays open to every site (browsers keep the answer from other sites' scripts).
    let read = app
        .request(
            Request::get("/api/v1/services").header(header::ORIGIN, "http://evil.example").body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_proxy_the_configured_public_origin_is_this_site() {
    let app = TestApp::demo_with(WebConfig {
        default_region: Some("53.71".into()),
        secure_cookies: CookieSecurity::Secure,
        public_origin: Some("https://layanan.kupangkota.go.id".into()),
        ..WebConfig::default()
    })
    .await;
    let body = json!({"nik": MARIA, "code": "123456"}).to_string();
    let from_site = app
        .request(api_post(
            "/api/v1/auth/citizen/verify",
            Some("application/json"),
            Some("https://layanan.kupangkota.go.id"),
            &body,
        ))
        .await;
    assert_eq!(from_site.status, StatusCode::UNAUTHORIZED, "{}", from_site.body);
}

// ---- errors name what was wrong, not the server's types ---------------------------------------

#[tokio::test]
async fn a_request_the_server_cannot_read_gets_a_problem_in_the_callers_language() {
    let app = TestApp::demo().await;
    let duplicated = app.get("/api/v1/audit/leaves?start=0&start=1&end=1").await;
    assert_eq!(duplicated.status, StatusCode::BAD_REQUEST);
    assert_eq!(duplicated.header("content-type"), "application/problem+json");
    assert_eq!(duplicated.json()["type"], "/problems/bad-request");
    assert_eq!(duplicated.json()["detail"], "Ada parameter atau isian yang hilang atau formatnya salah.");
    assert!(!duplicated.body.contains("deserialize") && !duplicated.body.contains("duplicate field"));

    let not_utf8 = app
        .request(
            Request::post("/api/v1/auth/citizen/code")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::from(vec![0xff, 0xfe, b'{']))
                .unwrap(),
        )
        .await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_utf8.json()["detail"], "A parameter or field is missing or malformed.");
    assert!(!not_utf8.body.contains("UTF-8"), "{}", not_utf8.body);
}

#[tokio::test]
async fn a_malformed_form_or_address_shows_the_error_page_without_type_names() {
    let app = TestApp::demo().await;
    let form = app.get("/admin/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let twice = app
        .post_form(
            "/admin/masuk",
            &format!("balai_login_csrf={csrf}"),
            &[("csrf", &csrf), ("csrf", "again"), ("username", "x"), ("password", "y")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.header("content-type").starts_with("text/html"), "{}", twice.header("content-type"));
    assert!(twice.body.contains("Permintaan tidak dapat dibaca"), "{}", twice.body);
    assert!(!twice.body.contains("duplicate field") && !twice.body.contains("deserialize"));

    let session = app.sign_in_admin().await;
    let bad_id = app.post_form("/admin/petugas/53.71/abc/sandi?lang=en", &session, &[("csrf", "x")]).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert!(bad_id.body.contains("Request could not be read"), "{}", bad_id.body);
    assert!(!bad_id.body.contains("i64") && !bad_id.body.contains("Cannot parse"), "{}", bad_id.body);
}

// ---- operations: metrics and request ids --------------------------------------------------------

#[tokio::test]
async fn made_up_methods_and_paths_do_not_mint_new_metric_series() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let metrics = recorder.handle();
    // The stories run on one thread each, so a thread-local recorder sees exactly this story.
    let _recording = metrics::set_default_local_recorder(&recorder);
    let app = TestApp::demo().await;
    for (method, path) in
        [("SECTEST1", "/"), ("SECTEST2", "/healthz"), ("GET", "/tidak-ada-1"), ("GET", "/tidak-ada-2")]
    {
        app.request(Request::builder().method(method).uri(path).body(Body::empty()).unwrap()).await;
    }
    app.get("/").await;
    let text = metrics.render();
    assert!(!text.contains("SECTEST"), "{text}");
    assert!(!text.contains("tidak-ada"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(text.contains(r#"method="GET",route="/""#), "{text}");
}

#[tokio::test]
async fn a_clients_request_id_is_echoed_only_when_short_and_plain() {
    let app = TestApp::demo().await;
    let with_id = |id: &str| Request::get("/healthz").header("x-request-id", id).body(Body::empty()).unwrap();
    assert_eq!(app.request(with_id("trace-4bf92f35.1_a")).await.header("x-request-id"), "trace-4bf92f35.1_a");
    for forged in ["x\" level=error msg=\"forged", "<script>alert(1)</script>", &"a".repeat(65), "nik 5371045203900003"]
    {
        let response = app.request(with_id(forged)).await;
        let id = response.header("x-request-id");
        assert_ne!(id, forged);
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'), "a fresh id: {id}");
    }
}

// ---- caching, transport security and cookies ---------------------------------------------------

#[tokio::test]
async fn the_officer_list_is_not_kept_by_browsers_or_proxies() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let officers = app.get_with_cookie("/admin/petugas/53.71", &session).await;
    assert_eq!(officers.status, StatusCode::OK);
    assert_eq!(officers.header("cache-control"), "no-store");
}

#[tokio::test]
async fn behind_tls_cookies_are_host_only_and_browsers_are_told_to_keep_to_https() {
    let app = TestApp::demo_with(WebConfig {
        default_region: Some("53.71".into()),
        secure_cookies: CookieSecurity::HostOnly,
        ..WebConfig::default()
    })
    .await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    let form = app.get("/admin/masuk").await;
    assert_eq!(form.header("strict-transport-security"), "max-age=31536000");
    let set_cookie = form.header("set-cookie");
    assert!(set_cookie.starts_with("__Host-balai_login_csrf="), "{set_cookie}");
    assert!(set_cookie.contains("; Secure") && set_cookie.contains("Path=/") && !set_cookie.contains("Domain"));

    let signed_in = officer_password_sign_in(&app, "__Host-balai_login_csrf", "petugas", "/admin").await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    let token = signed_in.cookie("__Host-balai_admin").expect("a host-only session cookie");
    assert_eq!(app.get_with_cookie("/admin", &format!("__Host-balai_admin={token}")).await.status, StatusCode::OK);
    // The same value under the plain name (as a sibling subdomain could set it) is never read.
    let plain = app.get_with_cookie("/admin", &format!("balai_admin={token}")).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);

    // The demo, on plain http at 127.0.0.1, keeps plain names; HSTS is sent (browsers ignore it there).
    let demo = TestApp::demo().await;
    let page = demo.get("/admin/masuk").await;
    assert!(page.header("set-cookie").starts_with("balai_login_csrf="));
    assert_eq!(page.header("strict-transport-security"), "max-age=31536000");
    // Without secure cookies (a plain-http deployment) there is no HSTS and no `Secure`.
    let plain_http =
        TestApp::demo_with(WebConfig { secure_cookies: CookieSecurity::Plain, ..WebConfig::default() }).await;
    let page = plain_http.get("/admin/masuk").await;
    assert!(page.header("strict-transport-security").is_empty());
    assert!(!page.header("set-cookie").contains("Secure"));
}

#[tokio::test]
async fn a_sign_in_cookie_someone_else_planted_does_not_pass_the_forms_check() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    // Cookie tossing: the attacker sets the double-submit cookie and the form field to one value.
    let chosen = "ditanam-oleh-penyerang";
    let planted = format!("balai_login_csrf={chosen}");
    let admin = app
        .post_form(
            "/admin/masuk",
            &planted,
            &[("csrf", chosen), ("username", "petugas"), ("password", PASSWORD), ("next", "/admin")],
        )
        .await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN);
    assert!(admin.cookie("balai_admin").is_none());
    let citizen = app
        .post_form(
            "/masuk",
            &planted,
            &[("csrf", chosen), ("nik", MARIA), ("channel", "email"), ("to", "maria.lado@contoh.id")],
        )
        .await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN);
    assert!(balai_store::notify::recent(&app.db, &app.vault, 10).await.unwrap().is_empty(), "no code sent");

    // The server's own form still works.
    let signed_in = officer_password_sign_in(&app, "balai_login_csrf", "petugas", "/admin").await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
}
