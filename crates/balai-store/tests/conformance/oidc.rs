//! Officers from the government's identity provider: a pending sign-in is taken once (and only by
//! the flow that started it), claims map to a role and a place, and the provider stays the authority
//! on later sign-ins. Citizens from a citizen identity provider: the NIK names the record held, or
//! one made from the population register, or one holding the provider's name and nothing else.

use crate::support::fixture;
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::Assurance;
use balai_domain::identity::Role;
use balai_domain::nik::Nik;
use balai_store::audit::{self, Subject};
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::oidc::{self, CitizenOrigin, ClaimedOfficer, LoginFlow, PendingLogin};
use balai_store::identity::register::RegisterRecord;
use balai_store::identity::{self, Vault};
use balai_store::{Db, StoreError};
use chrono::{Duration, Utc};

crate::conformance!(
    a_pending_sign_in_is_taken_once_and_only_before_it_expires,
    a_pending_sign_in_is_taken_only_by_the_flow_that_started_it,
    a_citizen_from_the_provider_is_the_record_held_for_the_nik,
    a_nik_only_the_register_knows_makes_the_record_from_the_register,
    a_nik_nobody_knows_makes_a_record_with_the_providers_name_alone,
    verified_contacts_are_bound_only_at_the_substantial_level_and_every_contact_is_told,
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
    oidc::begin_login(
        &mut tx,
        &vault,
        LoginFlow::Officer,
        "browser-a",
        &pending("state-a"),
        now + Duration::minutes(10),
    )
    .await
    .unwrap();
    oidc::begin_login(
        &mut tx,
        &vault,
        LoginFlow::Officer,
        "browser-b",
        &pending("state-b"),
        now - Duration::seconds(1),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (stored,): (String,) = db
        .fetch_one(balai_store::query("SELECT pkce_verifier_enc FROM oidc_logins WHERE binding_hash = 'browser-a'"))
        .await
        .unwrap();
    assert!(!stored.contains("verifier-that-must-stay-secret"), "the PKCE verifier is sealed at rest");

    let mut tx = db.begin().await.unwrap();
    let taken = oidc::take_login(&mut tx, &vault, LoginFlow::Officer, "browser-a", now)
        .await
        .unwrap()
        .expect("pending sign-in");
    assert_eq!((taken.state.as_str(), taken.pkce_verifier.as_str()), ("state-a", "verifier-that-must-stay-secret"));
    assert!(
        oidc::take_login(&mut tx, &vault, LoginFlow::Officer, "browser-a", now).await.unwrap().is_none(),
        "a second use finds nothing"
    );
    assert!(
        oidc::take_login(&mut tx, &vault, LoginFlow::Officer, "browser-b", now).await.unwrap().is_none(),
        "expired"
    );
    assert!(
        oidc::take_login(&mut tx, &vault, LoginFlow::Officer, "browser-c", now).await.unwrap().is_none(),
        "another browser"
    );
    tx.commit().await.unwrap();
}

async fn a_pending_sign_in_is_taken_only_by_the_flow_that_started_it(db: Db) {
    let vault = vault();
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    let later = now + Duration::minutes(10);
    oidc::begin_login(&mut tx, &vault, LoginFlow::Officer, "officer-browser", &pending("s-1"), later).await.unwrap();
    oidc::begin_login(&mut tx, &vault, LoginFlow::Citizen, "citizen-browser", &pending("s-2"), later).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.begin().await.unwrap();
    let crossed = oidc::take_login(&mut tx, &vault, LoginFlow::Citizen, "officer-browser", now).await.unwrap();
    assert!(crossed.is_none(), "a citizen callback cannot finish an officer's sign-in");
    let spent = oidc::take_login(&mut tx, &vault, LoginFlow::Officer, "officer-browser", now).await.unwrap();
    assert!(spent.is_none(), "the crossed attempt spent it");
    let own = oidc::take_login(&mut tx, &vault, LoginFlow::Citizen, "citizen-browser", now).await.unwrap();
    assert_eq!(own.expect("its own flow takes it").state, "s-2");
    tx.commit().await.unwrap();
}

const NIK: &str = "5371045203900003";

fn nik(text: &str) -> Nik {
    Nik::parse(text, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap()
}

async fn from_provider(
    db: &Db,
    nik: &Nik,
    name: Option<&str>,
    register: Option<&RegisterRecord>,
) -> (i64, CitizenOrigin) {
    let mut tx = db.begin().await.unwrap();
    let found = oidc::citizen_for_claims(&mut tx, &vault(), nik, name, register).await.unwrap();
    tx.commit().await.unwrap();
    found
}

async fn leaves_of_citizen(db: &Db, id: i64) -> Vec<audit::Leaf> {
    let mut tx = db.begin_read().await.unwrap();
    let subject = citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    audit::leaves_about(db, &subject).await.unwrap()
}

async fn count_citizens(db: &Db) -> i64 {
    let (n,): (i64,) = db.fetch_one(balai_store::query("SELECT COUNT(*) FROM citizens")).await.unwrap();
    n
}

async fn a_citizen_from_the_provider_is_the_record_held_for_the_nik(db: Db) {
    let mut tx = db.begin().await.unwrap();
    let held = NewCitizen { full_name: "Maria Yosefina Lado".into(), ..NewCitizen::default() };
    let id =
        citizens::create_citizen(&mut tx, &audit::Actor::system("test"), &vault(), &nik(NIK), &held).await.unwrap();
    tx.commit().await.unwrap();
    let register = RegisterRecord { full_name: "Someone Else".into(), ..RegisterRecord::default() };
    let found = from_provider(&db, &nik(NIK), Some("Nama Lain Dari Penyedia"), Some(&register)).await;
    assert_eq!(found, (id, CitizenOrigin::Held));
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(record.full_name, "Maria Yosefina Lado", "the provider's name changes nothing held");
    assert_eq!(count_citizens(&db).await, 1);
    assert_eq!(leaves_of_citizen(&db, id).await.len(), 1, "finding a record writes nothing");
}

async fn a_nik_only_the_register_knows_makes_the_record_from_the_register(db: Db) {
    let register = RegisterRecord {
        full_name: "Agustina Seran".into(),
        birth_place: "Atambua".into(),
        address: Some("Jl. Timor Raya No. 40, Kota Kupang".into()),
        phone: Some("085239100033".into()),
        ..RegisterRecord::default()
    };
    let (id, origin) = from_provider(&db, &nik("5371016605920004"), Some("Agustina S."), Some(&register)).await;
    assert_eq!(origin, CitizenOrigin::Register);
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(
        (record.full_name.as_str(), record.address.as_deref(), record.phone.as_deref()),
        ("Agustina Seran", Some("Jl. Timor Raya No. 40, Kota Kupang"), Some("+6285239100033"))
    );
    let leaves = leaves_of_citizen(&db, id).await;
    let created = &leaves[0];
    assert_eq!(
        (created.action.as_str(), created.actor_role.as_str(), created.actor_id.as_str()),
        ("identity.citizen.create", "system", "population-register")
    );
    assert!(created.subject_id.starts_with('p') && created.subject_id != id.to_string(), "named by pseudonym");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn a_nik_nobody_knows_makes_a_record_with_the_providers_name_alone(db: Db) {
    let (id, origin) = from_provider(&db, &nik("5371012304950005"), Some("  Petrus Nenobais\u{0007}  "), None).await;
    assert_eq!(origin, CitizenOrigin::Provider);
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(record.full_name, "Petrus Nenobais", "trimmed, control characters dropped");
    assert_eq!((record.address, record.phone, record.email, record.birth_date), (None, None, None, None));
    let long = "A".repeat(5000);
    let (id, _) = from_provider(&db, &nik("5371012304950006"), Some(&long), None).await;
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(record.full_name.chars().count(), oidc::MAX_NAME_CHARS, "a name from outside is bounded");
    let leaves = leaves_of_citizen(&db, id).await;
    assert_eq!((leaves[0].actor_role.as_str(), leaves[0].actor_id.as_str()), ("system", "identity-provider"));
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn bind(db: &Db, id: i64, level: Assurance, contacts: &[(Channel, &str)]) -> usize {
    let contacts: Vec<(Channel, String)> = contacts.iter().map(|(c, r)| (*c, (*r).to_owned())).collect();
    let mut tx = db.begin().await.unwrap();
    let bound = oidc::bind_verified_contacts(&mut tx, &vault(), id, level, &contacts, Lang::Id).await.unwrap();
    tx.commit().await.unwrap();
    bound
}

async fn told(db: &Db) -> Vec<String> {
    let messages = balai_store::notify::recent(db, &vault(), 50).await.unwrap();
    let mut to: Vec<String> =
        messages.into_iter().filter(|m| m.template == "contact-changed").map(|m| m.recipient).collect();
    to.sort();
    to
}

async fn verified_contacts_are_bound_only_at_the_substantial_level_and_every_contact_is_told(db: Db) {
    let mut tx = db.begin().await.unwrap();
    let held = NewCitizen {
        full_name: "Yohanes Benu".into(),
        phone: Some("+6281337700022".into()),
        email: Some("yohanes@contoh.id".into()),
        ..NewCitizen::default()
    };
    let id =
        citizens::create_citizen(&mut tx, &audit::Actor::system("test"), &vault(), &nik(NIK), &held).await.unwrap();
    tx.commit().await.unwrap();
    let new_phone = [(Channel::Sms, "+6281337700099")];

    assert_eq!(bind(&db, id, Assurance::Basic, &new_phone).await, 0, "a basic sign-in binds nothing");
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(record.phone.as_deref(), Some("+6281337700022"));
    assert!(told(&db).await.is_empty());

    assert_eq!(bind(&db, id, Assurance::Substantial, &new_phone).await, 1);
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(
        (record.phone.as_deref(), record.phone_assurance, record.email_assurance),
        (Some("+6281337700099"), Assurance::Substantial, Assurance::Basic)
    );
    assert_eq!(told(&db).await, ["+6281337700022", "+6281337700099", "yohanes@contoh.id"]);

    // The same phone again, and the e-mail address already held (in other letter case) but only at
    // the basic level: the phone is left alone, the address rises to substantial and all are told.
    let again = [(Channel::Sms, "+6281337700099"), (Channel::Email, "Yohanes@Contoh.id")];
    assert_eq!(bind(&db, id, Assurance::Substantial, &again).await, 1);
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!((record.phone_assurance, record.email_assurance), (Assurance::Substantial, Assurance::Substantial));
    assert_eq!(told(&db).await.len(), 3 + 2, "the phone and the address are told of the address");
    assert_eq!(bind(&db, id, Assurance::Substantial, &again).await, 0, "nothing left to bind");
    assert_eq!(told(&db).await.len(), 5);

    let leaves = leaves_of_citizen(&db, id).await;
    let bindings: Vec<(&str, &str)> = leaves
        .iter()
        .filter(|l| l.action == "identity.citizen.contact_from_idp")
        .map(|l| (l.actor_role.as_str(), l.actor_id.as_str()))
        .collect();
    assert_eq!(bindings, [("system", "identity-provider"); 2]);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
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
