//! Configuration: defaults, then `balai.toml`, then `BALAI_*` environment variables, then flags.

use crate::CommonArgs;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://…` (default: a file in the data directory) or `postgres://…`.
    pub database_url: Option<String>,
    pub listen: String,
    /// Empty string disables the metrics listener.
    pub metrics_listen: String,
    pub data_dir: PathBuf,
    /// The government the API uses when a request names none, e.g. "53.71".
    pub default_region: Option<String>,
    /// Set `Secure` on cookies (browsers accept it on http://127.0.0.1 and localhost).
    pub secure_cookies: bool,
    pub session_minutes: i64,
    /// `json` (default) or `text`.
    pub log_format: String,
    /// The audit log's origin line in signed checkpoints: a name unique to this deployment,
    /// conventionally its domain and a path, e.g. `layanan.kupangkota.go.id/audit`.
    pub audit_origin: String,
    /// The Ed25519 checkpoint signing key (C2SP signed-note private key). Default: `<data_dir>/keys/audit-ed25519.key`,
    /// created on first start with 0600 permissions.
    pub audit_signing_key_file: Option<PathBuf>,
    /// How often a new checkpoint is signed when the log grew.
    pub audit_checkpoint_seconds: u64,
    /// Requests per second per client address on the public audit API.
    pub audit_requests_per_second: u32,
    /// The key that seals personal data at rest (base64 of 32 bytes). Default:
    /// `<data_dir>/keys/personal-data.key`, created on first start with 0600 permissions.
    pub personal_data_key_file: Option<PathBuf>,
    /// Outgoing e-mail: `smtp://host:port`, `smtp://host?tls=required` or `smtps://user:password@host`.
    /// Empty: e-mail messages wait in the outbox (and the demo shows them on its inbox page).
    pub smtp_url: String,
    /// The sender of outgoing e-mail.
    pub smtp_from: String,
    /// The SMS/WhatsApp gateway webhook (`POST` JSON). Empty: such messages wait in the outbox.
    pub sms_webhook_url: String,
    /// Bearer token for the gateway webhook.
    pub sms_webhook_token: Option<String>,
    /// E-mails per minute the SMTP relay accepts (0: no limit).
    pub email_per_minute: u32,
    /// SMS and WhatsApp messages per minute the gateway accepts (0: no limit).
    pub sms_per_minute: u32,
    /// Reverse proxies (addresses or CIDR blocks, comma-separated) whose `X-Forwarded-For` names
    /// the client for throttles and rate limits. Empty: the peer address is the client.
    pub trusted_proxies: String,
    /// The government's OpenID Connect provider for officer sign-in (its issuer URL). Empty: officers
    /// sign in with password (and TOTP) only.
    pub oidc_issuer: String,
    pub oidc_client_id: String,
    pub oidc_client_secret: Option<String>,
    /// Registered at the provider: `<public URL>/admin/masuk/oidc/callback`.
    pub oidc_redirect_url: String,
    /// Scopes asked for beyond `openid`, space-separated.
    pub oidc_scopes: String,
    /// The ID token claim holding a Balai role code (`officer`, `verifier`, `agency_head`, …).
    pub oidc_role_claim: String,
    /// The claim holding the government's region code (`5371`).
    pub oidc_government_claim: String,
    /// The claim holding the agency's code within that government.
    pub oidc_agency_claim: String,
    /// Accept agency heads and government admins only when the provider's `amr` shows a second factor.
    pub oidc_require_second_factor: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            listen: "127.0.0.1:8080".into(),
            metrics_listen: "127.0.0.1:9464".into(),
            data_dir: PathBuf::from("balai-data"),
            default_region: None,
            secure_cookies: true,
            session_minutes: 8 * 60,
            log_format: "json".into(),
            audit_origin: "balai.local/audit".into(),
            audit_signing_key_file: None,
            audit_checkpoint_seconds: 30,
            audit_requests_per_second: 20,
            personal_data_key_file: None,
            smtp_url: String::new(),
            smtp_from: "Balai <noreply@balai.local>".into(),
            sms_webhook_url: String::new(),
            sms_webhook_token: None,
            email_per_minute: 120,
            sms_per_minute: 60,
            trusted_proxies: String::new(),
            oidc_issuer: String::new(),
            oidc_client_id: String::new(),
            oidc_client_secret: None,
            oidc_redirect_url: String::new(),
            oidc_scopes: "email profile".into(),
            oidc_role_claim: "balai_role".into(),
            oidc_government_claim: "balai_government".into(),
            oidc_agency_claim: "balai_agency".into(),
            oidc_require_second_factor: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(Box<figment::Error>),
    #[error("configuration: {key} = {value:?} is not a socket address such as 127.0.0.1:8080")]
    BadAddress { key: &'static str, value: String },
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Oidc(String),
    #[error("configuration: trusted_proxies entry {0:?} is not an address or CIDR block such as 10.0.0.0/8")]
    BadProxy(String),
}

impl Config {
    pub fn load(args: &CommonArgs, demo: bool) -> Result<Config, ConfigError> {
        let file = match &args.config {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.clone())),
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from("balai.toml")).filter(|p| p.exists()),
        };
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = &file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let mut config: Config = figment
            .merge(Env::prefixed("BALAI_").only(&[
                "database_url",
                "listen",
                "metrics_listen",
                "data_dir",
                "default_region",
                "secure_cookies",
                "session_minutes",
                "log_format",
                "audit_origin",
                "audit_signing_key_file",
                "audit_checkpoint_seconds",
                "audit_requests_per_second",
                "personal_data_key_file",
                "smtp_url",
                "smtp_from",
                "sms_webhook_url",
                "sms_webhook_token",
                "email_per_minute",
                "sms_per_minute",
                "trusted_proxies",
                "oidc_issuer",
                "oidc_client_id",
                "oidc_client_secret",
                "oidc_redirect_url",
                "oidc_scopes",
                "oidc_role_claim",
                "oidc_government_claim",
                "oidc_agency_claim",
                "oidc_require_second_factor",
            ]))
            .extract()
            .map_err(|e| ConfigError::Figment(Box::new(e)))?;
        if let Some(listen) = &args.listen {
            config.listen = listen.clone();
        }
        if let Some(metrics) = &args.metrics_listen {
            config.metrics_listen = metrics.clone();
        }
        if let Some(dir) = &args.data_dir {
            config.data_dir = dir.clone();
        }
        if demo {
            // The demo always runs on its own SQLite file, whatever the environment says.
            config.database_url = None;
            config.default_region.get_or_insert_with(|| "53.71".into());
        }
        config.listen_addr()?;
        config.metrics_addr()?;
        config.oidc()?;
        config.trusted_proxies()?;
        Ok(config)
    }

    /// The reverse proxies to believe; a bare address is a /32 (or /128).
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| ConfigError::BadProxy(entry.to_owned()))
            })
            .collect()
    }

    /// Officer sign-in through OIDC, when an issuer is configured; a half-done setting is an error.
    pub fn oidc(&self) -> Result<Option<balai_oidc::OidcSettings>, ConfigError> {
        if self.oidc_issuer.is_empty() {
            return Ok(None);
        }
        for (key, value) in [("oidc_client_id", &self.oidc_client_id), ("oidc_redirect_url", &self.oidc_redirect_url)] {
            if value.is_empty() {
                return Err(ConfigError::Oidc(format!("oidc_issuer is set, so {key} is required")));
            }
        }
        Ok(Some(balai_oidc::OidcSettings {
            issuer: self.oidc_issuer.clone(),
            client_id: self.oidc_client_id.clone(),
            client_secret: self.oidc_client_secret.clone().filter(|s| !s.is_empty()),
            redirect_url: self.oidc_redirect_url.clone(),
            scopes: self.oidc_scopes.split_whitespace().map(str::to_owned).collect(),
        }))
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| ConfigError::BadAddress { key: "listen", value: self.listen.clone() })
    }

    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        if self.metrics_listen.is_empty() {
            return Ok(None);
        }
        self.metrics_listen
            .parse()
            .map(Some)
            .map_err(|_| ConfigError::BadAddress { key: "metrics_listen", value: self.metrics_listen.clone() })
    }

    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_signing_key_file.clone().unwrap_or_else(|| self.data_dir.join("keys").join("audit-ed25519.key"))
    }

    pub fn personal_data_key_path(&self) -> PathBuf {
        self.personal_data_key_file.clone().unwrap_or_else(|| self.data_dir.join("keys").join("personal-data.key"))
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| sqlite_url(&self.data_dir.join("balai.db")))
    }

    /// The SQLite database file, when the database is one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let url = self.database_url();
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
        let path = path.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}
