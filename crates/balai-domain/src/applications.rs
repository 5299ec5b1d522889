//! Applications (permohonan): the route a case follows through a service's procedure, the events
//! that move it, the tracking number a citizen quotes, and the form and documents a service asks
//! for ([`form`]).
//!
//! # The rules
//!
//! A case follows its [`Route`]: the procedure steps of the service standard, each owned by a unit
//! with its own service level in working days, and whether a fee (retribusi) must be paid. Where the
//! case stands is a [`Position`]: its [`ApplicationStatus`], the step it is at and whether the fee is
//! paid. [`start`] puts a case on step 0; [`apply`] moves it by one [`ApplicationEvent`]:
//!
//! - **Verify**: the current step is done and the case moves to the next step. Not on the last step:
//!   that step ends with **Complete**.
//! - **Payment before the output**: when the fee is due and unpaid, the case waits for payment before
//!   the last step (the step that issues the output). Verify into the last step leaves the case
//!   *awaiting payment* at that step; **RecordPayment** (only while awaiting payment) marks the fee
//!   paid and the case in progress again. A single-step route with a fee starts awaiting payment.
//! - **Forward** (disposisi): status and step stay; the store hands the step to another unit. Only
//!   while in progress.
//! - **RequestCorrection**: in progress → awaiting correction; the service-level clock pauses.
//! - **Resubmit** (by the citizen): awaiting correction → in progress, at the same step.
//! - **Reject**: from in progress, awaiting correction or awaiting payment → rejected.
//! - **Complete**: only in progress on the last step (with any fee paid) → completed.
//! - Completed and rejected are final: every event is refused as [`WorkflowError::Closed`].
//!
//! Which status an event may leave from is the table [`APPLICATION_FLOW`] (a [`Flow`]); the step
//! and fee rules are guards on top of it. [`allowed_events`] is exactly the set [`apply`] accepts.

pub mod form;
pub mod report;
mod tracking;

pub use form::{
    ChoiceOption, FieldKind, FieldProblem, FieldRule, FieldValues, FormField, MAX_FORM_FIELDS, Prefill,
    RequiredDocument, check_form, into_field_errors, json_schema, required_documents, validate_fields,
};
pub use tracking::{TRACKING_ALPHABET, TrackingNumber, TrackingNumberError};

use crate::Lang;
use crate::calendar::MAX_WORKING_DAYS;
use crate::cases::{ClockRule, Flow, Transition, TransitionError};
use crate::catalogue::ServiceStandard;
use serde::Serialize;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// A unit works on the current step: the service-level clock runs.
    InProgress,
    /// The officer asked the citizen to correct or complete the file: the clock pauses.
    AwaitingCorrection,
    /// The fee (retribusi) must be paid before the output is issued: the clock pauses.
    AwaitingPayment,
    Completed,
    Rejected,
}

impl ApplicationStatus {
    pub const ALL: [Self; 5] =
        [Self::InProgress, Self::AwaitingCorrection, Self::AwaitingPayment, Self::Completed, Self::Rejected];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::AwaitingCorrection => "awaiting_correction",
            Self::AwaitingPayment => "awaiting_payment",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::InProgress => lang.pick("Diproses", "In progress"),
            Self::AwaitingCorrection => lang.pick("Perlu perbaikan", "Correction needed"),
            Self::AwaitingPayment => lang.pick("Menunggu pembayaran", "Awaiting payment"),
            Self::Completed => lang.pick("Selesai", "Completed"),
            Self::Rejected => lang.pick("Ditolak", "Rejected"),
        }
    }

    /// What the service-level clock does in this status: it runs while the agency works, pauses
    /// while the case waits on the citizen (a correction or a payment) and stops once the case is closed.
    pub fn clock(self) -> ClockRule {
        match self {
            Self::InProgress => ClockRule::Runs,
            Self::AwaitingCorrection | Self::AwaitingPayment => ClockRule::Pauses,
            Self::Completed | Self::Rejected => ClockRule::Stops,
        }
    }

    /// Completed or rejected: nothing changes the case any more.
    pub fn is_final(self) -> bool {
        APPLICATION_FLOW.is_final(self)
    }
}

/// Who makes an event happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Officer,
    Citizen,
}

/// What can happen to an application, and who may make it happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationEvent {
    Verify,
    Forward,
    RequestCorrection,
    Resubmit,
    Reject,
    Complete,
    RecordPayment,
}

impl ApplicationEvent {
    pub const ALL: [Self; 7] = [
        Self::Verify,
        Self::Forward,
        Self::RequestCorrection,
        Self::Resubmit,
        Self::Reject,
        Self::Complete,
        Self::RecordPayment,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Forward => "forward",
            Self::RequestCorrection => "request_correction",
            Self::Resubmit => "resubmit",
            Self::Reject => "reject",
            Self::Complete => "complete",
            Self::RecordPayment => "record_payment",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.code() == code)
    }

    /// The button's text.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Verify => lang.pick("Verifikasi & teruskan ke tahap berikutnya", "Verify & move to the next step"),
            Self::Forward => lang.pick("Disposisi ke unit lain", "Forward to another unit"),
            Self::RequestCorrection => lang.pick("Minta perbaikan", "Request a correction"),
            Self::Resubmit => lang.pick("Kirim perbaikan", "Send the correction"),
            Self::Reject => lang.pick("Tolak", "Reject"),
            Self::Complete => lang.pick("Selesaikan", "Complete"),
            Self::RecordPayment => lang.pick("Catat pembayaran", "Record the payment"),
        }
    }

    /// The citizen sends a correction; everything else is the officer's.
    pub fn party(self) -> Party {
        match self {
            Self::Resubmit => Party::Citizen,
            _ => Party::Officer,
        }
    }

    /// Whether the officer must say why: the citizen (or the next unit) is owed a reason for a
    /// disposition, a correction asked for, or a refusal.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Forward | Self::RequestCorrection | Self::Reject)
    }
}

use ApplicationEvent as Ev;
use ApplicationStatus as St;

const fn allow(from: St, event: Ev, to: St) -> Transition<St, Ev> {
    Transition { from, event, to }
}

/// Which status each event may leave from, and the status it leads to before the step and fee guards
/// of [`apply`] (Verify may end awaiting payment instead of in progress).
pub const APPLICATION_FLOW: Flow<ApplicationStatus, ApplicationEvent> = Flow::new(&[
    allow(St::InProgress, Ev::Verify, St::InProgress),
    allow(St::InProgress, Ev::Forward, St::InProgress),
    allow(St::InProgress, Ev::RequestCorrection, St::AwaitingCorrection),
    allow(St::InProgress, Ev::Reject, St::Rejected),
    allow(St::InProgress, Ev::Complete, St::Completed),
    allow(St::AwaitingCorrection, Ev::Resubmit, St::InProgress),
    allow(St::AwaitingCorrection, Ev::Reject, St::Rejected),
    allow(St::AwaitingPayment, Ev::RecordPayment, St::InProgress),
    allow(St::AwaitingPayment, Ev::Reject, St::Rejected),
]);

/// One step of a route: the unit that owns it and its service level in working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteStep {
    pub unit_id: i64,
    pub sla_days: u32,
}

/// The route: the service's procedure steps, each owned by a unit with its working-day SLA, and
/// whether a fee (retribusi) must be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub steps: Vec<RouteStep>,
    pub fee_due: bool,
}

impl Route {
    /// The route of a service standard: its procedure steps in order; a fee is due unless the
    /// service is free. A step's service level is kept within what any standard allows.
    pub fn from_standard(standard: &ServiceStandard) -> Route {
        let steps = standard
            .steps
            .iter()
            .map(|step| RouteStep {
                unit_id: step.unit_id,
                sla_days: u32::try_from(step.sla_days.clamp(0, i64::from(MAX_WORKING_DAYS))).unwrap_or(0),
            })
            .collect();
        Route { steps, fee_due: !standard.fee.is_free() }
    }

    fn last_step(&self) -> Option<usize> {
        self.steps.len().checked_sub(1)
    }
}

/// Where a case is on its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub status: ApplicationStatus,
    /// Index into [`Route::steps`].
    pub step: usize,
    /// Whether the fee has been paid (stays false on a route without a fee).
    pub paid: bool,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the service has no procedure steps, so no application can follow it")]
    EmptyRoute,
    #[error("the application is closed ({status:?}); {event:?} cannot change it")]
    Closed { status: ApplicationStatus, event: ApplicationEvent },
    #[error("{event:?} is not allowed while the application is {status:?}")]
    NotAllowed { status: ApplicationStatus, event: ApplicationEvent },
    #[error("only the last step can be completed; verify this step to move on")]
    NotLastStep,
    #[error("this is the last step: complete it rather than verify it")]
    LastStep,
    #[error("the fee must be paid before the application can be completed")]
    PaymentOutstanding,
    /// The stored step is past the route's end (the route was shortened after the case started).
    #[error("the application is at step {step}, but the route has only {steps} steps")]
    StepOutOfRoute { step: usize, steps: usize },
}

impl WorkflowError {
    /// A sentence an officer can act on.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::EmptyRoute, Lang::Id) => {
                "Layanan ini belum memiliki tahapan prosedur; lengkapi standar pelayanan terlebih dahulu.".into()
            }
            (Self::EmptyRoute, Lang::En) => {
                "This service has no procedure steps yet; complete its service standard first.".into()
            }
            (Self::Closed { status, event }, Lang::Id) => format!(
                "Permohonan ini sudah {}; \"{}\" tidak dapat dilakukan lagi.",
                status.label(Lang::Id).to_lowercase(),
                event.label(Lang::Id)
            ),
            (Self::Closed { status, event }, Lang::En) => format!(
                "This application is already {}; \"{}\" is no longer possible.",
                status.label(Lang::En).to_lowercase(),
                event.label(Lang::En)
            ),
            (Self::NotAllowed { status, event }, Lang::Id) => format!(
                "\"{}\" tidak dapat dilakukan selama permohonan berstatus \"{}\".",
                event.label(Lang::Id),
                status.label(Lang::Id)
            ),
            (Self::NotAllowed { status, event }, Lang::En) => format!(
                "\"{}\" is not possible while the application is \"{}\".",
                event.label(Lang::En),
                status.label(Lang::En)
            ),
            (Self::NotLastStep, Lang::Id) => {
                "Permohonan belum berada di tahap terakhir; verifikasi tahap ini untuk meneruskannya.".into()
            }
            (Self::NotLastStep, Lang::En) => {
                "The application is not at its last step yet; verify this step to move it on.".into()
            }
            (Self::LastStep, Lang::Id) => {
                "Ini tahap terakhir; tidak ada tahap berikutnya, selesaikan permohonan.".into()
            }
            (Self::LastStep, Lang::En) => {
                "This is the last step; there is no next step, complete the application.".into()
            }
            (Self::PaymentOutstanding, Lang::Id) => {
                "Retribusi belum dibayar; catat pembayaran sebelum menyelesaikan permohonan.".into()
            }
            (Self::PaymentOutstanding, Lang::En) => {
                "The fee has not been paid; record the payment before completing the application.".into()
            }
            (Self::StepOutOfRoute { step, steps }, Lang::Id) => format!(
                "Permohonan tercatat di tahap {} padahal prosedur layanan hanya memiliki {steps} tahap; \
                 hubungi administrator.",
                step + 1
            ),
            (Self::StepOutOfRoute { step, steps }, Lang::En) => format!(
                "The application is recorded at step {} but the service has only {steps} steps; \
                 contact the administrator.",
                step + 1
            ),
        }
    }
}

impl From<TransitionError<St, Ev>> for WorkflowError {
    fn from(error: TransitionError<St, Ev>) -> Self {
        match error {
            TransitionError::Closed { state, event } => WorkflowError::Closed { status: state, event },
            TransitionError::NotAllowed { state, event } => WorkflowError::NotAllowed { status: state, event },
        }
    }
}

/// The status of a case arriving at `step`: it waits for payment before the last step if the fee is
/// due and unpaid.
fn arriving(route: &Route, step: usize, paid: bool) -> ApplicationStatus {
    if route.last_step() == Some(step) && route.fee_due && !paid { St::AwaitingPayment } else { St::InProgress }
}

/// Where a new application starts: step 0, in progress, or awaiting payment when that step is the
/// last and a fee is due.
pub fn start(route: &Route) -> Result<Position, WorkflowError> {
    if route.steps.is_empty() {
        return Err(WorkflowError::EmptyRoute);
    }
    Ok(Position { status: arriving(route, 0, false), step: 0, paid: false })
}

/// Where `event` takes a case at `at`, or why it may not happen.
pub fn apply(route: &Route, at: Position, event: ApplicationEvent) -> Result<Position, WorkflowError> {
    let last = route.last_step().ok_or(WorkflowError::EmptyRoute)?;
    if at.status.is_final() {
        return Err(WorkflowError::Closed { status: at.status, event });
    }
    if at.step > last {
        return Err(WorkflowError::StepOutOfRoute { step: at.step, steps: route.steps.len() });
    }
    let status = APPLICATION_FLOW.transition(at.status, event)?;
    let on_last = at.step == last;
    match event {
        Ev::Verify if on_last => Err(WorkflowError::LastStep),
        Ev::Verify => {
            let step = at.step + 1;
            Ok(Position { status: arriving(route, step, at.paid), step, ..at })
        }
        Ev::Complete if !on_last => Err(WorkflowError::NotLastStep),
        Ev::Complete if route.fee_due && !at.paid => Err(WorkflowError::PaymentOutstanding),
        Ev::RecordPayment => Ok(Position { status, paid: true, ..at }),
        _ => Ok(Position { status, ..at }),
    }
}

/// The events that may happen at `at`, in [`ApplicationEvent::ALL`] order: what an officer's or a
/// citizen's page offers. Exactly the events [`apply`] accepts.
pub fn allowed_events(route: &Route, at: Position) -> Vec<ApplicationEvent> {
    let Some(last) = route.last_step() else {
        return Vec::new();
    };
    if at.step > last {
        return Vec::new();
    }
    let on_last = at.step == last;
    Ev::ALL
        .into_iter()
        .filter(|&event| APPLICATION_FLOW.transition(at.status, event).is_ok())
        .filter(|&event| match event {
            Ev::Verify => !on_last,
            Ev::Complete => on_last && (at.paid || !route.fee_due),
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests;
