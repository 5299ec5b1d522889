//! Converts a log kept in the first storage layout (one row per leaf and one per tree node) to entry
//! bundles and hash tiles, once, when the store migrates.
//!
//! Every old leaf is re-encoded to its canonical entry and must hash to the leaf hash stored beside it,
//! and the rebuilt tree must end at the head's frontier: a log that was altered before the upgrade is
//! refused, not silently re-sealed. The new rows are written by the same code as live appends.

use super::Leaf;
use super::append::{format_frontier, parse_frontier, write_leaf};
use crate::{Db, StoreError, query};
use balai_ledger::CompactRange;
use chrono::{DateTime, Utc};

/// A row of the first layout's leaf table: the leaf's fields and its stored hash.
#[derive(sqlx::FromRow)]
struct LeafRow {
    seq: i64,
    government_id: Option<i64>,
    recorded_at: DateTime<Utc>,
    actor_role: String,
    actor_id: String,
    action: String,
    subject_table: String,
    subject_id: String,
    state_hash: Option<String>,
    purpose: Option<String>,
    leaf_hash: String,
}

impl From<LeafRow> for Leaf {
    fn from(r: LeafRow) -> Leaf {
        Leaf {
            seq: r.seq,
            government_id: r.government_id,
            recorded_at: r.recorded_at,
            actor_role: r.actor_role,
            actor_id: r.actor_id,
            action: r.action,
            subject_table: r.subject_table,
            subject_id: r.subject_id,
            state_hash: r.state_hash,
            purpose: r.purpose,
            leaf_hash: r.leaf_hash,
        }
    }
}

/// The storage layout this build writes: 2 is bundles and tiles, 1 was a row per leaf and per node.
pub const CURRENT_LAYOUT: i64 = 2;
const PAGE: i64 = 20_000;

pub(crate) async fn upgrade_layout(db: &Db) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    // Locks the head, so two servers starting together convert once.
    let (layout, size, frontier): (i64, i64, String) = tx
        .fetch_one(query("UPDATE audit_head SET layout = layout WHERE id = 1 RETURNING layout, size, frontier"))
        .await?;
    if layout >= CURRENT_LAYOUT {
        return Ok(());
    }
    let refused = |why: String| {
        StoreError::Corrupt(format!(
            "the audit log cannot be converted to the tiled layout: {why}; \
             it was changed outside Balai before this upgrade, and nothing was converted"
        ))
    };
    let mut range = CompactRange::new();
    loop {
        let page: Vec<LeafRow> = tx
            .fetch_all(
                query(
                    "SELECT seq, government_id, recorded_at, actor_role, actor_id, action, subject_table, subject_id, \
                     state_hash, purpose, leaf_hash FROM audit_leaves_v1 WHERE seq >= $1 ORDER BY seq LIMIT $2",
                )
                .bind(range.size() as i64)
                .bind(PAGE),
            )
            .await?;
        if page.is_empty() {
            break;
        }
        for leaf in page.into_iter().map(Leaf::from) {
            if leaf.seq != range.size() as i64 {
                return Err(refused(format!("leaf {} is missing", range.size())));
            }
            let entry = String::from_utf8(leaf.entry_bytes()).expect("serde_json writes UTF-8");
            if super::hex(&balai_ledger::leaf_hash(entry.as_bytes())) != leaf.leaf_hash {
                return Err(refused(format!(
                    "leaf {} (table {}, id {}) no longer matches its hash",
                    leaf.seq, leaf.subject_table, leaf.subject_id
                )));
            }
            write_leaf(&mut tx, &mut range, &entry).await?;
        }
    }
    if range.size() as i64 != size || parse_frontier(&frontier)? != range.frontier() {
        return Err(refused("the head does not match the leaves".into()));
    }
    tx.execute(
        query("UPDATE audit_head SET layout = $1, frontier = $2 WHERE id = 1")
            .bind(CURRENT_LAYOUT)
            .bind(format_frontier(range.frontier())),
    )
    .await?;
    tx.execute(query("DROP TABLE audit_nodes_v1")).await?;
    tx.execute(query("DROP TABLE audit_leaves_v1")).await?;
    tx.commit().await
}
