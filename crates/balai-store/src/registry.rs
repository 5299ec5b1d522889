//! The audited tables of every context, in one list. Each context declares its own tables (name and
//! state reader) beside the code that writes them; the audit log looks entries up here, so it depends
//! on no context and a new context adds one line below. Tables left out on purpose are listed, each
//! with its reason, in the conformance suite's registry test.

use crate::audit::AuditedTable;
use crate::identity::{access, citizens, officers};
use crate::{applications, calendar, cases, catalogue, complaints, notify, org, payments, surveys};

const CONTEXTS: &[&[AuditedTable]] = &[
    org::AUDITED,
    catalogue::AUDITED,
    calendar::AUDITED,
    officers::AUDITED,
    citizens::AUDITED,
    cases::AUDITED,
    applications::AUDITED,
    complaints::AUDITED,
    complaints::whistleblowing::AUDITED,
    access::AUDITED,
    notify::templates::AUDITED,
    surveys::AUDITED,
    payments::AUDITED,
    payments::reconcile::AUDITED,
    payments::refunds::AUDITED,
];

/// Every audited table, in registration order.
pub(crate) fn audited_tables() -> impl Iterator<Item = &'static AuditedTable> {
    CONTEXTS.iter().flat_map(|tables| tables.iter())
}
