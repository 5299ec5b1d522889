//! Balai persistence: one [`Db`] over SQLite or PostgreSQL, migrations per backend, one module per
//! context. Every function here is covered by the conformance suite in `tests/`, run on both engines.

pub mod applications;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod complaints;
pub mod dashboard;
pub mod db;
pub mod identity;
pub mod jobs;
pub mod leases;
pub mod notify;
pub mod org;
pub mod payments;
mod registry;
pub mod seed;
pub mod surveys;
pub mod transfer;

pub use db::{Backend, Db, Pool, Query, Record, Tx, Value, dynamic_query, query};

use balai_domain::validation::FieldErrors;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot reach the database at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    #[error("unsupported database URL scheme {0:?}: use sqlite://… or postgres://…")]
    UnsupportedScheme(String),
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Someone else changed the record since it was read (optimistic concurrency).
    #[error("the record was changed by someone else (now at version {current})")]
    StaleVersion { current: i64 },
    /// The caller may not do this, judged inside the command's transaction against their account as
    /// it is now (a role revoked a moment ago no longer acts).
    #[error("not permitted")]
    Forbidden,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// An idempotency key was used before with a different request.
    #[error("this idempotency key was used for a different request")]
    IdempotencyConflict,
    /// A per-user bound was reached (uploads a day, …).
    #[error("too many requests")]
    TooManyRequests,
    /// The case's workflow does not allow this now.
    #[error(transparent)]
    Workflow(#[from] balai_domain::applications::WorkflowError),
    /// A deadline falls where the government's calendar does not reach (an admin must add the year).
    #[error(transparent)]
    Calendar(#[from] balai_domain::calendar::CalendarError),
    /// The complaint flow does not allow this now.
    #[error(transparent)]
    ComplaintFlow(complaints::FlowError),
    /// The connection failed while the transaction was committing: the change may or may not have
    /// been saved (the server may have made it durable and lost only its answer).
    #[error("the database went away during the commit; the outcome is unknown: {0}")]
    Unconfirmed(sqlx::Error),
}

impl StoreError {
    /// Whether the database could not be reached or refused to work for now (down, restarting,
    /// out of connections, the writer's turn not coming): the request may succeed if repeated in a
    /// few seconds, and nothing of it was written. The HTTP edge answers 503 with `Retry-After`.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unreachable { .. } | StoreError::Unconfirmed(_) => true,
            StoreError::Database(e) => sqlx_unavailable(e),
            _ => false,
        }
    }
}

/// The sqlx errors that say "not now" rather than "not so": the connection or pool failed, or the
/// server said it is shutting down, starting, or cannot take more connections.
pub(crate) fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // A connection that died mid-message shows up as a protocol error.
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // PostgreSQL: connection exceptions (class 08), operator intervention (57P01 admin
            // shutdown, 57P02 crash shutdown, 57P03 cannot connect now), too many connections.
            Some(code) if code.starts_with("08") => true,
            Some("57P01" | "57P02" | "57P03" | "53300") => true,
            // SQLite: the database stayed locked or busy past the busy timeout.
            Some("5" | "6" | "261" | "517") => true,
            _ => false,
        },
        _ => false,
    }
}

impl From<FieldErrors> for StoreError {
    fn from(errors: FieldErrors) -> Self {
        StoreError::Invalid(errors)
    }
}

/// One page of a listing, with the total for pagers.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 { 0 } else { (self.total + self.per_page - 1) / self.per_page }
    }
}

/// Paging requested by a caller, clamped to sane bounds.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub const MAX_PER_PAGE: i64 = 100;
    /// The last page anyone may ask for: a million rows at the largest page size. The edges refuse
    /// larger page numbers with a message; the clamp here keeps the offset arithmetic in range.
    pub const MAX_PAGE: i64 = 10_000;

    pub fn new(page: i64, per_page: i64) -> Self {
        Self { page: page.clamp(1, Self::MAX_PAGE), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> i64 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }
}

impl Default for Paging {
    fn default() -> Self {
        Self::new(1, 20)
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn only_a_database_that_is_away_or_busy_is_unavailable() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        for away in [
            StoreError::Database(sqlx::Error::Io(io)),
            StoreError::Database(sqlx::Error::PoolTimedOut),
            StoreError::Database(sqlx::Error::PoolClosed),
            StoreError::Unreachable { target: "db:5432".into(), reason: "refused".into() },
        ] {
            assert!(away.is_unavailable(), "{away}");
        }
        for not_now in [
            StoreError::NotFound,
            StoreError::Forbidden,
            StoreError::TooManyRequests,
            StoreError::Database(sqlx::Error::RowNotFound),
            StoreError::Corrupt("bad row".into()),
        ] {
            assert!(!not_now.is_unavailable(), "{not_now}");
        }
    }
}
