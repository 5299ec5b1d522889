//! What the reliability tests stand up: PostgreSQL clusters of their own (so stopping one disturbs no
//! other test), `balai serve` processes, an nginx in front of them, and a plain HTTP client.
//!
//! Every process started here is stopped when its handle is dropped, so a failing test leaves nothing
//! running.

use balai_store::{Db, dynamic_query, query};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "53.71";

pub fn balai() -> Command {
    Command::new(env!("CARGO_BIN_EXE_balai"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A small runtime for the tests' own database checks (the tests themselves are plain threads).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn is_root() -> bool {
    // SAFETY: geteuid(2) has no side effects.
    unsafe { libc::geteuid() == 0 }
}

/// Whether a test that needs something this machine lacks should fail (CI) or be skipped.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

// ---- PostgreSQL -----------------------------------------------------------------------------------

/// The PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) of the newest installed version.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The shared PostgreSQL server the other suites use, when there is one.
pub fn shared_postgres() -> Option<String> {
    std::env::var("BALAI_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A database of its own on the shared server, dropped afterwards.
pub struct SharedDatabase {
    admin: String,
    name: String,
    pub url: String,
}

impl SharedDatabase {
    pub fn create(admin: &str) -> SharedDatabase {
        let name = format!("balai_rel_{:016x}", rand::random::<u64>());
        block_on(async {
            let db = Db::connect(admin).await.expect("the shared PostgreSQL answers");
            db.execute(dynamic_query(format!("CREATE DATABASE {name}"))).await.unwrap();
            db.close().await;
        });
        let mut url = url::Url::parse(admin).unwrap();
        url.set_path(&format!("/{name}"));
        SharedDatabase { admin: admin.to_owned(), name, url: url.to_string() }
    }
}

impl Drop for SharedDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        block_on(async move {
            if let Ok(db) = Db::connect(&admin).await {
                let _ = db.execute(dynamic_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await;
                db.close().await;
            }
        });
    }
}

/// A PostgreSQL cluster of the test's own in a temporary directory, on a port of its own.
pub struct Cluster {
    bin: PathBuf,
    pub dir: tempfile::TempDir,
    pub port: u16,
    running: bool,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command run as the `postgres` user when the test runs as root (the server refuses root).
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, mut cmd: Command, what: &str) {
        let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            out.status.success(),
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn new_dir() -> (tempfile::TempDir, u16) {
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let status = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown of the cluster directory");
        }
        (dir, free_port())
    }

    /// `initdb` and start: trust authentication on loopback, replication allowed.
    pub fn start_new(bin: &Path) -> Cluster {
        let (dir, port) = Cluster::new_dir();
        let cluster = Cluster { bin: bin.to_owned(), dir, port, running: false };
        let mut init = cluster.command("initdb");
        init.arg("-D").arg(cluster.data()).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        cluster.run(init, "initdb");
        let mut cluster = cluster;
        cluster.start();
        cluster
    }

    /// A hot standby of `primary`, streaming from it (`pg_basebackup -R`).
    pub fn standby_of(primary: &Cluster) -> Cluster {
        let (dir, port) = Cluster::new_dir();
        let mut cluster = Cluster { bin: primary.bin.clone(), dir, port, running: false };
        let mut backup = cluster.command("pg_basebackup");
        backup.arg("-D").arg(cluster.data()).args([
            "-h",
            "127.0.0.1",
            "-p",
            &primary.port.to_string(),
            "-U",
            "postgres",
            "-R",
            "-X",
            "stream",
        ]);
        cluster.run(backup, "pg_basebackup");
        cluster.start();
        cluster
    }

    pub fn start(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let mut start = self.command("pg_ctl");
        start
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        self.run(start, "pg_ctl start");
        self.running = true;
    }

    /// Stops the server at once, as a crash or a pulled cable would (no checkpoint, clients cut).
    pub fn stop_immediately(&mut self) {
        let mut stop = self.command("pg_ctl");
        stop.arg("-D").arg(self.data()).args(["-m", "immediate", "-w", "stop"]);
        self.run(stop, "pg_ctl stop");
        self.running = false;
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// One statement on this cluster, outside the application.
    pub fn sql(&self, sql: &str) {
        let url = self.url();
        let sql = sql.to_owned();
        block_on(async move {
            let db = Db::connect(&url).await.expect("the cluster answers");
            db.execute(dynamic_query(sql)).await.expect("the statement runs");
            db.close().await;
        });
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let mut stop = self.command("pg_ctl");
            stop.arg("-D").arg(self.data()).args(["-m", "immediate", "-w", "stop"]);
            let _ = stop.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
    }
}

// ---- a deployment and its servers ------------------------------------------------------------------

/// The data set the benchmark uses (`balai bench-world`): signed-in citizens, an officer, an Open311
/// key, a simple service with one required document.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct World {
    pub government_id: i64,
    pub citizen_cookies: Vec<String>,
    pub officer_cookie: String,
    pub officer_csrf: String,
    pub open311_key: String,
    pub category: String,
}

/// A data directory (keys, files) and a database, seeded.
pub struct Deployment {
    pub data: tempfile::TempDir,
    pub database_url: String,
    pub world: World,
}

impl Deployment {
    /// Seeds `database_url` (or, when `None`, the SQLite file in a new data directory).
    pub fn seed(database_url: Option<&str>, clients: u16) -> Deployment {
        let data = tempfile::tempdir().unwrap();
        let database_url = database_url
            .map(str::to_owned)
            .unwrap_or_else(|| format!("sqlite://{}", data.path().join("balai.db").display()));
        let out = balai()
            .args(["bench-world", "--clients", &clients.to_string(), "--data-dir"])
            .arg(data.path())
            .env("BALAI_DATABASE_URL", &database_url)
            .env("BALAI_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "bench-world: {}", String::from_utf8_lossy(&out.stderr));
        let world: World = serde_json::from_slice(&out.stdout).expect("bench-world prints its world");
        Deployment { data, database_url, world }
    }

    /// The audit log recomputed from the database, as an auditor would.
    pub fn audit_verify(&self) {
        let out = balai()
            .args(["audit", "verify", "--data-dir"])
            .arg(self.data.path())
            .env("BALAI_DATABASE_URL", &self.database_url)
            .env("BALAI_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "balai audit verify failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A direct connection to the deployment's database, for the checks.
    pub fn db(&self) -> DbCheck {
        DbCheck::connect(&self.database_url)
    }
}

/// Counts and values read straight from the database, over one connection pool kept for the checks.
pub struct DbCheck {
    runtime: tokio::runtime::Runtime,
    db: Db,
}

impl DbCheck {
    pub fn connect(url: &str) -> DbCheck {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let db = runtime.block_on(Db::connect(url)).expect("the deployment's database answers");
        DbCheck { runtime, db }
    }

    pub fn count(&self, sql: &str, args: &[&str]) -> i64 {
        let mut q = balai_store::dynamic_query(sql.to_owned());
        for a in args {
            q = q.bind(*a);
        }
        let (n,): (i64,) = self.runtime.block_on(self.db.fetch_one(q)).unwrap();
        n
    }

    /// Queues deadline checks due now for the given cases, as the job queue holds them.
    pub fn enqueue_due_checks(&self, government_id: i64, case_ids: &[i64], tag: &str) {
        self.runtime.block_on(async {
            let mut tx = self.db.begin().await.unwrap();
            for (i, id) in case_ids.iter().enumerate() {
                let key = format!("{tag}-{i}");
                balai_store::jobs::enqueue(
                    &mut tx,
                    &balai_store::jobs::NewJob {
                        kind: balai_store::applications::BREACH_CHECK,
                        government_id: Some(government_id),
                        payload: serde_json::json!({ "case_id": id, "position": 0 }),
                        run_at: chrono::Utc::now() - chrono::Duration::seconds(1),
                        max_attempts: 3,
                        dedupe_key: Some(&key),
                    },
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
        });
    }

    pub fn case_ids(&self, kind: &str, limit: i64) -> Vec<i64> {
        let rows: Vec<(i64,)> =
            self.runtime
                .block_on(self.db.fetch_all(
                    query("SELECT id FROM cases WHERE kind = $1 ORDER BY id LIMIT $2").bind(kind).bind(limit),
                ))
                .unwrap();
        rows.into_iter().map(|(id,)| id).collect()
    }
}

impl Drop for DbCheck {
    fn drop(&mut self) {
        self.runtime.block_on(self.db.close());
    }
}

/// A running `balai serve`.
pub struct Node {
    child: Option<Child>,
    pub port: u16,
    pub log: PathBuf,
}

impl Node {
    /// Starts `balai serve` on the deployment and waits until `/readyz` answers.
    pub fn start(deployment: &Deployment, name: &str, env: &[(&str, &str)]) -> Node {
        let port = free_port();
        let log = deployment.data.path().join(format!("{name}.log"));
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        let mut cmd = balai();
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(deployment.data.path())
            .env("BALAI_DATABASE_URL", &deployment.database_url)
            .env("BALAI_METRICS_LISTEN", "")
            .env("BALAI_LOG", "info")
            .env("BALAI_AUDIT_CHECKPOINT_SECONDS", "1")
            .env("BALAI_TRUSTED_PROXIES", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let mut node = Node { child: Some(child), port, log };
        node.wait_ready();
        node
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        let client = Client::new();
        loop {
            if client.get(&format!("{}/readyz", self.url()), None).status == 200 {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "balai serve exited at start ({status}): {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "balai serve not ready in 90 s: {}", self.log.display());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing the process could still do.
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(pid) = i32::try_from(child.id()) {
                // SAFETY: kill(2) on our own child.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// nginx on loopback, round-robin over the given nodes, as the reverse proxy in front of them.
pub struct Proxy {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Proxy {
    pub fn nginx() -> Option<PathBuf> {
        ["/usr/sbin/nginx", "/usr/bin/nginx"].iter().map(PathBuf::from).find(|p| p.exists())
    }

    pub fn start(nginx: &Path, upstreams: &[u16]) -> Proxy {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let servers: String =
            upstreams.iter().map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n")).collect();
        let d = dir.path().display();
        let user = if is_root() { "user root;\n" } else { "" };
        let conf = format!(
            "{user}daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               client_max_body_size 20m;\n\
               upstream balai {{\n{servers}  }}\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://balai;\n\
                 proxy_set_header Host $host:$server_port;\n\
                 proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                 proxy_connect_timeout 2s;\n      proxy_read_timeout 30s;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let proxy = Proxy { child, port, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Proxy {
    /// One process (`master_process off`), so stopping it leaves no worker behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- HTTP -------------------------------------------------------------------------------------------

pub struct Answer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
    pub content_type: String,
    pub set_cookies: Vec<String>,
    pub elapsed: Duration,
}

impl Answer {
    fn failed(why: String, elapsed: Duration) -> Answer {
        Answer {
            status: 0,
            body: why,
            retry_after: None,
            content_type: String::new(),
            set_cookies: Vec::new(),
            elapsed,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A plain HTTP/1.1 client that reports every answer (no redirects followed, no error on 4xx/5xx),
/// and a connection failure as status 0.
pub struct Client {
    agent: ureq::Agent,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    pub fn new() -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        Client { agent }
    }

    pub fn get(&self, url: &str, cookie: Option<&str>) -> Answer {
        let started = Instant::now();
        let mut request = self.agent.get(url);
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        Client::read(request.call(), started)
    }

    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let started = Instant::now();
        let mut request = self.agent.post(url).header("content-type", content_type);
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        Client::read(request.send(body), started)
    }

    fn read(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>, started: Instant) -> Answer {
        match result {
            Ok(mut response) => {
                let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let retry_after = header("retry-after");
                let content_type = header("content-type").unwrap_or_default();
                let set_cookies = response
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .collect();
                let status = response.status().as_u16();
                let body = response.body_mut().read_to_string().unwrap_or_default();
                Answer { status, body, retry_after, content_type, set_cookies, elapsed: started.elapsed() }
            }
            Err(e) => Answer::failed(e.to_string(), started.elapsed()),
        }
    }
}

/// A small JPEG (the required document of the benchmark's service).
pub fn photo() -> Vec<u8> {
    let (w, h) = (64u32, 48u32);
    let pixels: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 251) as u8).collect();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70);
    image::ImageEncoder::write_image(encoder, &pixels, w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}

const BOUNDARY: &str = "balai-reliability-3f9c";

pub fn multipart_file(bytes: &[u8]) -> (String, Vec<u8>) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"surat.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

pub fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes()
}

/// The citizen's upload of the required document; its id.
pub fn upload(client: &Client, base: &str, cookie: &str, photo: &[u8]) -> Option<i64> {
    try_upload(client, base, cookie, photo).ok()
}

/// The upload's id, or the status of the answer that refused it.
pub fn try_upload(client: &Client, base: &str, cookie: &str, photo: &[u8]) -> Result<i64, u16> {
    let (content_type, body) = multipart_file(photo);
    let a = client.post(&format!("{base}/api/v1/uploads?government={REGION}"), &content_type, Some(cookie), &[], &body);
    match (a.status == 201).then(|| a.json().get("id").and_then(serde_json::Value::as_i64)).flatten() {
        Some(id) => Ok(id),
        None => Err(a.status),
    }
}

/// Submits an application for the benchmark's service; the answer.
pub fn submit(client: &Client, base: &str, cookie: &str, upload: i64, key: &str) -> Answer {
    let body = serde_json::json!({
        "government": REGION,
        "service": "BENCH-AKTA",
        "fields": {},
        "documents": [{ "code": "surat_keterangan", "upload": upload }],
    });
    client.post(
        &format!("{base}/api/v1/applications"),
        "application/json",
        Some(cookie),
        &[("idempotency-key", key)],
        body.to_string().as_bytes(),
    )
}

/// The tracking number in an accepted submission's answer.
pub fn tracking_number(answer: &Answer) -> Option<String> {
    answer.json().get("tracking_number").and_then(|v| v.as_str()).map(str::to_owned)
}

/// Files a report through Open311 with a description unique to it; the answer.
pub fn open311_report(client: &Client, base: &str, world: &World, description: &str) -> Answer {
    let body = form(&[
        ("api_key", &world.open311_key),
        ("jurisdiction_id", REGION),
        ("service_code", &world.category),
        ("lat", "-10.1772"),
        ("long", "123.6070"),
        ("description", description),
    ]);
    client.post(&format!("{base}/open311/v2/requests.json"), "application/x-www-form-urlencoded", None, &[], &body)
}

/// The `service_request_id` in an accepted Open311 answer.
pub fn service_request_id(answer: &Answer) -> Option<String> {
    let v = answer.json();
    let first = v.as_array().and_then(|a| a.first()).cloned().unwrap_or(v);
    first.get("service_request_id").and_then(|v| v.as_str()).map(str::to_owned)
}

/// The officer verifies the case's first step; the answer (303 when done).
pub fn verify_step(client: &Client, base: &str, world: &World, case_id: i64) -> Answer {
    let body = form(&[("csrf", &world.officer_csrf), ("event", "verify")]);
    client.post(
        &format!("{base}/admin/permohonan/{case_id}/aksi"),
        "application/x-www-form-urlencoded",
        Some(&world.officer_cookie),
        &[],
        &body,
    )
}
