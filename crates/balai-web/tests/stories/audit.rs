use crate::support::{ORIGIN, TestApp, as_refs, form_fields, set};
use axum::http::StatusCode;
use balai_ledger::{NoteVerifier, open_checkpoint, verify_consistency, verify_inclusion};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

fn hash(value: &serde_json::Value) -> [u8; 32] {
    STANDARD.decode(value.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn hashes(value: &serde_json::Value) -> Vec<[u8; 32]> {
    value.as_array().unwrap().iter().map(hash).collect()
}

async fn published(app: &TestApp) -> (NoteVerifier, balai_ledger::Checkpoint) {
    let vkey = app.get("/api/v1/audit/public-key").await;
    assert_eq!(vkey.status, StatusCode::OK);
    assert!(vkey.header("content-type").starts_with("text/plain"));
    let verifier = NoteVerifier::from_vkey(vkey.body.trim()).unwrap();
    let note = app.get("/api/v1/audit/checkpoint").await;
    assert_eq!(note.status, StatusCode::OK);
    let checkpoint = open_checkpoint(&note.body, ORIGIN, &verifier).expect("the published checkpoint verifies");
    (verifier, checkpoint)
}

#[tokio::test]
async fn anyone_can_check_that_a_catalogue_change_is_in_the_signed_log() {
    let app = TestApp::demo().await;
    assert_eq!(app.get("/api/v1/audit/checkpoint").await.status, StatusCode::NOT_FOUND, "nothing signed yet");
    let size = app.sign_checkpoint().await;
    let (_, checkpoint) = published(&app).await;
    assert_eq!(checkpoint.size, size);

    // Every leaf of the seeded log is provably included.
    for index in (0..size).step_by(17) {
        let proof = app.get(&format!("/api/v1/audit/proof/inclusion?index={index}&size={size}")).await.json();
        assert_eq!((proof["leaf_index"].as_u64(), proof["tree_size"].as_u64()), (Some(index), Some(size)));
        verify_inclusion(&hash(&proof["leaf_hash"]), index, size, &hashes(&proof["proof"]), &checkpoint.root)
            .unwrap_or_else(|e| panic!("leaf {index}: {e}"));
    }
    // The leaves carry what happened, and their hashes cover exactly the published entry bytes.
    let page = app.get(&format!("/api/v1/audit/leaves?start=0&end={}", size.min(5))).await.json();
    let first = &page["leaves"][0];
    assert_eq!(
        (first["action"].as_str(), first["subject_table"].as_str()),
        (Some("catalogue.government.create"), Some("governments"))
    );
    let entry = STANDARD.decode(first["entry"].as_str().unwrap()).unwrap();
    assert_eq!(balai_ledger::leaf_hash(&entry), hash(&first["leaf_hash"]));
}

#[tokio::test]
async fn a_revision_extends_the_log_consistently_and_sign_in_is_recorded() {
    let app = TestApp::demo().await;
    let old_size = app.sign_checkpoint().await;
    let (_, old) = published(&app).await;

    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/KK/ubah", &session).await;
    let mut fields = form_fields(&form);
    set(&mut fields, "change_note", "Perbaikan teks");
    set(&mut fields, "summary", "Ringkasan yang diperbaiki.");
    assert_eq!(
        app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );

    let new_size = app.sign_checkpoint().await;
    let (_, new) = published(&app).await;
    assert_eq!(new_size, old_size + 4, "second-factor enrolment, sign-in, the service and its new version");
    let proof = app.get(&format!("/api/v1/audit/proof/consistency?from={old_size}&to={new_size}")).await.json();
    verify_consistency(old_size, new_size, &hashes(&proof["proof"]), &old.root, &new.root).expect("the log only grew");

    let leaves = app.get(&format!("/api/v1/audit/leaves?start={old_size}&end={new_size}")).await.json();
    let actions: Vec<&str> =
        leaves["leaves"].as_array().unwrap().iter().map(|l| l["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec![
            "identity.officer.totp_enrol",
            "identity.officer.sign_in",
            "catalogue.service.revise",
            "catalogue.service.publish"
        ]
    );
    assert!(leaves["leaves"].as_array().unwrap().iter().all(|l| l["actor_role"] == "officer"));
}

#[tokio::test]
async fn bad_proof_requests_name_the_parameter() {
    let app = TestApp::demo().await;
    let size = app.sign_checkpoint().await;
    for (path, param) in [
        ("/api/v1/audit/proof/inclusion?index=-1&size=5".to_owned(), "index"),
        ("/api/v1/audit/proof/inclusion?index=abc&size=5".to_owned(), "index"),
        ("/api/v1/audit/proof/inclusion?size=5".to_owned(), "index"),
        ("/api/v1/audit/proof/inclusion?index=5&size=5".to_owned(), "index"),
        (format!("/api/v1/audit/proof/inclusion?index=0&size={}", size + 1), "size"),
        ("/api/v1/audit/proof/inclusion?index=0&size=0".to_owned(), "size"),
        ("/api/v1/audit/proof/consistency?from=x&to=5".to_owned(), "from"),
        ("/api/v1/audit/proof/consistency?from=6&to=5".to_owned(), "from"),
        (format!("/api/v1/audit/proof/consistency?from=1&to={}", size + 1), "to"),
        ("/api/v1/audit/leaves?start=0&end=1001".to_owned(), "end"),
        ("/api/v1/audit/leaves?start=5&end=2".to_owned(), "end"),
        (format!("/api/v1/audit/leaves?start={}&end={}", size + 1, size + 2), "start"),
        ("/api/v1/audit/leaves?start=-3&end=2".to_owned(), "start"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}: {}", response.body);
        assert_eq!(response.header("content-type"), "application/problem+json");
        assert_eq!(response.json()["param"], param, "{path}");
    }
}

#[tokio::test]
async fn the_public_audit_api_is_rate_limited() {
    let config = balai_web::WebConfig { audit_requests_per_second: 1, ..Default::default() };
    let app = TestApp::demo_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.get("/api/v1/audit/public-key").await.status);
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::OK), "a burst of 5 is allowed: {statuses:?}");
    let limited = app.get("/api/v1/audit/public-key").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), "1");
    assert_eq!(limited.json()["type"], "/problems/rate-limited");
    assert_eq!(app.get("/api/v1/services").await.status, StatusCode::OK, "the catalogue API is not limited by it");
}
