use crate::support::{ADMIN, TestApp, as_refs, form_fields, set};
use axum::http::StatusCode;

#[tokio::test]
async fn admin_pages_send_strangers_to_sign_in_and_remember_the_page() {
    let app = TestApp::demo().await;
    let response = app.get("/admin/layanan/53.71/AKTA-LAHIR/ubah").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), "/admin/masuk?next=%2Fadmin%2Flayanan%2F53.71%2FAKTA-LAHIR%2Fubah");
    let forged = app.get_with_cookie("/admin", "balai_admin=forged-token").await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::demo().await;
    let form = app.get("/admin/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let cookie = format!("balai_login_csrf={csrf}");
    for (username, password) in [(ADMIN, "salah"), ("nobody", "salah")] {
        let response = app
            .post_form("/admin/masuk", &cookie, &[("csrf", &csrf), ("username", username), ("password", password)])
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert!(response.body.contains("Nama pengguna atau kata sandi salah."));
        assert!(response.cookie("balai_admin").is_none());
    }
    let no_csrf =
        app.post_form("/admin/masuk", "", &[("username", ADMIN), ("password", crate::support::ADMIN_PASSWORD)]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "sign-in without the CSRF cookie is refused");
}

#[tokio::test]
async fn an_admin_publishes_a_new_version_and_the_old_one_stays_readable() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let dashboard = app.get_with_cookie("/admin", &session).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("/admin/layanan/53.71/AKTA-LAHIR/ubah"));

    let form = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session).await;
    assert_eq!(form.status, StatusCode::OK);
    let mut fields = form_fields(&form);
    set(&mut fields, "name", "Penerbitan Akta Kelahiran Baru");
    set(&mut fields, "sla_days", "4");
    // Take the day off the last step that has one, so the steps still fit in 4 working days.
    let (step, days) = fields
        .iter()
        .filter(|(n, v)| n.starts_with("step_sla_") && v.parse::<i64>().is_ok_and(|d| d > 0))
        .map(|(n, v)| (n.clone(), v.parse::<i64>().unwrap()))
        .next_back()
        .unwrap();
    set(&mut fields, &step, &(days - 1).to_string());
    set(&mut fields, "fee", "Rp0");
    set(&mut fields, "change_note", "Waktu dipersingkat menjadi 4 hari kerja");
    let saved = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/layanan/53.71/AKTA-LAHIR");

    let public = app.get("/layanan/53.71/AKTA-LAHIR").await;
    assert!(public.body.contains("Penerbitan Akta Kelahiran Baru"));
    assert!(public.body.contains("<dd>4 hari kerja</dd>"));
    assert!(public.body.contains(r#"id="versi">Versi 2"#));
    assert!(public.body.contains("Waktu dipersingkat"), "the change note is in the public history");

    let old = app.get("/layanan/53.71/AKTA-LAHIR/versi/1").await;
    assert!(old.body.contains("Anda melihat versi lama"));
    assert!(old.body.contains("<dd>5 hari kerja</dd>"));
    let doc = app.get("/api/v1/services/AKTA-LAHIR?version=1").await.json();
    assert_eq!((doc["shown_version"].as_i64(), doc["current_version"].as_i64()), (Some(1), Some(2)));
}

#[tokio::test]
async fn invalid_edits_come_back_with_each_field_error_and_nothing_saved() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session).await;
    let mut fields = form_fields(&form);
    set(&mut fields, "name", " ");
    set(&mut fields, "fee", "dua ribu");
    set(&mut fields, "sla_days", "2");
    set(&mut fields, "req_document_0", "");
    set(&mut fields, "req_note_0", "catatan tanpa dokumen");
    let response = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains(r#"id="name-error""#), "name error shown");
    assert!(response.body.contains(r#"id="fee-error""#), "fee error shown");
    assert!(response.body.contains(r#"id="change_note-error""#), "a change note is required");
    assert!(response.body.contains(r#"id="req_document_0-error""#), "the requirement row is named");
    assert!(response.body.contains(r#"id="steps-error""#), "steps longer than the completion time");
    assert!(response.body.contains(r#"aria-invalid="true""#));
    assert!(response.body.contains("dua ribu"), "what was typed is kept");

    let public = app.get("/layanan/53.71/AKTA-LAHIR").await;
    assert!(public.body.contains(r#"id="versi">Versi 1"#), "nothing was saved");
}

#[tokio::test]
async fn a_forged_csrf_token_changes_nothing() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session).await;
    let mut fields = form_fields(&form);
    set(&mut fields, "csrf", "forged");
    set(&mut fields, "name", "Diubah penyerang");
    set(&mut fields, "change_note", "x");
    let response = app.post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(!app.get("/layanan/53.71/AKTA-LAHIR").await.body.contains("Diubah penyerang"));
}

#[tokio::test]
async fn two_admins_editing_at_once_cannot_overwrite_each_other() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/KK/ubah", &session).await;
    let mut first = form_fields(&form);
    let mut second = first.clone();
    set(&mut first, "change_note", "pertama");
    set(&mut second, "change_note", "kedua");
    set(&mut second, "name", "Nama dari editor kedua");
    assert_eq!(
        app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&first)).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&second)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Versi terbaru sekarang 2"));
    assert!(!app.get("/layanan/53.71/KK").await.body.contains("Nama dari editor kedua"));
}

#[tokio::test]
async fn an_admin_adds_a_service_that_citizens_can_then_find() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/baru", &session).await;
    assert_eq!(form.status, StatusCode::OK);
    let mut fields = form_fields(&form);
    // An empty submission names the missing fields.
    let empty = app.post_form("/admin/layanan/53.71/baru", &session, &as_refs(&fields)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["code-error", "name-error", "requirements-error", "steps-error"] {
        assert!(empty.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    for (name, value) in [
        ("code", "SURAT-KETERANGAN-USAHA"),
        ("name", "Surat Keterangan Usaha"),
        ("name_en", "Business statement letter"),
        ("summary", "Surat keterangan bagi pelaku usaha mikro."),
        ("keywords", "sku, usaha, mikro"),
        ("sla_days", "2"),
        ("fee", "0"),
        ("fee_legal_basis", "Tidak dipungut biaya"),
        ("product", "Surat Keterangan Usaha"),
        ("complaint_handling", "SP4N-LAPOR!"),
        ("legal_basis", "Perwali Kupang tentang SKU"),
        ("facilities", "Loket"),
        ("competence", "Operator"),
        ("internal_supervision", "Kepala bidang"),
        ("staff_count", "2"),
        ("service_guarantee", "Tepat waktu"),
        ("security_guarantee", "Data aman"),
        ("performance_evaluation", "Tiap semester"),
        ("sk_number", "500/1/2026"),
        ("req_document_0", "KTP-el pemohon"),
        ("req_doc_type_0", "ktp"),
        ("step_description_0", "Verifikasi dan penerbitan"),
        ("step_sla_0", "2"),
    ] {
        set(&mut fields, name, value);
    }
    // The unit select defaults to the first unit of the first agency; pick the agency that owns it.
    let response = app.post_form("/admin/layanan/53.71/baru", &session, &as_refs(&fields)).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(response.header("location"), "/layanan/53.71/SURAT-KETERANGAN-USAHA");
    let found = app.get("/cari?q=sku").await;
    assert!(found.body.contains("/layanan/53.71/SURAT-KETERANGAN-USAHA"));
}

#[tokio::test]
async fn an_officer_who_lost_a_phone_signs_out_on_every_device() {
    let app = TestApp::demo().await;
    let laptop = app.sign_in_admin().await;
    let phone = app.sign_in_admin().await;
    let csrf = app.get_with_cookie("/admin", &laptop).await.hidden("csrf");

    let forged = app.post_form("/admin/keluar/semua", &laptop, &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_with_cookie("/admin", &phone).await.status, StatusCode::OK, "nothing changed");

    let out = app.post_form("/admin/keluar/semua", &laptop, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    for session in [&laptop, &phone] {
        let page = app.get_with_cookie("/admin", session).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "every device is signed out");
        assert!(page.header("location").starts_with("/admin/masuk"));
    }
}

#[tokio::test]
async fn signing_out_ends_this_session() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let dashboard = app.get_with_cookie("/admin", &session).await;
    let csrf = dashboard.hidden("csrf");
    let out = app.post_form("/admin/keluar", &session, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_with_cookie("/admin", &session).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_admin_corrects_the_holiday_calendar_and_deadlines_follow_it() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let page = app.get_with_cookie("/admin/kalender/53.71/2026", &session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026-12-25,Hari Raya Natal,libur_nasional"), "the seeded year is shown");
    let csrf = page.hidden("csrf");

    let bad = app
        .post_form(
            "/admin/kalender/53.71/2026",
            &session,
            &[("csrf", &csrf), ("holidays", "2026-02-30,Salah,libur_nasional\n2025-01-01,Tahun lalu")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Baris 1:") && bad.body.contains("Baris 2:"));

    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let before = balai_store::calendar::working_calendar(&app.db, government.id).await.unwrap();
    let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(before.add_working_days(d("2026-11-23"), 1).unwrap(), d("2026-11-24"));

    // The city declares its anniversary on Tuesday 24 November 2026 a regional holiday.
    let text =
        format!("{}\n2026-11-24,HUT Kota Kupang,libur_daerah", crate::support::html_unescape(&textarea(&page.body)));
    let saved = app.post_form("/admin/kalender/53.71/2026", &session, &[("csrf", &csrf), ("holidays", &text)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = balai_store::calendar::working_calendar(&app.db, government.id).await.unwrap();
    assert_eq!(after.add_working_days(d("2026-11-23"), 1).unwrap(), d("2026-11-25"));
    // The province's calendar is its own.
    let province = balai_store::org::government_by_region(&app.db, "53").await.unwrap();
    let provincial = balai_store::calendar::working_calendar(&app.db, province.id).await.unwrap();
    assert_eq!(provincial.add_working_days(d("2026-11-23"), 1).unwrap(), d("2026-11-24"));

    let forged = app.post_form("/admin/kalender/53.71/2026", &session, &[("csrf", "x"), ("holidays", "")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

fn textarea(body: &str) -> String {
    body.split("<textarea")
        .nth(1)
        .and_then(|t| t.split_once('>'))
        .map(|(_, rest)| rest.split("</textarea>").next().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn an_admin_updates_an_agency_maklumat() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let dashboard = app.get_with_cookie("/admin", &session).await;
    let link =
        dashboard.body.split("href=\"/admin/instansi/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let form = app.get_with_cookie(&format!("/admin/instansi/{link}"), &session).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.hidden("csrf");
    let empty =
        app.post_form(&format!("/admin/instansi/{link}"), &session, &[("csrf", &csrf), ("maklumat", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains(r#"id="maklumat-error""#));
    let saved = app
        .post_form(
            &format!("/admin/instansi/{link}"),
            &session,
            &[("csrf", &csrf), ("maklumat", "Kami sanggup melayani dengan cepat dan ramah.")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let public = app.get(saved.header("location")).await;
    assert!(public.body.contains("Kami sanggup melayani dengan cepat dan ramah."));
}

#[tokio::test]
async fn an_edit_without_the_version_it_started_from_is_refused_and_changes_nothing() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/KK/ubah", &session).await;
    let mut fields = form_fields(&form);
    set(&mut fields, "name", "Nama tanpa versi");
    set(&mut fields, "change_note", "tanpa versi");
    let without: Vec<(String, String)> = fields.iter().filter(|(n, _)| n != "expected_version").cloned().collect();
    let missing = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&without)).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    assert!(missing.body.contains("expected_version"), "the page names the missing field");

    set(&mut fields, "expected_version", "terbaru");
    let garbled = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&fields)).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert!(garbled.body.contains("expected_version"));

    let public = app.get("/layanan/53.71/KK").await;
    assert!(!public.body.contains("Nama tanpa versi"), "nothing was published");
    assert!(public.body.contains(r#"id="versi">Versi 1"#));
}

#[tokio::test]
async fn an_editor_overtaken_by_a_colleague_gets_their_input_back_with_what_changed() {
    let app = TestApp::demo().await;
    let session = app.sign_in_admin().await;
    let form = app.get_with_cookie("/admin/layanan/53.71/KK/ubah", &session).await;
    let mut first = form_fields(&form);
    let mut second = first.clone();
    set(&mut first, "name", "Kartu Keluarga (diperbarui rekan)");
    set(&mut first, "change_note", "nama diperjelas");
    let published = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&first)).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);

    set(&mut second, "summary", "Ringkasan yang ditulis editor kedua dengan teliti");
    set(&mut second, "change_note", "ringkasan baru");
    let stale = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&second)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let notice = stale.body.split(r#"id="conflict""#).nth(1).and_then(|r| r.split("</div>").next()).unwrap_or_default();
    assert!(notice.contains("Versi terbaru sekarang 2"), "says which version is current: {notice}");
    assert!(notice.contains("Admin Uji"), "says who published it: {notice}");
    assert!(notice.contains("nama diperjelas"), "shows the colleague's change note: {notice}");
    assert!(notice.contains("Nama layanan"), "names the component the colleague changed: {notice}");
    assert!(!notice.contains("Ringkasan"), "and not the ones they left alone: {notice}");

    let again = form_fields(&stale);
    let kept = |name: &str| again.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(kept("summary"), "Ringkasan yang ditulis editor kedua dengan teliti", "the editor's input is kept");
    assert_eq!(kept("change_note"), "ringkasan baru");
    assert_eq!(kept("expected_version"), "2", "submitting again builds on the current version");
    assert!(!app.get("/layanan/53.71/KK").await.body.contains("editor kedua"), "nothing of theirs is saved yet");

    let resubmitted = app.post_form("/admin/layanan/53.71/KK/ubah", &session, &as_refs(&again)).await;
    assert_eq!(resubmitted.status, StatusCode::SEE_OTHER, "{}", resubmitted.body);
    let public = app.get("/layanan/53.71/KK").await;
    assert!(public.body.contains(r#"id="versi">Versi 3"#));
    assert!(public.body.contains("Ringkasan yang ditulis editor kedua dengan teliti"));
}
