//! The personal-data key: seals NIK, KK, phone and address at rest (see `balai_store::identity::vault`).
//!
//! Like the audit key, it is created only when nothing was ever sealed with it: a missing or different
//! key over existing citizen records stops the start, because a new key would make them unreadable.

use crate::RunError;
use crate::config::Config;
use balai_store::Db;
use balai_store::identity::{Vault, citizens};
use std::io::Write;

pub async fn load_or_create_vault(config: &Config, db: &Db) -> Result<Vault, RunError> {
    let path = config.personal_data_key_path();
    let records = citizens::count(db).await?;
    let vault = match std::fs::read_to_string(&path) {
        Ok(text) => Vault::from_master_text(&text)
            .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", path.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && records == 0 => {
            let text = Vault::generate_master_text();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| RunError::Io(format!("cannot create {}: {e}", dir.display())))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file =
                options.open(&path).map_err(|e| RunError::Io(format!("cannot create {}: {e}", path.display())))?;
            file.write_all(format!("{text}\n").as_bytes())
                .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))?;
            tracing::info!(path = %path.display(), "created the personal-data key");
            Vault::from_master_text(&text).map_err(|e| RunError::Key(e.to_string()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RunError::Key(format!(
                "{records} citizen record(s) are sealed but the personal-data key {} is missing; restore it from backup \
                 (a new key is never generated over existing records)",
                path.display()
            )));
        }
        Err(e) => return Err(RunError::Key(format!("the personal-data key {} cannot be read: {e}", path.display()))),
    };
    if !citizens::vault_opens_records(db, &vault).await? {
        return Err(RunError::Key(format!(
            "the personal-data key {} does not open this database's citizen records; restore the right key \
             (after an interrupted key rotation, run `balai keys rotate` again to finish it)",
            path.display()
        )));
    }
    Ok(vault)
}

/// `balai keys rotate`: seals every personal-data value under a new key, in one transaction, then
/// swaps the key files. Run it with every server stopped: a server still holding the old key would
/// fail to open what the new one sealed.
pub async fn rotate(config: &Config) -> Result<(), RunError> {
    let path = config.personal_data_key_path();
    let pending = path.with_extension("key.new");
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let read = |p: &std::path::Path| -> Result<Vault, RunError> {
        let text = std::fs::read_to_string(p)
            .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", p.display())))?;
        Vault::from_master_text(&text)
            .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", p.display())))
    };
    let old = read(&path)?;
    if !citizens::vault_opens_records(&db, &old).await? {
        // A rotation that committed but did not swap the files: finish it.
        if pending.exists() && citizens::vault_opens_records(&db, &read(&pending)?).await? {
            swap_key_files(&path, &pending)?;
            println!("finished an earlier rotation: {} is the key now", path.display());
            return Ok(());
        }
        return Err(RunError::Key(format!(
            "the personal-data key {} does not open this database's records; nothing was changed",
            path.display()
        )));
    }
    // Written (and synced) before anything is re-sealed, so the new key exists whatever happens next.
    let text = Vault::generate_master_text();
    write_key_file(&pending, &text)?;
    let new = Vault::from_master_text(&text).map_err(|e| RunError::Key(e.to_string()))?;
    let mut tx = db.begin().await?;
    let done = balai_store::identity::rotation::reseal_personal_data(&mut tx, &old, &new).await?;
    tx.commit().await?;
    let retired = swap_key_files(&path, &pending)?;
    println!(
        "ok: {} sealed values re-sealed, {} records re-recorded in the audit log, {} sign-ins in flight dropped",
        done.values, done.audited_records, done.dropped
    );
    println!("the new key is {}; back it up now", path.display());
    println!("the old key is kept at {}: destroy it once no backup needs it", retired.display());
    Ok(())
}

fn write_key_file(path: &std::path::Path, text: &str) -> Result<(), RunError> {
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

/// Moves the current key aside (dated) and the pending key into its place; returns where the old one went.
fn swap_key_files(path: &std::path::Path, pending: &std::path::Path) -> Result<std::path::PathBuf, RunError> {
    let retired = path.with_extension(format!("key.retired-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    std::fs::rename(path, &retired)
        .and_then(|()| std::fs::rename(pending, path))
        .map_err(|e| RunError::Io(format!("cannot swap the key files in {}: {e}", path.display())))?;
    Ok(retired)
}
