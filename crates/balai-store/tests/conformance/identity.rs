//! Officers: accounts with a role and a place, sessions, lock-out, second factor, password reset, and
//! the authorization matrix through stored accounts.

use crate::support::{fixture, fixture_in};
use balai_domain::identity::{Action, Role, Target, permits};
use balai_store::audit::{self, Actor};
use balai_store::identity::{self, NewOfficer, PrincipalKind, Vault, officers};
use balai_store::{Db, StoreError};
use chrono::{Duration, Utc};

crate::conformance!(
    an_officer_signs_in_and_out,
    expired_sessions_do_not_open_and_are_purged,
    usernames_are_unique,
    an_officers_place_must_fit_the_role,
    failed_sign_ins_lock_the_account_with_back_off,
    a_totp_step_is_accepted_once,
    a_password_reset_ends_every_session_and_the_second_factor,
    every_stored_role_gets_exactly_the_permissions_of_its_place,
);

async fn an_admin(db: &Db, username: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = identity::create_admin(&mut tx, &Actor::system("test"), None, username, "Admin Balai", "$argon2id$fake")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn an_officer_signs_in_and_out(db: Db) {
    let id = an_admin(&db, "admin").await;
    let officer = identity::officer_by_username(&db, "admin").await.unwrap().expect("officer exists");
    assert_eq!((officer.id, officer.display_name.as_str(), officer.role()), (id, "Admin Balai", Role::GovernmentAdmin));
    assert!(identity::officer_by_username(&db, "nobody").await.unwrap().is_none());

    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    identity::open_session(&mut tx, PrincipalKind::Officer, id, "hash-1", "csrf-1", now + Duration::hours(8))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let session = identity::officer_session(&db, "hash-1", now).await.unwrap().expect("live session");
    assert_eq!((session.officer_id, session.username.as_str(), session.csrf_token.as_str()), (id, "admin", "csrf-1"));
    assert_eq!(session.principal().role, Role::GovernmentAdmin);
    let mut tx = db.begin().await.unwrap();
    identity::close_session(&mut tx, PrincipalKind::Officer, "hash-1", id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(identity::officer_session(&db, "hash-1", now).await.unwrap().is_none(), "signed out");
    let leaves = audit::leaves_about(&db, &audit::Subject::new("officers", id)).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.officer.create", "identity.officer.sign_in", "identity.officer.sign_out"]);
}

async fn expired_sessions_do_not_open_and_are_purged(db: Db) {
    let id = an_admin(&db, "admin").await;
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    identity::open_session(&mut tx, PrincipalKind::Officer, id, "old", "c", now - Duration::minutes(1)).await.unwrap();
    identity::open_session(&mut tx, PrincipalKind::Officer, id, "new", "c", now + Duration::minutes(30)).await.unwrap();
    identity::open_session(&mut tx, PrincipalKind::OfficerAwaitingTotp, id, "half", "c", now + Duration::minutes(5))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(identity::officer_session(&db, "old", now).await.unwrap().is_none());
    assert!(identity::officer_session(&db, "half", now).await.unwrap().is_none(), "a half-open session opens no page");
    assert_eq!(identity::purge_expired_sessions(&db, now).await.unwrap(), 1);
    assert!(identity::officer_session(&db, "new", now).await.unwrap().is_some());
}

async fn usernames_are_unique(db: Db) {
    an_admin(&db, "admin").await;
    let mut tx = db.begin().await.unwrap();
    let again = identity::create_admin(&mut tx, &Actor::system("test"), None, "admin", "Other", "x").await;
    assert!(matches!(again, Err(StoreError::Database(_))));
}

fn new_officer<'a>(
    role: Role,
    government: Option<i64>,
    agency: Option<i64>,
    unit: Option<i64>,
    username: &'a str,
) -> NewOfficer<'a> {
    NewOfficer {
        government_id: government,
        agency_id: agency,
        unit_id: unit,
        role,
        username,
        display_name: "Petugas",
        password_hash: "x",
    }
}

async fn an_officers_place_must_fit_the_role(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    let other = fixture_in(&mut tx, "53.01", "dukcapil-lain").await;
    tx.commit().await.unwrap();
    let g = Some(f.government.id);
    let cases = [
        (new_officer(Role::Officer, g, None, None, "a"), "agency_id"),
        (new_officer(Role::Officer, g, Some(other.agency.id), None, "b"), "agency_id"),
        (new_officer(Role::Officer, g, Some(f.agency.id), Some(other.front_desk.id), "c"), "unit_id"),
        (new_officer(Role::Auditor, g, Some(f.agency.id), None, "d"), "agency_id"),
        (new_officer(Role::Inspector, None, None, None, "e"), "government_id"),
        (new_officer(Role::Citizen, g, None, None, "f"), "role"),
    ];
    for (new, field) in cases {
        let mut tx = db.begin().await.unwrap();
        match officers::create_officer(&mut tx, &Actor::system("test"), &new).await {
            Err(StoreError::Invalid(errors)) => {
                assert!(errors.for_field(field).is_some(), "{} → {errors:?}", new.username)
            }
            other => panic!("{} should be refused, got {other:?}", new.username),
        }
    }
    let mut tx = db.begin().await.unwrap();
    officers::create_officer(
        &mut tx,
        &Actor::system("test"),
        &new_officer(Role::Officer, g, Some(f.agency.id), Some(f.records.id), "ok"),
    )
    .await
    .expect("an officer of a unit of an agency of the government");
    tx.commit().await.unwrap();
}

async fn failed_sign_ins_lock_the_account_with_back_off(db: Db) {
    let id = an_admin(&db, "admin").await;
    let now = Utc::now();
    let mut locks = Vec::new();
    for _ in 0..8 {
        let mut tx = db.begin().await.unwrap();
        locks.push(
            officers::record_failed_sign_in(&mut tx, id, now).await.unwrap().map(|until| (until - now).num_minutes()),
        );
        tx.commit().await.unwrap();
    }
    assert_eq!(locks, [None, None, None, None, Some(1), Some(2), Some(4), Some(8)]);
    let officer = officers::officer(&db, id).await.unwrap().unwrap();
    assert!(officer.is_locked(now) && !officer.is_locked(now + Duration::minutes(9)));
    let mut tx = db.begin().await.unwrap();
    officers::record_good_sign_in(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    let officer = officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!((officer.failed_sign_ins, officer.locked_until), (0, None));
    assert_eq!(officers::lockout(20), Some(Duration::hours(1)), "never more than an hour");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "counters are not audited state");
}

async fn a_totp_step_is_accepted_once(db: Db) {
    let vault = Vault::from_master(&[3; 32]);
    let id = an_admin(&db, "admin").await;
    let mut tx = db.begin().await.unwrap();
    officers::set_totp_secret(&mut tx, &Actor::officer(id), &vault, id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    assert!(officers::use_totp_step(&mut tx, id, 1000).await.unwrap());
    assert!(!officers::use_totp_step(&mut tx, id, 1000).await.unwrap(), "the same code twice");
    assert!(!officers::use_totp_step(&mut tx, id, 999).await.unwrap(), "an older code");
    assert!(officers::use_totp_step(&mut tx, id, 1001).await.unwrap());
    tx.commit().await.unwrap();
    let officer = officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!(officer.totp_secret(&vault).unwrap().as_deref(), Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
    assert!(!officer.totp_secret_enc.as_deref().unwrap().contains("JBSWY3DP"), "sealed at rest");
}

async fn a_password_reset_ends_every_session_and_the_second_factor(db: Db) {
    let vault = Vault::from_master(&[3; 32]);
    let id = an_admin(&db, "admin").await;
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    officers::set_totp_secret(&mut tx, &Actor::officer(id), &vault, id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    identity::open_session(&mut tx, PrincipalKind::Officer, id, "s1", "c", now + Duration::hours(1)).await.unwrap();
    for _ in 0..6 {
        officers::record_failed_sign_in(&mut tx, id, now).await.unwrap();
    }
    officers::reset_password(&mut tx, &Actor::officer(99), id, "$argon2id$new").await.unwrap();
    tx.commit().await.unwrap();
    let officer = officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!(officer.password_hash, "$argon2id$new");
    assert!(officer.totp_secret_enc.is_none() && !officer.is_locked(now));
    assert!(identity::officer_session(&db, "s1", now).await.unwrap().is_none(), "signed out everywhere");
    let mut tx = db.begin().await.unwrap();
    assert!(matches!(
        officers::reset_password(&mut tx, &Actor::officer(99), 12345, "x").await,
        Err(StoreError::NotFound)
    ));
}

/// Accounts of every role stored in two agencies of one government and one of another; each one's
/// principal, as read back from its session, is asked every action on every place.
async fn every_stored_role_gets_exactly_the_permissions_of_its_place(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    let neighbour = fixture_in(&mut tx, "53.01", "dukcapil-tetangga").await;
    let second_agency = balai_store::catalogue::create_agency(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        &balai_store::catalogue::NewAgency {
            code: "dpmptsp".into(),
            name: "Dinas Penanaman Modal dan PTSP".into(),
            short_name: "DPMPTSP".into(),
            address: "Kupang".into(),
            phone: "-".into(),
            email: "dpmptsp@example.go.id".into(),
            maklumat: "-".into(),
        },
    )
    .await
    .unwrap();
    let g = Some(f.government.id);
    let mut accounts = Vec::new();
    for (i, role) in Role::STAFF.into_iter().enumerate() {
        let (agency, unit) =
            if role.is_agency_bound() { (Some(f.agency.id), Some(f.front_desk.id)) } else { (None, None) };
        let name = format!("staf-{i}");
        let id = officers::create_officer(&mut tx, &Actor::system("test"), &new_officer(role, g, agency, unit, &name))
            .await
            .unwrap();
        identity::open_session(&mut tx, PrincipalKind::Officer, id, &name, "c", Utc::now() + Duration::hours(1))
            .await
            .unwrap();
        accounts.push((role, name));
    }
    tx.commit().await.unwrap();

    let places = [
        ("own unit", Target { unit_id: Some(f.front_desk.id), ..Target::agency(f.government.id, f.agency.id) }),
        ("other unit", Target { unit_id: Some(f.records.id), ..Target::agency(f.government.id, f.agency.id) }),
        ("own agency", Target::agency(f.government.id, f.agency.id)),
        ("other agency", Target::agency(f.government.id, second_agency.id)),
        ("own government", Target::government(f.government.id)),
        ("other government", Target::agency(neighbour.government.id, neighbour.agency.id)),
    ];
    let mut granted = Vec::new();
    for (role, token) in &accounts {
        let session = identity::officer_session(&db, token, Utc::now()).await.unwrap().expect("session");
        let principal = session.principal();
        assert_eq!(principal.role, *role);
        for action in Action::ALL {
            for (place, target) in &places {
                if permits(&principal, action, target) {
                    granted.push(format!("{} {action:?} {place}", role.code()));
                }
            }
        }
    }
    // The whole grant list, written out: anything else is refused.
    let mut expected = Vec::new();
    let agency_places = ["own unit", "own agency"];
    let whole_agency = ["own unit", "other unit", "own agency"];
    let government = ["own unit", "other unit", "own agency", "other agency", "own government"];
    let grant = |expected: &mut Vec<String>, role: &str, actions: &[&str], places: &[&str]| {
        for a in actions {
            for p in places {
                expected.push(format!("{role} {a} {p}"));
            }
        }
    };
    grant(&mut expected, "officer", &["WorkCase", "ReadCitizenForCase"], &agency_places);
    grant(&mut expected, "verifier", &["WorkCase", "VerifyCase", "ReadCitizenForCase"], &whole_agency);
    grant(
        &mut expected,
        "agency_head",
        &["ManageCatalogue", "WorkCase", "VerifyCase", "ReadCitizenForCase", "ViewPerformance"],
        &whole_agency,
    );
    grant(
        &mut expected,
        "government_admin",
        &["ManageCatalogue", "ManageCalendar", "ManageOfficers", "ViewPerformance", "ReadAuditLog", "ManageTemplates"],
        &government,
    );
    grant(&mut expected, "inspector", &["ViewPerformance", "ReadWhistleblowing", "ReadAuditLog"], &government);
    grant(&mut expected, "auditor", &["ViewPerformance", "ReadAuditLog"], &government);
    // Any front-desk officer, verifier or head of agency checks a KTP-el for their government.
    for role in ["officer", "verifier", "agency_head"] {
        grant(&mut expected, role, &["VerifyCitizenAtCounter"], &government);
    }
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected);
    assert_eq!(accounts.len() * Action::ALL.len() * places.len(), 6 * 15 * 6, "every role × action × place was asked");
}
