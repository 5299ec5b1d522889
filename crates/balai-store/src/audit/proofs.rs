//! Reading the log: leaves by index or by subject, the head, the root at any past size, and inclusion
//! and consistency proofs computed from the stored tiles.

use super::append::parse_frontier;
use super::{BUNDLES_PER_READ, Leaf, Subject, entry};
use crate::{Db, StoreError, dynamic_query, query};
use balai_ledger::{CompactRange, Hash, NodeId, ProofPlan, TILE_WIDTH, TileId, TileSpan};
use std::collections::HashMap;

/// The tree size and root as the head row knows them.
pub async fn head(db: &Db) -> Result<(u64, Hash), StoreError> {
    let (size, frontier): (i64, String) =
        db.fetch_one(query("SELECT size, frontier FROM audit_head WHERE id = 1")).await?;
    let size = size as u64;
    let range = CompactRange::from_frontier(size, parse_frontier(&frontier)?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((size, range.root()))
}

/// The stored lines of leaves `[first_bundle·256, (last_bundle + 1)·256)`, sealed or in the tail, in
/// leaf order, each with the leaf index its place gives it. Both reads are in one snapshot, so a seal
/// committed between them cannot hide the leaves it moved.
async fn bundle_lines(db: &Db, first: u64, last: u64) -> Result<Vec<(u64, String)>, StoreError> {
    let mut tx = db.begin_read().await?;
    let rows: Vec<(i64, String)> = tx
        .fetch_all(
            query("SELECT idx, entries FROM audit_bundles WHERE idx >= $1 AND idx <= $2 ORDER BY idx")
                .bind(first as i64)
                .bind(last as i64),
        )
        .await?;
    let mut lines = Vec::new();
    for (idx, entries) in rows {
        let base = idx as u64 * TILE_WIDTH;
        lines.extend(entries.split('\n').enumerate().map(|(i, line)| (base + i as u64, line.to_owned())));
    }
    let tail: Vec<(i64, String)> = tx
        .fetch_all(
            query("SELECT seq, entry FROM audit_tail WHERE seq >= $1 AND seq < $2 ORDER BY seq")
                .bind((first * TILE_WIDTH) as i64)
                .bind(((last + 1) * TILE_WIDTH) as i64),
        )
        .await?;
    lines.extend(tail.into_iter().map(|(seq, entry)| (seq as u64, entry)));
    Ok(lines)
}

fn not_canonical(index: u64) -> StoreError {
    StoreError::Corrupt(format!("audit leaf {index} is not a canonical entry"))
}

fn parse_line(index: u64, line: &str) -> Result<Leaf, StoreError> {
    Leaf::from_line(line).ok_or_else(|| not_canonical(index))
}

/// Leaves `[start, end)` in order, read from their bundles.
pub async fn leaves(db: &Db, start: i64, end: i64) -> Result<Vec<Leaf>, StoreError> {
    let (start, end) = (start.max(0) as u64, end.max(0) as u64);
    if start >= end {
        return Ok(Vec::new());
    }
    bundle_lines(db, start / TILE_WIDTH, (end - 1) / TILE_WIDTH)
        .await?
        .into_iter()
        .filter(|(index, _)| (start..end).contains(index))
        .map(|(index, line)| parse_line(index, &line))
        .collect()
}

/// Every leaf about one subject, oldest first. This reads the whole log (there is no subject index
/// to keep honest): it is for audits, exports and tests, not for a request path.
pub async fn leaves_about(db: &Db, subject: &Subject) -> Result<Vec<Leaf>, StoreError> {
    let size = self::size(db).await?;
    let mut found = Vec::new();
    let mut first = 0;
    while first * TILE_WIDTH < size {
        let last = first + BUNDLES_PER_READ - 1;
        for (index, line) in bundle_lines(db, first, last).await? {
            let view = entry::EntryView::read(&line).ok_or_else(|| not_canonical(index))?;
            if entry::unquote(view.subject_table).as_deref() == Some(subject.table.as_str())
                && entry::unquote(view.subject_id).as_deref() == Some(subject.id.as_str())
            {
                found.push(parse_line(index, &line)?);
            }
        }
        first = last + 1;
    }
    Ok(found)
}

/// Looks up many tree nodes: each is computed from the one tile holding its bottom row, and all the
/// tiles come in one query (a proof on a log of 2^24 leaves reads three), with the current tree size
/// read in the same statement, so a proof request costs one round trip.
async fn fetch_nodes(db: &Db, ids: &[NodeId]) -> Result<(HashMap<NodeId, Hash>, u64), StoreError> {
    let mut known = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok((known, self::size(db).await?));
    }
    let spans: Vec<(NodeId, TileSpan)> = ids.iter().map(|id| (*id, TileId::span_of(*id))).collect();
    let mut tiles: Vec<TileId> = spans.iter().map(|(_, span)| span.tile).collect();
    tiles.sort();
    tiles.dedup();
    let mut conditions = Vec::with_capacity(tiles.len());
    let mut args: Vec<i64> = Vec::with_capacity(2 * tiles.len());
    for tile in &tiles {
        args.push(i64::from(tile.level));
        args.push(tile.index as i64);
        conditions.push(format!("(level = ${} AND idx = ${})", args.len() - 1, args.len()));
    }
    let mut sql = format!(
        "SELECT CAST(-1 AS BIGINT) AS level, size AS idx, CAST('-' AS BLOB) AS hashes FROM audit_head WHERE id = 1 \
         UNION ALL SELECT level, idx, hashes FROM audit_tiles WHERE {}",
        conditions.join(" OR ")
    );
    // The bottom tile of the bundle being filled is its tail, gathered into one value. Only the
    // rightmost bottom tile asked for can be that one, and a range keeps the lookup on the index.
    let rightmost_bottom = tiles.iter().filter(|t| t.level == 0).map(|t| t.index).max();
    if rightmost_bottom.is_some() {
        sql.push_str(&format!(
            " UNION ALL SELECT CAST(0 AS BIGINT), MIN(seq) / {TILE_WIDTH}, CAST(string_agg(leaf_hash, ${} ORDER BY seq) AS BLOB) \
             FROM audit_tail WHERE seq >= ${} AND seq < ${} HAVING COUNT(*) > 0",
            args.len() + 1,
            args.len() + 2,
            args.len() + 3,
        ));
    }
    let mut q = dynamic_query(sql);
    for arg in args {
        q = q.bind(arg);
    }
    if let Some(index) = rightmost_bottom {
        q = q.bind(Vec::<u8>::new()).bind((index * TILE_WIDTH) as i64).bind(((index + 1) * TILE_WIDTH) as i64);
    }
    let rows: Vec<(i64, i64, Vec<u8>)> = db.fetch_all(q).await?;
    let size = rows.iter().find(|(level, _, _)| *level == -1).map(|(_, size, _)| *size as u64).unwrap_or(0);
    let stored: HashMap<TileId, Vec<u8>> = rows
        .into_iter()
        .filter_map(|(level, idx, hashes)| {
            Some((TileId { level: u8::try_from(level).ok()?, index: idx as u64 }, hashes))
        })
        .collect();
    for (id, span) in spans {
        if let Some(hash) = stored.get(&span.tile).and_then(|tile| balai_ledger::node_from_tile(tile, &span)) {
            known.insert(id, hash);
        }
    }
    Ok((known, size))
}

/// The current tree size (cheaper than [`head`], which also computes the root).
pub async fn size(db: &Db) -> Result<u64, StoreError> {
    let (size,): (i64,) = db.fetch_one(query("SELECT size FROM audit_head WHERE id = 1")).await?;
    Ok(size as u64)
}

/// Why a proof request cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum ProofRequestError {
    #[error("{param} must be below the tree size {size}")]
    OutOfRange { param: &'static str, size: u64 },
    #[error("{0}")]
    Store(#[from] StoreError),
}

pub async fn inclusion_proof(db: &Db, index: u64, size: u64) -> Result<(Hash, Vec<Hash>), ProofRequestError> {
    let (plan, leaf_id) = match (ProofPlan::inclusion(index, size), NodeId::leaf(index)) {
        (Ok(plan), Some(leaf_id)) if size > 0 => (plan, leaf_id),
        // A bad request: name the parameter as the head sees it.
        _ => {
            let current = self::size(db).await?;
            if size > current || size == 0 {
                return Err(ProofRequestError::OutOfRange { param: "size", size: current + 1 });
            }
            return Err(ProofRequestError::OutOfRange { param: "index", size });
        }
    };
    // The leaf, every proof node and the current size in one round trip.
    let mut ids: Vec<NodeId> = plan.node_ids().collect();
    ids.push(leaf_id);
    let (known, current) = fetch_nodes(db, &ids).await?;
    if size > current {
        return Err(ProofRequestError::OutOfRange { param: "size", size: current + 1 });
    }
    let leaf = *known.get(&leaf_id).ok_or_else(|| missing_node(leaf_id))?;
    let proof = plan.resolve(|id| known.get(&id).copied().ok_or_else(|| missing_node(id)))?;
    Ok((leaf, proof))
}

pub async fn consistency_proof(db: &Db, from: u64, to: u64) -> Result<Vec<Hash>, ProofRequestError> {
    let Ok(plan) = ProofPlan::consistency(from, to) else {
        let current = self::size(db).await?;
        if to > current {
            return Err(ProofRequestError::OutOfRange { param: "to", size: current + 1 });
        }
        return Err(ProofRequestError::OutOfRange { param: "from", size: to + 1 });
    };
    let ids: Vec<NodeId> = plan.node_ids().collect();
    let (known, current) = fetch_nodes(db, &ids).await?;
    if to > current {
        return Err(ProofRequestError::OutOfRange { param: "to", size: current + 1 });
    }
    Ok(plan.resolve(|id| known.get(&id).copied().ok_or_else(|| missing_node(id)))?)
}

fn missing_node(id: NodeId) -> StoreError {
    StoreError::Corrupt(format!("audit node level {} index {} is missing", id.level(), id.index()))
}

/// The root of the tree at any past size, from the stored leaves and nodes.
pub async fn root_at(db: &Db, size: u64) -> Result<Hash, StoreError> {
    if size == 0 {
        return Ok(CompactRange::new().root());
    }
    // The frontier of `size` is a handful of perfect subtrees.
    let ids = balai_ledger::frontier_ids(size);
    let (known, _) = fetch_nodes(db, &ids).await?;
    let frontier = ids
        .iter()
        .map(|id| known.get(id).copied().ok_or_else(|| StoreError::Corrupt("audit frontier node".into())))
        .collect::<Result<Vec<_>, _>>()?;
    let range = CompactRange::from_frontier(size, frontier).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(range.root())
}
