//! Verification: every leaf, tile, checkpoint and the head recomputed from the stored records, and
//! every audited row checked against the state its latest leaf vouches for.

use super::append::parse_frontier;
use super::state::{existing_subjects, registered_tables, state_hash};
use super::{BUNDLES_PER_READ, StoredCheckpoint, Subject, entry, hex};
use crate::{Db, StoreError, Tx, query};
use balai_ledger::{CompactRange, HASH_BYTES, Hash, TILE_WIDTH, TileId};
use std::collections::{BTreeMap, HashMap};

/// The first problem `verify` found, naming the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A sequence number is missing or out of place: leaves were deleted or reordered.
    MissingLeaf { index: i64, found: Option<i64> },
    /// A leaf's fields no longer hash to its stored hash.
    AlteredLeaf { index: i64, table: String, id: String },
    /// A stored leaf is not a canonical entry (cut, edited by hand, or not a leaf at all).
    UnreadableLeaf { index: i64 },
    /// A leaf is stored in a bundle that does not cover its index.
    MisplacedLeaf { index: i64 },
    /// A stored interior node disagrees with the leaves under it.
    AlteredNode { level: i64, index: i64 },
    /// The leaves do not produce the root a checkpoint signed.
    CheckpointMismatch { size: i64 },
    /// The head row's size or frontier disagrees with the leaves.
    HeadMismatch,
    /// A record's current state is not the state its latest leaf vouches for.
    AlteredRecord { index: i64, table: String, id: String },
    /// A record exists that no leaf ever recorded (written around the log).
    UnrecordedRecord { table: String, id: String },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::MissingLeaf { index, found: Some(found) } => {
                write!(f, "missing or reordered leaf: expected index {index}, found {found}")
            }
            Finding::MissingLeaf { index, found: None } => {
                write!(f, "missing leaf: index {index} and later are absent")
            }
            Finding::AlteredLeaf { index, table, id } => {
                write!(f, "altered leaf: index {index} (table {table}, id {id})")
            }
            Finding::UnreadableLeaf { index } => write!(f, "unreadable leaf: index {index} is not a canonical entry"),
            Finding::MisplacedLeaf { index } => {
                write!(f, "misplaced leaf: index {index} is stored in the wrong bundle")
            }
            Finding::AlteredNode { level, index } => write!(f, "altered tree node: level {level}, index {index}"),
            Finding::CheckpointMismatch { size } => {
                write!(f, "the leaves do not match the signed checkpoint at size {size}")
            }
            Finding::HeadMismatch => write!(f, "the log head disagrees with the leaves"),
            Finding::AlteredRecord { index, table, id } => {
                write!(f, "altered record: table {table}, id {id} (differs from leaf index {index})")
            }
            Finding::UnrecordedRecord { table, id } => write!(f, "record without a leaf: table {table}, id {id}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Verified {
    pub size: u64,
    pub root: Hash,
    /// Roots recomputed at each stored checkpoint's size (for signature checks by the caller).
    pub checkpoints: Vec<StoredCheckpoint>,
}

/// The state `verify` rebuilds while it reads the leaves in order.
struct Replay {
    range: CompactRange,
    /// Sizes whose roots are wanted (checkpoints, callers), filled in as the log reaches them.
    wanted: BTreeMap<u64, Option<Hash>>,
    next_wanted: Option<u64>,
    /// The latest state hash and leaf of each subject, keyed "table\u{1}id" to look up without allocating.
    latest: HashMap<String, (i64, String)>,
    key: String,
    /// Recomputed bottom rows of the tiles above the leaves: `upper[L - 1]` holds tree level 8·L.
    upper: Vec<Vec<Hash>>,
}

impl Replay {
    fn new(roots_at: impl Iterator<Item = u64>) -> Replay {
        let mut wanted: BTreeMap<u64, Option<Hash>> = roots_at.map(|s| (s, None)).collect();
        let range = CompactRange::new();
        if let Some(slot) = wanted.get_mut(&0) {
            *slot = Some(range.root());
        }
        let next_wanted = wanted.range(1..).next().map(|(s, _)| *s);
        Replay { range, wanted, next_wanted, latest: HashMap::new(), key: String::new(), upper: Vec::new() }
    }

    fn size(&self) -> u64 {
        self.range.size()
    }

    /// Checks the next leaf's stored line against its place and its stored hash, and adds it to the tree.
    fn leaf(&mut self, line: &str, stored_hash: Option<Hash>) -> Result<Option<Finding>, StoreError> {
        let index = self.range.size();
        let Some(view) = entry::EntryView::read(line) else {
            return Ok(Some(Finding::UnreadableLeaf { index: index as i64 }));
        };
        if view.seq != index as i64 {
            return Ok(Some(Finding::MissingLeaf { index: index as i64, found: Some(view.seq) }));
        }
        let hash = balai_ledger::leaf_hash(line.as_bytes());
        if stored_hash != Some(hash) {
            let text = |quoted: &str| entry::unquote(quoted).map(|t| t.into_owned()).unwrap_or_default();
            return Ok(Some(Finding::AlteredLeaf {
                index: index as i64,
                table: text(view.subject_table),
                id: text(view.subject_id),
            }));
        }
        let upper = &mut self.upper;
        self.range
            .append_with(hash, |node| {
                if let Some((tile, _)) = TileId::storing(node.id) {
                    let row = usize::from(tile.level);
                    if upper.len() < row {
                        upper.resize_with(row, Vec::new);
                    }
                    upper[row - 1].push(node.hash);
                }
            })
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let size = self.range.size();
        if self.next_wanted == Some(size) {
            self.wanted.insert(size, Some(self.range.root()));
            self.next_wanted = self.wanted.range(size + 1..).next().map(|(s, _)| *s);
        }
        if let Some(state_hash) = view.state_hash {
            let key = &mut self.key;
            key.clear();
            key.push_str(&entry::unquote(view.subject_table).unwrap_or_default());
            key.push('\u{1}');
            key.push_str(&entry::unquote(view.subject_id).unwrap_or_default());
            let state_hash = entry::unquote(state_hash).unwrap_or_default();
            match self.latest.get_mut(key.as_str()) {
                Some(slot) => {
                    slot.0 = index as i64;
                    slot.1.clear();
                    slot.1.push_str(&state_hash);
                }
                None => {
                    self.latest.insert(key.clone(), (index as i64, state_hash.into_owned()));
                }
            }
        }
        Ok(None)
    }
}

/// Recomputes everything from the stored records: each leaf's hash from its entry, the sequence, every
/// stored tile, the root at every checkpoint's size, the head, and every audited record's state against
/// its latest leaf. Returns the first finding. `roots_at` lists extra sizes whose recomputed roots the
/// caller wants.
///
/// It reads one row per 256 leaves (a bundle and its bottom tile), so the cost is hashing, not I/O:
/// see docs/performance.md.
pub async fn verify(db: &Db, roots_at: &[u64]) -> Result<Result<(Verified, BTreeMap<u64, Hash>), Finding>, StoreError> {
    let mut tx = db.begin_read().await?;
    let checkpoints: Vec<StoredCheckpoint> =
        tx.fetch_all(query("SELECT size, root, note, signed_at FROM audit_checkpoints ORDER BY size")).await?;
    let mut replay = Replay::new(roots_at.iter().copied().chain(checkpoints.iter().map(|c| c.size as u64)));
    let mut bundles_seen: u64 = 0;
    loop {
        let bundles: Vec<(i64, String)> = tx
            .fetch_all(
                query("SELECT idx, entries FROM audit_bundles WHERE idx >= $1 ORDER BY idx LIMIT $2")
                    .bind(bundles_seen as i64)
                    .bind(BUNDLES_PER_READ as i64),
            )
            .await?;
        let Some(&(last_idx, _)) = bundles.last() else { break };
        let tiles: Vec<(i64, Vec<u8>)> = tx
            .fetch_all(
                query("SELECT idx, hashes FROM audit_tiles WHERE level = 0 AND idx >= $1 AND idx <= $2 ORDER BY idx")
                    .bind(bundles_seen as i64)
                    .bind(last_idx),
            )
            .await?;
        let mut tiles = tiles.into_iter().peekable();
        for (idx, entries) in &bundles {
            let idx = *idx as u64;
            if idx * TILE_WIDTH != replay.size() {
                let found = Some((idx * TILE_WIDTH) as i64);
                return Ok(Err(Finding::MissingLeaf { index: replay.size() as i64, found }));
            }
            while tiles.next_if(|(t, _)| (*t as u64) < idx).is_some() {}
            let tile = tiles.next_if(|(t, _)| *t as u64 == idx).map(|(_, hashes)| hashes).unwrap_or_default();
            let mut count = 0usize;
            for (position, line) in entries.split('\n').enumerate() {
                if position as u64 >= TILE_WIDTH {
                    return Ok(Err(Finding::MisplacedLeaf { index: replay.size() as i64 }));
                }
                if let Some(finding) = replay.leaf(line, balai_ledger::tile_hash(&tile, position))? {
                    return Ok(Err(finding));
                }
                count += 1;
            }
            // A short bundle is named by the leaf that comes next; a whole one must have a whole tile.
            if count as u64 == TILE_WIDTH && tile.len() != count * HASH_BYTES {
                return Ok(Err(Finding::AlteredNode { level: 0, index: (idx * TILE_WIDTH) as i64 + count as i64 }));
            }
        }
        bundles_seen = last_idx as u64 + 1;
    }
    // Then the leaves of the bundle being filled, each with its own stored hash.
    let tail: Vec<(i64, String, Vec<u8>)> =
        tx.fetch_all(query("SELECT seq, entry, leaf_hash FROM audit_tail ORDER BY seq")).await?;
    for (seq, entry, leaf_hash) in tail {
        // In its place but past a bundle's end: 256 tail leaves that were never sealed.
        if seq as u64 == replay.size() && (seq as u64) / TILE_WIDTH != bundles_seen {
            return Ok(Err(Finding::MisplacedLeaf { index: seq }));
        }
        if let Some(finding) =
            replay.leaf(&entry, balai_ledger::tile_hash(&leaf_hash, 0).filter(|_| leaf_hash.len() == 32))?
        {
            return Ok(Err(finding));
        }
    }
    let Replay { range, wanted, latest, upper, .. } = replay;
    let expected = range.size();
    // The head must describe exactly these leaves.
    let (head_size, head_frontier): (i64, String) =
        tx.fetch_one(query("SELECT size, frontier FROM audit_head WHERE id = 1")).await?;
    if head_size > expected as i64 {
        return Ok(Err(Finding::MissingLeaf { index: expected as i64, found: None }));
    }
    if head_size != expected as i64 || parse_frontier(&head_frontier)? != range.frontier() {
        return Ok(Err(Finding::HeadMismatch));
    }
    // Every checkpoint's root must be what the leaves give at its size.
    for c in &checkpoints {
        let recomputed = wanted.get(&(c.size as u64)).copied().flatten();
        if recomputed.is_none() || recomputed.map(|h| hex(&h)) != Some(c.root.clone()) {
            return Ok(Err(Finding::CheckpointMismatch { size: c.size }));
        }
    }
    if let Some(finding) = verify_upper_tiles(&mut tx, bundles_seen, &upper).await? {
        return Ok(Err(finding));
    }
    // Every audited record must be in the state its latest leaf vouches for, and every record must have one.
    // A row's leaves may name it by another id than its own (a citizen: by record id in older leaves,
    // by pseudonym in newer ones): the latest under any of its names counts.
    let mut aliases: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for table in registered_tables() {
        if let Some(list) = table.aliases {
            aliases.insert(table.name, list(&mut tx).await?.into_iter().collect());
        }
    }
    let mut by_subject: HashMap<Subject, (i64, String)> = HashMap::new();
    for (key, (seq, state)) in latest {
        let (table, id) = key.split_once('\u{1}').unwrap_or((key.as_str(), ""));
        let subject = match aliases.get(table).and_then(|names| names.get(id)) {
            Some(record_id) => Subject::new(table, record_id),
            None => Subject::new(table, id),
        };
        let newer = by_subject.get(&subject).is_none_or(|(known, _)| *known < seq);
        if newer {
            by_subject.insert(subject, (seq, state));
        }
    }
    let mut subjects: Vec<(Subject, i64, String)> =
        by_subject.into_iter().map(|(subject, (seq, state))| (subject, seq, state)).collect();
    subjects.sort_by_key(|(_, seq, _)| *seq);
    for (subject, seq, vouched) in &subjects {
        if state_hash(&mut tx, subject).await? != *vouched {
            return Ok(Err(Finding::AlteredRecord {
                index: *seq,
                table: subject.table.clone(),
                id: subject.id.clone(),
            }));
        }
    }
    let latest: HashMap<&Subject, i64> = subjects.iter().map(|(subject, seq, _)| (subject, *seq)).collect();
    let mut unrecorded: Vec<Subject> =
        existing_subjects(&mut tx).await?.into_iter().filter(|s| !latest.contains_key(s)).collect();
    unrecorded.sort();
    if let Some(s) = unrecorded.into_iter().next() {
        return Ok(Err(Finding::UnrecordedRecord { table: s.table, id: s.id }));
    }
    // A row that shows its citizen the number of the leaf vouching for it (a read of their record)
    // must show the right one.
    for table in registered_tables() {
        let Some(list) = table.leaf_numbers else { continue };
        for (id, audit_seq) in list(&mut tx).await? {
            let subject = Subject::new(table.name, id);
            let seq = latest.get(&subject).copied();
            if audit_seq != seq {
                return Ok(Err(Finding::AlteredRecord {
                    index: seq.unwrap_or(-1),
                    table: subject.table,
                    id: subject.id,
                }));
            }
        }
    }
    let roots: BTreeMap<u64, Hash> = wanted.into_iter().filter_map(|(s, h)| h.map(|h| (s, h))).collect();
    Ok(Ok((Verified { size: expected, root: range.root(), checkpoints }, roots)))
}

/// Compares the stored tiles above the leaves (and any bottom tile past the last bundle) with the
/// recomputed rows: a missing, extra, short or altered tile is named by its first wrong node.
async fn verify_upper_tiles(tx: &mut Tx, bundles: u64, upper: &[Vec<Hash>]) -> Result<Option<Finding>, StoreError> {
    let stored: Vec<(i64, i64, Vec<u8>)> = tx
        .fetch_all(
            query("SELECT level, idx, hashes FROM audit_tiles WHERE level > 0 OR idx >= $1 ORDER BY level, idx")
                .bind(bundles as i64),
        )
        .await?;
    let mut stored = stored.into_iter().peekable();
    if let Some((0, idx, _)) = stored.peek() {
        return Ok(Some(Finding::AlteredNode { level: 0, index: idx * TILE_WIDTH as i64 }));
    }
    for (row, computed) in upper.iter().enumerate() {
        let level = (row as i64 + 1) * i64::from(balai_ledger::TILE_HEIGHT);
        for (idx, chunk) in computed.chunks(TILE_WIDTH as usize).enumerate() {
            let first_node = (idx as u64 * TILE_WIDTH) as i64;
            let Some((_, _, hashes)) = stored.next_if(|(l, i, _)| *l == row as i64 + 1 && *i == idx as i64) else {
                return Ok(Some(Finding::AlteredNode { level, index: first_node }));
            };
            let expected: Vec<u8> = chunk.concat();
            if hashes != expected {
                let wrong =
                    hashes.chunks(HASH_BYTES).zip(expected.chunks(HASH_BYTES)).take_while(|(a, b)| a == b).count();
                return Ok(Some(Finding::AlteredNode { level, index: first_node + wrong as i64 }));
            }
        }
    }
    // Anything left is a tile no leaf accounts for.
    Ok(stored.next().map(|(level, idx, _)| Finding::AlteredNode {
        level: level * i64::from(balai_ledger::TILE_HEIGHT),
        index: idx * TILE_WIDTH as i64,
    }))
}
