//! Configuration: defaults, then `balai.toml`, then `BALAI_*` environment variables, then flags.
//!
//! A `BALAI_*` variable that is neither a setting nor one of the variables the tools read (see
//! [`NOT_SETTINGS`]) is named in a warning with the closest setting, so a misspelling does not pass
//! silently; a bad value is reported with the variable, file key or flag it came from.

use crate::CommonArgs;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// `BALAI_*` variables read by something other than the settings: the log filter, the tests, the
/// benchmarks and the browser tests. Anything under `BALAI_TEST_` and `BALAI_BENCH_` too.
pub const NOT_SETTINGS: [&str; 4] = ["BALAI_LOG", "BALAI_BIN", "BALAI_CHROMIUM", "BALAI_DEMO_ADMIN_PASSWORD"];
const NOT_SETTINGS_PREFIXES: [&str; 2] = ["BALAI_TEST_", "BALAI_BENCH_"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://…` (default: a file in the data directory) or `postgres://…`.
    pub database_url: Option<String>,
    /// A PostgreSQL streaming replica (`postgres://…`) for the reads that may lag a little: public
    /// pages, the catalogue, the dashboard, open data. Empty: every read goes to `database_url`.
    pub database_read_url: Option<String>,
    /// How far behind the primary (in seconds) the replica may be and still be read from.
    pub database_read_max_lag_seconds: u64,
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
    /// The master key issued documents are signed with (base64 of 32 bytes; one Ed25519 key per
    /// government is derived from it). Default: `<data_dir>/keys/documents.key`, created on first
    /// start with 0600 permissions.
    pub document_key_file: Option<PathBuf>,
    /// Where uploaded files and issued documents are kept. Default: `<data_dir>/files`.
    pub files_dir: Option<PathBuf>,
    /// The largest file a citizen may upload, in bytes.
    pub max_upload_bytes: usize,
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
    /// The citizen identity provider (national digital identity, provincial SSO) for citizen sign-in
    /// over OpenID Connect: its issuer URL. Empty: citizens sign in with NIK and a code only.
    pub citizen_oidc_issuer: String,
    pub citizen_oidc_client_id: String,
    pub citizen_oidc_client_secret: Option<String>,
    /// Registered at the provider. Empty: `<public URL>/masuk/idp/callback`, the public URL being the
    /// origin of `oidc_redirect_url`.
    pub citizen_oidc_redirect_url: String,
    /// Scopes asked for beyond `openid`, space-separated (the NIK claim may need one of its own).
    pub citizen_oidc_scopes: String,
    /// The ID token claim holding the citizen's NIK.
    pub citizen_oidc_nik_claim: String,
    /// `acr` values (comma-separated) that mean the provider verified the person at the substantial
    /// level; any other value gives a basic session.
    pub citizen_oidc_substantial_acr: String,
    /// The population register's lookup endpoint (JSON over HTTP, see docs/architecture.md). Empty: only
    /// records already held (or bound at a counter) can sign in; the demo uses its seeded register.
    pub register_url: String,
    /// Bearer token for the population register.
    pub register_token: Option<String>,
    /// The shared secret of the payment gateway's signed callback (`Balai-Signature`). Empty: the
    /// callback endpoint is not served (the demo makes one for its own gateway).
    pub payment_callback_secret: Option<String>,
    /// Virtual accounts over SNAP (Bank Indonesia's payment API standard): the client id the bank
    /// signs its token requests with. Empty: the SNAP endpoints are not served.
    pub snap_client_id: String,
    /// The client secret the bank's transaction calls are signed with (HMAC-SHA512).
    pub snap_client_secret: Option<String>,
    /// The bank's public key (PEM) its token requests are checked with (RSA-SHA256).
    pub snap_partner_public_key_file: Option<PathBuf>,
    /// The government's virtual-account prefix at the bank (`partnerServiceId`, up to 8 digits).
    pub snap_partner_service_id: String,
    /// Problems worth a warning found while loading (unknown `BALAI_*` variables).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Where each setting that is not a default came from, for error messages.
    #[serde(skip)]
    origins: std::collections::BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            database_read_url: None,
            database_read_max_lag_seconds: 30,
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
            document_key_file: None,
            files_dir: None,
            max_upload_bytes: 10 * 1024 * 1024,
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
            citizen_oidc_issuer: String::new(),
            citizen_oidc_client_id: String::new(),
            citizen_oidc_client_secret: None,
            citizen_oidc_redirect_url: String::new(),
            citizen_oidc_scopes: "profile".into(),
            citizen_oidc_nik_claim: "nik".into(),
            citizen_oidc_substantial_acr: String::new(),
            register_url: String::new(),
            register_token: None,
            payment_callback_secret: None,
            snap_client_id: String::new(),
            snap_client_secret: None,
            snap_partner_public_key_file: None,
            snap_partner_service_id: String::new(),
            warnings: Vec::new(),
            origins: Default::default(),
        }
    }
}

/// Every setting's name, as in `balai.toml` (the environment variable is `BALAI_` and its capitals).
pub fn setting_names() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Warnings for `BALAI_*` variables in `vars` that nothing reads, each with the closest setting.
pub fn unknown_variables(vars: impl Iterator<Item = String>) -> Vec<String> {
    let settings: Vec<String> = setting_names().iter().map(|n| format!("BALAI_{}", n.to_ascii_uppercase())).collect();
    let mut unknown: Vec<String> = vars
        .filter(|name| name.to_ascii_uppercase().starts_with("BALAI_"))
        .filter(|name| {
            let upper = name.to_ascii_uppercase();
            !settings.contains(&upper)
                && !NOT_SETTINGS.contains(&upper.as_str())
                && !NOT_SETTINGS_PREFIXES.iter().any(|p| upper.starts_with(p))
        })
        .collect();
    unknown.sort();
    unknown
        .into_iter()
        .map(|name| {
            let upper = name.to_ascii_uppercase();
            let suffix = &upper["BALAI_".len()..];
            let closest = settings
                .iter()
                .map(String::as_str)
                .chain(NOT_SETTINGS)
                .map(|known| (strsim::levenshtein(suffix, &known["BALAI_".len()..]), known))
                .min();
            // One edit in three letters: BALAI_LISEN is BALAI_LISTEN, BALAI_FOO is nothing.
            match closest {
                Some((distance, known)) if distance <= (suffix.len() / 3).max(1) => {
                    format!("environment variable {name} is not a Balai setting and is ignored; did you mean {known}?")
                }
                _ => format!(
                    "environment variable {name} is not a Balai setting and is ignored (the README lists the settings)"
                ),
            }
        })
        .collect()
}

/// Where a value came from, as the operator would look for it.
fn origin(metadata: Option<&figment::Metadata>, key: &str) -> String {
    match metadata {
        Some(md) if md.name.contains("environment variable") => {
            format!("environment variable BALAI_{}", key.to_ascii_uppercase())
        }
        Some(md) => match &md.source {
            Some(figment::Source::File(path)) => format!("key {key} in {}", path.display()),
            _ => format!("{key} ({})", md.name),
        },
        None => key.to_owned(),
    }
}

/// A figment error, each problem naming the variable or file key it came from.
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| match e.path.last() {
            Some(key) => format!("{} (from {})", e.kind, origin(e.metadata.as_ref(), key)),
            None => e.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(String),
    #[error("configuration: {key} = {value:?} (from {origin}) is not a socket address such as 127.0.0.1:8080")]
    BadAddress { key: &'static str, value: String, origin: String },
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Oidc(String),
    #[error("configuration: {0}")]
    Snap(String),
    #[error(
        "configuration: trusted_proxies entry {entry:?} (from {origin}) is not an address or CIDR block such as 10.0.0.0/8"
    )]
    BadProxy { entry: String, origin: String },
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
        let names = setting_names();
        let figment =
            figment.merge(Env::prefixed("BALAI_").only(&names.iter().map(String::as_str).collect::<Vec<_>>()));
        let mut config: Config = figment.extract().map_err(|e| ConfigError::Figment(describe(e)))?;
        for name in &names {
            let md = figment.find_metadata(name);
            let from_outside = md.is_some_and(|md| {
                md.name.contains("environment variable") || matches!(md.source, Some(figment::Source::File(_)))
            });
            if from_outside {
                config.origins.insert(name.clone(), origin(md, name));
            }
        }
        config.warnings = unknown_variables(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()));
        if let Some(listen) = &args.listen {
            config.listen = listen.clone();
            config.origins.insert("listen".into(), "the --listen flag".into());
        }
        if let Some(metrics) = &args.metrics_listen {
            config.metrics_listen = metrics.clone();
            config.origins.insert("metrics_listen".into(), "the --metrics-listen flag".into());
        }
        if let Some(dir) = &args.data_dir {
            config.data_dir = dir.clone();
        }
        if demo {
            // The demo runs on its own SQLite file unless BALAI_DATABASE_URL (or its --database-url)
            // names a database; never on balai.toml's, which is the deployment's own.
            if !config.origin_of("database_url").starts_with("environment variable") {
                config.database_url = None;
            }
            config.default_region.get_or_insert_with(|| "53.71".into());
        }
        config.listen_addr()?;
        config.metrics_addr()?;
        config.oidc()?;
        config.citizen_oidc()?;
        config.snap()?;
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
                    .map_err(|_| ConfigError::BadProxy {
                        entry: entry.to_owned(),
                        origin: self.origin_of("trusted_proxies"),
                    })
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
                return Err(ConfigError::Oidc(format!(
                    "oidc_issuer is set (from {}), so {key} is required",
                    self.origin_of("oidc_issuer")
                )));
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

    /// Virtual-account payments over SNAP, when a client id is configured: the secret, the bank's
    /// public key (read from its file) and the partner service id are then required.
    pub fn snap(&self) -> Result<Option<balai_web::snap::SnapConfig>, ConfigError> {
        if self.snap_client_id.trim().is_empty() {
            return Ok(None);
        }
        let Some(path) = self.snap_partner_public_key_file.as_ref() else {
            return Err(ConfigError::Snap(format!(
                "snap_client_id is set (from {}), so snap_partner_public_key_file is required",
                self.origin_of("snap_client_id")
            )));
        };
        let pem = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::Snap(format!(
                "snap_partner_public_key_file {} (from {}) cannot be read: {e}",
                path.display(),
                self.origin_of("snap_partner_public_key_file")
            ))
        })?;
        let secret = self.snap_client_secret.as_deref().unwrap_or_default();
        balai_web::snap::SnapConfig::new(&self.snap_client_id, secret, &pem, &self.snap_partner_service_id)
            .map(Some)
            .map_err(ConfigError::Snap)
    }

    /// Where a setting came from, as the operator would look for it.
    fn origin_of(&self, key: &str) -> String {
        self.origins.get(key).cloned().unwrap_or_else(|| format!("the default {key}"))
    }

    /// Citizen sign-in through a citizen identity provider, when an issuer is configured; a half-done
    /// setting is an error naming the key.
    pub fn citizen_oidc(&self) -> Result<Option<CitizenOidc>, ConfigError> {
        if self.citizen_oidc_issuer.is_empty() {
            return Ok(None);
        }
        if self.citizen_oidc_client_id.is_empty() {
            return Err(ConfigError::Oidc(format!(
                "citizen_oidc_issuer is set (from {}), so citizen_oidc_client_id is required",
                self.origin_of("citizen_oidc_issuer")
            )));
        }
        if self.citizen_oidc_nik_claim.trim().is_empty() {
            return Err(ConfigError::Oidc("citizen_oidc_nik_claim must name the claim that holds the NIK".into()));
        }
        let redirect_url = if !self.citizen_oidc_redirect_url.is_empty() {
            self.citizen_oidc_redirect_url.clone()
        } else {
            match url_origin(&self.oidc_redirect_url) {
                Some(origin) => format!("{origin}/masuk/idp/callback"),
                None => {
                    return Err(ConfigError::Oidc(
                        "citizen_oidc_issuer is set, so citizen_oidc_redirect_url is required (<public URL>/masuk/idp/callback): \
                         no public URL is known from oidc_redirect_url"
                            .into(),
                    ));
                }
            }
        };
        Ok(Some(CitizenOidc {
            settings: balai_oidc::OidcSettings {
                issuer: self.citizen_oidc_issuer.clone(),
                client_id: self.citizen_oidc_client_id.clone(),
                client_secret: self.citizen_oidc_client_secret.clone().filter(|s| !s.is_empty()),
                redirect_url,
                scopes: self.citizen_oidc_scopes.split_whitespace().map(str::to_owned).collect(),
            },
            nik_claim: self.citizen_oidc_nik_claim.trim().to_owned(),
            substantial_acr: self
                .citizen_oidc_substantial_acr
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }))
    }

    /// The site's public origin, when configuration names it: the origin of the officers' or the
    /// citizens' OIDC redirect URL.
    pub fn public_origin(&self) -> Option<String> {
        url_origin(&self.oidc_redirect_url).or_else(|| url_origin(&self.citizen_oidc_redirect_url))
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| ConfigError::BadAddress {
            key: "listen",
            value: self.listen.clone(),
            origin: self.origin_of("listen"),
        })
    }

    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        if self.metrics_listen.is_empty() {
            return Ok(None);
        }
        self.metrics_listen.parse().map(Some).map_err(|_| ConfigError::BadAddress {
            key: "metrics_listen",
            value: self.metrics_listen.clone(),
            origin: self.origin_of("metrics_listen"),
        })
    }

    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_signing_key_file.clone().unwrap_or_else(|| self.data_dir.join("keys").join("audit-ed25519.key"))
    }

    pub fn personal_data_key_path(&self) -> PathBuf {
        self.personal_data_key_file.clone().unwrap_or_else(|| self.data_dir.join("keys").join("personal-data.key"))
    }

    pub fn document_key_path(&self) -> PathBuf {
        self.document_key_file.clone().unwrap_or_else(|| self.data_dir.join("keys").join("documents.key"))
    }

    pub fn files_path(&self) -> PathBuf {
        self.files_dir.clone().unwrap_or_else(|| self.data_dir.join("files"))
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

/// The citizen identity provider's settings, as configuration gives them.
#[derive(Debug, Clone)]
pub struct CitizenOidc {
    pub settings: balai_oidc::OidcSettings,
    pub nik_claim: String,
    pub substantial_acr: Vec<String>,
}

/// `https://host:port` of a URL, if it has one.
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().filter(|a| !a.is_empty())?;
    Some(format!("{scheme}://{authority}"))
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(names: &[&str]) -> Vec<String> {
        unknown_variables(names.iter().map(|n| n.to_string()))
    }

    #[test]
    fn a_misspelt_variable_is_named_with_the_closest_setting() {
        let found = warnings(&["BALAI_LISEN", "BALAI_DATABASEURL", "BALAI_SESION_MINUTES", "balai_smtp_ulr"]);
        assert_eq!(found.len(), 4);
        assert!(found[0].starts_with("environment variable BALAI_DATABASEURL is not a Balai setting"), "{found:?}");
        assert!(found[0].ends_with("did you mean BALAI_DATABASE_URL?"));
        assert!(found[1].ends_with("did you mean BALAI_LISTEN?"));
        assert!(found[2].ends_with("did you mean BALAI_SESSION_MINUTES?"));
        assert!(found[3].ends_with("did you mean BALAI_SMTP_URL?"), "{found:?}");
        let far = warnings(&["BALAI_FOO"]);
        assert_eq!(far.len(), 1);
        assert!(!far[0].contains("did you mean"), "nothing is close: {far:?}");
    }

    #[test]
    fn settings_and_the_variables_the_tools_read_are_not_warned_about() {
        let mut known: Vec<String> =
            setting_names().iter().map(|n| format!("BALAI_{}", n.to_ascii_uppercase())).collect();
        assert!(known.contains(&"BALAI_DATABASE_URL".to_owned()) && known.len() >= 29);
        known.extend(NOT_SETTINGS.iter().map(|n| n.to_string()));
        known.extend(
            ["BALAI_TEST_POSTGRES_URL", "BALAI_BENCH_SQLITE_FILE", "BALAI_BENCH_KEEP_POSTGRES", "PATH", "HOME"]
                .map(String::from),
        );
        assert_eq!(unknown_variables(known.into_iter()), Vec::<String>::new());
        assert!(!setting_names().contains(&"warnings".to_owned()), "internal fields are not settings");
    }

    fn citizen(issuer: &str) -> Config {
        Config {
            citizen_oidc_issuer: issuer.into(),
            citizen_oidc_client_id: "balai".into(),
            citizen_oidc_substantial_acr: " urn:id:loa:substantial , loa3,,".into(),
            ..Config::default()
        }
    }

    #[test]
    fn the_citizen_provider_comes_back_to_the_public_url_unless_told_otherwise() {
        assert!(Config::default().citizen_oidc().unwrap().is_none(), "off without an issuer");
        let mut config = citizen("https://idp.example.go.id");
        config.oidc_redirect_url = "https://layanan.kupangkota.go.id/admin/masuk/oidc/callback".into();
        let settings = config.citizen_oidc().unwrap().unwrap();
        assert_eq!(settings.settings.redirect_url, "https://layanan.kupangkota.go.id/masuk/idp/callback");
        assert_eq!(settings.nik_claim, "nik");
        assert_eq!(settings.substantial_acr, ["urn:id:loa:substantial", "loa3"]);
        assert_eq!(settings.settings.scopes, ["profile"]);

        config.citizen_oidc_redirect_url = "https://warga.example.go.id/masuk/idp/callback".into();
        let settings = config.citizen_oidc().unwrap().unwrap();
        assert_eq!(settings.settings.redirect_url, "https://warga.example.go.id/masuk/idp/callback");
    }

    #[test]
    fn a_half_done_citizen_provider_setting_names_the_key() {
        let no_public_url = citizen("https://idp.example.go.id").citizen_oidc().unwrap_err().to_string();
        assert!(no_public_url.contains("citizen_oidc_redirect_url"), "{no_public_url}");
        let mut no_client = citizen("https://idp.example.go.id");
        no_client.citizen_oidc_client_id = String::new();
        let message = no_client.citizen_oidc().unwrap_err().to_string();
        assert!(message.contains("citizen_oidc_client_id"), "{message}");
        let mut no_claim = citizen("https://idp.example.go.id");
        no_claim.citizen_oidc_redirect_url = "https://layanan.example.go.id/masuk/idp/callback".into();
        no_claim.citizen_oidc_nik_claim = " ".into();
        let message = no_claim.citizen_oidc().unwrap_err().to_string();
        assert!(message.contains("citizen_oidc_nik_claim"), "{message}");
    }

    #[test]
    fn the_public_origin_comes_from_either_redirect_url() {
        let mut config = Config::default();
        assert_eq!(config.public_origin(), None);
        config.citizen_oidc_redirect_url = "https://warga.example.go.id/masuk/idp/callback".into();
        assert_eq!(config.public_origin().as_deref(), Some("https://warga.example.go.id"));
        config.oidc_redirect_url = "https://layanan.example.go.id:8443/admin/masuk/oidc/callback".into();
        assert_eq!(config.public_origin().as_deref(), Some("https://layanan.example.go.id:8443"));
    }
}
