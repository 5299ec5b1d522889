//! The outbox worker delivering to real peers: an SMTP server (Python's aiosmtpd, started by the test)
//! and an HTTP gateway speaking the webhook protocol.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_notify::{Channels, EmailChannel, Pass, WebhookChannel};
use balai_store::Db;
use balai_store::identity::Vault;
use balai_store::notify::{self, NewMessage};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn outbox_db(dir: &tempfile::TempDir) -> Db {
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("n.db").display())).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn enqueue(db: &Db, vault: &Vault, channel: Channel, to: &str, body: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = notify::enqueue(
        &mut tx,
        vault,
        &NewMessage {
            government_id: None,
            channel,
            recipient: to,
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd writing every message it receives into a maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
}

impl SmtpServer {
    fn start(dir: &tempfile::TempDir) -> SmtpServer {
        let port = free_port();
        let maildir = dir.path().join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd is needed (scripts/test installs it)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start (is it installed?)");
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer { child, port, maildir }
    }

    fn received(&self) -> Vec<String> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(new) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_sign_in_code_reaches_the_citizen_by_email_over_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start(&dir);
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let id = enqueue(&db, &vault, Channel::Email, "warga@contoh.id", "Kode masuk Anda: 123456").await;
    let channels = Channels {
        email: Some(
            EmailChannel::new(&format!("smtp://127.0.0.1:{}", smtp.port), "Balai <noreply@balai.test>").unwrap(),
        ),
        ..Channels::default()
    };

    let pass = channels.run_once(&db, &vault).await.unwrap();

    assert_eq!(pass, Pass { sent: 1, retrying: 0, dead: 0, deferred: 0, lease_lost: 0 });
    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "one mail in the maildir");
    assert!(mails[0].contains("To: warga@contoh.id"), "{}", mails[0]);
    assert!(mails[0].contains("Subject: Kode masuk Balai"));
    assert!(mails[0].contains("Kode masuk Anda: 123456"));
    let stored = notify::message(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.transport.as_deref(), stored.attempts), ("sent", Some("smtp"), 1));
    assert_eq!(channels.run_once(&db, &vault).await.unwrap(), Pass::default(), "sent once, not again");
}

#[tokio::test]
async fn an_unreachable_mail_server_leaves_the_message_for_a_retry_without_naming_the_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let id = enqueue(&db, &vault, Channel::Email, "warga@contoh.id", "Kode masuk Anda: 654321").await;
    let channels = Channels {
        email: Some(EmailChannel::new(&format!("smtp://127.0.0.1:{}", free_port()), "noreply@balai.test").unwrap()),
        ..Channels::default()
    };

    let pass = channels.run_once(&db, &vault).await.unwrap();

    assert_eq!(pass, Pass { sent: 0, retrying: 1, dead: 0, deferred: 0, lease_lost: 0 });
    let stored = notify::message(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!(stored.status, "pending");
    assert!(stored.next_attempt_at > chrono::Utc::now() + chrono::Duration::seconds(20), "backed off");
    let error = stored.last_error.unwrap();
    assert!(error.starts_with("smtp"), "{error}");
    assert!(!error.contains("warga") && !error.contains("654321"), "{error}");
}

/// What the gateway received: the Authorization header and the JSON body.
type Received = (Option<String>, serde_json::Value);

#[derive(Clone, Default)]
struct Gateway {
    received: Arc<Mutex<Vec<Received>>>,
}

async fn start_gateway(status: StatusCode) -> (String, Gateway) {
    let gateway = Gateway::default();
    let seen = gateway.clone();
    let app = axum::Router::new().route(
        "/send",
        post(move |headers: HeaderMap, Json(body): Json<serde_json::Value>| {
            let seen = seen.clone();
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
                seen.received.lock().unwrap().push((auth, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, gateway)
}

#[tokio::test]
async fn sms_and_whatsapp_go_to_the_gateway_webhook_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let (url, gateway) = start_gateway(StatusCode::ACCEPTED).await;
    enqueue(&db, &vault, Channel::Sms, "+6281234567890", "Kode: 111111").await;
    enqueue(&db, &vault, Channel::Whatsapp, "+6281298765432", "Kode: 222222").await;
    let channels =
        Channels { phone: Some(WebhookChannel::new(&url, Some("rahasia".into())).unwrap()), ..Channels::default() };

    assert_eq!(
        channels.run_once(&db, &vault).await.unwrap(),
        Pass { sent: 2, retrying: 0, dead: 0, deferred: 0, lease_lost: 0 }
    );

    let received = gateway.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].0.as_deref(), Some("Bearer rahasia"));
    assert_eq!(received[0].1["channel"], "sms");
    assert_eq!(received[0].1["to"], "+6281234567890");
    assert_eq!(received[0].1["text"], "Kode: 111111");
    assert_eq!(received[1].1["channel"], "whatsapp");
}

#[tokio::test]
async fn a_gateway_error_is_retried_and_a_missing_channel_is_never_sent_silently() {
    let dir = tempfile::tempdir().unwrap();
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let (url, _gateway) = start_gateway(StatusCode::SERVICE_UNAVAILABLE).await;
    let sms = enqueue(&db, &vault, Channel::Sms, "+6281234567890", "Kode: 333333").await;
    let email = enqueue(&db, &vault, Channel::Email, "warga@contoh.id", "Kode: 444444").await;
    let channels = Channels { phone: Some(WebhookChannel::new(&url, None).unwrap()), ..Channels::default() };

    assert_eq!(
        channels.run_once(&db, &vault).await.unwrap(),
        Pass { sent: 0, retrying: 2, dead: 0, deferred: 0, lease_lost: 0 }
    );

    let sms = notify::message(&db, &vault, sms).await.unwrap().unwrap();
    assert_eq!(sms.last_error.as_deref(), Some("webhook answered HTTP 503"));
    let email = notify::message(&db, &vault, email).await.unwrap().unwrap();
    assert_eq!(email.last_error.as_deref(), Some("no e-mail channel is configured (smtp_url)"));
}

#[tokio::test]
async fn the_demo_inbox_takes_messages_no_real_channel_would() {
    let dir = tempfile::tempdir().unwrap();
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let id = enqueue(&db, &vault, Channel::Whatsapp, "+6281234567890", "Kode: 555555").await;
    let channels = Channels { demo_inbox: true, ..Channels::default() };

    assert_eq!(
        channels.run_once(&db, &vault).await.unwrap(),
        Pass { sent: 1, retrying: 0, dead: 0, deferred: 0, lease_lost: 0 }
    );
    let stored = notify::message(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.transport.as_deref()), ("sent", Some("demo")));
}

#[tokio::test]
async fn a_gateway_is_never_sent_more_than_its_rate_and_held_messages_keep_their_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let db = outbox_db(&dir).await;
    let vault = Vault::from_master(&[1; 32]);
    let (url, gateway) = start_gateway(StatusCode::ACCEPTED).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(enqueue(&db, &vault, Channel::Sms, "+6281234567890", &format!("Kode: 60000{n}")).await);
    }
    let email = enqueue(&db, &vault, Channel::Email, "warga@contoh.id", "Kode: 700000").await;
    let channels = Channels {
        phone: Some(WebhookChannel::new(&url, None).unwrap()),
        demo_inbox: true,
        limits: balai_notify::ChannelLimits::per_minute(0, 2),
        ..Channels::default()
    };

    let pass = channels.run_once(&db, &vault).await.unwrap();
    assert_eq!(
        pass,
        Pass { sent: 3, retrying: 0, dead: 0, deferred: 3, lease_lost: 0 },
        "two SMS and the e-mail go out"
    );
    assert_eq!(gateway.received.lock().unwrap().len(), 2, "the gateway saw exactly its limit");
    assert_eq!(notify::message(&db, &vault, email).await.unwrap().unwrap().status, "sent", "other channels flow");
    for id in &ids[2..] {
        let held = notify::message(&db, &vault, *id).await.unwrap().unwrap();
        assert_eq!((held.status.as_str(), held.attempts), ("pending", 0), "held back, not failed");
        assert!(held.next_attempt_at > chrono::Utc::now() + chrono::Duration::seconds(20), "until the limit allows");
    }
    // A second pass right away sends nothing more: the held messages are not due yet.
    assert_eq!(channels.run_once(&db, &vault).await.unwrap(), Pass::default());
}
