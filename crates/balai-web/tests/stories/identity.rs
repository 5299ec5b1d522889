//! Citizens sign in with their NIK and a one-time code, and see their own record, masked.

use crate::support::{TestApp, urlencode};
use axum::http::StatusCode;
use serde_json::json;

crate::on_both_engines!(
    a_citizen_asks_for_a_code_on_whatsapp_and_signs_in_with_it,
    a_strangers_address_never_receives_a_code_and_the_answer_does_not_tell,
    an_unknown_nik_cannot_make_an_account_and_is_answered_like_a_known_one,
    knowing_a_nik_does_not_let_anyone_spend_the_citizens_code,
    a_person_known_only_to_the_register_signs_in_with_the_registers_contact,
    a_first_sign_in_creates_the_record_and_the_public_log_names_her_by_pseudonym,
    a_citizen_changes_her_address_with_the_old_one_agreeing_and_both_are_told,
);

const MARIA: &str = "5371045203900003";
/// Known to the demo's population register only: no record here yet.
const AGUSTINA: &str = "5371016605920004";
/// Known to nobody.
const STRANGER_NIK: &str = "5371011708850009";

/// Asks for a code as an API client that keeps cookies; returns the answer and the pending cookie.
pub(crate) async fn ask_code(app: &TestApp, body: serde_json::Value) -> (crate::support::TestResponse, String) {
    let sent = app.post_json("/api/v1/auth/citizen/code", body).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let pending = format!("balai_pending={}", sent.cookie("balai_pending").expect("the pending sign-in cookie"));
    (sent, pending)
}

pub(crate) async fn verify(app: &TestApp, pending: &str, nik: &str, code: &str) -> crate::support::TestResponse {
    app.post_json_with_cookie("/api/v1/auth/citizen/verify", json!({"nik": nik, "code": code}), pending).await
}

pub(crate) async fn signed_in_citizen(app: &TestApp) -> String {
    let (_, pending) = ask_code(app, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    let code = app.last_code().await;
    let verified = verify(app, &pending, MARIA, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    format!("balai_citizen={}", verified.cookie("balai_citizen").expect("session cookie"))
}

async fn a_citizen_asks_for_a_code_on_whatsapp_and_signs_in_with_it(app: TestApp) {
    let (sent, pending) = ask_code(&app, json!({"nik": MARIA, "channel": "whatsapp", "to": "0812-3450-0011"})).await;

    assert_eq!(sent.json()["sent_to"], "+62812••••011");
    assert_eq!(sent.json()["expires_in_seconds"], 300);
    assert!(!sent.body.contains(MARIA));
    let message = app.last_message().await;
    assert_eq!(message.recipient, "+6281234500011", "normalised to +62");
    assert!(message.body.starts_with("Kode masuk Balai: "), "{}", message.body);

    let code = app.last_code().await;
    let verified = verify(&app, &pending, MARIA, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let cookie = verified.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");

    let session = format!("balai_citizen={}", verified.cookie("balai_citizen").unwrap());
    let account = app.get_with_cookie("/akun", &session).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("5371••••••••0003"), "masked NIK on the page");
    assert!(account.body.contains("Maria Yosefina Lado"));
    assert!(account.body.contains("id=\"assurance\">dasar<"), "the page says how surely she is proven");
    assert!(account.body.contains("Akta kelahiran — Dinas Kependudukan dan Pencatatan Sipil Kota Kupang"));
    // A code to a contact proves the contact, not the person: the full record waits for a counter visit.
    assert!(account.body.contains("id=\"full-record-note\""));
    for hidden in ["Jl. Frans Seda", "12-03-1990", "5371••••••••0021", "LT-12031990"] {
        assert!(!account.body.contains(hidden), "{hidden} shown at the basic level");
    }
    for secret in [MARIA, "5371040101100021", "081234500011", "maria.lado@"] {
        assert!(!account.body.contains(secret), "{secret} shown in the clear");
    }
}

async fn a_strangers_address_never_receives_a_code_and_the_answer_does_not_tell(app: TestApp) {
    let (honest, _) = ask_code(&app, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    let sent_before = app.outbox_len().await;
    let (stranger, pending) =
        ask_code(&app, json!({"nik": MARIA, "channel": "email", "to": "attacker@evil.example"})).await;
    assert_eq!(app.outbox_len().await, sent_before, "nothing is sent to an address not on record");
    assert_eq!(stranger.json()["sent_to"], "at••@evil.example", "the answer masks what was typed, as for anyone");
    let keys = |v: serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(stranger.json()), keys(honest.json()), "the same shape");
    assert_eq!(stranger.json()["expires_in_seconds"], honest.json()["expires_in_seconds"]);
    // Every code is wrong there: the attacker cannot sign in, however they guess.
    for code in ["000000", "123456", &app.last_code().await] {
        let tried = verify(&app, &pending, MARIA, code).await;
        assert_eq!(tried.status, StatusCode::UNAUTHORIZED, "{}", tried.body);
        assert!(tried.cookie("balai_citizen").is_none());
    }

    // The same on the pages: the code page cannot tell the stranger either.
    let form = app.get("/masuk").await;
    let csrf = form.hidden("csrf");
    let login = format!("balai_login_csrf={}", form.cookie("balai_login_csrf").unwrap());
    let sent = app
        .post_form("/masuk", &login, &[("csrf", &csrf), ("nik", MARIA), ("channel", "sms"), ("to", "0899 1111 2222")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let pending = format!("{login}; balai_pending={}", sent.cookie("balai_pending").unwrap());
    let page = app.get_with_cookie(sent.header("location"), &pending).await;
    assert!(page.body.contains("Bila +62899••••222 adalah kontak yang tercatat untuk NIK ini"), "{}", page.body);
    assert_eq!(app.outbox_len().await, sent_before);
}

async fn an_unknown_nik_cannot_make_an_account_and_is_answered_like_a_known_one(app: TestApp) {
    let (typed, pending) = ask_code(&app, json!({"nik": STRANGER_NIK, "channel": "sms", "to": "081299990000"})).await;
    assert_eq!(typed.json()["sent_to"], "+62812••••000");
    // With no destination, the answer names a masked contact as for a known NIK, the same each time.
    let (first, _) = ask_code(&app, json!({"nik": STRANGER_NIK, "channel": "sms"})).await;
    let (again, _) = ask_code(&app, json!({"nik": STRANGER_NIK, "channel": "sms"})).await;
    let (known, _) = ask_code(&app, json!({"nik": MARIA, "channel": "sms"})).await;
    assert_eq!(first.json()["sent_to"], again.json()["sent_to"]);
    let masked = first.json()["sent_to"].as_str().unwrap().to_owned();
    assert!(
        masked.starts_with("+628")
            && masked.contains("••••")
            && masked.len() == known.json()["sent_to"].as_str().unwrap().len(),
        "{masked}"
    );
    assert_eq!(app.outbox_len().await, 1, "only Maria's own phone got a code");
    assert_eq!(app.last_message().await.recipient, "+6281234500011");
    let tried = verify(&app, &pending, STRANGER_NIK, "000000").await;
    assert_eq!(tried.status, StatusCode::UNAUTHORIZED);
    assert_eq!(balai_store::identity::citizens::count(&app.db).await.unwrap(), 2, "no record from a NIK alone");
}

async fn knowing_a_nik_does_not_let_anyone_spend_the_citizens_code(app: TestApp) {
    let (_, pending) = ask_code(&app, json!({"nik": MARIA, "channel": "email"})).await;
    assert_eq!(app.last_message().await.recipient, "maria.lado@contoh.id", "no destination: the one on record");
    let code = app.last_code().await;
    for _ in 0..6 {
        let attacker = app.post_json("/api/v1/auth/citizen/verify", json!({"nik": MARIA, "code": "000000"})).await;
        assert_eq!(attacker.json()["type"], "/problems/no-open-code", "no code opens without the requester's cookie");
    }
    let signed_in = verify(&app, &pending, MARIA, &code).await;
    assert_eq!(signed_in.status, StatusCode::OK, "the citizen's code still works: {}", signed_in.body);
}

async fn a_person_known_only_to_the_register_signs_in_with_the_registers_contact(app: TestApp) {
    let (sent, pending) = ask_code(&app, json!({"nik": AGUSTINA, "channel": "sms"})).await;
    assert_eq!(sent.json()["sent_to"], "+62852••••033");
    assert_eq!(app.last_message().await.recipient, "+6285239100033");
    let code = app.last_code().await;
    let verified = verify(&app, &pending, AGUSTINA, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let session = format!("balai_citizen={}", verified.cookie("balai_citizen").unwrap());
    let account = app.get_with_cookie("/akun", &session).await;
    assert!(account.body.contains("Agustina Seran"), "the record comes from the register");
    // E-mail: the register holds none for her, so nothing goes anywhere.
    let before = app.outbox_len().await;
    ask_code(&app, json!({"nik": AGUSTINA, "channel": "email", "to": "agustina@contoh.id"})).await;
    assert_eq!(app.outbox_len().await, before);
}

#[tokio::test]
async fn an_invalid_nik_is_refused_with_the_rule_it_breaks() {
    let app = TestApp::demo().await;
    let cases = [
        ("53710452039000", "nik_length"),
        ("537104520390000x", "nik_digits"),
        ("9971045203900003", "nik_province"),
        ("5399045203900003", "nik_regency"),
        ("5371995203900003", "nik_district"),
        ("5371047203900003", "nik_birth_date"),
        ("5371045203900000", "nik_serial"),
    ];
    for (nik, rule) in cases {
        let response = app
            .post_json("/api/v1/auth/citizen/code", json!({"nik": nik, "channel": "email", "to": "a@contoh.id"}))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{nik}");
        let problem = response.json();
        assert_eq!(problem["type"], "/problems/invalid-nik");
        assert_eq!(problem["errors"][0]["field"], "nik");
        assert_eq!(problem["errors"][0]["rule"], rule, "{nik}");
        assert!(!response.body.contains(nik), "the NIK is not echoed");
    }
    let english = app
        .request(
            axum::http::Request::post("/api/v1/auth/citizen/code")
                .header("accept-language", "en")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"nik": "5371045203900000", "channel": "sms", "to": "0812345678"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(english.json()["detail"], "The last four digits of a NIK are never 0000.");
    let bad_phone =
        app.post_json("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "sms", "to": "0380821234"})).await;
    assert_eq!(
        (bad_phone.json()["errors"][0]["field"].as_str(), bad_phone.json()["errors"][0]["rule"].as_str()),
        (Some("to"), Some("mobile_number_format"))
    );
    let bad_channel =
        app.post_json("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "fax", "to": "1"})).await;
    assert_eq!(bad_channel.json()["errors"][0]["field"], "channel");
    let not_json = app.post_json_from("/api/v1/auth/citizen/code", json!("nik"), "192.0.2.10").await;
    assert_eq!(
        (not_json.status, not_json.json()["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("/problems/bad-body"))
    );
    assert!(
        balai_store::notify::recent(&app.db, &app.vault, 10).await.unwrap().is_empty(),
        "nothing sent for bad input"
    );
}

#[tokio::test]
async fn wrong_codes_tell_the_attempts_left_then_the_code_is_dead() {
    let app = TestApp::demo().await;
    let (_, pending) = ask_code(&app, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    let code = app.last_code().await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    for left in [4, 3, 2, 1, 0] {
        let response = verify(&app, &pending, MARIA, &wrong).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.json()["attempts_left"], left);
        assert_eq!(response.json()["type"], "/problems/wrong-code");
    }
    let too_late = verify(&app, &pending, MARIA, &code).await;
    assert_eq!(too_late.status, StatusCode::UNAUTHORIZED);
    assert_eq!(too_late.json()["type"], "/problems/no-open-code");
    let malformed = verify(&app, &pending, MARIA, "12ab").await;
    assert_eq!(malformed.json()["errors"][0]["rule"], "code_format");
}

#[tokio::test]
async fn too_many_codes_for_one_nik_and_destination_are_refused_with_retry_after() {
    let app = TestApp::demo().await;
    for _ in 0..3 {
        let ok = app
            .post_json("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "email", "to": "m@contoh.id"}))
            .await;
        assert_eq!(ok.status, StatusCode::ACCEPTED);
    }
    let refused = app
        .post_json_from(
            "/api/v1/auth/citizen/code",
            json!({"nik": MARIA, "channel": "email", "to": "m@contoh.id"}),
            "192.0.2.99",
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json()["type"], "/problems/too-many-codes");
    let retry: i64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // A stranger's requests count against their own destination, not against Maria's codes.
    let own =
        app.post_json_from("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "email"}), "192.0.2.98").await;
    assert_eq!(own.status, StatusCode::ACCEPTED);
    assert_eq!(app.last_message().await.recipient, "maria.lado@contoh.id");
}

#[tokio::test]
async fn the_sign_in_pages_keep_the_nik_out_of_every_url() {
    let app = TestApp::demo().await;
    let form = app.get("/masuk?next=%2Fakun").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let cookie = format!("balai_login_csrf={csrf}");

    let sent = app
        .post_form(
            "/masuk",
            &cookie,
            &[("csrf", &csrf), ("nik", MARIA), ("channel", "email"), ("to", "maria.lado@contoh.id"), ("next", "/akun")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let location = sent.header("location").to_owned();
    assert!(location.starts_with("/masuk/kode") && !location.contains(MARIA), "{location}");
    let pending = sent.cookie("balai_pending").expect("pending sign-in cookie");
    let cookie = format!("balai_login_csrf={csrf}; balai_pending={pending}");

    let code_page = app.get_with_cookie(&location, &cookie).await;
    assert_eq!(code_page.status, StatusCode::OK);
    assert!(code_page.body.contains("ma••@contoh.id"), "masked destination shown");
    assert!(code_page.body.contains("/demo/pesan"), "the demo points to its inbox");
    let csrf2 = code_page.cookie("balai_login_csrf").unwrap();
    let cookie = format!("balai_login_csrf={csrf2}; balai_pending={pending}");

    let wrong = app.post_form("/masuk/kode", &cookie, &[("csrf", &csrf2), ("code", "000000"), ("next", "/akun")]).await;
    let code = app.last_code().await;
    if code != "000000" {
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("Sisa percobaan: 4"), "attempts left shown");
    }
    let csrf3 = wrong.cookie("balai_login_csrf").unwrap_or(csrf2);
    let cookie = format!("balai_login_csrf={csrf3}; balai_pending={pending}");
    let signed_in =
        app.post_form("/masuk/kode", &cookie, &[("csrf", &csrf3), ("code", &code), ("next", "/akun")]).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(signed_in.header("location"), "/akun");
    let session = format!("balai_citizen={}", signed_in.cookie("balai_citizen").unwrap());
    let account = app.get_with_cookie("/akun", &session).await;
    assert!(account.body.contains("5371••••••••0003"));

    let sign_out_csrf = account.hidden("csrf");
    let out = app.post_form("/keluar", &session, &[("csrf", &sign_out_csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = app.get_with_cookie("/akun", &session).await;
    assert_eq!(
        (after.status, after.header("location")),
        (StatusCode::SEE_OTHER, "/masuk?next=%2Fakun"),
        "signed out everywhere it mattered"
    );
}

#[tokio::test]
async fn a_bad_nik_on_the_page_is_named_next_to_its_field() {
    let app = TestApp::demo().await;
    let form = app.get("/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let page = app
        .post_form(
            "/masuk",
            &format!("balai_login_csrf={csrf}"),
            &[("csrf", &csrf), ("nik", "5371045203900000"), ("channel", "email"), ("to", "a@contoh.id")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"nik-error\""), "error next to the field");
    assert!(page.body.contains("Empat angka terakhir NIK tidak boleh 0000."));
    assert!(page.body.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn a_forged_csrf_token_is_refused_and_sends_nothing() {
    let app = TestApp::demo().await;
    let form = app.get("/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let forged = app
        .post_form(
            "/masuk",
            &format!("balai_login_csrf={csrf}"),
            &[("csrf", "forged"), ("nik", MARIA), ("channel", "email"), ("to", "a@contoh.id")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(balai_store::notify::recent(&app.db, &app.vault, 10).await.unwrap().is_empty());

    let session = signed_in_citizen(&app).await;
    let out = app.post_form("/keluar", &session, &[("csrf", "forged")]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_with_cookie("/akun", &session).await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn an_expired_or_missing_session_goes_back_to_sign_in_remembering_the_page() {
    let app = TestApp::demo().await;
    let response = app.get_with_cookie("/akun", "balai_citizen=not-a-session").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), format!("/masuk?next={}", urlencode("/akun")));
}

async fn a_first_sign_in_creates_the_record_and_the_public_log_names_her_by_pseudonym(app: TestApp) {
    let (_, pending) = ask_code(&app, json!({"nik": AGUSTINA, "channel": "sms", "to": "085239100033"})).await;
    let code = app.last_code().await;
    let verified = verify(&app, &pending, AGUSTINA, &code).await;
    let id = verified.json()["citizen_id"].as_i64().unwrap();
    let mut tx = app.db.begin_read().await.unwrap();
    let subject = balai_store::identity::citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(subject.id, id.to_string(), "named by pseudonym, not by record id");
    let leaves = balai_store::audit::leaves_about(&app.db, &subject).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.citizen.create", "identity.citizen.sign_in"]);
    assert_eq!(leaves[1].actor_id, subject.id, "she signed in as herself, under the same pseudonym");
    assert!(balai_store::audit::verify(&app.db, &[]).await.unwrap().is_ok());
    let public = app.get(&format!("/api/v1/audit/leaves?start={}&end={}", leaves[0].seq, leaves[1].seq + 1)).await;
    assert!(!public.body.contains(AGUSTINA), "the public log carries no NIK");
    assert!(public.body.contains(&subject.id));
    assert!(!public.body.contains(&format!("\"subject_id\":\"{id}\"")), "nor the record id: {}", public.body);
}

#[tokio::test]
async fn the_demo_inbox_exists_only_in_the_demo() {
    let demo = TestApp::demo().await;
    ask_code(&demo, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    let inbox = demo.get("/demo/pesan").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains(&demo.last_code().await));
    assert!(inbox.body.contains("ma••@contoh.id") && !inbox.body.contains("maria.lado@"));

    let real = TestApp::demo_with(balai_web::WebConfig::default()).await;
    assert_eq!(real.get("/demo/pesan").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_sessions_on_other_devices_too() {
    let app = TestApp::demo().await;
    let phone = signed_in_citizen(&app).await;
    let laptop = signed_in_citizen(&app).await;
    let account = app.get_with_cookie("/akun", &phone).await;
    let out = app.post_form("/keluar/semua", &phone, &[("csrf", &account.hidden("csrf"))]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    for device in [&phone, &laptop] {
        assert_eq!(app.get_with_cookie("/akun", device).await.status, StatusCode::SEE_OTHER, "signed out on {device}");
    }
}

/// The code in the newest message to `recipient`.
async fn code_sent_to(app: &TestApp, recipient: &str) -> String {
    let message = balai_store::notify::recent(&app.db, &app.vault, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.recipient == recipient)
        .unwrap_or_else(|| panic!("a message to {recipient}"));
    let at = message.body.find(|c: char| c.is_ascii_digit()).unwrap();
    message.body[at..at + 6].to_owned()
}

async fn a_citizen_changes_her_address_with_the_old_one_agreeing_and_both_are_told(app: TestApp) {
    let session = signed_in_citizen(&app).await;
    let account = app.get_with_cookie("/akun", &session).await;
    assert!(account.body.contains("href=\"/akun/kontak\""));
    let form = app.get_with_cookie("/akun/kontak", &session).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.hidden("csrf");
    let bad =
        app.post_form("/akun/kontak", &session, &[("csrf", &csrf), ("channel", "email"), ("to", "bukan-surel")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"to-error\""));

    let started = app
        .post_form("/akun/kontak", &session, &[("csrf", &csrf), ("channel", "email"), ("to", "maria@baru.id")])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let cookie = format!("{session}; balai_contact_change={}", started.cookie("balai_contact_change").unwrap());
    let page = app.get_with_cookie(started.header("location"), &cookie).await;
    assert!(page.body.contains("ma••@baru.id") && page.body.contains("ma••@contoh.id"), "{}", page.body);
    assert!(page.body.contains("name=\"old_code\""), "a basic session must also answer from the old address");
    let new_code = code_sent_to(&app, "maria@baru.id").await;
    let old_code = code_sent_to(&app, "maria.lado@contoh.id").await;

    let half = app
        .post_form("/akun/kontak/kode", &cookie, &[("csrf", &csrf), ("new_code", &new_code), ("old_code", "000000")])
        .await;
    assert_eq!(half.status, StatusCode::UNAUTHORIZED, "the new address alone does not change anything");
    let done = app
        .post_form("/akun/kontak/kode", &cookie, &[("csrf", &csrf), ("new_code", &new_code), ("old_code", &old_code)])
        .await;
    assert_eq!((done.status, done.header("location")), (StatusCode::SEE_OTHER, "/akun"), "{}", done.body);
    assert!(app.get_with_cookie("/akun", &session).await.body.contains("ma••@baru.id"));
    let told: Vec<String> = balai_store::notify::recent(&app.db, &app.vault, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == "contact-changed")
        .map(|m| m.recipient)
        .collect();
    assert!(
        told.contains(&"maria.lado@contoh.id".to_owned()) && told.contains(&"maria@baru.id".to_owned()),
        "{told:?}"
    );

    // Codes now go to the new address only.
    let before = app.outbox_len().await;
    ask_code(&app, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    assert_eq!(app.outbox_len().await, before, "the old address receives no sign-in code any more");
}

#[tokio::test]
async fn codes_from_one_ipv6_subscriber_count_together_whatever_address_of_its_64_asks() {
    let app = TestApp::demo().await;
    let niks = [
        "5371011708850011",
        "5371011708850012",
        "5371011708850013",
        "5371011708850014",
        "5371011708850015",
        "5371011708850016",
        "5371011708850017",
        "5371011708850018",
        "5371011708850019",
        "5371011708850020",
    ];
    for (i, nik) in niks.iter().enumerate() {
        let from = format!("2001:db8:1:2::{:x}", i + 1);
        let sent = app.post_json_from("/api/v1/auth/citizen/code", json!({"nik": nik, "channel": "sms"}), &from).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    }
    let next = app
        .post_json_from("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "sms"}), "2001:db8:1:2::ffff")
        .await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS, "a fresh address in the same /64 is the same client");
    let elsewhere = app
        .post_json_from("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "sms"}), "2001:db8:1:3::1")
        .await;
    assert_eq!(elsewhere.status, StatusCode::ACCEPTED, "another subscriber is not held back");
}
