//! Purpose-bound access: staff read a citizen's record only through a case they may work, naming why;
//! the citizen sees every read, and the audit log vouches for each.

use crate::support::{Fixture, fixture, fixture_in};
use balai_domain::identity::{Purpose, Role};
use balai_domain::nik::{Nik, Sex};
use balai_store::audit::{self, Actor, Finding};
use balai_store::cases::{self, CaseKind, NewCase};
use balai_store::identity::Vault;
use balai_store::identity::access::{self, AccessRefused};
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::{Db, query};
use chrono::NaiveDate;

crate::conformance!(
    an_officer_reads_a_citizen_through_a_case_and_the_citizen_sees_who_why_and_for_which_case,
    nobody_outside_the_case_reads_and_a_refused_read_leaves_no_trace,
    a_read_record_that_is_altered_or_deleted_is_named_by_verify,
);

fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

fn purpose(text: &str) -> Purpose {
    Purpose::parse(text).unwrap()
}

async fn citizen(db: &Db, vault: &Vault) -> i64 {
    let nik = Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let mut tx = db.begin().await.unwrap();
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        birth_place: "Kupang".into(),
        birth_date: NaiveDate::from_ymd_opt(1990, 3, 12),
        sex: Some(Sex::Female),
        address: Some("Jl. Frans Seda No. 12, Kupang".into()),
        ..NewCitizen::default()
    };
    let id = citizens::create_citizen(&mut tx, &Actor::system("test"), vault, &nik, &new).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn officer(db: &Db, f: &Fixture, role: Role, unit_id: Option<i64>, username: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let agency_id = role.is_agency_bound().then_some(f.agency.id);
    let id = officers::create_officer(
        &mut tx,
        &Actor::system("test"),
        &NewOfficer {
            government_id: Some(f.government.id),
            agency_id,
            unit_id,
            role,
            username,
            display_name: username,
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn case_for(db: &Db, f: &Fixture, citizen_id: Option<i64>, unit_id: Option<i64>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = cases::open_case(
        &mut tx,
        &Actor::system("test"),
        &NewCase {
            government_id: f.government.id,
            kind: CaseKind::Application,
            agency_id: f.agency.id,
            unit_id,
            citizen_id,
            service_id: None,
            title: "Penerbitan Akta Kelahiran",
            status: "in_progress",
            opened_at: chrono::Utc::now(),
            due_at: None,
            steps: &[],
        },
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    id
}

async fn read(db: &Db, vault: &Vault, officer_id: i64, case_id: i64, why: &str) -> Result<String, AccessRefused> {
    let result = access::read_citizen_for_case(db, vault, officer_id, case_id, &purpose(why)).await.unwrap();
    result.map(|c| c.full_name)
}

async fn an_officer_reads_a_citizen_through_a_case_and_the_citizen_sees_who_why_and_for_which_case(db: Db) {
    let vault = vault();
    let f = fixture(&db).await;
    let maria = citizen(&db, &vault).await;
    let ani = officer(&db, &f, Role::Officer, Some(f.front_desk.id), "ani").await;
    let case_id = case_for(&db, &f, Some(maria), Some(f.front_desk.id)).await;
    let leaves_before = audit::head(&db).await.unwrap().0;

    let name = read(&db, &vault, ani, case_id, "Verifikasi berkas permohonan akta").await.unwrap();
    assert_eq!(name, "Maria Yosefina Lado");

    let reads = access::reads_of(&db, maria, 50).await.unwrap();
    assert_eq!(reads.len(), 1);
    let seen = &reads[0];
    assert_eq!(seen.agency_name.as_deref(), Some("Dinas Kependudukan dan Pencatatan Sipil"));
    assert_eq!(seen.officer_role, Role::Officer);
    assert_eq!(seen.case_reference, format!("PMH-{case_id:06}"));
    assert_eq!(seen.case_title, "Penerbitan Akta Kelahiran");
    assert_eq!(seen.purpose, "Verifikasi berkas permohonan akta");

    // The read is one leaf, carrying the purpose, and the whole log still verifies.
    assert_eq!(audit::head(&db).await.unwrap().0, leaves_before + 1);
    let leaf = &audit::leaves(&db, leaves_before as i64, leaves_before as i64 + 1).await.unwrap()[0];
    assert_eq!(Some(leaf.seq), seen.audit_seq);
    assert_eq!(leaf.action, "identity.citizen.read");
    assert_eq!((leaf.actor_role.as_str(), leaf.actor_id.as_str()), ("officer", ani.to_string().as_str()));
    assert_eq!(leaf.purpose.as_deref(), Some("Verifikasi berkas permohonan akta"));
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn nobody_outside_the_case_reads_and_a_refused_read_leaves_no_trace(db: Db) {
    let vault = vault();
    let f = fixture(&db).await;
    let maria = citizen(&db, &vault).await;
    let mut tx = db.begin().await.unwrap();
    let other = fixture_in(&mut tx, "53.01", "dukcapil-kupang").await;
    tx.commit().await.unwrap();
    let in_records = officer(&db, &f, Role::Officer, Some(f.records.id), "rina").await;
    let other_government = officer(&db, &other, Role::Verifier, None, "yohan").await;
    let admin = officer(&db, &f, Role::GovernmentAdmin, None, "admin").await;
    let auditor = officer(&db, &f, Role::Auditor, None, "audit").await;
    let head = officer(&db, &f, Role::AgencyHead, None, "kepala").await;
    let case_id = case_for(&db, &f, Some(maria), Some(f.front_desk.id)).await;
    let anonymous = case_for(&db, &f, None, Some(f.front_desk.id)).await;
    let leaves_before = audit::head(&db).await.unwrap().0;

    let why = "Verifikasi berkas permohonan akta";
    assert_eq!(read(&db, &vault, in_records, case_id, why).await, Err(AccessRefused::NotYourCase), "another unit");
    assert_eq!(read(&db, &vault, other_government, case_id, why).await, Err(AccessRefused::NotYourCase));
    assert_eq!(read(&db, &vault, admin, case_id, why).await, Err(AccessRefused::NotYourCase), "admins work no case");
    assert_eq!(read(&db, &vault, auditor, case_id, why).await, Err(AccessRefused::NotYourCase));
    assert_eq!(read(&db, &vault, head, case_id + 1000, why).await, Err(AccessRefused::NoSuchCase));
    assert_eq!(read(&db, &vault, head, anonymous, why).await, Err(AccessRefused::NoCitizenOnCase));
    assert_eq!(read(&db, &vault, 999_999, case_id, why).await, Err(AccessRefused::NotStaff));

    assert!(access::reads_of(&db, maria, 50).await.unwrap().is_empty());
    assert_eq!(audit::head(&db).await.unwrap().0, leaves_before, "a refused read writes nothing");

    // The head of the agency may read a case of any of its units.
    assert!(read(&db, &vault, head, case_id, why).await.is_ok());
    let reads = access::reads_of(&db, maria, 50).await.unwrap();
    assert_eq!(reads.iter().map(|r| r.officer_role).collect::<Vec<_>>(), [Role::AgencyHead]);
}

async fn a_read_record_that_is_altered_or_deleted_is_named_by_verify(db: Db) {
    let vault = vault();
    let f = fixture(&db).await;
    let maria = citizen(&db, &vault).await;
    let ani = officer(&db, &f, Role::Officer, None, "ani").await;
    let case_id = case_for(&db, &f, Some(maria), None).await;
    read(&db, &vault, ani, case_id, "Verifikasi berkas permohonan akta").await.unwrap();
    let (read_id,): (i64,) = db.fetch_one(query("SELECT id FROM citizen_reads")).await.unwrap();

    // Someone softens the purpose afterwards.
    db.execute(query("UPDATE citizen_reads SET purpose = 'Pelayanan rutin sesuai SOP' WHERE id = $1").bind(read_id))
        .await
        .unwrap();
    match audit::verify(&db, &[]).await.unwrap() {
        Err(Finding::AlteredRecord { table, id, .. }) => {
            assert_eq!((table.as_str(), id), ("citizen_reads", read_id.to_string()))
        }
        other => panic!("expected the altered read to be named, got {other:?}"),
    }

    // Someone removes the read altogether.
    db.execute(query("DELETE FROM citizen_reads WHERE id = $1").bind(read_id)).await.unwrap();
    match audit::verify(&db, &[]).await.unwrap() {
        Err(Finding::AlteredRecord { table, id, .. }) => {
            assert_eq!((table.as_str(), id), ("citizen_reads", read_id.to_string()))
        }
        other => panic!("expected the deleted read to be named, got {other:?}"),
    }
}
