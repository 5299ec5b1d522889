//! The job queue: work to run after a command commits, by any node, with leases, retries and
//! deduplication.
//!
//! A command enqueues a job in its own transaction ([`enqueue`]), so the job exists exactly when the
//! command's change does. A worker [`claim`]s due jobs: one guarded statement picks them, counts the
//! attempt and gives each a fresh random lease token and a lease end. Only the holder of that token
//! can [`complete`], [`fail`] or [`extend`] the job; once a lease runs out another worker may claim
//! the job again under a new token, and the first worker's outcome no longer lands (each of those
//! answers `false`).
//!
//! On PostgreSQL the claim's inner select locks its rows `FOR UPDATE SKIP LOCKED`: concurrent claimers
//! pass over each other's rows instead of queueing behind them, and the lock lasts only for the claim
//! statement, not for the job. On SQLite a writing statement holds the database's one write lock from
//! its first step, so the same statement (without the locking clause) runs whole before or after any
//! other claimer's, on any number of processes sharing the file; the outer guard repeats the
//! conditions, so a row is only ever taken while it is free.
//!
//! The table holds work, not records: it is not audited. A job that changes audited state calls a
//! command (as `Actor::system`), which leaves its own leaf.

use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::personal_number::carries_personal_number;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Duration, Utc};

/// The largest payload, serialised, in bytes: a payload names what to work on (ids, codes), it does
/// not carry the data itself.
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024;
/// The longest deduplication key, in bytes.
pub const MAX_DEDUPE_KEY_BYTES: usize = 200;
/// The longest stored failure reason, in characters.
pub const MAX_ERROR_CHARS: usize = 500;
/// The longest kind code, in bytes.
pub const MAX_KIND_BYTES: usize = 64;

/// A job to enqueue. `kind` is a code fixed in the program (a constant next to the code that runs the
/// job), never text from a request.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'static str,
    /// `None`: a system-wide job.
    pub government_id: Option<i64>,
    pub payload: serde_json::Value,
    /// Not before this instant.
    pub run_at: DateTime<Utc>,
    /// Claims allowed in all, the first included (at least 1).
    pub max_attempts: u32,
    /// While an unfinished job of the same kind has this key, enqueueing again returns that job.
    pub dedupe_key: Option<&'a str>,
}

/// A job claimed by this worker, with the lease that lets it record the outcome.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub government_id: Option<i64>,
    pub payload: serde_json::Value,
    /// Which attempt this is: 1 for the first claim (claims are counted, so a job whose worker dies
    /// every time still runs out of attempts).
    pub attempts: u32,
    pub lease: JobLease,
}

/// One claim of one job. Opaque: a later claim of the same job gets another token, and only the
/// current one records an outcome.
#[derive(Clone, PartialEq, Eq)]
pub struct JobLease {
    id: i64,
    token: String,
}

impl JobLease {
    /// The job this lease is for.
    pub fn job_id(&self) -> i64 {
        self.id
    }
}

impl std::fmt::Debug for JobLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JobLease({}, …)", self.id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for its time, or running under a lease.
    Pending,
    Done,
    /// Failed for good: its last attempt failed, it was failed without a retry, or its worker's lease
    /// ran out on its last attempt.
    Dead,
}

impl JobStatus {
    fn parse(code: &str) -> Option<JobStatus> {
        match code {
            "pending" => Some(JobStatus::Pending),
            "done" => Some(JobStatus::Done),
            "dead" => Some(JobStatus::Dead),
            _ => None,
        }
    }
}

/// A job as stored, for operators and tests. The payload is left out: listings show what failed, not
/// what it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub government_id: Option<i64>,
    pub dedupe_key: Option<String>,
    pub status: JobStatus,
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub leased_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    kind: String,
    government_id: Option<i64>,
    dedupe_key: Option<String>,
    status: String,
    run_at: DateTime<Utc>,
    attempts: i64,
    max_attempts: i64,
    leased_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

const RECORD_COLUMNS: &str = "id, kind, government_id, dedupe_key, status, run_at, attempts, max_attempts, leased_until, \
     last_error, created_at, finished_at";

impl TryFrom<RecordRow> for JobRecord {
    type Error = StoreError;

    fn try_from(row: RecordRow) -> Result<Self, StoreError> {
        Ok(JobRecord {
            status: JobStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt(format!("job {} has status {:?}", row.id, row.status)))?,
            id: row.id,
            kind: row.kind,
            government_id: row.government_id,
            dedupe_key: row.dedupe_key,
            run_at: row.run_at,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            leased_until: row.leased_until,
            last_error: row.last_error,
            created_at: row.created_at,
            finished_at: row.finished_at,
        })
    }
}

/// Whether `kind` is a short code: lower-case ASCII letters, digits, `_`, `-` and `.`, starting with a
/// letter.
fn is_kind_code(kind: &str) -> bool {
    kind.len() <= MAX_KIND_BYTES
        && kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'))
}

/// Enqueues a job in the caller's transaction: it exists if and only if that transaction commits.
/// With a `dedupe_key` that an unfinished job of the same kind already has, nothing is written and that
/// job's id is returned. A payload over [`MAX_PAYLOAD_BYTES`] is refused (`Invalid`, field `payload`).
pub async fn enqueue(tx: &mut Tx, job: &NewJob<'_>) -> Result<i64, StoreError> {
    let payload = serde_json::to_string(&job.payload)
        .map_err(|e| StoreError::Corrupt(format!("a job payload does not serialise: {e}")))?;
    let mut errors = FieldErrors::default();
    if !is_kind_code(job.kind) {
        errors.push("kind", Rule::Format { expected: "breach_check" });
    }
    if payload.len() > MAX_PAYLOAD_BYTES {
        errors.push("payload", Rule::TooLong { max: MAX_PAYLOAD_BYTES });
    }
    if job.max_attempts == 0 {
        errors.push("max_attempts", Rule::OutOfRange { min: 1, max: i64::from(u32::MAX) });
    }
    match job.dedupe_key {
        Some("") => errors.push("dedupe_key", Rule::Required),
        Some(key) if key.len() > MAX_DEDUPE_KEY_BYTES => {
            errors.push("dedupe_key", Rule::TooLong { max: MAX_DEDUPE_KEY_BYTES })
        }
        _ => {}
    }
    errors.into_result()?;

    // The conflict target names the partial unique index (its predicate repeated, as both engines
    // require), so only an unfinished job with the same kind and key makes this a no-op.
    let inserted: Option<(i64,)> = tx
        .fetch_optional(
            query(
                "INSERT INTO jobs (government_id, kind, payload, dedupe_key, status, run_at, attempts, max_attempts, \
                 created_at) VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6, $7) \
                 ON CONFLICT (kind, dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL DO NOTHING \
                 RETURNING id",
            )
            .bind(job.government_id)
            .bind(job.kind)
            .bind(payload)
            .bind(job.dedupe_key)
            .bind(job.run_at)
            .bind(i64::from(job.max_attempts))
            .bind(Utc::now()),
        )
        .await?;
    if let Some((id,)) = inserted {
        return Ok(id);
    }
    let (id,): (i64,) = tx
        .fetch_optional(
            query("SELECT id FROM jobs WHERE kind = $1 AND dedupe_key = $2 AND status = 'pending'")
                .bind(job.kind)
                .bind(job.dedupe_key),
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("a job insert conflicted with no unfinished job".into()))?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    kind: String,
    government_id: Option<i64>,
    payload: String,
    attempts: i64,
    lease_token: String,
    run_at: DateTime<Utc>,
}

/// Claims up to `limit` due jobs of the given kinds for this worker, for `lease_for`: unfinished jobs
/// whose time has come, whose lease is free or has run out, and that have attempts left. Each claim
/// counts an attempt and gets a fresh random lease token. Oldest due first.
///
/// A job whose lease ran out on its last attempt (its worker died or hung) is marked dead here.
pub async fn claim(
    db: &Db,
    kinds: &[&str],
    now: DateTime<Utc>,
    lease_for: Duration,
    limit: u32,
) -> Result<Vec<ClaimedJob>, StoreError> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut kind_params = String::new();
    for i in 0..kinds.len() {
        if i > 0 {
            kind_params.push_str(", ");
        }
        kind_params.push_str(&format!("${}", i + 5));
    }
    let condition = "status = 'pending' AND run_at <= $3 AND (leased_until IS NULL OR leased_until <= $3) \
                     AND attempts < max_attempts";
    let lock = match db.backend() {
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::Backend::Sqlite => "",
    };
    // Built from fixed fragments only; the kinds are bound. The pick is a materialised CTE: as a plain
    // `IN (SELECT …)` PostgreSQL may run it again per row, skip the row it has just updated, and so
    // take more than `limit` jobs.
    let sql = format!(
        "WITH picked AS MATERIALIZED (SELECT id FROM jobs WHERE {condition} AND kind IN ({kind_params}) \
                                      ORDER BY run_at, id LIMIT $4{lock}) \
         UPDATE jobs SET attempts = attempts + 1, lease_token = $1 || '-' || CAST(id AS TEXT), leased_until = $2 \
         WHERE id IN (SELECT id FROM picked) AND {condition} \
         RETURNING id, kind, government_id, payload, attempts, lease_token, run_at"
    );
    let mut q = dynamic_query(sql).bind(random_token()).bind(now + lease_for).bind(now).bind(i64::from(limit));
    for kind in kinds {
        q = q.bind(*kind);
    }
    let mut rows: Vec<ClaimRow> = db.fetch_all(q).await?;
    rows.sort_by_key(|r| (r.run_at, r.id));

    sweep_expired_last_attempts(db, kinds, now).await?;

    rows.into_iter()
        .map(|row| {
            Ok(ClaimedJob {
                payload: serde_json::from_str(&row.payload)
                    .map_err(|e| StoreError::Corrupt(format!("job {} payload: {e}", row.id)))?,
                attempts: u32::try_from(row.attempts)
                    .map_err(|_| StoreError::Corrupt(format!("job {} attempts {}", row.id, row.attempts)))?,
                lease: JobLease { id: row.id, token: row.lease_token },
                id: row.id,
                kind: row.kind,
                government_id: row.government_id,
            })
        })
        .collect()
}

/// Jobs whose lease ran out on their last attempt can never be claimed again: they are dead.
async fn sweep_expired_last_attempts(db: &Db, kinds: &[&str], now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut kind_params = String::new();
    for i in 0..kinds.len() {
        if i > 0 {
            kind_params.push_str(", ");
        }
        kind_params.push_str(&format!("${}", i + 3));
    }
    let mut q = dynamic_query(format!(
        "UPDATE jobs SET status = 'dead', finished_at = $1, last_error = $2, lease_token = NULL, leased_until = NULL \
         WHERE status = 'pending' AND attempts >= max_attempts AND leased_until <= $1 AND kind IN ({kind_params})"
    ))
    .bind(now)
    .bind("the lease ran out on the last attempt");
    for kind in kinds {
        q = q.bind(*kind);
    }
    db.execute(q).await?;
    Ok(())
}

/// 128 random bits as hex; the claim appends the job id, so each job's token is its own.
fn random_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const COMPLETE: &str = "UPDATE jobs SET status = 'done', finished_at = $1, lease_token = NULL, leased_until = NULL \
     WHERE id = $2 AND lease_token = $3 AND status = 'pending'";

/// Marks the job done. `false` when the lease was lost (another worker has claimed the job since):
/// nothing is written.
pub async fn complete(db: &Db, lease: &JobLease, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let moved = db.execute(query(COMPLETE).bind(now).bind(lease.id).bind(lease.token.as_str())).await?;
    Ok(moved == 1)
}

/// [`complete`] inside the caller's transaction: the job's effect and its completion commit together.
/// On `false` the caller should roll back its effect: another worker holds the job now.
pub async fn complete_in(tx: &mut Tx, lease: &JobLease, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let moved = tx.execute(query(COMPLETE).bind(now).bind(lease.id).bind(lease.token.as_str())).await?;
    Ok(moved == 1)
}

/// Records a failed attempt. With `retry_at` the job returns to the queue at that time, unless its
/// attempts are used up; without it, or with none left, the job is dead. `reason` is a short text
/// with no personal data (a reason that carries a long number is not stored; a fixed text replaces
/// it). `false` when the lease was lost: nothing is written.
pub async fn fail(
    db: &Db,
    lease: &JobLease,
    now: DateTime<Utc>,
    reason: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<bool, StoreError> {
    let reason = stored_reason(reason);
    let moved = db
        .execute(
            query(
                "UPDATE jobs SET \
                 status = CASE WHEN $1 OR attempts >= max_attempts THEN 'dead' ELSE 'pending' END, \
                 finished_at = CASE WHEN $1 OR attempts >= max_attempts THEN $2 ELSE NULL END, \
                 run_at = CASE WHEN $1 OR attempts >= max_attempts THEN run_at ELSE $3 END, \
                 last_error = $4, lease_token = NULL, leased_until = NULL \
                 WHERE id = $5 AND lease_token = $6 AND status = 'pending'",
            )
            .bind(retry_at.is_none())
            .bind(now)
            .bind(retry_at.unwrap_or(now))
            .bind(reason)
            .bind(lease.id)
            .bind(lease.token.as_str()),
        )
        .await?;
    Ok(moved == 1)
}

/// The reason as stored: bounded, and never a text carrying a long number (a NIK, a phone number).
fn stored_reason(reason: &str) -> String {
    if carries_personal_number(reason) {
        return "(reason withheld: it carried a long number)".to_owned();
    }
    reason.chars().filter(|c| !c.is_control()).take(MAX_ERROR_CHARS).collect()
}

/// Keeps the job leased until `now + lease_for` (a long job renews before its lease runs out).
/// `false` when the lease was lost.
pub async fn extend(db: &Db, lease: &JobLease, now: DateTime<Utc>, lease_for: Duration) -> Result<bool, StoreError> {
    let moved = db
        .execute(
            query("UPDATE jobs SET leased_until = $1 WHERE id = $2 AND lease_token = $3 AND status = 'pending'")
                .bind(now + lease_for)
                .bind(lease.id)
                .bind(lease.token.as_str()),
        )
        .await?;
    Ok(moved == 1)
}

/// The wait before the next attempt after `attempts` attempts: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff(attempts: u32) -> Duration {
    let exponent = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exponent).min(3600))
}

/// Unfinished jobs of a kind, running ones included.
pub async fn pending_count(db: &Db, kind: &str) -> Result<i64, StoreError> {
    let (count,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'pending'").bind(kind)).await?;
    Ok(count)
}

/// Dead jobs, most recently given up first.
pub async fn dead_jobs(db: &Db, limit: u32) -> Result<Vec<JobRecord>, StoreError> {
    let rows: Vec<RecordRow> = db
        .fetch_all(
            dynamic_query(format!(
                "SELECT {RECORD_COLUMNS} FROM jobs WHERE status = 'dead' ORDER BY finished_at DESC, id DESC LIMIT $1"
            ))
            .bind(i64::from(limit)),
        )
        .await?;
    rows.into_iter().map(JobRecord::try_from).collect()
}

/// One job by id.
pub async fn job(db: &Db, id: i64) -> Result<Option<JobRecord>, StoreError> {
    let row: Option<RecordRow> =
        db.fetch_optional(dynamic_query(format!("SELECT {RECORD_COLUMNS} FROM jobs WHERE id = $1")).bind(id)).await?;
    row.map(JobRecord::try_from).transpose()
}

/// Deletes jobs done before `before` (dead ones stay for operators). Returns how many went.
pub async fn purge_done(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    db.execute(query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1").bind(before)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_thirty_seconds_and_stops_at_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(0), Duration::seconds(30), "no attempt yet waits like the first");
        assert_eq!(backoff(u32::MAX), Duration::hours(1), "no overflow");
    }

    #[test]
    fn kinds_are_short_codes() {
        for good in ["breach_check", "outbox.deliver", "a", "sla-2"] {
            assert!(is_kind_code(good), "{good}");
        }
        let long = "a".repeat(MAX_KIND_BYTES + 1);
        for bad in ["", "Breach", "1st", "breach check", "breach;drop", "kasus_é", long.as_str()] {
            assert!(!is_kind_code(bad), "{bad}");
        }
        assert!(is_kind_code(&"a".repeat(MAX_KIND_BYTES)));
    }

    #[test]
    fn a_stored_reason_is_bounded_and_never_carries_a_long_number() {
        assert_eq!(stored_reason("webhook answered HTTP 503"), "webhook answered HTTP 503");
        assert_eq!(stored_reason("line\nbreak"), "linebreak");
        assert_eq!(stored_reason(&"x".repeat(2000)).chars().count(), MAX_ERROR_CHARS);
        let leaked = stored_reason("no reply from 0812-3456-7890");
        assert!(!leaked.contains("3456"), "{leaked}");
    }
}
