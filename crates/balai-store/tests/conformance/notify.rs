//! The notification outbox: enqueue in the caller's transaction, claim once, retry with back-off, dead letters.

use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::notify::delivery::{MAX_ATTEMPTS, backoff};
use balai_store::identity::Vault;
use balai_store::notify::{self, NewMessage};
use balai_store::{Db, query};
use chrono::{Duration, Utc};

crate::conformance!(
    a_message_is_sealed_and_sent_once,
    a_rolled_back_transaction_sends_nothing,
    failures_back_off_and_end_as_dead_letters,
    a_worker_whose_lease_ran_out_cannot_overwrite_the_next_claimants_outcome,
    two_workers_never_claim_the_same_message,
);

fn vault() -> Vault {
    Vault::from_master(&[9; 32])
}

async fn enqueue(db: &Db, vault: &Vault, body: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = notify::enqueue(
        &mut tx,
        vault,
        &NewMessage {
            government_id: None,
            channel: Channel::Sms,
            recipient: "+6281234500011",
            template: "sign-in-code",
            lang: Lang::Id,
            subject: "Kode masuk Balai".into(),
            body: body.into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn a_message_is_sealed_and_sent_once(db: Db) {
    let vault = vault();
    let id = enqueue(&db, &vault, "Kode: 123456").await;
    let raw = db.fetch_text_rows(query("SELECT recipient_enc, body_enc FROM outbox")).await.unwrap();
    let stored = raw[0].iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    assert!(!stored.contains("123456") && !stored.contains("81234500011"), "sealed at rest");

    let due = notify::claim_due(&db, &vault, Utc::now(), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].id, due[0].recipient.as_str(), due[0].body.as_str()), (id, "+6281234500011", "Kode: 123456"));
    assert!(notify::claim_due(&db, &vault, Utc::now(), 10).await.unwrap().is_empty(), "leased to the first worker");
    let lease = due[0].lease.clone().expect("a claimed message carries its lease");
    assert!(notify::mark_sent(&db, id, &lease, "webhook", Utc::now()).await.unwrap());
    let later = Utc::now() + Duration::hours(2);
    assert!(notify::claim_due(&db, &vault, later, 10).await.unwrap().is_empty(), "sent messages are never due again");
    let recent = notify::recent(&db, &vault, 10).await.unwrap();
    assert_eq!(
        (recent[0].status.as_str(), recent[0].transport.as_deref(), recent[0].attempts),
        ("sent", Some("webhook"), 1)
    );
}

async fn a_rolled_back_transaction_sends_nothing(db: Db) {
    let vault = vault();
    let mut tx = db.begin().await.unwrap();
    let message = NewMessage {
        government_id: None,
        channel: Channel::Email,
        recipient: "warga@contoh.id",
        template: "t",
        lang: Lang::En,
        subject: "s".into(),
        body: "b".into(),
    };
    notify::enqueue(&mut tx, &vault, &message).await.unwrap();
    drop(tx);
    assert!(notify::recent(&db, &vault, 10).await.unwrap().is_empty());
}

async fn failures_back_off_and_end_as_dead_letters(db: Db) {
    let vault = vault();
    let id = enqueue(&db, &vault, "Kode: 1").await;
    // PostgreSQL keeps microseconds.
    let mut now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    for attempt in 1..=MAX_ATTEMPTS {
        let due = notify::claim_due(&db, &vault, now, 10).await.unwrap();
        assert_eq!(due.len(), 1, "due again at attempt {attempt}");
        let lease = due[0].lease.clone().expect("a claimed message carries its lease");
        let status =
            notify::mark_failed(&db, id, &lease, "webhook answered HTTP 503", now).await.unwrap().expect("lease held");
        let message = notify::message(&db, &vault, id).await.unwrap().unwrap();
        assert_eq!(message.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(status, "pending");
            assert!(notify::claim_due(&db, &vault, now, 10).await.unwrap().is_empty(), "not before its back-off");
            assert_eq!(message.next_attempt_at, now + backoff(attempt));
        } else {
            assert_eq!(status, "dead");
        }
        now += Duration::hours(1) + Duration::seconds(1);
    }
    assert!(notify::claim_due(&db, &vault, now + Duration::days(1), 10).await.unwrap().is_empty(), "dead is dead");
    let message = notify::message(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!((message.status.as_str(), message.last_error.as_deref()), ("dead", Some("webhook answered HTTP 503")));
}

async fn a_worker_whose_lease_ran_out_cannot_overwrite_the_next_claimants_outcome(db: Db) {
    let vault = vault();
    let id = enqueue(&db, &vault, "Kode: 7").await;
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let slow = notify::claim_due(&db, &vault, now, 10).await.unwrap().remove(0);
    // The slow worker's lease runs out; another worker claims the message and delivers it.
    let later = now + Duration::seconds(notify::LEASE_SECONDS + 1);
    let quick = notify::claim_due(&db, &vault, later, 10).await.unwrap().remove(0);
    assert_ne!(slow.lease, quick.lease, "each claim has its own token");
    assert!(notify::mark_sent(&db, id, quick.lease.as_ref().unwrap(), "webhook", later).await.unwrap());
    // The slow worker's failure, deferral or delivery no longer lands.
    let slow_lease = slow.lease.as_ref().unwrap();
    assert_eq!(notify::mark_failed(&db, id, slow_lease, "timed out", later).await.unwrap(), None);
    assert!(!notify::defer(&db, id, slow_lease, later + Duration::hours(1)).await.unwrap());
    assert!(!notify::mark_sent(&db, id, slow_lease, "smtp", later).await.unwrap());
    let message = notify::message(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!(
        (message.status.as_str(), message.transport.as_deref(), message.attempts, message.last_error),
        ("sent", Some("webhook"), 1, None)
    );
}

async fn two_workers_never_claim_the_same_message(db: Db) {
    let vault = vault();
    for i in 0..20 {
        enqueue(&db, &vault, &format!("pesan {i}")).await;
    }
    let now = Utc::now();
    let (a, b) = tokio::join!(notify::claim_due(&db, &vault, now, 20), notify::claim_due(&db, &vault, now, 20));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(b.iter()).map(|m| m.id).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "no message claimed twice");
    assert_eq!(ids.len(), 20, "every message claimed once");
}
