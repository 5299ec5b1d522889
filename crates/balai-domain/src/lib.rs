//! Balai's pure rules: no I/O, no async, no knowledge of requests or rows.
//!
//! Each module is one bounded context (or a value shared by several), named as in every other layer.

pub mod applications;
pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod complaints;
pub mod contact;
pub mod dashboard;
pub mod identity;
pub mod lang;
pub mod money;
pub mod nik;
pub mod notify;
pub mod org;
pub mod payments;
pub mod personal_number;
pub mod region;
pub mod surveys;
pub mod validation;

pub use calendar::{Deadline, IndonesianTimeZone, WorkingCalendar};
pub use lang::Lang;
pub use money::Rupiah;
