//! Whistleblowing (WBS): a report is filed at `/wbs` — as a guest even when a citizen is signed in —
//! and followed with its number and secret at `/wbs/lacak`. Its text and its reporter's identity are
//! readable only by an inspector who pastes the Inspectorate's private key: no page or API shows them
//! to a government admin, an agency officer, a non-inspector at the Inspectorate, or an auditor.

use crate::officers::{PASSWORD, officer, password};
use crate::support::{TestApp, TestResponse};
use axum::http::StatusCode;
use balai_domain::identity::Role;
use balai_store::complaints::whistleblowing::{self, Registrar};
use balai_store::{org, query};

const TEXT_MARKER: &str = "PENANDA-TEKS-WBS-5R8J";
const NAME_MARKER: &str = "PENANDA-NAMA-WBS-2M6P";
const CONTACT_MARKER: &str = "penanda-kontak-wbs@contoh.id";

/// Registers a key for Kota Kupang's Inspectorate, as `balai wbs keygen` does; returns the private key.
pub(crate) async fn kupang_key(app: &TestApp) -> String {
    let government = org::government_by_region(&app.db, "53.71").await.unwrap();
    let pair = whistleblowing::generate_key_pair();
    whistleblowing::register_key(
        &app.db,
        Registrar::CommandLine,
        government.id,
        "inspektorat-irban-khusus",
        &pair.public_key,
        app.clock.now(),
    )
    .await
    .unwrap();
    pair.private_key
}

/// A whistleblowing report filed through the store; returns its case id.
pub(crate) async fn filed_report(app: &TestApp) -> i64 {
    let government = org::government_by_region(&app.db, "53.71").await.unwrap();
    let new = whistleblowing::NewWhistleblowing {
        government_id: government.id,
        text: "Laporan uji",
        when: "",
        place: "",
        people: "",
        name: "",
        contact: "",
        idempotency_key: "",
    };
    whistleblowing::file(&app.db, &app.vault, &new, app.clock.now()).await.unwrap().case_id
}

/// The value between `id="{id}">` and the next `<`.
fn element(body: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no #{id} in {body}")) + marker.len();
    body[start..start + body[start..].find('<').unwrap()].to_owned()
}

/// Files a report through the form, with `cookie` as whoever is signed in.
async fn file(app: &TestApp, cookie: &str, text: &str) -> TestResponse {
    let form = app.get_with_cookie("/wbs", cookie).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.cookie("balai_login_csrf").expect("the form sets its token");
    let cookies = if cookie.is_empty() {
        format!("balai_login_csrf={token}")
    } else {
        format!("{cookie}; balai_login_csrf={token}")
    };
    let key = form.hidden("idempotency_key");
    app.post_form(
        "/wbs",
        &cookies,
        &[
            ("csrf", &token),
            ("region", "53.71"),
            ("idempotency_key", &key),
            ("text", text),
            ("when", "Setiap akhir bulan"),
            ("place", "Kantor dinas"),
            ("people", "Bendahara"),
            ("name", NAME_MARKER),
            ("contact", CONTACT_MARKER),
        ],
    )
    .await
}

async fn track(app: &TestApp, tracking: &str, secret: &str) -> TestResponse {
    let form = app.get("/wbs/lacak").await;
    let token = form.cookie("balai_login_csrf").unwrap();
    app.post_form(
        "/wbs/lacak",
        &format!("balai_login_csrf={token}"),
        &[("csrf", &token), ("tracking", tracking), ("secret", secret)],
    )
    .await
}

async fn session(app: &TestApp, username: &str, role: Role, agency: Option<&str>) -> String {
    officer(app, username, role, agency).await;
    let signed_in = password(app, username, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{username}: {}", signed_in.body);
    format!("balai_admin={}", signed_in.cookie("balai_admin").unwrap())
}

fn assert_secret_kept(response: &TestResponse, what: &str) {
    for marker in [TEXT_MARKER, NAME_MARKER, CONTACT_MARKER, "Bendahara"] {
        assert!(!response.body.contains(marker), "{what} ({}) shows {marker}", response.status);
    }
}

#[tokio::test]
async fn a_whistleblower_files_and_follows_and_only_the_inspector_with_the_key_reads_it() {
    let app = TestApp::demo().await;
    let private_key = kupang_key(&app).await;
    let citizen = crate::identity::signed_in_citizen(&app).await;

    let page = app.get("/wbs").await;
    assert!(page.body.contains("Inspektorat"), "the form says where the report goes: {}", page.body);
    let text = format!("Uang perjalanan dinas dipotong setiap bulan. {TEXT_MARKER}");
    let filed = file(&app, &citizen, &text).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_secret_kept(&filed, "the receipt");
    let tracking = element(&filed.body, "tracking");
    let secret = element(&filed.body, "secret");
    assert!(!secret.is_empty());

    // Filed as a guest although a citizen was signed in: no link to the account anywhere.
    let (citizen_id, reporter_hash, reporter_enc): (Option<i64>, Option<String>, Option<String>) = app
        .db
        .fetch_one(
            query(
                "SELECT c.citizen_id, p.reporter_hash, p.reporter_enc FROM cases c JOIN complaints p ON p.case_id = c.id \
                 WHERE c.tracking_number = $1",
            )
            .bind(tracking.as_str()),
        )
        .await
        .unwrap();
    assert_eq!((citizen_id, reporter_hash, reporter_enc), (None, None, None));
    let (case_id,): (i64,) = app
        .db
        .fetch_one(query("SELECT id FROM cases WHERE tracking_number = $1").bind(tracking.as_str()))
        .await
        .unwrap();

    // The reporter follows it: status and history, not the text.
    let followed = track(&app, &tracking, &secret).await;
    assert_eq!(followed.status, StatusCode::OK, "{}", followed.body);
    assert!(followed.body.contains(&tracking));
    assert_secret_kept(&followed, "the reporter's tracking page");
    let wrong = track(&app, &tracking, "AAAAA-BBBBB-CCCCC-DDDDD").await;
    let unknown = track(&app, "WBS-0000-0000", &secret).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status, wrong.status, "a wrong secret reads like an unknown number");
    assert_eq!(element(&wrong.body, "track-error"), element(&unknown.body, "track-error"));

    // Nobody but an inspector reaches it, by any page or API.
    let admin = app.sign_in_admin().await;
    let petugas = session(&app, "petugas-dukcapil", Role::Officer, Some("disdukcapil")).await;
    let staf = session(&app, "staf-inspektorat", Role::Officer, Some("inspektorat")).await;
    let auditor = session(&app, "auditor", Role::Auditor, None).await;
    let inspector = session(&app, "inspektur", Role::Inspector, None).await;
    let paths = [
        "/admin".to_owned(),
        "/admin/wbs".to_owned(),
        format!("/admin/wbs/{case_id}"),
        "/admin/kasus".to_owned(),
        format!("/admin/kasus/{case_id}"),
        "/admin/permohonan".to_owned(),
        format!("/admin/permohonan/{case_id}"),
        format!("/admin/pengaduan/{case_id}"),
        format!("/pengaduan/{tracking}"),
        format!("/lacak/{tracking}"),
        format!("/api/v1/applications/{tracking}"),
        format!("/api/v1/complaints/{tracking}"),
        format!("/open311/v2/requests/{tracking}.json"),
        format!("/open311/v2/requests/{tracking}.xml"),
        "/open311/v2/requests.json".to_owned(),
        "/akun/permohonan".to_owned(),
    ];
    for (who, cookie) in
        [("admin", &admin), ("petugas", &petugas), ("staf", &staf), ("auditor", &auditor), ("warga", &citizen)]
    {
        for path in &paths {
            let r = app.get_with_cookie(path, cookie).await;
            assert_secret_kept(&r, &format!("{path} as {who}"));
        }
        // The generic case page does not even admit the report exists (the inspectorate's own staff included).
        let generic = app.get_with_cookie(&format!("/admin/kasus/{case_id}"), cookie).await;
        assert!(!generic.body.contains("Laporan WBS"), "/admin/kasus/{case_id} as {who}");
        assert!(!app.get_with_cookie("/admin/kasus", cookie).await.body.contains(&format!("/admin/kasus/{case_id}\"")));
        for path in ["/admin/wbs".to_owned(), format!("/admin/wbs/{case_id}")] {
            let r = app.get_with_cookie(&path, cookie).await;
            assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::SEE_OTHER), "{path} as {who}: {}", r.status);
        }
        if who != "warga" {
            // Even holding the right key, a session without the inspector role opens nothing.
            let csrf = app.get_with_cookie("/admin", cookie).await.hidden("csrf");
            let r = app
                .post_form(
                    &format!("/admin/wbs/{case_id}/buka"),
                    cookie,
                    &[("csrf", &csrf), ("private_key", &private_key)],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "opening as {who}: {}", r.body);
            assert_secret_kept(&r, &format!("opening as {who}"));
        }
    }
    let (openings,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM whistleblowing_openings")).await.unwrap();
    assert_eq!(openings, 0);

    // The inspector: the list and the case, still sealed; a wrong key opens nothing.
    let queue = app.get_with_cookie("/admin/wbs", &inspector).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains(&tracking));
    let case = app.get_with_cookie(&format!("/admin/wbs/{case_id}"), &inspector).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_secret_kept(&case, "the inspector's case page before opening");
    let csrf = case.hidden("csrf");
    let other_key = whistleblowing::generate_key_pair().private_key;
    let r = app
        .post_form(&format!("/admin/wbs/{case_id}/buka"), &inspector, &[("csrf", &csrf), ("private_key", &other_key)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element(&r.body, "case-error").contains("Tidak ada yang dibuka"), "{}", r.body);
    assert_secret_kept(&r, "a wrong key");

    let leaves = balai_store::audit::size(&app.db).await.unwrap();
    let opened = app
        .post_form(&format!("/admin/wbs/{case_id}/buka"), &inspector, &[("csrf", &csrf), ("private_key", &private_key)])
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(
        opened.body.contains(TEXT_MARKER) && opened.body.contains(NAME_MARKER) && opened.body.contains(CONTACT_MARKER)
    );
    assert_eq!(opened.header("cache-control"), "no-store");
    assert_eq!(balai_store::audit::size(&app.db).await.unwrap(), leaves + 1, "the opening is one leaf");
    let leaf = balai_store::audit::leaves(&app.db, leaves as i64, leaves as i64 + 1).await.unwrap().remove(0);
    assert_eq!(leaf.action, "complaints.whistleblowing.open");
    // Reloading the page shows it sealed again, with who opened it.
    let again = app.get_with_cookie(&format!("/admin/wbs/{case_id}"), &inspector).await;
    assert_secret_kept(&again, "the case page after opening");
    assert!(again.body.contains("<ul id=\"openings\"><li>inspektur"), "{}", again.body);

    // The inspector works it through the complaint flow; the reporter sees the new status.
    let acted = app
        .post_form(
            &format!("/admin/wbs/{case_id}/aksi"),
            &inspector,
            &[("csrf", &csrf), ("event", "verify"), ("reason", "Ditelaah Irban Khusus")],
        )
        .await;
    assert_eq!(acted.status, StatusCode::SEE_OTHER, "{}", acted.body);
    let followed = track(&app, &tracking, &secret).await;
    assert!(followed.body.contains("Ditelaah Irban Khusus"), "{}", followed.body);
}

#[tokio::test]
async fn a_bad_report_comes_back_with_the_reason_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    kupang_key(&app).await;
    let count = || async {
        let (n,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM complaints")).await.unwrap();
        n
    };
    let before = count().await;
    let empty = file(&app, "", "   ").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"text-error\""), "{}", empty.body);
    let long = "x".repeat(4001);
    let too_long = file(&app, "", &long).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("4000") || too_long.body.contains("4.000"), "{}", too_long.body);
    assert_eq!(count().await, before, "nothing stored");
    let fine = file(&app, "", &"x".repeat(4000)).await;
    assert_eq!(fine.status, StatusCode::CREATED, "{}", fine.body);
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn guessing_secrets_is_throttled() {
    let app = TestApp::demo().await;
    kupang_key(&app).await;
    let filed = file(&app, "", "Laporan uji").await;
    let tracking = element(&filed.body, "tracking");
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(track(&app, &tracking, &format!("TEBAK-{i:05}")).await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Throttled, even the right secret waits.
    let secret = element(&filed.body, "secret");
    assert_eq!(track(&app, &tracking, &secret).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn without_a_key_the_government_takes_no_whistleblowing_reports() {
    let app = TestApp::demo().await;
    let r = file(&app, "", "Laporan uji").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("belum menerima laporan WBS"), "{}", r.body);
    let (n,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM complaints")).await.unwrap();
    assert_eq!(n, 0);
}
