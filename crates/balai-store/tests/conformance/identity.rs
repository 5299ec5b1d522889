//! Officers: accounts with a role and a place, sessions, lock-out, second factor, password reset, and
//! the authorization matrix through stored accounts.

use crate::support::{fixture, fixture_in};
use balai_domain::identity::{Action, Role, Target, permits};
use balai_domain::validation::Rule;
use balai_store::audit::{self, Actor};
use balai_store::identity::{self, NewOfficer, PrincipalKind, Vault, officers};
use balai_store::{Db, StoreError, query};
use chrono::{DateTime, Duration, Utc};

crate::conformance!(
    an_officer_signs_in_and_out,
    expired_sessions_do_not_open_and_are_purged,
    usernames_are_unique,
    usernames_are_folded_on_create_and_on_lookup_and_lookalikes_are_refused,
    stored_usernames_are_brought_to_normal_form_with_a_leaf_unless_taken,
    an_officers_place_must_fit_the_role,
    failed_sign_ins_lock_an_account_for_at_most_the_window_known_or_not,
    failed_sign_ins_from_one_client_refuse_that_client_only,
    a_totp_step_is_accepted_once,
    a_password_reset_ends_every_session_and_the_second_factor,
    every_stored_role_gets_exactly_the_permissions_of_its_place,
    an_officer_command_refuses_a_revoked_or_unpermitted_officer_and_writes_nothing,
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
    for again in ["admin", "ADMIN", " Admin ", "ａｄｍｉｎ"] {
        let mut tx = db.begin().await.unwrap();
        match identity::create_admin(&mut tx, &Actor::system("test"), None, again, "Other", "x").await {
            Err(StoreError::Invalid(errors)) => {
                assert_eq!(errors.for_field("username"), Some(&Rule::Duplicate), "{again:?}")
            }
            other => panic!("{again:?} should be taken, got {other:?}"),
        }
    }
}

async fn usernames_are_folded_on_create_and_on_lookup_and_lookalikes_are_refused(db: Db) {
    let id = an_admin(&db, "Petugas.Kupang").await;
    let stored = officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!(stored.username, "petugas.kupang", "stored in normal form");
    for typed in ["petugas.kupang", "PETUGAS.KUPANG", " Petugas.Kupang ", "ｐｅｔｕｇａｓ.ｋｕｐａｎｇ"] {
        let found = identity::officer_by_username(&db, typed).await.unwrap().map(|o| o.id);
        assert_eq!(found, Some(id), "{typed:?}");
    }
    for lookalike in ["p\u{0435}tugas.kupang", "petugas.kupang\u{200B}", "petugas\u{00AD}.kupang"] {
        assert!(identity::officer_by_username(&db, lookalike).await.unwrap().is_none(), "{lookalike:?}");
        let mut tx = db.begin().await.unwrap();
        match identity::create_admin(&mut tx, &Actor::system("test"), None, lookalike, "Tiruan", "x").await {
            Err(StoreError::Invalid(errors)) => {
                assert!(matches!(errors.for_field("username"), Some(Rule::Format { .. })), "{lookalike:?}: {errors:?}")
            }
            other => panic!("{lookalike:?} should be refused, got {other:?}"),
        }
    }
}

/// Accounts from before usernames were normalised: `Budi` becomes `budi`; `PETUGAS` stays while
/// `petugas` exists, and signs in typed exactly.
async fn stored_usernames_are_brought_to_normal_form_with_a_leaf_unless_taken(db: Db) {
    let budi = an_admin(&db, "budi").await;
    let petugas = an_admin(&db, "petugas").await;
    let shouting = an_admin(&db, "petugas2").await;
    let spaced = an_admin(&db, "ani").await;
    for (id, legacy) in [(budi, "Budi"), (shouting, "PETUGAS"), (spaced, "Ani Lado")] {
        db.execute(balai_store::query("UPDATE officers SET username = $1 WHERE id = $2").bind(legacy).bind(id))
            .await
            .unwrap();
    }
    let mut left = officers::normalise_usernames(&db).await.unwrap();
    left.sort();
    assert_eq!(left, [(shouting, "PETUGAS".to_owned()), (spaced, "Ani Lado".to_owned())]);
    assert_eq!(officers::officer(&db, budi).await.unwrap().unwrap().username, "budi");
    let leaves = audit::leaves_about(&db, &audit::Subject::new("officers", budi)).await.unwrap();
    assert_eq!(leaves.last().unwrap().action, "identity.officer.username_normalise");
    let found = |typed: &'static str| {
        let db = db.clone();
        async move { identity::officer_by_username(&db, typed).await.unwrap().map(|o| o.id) }
    };
    assert_eq!(found("BUDI").await, Some(budi));
    assert_eq!(found("PETUGAS").await, Some(shouting), "the name that could not be folded, typed exactly");
    assert_eq!(found("petugas").await, Some(petugas));
    assert_eq!(found("Petugas").await, Some(petugas));
    assert_eq!(found("Ani Lado").await, Some(spaced));
    assert!(db.migrate().await.is_ok(), "migrating again changes nothing");
    assert_eq!(officers::officer(&db, shouting).await.unwrap().unwrap().username, "PETUGAS");
    // The two renamed behind the log's back are still named; the migrated one is not.
    match audit::verify(&db, &[]).await.unwrap() {
        Err(audit::Finding::AlteredRecord { table, id, .. }) => {
            assert_eq!(table, "officers");
            assert_ne!(id, budi.to_string());
        }
        other => panic!("expected an altered officer, got {other:?}"),
    }
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

/// Now, to the microsecond both engines keep.
fn now_micros() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap()
}

async fn failures(
    db: &Db,
    vault: &Vault,
    account: Option<&str>,
    officer: Option<i64>,
    client: &str,
    at: DateTime<Utc>,
    n: usize,
) {
    let mut tx = db.begin().await.unwrap();
    for _ in 0..n {
        officers::record_failed_sign_in(&mut tx, vault, account, officer, client, at).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn failed_sign_ins_lock_an_account_for_at_most_the_window_known_or_not(db: Db) {
    let vault = Vault::from_master(&[3; 32]);
    let id = an_admin(&db, "admin").await;
    let now = now_micros();
    let refused = |account: &'static str, client: &'static str, at: DateTime<Utc>| {
        let (db, vault) = (db.clone(), vault.clone());
        async move { officers::sign_in_refused(&db, &vault, account, client, at).await.unwrap() }
    };
    let start = now - Duration::minutes(3);
    for (i, client) in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"].into_iter().enumerate() {
        failures(&db, &vault, Some("admin"), Some(id), client, start + Duration::seconds(i as i64), 1).await;
    }
    assert_eq!(refused("admin", "192.0.2.9", now).await, None, "four failures are allowed");
    failures(&db, &vault, Some("admin"), Some(id), "192.0.2.5", start + Duration::seconds(4), 1).await;
    let lock = refused("admin", "192.0.2.9", now).await;
    assert_eq!(lock, Some(officers::SignInRefused::Account { until: start + Duration::minutes(15) }));
    assert!(lock.unwrap().until() <= now + Duration::minutes(15), "never longer than the window");
    assert_eq!(refused("admin", "192.0.2.9", start + Duration::minutes(15) + Duration::seconds(1)).await, None);
    // Hammering the locked account counts against the client, never extends the lock.
    failures(&db, &vault, None, Some(id), "192.0.2.9", now, 10).await;
    assert_eq!(refused("admin", "192.0.2.9", now).await.map(|r| r.until()), Some(start + Duration::minutes(15)));
    assert_eq!(officers::locked_officers(&db, 1, now).await.unwrap(), Vec::<i64>::new(), "admin has no government");

    // A username nobody has locks exactly alike.
    failures(&db, &vault, Some("nobody"), None, "192.0.2.7", start, 5).await;
    assert_eq!(
        refused("nobody", "192.0.2.8", now).await,
        Some(officers::SignInRefused::Account { until: start + Duration::minutes(15) })
    );

    let mut tx = db.begin().await.unwrap();
    officers::record_good_sign_in(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(refused("admin", "192.0.2.9", now).await, None, "a good sign-in clears the account");
    assert_eq!(officers::purge_old_sign_in_failures(&db, now + Duration::minutes(16)).await.unwrap(), 15);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "failures are not audited state");
}

async fn failed_sign_ins_from_one_client_refuse_that_client_only(db: Db) {
    let vault = Vault::from_master(&[3; 32]);
    let now = now_micros();
    for i in 0..20 {
        let account = format!("tebakan{i}");
        failures(&db, &vault, Some(&account), None, "2001:db8:1:2::/64", now - Duration::minutes(1), 1).await;
    }
    let refused = officers::sign_in_refused(&db, &vault, "admin", "2001:db8:1:2::/64", now).await.unwrap();
    assert_eq!(
        refused,
        Some(officers::SignInRefused::Client { until: now - Duration::minutes(1) + Duration::minutes(15) })
    );
    assert_eq!(officers::sign_in_refused(&db, &vault, "admin", "192.0.2.1", now).await.unwrap(), None);
    assert_eq!(
        officers::sign_in_refused(&db, &vault, "tebakan0", "192.0.2.1", now).await.unwrap(),
        None,
        "one failure does not lock the account"
    );
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
        officers::record_failed_sign_in(&mut tx, &vault, Some("admin"), Some(id), "192.0.2.1", now).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert!(officers::sign_in_refused(&db, &vault, "admin", "192.0.2.2", now).await.unwrap().is_some());
    let mut tx = db.begin().await.unwrap();
    officers::reset_password(&mut tx, &Actor::officer(99), id, "$argon2id$new").await.unwrap();
    tx.commit().await.unwrap();
    let officer = officers::officer(&db, id).await.unwrap().unwrap();
    assert_eq!(officer.password_hash, "$argon2id$new");
    assert!(officer.totp_secret_enc.is_none());
    assert_eq!(officers::sign_in_refused(&db, &vault, "admin", "192.0.2.2", now).await.unwrap(), None, "unlocked");
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
    let second_agency = balai_store::org::create_agency(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        &balai_store::org::NewAgency {
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
        ("own unit", Target::unit(f.government.id, f.agency.id, f.front_desk.id)),
        ("other unit", Target::unit(f.government.id, f.agency.id, f.records.id)),
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
    grant(&mut expected, "officer", &["WorkCase", "ReadCitizenForCase", "RecordSurvey"], &agency_places);
    grant(&mut expected, "verifier", &["WorkCase", "VerifyCase", "ReadCitizenForCase", "RecordSurvey"], &whole_agency);
    grant(
        &mut expected,
        "agency_head",
        &["ManageCatalogue", "WorkCase", "VerifyCase", "ReadCitizenForCase", "ViewPerformance", "RecordSurvey"],
        &whole_agency,
    );
    grant(
        &mut expected,
        "government_admin",
        &[
            "ManageCatalogue",
            "ManageCalendar",
            "ManageOfficers",
            "ViewPerformance",
            "ReadAuditLog",
            "ManageTemplates",
            "ManageComplaints",
            "RecordSurvey",
        ],
        &government,
    );
    grant(&mut expected, "inspector", &["ViewPerformance", "ReadWhistleblowing", "ReadAuditLog"], &government);
    grant(&mut expected, "auditor", &["ViewPerformance", "ReadAuditLog"], &government);
    // Every agency's staff read their agency's dashboard; those who oversee the government, any agency's.
    for role in ["officer", "verifier", "agency_head"] {
        grant(&mut expected, role, &["ViewDashboard"], &whole_agency);
    }
    for role in ["government_admin", "inspector", "auditor"] {
        grant(&mut expected, role, &["ViewDashboard"], &government);
    }
    // The receiving treasurer reconciles and asks for refunds; a second treasurer or the head of the
    // agency whose fee it was approves them.
    grant(&mut expected, "treasurer", &["ReconcilePayments", "RequestRefund", "ApproveRefund"], &government);
    grant(&mut expected, "agency_head", &["ApproveRefund"], &whole_agency);
    // Any front-desk officer, verifier or head of agency checks a KTP-el for their government.
    for role in ["officer", "verifier", "agency_head"] {
        grant(&mut expected, role, &["VerifyCitizenAtCounter"], &government);
    }
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected);
    assert_eq!(accounts.len() * Action::ALL.len() * places.len(), 7 * 21 * 6, "every role × action × place was asked");
}

/// The officer commands judge the caller against their account inside the transaction: an admin
/// whose role was revoked a moment ago, or an officer whose role never managed officers, is refused
/// with `Forbidden`, and no officer row, password or audit leaf is written.
async fn an_officer_command_refuses_a_revoked_or_unpermitted_officer_and_writes_nothing(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    let admin = identity::create_admin(
        &mut tx,
        &Actor::system("test"),
        Some(f.government.id),
        "admin.kupang",
        "Admin Kupang",
        "$argon2id$fake",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let new = |username| NewOfficer {
        government_id: Some(f.government.id),
        agency_id: Some(f.agency.id),
        unit_id: None,
        role: Role::Officer,
        username,
        display_name: "Petugas",
        password_hash: "$argon2id$fake",
    };

    // Permitted: the admin creates an officer, with its leaf naming the admin.
    let ani = officers::create_officer_as_officer(&db, admin, &new("ani")).await.unwrap();
    let leaves = audit::leaves_about(&db, &audit::Subject::new("officers", ani)).await.unwrap();
    assert_eq!(leaves.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(), ["identity.officer.create"]);

    // An officer of the agency may not manage officers: refused, nothing written.
    let head = audit::head(&db).await.unwrap().0;
    assert!(matches!(officers::create_officer_as_officer(&db, ani, &new("budi")).await, Err(StoreError::Forbidden)));
    assert!(matches!(
        officers::reset_password_as_officer(&db, ani, f.government.id, admin, "$argon2id$taken").await,
        Err(StoreError::Forbidden)
    ));
    assert!(identity::officer_by_username(&db, "budi").await.unwrap().is_none());
    assert_eq!(officers::officer(&db, admin).await.unwrap().unwrap().password_hash, "$argon2id$fake");
    assert_eq!(audit::head(&db).await.unwrap().0, head, "no leaf for a refused command");

    // The admin's role is revoked (the session they hold still names the old role): refused too.
    db.execute(query("UPDATE officers SET role = $1 WHERE id = $2").bind(Role::Auditor.code()).bind(admin))
        .await
        .unwrap();
    let officers_before = officers::officers_of(&db, f.government.id).await.unwrap().len();
    assert!(matches!(officers::create_officer_as_officer(&db, admin, &new("citra")).await, Err(StoreError::Forbidden)));
    assert!(matches!(
        officers::reset_password_as_officer(&db, admin, f.government.id, ani, "$argon2id$reset").await,
        Err(StoreError::Forbidden)
    ));
    assert!(identity::officer_by_username(&db, "citra").await.unwrap().is_none());
    assert_eq!(officers::officers_of(&db, f.government.id).await.unwrap().len(), officers_before);
    assert_eq!(officers::officer(&db, ani).await.unwrap().unwrap().password_hash, "$argon2id$fake");
    assert_eq!(audit::head(&db).await.unwrap().0, head, "no leaf for a refused command");
}
