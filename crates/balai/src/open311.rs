//! `balai open311 key create`: a client key of the Open311 API, for an operator without the admin
//! page (or before any administrator exists), and the demo's own key.

use crate::RunError;
use crate::config::Config;
use balai_store::audit::Actor;
use balai_store::complaints::open311;
use balai_store::{Db, org};

/// Makes a client key and prints it on stdout (alone, for scripts); what it is for goes to stderr.
pub async fn create_key(config: &Config, name: &str, government: Option<&str>) -> Result<(), RunError> {
    let db = Db::connect(&config.database_url()).await?;
    if !db.schema_is_current().await? {
        return Err(RunError::Io("the database is not at the current schema; run `balai migrate` first".into()));
    }
    let government_id = match government.map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(region) => match org::government_by_region(&db, region).await {
            Ok(g) => Some(g.id),
            Err(balai_store::StoreError::NotFound) => {
                return Err(RunError::Io(format!("--government: no government with region code {region}")));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let mut tx = db.begin().await?;
    let made = open311::create_client_in(
        &mut tx,
        &Actor::system("balai open311"),
        government_id,
        name,
        None,
        chrono::Utc::now(),
    )
    .await;
    let (id, key) = match made {
        Ok(made) => made,
        Err(balai_store::StoreError::Invalid(_)) => {
            return Err(RunError::Io(format!(
                "--name: give the application's name (1 to {} characters)",
                open311::MAX_CLIENT_NAME_CHARS
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    db.close().await;
    let scope = government.unwrap_or("every government");
    eprintln!("Open311 client {id} ({scope}): the key below is shown once and kept only as its hash.");
    println!("{key}");
    Ok(())
}

/// The demo's client key, kept in the data directory so every start prints the same one; a new key
/// is made when the file is missing or its key no longer works.
pub async fn demo_key(config: &Config, db: &Db) -> Result<String, RunError> {
    let path = config.data_dir.join("open311-demo-key");
    if let Ok(kept) = std::fs::read_to_string(&path)
        && open311::client_by_key(db, kept.trim()).await?.is_some()
    {
        return Ok(kept.trim().to_owned());
    }
    let mut tx = db.begin().await?;
    let (_, key) = open311::create_client_in(
        &mut tx,
        &Actor::system("balai demo"),
        None,
        "Aplikasi demo",
        None,
        chrono::Utc::now(),
    )
    .await?;
    tx.commit().await?;
    std::fs::write(&path, &key).map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}
