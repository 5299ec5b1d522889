//! The `demo`, `serve` and `migrate` commands.

use crate::RunError;
use crate::config::Config;
use crate::files;
use balai_store::{Db, identity, leases, seed};
use balai_web::WebConfig;
use metrics_exporter_prometheus::PrometheusBuilder;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The demo administrator; the password is printed at start so a newcomer can sign in.
pub const DEMO_ADMIN: &str = "admin";
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-2026";
/// The demo officer at Disdukcapil Kota Kupang (no second factor: the officer role needs none).
pub const DEMO_OFFICER: &str = "petugas";
pub const DEMO_OFFICER_PASSWORD: &str = "demo-petugas-2026";
/// The demo's complaint desk officer of Kota Kupang (pengelola pengaduan, DPMPTSP).
pub const DEMO_DESK_OFFICER: &str = "pengaduan";
pub const DEMO_DESK_OFFICER_PASSWORD: &str = "demo-pengaduan-2026";
/// The demo's officer of PUPR Kota Kupang, Bina Marga: answers reports about roads.
pub const DEMO_ROADS_OFFICER: &str = "binamarga";
pub const DEMO_ROADS_OFFICER_PASSWORD: &str = "demo-binamarga-2026";
/// The demo's receiving treasurers (bendahara penerimaan): (username, password, region, name). Kota
/// Kupang has two, so a refund one asks can be approved by the other; the first sign-in enrols an
/// authenticator app, as the role needs a second factor.
pub const DEMO_TREASURERS: [(&str, &str, &str, &str); 3] = [
    ("bendahara", "demo-bendahara-2026", "53.71", "Bendahara Penerimaan Kota Kupang"),
    ("bendahara2", "demo-bendahara2-2026", "53.71", "Bendahara Penerimaan Pembantu Kota Kupang"),
    ("bendahara-ntt", "demo-bendahara-ntt-2026", "53", "Bendahara Penerimaan Provinsi NTT"),
];

pub async fn run(config: Config, reset: bool, volume: seed::DemoVolume) -> Result<(), RunError> {
    let started = Instant::now();
    if reset && config.data_dir.exists() {
        std::fs::remove_dir_all(&config.data_dir)
            .map_err(|e| RunError::Io(format!("cannot remove {}: {e}", config.data_dir.display())))?;
    }
    prepare_data_dir(&config)?;
    init_logging(&config);
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let db = connect(&config).await?;
    db.migrate().await?;
    let lease = ServerLease::take(&db).await?;
    let prepared = async {
        let signer = crate::audit::load_or_create_key(&config, &db).await?;
        let vault = crate::keys::load_or_create_vault(&config, &db).await?;
        let documents = crate::keys::load_or_create_document_keys(&config, &db).await?;
        let files = file_store(&config)?;
        // Bound first: the seeded documents' QR codes point at this server's address.
        let (listener, metrics) = bind(&config).await?;
        let seeded = seed::seed_demo(&db).await?;
        ensure_demo_admin(&db).await?;
        seed::seed_demo_citizens(&db, &vault).await?;
        let officer_id = ensure_demo_officer(&db).await?;
        let open311_key = crate::open311::demo_key(&config, &db).await?;
        crate::wbs::ensure_demo(&config, &db).await?;
        let issuer = DemoIssuer {
            files: files.clone(),
            keys: documents.clone(),
            origin: config.public_origin().unwrap_or_else(|| local_origin(&listener)),
        };
        let cases_started = Instant::now();
        if seed::seed_demo_cases_over(&db, &vault, officer_id, &issuer, chrono::Utc::now(), volume).await? {
            tracing::info!(ms = cases_started.elapsed().as_millis() as u64, "demo applications seeded");
        } else if volume != seed::DemoVolume::STANDARD {
            tracing::warn!("the demo already holds cases, so no history is added; start over with --reset");
        }
        ensure_demo_complaint_officers(&db).await?;
        ensure_demo_treasurers(&db).await?;
        import_demo_statement(&db).await?;
        let complaints_started = Instant::now();
        if seed::seed_demo_complaints_over(&db, &vault, chrono::Utc::now(), volume).await? {
            tracing::info!(ms = complaints_started.elapsed().as_millis() as u64, "demo complaints seeded");
        }
        // Listen for SIGTERM before announcing readiness, so a supervisor's stop is always graceful.
        let shutdown = Shutdown::register()?;
        Ok::<_, RunError>((Keys { signer, vault, documents, files }, seeded, listener, metrics, shutdown, open311_key))
    }
    .await;
    let (keys, seeded, listener, metrics, shutdown, open311_key) = lease.or_release(prepared).await?;
    let url = format!("http://{}", listener.local_addr().map_err(|e| RunError::Io(e.to_string()))?);
    println!(
        "Balai demo {} — {}",
        env!("CARGO_PKG_VERSION"),
        if seeded { "data baru dibuat / fresh data" } else { "data dipakai ulang / data reused" }
    );
    println!("  Portal:  {url}/");
    println!(
        "  Admin:   {url}/admin  (username: {DEMO_ADMIN}, password: {DEMO_ADMIN_PASSWORD}; \
         the first sign-in enrols an authenticator app)"
    );
    println!(
        "  Petugas: {url}/admin  (username: {DEMO_OFFICER}, password: {DEMO_OFFICER_PASSWORD}; works Disdukcapil's cases)"
    );
    println!(
        "  Warga:   {url}/masuk  (the demo NIK and its contact on record are on that page; codes arrive at {url}/demo/pesan)"
    );
    println!("  Loket:   {url}/admin/loket  (as {DEMO_OFFICER}: bind a contact after checking a KTP-el)");
    println!(
        "  Pengaduan: {url}/admin/pengaduan  (complaint desk: username {DEMO_DESK_OFFICER}, password \
         {DEMO_DESK_OFFICER_PASSWORD}; PUPR Bina Marga: username {DEMO_ROADS_OFFICER}, password {DEMO_ROADS_OFFICER_PASSWORD})"
    );
    println!(
        "  Bendahara: {url}/admin/pembayaran  (reconciliation and refunds: usernames {}, {} (Kota Kupang) and {} (NTT), \
         passwords {}, {} and {}; the first sign-in enrols an authenticator app)",
        DEMO_TREASURERS[0].0,
        DEMO_TREASURERS[1].0,
        DEMO_TREASURERS[2].0,
        DEMO_TREASURERS[0].1,
        DEMO_TREASURERS[1].1,
        DEMO_TREASURERS[2].1
    );
    println!("  WBS:     {url}/wbs  (whistleblowing: text and identity sealed to the Inspectorate's key)");
    println!(
        "  Inspektur: {url}/admin/wbs  (username: {}, password: {}; the demo's private key to open reports is in {})",
        crate::wbs::DEMO_INSPECTOR,
        crate::wbs::DEMO_INSPECTOR_PASSWORD,
        crate::wbs::demo_key_path(&config).display()
    );
    println!("  API:     {url}/api/openapi.json");
    println!("  Open311: {url}/open311/v2/discovery.json  (api_key: {open311_key})");
    if let Some(m) = &metrics {
        println!("  Metrics: http://{}/metrics", m.local_addr().map_err(|e| RunError::Io(e.to_string()))?);
    }
    println!("  Data:    {}  (start over with --reset)", config.data_dir.display());
    if let Some(url) = &config.database_url {
        println!("  Database: {}", balai_store::db::redact_url(url));
    }
    println!("  Ready in {} ms. Stop with Ctrl-C.", started.elapsed().as_millis());
    serve_until_shutdown(db, &config, listener, metrics, shutdown, keys, lease, true).await
}

pub async fn serve(config: Config) -> Result<(), RunError> {
    prepare_data_dir(&config)?;
    init_logging(&config);
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let db = connect(&config).await?;
    db.migrate().await?;
    // Taken before the keys are checked: a key rotation either finished before (and the check below
    // sees its result) or waits for this server to stop.
    let lease = ServerLease::take(&db).await?;
    let prepared = async {
        let signer = crate::audit::load_or_create_key(&config, &db).await?;
        let vault = crate::keys::load_or_create_vault(&config, &db).await?;
        let documents = crate::keys::load_or_create_document_keys(&config, &db).await?;
        let files = file_store(&config)?;
        let (listener, metrics) = bind(&config).await?;
        let shutdown = Shutdown::register()?;
        Ok::<_, RunError>((Keys { signer, vault, documents, files }, listener, metrics, shutdown))
    }
    .await;
    let (keys, listener, metrics, shutdown) = lease.or_release(prepared).await?;
    tracing::info!(listen = %config.listen, backend = ?db.backend(), "serving");
    serve_until_shutdown(db, &config, listener, metrics, shutdown, keys, lease, false).await
}

/// This server's lease on the database (`balai_store::leases`): while it is live, `balai keys
/// rotate` refuses, because this process keeps sealing under the key it started with.
struct ServerLease {
    db: Db,
    node: leases::Node,
}

impl ServerLease {
    async fn take(db: &Db) -> Result<ServerLease, RunError> {
        let node = leases::Node::this_process();
        leases::take(db, &node, chrono::Utc::now()).await?;
        Ok(ServerLease { db: db.clone(), node })
    }

    /// Gives the lease up when starting failed after it was taken.
    async fn or_release<T>(&self, result: Result<T, RunError>) -> Result<T, RunError> {
        if result.is_err() {
            self.release().await;
        }
        result
    }

    async fn release(&self) {
        if let Err(e) = leases::release(&self.db, &self.node).await {
            tracing::warn!(error = %e, "could not give up the server lease; it runs out by itself");
        }
    }

    /// Renews the lease every few seconds. A lease that ran out (the process stalled, the database
    /// was away) may have let a key rotation through: the key is checked again, and if it no longer
    /// opens what is sealed the server is told to stop rather than seal what nobody can open.
    fn keep_renewed(&self, vault: balai_store::identity::Vault, stop: tokio::sync::watch::Sender<Option<String>>) {
        let (db, node) = (self.db.clone(), self.node.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(leases::RENEW_SECONDS)).await;
                match leases::renew(&db, &node, chrono::Utc::now()).await {
                    Ok(leases::Renewal::Renewed) => {}
                    Ok(leases::Renewal::Lapsed) => {
                        tracing::warn!("the server lease had run out; checking the personal-data key again");
                        match identity::sealed::unopened(&db, &vault).await {
                            Ok(unopened) if unopened.is_empty() => {}
                            Ok(unopened) => {
                                let named = unopened.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(", ");
                                let reason = format!(
                                    "stopped: while this server's lease had run out the personal-data key changed; \
                                     its key does not open {named}. Start it again with the current key"
                                );
                                tracing::error!(%reason);
                                let _ = stop.send(Some(reason));
                                return;
                            }
                            Err(e) => tracing::warn!(error = %e, "checking the personal-data key failed"),
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "renewing the server lease failed"),
                }
            }
        });
    }
}

pub async fn migrate(config: Config) -> Result<(), RunError> {
    prepare_data_dir(&config)?;
    let db = connect(&config).await?;
    db.migrate().await?;
    println!("migrations applied ({:?})", db.backend());
    Ok(())
}

/// The data directory and its subdirectories, private to this user (tightened if an older version
/// left them open).
pub(crate) fn prepare_data_dir(config: &Config) -> Result<(), RunError> {
    for sub in ["", "files", "keys"] {
        let dir = config.data_dir.join(sub);
        files::create_private_dir(&dir)?;
        files::restrict(&dir, 0o700)?;
    }
    Ok(())
}

pub(crate) async fn connect(config: &Config) -> Result<Db, RunError> {
    let db = Db::connect_with_replica(
        &config.database_url(),
        config.database_read_url.as_deref(),
        Duration::from_secs(config.database_read_max_lag_seconds),
    )
    .await?;
    if let Some(file) = config.sqlite_file() {
        files::restrict_database(&file)?;
    }
    Ok(db)
}

async fn ensure_demo_admin(db: &Db) -> Result<(), RunError> {
    if identity::officer_by_username(db, DEMO_ADMIN).await?.is_some() {
        return Ok(());
    }
    let hash = balai_auth::hash_password(DEMO_ADMIN_PASSWORD);
    let mut tx = db.begin().await?;
    identity::create_admin(&mut tx, &balai_store::audit::Actor::system("demo"), None, DEMO_ADMIN, "Admin Demo", &hash)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn ensure_demo_officer(db: &Db) -> Result<i64, RunError> {
    if let Some(officer) = identity::officer_by_username(db, DEMO_OFFICER).await? {
        return Ok(officer.id);
    }
    let government = balai_store::org::government_by_region(db, "53.71").await?;
    let agency = balai_store::org::agencies(db, Some("53.71"), balai_store::Paging::new(1, 100))
        .await?
        .items
        .into_iter()
        .find(|a| a.code == "disdukcapil")
        .ok_or_else(|| RunError::Io("the demo agency disdukcapil is missing".into()))?;
    let hash = balai_auth::hash_password(DEMO_OFFICER_PASSWORD);
    let mut tx = db.begin().await?;
    let id = identity::create_officer(
        &mut tx,
        &balai_store::audit::Actor::system("demo"),
        &identity::NewOfficer {
            government_id: Some(government.id),
            agency_id: Some(agency.id),
            unit_id: None,
            role: balai_domain::identity::Role::Officer,
            username: DEMO_OFFICER,
            display_name: "Petugas Demo Disdukcapil",
            password_hash: &hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The demo's complaint officers of Kota Kupang: the desk that verifies and disposes, and an officer of
/// PUPR Bina Marga who answers reports about roads (no second factor: the officer role needs none).
async fn ensure_demo_complaint_officers(db: &Db) -> Result<(), RunError> {
    let government = balai_store::org::government_by_region(db, "53.71").await?;
    for (username, password, unit_code, display_name) in [
        (DEMO_DESK_OFFICER, DEMO_DESK_OFFICER_PASSWORD, "dpmptsp-pengaduan", "Petugas Pengelola Pengaduan"),
        (DEMO_ROADS_OFFICER, DEMO_ROADS_OFFICER_PASSWORD, "pupr-bina-marga", "Petugas PUPR Bina Marga"),
    ] {
        if identity::officer_by_username(db, username).await?.is_some() {
            continue;
        }
        let (unit_id, agency_id): (i64, i64) = db
            .fetch_one(
                balai_store::query("SELECT id, agency_id FROM units WHERE government_id = $1 AND code = $2")
                    .bind(government.id)
                    .bind(unit_code),
            )
            .await?;
        let hash = balai_auth::hash_password(password);
        let mut tx = db.begin().await?;
        identity::create_officer(
            &mut tx,
            &balai_store::audit::Actor::system("demo"),
            &identity::NewOfficer {
                government_id: Some(government.id),
                agency_id: Some(agency_id),
                unit_id: Some(unit_id),
                role: balai_domain::identity::Role::Officer,
                username,
                display_name,
                password_hash: &hash,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The demo's treasurers, each of their government as a whole (no agency).
async fn ensure_demo_treasurers(db: &Db) -> Result<(), RunError> {
    for (username, password, region, display_name) in DEMO_TREASURERS {
        if identity::officer_by_username(db, username).await?.is_some() {
            continue;
        }
        let government = balai_store::org::government_by_region(db, region).await?;
        let hash = balai_auth::hash_password(password);
        let mut tx = db.begin().await?;
        identity::create_officer(
            &mut tx,
            &balai_store::audit::Actor::system("demo"),
            &identity::NewOfficer {
                government_id: Some(government.id),
                agency_id: None,
                unit_id: None,
                role: balai_domain::identity::Role::Treasurer,
                username,
                display_name,
                password_hash: &hash,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A day's bank statement of Kota Kupang imported by its treasurer, once, so the reconciliation page
/// shows matched, mismatched and unmatched lines.
async fn import_demo_statement(db: &Db) -> Result<(), RunError> {
    let government = balai_store::org::government_by_region(db, "53.71").await?;
    let Some(treasurer) = identity::officer_by_username(db, DEMO_TREASURERS[0].0).await? else { return Ok(()) };
    use balai_store::payments::reconcile;
    if let Some(file) = reconcile::demo_statement(db, government.id).await? {
        let imported = reconcile::import_statement_as_officer(
            db,
            treasurer.id,
            government.id,
            &file,
            reconcile::StatementFormat::Csv,
            chrono::Utc::now(),
        )
        .await?;
        tracing::info!(lines = imported.lines, matched = imported.matched, "demo bank statement imported");
    }
    Ok(())
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BALAI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let result = if config.log_format == "text" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).with_current_span(true).try_init()
    };
    if let Err(e) = result {
        eprintln!("warning: logging not initialised: {e}");
    }
}

async fn bind(config: &Config) -> Result<(TcpListener, Option<TcpListener>), RunError> {
    let addr = config.listen_addr()?;
    let listener = TcpListener::bind(addr).await.map_err(|e| RunError::Io(format!("cannot listen on {addr}: {e}")))?;
    let metrics = match config.metrics_addr()? {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|e| RunError::Io(format!("cannot listen for metrics on {addr}: {e}")))?,
        ),
        None => None,
    };
    Ok((listener, metrics))
}

/// The keys a running server holds: the audit checkpoint signer, the personal-data vault and the
/// document keys; and where it keeps files.
struct Keys {
    signer: balai_ledger::NoteSigner,
    vault: balai_store::identity::Vault,
    documents: balai_documents::DocumentKeys,
    files: std::sync::Arc<balai_files::FileStore>,
}

/// Uploads and issued documents, in `files_dir` (private like the rest of the data directory).
fn file_store(config: &Config) -> Result<std::sync::Arc<balai_files::FileStore>, RunError> {
    let dir = config.files_path();
    files::create_private_dir(&dir)?;
    let store = balai_files::FileStore::local(&dir)
        .map_err(|e| RunError::Io(format!("cannot keep files in {}: {e}", dir.display())))?;
    Ok(std::sync::Arc::new(store))
}

/// The text before the first comma, parenthesis or "beserta"/"yang" clause.
/// `http://` and the address the server listens on.
fn local_origin(listener: &TcpListener) -> String {
    match listener.local_addr() {
        Ok(addr) => format!("http://{addr}"),
        Err(_) => "http://127.0.0.1:8080".to_owned(),
    }
}

/// Issues the demo's completed applications' documents as a completion in the product does: rendered,
/// sealed with the government's key and kept in the file store.
struct DemoIssuer {
    files: std::sync::Arc<balai_files::FileStore>,
    keys: balai_documents::DocumentKeys,
    origin: String,
}

impl seed::DocumentIssuer for DemoIssuer {
    fn issue<'a>(
        &'a self,
        request: &'a seed::DocumentRequest<'a>,
    ) -> balai_store::audit::BoxFuture<'a, Result<balai_store::applications::IssuedDocument, String>> {
        use balai_store::applications;
        Box::pin(async move {
            let file = request.file;
            let government = request.government;
            let zone = government.zone();
            let issued_on = zone.local_date(request.now);
            let tracking = file.public.tracking_number.as_str();
            let number = applications::document_number(&file.service_code, tracking, issued_on);
            let id: String =
                balai_web::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(22).collect();
            let url = format!("{}/verifikasi/{id}", self.origin.trim_end_matches('/'));
            let document = balai_documents::IssuedDocument {
                government: &government.name,
                agency: request.agency,
                product: &file.product,
                service: &file.public.service,
                citizen_name: request.citizen_name,
                document_number: &number,
                issued_on,
                zone_label: zone.code(),
                verify_url: &url,
                tracking_number: tracking,
            };
            let (product, pdf) =
                balai_documents::render_pdf_fitting(&document).map_err(|e| format!("rendering {number}: {e}"))?;
            let seal = balai_documents::seal(&pdf, &self.keys.signing_key(&government.region_code));
            let cleaned = balai_files::Cleaned {
                kind: balai_files::FileKind::Pdf,
                bytes: pdf,
                sha256_hex: seal.sha256_hex.clone(),
            };
            let object_key =
                self.files.put(government.id, &cleaned).await.map_err(|e| format!("keeping {number}: {e}"))?;
            Ok(applications::IssuedDocument {
                id,
                number,
                doc_type: applications::output_document_type(&product).code().to_owned(),
                product,
                issuer: request.agency.to_owned(),
                issued_on,
                sha256: seal.sha256_hex,
                signature: seal.signature_b64,
                object_key,
            })
        })
    }
}

/// Deadline checks one round of the worker takes at most.
const SLA_ROUND: u32 = 100;

#[allow(clippy::too_many_arguments)]
async fn serve_until_shutdown(
    db: Db,
    config: &Config,
    listener: TcpListener,
    metrics: Option<TcpListener>,
    shutdown: Shutdown,
    keys: Keys,
    lease: ServerLease,
    demo: bool,
) -> Result<(), RunError> {
    let Keys { signer, vault, documents, files } = keys;
    let (stop, stopped) = tokio::sync::watch::channel(None);
    lease.keep_renewed(vault.clone(), stop);
    let channels = channels(config, demo)?;
    // Sign what is already in the log, then keep signing while it grows.
    let signer = std::sync::Arc::new(signer);
    sign_checkpoint(&db, &signer, &config.audit_origin).await;
    let (signer_db, loop_signer, origin) = (db.clone(), signer.clone(), config.audit_origin.clone());
    let interval = Duration::from_secs(config.audit_checkpoint_seconds.max(1));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            sign_checkpoint(&signer_db, &loop_signer, &origin).await;
        }
    });
    if let Some(metrics_listener) = metrics {
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .map_err(|e| RunError::Io(format!("cannot install the metrics recorder: {e}")))?;
        let upkeep = handle.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                upkeep.run_upkeep();
            }
        });
        let app = balai_web::metrics_app(handle);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, app).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let purge_db = db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(600)).await;
            match identity::purge_expired_sessions(&purge_db, chrono::Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            if let Err(e) = identity::officers::purge_old_sign_in_failures(&purge_db, chrono::Utc::now()).await {
                tracing::warn!(error = %e, "purging old sign-in failures failed");
            }
        }
    });
    tokio::spawn(channels.run_worker(db.clone(), vault.clone(), Duration::from_secs(2)));
    // Deadlines: the breach checks the job queue holds, and a sweep for any a lost job missed.
    let (sla_db, sla_vault) = (db.clone(), vault.clone());
    tokio::spawn(async move {
        loop {
            // A full round means more may be waiting (a backlog after a restart): go again soon
            // rather than after the usual pause.
            let mut full = false;
            match balai_store::applications::work_sla(&sla_db, &sla_vault, chrono::Utc::now(), SLA_ROUND).await {
                Ok(round) => {
                    full = round.checked >= SLA_ROUND as usize;
                    if round.breached > 0 {
                        tracing::info!(breached = round.breached, "steps past their deadline")
                    }
                }
                Err(e) => tracing::warn!(error = %e, "the deadline worker failed a round"),
            }
            // Answered complaints whose reporter did not respond in time close (LAPOR!'s lapse).
            match balai_store::complaints::work_lapses(&sla_db, &sla_vault, chrono::Utc::now(), 100).await {
                Ok(round) if round.lapsed > 0 => tracing::info!(lapsed = round.lapsed, "answered reports closed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the complaint lapse worker failed a round"),
            }
            // Invoices nobody paid in time expire; a citizen can ask for a new one.
            match balai_store::payments::expire_due(&sla_db, chrono::Utc::now(), 500).await {
                Ok(expired) if expired > 0 => tracing::info!(expired, "invoices expired"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the invoice expiry round failed"),
            }
            tokio::time::sleep(if full { Duration::from_millis(200) } else { Duration::from_secs(30) }).await;
        }
    });
    let (close_streams, closing) = balai_web::pages::dashboard::stream::Closing::new();
    let web = WebConfig {
        default_region: config.default_region.clone(),
        secure_cookies: cookie_security(config.secure_cookies, demo),
        session_minutes: config.session_minutes,
        audit_public_key: Some(signer.verifier().to_vkey()),
        audit_requests_per_second: config.audit_requests_per_second,
        demo_inbox: demo,
        oidc: oidc_sign_in(config)?,
        citizen_oidc: citizen_sign_in(config)?,
        trusted_proxies: config.trusted_proxies()?,
        register: population_register(config, demo),
        public_origin: config.public_origin(),
        clock: balai_web::Clock::system(),
        files,
        document_keys: documents,
        max_upload_bytes: config.max_upload_bytes,
        live_streams: balai_web::pages::dashboard::stream::MAX_STREAMS,
        closing,
        snap: config.snap()?,
        payments: payments_config(config, demo, listener.local_addr().ok()),
    };
    let app = balai_web::app(db.clone(), vault, web);
    let signalled = shutdown.wait(stopped.clone());
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            signalled.await;
            // Live streams never end by themselves: end them, or the stop would wait for every reader.
            close_streams.close();
        })
        .await
        .map_err(|e| RunError::Io(format!("server error: {e}")));
    // Changes made up to the last request are signed before the process ends.
    sign_checkpoint(&db, &signer, &config.audit_origin).await;
    lease.release().await;
    db.close().await;
    served?;
    if let Some(reason) = stopped.borrow().clone() {
        return Err(RunError::Key(reason));
    }
    tracing::info!("stopped");
    Ok(())
}

/// `Secure` cookies under `__Host-` names when `secure_cookies` is on. The demo keeps plain names:
/// it runs on `http://127.0.0.1`, where some browsers refuse `__Host-` cookies (the prefix asks
/// for a secure origin, and only recent Chromium counts loopback as one), and where no sibling
/// host exists that could plant cookies, which is what the prefix guards against.
pub(crate) fn cookie_security(secure_cookies: bool, demo: bool) -> balai_web::auth::CookieSecurity {
    use balai_web::auth::CookieSecurity;
    match (secure_cookies, demo) {
        (false, _) => CookieSecurity::Plain,
        (true, true) => CookieSecurity::Secure,
        (true, false) => CookieSecurity::HostOnly,
    }
}

/// The delivery channels from config; the demo also delivers to its inbox page.
fn channels(config: &Config, demo: bool) -> Result<balai_notify::Channels, RunError> {
    let email = if config.smtp_url.is_empty() {
        None
    } else {
        Some(
            balai_notify::EmailChannel::new(&config.smtp_url, &config.smtp_from)
                .map_err(|e| RunError::Key(e.to_string()))?,
        )
    };
    let phone = if config.sms_webhook_url.is_empty() {
        None
    } else {
        Some(
            balai_notify::WebhookChannel::new(&config.sms_webhook_url, config.sms_webhook_token.clone())
                .map_err(|e| RunError::Key(e.to_string()))?,
        )
    };
    if !demo && email.is_none() {
        tracing::warn!("smtp_url is not set: e-mail messages (sign-in codes too) wait in the outbox");
    }
    let limits = balai_notify::ChannelLimits::per_minute(config.email_per_minute, config.sms_per_minute);
    Ok(balai_notify::Channels { email, phone, demo_inbox: demo, limits })
}

async fn sign_checkpoint(db: &Db, signer: &balai_ledger::NoteSigner, origin: &str) {
    match balai_store::audit::sign_pending_checkpoint(db, signer, origin).await {
        Ok(Some(c)) => tracing::info!(size = c.size, "audit checkpoint signed"),
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "signing the audit checkpoint failed"),
    }
}

/// The population register first sign-ins are checked against: the configured one, or in the demo
/// (with none configured) its seeded people.
fn population_register(config: &Config, demo: bool) -> balai_web::register::RegisterConnector {
    use balai_store::identity::register::MemoryRegister;
    use balai_web::register::{HttpRegister, RegisterConnector};
    use std::sync::Arc;
    if !config.register_url.is_empty() {
        RegisterConnector(Arc::new(HttpRegister::new(config.register_url.clone(), config.register_token.clone())))
    } else if demo {
        RegisterConnector(Arc::new(MemoryRegister::new(seed::demo_register())))
    } else {
        RegisterConnector::none()
    }
}

/// SIGTERM and Ctrl-C, registered up front.
struct Shutdown {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn register() -> Result<Shutdown, RunError> {
        Ok(Shutdown {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(|e| RunError::Io(format!("cannot listen for SIGTERM: {e}")))?,
        })
    }

    /// Until a signal arrives, or the server is told to stop (`stop` carries why).
    async fn wait(mut self, mut stop: tokio::sync::watch::Receiver<Option<String>>) {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let told = async {
            if stop.wait_for(|reason| reason.is_some()).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async {
            self.terminate.recv().await;
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
            _ = told => {},
        }
        tracing::info!("shutdown signal received; finishing open requests");
    }
}

/// The OIDC provider for officer sign-in, from config (checked when the config was loaded).
fn oidc_sign_in(config: &Config) -> Result<Option<balai_web::pages::identity::OidcSignIn>, RunError> {
    let Some(settings) = config.oidc()? else { return Ok(None) };
    let provider = balai_oidc::Provider::new(settings).map_err(|e| RunError::Io(e.to_string()))?;
    tracing::info!(issuer = provider.issuer(), "officer sign-in through OIDC is on");
    Ok(Some(balai_web::pages::identity::OidcSignIn {
        provider,
        role_claim: config.oidc_role_claim.clone(),
        government_claim: config.oidc_government_claim.clone(),
        agency_claim: config.oidc_agency_claim.clone(),
        require_second_factor: config.oidc_require_second_factor,
    }))
}

/// The citizen identity provider, from config (checked when the config was loaded).
fn citizen_sign_in(config: &Config) -> Result<Option<balai_web::pages::identity::CitizenIdp>, RunError> {
    let Some(citizen) = config.citizen_oidc()? else { return Ok(None) };
    let provider = balai_oidc::Provider::new(citizen.settings).map_err(|e| RunError::Io(e.to_string()))?;
    tracing::info!(issuer = provider.issuer(), "citizen sign-in through an identity provider is on");
    Ok(Some(balai_web::pages::identity::CitizenIdp {
        provider,
        nik_claim: citizen.nik_claim,
        substantial_acr: citizen.substantial_acr,
    }))
}

/// How payments reach this server. The demo, with no secret configured, makes one for its own
/// gateway (which runs in this process and calls back over HTTP), and offers it on the payment page.
fn payments_config(config: &Config, demo: bool, local: Option<std::net::SocketAddr>) -> balai_web::PaymentsConfig {
    let configured = config.payment_callback_secret.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let callback_secret = match configured {
        Some(secret) => Some(secret.as_bytes().to_vec()),
        None if demo => Some(rand::random::<[u8; 32]>().to_vec()),
        None => None,
    };
    balai_web::PaymentsConfig {
        callback_secret,
        partner_service_id: Some(config.snap_partner_service_id.trim().to_owned()).filter(|s| !s.is_empty()),
        demo_gateway_origin: if demo { local.map(|addr| format!("http://{addr}")) } else { None },
    }
}
