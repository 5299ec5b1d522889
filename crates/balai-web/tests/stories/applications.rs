//! Online applications over HTTP: a citizen applies through the API with a photo, officers of two
//! units work the case through their pages, the citizen corrects what was asked and receives a
//! sealed PDF whose QR code opens the verification page; anyone can follow the case by its number
//! without learning who applied. Bad input is refused, named, and leaves nothing behind.

use crate::identity::{ask_code, verify};
use crate::officers::{PASSWORD, password};
use crate::support::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use balai_domain::identity::Role;
use balai_store::audit::Actor;
use balai_store::identity::officers::{self, NewOfficer};
use serde_json::{Value, json};

crate::on_both_engines!(
    a_citizen_applies_with_a_photo_officers_work_the_case_and_the_issued_document_proves_itself,
    bad_applications_and_files_are_refused_by_name_and_leave_nothing_behind,
    an_officers_home_is_the_queue_with_the_nearest_deadline_first,
    a_citizen_keeps_a_draft_and_finds_it_again,
);

const MARIA: &str = "5371045203900003";
const MARIA_NAME: &str = "Maria Yosefina Lado";
/// What Maria writes in the form: personal data the public tracking must never show.
const CHILD_NAME: &str = "Yohana Kristina Lado";
const SERVICE: &str = "AKTA-LAHIR";

// ---- the world: a form on the service, officers in units, Maria at the substantial level ----------

/// Gives the demo's birth certificate a form: the child's name and birth date, and the applicant's
/// name filled in from the record.
async fn with_form(app: &TestApp) {
    use balai_domain::applications::{FieldKind, FormField, Prefill};
    let service = balai_store::catalogue::service_by_code(&app.db, "53.71", SERVICE).await.unwrap();
    let field = |key: &str, label: &str, kind: FieldKind, prefill: Option<Prefill>| FormField {
        key: key.into(),
        label: label.into(),
        label_en: label.into(),
        kind,
        required: true,
        prefill,
    };
    let fields = [
        field("child_name", "Nama anak", FieldKind::Text { max_chars: 100 }, None),
        field("child_birth_date", "Tanggal lahir anak", FieldKind::Date, None),
        field("applicant", "Nama pelapor", FieldKind::Text { max_chars: 100 }, Some(Prefill::FullName)),
    ];
    let mut tx = app.db.begin().await.unwrap();
    balai_store::catalogue::set_form_fields(&mut tx, &Actor::system("test"), service.service.id, &fields)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The id of a unit of Disdukcapil Kota Kupang by its code.
async fn unit(app: &TestApp, code: &str) -> i64 {
    let agencies = balai_store::org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100)).await.unwrap();
    let agency = agencies.items.into_iter().find(|a| a.code == "disdukcapil").unwrap();
    let units = balai_store::org::units(&app.db, agency.id).await.unwrap();
    units.into_iter().find(|u| u.code == code).unwrap_or_else(|| panic!("unit {code}")).id
}

/// A signed-in officer (role `officer`) of a unit of Disdukcapil Kota Kupang: their session cookie.
pub(crate) async fn unit_officer(app: &TestApp, username: &str, unit_code: &str) -> String {
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let unit_id = unit(app, unit_code).await;
    let agency_id: (i64,) =
        app.db.fetch_one(balai_store::query("SELECT agency_id FROM units WHERE id = $1").bind(unit_id)).await.unwrap();
    let hash = balai_auth::hash_password(PASSWORD);
    let mut tx = app.db.begin().await.unwrap();
    let new = NewOfficer {
        government_id: Some(government.id),
        agency_id: Some(agency_id.0),
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

/// Maria at the substantial level: a front-desk officer saw her KTP-el and bound her e-mail, and she
/// signs in with a code sent there.
async fn maria_at_the_substantial_level(app: &TestApp, desk: &str) -> String {
    let csrf = app.get_with_cookie("/admin/loket", desk).await.hidden("csrf");
    let bound = app
        .post_form(
            "/admin/loket",
            desk,
            &[
                ("csrf", &csrf),
                ("nik", MARIA),
                ("channel", "email"),
                ("to", "maria.lado@contoh.id"),
                ("ktp_checked", "yes"),
            ],
        )
        .await;
    assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
    let (_, pending) = ask_code(app, json!({"nik": MARIA, "channel": "email"})).await;
    let code = app.last_code().await;
    let signed_in = verify(app, &pending, MARIA, &code).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let session = format!("balai_citizen={}", signed_in.cookie("balai_citizen").unwrap());
    let account = app.get_with_cookie("/akun", &session).await;
    assert!(account.body.contains("id=\"assurance\">substansial<"), "{}", account.body);
    session
}

// ---- requests: multipart bodies built by hand, as a browser or an app sends them ---------------

pub(crate) struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    content_type: Option<&'a str>,
    bytes: &'a [u8],
}

pub(crate) fn text<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part { name, file_name: None, content_type: None, bytes: value.as_bytes() }
}

pub(crate) fn file<'a>(name: &'a str, file_name: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part { name, file_name: Some(file_name), content_type: Some(content_type), bytes }
}

const BOUNDARY: &str = "----balai-story-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body and its content type.
pub(crate) fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

pub(crate) async fn post_multipart(app: &TestApp, path: &str, cookie: &str, parts: &[Part<'_>]) -> TestResponse {
    let (content_type, body) = multipart(parts);
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = "192.0.2.10:40000".parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.request(request).await
}

async fn upload(app: &TestApp, cookie: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> TestResponse {
    post_multipart(app, "/api/v1/uploads?government=53.71", cookie, &[file("file", file_name, content_type, bytes)])
        .await
}

async fn submit(app: &TestApp, cookie: &str, key: Option<&str>, body: &Value) -> TestResponse {
    let mut request = Request::post("/api/v1/applications").header(header::CONTENT_TYPE, "application/json");
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let mut request = request.body(Body::from(body.to_string())).unwrap();
    let addr: std::net::SocketAddr = "192.0.2.10:40000".parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.request(request).await
}

/// A real photo, as a phone's camera would send it.
pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A PNG whose header declares `width × height` (with a correct CRC) over a few bytes of pixels: a
/// decoder that believed it would allocate gigabytes.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut small = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(image::GrayImage::new(4, 4)).write_to(&mut small, image::ImageFormat::Png).unwrap();
    let mut png = small.into_inner();
    // Signature (8), IHDR length (4) and type (4), then width and height; the CRC follows the 13 data bytes.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) =
        app.db.fetch_one(balai_store::dynamic_query(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
    n
}

/// The form's answers and documents as the API takes them: held copies by reference, the rest
/// uploaded as photos (one upload each).
async fn application_body(app: &TestApp, citizen: &str) -> Value {
    let form = app.get_with_cookie(&format!("/api/v1/services/{SERVICE}/form?government=53.71"), citizen).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let form = form.json();
    let properties = form["schema"]["properties"].as_object().expect("the schema names the fields");
    assert!(properties.contains_key("child_name") && properties.contains_key("applicant"), "{form}");
    let mut documents = Vec::new();
    for document in form["documents"].as_array().unwrap().iter().filter(|d| d["required"] == true) {
        let code = document["code"].as_str().unwrap();
        if let Some(held) = document["on_file"].as_i64() {
            documents.push(json!({"code": code, "on_file": held}));
        } else {
            let sent = upload(app, citizen, &format!("{code}.jpg"), "image/jpeg", &jpeg(64, 48)).await;
            assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
            assert_eq!(sent.json()["content_type"], "image/jpeg");
            documents.push(json!({"code": code, "upload": sent.json()["id"]}));
        }
    }
    assert!(documents.iter().any(|d| d.get("on_file").is_some()), "the held family card is offered: {form}");
    assert!(documents.iter().any(|d| d.get("upload").is_some()), "some documents are photos: {form}");
    json!({
        "government": "53.71",
        "service": SERVICE,
        "fields": {"child_name": CHILD_NAME, "child_birth_date": "2026-11-28", "applicant": MARIA_NAME},
        "documents": documents,
    })
}

/// The case id of the newest application on Maria's "Permohonan saya".
async fn newest_case(app: &TestApp, citizen: &str) -> i64 {
    let mine = app.get_with_cookie("/akun/permohonan", citizen).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    mine.body
        .split("/akun/permohonan/")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .expect("an application on the list")
}

/// Where a case sits now: its unit.
async fn unit_of_case(app: &TestApp, case_id: i64) -> i64 {
    let (unit,): (Option<i64>,) =
        app.db.fetch_one(balai_store::query("SELECT unit_id FROM cases WHERE id = $1").bind(case_id)).await.unwrap();
    unit.expect("an application sits at a unit")
}

/// An officer acts on a case from its page, as the page's form for `event` posts it.
async fn act(app: &TestApp, officer: &str, case_id: i64, event: &str, extra: &[(&str, &str)]) -> TestResponse {
    let page = app.get_with_cookie(&format!("/admin/permohonan/{case_id}"), officer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("id=\"act-{event}\"")), "the page offers {event}: {}", page.body);
    let (csrf, version) = (page.hidden("csrf"), page.hidden("version"));
    let mut fields = vec![("csrf", csrf.as_str()), ("event", event), ("version", version.as_str())];
    fields.extend_from_slice(extra);
    app.post_form(&format!("/admin/permohonan/{case_id}/aksi"), officer, &fields).await
}

fn assert_no_personal_data(what: &str, body: &str) {
    // Maria's name, NIK (in full and masked), e-mail, home address, and what she wrote in the form.
    let secrets = [MARIA_NAME, "Maria", MARIA, "5371••••••••0003", "maria.lado", "Jl. Frans Seda No. 12"];
    for secret in secrets.into_iter().chain([CHILD_NAME, "2026-11-28"]) {
        assert!(!body.contains(secret), "{what} shows {secret:?}: {body}");
    }
}

/// The public view of a case, from the API and the page, with no personal data in either.
async fn track(app: &TestApp, tracking: &str) -> Value {
    let api = app.get(&format!("/api/v1/applications/{tracking}")).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_no_personal_data("the tracking API", &api.body);
    let page = app.get(&format!("/lacak/{tracking}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(tracking));
    assert_no_personal_data("the tracking page", &page.body);
    api.json()
}

/// The QR codes on the first page of a PDF, read back from poppler's rendering. `None` (after a
/// notice) where poppler is not installed, except in CI, where it must be.
pub(crate) fn qr_codes_on(pdf: &[u8]) -> Option<Vec<String>> {
    let present = std::process::Command::new("pdftoppm").arg("-v").output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(std::env::var_os("CI").is_none(), "pdftoppm (Debian package poppler-utils) is required in CI");
        eprintln!("SKIPPED: pdftoppm is not installed (Debian package poppler-utils): the QR code is not read");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let prefix = dir.path().join("page");
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    let page = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(page.width() as usize, page.height() as usize, |x, y| {
            page.get_pixel(x as u32, y as u32)[0]
        });
    Some(prepared.detect_grids().iter().map(|grid| grid.decode().expect("a readable QR code").1).collect())
}

// ---- the stories --------------------------------------------------------------------------------

async fn a_citizen_applies_with_a_photo_officers_work_the_case_and_the_issued_document_proves_itself(app: TestApp) {
    with_form(&app).await;
    let capil = unit_officer(&app, "capil", "disdukcapil-capil").await;
    let pias = unit_officer(&app, "pias", "disdukcapil-pias").await;
    let by_unit = [(unit(&app, "disdukcapil-capil").await, &capil), (unit(&app, "disdukcapil-pias").await, &pias)];
    let officer_at = |unit: i64| {
        by_unit.iter().find(|(u, _)| *u == unit).map(|(_, c)| c.as_str()).expect("an officer of the case's unit")
    };
    let maria = maria_at_the_substantial_level(&app, &capil).await;

    // She applies once through the API; the same request again (a retry after a dropped answer)
    // returns the same case.
    let body = application_body(&app, &maria).await;
    let cases_before = count(&app, "applications").await;
    let first = submit(&app, &maria, Some("maria-akta-1"), &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let answer = first.json();
    let tracking = answer["tracking_number"].as_str().unwrap().to_owned();
    assert!(balai_domain::applications::TrackingNumber::parse(&tracking).is_ok(), "{tracking}");
    assert_eq!(answer["status"], "in_progress");
    assert!(answer["submitted_at"].is_string() && answer["due_at"].is_string(), "{answer}");
    assert!(answer["steps"].as_array().is_some_and(|s| s.len() > 1), "{answer}");
    assert_no_personal_data("the submission's answer", &first.body);
    let again = submit(&app, &maria, Some("maria-akta-1"), &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["tracking_number"], tracking.as_str());
    assert_eq!(count(&app, "applications").await, cases_before + 1, "one case for the two requests");

    let case_id = newest_case(&app, &maria).await;
    assert_eq!(track(&app, &tracking).await["status"], "in_progress");

    // The first unit verifies; the case moves on, and is then sent (disposisi) to the other unit.
    let capil_unit = unit(&app, "disdukcapil-capil").await;
    let pias_unit = unit(&app, "disdukcapil-pias").await;
    assert_eq!(unit_of_case(&app, case_id).await, capil_unit, "the first step is the civil registry's");
    let case_page = app.get_with_cookie(&format!("/admin/permohonan/{case_id}"), &capil).await;
    assert!(case_page.body.contains(CHILD_NAME), "the officer sees the answers");
    let verified = act(&app, &capil, case_id, "verify", &[]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    let forwarded = act(
        &app,
        officer_at(unit_of_case(&app, case_id).await),
        case_id,
        "forward",
        &[("to_unit", &pias_unit.to_string()), ("reason", "Data kelahiran dicocokkan di Bidang PIAS")],
    )
    .await;
    assert_eq!(forwarded.status, StatusCode::SEE_OTHER, "{}", forwarded.body);
    assert_eq!(unit_of_case(&app, case_id).await, pias_unit);

    // The other unit asks Maria for a correction, naming why; she sees it and sends a new photo.
    let reason = "Foto surat keterangan kelahiran buram, mohon unggah ulang";
    let asked = act(&app, &pias, case_id, "request_correction", &[("reason", reason)]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(track(&app, &tracking).await["status"], "awaiting_correction");
    let mine = app.get_with_cookie(&format!("/akun/permohonan/{case_id}"), &maria).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains(reason), "Maria reads why: {}", mine.body);
    let photo = jpeg(80, 60);
    let corrected = post_multipart(
        &app,
        &format!("/akun/permohonan/{case_id}/perbaikan"),
        &maria,
        &[text("csrf", &mine.hidden("csrf")), file("file_surat_keterangan", "ulang.jpg", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER, "{}", corrected.body);
    assert_eq!(track(&app, &tracking).await["status"], "in_progress");

    // Each unit in turn verifies its step; the last step's unit completes the case.
    let mut moves = 0;
    loop {
        let officer = officer_at(unit_of_case(&app, case_id).await);
        let page = app.get_with_cookie(&format!("/admin/permohonan/{case_id}"), officer).await;
        let event = if page.body.contains("id=\"act-complete\"") { "complete" } else { "verify" };
        let done = act(&app, officer, case_id, event, &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{event}: {}", done.body);
        if event == "complete" {
            break;
        }
        moves += 1;
        assert!(moves < 10, "the case reaches its last step");
    }
    let public = track(&app, &tracking).await;
    assert_eq!(public["status"], "completed");
    assert!(public["steps"].as_array().unwrap().iter().all(|s| s["done_at"].is_string()), "{public}");

    // Maria downloads her document; its QR code opens the verification page, which says genuine.
    let mine = app.get_with_cookie(&format!("/akun/permohonan/{case_id}"), &maria).await;
    let href = mine.body.split("href=\"/akun/dokumen/").nth(1).and_then(|r| r.split('"').next()).unwrap();
    let document_id = href.split('?').next().unwrap().to_owned();
    let download = app.get_with_cookie(&format!("/akun/dokumen/{document_id}"), &maria).await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.body);
    assert_eq!(download.header("content-type"), "application/pdf");
    let pdf = pdf_bytes(&app, &maria, &document_id).await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let verify_path = format!("/verifikasi/{document_id}");
    if let Some(codes) = qr_codes_on(&pdf) {
        assert_eq!(codes.len(), 1, "one QR code: {codes:?}");
        let url = url::Url::parse(&codes[0]).expect("the QR code holds an address");
        assert_eq!(url.path(), verify_path, "the QR code opens this document's verification page");
    }
    let page = app.get(&verify_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Asli: dokumen ini diterbitkan oleh"), "{}", page.body);
    assert!(!page.body.contains(MARIA_NAME) && !page.body.contains(MARIA), "no personal data on the page");

    // The file she holds checks as genuine; one byte changed, it does not.
    let checked = post_multipart(&app, &verify_path, "", &[file("file", "akta.pdf", "application/pdf", &pdf)]).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.body.contains("Berkas yang Anda periksa asli dan tidak berubah."), "{}", checked.body);
    assert!(!checked.body.contains("TIDAK ASLI"));
    let mut altered = pdf.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    let checked =
        post_multipart(&app, &verify_path, "", &[file("file", "akta.pdf", "application/pdf", &altered)]).await;
    assert!(checked.body.contains("TIDAK ASLI"), "{} {}", checked.status, checked.body);
    assert!(!checked.body.contains("asli dan tidak berubah"));

    assert!(balai_store::audit::verify(&app.db, &[]).await.unwrap().is_ok(), "the log vouches for every move");
}

/// The document's bytes as the citizen's browser receives them.
async fn pdf_bytes(app: &TestApp, citizen: &str, document_id: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    let request = Request::get(format!("/akun/dokumen/{document_id}"))
        .header(header::COOKIE, citizen)
        .body(Body::empty())
        .unwrap();
    let response = app.raw(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

async fn bad_applications_and_files_are_refused_by_name_and_leave_nothing_behind(app: TestApp) {
    with_form(&app).await;
    let maria = crate::identity::signed_in_citizen(&app).await;
    let body = application_body(&app, &maria).await;

    // No session: the API answers 401 with a problem document, never a sign-in page.
    for refused in [
        submit(&app, "", Some("tanpa-sesi"), &body).await,
        upload(&app, "", "foto.jpg", "image/jpeg", &jpeg(16, 16)).await,
    ] {
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
        assert_eq!(refused.header("content-type"), "application/problem+json");
        assert_eq!(refused.json()["type"], "/problems/sign-in-required");
    }

    // No Idempotency-Key: named.
    let cases = count(&app, "applications").await;
    let keyless = submit(&app, &maria, None, &body).await;
    assert_eq!(keyless.status, StatusCode::BAD_REQUEST, "{}", keyless.body);
    assert_eq!(keyless.json()["param"], "Idempotency-Key", "{}", keyless.body);
    assert_eq!(count(&app, "applications").await, cases);

    // A key reused for another application: refused, the first one stands alone.
    let first = submit(&app, &maria, Some("kunci-1"), &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let mut other = body.clone();
    other["fields"]["child_name"] = json!("Anak Lain");
    let reused = submit(&app, &maria, Some("kunci-1"), &other).await;
    assert_eq!(reused.status, StatusCode::CONFLICT, "{}", reused.body);
    assert_eq!(reused.json()["type"], "/problems/idempotency-key-reused");
    assert_eq!(count(&app, "applications").await, cases + 1);

    // A required field and a required document missing: each named, nothing saved.
    let cases = count(&app, "applications").await;
    let audit = balai_store::audit::size(&app.db).await.unwrap();
    let mut incomplete = body.clone();
    incomplete["fields"].as_object_mut().unwrap().remove("child_birth_date");
    let documents = incomplete["documents"].as_array_mut().unwrap();
    let photo = documents.iter().position(|d| d.get("upload").is_some()).unwrap();
    let dropped = documents.remove(photo);
    let refused = submit(&app, &maria, Some("kunci-2"), &incomplete).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let named: Vec<String> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(named.iter().any(|f| f.contains("child_birth_date")), "{named:?}");
    let code = dropped["code"].as_str().unwrap();
    assert!(named.iter().any(|f| f.contains(code)), "the missing {code} is named: {named:?}");
    assert_eq!(count(&app, "applications").await, cases, "nothing saved");
    assert_eq!(balai_store::audit::size(&app.db).await.unwrap(), audit);

    // Files: a web page named .jpg, a file over the size bound, a decompression bomb. None is kept.
    let uploads = count(&app, "uploads").await;
    let page = upload(&app, &maria, "foto.jpg", "image/jpeg", b"<!doctype html><script>alert(1)</script>").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert_eq!(page.json()["errors"][0]["rule"], "pdf_jpeg_png", "{}", page.body);
    let max = balai_web::WebConfig::default().max_upload_bytes;
    let mut huge = jpeg(16, 16);
    huge.resize(max + 1, 0);
    let oversized = upload(&app, &maria, "besar.jpg", "image/jpeg", &huge).await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", oversized.body);
    assert_eq!(oversized.json()["errors"][0]["rule"], "max_size", "{}", oversized.body);
    let bomb = upload(&app, &maria, "bom.png", "image/png", &png_declaring(100_000, 100_000)).await;
    assert_eq!(bomb.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bomb.body);
    assert_eq!(bomb.json()["errors"][0]["rule"], "image_dimensions", "{}", bomb.body);
    assert_eq!(count(&app, "uploads").await, uploads, "no refused file is kept");

    // An officer of another unit may not move the case: nothing is written.
    let tracking = first.json()["tracking_number"].as_str().unwrap().to_owned();
    let case_id = newest_case(&app, &maria).await;
    let stranger = unit_officer(&app, "dafduk", "disdukcapil-dafduk").await;
    let capil = unit_officer(&app, "capil", "disdukcapil-capil").await;
    let csrf = app.get_with_cookie("/admin", &stranger).await.hidden("csrf");
    let version = app.get_with_cookie(&format!("/admin/permohonan/{case_id}"), &capil).await.hidden("version");
    let (audit, events) = (balai_store::audit::size(&app.db).await.unwrap(), count(&app, "case_events").await);
    let refused = app
        .post_form(
            &format!("/admin/permohonan/{case_id}/aksi"),
            &stranger,
            &[("csrf", &csrf), ("event", "verify"), ("version", &version)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(balai_store::audit::size(&app.db).await.unwrap(), audit, "no audit leaf");
    assert_eq!(count(&app, "case_events").await, events, "no event");
    assert_eq!(track(&app, &tracking).await["steps"][0]["done_at"], Value::Null, "the step is not done");
    let seen = app.get_with_cookie(&format!("/admin/permohonan/{case_id}"), &stranger).await;
    assert_eq!(seen.status, StatusCode::FORBIDDEN, "nor read the file");
    assert!(!seen.body.contains(CHILD_NAME));

    // A mistyped tracking number (its check symbol changed) is answered with a hint, not a lookup.
    let alphabet = balai_domain::applications::TRACKING_ALPHABET;
    let check = tracking.chars().last().unwrap();
    let wrong = alphabet.chars().find(|c| *c != check).unwrap();
    let mistyped = format!("{}{wrong}", &tracking[..tracking.len() - 1]);
    let hint =
        balai_domain::applications::TrackingNumber::parse(&mistyped).unwrap_err().message(balai_domain::Lang::Id);
    let api = app.get(&format!("/api/v1/applications/{mistyped}")).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND, "{}", api.body);
    assert_eq!(api.json()["type"], "/problems/bad-tracking-number");
    assert!(api.body.contains(&hint), "{}", api.body);
    let page = app.get(&format!("/lacak/{mistyped}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    assert!(page.body.contains(&hint), "the page gives the hint: {}", page.body);
}

async fn an_officers_home_is_the_queue_with_the_nearest_deadline_first(app: TestApp) {
    with_form(&app).await;
    let maria = crate::identity::signed_in_citizen(&app).await;
    // Two applications on the same day; two days later the first is verified, so its next step is
    // due after the second's first step: the second, applied for later, is due first.
    let body = application_body(&app, &maria).await;
    let a = submit(&app, &maria, Some("a"), &body).await.json()["tracking_number"].as_str().unwrap().to_owned();
    let a_case = newest_case(&app, &maria).await;
    let body = application_body(&app, &maria).await;
    let b = submit(&app, &maria, Some("b"), &body).await.json()["tracking_number"].as_str().unwrap().to_owned();
    assert!(app.clock.advance(chrono::Duration::days(2)), "the stories' clock is adjustable");
    let capil = unit_officer(&app, "capil", "disdukcapil-capil").await;
    let verified = act(&app, &capil, a_case, "verify", &[]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);

    let home = app.get_with_cookie("/admin", &capil).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("<h1>Pekerjaan saya</h1>"), "{}", home.body);
    assert!(!home.body.contains("<h1>Kelola katalog layanan</h1>"), "not the catalogue heading");
    assert!(home.body.contains("href=\"/admin/katalog\""), "the catalogue is one link away");
    let (at_a, at_b) = (home.body.find(&a).expect("a in the queue"), home.body.find(&b).expect("b in the queue"));
    assert!(at_b < at_a, "the nearest deadline first: {b} before {a}: {}", home.body);
    assert_eq!(home.body.matches("action=\"/admin/keluar\"").count(), 1, "one sign-out button");
    assert!(!home.body.contains(MARIA_NAME) && !home.body.contains(CHILD_NAME), "the queue names no one");
}

// ---- for other stories: applications made through the store ----------------------------------

/// An application by Maria for a birth certificate, submitted as the API would (photos recorded as
/// uploads, the held documents by reference), sitting at its first step: `(case id, tracking number)`.
pub(crate) async fn marias_submitted_application(app: &TestApp, key: &str) -> (i64, String) {
    use balai_store::applications::{self, Application, DocumentChoice, DocumentSource};
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let nik = balai_domain::nik::Nik::parse(MARIA, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let maria = balai_store::identity::citizens::citizen_id_by_nik(&mut tx, &app.vault, &nik).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let terms = applications::form_terms(&app.db, government.id, SERVICE, Some(maria)).await.unwrap();
    let now = app.clock.now();
    let mut documents = Vec::new();
    for document in terms.documents.iter().filter(|d| d.required) {
        let source = match terms.on_file.iter().find(|(code, _)| *code == document.code) {
            Some((_, held)) => DocumentSource::OnFile(*held),
            None => {
                let object = format!("uploads/{}/{key}-{}", government.id, document.code);
                let upload = applications::record_upload(
                    &app.db,
                    maria,
                    government.id,
                    &object,
                    "image/jpeg",
                    1234,
                    &"ab".repeat(32),
                    now,
                )
                .await
                .unwrap();
                DocumentSource::Upload(upload.id)
            }
        };
        documents.push(DocumentChoice { code: document.code.clone(), source });
    }
    let fields = serde_json::Map::new();
    let application = Application {
        government_id: government.id,
        service_code: SERVICE,
        fields: &fields,
        documents: &documents,
        idempotency_key: key,
        lang: balai_domain::Lang::Id,
    };
    let submitted = applications::submit(&app.db, &app.vault, maria, &application, now).await.unwrap();
    (submitted.case_id, submitted.application.tracking_number)
}

/// A document issued to Maria: an application worked to completion by `officer_id` (who may work
/// every unit of Disdukcapil), recorded with a seal of no real file. Its public id.
pub(crate) async fn marias_issued_document(app: &TestApp, officer_id: i64) -> String {
    use balai_domain::applications::ApplicationEvent;
    use balai_store::applications::{self, Instruction, IssuedDocument};
    let (case_id, _) = marias_submitted_application(app, "dokumen-terbit").await;
    let id = "dokumenUjiTerbit000001".to_owned();
    let issued = IssuedDocument {
        id: id.clone(),
        number: "AKTA-LAHIR/UJI/2026".into(),
        product: "Kutipan Akta Kelahiran".into(),
        issuer: "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang".into(),
        issued_on: app.clock.now().date_naive(),
        doc_type: "akta_kelahiran".into(),
        sha256: "00".repeat(32),
        signature: "tanda-tangan".into(),
        object_key: "documents/uji".into(),
    };
    for _ in 0..10 {
        let complete = Instruction { issued: Some(&issued), ..Instruction::default() };
        let now = app.clock.now();
        match applications::act_as_officer(
            &app.db,
            &app.vault,
            officer_id,
            case_id,
            ApplicationEvent::Complete,
            &complete,
            now,
        )
        .await
        {
            Ok(_) => return id,
            Err(balai_store::StoreError::Workflow(_)) => {
                let verify = Instruction::default();
                applications::act_as_officer(
                    &app.db,
                    &app.vault,
                    officer_id,
                    case_id,
                    ApplicationEvent::Verify,
                    &verify,
                    now,
                )
                .await
                .unwrap();
            }
            Err(e) => panic!("completing: {e:?}"),
        }
    }
    panic!("the case never reached its last step")
}

async fn a_citizen_keeps_a_draft_and_finds_it_again(app: TestApp) {
    with_form(&app).await;
    let maria = crate::identity::signed_in_citizen(&app).await;
    let path = format!("/layanan/53.71/{SERVICE}/ajukan");
    let form = app.get_with_cookie(&path, &maria).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.hidden("csrf");
    let key = form.hidden("idempotency_key");
    let before = count(&app, "cases").await;
    let saved = post_multipart(
        &app,
        &path,
        &maria,
        &[
            text("csrf", &csrf),
            text("idempotency_key", &key),
            text("f_child_name", CHILD_NAME),
            text("action", "draft"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/akun/permohonan?draf=1");
    assert_eq!(count(&app, "cases").await, before, "a draft is not an application");
    let mine = app.get_with_cookie("/akun/permohonan?draf=1", &maria).await;
    assert!(mine.body.contains("id=\"drafts\"") && mine.body.contains(&format!("href=\"{path}\"")), "{}", mine.body);
    let again = app.get_with_cookie(&path, &maria).await;
    assert!(again.body.contains(&format!("value=\"{CHILD_NAME}\"")), "the draft fills the form again: {}", again.body);
    // Without the session's token nothing is kept.
    let without = post_multipart(&app, &path, &maria, &[text("csrf", "ditebak"), text("action", "draft")]).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN, "a draft needs the session's token too");
}
