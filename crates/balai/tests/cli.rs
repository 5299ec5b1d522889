//! The binary as an operator meets it: start, stop, reuse, and every way a start can go wrong.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn balai() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balai"));
    // A clean environment: no BALAI_* from the developer's shell.
    for (key, _) in std::env::vars() {
        if key.starts_with("BALAI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("balai runs")
}

#[test]
fn version_and_help_with_examples() {
    let out = run(balai().arg("--version"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("balai "));
    let help = run(balai().arg("--help"));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Examples:") && text.contains("balai demo"));
    for command in ["demo", "serve", "migrate"] {
        assert!(text.contains(command));
    }
}

#[test]
fn an_unreachable_database_is_one_clear_line_naming_the_host_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(balai()
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .env("BALAI_DATABASE_URL", "postgres://balai:rahasia-sekali@127.0.0.1:1/balai"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("rahasia"), "the password never appears: {stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("rahasia"));
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let out = run(balai().arg("migrate").env("BALAI_DATABASE_URL", "mysql://x@localhost/db"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://… or postgres://…"));
}

#[test]
fn a_malformed_config_file_names_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("balai.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:8080\"\nsession_minutes = \"delapan jam\"\n").unwrap();
    let out = run(balai().arg("migrate").arg("--config").arg(&config));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("session_minutes"), "names the key: {stderr}");

    std::fs::write(&config, "listen = \"127.0.0.1:8080\"\nsession_minutes = = 3\n").unwrap();
    let out = run(balai().arg("migrate").arg("--config").arg(&config));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "names the line: {stderr}");

    std::fs::write(&config, "lisen = \"127.0.0.1:8080\"\n").unwrap();
    let out = run(balai().arg("migrate").arg("--config").arg(&config));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"), "an unknown key is named");

    let out = run(balai().args(["serve", "--listen", "not-an-address"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-an-address"));
}

struct Demo {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
    url: String,
    banner: String,
}

fn start_demo(data_dir: &std::path::Path, extra: &[&str]) -> Demo {
    start_demo_at(data_dir, "127.0.0.1:0", extra)
}

fn start_demo_at(data_dir: &std::path::Path, listen: &str, extra: &[&str]) -> Demo {
    let mut child = balai()
        .args(["demo", "--listen", listen, "--metrics-listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .env("BALAI_LOG", "warn")
        .env("BALAI_AUDIT_CHECKPOINT_SECONDS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !banner.contains("Ready in") {
        assert!(Instant::now() < deadline, "demo did not become ready: {banner}");
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("demo exited early: {banner}");
        }
        banner.push_str(&line);
    }
    let url = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("Portal:"))
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .expect("the banner prints the portal URL");
    Demo { child, url, banner, _stdout: reader }
}

fn http_get(url: &str, path: &str) -> String {
    let host = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn stop(mut demo: Demo) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &demo.child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = demo.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "demo did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_demo_starts_populated_reuses_its_data_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("balai-data");
    let demo = start_demo(&data, &[]);
    assert!(demo.banner.contains("fresh data"), "{}", demo.banner);
    assert!(demo.banner.contains("username: admin"), "demo logins are printed");
    let demo_banner = demo.banner.clone();
    assert_eq!(open311_key(&demo_banner).len(), 64, "an Open311 key is printed: {demo_banner}");
    assert!(http_get(&demo.url, "/readyz").starts_with("HTTP/1.1 200"));
    let page = http_get(&demo.url, "/layanan/53.71/AKTA-LAHIR");
    assert!(page.contains("Rp0") && page.contains("5 hari kerja"));
    assert!(data.join("balai.db").exists() && data.join("files").is_dir() && data.join("keys").is_dir());
    assert!(stop(demo).success(), "SIGTERM is a clean exit");

    let again = start_demo(&data, &[]);
    assert!(again.banner.contains("data reused"), "{}", again.banner);
    assert_eq!(open311_key(&again.banner), open311_key(&demo_banner), "the demo's Open311 key stays the same");
    assert!(stop(again).success());

    let reset = start_demo(&data, &["--reset"]);
    assert!(reset.banner.contains("fresh data"), "{}", reset.banner);
    assert!(stop(reset).success());
}

/// A number in a JSON text after `"key":` (the first one).
fn json_number(text: &str, key: &str) -> i64 {
    let value: serde_json::Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    value.pointer(key).and_then(serde_json::Value::as_i64).unwrap_or_else(|| panic!("{key} in {value}"))
}

#[test]
fn a_demo_with_history_adds_older_settled_work_the_dashboard_counts_and_the_log_covers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // Five days at 50,000 applications, 10,000 complaints and 15,000 responses a year.
    let demo = start_demo(&data, &["--history", "5d"]);
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Duration::days(365);
    let overview =
        http_get(&demo.url, &format!("/api/v1/dashboard/overview?government=53.71&from={year_ago}&to={today}"));
    assert!(overview.starts_with("HTTP/1.1 200"), "{overview}");
    let received = json_number(&overview, "/data/applications/received");
    assert!(received >= 300 + 684, "the recent weeks' 300 and the history's 684 applications: {received}");
    let satisfaction =
        http_get(&demo.url, &format!("/api/v1/dashboard/satisfaction?government=53.71&from={year_ago}&to={today}"));
    assert!(satisfaction.starts_with("HTTP/1.1 200"), "{satisfaction}");
    let units: serde_json::Value = serde_json::from_str(satisfaction.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let respondents: u64 = units["data"].as_array().unwrap().iter().map(|u| u["respondents"].as_u64().unwrap()).sum();
    // About 205 of the history's paper forms (each completed application answered with one chance),
    // and the recent weeks' link and kiosk answers.
    assert!((150..=400).contains(&respondents), "{respondents} respondents: {units}");
    assert!(stop(demo).success());
    let ok = audit(&data, &[]);
    assert!(ok.status.success(), "{}{}", String::from_utf8_lossy(&ok.stdout), String::from_utf8_lossy(&ok.stderr));

    let again = start_demo(&data, &["--history", "5d"]);
    assert!(again.banner.contains("data reused"), "a history is added to a fresh demo only: {}", again.banner);
    assert!(stop(again).success());
    assert!(!run(balai().args(["demo", "--history", "3y"])).status.success(), "at most two years");
}

fn audit(data: &std::path::Path, extra: &[&str]) -> Output {
    run(balai().args(["audit", "verify", "--data-dir"]).arg(data).args(extra))
}

fn sqlite(data: &std::path::Path, sql: &str) {
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        db.execute(balai_store::dynamic_query(sql.to_owned())).await.unwrap();
        db.close().await;
    });
}

#[test]
fn audit_verify_passes_on_the_demo_and_names_a_tampered_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let demo = start_demo(&data, &[]);
    let checkpoint = http_get(&demo.url, "/api/v1/audit/checkpoint");
    assert!(stop(demo).success());
    let note = checkpoint.split("\r\n\r\n").nth(1).unwrap().to_owned();
    let kept = dir.path().join("kept-checkpoint.txt");
    std::fs::write(&kept, &note).unwrap();

    let ok = audit(&data, &["--since-checkpoint", kept.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(
        stdout.starts_with("ok: ") && stdout.contains("leaves, root ") && stdout.contains("external checkpoint"),
        "{stdout}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("keys/audit-ed25519.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the signing key is readable by its owner only");
    }

    // Someone lowers a fee directly in the database.
    sqlite(&data, "UPDATE service_versions SET fee = 1 WHERE id = (SELECT MAX(id) FROM service_versions)");
    let tampered = audit(&data, &[]);
    assert_eq!(tampered.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    assert!(stderr.contains("altered record: table service_versions, id "), "{stderr}");
}

#[test]
fn a_missing_signing_key_over_a_signed_log_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(stop(start_demo(&data, &[])).success());
    std::fs::remove_file(data.join("keys/audit-ed25519.key")).unwrap();
    let out = run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("signing key") && stderr.contains("missing"), "{stderr}");
    assert!(!data.join("keys/audit-ed25519.key").exists(), "no new key was written over the log");

    std::fs::write(data.join("keys/audit-ed25519.key"), "not a key\n").unwrap();
    let out = run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be read"));
}

fn add_category(data: &std::path::Path, code: &str) {
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let actor = balai_store::audit::Actor::system("test");
        balai_store::catalogue::create_category(&mut tx, &actor, 1, code, "Kategori uji", "Test category")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        db.close().await;
    });
}

#[test]
fn a_witness_sees_the_log_grow_and_notices_a_rewritten_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let witness_dir = dir.path().join("w");
    let witness = |url: &str| run(balai().args(["audit", "witness", url, "--state-dir"]).arg(&witness_dir));
    let text =
        |out: &Output| format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let demo = start_demo_at(&data, "127.0.0.1:0", &[]);
    let first = witness(&demo.url);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("first contact"));
    assert!(text(&witness(&demo.url)).contains("unchanged"));

    // The log grows while the server runs; the signer (every second here) signs the new head.
    add_category(&data, "uji");
    let deadline = Instant::now() + Duration::from_secs(20);
    let grown = loop {
        let out = witness(&demo.url);
        if text(&out).contains("consistent from size") || Instant::now() > deadline {
            break out;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(grown.status.success() && text(&grown).contains("consistent from size"), "{}", text(&grown));
    let listen = demo.url.trim_start_matches("http://").to_owned();
    assert!(stop(demo).success());

    // The operator wipes the data and starts over on the same address: a new key and a new history.
    let reset = start_demo_at(&data, &listen, &["--reset"]);
    let after = witness(&reset.url);
    assert_eq!(after.status.code(), Some(1));
    assert!(text(&after).contains("public key changed"), "{}", text(&after));
    assert!(stop(reset).success());
}

#[test]
fn a_missing_or_different_personal_data_key_over_citizen_records_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(stop(start_demo(&data, &[])).success());
    let key = data.join("keys/personal-data.key");
    let original = std::fs::read_to_string(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let serve =
        || run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    let out = serve();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("personal-data key") && stderr.contains("missing"), "{stderr}");
    assert!(!key.exists(), "no new key was written over sealed records");

    std::fs::write(&key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").unwrap();
    let out = serve();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not open"), "a different key is refused");

    std::fs::write(&key, original).unwrap();
    assert!(stop(start_demo(&data, &[])).success(), "the right key opens them again");
}

#[test]
fn rotating_the_personal_data_key_reseals_every_record_and_keeps_the_old_key_aside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(stop(start_demo(&data, &[])).success());
    let key = data.join("keys/personal-data.key");
    let original = std::fs::read_to_string(&key).unwrap();

    let out = run(balai().args(["keys", "rotate", "--data-dir"]).arg(&data));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("ok: ") && stdout.contains("destroy it once no backup needs it"), "{stdout}");
    let rotated = std::fs::read_to_string(&key).unwrap();
    assert_ne!(rotated, original, "a new key is in place");
    let retired: Vec<_> = std::fs::read_dir(data.join("keys"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("personal-data.key.retired-"))
        .collect();
    assert_eq!(retired.len(), 1);
    assert_eq!(std::fs::read_to_string(retired[0].path()).unwrap(), original, "the old key is kept aside");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let again = start_demo(&data, &[]);
    assert!(again.banner.contains("data reused"), "the new key opens the records: {}", again.banner);
    assert!(stop(again).success());
    let verified = audit(&data, &[]);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));

    // The old key no longer opens anything.
    std::fs::write(&key, &original).unwrap();
    let out = run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not open"));

    // A rotation that committed but stopped before swapping the files is finished by running it again.
    std::fs::write(data.join("keys/personal-data.key.new"), &rotated).unwrap();
    let out = run(balai().args(["keys", "rotate", "--data-dir"]).arg(&data));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("finished an earlier rotation"));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), rotated);
    assert!(stop(start_demo(&data, &[])).success());
}

fn http(url: &str, method: &str, path: &str, cookie: &str, body: &str) -> String {
    let host = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Cookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn a_whole_citizen_sign_in_leaves_no_nik_or_phone_in_any_log_line() {
    const NIK: &str = "5371045203900003";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let log = dir.path().join("log.txt");
    let log_file = std::fs::File::create(&log).unwrap();
    let mut child = balai()
        .args(["demo", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"])
        .arg(&data)
        // Everything Balai and its libraries log, down to debug.
        .env("BALAI_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut output = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "demo exited early: {output}");
        output.push_str(&line);
        if let Some(u) = line.trim().strip_prefix("Portal:") {
            break u.trim().trim_end_matches('/').to_owned();
        }
    };
    // Keep reading stdout (JSON logs go there) into the captured output.
    let stdout_lines = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        rest
    });

    let sent = http(
        &url,
        "POST",
        "/api/v1/auth/citizen/code",
        "",
        &format!(r#"{{"nik":"{NIK}","channel":"sms","to":"0812-3450-0011"}}"#),
    );
    assert!(sent.starts_with("HTTP/1.1 202"), "{sent}");
    // The code is entered on the client that asked for it (its pending cookie).
    let pending = sent
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: balai_pending="))
        .map(|c| format!("balai_pending={}", c.split(';').next().unwrap()))
        .expect("pending sign-in cookie");
    let bad = http(
        &url,
        "POST",
        "/api/v1/auth/citizen/code",
        "",
        r#"{"nik":"5371045203900000","channel":"sms","to":"0812"}"#,
    );
    assert!(bad.starts_with("HTTP/1.1 422"), "{bad}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        let inbox = http_get(&url, "/demo/pesan");
        if let Some(i) = inbox.find("Kode masuk Balai: ") {
            break inbox[i + 18..i + 24].to_owned();
        }
        assert!(Instant::now() < deadline, "no code in the demo inbox");
        std::thread::sleep(Duration::from_millis(200));
    };
    let wrong = http(
        &url,
        "POST",
        "/api/v1/auth/citizen/verify",
        &pending,
        &format!(r#"{{"nik":"{NIK}","code":"{}"}}"#, if code == "111111" { "222222" } else { "111111" }),
    );
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let verified =
        http(&url, "POST", "/api/v1/auth/citizen/verify", &pending, &format!(r#"{{"nik":"{NIK}","code":"{code}"}}"#));
    assert!(verified.starts_with("HTTP/1.1 200"), "{verified}");
    let cookie = verified
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: balai_citizen="))
        .map(|c| format!("balai_citizen={}", c.split(';').next().unwrap()))
        .expect("session cookie");
    let account = http(&url, "GET", "/akun", &cookie, "");
    assert!(account.contains("5371••••••••0003"), "{account}");

    assert!(stop(Demo { child, url, banner: output.clone(), _stdout: BufReader::new(empty_stdout()) }).success());
    let logs = format!("{output}{}{}", stdout_lines.join().unwrap(), std::fs::read_to_string(&log).unwrap());
    assert!(logs.lines().count() > 10, "debug logging was on: {logs}");
    // The code itself is six digits, which timestamps also contain; the message text stands for it.
    for secret in [NIK, "5371045203900000", "081234500011", "6281234500011", "Kode masuk Balai:"] {
        let found: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(found.is_empty(), "{secret} appears in the logs: {found:?}");
    }
}

/// A stand-in for a child's stdout once its reader moved to another thread.
fn empty_stdout() -> std::process::ChildStdout {
    Command::new("true").stdout(Stdio::piped()).spawn().unwrap().stdout.take().unwrap()
}

#[test]
fn a_key_rotation_is_refused_while_a_server_uses_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let demo = start_demo(&data, &[]);
    let key = data.join("keys/personal-data.key");
    let original = std::fs::read_to_string(&key).unwrap();

    let out = run(balai().args(["keys", "rotate", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("key rotation refused") && stderr.contains("1 server(s) use this database"), "{stderr}");
    assert!(stderr.contains(&format!("process {}", demo.child.id())), "names the server: {stderr}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), original, "the key is unchanged");
    assert!(!data.join("keys/personal-data.key.new").exists(), "no key is left half-made");
    assert!(http_get(&demo.url, "/akun/akses").starts_with("HTTP/1.1 "), "the server serves on");

    assert!(stop(demo).success(), "a clean stop gives the lease up");
    let out = run(balai().args(["keys", "rotate", "--data-dir"]).arg(&data));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Seals one outbox message under a key the node does not hold, as a server that kept the retired
/// key after a rotation would have.
fn seal_a_message_under_another_key(data: &std::path::Path) {
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let message = balai_store::notify::NewMessage {
            government_id: None,
            channel: balai_domain::contact::Channel::Email,
            recipient: "maria.lado@contoh.id",
            template: "sign-in-code",
            lang: balai_domain::Lang::Id,
            subject: "Kode".into(),
            body: "Kode masuk Balai: 654321".into(),
        };
        balai_store::notify::enqueue(&mut tx, &balai_store::identity::Vault::from_master(&[9; 32]), &message)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        db.close().await;
    });
}

#[test]
fn a_start_names_every_sealed_column_its_key_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(stop(start_demo(&data, &[])).success());
    seal_a_message_under_another_key(&data);
    let out = run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not open values sealed in this database"), "{stderr}");
    assert!(stderr.contains("outbox.body_enc (1 of ") && stderr.contains("outbox.recipient_enc (1 of "), "{stderr}");
    assert!(!stderr.contains("citizens."), "the columns that open are not named: {stderr}");
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // An older version left the directory open to everyone.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let demo = start_demo(&data, &[]);
    // While it runs, SQLite has its -wal and -shm files open.
    assert!(data.join("balai.db-wal").exists() && data.join("balai.db-shm").exists());
    for private in ["", "files", "keys"] {
        assert_eq!(mode(&data.join(private)), 0o700, "{private:?}");
    }
    for file in [
        "balai.db",
        "balai.db-wal",
        "balai.db-shm",
        "keys/personal-data.key",
        "keys/audit-ed25519.key",
        "keys/documents.key",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    // The demo's issued documents are kept in files/, private too.
    let (_, object_key, _, _) = first_issued_document(&data);
    assert_eq!(mode(&data.join("files").join(&object_key)), 0o600, "{object_key}");
    assert!(stop(demo).success());

    let reset = start_demo(&data, &["--reset"]);
    assert_eq!(mode(&data), 0o700, "a reset makes the directory anew, private");
    assert_eq!(mode(&data.join("balai.db")), 0o600);
    assert!(stop(reset).success());
}

#[test]
fn a_misspelt_balai_variable_is_warned_about_and_a_bad_value_names_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = run(balai()
        .args(["migrate", "--data-dir"])
        .arg(&data)
        .env("BALAI_LISEN", "0.0.0.0:80")
        .env("BALAI_LOG", "warn"));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: environment variable BALAI_LISEN is not a Balai setting"), "{stderr}");
    assert!(stderr.contains("did you mean BALAI_LISTEN?"), "{stderr}");
    assert!(!stderr.contains("BALAI_LOG"), "the log filter is no setting but is read: {stderr}");

    let out = run(balai().args(["migrate", "--data-dir"]).arg(&data).env("BALAI_SESSION_MINUTES", "delapan jam"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("environment variable BALAI_SESSION_MINUTES"));
    let out = run(balai().args(["serve", "--data-dir"]).arg(&data).env("BALAI_LISTEN", "tidak-ada"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"tidak-ada\" (from environment variable BALAI_LISTEN)"), "{stderr}");

    // A server also logs the warning, where its operator reads its logs.
    let mut server = balai()
        .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"])
        .arg(&data)
        .env("BALAI_LOG", "info")
        .env("BALAI_SMTP_ULR", "smtp://127.0.0.1:1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(server.stdout.take().unwrap());
    let mut logs = String::new();
    while !logs.contains("\"serving\"") {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the server stopped: {logs}");
        logs.push_str(&line);
    }
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(server.wait().unwrap().success());
    let warning = logs.lines().find(|l| l.contains("BALAI_SMTP_ULR")).unwrap_or_else(|| panic!("no warning: {logs}"));
    assert!(warning.contains("\"level\":\"WARN\"") && warning.contains("did you mean BALAI_SMTP_URL?"), "{warning}");
}

/// The first issued document of the demo: its government's region code, object key, SHA-256 and signature.
fn first_issued_document(data: &std::path::Path) -> (String, String, String, String) {
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        let row: (String, String, String, String) = db
            .fetch_one(balai_store::query(
                "SELECT g.region_code, d.object_key, d.sha256, d.signature FROM issued_documents d \
                 JOIN governments g ON g.id = d.government_id ORDER BY d.created_at LIMIT 1",
            ))
            .await
            .unwrap();
        db.close().await;
        row
    })
}

#[test]
fn the_demo_issues_sealed_documents_and_a_missing_document_key_over_them_stops_the_start() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(stop(start_demo(&data, &[])).success());
    // A completed demo application's PDF is in the file store, sealed with its government's key.
    let (region, object_key, sha256, signature) = first_issued_document(&data);
    let pdf = std::fs::read(data.join("files").join(&object_key)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "{object_key} is a PDF");
    let text = std::fs::read_to_string(data.join("keys/documents.key")).unwrap();
    let master: [u8; 32] =
        base64::engine::general_purpose::STANDARD.decode(text.trim()).unwrap().try_into().expect("32 bytes");
    let key = balai_documents::DocumentKeys::from_master(master).verifying_key(&region);
    assert_eq!(balai_documents::check(&pdf, &sha256, &signature, &key), balai_documents::Verdict::Genuine);

    std::fs::remove_file(data.join("keys/documents.key")).unwrap();
    let out = run(balai().args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "", "--data-dir"]).arg(&data));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("document key") && stderr.contains("missing"), "{stderr}");
    assert!(!data.join("keys/documents.key").exists(), "no new key was written over issued documents");
}

/// The Open311 key a demo banner prints.
fn open311_key(banner: &str) -> String {
    let line = banner.lines().find(|l| l.trim().starts_with("Open311:")).expect("the banner has an Open311 line");
    let key = line.split("api_key: ").nth(1).expect("the line names the key");
    key.trim_end_matches(')').trim().to_owned()
}

#[test]
fn an_open311_key_is_made_printed_once_and_kept_only_as_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let migrated = run(balai().args(["migrate", "--data-dir"]).arg(&data));
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    // No demo data: a government is seeded by the demo, so only a key for every government here.
    let unknown = run(balai()
        .args(["open311", "key", "create", "--name", "Aplikasi", "--government", "99.99", "--data-dir"])
        .arg(&data));
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--government"), "{:?}", unknown);
    assert!(unknown.stdout.is_empty(), "no key printed");
    let nameless = run(balai().args(["open311", "key", "create", "--name", " ", "--data-dir"]).arg(&data));
    assert!(!nameless.status.success() && String::from_utf8_lossy(&nameless.stderr).contains("--name"));

    let made = run(balai().args(["open311", "key", "create", "--name", "Aplikasi Warga", "--data-dir"]).arg(&data));
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let key = String::from_utf8(made.stdout).unwrap();
    let key = key.trim();
    assert!(key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()), "the key alone on stdout: {key}");
    assert!(String::from_utf8_lossy(&made.stderr).contains("shown once"));
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        let client = balai_store::complaints::open311::client_by_key(&db, key).await.unwrap().expect("the key works");
        assert_eq!(client.name, "Aplikasi Warga");
        assert_eq!(client.government_id, None);
        let (stored,): (i64,) = db
            .fetch_one(balai_store::query("SELECT COUNT(*) FROM open311_clients WHERE key_hash = $1").bind(key))
            .await
            .unwrap();
        assert_eq!(stored, 0, "the key itself is not stored");
        db.close().await;
    });
}

#[test]
fn an_operator_sets_a_governments_qris_merchant_and_a_refusal_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let migrated = run(balai().args(["migrate", "--data-dir"]).arg(&data));
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    sqlite(
        &data,
        "INSERT INTO governments (region_code, name, time_zone, created_at) \
         VALUES ('53.71', 'Pemerintah Kota Kupang', 'WITA', '2026-12-01T00:00:00Z')",
    );
    let merchant = |name: &str, postal: &str, government: &str| {
        run(balai()
            .args(["payments", "merchant", "--government", government, "--nmid", "ID2026537100013", "--name", name])
            .args(["--city", "KUPANG", "--postal-code", postal, "--data-dir"])
            .arg(&data))
    };
    let unknown = merchant("BPKAD KOTA KUPANG", "85111", "99.99");
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--government"), "{unknown:?}");
    let long = merchant("BADAN PENGELOLAAN KEUANGAN DAERAH", "85111", "53.71");
    assert_eq!(long.status.code(), Some(2), "{long:?}");
    assert!(String::from_utf8_lossy(&long.stderr).contains("--name: "), "{long:?}");
    let short_postal = merchant("BPKAD KOTA KUPANG", "851", "53.71");
    assert!(String::from_utf8_lossy(&short_postal.stderr).contains("--postal-code"), "{short_postal:?}");
    let no_service = run(balai()
        .args(["payments", "upfront", "--government", "53.71", "--service", "UJI-KIR", "--data-dir"])
        .arg(&data));
    assert_eq!(no_service.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_service.stderr).contains("--service"), "{no_service:?}");

    let set = merchant("BPKAD KOTA KUPANG", "85111", "53.71");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let url = format!("sqlite://{}", data.join("balai.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = balai_store::Db::connect(&url).await.unwrap();
        let government = balai_store::org::government_by_region(&db, "53.71").await.unwrap();
        let settings = balai_store::payments::settings(&db, government.id).await.unwrap().expect("the merchant is set");
        assert_eq!(
            (settings.merchant_name.as_str(), settings.postal_code.as_str(), settings.mcc.as_str()),
            ("BPKAD KOTA KUPANG", "85111", "9399")
        );
        assert_eq!((settings.qris_expiry_minutes, settings.va_expiry_minutes), (1_440, 4_320), "the defaults");
        db.close().await;
    });
}

/// `balai bench` for one second a scenario on a small data set: every scenario completes work over
/// HTTP, the ceilings are measured, and each ratio is the scenario's rate over its ceiling.
fn bench_smoke(db_args: &[&str]) {
    let out = run(balai()
        .args(["bench", "--cases", "3000", "--clients", "8", "--seconds", "1", "--sse-clients", "50", "--json"])
        .args(db_args));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "bench failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(report["cases"], 3000);
    assert_eq!(report["clients"], 8);
    assert!(report["machine"]["cores"].as_u64().unwrap() >= 1);
    let insert = report["ceilings"]["db_insert_per_s"].as_f64().unwrap();
    let hello = report["ceilings"]["http_hello_per_s"].as_f64().unwrap();
    assert!(insert > 0.0 && hello > 0.0, "{report}");
    assert!(report["server_rss_mb"].as_f64().unwrap() > 1.0, "the server's memory was read: {report}");
    let scenarios = report["scenarios"].as_array().unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for name in [
        "application_submit",
        "application_submit_photo",
        "complaint_submit",
        "open311_post",
        "officer_transition",
        "status_read",
        "service_read",
        "search",
        "public_list",
        "dashboard_panel",
        "payment_callback",
        "qris_encode",
        "audit_verify",
    ] {
        assert!(names.contains(&name), "{name} is reported: {names:?}");
    }
    for s in scenarios.iter().filter(|s| !s["per_s"].is_null()) {
        assert!(s["ops"].as_u64().unwrap() > 0 && s["failed"] == 0, "{s}");
        if s["ratio"].is_null() {
            // A figure of its own (the QRIS codec on one core): no ceiling, no goal.
            assert!(s["ceiling"].is_null() && s["goal"].is_null() && s["per_s"].as_f64().unwrap() > 0.0, "{s}");
            continue;
        }
        let (per_s, ratio) = (s["per_s"].as_f64().unwrap(), s["ratio"].as_f64().unwrap());
        let ceiling = match s["ceiling"].as_str() {
            Some("db_insert") => insert,
            Some("http_hello") => hello,
            _ => 1_000_000.0,
        };
        assert!((ratio - per_s / ceiling).abs() < 1e-6 * ratio.max(1.0), "{s}");
        let p99 = s["p99_ms"].as_f64().unwrap_or(0.0);
        let expected = match s["goal"].as_str() {
            Some(">= 1.0x db_insert, p99 < 20 ms") => Some(ratio >= 1.0 && p99 < 20.0),
            Some(">= 0.5x http_hello") => Some(ratio >= 0.5),
            Some(">= 1,000,000 leaves/s") => Some(per_s >= 1_000_000.0),
            Some("p95 < 20 ms") => Some(s["p95_ms"].as_f64().unwrap() < 20.0),
            _ => None,
        };
        assert_eq!(s["met"].as_bool(), expected, "{s}");
    }
    // The dashboard: every panel answered, the plain GROUP BY was timed beside it, the aggregates
    // were rebuilt from the 3,000 generated cases, and every stream client heard the figures change.
    let dashboard = &report["dashboard"];
    let panels = dashboard["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 7, "{dashboard}");
    for panel in panels {
        assert!(panel["ops"].as_u64().unwrap() > 0 && panel["failed"] == 0, "{panel}");
    }
    assert!(dashboard["group_by_received_per_agency_ms"].as_f64().unwrap() > 0.0, "{dashboard}");
    assert!(dashboard["recomputed"]["cases"].as_u64().unwrap() >= 3000, "{dashboard}");
    let sse = &dashboard["sse"];
    assert_eq!(sse["connected"], 50, "{sse}");
    assert!(sse["min_events_per_client"].as_u64().unwrap() >= 2, "each client heard the changes: {sse}");
    assert!(dashboard["sse_rss_anon_open_mb"].as_f64().unwrap() > 0.0, "{dashboard}");
}

#[test]
fn bench_measures_every_scenario_against_its_ceiling_on_sqlite() {
    bench_smoke(&["--db", "sqlite"]);
}

#[test]
fn bench_measures_every_scenario_against_its_ceiling_on_postgres() {
    let Ok(url) = std::env::var("BALAI_TEST_POSTGRES_URL") else {
        eprintln!("BALAI_TEST_POSTGRES_URL is unset: the PostgreSQL bench smoke is skipped");
        return;
    };
    bench_smoke(&["--db", "postgres", "--postgres-url", &url]);
}
