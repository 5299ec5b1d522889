//! The population register (Dukcapil's data, or a province's copy of it) behind one connector.
//!
//! Balai never creates a citizen from a NIK alone: a NIK is printed on every KTP and photocopied at
//! every counter. A first sign-in needs the register to know the NIK and to hold a contact for the
//! chosen channel; the record is created from the register's data once the code sent there is right.
//!
//! Connectors: [`MemoryRegister`] (the demo's seeded register, and tests), and the JSON-over-HTTP
//! connector in the web crate, whose protocol `docs/architecture.md` documents ("The population
//! register"). A deployment with neither uses [`NoRegister`]: only records bound at a counter or
//! through an identity provider can sign in.

use super::citizens::NewCitizen;
use balai_domain::nik::{Nik, Sex};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// What the register holds of a person, in the protocol's field names.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRecord {
    pub full_name: String,
    #[serde(default)]
    pub birth_place: String,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// `L` or `P`, as on the KTP.
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// The village or district code of the address (`53.71.04.1001`).
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub kk: Option<String>,
    /// A mobile number the register holds for the person (`+628…` or `08…`).
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl std::fmt::Debug for RegisterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisterRecord(..)")
    }
}

impl RegisterRecord {
    /// The record as a new citizen, its contacts normalised (an unusable contact is dropped, not guessed).
    pub fn to_new_citizen(&self) -> NewCitizen {
        use balai_domain::contact::{Channel, normalize_recipient};
        NewCitizen {
            full_name: self.full_name.clone(),
            birth_place: self.birth_place.clone(),
            birth_date: self.birth_date,
            sex: match self.sex.as_deref() {
                Some("L") => Some(Sex::Male),
                Some("P") => Some(Sex::Female),
                _ => None,
            },
            address: self.address.clone(),
            region_code: self.region_code.clone(),
            kk: self.kk.clone(),
            phone: self.phone.as_deref().and_then(|p| normalize_recipient(Channel::Sms, p).ok()),
            email: self.email.as_deref().and_then(|e| normalize_recipient(Channel::Email, e).ok()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The register did not answer, or answered with an error: sign-ins of people not yet known here
    /// wait until it is back.
    #[error("the population register is unavailable: {0}")]
    Unavailable(String),
    /// The register answered something that is not the protocol.
    #[error("the population register answered outside the protocol: {0}")]
    Malformed(String),
}

pub type RegisterLookup<'a> = Pin<Box<dyn Future<Output = Result<Option<RegisterRecord>, RegisterError>> + Send + 'a>>;

/// The one connector every register lookup goes through.
pub trait PopulationRegister: Send + Sync {
    /// The register's record for a NIK, or `None` when it holds none.
    fn lookup<'a>(&'a self, nik: &'a Nik) -> RegisterLookup<'a>;
}

/// No register configured: nobody is known beyond the records already held.
pub struct NoRegister;

impl PopulationRegister for NoRegister {
    fn lookup<'a>(&'a self, _nik: &'a Nik) -> RegisterLookup<'a> {
        Box::pin(async { Ok(None) })
    }
}

/// A register held in memory: the demo's seeded people, and tests.
#[derive(Default)]
pub struct MemoryRegister {
    records: HashMap<String, RegisterRecord>,
}

impl MemoryRegister {
    pub fn new(records: impl IntoIterator<Item = (String, RegisterRecord)>) -> MemoryRegister {
        MemoryRegister { records: records.into_iter().collect() }
    }
}

impl PopulationRegister for MemoryRegister {
    fn lookup<'a>(&'a self, nik: &'a Nik) -> RegisterLookup<'a> {
        let found = self.records.get(nik.expose()).cloned();
        Box::pin(async move { Ok(found) })
    }
}
