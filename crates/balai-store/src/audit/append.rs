//! Appending leaves: the three ways a context records something, the head row that orders them, and
//! the tail and tiles each leaf is written to (sealed into a bundle every 256 leaves).

use super::state::state_hash;
use super::{Actor, Leaf, Subject, hex, unhex};
use crate::{StoreError, Tx, query};
use balai_ledger::{CompactRange, HASH_BYTES, Hash, SubtreeNode, TILE_WIDTH, TileId};
use chrono::{DateTime, Utc};

/// Records a change: the subject's state is read back in the same transaction and hashed.
pub async fn record_change(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    government_id: Option<i64>,
) -> Result<i64, StoreError> {
    let state_hash = state_hash(tx, subject).await?;
    // Every change to a table the log vouches for is recorded here, so this is where a transaction
    // learns it changed something the catalogue's read cache holds.
    if crate::catalogue::cache::holds(&subject.table) {
        tx.changes_catalogue();
    }
    append(tx, actor, action, subject, government_id, Some(state_hash), None).await
}

/// Records an event that changes no row — a sign-in, a read of personal data (with its purpose).
pub async fn record_event(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    government_id: Option<i64>,
    purpose: Option<&str>,
) -> Result<i64, StoreError> {
    append(tx, actor, action, subject, government_id, None, purpose.map(str::to_owned)).await
}

/// Records a read of personal data: the read's own row (who, which case, why) is the subject, hashed
/// like a change, and the purpose is in the leaf itself.
pub async fn record_read(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    government_id: Option<i64>,
    purpose: &str,
) -> Result<i64, StoreError> {
    let state_hash = state_hash(tx, subject).await?;
    append(tx, actor, action, subject, government_id, Some(state_hash), Some(purpose.to_owned())).await
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    seq: i64,
    frontier: String,
}

async fn append(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    government_id: Option<i64>,
    state_hash: Option<String>,
    purpose: Option<String>,
) -> Result<i64, StoreError> {
    // Locks the head row until commit: appends are totally ordered, and a rollback frees the number.
    let head: HeadRow = tx
        .fetch_one(query("UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size - 1 AS seq, frontier"))
        .await?;
    let frontier = parse_frontier(&head.frontier)?;
    let size = u64::try_from(head.seq).map_err(|_| StoreError::Corrupt("negative audit size".into()))?;
    let mut range = CompactRange::from_frontier(size, frontier).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = Utc::now();
    let recorded_at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let leaf = Leaf {
        seq: head.seq,
        government_id,
        recorded_at,
        actor_role: actor.role.clone(),
        actor_id: actor.id.clone(),
        action: action.to_owned(),
        subject_table: subject.table.clone(),
        subject_id: subject.id.clone(),
        state_hash,
        purpose,
        leaf_hash: String::new(),
    };
    let entry = String::from_utf8(leaf.entry_bytes()).expect("serde_json writes UTF-8");
    write_leaf(tx, &mut range, &entry).await?;
    tx.execute(query("UPDATE audit_head SET frontier = $1 WHERE id = 1").bind(format_frontier(range.frontier())))
        .await?;
    Ok(leaf.seq)
}

/// Stores the next leaf in the tail, and every node it completes on a tile row above the leaves; the
/// leaf that completes a bundle seals the tail into a bundle and a bottom tile. The caller holds the
/// head and writes the new frontier.
pub(super) async fn write_leaf(tx: &mut Tx, range: &mut CompactRange, entry: &str) -> Result<(), StoreError> {
    let seq = range.size();
    let leaf_hash = balai_ledger::leaf_hash(entry.as_bytes());
    tx.execute(
        query("INSERT INTO audit_tail (seq, entry, leaf_hash) VALUES ($1, $2, $3)")
            .bind(seq as i64)
            .bind(entry)
            .bind(leaf_hash.to_vec()),
    )
    .await?;
    let mut nodes = Vec::new();
    range
        .append_with(leaf_hash, |node| {
            if TileId::storing(node.id).is_some() {
                nodes.push(node)
            }
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    for node in nodes {
        store_tile_hash(tx, node).await?;
    }
    if range.size().is_multiple_of(TILE_WIDTH) {
        seal_tail(tx, seq / TILE_WIDTH).await?;
    }
    Ok(())
}

/// Moves the 256 tail leaves into bundle `idx` and its bottom tile, in the database itself.
async fn seal_tail(tx: &mut Tx, idx: u64) -> Result<(), StoreError> {
    let first = (idx * TILE_WIDTH) as i64;
    let sealed = tx
        .execute(
            query(
                "INSERT INTO audit_bundles (idx, entries) \
                 SELECT $1, string_agg(entry, $2 ORDER BY seq) FROM audit_tail WHERE seq >= $3 HAVING COUNT(*) = $4",
            )
            .bind(idx as i64)
            .bind("\n")
            .bind(first)
            .bind(TILE_WIDTH as i64),
        )
        .await?;
    // string_agg concatenates blobs byte for byte on both engines; SQLite calls the result text.
    let tiled = tx
        .execute(
            query(
                "INSERT INTO audit_tiles (level, idx, hashes) \
                 SELECT 0, $1, CAST(string_agg(leaf_hash, $2 ORDER BY seq) AS BLOB) FROM audit_tail WHERE seq >= $3 \
                 HAVING COUNT(*) = $4",
            )
            .bind(idx as i64)
            .bind(Vec::<u8>::new())
            .bind(first)
            .bind(TILE_WIDTH as i64),
        )
        .await?;
    if sealed != 1 || tiled != 1 {
        return Err(StoreError::Corrupt(format!("the audit tail does not hold the 256 leaves of bundle {idx}")));
    }
    tx.execute(query("DELETE FROM audit_tail")).await?;
    Ok(())
}

/// Appends a hash to the tile that stores it; the tile must be exactly as wide as the node's position,
/// so a hash can never land in the wrong place.
async fn store_tile_hash(tx: &mut Tx, node: SubtreeNode) -> Result<(), StoreError> {
    let (tile, position) = TileId::storing(node.id).ok_or(StoreError::Corrupt("audit node off a tile row".into()))?;
    if position == 0 {
        tx.execute(
            query("INSERT INTO audit_tiles (level, idx, hashes) VALUES ($1, $2, $3)")
                .bind(i64::from(tile.level))
                .bind(tile.index as i64)
                .bind(node.hash.to_vec()),
        )
        .await?;
        return Ok(());
    }
    // SQLite's || yields text even for blobs; the cast keeps the bytes and makes them a blob again.
    let appended = tx
        .execute(
            query(
                "UPDATE audit_tiles SET hashes = CAST(hashes || $1 AS BLOB) \
                 WHERE level = $2 AND idx = $3 AND length(hashes) = $4",
            )
            .bind(node.hash.to_vec())
            .bind(i64::from(tile.level))
            .bind(tile.index as i64)
            .bind((position * HASH_BYTES) as i64),
        )
        .await?;
    if appended != 1 {
        return Err(StoreError::Corrupt(format!(
            "audit tile {}/{} is not {position} hashes wide",
            tile.level, tile.index
        )));
    }
    Ok(())
}

pub(super) fn parse_frontier(text: &str) -> Result<Vec<Hash>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',').map(|h| unhex(h).ok_or_else(|| StoreError::Corrupt("audit frontier".into()))).collect()
}

pub(super) fn format_frontier(frontier: &[Hash]) -> String {
    frontier.iter().map(hex).collect::<Vec<_>>().join(",")
}
