//! Signed checkpoints: the heads a witness or a citizen can hold the log to.

use super::{head, hex};
use crate::{Db, StoreError, query};
use balai_ledger::Hash;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredCheckpoint {
    pub size: i64,
    pub root: String,
    pub note: String,
    pub signed_at: DateTime<Utc>,
}

pub async fn latest_checkpoint(db: &Db) -> Result<Option<StoredCheckpoint>, StoreError> {
    db.fetch_optional(query("SELECT size, root, note, signed_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1"))
        .await
}

pub async fn checkpoints(db: &Db) -> Result<Vec<StoredCheckpoint>, StoreError> {
    db.fetch_all(query("SELECT size, root, note, signed_at FROM audit_checkpoints ORDER BY size")).await
}

/// Stores a signed checkpoint; a second one for the same size is ignored (the first stays).
pub async fn save_checkpoint(db: &Db, size: u64, root: &Hash, note: &str) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let exists: Option<(i64,)> =
        tx.fetch_optional(query("SELECT size FROM audit_checkpoints WHERE size = $1").bind(size as i64)).await?;
    if exists.is_some() {
        return Ok(false);
    }
    tx.execute(
        query("INSERT INTO audit_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)")
            .bind(size as i64)
            .bind(hex(root))
            .bind(note)
            .bind(Utc::now()),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn checkpoint_count(db: &Db) -> Result<i64, StoreError> {
    let (n,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM audit_checkpoints")).await?;
    Ok(n)
}

/// Signs and stores a checkpoint of the current head if the log grew since the last one.
/// Returns the new checkpoint, or `None` when there was nothing new to sign.
pub async fn sign_pending_checkpoint(
    db: &Db,
    signer: &balai_ledger::NoteSigner,
    origin: &str,
) -> Result<Option<StoredCheckpoint>, StoreError> {
    let (size, root) = head(db).await?;
    let last = latest_checkpoint(db).await?.map(|c| c.size).unwrap_or(-1);
    if size == 0 || size as i64 <= last {
        return Ok(None);
    }
    let checkpoint = balai_ledger::Checkpoint::new(origin, size, root);
    let note = balai_ledger::sign_checkpoint(&checkpoint, signer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    save_checkpoint(db, size, &root, &note).await?;
    latest_checkpoint(db).await
}
