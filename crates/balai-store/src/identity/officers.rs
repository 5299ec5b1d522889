//! Officers: every staff account, with its role and place (government, agency, unit), an Argon2id
//! password (hashed by the caller), an optional sealed TOTP secret, and a lock-out that backs off.

use super::vault::Vault;
use super::{PrincipalKind, close_all_sessions};
use crate::audit::{self, Actor, Subject};
use crate::{Db, StoreError, Tx, query};
use balai_domain::identity::{Principal, Role};
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Failed sign-ins allowed before the account locks.
pub const FREE_FAILURES: i64 = 5;

/// How long the account stays locked after `failures` failed sign-ins in a row: none up to
/// [`FREE_FAILURES`], then 1 minute, doubling with each further failure, at most 1 hour.
pub fn lockout(failures: i64) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(6);
    Some(Duration::minutes((1i64 << doublings).min(60)))
}

const OFFICER_COLUMNS: &str = "id, government_id, agency_id, unit_id, role, username, display_name, password_hash, \
     totp_secret_enc, totp_last_step, failed_sign_ins, locked_until, created_at";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Officer {
    pub id: i64,
    pub government_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub role: String,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    #[serde(skip)]
    pub totp_secret_enc: Option<String>,
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    pub failed_sign_ins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Officer {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Auditor)
    }

    pub fn principal(&self) -> Principal {
        Principal {
            role: self.role(),
            government_id: self.government_id,
            agency_id: self.agency_id,
            unit_id: self.unit_id,
            citizen_id: None,
            assurance: None,
        }
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    pub fn totp_secret(&self, vault: &Vault) -> Result<Option<String>, StoreError> {
        vault
            .open_optional("officers.totp_secret", self.totp_secret_enc.as_deref())
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// A live officer session, with what every page needs to know of the officer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficerSession {
    pub officer_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub government_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl OfficerSession {
    pub fn principal(&self) -> Principal {
        Principal {
            role: Role::parse(&self.role).unwrap_or(Role::Auditor),
            government_id: self.government_id,
            agency_id: self.agency_id,
            unit_id: self.unit_id,
            citizen_id: None,
            assurance: None,
        }
    }
}

pub struct NewOfficer<'a> {
    pub government_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub role: Role,
    pub username: &'a str,
    pub display_name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
}

/// Creates an officer; the place must fit the role (an officer belongs to an agency of its
/// government, a unit to that agency). The creation is a leaf of the audit log.
pub async fn create_officer(tx: &mut Tx, actor: &Actor, new: &NewOfficer<'_>) -> Result<i64, StoreError> {
    let mut errors = FieldErrors::default();
    if new.role == Role::Citizen {
        errors.push("role", Rule::Unknown);
    }
    if new.username.trim().is_empty() {
        errors.push("username", Rule::Required);
    }
    if new.government_id.is_none() && new.role != Role::GovernmentAdmin {
        errors.push("government_id", Rule::Required);
    }
    if new.role.is_agency_bound() {
        match new.agency_id {
            None => errors.push("agency_id", Rule::Required),
            Some(agency) => {
                let government: Option<(i64,)> =
                    tx.fetch_optional(query("SELECT government_id FROM agencies WHERE id = $1").bind(agency)).await?;
                if government.map(|(g,)| g) != new.government_id {
                    errors.push("agency_id", Rule::Unknown);
                }
            }
        }
        if let Some(unit) = new.unit_id {
            let agency: Option<(i64,)> =
                tx.fetch_optional(query("SELECT agency_id FROM units WHERE id = $1").bind(unit)).await?;
            if agency.map(|(a,)| a) != new.agency_id {
                errors.push("unit_id", Rule::Unknown);
            }
        }
    } else if new.agency_id.is_some() || new.unit_id.is_some() {
        errors.push("agency_id", Rule::Unknown);
    }
    errors.into_result()?;
    let id = tx
        .insert(
            query(
                "INSERT INTO officers (government_id, agency_id, unit_id, role, username, display_name, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(new.government_id)
            .bind(new.agency_id)
            .bind(new.unit_id)
            .bind(new.role.code())
            .bind(new.username.trim())
            .bind(new.display_name)
            .bind(new.password_hash)
            .bind(Utc::now()),
        )
        .await?;
    audit::record_change(tx, actor, "identity.officer.create", &Subject::new("officers", id), new.government_id)
        .await?;
    Ok(id)
}

/// A government admin (or, with no government, an admin of the whole deployment).
pub async fn create_admin(
    tx: &mut Tx,
    actor: &Actor,
    government_id: Option<i64>,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<i64, StoreError> {
    let new = NewOfficer {
        government_id,
        agency_id: None,
        unit_id: None,
        role: Role::GovernmentAdmin,
        username,
        display_name,
        password_hash,
    };
    create_officer(tx, actor, &new).await
}

pub async fn officer_by_username(db: &Db, username: &str) -> Result<Option<Officer>, StoreError> {
    db.fetch_optional(
        crate::dynamic_query(format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE username = $1")).bind(username),
    )
    .await
}

pub async fn officer(db: &Db, id: i64) -> Result<Option<Officer>, StoreError> {
    db.fetch_optional(crate::dynamic_query(format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE id = $1")).bind(id))
        .await
}

/// Counts a failed sign-in (wrong password or wrong second factor); returns the lock, if one starts.
pub async fn record_failed_sign_in(
    tx: &mut Tx,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let (failures,): (i64,) = tx
        .fetch_one(
            query("UPDATE officers SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins")
                .bind(id),
        )
        .await?;
    let until = lockout(failures).map(|d| now + d);
    if let Some(until) = until {
        tx.execute(query("UPDATE officers SET locked_until = $1 WHERE id = $2").bind(until).bind(id)).await?;
        audit::record_event(
            tx,
            &Actor::system("sign-in"),
            "identity.officer.locked",
            &Subject::new("officers", id),
            None,
            None,
        )
        .await?;
    }
    Ok(until)
}

/// A fully successful sign-in clears the failure count (the session it opens is the audit leaf).
pub async fn record_good_sign_in(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    tx.execute(query("UPDATE officers SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1").bind(id)).await?;
    Ok(())
}

/// Accepts a TOTP time step once: returns false when this step (or a later one) was used already.
pub async fn use_totp_step(tx: &mut Tx, id: i64, step: i64) -> Result<bool, StoreError> {
    let updated = tx
        .execute(
            query("UPDATE officers SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
                .bind(step)
                .bind(id),
        )
        .await?;
    Ok(updated == 1)
}

/// Enrols (or replaces) the officer's TOTP secret.
pub async fn set_totp_secret(
    tx: &mut Tx,
    actor: &Actor,
    vault: &Vault,
    id: i64,
    secret: &str,
) -> Result<(), StoreError> {
    tx.execute(
        query("UPDATE officers SET totp_secret_enc = $1, totp_last_step = NULL WHERE id = $2")
            .bind(vault.seal("officers.totp_secret", secret))
            .bind(id),
    )
    .await?;
    audit::record_change(tx, actor, "identity.officer.totp_enrol", &Subject::new("officers", id), None).await?;
    Ok(())
}

/// An admin resets an officer's password: the second factor must be enrolled again, the lock is
/// lifted, and every session of the officer ends.
pub async fn reset_password(tx: &mut Tx, actor: &Actor, id: i64, password_hash: &str) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            query(
                "UPDATE officers SET password_hash = $1, totp_secret_enc = NULL, totp_last_step = NULL, failed_sign_ins = 0, \
                 locked_until = NULL WHERE id = $2",
            )
            .bind(password_hash)
            .bind(id),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record_change(tx, actor, "identity.officer.password_reset", &Subject::new("officers", id), None).await?;
    close_all_sessions(tx, PrincipalKind::Officer, id).await?;
    Ok(())
}

/// The officers of a government, by username.
pub async fn officers_of(db: &Db, government_id: i64) -> Result<Vec<Officer>, StoreError> {
    db.fetch_all(
        crate::dynamic_query(format!(
            "SELECT {OFFICER_COLUMNS} FROM officers WHERE government_id = $1 ORDER BY username"
        ))
        .bind(government_id),
    )
    .await
}
