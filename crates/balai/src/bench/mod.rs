//! `balai bench`: every speed goal, measured over HTTP on loopback against a real `balai serve` on
//! SQLite or PostgreSQL, next to the ceilings measured in the same run on the same machine — the
//! database's raw durable single-row insert rate at the same concurrency, and a hello-world served
//! by the same stack (axum on the same runtime and worker count, `balai bench-hello`).

mod load;
mod qris;
mod scenarios;
mod sse;
mod world;

use crate::RunError;
use crate::config::Config;
use balai_store::{Backend, Db, dynamic_query, query};
use load::{Conn, Measured, Outcome};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The largest data set and client count the command accepts: ten million cases is the goal's size.
pub const MAX_CASES: u64 = 20_000_000;
pub const MAX_CLIENTS: usize = 512;
pub const MAX_SECONDS: f64 = 600.0;
/// The most clients the live-stream fan-out opens (the server's own bound is higher).
pub const MAX_SSE_CLIENTS: usize = 1_900;

/// Every scenario, in the order they run.
pub const SCENARIOS: [&str; 13] = [
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
    "qris",
    "audit_verify",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct Options {
    pub engine: Engine,
    pub cases: u64,
    pub clients: usize,
    pub seconds: f64,
    pub json: bool,
    /// PostgreSQL server to create the bench database on (its own database, dropped first).
    pub postgres_url: String,
    /// Keep the data directory (SQLite file, server log) here instead of a temporary one.
    pub keep_dir: Option<PathBuf>,
    /// Scenarios to run; empty: all of them.
    pub only: Vec<String>,
    /// Clients on the dashboard's live stream at once.
    pub sse_clients: usize,
    pub common: crate::CommonArgs,
}

#[derive(Serialize)]
struct Report {
    db: Engine,
    cases: u64,
    clients: usize,
    seconds_per_scenario: f64,
    measured_at: String,
    machine: Machine,
    ceilings: Ceilings,
    scenarios: Vec<Scenario>,
    server_rss_mb: f64,
    /// At the end of the last scenario: the server's own memory and its mapped file pages.
    server_rss_anon_mb: f64,
    server_rss_file_mb: f64,
    server_rss_goal_mb: f64,
    server_rss_met: bool,
    /// The dashboard's figures beside `dashboard_panel`: each panel alone, the same figure by a
    /// plain GROUP BY over the cases, the aggregates' rebuild, and the live stream's fan-out.
    dashboard: Option<DashboardReport>,
}

#[derive(Serialize)]
struct DashboardReport {
    panels: Vec<PanelFigure>,
    /// Cases received per agency over the year, counted from the cases by GROUP BY (median of 3).
    group_by_received_per_agency_ms: f64,
    /// The same figure from the aggregates, as the overview panel's p95 over HTTP.
    overview_p95_ms: f64,
    /// Rebuilding every aggregate of the government from its cases (after bulk generation).
    recompute_seconds: f64,
    /// What the rebuild read and wrote.
    recomputed: balai_store::dashboard::Recomputed,
    sse: sse::FanOut,
    /// The server's own memory (RssAnon) before the stream clients connected and while all were open.
    sse_rss_anon_before_mb: f64,
    sse_rss_anon_open_mb: f64,
}

#[derive(Serialize)]
struct PanelFigure {
    panel: &'static str,
    per_s: f64,
    p50_ms: f64,
    p95_ms: f64,
    ops: u64,
    failed: u64,
}

struct Memory {
    peak_rss_mb: f64,
    anon_mb: f64,
    file_mb: f64,
}

#[derive(Serialize)]
struct Machine {
    cores: usize,
    memory_gb: f64,
    cpu: String,
    load_average_at_start: String,
}

#[derive(Serialize)]
struct Ceilings {
    db_insert_per_s: f64,
    db_insert_p99_ms: f64,
    http_hello_per_s: f64,
    http_hello_p99_ms: f64,
}

#[derive(Serialize)]
struct Scenario {
    name: &'static str,
    per_s: Option<f64>,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    /// `db_insert` or `http_hello`: which ceiling the ratio is taken against.
    ceiling: Option<&'static str>,
    ratio: Option<f64>,
    goal: Option<&'static str>,
    met: Option<bool>,
    ops: u64,
    failed: u64,
    note: Option<String>,
}

/// What a scenario is held to.
#[derive(Clone, Copy)]
enum Goal {
    /// Submissions without photos: at least the raw insert rate, p99 under 20 ms.
    Write,
    /// Status, service and list reads: at least half the hello-world rate.
    Read,
    /// A dashboard panel: under 20 ms at p95.
    Panel,
    None,
}

impl Goal {
    fn text(self) -> Option<&'static str> {
        match self {
            Goal::Write => Some(">= 1.0x db_insert, p99 < 20 ms"),
            Goal::Read => Some(">= 0.5x http_hello"),
            Goal::Panel => Some("p95 < 20 ms"),
            Goal::None => None,
        }
    }
}

/// The data directory, the migrated database and the keys a served Balai needs, as `serve` would
/// make them on first start.
async fn deployment(config: &Config) -> Result<(Db, balai_store::identity::Vault), RunError> {
    crate::demo::prepare_data_dir(config)?;
    let db = crate::demo::connect(config).await?;
    db.migrate().await?;
    crate::audit::load_or_create_key(config, &db).await?;
    let vault = crate::keys::load_or_create_vault(config, &db).await?;
    crate::keys::load_or_create_document_keys(config, &db).await?;
    Ok((db, vault))
}

/// `balai bench-world`: the data set of [`run`] in the configured database, printed as JSON.
pub async fn world_only(common: &crate::CommonArgs, clients: usize) -> Result<(), RunError> {
    let config = Config::load(common, false)?;
    let (db, vault) = deployment(&config).await?;
    let world = world::prepare(&config, &db, &vault, clients).await?;
    db.close().await;
    println!("{}", serde_json::to_string(&world).map_err(|e| RunError::Io(e.to_string()))?);
    Ok(())
}

pub async fn run(options: Options) -> Result<(), RunError> {
    let started = Instant::now();
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    // The codec alone needs no data set, database or server.
    if !options.only.is_empty() && options.only.iter().all(|o| o == "qris") {
        return qris::run_alone(options.json, load_average);
    }
    let temp = tempfile::tempdir().map_err(|e| RunError::Io(format!("cannot make a temporary directory: {e}")))?;
    let data_dir = options.keep_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let mut common = options.common.clone();
    common.data_dir = Some(data_dir.clone());
    let mut config = Config::load(&common, false)?;
    config.metrics_listen = String::new();
    let say = |what: &str| {
        if !options.json {
            eprintln!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
        }
    };
    config.database_url = match options.engine {
        // The SQLite file in the data directory, whatever the environment says.
        Engine::Sqlite => None,
        Engine::Postgres => Some(postgres_database(&options.postgres_url).await?),
    };
    let (db, vault) = deployment(&config).await?;
    say("seeding the catalogue, citizens, an officer and an Open311 key");
    let world = world::prepare(&config, &db, &vault, options.clients).await?;
    say(&format!("generating cases up to {}", options.cases));
    world::fill(&db, world.government_id, options.cases as i64, options.json).await?;
    // The generated cases are written without their events: rebuild the dashboard's aggregates
    // from them once, as an operator would after a bulk load.
    say("rebuilding the dashboard's aggregates from the cases");
    let recompute_started = Instant::now();
    let recomputed = balai_store::dashboard::recompute(&db, world.government_id).await?;
    let recompute_seconds = recompute_started.elapsed().as_secs_f64();
    sse::raise_open_file_limit();

    say("ceiling: raw durable single-row insert");
    let db_insert = raw_insert(&db, options.clients, options.seconds).await?;
    say("ceiling: hello-world on the same stack");
    let hello = {
        let server = Server::start(&["bench-hello"], &config, &data_dir, "hello.log")?;
        server.wait_ready("/").await?;
        let addr = server.addr;
        let measured = load::run(
            options.clients,
            options.seconds,
            |_| Conn::new(addr),
            |mut conn, _, _| async move {
                let outcome = match conn.get("/", None).await {
                    Ok(a) if a.status.is_success() => Outcome::Done,
                    Ok(a) => load::failure("hello", &a),
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                (conn, outcome)
            },
        )
        .await;
        server.stop();
        measured
    };

    let wanted = |name: &str| options.only.is_empty() || options.only.iter().any(|o| o == name);
    // The bills a gateway will report paid, opened before the clock starts: enough for the run
    // at several hundred settlements a second per client group, at most 100,000.
    let bills = if wanted("payment_callback") {
        let count = ((options.clients as f64) * options.seconds * 25.0).clamp(500.0, 100_000.0) as usize;
        say(&format!("payment_callback: opening {count} applications with a fee, each with its bill"));
        world::unpaid_bills(&db, &vault, world.government_id, count).await?
    } else {
        Vec::new()
    };
    let callback_secret: [u8; 32] = rand::random();
    let callback_secret = callback_secret.iter().map(|b| format!("{b:02x}")).collect::<String>();
    config.payment_callback_secret = Some(callback_secret.clone());

    say("starting balai serve");
    let server = Server::start(&["serve"], &config, &data_dir, "server.log")?;
    server.wait_ready("/readyz").await?;
    let government_id = world.government_id;
    let ctx = scenarios::Context::new(server.addr, options.clients, options.seconds, world)
        .with_bills(bills, callback_secret.clone().into_bytes());
    if let Some(unknown) = options.only.iter().find(|o| !SCENARIOS.contains(&o.as_str())) {
        return Err(RunError::Io(format!("--only: no scenario {unknown:?} (known: {})", SCENARIOS.join(", "))));
    }
    let mut scenarios = Vec::new();
    let ceilings = Ceilings {
        db_insert_per_s: db_insert.per_s(),
        db_insert_p99_ms: db_insert.p99_ms,
        http_hello_per_s: hello.per_s(),
        http_hello_p99_ms: hello.p99_ms,
    };
    for (name, goal, ceiling) in [
        ("application_submit", Goal::Write, "db_insert"),
        ("application_submit_photo", Goal::None, "db_insert"),
        ("complaint_submit", Goal::Write, "db_insert"),
        ("open311_post", Goal::Write, "db_insert"),
        ("officer_transition", Goal::None, "db_insert"),
        ("status_read", Goal::Read, "http_hello"),
        ("service_read", Goal::Read, "http_hello"),
        ("search", Goal::None, "http_hello"),
        ("public_list", Goal::Read, "http_hello"),
        ("payment_callback", Goal::None, "db_insert"),
    ] {
        if !wanted(name) {
            continue;
        }
        say(name);
        let measured = ctx.run(name, &db).await?;
        let base = if ceiling == "db_insert" { ceilings.db_insert_per_s } else { ceilings.http_hello_per_s };
        scenarios.push(scenario(name, goal, ceiling, base, &measured));
    }
    let mut dashboard = None;
    if wanted("dashboard_panel") {
        say("dashboard_panel");
        let measured = ctx.run("dashboard_panel", &db).await?;
        scenarios.push(scenario("dashboard_panel", Goal::Panel, "http_hello", ceilings.http_hello_per_s, &measured));
        let mut panels = Vec::new();
        for panel in scenarios::PANELS {
            say(&format!("dashboard_panel: {panel}"));
            let m = ctx.panel(panel).await;
            let figure = PanelFigure {
                panel,
                per_s: m.per_s(),
                p50_ms: m.p50_ms,
                p95_ms: m.p95_ms,
                ops: m.ops,
                failed: m.failed,
            };
            panels.push(figure);
        }
        say("dashboard_panel: the same figure by GROUP BY over the cases");
        let group_by_ms = group_by_received_per_agency(&db, government_id).await?;
        say(&format!("dashboard_panel: {} clients on the live stream", options.sse_clients));
        let before = server.memory();
        let fan_seconds = options.seconds.max(5.0);
        let driver = {
            // One case event a second, so the figures the stream carries change every second.
            let (ctx, until) = (ctx.clone(), Instant::now() + Duration::from_secs_f64(fan_seconds));
            tokio::spawn(async move {
                let mut conn = Conn::new(ctx.addr());
                while Instant::now() < until {
                    let _ = ctx.file_one_report(&mut conn).await;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            })
        };
        let (fan_out, open) =
            sse::fan_out(server.addr, scenarios::STREAM_PATH, options.sse_clients, fan_seconds, || server.memory())
                .await;
        let _ = driver.await;
        let overview_p95_ms = panels.iter().find(|p| p.panel == "overview").map_or(0.0, |p| p.p95_ms);
        dashboard = Some(DashboardReport {
            panels,
            group_by_received_per_agency_ms: group_by_ms,
            overview_p95_ms,
            recompute_seconds,
            recomputed,
            sse: fan_out,
            sse_rss_anon_before_mb: before.anon_mb,
            sse_rss_anon_open_mb: open.anon_mb,
        });
    }
    let memory = server.memory();
    let rss_mb = memory.peak_rss_mb;
    server.stop();
    if wanted("qris") {
        scenarios.extend(qris::measure(say));
    }

    // The generated cases have no history by design, and verify names every audited row without a
    // leaf: they go first, so the log verified is the seed's and this run's real commands'.
    if wanted("audit_verify") {
        say("removing the generated cases before audit_verify");
        balai_store::seed::bulk::remove_public_reports(&db).await?;
        say("audit_verify");
        let verify_started = Instant::now();
        let (verified, _) = balai_store::audit::verify(&db, &[])
            .await?
            .map_err(|finding| RunError::Verify(format!("the bench's own audit log: {finding}")))?;
        let verify_seconds = verify_started.elapsed().as_secs_f64();
        let leaves_per_s = verified.size as f64 / verify_seconds.max(1e-9);
        scenarios.push(Scenario {
            name: "audit_verify",
            per_s: Some(leaves_per_s),
            p50_ms: None,
            p95_ms: None,
            p99_ms: None,
            ceiling: None,
            ratio: Some(leaves_per_s / 1_000_000.0),
            goal: Some(">= 1,000,000 leaves/s"),
            met: Some(leaves_per_s >= 1_000_000.0),
            ops: verified.size,
            failed: 0,
            note: Some(format!("{} leaves in {:.3} s; ratio is to the goal", verified.size, verify_seconds)),
        });
    }

    let report = Report {
        db: options.engine,
        cases: options.cases,
        clients: options.clients,
        seconds_per_scenario: options.seconds,
        measured_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: machine(load_average),
        ceilings,
        server_rss_mb: rss_mb,
        server_rss_anon_mb: memory.anon_mb,
        server_rss_file_mb: memory.file_mb,
        server_rss_goal_mb: 150.0,
        server_rss_met: rss_mb < 150.0,
        scenarios,
        dashboard,
    };
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| RunError::Io(e.to_string()))?);
    } else {
        print_table(&report);
    }
    if options.engine == Engine::Postgres {
        db.close().await;
    }
    let broken: Vec<String> = report
        .scenarios
        .iter()
        .filter(|s| s.failed > 0 || (s.per_s.is_some() && s.ops == 0))
        .map(|s| format!("{}: {}", s.name, s.note.as_deref().unwrap_or("no operation completed")))
        .collect();
    if broken.is_empty() { Ok(()) } else { Err(RunError::Io(format!("scenarios failed: {}", broken.join("; ")))) }
}

/// The dashboard's "received per agency over the year" counted the plain way, from the cases by
/// GROUP BY: the median of three runs, in milliseconds.
async fn group_by_received_per_agency(db: &Db, government_id: i64) -> Result<f64, RunError> {
    let to = chrono::Utc::now();
    let from = to - chrono::Duration::days(365);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let rows: Vec<(i64, i64)> = db
            .fetch_all(
                query(
                    "SELECT agency_id, COUNT(*) FROM cases WHERE government_id = $1 AND opened_at >= $2 \
                     AND opened_at < $3 GROUP BY agency_id",
                )
                .bind(government_id)
                .bind(from)
                .bind(to),
            )
            .await?;
        std::hint::black_box(rows);
        runs.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    runs.sort_by(f64::total_cmp);
    Ok(runs[1])
}

fn scenario(name: &'static str, goal: Goal, ceiling: &'static str, base: f64, m: &Measured) -> Scenario {
    let ratio = if base > 0.0 { m.per_s() / base } else { 0.0 };
    let met = match goal {
        Goal::Write => Some(ratio >= 1.0 && m.p99_ms < 20.0),
        Goal::Read => Some(ratio >= 0.5),
        Goal::Panel => Some(m.p95_ms < 20.0),
        Goal::None => None,
    };
    let mut note = m.first_failure.clone();
    if m.ops > 0 && m.idle > 0 {
        note = Some(note.map_or_else(String::new, |n| format!("{n}; ")) + "ran out of work: the rate is a lower bound");
    }
    Scenario {
        name,
        per_s: Some(m.per_s()),
        p50_ms: Some(m.p50_ms),
        p95_ms: Some(m.p95_ms),
        p99_ms: Some(m.p99_ms),
        ceiling: Some(ceiling),
        ratio: Some(ratio),
        goal: goal.text(),
        met,
        ops: m.ops,
        failed: m.failed,
        note,
    }
}

/// The raw ceiling: one `INSERT` per transaction, committed durably, from as many clients as the
/// scenarios use, on the same database with the server's connection settings.
async fn raw_insert(db: &Db, clients: usize, seconds: f64) -> Result<Measured, RunError> {
    let id_column = match db.backend() {
        Backend::Sqlite => "id INTEGER PRIMARY KEY",
        Backend::Postgres => "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    db.execute(dynamic_query(format!(
        "CREATE TABLE IF NOT EXISTS bench_raw ({id_column}, client BIGINT NOT NULL, n BIGINT NOT NULL)"
    )))
    .await?;
    let measured = load::run(
        clients,
        seconds,
        |_| db.clone(),
        |db, client, n| async move {
            let outcome = async {
                let mut tx = db.begin().await?;
                tx.execute(
                    query("INSERT INTO bench_raw (client, n) VALUES ($1, $2)").bind(client as i64).bind(n as i64),
                )
                .await?;
                tx.commit().await
            }
            .await;
            let outcome = match outcome {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Failed(e.to_string()),
            };
            (db, outcome)
        },
    )
    .await;
    Ok(measured)
}

/// Creates (again) the bench's own database on the PostgreSQL server and returns its URL.
async fn postgres_database(admin_url: &str) -> Result<String, RunError> {
    let admin = Db::connect(admin_url).await?;
    admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_bench WITH (FORCE)".into())).await?;
    admin.execute(dynamic_query("CREATE DATABASE balai_bench".into())).await?;
    admin.close().await;
    let mut url = url::Url::parse(admin_url).map_err(|e| RunError::Io(format!("--postgres-url: {e}")))?;
    url.set_path("/balai_bench");
    Ok(url.to_string())
}

/// A `balai` child process serving on a loopback port.
struct Server {
    child: std::sync::Mutex<Child>,
    addr: SocketAddr,
}

impl Server {
    fn start(args: &[&str], config: &Config, data_dir: &Path, log: &str) -> Result<Server, RunError> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| RunError::Io(format!("no free loopback port: {e}")))?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::File::create(data_dir.join(log)).map_err(|e| RunError::Io(e.to_string()))?;
        let err = log.try_clone().map_err(|e| RunError::Io(e.to_string()))?;
        let exe = std::env::current_exe().map_err(|e| RunError::Io(e.to_string()))?;
        let child = Command::new(exe)
            .args(args)
            .arg("--listen")
            .arg(addr.to_string())
            .env("BALAI_DATA_DIR", data_dir)
            .env("BALAI_DATABASE_URL", config.database_url())
            .env("BALAI_METRICS_LISTEN", "")
            // The secret `payment_callback` signs with (each run makes its own).
            .env("BALAI_PAYMENT_CALLBACK_SECRET", config.payment_callback_secret.clone().unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| RunError::Io(format!("cannot start the server: {e}")))?;
        Ok(Server { child: std::sync::Mutex::new(child), addr })
    }

    async fn wait_ready(&self, path: &str) -> Result<(), RunError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut conn = Conn::new(self.addr);
        while Instant::now() < deadline {
            if let Ok(a) = conn.get(path, None).await
                && a.status.is_success()
            {
                return Ok(());
            }
            if let Ok(mut child) = self.child.lock()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(RunError::Io(format!("the server exited at start ({status}); see its log")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(RunError::Io("the server did not become ready within 60 s".into()))
    }

    /// The server's memory from /proc, in MiB: the peak resident set (VmHWM) and, now, the part
    /// that is its own (anonymous) and the part that is mapped file pages (the SQLite file's map,
    /// which the kernel may drop at will).
    fn memory(&self) -> Memory {
        let pid = self.child.lock().map(|c| c.id()).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
                .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
        };
        Memory { peak_rss_mb: field("VmHWM:"), anon_mb: field("RssAnon:"), file_mb: field("RssFile:") }
    }

    /// Asks the server to stop (SIGTERM, as a supervisor would), then waits for it.
    fn stop(self) {
        drop(self);
    }
}

/// A bench that ends early (an error, a panic) leaves no server behind.
impl Drop for Server {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(15);
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

fn machine(load_average_at_start: String) -> Machine {
    let memory_kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .unwrap_or(0.0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_default();
    Machine {
        cores: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
        memory_gb: (memory_kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        cpu,
        load_average_at_start,
    }
}

fn print_table(r: &Report) {
    println!(
        "balai bench — {:?}, {} cases, {} clients, {} s a scenario, {} ({} cores, {} GB, load {})",
        r.db,
        r.cases,
        r.clients,
        r.seconds_per_scenario,
        r.measured_at,
        r.machine.cores,
        r.machine.memory_gb,
        r.machine.load_average_at_start
    );
    println!(
        "ceilings: raw durable insert {:.0}/s (p99 {:.1} ms); hello-world {:.0}/s (p99 {:.1} ms)",
        r.ceilings.db_insert_per_s,
        r.ceilings.db_insert_p99_ms,
        r.ceilings.http_hello_per_s,
        r.ceilings.http_hello_p99_ms
    );
    print_scenarios(&r.scenarios);
    println!(
        "server peak RSS: {:.1} MB (at the end: {:.1} MB its own, {:.1} MB mapped file pages; goal < {:.0} MB: {})",
        r.server_rss_mb,
        r.server_rss_anon_mb,
        r.server_rss_file_mb,
        r.server_rss_goal_mb,
        if r.server_rss_met { "yes" } else { "NO" }
    );
    if let Some(d) = &r.dashboard {
        println!("dashboard panels (each alone):");
        for p in &d.panels {
            println!(
                "  {:<14} {:>8.0}/s  p50 {:>7.2} ms  p95 {:>7.2} ms  ({} ops, {} failed)",
                p.panel, p.per_s, p.p50_ms, p.p95_ms, p.ops, p.failed
            );
        }
        println!(
            "  received per agency over a year: {:.2} ms by GROUP BY over the cases, {:.2} ms (p95) from the aggregates",
            d.group_by_received_per_agency_ms, d.overview_p95_ms
        );
        println!(
            "  aggregates rebuilt from {} cases in {:.1} s ({} daily, {} duration, {} open rows)",
            d.recomputed.cases,
            d.recompute_seconds,
            d.recomputed.daily_rows,
            d.recomputed.duration_rows,
            d.recomputed.open_rows
        );
        println!(
            "  live stream: {} of {} clients connected for {:.1} s, {} events ({} at least per client, longest gap {:.0} ms); \
             server's own memory {:.1} MB before, {:.1} MB with all open",
            d.sse.connected,
            d.sse.clients,
            d.sse.seconds,
            d.sse.events,
            d.sse.min_events_per_client,
            d.sse.max_gap_ms,
            d.sse_rss_anon_before_mb,
            d.sse_rss_anon_open_mb
        );
        if let Some(failure) = &d.sse.first_failure {
            println!("  live stream: a client could not connect: {failure}");
        }
    }
}

fn print_scenarios(scenarios: &[Scenario]) {
    println!(
        "{:<26} {:>10} {:>8} {:>8} {:>8} {:>11} {:>7}  {:<32} met",
        "scenario", "per s", "p50 ms", "p95 ms", "p99 ms", "ceiling", "ratio", "goal"
    );
    let num = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.d$}"));
    for s in scenarios {
        println!(
            "{:<26} {:>10} {:>8} {:>8} {:>8} {:>11} {:>7}  {:<32} {}",
            s.name,
            num(s.per_s, 0),
            num(s.p50_ms, 2),
            num(s.p95_ms, 2),
            num(s.p99_ms, 2),
            s.ceiling.unwrap_or("-"),
            num(s.ratio, 3),
            s.goal.unwrap_or("-"),
            match s.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            }
        );
        if let Some(note) = &s.note {
            println!("{:<26} note: {note}", "");
        }
    }
}

/// `balai bench-hello`: the ceiling's server — axum on this binary's runtime, one route, nothing else.
pub async fn hello(listen: &str) -> Result<(), RunError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| RunError::Io(format!("cannot listen on {listen}: {e}")))?;
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, world!" }));
    let shutdown = async {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            term.recv().await;
        }
    };
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| RunError::Io(e.to_string()))
}
