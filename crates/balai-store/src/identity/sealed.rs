//! Which columns hold sealed values, and whether a key opens them.
//!
//! Every sealed column is named `<name>_enc` and its values are bound to the label
//! `<table>.<name>` ([`super::vault`]), so the schema itself lists them: a column added later is
//! checked without being registered anywhere. A start checks a sample of every such column with the
//! key it holds, and names each column whose values do not open — values sealed under a key nobody
//! holds any more (say by a server that kept running through a key rotation) are found at the next
//! start, not when a citizen opens their page.

use super::vault::Vault;
use crate::{Backend, Db, StoreError, dynamic_query, query};

/// Values checked at each end (oldest and newest) of a column.
pub const SAMPLE: usize = 100;

/// A column holding sealed values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SealedColumn {
    pub table: String,
    pub column: String,
    /// Whether the table has an `id` to order the sample by (oldest and newest).
    ordered: bool,
}

impl SealedColumn {
    /// The label its values are sealed under, e.g. `citizens.nik` for `citizens.nik_enc`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.table, self.column.trim_end_matches("_enc"))
    }
}

/// A sealed column some sampled values of which do not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unopened {
    pub table: String,
    pub column: String,
    /// Sampled values that did not open.
    pub failed: usize,
    pub sampled: usize,
}

impl std::fmt::Display for Unopened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{} ({} of {} sampled values)", self.table, self.column, self.failed, self.sampled)
    }
}

/// Names from the schema go into SQL text, so they are held to what our migrations write.
fn plain_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Every `…_enc` column of every table, from the schema (the one engine-specific query here).
pub async fn sealed_columns(db: &Db) -> Result<Vec<SealedColumn>, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
    };
    let rows = db.fetch_text_rows(query(sql)).await?;
    let pairs: Vec<(String, String)> = rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [Some(table), Some(column)] => Some((table.clone(), column.clone())),
            _ => None,
        })
        .collect();
    let mut columns: Vec<SealedColumn> = pairs
        .iter()
        .filter(|(table, column)| column.ends_with("_enc") && plain_identifier(table) && plain_identifier(column))
        .map(|(table, column)| SealedColumn {
            table: table.clone(),
            column: column.clone(),
            ordered: pairs.iter().any(|(t, c)| t == table && c == "id"),
        })
        .collect();
    columns.sort();
    Ok(columns)
}

/// A sample of a column's values: the oldest and the newest [`SAMPLE`] when the table has an id.
async fn sample(db: &Db, column: &SealedColumn) -> Result<Vec<String>, StoreError> {
    let (table, name) = (&column.table, &column.column);
    let orders: &[&str] = if column.ordered { &["ORDER BY id", "ORDER BY id DESC"] } else { &[""] };
    let mut values = Vec::new();
    for order in orders {
        let rows = db
            .fetch_text_rows(dynamic_query(format!(
                "SELECT {name} FROM {table} WHERE {name} IS NOT NULL {order} LIMIT {SAMPLE}"
            )))
            .await?;
        values.extend(rows.into_iter().filter_map(|row| row.into_iter().next().flatten()));
    }
    if column.ordered {
        // A short column is read twice; each value counts once.
        values.sort();
        values.dedup();
    }
    Ok(values)
}

/// Each sealed column where sampled values do not open with `vault`; empty when all open.
pub async fn unopened(db: &Db, vault: &Vault) -> Result<Vec<Unopened>, StoreError> {
    let mut found = Vec::new();
    for column in sealed_columns(db).await? {
        let label = column.label();
        let values = sample(db, &column).await?;
        let failed = values.iter().filter(|v| vault.open(&label, v).is_err()).count();
        if failed > 0 {
            found.push(Unopened { table: column.table, column: column.column, failed, sampled: values.len() });
        }
    }
    Ok(found)
}

/// Whether anything at all is sealed: a new key may be made only over an empty vault.
pub async fn anything_sealed(db: &Db) -> Result<bool, StoreError> {
    for column in sealed_columns(db).await? {
        let rows = db
            .fetch_text_rows(dynamic_query(format!(
                "SELECT {} FROM {} WHERE {} IS NOT NULL LIMIT 1",
                column.column, column.table, column.column
            )))
            .await?;
        if !rows.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}
