//! Officers from the government's identity provider: a pending sign-in is taken once, claims map
//! to a role and a place, and the provider stays the authority on later sign-ins.

use crate::support::fixture;
use balai_domain::identity::Role;
use balai_store::audit::{self, Subject};
use balai_store::identity::oidc::{self, ClaimedOfficer, PendingLogin};
use balai_store::identity::{self, Vault};
use balai_store::{Db, StoreError};
use chrono::{Duration, Utc};

crate::conformance!(
    a_pending_sign_in_is_taken_once_and_only_before_it_expires,
    claims_make_an_officer_with_role_and_place,
    the_provider_stays_the_authority_on_role_and_place,
    claims_without_a_known_role_or_place_are_refused_by_name,
);

fn vault() -> Vault {
    Vault::from_master(&[9; 32])
}

fn pending(state: &str) -> PendingLogin {
    PendingLogin {
        state: state.into(),
        nonce: "nonce-1".into(),
        pkce_verifier: "verifier-that-must-stay-secret".into(),
        next_path: "/admin".into(),
    }
}

async fn a_pending_sign_in_is_taken_once_and_only_before_it_expires(db: Db) {
    let vault = vault();
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    oidc::begin_login(&mut tx, &vault, "browser-a", &pending("state-a"), now + Duration::minutes(10)).await.unwrap();
    oidc::begin_login(&mut tx, &vault, "browser-b", &pending("state-b"), now - Duration::seconds(1)).await.unwrap();
    tx.commit().await.unwrap();
    let (stored,): (String,) = db
        .fetch_one(balai_store::query("SELECT pkce_verifier_enc FROM oidc_logins WHERE binding_hash = 'browser-a'"))
        .await
        .unwrap();
    assert!(!stored.contains("verifier-that-must-stay-secret"), "the PKCE verifier is sealed at rest");

    let mut tx = db.begin().await.unwrap();
    let taken = oidc::take_login(&mut tx, &vault, "browser-a", now).await.unwrap().expect("pending sign-in");
    assert_eq!((taken.state.as_str(), taken.pkce_verifier.as_str()), ("state-a", "verifier-that-must-stay-secret"));
    assert!(oidc::take_login(&mut tx, &vault, "browser-a", now).await.unwrap().is_none(), "a second use finds nothing");
    assert!(oidc::take_login(&mut tx, &vault, "browser-b", now).await.unwrap().is_none(), "expired");
    assert!(oidc::take_login(&mut tx, &vault, "browser-c", now).await.unwrap().is_none(), "another browser");
    tx.commit().await.unwrap();
}

fn ani<'a>() -> ClaimedOfficer<'a> {
    ClaimedOfficer {
        issuer: "http://127.0.0.1:9/",
        subject: "ani",
        login_name: "ani@kupangkota.go.id",
        display_name: "Ani Wijaya",
        role: Some("officer"),
        government_region: Some("5371"),
        agency_code: Some("DISDUKCAPIL"),
    }
}

async fn sign_in(db: &Db, claimed: &ClaimedOfficer<'_>) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id = oidc::sign_in_claimed(&mut tx, claimed).await?;
    tx.commit().await?;
    Ok(id)
}

async fn claims_make_an_officer_with_role_and_place(db: Db) {
    let f = fixture(&db).await;
    let id = sign_in(&db, &ani()).await.unwrap();
    let officer = identity::officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!(officer.username, "oidc:ani@kupangkota.go.id");
    assert_eq!(officer.display_name, "Ani Wijaya");
    assert_eq!(officer.role(), Role::Officer);
    assert_eq!((officer.government_id, officer.agency_id), (Some(f.government.id), Some(f.agency.id)));
    assert_eq!(sign_in(&db, &ani()).await.unwrap(), id, "the same subject is the same officer");
    // No password opens this account.
    assert!(!officer.password_hash.starts_with("$argon2"));
    let leaves = audit::leaves_about(&db, &Subject::new("officers", id)).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.officer.create", "identity.officer.link_oidc"]);
    let verified = audit::verify(&db, &[]).await.unwrap();
    assert!(verified.is_ok(), "{:?}", verified.err());
}

async fn the_provider_stays_the_authority_on_role_and_place(db: Db) {
    let f = fixture(&db).await;
    let id = sign_in(&db, &ani()).await.unwrap();
    let promoted = ClaimedOfficer { role: Some("agency_head"), ..ani() };
    assert_eq!(sign_in(&db, &promoted).await.unwrap(), id);
    let officer = identity::officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!((officer.role(), officer.agency_id), (Role::AgencyHead, Some(f.agency.id)));
    let moved = ClaimedOfficer { role: Some("government_admin"), agency_code: None, ..ani() };
    sign_in(&db, &moved).await.unwrap();
    let officer = identity::officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!((officer.role(), officer.agency_id), (Role::GovernmentAdmin, None));
    let leaves = audit::leaves_about(&db, &Subject::new("officers", id)).await.unwrap();
    let updates = leaves.iter().filter(|l| l.action == "identity.officer.update_from_oidc").count();
    assert_eq!(updates, 2, "each change of role or place is a leaf; an unchanged sign-in is not");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn claims_without_a_known_role_or_place_are_refused_by_name(db: Db) {
    fixture(&db).await;
    let cases: [(ClaimedOfficer, &str); 5] = [
        (ClaimedOfficer { role: None, ..ani() }, "role"),
        (ClaimedOfficer { role: Some("citizen"), ..ani() }, "role"),
        (ClaimedOfficer { role: Some("superuser"), ..ani() }, "role"),
        (ClaimedOfficer { government_region: Some("3171"), ..ani() }, "government"),
        (ClaimedOfficer { agency_code: Some("dinas-fiktif"), ..ani() }, "agency"),
    ];
    for (claimed, field) in cases {
        match sign_in(&db, &claimed).await {
            Err(StoreError::Invalid(errors)) => {
                assert!(errors.for_field(field).is_some(), "{field} should be named in {errors:?}")
            }
            other => panic!("expected a refusal naming {field}, got {other:?}"),
        }
    }
    let (count,): (i64,) =
        db.fetch_one(balai_store::query("SELECT COUNT(*) FROM officers WHERE oidc_subject IS NOT NULL")).await.unwrap();
    assert_eq!(count, 0, "nothing half-written");
}
