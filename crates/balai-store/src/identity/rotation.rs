//! Rotating the personal-data key: every sealed value is opened with the old key and sealed again
//! with the new one, and every keyed lookup hash that can be recomputed is, in one transaction — so
//! the database is either wholly under the old key or wholly under the new one.
//!
//! What cannot be recomputed is dropped: open one-time codes and contact changes (their hashes are
//! of values never stored), OIDC sign-ins in flight, and the failed officer sign-ins the throttles
//! count (keyed hashes of what was typed). All live minutes; the people concerned start again. The
//! re-sealed citizens and officers change their stored state (the log vouches for the ciphertext),
//! so each gets an audit leaf.

//!
//! Every running server seals under the key it started with, so a rotation is refused while any
//! server holds a live lease ([`crate::leases`]); the check runs inside the rotation's transaction,
//! after the guard row that also orders servers taking their leases.

use super::vault::{Vault, VaultError};
use crate::audit::{self, Actor, Subject};
use crate::leases::{self, Lease};
use crate::{StoreError, Tx, dynamic_query};
use chrono::{DateTime, Utc};

/// A table's sealed columns, each with the label its values are bound to.
struct SealedTable {
    table: &'static str,
    key: &'static str,
    /// Audited tables get a leaf per re-sealed row.
    audited_as: Option<&'static str>,
    columns: &'static [(&'static str, &'static str)],
}

/// Documents before citizens: a citizen's audited state includes its documents, so the citizen's
/// leaf must be written after they are re-sealed.
const SEALED: [SealedTable; 10] = [
    SealedTable {
        table: "citizen_documents",
        key: "id",
        audited_as: None,
        columns: &[("number_enc", "citizen_documents.number")],
    },
    SealedTable {
        table: "citizens",
        key: "id",
        audited_as: Some("identity.citizen.reseal"),
        columns: &[
            ("nik_enc", "citizens.nik"),
            ("address_enc", "citizens.address"),
            ("kk_enc", "citizens.kk"),
            ("phone_enc", "citizens.phone"),
            ("email_enc", "citizens.email"),
        ],
    },
    SealedTable {
        table: "officers",
        key: "id",
        audited_as: Some("identity.officer.reseal"),
        columns: &[("totp_secret_enc", "officers.totp_secret")],
    },
    SealedTable {
        table: "applications",
        key: "case_id",
        audited_as: Some("applications.reseal"),
        columns: &[("fields_enc", "applications.fields")],
    },
    SealedTable {
        table: "application_drafts",
        key: "id",
        audited_as: None,
        columns: &[("fields_enc", "application_drafts.fields")],
    },
    SealedTable {
        table: "complaints",
        key: "case_id",
        audited_as: Some("complaints.reseal"),
        columns: &[("reporter_enc", "complaints.reporter")],
    },
    SealedTable {
        table: "complaint_followers",
        key: "id",
        audited_as: None,
        columns: &[("email_enc", "complaint_followers.email")],
    },
    SealedTable {
        table: "complaint_subscriptions",
        key: "id",
        audited_as: None,
        columns: &[("email_enc", "complaint_subscriptions.email")],
    },
    SealedTable {
        table: "outbox",
        key: "id",
        audited_as: None,
        columns: &[("recipient_enc", "outbox.recipient"), ("body_enc", "outbox.body")],
    },
    SealedTable {
        table: "sessions",
        key: "token_hash",
        audited_as: None,
        columns: &[("pending_totp_enc", "sessions.pending_totp")],
    },
];

/// Tables whose rows are dropped rather than re-sealed.
pub const DROPPED: [&str; 4] = ["one_time_codes", "oidc_logins", "sign_in_failures", "contact_changes"];

/// Every sealed column a rotation re-seals, as `table.column`.
pub fn resealed_columns() -> Vec<String> {
    SEALED.iter().flat_map(|t| t.columns.iter().map(move |(column, _)| format!("{}.{column}", t.table))).collect()
}

/// A rotation refused because servers are using the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServersRunning {
    /// Their leases, oldest first.
    pub leases: Vec<Lease>,
}

impl std::fmt::Display for ServersRunning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.leases.len();
        write!(f, "{n} server(s) use this database")?;
        if let Some(oldest) = self.leases.first() {
            write!(
                f,
                " (the first since {}, on {} as process {})",
                oldest.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
                oldest.host,
                oldest.pid
            )?;
        }
        write!(
            f,
            "; they keep sealing under the current key, so stop every `balai serve` and `balai demo` first \
             (a server that crashed stops counting {} seconds after its last renewal)",
            leases::LEASE_SECONDS
        )
    }
}

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Sealed values opened and sealed again.
    pub values: u64,
    /// Citizen and officer records whose new state is an audit leaf.
    pub audited_records: u64,
    /// One-time codes and OIDC sign-ins in flight, dropped.
    pub dropped: u64,
}

fn unsealable(e: VaultError) -> StoreError {
    StoreError::Corrupt(format!("{e}; nothing was changed"))
}

/// Re-seals everything sealed with `old` under `new`. Refused, changing nothing, while a server
/// holds a live lease; fails, changing nothing, if any value does not open with `old`.
pub async fn reseal_personal_data(
    tx: &mut Tx,
    old: &Vault,
    new: &Vault,
    now: DateTime<Utc>,
) -> Result<Result<Resealed, ServersRunning>, StoreError> {
    leases::guard(tx).await?;
    let live = leases::live_leases(tx, now).await?;
    if !live.is_empty() {
        return Ok(Err(ServersRunning { leases: live }));
    }
    let mut done = Resealed::default();
    let actor = Actor::system("key-rotation");
    for sealed in &SEALED {
        let columns: Vec<&str> = sealed.columns.iter().map(|(c, _)| *c).collect();
        let rows = tx
            .fetch_text_rows(dynamic_query(format!(
                "SELECT CAST({key} AS TEXT), {cols} FROM {table} ORDER BY {key}",
                key = sealed.key,
                cols = columns.join(", "),
                table = sealed.table
            )))
            .await?;
        for row in rows {
            let Some(key) = row[0].clone() else { continue };
            let mut assignments = Vec::new();
            let mut values: Vec<Option<String>> = Vec::new();
            let mut nik = None;
            for ((column, label), value) in sealed.columns.iter().zip(&row[1..]) {
                let Some(value) = value else { continue };
                let plaintext = old.open(label, value).map_err(unsealable)?;
                values.push(Some(new.seal(label, &plaintext)));
                done.values += 1;
                assignments.push(format!("{column} = ${}", values.len()));
                if *label == "citizens.nik" {
                    nik = Some(plaintext);
                } else if let Some((kind, hashed)) = crate::complaints::lookup_of(label, &plaintext) {
                    // The complaint contexts find rows by keyed hashes of what they seal: they follow the key.
                    values.push(Some(new.lookup_hash(kind, &hashed)));
                    let hash_column = if *label == "complaints.reporter" { "reporter_hash" } else { "email_hash" };
                    assignments.push(format!("{hash_column} = ${}", values.len()));
                }
            }
            if let Some(nik) = nik {
                values.push(Some(new.lookup_hash("nik", &nik)));
                assignments.push(format!("nik_hash = ${}", values.len()));
            }
            if assignments.is_empty() {
                continue;
            }
            let key_placeholder = values.len() + 1;
            let key_cast = if sealed.key == "id" {
                format!("CAST(${key_placeholder} AS BIGINT)")
            } else {
                format!("${key_placeholder}")
            };
            let mut update = dynamic_query(format!(
                "UPDATE {} SET {} WHERE {} = {key_cast}",
                sealed.table,
                assignments.join(", "),
                sealed.key
            ));
            for value in values {
                update = update.bind(value);
            }
            tx.execute(update.bind(key.clone())).await?;
            if let Some(action) = sealed.audited_as {
                let subject = match (sealed.table, key.parse::<i64>()) {
                    // Citizens are named by pseudonym in the public log.
                    ("citizens", Ok(id)) => super::citizens::audit_subject(tx, id).await?,
                    _ => Subject::new(sealed.table, &key),
                };
                audit::record_change(tx, &actor, action, &subject, None).await?;
                done.audited_records += 1;
            }
        }
    }
    for table in DROPPED {
        done.dropped += tx.execute(dynamic_query(format!("DELETE FROM {table}"))).await?;
    }
    leases::record_rotation(tx, now).await?;
    Ok(Ok(done))
}
