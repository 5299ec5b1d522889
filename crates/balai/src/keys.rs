//! The personal-data key: seals NIK, KK, phone and address at rest (see `balai_store::identity::vault`).
//!
//! Like the audit key, it is created only when nothing was ever sealed with it: a missing or different
//! key over sealed values stops the start, because a new key would make them unreadable. A start also
//! checks a sample of every sealed column (`balai_store::identity::sealed`) and names each whose values
//! its key does not open.

use crate::RunError;
use crate::config::Config;
use balai_store::Db;
use balai_store::identity::sealed::{self, Unopened};
use balai_store::identity::{Vault, rotation};
use std::io::Write;

fn read_key(path: &std::path::Path) -> Result<Vault, RunError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", path.display())))?;
    Vault::from_master_text(&text)
        .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", path.display())))
}

fn list(unopened: &[Unopened]) -> String {
    unopened.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(", ")
}

pub async fn load_or_create_vault(config: &Config, db: &Db) -> Result<Vault, RunError> {
    let path = config.personal_data_key_path();
    let vault = match std::fs::metadata(&path) {
        Ok(_) => read_key(&path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !sealed::anything_sealed(db).await? => {
            let text = Vault::generate_master_text();
            if let Some(dir) = path.parent() {
                crate::files::create_private_dir(dir)?;
            }
            write_key_file(&path, &text)?;
            tracing::info!(path = %path.display(), "created the personal-data key");
            Vault::from_master_text(&text).map_err(|e| RunError::Key(e.to_string()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RunError::Key(format!(
                "personal data is sealed in this database but the personal-data key {} is missing; restore it from \
                 backup (a new key is never generated over sealed values)",
                path.display()
            )));
        }
        Err(e) => return Err(RunError::Key(format!("the personal-data key {} cannot be read: {e}", path.display()))),
    };
    let unopened = sealed::unopened(db, &vault).await?;
    if !unopened.is_empty() {
        return Err(RunError::Key(format!(
            "the personal-data key {} does not open values sealed in this database: {}; they were sealed under a \
             key this node does not hold. Restore the key that sealed them (after an interrupted key rotation, run \
             `balai keys rotate` again to finish it); nothing was started",
            path.display(),
            list(&unopened)
        )));
    }
    Ok(vault)
}

/// `balai keys rotate`: seals every personal-data value under a new key, in one transaction, then
/// swaps the key files. Refused while any server uses the database (each holds a lease): a server
/// still holding the old key would go on sealing what nothing opens any more.
pub async fn rotate(config: &Config) -> Result<(), RunError> {
    let path = config.personal_data_key_path();
    let pending = path.with_extension("key.new");
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let old = read_key(&path)?;
    let unopened = sealed::unopened(&db, &old).await?;
    if !unopened.is_empty() {
        // A rotation that committed but did not swap the files: finish it.
        if pending.exists() && sealed::unopened(&db, &read_key(&pending)?).await?.is_empty() {
            swap_key_files(&path, &pending)?;
            println!("finished an earlier rotation: {} is the key now", path.display());
            return Ok(());
        }
        return Err(RunError::Key(format!(
            "the personal-data key {} does not open values sealed in this database: {}; nothing was changed",
            path.display(),
            list(&unopened)
        )));
    }
    // Written (and synced) before anything is re-sealed, so the new key exists whatever happens next.
    let text = Vault::generate_master_text();
    write_key_file(&pending, &text)?;
    let new = Vault::from_master_text(&text).map_err(|e| RunError::Key(e.to_string()))?;
    let mut tx = db.begin().await?;
    let done = match rotation::reseal_personal_data(&mut tx, &old, &new, chrono::Utc::now()).await? {
        Ok(done) => done,
        Err(running) => {
            drop(tx);
            // Nothing was sealed under the new key.
            let _ = std::fs::remove_file(&pending);
            return Err(RunError::Key(format!("key rotation refused, nothing was changed: {running}")));
        }
    };
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

/// The master key issued documents are signed with: created only while no document was issued, since
/// a new key would leave every issued document's seal unverifiable.
pub async fn load_or_create_document_keys(config: &Config, db: &Db) -> Result<balai_documents::DocumentKeys, RunError> {
    use base64::Engine as _;
    let path = config.document_key_path();
    let bad = |e: String| RunError::Key(format!("the document key {} cannot be read: {e}", path.display()));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (issued,): (i64,) = db.fetch_one(balai_store::query("SELECT COUNT(*) FROM issued_documents")).await?;
            if issued > 0 {
                return Err(RunError::Key(format!(
                    "{issued} issued documents are sealed in this database but the document key {} is missing; \
                     restore it from backup (a new key is never generated over issued documents)",
                    path.display()
                )));
            }
            // 32 random bytes in base64, as the personal-data key.
            let text = Vault::generate_master_text();
            if let Some(dir) = path.parent() {
                crate::files::create_private_dir(dir)?;
            }
            write_key_file(&path, &text)?;
            tracing::info!(path = %path.display(), "created the document key");
            text
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| bad(e.to_string()))?;
    let master: [u8; 32] =
        bytes.as_slice().try_into().map_err(|_| bad(format!("{} bytes, expected 32", bytes.len())))?;
    Ok(balai_documents::DocumentKeys::from_master(master))
}
