//! The audit log: every change and every personal-data read becomes a leaf of an RFC 6962 Merkle tree,
//! appended in the same transaction as the change it records.
//!
//! Appenders serialise on the single `audit_head` row (`UPDATE … RETURNING`), which gives one total
//! order without gaps: a transaction that rolls back releases its sequence number with everything else.
//! The head row also holds the compact range (frontier), so an append costs one leaf hash, on average
//! one node hash and a handful of statements, whatever the log's size.
//!
//! Storage is the C2SP tlog-tiles layout: `audit_bundles` holds 256 canonical entries a row,
//! `audit_tiles` the bottom rows of height-8 hash tiles (256 hashes a row), and `audit_tail` the leaves
//! of the bundle being filled, one row each, until the 256th seals them. `verify` reads a row per 256
//! leaves; a proof reads a few tiles in one statement.
//!
//! A leaf records who (actor role and id), what (action), on what (subject table and id), the SHA-256 of
//! the subject's state after the change — read back from the database inside the transaction, so it is
//! exactly what was stored — and, for reads of personal data, why. `verify` recomputes all of it.
//!
//! The module is split by job: `append` writes leaves, `state` reads the audited rows through the
//! tables each context registers (see `crate::registry`), `proofs` reads the log and its tree,
//! `checkpoints` keeps signed heads, `verify` recomputes everything, and `upgrade` converts the first
//! storage layout. The leaf's canonical entry and its reader are `balai_ledger::entry`.

mod append;
mod checkpoints;
mod proofs;
mod state;
mod upgrade;
mod verify;

pub use append::{record_change, record_event, record_read};
pub use balai_ledger::Leaf;
use balai_ledger::entry;
pub use balai_ledger::hex;
pub use checkpoints::{
    StoredCheckpoint, checkpoint_count, checkpoints, latest_checkpoint, save_checkpoint, sign_pending_checkpoint,
};
pub use proofs::{ProofRequestError, consistency_proof, head, inclusion_proof, leaves, leaves_about, root_at, size};
pub use state::{
    AliasLister, AuditedTable, BoxFuture, IdLister, LeafNumberLister, LeafNumbers, StateReader, registered_tables,
    state_json,
};
pub(crate) use state::{numeric_id, row_state, to_json};
pub use upgrade::CURRENT_LAYOUT;
pub(crate) use upgrade::upgrade_layout;
pub use verify::{Finding, Verified, verify};

use balai_ledger::Hash;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Who did it. Personal identifiers never go here: officers are named by internal id, citizens by their
/// pseudonym (`identity::citizens::audit_actor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub role: String,
    pub id: String,
}

impl Actor {
    pub fn officer(id: i64) -> Actor {
        Actor { role: "officer".into(), id: id.to_string() }
    }

    /// The platform itself: seeding, migrations, scheduled jobs.
    pub fn system(what: &str) -> Actor {
        Actor { role: "system".into(), id: what.into() }
    }

    pub fn public() -> Actor {
        Actor { role: "public".into(), id: String::new() }
    }

    /// How the actor is written in version histories: `officer:7`, `system:seed`.
    pub fn label(&self) -> String {
        if self.id.is_empty() { self.role.clone() } else { format!("{}:{}", self.role, self.id) }
    }
}

/// What a leaf is about: a row, named by table and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub table: String,
    pub id: String,
}

impl Subject {
    pub fn new(table: &str, id: impl ToString) -> Subject {
        Subject { table: table.to_owned(), id: id.to_string() }
    }
}

pub fn unhex(text: &str) -> Option<Hash> {
    // Exactly what `hex` writes: 64 lowercase hex digits. A sign, a capital or a space is refused,
    // so a stored hash has one spelling and an altered one is never read as the original.
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()).into())
}

/// The state of a subject that no longer exists.
const ABSENT: &str = "null";

/// How many bundles (of 256 leaves each) a query reads while streaming the log.
const BUNDLES_PER_READ: u64 = 64;

#[cfg(test)]
mod tests {
    #[test]
    fn a_hash_is_read_only_as_it_is_written() {
        let hash = [0xabu8; 32];
        let written = super::hex(&hash);
        assert_eq!(super::unhex(&written), Some(hash));
        for other in [
            written.to_uppercase(),
            format!("+{}", &written[1..]),
            format!(" {}", &written[1..]),
            written[..62].to_owned(),
        ] {
            assert_eq!(super::unhex(&other), None, "{other}");
        }
    }
}
