//! The scenarios: what a citizen's phone, a client application and an officer send, over HTTP,
//! exactly as they would (cookies, form tokens, idempotency keys, multipart photos).

use super::load::{self, Answer, Conn, Measured, Outcome, failure};
use super::world::{DOCUMENT, READ_SERVICE, REGION, SERVICE, World};
use crate::RunError;
use balai_store::{Db, query};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct Context {
    addr: SocketAddr,
    clients: usize,
    seconds: f64,
    world: Arc<World>,
    photo: Bytes,
    /// Tells this run's idempotency keys from an earlier run's on a kept data directory.
    run_id: u64,
    /// Bills waiting to be paid, one per `payment_callback` operation.
    bills: Arc<Vec<String>>,
    /// The gateway callback's secret the server under test was started with.
    callback_secret: Arc<Vec<u8>>,
}

/// A 200 KB-class photo: noise compresses badly, like a real one.
fn photo() -> Vec<u8> {
    let (w, h) = (640u32, 480u32);
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    let mut x: u32 = 12345;
    for p in pixels.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *p = (x & 0xff) as u8;
    }
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60);
    let _ = image::ImageEncoder::write_image(encoder, &pixels, w, h, image::ExtendedColorType::Rgb8);
    out
}

const BOUNDARY: &str = "balai-bench-7d1f0c";

/// A `multipart/form-data` body: text fields, then an optional file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Bytes {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"foto.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

fn post(path: &str, content_type: &str, cookie: Option<&str>, body: Bytes) -> Request<Full<Bytes>> {
    let mut r = Request::post(path).header(CONTENT_TYPE, content_type);
    if let Some(c) = cookie {
        r = r.header(COOKIE, c);
    }
    r.body(Full::new(body)).unwrap_or_default()
}

fn form(pairs: &[(&str, &str)]) -> Bytes {
    Bytes::from(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
}

/// Uploads the photo as the citizen; the upload's id.
async fn upload(conn: &mut Conn, cookie: &str, photo: &Bytes) -> Result<i64, String> {
    let body = multipart(&[], Some(("file", photo)));
    let request = post(
        &format!("/api/v1/uploads?government={REGION}"),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        Some(cookie),
        body,
    );
    let answer = conn.send(request).await.map_err(|e| e.to_string())?;
    if answer.status.as_u16() != 201 {
        return Err(describe("upload", &answer));
    }
    serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("id").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| "upload: no id in the answer".to_owned())
}

fn describe(what: &str, answer: &Answer) -> String {
    match failure(what, answer) {
        Outcome::Failed(why) => why,
        _ => String::new(),
    }
}

async fn submit(conn: &mut Conn, cookie: &str, upload: i64, key: &str) -> Outcome {
    let body = serde_json::json!({
        "government": REGION,
        "service": SERVICE,
        "fields": {},
        "documents": [{ "code": DOCUMENT, "upload": upload }],
    });
    let mut request = post("/api/v1/applications", "application/json", Some(cookie), Bytes::from(body.to_string()));
    if let Ok(v) = key.parse() {
        request.headers_mut().insert("idempotency-key", v);
    }
    match conn.send(request).await {
        Ok(a) if a.status.as_u16() == 201 => Outcome::Done,
        Ok(a) => failure("application_submit", &a),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Reads a GET answer; success is a 200.
async fn read(conn: &mut Conn, what: &str, path: &str) -> Outcome {
    match conn.get(path, None).await {
        Ok(a) if a.status.as_u16() == 200 => Outcome::Done,
        Ok(a) => failure(what, &a),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

impl Context {
    pub fn new(addr: SocketAddr, clients: usize, seconds: f64, world: World) -> Context {
        Context {
            addr,
            clients,
            seconds,
            world: Arc::new(world),
            photo: Bytes::from(photo()),
            run_id: rand::random::<u32>() as u64,
            bills: Arc::new(Vec::new()),
            callback_secret: Arc::new(Vec::new()),
        }
    }

    /// The bills `payment_callback` pays and the secret its notifications are signed with.
    pub fn with_bills(mut self, bills: Vec<String>, callback_secret: Vec<u8>) -> Context {
        self.bills = Arc::new(bills);
        self.callback_secret = Arc::new(callback_secret);
        self
    }

    pub async fn run(&self, name: &str, db: &Db) -> Result<Measured, RunError> {
        let (addr, clients, seconds, run_id) = (self.addr, self.clients, self.seconds, self.run_id);
        let conn = move |_| Conn::new(addr);
        let w = self.world.clone();
        Ok(match name {
            "application_submit" => {
                // One upload per client before the clock starts, attached to every submission: this
                // scenario measures the submission, not the photo.
                let mut uploads = Vec::with_capacity(clients);
                let mut setup = Conn::new(addr);
                for cookie in &w.citizen_cookies {
                    uploads.push(upload(&mut setup, cookie, &self.photo).await.map_err(RunError::Io)?);
                }
                let uploads = Arc::new(uploads);
                load::run(clients, seconds, conn, move |mut c, client, n| {
                    let (w, uploads) = (w.clone(), uploads.clone());
                    async move {
                        let key = format!("bench-{run_id}-a-{n}");
                        let outcome = submit(&mut c, &w.citizen_cookies[client], uploads[client], &key).await;
                        (c, outcome)
                    }
                })
                .await
            }
            "application_submit_photo" => {
                let photo = self.photo.clone();
                load::run(clients, seconds, conn, move |mut c, client, n| {
                    let (w, photo) = (w.clone(), photo.clone());
                    async move {
                        let cookie = &w.citizen_cookies[client];
                        let outcome = match upload(&mut c, cookie, &photo).await {
                            Ok(id) => submit(&mut c, cookie, id, &format!("bench-{run_id}-p-{n}")).await,
                            Err(why) => Outcome::Failed(why),
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "complaint_submit" => {
                // The form's token and its cookie, fetched once per client as a browser would.
                let mut tokens = Vec::with_capacity(clients);
                let mut setup = Conn::new(addr);
                for _ in 0..clients {
                    tokens.push(form_token(&mut setup).await.map_err(RunError::Io)?);
                }
                let tokens = Arc::new(tokens);
                load::run(clients, seconds, conn, move |mut c, client, n| {
                    let (w, tokens) = (w.clone(), tokens.clone());
                    async move {
                        let (csrf, cookie) = &tokens[client];
                        let key = format!("bench-{run_id}-c-{n}");
                        let body = multipart(
                            &[
                                ("csrf", csrf),
                                ("pemda", REGION),
                                ("kind", "pengaduan"),
                                ("category", &w.category),
                                ("title", "Jalan berlubang di depan sekolah"),
                                ("text", "Lubang besar di jalan depan SD, membahayakan anak-anak yang menyeberang."),
                                ("lat", "-10.1772"),
                                ("long", "123.6070"),
                                ("address", "Jl. Soekarno, Kupang"),
                                ("anonymous", "on"),
                                ("action", "new"),
                                ("idempotency_key", &key),
                            ],
                            None,
                        );
                        let request = post(
                            "/pengaduan/baru",
                            &format!("multipart/form-data; boundary={BOUNDARY}"),
                            Some(cookie),
                            body,
                        );
                        let outcome = match c.send(request).await {
                            // Filed: the page with the tracking number (200) or a redirect to it.
                            Ok(a) if a.status.as_u16() == 200 || a.status.is_redirection() => Outcome::Done,
                            Ok(a) => failure("complaint_submit", &a),
                            Err(e) => Outcome::Failed(e.to_string()),
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "payment_callback" => {
                // Each operation is a gateway telling Balai one bill was paid: a signed notification
                // over HTTP, settled in one transaction that also moves the case. A bill is paid once;
                // when the prepared bills run out, operations are idle (counted apart).
                let (bills, secret) = (self.bills.clone(), self.callback_secret.clone());
                load::run(clients, seconds, conn, move |mut c, _, n| {
                    let (bills, secret) = (bills.clone(), secret.clone());
                    async move {
                        let Some(bill) = usize::try_from(n).ok().and_then(|i| bills.get(i)) else {
                            return (c, Outcome::Idle);
                        };
                        let now = chrono::Utc::now();
                        let body = serde_json::json!({
                            "transaction_id": format!("BENCH-{run_id}-{n}"),
                            "bill_number": bill,
                            "amount": crate::bench::world::PAID_FEE,
                            "status": "paid",
                            "paid_at": now.to_rfc3339(),
                            "channel": "qris",
                        })
                        .to_string();
                        let signature = balai_gateway::callback::sign(&secret, now.timestamp(), body.as_bytes());
                        let mut request =
                            post("/api/v1/payments/callback/generic", "application/json", None, Bytes::from(body));
                        if let Ok(value) = signature.parse() {
                            request.headers_mut().insert(balai_gateway::callback::SIGNATURE_HEADER, value);
                        }
                        let outcome = match c.send(request).await {
                            Ok(a) if a.status.is_success() && a.body.starts_with(b"{\"result\":\"paid\"") => {
                                Outcome::Done
                            }
                            Ok(a) => failure("payment_callback", &a),
                            Err(e) => Outcome::Failed(e.to_string()),
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "open311_post" => {
                load::run(clients, seconds, conn, move |mut c, _, _| {
                    let w = w.clone();
                    async move {
                        let body = form(&[
                            ("api_key", &w.open311_key),
                            ("jurisdiction_id", REGION),
                            ("service_code", &w.category),
                            ("lat", "-10.1772"),
                            ("long", "123.6070"),
                            ("description", "Lampu jalan mati sejak tiga hari di simpang lima."),
                        ]);
                        let request =
                            post("/open311/v2/requests.json", "application/x-www-form-urlencoded", None, body);
                        let outcome = match c.send(request).await {
                            Ok(a) if a.status.is_success() => Outcome::Done,
                            Ok(a) => failure("open311_post", &a),
                            Err(e) => Outcome::Failed(e.to_string()),
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "officer_transition" => {
                // The cases the submissions opened, each verified once at its first step.
                let open: Vec<(i64,)> = db
                    .fetch_all(query(
                        "SELECT id FROM cases WHERE kind = 'application' AND status = 'in_progress' \
                         AND current_step = 0 ORDER BY id",
                    ))
                    .await?;
                let open = Arc::new(open.into_iter().map(|(id,)| id).collect::<Vec<_>>());
                load::run(clients, seconds, conn, move |mut c, _, n| {
                    let (w, open) = (w.clone(), open.clone());
                    async move {
                        let Some(case) = usize::try_from(n).ok().and_then(|n| open.get(n)) else {
                            return (c, Outcome::Idle);
                        };
                        let body = form(&[("csrf", &w.officer_csrf), ("event", "verify")]);
                        let request = post(
                            &format!("/admin/permohonan/{case}/aksi"),
                            "application/x-www-form-urlencoded",
                            Some(&w.officer_cookie),
                            body,
                        );
                        let outcome = match c.send(request).await {
                            Ok(a) if a.status.as_u16() == 303 => Outcome::Done,
                            Ok(a) => failure("officer_transition", &a),
                            Err(e) => Outcome::Failed(e.to_string()),
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "status_read" => {
                let numbers: Vec<(String,)> = db
                    .fetch_all(query(
                        "SELECT tracking_number FROM cases WHERE kind = 'application' ORDER BY id DESC LIMIT 10000",
                    ))
                    .await?;
                let numbers = Arc::new(numbers.into_iter().map(|(n,)| n).collect::<Vec<_>>());
                if numbers.is_empty() {
                    return Err(RunError::Io("status_read: no application to track".into()));
                }
                load::run(clients, seconds, conn, move |mut c, _, n| {
                    let numbers = numbers.clone();
                    async move {
                        let number = &numbers[(n as usize) % numbers.len()];
                        // The API and the page, in turn: both are the public tracking.
                        let outcome = if n % 2 == 0 {
                            read(&mut c, "status_read", &format!("/api/v1/applications/{number}")).await
                        } else {
                            read(&mut c, "status_read", &format!("/lacak/{number}")).await
                        };
                        (c, outcome)
                    }
                })
                .await
            }
            "service_read" => {
                load::run(clients, seconds, conn, move |mut c, _, n| async move {
                    let outcome = if n % 2 == 0 {
                        read(&mut c, "service_read", &format!("/api/v1/services/{READ_SERVICE}?government={REGION}"))
                            .await
                    } else {
                        read(&mut c, "service_read", &format!("/layanan/{REGION}/{READ_SERVICE}")).await
                    };
                    (c, outcome)
                })
                .await
            }
            "search" => {
                load::run(clients, seconds, conn, move |mut c, _, n| async move {
                    let outcome = if n % 2 == 0 {
                        read(&mut c, "search", "/cari?q=akta").await
                    } else {
                        read(&mut c, "search", "/api/v1/services?q=akta").await
                    };
                    (c, outcome)
                })
                .await
            }
            "public_list" => {
                load::run(clients, seconds, conn, move |mut c, _, _| async move {
                    let outcome = read(&mut c, "public_list", &format!("/pengaduan?pemda={REGION}")).await;
                    (c, outcome)
                })
                .await
            }
            "dashboard_panel" => {
                // Every panel in turn, over the last year: what a dashboard page load asks for.
                load::run(clients, seconds, conn, move |mut c, _, n| async move {
                    let panel = PANELS[usize::try_from(n).unwrap_or(0) % PANELS.len()];
                    let outcome = read(&mut c, "dashboard_panel", &panel_path(panel)).await;
                    (c, outcome)
                })
                .await
            }
            other => return Err(RunError::Io(format!("unknown scenario {other}"))),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// One panel alone, for the breakdown of `dashboard_panel`.
    pub async fn panel(&self, panel: &'static str) -> Measured {
        let addr = self.addr;
        load::run(
            self.clients,
            self.seconds,
            move |_| Conn::new(addr),
            move |mut c, _, _| async move {
                let outcome = read(&mut c, panel, &panel_path(panel)).await;
                (c, outcome)
            },
        )
        .await
    }

    /// Files one report through Open311 (a case event the dashboard's figures change by).
    pub async fn file_one_report(&self, conn: &mut Conn) -> Outcome {
        let w = &self.world;
        let body = form(&[
            ("api_key", &w.open311_key),
            ("jurisdiction_id", REGION),
            ("service_code", &w.category),
            ("lat", "-10.1772"),
            ("long", "123.6070"),
            ("description", "Lampu jalan mati sejak tiga hari di simpang lima."),
        ]);
        match conn.send(post("/open311/v2/requests.json", "application/x-www-form-urlencoded", None, body)).await {
            Ok(a) if a.status.is_success() => Outcome::Done,
            Ok(a) => failure("open311_post", &a),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// The public dashboard's live stream of the bench government's figures.
pub const STREAM_PATH: &str = "/dasbor/stream?government=53.71";

/// The panels of the dashboard's API the benchmark reads.
pub const PANELS: [&str; 7] = ["overview", "applications", "complaints", "trend", "ranking", "satisfaction", "map"];

/// A panel of the government over the year up to today (the API's local dates; a day early or
/// late at midnight does not change what is measured).
pub fn panel_path(panel: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(365);
    format!("/api/v1/dashboard/{panel}?government={REGION}&from={from}&to={today}")
}

/// The report form's token (hidden field `csrf`) and the cookie that carries its twin.
async fn form_token(conn: &mut Conn) -> Result<(String, String), String> {
    let answer = conn.get(&format!("/pengaduan/baru?pemda={REGION}"), None).await.map_err(|e| e.to_string())?;
    if answer.status.as_u16() != 200 {
        return Err(describe("the report form", &answer));
    }
    let cookie = answer
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.trim_start_matches("__Host-").starts_with(balai_web::auth::LOGIN_CSRF_COOKIE))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or("the report form set no token cookie")?;
    let html = String::from_utf8_lossy(&answer.body);
    let token = html
        .split("name=\"csrf\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or("the report form has no csrf field")?;
    Ok((token, cookie))
}
