//! A test app builder: a seeded demo database, the real router, requests through `oneshot`.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use balai_store::{Db, identity, seed};
use balai_web::WebConfig;
use balai_web::auth::CookieSecurity;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "kata-sandi-uji";

pub struct TestApp {
    pub db: Db,
    pub vault: balai_store::identity::Vault,
    /// The administrator's TOTP secret once enrolled, and the last time step used (codes work once).
    totp: std::sync::Mutex<Option<(String, u64)>>,
    /// The app's clock: stories move it forward instead of waiting for real time.
    pub clock: balai_web::Clock,
    pub signer: balai_ledger::NoteSigner,
    router: Router,
    _dir: tempfile::TempDir,
    _postgres: Option<PostgresDrop>,
}

/// The database engine a story runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    /// A fresh database on the server at `BALAI_TEST_POSTGRES_URL`, dropped when the story ends.
    Postgres,
}

/// Drops a story's PostgreSQL database, pass or fail.
struct PostgresDrop {
    admin_url: String,
    name: String,
}

impl Drop for PostgresDrop {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the story's runtime; a thread with its own runtime drops the database.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin.execute(balai_store::dynamic_query(sql)).await;
                    admin.close().await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// Declares stories that take a `TestApp` and runs each on SQLite and on PostgreSQL (when
/// `BALAI_TEST_POSTGRES_URL` is set; CI sets it): `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = $crate::support::TestApp::demo_on($crate::support::Engine::Sqlite).await.unwrap();
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(app) = $crate::support::TestApp::demo_on($crate::support::Engine::Postgres).await else {
                        eprintln!("BALAI_TEST_POSTGRES_URL is not set: the PostgreSQL run of this story is skipped");
                        return;
                    };
                    super::$name(app).await;
                }
            )*
        }
    };
}

/// [`on_both_engines!`] on the demo with its work seeded ([`TestApp::demo_with_work_on`]): for
/// stories that read the demo's applications, complaints and surveys.
#[macro_export]
macro_rules! on_both_engines_with_work {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let engine = $crate::support::Engine::Sqlite;
                    let app = $crate::support::TestApp::demo_with_work_on(engine).await.unwrap();
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let engine = $crate::support::Engine::Postgres;
                    let Some(app) = $crate::support::TestApp::demo_with_work_on(engine).await else {
                        eprintln!("BALAI_TEST_POSTGRES_URL is not set: the PostgreSQL run of this story is skipped");
                        return;
                    };
                    super::$name(app).await;
                }
            )*
        }
    };
}

pub const ORIGIN: &str = "balai.test/audit";

/// The payment gateway's callback secret in the demo stories.
pub const CALLBACK_SECRET: &[u8] = b"story-gateway-secret";

/// The government's virtual-account prefix at the bank in the demo stories.
pub const PARTNER_SERVICE_ID: &str = "88810";

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The value of a cookie this response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        })
    }

    /// The value attribute of the hidden input `name`.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in page")) + marker.len();
        self.body[start..].split('"').next().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    /// The demo catalogue (NTT and Kota Kupang) on a fresh SQLite file, with one administrator,
    /// configured as `balai demo` runs: `Secure` cookies under their plain names.
    pub async fn demo() -> TestApp {
        Self::demo_on(Engine::Sqlite).await.expect("SQLite is always there")
    }

    /// The demo on a given engine (`None`: PostgreSQL is not configured for tests).
    pub async fn demo_on(engine: Engine) -> Option<TestApp> {
        Self::demo_with_on(
            WebConfig {
                default_region: Some("53.71".into()),
                demo_inbox: true,
                register: demo_register(),
                secure_cookies: CookieSecurity::Secure,
                payments: balai_web::PaymentsConfig {
                    callback_secret: Some(CALLBACK_SECRET.to_vec()),
                    partner_service_id: Some(PARTNER_SERVICE_ID.into()),
                    demo_gateway_origin: None,
                },
                ..WebConfig::default()
            },
            engine,
        )
        .await
    }

    /// The demo with a given web configuration (the audit key is filled in).
    pub async fn demo_with(config: WebConfig) -> TestApp {
        Self::demo_with_on(config, Engine::Sqlite).await.expect("SQLite is always there")
    }

    /// The demo with a given web configuration on a given engine.
    pub async fn demo_with_on(mut config: WebConfig, engine: Engine) -> Option<TestApp> {
        let dir = tempfile::tempdir().unwrap();
        let (db, postgres) = match engine {
            Engine::Sqlite => {
                (Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap(), None)
            }
            Engine::Postgres => {
                let admin_url = std::env::var("BALAI_TEST_POSTGRES_URL").ok()?;
                static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0);
                let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let name = format!("balai_story_{}_{n}_{nanos}", std::process::id());
                let admin = Db::connect(&admin_url).await.expect("PostgreSQL at BALAI_TEST_POSTGRES_URL answers");
                admin.execute(balai_store::dynamic_query(format!("CREATE DATABASE {name}"))).await.unwrap();
                admin.close().await;
                let mut url = url::Url::parse(&admin_url).expect("a PostgreSQL URL");
                url.set_path(&format!("/{name}"));
                let drop = PostgresDrop { admin_url, name };
                (Db::connect(url.as_str()).await.unwrap(), Some(drop))
            }
        };
        db.migrate().await.unwrap();
        seed::seed_demo(&db).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        identity::create_admin(
            &mut tx,
            &balai_store::audit::Actor::system("test"),
            None,
            ADMIN,
            "Admin Uji",
            &balai_auth::hash_password(ADMIN_PASSWORD),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let vault = balai_store::identity::Vault::from_master(&[5; 32]);
        seed::seed_demo_citizens(&db, &vault).await.unwrap();
        let signer = balai_ledger::NoteSigner::generate(ORIGIN).unwrap();
        config.audit_public_key = Some(signer.verifier().to_vkey());
        config.clock = balai_web::Clock::adjustable();
        let clock = config.clock.clone();
        Some(TestApp {
            router: balai_web::app(db.clone(), vault.clone(), config),
            db,
            vault,
            totp: Default::default(),
            clock,
            signer,
            _dir: dir,
            _postgres: postgres,
        })
    }

    /// The demo with its work, as `balai demo` seeds it: a few hundred applications at Kota Kupang
    /// and the complaints of both governments, moved through the same commands an officer uses, up
    /// to the app clock's now (so the dashboard's "today" and the seeded days agree).
    pub async fn demo_with_work_on(engine: Engine) -> Option<TestApp> {
        let app = Self::demo_on(engine).await?;
        app.seed_demo_work().await;
        Some(app)
    }

    /// Seeds the demo's applications (worked by an officer of Disdukcapil Kota Kupang) and complaints.
    pub async fn seed_demo_work(&self) {
        let government = balai_store::org::government_by_region(&self.db, "53.71").await.unwrap();
        let agencies =
            balai_store::org::agencies(&self.db, Some("53.71"), balai_store::Paging::new(1, 100)).await.unwrap();
        let agency = agencies.items.into_iter().find(|a| a.code == "disdukcapil").expect("the demo's Disdukcapil");
        let mut tx = self.db.begin().await.unwrap();
        let officer = identity::create_officer(
            &mut tx,
            &balai_store::audit::Actor::system("test"),
            &identity::NewOfficer {
                government_id: Some(government.id),
                agency_id: Some(agency.id),
                unit_id: None,
                role: balai_domain::identity::Role::Officer,
                username: "petugas-demo",
                display_name: "Petugas Demo",
                password_hash: "!",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let now = self.clock.now();
        assert!(seed::seed_demo_cases(&self.db, &self.vault, officer, &PlainIssuer, now).await.unwrap());
        assert!(seed::seed_demo_complaints(&self.db, &self.vault, now).await.unwrap());
    }

    /// Signs a checkpoint of the log as it is now, as the server's signer does every few seconds.
    pub async fn sign_checkpoint(&self) -> u64 {
        let checkpoint = balai_store::audit::sign_pending_checkpoint(&self.db, &self.signer, ORIGIN).await.unwrap();
        checkpoint.map(|c| c.size as u64).unwrap_or_else(|| panic!("nothing new to sign"))
    }

    /// The response as it is (a binary body, such as a PDF).
    pub async fn raw(&self, request: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// POSTs a JSON body from a client address.
    pub async fn post_json_from(&self, path: &str, body: serde_json::Value, client: &str) -> TestResponse {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let ip: std::net::IpAddr = client.parse().unwrap();
        let addr = std::net::SocketAddr::new(ip, 40000);
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.request(request).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> TestResponse {
        self.post_json_from(path, body, "192.0.2.10").await
    }

    /// POSTs a JSON body with cookies (an API client that keeps them, as the sign-in needs).
    pub async fn post_json_with_cookie(&self, path: &str, body: serde_json::Value, cookie: &str) -> TestResponse {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.to_string()))
            .unwrap();
        let addr: std::net::SocketAddr = "192.0.2.10:40000".parse().unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.request(request).await
    }

    /// How many messages the outbox holds (what was sent, or is about to be).
    pub async fn outbox_len(&self) -> usize {
        balai_store::notify::recent(&self.db, &self.vault, 1000).await.unwrap().len()
    }

    /// The newest message in the outbox, as the citizen would receive it.
    pub async fn last_message(&self) -> balai_store::notify::Message {
        balai_store::notify::recent(&self.db, &self.vault, 1).await.unwrap().pop().expect("a message in the outbox")
    }

    /// The six-digit code in the newest outbox message.
    pub async fn last_code(&self) -> String {
        let body = self.last_message().await.body;
        let start = body.find(|c: char| c.is_ascii_digit()).expect("a code in the message");
        body[start..start + 6].to_owned()
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> TestResponse {
        self.request(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body =
            fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        self.request(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Signs the administrator in — password, then the second factor (enrolled on the first sign-in,
    /// as a new admin would) — and returns the session cookie header value.
    pub async fn sign_in_admin(&self) -> String {
        let form = self.get("/admin/masuk").await;
        let csrf = form.cookie("balai_login_csrf").expect("login CSRF cookie");
        let response = self
            .post_form(
                "/admin/masuk",
                &format!("balai_login_csrf={csrf}"),
                &[("csrf", &csrf), ("username", ADMIN), ("password", ADMIN_PASSWORD), ("next", "/admin")],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        assert!(response.header("location").starts_with("/admin/masuk/faktor-kedua"), "admins need a second factor");
        let half = format!("balai_admin_totp={}", response.cookie("balai_admin_totp").expect("half-open session"));
        let page = self.get_with_cookie(response.header("location"), &half).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let code = self.next_totp_code(&page);
        let done = self
            .post_form(
                "/admin/masuk/faktor-kedua",
                &half,
                &[("csrf", &page.hidden("csrf")), ("code", &code), ("next", "/admin")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        format!("balai_admin={}", done.cookie("balai_admin").expect("session cookie"))
    }

    /// A code the authenticator app would show: for a time step not used yet (one step of drift is allowed).
    fn next_totp_code(&self, page: &TestResponse) -> String {
        let mut totp = self.totp.lock().unwrap();
        let secret = match page.body.split("id=\"totp-secret\">").nth(1) {
            Some(rest) => rest.split('<').next().unwrap().to_owned(),
            None => totp.as_ref().expect("enrolled earlier").0.clone(),
        };
        let step = |clock: &balai_web::Clock| clock.now().timestamp() as u64 / 30;
        // A code works once: when this step was used already, move the app's clock on to the next.
        if let Some((_, last)) = totp.as_ref() {
            while step(&self.clock) <= *last {
                assert!(self.clock.advance(chrono::Duration::seconds(30)), "the stories' clock is adjustable");
            }
        }
        let step = step(&self.clock);
        *totp = Some((secret.clone(), step));
        balai_auth::totp::code_at(&secret, step * 30).unwrap()
    }
}

/// Issues the demo's documents without rendering one: a random public id and the number the product prints.
struct PlainIssuer;

impl seed::DocumentIssuer for PlainIssuer {
    fn issue<'a>(
        &'a self,
        request: &'a seed::DocumentRequest<'a>,
    ) -> balai_store::audit::BoxFuture<'a, Result<balai_store::applications::IssuedDocument, String>> {
        use balai_store::applications;
        Box::pin(async move {
            let file = request.file;
            let issued_on = request.government.zone().local_date(request.now);
            let id: String = format!("{:032x}", rand::random::<u128>()).chars().take(22).collect();
            let product = if file.product.is_empty() { file.public.service.clone() } else { file.product.clone() };
            Ok(applications::IssuedDocument {
                number: applications::document_number(&file.service_code, &file.public.tracking_number, issued_on),
                doc_type: applications::output_document_type(&product).code().to_owned(),
                product,
                issuer: request.agency.to_owned(),
                issued_on,
                sha256: "00".repeat(32),
                signature: "not-signed".into(),
                object_key: format!("uploads/{}/{id}", request.government.id),
                id,
            })
        })
    }
}

/// The demo's population register, in memory.
pub fn demo_register() -> balai_web::register::RegisterConnector {
    let register = balai_store::identity::register::MemoryRegister::new(seed::demo_register());
    balai_web::register::RegisterConnector(std::sync::Arc::new(register))
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The edit form of a service as the browser would submit it unchanged.
pub fn form_fields(page: &TestResponse) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let body = &page.body;
    // inputs with a value
    for chunk in body.split("<input ").skip(1) {
        let tag = chunk.split('>').next().unwrap_or_default();
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker).map(|i| tag[i + marker.len()..].split('"').next().unwrap_or_default().to_owned())
        };
        let (Some(name), value) = (attr("name"), attr("value")) else { continue };
        if attr("type").as_deref() == Some("checkbox") && !tag.contains("checked") {
            continue;
        }
        fields.push((name, html_unescape(&value.unwrap_or_default())));
    }
    for chunk in body.split("<textarea ").skip(1) {
        let tag = chunk.split('>').next().unwrap_or_default();
        let name = tag.split("name=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned();
        let content = chunk
            .split_once('>')
            .map(|(_, rest)| rest.split("</textarea>").next().unwrap_or_default())
            .unwrap_or_default();
        fields.push((name, html_unescape(content)));
    }
    for chunk in body.split("<select ").skip(1) {
        let tag = chunk.split('>').next().unwrap_or_default();
        let name = tag.split("name=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned();
        let options = chunk.split("</select>").next().unwrap_or_default();
        let selected = options
            .split("<option ")
            .find(|o| o.split('>').next().unwrap_or_default().contains("selected"))
            .or_else(|| options.split("<option ").nth(1))
            .and_then(|o| o.split("value=\"").nth(1))
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_owned();
        fields.push((name, selected));
    }
    fields
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

pub fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields.iter_mut().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

pub fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
