//! Sign-in through an OpenID Connect provider: the pending sign-in kept between the redirect and
//! the callback (officers' and citizens' alike), the mapping of verified claims to an officer with
//! a role and a place, and the citizen record a citizen identity provider's NIK claim names.
//!
//! The government's provider is the authority for who holds which role: each sign-in brings the
//! officer's record in line with the claims, and each change is an audit leaf. A citizen identity
//! provider vouches for the person (the NIK); what Balai holds of them comes from its own record or
//! the population register. From the provider it takes only the name of a person neither knows, and,
//! when it verified the person at the substantial level, the contacts it says it verified.

use super::citizens::{self, NewCitizen, citizen_in};
use super::contacts::tell_old_and_new_contacts;
use super::officers::{NewOfficer, create_provider_officer};
use super::register::RegisterRecord;
use super::vault::Vault;
use crate::audit::{self, Actor, Subject};
use crate::{StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::{Assurance, Role};
use balai_domain::nik::Nik;
use balai_domain::region::RegionCode;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};

/// Whose sign-in a pending one is: each callback takes only its own flow's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// An officer at `/admin/masuk/oidc`, through the government's provider.
    Officer,
    /// A citizen at `/masuk/idp`, through the citizen identity provider.
    Citizen,
}

impl LoginFlow {
    pub fn code(self) -> &'static str {
        match self {
            LoginFlow::Officer => "officer",
            LoginFlow::Citizen => "citizen",
        }
    }
}

/// A sign-in sent to the provider, kept until the browser that started it comes back.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
}

pub async fn begin_login(
    tx: &mut Tx,
    vault: &Vault,
    flow: LoginFlow,
    binding_hash: &str,
    pending: &PendingLogin,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Abandoned attempts are cleared as new ones start; nothing else reads them.
    tx.execute(query("DELETE FROM oidc_logins WHERE expires_at < $1").bind(Utc::now())).await?;
    tx.execute(
        query(
            "INSERT INTO oidc_logins (binding_hash, state, nonce, pkce_verifier_enc, next_path, expires_at, flow) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(binding_hash)
        .bind(&pending.state)
        .bind(&pending.nonce)
        .bind(vault.seal("oidc_logins.pkce_verifier", &pending.pkce_verifier))
        .bind(&pending.next_path)
        .bind(expires_at)
        .bind(flow.code()),
    )
    .await?;
    Ok(())
}

/// Takes the pending sign-in of this browser (it can be used once), if it has not expired and
/// `flow` started it. A sign-in of another flow is spent all the same.
pub async fn take_login(
    tx: &mut Tx,
    vault: &Vault,
    flow: LoginFlow,
    binding_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingLogin>, StoreError> {
    let row: Option<(String, String, String, String, DateTime<Utc>, String)> = tx
        .fetch_optional(
            query(
                "DELETE FROM oidc_logins WHERE binding_hash = $1 \
                 RETURNING state, nonce, pkce_verifier_enc, next_path, expires_at, flow",
            )
            .bind(binding_hash),
        )
        .await?;
    let Some((state, nonce, verifier, next_path, _, _)) = row.filter(|r| r.4 > now && r.5 == flow.code()) else {
        return Ok(None);
    };
    let pkce_verifier =
        vault.open("oidc_logins.pkce_verifier", &verifier).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some(PendingLogin { state, nonce, pkce_verifier, next_path }))
}

/// What the provider vouched for, already mapped to Balai's terms by claim name.
#[derive(Debug, Clone)]
pub struct ClaimedOfficer<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    /// Shown in lists; the e-mail or the subject.
    pub login_name: &'a str,
    pub display_name: &'a str,
    /// The role claim's value (a role code such as `officer` or `agency_head`), if any.
    pub role: Option<&'a str>,
    /// The government claim's value: its region code (`5371`).
    pub government_region: Option<&'a str>,
    /// The agency claim's value: the agency's code within that government.
    pub agency_code: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
struct LinkedOfficer {
    id: i64,
    role: String,
    government_id: Option<i64>,
    agency_id: Option<i64>,
    display_name: String,
}

/// Finds or creates the officer for these claims and brings role and place in line with them.
/// Claims that name no role, an unknown government or agency are refused with the claim named.
pub async fn sign_in_claimed(tx: &mut Tx, claimed: &ClaimedOfficer<'_>) -> Result<i64, StoreError> {
    let mut errors = FieldErrors::default();
    let role = match claimed.role.map(Role::parse) {
        None => {
            errors.push("role", Rule::Required);
            None
        }
        Some(None) | Some(Some(Role::Citizen)) => {
            errors.push("role", Rule::Unknown);
            None
        }
        Some(Some(role)) => Some(role),
    };
    let government_id = match claimed.government_region {
        None => None,
        Some(code) => {
            // National systems write region codes without dots (5371); Balai stores them dotted.
            let code = RegionCode::parse_undotted(code).map(String::from).unwrap_or_default();
            let found: Option<(i64,)> =
                tx.fetch_optional(query("SELECT id FROM governments WHERE region_code = $1").bind(code)).await?;
            if found.is_none() {
                errors.push("government", Rule::Unknown);
            }
            found.map(|(id,)| id)
        }
    };
    let agency_id = match (claimed.agency_code, government_id) {
        (Some(code), Some(government)) => {
            let found: Option<(i64,)> = tx
                .fetch_optional(
                    query("SELECT id FROM agencies WHERE government_id = $1 AND LOWER(code) = LOWER($2)")
                        .bind(government)
                        .bind(code),
                )
                .await?;
            if found.is_none() {
                errors.push("agency", Rule::Unknown);
            }
            found.map(|(id,)| id)
        }
        _ => None,
    };
    errors.into_result()?;
    let role = role.expect("checked above");
    let agency_id = if role.is_agency_bound() { agency_id } else { None };
    check_place(role, government_id, agency_id)?;
    let existing: Option<LinkedOfficer> = tx
        .fetch_optional(
            query(
                "SELECT id, role, government_id, agency_id, display_name FROM officers \
                 WHERE oidc_issuer = $1 AND oidc_subject = $2",
            )
            .bind(claimed.issuer)
            .bind(claimed.subject),
        )
        .await?;
    let provider = Actor::system("oidc");
    let id = match existing {
        None => {
            let username = format!("oidc:{}", claimed.login_name);
            // The password can never match: these officers sign in through the provider only.
            let new = NewOfficer {
                government_id,
                agency_id,
                unit_id: None,
                role,
                username: &username,
                display_name: claimed.display_name,
                password_hash: "!oidc",
            };
            let id = create_provider_officer(tx, &provider, &new).await?;
            tx.execute(
                query("UPDATE officers SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
                    .bind(claimed.issuer)
                    .bind(claimed.subject)
                    .bind(id),
            )
            .await?;
            audit::record_change(
                tx,
                &provider,
                "identity.officer.link_oidc",
                &Subject::new("officers", id),
                government_id,
            )
            .await?;
            id
        }
        Some(LinkedOfficer {
            id,
            role: old_role,
            government_id: old_government,
            agency_id: old_agency,
            display_name: old_name,
        }) => {
            if old_role != role.code()
                || old_government != government_id
                || old_agency != agency_id
                || old_name != claimed.display_name
            {
                check_place(role, government_id, agency_id)?;
                tx.execute(
                    query(
                        "UPDATE officers SET role = $1, government_id = $2, agency_id = $3, unit_id = NULL, \
                         display_name = $4 WHERE id = $5",
                    )
                    .bind(role.code())
                    .bind(government_id)
                    .bind(agency_id)
                    .bind(claimed.display_name)
                    .bind(id),
                )
                .await?;
                audit::record_change(
                    tx,
                    &provider,
                    "identity.officer.update_from_oidc",
                    &Subject::new("officers", id),
                    government_id,
                )
                .await?;
            }
            id
        }
    };
    Ok(id)
}

/// The same rules as [`create_officer`](super::officers::create_officer): an agency-bound role names an agency of its government.
fn check_place(role: Role, government_id: Option<i64>, agency_id: Option<i64>) -> Result<(), StoreError> {
    let mut errors = FieldErrors::default();
    if government_id.is_none() && role != Role::GovernmentAdmin {
        errors.push("government", Rule::Required);
    }
    if role.is_agency_bound() && agency_id.is_none() {
        errors.push("agency", Rule::Required);
    }
    Ok(errors.into_result()?)
}

/// Where the record of a citizen who signed in through an identity provider came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitizenOrigin {
    /// Balai already held a record for the NIK.
    Held,
    /// Created now from the population register's record.
    Register,
    /// Created now from the provider's name claim alone: the register does not know the NIK.
    Provider,
}

/// The record of the citizen whose NIK the provider vouched for: the one held, else one created from
/// the population register's record (`register`, looked up by the caller), else one holding the
/// provider's `name` and nothing else. Creation is an audit leaf naming the citizen by pseudonym.
pub async fn citizen_for_claims(
    tx: &mut Tx,
    vault: &Vault,
    nik: &Nik,
    name: Option<&str>,
    register: Option<&RegisterRecord>,
) -> Result<(i64, CitizenOrigin), StoreError> {
    if let Some(id) = citizens::citizen_id_by_nik(tx, vault, nik).await? {
        return Ok((id, CitizenOrigin::Held));
    }
    let (actor, new, origin) = match register {
        Some(record) => (Actor::system("population-register"), record.to_new_citizen(), CitizenOrigin::Register),
        None => {
            // Names are shown, not parsed: only a bound on their length, and no control characters.
            let name: String =
                name.unwrap_or_default().trim().chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
            let new = NewCitizen { full_name: name, ..NewCitizen::default() };
            (Actor::system("identity-provider"), new, CitizenOrigin::Provider)
        }
    };
    let id = citizens::create_citizen(tx, &actor, vault, nik, &new).await?;
    Ok((id, origin))
}

/// The longest name taken from a provider's claim.
pub const MAX_NAME_CHARS: usize = 200;

/// Binds the contacts a citizen identity provider says it verified (`contacts`, normalised) to the
/// citizen's record at the substantial level, when the provider verified the person at that level
/// (`assurance`); at a lower level nothing is bound. A contact already on record at the substantial
/// level is left alone; any other binding is an audit leaf answered for by the provider, and every
/// old and new contact is told. Returns how many contacts were bound.
pub async fn bind_verified_contacts(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
    assurance: Assurance,
    contacts: &[(Channel, String)],
    lang: Lang,
) -> Result<usize, StoreError> {
    if assurance != Assurance::Substantial {
        return Ok(0);
    }
    let provider = Actor::system("identity-provider");
    let place = lang.pick("dari penyedia identitas digital", "from the digital identity provider");
    let mut bound = 0;
    for (channel, recipient) in contacts {
        let before = citizen_in(tx, vault, citizen_id).await?.ok_or(StoreError::NotFound)?;
        let (held, level) = match channel {
            Channel::Email => (before.email.as_deref(), before.email_assurance),
            Channel::Sms | Channel::Whatsapp => (before.phone.as_deref(), before.phone_assurance),
        };
        let same = held.is_some_and(|h| match channel {
            Channel::Email => h.eq_ignore_ascii_case(recipient),
            Channel::Sms | Channel::Whatsapp => h == recipient,
        });
        if same && level == Assurance::Substantial {
            continue;
        }
        citizens::set_contact(
            tx,
            &provider,
            "identity.citizen.contact_from_idp",
            vault,
            citizen_id,
            *channel,
            recipient,
            Assurance::Substantial,
        )
        .await?;
        tell_old_and_new_contacts(tx, vault, &before, None, (*channel, recipient), place, lang).await?;
        bound += 1;
    }
    Ok(bound)
}

// ---- commands: each opens its transaction, writes with its leaf, commits ----

/// Keeps a pending sign-in bound to the browser that is leaving for the provider ([`begin_login`]).
pub async fn keep_pending_login(
    db: &crate::Db,
    vault: &Vault,
    flow: LoginFlow,
    binding_hash: &str,
    pending: &PendingLogin,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    begin_login(&mut tx, vault, flow, binding_hash, pending, expires_at).await?;
    tx.commit().await
}

/// Takes, once, the pending sign-in of the browser coming back ([`take_login`]).
pub async fn take_pending_login(
    db: &crate::Db,
    vault: &Vault,
    flow: LoginFlow,
    binding_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingLogin>, StoreError> {
    let mut tx = db.begin().await?;
    let pending = take_login(&mut tx, vault, flow, binding_hash, now).await?;
    tx.commit().await?;
    Ok(pending)
}

/// An officer the government's provider vouched for: their record brought in line with the claims
/// ([`sign_in_claimed`]) in one transaction. Returns the officer's id.
pub async fn claim_officer(db: &crate::Db, claimed: &ClaimedOfficer<'_>) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id = sign_in_claimed(&mut tx, claimed).await?;
    tx.commit().await?;
    Ok(id)
}

/// A citizen a citizen identity provider vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitizenSignedIn {
    pub citizen_id: i64,
    pub origin: CitizenOrigin,
    /// How many verified contacts were bound.
    pub contacts_bound: usize,
}

/// The citizen's sign-in through a citizen identity provider as one command: their record (held,
/// from the register, or from the provider's name), the contacts the provider verified, and the
/// session at the level the provider proved, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn sign_in_citizen_from_provider(
    db: &crate::Db,
    vault: &Vault,
    nik: &Nik,
    name: Option<&str>,
    register: Option<&RegisterRecord>,
    assurance: Assurance,
    verified: &[(Channel, String)],
    lang: Lang,
    session: &super::NewSession<'_>,
) -> Result<CitizenSignedIn, StoreError> {
    let mut tx = db.begin().await?;
    let (citizen_id, origin) = citizen_for_claims(&mut tx, vault, nik, name, register).await?;
    let contacts_bound = bind_verified_contacts(&mut tx, vault, citizen_id, assurance, verified, lang).await?;
    super::open_citizen_session(
        &mut tx,
        citizen_id,
        session.token_hash,
        session.csrf_token,
        session.expires_at,
        assurance,
    )
    .await?;
    tx.commit().await?;
    Ok(CitizenSignedIn { citizen_id, origin, contacts_bound })
}
