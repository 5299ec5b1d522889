//! Citizens sign in through a citizen identity provider (a real OpenID Connect provider, started by
//! the test, playing the national digital identity): the provider vouches for the NIK, its `acr` for
//! the level; the record is the one held, or one made from the population register, or one holding
//! the provider's name alone.

use crate::oidc_provider::{OidcProvider, PersonAtProvider, SUBSTANTIAL_ACR};
use crate::support::{Engine, TestApp, TestResponse, demo_register};
use axum::http::StatusCode;
use balai_domain::identity::Assurance;
use balai_store::audit;
use balai_store::identity::citizens;
use balai_web::WebConfig;
use balai_web::auth::CookieSecurity;
use balai_web::pages::identity::CitizenIdp;

async fn app_with_idp(provider: &OidcProvider) -> TestApp {
    app_with_idp_on(provider, Engine::Sqlite).await.expect("SQLite is always there")
}

async fn app_with_idp_on(provider: &OidcProvider, engine: Engine) -> Option<TestApp> {
    let idp = CitizenIdp {
        provider: balai_oidc::Provider::new(provider.citizen_sign_in()).unwrap(),
        nik_claim: "nik".into(),
        substantial_acr: vec![SUBSTANTIAL_ACR.into()],
    };
    let config = WebConfig {
        default_region: Some("53.71".into()),
        register: demo_register(),
        citizen_oidc: Some(idp),
        secure_cookies: CookieSecurity::Secure,
        ..WebConfig::default()
    };
    TestApp::demo_with_on(config, engine).await
}

/// Stories that take the provider and an app, run on SQLite and on PostgreSQL (when configured).
macro_rules! with_provider_on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let provider = super::OidcProvider::start();
                    let app = super::app_with_idp_on(&provider, super::Engine::Sqlite).await.unwrap();
                    super::$name(&provider, app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let provider = super::OidcProvider::start();
                    let Some(app) = super::app_with_idp_on(&provider, super::Engine::Postgres).await else {
                        eprintln!("BALAI_TEST_POSTGRES_URL is not set: the PostgreSQL run of this story is skipped");
                        return;
                    };
                    super::$name(&provider, app).await;
                }
            )*
        }
    };
}

with_provider_on_both_engines!(
    a_citizen_signs_in_through_the_digital_identity_at_the_substantial_level,
    at_an_acr_not_listed_as_substantial_the_session_is_basic,
    a_nik_the_register_knows_creates_the_record_from_the_register,
    at_the_substantial_level_the_providers_verified_contacts_are_bound_and_every_contact_is_told,
    a_nik_nobody_knows_creates_a_record_with_the_providers_name_alone,
);

/// The citizen follows "sign in with your digital identity": the browser leaves for the provider
/// with a binding cookie.
async fn leave_for_provider(app: &TestApp, next: &str) -> (String, String) {
    let started = app.get(&format!("/masuk/idp?next={next}")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let binding = started.cookie("balai_idp").expect("the browser is bound to its sign-in");
    assert!(started.header("set-cookie").contains("SameSite=Lax"), "the cookie must survive the trip back");
    (started.header("location").to_owned(), format!("balai_idp={binding}"))
}

/// Signs in at the provider as `username` from a fresh browser and comes back with the binding.
async fn sign_in_through_provider(app: &TestApp, username: &str, next: &str) -> TestResponse {
    let (authorize, binding) = leave_for_provider(app, next).await;
    let callback = PersonAtProvider::new().sign_in_as(&authorize, username);
    assert!(callback.starts_with("/masuk/idp/callback?"), "{callback}");
    app.get_with_cookie(&callback, &binding).await
}

/// The account page the session cookie of a sign-in opens.
async fn account(app: &TestApp, back: &TestResponse) -> TestResponse {
    let session = back.cookie("balai_citizen").expect("a citizen session opens");
    let page = app.get_with_cookie("/akun", &format!("balai_citizen={session}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

async fn citizen_count(app: &TestApp) -> i64 {
    citizens::count(&app.db).await.unwrap()
}

/// The record Balai holds for a NIK.
async fn record_of(app: &TestApp, nik: &str) -> citizens::Citizen {
    let nik = balai_domain::nik::Nik::parse(nik, balai_web::identity::today()).unwrap();
    let mut tx = app.db.begin_read().await.unwrap();
    let record = citizens::citizen_by_nik(&mut tx, &app.vault, &nik).await.unwrap().expect("a record");
    tx.commit().await.unwrap();
    record
}

async fn a_citizen_signs_in_through_the_digital_identity_at_the_substantial_level(
    provider: &OidcProvider,
    app: TestApp,
) {
    let sign_in = app.get("/masuk?next=/akun/akses").await;
    assert!(sign_in.body.contains("Masuk dengan identitas digital"), "the sign-in page offers the provider");
    assert!(sign_in.body.contains(r#"href="/masuk/idp?next=%2Fakun%2Fakses""#), "{}", sign_in.body);

    let (authorize, binding) = leave_for_provider(&app, "/akun").await;
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    assert!(authorize.contains("code_challenge_method=S256"), "PKCE is used");
    assert!(authorize.contains("nonce="), "a nonce binds the ID token to this sign-in");
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "maria");
    let citizens_before = citizen_count(&app).await;

    let back = app.get_with_cookie(&callback, &binding).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    // A page that moves on by itself: the Strict session cookie is withheld on the provider's redirect.
    assert!(back.body.contains(r#"http-equiv="refresh" content="0; url=/akun""#), "{}", back.body);
    assert!(back.header("set-cookie").contains("SameSite=Strict"), "the session cookie is Strict");
    let page = account(&app, &back).await;
    assert!(page.body.contains("Maria Yosefina Lado"));
    assert!(page.body.contains("id=\"assurance\">substansial<"), "the provider's acr sets the level: {}", page.body);
    assert!(page.body.contains("Jl. Frans Seda No. 12"), "the full record (address) is shown at this level");
    assert_eq!(citizen_count(&app).await, citizens_before, "the record held for the NIK is used");

    // The sign-in is a leaf of the public log, naming the citizen by pseudonym.
    let nik = balai_domain::nik::Nik::parse(balai_store::seed::DEMO_CITIZEN_NIK, balai_web::identity::today()).unwrap();
    let mut tx = app.db.begin_read().await.unwrap();
    let id = citizens::citizen_id_by_nik(&mut tx, &app.vault, &nik).await.unwrap().unwrap();
    let subject = citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    let leaves = audit::leaves_about(&app.db, &subject).await.unwrap();
    assert_eq!(leaves.last().unwrap().action, "identity.citizen.sign_in");
    assert_ne!(subject.id, id.to_string(), "the log names a pseudonym, not the record's id");

    // The same callback a second time (a replay) opens nothing.
    let replay = app.get_with_cookie(&callback, &binding).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("sudah tidak berlaku"), "{}", replay.body);
    assert!(replay.cookie("balai_citizen").is_none());
}

async fn at_an_acr_not_listed_as_substantial_the_session_is_basic(_provider: &OidcProvider, app: TestApp) {
    let back = sign_in_through_provider(&app, "maria-low", "/akun").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let page = account(&app, &back).await;
    assert!(page.body.contains("Maria Yosefina Lado"), "signed in as the NIK's citizen");
    assert!(page.body.contains("dasar"), "{}", page.body);
    assert!(page.body.contains("id=\"assurance\">dasar<"), "not substantial");
    assert!(!page.body.contains("Jl. Frans Seda"), "the address needs the substantial level");
}

#[tokio::test]
async fn an_id_token_without_a_valid_nik_is_refused() {
    let provider = OidcProvider::start();
    let app = app_with_idp(&provider).await;
    let citizens_before = citizen_count(&app).await;
    // `tamu` has no NIK claim at all; `nik-rusak` has one that is not a NIK.
    for username in ["tamu", "nik-rusak"] {
        let refused = sign_in_through_provider(&app, username, "/akun").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{username}");
        assert!(refused.body.contains("tidak menyertakan NIK yang sah (klaim nik)"), "{}", refused.body);
        assert!(refused.body.contains(r#"href="/masuk?next=%2Fakun""#), "the code sign-in is offered instead");
        assert!(refused.cookie("balai_citizen").is_none(), "{username} is not signed in");
    }
    assert_eq!(citizen_count(&app).await, citizens_before, "no record is made");
}

#[tokio::test]
async fn a_callback_this_browser_did_not_start_or_with_a_forged_state_is_refused() {
    let provider = OidcProvider::start();
    let app = app_with_idp(&provider).await;

    // Login CSRF: the attacker's own callback delivered to a victim's browser, which holds no binding,
    // or holds a binding of its own sign-in.
    let (authorize, _attacker_binding) = leave_for_provider(&app, "/akun").await;
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "maria");
    let (_, victim_binding) = leave_for_provider(&app, "/akun").await;
    // An officer's binding cookie value under the citizen cookie's name is no binding either.
    let officer_style = victim_binding.replace("balai_idp=", "balai_oidc=");
    for cookie in ["", victim_binding.as_str(), officer_style.as_str()] {
        let refused = app.get_with_cookie(&callback, cookie).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "cookie {cookie:?}");
        assert!(refused.cookie("balai_citizen").is_none());
    }

    // A state that is not the one this browser was given.
    let (authorize, binding) = leave_for_provider(&app, "/akun").await;
    let callback = PersonAtProvider::new().sign_in_as(&authorize, "maria");
    let forged = callback.replace("state=", "state=x");
    let refused = app.get_with_cookie(&forged, &binding).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.cookie("balai_citizen").is_none());
    // The pending sign-in is spent: the genuine callback no longer works either.
    let late = app.get_with_cookie(&callback, &binding).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert!(late.cookie("balai_citizen").is_none());
}

async fn a_nik_the_register_knows_creates_the_record_from_the_register(_provider: &OidcProvider, app: TestApp) {
    let citizens_before = citizen_count(&app).await;
    // Also: a `next` leading off the site is replaced by the account page.
    let back = sign_in_through_provider(&app, "agustina", "/%09/evil.example").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(back.body.contains(r#"content="0; url=/akun""#), "{}", back.body);
    let page = account(&app, &back).await;
    assert!(page.body.contains("Agustina Seran"));
    assert!(page.body.contains("Jl. Timor Raya No. 40"), "the address comes from the population register");
    assert_eq!(citizen_count(&app).await, citizens_before + 1);
    let record = record_of(&app, balai_store::seed::DEMO_REGISTER_ONLY_NIK).await;
    assert_eq!(record.email, None, "an address the provider has not verified is not bound");
    assert_eq!(record.phone.as_deref(), Some("+6285239100033"), "the register's phone, at the basic level");
}

async fn at_the_substantial_level_the_providers_verified_contacts_are_bound_and_every_contact_is_told(
    _provider: &OidcProvider,
    app: TestApp,
) {
    const YOHANES: &str = "5371011708850002";
    let sent_before = app.outbox_len().await;

    // Signed in at a low level, the provider's contacts are not taken.
    let back = sign_in_through_provider(&app, "yohanes-low", "/akun").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let record = record_of(&app, YOHANES).await;
    assert_eq!((record.email.as_deref(), record.phone.as_deref()), (None, Some("+6281337700022")));
    assert_eq!(app.outbox_len().await, sent_before, "nothing bound, nobody told");

    // At the substantial level they are bound at that level.
    let back = sign_in_through_provider(&app, "yohanes", "/akun").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let record = record_of(&app, YOHANES).await;
    assert_eq!(
        (record.email.as_deref(), record.email_assurance, record.phone.as_deref(), record.phone_assurance),
        (Some("yohanes.benu@contoh.id"), Assurance::Substantial, Some("+6281337700099"), Assurance::Substantial)
    );
    // The old phone, the new phone and the new address are each told.
    let notices = balai_store::notify::recent(&app.db, &app.vault, 50).await.unwrap();
    let mut told: Vec<&str> =
        notices.iter().filter(|m| m.template == "contact-changed").map(|m| m.recipient.as_str()).collect();
    told.sort();
    told.dedup();
    assert_eq!(told, ["+6281337700022", "+6281337700099", "yohanes.benu@contoh.id"]);
    let notice = notices.iter().find(|m| m.recipient == "+6281337700022").unwrap();
    assert!(notice.body.contains("penyedia identitas digital"), "{}", notice.body);
    assert!(!notice.body.contains("+6281337700099"), "the notice shows the new contact masked");
    let mut tx = app.db.begin_read().await.unwrap();
    let subject = citizens::audit_subject(&mut tx, record.id).await.unwrap();
    tx.commit().await.unwrap();
    let leaves = audit::leaves_about(&app.db, &subject).await.unwrap();
    let bindings: Vec<(&str, &str)> = leaves
        .iter()
        .filter(|l| l.action == "identity.citizen.contact_from_idp")
        .map(|l| (l.actor_role.as_str(), l.actor_id.as_str()))
        .collect();
    assert_eq!(bindings, [("system", "identity-provider"); 2], "the provider answers for each binding");

    // Signing in again changes nothing and tells nobody.
    let sent = app.outbox_len().await;
    sign_in_through_provider(&app, "yohanes", "/akun").await;
    assert_eq!(app.outbox_len().await, sent);
}

async fn a_nik_nobody_knows_creates_a_record_with_the_providers_name_alone(_provider: &OidcProvider, app: TestApp) {
    let back = sign_in_through_provider(&app, "petrus", "/akun").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let page = account(&app, &back).await;
    assert!(page.body.contains("Petrus Nenobais"), "the provider's name");
    assert!(page.body.contains("dasar"), "a low acr: basic");
    // Signing in again finds the same record.
    let before = citizen_count(&app).await;
    let again = sign_in_through_provider(&app, "petrus", "/akun").await;
    assert!(account(&app, &again).await.body.contains("Petrus Nenobais"));
    assert_eq!(citizen_count(&app).await, before, "one record per NIK");
}

#[tokio::test]
async fn without_a_configured_provider_there_is_no_way_to_one() {
    let app = TestApp::demo().await;
    let sign_in = app.get("/masuk").await;
    assert!(!sign_in.body.contains("/masuk/idp"), "no link to a provider that does not exist");
    assert_eq!(app.get("/masuk/idp").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/masuk/idp/callback?code=x&state=y").await.status, StatusCode::NOT_FOUND);
}
