//! Purpose-bound access: an officer opens a citizen's record from a case they work, naming why, and
//! the citizen sees each opening on "Siapa yang mengakses data saya".

use crate::identity::signed_in_citizen;
use crate::officers::{PASSWORD, officer, password};
use crate::support::TestApp;
use axum::http::StatusCode;
use balai_domain::identity::Role;
use balai_store::audit::{self, Actor};
use balai_store::cases::{self, CaseKind, NewCase};
use balai_store::catalogue;
use balai_store::identity::citizens;

const MARIA: &str = "5371045203900003";

/// An application by Maria for a birth certificate at Disdukcapil Kota Kupang.
pub(crate) async fn marias_application(app: &TestApp) -> i64 {
    let service = catalogue::service_by_code(&app.db, "53.71", "AKTA-LAHIR").await.unwrap();
    let nik = balai_domain::nik::Nik::parse(MARIA, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let maria = citizens::citizen_id_by_nik(&mut tx, &app.vault, &nik).await.unwrap().expect("demo citizen");
    let id = cases::open_case(
        &mut tx,
        &Actor::system("test"),
        &NewCase {
            government_id: service.service.government_id,
            kind: CaseKind::Application,
            agency_id: service.service.agency_id,
            unit_id: None,
            citizen_id: Some(maria),
            service_id: Some(service.service.id),
            title: "Penerbitan Akta Kelahiran",
            status: "in_progress",
            opened_at: chrono::Utc::now(),
            due_at: None,
            steps: &[],
        },
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    id
}

async fn signed_in_officer(app: &TestApp, username: &str, agency: &str) -> String {
    officer(app, username, Role::Officer, Some(agency)).await;
    let response = password(app, username, PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    format!("balai_admin={}", response.cookie("balai_admin").expect("an officer needs no second factor"))
}

#[tokio::test]
async fn an_officer_opens_a_record_for_a_case_and_the_citizen_sees_when_who_which_case_and_why() {
    let app = TestApp::demo().await;
    let case_id = marias_application(&app).await;
    let ani = signed_in_officer(&app, "ani", "disdukcapil").await;

    let list = app.get_with_cookie("/admin/kasus", &ani).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let reference = format!("PMH-{case_id:06}");
    assert!(list.body.contains(&reference), "the case is on the work list");

    let case_page = app.get_with_cookie(&format!("/admin/kasus/{case_id}"), &ani).await;
    assert_eq!(case_page.status, StatusCode::OK);
    assert!(!case_page.body.contains("Maria Yosefina Lado"), "the record is not shown before a purpose is named");
    let opened = app
        .post_form(
            &format!("/admin/kasus/{case_id}/data-warga"),
            &ani,
            &[("csrf", &case_page.hidden("csrf")), ("purpose", "Verifikasi berkas permohonan akta")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(opened.body.contains("Maria Yosefina Lado"));
    assert!(opened.body.contains("5371••••••••0003"), "the NIK is masked on screen");
    assert!(!opened.body.contains(MARIA));
    assert_eq!(opened.header("cache-control"), "no-store");

    let maria = signed_in_citizen(&app).await;
    let account = app.get_with_cookie("/akun", &maria).await;
    assert!(account.body.contains("href=\"/akun/akses\""), "the account links to the access log");
    let log = app.get_with_cookie("/akun/akses", &maria).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("Siapa yang mengakses data saya"));
    for shown in [
        "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "Petugas",
        reference.as_str(),
        "Verifikasi berkas permohonan akta",
        "WITA",
    ] {
        assert!(log.body.contains(shown), "{shown} on the page:\n{}", log.body);
    }
    let english = app.get_with_cookie("/akun/akses?lang=en", &maria).await;
    assert!(english.body.contains("Who has accessed my data") && english.body.contains("Officer"));
}

#[tokio::test]
async fn a_purpose_is_required_and_must_not_carry_a_nik_and_a_forged_form_opens_nothing() {
    let app = TestApp::demo().await;
    let case_id = marias_application(&app).await;
    let ani = signed_in_officer(&app, "ani", "disdukcapil").await;
    let page = app.get_with_cookie(&format!("/admin/kasus/{case_id}"), &ani).await;
    let csrf = page.hidden("csrf");
    let path = format!("/admin/kasus/{case_id}/data-warga");
    let leaves = audit::head(&app.db).await.unwrap().0;

    let empty = app.post_form(&path, &ani, &[("csrf", &csrf), ("purpose", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Wajib diisi.") && empty.body.contains("aria-invalid=\"true\""));
    let leaking = app.post_form(&path, &ani, &[("csrf", &csrf), ("purpose", &format!("Cocokkan NIK {MARIA}"))]).await;
    assert_eq!(leaking.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(leaking.body.contains("Jangan tulis NIK"), "{}", leaking.body);
    let forged = app.post_form(&path, &ani, &[("csrf", "forged"), ("purpose", "Verifikasi berkas permohonan")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    for refused in [&empty, &leaking, &forged] {
        assert!(!refused.body.contains("Maria Yosefina Lado"));
    }
    assert_eq!(audit::head(&app.db).await.unwrap().0, leaves, "nothing was read, nothing was logged");
}

#[tokio::test]
async fn an_officer_of_another_agency_cannot_see_the_case_or_open_the_record() {
    let app = TestApp::demo().await;
    let case_id = marias_application(&app).await;
    let budi = signed_in_officer(&app, "budi", "dinkes").await;

    let list = app.get_with_cookie("/admin/kasus", &budi).await;
    assert!(!list.body.contains(&format!("PMH-{case_id:06}")));
    let page = app.get_with_cookie(&format!("/admin/kasus/{case_id}"), &budi).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let csrf = app.get_with_cookie("/admin", &budi).await.hidden("csrf");
    let tried = app
        .post_form(
            &format!("/admin/kasus/{case_id}/data-warga"),
            &budi,
            &[("csrf", &csrf), ("purpose", "Verifikasi berkas permohonan")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    assert!(!tried.body.contains("Maria Yosefina Lado"));

    let maria = signed_in_citizen(&app).await;
    let log = app.get_with_cookie("/akun/akses", &maria).await;
    assert!(log.body.contains("id=\"no-reads\""), "no read is listed");
}
