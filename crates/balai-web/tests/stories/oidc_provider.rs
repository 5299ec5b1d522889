//! A real OpenID Connect provider (npm `oidc-provider`, in tests/browser) started for a story, and a
//! person at its sign-in form.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Where the provider sends browsers back: only the path reaches the app under test.
pub const REDIRECT_URL: &str = "http://127.0.0.1:8080/admin/masuk/oidc/callback";
/// Where it sends citizens back (the same provider plays the citizen identity provider).
pub const CITIZEN_REDIRECT_URL: &str = "http://127.0.0.1:8080/masuk/idp/callback";
/// The `acr` the provider gives a person it verified at the substantial level, and a lower one.
pub const SUBSTANTIAL_ACR: &str = "urn:balai:test:loa:substantial";

pub struct OidcProvider {
    pub issuer: String,
    child: Child,
}

impl OidcProvider {
    pub fn start() -> OidcProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser/oidc-provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_REDIRECT_URIS", format!("{REDIRECT_URL},{CITIZEN_REDIRECT_URL}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node is needed for the OIDC provider (scripts/test installs tests/browser)");
        let stdout = child.stdout.take().expect("provider stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the provider prints its issuer");
        let issuer = line
            .trim()
            .strip_prefix("OIDC_ISSUER=")
            .unwrap_or_else(|| panic!("the provider did not start (npm ci in tests/browser?): {line:?}"))
            .to_owned();
        OidcProvider { issuer, child }
    }

    pub fn sign_in(&self) -> balai_oidc::OidcSettings {
        balai_oidc::OidcSettings {
            issuer: self.issuer.clone(),
            client_id: "balai".into(),
            client_secret: Some("balai-secret".into()),
            redirect_url: REDIRECT_URL.into(),
            scopes: vec!["email".into(), "profile".into(), "balai".into()],
        }
    }

    /// The settings of Balai's citizen sign-in with this provider as the citizen identity provider.
    pub fn citizen_sign_in(&self) -> balai_oidc::OidcSettings {
        balai_oidc::OidcSettings {
            redirect_url: CITIZEN_REDIRECT_URL.into(),
            scopes: vec!["profile".into(), "nik".into(), "email".into(), "phone".into()],
            ..self.sign_in()
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A person's browser at the provider: follows its redirects, keeps its cookies, fills the form.
pub struct PersonAtProvider {
    agent: ureq::Agent,
}

impl PersonAtProvider {
    pub fn new() -> PersonAtProvider {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        PersonAtProvider { agent }
    }

    /// Opens the authorization URL, signs in as `username` and returns the callback path and query
    /// the provider redirects back to.
    pub fn sign_in_as(&self, authorize_url: &str, username: &str) -> String {
        let mut url = authorize_url.to_owned();
        for _ in 0..10 {
            if let Some(back) = url.strip_prefix(REDIRECT_URL.trim_end_matches("/admin/masuk/oidc/callback")) {
                return back.to_owned();
            }
            let response = self.agent.get(&url).call().expect("the provider answers");
            if response.status().is_redirection() {
                url = self.absolute(&url, response.headers()["location"].to_str().unwrap());
                continue;
            }
            assert_eq!(response.status(), 200, "the provider's sign-in form");
            // The form posts to /interaction/<uid>/login.
            let login = format!("{}/login", url.trim_end_matches('/'));
            let posted = self.agent.post(&login).send_form([("username", username)]).expect("the form is accepted");
            assert!(posted.status().is_redirection(), "a known username signs in: {}", posted.status());
            url = self.absolute(&url, posted.headers()["location"].to_str().unwrap());
        }
        panic!("the provider never sent the browser back");
    }

    fn absolute(&self, base: &str, location: &str) -> String {
        if location.starts_with("http") {
            return location.to_owned();
        }
        let origin: String = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        format!("{origin}{location}")
    }
}
