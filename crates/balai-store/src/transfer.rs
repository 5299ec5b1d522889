//! Moving a deployment from one database to another (SQLite to PostgreSQL and back): [`export`] writes
//! every table as JSON Lines from one read snapshot, [`import`] loads such a file into an empty
//! database in one transaction.
//!
//! The file, line by line:
//!
//! 1. a header: format and version, the source engine, the schema version (the latest migration),
//!    the audit log's size and root at the snapshot, and every table with its row count, in the
//!    order the tables are written (parents before the tables that refer to them);
//! 2. per table, a line naming it with its columns and their types, then one JSON array per row,
//!    in primary-key order;
//! 3. a trailer with the number of lines before it and their SHA-256, so a cut or altered file is
//!    refused before anything is committed.
//!
//! Values keep their types: integers as JSON numbers, booleans as `true`/`false`, text as strings,
//! timestamps (RFC 3339, UTC) and dates (`YYYY-MM-DD`) as strings, bytes as base64, NULL as `null`.
//! SQLite declares timestamps and dates as TEXT, so an export from SQLite types those columns
//! `text`; the import takes a column's type from the target's schema.
//!
//! The tables are read from the database's own catalogue, never from a list kept here: a table
//! added by a migration is carried without a change to this module, and a table the target lacks
//! (or the file lacks) stops the import by name. Only [`NOT_CARRIED`] is left out, each with its
//! reason. Personal data is carried as stored, sealed under the source's key: the target needs the
//! same key files.
//!
//! PostgreSQL keeps timestamps to the microsecond, SQLite as written (nanoseconds). A row moved to
//! PostgreSQL whose timestamps lose digits no longer hashes to the state its latest audit leaf vouches
//! for; the import then checks, record by record, that putting the lost digits back gives exactly the
//! vouched state, and only then records the rounded state in a new leaf by `system:import`
//! ([`ROUNDED_ACTION`]). Every earlier leaf and signed checkpoint stays as it was.

use crate::audit::{self, Actor, Subject};
use crate::{Backend, Db, StoreError, Tx, Value, dynamic_query, query};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, Write};

/// The first field of the header.
pub const FORMAT: &str = "balai-export";
/// The version of the line layout; an import refuses any other.
pub const FORMAT_VERSION: u32 = 1;
/// The longest line an import accepts (a row of 256 audit entries is about 100 KiB).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// The leaf action that records a state rounded to the microsecond by a move to PostgreSQL.
pub const ROUNDED_ACTION: &str = "transfer.timestamps_rounded";

/// Tables that are not carried, and why. Every other table of the schema is.
pub const NOT_CARRIED: &[(&str, &str)] = &[
    (
        "_sqlx_migrations",
        "the migration runner's ledger: the target applies its own migrations (their checksums differ per \
         engine), and the export's schema version must equal the target's",
    ),
    ("server_leases", "the source's running servers, not data: the target's servers take their own leases"),
];

/// Tables the migrations create with their one row: the import replaces that row with the export's.
const SEEDED_BY_MIGRATIONS: &[&str] = &["audit_head", "key_guard"];

/// Audited tables that show the number of the leaf vouching for each row, and the column holding it:
/// a row re-recorded after rounding shows its new leaf.
const NUMBERED: &[(&str, &str)] = &[("citizen_reads", "audit_seq")];

/// Rows read per statement while exporting.
const ROWS_PER_READ: i64 = 500;
/// Values bound per INSERT while importing (both engines allow more).
const VALUES_PER_INSERT: usize = 20_000;
const ROWS_PER_INSERT: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The source has migrations this build does not know, or lacks some it does.
    #[error("the database's schema is not this version's: run `balai migrate` on it first")]
    NotCurrent,
    #[error("line {line}: {reason}")]
    Line { line: u64, reason: String },
    #[error("line {line} is longer than {MAX_LINE_BYTES} bytes: refused")]
    LineTooLong { line: u64 },
    #[error("the export ends at line {line} before its trailer: the file is cut short")]
    Truncated { line: u64 },
    #[error(
        "the export is of schema version {file}, this database's is {here}: export and import with the same \
         version of Balai (upgrade the source and run `balai migrate` there first)"
    )]
    SchemaVersion { file: i64, here: i64 },
    #[error(
        "the target database is not empty (table {table} has rows): import only into a new, empty database, \
         e.g. one made with createdb"
    )]
    NotEmpty { table: String },
    #[error(
        "the target database holds tables that are not Balai's (e.g. {table}): import only into a new, empty \
         database"
    )]
    NotBalai { table: String },
    #[error("a server is using the target database ({0}): stop it before importing")]
    InUse(String),
    #[error("table {table} is in {present} but not in {absent}: export and import with the same version of Balai")]
    TableMismatch { table: String, present: &'static str, absent: &'static str },
    #[error("column {table}.{column} has type {declared}, which the export does not know how to carry")]
    UnknownType { table: String, column: String, declared: String },
    #[error("table {table} has no primary key, so its rows have no order to export in")]
    NoPrimaryKey { table: String },
    #[error("the tables' foreign keys form a cycle ({0}): no order loads them")]
    Cycle(String),
    #[error("{table}.{column}: a stored value cannot be read as {kind}")]
    BadValue { table: String, column: String, kind: &'static str },
}

fn line_error(line: u64, reason: impl Into<String>) -> TransferError {
    TransferError::Line { line, reason: reason.into() }
}

/// A column's type as the file carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Integer,
    Text,
    Boolean,
    Timestamp,
    Date,
    Bytes,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Text => "text",
            Kind::Boolean => "boolean",
            Kind::Timestamp => "timestamp",
            Kind::Date => "date",
            Kind::Bytes => "bytes",
        }
    }

    /// The PostgreSQL type a bound value is cast to.
    fn postgres(self) -> &'static str {
        match self {
            Kind::Integer => "BIGINT",
            Kind::Text => "TEXT",
            Kind::Boolean => "BOOLEAN",
            Kind::Timestamp => "TIMESTAMPTZ",
            Kind::Date => "DATE",
            Kind::Bytes => "BYTEA",
        }
    }

    fn of_sqlite(declared: &str) -> Option<Kind> {
        Some(match declared.to_ascii_uppercase().as_str() {
            "INTEGER" | "BIGINT" | "INT" => Kind::Integer,
            "TEXT" => Kind::Text,
            "BOOLEAN" => Kind::Boolean,
            "BLOB" => Kind::Bytes,
            _ => return None,
        })
    }

    fn of_postgres(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "text" | "character varying" => Kind::Text,
            "boolean" => Kind::Boolean,
            "timestamp with time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }
}

/// A column as the file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// Tables this one refers to (not itself).
    parents: BTreeSet<String>,
}

/// The carried tables of a database, read from its own catalogue, in load order.
#[derive(Debug)]
struct Schema {
    tables: Vec<Table>,
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn carried(name: &str) -> bool {
    !NOT_CARRIED.iter().any(|(n, _)| *n == name)
}

/// Every table name in the database's own schema (engine bookkeeping left out), carried or not.
async fn table_names(tx: &mut Tx) -> Result<BTreeSet<String>, StoreError> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let rows = tx.fetch_text_rows(query(sql)).await?;
    Ok(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect())
}

fn text(cell: &Option<String>) -> String {
    cell.clone().unwrap_or_default()
}

async fn read_schema(tx: &mut Tx) -> Result<Schema, TransferError> {
    let names = table_names(tx).await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for name in names.iter().filter(|n| carried(n)) {
        tables.insert(
            name.clone(),
            Table { name: name.clone(), columns: Vec::new(), primary_key: Vec::new(), parents: BTreeSet::new() },
        );
    }
    let backend = tx.backend();
    // (table, column, declared type, position in the primary key or 0)
    let columns = match backend {
        Backend::Sqlite => {
            tx.fetch_text_rows(query(
                "SELECT m.name, p.name, p.type, CAST(p.pk AS TEXT) FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' ORDER BY m.name, p.cid",
            ))
            .await?
        }
        Backend::Postgres => {
            tx.fetch_text_rows(query(
                "SELECT CAST(c.table_name AS TEXT), CAST(c.column_name AS TEXT), CAST(c.data_type AS TEXT), \
                 CAST(COALESCE(k.ordinal_position, 0) AS TEXT) \
                 FROM information_schema.columns c \
                 LEFT JOIN information_schema.table_constraints t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                   AND t.constraint_type = 'PRIMARY KEY' \
                 LEFT JOIN information_schema.key_column_usage k \
                   ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name \
                   AND k.column_name = c.column_name \
                 WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position",
            ))
            .await?
        }
    };
    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in &columns {
        let (table, column, declared, pk) = (text(&row[0]), text(&row[1]), text(&row[2]), text(&row[3]));
        let Some(entry) = tables.get_mut(&table) else { continue };
        let kind = match backend {
            Backend::Sqlite => Kind::of_sqlite(&declared),
            Backend::Postgres => Kind::of_postgres(&declared),
        };
        let Some(kind) = kind else {
            return Err(TransferError::UnknownType { table, column, declared });
        };
        entry.columns.push(Column { name: column.clone(), kind });
        let position: i64 = pk.parse().unwrap_or(0);
        if position > 0 {
            keys.entry(table).or_default().push((position, column));
        }
    }
    for (table, mut key) in keys {
        key.sort();
        if let Some(entry) = tables.get_mut(&table) {
            entry.primary_key = key.into_iter().map(|(_, c)| c).collect();
        }
    }
    for (table, parent) in references(tx).await? {
        if table != parent
            && let Some(entry) = tables.get_mut(&table)
        {
            entry.parents.insert(parent);
        }
    }
    for table in tables.values() {
        if table.primary_key.is_empty() {
            return Err(TransferError::NoPrimaryKey { table: table.name.clone() });
        }
    }
    Ok(Schema { tables: load_order(tables)? })
}

/// `(table, the table it refers to)` for every foreign key in the schema.
async fn references(tx: &mut Tx) -> Result<Vec<(String, String)>, StoreError> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT m.name, f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'"
        }
        Backend::Postgres => {
            "SELECT CAST(a.relname AS TEXT), CAST(b.relname AS TEXT) FROM pg_constraint k \
             JOIN pg_class a ON a.oid = k.conrelid JOIN pg_class b ON b.oid = k.confrelid \
             JOIN pg_namespace n ON n.oid = a.relnamespace \
             WHERE k.contype = 'f' AND n.nspname = current_schema()"
        }
    };
    let rows = tx.fetch_text_rows(query(sql)).await?;
    Ok(rows.iter().map(|row| (text(&row[0]), text(&row[1]))).collect())
}

/// Parents before children, ties by name; a cycle is an error.
fn load_order(mut tables: BTreeMap<String, Table>) -> Result<Vec<Table>, TransferError> {
    let mut ordered = Vec::with_capacity(tables.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .values()
            .filter(|t| t.parents.iter().all(|p| placed.contains(p) || !carried(p)))
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            return Err(TransferError::Cycle(tables.keys().cloned().collect::<Vec<_>>().join(", ")));
        }
        for name in ready {
            if let Some(table) = tables.remove(&name) {
                placed.insert(name);
                ordered.push(table);
            }
        }
    }
    Ok(ordered)
}

/// The names of the tables an export carries from this database, in the order it writes them.
pub async fn carried_tables(db: &Db) -> Result<Vec<String>, TransferError> {
    let mut tx = db.begin_read().await?;
    Ok(read_schema(&mut tx).await?.tables.into_iter().map(|t| t.name).collect())
}

/// What a database holds, as far as moving into it (or running the demo on it) is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// No table at all.
    Nothing,
    /// Balai's schema (its migration ledger and audit log), with or without data.
    Balai,
    /// Tables that are not Balai's, the first of them named.
    Foreign(String),
}

/// Looks at the database's tables before anything is migrated into it.
pub async fn contents(db: &Db) -> Result<Contents, StoreError> {
    let mut tx = db.begin_read().await?;
    let names = table_names(&mut tx).await?;
    drop(tx);
    if names.is_empty() {
        return Ok(Contents::Nothing);
    }
    if names.contains("_sqlx_migrations") && names.contains("audit_head") {
        return Ok(Contents::Balai);
    }
    let first = names.iter().find(|n| !n.starts_with('_')).or(names.iter().next()).cloned().unwrap_or_default();
    Ok(Contents::Foreign(first))
}

/// The tables Balai's migrations create, read from a scratch in-memory SQLite database migrated by this
/// build (the conformance suite keeps both engines' table sets equal), plus the migration ledger.
pub async fn own_tables() -> Result<BTreeSet<String>, StoreError> {
    let scratch = Db::connect("sqlite::memory:").await?;
    scratch.migrate().await?;
    let mut tx = scratch.begin_read().await?;
    let names = table_names(&mut tx).await?;
    drop(tx);
    scratch.close().await;
    Ok(names)
}

/// Drops Balai's own tables (and its `blob` type on PostgreSQL) from the database, in one transaction,
/// leaving any other table where it is; a table of someone else's that refers to one of Balai's makes
/// it fail, changing nothing. The caller decides whether the data may go.
pub async fn drop_own_tables(db: &Db) -> Result<Vec<String>, TransferError> {
    let own = own_tables().await?;
    let mut tx = db.begin().await?;
    let present = table_names(&mut tx).await?;
    let mut tables: BTreeMap<String, Table> = present
        .intersection(&own)
        .map(|name| {
            let table =
                Table { name: name.clone(), columns: Vec::new(), primary_key: Vec::new(), parents: BTreeSet::new() };
            (name.clone(), table)
        })
        .collect();
    for (table, parent) in references(&mut tx).await? {
        if table != parent
            && tables.contains_key(&parent)
            && let Some(entry) = tables.get_mut(&table)
        {
            entry.parents.insert(parent);
        }
    }
    // Tables that refer to others go first.
    let dropped: Vec<String> = load_order(tables)?.into_iter().rev().map(|t| t.name).collect();
    match tx.backend() {
        Backend::Postgres => {
            if !dropped.is_empty() {
                let list = dropped.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(", ");
                tx.execute(dynamic_query(format!("DROP TABLE {list}"))).await?;
            }
            tx.execute(query("DROP DOMAIN IF EXISTS blob")).await?;
        }
        Backend::Sqlite => {
            for table in &dropped {
                tx.execute(dynamic_query(format!("DROP TABLE {}", quoted(table)))).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(dropped)
}

// ---- the file's lines ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableCount {
    pub name: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditHead {
    pub size: u64,
    /// The tree's root at that size, base64 (as `balai audit verify` prints it).
    pub root: String,
}

/// The first line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// The latest migration applied to the source.
    pub schema_version: i64,
    pub exported_at: DateTime<Utc>,
    pub audit: AuditHead,
    /// Every carried table, in the order its section follows.
    pub tables: Vec<TableCount>,
}

/// The line opening a table's rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TableLine {
    table: String,
    columns: Vec<Column>,
    rows: u64,
}

/// The last line.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Trailer {
    end: String,
    /// Lines before this one.
    lines: u64,
    /// Hex SHA-256 of those lines, each with its newline.
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn engine_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Writes lines, counting and hashing them for the trailer.
struct Lines<'a> {
    out: &'a mut dyn Write,
    count: u64,
    hasher: Sha256,
    buf: Vec<u8>,
}

impl Lines<'_> {
    fn write<T: Serialize>(&mut self, value: &T) -> Result<(), TransferError> {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, value).map_err(std::io::Error::other)?;
        self.buf.push(b'\n');
        self.hasher.update(&self.buf);
        self.out.write_all(&self.buf)?;
        self.count += 1;
        Ok(())
    }
}

// ---- export -------------------------------------------------------------------------------------

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub header: Header,
    pub lines: u64,
}

async fn schema_version(tx: &mut Tx) -> Result<i64, StoreError> {
    let (version,): (Option<i64>,) =
        tx.fetch_one(query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")).await?;
    Ok(version.unwrap_or(0))
}

async fn audit_head(tx: &mut Tx) -> Result<AuditHead, StoreError> {
    let (size, frontier): (i64, String) =
        tx.fetch_one(query("SELECT size, frontier FROM audit_head WHERE id = 1")).await?;
    let hashes = if frontier.is_empty() {
        Vec::new()
    } else {
        frontier
            .split(',')
            .map(|h| audit::unhex(h).ok_or_else(|| StoreError::Corrupt("audit frontier".into())))
            .collect::<Result<Vec<_>, _>>()?
    };
    let size = u64::try_from(size).map_err(|_| StoreError::Corrupt("negative audit size".into()))?;
    let range =
        balai_ledger::CompactRange::from_frontier(size, hashes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(AuditHead { size, root: BASE64.encode(range.root()) })
}

/// The select-list expression that reads a column as text on this engine.
fn read_expression(backend: Backend, column: &Column) -> String {
    let c = quoted(&column.name);
    match (backend, column.kind) {
        (_, Kind::Text) => c,
        (Backend::Sqlite, Kind::Bytes) => format!("CASE WHEN {c} IS NULL THEN NULL ELSE hex({c}) END"),
        (Backend::Sqlite, _) => format!("CAST({c} AS TEXT)"),
        (Backend::Postgres, Kind::Timestamp) => {
            format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        }
        (Backend::Postgres, Kind::Date) => format!("to_char({c}, 'YYYY-MM-DD')"),
        (Backend::Postgres, Kind::Bytes) => format!("encode({c}, 'hex')"),
        (Backend::Postgres, _) => format!("CAST({c} AS TEXT)"),
    }
}

/// A stored value (read as text) as the file writes it.
fn to_json(table: &str, column: &Column, cell: Option<String>) -> Result<serde_json::Value, TransferError> {
    use serde_json::Value as J;
    let bad =
        || TransferError::BadValue { table: table.to_owned(), column: column.name.clone(), kind: column.kind.name() };
    let Some(cell) = cell else { return Ok(J::Null) };
    Ok(match column.kind {
        Kind::Integer => J::from(cell.parse::<i64>().map_err(|_| bad())?),
        Kind::Boolean => J::Bool(match cell.as_str() {
            "1" | "true" | "t" => true,
            "0" | "false" | "f" => false,
            _ => return Err(bad()),
        }),
        Kind::Bytes => J::String(BASE64.encode(unhex(&cell).ok_or_else(bad)?)),
        Kind::Text | Kind::Timestamp | Kind::Date => J::String(cell),
    })
}

/// The bound value of a key column, for the next page.
fn key_value(table: &str, column: &Column, cell: &Option<String>) -> Result<Value, TransferError> {
    let cell = cell.clone().unwrap_or_default();
    match column.kind {
        Kind::Integer => cell.parse::<i64>().map(Value::Int).map_err(|_| TransferError::BadValue {
            table: table.to_owned(),
            column: column.name.clone(),
            kind: "integer",
        }),
        _ => Ok(Value::Text(cell)),
    }
}

/// Writes the whole database to `out` from one read snapshot: header, every carried table's rows,
/// trailer. Servers may go on writing meanwhile; the file shows the database as it was when the
/// snapshot began.
pub async fn export(db: &Db, out: &mut dyn Write) -> Result<Exported, TransferError> {
    if !db.schema_is_current().await? {
        return Err(TransferError::NotCurrent);
    }
    let backend = db.backend();
    let mut tx = db.begin_read().await?;
    // The first read fixes the snapshot on both engines: everything below sees the same database.
    let schema_version = schema_version(&mut tx).await?;
    let schema = read_schema(&mut tx).await?;
    let audit = audit_head(&mut tx).await?;
    let mut tables = Vec::with_capacity(schema.tables.len());
    for table in &schema.tables {
        let (rows,): (i64,) =
            tx.fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM {}", quoted(&table.name)))).await?;
        tables.push(TableCount { name: table.name.clone(), rows: rows as u64 });
    }
    let header = Header {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        engine: engine_name(backend).into(),
        schema_version,
        exported_at: Utc::now(),
        audit,
        tables: tables.clone(),
    };
    let mut lines = Lines { out, count: 0, hasher: Sha256::new(), buf: Vec::new() };
    lines.write(&header)?;
    for (table, count) in schema.tables.iter().zip(&tables) {
        lines.write(&TableLine { table: table.name.clone(), columns: table.columns.clone(), rows: count.rows })?;
        let select = table.columns.iter().map(|c| read_expression(backend, c)).collect::<Vec<_>>().join(", ");
        let key_positions: Vec<usize> =
            table.primary_key.iter().map(|k| table.columns.iter().position(|c| &c.name == k).unwrap_or(0)).collect();
        // Qualified: a bare name in ORDER BY would mean the select list's text column of that name.
        let key_list = table
            .primary_key
            .iter()
            .map(|k| format!("{}.{}", quoted(&table.name), quoted(k)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut after: Option<Vec<Value>> = None;
        let mut written = 0u64;
        loop {
            let mut sql = format!("SELECT {select} FROM {}", quoted(&table.name));
            if let Some(last) = &after {
                let placeholders = (1..=last.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                sql.push_str(&format!(" WHERE ({key_list}) > ({placeholders})"));
            }
            sql.push_str(&format!(" ORDER BY {key_list} LIMIT {ROWS_PER_READ}"));
            let mut q = dynamic_query(sql);
            for value in after.iter().flatten() {
                q = q.bind(value.clone());
            }
            let rows = tx.fetch_text_rows(q).await?;
            let Some(last) = rows.last() else { break };
            after = Some(
                key_positions
                    .iter()
                    .map(|&i| key_value(&table.name, &table.columns[i], &last[i]))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            let full = rows.len() as i64 == ROWS_PER_READ;
            for row in rows {
                let values = table
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| to_json(&table.name, column, cell))
                    .collect::<Result<Vec<_>, _>>()?;
                lines.write(&values)?;
                written += 1;
            }
            if !full {
                break;
            }
        }
        if written != count.rows {
            return Err(StoreError::Corrupt(format!(
                "table {} had {} rows counted and {written} read in one snapshot",
                table.name, count.rows
            ))
            .into());
        }
    }
    let done = Trailer { end: FORMAT.into(), lines: lines.count, sha256: hex(&lines.hasher.clone().finalize()) };
    let count = lines.count;
    lines.write(&done)?;
    lines.out.flush()?;
    drop(tx);
    Ok(Exported { header, lines: count + 1 })
}

// ---- import -------------------------------------------------------------------------------------

/// What an import loaded.
#[derive(Debug, Clone)]
pub struct Imported {
    pub header: Header,
    pub rows: u64,
    /// Timestamps that lost digits below the microsecond (PostgreSQL keeps no more).
    pub rounded_timestamps: u64,
    /// Audited records whose rounded state a new leaf records.
    pub rerecorded: u64,
}

/// Reads bounded lines, numbering them and hashing all but the trailer.
struct Reader<'a> {
    input: &'a mut dyn BufRead,
    line: u64,
    hasher: Sha256,
    buf: Vec<u8>,
}

impl Reader<'_> {
    /// The next line without its newline, or `None` at the end of the input.
    fn next(&mut self, hashed: bool) -> Result<Option<&str>, TransferError> {
        self.buf.clear();
        let mut ended = false;
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                break;
            }
            let (take, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if self.buf.len() + take > MAX_LINE_BYTES + 1 {
                return Err(TransferError::LineTooLong { line: self.line + 1 });
            }
            self.buf.extend_from_slice(&available[..take]);
            self.input.consume(take);
            if done {
                ended = true;
                break;
            }
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        self.line += 1;
        if !ended {
            return Err(line_error(self.line, "the line is cut short (no end of line): the file is truncated"));
        }
        if hashed {
            self.hasher.update(&self.buf);
        }
        let text = std::str::from_utf8(&self.buf[..self.buf.len() - 1])
            .map_err(|_| line_error(self.line, "not UTF-8 text"))?;
        Ok(Some(text))
    }

    fn parse<T: for<'de> Deserialize<'de>>(&mut self, hashed: bool, what: &str) -> Result<T, TransferError> {
        let line = self.line + 1;
        let Some(text) = self.next(hashed)? else {
            if line == 1 {
                return Err(line_error(1, "the file is empty"));
            }
            return Err(TransferError::Truncated { line: line - 1 });
        };
        serde_json::from_str(text).map_err(|e| line_error(line, format!("not {what}: {e}")))
    }
}

/// Sub-microsecond digits PostgreSQL dropped: the state JSON of each rounded timestamp, mapped to the
/// JSON of the value as exported (`None` when two values round to the same microsecond).
#[derive(Default)]
struct Rounding {
    restore: HashMap<String, Option<String>>,
    count: u64,
}

impl Rounding {
    fn note(&mut self, original: DateTime<Utc>, rounded: DateTime<Utc>) {
        self.count += 1;
        let json = |t: &DateTime<Utc>| serde_json::to_string(t).unwrap_or_default().trim_matches('"').to_owned();
        let (original, rounded) = (json(&original), json(&rounded));
        match self.restore.get(&rounded) {
            None => {
                self.restore.insert(rounded, Some(original));
            }
            Some(Some(known)) if *known == original => {}
            Some(_) => {
                self.restore.insert(rounded, None);
            }
        }
    }

    /// The state JSON with every rounded timestamp string put back as exported; `None` when one of
    /// them is ambiguous.
    fn restored(&self, state: &str) -> Option<String> {
        let mut out = String::with_capacity(state.len() + 16);
        let mut rest = state;
        while let Some(start) = rest.find('"') {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            // The end of this JSON string: the next quote not escaped by a backslash.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end?;
            let content = &rest[..end];
            match self.restore.get(content) {
                Some(Some(original)) => out.push_str(original),
                Some(None) => return None,
                None => out.push_str(content),
            }
            out.push('"');
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A value from the file as the target column takes it.
fn to_value(
    json: &serde_json::Value,
    source: Kind,
    target: Kind,
    backend: Backend,
    rounding: &mut Rounding,
) -> Result<Value, String> {
    use serde_json::Value as J;
    let wrong = || format!("a {} value where {} was expected", json_kind(json), target.name());
    let value = match (json, target) {
        (J::Null, _) => Value::OptText(None),
        (J::Number(n), Kind::Integer) => Value::Int(n.as_i64().ok_or_else(wrong)?),
        (J::Bool(b), Kind::Boolean) => Value::Bool(*b),
        (J::Number(n), Kind::Boolean) => match n.as_i64() {
            Some(0) => Value::Bool(false),
            Some(1) => Value::Bool(true),
            _ => return Err(wrong()),
        },
        (J::String(s), Kind::Timestamp) => {
            let original = parse_timestamp(s).ok_or("a timestamp that is not RFC 3339")?;
            let rounded = DateTime::from_timestamp_micros(original.timestamp_micros()).unwrap_or(original);
            if rounded != original && backend == Backend::Postgres {
                rounding.note(original, rounded);
                Value::Timestamp(rounded)
            } else {
                Value::Timestamp(original)
            }
        }
        (J::String(s), Kind::Date) => {
            Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "a date that is not YYYY-MM-DD")?)
        }
        (J::String(s), Kind::Bytes) => Value::Bytes(BASE64.decode(s).map_err(|_| "bytes that are not base64")?),
        // SQLite keeps timestamps and dates as text: written as Balai writes them, so they compare right.
        (J::String(s), Kind::Text) if backend == Backend::Sqlite && source == Kind::Timestamp => {
            Value::Timestamp(parse_timestamp(s).ok_or("a timestamp that is not RFC 3339")?)
        }
        (J::String(s), Kind::Text) if backend == Backend::Sqlite && source == Kind::Date => {
            Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "a date that is not YYYY-MM-DD")?)
        }
        (J::String(s), Kind::Text) => Value::Text(s.clone()),
        _ => return Err(wrong()),
    };
    Ok(match backend {
        Backend::Sqlite => value,
        Backend::Postgres => typed_for_postgres(value, target),
    })
}

/// PostgreSQL prepares a statement once for the types first bound to it: every value of a column is
/// bound as one type, NULLs included. Booleans and bytes go as text (`true`, `\x…`), which the
/// statement's cast reads back.
fn typed_for_postgres(value: Value, target: Kind) -> Value {
    match (value, target) {
        (Value::OptText(None), Kind::Integer) => Value::OptInt(None),
        (Value::OptText(None), Kind::Timestamp) => Value::OptTimestamp(None),
        (Value::OptText(None), Kind::Date) => Value::OptDate(None),
        (Value::Bool(b), _) => Value::Text(if b { "true" } else { "false" }.into()),
        (Value::Bytes(bytes), _) => Value::Text(format!("\\x{}", hex(&bytes))),
        (Value::Timestamp(t), _) => Value::OptTimestamp(Some(t)),
        (Value::Date(d), _) => Value::OptDate(Some(d)),
        (Value::Int(i), _) => Value::OptInt(Some(i)),
        (Value::Text(t), _) => Value::OptText(Some(t)),
        (other, _) => other,
    }
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn json_kind(json: &serde_json::Value) -> &'static str {
    match json {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "object",
    }
}

/// Rows waiting to be inserted together.
struct Batch {
    sql_head: String,
    /// One placeholder expression per column, `{}` standing for the number.
    casts: Vec<Option<&'static str>>,
    values: Vec<Value>,
    rows: usize,
    per_insert: usize,
}

impl Batch {
    fn new(table: &str, columns: &[Column], backend: Backend) -> Batch {
        let names = columns.iter().map(|c| quoted(&c.name)).collect::<Vec<_>>().join(", ");
        let casts = columns
            .iter()
            .map(|c| match backend {
                // A NULL is bound as text: the cast gives it the column's type.
                Backend::Postgres => Some(c.kind.postgres()),
                Backend::Sqlite => None,
            })
            .collect();
        Batch {
            sql_head: format!("INSERT INTO {} ({names}) VALUES ", quoted(table)),
            casts,
            values: Vec::new(),
            rows: 0,
            per_insert: (VALUES_PER_INSERT / columns.len().max(1)).clamp(1, ROWS_PER_INSERT),
        }
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        if self.rows == 0 {
            return Ok(());
        }
        let width = self.casts.len();
        let mut sql = self.sql_head.clone();
        let mut n = 0;
        for row in 0..self.rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (i, cast) in self.casts.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                match cast {
                    Some(ty) => sql.push_str(&format!("CAST(${n} AS {ty})")),
                    None => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        debug_assert_eq!(n, self.rows * width);
        let mut q = dynamic_query(sql);
        for value in self.values.drain(..) {
            q = q.bind(value);
        }
        tx.execute(q).await?;
        self.rows = 0;
        Ok(())
    }
}

/// Loads an export into this database, which must hold no data: migrates it, checks the file's schema
/// version, table set and columns against it, inserts every row in one transaction, sets PostgreSQL's
/// identity sequences past the highest ids, and commits only when the trailer confirms the whole file
/// arrived unaltered. Any refusal or failure leaves the database as it was (migrated).
pub async fn import(db: &Db, input: &mut dyn BufRead) -> Result<Imported, TransferError> {
    if let Contents::Foreign(table) = contents(db).await? {
        return Err(TransferError::NotBalai { table });
    }
    db.migrate().await?;
    let backend = db.backend();
    let mut reader = Reader { input, line: 0, hasher: Sha256::new(), buf: Vec::new() };
    let header: Header = reader.parse(true, "a Balai export header")?;
    if header.format != FORMAT {
        return Err(line_error(1, "not a Balai export (the first line names no balai-export format)"));
    }
    if header.version != FORMAT_VERSION {
        return Err(line_error(
            1,
            format!("export format version {} (this Balai reads version {FORMAT_VERSION})", header.version),
        ));
    }
    let mut tx = db.begin().await?;
    let here = schema_version(&mut tx).await?;
    if header.schema_version != here {
        return Err(TransferError::SchemaVersion { file: header.schema_version, here });
    }
    let schema = read_schema(&mut tx).await?;
    let live = crate::leases::live_leases(&mut tx, Utc::now()).await?;
    if let Some(lease) = live.first() {
        return Err(TransferError::InUse(format!("host {}, process {}", lease.host, lease.pid)));
    }
    for table in &schema.tables {
        let occupied = if table.name == "audit_head" {
            let (size,): (i64,) = tx.fetch_one(query("SELECT size FROM audit_head WHERE id = 1")).await?;
            size != 0
        } else if SEEDED_BY_MIGRATIONS.contains(&table.name.as_str()) {
            false
        } else {
            let rows = tx
                .fetch_text_rows(dynamic_query(format!("SELECT CAST(1 AS TEXT) FROM {} LIMIT 1", quoted(&table.name))))
                .await?;
            !rows.is_empty()
        };
        if occupied {
            return Err(TransferError::NotEmpty { table: table.name.clone() });
        }
    }
    // The same tables on both sides, and an order in which every table's parents come first here too.
    let by_name: HashMap<&str, &Table> = schema.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let in_file: BTreeSet<&str> = header.tables.iter().map(|t| t.name.as_str()).collect();
    for table in &header.tables {
        if !by_name.contains_key(table.name.as_str()) {
            return Err(TransferError::TableMismatch {
                table: table.name.clone(),
                present: "the export",
                absent: "the target database",
            });
        }
    }
    for table in &schema.tables {
        if !in_file.contains(table.name.as_str()) {
            return Err(TransferError::TableMismatch {
                table: table.name.clone(),
                present: "the target database",
                absent: "the export",
            });
        }
    }
    let mut loaded: BTreeSet<&str> = BTreeSet::new();
    for table in &header.tables {
        if let Some(parent) = by_name[table.name.as_str()].parents.iter().find(|p| !loaded.contains(p.as_str())) {
            return Err(line_error(1, format!("table {} comes before {parent}, which it refers to", table.name)));
        }
        loaded.insert(table.name.as_str());
    }
    for name in SEEDED_BY_MIGRATIONS {
        if by_name.contains_key(name) {
            tx.execute(dynamic_query(format!("DELETE FROM {}", quoted(name)))).await?;
        }
    }
    let mut rounding = Rounding::default();
    let mut rows_total = 0u64;
    for expected in &header.tables {
        let section_line = reader.line + 1;
        let section: TableLine = reader.parse(true, "a table line")?;
        if section.table != expected.name || section.rows != expected.rows {
            return Err(line_error(
                section_line,
                format!(
                    "expected table {} with {} rows (as the header says), found {} with {}",
                    expected.name, expected.rows, section.table, section.rows
                ),
            ));
        }
        let target = by_name[section.table.as_str()];
        let names: BTreeSet<&str> = section.columns.iter().map(|c| c.name.as_str()).collect();
        let here: BTreeSet<&str> = target.columns.iter().map(|c| c.name.as_str()).collect();
        if names != here || names.len() != section.columns.len() {
            let differ = names.symmetric_difference(&here).next().copied().unwrap_or("(a repeated column)");
            return Err(line_error(
                section_line,
                format!("table {}: column {differ} is not on both sides", section.table),
            ));
        }
        let kinds: Vec<(Kind, Kind)> = section
            .columns
            .iter()
            .map(|c| {
                let target_kind = target.columns.iter().find(|t| t.name == c.name).map(|t| t.kind).unwrap_or(c.kind);
                (c.kind, target_kind)
            })
            .collect();
        let target_columns: Vec<Column> =
            section.columns.iter().zip(&kinds).map(|(c, (_, k))| Column { name: c.name.clone(), kind: *k }).collect();
        let mut batch = Batch::new(&section.table, &target_columns, backend);
        for _ in 0..section.rows {
            let line = reader.line + 1;
            let Some(text) = reader.next(true)? else {
                return Err(TransferError::Truncated { line: line - 1 });
            };
            let values: Vec<serde_json::Value> =
                serde_json::from_str(text).map_err(|e| line_error(line, format!("not a row of values: {e}")))?;
            if values.len() != kinds.len() {
                return Err(line_error(
                    line,
                    format!(
                        "a row of {} values where table {} has {} columns",
                        values.len(),
                        section.table,
                        kinds.len()
                    ),
                ));
            }
            for ((value, (source, target_kind)), column) in values.iter().zip(&kinds).zip(&section.columns) {
                let bound = to_value(value, *source, *target_kind, backend, &mut rounding)
                    .map_err(|reason| line_error(line, format!("{}.{}: {reason}", section.table, column.name)))?;
                batch.values.push(bound);
            }
            batch.rows += 1;
            if batch.rows >= batch.per_insert {
                batch.flush(&mut tx).await.map_err(|e| insert_error(line, &section.table, e))?;
            }
        }
        batch.flush(&mut tx).await.map_err(|e| insert_error(reader.line, &section.table, e))?;
        rows_total += section.rows;
    }
    let digest = hex(&reader.hasher.clone().finalize());
    let counted = reader.line;
    let trailer_line = reader.line + 1;
    let trailer: Trailer = reader.parse(false, "the export's trailer")?;
    if trailer.end != FORMAT || trailer.lines != counted || trailer.sha256 != digest {
        return Err(line_error(
            trailer_line,
            "the trailer does not match the lines before it: the file was altered or cut",
        ));
    }
    if reader.next(false)?.is_some() {
        return Err(line_error(reader.line, "a line after the trailer"));
    }
    if backend == Backend::Postgres {
        reset_sequences(&mut tx).await?;
    }
    let rerecorded = if rounding.count > 0 { rerecord_rounded(&mut tx, &rounding).await? } else { 0 };
    tx.commit().await?;
    Ok(Imported { header, rows: rows_total, rounded_timestamps: rounding.count, rerecorded })
}

/// An INSERT the database refused, named by the last line it covered (the engine's message names
/// the constraint, never a value).
fn insert_error(line: u64, table: &str, error: StoreError) -> TransferError {
    let reason = match &error {
        StoreError::Database(sqlx::Error::Database(db)) => db.message().to_owned(),
        other => other.to_string(),
    };
    line_error(line, format!("table {table}: the database refused the rows up to here: {reason}"))
}

/// Sets every identity sequence past its table's highest id, so new rows do not collide.
async fn reset_sequences(tx: &mut Tx) -> Result<(), StoreError> {
    let identities = tx
        .fetch_text_rows(query(
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
        ))
        .await?;
    for row in identities {
        let (table, column) = (text(&row[0]), text(&row[1]));
        tx.fetch_text_rows(
            dynamic_query(format!(
                "SELECT CAST(setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) AS TEXT) FROM {}",
                quoted(&column),
                quoted(&table)
            ))
            .bind(quoted(&table))
            .bind(column.clone()),
        )
        .await?;
    }
    Ok(())
}

/// The fields of a canonical entry this module needs.
#[derive(Deserialize)]
struct EntryFields {
    seq: i64,
    subject_table: String,
    subject_id: String,
    state_hash: Option<String>,
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// After timestamps were rounded: every audited record whose stored state no longer matches its latest
/// leaf, but whose state with the lost digits put back does, gets a leaf recording the rounded state.
/// A record that differs in any other way is left for `verify` to report.
async fn rerecord_rounded(tx: &mut Tx, rounding: &Rounding) -> Result<u64, StoreError> {
    // The latest leaf with a state hash under each name, read from the log just loaded.
    let mut latest: HashMap<(String, String), (i64, String)> = HashMap::new();
    let mut note = |line: &str| -> Result<(), StoreError> {
        let entry: EntryFields =
            serde_json::from_str(line).map_err(|_| StoreError::Corrupt("an audit entry that does not read".into()))?;
        if let Some(hash) = entry.state_hash {
            latest.insert((entry.subject_table, entry.subject_id), (entry.seq, hash));
        }
        Ok(())
    };
    let mut next = 0i64;
    loop {
        let bundles: Vec<(i64, String)> = tx
            .fetch_all(query("SELECT idx, entries FROM audit_bundles WHERE idx >= $1 ORDER BY idx LIMIT 64").bind(next))
            .await?;
        let Some(&(last, _)) = bundles.last() else { break };
        for (_, entries) in &bundles {
            for line in entries.split('\n') {
                note(line)?;
            }
        }
        next = last + 1;
    }
    let tail: Vec<(String,)> = tx.fetch_all(query("SELECT entry FROM audit_tail ORDER BY seq")).await?;
    for (entry,) in &tail {
        note(entry)?;
    }
    // A record may be named by an alias in its newer leaves (a citizen by pseudonym): the latest under
    // any of its names counts, as in `verify`.
    let mut aliases: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for table in audit::registered_tables() {
        if let Some(list) = table.aliases {
            aliases.insert(table.name, list(tx).await?.into_iter().collect());
        }
        if table.leaf_numbers.is_some() && !NUMBERED.iter().any(|(t, _)| *t == table.name) {
            return Err(StoreError::Corrupt(format!(
                "table {} shows leaf numbers the import does not know how to renumber",
                table.name
            )));
        }
    }
    // record → (seq, vouched hash, the name its latest leaf used)
    let mut records: HashMap<Subject, (i64, String, String)> = HashMap::new();
    for ((table, name), (seq, hash)) in latest {
        let record = match aliases.get(table.as_str()).and_then(|a| a.get(&name)) {
            Some(id) => Subject::new(&table, id),
            None => Subject::new(&table, &name),
        };
        if records.get(&record).is_none_or(|(known, _, _)| *known < seq) {
            records.insert(record, (seq, hash, name));
        }
    }
    let mut records: Vec<(Subject, i64, String, String)> =
        records.into_iter().map(|(subject, (seq, hash, name))| (subject, seq, hash, name)).collect();
    records.sort_by_key(|(_, seq, _, _)| *seq);
    let actor = Actor::system("import");
    let mut rerecorded = 0;
    for (record, _, vouched, name) in records {
        if audit::registered_tables().all(|t| t.name != record.table) {
            continue;
        }
        // A record that no longer exists hashes as JSON null, as in `audit::state_hash`.
        let state = audit::state_json(tx, &record).await?.unwrap_or_else(|| "null".to_owned());
        if sha256_hex(&state) == vouched {
            continue;
        }
        let Some(restored) = rounding.restored(&state) else { continue };
        if sha256_hex(&restored) != vouched {
            continue;
        }
        let seq = audit::record_change(tx, &actor, ROUNDED_ACTION, &Subject::new(&record.table, &name), None).await?;
        if let Some((table, column)) = NUMBERED.iter().find(|(t, _)| *t == record.table) {
            let id: i64 = record.id.parse().map_err(|_| StoreError::Corrupt(format!("{table} id {}", record.id)))?;
            tx.execute(
                dynamic_query(format!("UPDATE {} SET {} = $1 WHERE id = $2", quoted(table), quoted(column)))
                    .bind(seq)
                    .bind(id),
            )
            .await?;
        }
        rerecorded += 1;
    }
    Ok(rerecorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restoring_puts_back_only_whole_rounded_strings() {
        let mut rounding = Rounding::default();
        let original = DateTime::parse_from_rfc3339("2026-12-05T16:01:08.298579971Z").unwrap().with_timezone(&Utc);
        let rounded = DateTime::from_timestamp_micros(original.timestamp_micros()).unwrap();
        rounding.note(original, rounded);
        let state = r#"{"a":"2026-12-05T16:01:08.298579Z","b":"x \"2026-12-05T16:01:08.298579Z\"","c":1}"#;
        assert_eq!(
            rounding.restored(state).unwrap(),
            r#"{"a":"2026-12-05T16:01:08.298579971Z","b":"x \"2026-12-05T16:01:08.298579Z\"","c":1}"#
        );
        let other = DateTime::parse_from_rfc3339("2026-12-05T16:01:08.298579972Z").unwrap().with_timezone(&Utc);
        rounding.note(other, rounded);
        assert_eq!(rounding.restored(state), None, "two values rounding alike cannot be told apart");
    }

    #[test]
    fn tables_load_after_the_tables_they_refer_to() {
        let table = |name: &str, parents: &[&str]| Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: vec!["id".into()],
            parents: parents.iter().map(|p| p.to_string()).collect(),
        };
        let tables: BTreeMap<String, Table> = [
            table("cases", &["agencies", "governments"]),
            table("agencies", &["governments"]),
            table("governments", &[]),
        ]
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect();
        let order: Vec<String> = load_order(tables).unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(order, ["governments", "agencies", "cases"]);
        let cycle: BTreeMap<String, Table> =
            [table("a", &["b"]), table("b", &["a"])].into_iter().map(|t| (t.name.clone(), t)).collect();
        assert!(matches!(load_order(cycle), Err(TransferError::Cycle(_))));
    }
}
