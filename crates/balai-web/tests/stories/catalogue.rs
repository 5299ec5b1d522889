use crate::support::{TestApp, as_refs, form_fields, set};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[tokio::test]
async fn a_citizen_searches_akta_and_opens_the_birth_certificate_standard() {
    let app = TestApp::demo().await;
    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"<html lang="id">"#));
    assert!(home.body.contains(r#"action="/cari""#) && home.body.contains(r#"id="q""#), "home has the search form");
    assert!(home.body.contains("Kependudukan dan Pencatatan Sipil"), "home lists categories");

    let results = app.get("/cari?q=akta").await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.contains(r#"href="/layanan/53.71/AKTA-LAHIR""#));
    assert!(!results.body.contains("/layanan/53.71/PBG\""), "unrelated services are not listed");

    let page = app.get("/layanan/53.71/AKTA-LAHIR").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Penerbitan Akta Kelahiran"));
    assert!(page.body.contains("<dd>5 hari kerja</dd>"), "completion time in working days");
    assert!(page.body.contains("<dd>Rp0 (Gratis)</dd>"), "fee in rupiah");
    for section in ["persyaratan", "prosedur", "produk", "pengaduan"] {
        assert!(page.body.contains(&format!(r#"id="{section}""#)), "section {section} is shown");
    }
    assert!(page.body.contains("Sudah dimiliki pemerintah"), "once-only documents are marked");
    assert!(page.body.contains(r#"id="versi">Versi 1"#));
}

#[tokio::test]
async fn fees_are_shown_in_rupiah_with_thousands_separators() {
    let app = TestApp::demo().await;
    let page = app.get("/layanan/53.71/PBG").await;
    assert!(page.body.contains("Rp1.850.000"), "PBG fee formatted as Rp1.850.000");
}

#[tokio::test]
async fn pages_read_in_english_on_request() {
    let app = TestApp::demo().await;
    let page = app.get("/layanan/53.71/AKTA-LAHIR?lang=en").await;
    assert!(page.body.contains(r#"<html lang="en">"#));
    assert!(page.body.contains("<dd>5 working days</dd>"));
    assert!(page.body.contains("Birth certificate"));
    assert!(page.body.contains(r#"href="/layanan/53.71/AKTA-LAHIR?lang=id""#), "a switch back to Indonesian");

    let by_header = app
        .request(Request::get("/").header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9").body(Body::empty()).unwrap())
        .await;
    assert!(by_header.body.contains(r#"<html lang="en">"#));
    assert!(by_header.body.contains("Service categories"));
}

#[tokio::test]
async fn a_category_lists_its_services_and_pages_through_them() {
    let app = TestApp::demo().await;
    let page = app.get("/cari?kategori=kependudukan").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/layanan/53.71/KTP-EL-BARU"));
    assert!(!page.body.contains("/layanan/53.71/PBG\""));
    let all = app.get("/cari").await;
    assert!(all.body.contains(r#"rel="next""#), "58 services need more than one page");
    let second = app.get("/cari?page=2").await;
    assert!(second.body.contains(r#"rel="prev""#));
    let nothing = app.get("/cari?q=zzzzzz").await;
    assert!(nothing.body.contains("Tidak ada layanan yang cocok"));
}

#[tokio::test]
async fn an_agency_page_shows_its_maklumat_units_and_services() {
    let app = TestApp::demo().await;
    let service = app.get("/layanan/53.71/AKTA-LAHIR").await;
    let agency_href = service.body.split("href=\"/instansi/").nth(1).and_then(|r| r.split('"').next()).unwrap();
    let agency = app.get(&format!("/instansi/{agency_href}")).await;
    assert_eq!(agency.status, StatusCode::OK);
    assert!(agency.body.contains(r#"id="maklumat""#));
    assert!(agency.body.contains("sanggup"), "the maklumat text is shown");
    assert!(agency.body.contains("/layanan/53.71/AKTA-LAHIR"));
    assert!(agency.body.contains("Bidang"), "units are listed");
}

#[tokio::test]
async fn unknown_pages_answer_404_in_the_reader_language() {
    let app = TestApp::demo().await;
    for path in [
        "/layanan/53.71/TIDAK-ADA",
        "/instansi/99999",
        "/instansi/abc",
        "/layanan/53.71/AKTA-LAHIR/versi/9",
        "/tidak/ada",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Halaman tidak ditemukan"), "{path}");
    }
    let english = app.get("/layanan/53.71/TIDAK-ADA?lang=en").await;
    assert!(english.body.contains("Page not found"));
}

crate::on_both_engines!(an_edit_is_on_the_public_page_and_in_the_api_at_once);

/// Citizens have the standard open while an admin publishes a new version: the next read shows it.
async fn an_edit_is_on_the_public_page_and_in_the_api_at_once(app: TestApp) {
    let api = "/api/v1/services/AKTA-LAHIR?government=53.71";
    let before = app.get("/layanan/53.71/AKTA-LAHIR").await;
    assert!(before.body.contains(r#"id="versi">Versi 1"#));
    assert_eq!(app.get(api).await.json()["current_version"].as_i64(), Some(1));
    assert_eq!(app.get("/layanan/53.71/AKTA-LAHIR").await.body, before.body, "a second read is the same page");

    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session).await;
    let mut fields = form_fields(&form);
    set(&mut fields, "name", "Penerbitan Akta Kelahiran Terpadu");
    set(&mut fields, "change_note", "Nama baru");
    let saved = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let after = app.get("/layanan/53.71/AKTA-LAHIR").await;
    assert!(after.body.contains("Penerbitan Akta Kelahiran Terpadu"));
    assert!(after.body.contains(r#"id="versi">Versi 2"#));
    assert!(after.body.contains("Nama baru"), "the history lists the new version");
    let doc = app.get(api).await.json();
    assert_eq!((doc["shown_version"].as_i64(), doc["current_version"].as_i64()), (Some(2), Some(2)));
    assert_eq!(doc["name"].as_str(), Some("Penerbitan Akta Kelahiran Terpadu"));
    let old = app.get("/layanan/53.71/AKTA-LAHIR/versi/1").await;
    assert!(old.body.contains("Anda melihat versi lama"));
}
