//! An admin edits the text of the sign-in code message; the next citizen gets the new text, and a
//! text that would send a broken message is refused with the reason next to the field.

use crate::officers::{PASSWORD, officer, password};
use crate::support::TestApp;
use axum::http::StatusCode;
use balai_domain::identity::Role;
use serde_json::json;

const MARIA: &str = "5371045203900003";
const FORM: &str = "/admin/pesan/sign-in-code/id";

#[tokio::test]
async fn an_admin_rewrites_the_sign_in_message_and_the_next_citizen_receives_it() {
    let app = TestApp::demo().await;
    let admin = app.sign_in_admin().await;
    let dashboard = app.get_with_cookie("/admin", &admin).await;
    assert!(dashboard.body.contains("href=\"/admin/pesan\""), "the dashboard links to the texts");
    let page = app.get_with_cookie("/admin/pesan", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Kode masuk Balai: {{ code }}"), "the shipped text is shown for editing");
    let csrf = page.hidden("csrf");

    let body = "{{ code }} adalah kode masuk layanan Pemkot Kupang, berlaku {{ minutes }} menit. Jangan berikan kepada siapa pun.";
    let saved =
        app.post_form(FORM, &admin, &[("csrf", &csrf), ("subject", "Kode Pemkot Kupang"), ("body", body)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = app.get_with_cookie(saved.header("location"), &admin).await;
    assert!(after.body.contains("Teks disimpan.") && after.body.contains("Diubah oleh admin"));

    let (_, pending) =
        crate::identity::ask_code(&app, json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"})).await;
    let message = app.last_message().await;
    assert_eq!(message.subject, "Kode Pemkot Kupang");
    let code = app.last_code().await;
    assert_eq!(
        message.body,
        format!("{code} adalah kode masuk layanan Pemkot Kupang, berlaku 5 menit. Jangan berikan kepada siapa pun.")
    );
    let verified = crate::identity::verify(&app, &pending, MARIA, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "the code in the new text signs in");

    let reset = app.post_form(&format!("{FORM}/bawaan"), &admin, &[("csrf", &csrf)]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    app.post_json("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"}))
        .await;
    assert!(app.last_message().await.body.starts_with("Kode masuk Balai: "), "back to the shipped text");
}

#[tokio::test]
async fn a_text_without_the_code_or_with_an_unknown_value_is_refused_and_nothing_changes() {
    let app = TestApp::demo().await;
    let admin = app.sign_in_admin().await;
    let csrf = app.get_with_cookie("/admin/pesan", &admin).await.hidden("csrf");

    let no_code =
        app.post_form(FORM, &admin, &[("csrf", &csrf), ("subject", "Kode"), ("body", "Silakan masuk ke Balai.")]).await;
    assert_eq!(no_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_code.body.contains("Isi pesan harus memuat {{ code }}."), "{}", no_code.body);
    assert!(no_code.body.contains("Silakan masuk ke Balai."), "the admin's text is kept in the form");
    assert!(no_code.body.contains("aria-invalid=\"true\""));

    let unknown = app
        .post_form(FORM, &admin, &[("csrf", &csrf), ("subject", "Kode untuk {{ nama }}"), ("body", "Kode: {{ code }}")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("Nilai {{ nama }} tidak dikenal; yang tersedia: {{ code }}, {{ minutes }}."));

    let english = app
        .post_form(&format!("{FORM}?lang=en"), &admin, &[("csrf", &csrf), ("subject", "Kode"), ("body", "{{ code")])
        .await;
    assert!(english.body.contains("Template syntax error on line 1."), "{}", english.body);

    // Seven nested loops: refused at the work limit, not after seconds of CPU.
    let loops: String = (0..7).map(|i| format!("{{% for v{i} in \"abcdefgh\" %}}")).collect();
    let heavy = format!("{loops}x{}{{{{ code }}}}", "{% endfor %}".repeat(7));
    let started = std::time::Instant::now();
    let refused = app.post_form(FORM, &admin, &[("csrf", &csrf), ("subject", "Kode"), ("body", &heavy)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Terlalu berat untuk diisi: lebih dari 20000 langkah kerja."), "{}", refused.body);
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "took {:?}", started.elapsed());

    let forged = app.post_form(FORM, &admin, &[("csrf", "forged"), ("subject", "Kode"), ("body", "{{ code }}")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    app.post_json("/api/v1/auth/citizen/code", json!({"nik": MARIA, "channel": "email", "to": "maria.lado@contoh.id"}))
        .await;
    assert!(app.last_message().await.body.starts_with("Kode masuk Balai: "), "the shipped text is still sent");
}

#[tokio::test]
async fn only_an_admin_of_the_whole_deployment_edits_the_texts() {
    let app = TestApp::demo().await;
    officer(&app, "ani", Role::Officer, Some("disdukcapil")).await;
    let response = password(&app, "ani", PASSWORD).await;
    let ani = format!("balai_admin={}", response.cookie("balai_admin").unwrap());
    assert_eq!(app.get_with_cookie("/admin/pesan", &ani).await.status, StatusCode::FORBIDDEN);
    let csrf = app.get_with_cookie("/admin", &ani).await.hidden("csrf");
    let tried = app.post_form(FORM, &ani, &[("csrf", &csrf), ("subject", "Kode"), ("body", "{{ code }}")]).await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
}
