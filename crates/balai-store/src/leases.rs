//! Server leases: every running server holds a row of `server_leases`, renews it every
//! [`RENEW_SECONDS`] and deletes it when it stops; a server that died stops counting after
//! [`LEASE_SECONDS`]. What must not happen while servers run — rotating the personal-data key, under
//! which they keep sealing — asks [`live_leases`] inside its own transaction, after [`guard`].
//!
//! Taking a lease and rotating the key both update the one `key_guard` row first, so they run one
//! after the other on either engine: a server that starts during a rotation takes its lease only
//! once the rotation committed, and then finds (when it checks its key) that the data is sealed
//! under a key it does not hold.

use crate::{Db, StoreError, Tx, query};
use chrono::{DateTime, Duration, Utc};

pub const RENEW_SECONDS: u64 = 10;
pub const LEASE_SECONDS: i64 = 30;

/// A running server, as its lease names it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Lease {
    pub node_id: String,
    pub host: String,
    pub pid: i64,
    pub started_at: DateTime<Utc>,
    pub renewed_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// This process: a random node id, the host and the process id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub node_id: String,
    pub host: String,
    pub pid: i64,
}

impl Node {
    pub fn this_process() -> Node {
        let bytes: [u8; 16] = rand::random();
        Node {
            node_id: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            host: host_name(),
            pid: i64::from(std::process::id()),
        }
    }
}

/// The host name, for the operator reading a refusal; best effort.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().chars().filter(|c| !c.is_control()).take(253).collect::<String>())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Waits for (and then holds, until the transaction ends) the row that orders lease-taking and key
/// rotation.
pub async fn guard(tx: &mut Tx) -> Result<(), StoreError> {
    tx.execute(query("UPDATE key_guard SET rotated_at = rotated_at WHERE id = 1")).await?;
    Ok(())
}

/// Records that a key rotation committed in this transaction (which holds the guard).
pub async fn record_rotation(tx: &mut Tx, now: DateTime<Utc>) -> Result<(), StoreError> {
    tx.execute(query("UPDATE key_guard SET rotated_at = $1 WHERE id = 1").bind(now)).await?;
    Ok(())
}

/// Takes this server's lease (or takes it again, after it lapsed).
pub async fn take(db: &Db, node: &Node, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    guard(&mut tx).await?;
    tx.execute(query("DELETE FROM server_leases WHERE node_id = $1").bind(node.node_id.as_str())).await?;
    tx.execute(
        query(
            "INSERT INTO server_leases (node_id, host, pid, started_at, renewed_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(node.node_id.as_str())
        .bind(node.host.as_str())
        .bind(node.pid)
        .bind(now)
        .bind(now + Duration::seconds(LEASE_SECONDS)),
    )
    .await?;
    tx.commit().await
}

/// How a renewal went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The lease was live and runs on.
    Renewed,
    /// The lease had run out (the server stalled, or the database was away): anything may have
    /// happened meanwhile, a key rotation included. It is taken again.
    Lapsed,
}

/// Renews this server's lease.
pub async fn renew(db: &Db, node: &Node, now: DateTime<Utc>) -> Result<Renewal, StoreError> {
    let renewed = db
        .execute(
            query("UPDATE server_leases SET renewed_at = $1, expires_at = $2 WHERE node_id = $3 AND expires_at > $1")
                .bind(now)
                .bind(now + Duration::seconds(LEASE_SECONDS))
                .bind(node.node_id.as_str()),
        )
        .await?;
    if renewed == 1 {
        return Ok(Renewal::Renewed);
    }
    take(db, node, now).await?;
    Ok(Renewal::Lapsed)
}

/// Gives the lease up (a clean stop).
pub async fn release(db: &Db, node: &Node) -> Result<(), StoreError> {
    db.execute(query("DELETE FROM server_leases WHERE node_id = $1").bind(node.node_id.as_str())).await?;
    Ok(())
}

/// The servers using the database now, oldest first.
pub async fn live_leases(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<Lease>, StoreError> {
    tx.fetch_all(
        query(
            "SELECT node_id, host, pid, started_at, renewed_at, expires_at FROM server_leases \
             WHERE expires_at > $1 ORDER BY started_at, node_id",
        )
        .bind(now),
    )
    .await
}
