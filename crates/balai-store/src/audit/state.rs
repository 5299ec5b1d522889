//! The state a leaf's hash vouches for. Each context declares its audited tables as [`AuditedTable`]
//! entries next to the code that writes them; `crate::registry` collects them, and this module only
//! looks them up by name. It knows no context's rows or columns.

use super::{ABSENT, Subject, sha256_hex};
use crate::db::{Query, Record};
use crate::{StoreError, Tx, dynamic_query};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;

/// The future a registered reader returns: boxed, so an entry is a plain function pointer.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads the canonical JSON of one row, named by its subject id, or `None` when it does not exist.
pub type StateReader = for<'a> fn(&'a mut Tx, &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>>;

/// Lists the subject ids of every row that exists.
pub type IdLister = for<'a> fn(&'a mut Tx) -> BoxFuture<'a, Result<Vec<String>, StoreError>>;

/// Lists `(alias, subject id)`: other ids leaves may name a row by.
pub type AliasLister = for<'a> fn(&'a mut Tx) -> BoxFuture<'a, Result<Vec<(String, String)>, StoreError>>;

/// Lists `(subject id, leaf number)`, in the order to check them, for rows that show the number of the
/// leaf that vouches for them.
pub type LeafNumberLister = for<'a> fn(&'a mut Tx) -> BoxFuture<'a, Result<LeafNumbers, StoreError>>;

/// `(subject id, leaf number)` of each row, the number `None` where the row shows none.
pub type LeafNumbers = Vec<(String, Option<i64>)>;

/// A table whose rows the log vouches for: every row must have a leaf, and its latest leaf's state
/// hash must match the row. Child rows (requirements, steps, holidays, documents) are part of their
/// parent's state and have no entry of their own.
pub struct AuditedTable {
    /// The subject table leaves name, and (except for `ids`) the table the rows live in.
    pub name: &'static str,
    pub state: StateReader,
    /// Every subject id that currently exists; `None` reads the integer `id` column of `name`.
    pub ids: Option<IdLister>,
    /// Other ids leaves may name a row by (`(alias, subject id)`), e.g. a citizen's pseudonym.
    pub aliases: Option<AliasLister>,
    /// For rows that show their citizen the leaf that vouches for them: `verify` checks the number.
    pub leaf_numbers: Option<LeafNumberLister>,
}

impl AuditedTable {
    /// A table whose rows are named by their integer `id`.
    pub const fn new(name: &'static str, state: StateReader) -> AuditedTable {
        AuditedTable { name, state, ids: None, aliases: None, leaf_numbers: None }
    }

    pub const fn listed_by(self, ids: IdLister) -> AuditedTable {
        AuditedTable { ids: Some(ids), ..self }
    }

    pub const fn aliased_by(self, aliases: AliasLister) -> AuditedTable {
        AuditedTable { aliases: Some(aliases), ..self }
    }

    pub const fn numbered_by(self, leaf_numbers: LeafNumberLister) -> AuditedTable {
        AuditedTable { leaf_numbers: Some(leaf_numbers), ..self }
    }

    /// Every subject id that currently exists in this table.
    pub async fn existing_ids(&self, tx: &mut Tx) -> Result<Vec<String>, StoreError> {
        if let Some(ids) = self.ids {
            return ids(tx).await;
        }
        let rows: Vec<(i64,)> = tx.fetch_all(dynamic_query(format!("SELECT id FROM {}", self.name))).await?;
        Ok(rows.into_iter().map(|(id,)| id.to_string()).collect())
    }
}

/// Every registered audited table, in registration order.
pub fn registered_tables() -> impl Iterator<Item = &'static AuditedTable> {
    crate::registry::audited_tables()
}

pub(crate) fn registered(table: &str) -> Option<&'static AuditedTable> {
    registered_tables().find(|t| t.name == table)
}

/// The state reader of a table whose state is its row alone: `select` reads the row by its integer
/// id (`$1`), and the row is serialised as it is.
pub(crate) fn row_state<'a, T: Record + Serialize + 'a>(
    tx: &'a mut Tx,
    table: &'static str,
    select: Query,
    id: &'a str,
) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move { Ok(tx.fetch_optional::<T>(select.bind(numeric_id(table, id)?)).await?.map(|r| to_json(&r))) })
}

/// Serialises a state row: the JSON a state hash is taken of.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("state rows always serialise")
}

/// A subject id that must be a row id.
pub(crate) fn numeric_id(table: &str, id: &str) -> Result<i64, StoreError> {
    id.parse().map_err(|_| StoreError::Corrupt(format!("{table} id {id:?}")))
}

/// The canonical JSON of a subject's stored state, or `None` when the row does not exist.
pub async fn state_json(tx: &mut Tx, subject: &Subject) -> Result<Option<String>, StoreError> {
    match registered(&subject.table) {
        Some(table) => (table.state)(tx, &subject.id).await,
        None => Err(StoreError::Corrupt(format!("no audited state for table {}", subject.table))),
    }
}

/// The hex SHA-256 of a subject's state as stored now (a missing row hashes as absent).
pub(crate) async fn state_hash(tx: &mut Tx, subject: &Subject) -> Result<String, StoreError> {
    let state = state_json(tx, subject).await?.unwrap_or_else(|| ABSENT.to_owned());
    Ok(sha256_hex(&state))
}

/// Every subject that currently exists in the audited tables.
pub(crate) async fn existing_subjects(tx: &mut Tx) -> Result<Vec<Subject>, StoreError> {
    let mut subjects = Vec::new();
    for table in registered_tables() {
        subjects.extend(table.existing_ids(tx).await?.into_iter().map(|id| Subject::new(table.name, id)));
    }
    Ok(subjects)
}
