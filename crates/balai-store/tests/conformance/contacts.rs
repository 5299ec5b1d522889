//! A citizen changes a contact online: the new contact and (for a basic session) the old one each prove
//! themselves with a code; everyone concerned is told; the change is the citizen's own leaf in the log.

use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::Assurance;
use balai_domain::nik::Nik;
use balai_store::audit::{self, Actor};
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::contacts::{self, ChangeCheck, ChangeRefused};
use balai_store::{Db, notify};
use chrono::{NaiveDate, Utc};

crate::conformance!(
    a_basic_session_changes_an_address_with_codes_from_the_new_and_the_old_contact,
    a_substantial_session_needs_only_the_new_contact,
    with_nothing_to_confirm_or_nothing_new_or_too_often_nothing_starts,
);

fn vault() -> Vault {
    Vault::from_master(&[11; 32])
}

async fn maria(db: &Db, phone: Option<&str>, email: Option<&str>) -> i64 {
    let nik = Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        phone: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        ..NewCitizen::default()
    };
    let mut tx = db.begin().await.unwrap();
    let id = citizens::create_citizen(&mut tx, &Actor::system("test"), &vault(), &nik, &new).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn start(
    db: &Db,
    id: i64,
    session: Assurance,
    channel: Channel,
    to: &str,
) -> Result<contacts::ChangeStarted, ChangeRefused> {
    let mut tx = db.begin().await.unwrap();
    let started =
        contacts::start_change(&mut tx, &vault(), id, session, channel, to, Lang::Id, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    started
}

async fn confirm(db: &Db, id: i64, token: &str, new: &str, old: Option<&str>) -> ChangeCheck {
    let mut tx = db.begin().await.unwrap();
    let checked = contacts::confirm_change(&mut tx, &vault(), id, token, new, old, Lang::Id, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    checked
}

/// The code in the newest message to `recipient`.
async fn code_sent_to(db: &Db, recipient: &str) -> String {
    let message = notify::recent(db, &vault(), 50)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.recipient == recipient)
        .unwrap_or_else(|| panic!("a message to {recipient}"));
    let body = message.body;
    let at = body.find(": ").map(|i| i + 2).unwrap();
    body[at..at + 6].to_owned()
}

async fn a_basic_session_changes_an_address_with_codes_from_the_new_and_the_old_contact(db: Db) {
    let id = maria(&db, Some("+6281234500011"), Some("maria.lado@contoh.id")).await;
    let started = start(&db, id, Assurance::Basic, Channel::Email, "maria@baru.id").await.expect("started");
    assert_eq!(started.old_contact.as_deref(), Some("ma••@contoh.id"));
    let new_code = code_sent_to(&db, "maria@baru.id").await;
    let old_code = code_sent_to(&db, "maria.lado@contoh.id").await;
    let pending = contacts::open_change(&db, &vault(), id, &started.pending_token, Utc::now()).await.unwrap().unwrap();
    assert_eq!(
        (pending.new_contact.as_str(), pending.old_contact.as_deref()),
        ("ma••@baru.id", Some("ma••@contoh.id"))
    );

    // The new contact alone is not enough: whoever holds only it (or only the session) cannot switch.
    assert_eq!(
        confirm(&db, id, &started.pending_token, &new_code, None).await,
        ChangeCheck::Wrong { attempts_left: 4 }
    );
    assert_eq!(
        confirm(&db, id + 1, &started.pending_token, &new_code, Some(&old_code)).await,
        ChangeCheck::NoOpenChange,
        "another citizen's session cannot use the token"
    );
    assert_eq!(
        confirm(&db, id, &started.pending_token, &new_code, Some(&old_code)).await,
        ChangeCheck::Changed { assurance: Assurance::Basic }
    );
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!((record.email.as_deref(), record.email_assurance), (Some("maria@baru.id"), Assurance::Basic));
    let told: Vec<String> = notify::recent(&db, &vault(), 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == "contact-changed")
        .map(|m| m.recipient)
        .collect();
    assert_eq!(told.len(), 3, "old e-mail, phone and new e-mail are told: {told:?}");
    assert_eq!(confirm(&db, id, &started.pending_token, &new_code, Some(&old_code)).await, ChangeCheck::NoOpenChange);

    let mut tx = db.begin_read().await.unwrap();
    let subject = citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    let last = audit::leaves_about(&db, &subject).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor_id.as_str()),
        ("identity.citizen.contact_change", subject.id.as_str())
    );
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn a_substantial_session_needs_only_the_new_contact(db: Db) {
    let id = maria(&db, Some("+6281234500011"), None).await;
    let started = start(&db, id, Assurance::Substantial, Channel::Sms, "085200000001").await.expect("started");
    assert_eq!(started.old_contact, None);
    assert_eq!(notify::recent(&db, &vault(), 50).await.unwrap().len(), 1, "one code, to the new phone");
    let code = code_sent_to(&db, "085200000001").await;
    assert_eq!(
        confirm(&db, id, &started.pending_token, &code, None).await,
        ChangeCheck::Changed { assurance: Assurance::Substantial }
    );
    let record = citizens::citizen(&db, &vault(), id).await.unwrap().unwrap();
    assert_eq!((record.phone.as_deref(), record.phone_assurance), (Some("085200000001"), Assurance::Substantial));
}

async fn with_nothing_to_confirm_or_nothing_new_or_too_often_nothing_starts(db: Db) {
    let bare = maria(&db, None, None).await;
    assert_eq!(
        start(&db, bare, Assurance::Basic, Channel::Sms, "+6285200000001").await.err(),
        Some(ChangeRefused::NoContactToConfirm),
        "no contact to confirm with: a counter visit"
    );
    assert!(notify::recent(&db, &vault(), 10).await.unwrap().is_empty());
    db.execute(balai_store::query("DELETE FROM citizens")).await.unwrap();
    let id = maria(&db, Some("+6281234500011"), None).await;
    assert_eq!(
        start(&db, id, Assurance::Basic, Channel::Sms, "+6281234500011").await.err(),
        Some(ChangeRefused::Unchanged)
    );
    for n in 0..contacts::MAX_CHANGES {
        start(&db, id, Assurance::Basic, Channel::Email, &format!("maria{n}@contoh.id")).await.expect("started");
    }
    assert!(matches!(
        start(&db, id, Assurance::Basic, Channel::Email, "lagi@contoh.id").await,
        Err(ChangeRefused::Throttled { .. })
    ));
}
