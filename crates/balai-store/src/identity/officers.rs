//! Officers: every staff account, with its role and place (government, agency, unit), an Argon2id
//! password (hashed by the caller), an optional sealed TOTP secret, and sign-in throttles.
//!
//! Usernames follow [`Username`]: stored in normal form, and a name typed at sign-in is brought to
//! that form before it is looked up. Failed sign-ins are rows of `sign_in_failures`, counted per
//! account and per client address over a sliding window ([`sign_in_limits`]), so every node agrees.

use super::access::authorize_officer;
use super::vault::Vault;
use super::{NewSession, PrincipalKind, close_all_sessions, close_session, open_session, set_pending_totp};
use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::{Db, StoreError, Tx, query};
use balai_domain::identity::{Action, Principal, Role, Target, Username, sign_in_limits};
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;

const OFFICER_COLUMNS: &str = "id, government_id, agency_id, unit_id, role, username, display_name, password_hash, \
     totp_secret_enc, totp_last_step, created_at";

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

/// Creates an officer; the username must be one in normal form ([`Username`], stored folded) not
/// taken yet, and the place must fit the role (an officer belongs to an agency of its government, a
/// unit to that agency). The creation is a leaf of the audit log.
pub async fn create_officer(tx: &mut Tx, actor: &Actor, new: &NewOfficer<'_>) -> Result<i64, StoreError> {
    let mut errors = FieldErrors::default();
    let username = match Username::parse(new.username) {
        Ok(username) => {
            let taken: Option<(i64,)> =
                tx.fetch_optional(query("SELECT id FROM officers WHERE username = $1").bind(username.as_str())).await?;
            if taken.is_some() {
                errors.push("username", Rule::Duplicate);
            }
            username.as_str().to_owned()
        }
        Err(rule) => {
            errors.push("username", rule);
            String::new()
        }
    };
    insert_officer(tx, actor, new, &username, errors).await
}

/// An officer known to the government's identity provider by (issuer, subject): the username is
/// only a label (`oidc:` and the provider's login name), outside the namespace of [`Username`], so
/// it can never be typed at the password sign-in nor collide with a password account.
pub(super) async fn create_provider_officer(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewOfficer<'_>,
) -> Result<i64, StoreError> {
    let mut errors = FieldErrors::default();
    if !new.username.starts_with("oidc:") {
        errors.push("username", Rule::Format { expected: "oidc:nama@contoh.go.id" });
    }
    insert_officer(tx, actor, new, new.username, errors).await
}

async fn insert_officer(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewOfficer<'_>,
    username: &str,
    mut errors: FieldErrors,
) -> Result<i64, StoreError> {
    if new.role == Role::Citizen {
        errors.push("role", Rule::Unknown);
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
            .bind(username)
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

/// The officer a typed username names: the stored name exactly as typed (an account from before
/// usernames were normalised that could not be folded keeps its name), else the typed name in normal
/// form. Anything else is no one.
pub async fn officer_by_username(db: &Db, typed: &str) -> Result<Option<Officer>, StoreError> {
    let typed = typed.trim();
    let normal = account_key(typed);
    let found: Vec<Officer> = db
        .fetch_all(
            crate::dynamic_query(format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE username IN ($1, $2)"))
                .bind(typed)
                .bind(normal.as_str()),
        )
        .await?;
    let exact = found.iter().position(|o| o.username == typed);
    Ok(match exact {
        Some(i) => found.into_iter().nth(i),
        None => found.into_iter().next(),
    })
}

pub async fn officer(db: &Db, id: i64) -> Result<Option<Officer>, StoreError> {
    db.fetch_optional(crate::dynamic_query(format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE id = $1")).bind(id))
        .await
}

/// The account a typed username is counted against when no officer has it: its normal form, or the
/// trimmed text when it has none. For an officer, the account is their stored username.
pub fn account_key(typed: &str) -> String {
    Username::parse(typed).map(|u| u.as_str().to_owned()).unwrap_or_else(|_| typed.trim().to_owned())
}

/// Why a sign-in is refused before its password is even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    /// Too many failures for this username (whether or not an officer has it).
    Account { until: DateTime<Utc> },
    /// Too many failures from this client address.
    Client { until: DateTime<Utc> },
}

impl SignInRefused {
    pub fn until(self) -> DateTime<Utc> {
        match self {
            SignInRefused::Account { until } | SignInRefused::Client { until } => until,
        }
    }
}

fn account_hash(vault: &Vault, account: &str) -> String {
    vault.lookup_hash("officer-sign-in-account", account)
}

fn client_hash(vault: &Vault, client: &str) -> String {
    vault.lookup_hash("officer-sign-in-client", client)
}

async fn failure_times(
    db: &Db,
    column_sql: &'static str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let rows: Vec<(DateTime<Utc>,)> =
        db.fetch_all(query(column_sql).bind(hash).bind(now - sign_in_limits::window())).await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Whether a sign-in for `account` (see [`account_key`]) from `client` (an address, or an IPv6 /64)
/// is refused now; the client is asked first, so a refused client learns nothing of the account.
pub async fn sign_in_refused(
    db: &Db,
    vault: &Vault,
    account: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignInRefused>, StoreError> {
    let by_client = failure_times(
        db,
        "SELECT failed_at FROM sign_in_failures WHERE client_hash = $1 AND failed_at > $2",
        &client_hash(vault, client),
        now,
    )
    .await?;
    if let Some(until) = sign_in_limits::refused_until(&by_client, sign_in_limits::PER_CLIENT, now) {
        return Ok(Some(SignInRefused::Client { until }));
    }
    let by_account = failure_times(
        db,
        "SELECT failed_at FROM sign_in_failures WHERE account_hash = $1 AND failed_at > $2",
        &account_hash(vault, account),
        now,
    )
    .await?;
    Ok(sign_in_limits::refused_until(&by_account, sign_in_limits::PER_ACCOUNT, now)
        .map(|until| SignInRefused::Account { until }))
}

/// Counts a failed sign-in (wrong password or wrong second factor) against the account and the
/// client. `account` is `None` for an attempt on an account already refused: it counts for the
/// client only, so hammering a locked account never extends its lock.
pub async fn record_failed_sign_in(
    tx: &mut Tx,
    vault: &Vault,
    account: Option<&str>,
    officer_id: Option<i64>,
    client: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        query(
            "INSERT INTO sign_in_failures (account_hash, officer_id, client_hash, failed_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account.map(|a| account_hash(vault, a)))
        .bind(officer_id.filter(|_| account.is_some()))
        .bind(client_hash(vault, client))
        .bind(now),
    )
    .await?;
    Ok(())
}

/// A fully successful sign-in clears the officer's account failures (not their client's: one good
/// account must not reset a client's count). The session it opens is the audit leaf.
pub async fn record_good_sign_in(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    tx.execute(query("DELETE FROM sign_in_failures WHERE officer_id = $1").bind(id)).await?;
    Ok(())
}

/// The officers of a government whose accounts are refused now, for the admin's list.
pub async fn locked_officers(db: &Db, government_id: i64, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = db
        .fetch_all(
            query(
                "SELECT f.officer_id FROM sign_in_failures f JOIN officers o ON o.id = f.officer_id \
                 WHERE o.government_id = $1 AND f.failed_at > $2 GROUP BY f.officer_id HAVING COUNT(*) >= $3",
            )
            .bind(government_id)
            .bind(now - sign_in_limits::window())
            .bind(sign_in_limits::PER_ACCOUNT as i64),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Forgets failures that no longer count; returns how many.
pub async fn purge_old_sign_in_failures(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.execute(query("DELETE FROM sign_in_failures WHERE failed_at <= $1").bind(now - sign_in_limits::window())).await
}

/// Brings stored usernames to normal form ([`Username`]), each change a leaf of the audit log. A
/// name that has no normal form, or whose normal form another officer has, is left as it is (its
/// officer still signs in typing it exactly) and returned, for the operator to resolve. Accounts of
/// the identity provider (`oidc:…`) keep their label.
pub async fn normalise_usernames(db: &Db) -> Result<Vec<(i64, String)>, StoreError> {
    let rows: Vec<(i64, String)> = db.fetch_all(query("SELECT id, username FROM officers ORDER BY id")).await?;
    let mut left = Vec::new();
    for (id, stored) in rows {
        if stored.starts_with("oidc:") {
            continue;
        }
        let normal = match Username::parse(&stored) {
            Ok(u) if u.as_str() == stored => continue,
            Ok(u) => u,
            Err(_) => {
                left.push((id, stored));
                continue;
            }
        };
        let mut tx = db.begin().await?;
        let taken: Option<(i64,)> =
            tx.fetch_optional(query("SELECT id FROM officers WHERE username = $1").bind(normal.as_str())).await?;
        if taken.is_some() {
            left.push((id, stored));
            continue;
        }
        tx.execute(query("UPDATE officers SET username = $1 WHERE id = $2").bind(normal.as_str()).bind(id)).await?;
        audit::record_change(
            &mut tx,
            &Actor::system("migration"),
            "identity.officer.username_normalise",
            &Subject::new("officers", id),
            None,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(left)
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
                "UPDATE officers SET password_hash = $1, totp_secret_enc = NULL, totp_last_step = NULL WHERE id = $2",
            )
            .bind(password_hash)
            .bind(id),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    record_good_sign_in(tx, id).await?;
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

// ---- audited state ----------------------------------------------------------------------------

/// Officer accounts are audited rows. Sign-in counters and lock-outs change on every attempt and are
/// not part of the audited state.
pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("officers", officer_state)];

#[derive(Serialize, sqlx::FromRow)]
struct OfficerState {
    id: i64,
    government_id: Option<i64>,
    agency_id: Option<i64>,
    unit_id: Option<i64>,
    role: String,
    username: String,
    display_name: String,
    password_hash: String,
    totp_secret_enc: Option<String>,
    // Absent rather than null when unset, so states hashed before these columns existed still match.
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc_issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc_subject: Option<String>,
    created_at: DateTime<Utc>,
}

fn officer_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<OfficerState>(
        tx,
        "officers",
        query(
            "SELECT id, government_id, agency_id, unit_id, role, username, display_name, password_hash, \
                     totp_secret_enc, oidc_issuer, oidc_subject, created_at FROM officers WHERE id = $1",
        ),
        id,
    )
}

// ---- commands: each opens its transaction, checks what it must, writes with its leaf, commits ----

/// An officer whose password was right and whose role needs a second factor gets a half-open
/// session; `enrol_secret` is the secret to enrol when none is enrolled yet.
pub async fn start_second_factor(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    session: &NewSession<'_>,
    enrol_secret: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    open_session(
        &mut tx,
        PrincipalKind::OfficerAwaitingTotp,
        officer_id,
        session.token_hash,
        session.csrf_token,
        session.expires_at,
    )
    .await?;
    if let Some(secret) = enrol_secret {
        set_pending_totp(&mut tx, vault, session.token_hash, secret).await?;
    }
    tx.commit().await
}

/// A failed sign-in (wrong password, wrong or reused second factor, or an attempt on a refused
/// account), counted in its own transaction: see [`record_failed_sign_in`].
pub async fn count_failed_sign_in(
    db: &Db,
    vault: &Vault,
    account: Option<&str>,
    officer_id: Option<i64>,
    client: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    record_failed_sign_in(&mut tx, vault, account, officer_id, client, now).await?;
    tx.commit().await
}

/// Spends a TOTP time step of the officer in a half-open session; the first step accepted while
/// enrolling (`enrol_secret`) enrols that secret. Returns false when the step was used already.
pub async fn accept_totp_step(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    step: i64,
    enrol_secret: Option<&str>,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let fresh = use_totp_step(&mut tx, officer_id, step).await?;
    if fresh && let Some(secret) = enrol_secret {
        set_totp_secret(&mut tx, &Actor::officer(officer_id), vault, officer_id, secret).await?;
    }
    tx.commit().await?;
    Ok(fresh)
}

/// The officer has proved who they are: their account failures are cleared, a half-open session
/// (the second-factor step) ends, and their session opens, its leaf in the audit log.
pub async fn sign_in_officer(
    db: &Db,
    officer_id: i64,
    half_open: Option<&str>,
    session: &NewSession<'_>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    if let Some(hash) = half_open {
        close_session(&mut tx, PrincipalKind::OfficerAwaitingTotp, hash, officer_id).await?;
    }
    record_good_sign_in(&mut tx, officer_id).await?;
    open_session(
        &mut tx,
        PrincipalKind::Officer,
        officer_id,
        session.token_hash,
        session.csrf_token,
        session.expires_at,
    )
    .await?;
    tx.commit().await
}

/// An officer creates another: their permission to manage the government's officers is judged
/// inside the transaction against their account as it is now, then [`create_officer`].
pub async fn create_officer_as_officer(db: &Db, officer_id: i64, new: &NewOfficer<'_>) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let place = new.government_id.map_or_else(Target::default, Target::government);
    authorize_officer(&mut tx, officer_id, Action::ManageOfficers, &place).await?;
    let id = create_officer(&mut tx, &Actor::officer(officer_id), new).await?;
    tx.commit().await?;
    Ok(id)
}

/// An officer resets the password of an officer of `government_id` (see [`reset_password`]), with
/// their permission judged inside the transaction. An officer of another government is not found.
pub async fn reset_password_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ManageOfficers, &Target::government(government_id)).await?;
    let of: Option<(Option<i64>,)> =
        tx.fetch_optional(query("SELECT government_id FROM officers WHERE id = $1").bind(id)).await?;
    if of.is_none_or(|(g,)| g != Some(government_id)) {
        return Err(StoreError::NotFound);
    }
    reset_password(&mut tx, &Actor::officer(officer_id), id, password_hash).await?;
    tx.commit().await
}
