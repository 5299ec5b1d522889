//! The population register over HTTP: the JSON protocol `docs/architecture.md` documents under
//! "The population register", spoken with ureq on a blocking thread (as the outbox's gateway is).
//!
//! `POST <register_url>` with `{"nik": "…"}` and `Authorization: Bearer <token>`; the NIK travels in
//! the body, never in a URL a proxy might log. The answer is `{"found": false}` or
//! `{"found": true, "record": {…}}`. Redirects are not followed; answers are bounded in size and time.

use balai_domain::nik::Nik;
use balai_store::identity::register::{NoRegister, PopulationRegister, RegisterError, RegisterLookup, RegisterRecord};
use serde::Deserialize;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// The largest answer read from the register.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// The register this deployment asks (none: only records already held can sign in).
#[derive(Clone)]
pub struct RegisterConnector(pub Arc<dyn PopulationRegister>);

impl RegisterConnector {
    pub fn none() -> RegisterConnector {
        RegisterConnector(Arc::new(NoRegister))
    }

    pub fn lookup<'a>(&'a self, nik: &'a Nik) -> RegisterLookup<'a> {
        self.0.lookup(nik)
    }
}

impl Default for RegisterConnector {
    fn default() -> Self {
        RegisterConnector::none()
    }
}

impl std::fmt::Debug for RegisterConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisterConnector")
    }
}

/// The register reached over HTTP.
pub struct HttpRegister {
    url: String,
    token: Option<String>,
    timeout: Duration,
}

impl HttpRegister {
    pub fn new(url: impl Into<String>, token: Option<String>) -> HttpRegister {
        HttpRegister { url: url.into(), token, timeout: Duration::from_secs(10) }
    }
}

#[derive(Deserialize)]
struct Answer {
    found: bool,
    #[serde(default)]
    record: Option<RegisterRecord>,
}

impl PopulationRegister for HttpRegister {
    fn lookup<'a>(&'a self, nik: &'a Nik) -> RegisterLookup<'a> {
        let (url, token, timeout) = (self.url.clone(), self.token.clone(), self.timeout);
        let body = serde_json::json!({ "nik": nik.expose() }).to_string();
        Box::pin(async move {
            let answer = tokio::task::spawn_blocking(move || -> Result<(u16, Vec<u8>), RegisterError> {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(timeout))
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .build()
                    .into();
                let mut request =
                    agent.post(&url).header("Content-Type", "application/json").header("Accept", "application/json");
                if let Some(token) = &token {
                    request = request.header("Authorization", &format!("Bearer {token}"));
                }
                let response = request.send(body).map_err(|e| RegisterError::Unavailable(kind_of(&e).into()))?;
                let status = response.status().as_u16();
                let mut bytes = Vec::new();
                response
                    .into_body()
                    .into_reader()
                    .take(MAX_ANSWER_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|_| RegisterError::Unavailable("the answer broke off".into()))?;
                Ok((status, bytes))
            })
            .await
            .map_err(|e| RegisterError::Unavailable(format!("lookup task failed: {e}")))??;
            let (status, bytes) = answer;
            if status != 200 {
                return Err(RegisterError::Unavailable(format!("HTTP {status}")));
            }
            if bytes.len() as u64 > MAX_ANSWER_BYTES {
                return Err(RegisterError::Malformed("the answer is too large".into()));
            }
            let answer: Answer =
                serde_json::from_slice(&bytes).map_err(|e| RegisterError::Malformed(e.classify_name().to_string()))?;
            match (answer.found, answer.record) {
                (false, _) => Ok(None),
                (true, Some(record)) if !record.full_name.trim().is_empty() => Ok(Some(record)),
                (true, _) => Err(RegisterError::Malformed("found without a named record".into())),
            }
        })
    }
}

/// Names the JSON error's kind without echoing the answer (which may hold personal data).
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
            serde_json::error::Category::Eof => "JSON cut short",
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
