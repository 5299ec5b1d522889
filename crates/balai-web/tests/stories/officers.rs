//! Officers sign in with a password and, for admins and heads of agency, a second factor; what each
//! may change follows their role and agency.

use crate::support::{ADMIN, TestApp};
use axum::http::StatusCode;
use balai_domain::identity::{Role, sign_in_limits};
use balai_store::audit::Actor;
use balai_store::catalogue;
use balai_store::identity::{NewOfficer, Vault, officers};
use balai_store::org;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub(crate) const PASSWORD: &str = "kata-sandi-petugas";

/// The current TOTP time step on the app's clock.
fn now_step(app: &TestApp) -> u64 {
    app.clock.now().timestamp() as u64 / 30
}

fn code(step: u64) -> String {
    balai_auth::totp::code_at(SECRET, step * 30).unwrap()
}

/// An officer of `role` in the Kota Kupang agency with `agency_code`, TOTP enrolled when the role needs it.
pub(crate) async fn officer(app: &TestApp, username: &str, role: Role, agency_code: Option<&str>) -> i64 {
    let government = org::government_by_region(&app.db, "53.71").await.unwrap();
    let agency = match agency_code {
        Some(code) => {
            let all = org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100)).await.unwrap();
            Some(all.items.into_iter().find(|a| a.code == code).unwrap_or_else(|| panic!("agency {code}")).id)
        }
        None => None,
    };
    let hash = balai_auth::hash_password(PASSWORD);
    let mut tx = app.db.begin().await.unwrap();
    let new = NewOfficer {
        government_id: Some(government.id),
        agency_id: agency,
        unit_id: None,
        role,
        username,
        display_name: username,
        password_hash: &hash,
    };
    let id = officers::create_officer(&mut tx, &Actor::system("test"), &new).await.unwrap();
    if role.requires_totp() {
        officers::set_totp_secret(&mut tx, &Actor::system("test"), &app.vault, id, SECRET).await.unwrap();
    }
    tx.commit().await.unwrap();
    id
}

/// Submits the password form; returns the response.
pub(crate) async fn password(app: &TestApp, username: &str, password: &str) -> crate::support::TestResponse {
    let form = app.get("/admin/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    app.post_form(
        "/admin/masuk",
        &format!("balai_login_csrf={csrf}"),
        &[("csrf", &csrf), ("username", username), ("password", password), ("next", "/admin")],
    )
    .await
}

/// Submits the password form from a client address.
async fn password_from(app: &TestApp, client: &str, username: &str, password: &str) -> crate::support::TestResponse {
    let form = app.get("/admin/masuk").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let body = [("csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/admin")]
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::support::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request = axum::http::Request::post("/admin/masuk")
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(axum::http::header::COOKIE, format!("balai_login_csrf={csrf}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = std::net::SocketAddr::new(client.parse().unwrap(), 40000);
    request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.request(request).await
}

/// The error a sign-in page shows, without the form around it (which echoes the username) and
/// without the digits of the time it names (two locks a few milliseconds apart may straddle a minute).
fn sign_in_error(response: &crate::support::TestResponse) -> String {
    let start = response.body.find("role=\"alert\"").unwrap_or_else(|| panic!("no error shown: {}", response.body));
    let message = response.body[start..].split('<').next().unwrap_or_default();
    message.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Password, then (when asked) the TOTP code for `step`; returns the last response and the half-session cookie.
async fn sign_in(app: &TestApp, username: &str, step: u64) -> (crate::support::TestResponse, String) {
    let first = password(app, username, PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let Some(half) = first.cookie("balai_admin_totp").filter(|c| !c.is_empty()) else { return (first, String::new()) };
    let half = format!("balai_admin_totp={half}");
    let page = app.get_with_cookie("/admin/masuk/faktor-kedua", &half).await;
    assert!(!page.body.contains("totp-secret"), "an enrolled officer is not shown the key again");
    let done = app
        .post_form(
            "/admin/masuk/faktor-kedua",
            &half,
            &[("csrf", &page.hidden("csrf")), ("code", &code(step)), ("next", "/admin")],
        )
        .await;
    (done, half)
}

fn session(response: &crate::support::TestResponse) -> String {
    format!("balai_admin={}", response.cookie("balai_admin").expect("session cookie"))
}

#[tokio::test]
async fn a_head_of_agency_needs_the_second_factor_and_each_code_works_once() {
    let app = TestApp::demo().await;
    officer(&app, "kadis", Role::AgencyHead, Some("disdukcapil")).await;

    let after_password = password(&app, "kadis", PASSWORD).await;
    assert!(after_password.header("location").starts_with("/admin/masuk/faktor-kedua"));
    assert!(after_password.cookie("balai_admin").is_none(), "no session before the second factor");
    let half = format!("balai_admin_totp={}", after_password.cookie("balai_admin_totp").unwrap());
    assert_eq!(
        app.get_with_cookie("/admin", &half).await.status,
        StatusCode::SEE_OTHER,
        "a half session opens nothing"
    );
    let page = app.get_with_cookie("/admin/masuk/faktor-kedua", &half).await;
    let csrf = page.hidden("csrf");
    let wrong = if code(now_step(&app)) == "000000" { "111111" } else { "000000" };
    let refused = app.post_form("/admin/masuk/faktor-kedua", &half, &[("csrf", &csrf), ("code", wrong)]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("Kode salah atau sudah dipakai"));

    let step = now_step(&app);
    let ok = app.post_form("/admin/masuk/faktor-kedua", &half, &[("csrf", &csrf), ("code", &code(step))]).await;
    assert_eq!((ok.status, ok.header("location")), (StatusCode::SEE_OTHER, "/admin"));
    assert_eq!(app.get_with_cookie("/admin", &session(&ok)).await.status, StatusCode::OK);

    let (replayed, _) = sign_in(&app, "kadis", step).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "the same code is not accepted twice");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    for _ in 0..sign_in_limits::PER_ACCOUNT {
        let wrong = password(&app, "petugas", "salah").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("Nama pengguna atau kata sandi salah."));
    }
    let locked = password(&app, "petugas", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("Terlalu banyak percobaan gagal untuk nama pengguna ini"), "{}", locked.body);
    assert!(locked.cookie("balai_admin").is_none());
}

#[tokio::test]
async fn an_unknown_username_and_a_locked_one_are_answered_exactly_alike() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    let wrong_known = password_from(&app, "192.0.2.1", "petugas", "salah").await;
    let wrong_unknown = password_from(&app, "192.0.2.2", "tidak.ada", "salah").await;
    assert_eq!(
        (wrong_known.status, sign_in_error(&wrong_known)),
        (wrong_unknown.status, sign_in_error(&wrong_unknown))
    );
    for _ in 1..sign_in_limits::PER_ACCOUNT {
        password_from(&app, "192.0.2.1", "petugas", "salah").await;
        password_from(&app, "192.0.2.2", "tidak.ada", "salah").await;
    }
    let known = password_from(&app, "192.0.2.3", "petugas", PASSWORD).await;
    let unknown = password_from(&app, "192.0.2.4", "tidak.ada", PASSWORD).await;
    assert_eq!(known.status, StatusCode::UNAUTHORIZED);
    assert!(sign_in_error(&known).contains("Terlalu banyak percobaan gagal untuk nama pengguna ini"), "{}", known.body);
    assert_eq!((known.status, sign_in_error(&known)), (unknown.status, sign_in_error(&unknown)), "the same answer");
    assert!(known.cookie("balai_admin").is_none());
    let other = password_from(&app, "192.0.2.3", "PETUGAS", PASSWORD).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED, "the lock holds whatever the case of the name");
}

#[tokio::test]
async fn a_client_that_fails_too_often_is_refused_while_others_and_its_accounts_are_not() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    // Twenty failures spread over five usernames from one IPv6 /64: no account reaches its limit.
    for i in 0..20 {
        let client = format!("2001:db8:7:7::{:x}", i + 1);
        let wrong = password_from(&app, &client, &format!("tebakan{}", i % 5), "salah").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let refused = password_from(&app, "2001:db8:7:7:ffff::1", "petugas", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "the whole /64 is one client");
    assert!(sign_in_error(&refused).contains("Terlalu banyak percobaan gagal dari jaringan Anda"), "{}", refused.body);
    assert!(refused.header("retry-after").parse::<i64>().is_ok_and(|s| s > 0 && s <= 15 * 60));
    assert!(refused.cookie("balai_admin").is_none());
    let elsewhere = password_from(&app, "2001:db8:7:8::1", "petugas", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER, "another client signs the officer in: {}", elsewhere.body);
}

#[tokio::test]
async fn an_officer_needs_no_second_factor_but_may_change_no_standard() {
    let app = TestApp::demo().await;
    officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
    let (signed_in, _) = sign_in(&app, "petugas", now_step(&app)).await;
    let cookie = session(&signed_in);
    let dashboard = app.get_with_cookie("/admin", &cookie).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(!dashboard.body.contains("/admin/layanan/53.71/AKTA-LAHIR/ubah"), "nothing to manage");
    assert_eq!(
        app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_with_cookie("/admin/kalender/53.71/2026", &cookie).await.status, StatusCode::FORBIDDEN);
    // Posting an edit anyway is refused as such, even without the form's version: who may edit is
    // answered before what the form lacks.
    let csrf = dashboard.hidden("csrf");
    let posted = app
        .post_form("/admin/layanan/53.71/AKTA-LAHIR/ubah", &cookie, &[("csrf", &csrf), ("change_note", "Uji")])
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_head_of_agency_revises_only_their_own_agencys_standards() {
    let app = TestApp::demo().await;
    officer(&app, "kadis", Role::AgencyHead, Some("disdukcapil")).await;
    let (signed_in, _) = sign_in(&app, "kadis", now_step(&app)).await;
    let cookie = session(&signed_in);
    let own = app.get_with_cookie("/admin/layanan/53.71/AKTA-LAHIR/ubah", &cookie).await;
    assert_eq!(own.status, StatusCode::OK, "their own agency's service");
    let pbg = catalogue::service_by_code(&app.db, "53.71", "PBG").await.unwrap();
    assert_ne!(
        pbg.service.agency_id,
        catalogue::service_by_code(&app.db, "53.71", "AKTA-LAHIR").await.unwrap().service.agency_id
    );
    assert_eq!(
        app.get_with_cookie("/admin/layanan/53.71/PBG/ubah", &cookie).await.status,
        StatusCode::FORBIDDEN,
        "another agency's"
    );
    assert_eq!(
        app.get_with_cookie("/admin/kalender/53.71/2026", &cookie).await.status,
        StatusCode::FORBIDDEN,
        "the calendar is the admin's"
    );
}

#[tokio::test]
async fn the_second_factor_is_sealed_at_rest() {
    let app = TestApp::demo().await;
    app.sign_in_admin().await;
    let admin = balai_store::identity::officer_by_username(&app.db, ADMIN).await.unwrap().unwrap();
    let sealed = admin.totp_secret_enc.clone().expect("enrolled at first sign-in");
    let secret = admin.totp_secret(&app.vault).unwrap().unwrap();
    assert!(!sealed.contains(&secret));
    assert!(admin.totp_secret(&Vault::from_master(&[6; 32])).is_err(), "another key opens nothing");
}

#[tokio::test]
async fn an_admin_creates_an_officer_and_resets_a_password_which_ends_their_sessions() {
    let app = TestApp::demo().await;
    let admin = app.sign_in_admin().await;
    let page = app.get_with_cookie("/admin/petugas/53.71", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.hidden("csrf");

    let missing_agency = app
        .post_form(
            "/admin/petugas/53.71",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "petugas.baru"),
                ("display_name", "Petugas Baru"),
                ("role", "officer"),
                ("agency", ""),
                ("password", "kata-sandi-awal-1"),
            ],
        )
        .await;
    assert_eq!(missing_agency.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_agency.body.contains("id=\"agency-error\""), "the agency field carries the error");
    let short = app
        .post_form(
            "/admin/petugas/53.71",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "x"),
                ("display_name", "X"),
                ("role", "auditor"),
                ("agency", ""),
                ("password", "pendek"),
            ],
        )
        .await;
    assert!(short.body.contains("Kata sandi paling sedikit 12 karakter."));
    let kupang = org::government_by_region(&app.db, "53.71").await.unwrap();
    assert!(
        officers::officers_of(&app.db, kupang.id).await.unwrap().iter().all(|o| o.username != "petugas.baru"),
        "nothing saved"
    );

    let agency = org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.code == "disdukcapil")
        .unwrap();
    let created = app
        .post_form(
            "/admin/petugas/53.71",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "petugas.baru"),
                ("display_name", "Petugas Baru"),
                ("role", "officer"),
                ("agency", &agency.id.to_string()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let (signed_in, _) = sign_in(&app, "petugas.baru", now_step(&app)).await;
    let officer_session = session(&signed_in);
    assert_eq!(app.get_with_cookie("/admin", &officer_session).await.status, StatusCode::OK);

    let id = balai_store::identity::officer_by_username(&app.db, "petugas.baru").await.unwrap().unwrap().id;
    let reset = app
        .post_form(
            &format!("/admin/petugas/53.71/{id}/sandi"),
            &admin,
            &[("csrf", &csrf), ("password", "kata-sandi-baru-2026")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(reset.body.contains("semua sesinya berakhir"));
    assert_eq!(
        app.get_with_cookie("/admin", &officer_session).await.status,
        StatusCode::SEE_OTHER,
        "the old session is over"
    );
    assert_eq!(
        password(&app, "petugas.baru", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
}

#[tokio::test]
async fn only_government_admins_manage_officers() {
    let app = TestApp::demo().await;
    officer(&app, "kadis", Role::AgencyHead, Some("disdukcapil")).await;
    let (signed_in, _) = sign_in(&app, "kadis", now_step(&app)).await;
    assert_eq!(app.get_with_cookie("/admin/petugas/53.71", &session(&signed_in)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn usernames_are_one_per_person_whatever_the_case_width_or_lookalike_letters() {
    let app = TestApp::demo().await;
    let admin = app.sign_in_admin().await;
    let csrf = app.get_with_cookie("/admin/petugas/53.71", &admin).await.hidden("csrf");
    let create = |username: &'static str| {
        let (app, admin, csrf) = (&app, admin.clone(), csrf.clone());
        async move {
            let fields = [
                ("csrf", csrf.as_str()),
                ("username", username),
                ("display_name", "Petugas"),
                ("role", "auditor"),
                ("agency", ""),
                ("password", PASSWORD),
            ];
            app.post_form("/admin/petugas/53.71", &admin, &fields).await
        }
    };
    let created = create("Petugas.Baru").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let (signed_in, _) = sign_in(&app, "petugas.baru", now_step(&app)).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "stored folded, signs in folded");
    assert_eq!(password(&app, "PETUGAS.BARU", PASSWORD).await.status, StatusCode::SEE_OTHER, "and typed in capitals");

    for taken in ["PETUGAS.BARU", "ｐｅｔｕｇａｓ.ｂａｒｕ"] {
        let again = create(taken).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{taken:?}");
        assert!(again.body.contains("id=\"username-error\""), "the username field carries the error");
        assert!(again.body.contains("Nama pengguna ini sudah dipakai"), "{}", again.body);
    }
    for lookalike in ["p\u{0435}tugas.baru", "petugas.baru\u{200B}"] {
        let refused = create(lookalike).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{lookalike:?}");
        assert!(refused.body.contains("id=\"username-error\""));
        assert!(refused.body.contains("Nama pengguna hanya boleh berisi huruf a–z"), "{}", refused.body);
        assert_eq!(password(&app, lookalike, PASSWORD).await.status, StatusCode::UNAUTHORIZED, "{lookalike:?}");
    }
    let kupang = org::government_by_region(&app.db, "53.71").await.unwrap();
    let names: Vec<String> =
        officers::officers_of(&app.db, kupang.id).await.unwrap().into_iter().map(|o| o.username).collect();
    assert_eq!(names.iter().filter(|n| n.contains("tugas.baru")).count(), 1, "{names:?}");
}

#[tokio::test]
async fn the_second_factor_follows_the_apps_clock_so_no_story_waits_for_the_next_code() {
    let app = TestApp::demo().await;
    officer(&app, "kadis", Role::AgencyHead, Some("disdukcapil")).await;
    let wall_step = now_step(&app);
    // An hour on: the code the phone showed an hour ago is stale, the one for the clock's time works.
    assert!(app.clock.advance(chrono::Duration::hours(1)));
    let (stale, _) = sign_in(&app, "kadis", wall_step).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "a code from an hour before is refused");
    let (current, _) = sign_in(&app, "kadis", now_step(&app)).await;
    assert_eq!((current.status, current.header("location")), (StatusCode::SEE_OTHER, "/admin"));
    assert_eq!(app.get_with_cookie("/admin", &session(&current)).await.status, StatusCode::OK);
}
