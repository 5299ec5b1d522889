//! Open311 GeoReport v2: the client applications that may file reports (each with an API key kept
//! only as its SHA-256), and the reads the API answers from — public reports only, with their
//! redacted texts, and their public timeline as the `servicerequestupdates` extension.

use crate::audit::{self, Actor, BoxFuture, Subject};
use crate::identity::access::authorize_officer;
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::applications::TrackingNumber;
use balai_domain::complaints::{ComplaintStatus, GeoPoint};
use balai_domain::identity::{Action, Target};
use balai_domain::org::Place;
use balai_domain::personal_number::redact;
use balai_domain::validation::FieldErrors;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The longest name of a client application.
pub const MAX_CLIENT_NAME_CHARS: usize = 120;
/// Clients a list returns at most.
pub const MAX_CLIENTS: i64 = 500;
/// Requests or updates one Open311 read returns at most.
pub const MAX_REQUESTS: i64 = 200;
/// Request ids one `service_request_id` filter may name.
pub const MAX_REQUEST_IDS: usize = 50;

/// A client application of the Open311 API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Client {
    pub id: i64,
    /// `None`: it may file with every government of the deployment.
    pub government_id: Option<i64>,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

impl Client {
    /// Whether the client may file with this government.
    pub fn serves(&self, government_id: i64) -> bool {
        self.revoked_at.is_none() && self.government_id.is_none_or(|g| g == government_id)
    }
}

const CLIENT_COLUMNS: &str = "id, government_id, name, created_at, revoked_at, created_by";

/// The SHA-256 (lower-case hex) a key is kept and found by.
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.trim().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new key: 32 random bytes in hex.
fn new_key() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

/// Adds a client in the caller's transaction, with its leaf. Returns its id and the key, which is
/// shown once and kept only as its hash.
pub async fn create_client_in(
    tx: &mut Tx,
    actor: &Actor,
    government_id: Option<i64>,
    name: &str,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, String), StoreError> {
    let mut e = FieldErrors::default();
    let name = e.text("name", name, MAX_CLIENT_NAME_CHARS);
    e.into_result()?;
    let key = new_key();
    let id = tx
        .insert(
            query(
                "INSERT INTO open311_clients (government_id, name, key_hash, created_at, revoked_at, created_by) \
                 VALUES ($1, $2, $3, $4, NULL, $5) RETURNING id",
            )
            .bind(government_id)
            .bind(name)
            .bind(key_hash(&key))
            .bind(now)
            .bind(created_by),
        )
        .await?;
    audit::record_change(tx, actor, "open311.client.create", &Subject::new("open311_clients", id), government_id)
        .await?;
    Ok((id, key))
}

fn target_of(government_id: Option<i64>) -> Target {
    match government_id {
        Some(g) => Target::at(Place { government_id: g, agency_id: None, unit_id: None }),
        // A client of every government is the deployment's: only a deployment-wide admin adds one.
        None => Target::default(),
    }
}

/// An administrator adds a client (of one government, or of all of them for a deployment-wide
/// administrator). Returns the client and its key, shown once.
pub async fn create_client_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: Option<i64>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(Client, String), StoreError> {
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ManageComplaints, &target_of(government_id)).await?;
    let (id, key) =
        create_client_in(&mut tx, &Actor::officer(officer_id), government_id, name, Some(officer_id), now).await?;
    let client = client_in(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok((client, key))
}

async fn client_in(tx: &mut Tx, id: i64) -> Result<Option<Client>, StoreError> {
    tx.fetch_optional(dynamic_query(format!("SELECT {CLIENT_COLUMNS} FROM open311_clients WHERE id = $1")).bind(id))
        .await
}

/// Revokes a client's key in the caller's transaction, with its leaf. Revoking twice changes nothing.
pub async fn revoke_in(tx: &mut Tx, actor: &Actor, client_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let client = client_in(tx, client_id).await?.ok_or(StoreError::NotFound)?;
    if client.revoked_at.is_some() {
        return Ok(());
    }
    tx.execute(query("UPDATE open311_clients SET revoked_at = $1 WHERE id = $2").bind(now).bind(client_id)).await?;
    audit::record_change(
        tx,
        actor,
        "open311.client.revoke",
        &Subject::new("open311_clients", client_id),
        client.government_id,
    )
    .await?;
    Ok(())
}

/// An administrator revokes a client's key: from then on it is refused.
pub async fn revoke_as_officer(db: &Db, officer_id: i64, client_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let client = client_in(&mut tx, client_id).await?.ok_or(StoreError::NotFound)?;
    authorize_officer(&mut tx, officer_id, Action::ManageComplaints, &target_of(client.government_id)).await?;
    revoke_in(&mut tx, &Actor::officer(officer_id), client_id, now).await?;
    tx.commit().await
}

/// Every client, newest first, at most [`MAX_CLIENTS`].
pub async fn list(db: &Db) -> Result<Vec<Client>, StoreError> {
    db.fetch_all(
        dynamic_query(format!("SELECT {CLIENT_COLUMNS} FROM open311_clients ORDER BY id DESC LIMIT $1"))
            .bind(MAX_CLIENTS),
    )
    .await
}

/// The client holding this key, unless it was revoked.
pub async fn client_by_key(db: &Db, key: &str) -> Result<Option<Client>, StoreError> {
    if key.trim().is_empty() {
        return Ok(None);
    }
    db.fetch_optional(
        dynamic_query(format!(
            "SELECT {CLIENT_COLUMNS} FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(key_hash(key)),
    )
    .await
}

// ---- reads ------------------------------------------------------------------------------------

/// A public report as an Open311 service request: redacted texts only, never a reporter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRequest {
    pub case_id: i64,
    pub tracking_number: String,
    pub status: ComplaintStatus,
    pub closed: bool,
    /// The latest public note on the report (redacted), empty when there is none.
    pub status_notes: String,
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub agency: String,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expected_at: Option<DateTime<Utc>>,
    pub address: String,
    pub location: Option<GeoPoint>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    case_id: i64,
    tracking_number: Option<String>,
    status: String,
    closed_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    public_text: Option<String>,
    service_code: String,
    service_name: String,
    agency: String,
    lat_e6: Option<i64>,
    lon_e6: Option<i64>,
    address: String,
    submitted_at: DateTime<Utc>,
    last_reason: Option<String>,
    last_at: Option<DateTime<Utc>>,
}

const REQUEST_SELECT: &str = "SELECT p.case_id, c.tracking_number, c.status, c.closed_at, c.due_at, p.public_text, \
     k.code AS service_code, k.name_id AS service_name, a.name AS agency, p.lat_e6, p.lon_e6, p.address, p.submitted_at, \
     (SELECT e.reason FROM case_events e WHERE e.case_id = p.case_id ORDER BY e.id DESC LIMIT 1) AS last_reason, \
     (SELECT e.at FROM case_events e WHERE e.case_id = p.case_id ORDER BY e.id DESC LIMIT 1) AS last_at \
     FROM complaints p JOIN cases c ON c.id = p.case_id JOIN complaint_categories k ON k.id = p.category_id \
     JOIN agencies a ON a.id = c.agency_id";

impl TryFrom<RequestRow> for ServiceRequest {
    type Error = StoreError;

    fn try_from(row: RequestRow) -> Result<ServiceRequest, StoreError> {
        let status =
            ComplaintStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt("complaint status".into()))?;
        Ok(ServiceRequest {
            case_id: row.case_id,
            tracking_number: row.tracking_number.unwrap_or_default(),
            status,
            closed: row.closed_at.is_some(),
            status_notes: redact(row.last_reason.as_deref().unwrap_or_default()),
            service_code: row.service_code,
            service_name: row.service_name,
            description: row.public_text.unwrap_or_default(),
            agency: row.agency,
            requested_at: row.submitted_at,
            updated_at: row.last_at.unwrap_or(row.submitted_at).max(row.submitted_at),
            expected_at: row.due_at,
            address: redact(&row.address),
            location: match (row.lat_e6, row.lon_e6) {
                (Some(lat), Some(lon)) => {
                    Some(GeoPoint { lat: lat as f64 / 1_000_000.0, lon: lon as f64 / 1_000_000.0 })
                }
                _ => None,
            },
        })
    }
}

/// Which public reports `GET requests` lists.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Tracking numbers (at most [`MAX_REQUEST_IDS`]); when given, the other filters still apply.
    pub ids: Vec<String>,
    pub category_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only open (true) or only closed (false) reports.
    pub open: Option<bool>,
}

/// Public reports of a government as service requests, newest first, at most `limit` (≤
/// [`MAX_REQUESTS`]).
pub async fn requests(
    db: &Db,
    government_id: i64,
    filter: &RequestFilter,
    limit: i64,
) -> Result<Vec<ServiceRequest>, StoreError> {
    let mut sql = format!("{REQUEST_SELECT} WHERE p.government_id = $1 AND p.public = TRUE");
    let mut binds: Vec<crate::db::Value> = vec![government_id.into()];
    let mut next = |sql: &mut String, clause: &str, value: crate::db::Value| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if !filter.ids.is_empty() {
        let numbers: Vec<String> = filter
            .ids
            .iter()
            .take(MAX_REQUEST_IDS)
            .filter_map(|id| TrackingNumber::parse(id).ok())
            .map(|t| t.as_str().to_string())
            .collect();
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(" AND c.tracking_number IN (");
        for (i, number) in numbers.into_iter().enumerate() {
            next(&mut sql, if i == 0 { "?" } else { ", ?" }, number.into());
        }
        sql.push(')');
    }
    if let Some(category) = filter.category_id {
        next(&mut sql, " AND p.category_id = ?", category.into());
    }
    if let Some(since) = filter.since {
        next(&mut sql, " AND p.submitted_at >= ?", since.into());
    }
    if let Some(until) = filter.until {
        next(&mut sql, " AND p.submitted_at <= ?", until.into());
    }
    match filter.open {
        Some(true) => sql.push_str(" AND c.closed_at IS NULL"),
        Some(false) => sql.push_str(" AND c.closed_at IS NOT NULL"),
        None => {}
    }
    next(&mut sql, " ORDER BY p.case_id DESC LIMIT ?", limit.clamp(1, MAX_REQUESTS).into());
    let mut q = dynamic_query(sql);
    for value in binds {
        q = q.bind(value);
    }
    let rows: Vec<RequestRow> = db.fetch_all(q).await?;
    rows.into_iter().map(ServiceRequest::try_from).collect()
}

/// One public report of a government by tracking number; `None` for an unknown number and for a
/// report that is not public, which a client cannot tell apart.
pub async fn request(db: &Db, government_id: i64, tracking_number: &str) -> Result<Option<ServiceRequest>, StoreError> {
    let filter = RequestFilter { ids: vec![tracking_number.to_string()], ..RequestFilter::default() };
    Ok(requests(db, government_id, &filter, 1).await?.into_iter().next())
}

/// One entry of a public report's timeline, as the `servicerequestupdates` extension lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestUpdate {
    pub update_id: i64,
    pub tracking_number: String,
    pub status: ComplaintStatus,
    /// Redacted.
    pub description: String,
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UpdateRow {
    id: i64,
    tracking_number: Option<String>,
    to_status: String,
    reason: String,
    at: DateTime<Utc>,
}

/// The timeline entries of a government's public reports between two instants, oldest first, at
/// most `limit` (≤ [`MAX_REQUESTS`]).
pub async fn updates(
    db: &Db,
    government_id: i64,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<RequestUpdate>, StoreError> {
    let mut sql = String::from(
        "SELECT e.id, c.tracking_number, e.to_status, e.reason, e.at FROM case_events e \
         JOIN complaints p ON p.case_id = e.case_id JOIN cases c ON c.id = e.case_id \
         WHERE p.government_id = $1 AND p.public = TRUE",
    );
    let mut binds: Vec<crate::db::Value> = vec![government_id.into()];
    if let Some(since) = since {
        binds.push(since.into());
        sql.push_str(&format!(" AND e.at >= ${}", binds.len()));
    }
    if let Some(until) = until {
        binds.push(until.into());
        sql.push_str(&format!(" AND e.at <= ${}", binds.len()));
    }
    binds.push(limit.clamp(1, MAX_REQUESTS).into());
    sql.push_str(&format!(" ORDER BY e.id LIMIT ${}", binds.len()));
    let mut q = dynamic_query(sql);
    for value in binds {
        q = q.bind(value);
    }
    let rows: Vec<UpdateRow> = db.fetch_all(q).await?;
    rows.into_iter()
        .map(|row| {
            Ok(RequestUpdate {
                update_id: row.id,
                tracking_number: row.tracking_number.unwrap_or_default(),
                status: ComplaintStatus::parse(&row.to_status)
                    .ok_or_else(|| StoreError::Corrupt("complaint status".into()))?,
                description: redact(&row.reason),
                at: row.at,
            })
        })
        .collect()
}

// ---- audited state ------------------------------------------------------------------------------

#[derive(Serialize, sqlx::FromRow)]
struct ClientState {
    id: i64,
    government_id: Option<i64>,
    name: String,
    key_hash: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    created_by: Option<i64>,
}

pub(crate) fn client_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<ClientState>(
        tx,
        "open311_clients",
        query(
            "SELECT id, government_id, name, key_hash, created_at, revoked_at, created_by FROM open311_clients \
             WHERE id = $1",
        ),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_64_hex_digits_found_by_its_hash_however_it_is_padded() {
        let key = new_key();
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(key_hash(&key), key_hash(&format!(" {key}\n")));
        assert_ne!(key_hash(&key), key_hash(&new_key()));
        assert_ne!(key_hash(&key), key);
    }
}
