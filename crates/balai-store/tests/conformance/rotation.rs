//! Rotating the personal-data key: everything sealed opens with the new key and no longer with the
//! old one, lookups by NIK still find the citizen, and the log records and vouches for the change.

use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::nik::{Nik, Sex};
use balai_store::audit::{self, Actor};
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::rotation::reseal_personal_data;
use balai_store::identity::{Vault, codes, officers};
use balai_store::notify::{self, NewMessage};
use balai_store::{Db, query};
use chrono::{NaiveDate, Utc};

crate::conformance!(
    after_rotation_every_sealed_value_opens_with_the_new_key_only,
    a_rotation_from_the_wrong_key_changes_nothing,
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
    let done = reseal_personal_data(&mut tx, &old, &new).await.unwrap();
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
    let refused = reseal_personal_data(&mut tx, &Vault::from_master(&[9; 32]), &Vault::from_master(&[2; 32])).await;
    drop(tx);
    assert!(refused.unwrap_err().to_string().contains("nothing was changed"));
    assert!(citizens::citizen(&db, &real, id).await.unwrap().is_some(), "still sealed with the real key");
    assert_eq!(audit::head(&db).await.unwrap().0, leaves_before);
}
