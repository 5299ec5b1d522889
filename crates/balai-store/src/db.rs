//! One `Db` over SQLite and PostgreSQL.
//!
//! Every query is written once, in the SQL both engines accept (`$N` placeholders, `RETURNING`,
//! standard joins), and bound to typed values; only connection setup and migrations differ per backend.
//! Row structs derive `sqlx::FromRow`, whose derive is generic over the row type, so one struct
//! decodes from either engine.

use crate::StoreError;
use crate::catalogue::cache::{self, ReadCache};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{AssertSqlSafe, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long a writer waits for its turn (the same bound as SQLite's busy timeout).
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// A database: its pool and what this process keeps of it between reads.
///
/// The read cache hangs here rather than in a process-wide map because one process may hold several
/// databases (the test suites open one per test, and a second pool on the same database stands for
/// another node): each pool has a cache of its own, shared by its clones, gone with it.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    reads: Arc<ReadCache>,
    /// SQLite's single writer, taken in turn inside this process (see [`Db::begin`]).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Whether the server answers, as a probe and the last failures saw it (PostgreSQL only).
    health: Arc<Health>,
    /// A streaming replica for reads that may lag a little ([`Db::lagging`]).
    replica: Option<Arc<Db>>,
    /// Set on a replica's `Db`: where its reads go while it is away, and where it never writes.
    primary: Option<Box<Db>>,
}

/// How long a replica that failed a read is passed over before it is tried again (its probe may
/// clear it sooner).
const REPLICA_AWAY: Duration = Duration::from_secs(10);
/// How often a PostgreSQL server's probe asks whether it answers, and how long it waits.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// A database server's availability. While it is *away*, requests fail at once with
/// [`StoreError::Unreachable`] instead of each waiting out the pool's connect timeout: a probe on its
/// own connection (not the pool's, so a busy pool never reads as an outage) marks it away when it
/// gets no answer, and back the moment it does. A request that meets a broken connection marks it
/// away too, without waiting for the probe.
#[derive(Debug, Default)]
struct Health {
    /// Whether a probe watches this server: only then can "away" be cleared, so only then is it set
    /// (an embedded SQLite file has no probe and is never away).
    probed: std::sync::atomic::AtomicBool,
    away: std::sync::atomic::AtomicBool,
    /// A replica further behind its primary than allowed: answering, but not to be read from.
    behind: std::sync::atomic::AtomicBool,
    /// For a replica passed over after a failed read: not before this instant.
    retry_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Health {
    fn is_away(&self) -> bool {
        if self.away.load(std::sync::atomic::Ordering::Relaxed)
            || self.behind.load(std::sync::atomic::Ordering::Relaxed)
        {
            return true;
        }
        let retry_at = self.retry_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        retry_at.is_some_and(|at| std::time::Instant::now() < at)
    }

    fn set_away(&self, away: bool) {
        let was = self.away.swap(away, std::sync::atomic::Ordering::Relaxed);
        if away {
            if !was {
                tracing::warn!("the database stopped answering: requests fail fast until it is back");
            }
        } else {
            *self.retry_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            if was {
                tracing::info!("the database answers again");
            }
        }
    }

    fn set_behind(&self, behind: bool, lag_seconds: f64) {
        let was = self.behind.swap(behind, std::sync::atomic::Ordering::Relaxed);
        if behind && !was {
            tracing::warn!(lag_seconds, "the read replica is too far behind: reading from the primary");
        } else if was && !behind {
            tracing::info!(lag_seconds, "the read replica caught up: reading from it again");
        }
    }

    fn pass_over_for(&self, span: Duration) {
        *self.retry_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(std::time::Instant::now() + span);
    }

    /// Fails at once while away.
    fn check(&self) -> Result<(), StoreError> {
        if self.away.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(StoreError::Unreachable {
                target: "database".into(),
                reason: "not answering (checked every second)".into(),
            });
        }
        Ok(())
    }

    /// Marks the server away when a request met a broken connection (not a busy pool: the probe
    /// judges that).
    fn observe<T>(&self, result: &Result<T, StoreError>) {
        if let Err(StoreError::Database(e)) = result
            && connection_broken(e)
            && self.probed.load(std::sync::atomic::Ordering::Relaxed)
        {
            self.set_away(true);
        }
    }
}

/// Errors that mean the connection or the server is gone, as opposed to a pool that is busy.
fn connection_broken(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            db.code().as_deref().is_some_and(|c| c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

/// How far behind its primary a replica is, in seconds: 0 when it has replayed all it received,
/// otherwise the age of the last transaction it replayed (0 on a server that is not a replica).
const REPLICA_LAG: &str = "SELECT CAST(CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
     ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END AS DOUBLE PRECISION)";

/// Keeps `health` current for a PostgreSQL server until the `Db` is dropped or closed. For a
/// replica (`lag_limit` set) it also asks how far behind it is, and marks it *behind* past the limit.
fn spawn_probe(health: &Arc<Health>, options: PgConnectOptions, pool: PgPool, lag_limit: Option<Duration>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    health.probed.store(true, std::sync::atomic::Ordering::Relaxed);
    let health = Arc::downgrade(health);
    runtime.spawn(async move {
        use sqlx::Connection;
        let mut conn: Option<sqlx::PgConnection> = None;
        loop {
            tokio::time::sleep(PROBE_EVERY).await;
            let Some(health) = health.upgrade() else { return };
            if pool.is_closed() {
                return;
            }
            let answered = tokio::time::timeout(PROBE_EVERY, async {
                if conn.is_none() {
                    conn = Some(sqlx::PgConnection::connect_with(&options).await?);
                }
                match (conn.as_mut(), lag_limit) {
                    (Some(c), Some(_)) => sqlx::query_scalar::<_, f64>(REPLICA_LAG).fetch_one(&mut *c).await.map(Some),
                    (Some(c), None) => c.ping().await.map(|()| None),
                    (None, _) => Ok(None),
                }
            })
            .await;
            match answered {
                Ok(Ok(lag)) => {
                    health.set_away(false);
                    if let (Some(lag), Some(limit)) = (lag, lag_limit) {
                        health.set_behind(lag > limit.as_secs_f64(), lag);
                    }
                }
                _ => {
                    conn = None;
                    health.set_away(true);
                }
            }
        }
    });
}

/// The connection pool of either engine.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl From<Pool> for Db {
    fn from(pool: Pool) -> Db {
        Db { pool, reads: Arc::default(), writer: Arc::default(), health: Arc::default(), replica: None, primary: None }
    }
}

/// A value bound to a `$N` placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Timestamp(DateTime<Utc>),
    OptTimestamp(Option<DateTime<Utc>>),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    /// A BLOB on SQLite, a BYTEA on PostgreSQL.
    Bytes(Vec<u8>),
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::$variant(v.into()) }
        })*
    };
}
value_from!(i64 => Int, Option<i64> => OptInt, String => Text, &str => Text, &String => Text,
    Option<String> => OptText, bool => Bool, DateTime<Utc> => Timestamp, NaiveDate => Date,
    Option<DateTime<Utc>> => OptTimestamp, Option<NaiveDate> => OptDate, Vec<u8> => Bytes);

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::OptText(v.map(str::to_owned))
    }
}

/// SQL text plus its bound values.
#[derive(Debug, Clone)]
pub struct Query {
    sql: Cow<'static, str>,
    args: Vec<Value>,
}

/// Starts a query written in the SQL both engines accept.
pub fn query(sql: &'static str) -> Query {
    Query { sql: Cow::Borrowed(sql), args: Vec::new() }
}

/// Starts a query assembled at run time. Only placeholders may carry input: callers build the text from
/// fixed fragments, never from user data.
pub fn dynamic_query(sql: String) -> Query {
    Query { sql: Cow::Owned(sql), args: Vec::new() }
}

impl Query {
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }
}

/// A row type that decodes from both engines.
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Value::Int(v) => q.bind(v),
                Value::OptInt(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::OptText(v) => q.bind(v),
                Value::Bool(v) => q.bind(v),
                // Microseconds on both engines: PostgreSQL keeps no more, so SQLite keeps no more
                // either, and a deployment moved between them keeps every instant as written.
                Value::Timestamp(v) => q.bind(chrono::SubsecRound::trunc_subsecs(v, 6)),
                Value::Date(v) => q.bind(v),
                Value::OptTimestamp(v) => q.bind(v.map(|v| chrono::SubsecRound::trunc_subsecs(v, 6))),
                Value::OptDate(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

macro_rules! sqlite_as {
    ($q:expr, $T:ty) => {
        bind_all!(sqlx::query_as::<Sqlite, $T>(AssertSqlSafe($q.sql)), $q.args)
    };
}

macro_rules! postgres_as {
    ($q:expr, $T:ty) => {
        bind_all!(sqlx::query_as::<Postgres, $T>(AssertSqlSafe($q.sql)), $q.args)
    };
}

/// Runs a read on this `Db`'s pool, failing at once while its server is away. On a replica's `Db`
/// a read the replica cannot answer (away, or failing now) runs on the primary instead, and the
/// replica is passed over for a while. Inlined rather than a function: the body is an `async` block
/// over a borrowed pool, and the fallback must not recurse into `Db`'s own methods.
macro_rules! routed {
    ($db:ident, $q:expr, |$pool:ident, $arg:ident| $body:expr) => {{
        let q = $q;
        match &$db.primary {
            None => {
                $db.health.check()?;
                let result: Result<_, StoreError> = {
                    let ($pool, $arg) = (&$db.pool, q);
                    async { $body }.await
                };
                $db.health.observe(&result);
                result
            }
            Some(primary) => {
                if !$db.health.is_away() {
                    let result: Result<_, StoreError> = {
                        #[allow(clippy::clone_on_copy, clippy::unit_arg)]
                        let ($pool, $arg) = (&$db.pool, q.clone());
                        async { $body }.await
                    };
                    match result {
                        Err(e) if e.is_unavailable() => {
                            tracing::warn!(error = %e, "the read replica failed a read: reading from the primary");
                            $db.health.pass_over_for(REPLICA_AWAY);
                        }
                        other => return other,
                    }
                }
                primary.health.check()?;
                let result: Result<_, StoreError> = {
                    let ($pool, $arg) = (&primary.pool, q);
                    async { $body }.await
                };
                primary.health.observe(&result);
                result
            }
        }
    }};
}

impl Pool {
    async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Db {
    /// Connects to `sqlite://path` or `postgres://…`. A failure names the host (never the password).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // A command is answered only once it survives a power cut, not just a crash of
                    // the process: with WAL, FULL syncs the log at every commit (NORMAL would not).
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // Reads of a large audit log are random B-tree descents: map the file instead of a
                    // read syscall per page, and keep the upper levels of the trees cached.
                    .pragma("mmap_size", "268435456")
                    .pragma("cache_size", "-16384");
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Unreachable { target: sqlite_target(url), reason: e.to_string() })?;
                Ok(Pool::Sqlite(pool).into())
            }
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl(redact_url(url)))?
                    // Answered only once durable, whatever the server's default says.
                    .options([("synchronous_commit", "on")]);
                let target = format!("{}:{}", options.get_host(), options.get_port());
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options.clone())
                    .await
                    .map_err(|e| StoreError::Unreachable { target, reason: describe_connect_error(&e) })?;
                let db = Db::from(Pool::Postgres(pool.clone()));
                spawn_probe(&db.health, options, pool, None);
                Ok(db)
            }
            other => Err(StoreError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// Connects to the primary at `url` and, when `read_url` is given, to a PostgreSQL streaming
    /// replica for the reads that may lag a little ([`Db::lagging`]) — no more than `max_lag`: a
    /// replica further behind is passed over until it catches up. The replica is connected
    /// lazily: a replica that is away when the server starts only means those reads go to the
    /// primary until it answers.
    pub async fn connect_with_replica(url: &str, read_url: Option<&str>, max_lag: Duration) -> Result<Db, StoreError> {
        let mut db = Db::connect(url).await?;
        let Some(read_url) = read_url.filter(|u| !u.trim().is_empty()) else { return Ok(db) };
        if db.backend() != Backend::Postgres || !matches!(read_url.split(':').next(), Some("postgres" | "postgresql")) {
            return Err(StoreError::BadUrl(format!(
                "a read replica ({}) needs PostgreSQL for both the primary and the replica",
                redact_url(read_url)
            )));
        }
        let options = PgConnectOptions::from_str(read_url).map_err(|_| StoreError::BadUrl(redact_url(read_url)))?;
        // A replica that does not answer quickly is passed over, not waited for.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(1))
            .connect_lazy_with(options.clone());
        let mut replica = Db::from(Pool::Postgres(pool.clone()));
        spawn_probe(&replica.health, options, pool, Some(max_lag));
        replica.primary = Some(Box::new(Db { replica: None, ..db.clone() }));
        db.replica = Some(Arc::new(replica));
        Ok(db)
    }

    /// Where to send a read that may lag a little behind the latest commit: public pages, the
    /// catalogue, the dashboard, open data — never a person's own case right after they changed it.
    /// The replica when one is configured and answering, the primary otherwise; a read that fails on
    /// the replica is repeated on the primary.
    pub fn lagging(&self) -> &Db {
        match &self.replica {
            Some(replica) if !replica.health.is_away() => replica,
            _ => self,
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// What this process keeps of the published catalogue (see [`crate::catalogue::cache`]).
    pub(crate) fn reads(&self) -> &ReadCache {
        &self.reads
    }

    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        // A data migration SQL cannot express: entries must be re-encoded byte for byte.
        crate::audit::upgrade_layout(self).await?;
        // Usernames from before they were normalised; each change is a leaf, so it runs after the log
        // is in its current layout.
        for (officer_id, _) in crate::identity::officers::normalise_usernames(self).await? {
            tracing::warn!(
                officer_id,
                "an officer's username has no normal form or its normal form is taken; they sign in typing it exactly \
                 until an admin gives them a new account"
            );
        }
        Ok(())
    }

    /// Whether every migration of this build has been applied, including the audit log's conversion to
    /// the tiled layout. Read-only commands check this instead of migrating on their own.
    pub async fn schema_is_current(&self) -> Result<bool, StoreError> {
        let migrator = match &self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Result<(Option<i64>,), StoreError> =
            self.fetch_one(query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")).await;
        let Ok((Some(applied),)) = applied else { return Ok(false) };
        if applied < latest {
            return Ok(false);
        }
        let (layout,): (i64,) = self.fetch_one(query("SELECT layout FROM audit_head WHERE id = 1")).await?;
        Ok(layout >= crate::audit::CURRENT_LAYOUT)
    }

    /// Checks that the database answers (for `/readyz`): the primary, on a pooled connection.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.execute(query("SELECT 1")).await.map(|_| ())
    }

    pub async fn close(&self) {
        if let Some(replica) = &self.replica {
            replica.pool.close().await;
        }
        self.pool.close().await;
    }

    /// Starts a transaction: one command, one transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        // A replica takes no writes: a command handed the lagging `Db` still writes to the primary.
        let this = self.primary.as_deref().unwrap_or(self);
        this.health.check()?;
        let began = this.begin_on_pool().await;
        this.health.observe(&began);
        began
    }

    async fn begin_on_pool(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            // IMMEDIATE takes the write lock up front: a read-then-write transaction cannot fail
            // half-way with SQLITE_BUSY when another writer got there first.
            Pool::Sqlite(pool) => {
                // SQLite has one writer. Writers of this process queue for it here, in order, and are
                // woken the moment it is free; left to SQLite's busy handler they would sleep in steps
                // of up to 100 ms long after the lock was released (the p99 of every write under
                // load), and hold a pooled connection while they slept. The wait is bounded like the
                // busy handler's: a transaction opened inside another's turn fails, never hangs.
                let turn = tokio::time::timeout(WRITER_WAIT, self.writer.clone().lock_owned())
                    .await
                    .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?;
                let mut tx = Tx::new(TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?));
                tx.writer_turn = Some(turn);
                tx
            }
            Pool::Postgres(pool) => Tx::new(TxConn::Postgres(pool.begin().await?)),
        })
    }

    /// Starts a read-only transaction that sees one consistent snapshot and blocks no writer
    /// (for verification and exports).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        routed!(self, (), |pool, _unit| begin_read_on(pool).await)
    }

    pub async fn fetch_all<T: Record>(&self, q: Query) -> Result<Vec<T>, StoreError> {
        routed!(self, q, |p, q| Ok(match p {
            Pool::Sqlite(p) => sqlite_as!(q, T).fetch_all(p).await?,
            Pool::Postgres(p) => postgres_as!(q, T).fetch_all(p).await?,
        }))
    }

    pub async fn fetch_optional<T: Record>(&self, q: Query) -> Result<Option<T>, StoreError> {
        routed!(self, q, |p, q| Ok(match p {
            Pool::Sqlite(p) => sqlite_as!(q, T).fetch_optional(p).await?,
            Pool::Postgres(p) => postgres_as!(q, T).fetch_optional(p).await?,
        }))
    }

    pub async fn fetch_one<T: Record>(&self, q: Query) -> Result<T, StoreError> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    /// Rows of text columns (every column cast to TEXT in the query), for canonical state hashing.
    pub async fn fetch_text_rows(&self, q: Query) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        routed!(self, q, |p, q| Ok(match p {
            Pool::Sqlite(p) => {
                text_rows(bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?)?
            }
            Pool::Postgres(p) => {
                text_rows(bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(q.sql)), q.args).fetch_all(p).await?)?
            }
        }))
    }

    /// Runs a statement outside a transaction, on the primary (a replica's `Db` hands it over).
    pub async fn execute(&self, q: Query) -> Result<u64, StoreError> {
        let this = self.primary.as_deref().unwrap_or(self);
        this.health.check()?;
        let done = async {
            Ok(match &this.pool {
                Pool::Sqlite(p) => {
                    bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(q.sql)), q.args).execute(p).await?.rows_affected()
                }
                Pool::Postgres(p) => {
                    bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(q.sql)), q.args).execute(p).await?.rows_affected()
                }
            })
        }
        .await;
        this.health.observe(&done);
        done
    }
}

async fn begin_read_on(pool: &Pool) -> Result<Tx, StoreError> {
    Ok(match pool {
        Pool::Sqlite(pool) => Tx::new(TxConn::Sqlite(pool.begin_with("BEGIN DEFERRED").await?)),
        Pool::Postgres(pool) => {
            Tx::new(TxConn::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?))
        }
    })
}

/// An open transaction on either engine. Dropping it without `commit` rolls back, so a command that
/// fails half-way leaves nothing written.
pub struct Tx {
    conn: TxConn,
    /// This process's turn as SQLite's writer, given back when the transaction ends (declared after
    /// the connection, so it is dropped after it).
    writer_turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Whether it wrote something the catalogue's read cache holds: its commit tells the cache.
    changes_catalogue: bool,
}

enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn new(conn: TxConn) -> Tx {
        Tx { conn, writer_turn: None, changes_catalogue: false }
    }

    pub fn backend(&self) -> Backend {
        match &self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        let committed = match self.conn {
            TxConn::Sqlite(t) => t.commit().await,
            TxConn::Postgres(t) => t.commit().await,
        };
        // After the commit, never before: a reader that looked at the cache's generation before this
        // point may have read the old rows, and must find its entry stale. Told even when the commit
        // reported an error, since it may have happened all the same.
        if self.changes_catalogue {
            cache::catalogue_changed();
        }
        // A connection lost during the commit leaves its outcome unknown: said so, so that nobody
        // is told "not saved" about a change the server may have made durable.
        committed.map_err(|e| if crate::sqlx_unavailable(&e) { StoreError::Unconfirmed(e) } else { e.into() })
    }

    /// Notes that this transaction changes rows the catalogue's read cache holds.
    pub(crate) fn changes_catalogue(&mut self) {
        self.changes_catalogue = true;
    }

    pub async fn fetch_all<T: Record>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
        Ok(match &mut self.conn {
            TxConn::Sqlite(t) => sqlite_as!(q, T).fetch_all(&mut **t).await?,
            TxConn::Postgres(t) => postgres_as!(q, T).fetch_all(&mut **t).await?,
        })
    }

    pub async fn fetch_optional<T: Record>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
        Ok(match &mut self.conn {
            TxConn::Sqlite(t) => sqlite_as!(q, T).fetch_optional(&mut **t).await?,
            TxConn::Postgres(t) => postgres_as!(q, T).fetch_optional(&mut **t).await?,
        })
    }

    pub async fn fetch_one<T: Record>(&mut self, q: Query) -> Result<T, StoreError> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    pub async fn fetch_text_rows(&mut self, q: Query) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        Ok(match &mut self.conn {
            TxConn::Sqlite(t) => {
                text_rows(bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(q.sql)), q.args).fetch_all(&mut **t).await?)?
            }
            TxConn::Postgres(t) => {
                text_rows(bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(q.sql)), q.args).fetch_all(&mut **t).await?)?
            }
        })
    }

    pub async fn execute(&mut self, q: Query) -> Result<u64, StoreError> {
        Ok(match &mut self.conn {
            TxConn::Sqlite(t) => {
                bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(q.sql)), q.args).execute(&mut **t).await?.rows_affected()
            }
            TxConn::Postgres(t) => bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(q.sql)), q.args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    /// Inserts a row and returns its new id (`INSERT … RETURNING id` on both engines).
    pub async fn insert(&mut self, q: Query) -> Result<i64, StoreError> {
        let (id,): (i64,) = self.fetch_one(q).await?;
        Ok(id)
    }
}

fn text_rows<R>(rows: Vec<R>) -> Result<Vec<Vec<Option<String>>>, sqlx::Error>
where
    R: sqlx::Row,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    rows.iter().map(|row| (0..row.len()).map(|i| row.try_get::<Option<String>, usize>(i)).collect()).collect()
}

fn sqlite_target(url: &str) -> String {
    url.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or_default().to_owned()
}

/// The URL with any password removed, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

fn describe_connect_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "no answer within 5 s".to_owned(),
        sqlx::Error::Tls(_) => "TLS handshake failed".to_owned(),
        // Database errors (bad password, unknown database) carry the server's message, not the URL.
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_passwords() {
        assert_eq!(redact_url("postgres://u:secret@db:5432/balai"), "postgres://u:***@db:5432/balai");
        assert_eq!(redact_url("postgres://db/balai"), "postgres://db/balai");
    }
}
