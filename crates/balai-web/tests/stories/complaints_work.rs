//! Officers work complaints through their pages: the complaint desk verifies a report and disposes it
//! to PUPR Bina Marga, whose officer answers from a template with a resolution photo; a form sent
//! from a page that is out of date is refused with a notice; an officer of another unit is refused
//! and nothing is written; the admin publishes a new version of the rules and an older report keeps
//! the one it came under; an anonymous reporter is never described, and a guest's contact never shown.

use crate::applications::{file, jpeg, post_multipart, text};
use crate::officers::{PASSWORD, password};
use crate::support::{TestApp, TestResponse};
use axum::http::StatusCode;
use balai_domain::complaints::{Channel, ReportKind};
use balai_domain::identity::Role;
use balai_store::audit::Actor;
use balai_store::complaints::{self, NewReport, Reporter};
use balai_store::identity::officers::{self, NewOfficer};

crate::on_both_engines!(
    the_desk_verifies_and_disposes_and_bina_marga_answers_from_a_template_with_a_photo,
    a_form_from_an_out_of_date_page_is_refused_with_a_notice_and_changes_nothing,
    an_officer_of_another_unit_is_refused_and_nothing_is_written,
    the_admin_publishes_new_rules_and_an_older_report_keeps_its_version,
    an_anonymous_reporter_is_never_described_and_a_guests_contact_never_shown,
);

const GUEST_EMAIL: &str = "pelapor.jalan@contoh.id";
const GUEST_PHONE: &str = "081234567890";

/// A signed-in officer (role `officer`) of a unit of Kota Kupang by the unit's code: the session cookie.
pub(crate) async fn complaint_officer(app: &TestApp, username: &str, unit_code: &str) -> String {
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let (unit_id, agency_id): (i64, i64) = app
        .db
        .fetch_one(
            balai_store::query("SELECT id, agency_id FROM units WHERE government_id = $1 AND code = $2")
                .bind(government.id)
                .bind(unit_code),
        )
        .await
        .unwrap();
    let hash = balai_auth::hash_password(PASSWORD);
    let mut tx = app.db.begin().await.unwrap();
    let new = NewOfficer {
        government_id: Some(government.id),
        agency_id: Some(agency_id),
        unit_id: Some(unit_id),
        role: Role::Officer,
        username,
        display_name: username,
        password_hash: &hash,
    };
    officers::create_officer(&mut tx, &Actor::system("test"), &new).await.unwrap();
    tx.commit().await.unwrap();
    let signed_in = password(app, username, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    format!("balai_admin={}", signed_in.cookie("balai_admin").expect("an officer needs no second factor"))
}

/// A report of a pothole at Kota Kupang by a guest who left an e-mail address and a phone number.
pub(crate) async fn pothole(app: &TestApp, key: &str, anonymous: bool) -> (i64, String) {
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let new = NewReport {
        government_id: government.id,
        kind: ReportKind::Complaint,
        channel: Channel::Web,
        category_code: "JALAN-RUSAK",
        title: "Jalan berlubang di depan SD Inpres Oebobo",
        text: "Lubang sedalam 20 cm di tengah jalan, dua motor jatuh minggu ini.",
        lat: "-10.1772",
        lon: "123.6070",
        address: "Jl. Frans Seda, Kel. Fatululi",
        region_code: "",
        anonymous,
        confidential: false,
        reporter: Reporter::Guest { name: "Yohanes Benu", email: GUEST_EMAIL, phone: GUEST_PHONE },
        photos: &[],
        open311_client_id: None,
        idempotency_key: key,
    };
    let filed = complaints::file_report(&app.db, &app.vault, &new, app.clock.now()).await.unwrap();
    (filed.case_id, filed.tracking_number.as_str().to_owned())
}

async fn unit_id(app: &TestApp, code: &str) -> i64 {
    let (id,): (i64,) = app
        .db
        .fetch_one(balai_store::query("SELECT id FROM units WHERE code = $1 ORDER BY id LIMIT 1").bind(code))
        .await
        .unwrap();
    id
}

/// Posts one action form of a report's page as the page would (the token and version it carries).
async fn act(app: &TestApp, cookie: &str, case: i64, page: &TestResponse, fields: &[(&str, &str)]) -> TestResponse {
    let csrf = page.hidden("csrf");
    let version = page.hidden("version");
    let mut all = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    app.post_form(&format!("/admin/pengaduan/{case}/aksi"), cookie, &all).await
}

fn case_path(case: i64) -> String {
    format!("/admin/pengaduan/{case}")
}

async fn audit_size(app: &TestApp) -> u64 {
    balai_store::audit::size(&app.db).await.unwrap()
}

async fn photos(app: &TestApp) -> i64 {
    let (n,): (i64,) = app.db.fetch_one(balai_store::query("SELECT COUNT(*) FROM complaint_files")).await.unwrap();
    n
}

async fn the_desk_verifies_and_disposes_and_bina_marga_answers_from_a_template_with_a_photo(app: TestApp) {
    let desk = complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
    let roads = complaint_officer(&app, "bina-marga", "pupr-bina-marga").await;
    let (case, tracking) = pothole(&app, "cerita-1", false).await;

    let queue = app.get_with_cookie("/admin/pengaduan", &desk).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains(&tracking), "the desk's queue lists the new report: {}", queue.body);
    assert!(queue.body.contains("Menunggu verifikasi"));
    let home = app.get_with_cookie("/admin", &desk).await;
    assert!(home.body.contains("href=\"/admin/pengaduan\""), "the officer's home links the complaints");

    let page = app.get_with_cookie(&case_path(case), &desk).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Lubang sedalam 20 cm"), "the officer reads the text");
    assert!(page.body.contains("Lintang -10.177200, bujur 123.607000"), "and where it is");
    assert!(page.body.contains("Versi 1"), "and the rules version it came under");
    assert!(page.body.contains("id=\"act-verify\"") && !page.body.contains("id=\"act-answer\""));

    // A duplicate of a report that does not exist is refused by its field.
    let refused = act(&app, &desk, case, &page, &[("event", "mark_duplicate"), ("duplicate_of", "ABCD-EFGH-J")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("id=\"duplicate_of-error-mark_duplicate\""), "{}", refused.body);
    assert!(refused.body.contains("href=\"#duplicate_of-mark_duplicate\""), "the summary links the field");

    let verified = act(&app, &desk, case, &page, &[("event", "verify")]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    let page = app.get_with_cookie(verified.header("location"), &desk).await;
    assert!(page.body.contains("<strong>Terverifikasi</strong>"), "{}", page.body);

    // Disposing needs a unit; then it goes to Bina Marga with the ordinary class.
    let no_unit = act(&app, &desk, case, &page, &[("event", "dispose"), ("class", "ordinary")]).await;
    assert_eq!(no_unit.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_unit.body);
    assert!(no_unit.body.contains("id=\"to_unit-error-dispose\""), "{}", no_unit.body);
    let bina_marga = unit_id(&app, "pupr-bina-marga").await.to_string();
    let disposed =
        act(&app, &desk, case, &page, &[("event", "dispose"), ("to_unit", &bina_marga), ("class", "ordinary")]).await;
    assert_eq!(disposed.status, StatusCode::SEE_OTHER, "{}", disposed.body);
    let page = app.get_with_cookie(&case_path(case), &desk).await;
    assert!(page.body.contains("<strong>Ditindaklanjuti instansi</strong>"));
    assert!(page.body.contains("Tindak lanjut") && page.body.contains("PUPR"), "the route names the agency step");

    let queue = app.get_with_cookie("/admin/pengaduan", &roads).await;
    assert!(queue.body.contains(&tracking), "Bina Marga's queue lists it now: {}", queue.body);
    let page = app.get_with_cookie(&case_path(case), &roads).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""), "the answer form carries photos");
    let template = page
        .body
        .split("href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|href| href.contains("?templat="))
        .expect("the page lists the answer templates");
    let template = crate::support::html_unescape(template.split('#').next().unwrap_or_default());
    let chosen = app.get_with_cookie(&template, &roads).await;
    let government = page_government(&app).await;
    let roads_category = complaints::category_by_code(&app.db, government, "JALAN-RUSAK").await.unwrap().map(|c| c.id);
    let body = complaints::templates(&app.db, government, roads_category).await.unwrap();
    let shown = crate::support::html_unescape(&chosen.body);
    let with_body = body.iter().find(|t| shown.contains(&format!(">{}</textarea>", t.body)));
    let answer = with_body.expect("choosing a template fills the answer in").body.clone();

    let photo = jpeg(32, 24);
    let csrf = chosen.hidden("csrf");
    let version = chosen.hidden("version");
    let answered = post_multipart(
        &app,
        &format!("/admin/pengaduan/{case}/aksi"),
        &roads,
        &[
            text("csrf", &csrf),
            text("event", "answer"),
            text("version", &version),
            text("reason", &answer),
            file("photos", "hasil.jpg", "image/jpeg", &photo),
        ],
    )
    .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let page = app.get_with_cookie(&case_path(case), &roads).await;
    assert!(page.body.contains("Dijawab, menunggu tanggapan pelapor"), "{}", page.body);
    let photo_href = page
        .body
        .split("src=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .find(|src| src.starts_with(&format!("/admin/pengaduan/{case}/foto/")))
        .expect("the resolution photo is on the timeline");
    let served = app.get_with_cookie(&photo_href, &roads).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/jpeg");
    assert_eq!(served.header("x-content-type-options"), "nosniff");
    let public = complaints::public_report(&app.db, &tracking).await.unwrap().unwrap();
    let answer_event = public.events.iter().find(|e| e.event == "answer").expect("the answer is public");
    assert_eq!(answer_event.photo_ids.len(), 1, "with its photo");
    assert_eq!(answer_event.reason, answer);
}

async fn page_government(app: &TestApp) -> i64 {
    balai_store::org::government_by_region(&app.db, "53.71").await.unwrap().id
}

async fn a_form_from_an_out_of_date_page_is_refused_with_a_notice_and_changes_nothing(app: TestApp) {
    let desk = complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
    let (case, _) = pothole(&app, "cerita-2", false).await;
    let old_page = app.get_with_cookie(&case_path(case), &desk).await;
    let verified = act(&app, &desk, case, &old_page, &[("event", "verify")]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);

    let before = audit_size(&app).await;
    let stale = act(&app, &desk, case, &old_page, &[("event", "hold"), ("reason", "Mohon lengkapi lokasi.")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("id=\"stale\"") && stale.body.contains("sudah diubah petugas lain"), "{}", stale.body);
    assert!(stale.body.contains("<strong>Terverifikasi</strong>"), "the page shows the report as it is now");
    assert_eq!(audit_size(&app).await, before, "nothing was written");

    // The flow refuses what it does not allow, with its reason on the page.
    let fresh = app.get_with_cookie(&case_path(case), &desk).await;
    let wrong = act(&app, &desk, case, &fresh, &[("event", "resume")]).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"refusal\""), "{}", wrong.body);
    assert_eq!(audit_size(&app).await, before);
}

async fn an_officer_of_another_unit_is_refused_and_nothing_is_written(app: TestApp) {
    let desk = complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
    let other = complaint_officer(&app, "cipta-karya", "pupr-cipta-karya").await;
    let (case, tracking) = pothole(&app, "cerita-3", false).await;
    let page = app.get_with_cookie(&case_path(case), &desk).await;
    act(&app, &desk, case, &page, &[("event", "verify")]).await;
    let page = app.get_with_cookie(&case_path(case), &desk).await;
    let bina_marga = unit_id(&app, "pupr-bina-marga").await.to_string();
    let disposed = act(&app, &desk, case, &page, &[("event", "dispose"), ("to_unit", &bina_marga)]).await;
    assert_eq!(disposed.status, StatusCode::SEE_OTHER, "{}", disposed.body);

    assert_eq!(app.get_with_cookie(&case_path(case), &other).await.status, StatusCode::FORBIDDEN);
    assert!(!app.get_with_cookie("/admin/pengaduan", &other).await.body.contains(&tracking));
    let (before, files, version) = (audit_size(&app).await, photos(&app).await, current_version(&app, case).await);
    let csrf = app.get_with_cookie("/admin", &other).await.hidden("csrf");
    let photo = jpeg(16, 16);
    let refused = post_multipart(
        &app,
        &format!("/admin/pengaduan/{case}/aksi"),
        &other,
        &[
            text("csrf", &csrf),
            text("event", "answer"),
            text("version", &version.to_string()),
            text("reason", "Sudah kami perbaiki."),
            file("photos", "hasil.jpg", "image/jpeg", &photo),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(audit_size(&app).await, before, "no leaf");
    assert_eq!(photos(&app).await, files, "no photo kept");
    assert_eq!(current_version(&app, case).await, version, "the report did not move");
    let photo_of_desk = app.get_with_cookie(&format!("/admin/pengaduan/{case}/foto/1"), &other).await;
    assert_eq!(photo_of_desk.status, StatusCode::FORBIDDEN, "nor may they read its photos");
}

async fn current_version(app: &TestApp, case: i64) -> i64 {
    balai_store::cases::case(&app.db, case).await.unwrap().unwrap().version
}

async fn the_admin_publishes_new_rules_and_an_older_report_keeps_its_version(app: TestApp) {
    let admin = app.sign_in_admin().await;
    let desk = complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
    let (old, _) = pothole(&app, "cerita-4", false).await;

    let page = app.get_with_cookie("/admin/pengaduan/aturan?wilayah=53.71", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Berlaku sekarang: versi 1"), "{}", page.body);
    let mut fields = crate::support::form_fields(&page);
    crate::support::set(&mut fields, "verify_days", "0");
    crate::support::set(&mut fields, "note", "Revisi ketentuan 2025");
    let refused = app.post_form("/admin/pengaduan/aturan", &admin, &crate::support::as_refs(&fields)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("id=\"verify_days-error\""), "the refusal stands by its field: {}", refused.body);
    assert!(refused.body.contains("Revisi ketentuan 2025"), "what the admin wrote is kept");
    let government = page_government(&app).await;
    assert_eq!(complaints::rules::history(&app.db, government).await.unwrap().len(), 1, "nothing published");

    crate::support::set(&mut fields, "verify_days", "5");
    let published = app.post_form("/admin/pengaduan/aturan", &admin, &crate::support::as_refs(&fields)).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let after = app.get_with_cookie(published.header("location"), &admin).await;
    assert!(after.body.contains("Versi 2 diterbitkan"), "{}", after.body);
    assert!(after.body.contains("Berlaku sekarang: versi 2") && after.body.contains("Revisi ketentuan 2025"));
    let current = complaints::rules::current(&app.db, government).await.unwrap().unwrap();
    assert_eq!((current.version, current.deadlines.verify_days), (2, 5));

    let (new, _) = pothole(&app, "cerita-5", false).await;
    let old_page = app.get_with_cookie(&case_path(old), &desk).await;
    assert!(old_page.body.contains("Versi 1"), "the older report keeps its rules: {}", old_page.body);
    let new_page = app.get_with_cookie(&case_path(new), &desk).await;
    assert!(new_page.body.contains("Versi 2"), "a new one comes under the new rules");

    // An officer without the permission may neither read nor publish the rules.
    assert_eq!(app.get_with_cookie("/admin/pengaduan/aturan", &desk).await.status, StatusCode::FORBIDDEN);
    let desk_csrf = app.get_with_cookie("/admin", &desk).await.hidden("csrf");
    crate::support::set(&mut fields, "csrf", &desk_csrf);
    let before = audit_size(&app).await;
    let forbidden = app.post_form("/admin/pengaduan/aturan", &desk, &crate::support::as_refs(&fields)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{}", forbidden.body);
    assert_eq!(audit_size(&app).await, before);
}

async fn an_anonymous_reporter_is_never_described_and_a_guests_contact_never_shown(app: TestApp) {
    let desk = complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
    let (anonymous, tracking) = pothole(&app, "cerita-6", true).await;
    let (named, _) = pothole(&app, "cerita-7", false).await;

    let queue = app.get_with_cookie("/admin/pengaduan", &desk).await;
    let line = queue.body.split("<tr").find(|row| row.contains(&tracking)).expect("the report is in the queue");
    assert!(line.contains("Anonim"), "the queue marks it anonim: {line}");
    let page = app.get_with_cookie(&case_path(anonymous), &desk).await;
    assert!(page.body.contains("Pelapor anonim"), "{}", page.body);
    let named_page = app.get_with_cookie(&case_path(named), &desk).await;
    assert!(named_page.body.contains("Pelapor tanpa akun"));
    for body in [&page.body, &named_page.body] {
        for secret in ["Yohanes", GUEST_EMAIL, GUEST_PHONE] {
            assert!(!body.contains(secret), "the page shows {secret}");
        }
    }
}
