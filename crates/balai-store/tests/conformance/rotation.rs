//! Rotating the personal-data key: everything sealed opens with the new key and no longer with the
//! old one, lookups by NIK still find the citizen, and the log records and vouches for the change.

use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::nik::{Nik, Sex};
use balai_store::audit::{self, Actor};
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::rotation::{self, reseal_personal_data};
use balai_store::identity::{Vault, codes, officers, sealed};
use balai_store::leases::{self, Node, Renewal};
use balai_store::notify::{self, NewMessage};
use balai_store::{Db, query};
use chrono::{Duration, NaiveDate, Utc};

crate::conformance!(
    after_rotation_every_sealed_value_opens_with_the_new_key_only,
    a_rotation_from_the_wrong_key_changes_nothing,
    a_rotation_is_refused_while_a_server_holds_a_live_lease,
    a_lease_renewed_after_it_ran_out_says_so,
    a_server_starting_during_a_rotation_takes_its_lease_only_after_the_rotation,
    every_sealed_column_a_key_does_not_open_is_named_with_a_count,
    every_sealed_column_is_resealed_or_dropped_by_a_rotation,
);

fn nik() -> Nik {
    Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap()
}

/// A citizen with a document, an officer with a second factor, a sent message and an open code.
async fn sealed_everything(db: &Db, vault: &Vault) -> (i64, String) {
    let mut tx = db.begin().await.unwrap();
    let system = Actor::system("test");
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        birth_place: "Kupang".into(),
        sex: Some(Sex::Female),
        address: Some("Jl. Frans Seda No. 12, Kupang".into()),
        kk: Some("5371040101100021".into()),
        phone: Some("+6281234500011".into()),
        ..NewCitizen::default()
    };
    let id = citizens::create_citizen(&mut tx, &system, vault, &nik(), &new).await.unwrap();
    let document = HeldDocument {
        doc_type: "kk".into(),
        number: Some("5371040101100021".into()),
        issuer: "Disdukcapil".into(),
        issued_on: None,
    };
    citizens::hold_document(&mut tx, &system, vault, id, &document).await.unwrap();
    let admin = officers::create_admin(&mut tx, &system, None, "admin", "Admin", "!").await.unwrap();
    officers::set_totp_secret(&mut tx, &system, vault, admin, "JBSWY3DPEHPK3PXP").await.unwrap();
    let message = NewMessage {
        government_id: None,
        channel: Channel::Sms,
        recipient: "+6281234500011",
        template: "sign-in-code",
        lang: Lang::Id,
        subject: "Kode".into(),
        body: "Kode masuk Balai: 123456".into(),
    };
    notify::enqueue(&mut tx, vault, &message).await.unwrap();
    codes::issue_code(&mut tx, vault, &nik(), Channel::Sms, "+6281234500011", None, "192.0.2.1", Utc::now())
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    (id, "admin".into())
}

async fn after_rotation_every_sealed_value_opens_with_the_new_key_only(db: Db) {
    let old = Vault::from_master(&[1; 32]);
    let new = Vault::from_master(&[2; 32]);
    let (id, admin) = sealed_everything(&db, &old).await;
    let before = citizens::citizen(&db, &old, id).await.unwrap().unwrap();

    let mut tx = db.begin().await.unwrap();
    let done = reseal_personal_data(&mut tx, &old, &new, Utc::now()).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    // nik, address, kk, phone; the document number; the TOTP secret; recipient and body.
    assert_eq!((done.values, done.audited_records, done.dropped), (8, 2, 1));

    let after = citizens::citizen(&db, &new, id).await.unwrap().expect("the record opens with the new key");
    assert_eq!(after, before);
    assert!(citizens::citizen(&db, &old, id).await.is_err(), "the old key opens nothing any more");
    let mut tx = db.begin().await.unwrap();
    assert_eq!(citizens::citizen_id_by_nik(&mut tx, &new, &nik()).await.unwrap(), Some(id), "found by NIK");
    tx.commit().await.unwrap();
    let officer = officers::officer_by_username(&db, &admin).await.unwrap().unwrap();
    assert_eq!(officer.totp_secret(&new).unwrap().as_deref(), Some("JBSWY3DPEHPK3PXP"));
    let sent = notify::recent(&db, &new, 10).await.unwrap();
    assert_eq!(sent[0].body, "Kode masuk Balai: 123456");
    let (open_codes,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM one_time_codes")).await.unwrap();
    assert_eq!(open_codes, 0, "codes in flight are dropped: their hashes cannot be recomputed");

    let (size, _) = audit::head(&db).await.unwrap();
    let leaves = audit::leaves(&db, 0, size as i64).await.unwrap();
    let resealed: Vec<&str> =
        leaves.iter().filter(|l| l.action.ends_with(".reseal")).map(|l| l.subject_table.as_str()).collect();
    assert_eq!(resealed, ["citizens", "officers"]);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "the log vouches for the new ciphertexts");
}

async fn a_rotation_from_the_wrong_key_changes_nothing(db: Db) {
    let real = Vault::from_master(&[1; 32]);
    let (id, _) = sealed_everything(&db, &real).await;
    let leaves_before = audit::head(&db).await.unwrap().0;

    let mut tx = db.begin().await.unwrap();
    let refused =
        reseal_personal_data(&mut tx, &Vault::from_master(&[9; 32]), &Vault::from_master(&[2; 32]), Utc::now()).await;
    drop(tx);
    assert!(refused.unwrap_err().to_string().contains("nothing was changed"));
    assert!(citizens::citizen(&db, &real, id).await.unwrap().is_some(), "still sealed with the real key");
    assert_eq!(audit::head(&db).await.unwrap().0, leaves_before);
}

fn node(name: &str) -> Node {
    Node { node_id: name.into(), host: "balai-1".into(), pid: 4242 }
}

async fn a_rotation_is_refused_while_a_server_holds_a_live_lease(db: Db) {
    let old = Vault::from_master(&[1; 32]);
    let new = Vault::from_master(&[2; 32]);
    let (id, _) = sealed_everything(&db, &old).await;
    let now = Utc::now();
    leases::take(&db, &node("stalled"), now - Duration::seconds(leases::LEASE_SECONDS + 1)).await.unwrap();
    leases::take(&db, &node("serving"), now - Duration::seconds(5)).await.unwrap();
    let leaves_before = audit::head(&db).await.unwrap().0;

    let mut tx = db.begin().await.unwrap();
    let refused = reseal_personal_data(&mut tx, &old, &new, now).await.unwrap().expect_err("a server is up");
    drop(tx);
    let ids: Vec<&str> = refused.leases.iter().map(|l| l.node_id.as_str()).collect();
    assert_eq!(ids, ["serving"], "a lease that ran out does not count");
    let said = refused.to_string();
    assert!(
        said.starts_with("1 server(s) use this database") && said.contains("balai-1") && said.contains("4242"),
        "{said}"
    );
    assert!(citizens::citizen(&db, &old, id).await.unwrap().is_some(), "nothing was re-sealed");
    assert_eq!(audit::head(&db).await.unwrap().0, leaves_before);

    leases::release(&db, &node("serving")).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert!(reseal_personal_data(&mut tx, &old, &new, now).await.unwrap().is_ok(), "a stopped server frees it");
    tx.commit().await.unwrap();
    assert!(citizens::citizen(&db, &new, id).await.unwrap().is_some());
}

async fn a_lease_renewed_after_it_ran_out_says_so(db: Db) {
    let this = node("n1");
    let start = Utc::now();
    leases::take(&db, &this, start).await.unwrap();
    assert_eq!(leases::renew(&db, &this, start + Duration::seconds(10)).await.unwrap(), Renewal::Renewed);
    let late = start + Duration::seconds(10 + leases::LEASE_SECONDS + 1);
    assert_eq!(leases::renew(&db, &this, late).await.unwrap(), Renewal::Lapsed, "anything may have happened meanwhile");
    let mut tx = db.begin().await.unwrap();
    let live = leases::live_leases(&mut tx, late).await.unwrap();
    drop(tx);
    assert_eq!(live.len(), 1, "and it is held again");
    assert_eq!(live[0].started_at.timestamp(), late.timestamp());
}

async fn every_sealed_column_a_key_does_not_open_is_named_with_a_count(db: Db) {
    let key = Vault::from_master(&[1; 32]);
    sealed_everything(&db, &key).await;
    assert_eq!(sealed::unopened(&db, &key).await.unwrap(), [], "everything opens with the key it was sealed under");
    assert!(sealed::anything_sealed(&db).await.unwrap());

    // A server that kept the retired key after a rotation sealed one more message under it.
    let retired = Vault::from_master(&[7; 32]);
    let mut tx = db.begin().await.unwrap();
    let message = NewMessage {
        government_id: None,
        channel: Channel::Email,
        recipient: "maria.lado@contoh.id",
        template: "sign-in-code",
        lang: Lang::Id,
        subject: "Kode".into(),
        body: "Kode masuk Balai: 654321".into(),
    };
    notify::enqueue(&mut tx, &retired, &message).await.unwrap();
    tx.commit().await.unwrap();
    let named: Vec<String> = sealed::unopened(&db, &key).await.unwrap().iter().map(|u| u.to_string()).collect();
    assert_eq!(named, ["outbox.body_enc (1 of 2 sampled values)", "outbox.recipient_enc (1 of 2 sampled values)"]);
    let everything = sealed::unopened(&db, &Vault::from_master(&[8; 32])).await.unwrap();
    let tables: Vec<&str> = everything.iter().map(|u| u.table.as_str()).collect();
    assert!(
        tables.contains(&"citizens") && tables.contains(&"officers") && tables.contains(&"one_time_codes"),
        "{tables:?}"
    );
}

async fn every_sealed_column_is_resealed_or_dropped_by_a_rotation(db: Db) {
    let resealed = rotation::resealed_columns();
    let columns = sealed::sealed_columns(&db).await.unwrap();
    assert!(columns.len() >= 13, "{columns:?}");
    assert!(!sealed::anything_sealed(&db).await.unwrap(), "a new database holds nothing sealed");
    for column in columns {
        let name = format!("{}.{}", column.table, column.column);
        assert!(
            resealed.contains(&name) || rotation::DROPPED.contains(&column.table.as_str()),
            "{name} is sealed but a key rotation would neither re-seal nor drop it"
        );
    }
}

async fn a_server_starting_during_a_rotation_takes_its_lease_only_after_the_rotation(db: Db) {
    let old = Vault::from_master(&[1; 32]);
    let new = Vault::from_master(&[2; 32]);
    sealed_everything(&db, &old).await;
    let mut rotating = db.begin().await.unwrap();
    let done = reseal_personal_data(&mut rotating, &old, &new, Utc::now()).await.unwrap();
    assert!(done.is_ok());
    let starting = tokio::spawn({
        let db = db.clone();
        async move { leases::take(&db, &node("late"), Utc::now()).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!starting.is_finished(), "the lease waits while the rotation holds the guard");
    rotating.commit().await.unwrap();
    starting.await.unwrap().unwrap();
    // Having waited, the new server finds the data under a key it may not hold.
    assert_eq!(sealed::unopened(&db, &new).await.unwrap(), []);
    assert!(!sealed::unopened(&db, &old).await.unwrap().is_empty());
}
