//! Officers sign in through the government's identity provider (a real OpenID Connect provider,
//! started by the test): the provider vouches for who they are and which role and agency they hold.

use crate::oidc_provider::{OidcProvider, PersonAtProvider};
use crate::support::{TestApp, TestResponse};
use axum::http::StatusCode;
use balai_store::audit;
use balai_web::WebConfig;
use balai_web::pages::identity::OidcSignIn;

async fn app_with_sso(provider: &OidcProvider) -> TestApp {
    let sso = OidcSignIn {
        provider: balai_oidc::Provider::new(provider.sign_in()).unwrap(),
        role_claim: "balai_role".into(),
        government_claim: "balai_government".into(),
        agency_claim: "balai_agency".into(),
        require_second_factor: true,
    };
    TestApp::demo_with(WebConfig {
        default_region: Some("53.71".into()),
        oidc: Some(sso),
        secure_cookies: balai_web::auth::CookieSecurity::Secure,
        ..WebConfig::default()
    })
    .await
}

/// The officer presses "sign in with SSO": the browser leaves for the provider with a binding cookie.
async fn leave_for_provider(app: &TestApp) -> (String, String) {
    let started = app.get("/admin/masuk/oidc?next=/admin/petugas/53.71").await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let binding = started.cookie("balai_oidc").expect("the browser is bound to its sign-in");
    assert!(started.header("set-cookie").contains("SameSite=Lax"), "the cookie must survive the trip back");
    (started.header("location").to_owned(), format!("balai_oidc={binding}"))
}

async fn come_back(app: &TestApp, callback: &str, cookie: &str) -> TestResponse {
    app.get_with_cookie(callback, cookie).await
}

#[tokio::test]
async fn an_officer_signs_in_through_the_governments_identity_provider() {
    let provider = OidcProvider::start();
    let app = app_with_sso(&provider).await;
    let login = app.get("/admin/masuk").await;
    assert!(login.body.contains("Masuk dengan akun SSO pemerintah"), "the sign-in page offers SSO");

    let (authorize, binding) = leave_for_provider(&app).await;
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    assert!(authorize.contains("code_challenge_method=S256"), "PKCE is used");
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "ani");

    let back = come_back(&app, &callback, &binding).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(back.body.contains(r#"http-equiv="refresh" content="0; url=/admin/petugas/53.71""#));
    let session = back.cookie("balai_admin").expect("a session opens");
    let dashboard = app.get_with_cookie("/admin", &format!("balai_admin={session}")).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Ani Wijaya"), "the provider's name is shown");

    // The officer now exists with the role and agency the provider named, and the sign-in is logged.
    let officer = balai_store::identity::officer_by_username(&app.db, "oidc:ani@kupangkota.go.id")
        .await
        .unwrap()
        .expect("the officer was created from the claims");
    assert_eq!(officer.role, "officer");
    let leaves = audit::leaves_about(&app.db, &audit::Subject::new("officers", officer.id)).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.officer.create", "identity.officer.link_oidc", "identity.officer.sign_in"]);

    // The same callback a second time (a replay) opens nothing.
    let replay = come_back(&app, &callback, &binding).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("sudah tidak berlaku"), "{}", replay.body);
    assert!(replay.cookie("balai_admin").is_none());
}

#[tokio::test]
async fn a_callback_this_browser_did_not_start_or_with_a_forged_state_is_refused() {
    let provider = OidcProvider::start();
    let app = app_with_sso(&provider).await;

    // Login CSRF: the attacker's own callback delivered to a victim's browser, which holds no binding.
    let (authorize, _attacker_binding) = leave_for_provider(&app).await;
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "ani");
    let (_, victim_binding) = leave_for_provider(&app).await;
    for cookie in ["", victim_binding.as_str()] {
        let refused = come_back(&app, &callback, cookie).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "cookie {cookie:?}");
        assert!(refused.cookie("balai_admin").is_none());
    }

    // A state that is not the one this browser was given.
    let (authorize, binding) = leave_for_provider(&app).await;
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "ani");
    let forged = callback.replace("state=", "state=x");
    let refused = come_back(&app, &forged, &binding).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // The pending sign-in is spent: the genuine callback no longer works either.
    assert_eq!(come_back(&app, &callback, &binding).await.status, StatusCode::UNAUTHORIZED);
    assert!(balai_store::identity::officer_by_username(&app.db, "oidc:ani@kupangkota.go.id").await.unwrap().is_none());
}

#[tokio::test]
async fn the_provider_must_vouch_for_a_role_and_for_a_second_factor_where_the_role_needs_one() {
    let provider = OidcProvider::start();
    let app = app_with_sso(&provider).await;
    // Each person signs in from a browser of their own (the provider remembers who signed in).
    let person = || PersonAtProvider::new();

    let (authorize, binding) = leave_for_provider(&app).await;
    let refused = come_back(&app, &person().sign_in_as(&authorize, "tamu"), &binding).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("klaim balai_role"), "the missing claim is named: {}", refused.body);

    // An agency head who used only a password at the provider.
    let (authorize, binding) = leave_for_provider(&app).await;
    let refused = come_back(&app, &person().sign_in_as(&authorize, "eko"), &binding).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("verifikasi dua langkah"), "{}", refused.body);

    // A government admin whose provider sign-in used a one-time code needs no second TOTP here.
    let (authorize, binding) = leave_for_provider(&app).await;
    let back = come_back(&app, &person().sign_in_as(&authorize, "budi"), &binding).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let session = back.cookie("balai_admin").expect("signed in");
    let officers = app.get_with_cookie("/admin/petugas/53.71", &format!("balai_admin={session}")).await;
    assert_eq!(officers.status, StatusCode::OK, "a government admin manages officers");
    for refused_username in ["oidc:tamu@contoh.test", "oidc:eko@kupangkota.go.id"] {
        let officer = balai_store::identity::officer_by_username(&app.db, refused_username).await.unwrap();
        assert!(officer.is_none(), "{refused_username} was not created");
    }
}
