//! Binding a contact at a counter: an officer checks the KTP-el in person and binds the phone or
//! e-mail address the citizen gives to their record, at the substantial level. One command, one
//! transaction: the permission check against the officer's account as it is now, the record (created
//! from the population register for a person not yet held here), the audit leaf, and a notice to
//! every old and new contact, so a change the citizen did not make is noticed.

use super::access::officer_principal;
use super::citizens::{self, citizen_in};
use super::register::RegisterRecord;
use super::vault::Vault;
use crate::audit::Actor;
use crate::{StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::contact::Channel;
use balai_domain::identity::{Action, Assurance, Target, permits};
use balai_domain::nik::Nik;

/// Why a binding was refused. Nothing is written when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterRefused {
    /// The account may not verify citizens at a counter (role, or no agency).
    NotPermitted,
    /// Neither Balai nor the population register knows the NIK: the person must go to Disdukcapil.
    UnknownPerson,
}

/// A contact bound at a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterBinding {
    pub citizen_id: i64,
    /// The record was created by this binding (from the population register).
    pub created: bool,
    /// How many notices went to the outbox (every old contact and the new one).
    pub notices: usize,
}

/// Binds `recipient` (normalised) as the citizen's contact for `channel`, at the substantial level.
/// `register` is the population register's record, needed only when Balai holds none for the NIK.
#[allow(clippy::too_many_arguments)]
pub async fn bind_contact_at_counter(
    tx: &mut Tx,
    vault: &Vault,
    officer_id: i64,
    nik: &Nik,
    channel: Channel,
    recipient: &str,
    register: Option<&RegisterRecord>,
    lang: Lang,
) -> Result<Result<CounterBinding, CounterRefused>, StoreError> {
    let Some(officer) = officer_principal(tx, officer_id).await? else {
        return Ok(Err(CounterRefused::NotPermitted));
    };
    let Some(government_id) = officer.government_id else {
        return Ok(Err(CounterRefused::NotPermitted));
    };
    if !permits(&officer, Action::VerifyCitizenAtCounter, &Target::government(government_id)) {
        return Ok(Err(CounterRefused::NotPermitted));
    }
    let actor = Actor::officer(officer_id);
    let (citizen_id, created, old_contacts) = match citizens::citizen_id_by_nik(tx, vault, nik).await? {
        Some(id) => {
            let before = citizen_in(tx, vault, id).await?.ok_or(StoreError::NotFound)?;
            let old: Vec<(Channel, String)> = [(Channel::Sms, before.phone), (Channel::Email, before.email)]
                .into_iter()
                .filter_map(|(c, v)| v.map(|v| (c, v)))
                .collect();
            (id, false, old)
        }
        None => {
            let Some(record) = register else { return Ok(Err(CounterRefused::UnknownPerson)) };
            let new = record.to_new_citizen();
            // The register's own contacts stay on record at the basic level; they are told too.
            let old: Vec<(Channel, String)> = [(Channel::Sms, new.phone.clone()), (Channel::Email, new.email.clone())]
                .into_iter()
                .filter_map(|(c, v)| v.map(|v| (c, v)))
                .collect();
            let id = citizens::create_citizen(tx, &Actor::system("population-register"), vault, nik, &new).await?;
            (id, true, old)
        }
    };
    citizens::set_contact(
        tx,
        &actor,
        "identity.citizen.contact_at_counter",
        vault,
        citizen_id,
        channel,
        recipient,
        Assurance::Substantial,
    )
    .await?;
    let place = counter_place(tx, officer.agency_id, lang).await?;
    let notices =
        super::contacts::tell(tx, vault, old_contacts, Some(government_id), (channel, recipient), &place, lang).await?;
    Ok(Ok(CounterBinding { citizen_id, created, notices }))
}

/// "loket Dinas Kependudukan … Kota Kupang": where the binding was made, for the notice.
async fn counter_place(tx: &mut Tx, agency_id: Option<i64>, lang: Lang) -> Result<String, StoreError> {
    let name: Option<(String,)> = match agency_id {
        Some(id) => tx.fetch_optional(query("SELECT name FROM agencies WHERE id = $1").bind(id)).await?,
        None => None,
    };
    let counter = lang.pick("loket", "counter of");
    Ok(match name {
        Some((name,)) => format!("{counter} {name}"),
        None => lang.pick("loket pelayanan", "a service counter").to_owned(),
    })
}

/// The binding as one command: [`bind_contact_at_counter`] in its own transaction, whose permission
/// check reads the officer's account inside it. A refused binding writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn bind_contact_at_counter_as_officer(
    db: &crate::Db,
    vault: &Vault,
    officer_id: i64,
    nik: &Nik,
    channel: Channel,
    recipient: &str,
    register: Option<&RegisterRecord>,
    lang: Lang,
) -> Result<Result<CounterBinding, CounterRefused>, StoreError> {
    let mut tx = db.begin().await?;
    let bound = bind_contact_at_counter(&mut tx, vault, officer_id, nik, channel, recipient, register, lang).await?;
    tx.commit().await?;
    Ok(bound)
}
