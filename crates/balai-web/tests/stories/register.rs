//! The population register over HTTP: a stand-in register on loopback speaks the documented protocol,
//! and a newcomer it knows signs in with the contact it holds.

use crate::identity::{ask_code, verify};
use crate::support::TestApp;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use balai_web::register::{HttpRegister, RegisterConnector};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const NEWCOMER: &str = "5371016605920004";
/// The stand-in answers 500 for this NIK, as a register that is down would.
const BROKEN: &str = "5371011708850010";
const TOKEN: &str = "token-uji-register";

/// What the register was sent: path, Authorization header, body.
type Request = (String, Option<String>, String);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

async fn lookup(State(seen): State<Seen>, uri: Uri, headers: HeaderMap, body: String) -> (StatusCode, Json<Value>) {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    seen.0.lock().unwrap().push((uri.to_string(), auth.clone(), body.clone()));
    if auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "token"})));
    }
    let nik = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["nik"].as_str().map(str::to_owned));
    match nik.as_deref() {
        Some(NEWCOMER) => (
            StatusCode::OK,
            Json(json!({"found": true, "record": {
                "full_name": "Agustina Seran", "birth_place": "Atambua", "birth_date": "1992-05-26", "sex": "P",
                "address": "Jl. Timor Raya No. 40, Kota Kupang", "region_code": "53.71.05",
                "phone": "085239100033"
            }})),
        ),
        Some(BROKEN) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        _ => (StatusCode::OK, Json(json!({"found": false}))),
    }
}

/// Starts the stand-in register on a loopback port; returns its URL and what it was sent.
async fn stand_in_register() -> (String, Seen) {
    let seen = Seen::default();
    let app = axum::Router::new().route("/v1/penduduk", post(lookup)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/penduduk", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn app_with_register(url: &str, token: &str) -> TestApp {
    let mut app_config = balai_web::WebConfig {
        default_region: Some("53.71".into()),
        demo_inbox: true,
        secure_cookies: balai_web::auth::CookieSecurity::Secure,
        ..balai_web::WebConfig::default()
    };
    app_config.register = RegisterConnector(Arc::new(HttpRegister::new(url, Some(token.to_owned()))));
    TestApp::demo_with(app_config).await
}

#[tokio::test]
async fn a_newcomer_the_register_knows_signs_in_with_the_phone_it_holds() {
    let (url, seen) = stand_in_register().await;
    let app = app_with_register(&url, TOKEN).await;
    let (sent, pending) = ask_code(&app, json!({"nik": NEWCOMER, "channel": "sms"})).await;
    assert_eq!(sent.json()["sent_to"], "+62852••••033");
    assert_eq!(app.last_message().await.recipient, "+6285239100033");
    let code = app.last_code().await;
    let verified = verify(&app, &pending, NEWCOMER, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let session = format!("balai_citizen={}", verified.cookie("balai_citizen").unwrap());
    assert!(app.get_with_cookie("/akun", &session).await.body.contains("Agustina Seran"));

    let requests = seen.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "asked once, for the code; the record came from that answer");
    let (path, auth, body) = &requests[0];
    assert_eq!(path, "/v1/penduduk", "the NIK travels in the body, never in a URL");
    assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(serde_json::from_str::<Value>(body).unwrap(), json!({"nik": NEWCOMER}));
    // A second sign-in finds the record here and does not ask the register again.
    ask_code(&app, json!({"nik": NEWCOMER, "channel": "sms"})).await;
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_register_that_is_down_or_refuses_us_fails_the_sign_in_plainly_and_sends_nothing() {
    let (url, _) = stand_in_register().await;
    let app = app_with_register(&url, TOKEN).await;
    let down = app.post_json("/api/v1/auth/citizen/code", json!({"nik": BROKEN, "channel": "sms"})).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE, "{}", down.body);
    assert_eq!(down.json()["type"], "/problems/register-unavailable");
    assert!(down.header("retry-after").parse::<u64>().is_ok());
    assert!(!down.body.contains(BROKEN));

    let wrong_token = app_with_register(&url, "salah").await;
    let refused = wrong_token.post_json("/api/v1/auth/citizen/code", json!({"nik": NEWCOMER, "channel": "sms"})).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.outbox_len().await + wrong_token.outbox_len().await, 0);

    // People Balai already holds still sign in while the register is away.
    let held = app.post_json("/api/v1/auth/citizen/code", json!({"nik": "5371045203900003", "channel": "email"})).await;
    assert_eq!(held.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_client_over_its_code_limit_cannot_make_balai_hammer_the_register() {
    let (url, seen) = stand_in_register().await;
    let app = app_with_register(&url, TOKEN).await;
    for n in 0..balai_store::identity::codes::MAX_CODES_PER_CLIENT {
        let nik = format!("53710117088500{:02}", 20 + n);
        let sent = app.post_json("/api/v1/auth/citizen/code", json!({"nik": nik, "channel": "sms"})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    }
    let asked = seen.0.lock().unwrap().len();
    assert_eq!(asked as i64, balai_store::identity::codes::MAX_CODES_PER_CLIENT);
    let refused =
        app.post_json("/api/v1/auth/citizen/code", json!({"nik": "5371011708850099", "channel": "sms"})).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(seen.0.lock().unwrap().len(), asked, "the refused request never reached the register");
}
