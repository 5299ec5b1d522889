//! The audit log: every change and every personal-data read becomes a leaf of an RFC 6962 Merkle tree,
//! appended in the same transaction as the change it records.
//!
//! Appenders serialise on the single `audit_head` row (`UPDATE … RETURNING`), which gives one total
//! order without gaps: a transaction that rolls back releases its sequence number with everything else.
//! The head row also holds the compact range (frontier), so an append costs one leaf hash, on average
//! one node hash and a handful of statements, whatever the log's size.
//!
//! Storage is the C2SP tlog-tiles layout: `audit_bundles` holds 256 canonical entries a row,
//! `audit_tiles` the bottom rows of height-8 hash tiles (256 hashes a row), and `audit_tail` the leaves
//! of the bundle being filled, one row each, until the 256th seals them. `verify` reads a row per 256
//! leaves; a proof reads a few tiles in one statement.
//!
//! A leaf records who (actor role and id), what (action), on what (subject table and id), the SHA-256 of
//! the subject's state after the change — read back from the database inside the transaction, so it is
//! exactly what was stored — and, for reads of personal data, why. `verify` recomputes all of it.

mod entry;
mod upgrade;

pub use entry::Leaf;
pub use upgrade::CURRENT_LAYOUT;
pub(crate) use upgrade::upgrade_layout;

use crate::catalogue::{Category, VERSION_COLUMNS, VersionRow};
use crate::org::{Agency, Government, Unit};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_ledger::{CompactRange, HASH_BYTES, Hash, NodeId, ProofPlan, SubtreeNode, TILE_WIDTH, TileId, TileSpan};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Who did it. Personal identifiers never go here: officers are named by internal id, citizens by their
/// pseudonym (`identity::citizens::audit_actor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub role: String,
    pub id: String,
}

impl Actor {
    pub fn officer(id: i64) -> Actor {
        Actor { role: "officer".into(), id: id.to_string() }
    }

    /// The platform itself: seeding, migrations, scheduled jobs.
    pub fn system(what: &str) -> Actor {
        Actor { role: "system".into(), id: what.into() }
    }

    pub fn public() -> Actor {
        Actor { role: "public".into(), id: String::new() }
    }

    /// How the actor is written in version histories: `officer:7`, `system:seed`.
    pub fn label(&self) -> String {
        if self.id.is_empty() { self.role.clone() } else { format!("{}:{}", self.role, self.id) }
    }
}

/// What a leaf is about: a row, named by table and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub table: String,
    pub id: String,
}

impl Subject {
    pub fn new(table: &str, id: impl ToString) -> Subject {
        Subject { table: table.to_owned(), id: id.to_string() }
    }

    /// A government's calendar for one year (its holidays are replaced together).
    pub fn calendar_year(government_id: i64, year: i32) -> Subject {
        Subject::new("calendar_years", format!("{government_id}/{year}"))
    }
}

/// The tables whose rows the log vouches for: every row must have a leaf, and its latest leaf's state
/// hash must match the row. (Child rows — requirements, steps, holidays — are part of their parent's state.)
pub const AUDITED_TABLES: [&str; 12] = [
    "governments",
    "service_categories",
    "agencies",
    "units",
    "services",
    "service_versions",
    "calendar_years",
    "officers",
    "citizens",
    "cases",
    "citizen_reads",
    "message_templates",
];

pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()).into())
}

/// Records a change: the subject's state is read back in the same transaction and hashed.
pub async fn record_change(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject: &Subject,
    government_id: Option<i64>,
) -> Result<i64, StoreError> {
    let state = state_json(tx, subject).await?.unwrap_or_else(|| ABSENT.to_owned());
    append(tx, actor, action, subject, government_id, Some(sha256_hex(&state)), None).await
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
    let state = state_json(tx, subject).await?.unwrap_or_else(|| ABSENT.to_owned());
    append(tx, actor, action, subject, government_id, Some(sha256_hex(&state)), Some(purpose.to_owned())).await
}

/// The state of a subject that no longer exists.
const ABSENT: &str = "null";

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
async fn write_leaf(tx: &mut Tx, range: &mut CompactRange, entry: &str) -> Result<(), StoreError> {
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

fn parse_frontier(text: &str) -> Result<Vec<Hash>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',').map(|h| unhex(h).ok_or_else(|| StoreError::Corrupt("audit frontier".into()))).collect()
}

fn format_frontier(frontier: &[Hash]) -> String {
    frontier.iter().map(hex).collect::<Vec<_>>().join(",")
}

// ---- state of each audited subject ----------------------------------------------------------

#[derive(Serialize, sqlx::FromRow)]
struct ServiceState {
    id: i64,
    government_id: i64,
    agency_id: i64,
    category_id: i64,
    code: String,
    current_version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, sqlx::FromRow)]
struct RequirementState {
    id: i64,
    position: i64,
    document: String,
    doc_type: String,
    held_by_government: bool,
    note: String,
}

#[derive(Serialize, sqlx::FromRow)]
struct StepState {
    id: i64,
    position: i64,
    description: String,
    unit_id: i64,
    sla_days: i64,
}

#[derive(Serialize, sqlx::FromRow)]
struct HolidayState {
    id: i64,
    date: NaiveDate,
    name: String,
    kind: String,
}

#[derive(Serialize, sqlx::FromRow)]
struct CitizenReadState {
    id: i64,
    government_id: i64,
    citizen_id: i64,
    case_id: i64,
    officer_id: i64,
    officer_role: String,
    agency_id: Option<i64>,
    purpose: String,
    read_at: DateTime<Utc>,
}

#[derive(Serialize, sqlx::FromRow)]
struct OfficerState {
    id: i64,
    government_id: Option<i64>,
    agency_id: Option<i64>,
    unit_id: Option<i64>,
    role: String,
    username: String,
    display_name: String,
    password_hash: String,
    totp_secret_enc: Option<String>,
    // Absent rather than null when unset, so states hashed before these columns existed still match.
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc_issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc_subject: Option<String>,
    created_at: DateTime<Utc>,
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("state rows always serialise")
}

fn numeric_id(subject: &Subject) -> Result<i64, StoreError> {
    subject.id.parse().map_err(|_| StoreError::Corrupt(format!("{} id {:?}", subject.table, subject.id)))
}

/// The canonical JSON of a subject's stored state, or `None` when the row does not exist.
pub async fn state_json(tx: &mut Tx, subject: &Subject) -> Result<Option<String>, StoreError> {
    Ok(match subject.table.as_str() {
        "governments" => tx
            .fetch_optional::<Government>(
                query("SELECT id, region_code, name, time_zone, created_at FROM governments WHERE id = $1").bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "service_categories" => tx
            .fetch_optional::<Category>(
                query("SELECT id, government_id, code, name_id, name_en FROM service_categories WHERE id = $1")
                    .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "agencies" => tx
            .fetch_optional::<Agency>(
                query(
                    "SELECT id, government_id, code, name, short_name, address, phone, email, maklumat, created_at, updated_at \
                     FROM agencies WHERE id = $1",
                )
                .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "units" => tx
            .fetch_optional::<Unit>(
                query("SELECT id, government_id, agency_id, parent_id, code, name FROM units WHERE id = $1").bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "services" => tx
            .fetch_optional::<ServiceState>(
                query(
                    "SELECT id, government_id, agency_id, category_id, code, current_version, created_at, updated_at \
                     FROM services WHERE id = $1",
                )
                .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "service_versions" => {
            let id = numeric_id(subject)?;
            let version: Option<VersionRow> = tx
                .fetch_optional(dynamic_query(format!("SELECT {VERSION_COLUMNS} FROM service_versions WHERE id = $1")).bind(id))
                .await?;
            match version {
                None => None,
                Some(version) => {
                    let requirements: Vec<RequirementState> = tx
                        .fetch_all(
                            query(
                                "SELECT id, position, document, doc_type, held_by_government, note FROM service_requirements \
                                 WHERE version_id = $1 ORDER BY position",
                            )
                            .bind(id),
                        )
                        .await?;
                    let steps: Vec<StepState> = tx
                        .fetch_all(
                            query("SELECT id, position, description, unit_id, sla_days FROM service_steps WHERE version_id = $1 ORDER BY position")
                                .bind(id),
                        )
                        .await?;
                    Some(to_json(&(version, requirements, steps)))
                }
            }
        }
        "calendar_years" => {
            let (government_id, year) = subject
                .id
                .split_once('/')
                .and_then(|(g, y)| Some((g.parse::<i64>().ok()?, y.parse::<i32>().ok()?)))
                .ok_or_else(|| StoreError::Corrupt(format!("calendar subject {:?}", subject.id)))?;
            let covered: Option<(i64,)> = tx
                .fetch_optional(
                    query("SELECT year FROM calendar_years WHERE government_id = $1 AND year = $2")
                        .bind(government_id)
                        .bind(i64::from(year)),
                )
                .await?;
            match covered {
                None => None,
                Some(_) => {
                    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| StoreError::Corrupt("year".into()))?;
                    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| StoreError::Corrupt("year".into()))?;
                    let holidays: Vec<HolidayState> = tx
                        .fetch_all(
                            query(
                                "SELECT id, date, name, kind FROM holidays WHERE government_id = $1 AND date >= $2 AND date <= $3 \
                                 ORDER BY date",
                            )
                            .bind(government_id)
                            .bind(start)
                            .bind(end),
                        )
                        .await?;
                    Some(to_json(&(government_id, year, holidays)))
                }
            }
        }
        // Sign-in counters and lock-outs change on every attempt and are not part of the audited state.
        "officers" => tx
            .fetch_optional::<OfficerState>(
                query(
                    "SELECT id, government_id, agency_id, unit_id, role, username, display_name, password_hash, totp_secret_enc, \
                     oidc_issuer, oidc_subject, created_at FROM officers WHERE id = $1",
                )
                .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "citizens" => {
            // New leaves name a citizen by pseudonym, older ones by record id.
            let id = if crate::identity::citizens::is_pseudonym(&subject.id) {
                let row: Option<(i64,)> = tx
                    .fetch_optional(
                        query("SELECT id FROM citizens WHERE audit_pseudonym = $1").bind(subject.id.as_str()),
                    )
                    .await?;
                match row {
                    Some((id,)) => id,
                    None => return Ok(None),
                }
            } else {
                numeric_id(subject)?
            };
            let citizen: Option<crate::identity::citizens::CitizenRow> = tx
                .fetch_optional(
                    dynamic_query(format!("SELECT {} FROM citizens WHERE id = $1", crate::identity::citizens::CITIZEN_COLUMNS))
                        .bind(id),
                )
                .await?;
            match citizen {
                None => None,
                Some(citizen) => {
                    let documents: Vec<crate::identity::citizens::DocumentRow> = tx
                        .fetch_all(
                            query(
                                "SELECT doc_type, number_enc, issuer, issued_on FROM citizen_documents \
                                 WHERE citizen_id = $1 ORDER BY doc_type",
                            )
                            .bind(id),
                        )
                        .await?;
                    // Sealed columns are hashed as stored: the log vouches for the ciphertext.
                    Some(to_json(&(citizen, documents)))
                }
            }
        }
        "cases" => tx
            .fetch_optional::<crate::cases::CaseRow>(
                dynamic_query(format!("SELECT {} FROM cases WHERE id = $1", crate::cases::CASE_COLUMNS))
                    .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "citizen_reads" => tx
            .fetch_optional::<CitizenReadState>(
                query(
                    "SELECT id, government_id, citizen_id, case_id, officer_id, officer_role, agency_id, purpose, read_at \
                     FROM citizen_reads WHERE id = $1",
                )
                .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        "message_templates" => tx
            .fetch_optional::<crate::notify::templates::TemplateRow>(
                dynamic_query(format!(
                    "SELECT {} FROM message_templates WHERE id = $1",
                    crate::notify::templates::TEMPLATE_COLUMNS
                ))
                .bind(numeric_id(subject)?),
            )
            .await?
            .map(|r| to_json(&r)),
        other => return Err(StoreError::Corrupt(format!("no audited state for table {other}"))),
    })
}

/// Every subject that currently exists in the audited tables.
async fn existing_subjects(tx: &mut Tx) -> Result<Vec<Subject>, StoreError> {
    let mut subjects = Vec::new();
    for table in AUDITED_TABLES {
        if table == "calendar_years" {
            let rows: Vec<(i64, i64)> = tx.fetch_all(query("SELECT government_id, year FROM calendar_years")).await?;
            subjects.extend(rows.into_iter().map(|(g, y)| Subject::new(table, format!("{g}/{y}"))));
        } else {
            let rows: Vec<(i64,)> = tx.fetch_all(dynamic_query(format!("SELECT id FROM {table}"))).await?;
            subjects.extend(rows.into_iter().map(|(id,)| Subject::new(table, id)));
        }
    }
    Ok(subjects)
}

// ---- reading the log ------------------------------------------------------------------------

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

// ---- checkpoints ----------------------------------------------------------------------------

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

// ---- verification ---------------------------------------------------------------------------

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

/// How many bundles (of 256 leaves each) a query reads while streaming the log.
const BUNDLES_PER_READ: u64 = 64;

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
    // A citizen's leaves name the record by id (older) or by pseudonym (newer): the latest of both counts.
    let pseudonyms: HashMap<String, i64> = tx
        .fetch_all::<(i64, Option<String>)>(query("SELECT id, audit_pseudonym FROM citizens"))
        .await?
        .into_iter()
        .filter_map(|(id, pseudonym)| pseudonym.map(|p| (p, id)))
        .collect();
    let mut by_subject: HashMap<Subject, (i64, String)> = HashMap::new();
    for (key, (seq, state)) in latest {
        let (table, id) = key.split_once('\u{1}').unwrap_or((key.as_str(), ""));
        let subject = match pseudonyms.get(id).filter(|_| table == "citizens") {
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
    for (subject, seq, state_hash) in &subjects {
        let state = state_json(&mut tx, subject).await?.unwrap_or_else(|| ABSENT.to_owned());
        if sha256_hex(&state) != *state_hash {
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
    // A read shows its citizen the number of the leaf that vouches for it: that number must be right.
    let reads: Vec<(i64, Option<i64>)> =
        tx.fetch_all(query("SELECT id, audit_seq FROM citizen_reads ORDER BY id")).await?;
    for (id, audit_seq) in reads {
        let subject = Subject::new("citizen_reads", id);
        let seq = latest.get(&subject).copied();
        if audit_seq != seq {
            return Ok(Err(Finding::AlteredRecord { index: seq.unwrap_or(-1), table: subject.table, id: subject.id }));
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
