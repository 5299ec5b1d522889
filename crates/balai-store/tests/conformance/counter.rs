//! Binding a contact at a counter: an officer who saw the KTP-el binds a phone or e-mail address at the
//! substantial level; every old and new contact is told; nobody else may; nothing is written when refused.

use crate::support::{Fixture, fixture};
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::{Assurance, Role};
use balai_domain::nik::Nik;
use balai_store::audit::{self, Actor};
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::counter::{self, CounterRefused};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::identity::register::RegisterRecord;
use balai_store::{Db, notify, query};
use chrono::NaiveDate;

crate::conformance!(
    an_officer_binds_a_new_phone_and_every_old_and_new_contact_is_told,
    a_person_known_only_to_the_register_gets_a_record_at_the_counter,
    a_stranger_to_both_or_an_account_without_a_desk_binds_nothing,
);

const NIK: &str = "5371045203900003";

fn vault() -> Vault {
    Vault::from_master(&[9; 32])
}

fn nik() -> Nik {
    Nik::parse(NIK, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap()
}

async fn staff(db: &Db, f: &Fixture, role: Role, username: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = officers::create_officer(
        &mut tx,
        &Actor::system("test"),
        &NewOfficer {
            government_id: Some(f.government.id),
            agency_id: role.is_agency_bound().then_some(f.agency.id),
            unit_id: None,
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

async fn bind(
    db: &Db,
    officer: i64,
    channel: Channel,
    to: &str,
    register: Option<&RegisterRecord>,
) -> Result<counter::CounterBinding, CounterRefused> {
    let mut tx = db.begin().await.unwrap();
    let bound = counter::bind_contact_at_counter(&mut tx, &vault(), officer, &nik(), channel, to, register, Lang::Id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    bound
}

async fn outbox_recipients(db: &Db) -> Vec<String> {
    let mut to: Vec<String> =
        notify::recent(db, &vault(), 50).await.unwrap().into_iter().map(|m| m.recipient).collect();
    to.sort();
    to
}

async fn an_officer_binds_a_new_phone_and_every_old_and_new_contact_is_told(db: Db) {
    let f = fixture(&db).await;
    let desk = staff(&db, &f, Role::Officer, "loket").await;
    let mut tx = db.begin().await.unwrap();
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        phone: Some("+6281234500011".into()),
        email: Some("maria.lado@contoh.id".into()),
        ..NewCitizen::default()
    };
    let id = citizens::create_citizen(&mut tx, &Actor::system("test"), &vault(), &nik(), &new).await.unwrap();
    tx.commit().await.unwrap();

    let bound = bind(&db, desk, Channel::Sms, "+6285200000001", None).await.expect("bound");
    assert_eq!((bound.citizen_id, bound.created, bound.notices), (id, false, 3));
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!(
        (record.phone.as_deref(), record.phone_assurance, record.email_assurance),
        (Some("+6285200000001"), Assurance::Substantial, Assurance::Basic)
    );
    assert_eq!(outbox_recipients(&db).await, ["+6281234500011", "+6285200000001", "maria.lado@contoh.id"]);
    let notice = notify::recent(&db, &vault(), 1).await.unwrap().remove(0);
    assert_eq!(notice.template, "contact-changed");
    assert!(
        notice.body.contains("+62852••••001") && notice.body.contains("loket Dinas Kependudukan"),
        "{}",
        notice.body
    );
    assert!(!notice.body.contains("+6285200000001"), "the notice shows the new contact masked");

    let mut tx = db.begin_read().await.unwrap();
    let subject = citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    let leaves = audit::leaves_about(&db, &subject).await.unwrap();
    let last = leaves.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor_role.as_str(), last.actor_id.as_str()),
        ("identity.citizen.contact_at_counter", "officer", desk.to_string().as_str()),
        "the officer who saw the KTP-el answers for the binding"
    );
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn a_person_known_only_to_the_register_gets_a_record_at_the_counter(db: Db) {
    let f = fixture(&db).await;
    let desk = staff(&db, &f, Role::Verifier, "verifikator").await;
    let register = RegisterRecord {
        full_name: "Agustina Seran".into(),
        birth_place: "Atambua".into(),
        phone: Some("085239100033".into()),
        ..RegisterRecord::default()
    };
    let bound = bind(&db, desk, Channel::Email, "agustina@contoh.id", Some(&register)).await.expect("bound");
    assert!(bound.created);
    let record = citizens::citizen(&db, &vault(), bound.citizen_id).await.unwrap().unwrap();
    assert_eq!(record.full_name, "Agustina Seran");
    assert_eq!(
        (record.email.as_deref(), record.email_assurance, record.phone.as_deref(), record.phone_assurance),
        (Some("agustina@contoh.id"), Assurance::Substantial, Some("+6285239100033"), Assurance::Basic)
    );
    assert_eq!(
        outbox_recipients(&db).await,
        ["+6285239100033", "agustina@contoh.id"],
        "the register's phone is told too"
    );
}

async fn a_stranger_to_both_or_an_account_without_a_desk_binds_nothing(db: Db) {
    let f = fixture(&db).await;
    let desk = staff(&db, &f, Role::Officer, "loket").await;
    let admin = staff(&db, &f, Role::GovernmentAdmin, "admin").await;
    let auditor = staff(&db, &f, Role::Auditor, "auditor").await;
    let before = audit::size(&db).await.unwrap();
    assert_eq!(bind(&db, desk, Channel::Sms, "+6285200000001", None).await, Err(CounterRefused::UnknownPerson));
    let register = RegisterRecord { full_name: "Maria".into(), ..RegisterRecord::default() };
    for account in [admin, auditor] {
        assert_eq!(
            bind(&db, account, Channel::Sms, "+6285200000001", Some(&register)).await,
            Err(CounterRefused::NotPermitted)
        );
    }
    assert_eq!(citizens::count(&db).await.unwrap(), 0);
    assert_eq!(audit::size(&db).await.unwrap(), before, "a refusal leaves no leaf");
    let (outbox,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM outbox")).await.unwrap();
    assert_eq!(outbox, 0);
}
