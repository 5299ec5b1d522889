//! The `demo`, `serve` and `migrate` commands.

use crate::RunError;
use crate::config::Config;
use balai_store::{Db, identity, seed};
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

pub async fn run(config: Config, reset: bool) -> Result<(), RunError> {
    let started = Instant::now();
    if reset && config.data_dir.exists() {
        std::fs::remove_dir_all(&config.data_dir)
            .map_err(|e| RunError::Io(format!("cannot remove {}: {e}", config.data_dir.display())))?;
    }
    prepare_data_dir(&config)?;
    init_logging(&config);
    let db = connect(&config).await?;
    db.migrate().await?;
    let signer = crate::audit::load_or_create_key(&config, &db).await?;
    let vault = crate::keys::load_or_create_vault(&config, &db).await?;
    let seeded = seed::seed_demo(&db).await?;
    ensure_demo_admin(&db).await?;
    seed::seed_demo_citizens(&db, &vault).await?;
    let officer_id = ensure_demo_officer(&db).await?;
    seed::seed_demo_cases(&db, &vault, officer_id).await?;
    let (listener, metrics) = bind(&config).await?;
    // Listen for SIGTERM before announcing readiness, so a supervisor's stop is always graceful.
    let shutdown = Shutdown::register()?;
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
    println!("  Warga:   {url}/masuk  (the demo NIK is on that page; codes arrive at {url}/demo/pesan)");
    println!("  API:     {url}/api/openapi.json");
    if let Some(m) = &metrics {
        println!("  Metrics: http://{}/metrics", m.local_addr().map_err(|e| RunError::Io(e.to_string()))?);
    }
    println!("  Data:    {}  (start over with --reset)", config.data_dir.display());
    println!("  Ready in {} ms. Stop with Ctrl-C.", started.elapsed().as_millis());
    serve_until_shutdown(db, &config, listener, metrics, shutdown, Keys { signer, vault }, true).await
}

pub async fn serve(config: Config) -> Result<(), RunError> {
    prepare_data_dir(&config)?;
    init_logging(&config);
    let db = connect(&config).await?;
    db.migrate().await?;
    let signer = crate::audit::load_or_create_key(&config, &db).await?;
    let vault = crate::keys::load_or_create_vault(&config, &db).await?;
    let (listener, metrics) = bind(&config).await?;
    let shutdown = Shutdown::register()?;
    tracing::info!(listen = %config.listen, backend = ?db.backend(), "serving");
    serve_until_shutdown(db, &config, listener, metrics, shutdown, Keys { signer, vault }, false).await
}

pub async fn migrate(config: Config) -> Result<(), RunError> {
    prepare_data_dir(&config)?;
    let db = connect(&config).await?;
    db.migrate().await?;
    println!("migrations applied ({:?})", db.backend());
    Ok(())
}

fn prepare_data_dir(config: &Config) -> Result<(), RunError> {
    for sub in ["", "files", "keys"] {
        let dir = config.data_dir.join(sub);
        std::fs::create_dir_all(&dir).map_err(|e| RunError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok(())
}

async fn connect(config: &Config) -> Result<Db, RunError> {
    Ok(Db::connect(&config.database_url()).await?)
}

async fn ensure_demo_admin(db: &Db) -> Result<(), RunError> {
    if identity::officer_by_username(db, DEMO_ADMIN).await?.is_some() {
        return Ok(());
    }
    let hash = balai_web::auth::hash_password(DEMO_ADMIN_PASSWORD);
    let mut tx = db.begin().await?;
    identity::create_admin(&mut tx, &balai_store::audit::Actor::system("demo"), None, DEMO_ADMIN, "Admin Demo", &hash)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_demo_officer(db: &Db) -> Result<i64, RunError> {
    if let Some(officer) = identity::officer_by_username(db, DEMO_OFFICER).await? {
        return Ok(officer.id);
    }
    let government = balai_store::catalogue::government_by_region(db, "53.71").await?;
    let agency = balai_store::catalogue::agencies(db, Some("53.71"), balai_store::Paging::new(1, 100))
        .await?
        .items
        .into_iter()
        .find(|a| a.code == "disdukcapil")
        .ok_or_else(|| RunError::Io("the demo agency disdukcapil is missing".into()))?;
    let hash = balai_web::auth::hash_password(DEMO_OFFICER_PASSWORD);
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

/// The keys a running server holds: the audit checkpoint signer and the personal-data vault.
struct Keys {
    signer: balai_ledger::NoteSigner,
    vault: balai_store::identity::Vault,
}

async fn serve_until_shutdown(
    db: Db,
    config: &Config,
    listener: TcpListener,
    metrics: Option<TcpListener>,
    shutdown: Shutdown,
    keys: Keys,
    demo: bool,
) -> Result<(), RunError> {
    let Keys { signer, vault } = keys;
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
    let web = WebConfig {
        default_region: config.default_region.clone(),
        secure_cookies: config.secure_cookies,
        session_minutes: config.session_minutes,
        audit_public_key: Some(signer.verifier().to_vkey()),
        audit_requests_per_second: config.audit_requests_per_second,
        demo_inbox: demo,
        oidc: oidc_sign_in(config)?,
        trusted_proxies: config.trusted_proxies()?,
    };
    let app = balai_web::app(db.clone(), vault, web);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown.wait())
        .await
        .map_err(|e| RunError::Io(format!("server error: {e}")))?;
    // Changes made up to the last request are signed before the process ends.
    sign_checkpoint(&db, &signer, &config.audit_origin).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
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

    async fn wait(mut self) {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
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
        }
        tracing::info!("shutdown signal received; finishing open requests");
    }
}

/// The OIDC provider for officer sign-in, from config (checked when the config was loaded).
fn oidc_sign_in(config: &Config) -> Result<Option<balai_web::pages::oidc::OidcSignIn>, RunError> {
    let Some(settings) = config.oidc()? else { return Ok(None) };
    let provider = balai_oidc::Provider::new(settings).map_err(|e| RunError::Io(e.to_string()))?;
    tracing::info!(issuer = provider.issuer(), "officer sign-in through OIDC is on");
    Ok(Some(balai_web::pages::oidc::OidcSignIn {
        provider,
        role_claim: config.oidc_role_claim.clone(),
        government_claim: config.oidc_government_claim.clone(),
        agency_claim: config.oidc_agency_claim.clone(),
        require_second_factor: config.oidc_require_second_factor,
    }))
}
