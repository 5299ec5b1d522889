//! Whistleblowing keys: `balai wbs keygen` makes the Inspectorate's key pair, registers the public
//! key and prints the private key once; the server never keeps it. The demo makes one for Kota
//! Kupang and, for the demo only, leaves the private key in the data directory.

use crate::RunError;
use crate::config::Config;
use balai_store::complaints::whistleblowing::{self, Registrar};
use balai_store::{Db, StoreError, identity};
use std::io::Write;

/// The demo inspector, who reads Kota Kupang's whistleblowing reports.
pub const DEMO_INSPECTOR: &str = "inspektur";
pub const DEMO_INSPECTOR_PASSWORD: &str = "demo-inspektur-2026";
/// The demo's whistleblowing government and the inspectorate unit reports go to.
const DEMO_REGION: &str = "53.71";
const DEMO_UNIT: &str = "inspektorat-irban-khusus";

/// Where the demo leaves the demo inspector's private key.
pub fn demo_key_path(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("keys").join("wbs-demo-inspector.key")
}

/// `balai wbs keygen`: a new key pair for a government's inspectorate; the key it replaces is retired.
pub async fn keygen(config: &Config, region: &str, unit: &str) -> Result<(), RunError> {
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let government = balai_store::org::government_by_region(&db, region).await.map_err(|e| match e {
        StoreError::NotFound => RunError::Io(format!("no government with region code {region}")),
        other => RunError::Store(other),
    })?;
    let pair = whistleblowing::generate_key_pair();
    let key = whistleblowing::register_key(
        &db,
        Registrar::CommandLine,
        government.id,
        unit,
        &pair.public_key,
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Invalid(errors) => RunError::Io(format!(
            "the key was not registered: {}",
            errors
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.rule.message(balai_domain::Lang::En)))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        other => RunError::Store(other),
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Registered the whistleblowing key for {} ({region}), unit {unit}; fingerprint {}.\n\
         Reports are sealed to it from now on. The private key below is shown ONCE and is not kept anywhere:\n\
         store it offline with the inspectors who open reports.\n\n{}\n",
        government.name, key.fingerprint, pair.private_key
    )
    .map_err(|e| RunError::Io(e.to_string()))
}

/// The demo's key and inspector: made once, kept across restarts. Returns the inspector's id.
pub async fn ensure_demo(config: &Config, db: &Db) -> Result<i64, RunError> {
    let government = balai_store::org::government_by_region(db, DEMO_REGION).await?;
    if whistleblowing::active_key(db, government.id).await?.is_none() {
        let pair = whistleblowing::generate_key_pair();
        let path = demo_key_path(config);
        write_private(&path, &pair.private_key)?;
        whistleblowing::register_key(
            db,
            Registrar::CommandLine,
            government.id,
            DEMO_UNIT,
            &pair.public_key,
            chrono::Utc::now(),
        )
        .await?;
    }
    if let Some(officer) = identity::officer_by_username(db, DEMO_INSPECTOR).await? {
        return Ok(officer.id);
    }
    let hash = balai_auth::hash_password(DEMO_INSPECTOR_PASSWORD);
    let mut tx = db.begin().await?;
    let id = identity::create_officer(
        &mut tx,
        &balai_store::audit::Actor::system("demo"),
        &identity::NewOfficer {
            government_id: Some(government.id),
            // An inspector belongs to the government, not to an agency (the role is not agency-bound).
            agency_id: None,
            unit_id: None,
            role: balai_domain::identity::Role::Inspector,
            username: DEMO_INSPECTOR,
            display_name: "Inspektur Demo Kota Kupang",
            password_hash: &hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn write_private(path: &std::path::Path, text: &str) -> Result<(), RunError> {
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| RunError::Io(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))
}
