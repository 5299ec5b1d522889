//! Complaints through the pages: a guest or a citizen files a report with photos and a location,
//! is offered similar reports nearby, follows the report with its number and secret, responds to
//! the answer and rates it; the public reads redacted reports on a list, a map and a detail page.

use crate::applications::{file, jpeg, post_multipart, text};
use crate::support::{TestApp, TestResponse};
use axum::http::StatusCode;
use balai_domain::complaints::{ComplaintClass, ComplaintEvent};
use balai_domain::identity::Role;
use balai_store::audit::Actor;
use balai_store::complaints::{self, Instruction};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::query;

/// A point in Kota Kupang (inside the demo's area for complaints).
const KUPANG: (&str, &str) = ("-10.1772", "123.6070");
/// Maria's NIK, in a report's text: it must never show in public.
const NIK_IN_TEXT: &str = "5371045203900003";

/// The complaint form's token: the cookie header to send and the field.
async fn form_token(app: &TestApp, page: &str, cookie: &str) -> (String, String) {
    let form = app.get_with_cookie(page, cookie).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.cookie("balai_login_csrf").expect("the form sets its token");
    let mut cookies = format!("balai_login_csrf={token}");
    if !cookie.is_empty() {
        cookies = format!("{cookie}; {cookies}");
    }
    (cookies, form.hidden("csrf"))
}

/// The fields of a good public report at a point in Kupang, under `key`.
fn fields<'a>(csrf: &'a str, key: &'a str, title: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("idempotency_key", key),
        ("kind", "pengaduan"),
        ("category", "SAMPAH"),
        ("title", title),
        ("text", body),
        ("lat", KUPANG.0),
        ("long", KUPANG.1),
        ("address", "Jl. El Tari, depan pasar"),
    ]
}

/// Files a report through the form (extra fields and photos added); returns the response.
async fn post_report(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, &str)],
    photos: &[(&str, &str, &[u8])],
) -> TestResponse {
    let mut parts: Vec<_> = fields.iter().map(|(k, v)| text(k, v)).collect();
    for (name, content_type, bytes) in photos {
        parts.push(file("photos", name, content_type, bytes));
    }
    post_multipart(app, "/pengaduan/baru", cookie, &parts).await
}

/// The text of the element with `id` on a page.
fn by_id(page: &TestResponse, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = page.body.find(&marker).unwrap_or_else(|| panic!("no #{id} in {}", page.body)) + marker.len();
    page.body[start..].split('<').next().unwrap_or_default().trim().to_owned()
}

/// Files a public guest report (with a NIK, a phone number and an e-mail in its text) and returns
/// its tracking number and secret.
pub(crate) async fn public_report(app: &TestApp, key: &str) -> (String, String) {
    let (cookie, csrf) = form_token(app, "/pengaduan/baru", "").await;
    let body = format!("Sampah menumpuk. Hubungi saya di 0812-3456-7890 atau ani@contoh.id, NIK {NIK_IN_TEXT}.");
    let mut f = fields(&csrf, key, "Sampah menumpuk di pasar", &body);
    f.push(("action", "new"));
    let filed = post_report(app, &cookie, &f, &[]).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    (by_id(&filed, "tracking-number"), by_id(&filed, "tracking-secret"))
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) =
        app.db.fetch_one(balai_store::dynamic_query(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
    n
}

/// A JPEG as a phone takes it: with an EXIF block holding the GPS position where it was taken.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = jpeg(64, 48);
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    // IFD0: one entry, the GPS IFD pointer (0x8825) to offset 26.
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: latitude reference "S" and latitude 10° 10' 38" (rationals at offset 56).
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'S', 0, 0, 0]);
    tiff.extend_from_slice(&[0x02, 0x00, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(10u32, 1u32), (10, 1), (38, 1)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).unwrap();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Status, content type and bytes of a GET (a photo, not text).
async fn bytes_of(app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    use http_body_util::BodyExt;
    let response = app.raw(axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap()).await;
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, content_type, bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_guest_files_a_report_with_a_photo_whose_gps_is_removed_and_reads_it_back_with_the_secret() {
    let app = TestApp::demo().await;
    let form = app.get("/pengaduan/baru").await;
    assert_eq!(form.status, StatusCode::OK);
    for field in ["kind", "category", "title", "text", "lat", "long", "address", "photos", "anonymous", "confidential"]
    {
        assert!(form.body.contains(&format!("name=\"{field}\"")), "the form asks for {field}");
    }
    assert!(form.body.contains("Sampah"), "the government's categories are offered");
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", "").await;
    let photo = jpeg_with_gps();
    assert!(contains(&photo, b"Exif") && contains(&photo, &[b'S', 0, 0, 0]), "the photo carries its GPS");
    let mut f = fields(&csrf, "tamu-1", "Sampah menumpuk", "Sampah tidak diangkut sejak Senin.");
    f.extend([("anonymous", "1"), ("name", "Ani"), ("email", "ani@contoh.id")]);
    let filed = post_report(&app, &cookie, &f, &[("IMG_0815.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    assert_eq!(filed.header("cache-control"), "no-store", "the secret is never cached");
    let (tracking, secret) = (by_id(&filed, "tracking-number"), by_id(&filed, "tracking-secret"));
    assert!(secret.len() >= 20, "a secret is shown once: {secret}");

    // The public page serves the photo as stored: re-encoded, without EXIF and GPS.
    let public = app.get(&format!("/pengaduan/{tracking}")).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(!public.body.contains("Ani") && !public.body.contains("ani@contoh.id"), "an anonim reporter is not named");
    let src =
        public.body.split("src=\"/pengaduan/foto/").nth(1).expect("the photo is shown").split('"').next().unwrap();
    let stored = bytes_of(&app, &format!("/pengaduan/foto/{src}")).await;
    assert_eq!(stored.0, StatusCode::OK);
    assert_eq!(stored.1, "image/jpeg");
    assert!(stored.2.starts_with(&[0xFF, 0xD8, 0xFF]), "still a JPEG");
    assert!(!contains(&stored.2, b"Exif"), "the EXIF block is gone from the stored bytes");
    assert!(!contains(&stored.2, &[0x25, 0x88]) || !contains(&stored.2, &[b'S', 0, 0, 0]), "no GPS left");
    assert_ne!(stored.2, photo);

    // Followed with the number and the secret, by POST: the address never holds the secret.
    let (cookie, csrf) = form_token(&app, "/pengaduan/lacak", "").await;
    let opened = app
        .post_form("/pengaduan/lacak", &cookie, &[("csrf", &csrf), ("nomor", &tracking), ("rahasia", &secret)])
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert!(!opened.header("location").contains(&secret));
    let reporter = opened.cookie("balai_complaint_reporter").expect("the opened report is kept in a sealed cookie");
    assert!(!reporter.contains(&secret), "the cookie does not carry the secret in the clear");
    let view = app.get_with_cookie("/pengaduan/lacak", &format!("balai_complaint_reporter={reporter}")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("Sampah tidak diangkut sejak Senin."), "the reporter reads their report");
    assert!(view.body.contains(&tracking));
}

#[tokio::test]
async fn a_signed_in_citizen_files_as_themselves_and_finds_the_report_on_their_page() {
    let app = TestApp::demo().await;
    let citizen = crate::identity::signed_in_citizen(&app).await;
    let form = app.get_with_cookie("/pengaduan/baru", &citizen).await;
    assert!(!form.body.contains("name=\"email\""), "a citizen is not asked for contact details");
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", &citizen).await;
    let mut f = fields(&csrf, "warga-1", "Lampu jalan padam", "Lampu padam di gang tiga.");
    f[3] = ("category", "LAMPU-JALAN");
    let filed = post_report(&app, &cookie, &f, &[]).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    let tracking = by_id(&filed, "tracking-number");
    let mine = app.get_with_cookie("/pengaduan/saya", &citizen).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(&tracking) && mine.body.contains("Lampu jalan padam"), "{}", mine.body);
    assert_eq!(app.get("/pengaduan/saya").await.status, StatusCode::SEE_OTHER, "only for a signed-in citizen");
}

#[tokio::test]
async fn bad_input_is_named_by_field_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", "").await;
    let before = (count(&app, "complaints").await, count(&app, "complaint_files").await, count(&app, "cases").await);
    let long = "a".repeat(4001);
    let mut f = fields(&csrf, "salah-1", "Jalan rusak", &long);
    f[6] = ("lat", "1.3521");
    f[7] = ("long", "103.8198");
    let photo = jpeg(16, 16);
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let six: Vec<(&str, &str, &[u8])> = (0..6).map(|_| ("foto.jpg", "image/jpeg", photo.as_slice())).collect();
    let refused = post_report(&app, &cookie, &f, &six).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    for field in ["text", "location", "photos"] {
        assert!(refused.body.contains(&format!("href=\"#{field}\"")), "the summary names {field}: {}", refused.body);
    }
    assert!(refused.body.contains(&long), "what was typed is kept");
    assert!(refused.body.contains("Paling banyak 5 foto"), "{}", refused.body);
    let mut f = fields(&csrf, "salah-2", "Jalan rusak", "Lubang besar");
    f[6] = ("lat", "-95");
    let not_photo = post_report(&app, &cookie, &f, &[("surat.pdf", "image/jpeg", &pdf)]).await;
    assert_eq!(not_photo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_photo.body.contains("bukan foto JPEG atau PNG"), "{}", not_photo.body);
    assert!(not_photo.body.contains("href=\"#lat\""), "a latitude out of range is named");
    let after = (count(&app, "complaints").await, count(&app, "complaint_files").await, count(&app, "cases").await);
    assert_eq!(after, before, "nothing was stored");
}

#[tokio::test]
async fn similar_reports_nearby_are_offered_and_me_too_counts_once() {
    let app = TestApp::demo().await;
    let (tracking, _) = public_report(&app, "pertama").await;
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", "").await;
    let f = fields(&csrf, "kedua", "Sampah di pasar lagi", "Masih menumpuk.");
    let offered = post_report(&app, &cookie, &f, &[("foto.jpg", "image/jpeg", &jpeg(16, 16))]).await;
    assert_eq!(offered.status, StatusCode::OK);
    assert!(offered.body.contains(&format!("/pengaduan/{tracking}/dukung")), "{}", offered.body);
    assert!(offered.body.contains("Kirim laporan baru") && offered.body.contains("Masih menumpuk."));
    assert!(offered.body.contains("id=\"photos-again\""), "the reporter is told to choose the photos again");
    let cases = count(&app, "complaints").await;
    assert_eq!(cases, 1, "nothing filed before the reporter chooses");

    let support = |cookie: String, csrf: String| {
        let app = &app;
        let path = format!("/pengaduan/{tracking}/dukung");
        async move { app.post_form(&path, &cookie, &[("csrf", &csrf)]).await }
    };
    let first = support(cookie.clone(), csrf.clone()).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let browser = first.cookie("balai_supporter").expect("the browser gets its supporter key");
    let again = support(format!("{cookie}; balai_supporter={browser}"), csrf.clone()).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.cookie("balai_supporter").is_none());
    let page = app.get(&format!("/pengaduan/{tracking}")).await;
    assert!(page.body.contains("1 orang juga mengalami"), "one browser counts once: {}", page.body);

    // Sending anyway files a new report.
    let mut f = fields(&csrf, "kedua", "Sampah di pasar lagi", "Masih menumpuk.");
    f.push(("action", "new"));
    let filed = post_report(&app, &cookie, &f, &[]).await;
    assert_eq!(filed.status, StatusCode::OK);
    assert_eq!(count(&app, "complaints").await, 2);
}

#[tokio::test]
async fn a_wrong_secret_gets_the_answer_of_an_unknown_number_and_guessing_is_throttled() {
    let app = TestApp::demo().await;
    let (tracking, _) = public_report(&app, "tebak").await;
    let (cookie, csrf) = form_token(&app, "/pengaduan/lacak", "").await;
    let wrong = app
        .post_form("/pengaduan/lacak", &cookie, &[("csrf", &csrf), ("nomor", &tracking), ("rahasia", "AAAA-BBBB")])
        .await;
    let unknown = app
        .post_form("/pengaduan/lacak", &cookie, &[("csrf", &csrf), ("nomor", "K7QX-4M9P-2"), ("rahasia", "AAAA-BBBB")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(by_id(&wrong, "track-error"), by_id(&unknown, "track-error"), "the same answer");
    assert!(wrong.cookie("balai_complaint_reporter").is_none());
    let mut last = wrong;
    for _ in 0..10 {
        last = app
            .post_form("/pengaduan/lacak", &cookie, &[("csrf", &csrf), ("nomor", &tracking), ("rahasia", "CCCC")])
            .await;
    }
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.body);
    assert!(!last.header("retry-after").is_empty());
}

/// Officers of the demo's complaint desk and of the category's agency, answering a report.
async fn answer(app: &TestApp, tracking: &str) {
    let case = balai_store::complaints::public_report(&app.db, tracking).await.unwrap().unwrap().line.case_id;
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let rules = complaints::rules::current(&app.db, government.id).await.unwrap().unwrap();
    let (desk_agency,): (i64,) =
        app.db.fetch_one(query("SELECT agency_id FROM units WHERE id = $1").bind(rules.desk_unit_id)).await.unwrap();
    let category = complaints::category_by_code(&app.db, government.id, "SAMPAH").await.unwrap().unwrap();
    let agency = category.agency_id.expect("the category names its agency");
    let (unit,): (i64,) = app
        .db
        .fetch_one(query("SELECT id FROM units WHERE agency_id = $1 ORDER BY id LIMIT 1").bind(agency))
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for (name, agency_id, unit_id) in [("meja-aduan", desk_agency, rules.desk_unit_id), ("bidang-sampah", agency, unit)]
    {
        let new = NewOfficer {
            government_id: Some(government.id),
            agency_id: Some(agency_id),
            unit_id: Some(unit_id),
            role: Role::Officer,
            username: name,
            display_name: name,
            password_hash: "!",
        };
        ids.push(officers::create_officer(&mut tx, &Actor::system("test"), &new).await.unwrap());
    }
    tx.commit().await.unwrap();
    let now = app.clock.now();
    let act = |officer: i64, event: ComplaintEvent, i: Instruction<'static>| {
        let app = &app;
        async move { complaints::act_as_officer(&app.db, &app.vault, officer, case, event, &i, now).await.unwrap() }
    };
    act(ids[0], ComplaintEvent::Verify, Instruction::default()).await;
    let dispose =
        Instruction { to_unit_id: Some(unit), class: Some(ComplaintClass::Ordinary), ..Instruction::default() };
    act(ids[0], ComplaintEvent::Dispose, dispose).await;
    let reply = Instruction { reason: "Sampah sudah diangkut. Info: 0812-9999-8888.", ..Instruction::default() };
    act(ids[1], ComplaintEvent::Answer, reply).await;
}

async fn open_report(app: &TestApp, tracking: &str, secret: &str) -> (String, String) {
    let (cookie, csrf) = form_token(app, "/pengaduan/lacak", "").await;
    let opened =
        app.post_form("/pengaduan/lacak", &cookie, &[("csrf", &csrf), ("nomor", tracking), ("rahasia", secret)]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let reporter = opened.cookie("balai_complaint_reporter").unwrap();
    (format!("{cookie}; balai_complaint_reporter={reporter}"), csrf)
}

#[tokio::test]
async fn the_reporter_reopens_with_a_reason_then_accepts_and_rates_the_answer() {
    let app = TestApp::demo().await;
    let (tracking, secret) = public_report(&app, "jawab").await;
    answer(&app, &tracking).await;
    let (cookie, csrf) = open_report(&app, &tracking, &secret).await;
    let view = app.get_with_cookie("/pengaduan/lacak", &cookie).await;
    assert!(view.body.contains("name=\"event\" value=\"reopen\"") && view.body.contains("name=\"stars\""));
    let no_reason = app.post_form("/pengaduan/lacak/tanggapan", &cookie, &[("csrf", &csrf), ("event", "reopen")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Tuliskan alasan"), "{}", no_reason.body);
    let reopened = app
        .post_form(
            "/pengaduan/lacak/tanggapan",
            &cookie,
            &[("csrf", &csrf), ("event", "reopen"), ("reason", "Masih ada sampah di sisi timur")],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    let public = app.get(&format!("/pengaduan/{tracking}")).await;
    assert!(public.body.contains("Dibuka kembali") && public.body.contains("Masih ada sampah di sisi timur"));
    assert!(public.body.contains("Pelapor") && public.body.contains("Petugas"), "roles, not names");

    // Answered again; accepted; rated.
    let case = complaints::public_report(&app.db, &tracking).await.unwrap().unwrap().line.case_id;
    let (officer,): (i64,) =
        app.db.fetch_one(query("SELECT id FROM officers WHERE username = 'bidang-sampah'")).await.unwrap();
    let reply = Instruction { reason: "Sisi timur sudah dibersihkan.", ..Instruction::default() };
    complaints::act_as_officer(&app.db, &app.vault, officer, case, ComplaintEvent::Answer, &reply, app.clock.now())
        .await
        .unwrap();
    let accepted = app.post_form("/pengaduan/lacak/tanggapan", &cookie, &[("csrf", &csrf), ("event", "accept")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let bad = app.post_form("/pengaduan/lacak/nilai", &cookie, &[("csrf", &csrf), ("stars", "9")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rated = app
        .post_form(
            "/pengaduan/lacak/nilai",
            &cookie,
            &[("csrf", &csrf), ("stars", "4"), ("comment", "Cepat. Telp 0812-1111-2222")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let public = app.get(&format!("/pengaduan/{tracking}")).await;
    assert!(public.body.contains("Selesai"), "{}", public.body);
    assert!(public.body.contains("4 dari 5"));
    assert!(!public.body.contains("0812-1111-2222") && !public.body.contains("0812-9999-8888"), "phones redacted");
}

#[tokio::test]
async fn the_public_list_pages_by_case_id_and_filters_by_category_and_state() {
    let app = TestApp::demo().await;
    let mut numbers = Vec::new();
    for i in 0..22 {
        numbers.push(public_report(&app, &format!("daftar-{i}")).await.0);
    }
    let first = app.get("/pengaduan").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(&numbers[21]) && !first.body.contains(&numbers[1]), "newest first, 20 a page");
    let next = first.body.split("href=\"/pengaduan?sebelum=").nth(1).expect("a link to older reports");
    let next = format!("/pengaduan?sebelum={}", next.split('"').next().unwrap().replace("&amp;", "&"));
    let second = app.get(&next).await;
    assert!(second.body.contains(&numbers[0]) && second.body.contains(&numbers[1]));
    assert!(!second.body.contains(&numbers[21]));
    assert!(!second.body.contains("rel=\"next\""), "no older page after the last");
    assert!(first.body.contains("<svg") && first.body.contains("<circle"), "the reports are on the map");
    assert!(
        first.body.contains(&format!("<a href=\"/pengaduan/{}\" aria-label=", numbers[21])),
        "points are named links"
    );
    let other = app.get("/pengaduan?kategori=JALAN-RUSAK").await;
    assert!(!other.body.contains(&numbers[0]), "another category lists none of them");
    let closed = app.get("/pengaduan?status=selesai").await;
    assert!(!closed.body.contains(&numbers[0]), "none is closed");
    let open = app.get("/pengaduan?status=terbuka&kategori=SAMPAH").await;
    assert!(open.body.contains(&numbers[21]));
    assert_eq!(app.get("/pengaduan?sebelum=abc").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_rahasia_report_is_never_public_and_personal_numbers_are_redacted_everywhere() {
    let app = TestApp::demo().await;
    let (public, _) = public_report(&app, "terbuka").await;
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", "").await;
    let mut f = fields(&csrf, "rahasia-1", "Pungli di loket", "Petugas meminta uang.");
    f.extend([("confidential", "1"), ("action", "new")]);
    let filed = post_report(&app, &cookie, &f, &[("foto.jpg", "image/jpeg", &jpeg(16, 16))]).await;
    let secret_one = by_id(&filed, "tracking-number");
    assert!(!filed.body.contains(&format!("href=\"/pengaduan/{secret_one}\"")), "no public link for a rahasia report");
    let hidden = app.get(&format!("/pengaduan/{secret_one}")).await;
    let unknown = app.get("/pengaduan/K7QX-4M9P-2").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (hidden.status, hidden.body.clone()),
        (unknown.status, unknown.body.replace("K7QX-4M9P-2", &secret_one))
    );
    let (photo,): (i64,) = app.db.fetch_one(query("SELECT MAX(id) FROM complaint_files")).await.unwrap();
    assert_eq!(app.get(&format!("/pengaduan/foto/{photo}")).await.status, StatusCode::NOT_FOUND);
    let list = app.get("/pengaduan").await;
    assert!(!list.body.contains(&secret_one) && !list.body.contains("Pungli"));
    for page in [list, app.get(&format!("/pengaduan/{public}")).await] {
        assert!(!page.body.contains(NIK_IN_TEXT) && !page.body.contains("ani@contoh.id"), "{}", page.body);
        assert!(!page.body.contains("3456-7890"));
    }
}

#[tokio::test]
async fn every_new_page_is_in_both_languages() {
    let app = TestApp::demo().await;
    for path in ["/pengaduan", "/pengaduan/baru", "/pengaduan/lacak"] {
        let id = app.get(path).await;
        let en = app.get(&format!("{path}?lang=en")).await;
        assert_eq!((id.status, en.status), (StatusCode::OK, StatusCode::OK), "{path}");
        assert!(id.body.contains("lang=\"id\"") && en.body.contains("lang=\"en\""), "{path}");
        assert_ne!(id.body, en.body);
    }
}

#[tokio::test]
async fn the_atom_feed_of_new_reports_is_well_formed_and_filters_by_category() {
    let app = TestApp::demo().await;
    let (cookie, csrf) = form_token(&app, "/pengaduan/baru", "").await;
    let mut f = fields(&csrf, "feed-1", "Sampah <dibakar> & \"asap\" di 'pasar'", "Asap masuk rumah warga.");
    f.push(("action", "new"));
    let filed = post_report(&app, &cookie, &f, &[]).await;
    let tracking = by_id(&filed, "tracking-number");
    let feed = app.get("/pengaduan/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.header("content-type").starts_with("application/atom+xml"));
    let mut reader = quick_xml::Reader::from_str(&feed.body);
    let mut entries = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML ({e}): {}", feed.body)) {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"entry" => entries += 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(entries, 1);
    assert!(feed.body.contains("Sampah &#60;dibakar&#62; &#38; "), "the title is escaped: {}", feed.body);
    assert!(!feed.body.contains("<dibakar>"));
    assert!(feed.body.contains(&format!("/pengaduan/{tracking}")));
    let other = app.get("/pengaduan/feed.atom?kategori=JALAN-RUSAK").await;
    assert!(!other.body.contains("<entry>"), "another category has no entries");
}

#[tokio::test]
async fn following_a_report_sends_only_a_confirmation_until_the_link_is_confirmed() {
    let app = TestApp::demo().await;
    let (tracking, _) = public_report(&app, "ikuti").await;
    let page = app.get(&format!("/pengaduan/{tracking}")).await;
    assert!(page.body.contains(&format!("action=\"/pengaduan/{tracking}/ikuti\"")), "a follow form");
    let (cookie, csrf) = form_token(&app, &format!("/pengaduan/{tracking}"), "").await;
    let outbox = app.outbox_len().await;
    let path = format!("/pengaduan/{tracking}/ikuti");
    let bad = app.post_form(&path, &cookie, &[("csrf", &csrf), ("email", "bukan-alamat")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("email"), "{}", bad.body);
    let asked = app.post_form(&path, &cookie, &[("csrf", &csrf), ("email", "Pengikut@Contoh.id")]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(app.outbox_len().await, outbox + 1, "one confirmation message");
    let mail = app.last_message().await;
    assert_eq!(mail.recipient, "Pengikut@Contoh.id");
    assert_eq!(mail.template, "follow-confirm");
    let token =
        mail.body.split("token=").nth(1).expect("a confirmation link").split_whitespace().next().unwrap().to_owned();
    let (followers,): (i64,) =
        app.db.fetch_one(query("SELECT COUNT(*) FROM complaint_followers WHERE confirmed_at IS NULL")).await.unwrap();
    assert_eq!(followers, 1);
    let (sealed,): (String,) = app.db.fetch_one(query("SELECT email_enc FROM complaint_followers")).await.unwrap();
    assert!(!sealed.to_lowercase().contains("pengikut"), "the address is sealed");

    let link = app.get(&format!("/pengaduan/konfirmasi?token={token}")).await;
    assert_eq!(link.status, StatusCode::OK);
    let (followers,): (i64,) =
        app.db.fetch_one(query("SELECT COUNT(*) FROM complaint_followers WHERE confirmed_at IS NULL")).await.unwrap();
    assert_eq!(followers, 1, "opening the link alone confirms nothing");
    let (cookie, csrf) = form_token(&app, &format!("/pengaduan/konfirmasi?token={token}"), "").await;
    let confirmed = app.post_form("/pengaduan/konfirmasi", &cookie, &[("csrf", &csrf), ("token", &token)]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let (followers,): (i64,) = app
        .db
        .fetch_one(query("SELECT COUNT(*) FROM complaint_followers WHERE confirmed_at IS NOT NULL"))
        .await
        .unwrap();
    assert_eq!(followers, 1);
    let wrong = app.post_form("/pengaduan/konfirmasi", &cookie, &[("csrf", &csrf), ("token", "tebakan")]).await;
    assert_eq!(wrong.status, StatusCode::GONE);
    let stopped = app.post_form("/pengaduan/berhenti", &cookie, &[("csrf", &csrf), ("token", &token)]).await;
    assert_eq!(stopped.status, StatusCode::OK);
    assert_eq!(count(&app, "complaint_followers").await, 0);
}
