//! Delivering the notification outbox (`balai_store::notify`): e-mail over SMTP, SMS and WhatsApp
//! through a gateway's HTTPS webhook, and — in the demo only — an inbox page instead of a real phone.
//!
//! Delivery errors are recorded on the message without its recipient or body, and logged the same way.

use balai_domain::contact::Channel;
use balai_store::identity::Vault;
use balai_store::notify::{self, Message};
use balai_store::{Db, StoreError};
use chrono::Utc;
use governor::Quota;
use governor::clock::{Clock, DefaultClock};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("smtp_url is not valid: {0}")]
    SmtpUrl(String),
    #[error("smtp_from is not an e-mail address: {0}")]
    From(String),
    #[error("the SMS/WhatsApp webhook URL must be http:// or https://")]
    WebhookUrl,
}

/// E-mail over SMTP. `smtp://host:port` (plain, for a local relay), `smtp://host?tls=required`
/// (STARTTLS) or `smtps://user:password@host` (implicit TLS).
#[derive(Clone)]
pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl EmailChannel {
    pub fn new(smtp_url: &str, from: &str) -> Result<EmailChannel, ChannelError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            // The URL may hold a password: say what is wrong, not what was given.
            .map_err(|e| ChannelError::SmtpUrl(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|e| ChannelError::From(e.to_string()))?;
        Ok(EmailChannel { transport, from })
    }

    async fn send(&self, message: &Message) -> Result<(), String> {
        let to =
            message.recipient.parse::<Mailbox>().map_err(|_| "the recipient is not an e-mail address".to_owned())?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| format!("cannot build the e-mail: {e}"))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| smtp_error(&e))
    }
}

/// SMTP errors can quote the recipient back; keep the kind and code only.
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    let kind = if e.is_permanent() {
        "permanent"
    } else if e.is_transient() {
        "transient"
    } else if e.is_timeout() {
        "timeout"
    } else {
        "connection"
    };
    match e.status() {
        Some(code) => format!("smtp {kind} error {code}"),
        None => format!("smtp {kind} error"),
    }
}

/// SMS and WhatsApp through a gateway webhook: `POST url` with
/// `{"channel": "sms"|"whatsapp", "to": "+62…", "text": "…", "reference": "balai-42"}` and, when set,
/// `Authorization: Bearer <token>`. Any 2xx is delivered; 4xx is permanent; anything else is retried.
#[derive(Clone)]
pub struct WebhookChannel {
    url: String,
    token: Option<String>,
}

impl WebhookChannel {
    pub fn new(url: &str, token: Option<String>) -> Result<WebhookChannel, ChannelError> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ChannelError::WebhookUrl);
        }
        Ok(WebhookChannel { url: url.to_owned(), token })
    }

    async fn send(&self, message: &Message) -> Result<(), String> {
        let body = serde_json::json!({
            "channel": message.channel.code(),
            "to": message.recipient,
            "text": message.body,
            "reference": format!("balai-{}", message.id),
        })
        .to_string();
        let (url, token) = (self.url.clone(), self.token.clone());
        let result = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(20)))
                .http_status_as_error(false)
                .build()
                .into();
            let mut request = agent.post(&url).header("Content-Type", "application/json");
            if let Some(token) = &token {
                request = request.header("Authorization", &format!("Bearer {token}"));
            }
            request.send(body).map(|r| r.status().as_u16()).map_err(|e| format!("webhook unreachable: {}", kind_of(&e)))
        })
        .await
        .map_err(|e| format!("webhook task failed: {e}"))??;
        match result {
            200..=299 => Ok(()),
            status => Err(format!("webhook answered HTTP {status}")),
        }
    }
}

fn kind_of(e: &ureq::Error) -> &'static str {
    match e {
        ureq::Error::Timeout(_) => "timeout",
        ureq::Error::HostNotFound => "host not found",
        ureq::Error::ConnectionFailed => "connection failed",
        ureq::Error::Io(_) => "i/o error",
        _ => "request failed",
    }
}

/// The channels this deployment delivers through.
#[derive(Clone, Default)]
pub struct Channels {
    pub email: Option<EmailChannel>,
    pub phone: Option<WebhookChannel>,
    /// Demo only: a message with no configured channel is "delivered" to the demo inbox page.
    pub demo_inbox: bool,
    /// How fast each channel may be used; none means as fast as the worker goes.
    pub limits: ChannelLimits,
}

type Limiter = governor::DefaultDirectRateLimiter;

/// Messages per minute each channel accepts: SMTP relays and SMS gateways refuse, or bill
/// dearly, traffic above their contract. A message over the limit waits in the outbox without
/// spending an attempt. The limit is per worker process.
#[derive(Clone, Default)]
pub struct ChannelLimits {
    email: Option<Arc<Limiter>>,
    phone: Option<Arc<Limiter>>,
}

impl ChannelLimits {
    /// `0` means no limit for that channel.
    pub fn per_minute(email: u32, phone: u32) -> ChannelLimits {
        let limiter =
            |n: u32| NonZeroU32::new(n).map(|n| Arc::new(governor::RateLimiter::direct(Quota::per_minute(n))));
        ChannelLimits { email: limiter(email), phone: limiter(phone) }
    }

    /// When the channel would accept this message, if not now.
    fn wait_for(&self, channel: Channel) -> Option<std::time::Duration> {
        let limiter = match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Sms | Channel::Whatsapp => self.phone.as_ref(),
        }?;
        limiter.check().err().map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
    /// Held back by a channel's rate limit, for a later pass.
    pub deferred: usize,
    /// Outcomes not recorded because this worker's lease ran out and another worker claimed the
    /// message meanwhile (its outcome stands; the message may have gone out twice).
    pub lease_lost: usize,
}

fn lease_lost(message: &Message, pass: &mut Pass) {
    tracing::warn!(
        message = message.id,
        channel = message.channel.code(),
        "outcome dropped: the lease ran out and another worker holds the message"
    );
    pass.lease_lost += 1;
}

impl Channels {
    async fn deliver(&self, message: &Message) -> Result<&'static str, String> {
        match message.channel {
            Channel::Email => match &self.email {
                Some(email) => email.send(message).await.map(|_| "smtp"),
                None if self.demo_inbox => Ok("demo"),
                None => Err("no e-mail channel is configured (smtp_url)".into()),
            },
            Channel::Sms | Channel::Whatsapp => match &self.phone {
                Some(webhook) => webhook.send(message).await.map(|_| "webhook"),
                None if self.demo_inbox => Ok("demo"),
                None => Err("no SMS/WhatsApp gateway is configured (sms_webhook_url)".into()),
            },
        }
    }

    /// Delivers every due message once.
    pub async fn run_once(&self, db: &Db, vault: &Vault) -> Result<Pass, StoreError> {
        let mut pass = Pass::default();
        loop {
            let due = notify::claim_due(db, vault, Utc::now(), 20).await?;
            if due.is_empty() {
                return Ok(pass);
            }
            for message in due {
                let Some(lease) = message.lease.clone() else {
                    return Err(StoreError::Corrupt(format!("claimed message {} has no lease", message.id)));
                };
                if let Some(wait) = self.limits.wait_for(message.channel) {
                    let until = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(1));
                    if notify::defer(db, message.id, &lease, until).await? {
                        pass.deferred += 1;
                    } else {
                        lease_lost(&message, &mut pass);
                    }
                    continue;
                }
                match self.deliver(&message).await {
                    Ok(transport) => {
                        if notify::mark_sent(db, message.id, &lease, transport, Utc::now()).await? {
                            tracing::debug!(
                                message = message.id,
                                channel = message.channel.code(),
                                transport,
                                "delivered"
                            );
                            pass.sent += 1;
                        } else {
                            lease_lost(&message, &mut pass);
                        }
                    }
                    Err(error) => match notify::mark_failed(db, message.id, &lease, &error, Utc::now()).await? {
                        Some(status) => {
                            tracing::warn!(message = message.id, channel = message.channel.code(), %error, status, "delivery failed");
                            if status == "dead" {
                                pass.dead += 1;
                            } else {
                                pass.retrying += 1;
                            }
                        }
                        None => lease_lost(&message, &mut pass),
                    },
                }
            }
        }
    }

    /// Runs passes every `interval` until the process stops.
    pub async fn run_worker(self, db: Db, vault: Vault, interval: Duration) {
        loop {
            match self.run_once(&db, &vault).await {
                Ok(pass) if pass != Pass::default() => tracing::info!(?pass, "outbox pass"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
            tokio::time::sleep(interval).await;
        }
    }
}
