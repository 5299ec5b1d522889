//! The counter: an officer who checked a KTP-el in person binds the citizen's phone, every old and new
//! contact is told, and the citizen then signs in at the substantial level and sees the full record.

use crate::identity::{ask_code, verify};
use crate::officers::{PASSWORD, officer, password};
use crate::support::TestApp;
use axum::http::StatusCode;
use balai_domain::identity::Role;
use serde_json::json;

crate::on_both_engines!(
    an_officer_binds_a_new_phone_at_the_counter_and_the_citizen_then_sees_his_full_record,
    only_a_front_desk_of_the_government_binds_and_a_stranger_to_the_register_is_sent_to_disdukcapil,
);

const YOHANES: &str = "5371011708850002";

async fn signed_in_desk(app: &TestApp) -> String {
    officer(app, "loket", Role::Officer, Some("disdukcapil")).await;
    let response = password(app, "loket", PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    format!("balai_admin={}", response.cookie("balai_admin").unwrap())
}

async fn an_officer_binds_a_new_phone_at_the_counter_and_the_citizen_then_sees_his_full_record(app: TestApp) {
    let desk = signed_in_desk(&app).await;
    let form = app.get_with_cookie("/admin/loket", &desk).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.header("cache-control"), "no-store");
    let csrf = form.hidden("csrf");

    // Not without the KTP-el seen in person.
    let unchecked = app
        .post_form(
            "/admin/loket",
            &desk,
            &[("csrf", &csrf), ("nik", YOHANES), ("channel", "sms"), ("to", "0852 0000 0001")],
        )
        .await;
    assert_eq!(unchecked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchecked.body.contains("id=\"ktp_checked-error\""), "the rule is named at its field");
    assert_eq!(app.outbox_len().await, 0, "nothing bound, nobody told");

    let bound = app
        .post_form(
            "/admin/loket",
            &desk,
            &[("csrf", &csrf), ("nik", YOHANES), ("channel", "sms"), ("to", "0852 0000 0001"), ("ktp_checked", "yes")],
        )
        .await;
    assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
    assert!(bound.body.contains("5371••••••••0002") && bound.body.contains("+62852••••001"), "{}", bound.body);
    assert!(!bound.body.contains(YOHANES), "the NIK is masked on screen");
    let mut told: Vec<String> =
        balai_store::notify::recent(&app.db, &app.vault, 10).await.unwrap().into_iter().map(|m| m.recipient).collect();
    told.sort();
    assert_eq!(told, ["+6281337700022", "+6285200000001"], "the old phone and the new one are told");

    // The old phone no longer receives codes; the new one does, and proves the person.
    let before = app.outbox_len().await;
    ask_code(&app, json!({"nik": YOHANES, "channel": "sms", "to": "081337700022"})).await;
    assert_eq!(app.outbox_len().await, before, "the replaced phone gets nothing");
    let (_, pending) = ask_code(&app, json!({"nik": YOHANES, "channel": "sms"})).await;
    assert_eq!(app.last_message().await.recipient, "+6285200000001");
    let code = app.last_code().await;
    let signed_in = verify(&app, &pending, YOHANES, &code).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let session = format!("balai_citizen={}", signed_in.cookie("balai_citizen").unwrap());
    let account = app.get_with_cookie("/akun", &session).await;
    assert!(account.body.contains("substansial"), "the session is at the substantial level");
    assert!(account.body.contains("Jl. Yos Sudarso No. 5"), "the full record is shown");
    assert!(!account.body.contains("id=\"full-record-note\""));
    assert!(balai_store::audit::verify(&app.db, &[]).await.unwrap().is_ok());
}

async fn only_a_front_desk_of_the_government_binds_and_a_stranger_to_the_register_is_sent_to_disdukcapil(app: TestApp) {
    let admin = app.sign_in_admin().await;
    assert_eq!(
        app.get_with_cookie("/admin/loket", &admin).await.status,
        StatusCode::FORBIDDEN,
        "admins keep no counter"
    );

    let desk = signed_in_desk(&app).await;
    let csrf = app.get_with_cookie("/admin/loket", &desk).await.hidden("csrf");
    let unknown = app
        .post_form(
            "/admin/loket",
            &desk,
            &[
                ("csrf", &csrf),
                ("nik", "5371011708850009"),
                ("channel", "email"),
                ("to", "a@contoh.id"),
                ("ktp_checked", "yes"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("tidak ada di data kependudukan"), "{}", unknown.body);
    assert_eq!(balai_store::identity::citizens::count(&app.db).await.unwrap(), 2, "no record made");

    let forged = app
        .post_form(
            "/admin/loket",
            &desk,
            &[("csrf", "forged"), ("nik", YOHANES), ("channel", "sms"), ("to", "085200000001"), ("ktp_checked", "yes")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.outbox_len().await, 0);
}
