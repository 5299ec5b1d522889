//! Backup and move, as an operator does them: `balai backup` while a server writes, restored and
//! served; `balai export` from a SQLite demo and `balai import` into PostgreSQL, checked with
//! `balai audit verify` and put to work; refusals that leave the target as it was; the demo on a
//! PostgreSQL database named on its command line.
//!
//! The PostgreSQL tests run when `BALAI_TEST_POSTGRES_URL` names a server (CI sets it); each makes its
//! own database and drops it afterwards.

use balai_store::{Db, audit, dynamic_query, query, transfer};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const REGION: &str = "53.71";

fn balai() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balai"));
    for (key, _) in std::env::vars() {
        if key.starts_with("BALAI_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BALAI_LOG", "warn").stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("balai runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// ---- a server as a child process ------------------------------------------------------------------

/// A running `balai demo` or `balai serve`, stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    url: String,
    banner: String,
}

impl Server {
    /// `balai demo`: ready when its banner says so.
    fn demo(data: &Path, extra: &[&str]) -> Server {
        let mut child = balai()
            .args(["demo", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        while !banner.contains("Ready in") {
            assert!(Instant::now() < deadline, "the demo did not become ready: {banner}");
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                panic!("the demo exited early: {banner}");
            }
            banner.push_str(&line);
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = banner
            .lines()
            .find_map(|l| l.trim().strip_prefix("Portal:"))
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .expect("the banner names the portal");
        Server { child, url, banner }
    }

    /// `balai serve` on a data directory (and the database `database_url` names, if any).
    fn serve(data: &Path, database_url: Option<&str>) -> Server {
        let port = free_port();
        let mut cmd = balai();
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--metrics-listen", "", "--data-dir"])
            .arg(data)
            .env("BALAI_SECURE_COOKIES", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = database_url {
            cmd.env("BALAI_DATABASE_URL", url);
        }
        let mut child = cmd.spawn().expect("the server starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if try_http(&url, "GET", "/readyz", "", "").is_ok_and(|answer| answer.status == 200) {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("balai serve exited early: {status}");
            }
            assert!(Instant::now() < deadline, "balai serve did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child, url, banner: String::new() }
    }

    fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

// ---- HTTP on loopback -----------------------------------------------------------------------------

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    /// `name=value` of every cookie the answer sets (and does not clear).
    fn cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next().map(str::to_owned))
            .filter(|c| !c.ends_with('='))
            .collect()
    }
}

fn http(url: &str, method: &str, path: &str, cookie: &str, form: &str) -> Answer {
    try_http(url, method, path, cookie, form).unwrap()
}

fn try_http(url: &str, method: &str, path: &str, cookie: &str, form: &str) -> std::io::Result<Answer> {
    let host = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Answer { status, headers, body: body.to_owned() })
}

fn get(url: &str, path: &str) -> Answer {
    http(url, "GET", path, "", "")
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Files a report through Open311 and returns its tracking number.
fn submit_report(url: &str, api_key: &str, description: &str) -> Result<String, String> {
    let form = format!(
        "api_key={}&jurisdiction_id={REGION}&service_code=BANSOS&lat=-10.1772&long=123.6070&description={}",
        encode(api_key),
        encode(description)
    );
    let answer = http(url, "POST", "/open311/v2/requests.json", "", &form);
    if !(200..300).contains(&answer.status) {
        return Err(format!("{} {}", answer.status, answer.body));
    }
    let doc: serde_json::Value = serde_json::from_str(answer.body.trim()).map_err(|e| e.to_string())?;
    doc[0]["service_request_id"].as_str().map(str::to_owned).ok_or_else(|| answer.body.clone())
}

/// Whether the report with this tracking number is readable through Open311.
fn report_readable(url: &str, tracking: &str) -> bool {
    let answer = get(url, &format!("/open311/v2/requests/{tracking}.json?jurisdiction_id={REGION}"));
    answer.status == 200 && answer.body.contains(tracking)
}

/// Signs the demo officer in with username and password; returns the session cookie's page answer.
fn officer_signs_in(url: &str) -> Answer {
    let form = get(url, "/admin/masuk");
    assert_eq!(form.status, 200, "{}", form.body);
    let token = form
        .body
        .split("name=\"csrf\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-in form carries its token")
        .to_owned();
    let cookies = form.cookies().join("; ");
    let body = format!("username=petugas&password=demo-petugas-2026&csrf={}", encode(&token));
    let signed_in = http(url, "POST", "/admin/masuk", &cookies, &body);
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let session = signed_in.cookies().into_iter().find(|c| c.contains("balai_admin=")).expect("a session cookie");
    http(url, "GET", "/admin", &session, "")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn sha256_file(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

// ---- PostgreSQL databases of the tests' own ---------------------------------------------------------

fn postgres_admin() -> Option<String> {
    std::env::var("BALAI_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A new, empty PostgreSQL database, dropped when the value is.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin: &str) -> PgDatabase {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!("balai_move_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        block_on(async {
            let db = Db::connect(admin).await.expect("PostgreSQL answers");
            db.execute(dynamic_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await.unwrap();
            db.execute(dynamic_query(format!("CREATE DATABASE {name}"))).await.unwrap();
            db.close().await;
        });
        let mut url = url::Url::parse(admin).unwrap();
        url.set_path(&format!("/{name}"));
        PgDatabase { admin: admin.to_owned(), name, url: url.to_string() }
    }

    fn execute(&self, sql: &str) {
        let url = self.url.clone();
        let sql = sql.to_owned();
        block_on(async move {
            let db = Db::connect(&url).await.unwrap();
            db.execute(dynamic_query(sql)).await.unwrap();
            db.close().await;
        });
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        std::thread::spawn(move || {
            block_on(async move {
                if let Ok(db) = Db::connect(&admin).await {
                    let _ = db.execute(dynamic_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await;
                    db.close().await;
                }
            })
        })
        .join()
        .ok();
    }
}

/// Rows per carried table, and the audit log's size and root.
fn census(url: &str) -> (Vec<(String, i64)>, u64, balai_ledger::Hash) {
    let url = url.to_owned();
    block_on(async move {
        let db = Db::connect(&url).await.unwrap();
        let mut counts = Vec::new();
        for table in transfer::carried_tables(&db).await.unwrap() {
            let (n,): (i64,) = db.fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM \"{table}\""))).await.unwrap();
            counts.push((table, n));
        }
        counts.sort();
        let (size, root) = audit::head(&db).await.unwrap();
        db.close().await;
        (counts, size, root)
    })
}

fn sqlite_url(data: &Path) -> String {
    format!("sqlite://{}", data.join("balai.db").display())
}

// ---- a populated SQLite demo, exported once for the tests that move it ------------------------------

struct Exported {
    /// The stopped demo's data directory.
    data: PathBuf,
    /// `balai export` of it.
    file: PathBuf,
    /// A report filed through the HTTP API before the export.
    tracking: String,
}

fn exported_demo() -> &'static Exported {
    static FIXTURE: OnceLock<Exported> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // What earlier runs left (a static is never dropped): their processes are gone.
        for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("balai-move-")
                && !Path::new("/proc").join(pid).exists()
                && Path::new("/proc/self").exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let root = tmp.join(format!("balai-move-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let data = root.join("source");
        let demo = Server::demo(&data, &[]);
        let key = std::fs::read_to_string(data.join("open311-demo-key")).unwrap();
        let tracking = submit_report(&demo.url, key.trim(), "Bantuan belum sampai ke keluarga kami di kelurahan.")
            .expect("a report is filed");
        demo.stop();
        let file = root.join("balai.jsonl");
        let out = run(balai().args(["export", "--data-dir"]).arg(&data).arg(&file));
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("the target needs the same key files"), "{}", text(&out));
        Exported { data, file, tracking }
    })
}

/// A data directory for a target: the source's keys, files and the demo's Open311 key, no database.
fn target_dir(source: &Path, at: &Path) -> PathBuf {
    copy_dir(&source.join("keys"), &at.join("keys"));
    copy_dir(&source.join("files"), &at.join("files"));
    std::fs::copy(source.join("open311-demo-key"), at.join("open311-demo-key")).unwrap();
    at.to_path_buf()
}

// ---- the tests ------------------------------------------------------------------------------------

#[test]
fn a_backup_taken_while_the_server_writes_is_restored_served_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = Server::demo(&data, &[]);
    let key = std::fs::read_to_string(data.join("open311-demo-key")).unwrap().trim().to_owned();
    let before = submit_report(&demo.url, &key, "Jalan di depan sekolah berlubang, sebelum salinan dibuat.").unwrap();

    // Reports keep arriving while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (url, key, stop) = (demo.url.clone(), key.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut filed = 0;
            while !stop.load(Ordering::Relaxed) {
                if submit_report(&url, &key, "Bantuan sosial belum diterima, dilaporkan saat salinan dibuat.").is_ok() {
                    filed += 1;
                }
            }
            filed
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let backup = dir.path().join("backups").join("balai-1");
    let out = run(balai().args(["backup", "--verify", "--data-dir"]).arg(&data).arg(&backup));
    stop.store(true, Ordering::Relaxed);
    let filed = writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(filed > 0, "reports were filed while the backup ran");
    assert!(text(&out).contains("(verified)") && text(&out).contains("Restore:"), "{}", text(&out));
    demo.stop();

    // Complete and described: the database, the keys, the files, a manifest with every hash.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["database"]["sha256"], sha256_file(&backup.join("balai.db")));
    assert!(manifest["audit"]["size"].as_u64().unwrap() > 0);
    let entries = manifest["entries"].as_array().unwrap();
    for key in ["keys/personal-data.key", "keys/audit-ed25519.key", "keys/documents.key"] {
        let entry = entries.iter().find(|e| e["path"] == key).unwrap_or_else(|| panic!("{key} is in the backup"));
        assert_eq!(entry["sha256"], sha256_file(&backup.join(key)));
    }
    assert!(entries.iter().any(|e| e["path"].as_str().unwrap().starts_with("files/uploads/")), "issued documents");
    assert_eq!(manifest["files"]["count"].as_u64().unwrap(), entries.len() as u64);
    assert!(!backup.join("balai.db-wal").exists(), "one self-contained database file");
    let again = run(balai().args(["backup", "--data-dir"]).arg(&data).arg(&backup));
    assert!(!again.status.success() && text(&again).contains("already exists"), "{}", text(&again));

    // Restored: served as a data directory, the report from before is there, and the log verifies.
    let verified = run(balai().args(["audit", "verify", "--data-dir"]).arg(&backup));
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains(&format!("ok: {} leaves", manifest["audit"]["size"])), "{}", text(&verified));
    let restored = Server::serve(&backup, None);
    assert!(report_readable(&restored.url, &before), "the report filed before the backup is readable");
    let after = submit_report(&restored.url, &key, "Lampu jalan mati, dilaporkan setelah pemulihan.").unwrap();
    assert!(report_readable(&restored.url, &after));
    restored.stop();
    let verified = run(balai().args(["audit", "verify", "--data-dir"]).arg(&backup));
    assert!(verified.status.success(), "{}", text(&verified));
}

#[test]
fn a_backup_of_a_postgres_deployment_is_refused_with_the_tools_that_do_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(balai()
        .args(["backup", "--data-dir"])
        .arg(dir.path())
        .arg(dir.path().join("b"))
        .env("BALAI_DATABASE_URL", "postgres://balai@127.0.0.1:1/balai"));
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump") && text(&out).contains("balai export"), "{}", text(&out));
    assert!(!dir.path().join("b").exists());
}

#[test]
fn a_sqlite_demo_moves_to_postgres_with_its_audit_log_and_keeps_working() {
    let Some(admin) = postgres_admin() else {
        eprintln!("BALAI_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let source = exported_demo();
    let dir = tempfile::tempdir().unwrap();
    let data = target_dir(&source.data, &dir.path().join("target"));
    let target = PgDatabase::create(&admin);

    let out = run(balai().args(["import", "--database-url", &target.url, "--data-dir"]).arg(&data).arg(&source.file));
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("audit log verified") && said.contains("opens the sealed data"), "{said}");

    // The log is intact: the source's leaves are the first leaves of the target's, and it verifies
    // with the source's signing key.
    let verified =
        run(balai().args(["audit", "verify", "--data-dir"]).arg(&data).env("BALAI_DATABASE_URL", &target.url));
    assert!(verified.status.success(), "{}", text(&verified));
    let (source_counts, source_size, source_root) = census(&sqlite_url(&source.data));
    let (target_counts, target_size, _) = census(&target.url);
    let prefix_root = block_on({
        let url = target.url.clone();
        async move {
            let db = Db::connect(&url).await.unwrap();
            let root = audit::root_at(&db, source_size).await.unwrap();
            db.close().await;
            root
        }
    });
    assert_eq!(prefix_root, source_root, "the source's log is the target's first {source_size} leaves");
    assert!(target_size >= source_size);
    // Every table holds as many rows as the source's; only the log's storage grew by the leaves that
    // record rounded timestamps.
    let grown = ["audit_bundles", "audit_tail", "audit_tiles"];
    assert_eq!(source_counts.len(), target_counts.len());
    for ((table, n), (target_table, m)) in source_counts.iter().zip(&target_counts) {
        assert_eq!(table, target_table);
        if !grown.contains(&table.as_str()) {
            assert_eq!(n, m, "rows of {table}");
        }
    }

    // The moved deployment serves: the report filed on SQLite, a new one, an officer's sign-in.
    let server = Server::serve(&data, Some(&target.url));
    assert!(report_readable(&server.url, &source.tracking));
    let key = std::fs::read_to_string(data.join("open311-demo-key")).unwrap();
    let filed = submit_report(&server.url, key.trim(), "Laporan baru setelah pindah ke PostgreSQL.").unwrap();
    assert!(report_readable(&server.url, &filed), "new rows take new ids");
    let dashboard = officer_signs_in(&server.url);
    assert_eq!(dashboard.status, 200);
    server.stop();

    // A second import into the same database is refused, and nothing changes.
    let (counts, size, root) = census(&target.url);
    let again = run(balai().args(["import", "--database-url", &target.url, "--data-dir"]).arg(&data).arg(&source.file));
    assert!(!again.status.success());
    assert!(text(&again).contains("not empty"), "{}", text(&again));
    assert_eq!(census(&target.url), (counts, size, root), "the refused import changed nothing");
}

#[test]
fn a_cut_or_altered_export_is_refused_by_line_and_writes_nothing() {
    let Some(admin) = postgres_admin() else {
        eprintln!("BALAI_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let source = exported_demo();
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = std::fs::read_to_string(&source.file).unwrap().lines().map(str::to_owned).collect();
    // A row deep in the file: everything before it would have been loaded.
    let row = lines.iter().position(|l| l.starts_with("{\"table\":\"cases\"")).unwrap() + 3;
    let write = |name: &str, lines: &[String], end: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{}{end}", lines.join("\n"))).unwrap();
        path
    };
    let mut corrupt = lines.clone();
    corrupt[row] = corrupt[row][..corrupt[row].len() / 2].to_owned();
    let mut altered = lines.clone();
    altered[row] = altered[row].replacen("\"application\"", "\"complaint\"", 1);
    let mut long = lines.clone();
    long[row] = format!("[\"{}\"]", "x".repeat(transfer::MAX_LINE_BYTES));
    let cases = [
        (write("corrupt.jsonl", &corrupt, "\n"), format!("line {}", row + 1)),
        (write("cut.jsonl", &lines[..=row], ""), format!("line {}", row + 1)),
        (write("altered.jsonl", &altered, "\n"), format!("line {}", lines.len())),
        (write("long.jsonl", &long, "\n"), format!("line {}", row + 1)),
    ];
    let data = dir.path().join("target");
    let target = PgDatabase::create(&admin);
    for (file, line) in &cases {
        let out = run(balai().args(["import", "--database-url", &target.url, "--data-dir"]).arg(&data).arg(file));
        assert!(!out.status.success(), "{}", text(&out));
        assert!(text(&out).contains(line), "{}: {}", file.display(), text(&out));
        let (counts, size, _) = census(&target.url);
        let held: Vec<&(String, i64)> =
            counts.iter().filter(|(t, n)| *n > 0 && t != "audit_head" && t != "key_guard").collect();
        assert!(held.is_empty() && size == 0, "nothing was written: {held:?}");
    }
    // The whole file still loads into that database afterwards.
    let out = run(balai().args(["import", "--database-url", &target.url, "--data-dir"]).arg(&data).arg(&source.file));
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_demo_runs_on_a_postgres_database_it_made_and_refuses_any_other() {
    let Some(admin) = postgres_admin() else {
        eprintln!("BALAI_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    // Someone's database: refused (by BALAI_DATABASE_URL too), even with --reset, and left alone.
    let theirs = PgDatabase::create(&admin);
    theirs.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY)");
    let out = run(balai()
        .args(["demo", "--reset", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("d1"))
        .env("BALAI_DATABASE_URL", &theirs.url));
    assert!(!out.status.success());
    assert!(text(&out).contains("not Balai's (e.g. customers)"), "{}", text(&out));
    theirs.execute("SELECT id FROM customers");

    // A Balai deployment the demo did not make: refused.
    let deployment = PgDatabase::create(&admin);
    let migrated = run(balai()
        .args(["migrate", "--data-dir"])
        .arg(dir.path().join("d2"))
        .env("BALAI_DATABASE_URL", &deployment.url));
    assert!(migrated.status.success(), "{}", text(&migrated));
    let made = run(balai()
        .args(["open311", "key", "create", "--name", "Aplikasi Warga", "--data-dir"])
        .arg(dir.path().join("d2"))
        .env("BALAI_DATABASE_URL", &deployment.url));
    assert!(made.status.success(), "{}", text(&made));
    let out = run(balai()
        .args(["demo", "--reset", "--listen", "127.0.0.1:0", "--database-url", &deployment.url, "--data-dir"])
        .arg(dir.path().join("d2")));
    assert!(!out.status.success());
    assert!(text(&out).contains("the demo did not make"), "{}", text(&out));

    // The demo's own database (moved here from SQLite), with a table of someone else's beside it:
    // --reset drops Balai's tables only and seeds afresh; the demo serves its catalogue.
    let source = exported_demo();
    let demo_db = PgDatabase::create(&admin);
    let out = run(balai()
        .args(["import", "--database-url", &demo_db.url, "--data-dir"])
        .arg(dir.path().join("d3"))
        .arg(&source.file));
    assert!(out.status.success(), "{}", text(&out));
    demo_db.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY)");
    let demo = Server::demo(&dir.path().join("d3"), &["--reset", "--database-url", &demo_db.url]);
    assert!(demo.banner.contains("Cleared the demo database") && demo.banner.contains("fresh data"), "{}", demo.banner);
    assert!(demo.banner.contains(&format!("Database: {}", demo_db.url)), "{}", demo.banner);
    let page = get(&demo.url, "/layanan/53.71/AKTA-LAHIR");
    assert!(page.status == 200 && page.body.contains("5 hari kerja"), "{}", page.body);
    demo.stop();
    demo_db.execute("SELECT id FROM notes");
    let seeded = block_on({
        let url = demo_db.url.clone();
        async move {
            let db = Db::connect(&url).await.unwrap();
            let (n,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM cases")).await.unwrap();
            db.close().await;
            n
        }
    });
    assert!(seeded > 100, "the demo's cases are in PostgreSQL: {seeded}");
}
