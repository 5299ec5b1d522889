//! Reliability, as the people who depend on Balai would notice it: a server killed mid-load loses no
//! acknowledged submission or transition and writes nothing twice; a database outage is answered
//! with a clear "try again shortly" and heals by itself; two nodes behind a proxy share sessions and
//! the job queue; a streaming replica takes the reads that may lag, never a person's own case, and
//! its loss only sends those reads back to the primary.
//!
//! The tests run real processes: `balai serve`, PostgreSQL clusters of their own (initdb, pg_ctl,
//! pg_basebackup from the machine's PostgreSQL), nginx. Each bounds its load in rounds and seconds.

#[path = "support/harness.rs"]
mod harness;

use harness::*;
use rand::Rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the load's clients were told: acknowledged work must be there exactly once; work whose
/// answer never came may be there at most once, and repeating it must not make a second.
#[derive(Default)]
struct Told {
    /// (client, idempotency key, upload, tracking number)
    applications: Vec<(usize, String, i64, String)>,
    /// (client, idempotency key, upload): no answer, or a failure answer.
    applications_unanswered: Vec<(usize, String, i64)>,
    /// (description, service_request_id)
    reports: Vec<(String, String)>,
    reports_unanswered: Vec<String>,
    verified: Vec<i64>,
    verified_unanswered: Vec<i64>,
    /// Idempotency keys answered 503 `/problems/unavailable`: refused whole, nothing written. (A 503
    /// `/problems/outcome-unknown` — the connection broke during the commit — is unanswered.)
    applications_refused: Vec<String>,
    /// Status codes seen, for the notes.
    statuses: HashMap<u16, u64>,
}

struct Load {
    told: Arc<Mutex<Told>>,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// Clients that submit applications, file Open311 reports and verify cases, one per signed-in
/// citizen, against `base` until stopped. `open_cases` are verified each at most once.
fn start_load(base: String, world: &World, round: usize, open_cases: Arc<Vec<i64>>, told: Arc<Mutex<Told>>) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let next_case = Arc::new(AtomicUsize::new(0));
    let photo = Arc::new(photo());
    let mut threads = Vec::new();
    for (client, cookie) in world.citizen_cookies.iter().enumerate() {
        let (base, world, cookie) = (base.clone(), world.clone(), cookie.clone());
        let (stop, told, open_cases, next_case, photo) =
            (stop.clone(), told.clone(), open_cases.clone(), next_case.clone(), photo.clone());
        threads.push(std::thread::spawn(move || {
            let http = Client::new();
            let mut uploaded: Option<i64> = None;
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let note = |status: u16| {
                    *told.lock().unwrap().statuses.entry(status).or_default() += 1;
                    // A client backs off a little after a failure before it tries again.
                    if !matches!(status, 200 | 201 | 303) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                };
                let verify_next = n.is_multiple_of(3) && next_case.load(Ordering::Relaxed) < open_cases.len();
                if verify_next {
                    let Some(&case) = open_cases.get(next_case.fetch_add(1, Ordering::Relaxed)) else { continue };
                    let a = verify_step(&http, &base, &world, case);
                    note(a.status);
                    let mut t = told.lock().unwrap();
                    if a.status == 303 { t.verified.push(case) } else { t.verified_unanswered.push(case) }
                } else if n % 3 == 2 {
                    let description = format!("Lampu jalan mati, laporan uji r{round}-c{client}-n{n}.");
                    let a = open311_report(&http, &base, &world, &description);
                    note(a.status);
                    let mut t = told.lock().unwrap();
                    match (a.status, service_request_id(&a)) {
                        (200 | 201, Some(id)) => t.reports.push((description, id)),
                        _ => t.reports_unanswered.push(description),
                    }
                } else {
                    // One upload per client, attached to each of its submissions (a citizen's
                    // uploads a day are bounded).
                    let upload = match uploaded.map_or_else(|| try_upload(&http, &base, &cookie, &photo), Ok) {
                        Ok(id) => id,
                        Err(status) => {
                            note(status);
                            continue;
                        }
                    };
                    uploaded = Some(upload);
                    let key = format!("r{round}-c{client}-n{n}");
                    let a = submit(&http, &base, &cookie, upload, &key);
                    note(a.status);
                    let mut t = told.lock().unwrap();
                    match (a.status, tracking_number(&a)) {
                        (201, Some(number)) => t.applications.push((client, key, upload, number)),
                        (503, _) if a.json()["type"] == "/problems/unavailable" => t.applications_refused.push(key),
                        _ => t.applications_unanswered.push((client, key, upload)),
                    }
                }
            }
        }));
    }
    Load { told, stop, threads }
}

impl Load {
    fn finish(self) -> Arc<Mutex<Told>> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        self.told
    }
}

/// Application cases waiting at their first step, for officers to verify.
fn open_cases(deployment: &Deployment) -> Arc<Vec<i64>> {
    let ids = deployment.db().case_ids("application", 100_000);
    let check = deployment.db();
    Arc::new(
        ids.into_iter()
            .filter(|id| {
                check.count(
                    "SELECT COUNT(*) FROM cases WHERE id = CAST($1 AS BIGINT) AND status = 'in_progress' AND current_step = 0",
                    &[&id.to_string()],
                ) == 1
            })
            .collect(),
    )
}

/// Everything the clients were told is true, nothing is half-written, and repeating what went
/// unanswered makes nothing twice. Returns (acknowledged, repeated) counts for the notes.
fn check_exactly_once(deployment: &Deployment, base: &str, told: &Told, applications_before: i64) -> (usize, usize) {
    let db = deployment.db();
    let http = Client::new();
    for (_, _, _, number) in &told.applications {
        assert_eq!(
            db.count("SELECT COUNT(*) FROM cases WHERE tracking_number = $1", &[number]),
            1,
            "an acknowledged application is there exactly once"
        );
    }
    for (description, id) in &told.reports {
        assert_eq!(db.count("SELECT COUNT(*) FROM complaints WHERE text = $1", &[description]), 1, "report {id}");
        assert_eq!(db.count("SELECT COUNT(*) FROM cases WHERE tracking_number = $1", &[id]), 1, "report {id}");
    }
    for description in &told.reports_unanswered {
        assert!(db.count("SELECT COUNT(*) FROM complaints WHERE text = $1", &[description]) <= 1, "at most once");
    }
    for case in &told.verified {
        assert_eq!(
            db.count(
                "SELECT COUNT(*) FROM case_events WHERE case_id = CAST($1 AS BIGINT) AND event = 'verify'",
                &[&case.to_string()]
            ),
            1,
            "an acknowledged verification of case {case} is recorded once"
        );
    }
    for case in &told.verified_unanswered {
        assert!(
            db.count(
                "SELECT COUNT(*) FROM case_events WHERE case_id = CAST($1 AS BIGINT) AND event = 'verify'",
                &[&case.to_string()]
            ) <= 1
        );
    }
    // What was refused with 503 left nothing behind.
    for key in &told.applications_refused {
        assert_eq!(db.count("SELECT COUNT(*) FROM submission_keys WHERE idempotency_key = $1", &[key]), 0, "{key}");
    }
    // Repeating an acknowledged submission with its key returns the same case, and makes none.
    for (client, key, upload, number) in told.applications.iter().take(20) {
        let a = submit(&http, base, &deployment.world.citizen_cookies[*client], *upload, key);
        assert_eq!(a.status, 200, "a repeated submission is answered from its key: {}", a.body);
        assert_eq!(tracking_number(&a).as_deref(), Some(number.as_str()));
    }
    // Repeating an unanswered one either finds the case it made or makes it now: once either way.
    for (client, key, upload) in &told.applications_unanswered {
        let a = submit(&http, base, &deployment.world.citizen_cookies[*client], *upload, key);
        assert!(matches!(a.status, 200 | 201), "repeating {key}: {} {}", a.status, a.body);
    }
    let keys = told.applications.len() + told.applications_unanswered.len();
    assert_eq!(
        db.count("SELECT COUNT(*) FROM cases WHERE kind = 'application'", &[]) - applications_before,
        keys as i64,
        "one application case per idempotency key, no more"
    );
    // Nothing half-written: every application has its record, its steps and its deadline's job.
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM cases c WHERE c.kind = 'application' AND \
             (NOT EXISTS (SELECT 1 FROM applications a WHERE a.case_id = c.id) \
              OR NOT EXISTS (SELECT 1 FROM case_steps s WHERE s.case_id = c.id) \
              OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'sla.breach_check' AND j.dedupe_key LIKE c.id || ':%'))",
            &[]
        ),
        0,
        "an application without its record, steps or deadline check"
    );
    eprintln!(
        "  acknowledged: {} applications, {} Open311 reports, {} verifications; unanswered: {} applications, \
         {} reports, {} verifications; refused with 503 and left no trace: {} applications",
        told.applications.len(),
        told.reports.len(),
        told.verified.len(),
        told.applications_unanswered.len(),
        told.reports_unanswered.len(),
        told.verified_unanswered.len(),
        told.applications_refused.len()
    );
    (told.applications.len() + told.reports.len() + told.verified.len(), told.applications_unanswered.len())
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Rounds of load, each ended by SIGKILL at a random moment, then a restart and the checks.
fn crash_rounds(database_url: Option<&str>) {
    const ROUNDS: usize = 6;
    let deployment = Deployment::seed(database_url, 6);
    let applications_before = deployment.db().count("SELECT COUNT(*) FROM cases WHERE kind = 'application'", &[]);
    let told = Arc::new(Mutex::new(Told::default()));
    let mut rng = rand::thread_rng();
    let mut kill_points = Vec::new();
    for round in 0..ROUNDS {
        let node = Node::start(&deployment, "crash", &[]);
        let load = start_load(node.url(), &deployment.world, round, open_cases(&deployment), told.clone());
        let after = Duration::from_millis(rng.gen_range(700..2500));
        std::thread::sleep(after);
        node.kill();
        kill_points.push(after.as_millis());
        load.finish();
    }
    // Work the queue held when the last server died, and work queued while none ran, runs after the
    // restart.
    let cases = deployment.db().case_ids("application", 5);
    deployment.db().enqueue_due_checks(deployment.world.government_id, &cases, "resume");
    let node = Node::start(&deployment, "crash", &[]);
    let told = told.lock().unwrap();
    let (acknowledged, repeated) = check_exactly_once(&deployment, &node.url(), &told, applications_before);
    wait_for("the job queue resumes after the restart", Duration::from_secs(30), || {
        deployment.db().count("SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'resume-%' AND status = 'done'", &[])
            == cases.len() as i64
    });
    drop(node);
    deployment.audit_verify();
    eprintln!(
        "crash: {ROUNDS} rounds killed after {kill_points:?} ms; {acknowledged} acknowledged writes present once; \
         {repeated} unanswered submissions repeated without a duplicate; statuses {:?}",
        told.statuses
    );
    assert!(acknowledged > 0, "the load did some work before the kills");
}

#[test]
fn a_server_killed_mid_load_loses_no_acknowledged_write_on_sqlite() {
    crash_rounds(None);
}

#[test]
fn a_server_killed_mid_load_loses_no_acknowledged_write_on_postgres() {
    let Some(admin) = shared_postgres() else {
        assert!(!required(), "CI needs BALAI_TEST_POSTGRES_URL");
        eprintln!("skipped: BALAI_TEST_POSTGRES_URL is not set");
        return;
    };
    let database = SharedDatabase::create(&admin);
    crash_rounds(Some(&database.url));
}

fn postgres_tools() -> Option<std::path::PathBuf> {
    let bin = postgres_bin();
    if bin.is_none() {
        assert!(!required(), "CI needs PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup)");
        eprintln!("skipped: no PostgreSQL server binaries under /usr/lib/postgresql");
    }
    bin
}

#[test]
fn a_database_outage_is_answered_with_503_and_the_server_heals_by_itself() {
    let Some(bin) = postgres_tools() else { return };
    let mut cluster = Cluster::start_new(&bin);
    let deployment = Deployment::seed(Some(&cluster.url()), 4);
    let applications_before = deployment.db().count("SELECT COUNT(*) FROM cases WHERE kind = 'application'", &[]);
    let node = Node::start(&deployment, "outage", &[]);
    let http = Client::new();
    let base = node.url();
    let cookie = deployment.world.citizen_cookies[0].clone();
    let upload_id = upload(&http, &base, &cookie, &photo()).expect("an upload before the outage");
    let told = Arc::new(Mutex::new(Told::default()));
    let load = start_load(base.clone(), &deployment.world, 0, Arc::new(Vec::new()), told.clone());
    std::thread::sleep(Duration::from_millis(1500));

    cluster.stop_immediately();
    let cut_at = Instant::now();
    // Not ready as soon as the server notices (its probe asks every second).
    wait_for("readyz says not ready while the database is away", Duration::from_secs(15), || {
        http.get(&format!("{base}/readyz"), None).status == 503
    });
    let noticed_in = cut_at.elapsed();
    let mut latencies = Vec::new();
    for i in 0..5 {
        let a = submit(&http, &base, &cookie, upload_id, &format!("outage-{i}"));
        assert_eq!(a.status, 503, "a submission during the outage: {}", a.body);
        assert_eq!(a.content_type, "application/problem+json", "{} {:?}", a.body, a.retry_after);
        assert_eq!(a.json()["type"], "/problems/unavailable");
        assert!(a.retry_after.as_deref().is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)), "Retry-After");
        latencies.push(a.elapsed);
        let page = http.get(&format!("{base}/layanan/{REGION}/AKTA-LAHIR"), None);
        assert_eq!(page.status, 503, "a page during the outage");
        assert!(page.content_type.starts_with("text/html"));
        assert!(page.body.contains("Layanan sedang tidak tersedia"), "the page says so in Bahasa Indonesia");
        assert!(page.retry_after.is_some());
    }
    // The load keeps meeting the outage for a while before the database returns.
    std::thread::sleep(Duration::from_secs(4).saturating_sub(cut_at.elapsed()));
    latencies.sort();
    // Fail fast: answered at once, not after the pool's five-second connect timeout.
    assert!(latencies[2] < Duration::from_secs(1), "503s answered at once during the outage: {latencies:?}");
    let outage_for = cut_at.elapsed();
    cluster.start();
    let back_at = Instant::now();
    wait_for("the server is ready again by itself", Duration::from_secs(30), || {
        http.get(&format!("{base}/readyz"), None).status == 200
    });
    let healed_in = back_at.elapsed();
    wait_for("submissions succeed again", Duration::from_secs(30), || {
        let a = submit(&http, &base, &cookie, upload_id, "after-outage");
        matches!(a.status, 200 | 201)
    });
    std::thread::sleep(Duration::from_secs(1));
    let told = load.finish();
    let told = told.lock().unwrap();
    assert!(told.statuses.get(&503).copied().unwrap_or(0) > 0, "the load met the outage: {:?}", told.statuses);
    assert_eq!(told.statuses.get(&500).copied().unwrap_or(0), 0, "no 500 during the outage: {:?}", told.statuses);
    // The submission that found the server healed is one more key to account for.
    let mut told = told;
    told.applications_unanswered.push((0, "after-outage".into(), upload_id));
    let (acknowledged, repeated) = check_exactly_once(&deployment, &base, &told, applications_before);
    drop(node);
    deployment.audit_verify();
    eprintln!(
        "outage: database away {:.1} s, noticed (readyz 503) after {:.1} s; 503 answered in {:?} (median); ready \
         again {:.1} s after the database returned; {acknowledged} acknowledged writes present once, {repeated} \
         repeated; statuses {:?}",
        outage_for.as_secs_f64(),
        noticed_in.as_secs_f64(),
        latencies[2],
        healed_in.as_secs_f64(),
        told.statuses
    );
}

/// Signs in at the officer sign-in form of `base`; the session cookie.
fn officer_sign_in(http: &Client, base: &str, username: &str, password: &str) -> String {
    let form_page = http.get(&format!("{base}/admin/masuk"), None);
    assert_eq!(form_page.status, 200);
    let csrf_cookie = form_page
        .set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let token = form_page
        .body
        .split("name=\"csrf\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-in form carries a token")
        .to_owned();
    let body = form(&[("csrf", &token), ("username", username), ("password", password)]);
    let signed_in =
        http.post(&format!("{base}/admin/masuk"), "application/x-www-form-urlencoded", Some(&csrf_cookie), &[], &body);
    assert_eq!(signed_in.status, 303, "signed in: {}", signed_in.body);
    signed_in
        .set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .find(|c| c.trim_start_matches("__Host-").starts_with("balai_admin="))
        .expect("a session cookie")
}

#[test]
fn two_nodes_behind_nginx_share_sessions_and_jobs_and_survive_losing_one() {
    let Some(admin) = shared_postgres() else {
        assert!(!required(), "CI needs BALAI_TEST_POSTGRES_URL");
        eprintln!("skipped: BALAI_TEST_POSTGRES_URL is not set");
        return;
    };
    let Some(nginx) = Proxy::nginx() else {
        assert!(!required(), "CI needs nginx (Debian's nginx-light)");
        eprintln!("skipped: nginx is not installed");
        return;
    };
    let database = SharedDatabase::create(&admin);
    let deployment = Deployment::seed(Some(&database.url), 6);
    // Work queued before the nodes start: both workers claim from it at once.
    let seed_cases = {
        let node = Node::start(&deployment, "seeder", &[]);
        let http = Client::new();
        let cookie = &deployment.world.citizen_cookies[0];
        let photo = photo();
        for i in 0..3 {
            let id = upload(&http, &node.url(), cookie, &photo).unwrap();
            assert_eq!(submit(&http, &node.url(), cookie, id, &format!("seed-{i}")).status, 201);
        }
        deployment.db().case_ids("application", 3)
    };
    let applications_before = deployment.db().count("SELECT COUNT(*) FROM cases WHERE kind = 'application'", &[]);
    let mut jobs = Vec::new();
    for i in 0..80 {
        jobs.push(seed_cases[i % seed_cases.len()]);
    }
    deployment.db().enqueue_due_checks(deployment.world.government_id, &jobs, "shared");

    let a = Node::start(&deployment, "node-a", &[]);
    let b = Node::start(&deployment, "node-b", &[]);
    let proxy = Proxy::start(&nginx, &[a.port, b.port]);
    let http = Client::new();

    // A session opened on one node is good on the other, and ended on the other it is gone on both.
    let session = officer_sign_in(&http, &a.url(), "petugas", "demo-petugas-2026");
    for node in [&a, &b] {
        assert_eq!(http.get(&format!("{}/admin/permohonan", node.url()), Some(&session)).status, 200);
    }
    // Through the proxy, requests alternate between the nodes and all see the session.
    for _ in 0..6 {
        assert_eq!(http.get(&format!("{}/admin/permohonan", proxy.url()), Some(&session)).status, 200);
    }

    // Every queued job ran exactly once, whichever node took it.
    wait_for("both nodes drain the shared queue", Duration::from_secs(40), || {
        deployment.db().count("SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'shared-%' AND status = 'done'", &[])
            == 80
    });
    assert_eq!(
        deployment.db().count("SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'shared-%' AND attempts <> 1", &[]),
        0,
        "no job was claimed twice"
    );

    // Load through the proxy; node A dies mid-load; node B keeps serving.
    let told = Arc::new(Mutex::new(Told::default()));
    let load = start_load(proxy.url(), &deployment.world, 0, open_cases(&deployment), told.clone());
    std::thread::sleep(Duration::from_millis(2000));
    let before_kill = told.lock().unwrap().applications.len();
    a.kill();
    std::thread::sleep(Duration::from_millis(1000));
    let settled = told.lock().unwrap().statuses.clone();
    std::thread::sleep(Duration::from_millis(3000));
    let told = load.finish();
    let told = told.lock().unwrap();
    let after_kill = told.applications.len() - before_kill;
    assert!(after_kill > 0, "node B kept taking submissions after node A died");
    let failed_after = |statuses: &HashMap<u16, u64>| -> u64 {
        statuses.iter().filter(|(s, _)| !matches!(**s, 200 | 201 | 303)).map(|(_, n)| n).sum()
    };
    assert_eq!(
        failed_after(&told.statuses),
        failed_after(&settled),
        "once the proxy saw node A gone, nothing failed: {:?} then {:?}",
        settled,
        told.statuses
    );
    let (acknowledged, repeated) = check_exactly_once(&deployment, &b.url(), &told, applications_before);
    drop(proxy);
    drop(b);
    deployment.audit_verify();
    eprintln!(
        "nodes: 80 queued jobs ran once each across two nodes; {acknowledged} acknowledged writes present once \
         ({after_kill} submissions after node A was killed), {repeated} repeated; statuses {:?}",
        told.statuses
    );
}

#[test]
fn lagging_reads_go_to_the_replica_a_persons_own_case_never_and_its_loss_falls_back() {
    let Some(bin) = postgres_tools() else { return };
    let primary = Cluster::start_new(&bin);
    let mut replica = Cluster::standby_of(&primary);
    let deployment = Deployment::seed(Some(&primary.url()), 2);
    // Read from the replica only while it is at most 5 s behind.
    let node = Node::start(
        &deployment,
        "replica",
        &[("BALAI_DATABASE_READ_URL", &replica.url()), ("BALAI_DATABASE_READ_MAX_LAG_SECONDS", "5")],
    );
    let http = Client::new();
    let base = node.url();
    let list = format!("{base}/pengaduan?pemda={REGION}");
    let world = &deployment.world;

    // Caught up: a report filed now shows on the public list within moments.
    let first = open311_report(&http, &base, world, "Lampu jalan mati di depan pasar, laporan pertama.");
    let first = service_request_id(&first).expect("filed");
    wait_for("the replica catches up", Duration::from_secs(20), || http.get(&list, None).body.contains(&first));

    // Replay paused: the replica stands still while the primary moves on.
    replica.sql("SELECT pg_wal_replay_pause()");
    let second = open311_report(&http, &base, world, "Saluran air tersumbat di Jl. Timor Raya, laporan kedua.");
    let second = service_request_id(&second).expect("filed");
    // The reporter's own report, read right after filing, comes from the primary.
    let own = http.get(&format!("{base}/open311/v2/requests/{second}.json?jurisdiction_id={REGION}"), None);
    assert_eq!(own.status, 200, "a person's own case right after the write: {}", own.body);
    // So does a citizen's own application and its public tracking page.
    let cookie = &world.citizen_cookies[0];
    let id = upload(&http, &base, cookie, &photo()).unwrap();
    let submitted = submit(&http, &base, cookie, id, "replica-1");
    assert_eq!(submitted.status, 201);
    let number = tracking_number(&submitted).unwrap();
    assert_eq!(http.get(&format!("{base}/lacak/{number}"), None).status, 200, "tracking reads the primary");
    assert_eq!(http.get(&format!("{base}/akun/permohonan"), Some(cookie)).status, 200);
    assert!(
        http.get(&format!("{base}/akun/permohonan"), Some(cookie)).body.contains(&number),
        "own list from the primary"
    );
    // The public list, a read that may lag, is the replica's: the second report is not there yet.
    for _ in 0..5 {
        let page = http.get(&list, None);
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&first) && !page.body.contains(&second), "the public list is read from the replica");
    }

    // Still paused, the replica falls further behind than allowed: the list is read from the primary.
    let paused_at = Instant::now();
    wait_for("a replica too far behind is passed over", Duration::from_secs(20), || {
        http.get(&list, None).body.contains(&second)
    });
    let passed_over_after = paused_at.elapsed();

    // Replay resumed and caught up (a fresh report replayed, so its lag is measured from now), the
    // replica is read again: paused once more, it hides the next report.
    replica.sql("SELECT pg_wal_replay_resume()");
    let fresh = open311_report(&http, &base, world, "Sampah menumpuk di pasar Oeba, laporan penyegar.");
    assert!(service_request_id(&fresh).is_some());
    std::thread::sleep(Duration::from_secs(2));
    replica.sql("SELECT pg_wal_replay_pause()");
    let hidden = open311_report(&http, &base, world, "Trotoar rusak di depan kantor lurah, laporan keempat.");
    let hidden = service_request_id(&hidden).expect("filed");
    assert!(!http.get(&list, None).body.contains(&hidden), "the caught-up replica is read again");

    // The replica goes away: those reads fall back to the primary, without an error page.
    let third = open311_report(&http, &base, world, "Pohon tumbang menutup jalan di Oebobo, laporan ketiga.");
    let third = service_request_id(&third).expect("filed");
    replica.stop_immediately();
    // The first read meets the dead connection and is repeated on the primary; the next ones pass
    // the replica over.
    let mut reads = Vec::new();
    for _ in 0..5 {
        let page = http.get(&list, None);
        assert_eq!(page.status, 200, "the public list while the replica is away");
        assert!(
            page.body.contains(&third) && page.body.contains(&hidden),
            "read from the primary once the replica is gone"
        );
        reads.push(page.elapsed);
    }
    let catalogue = http.get(&format!("{base}/layanan/{REGION}/AKTA-LAHIR"), None);
    assert_eq!(catalogue.status, 200, "the catalogue while the replica is away");
    drop(node);
    eprintln!(
        "replica: paused replay hid a new report from the public list (5 reads) while the reporter's own report, \
         the citizen's tracking and own list came from the primary; past the 5 s lag bound the list came from the \
         primary {passed_over_after:?} after the pause; caught up, the replica was read again; with the replica stopped, 5 reads of the \
         list all came from the primary, in {reads:?}"
    );
}
