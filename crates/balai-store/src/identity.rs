//! Identity, first part: catalogue administrators and their server-side sessions.
//!
//! Sessions live in the database so any node can serve any request. The cookie carries a random token;
//! only its SHA-256 is stored, so a copy of the table opens no session.

use crate::audit::{self, Actor, Subject};
use crate::{Db, StoreError, Tx, query};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Admin {
    pub id: i64,
    pub government_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminSession {
    pub admin_id: i64,
    pub username: String,
    pub display_name: String,
    pub government_id: Option<i64>,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn create_admin(
    tx: &mut Tx,
    actor: &Actor,
    government_id: Option<i64>,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<i64, StoreError> {
    let id = tx
        .insert(
            query(
                "INSERT INTO admins (government_id, username, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(government_id)
            .bind(username)
            .bind(display_name)
            .bind(password_hash)
            .bind(Utc::now()),
        )
        .await?;
    audit::record_change(tx, actor, "identity.admin.create", &Subject::new("admins", id), government_id).await?;
    Ok(id)
}

pub async fn admin_by_username(db: &Db, username: &str) -> Result<Option<Admin>, StoreError> {
    db.fetch_optional(
        query("SELECT id, government_id, username, display_name, password_hash, created_at FROM admins WHERE username = $1")
            .bind(username),
    )
    .await
}

/// Opens a session; the sign-in is a leaf of the audit log.
pub async fn create_session(
    tx: &mut Tx,
    token_hash: &str,
    admin_id: i64,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        query("INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(admin_id)
            .bind(csrf_token)
            .bind(Utc::now())
            .bind(expires_at),
    )
    .await?;
    let actor = Actor::admin(admin_id);
    audit::record_event(tx, &actor, "identity.admin.sign_in", &Subject::new("admins", admin_id), None, None).await?;
    Ok(())
}

/// The live session for a token hash; expired sessions are not returned.
pub async fn session(db: &Db, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AdminSession>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT s.admin_id, a.username, a.display_name, a.government_id, s.csrf_token, s.expires_at \
             FROM admin_sessions s JOIN admins a ON a.id = s.admin_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
}

/// Ends a session; the sign-out is a leaf of the audit log.
pub async fn delete_session(tx: &mut Tx, token_hash: &str, admin_id: i64) -> Result<(), StoreError> {
    tx.execute(query("DELETE FROM admin_sessions WHERE token_hash = $1").bind(token_hash)).await?;
    let actor = Actor::admin(admin_id);
    audit::record_event(tx, &actor, "identity.admin.sign_out", &Subject::new("admins", admin_id), None, None).await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired_sessions(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.execute(query("DELETE FROM admin_sessions WHERE expires_at <= $1").bind(now)).await
}
