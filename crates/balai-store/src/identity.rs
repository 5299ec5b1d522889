//! Identity: administrators, citizens (with personal data sealed at rest), one-time sign-in codes, and
//! the one session mechanism they all share.
//!
//! Sessions live in the database so any node can serve any request. The cookie carries a random token;
//! only its SHA-256 is stored, so a copy of the table opens no session.

pub mod citizens;
pub mod codes;
pub mod vault;

pub use vault::{Vault, VaultError};

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

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Admin,
    Citizen,
}

impl PrincipalKind {
    pub fn code(self) -> &'static str {
        match self {
            PrincipalKind::Admin => "admin",
            PrincipalKind::Citizen => "citizen",
        }
    }

    fn actor(self, id: i64) -> Actor {
        match self {
            PrincipalKind::Admin => Actor::admin(id),
            PrincipalKind::Citizen => Actor::citizen(id),
        }
    }

    fn subject(self, id: i64) -> Subject {
        match self {
            PrincipalKind::Admin => Subject::new("admins", id),
            PrincipalKind::Citizen => Subject::new("citizens", id),
        }
    }
}

/// A live session of any kind of principal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub principal_id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Opens a session; the sign-in is a leaf of the audit log.
pub async fn open_session(
    tx: &mut Tx,
    kind: PrincipalKind,
    principal_id: i64,
    token_hash: &str,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        query(
            "INSERT INTO sessions (token_hash, principal_kind, principal_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(kind.code())
        .bind(principal_id)
        .bind(csrf_token)
        .bind(Utc::now())
        .bind(expires_at),
    )
    .await?;
    let action = format!("identity.{}.sign_in", kind.code());
    audit::record_event(tx, &kind.actor(principal_id), &action, &kind.subject(principal_id), None, None).await?;
    Ok(())
}

/// The live session of this kind for a token hash; expired sessions are not returned.
pub async fn live_session(
    db: &Db,
    kind: PrincipalKind,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Session>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT principal_id, csrf_token, expires_at FROM sessions \
             WHERE token_hash = $1 AND principal_kind = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(kind.code())
        .bind(now),
    )
    .await
}

/// Ends one session; the sign-out is a leaf of the audit log.
pub async fn close_session(
    tx: &mut Tx,
    kind: PrincipalKind,
    token_hash: &str,
    principal_id: i64,
) -> Result<(), StoreError> {
    tx.execute(
        query("DELETE FROM sessions WHERE token_hash = $1 AND principal_kind = $2 AND principal_id = $3")
            .bind(token_hash)
            .bind(kind.code())
            .bind(principal_id),
    )
    .await?;
    let action = format!("identity.{}.sign_out", kind.code());
    audit::record_event(tx, &kind.actor(principal_id), &action, &kind.subject(principal_id), None, None).await?;
    Ok(())
}

/// Ends every session of a principal ("sign out everywhere"); returns how many were open.
pub async fn close_all_sessions(tx: &mut Tx, kind: PrincipalKind, principal_id: i64) -> Result<u64, StoreError> {
    let closed = tx
        .execute(
            query("DELETE FROM sessions WHERE principal_kind = $1 AND principal_id = $2")
                .bind(kind.code())
                .bind(principal_id),
        )
        .await?;
    let action = format!("identity.{}.sign_out_everywhere", kind.code());
    audit::record_event(tx, &kind.actor(principal_id), &action, &kind.subject(principal_id), None, None).await?;
    Ok(closed)
}

/// Opens an administrator's session.
pub async fn create_session(
    tx: &mut Tx,
    token_hash: &str,
    admin_id: i64,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    open_session(tx, PrincipalKind::Admin, admin_id, token_hash, csrf_token, expires_at).await
}

/// The live administrator session for a token hash, with the administrator's name and scope.
pub async fn session(db: &Db, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AdminSession>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT s.principal_id AS admin_id, a.username, a.display_name, a.government_id, s.csrf_token, s.expires_at \
             FROM sessions s JOIN admins a ON a.id = s.principal_id \
             WHERE s.token_hash = $1 AND s.principal_kind = 'admin' AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
}

/// Ends an administrator's session.
pub async fn delete_session(tx: &mut Tx, token_hash: &str, admin_id: i64) -> Result<(), StoreError> {
    close_session(tx, PrincipalKind::Admin, token_hash, admin_id).await
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired_sessions(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.execute(query("DELETE FROM sessions WHERE expires_at <= $1").bind(now)).await
}
