//! Identity: officers (staff of every role), citizens (with personal data sealed at rest), one-time
//! sign-in codes, and the one session mechanism they all share.
//!
//! Sessions live in the database so any node can serve any request. The cookie carries a random token;
//! only its SHA-256 is stored, so a copy of the table opens no session.

pub mod access;
pub mod citizens;
pub mod codes;
pub mod contacts;
pub mod counter;
pub mod officers;
pub mod oidc;
pub mod register;
pub mod rotation;
pub mod sealed;
pub mod vault;

pub use officers::{NewOfficer, Officer, OfficerSession, create_admin, create_officer, officer_by_username};
pub use vault::{Vault, VaultError};

use crate::audit::{self, Actor, Subject};
use crate::{Db, StoreError, Tx, query};
use balai_domain::identity::Assurance;
use chrono::{DateTime, Utc};

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Officer,
    /// An officer whose password was right and whose second factor is still due.
    OfficerAwaitingTotp,
    Citizen,
}

impl PrincipalKind {
    pub fn code(self) -> &'static str {
        match self {
            PrincipalKind::Officer => "officer",
            PrincipalKind::OfficerAwaitingTotp => "officer_totp",
            PrincipalKind::Citizen => "citizen",
        }
    }

    /// How the principal is named in the audit log: officers by id (accountability), citizens by
    /// their pseudonym (the log is public, and must not let anyone follow a person).
    async fn audit_names(self, tx: &mut Tx, id: i64) -> Result<(Actor, Subject), StoreError> {
        Ok(match self {
            PrincipalKind::Officer | PrincipalKind::OfficerAwaitingTotp => {
                (Actor::officer(id), Subject::new("officers", id))
            }
            PrincipalKind::Citizen => (citizens::audit_actor(tx, id).await?, citizens::audit_subject(tx, id).await?),
        })
    }
}

/// A live session of any kind of principal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub principal_id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// A citizen session's level (`None` for staff sessions, and for citizen sessions older than levels).
    pub assurance: Option<String>,
}

impl Session {
    /// A citizen session's level; sessions from before levels existed are basic.
    pub fn citizen_assurance(&self) -> Assurance {
        self.assurance.as_deref().and_then(Assurance::parse).unwrap_or(Assurance::Basic)
    }
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
    open_session_at(tx, kind, principal_id, token_hash, csrf_token, expires_at, None).await
}

/// Opens a citizen's session at the level the sign-in proved.
pub async fn open_citizen_session(
    tx: &mut Tx,
    citizen_id: i64,
    token_hash: &str,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
    assurance: Assurance,
) -> Result<(), StoreError> {
    open_session_at(tx, PrincipalKind::Citizen, citizen_id, token_hash, csrf_token, expires_at, Some(assurance)).await
}

async fn open_session_at(
    tx: &mut Tx,
    kind: PrincipalKind,
    principal_id: i64,
    token_hash: &str,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
    assurance: Option<Assurance>,
) -> Result<(), StoreError> {
    tx.execute(
        query(
            "INSERT INTO sessions (token_hash, principal_kind, principal_id, csrf_token, created_at, expires_at, assurance) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(kind.code())
        .bind(principal_id)
        .bind(csrf_token)
        .bind(Utc::now())
        .bind(expires_at)
        .bind(assurance.map(Assurance::code)),
    )
    .await?;
    if kind != PrincipalKind::OfficerAwaitingTotp {
        let action = format!("identity.{}.sign_in", kind.code());
        let (actor, subject) = kind.audit_names(tx, principal_id).await?;
        audit::record_event(tx, &actor, &action, &subject, None, None).await?;
    }
    Ok(())
}

/// A session about to be opened: the hash of the cookie's token, the form token, the end.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// A principal signs out of this session: one transaction, its leaf, commit.
pub async fn sign_out(db: &Db, kind: PrincipalKind, token_hash: &str, principal_id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    close_session(&mut tx, kind, token_hash, principal_id).await?;
    tx.commit().await
}

/// A principal signs out of every session (a lost phone, a shared computer); returns how many were open.
pub async fn sign_out_everywhere(db: &Db, kind: PrincipalKind, principal_id: i64) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let closed = close_all_sessions(&mut tx, kind, principal_id).await?;
    tx.commit().await?;
    Ok(closed)
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
            "SELECT principal_id, csrf_token, expires_at, assurance FROM sessions \
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
    if kind == PrincipalKind::OfficerAwaitingTotp {
        return Ok(());
    }
    let action = format!("identity.{}.sign_out", kind.code());
    let (actor, subject) = kind.audit_names(tx, principal_id).await?;
    audit::record_event(tx, &actor, &action, &subject, None, None).await?;
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
    let (actor, subject) = kind.audit_names(tx, principal_id).await?;
    audit::record_event(tx, &actor, &action, &subject, None, None).await?;
    Ok(closed)
}

/// The live officer session for a token hash, with the officer's name, role and place.
pub async fn officer_session(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<OfficerSession>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT s.principal_id AS officer_id, o.username, o.display_name, o.role, o.government_id, o.agency_id, o.unit_id, \
             s.csrf_token, s.expires_at \
             FROM sessions s JOIN officers o ON o.id = s.principal_id \
             WHERE s.token_hash = $1 AND s.principal_kind = 'officer' AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
}

/// The TOTP secret being enrolled in a half-open session.
pub async fn set_pending_totp(tx: &mut Tx, vault: &Vault, token_hash: &str, secret: &str) -> Result<(), StoreError> {
    tx.execute(
        query("UPDATE sessions SET pending_totp_enc = $1 WHERE token_hash = $2 AND principal_kind = 'officer_totp'")
            .bind(vault.seal("sessions.pending_totp", secret))
            .bind(token_hash),
    )
    .await?;
    Ok(())
}

pub async fn pending_totp(db: &Db, vault: &Vault, token_hash: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> = db
        .fetch_optional(
            query("SELECT pending_totp_enc FROM sessions WHERE token_hash = $1 AND principal_kind = 'officer_totp'")
                .bind(token_hash),
        )
        .await?;
    row.and_then(|(sealed,)| sealed)
        .map(|s| vault.open("sessions.pending_totp", &s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired_sessions(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.execute(query("DELETE FROM sessions WHERE expires_at <= $1").bind(now)).await
}
