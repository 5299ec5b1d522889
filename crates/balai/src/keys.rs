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
            "the personal-data key {} does not open this database's citizen records; restore the right key",
            path.display()
        )));
    }
    Ok(vault)
}
