//! Applications (permohonan): a citizen applies once for a service, under the version of its standard
//! current at that moment; the case then follows the standard's procedure steps from unit to unit, each
//! with its working-day deadline, through the transitions the domain's workflow allows.
//!
//! Every command here owns its transaction: the permission check, the case's move (guarded by its
//! version), the event, the audit leaves and the citizen's notification commit together or not at all.

use crate::audit::{AuditedTable, BoxFuture};
use crate::cases::{
    self, Case, CaseStep, EventActor, Move, NewCase, NewStep, calendar_in, deadline, extended, schedule_breach_check,
};
use crate::catalogue::{self, ApplicationTerms};
use crate::identity::access::authorize_officer;
use crate::identity::vault::Vault;
use crate::notify::{self, NewMessage};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::Lang;
use balai_domain::applications::{ApplicationEvent, ApplicationStatus, Position, Route, RouteStep, TrackingNumber};
use balai_domain::applications::{FormField, RequiredDocument};

/// The domain's workflow and form rules under one name.
mod rules {
    pub use balai_domain::applications::{WorkflowError, allowed_events, apply, required_documents, start};

    /// The answers checked against the form; problems become the field errors every edge shows.
    pub fn validate_fields(
        form: &[super::FormField],
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<balai_domain::applications::FieldValues, balai_domain::validation::FieldErrors> {
        balai_domain::applications::validate_fields(form, values).map_err(balai_domain::applications::into_field_errors)
    }
}
use balai_domain::cases::CaseKind;
use balai_domain::contact::Channel;
use balai_domain::identity::Action;
use balai_domain::notify::MessageKind;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The longest reason an officer may give (shown to the citizen).
pub const MAX_REASON_CHARS: usize = 1000;
/// The longest idempotency key a client may send.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;
/// Documents one application may attach (a bound against hostile bodies).
pub const MAX_DOCUMENTS: usize = 60;

/// Where a document attached to an application comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentSource {
    /// A file the citizen uploaded (its `uploads` id).
    Upload(i64),
    /// A document the government already holds for the citizen (its `citizen_documents` id).
    OnFile(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentChoice {
    pub code: String,
    pub source: DocumentSource,
}

/// What a citizen submits.
#[derive(Debug, Clone)]
pub struct Application<'a> {
    pub government_id: i64,
    pub service_code: &'a str,
    pub fields: &'a serde_json::Map<String, serde_json::Value>,
    pub documents: &'a [DocumentChoice],
    /// The client's `Idempotency-Key`: the same key again returns the same case.
    pub idempotency_key: &'a str,
    pub lang: Lang,
}

/// One step as anyone may see it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStep {
    pub name: String,
    pub unit: String,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

/// An application as anyone holding its tracking number sees it: no name, NIK, address, phone or
/// answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicApplication {
    pub tracking_number: String,
    pub service: String,
    pub service_en: String,
    pub government: String,
    pub time_zone: String,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub current_step: i64,
    pub steps: Vec<PublicStep>,
    /// The public id of the issued document, once completed.
    pub document_id: Option<String>,
}

/// The answer to a submission: the same on a replay with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub case_id: i64,
    pub application: PublicApplication,
    /// True when this answer is a replay of an earlier submission with the same key.
    pub replayed: bool,
    /// The fee's invoice when one was issued at submission, read in the same transaction (the answer
    /// never needs a query after the commit, which could fail and hide that the case was made).
    pub invoice: Option<crate::payments::Invoice>,
}

// ---- submitting ---------------------------------------------------------------------------------

/// The hash of what was submitted, so a key reused with another body is told apart from a retry.
fn request_hash(application: &Application<'_>) -> String {
    let documents: Vec<(String, &'static str, i64)> = application
        .documents
        .iter()
        .map(|d| match d.source {
            DocumentSource::Upload(id) => (d.code.clone(), "upload", id),
            DocumentSource::OnFile(id) => (d.code.clone(), "on_file", id),
        })
        .collect();
    // serde_json's map keeps its keys sorted, so equal bodies serialise equally.
    let canonical = serde_json::json!({
        "government": application.government_id,
        "service": application.service_code,
        "fields": application.fields,
        "documents": documents,
    });
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Submits an application for a signed-in citizen, in one transaction; answered only once durable.
pub async fn submit(
    db: &Db,
    vault: &Vault,
    citizen_id: i64,
    application: &Application<'_>,
    now: DateTime<Utc>,
) -> Result<Submitted, StoreError> {
    let mut e = FieldErrors::default();
    let key = application.idempotency_key.trim();
    if key.is_empty() {
        e.push("Idempotency-Key", Rule::Required);
    } else if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        e.push("Idempotency-Key", Rule::TooLong { max: MAX_IDEMPOTENCY_KEY_CHARS });
    }
    e.into_result()?;
    let hash = request_hash(application);
    let mut tx = db.begin().await?;
    let earlier: Option<(String, i64)> = tx
        .fetch_optional(
            query("SELECT request_hash, case_id FROM submission_keys WHERE citizen_id = $1 AND idempotency_key = $2")
                .bind(citizen_id)
                .bind(key),
        )
        .await?;
    if let Some((earlier_hash, case_id)) = earlier {
        if earlier_hash != hash {
            return Err(StoreError::IdempotencyConflict);
        }
        let application = public_application_in(&mut tx, case_id).await?.ok_or(StoreError::NotFound)?;
        let invoice = crate::payments::latest_invoice_of_case_in(&mut tx, case_id).await?;
        tx.commit().await?;
        return Ok(Submitted { case_id, application, replayed: true, invoice });
    }
    let case_id = submit_in(&mut tx, vault, citizen_id, application, now).await?;
    tx.execute(
        query(
            "INSERT INTO submission_keys (citizen_id, idempotency_key, request_hash, case_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(citizen_id)
        .bind(key)
        .bind(hash)
        .bind(case_id)
        .bind(now),
    )
    .await?;
    let public = public_application_in(&mut tx, case_id).await?.ok_or(StoreError::NotFound)?;
    let invoice = crate::payments::latest_invoice_of_case_in(&mut tx, case_id).await?;
    tx.commit().await?;
    Ok(Submitted { case_id, application: public, replayed: false, invoice })
}

/// The submission's work inside a transaction (the demo seeds through it too).
pub async fn submit_in(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
    application: &Application<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let terms = catalogue::application_terms_in(tx, application.government_id, application.service_code)
        .await?
        .ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.push("service", Rule::Unknown);
            StoreError::Invalid(e)
        })?;
    // The answers and the documents are both checked, so one refusal names every problem.
    let values = rules::validate_fields(&terms.form, application.fields);
    let required = rules::required_documents(&terms.requirements);
    let attached = check_documents(tx, citizen_id, application.government_id, &required, application.documents).await;
    let (values, attached) = match (values, attached) {
        (Ok(values), Ok(attached)) => (values, attached),
        (Err(mut problems), Err(StoreError::Invalid(more))) => {
            problems.0.extend(more.0);
            return Err(StoreError::Invalid(problems));
        }
        (_, Err(e)) if !matches!(e, StoreError::Invalid(_)) => return Err(e),
        (Err(problems), _) => return Err(StoreError::Invalid(problems)),
        (Ok(_), Err(e)) => return Err(e),
    };
    let route = route_of(&terms)?;
    let position = rules::start(&route).map_err(StoreError::Workflow)?;
    let (calendar, zone) = calendar_in(tx, terms.government_id).await?;
    let overall = deadline(&calendar, zone, now, terms.sla_days)?;
    let first = &terms.steps[0];
    let first_due = deadline(&calendar, zone, now, first.sla_days)?;
    let steps: Vec<NewStep<'_>> = terms
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| NewStep {
            name: &s.description,
            unit_id: s.unit_id,
            sla_days: u32::try_from(s.sla_days).unwrap_or(0),
            due_at: (i == 0).then_some(first_due.due_at),
        })
        .collect();
    let paused_since = (position.status.clock() != balai_domain::cases::ClockRule::Runs).then_some(now);
    let actor = crate::identity::citizens::audit_actor(tx, citizen_id).await?;
    let opened = cases::open_case(
        tx,
        &actor,
        &NewCase {
            government_id: terms.government_id,
            kind: CaseKind::Application,
            agency_id: first.agency_id,
            unit_id: Some(first.unit_id),
            citizen_id: Some(citizen_id),
            service_id: Some(terms.service_id),
            title: &terms.name,
            status: position.status.code(),
            opened_at: now,
            due_at: Some(overall.due_at),
            steps: &steps,
        },
    )
    .await?;
    if let Some(since) = paused_since {
        tx.execute(query("UPDATE cases SET paused_since = $1 WHERE id = $2").bind(since).bind(opened.id)).await?;
    }
    let fields_json = serde_json::Value::Object(values.into_map()).to_string();
    tx.execute(
        query(
            "INSERT INTO applications (case_id, government_id, service_version_id, fields_enc, fee, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(opened.id)
        .bind(terms.government_id)
        .bind(terms.version_id)
        .bind(vault.seal("applications.fields", &fields_json))
        .bind(terms.fee.0)
        .bind(now),
    )
    .await?;
    for document in &attached {
        tx.execute(
            query(
                "INSERT INTO application_documents (government_id, case_id, code, upload_id, citizen_document_id, doc_type) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(terms.government_id)
            .bind(opened.id)
            .bind(document.code.as_str())
            .bind(document.upload_id)
            .bind(document.citizen_document_id)
            .bind(document.doc_type.as_str()),
        )
        .await?;
    }
    // A draft of this application is done with once it is sent.
    tx.execute(
        query("DELETE FROM application_drafts WHERE citizen_id = $1 AND service_id = $2")
            .bind(citizen_id)
            .bind(terms.service_id),
    )
    .await?;
    let case = cases::case_in(tx, opened.id).await?.ok_or(StoreError::NotFound)?;
    cases::note_event(tx, &case, "submitted", &EventActor::Citizen(citizen_id), "", now).await?;
    record_application(tx, &actor, "applications.submit", &case).await?;
    // A service paid before the work starts is invoiced now.
    if terms.fee.0 > 0 && crate::payments::is_upfront_in(tx, terms.service_id).await? {
        crate::payments::issue_for_case_in(tx, &case, terms.fee, &actor, now).await?;
    }
    notify_citizen(tx, vault, &case, &terms.name, application.lang).await?;
    schedule_breach_check(tx, &case, 0, first_due.due_at).await?;
    Ok(opened.id)
}

/// A document checked against what the service requires.
struct Attached {
    code: String,
    doc_type: String,
    upload_id: Option<i64>,
    citizen_document_id: Option<i64>,
}

async fn check_documents(
    tx: &mut Tx,
    citizen_id: i64,
    government_id: i64,
    required: &[RequiredDocument],
    chosen: &[DocumentChoice],
) -> Result<Vec<Attached>, StoreError> {
    let mut e = FieldErrors::default();
    if chosen.len() > MAX_DOCUMENTS {
        e.push("documents", Rule::TooMany { max: MAX_DOCUMENTS });
        return Err(StoreError::Invalid(e));
    }
    let mut attached = Vec::new();
    for (i, choice) in chosen.iter().enumerate() {
        let field = format!("documents[{i}]");
        let Some(requirement) = required.iter().find(|r| r.code == choice.code) else {
            e.push(format!("{field}.code"), Rule::Unknown);
            continue;
        };
        if attached.iter().any(|a: &Attached| a.code == choice.code) {
            e.push(format!("{field}.code"), Rule::Duplicate);
            continue;
        }
        match choice.source {
            DocumentSource::Upload(id) => {
                let owned: Option<(i64,)> = tx
                    .fetch_optional(
                        query("SELECT id FROM uploads WHERE id = $1 AND citizen_id = $2 AND government_id = $3")
                            .bind(id)
                            .bind(citizen_id)
                            .bind(government_id),
                    )
                    .await?;
                if owned.is_none() {
                    // Someone else's upload and no upload at all are the same answer.
                    e.push(format!("{field}.upload"), Rule::Unknown);
                    continue;
                }
                attached.push(Attached {
                    code: choice.code.clone(),
                    doc_type: requirement.doc_type.code().to_owned(),
                    upload_id: Some(id),
                    citizen_document_id: None,
                });
            }
            DocumentSource::OnFile(id) => {
                let held: Option<(String,)> = tx
                    .fetch_optional(
                        query("SELECT doc_type FROM citizen_documents WHERE id = $1 AND citizen_id = $2")
                            .bind(id)
                            .bind(citizen_id),
                    )
                    .await?;
                match held {
                    Some((doc_type,)) if doc_type == requirement.doc_type.code() => attached.push(Attached {
                        code: choice.code.clone(),
                        doc_type,
                        upload_id: None,
                        citizen_document_id: Some(id),
                    }),
                    _ => e.push(format!("{field}.on_file"), Rule::Unknown),
                }
            }
        }
    }
    for requirement in required.iter().filter(|r| r.required) {
        if !attached.iter().any(|a| a.code == requirement.code) {
            e.push(format!("documents.{}", requirement.code), Rule::Required);
        }
    }
    e.into_result()?;
    Ok(attached)
}

fn route_of(terms: &ApplicationTerms) -> Result<Route, StoreError> {
    if terms.steps.is_empty() {
        return Err(StoreError::Workflow(rules::WorkflowError::EmptyRoute));
    }
    Ok(Route {
        steps: terms
            .steps
            .iter()
            .map(|s| RouteStep { unit_id: s.unit_id, sla_days: u32::try_from(s.sla_days).unwrap_or(0) })
            .collect(),
        fee_due: terms.fee.0 > 0,
    })
}

// ---- acting on a case ---------------------------------------------------------------------------

/// What an officer asks for, beyond the event.
#[derive(Debug, Clone, Default)]
pub struct Instruction<'a> {
    /// Written for the citizen: required to forward, ask for a correction or reject.
    pub reason: &'a str,
    /// The unit a case is forwarded to (disposisi).
    pub to_unit_id: Option<i64>,
    /// The receipt number of a payment recorded at a counter.
    pub receipt_number: Option<&'a str>,
    /// The version the officer saw, so two officers acting at once do not both win.
    pub expected_version: Option<i64>,
    /// The issued document, when completing.
    pub issued: Option<&'a IssuedDocument>,
}

/// An output document, rendered and sealed by the caller, recorded with the completion.
#[derive(Debug, Clone)]
pub struct IssuedDocument {
    pub id: String,
    pub number: String,
    pub product: String,
    pub issuer: String,
    pub issued_on: chrono::NaiveDate,
    pub doc_type: String,
    pub sha256: String,
    pub signature: String,
    pub object_key: String,
}

/// The permission an event needs: recording money needs a verifier or the head of the agency.
fn action_for(event: ApplicationEvent) -> Action {
    match event {
        ApplicationEvent::RecordPayment => Action::VerifyCase,
        _ => Action::WorkCase,
    }
}

/// An officer moves an application: one transaction, refused with nothing written when the officer may
/// not act where the case sits, when the workflow does not allow it, or when the case moved meanwhile.
pub async fn act_as_officer(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    case_id: i64,
    event: ApplicationEvent,
    instruction: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    if event == ApplicationEvent::Resubmit {
        return Err(StoreError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    authorize_officer(&mut tx, officer_id, action_for(event), &case.target()).await?;
    let moved = act_in(&mut tx, vault, &case, EventActor::Officer(officer_id), event, instruction, now).await?;
    tx.commit().await?;
    Ok(moved)
}

/// Checks an officer may act on a case now, without changing it (before rendering a document).
pub async fn may_act(db: &Db, officer_id: i64, case_id: i64, event: ApplicationEvent) -> Result<Case, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?;
    tx.commit().await?;
    match who {
        Some(who) if balai_domain::identity::permits(&who, action_for(event), &case.target()) => Ok(case),
        _ => Err(StoreError::Forbidden),
    }
}

/// The citizen sends the correction asked for: new answers and documents replace the old ones named.
#[allow(clippy::too_many_arguments)]
pub async fn resubmit_as_citizen(
    db: &Db,
    vault: &Vault,
    citizen_id: i64,
    case_id: i64,
    fields: Option<&serde_json::Map<String, serde_json::Value>>,
    documents: &[DocumentChoice],
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let mut tx = db.begin().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    if case.citizen_id != Some(citizen_id) {
        return Err(StoreError::NotFound);
    }
    let version_id: (i64,) =
        tx.fetch_one(query("SELECT service_version_id FROM applications WHERE case_id = $1").bind(case_id)).await?;
    let terms = catalogue::application_terms_of_version_in(&mut tx, version_id.0).await?;
    if let Some(fields) = fields {
        let values = rules::validate_fields(&terms.form, fields).map_err(StoreError::Invalid)?;
        let json = serde_json::Value::Object(values.into_map()).to_string();
        tx.execute(
            query("UPDATE applications SET fields_enc = $1 WHERE case_id = $2")
                .bind(vault.seal("applications.fields", &json))
                .bind(case_id),
        )
        .await?;
        let actor = crate::identity::citizens::audit_actor(&mut tx, citizen_id).await?;
        record_application(&mut tx, &actor, "applications.correct", &case).await?;
    }
    if !documents.is_empty() {
        let required = rules::required_documents(&terms.requirements);
        // Only the documents sent are checked; the rest stay as they were.
        let partial: Vec<RequiredDocument> = required
            .into_iter()
            .map(|mut r| {
                r.required = false;
                r
            })
            .collect();
        let attached = check_documents(&mut tx, citizen_id, case.government_id, &partial, documents).await?;
        for document in attached {
            tx.execute(
                query("DELETE FROM application_documents WHERE case_id = $1 AND code = $2")
                    .bind(case_id)
                    .bind(document.code.as_str()),
            )
            .await?;
            tx.execute(
                query(
                    "INSERT INTO application_documents (government_id, case_id, code, upload_id, citizen_document_id, doc_type) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(case.government_id)
                .bind(case_id)
                .bind(document.code.as_str())
                .bind(document.upload_id)
                .bind(document.citizen_document_id)
                .bind(document.doc_type.as_str()),
            )
            .await?;
        }
    }
    let instruction = Instruction { expected_version: None, ..Default::default() };
    let moved =
        act_in(&mut tx, vault, &case, EventActor::Citizen(citizen_id), ApplicationEvent::Resubmit, &instruction, now)
            .await;
    let moved = moved?;
    let _ = lang;
    tx.commit().await?;
    Ok(moved)
}

async fn application_case_in(tx: &mut Tx, case_id: i64) -> Result<Case, StoreError> {
    match cases::case_in(tx, case_id).await? {
        Some(case) if case.kind == CaseKind::Application => Ok(case),
        _ => Err(StoreError::NotFound),
    }
}

fn status_of(case: &Case) -> Result<ApplicationStatus, StoreError> {
    ApplicationStatus::parse(&case.status)
        .ok_or_else(|| StoreError::Corrupt(format!("application status {}", case.status)))
}

/// The transition itself, in the caller's transaction (the demo seeds through it too).
pub async fn act_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    actor: EventActor,
    event: ApplicationEvent,
    instruction: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    if let Some(expected) = instruction.expected_version
        && expected != case.version
    {
        return Err(StoreError::StaleVersion { current: case.version });
    }
    let mut e = FieldErrors::default();
    let reason = instruction.reason.trim();
    if event.needs_reason() && reason.is_empty() {
        e.push("reason", Rule::Required);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        e.push("reason", Rule::TooLong { max: MAX_REASON_CHARS });
    }
    let receipt = instruction.receipt_number.map(str::trim).unwrap_or_default();
    if event == ApplicationEvent::RecordPayment {
        if receipt.is_empty() {
            e.push("receipt_number", Rule::Required);
        } else if receipt.chars().count() > 64 {
            e.push("receipt_number", Rule::TooLong { max: 64 });
        }
    }
    if event == ApplicationEvent::Forward && instruction.to_unit_id.is_none() {
        e.push("to_unit", Rule::Required);
    }
    e.into_result()?;

    let (version_id, paid_at): (i64, Option<DateTime<Utc>>) = tx
        .fetch_one(query("SELECT service_version_id, paid_at FROM applications WHERE case_id = $1").bind(case.id))
        .await?;
    let terms = catalogue::application_terms_of_version_in(tx, version_id).await?;
    let mut steps = cases::steps_in(tx, case.id).await?;
    let route = Route {
        steps: steps
            .iter()
            .map(|s| RouteStep { unit_id: s.unit_id, sla_days: u32::try_from(s.sla_days).unwrap_or(0) })
            .collect(),
        fee_due: terms.fee.0 > 0,
    };
    let at = Position {
        status: status_of(case)?,
        step: usize::try_from(case.current_step).map_err(|_| StoreError::Corrupt("step".into()))?,
        paid: paid_at.is_some(),
    };
    let next = rules::apply(&route, at, event).map_err(StoreError::Workflow)?;
    let (calendar, zone) = calendar_in(tx, case.government_id).await?;

    let mut agency_id = case.agency_id;
    let mut unit_id = case.unit_id;
    let mut due_at = case.due_at;
    let mut paused_since = case.paused_since;
    let current = steps.get_mut(at.step).ok_or_else(|| StoreError::Corrupt("step out of route".into()))?;

    // A pause ends: the time the citizen (or the payment) took is added back to both deadlines.
    if at.status.clock() == balai_domain::cases::ClockRule::Pauses
        && next.status.clock() == balai_domain::cases::ClockRule::Runs
        && let Some(since) = case.paused_since
    {
        if let Some(due) = due_at {
            due_at = Some(extended(&calendar, zone, due, since, now)?);
        }
        if let Some(step_due) = current.due_at {
            current.due_at = Some(extended(&calendar, zone, step_due, since, now)?);
        }
        paused_since = None;
    }
    if at.status.clock() == balai_domain::cases::ClockRule::Runs
        && next.status.clock() == balai_domain::cases::ClockRule::Pauses
    {
        paused_since = Some(now);
    }

    match event {
        ApplicationEvent::Forward => {
            let to_unit = instruction.to_unit_id.unwrap_or_default();
            let target: Option<(i64, i64)> = tx
                .fetch_optional(query("SELECT agency_id, government_id FROM units WHERE id = $1").bind(to_unit))
                .await?;
            match target {
                Some((to_agency, government_id))
                    if government_id == case.government_id && Some(to_unit) != case.unit_id =>
                {
                    agency_id = to_agency;
                    unit_id = Some(to_unit);
                    current.unit_id = to_unit;
                }
                _ => {
                    let mut e = FieldErrors::default();
                    e.push("to_unit", Rule::Unknown);
                    return Err(StoreError::Invalid(e));
                }
            }
        }
        ApplicationEvent::Verify => {
            current.done_at = Some(now);
            let following = next.step;
            let step = steps.get_mut(following).ok_or_else(|| StoreError::Corrupt("next step".into()))?;
            let due = deadline(&calendar, zone, now, step.sla_days)?;
            step.started_at = Some(now);
            step.due_at = Some(due.due_at);
            unit_id = Some(step.unit_id);
            let (to_agency,): (i64,) =
                tx.fetch_one(query("SELECT agency_id FROM units WHERE id = $1").bind(step.unit_id)).await?;
            agency_id = to_agency;
        }
        ApplicationEvent::Complete => {
            current.done_at = Some(now);
        }
        ApplicationEvent::RecordPayment => {
            tx.execute(
                query("UPDATE applications SET paid_at = $1, receipt_number = $2 WHERE case_id = $3")
                    .bind(now)
                    .bind(receipt)
                    .bind(case.id),
            )
            .await?;
            let audit_actor = actor.audit_actor(tx).await?;
            record_application(tx, &audit_actor, "applications.payment", case).await?;
            // Paid at the counter: the invoice shown as a QR or a virtual account is paid too, so the
            // money cannot be taken twice. (A payment through a gateway has paid its invoice already.)
            if let EventActor::Officer(_) = actor {
                crate::payments::record_counter_payment_in(tx, case, receipt, &audit_actor, now).await?;
            }
        }
        ApplicationEvent::RequestCorrection | ApplicationEvent::Resubmit | ApplicationEvent::Reject => {}
    }
    for step in &steps {
        cases::set_step(tx, step).await?;
    }
    let closed_at = next.status.is_final().then_some(now);
    if closed_at.is_some() {
        paused_since = None;
    }
    let step_reason = match event {
        ApplicationEvent::RecordPayment => receipt.to_owned(),
        _ => reason.to_owned(),
    };
    cases::move_case(
        tx,
        case,
        &Move {
            event: event.code(),
            actor: actor.clone(),
            to_status: next.status.code(),
            to_step: i64::try_from(next.step).unwrap_or(i64::MAX),
            to_agency_id: agency_id,
            to_unit_id: unit_id,
            due_at,
            paused_since,
            closed_at,
            reason: &step_reason,
            at: now,
        },
    )
    .await?;
    if event == ApplicationEvent::Complete {
        let issued = instruction.issued.ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.push("document", Rule::Required);
            StoreError::Invalid(e)
        })?;
        record_issued(tx, vault, case, issued, now).await?;
    }
    let moved = cases::case_in(tx, case.id).await?.ok_or(StoreError::NotFound)?;
    if next.status == ApplicationStatus::AwaitingPayment && at.status != ApplicationStatus::AwaitingPayment {
        let audit_actor = actor.audit_actor(tx).await?;
        crate::payments::issue_for_case_in(tx, &moved, terms.fee, &audit_actor, now).await?;
    }
    if next.status == ApplicationStatus::Rejected {
        let audit_actor = actor.audit_actor(tx).await?;
        crate::payments::cancel_open_for_case_in(tx, case.id, &audit_actor, now).await?;
    }
    if matches!(event, ApplicationEvent::Verify)
        && let Some(step) = steps.get(next.step)
        && let Some(due) = step.due_at
    {
        schedule_breach_check(tx, &moved, next.step, due).await?;
    }
    if matches!(event, ApplicationEvent::Resubmit | ApplicationEvent::RecordPayment)
        && let Some(due) = steps.get(next.step).and_then(|s| s.due_at)
    {
        schedule_breach_check(tx, &moved, next.step, due).await?;
    }
    notify_citizen(tx, vault, &moved, &terms.name, Lang::Id).await?;
    if next.status == ApplicationStatus::Completed {
        crate::surveys::invite_for_application_in(tx, vault, &moved, &terms.name, now).await?;
    }
    Ok(moved)
}

async fn record_issued(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    issued: &IssuedDocument,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let citizen_id = case.citizen_id.ok_or_else(|| StoreError::Corrupt("an application without a citizen".into()))?;
    tx.execute(
        query(
            "INSERT INTO issued_documents (id, government_id, case_id, citizen_id, number, product, issuer, issued_on, \
             sha256, signature, object_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(issued.id.as_str())
        .bind(case.government_id)
        .bind(case.id)
        .bind(citizen_id)
        .bind(issued.number.as_str())
        .bind(issued.product.as_str())
        .bind(issued.issuer.as_str())
        .bind(issued.issued_on)
        .bind(issued.sha256.as_str())
        .bind(issued.signature.as_str())
        .bind(issued.object_key.as_str())
        .bind(now),
    )
    .await?;
    let actor = crate::audit::Actor::system("applications");
    crate::identity::citizens::hold_document(
        tx,
        &actor,
        vault,
        citizen_id,
        &crate::identity::citizens::HeldDocument {
            doc_type: issued.doc_type.clone(),
            number: Some(issued.number.clone()),
            issuer: issued.issuer.clone(),
            issued_on: Some(issued.issued_on),
        },
    )
    .await?;
    tx.execute(
        query("UPDATE citizen_documents SET issued_document_id = $1 WHERE citizen_id = $2 AND doc_type = $3")
            .bind(issued.id.as_str())
            .bind(citizen_id)
            .bind(issued.doc_type.as_str()),
    )
    .await?;
    crate::audit::record_change(
        tx,
        &actor,
        "applications.document.issued",
        &crate::audit::Subject::new("issued_documents", &issued.id),
        Some(case.government_id),
    )
    .await?;
    Ok(())
}

/// Tells the citizen where their application now stands, on the contact on record (texts editable).
async fn notify_citizen(tx: &mut Tx, vault: &Vault, case: &Case, service: &str, lang: Lang) -> Result<(), StoreError> {
    let Some(citizen_id) = case.citizen_id else { return Ok(()) };
    let contacts: Option<(Option<String>, Option<String>)> =
        tx.fetch_optional(query("SELECT email_enc, phone_enc FROM citizens WHERE id = $1").bind(citizen_id)).await?;
    let Some((email, phone)) = contacts else { return Ok(()) };
    let (channel, recipient) = match (email, phone) {
        (Some(email), _) => (Channel::Email, vault.open("citizens.email", &email)),
        (None, Some(phone)) => (Channel::Sms, vault.open("citizens.phone", &phone)),
        (None, None) => return Ok(()),
    };
    let recipient = recipient.map_err(|e| StoreError::Corrupt(format!("a sealed contact: {e}")))?;
    let status = status_of(case)?;
    let tracking = case.tracking_number.clone().unwrap_or_default();
    let (subject, body) = notify::templates::compose(
        tx,
        MessageKind::CaseUpdate,
        lang,
        &[("tracking_number", tracking.as_str()), ("service", service), ("status", status.label(lang))],
    )
    .await?;
    notify::enqueue(
        tx,
        vault,
        &NewMessage {
            government_id: Some(case.government_id),
            channel,
            recipient: &recipient,
            template: MessageKind::CaseUpdate.code(),
            lang,
            subject,
            body,
        },
    )
    .await?;
    Ok(())
}

// ---- reading ------------------------------------------------------------------------------------

/// One row of the public view: the application with one of its steps (a row per step).
#[derive(sqlx::FromRow)]
struct PublicRow {
    tracking_number: Option<String>,
    status: String,
    opened_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    current_step: i64,
    service: String,
    service_en: String,
    government: String,
    time_zone: String,
    document_id: Option<String>,
    step_name: Option<String>,
    step_unit: Option<String>,
    step_due_at: Option<DateTime<Utc>>,
    step_done_at: Option<DateTime<Utc>>,
}

/// The public view in one statement (one consistent snapshot on both engines, one round trip):
/// the case, its service and government, its issued document and its steps in order. Joining
/// `applications` keeps other kinds of case out.
const PUBLIC_SELECT: &str = "SELECT c.tracking_number, c.status, c.opened_at, c.due_at, c.closed_at, c.current_step, \
     v.name AS service, v.name_en AS service_en, g.name AS government, g.time_zone, \
     (SELECT d.id FROM issued_documents d WHERE d.case_id = c.id AND d.id NOT IN \
     (SELECT r.receipt_id FROM invoices r WHERE r.case_id = c.id AND r.receipt_id IS NOT NULL) LIMIT 1) AS document_id, \
     st.name AS step_name, u.name AS step_unit, st.due_at AS step_due_at, st.done_at AS step_done_at \
     FROM cases c JOIN applications a ON a.case_id = c.id \
     JOIN service_versions v ON v.id = a.service_version_id JOIN governments g ON g.id = c.government_id \
     LEFT JOIN case_steps st ON st.case_id = c.id LEFT JOIN units u ON u.id = st.unit_id";

/// Inside a command's transaction: what it answers after writing.
async fn public_application_in(tx: &mut Tx, case_id: i64) -> Result<Option<PublicApplication>, StoreError> {
    let rows = tx
        .fetch_all(dynamic_query(format!("{PUBLIC_SELECT} WHERE c.id = $1 ORDER BY st.position")).bind(case_id))
        .await?;
    public_view(rows)
}

async fn public_application_where(db: &Db, q: crate::Query) -> Result<Option<PublicApplication>, StoreError> {
    public_view(db.fetch_all(q).await?)
}

fn public_view(rows: Vec<PublicRow>) -> Result<Option<PublicApplication>, StoreError> {
    let Some(first) = rows.first() else { return Ok(None) };
    let status = ApplicationStatus::parse(&first.status)
        .ok_or_else(|| StoreError::Corrupt(format!("application status {}", first.status)))?;
    let steps = rows
        .iter()
        .filter_map(|r| {
            Some(PublicStep {
                name: r.step_name.clone()?,
                unit: r.step_unit.clone()?,
                due_at: r.step_due_at,
                done_at: r.step_done_at,
            })
        })
        .collect();
    let row = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    Ok(Some(PublicApplication {
        tracking_number: row.tracking_number.unwrap_or_default(),
        service: row.service,
        service_en: row.service_en,
        government: row.government,
        time_zone: row.time_zone,
        status,
        submitted_at: row.opened_at,
        due_at: row.due_at,
        closed_at: row.closed_at,
        current_step: row.current_step,
        steps,
        document_id: row.document_id,
    }))
}

/// The public view of an application by its tracking number (a checked number: parse it first).
pub async fn public_application(
    db: &Db,
    tracking_number: &TrackingNumber,
) -> Result<Option<PublicApplication>, StoreError> {
    public_application_where(
        db,
        dynamic_query(format!("{PUBLIC_SELECT} WHERE c.tracking_number = $1 ORDER BY st.position"))
            .bind(tracking_number.as_str()),
    )
    .await
}

/// One of a citizen's own applications by its tracking number, with its case id; another's is `None`.
pub async fn citizen_application(
    db: &Db,
    citizen_id: i64,
    tracking_number: &TrackingNumber,
) -> Result<Option<(i64, PublicApplication)>, StoreError> {
    let owned: Option<(i64,)> = db
        .fetch_optional(
            query("SELECT id FROM cases WHERE tracking_number = $1 AND citizen_id = $2")
                .bind(tracking_number.as_str())
                .bind(citizen_id),
        )
        .await?;
    let Some((case_id,)) = owned else { return Ok(None) };
    Ok(public_application_by_id(db, case_id).await?.map(|view| (case_id, view)))
}

/// The public view of one of a citizen's own applications, by case id.
pub async fn public_application_by_id(db: &Db, case_id: i64) -> Result<Option<PublicApplication>, StoreError> {
    public_application_where(
        db,
        dynamic_query(format!("{PUBLIC_SELECT} WHERE c.id = $1 ORDER BY st.position")).bind(case_id),
    )
    .await
}

/// One line of a work queue or a citizen's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseLine {
    pub case_id: i64,
    pub tracking_number: Option<String>,
    pub service: String,
    pub status: String,
    pub current_step: i64,
    pub step_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit: Option<String>,
    pub step_due_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub breached: bool,
    /// Set while the case waits on the citizen: its clock stands still.
    pub paused_since: Option<DateTime<Utc>>,
}

impl CaseLine {
    pub fn status(&self) -> Option<ApplicationStatus> {
        ApplicationStatus::parse(&self.status)
    }
}

const LINE_SELECT: &str = "SELECT c.id AS case_id, c.tracking_number, v.name AS service, c.status, c.current_step, \
     st.name AS step_name, c.unit_id, u.name AS unit, st.due_at AS step_due_at, c.due_at, c.opened_at, c.closed_at, \
     (st.breached_at IS NOT NULL) AS breached, c.paused_since \
     FROM cases c JOIN applications a ON a.case_id = c.id JOIN service_versions v ON v.id = a.service_version_id \
     LEFT JOIN case_steps st ON st.case_id = c.id AND st.position = c.current_step \
     LEFT JOIN units u ON u.id = c.unit_id";

/// How a work queue is narrowed.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<ApplicationStatus>,
    pub service_id: Option<i64>,
    pub late_only: bool,
}

/// The most lines a queue page shows.
pub const MAX_QUEUE_LINES: i64 = 200;

/// An officer's open work, what is due first on top: their unit's cases, or their agency's when they
/// have no unit; cases waiting on the citizen (a correction, a payment) come after the running ones.
/// Staff outside an agency see nothing here.
pub async fn queue_for_officer(
    db: &Db,
    officer_id: i64,
    filter: &QueueFilter,
    now: DateTime<Utc>,
) -> Result<Vec<CaseLine>, StoreError> {
    let mut tx = db.begin_read().await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?;
    tx.commit().await?;
    let Some(who) = who else { return Err(StoreError::Forbidden) };
    let (Some(government_id), Some(agency_id)) = (who.government_id, who.agency_id) else { return Ok(Vec::new()) };
    let mut sql =
        format!("{LINE_SELECT} WHERE c.government_id = $1 AND c.kind = 'application' AND c.closed_at IS NULL");
    let mut q_unit = None;
    if let Some(unit_id) = who.unit_id {
        sql.push_str(" AND c.unit_id = $2");
        q_unit = Some(unit_id);
    } else {
        sql.push_str(" AND c.agency_id = $2");
    }
    if let Some(status) = filter.status {
        sql.push_str(&format!(" AND c.status = '{}'", status.code()));
    }
    if filter.service_id.is_some() {
        sql.push_str(" AND c.service_id = $3");
    } else {
        sql.push_str(" AND $3 = $3");
    }
    if filter.late_only {
        sql.push_str(" AND st.due_at <= $4");
    } else {
        sql.push_str(" AND $4 = $4");
    }
    sql.push_str(" ORDER BY CASE WHEN c.paused_since IS NULL THEN 0 ELSE 1 END, CASE WHEN st.due_at IS NULL THEN 1 ELSE 0 END, st.due_at, c.id LIMIT $5");
    db.fetch_all(
        crate::dynamic_query(sql)
            .bind(government_id)
            .bind(q_unit.unwrap_or(agency_id))
            .bind(filter.service_id.unwrap_or(0))
            .bind(now)
            .bind(MAX_QUEUE_LINES),
    )
    .await
}

/// A citizen's own applications, newest first.
pub async fn citizen_applications(db: &Db, citizen_id: i64) -> Result<Vec<CaseLine>, StoreError> {
    db.fetch_all(
        crate::dynamic_query(format!(
            "{LINE_SELECT} WHERE c.citizen_id = $1 AND c.kind = 'application' ORDER BY c.opened_at DESC, c.id DESC LIMIT $2"
        ))
        .bind(citizen_id)
        .bind(MAX_QUEUE_LINES),
    )
    .await
}

/// A document attached to an application, as the officer working it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttachedDocument {
    pub code: String,
    pub doc_type: String,
    pub upload_id: Option<i64>,
    pub citizen_document_id: Option<i64>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
}

/// Everything an officer working a case needs on one page.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub case: Case,
    pub public: PublicApplication,
    pub form: Vec<FormField>,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub documents: Vec<AttachedDocument>,
    pub steps: Vec<CaseStep>,
    pub events: Vec<cases::CaseEvent>,
    pub allowed: Vec<ApplicationEvent>,
    pub fee: i64,
    pub paid_at: Option<DateTime<Utc>>,
    pub receipt_number: Option<String>,
    pub service_code: String,
    /// What the service issues (the standard's product).
    pub product: String,
    /// The name of each required document, by code (for labels).
    pub document_names: Vec<(String, String)>,
}

/// A case file for an officer who may work the case where it sits (else `Forbidden`).
pub async fn case_file_for_officer(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    case_id: i64,
) -> Result<CaseFile, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?;
    let allowed_here = who.is_some_and(|who| balai_domain::identity::permits(&who, Action::WorkCase, &case.target()));
    if !allowed_here {
        return Err(StoreError::Forbidden);
    }
    let file = case_file_in(&mut tx, vault, case).await?;
    tx.commit().await?;
    Ok(file)
}

/// A case file for the citizen it belongs to (else `NotFound`: another's case does not exist to them).
pub async fn case_file_for_citizen(
    db: &Db,
    vault: &Vault,
    citizen_id: i64,
    case_id: i64,
) -> Result<CaseFile, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    if case.citizen_id != Some(citizen_id) {
        return Err(StoreError::NotFound);
    }
    let file = case_file_in(&mut tx, vault, case).await?;
    tx.commit().await?;
    Ok(file)
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    service_version_id: i64,
    fields_enc: String,
    fee: i64,
    paid_at: Option<DateTime<Utc>>,
    receipt_number: Option<String>,
}

async fn case_file_in(tx: &mut Tx, vault: &Vault, case: Case) -> Result<CaseFile, StoreError> {
    let row: ApplicationRow = tx
        .fetch_one(
            query("SELECT service_version_id, fields_enc, fee, paid_at, receipt_number FROM applications WHERE case_id = $1")
                .bind(case.id),
        )
        .await?;
    let terms = catalogue::application_terms_of_version_in(tx, row.service_version_id).await?;
    let fields_json = vault
        .open("applications.fields", &row.fields_enc)
        .map_err(|e| StoreError::Corrupt(format!("sealed answers: {e}")))?;
    let fields = match serde_json::from_str(&fields_json) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(StoreError::Corrupt("the answers are not a JSON object".into())),
    };
    let documents: Vec<AttachedDocument> = tx
        .fetch_all(
            query(
                "SELECT d.code, d.doc_type, d.upload_id, d.citizen_document_id, up.content_type, up.size \
                 FROM application_documents d LEFT JOIN uploads up ON up.id = d.upload_id WHERE d.case_id = $1 ORDER BY d.id",
            )
            .bind(case.id),
        )
        .await?;
    let steps = cases::steps_in(tx, case.id).await?;
    let events: Vec<cases::CaseEvent> = cases::events_in(tx, case.id).await?;
    let route = Route {
        steps: steps
            .iter()
            .map(|s| RouteStep { unit_id: s.unit_id, sla_days: u32::try_from(s.sla_days).unwrap_or(0) })
            .collect(),
        fee_due: row.fee > 0,
    };
    let position = Position {
        status: status_of(&case)?,
        step: usize::try_from(case.current_step).unwrap_or(0),
        paid: row.paid_at.is_some(),
    };
    let allowed = rules::allowed_events(&route, position);
    let public = public_application_in(tx, case.id).await?.ok_or(StoreError::NotFound)?;
    Ok(CaseFile {
        case,
        public,
        form: terms.form,
        fields,
        documents,
        steps,
        events,
        allowed,
        fee: row.fee,
        paid_at: row.paid_at,
        receipt_number: row.receipt_number,
        service_code: terms.service_code,
        document_names: rules::required_documents(&terms.requirements).into_iter().map(|d| (d.code, d.name)).collect(),
        product: terms.product,
    })
}

/// A case file read in the caller's transaction with no officer's permission checked: for the
/// system's own work (the demo issues its completed cases' documents through it).
pub(crate) async fn case_file_by_id_in(tx: &mut Tx, vault: &Vault, case_id: i64) -> Result<CaseFile, StoreError> {
    let case = application_case_in(tx, case_id).await?;
    case_file_in(tx, vault, case).await
}

/// The service's form and documents, with the citizen's own copies on file when signed in.
#[derive(Debug, Clone)]
pub struct FormTerms {
    pub terms: ApplicationTerms,
    pub documents: Vec<RequiredDocument>,
    /// For each required document code, the id of the citizen's copy on file.
    pub on_file: Vec<(String, i64)>,
}

pub async fn form_terms(
    db: &Db,
    government_id: i64,
    service_code: &str,
    citizen_id: Option<i64>,
) -> Result<FormTerms, StoreError> {
    let mut tx = db.begin_read().await?;
    let terms =
        catalogue::application_terms_in(&mut tx, government_id, service_code).await?.ok_or(StoreError::NotFound)?;
    let documents = rules::required_documents(&terms.requirements);
    let mut on_file = Vec::new();
    if let Some(citizen_id) = citizen_id {
        let held: Vec<(i64, String)> = tx
            .fetch_all(query("SELECT id, doc_type FROM citizen_documents WHERE citizen_id = $1").bind(citizen_id))
            .await?;
        for document in &documents {
            if let Some((id, _)) = held.iter().find(|(_, t)| t == document.doc_type.code()) {
                on_file.push((document.code.clone(), *id));
            }
        }
    }
    tx.commit().await?;
    Ok(FormTerms { terms, documents, on_file })
}

// ---- uploads ------------------------------------------------------------------------------------

/// A cleaned file, recorded after it was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Upload {
    pub id: i64,
    pub government_id: i64,
    pub citizen_id: i64,
    pub object_key: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// Uploads one citizen may keep unattached within a day (a bound against filling the store).
pub const MAX_UPLOADS_PER_DAY: i64 = 100;

#[allow(clippy::too_many_arguments)]
pub async fn record_upload(
    db: &Db,
    citizen_id: i64,
    government_id: i64,
    object_key: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
    now: DateTime<Utc>,
) -> Result<Upload, StoreError> {
    let mut tx = db.begin().await?;
    let (recent,): (i64,) = tx
        .fetch_one(
            query("SELECT COUNT(*) FROM uploads WHERE citizen_id = $1 AND created_at > $2")
                .bind(citizen_id)
                .bind(now - chrono::Duration::days(1)),
        )
        .await?;
    if recent >= MAX_UPLOADS_PER_DAY {
        return Err(StoreError::TooManyRequests);
    }
    let id = insert_upload(&mut tx, government_id, citizen_id, object_key, content_type, size, sha256, now).await?;
    tx.commit().await?;
    Ok(Upload {
        id,
        government_id,
        citizen_id,
        object_key: object_key.to_owned(),
        content_type: content_type.to_owned(),
        size,
        sha256: sha256.to_owned(),
        created_at: now,
    })
}

/// Writes an upload's row in the caller's transaction (the one statement the product and the demo share).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_upload(
    tx: &mut Tx,
    government_id: i64,
    citizen_id: i64,
    object_key: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    tx.insert(
        query(
            "INSERT INTO uploads (government_id, citizen_id, object_key, content_type, size, sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(government_id)
        .bind(citizen_id)
        .bind(object_key)
        .bind(content_type)
        .bind(size)
        .bind(sha256)
        .bind(at),
    )
    .await
}

/// An upload attached to a case an officer may work, for viewing (else `Forbidden` / `NotFound`).
pub async fn upload_for_officer(db: &Db, officer_id: i64, case_id: i64, upload_id: i64) -> Result<Upload, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = application_case_in(&mut tx, case_id).await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?;
    if !who.is_some_and(|who| balai_domain::identity::permits(&who, Action::WorkCase, &case.target())) {
        return Err(StoreError::Forbidden);
    }
    let upload: Option<Upload> = tx
        .fetch_optional(
            query(
                "SELECT up.id, up.government_id, up.citizen_id, up.object_key, up.content_type, up.size, up.sha256, up.created_at \
                 FROM uploads up JOIN application_documents d ON d.upload_id = up.id WHERE d.case_id = $1 AND up.id = $2",
            )
            .bind(case_id)
            .bind(upload_id),
        )
        .await?;
    tx.commit().await?;
    upload.ok_or(StoreError::NotFound)
}

// ---- issued documents ---------------------------------------------------------------------------

/// An issued document as the verification page shows it: number, type, issuer and date only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IssuedRecord {
    pub id: String,
    pub government_id: i64,
    pub case_id: i64,
    pub citizen_id: i64,
    pub number: String,
    pub product: String,
    pub issuer: String,
    pub issued_on: chrono::NaiveDate,
    pub sha256: String,
    pub signature: String,
    pub object_key: String,
}

pub async fn issued_document(db: &Db, id: &str) -> Result<Option<IssuedRecord>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT id, government_id, case_id, citizen_id, number, product, issuer, issued_on, sha256, signature, object_key \
             FROM issued_documents WHERE id = $1",
        )
        .bind(id),
    )
    .await
}

/// A citizen's issued documents, newest first.
pub async fn issued_documents_of(db: &Db, citizen_id: i64) -> Result<Vec<IssuedRecord>, StoreError> {
    db.fetch_all(
        query(
            "SELECT id, government_id, case_id, citizen_id, number, product, issuer, issued_on, sha256, signature, object_key \
             FROM issued_documents WHERE citizen_id = $1 ORDER BY created_at DESC LIMIT 200",
        )
        .bind(citizen_id),
    )
    .await
}

/// The number printed on an issued document: the service, the year and the tracking number, so it
/// needs no counter (no contention between nodes) and is unique with the case.
pub fn document_number(service_code: &str, tracking_number: &str, issued_on: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}/{}/{}", service_code.to_uppercase(), tracking_number, issued_on.year())
}

/// The type a citizen holds an issued document under (once-only: a later application needing it
/// attaches it by reference): the first document type whose name the product mentions.
pub fn output_document_type(product: &str) -> balai_domain::catalogue::DocumentType {
    use balai_domain::catalogue::DocumentType;
    let product = product.to_lowercase();
    DocumentType::ALL
        .into_iter()
        .filter(|t| !matches!(t, DocumentType::Lainnya | DocumentType::Formulir))
        .find(|t| {
            let name = t.label(Lang::Id).to_lowercase();
            let head = name.split(['/', '(']).next().unwrap_or_default().trim().to_owned();
            !head.is_empty() && product.contains(&head)
        })
        .unwrap_or(DocumentType::Lainnya)
}

// ---- breaches -----------------------------------------------------------------------------------

/// Marks the step of a case as late when its deadline has passed and it is still open and running;
/// writes the breach event and alerts the heads of the agency. Returns whether a breach was recorded.
/// Safe to run on several nodes: the guarded update lets one of them win.
pub async fn check_step_breach(
    db: &Db,
    vault: &Vault,
    case_id: i64,
    position: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let breached = check_step_breach_in(&mut tx, vault, case_id, position, now).await?;
    tx.commit().await?;
    Ok(breached)
}

/// [`check_step_breach`] in the caller's transaction (the demo marks its late steps through it).
pub async fn check_step_breach_in(
    tx: &mut Tx,
    vault: &Vault,
    case_id: i64,
    position: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(case) = cases::case_in(tx, case_id).await? else { return Ok(false) };
    if case.closed_at.is_some() || case.paused_since.is_some() || case.current_step != position {
        return Ok(false);
    }
    let changed = tx
        .execute(
            query(
                "UPDATE case_steps SET breached_at = $1 WHERE case_id = $2 AND position = $3 AND done_at IS NULL \
                 AND breached_at IS NULL AND due_at IS NOT NULL AND due_at <= $1",
            )
            .bind(now)
            .bind(case_id)
            .bind(position),
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    cases::note_event(tx, &case, "breach", &EventActor::System("sla"), "", now).await?;
    let heads: Vec<(Option<String>,)> = tx
        .fetch_all(
            query("SELECT email FROM officers WHERE agency_id = $1 AND role = 'agency_head' AND email IS NOT NULL")
                .bind(case.agency_id),
        )
        .await?;
    let steps = cases::steps_in(tx, case_id).await?;
    let step_name = steps.iter().find(|s| s.position == position).map(|s| s.name.clone()).unwrap_or_default();
    for (email,) in heads {
        let Some(email) = email else { continue };
        let tracking = case.tracking_number.clone().unwrap_or_default();
        let (subject, body) = notify::templates::compose(
            tx,
            MessageKind::SlaBreach,
            Lang::Id,
            &[("tracking_number", tracking.as_str()), ("service", case.title.as_str()), ("step", step_name.as_str())],
        )
        .await?;
        notify::enqueue(
            tx,
            vault,
            &NewMessage {
                government_id: Some(case.government_id),
                channel: Channel::Email,
                recipient: &email,
                template: MessageKind::SlaBreach.code(),
                lang: Lang::Id,
                subject,
                body,
            },
        )
        .await?;
    }
    Ok(true)
}

/// Open running steps whose deadline passed and which are not yet marked late (what the scan checks).
pub async fn overdue_steps(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    db.fetch_all(
        query(
            "SELECT st.case_id, st.position FROM case_steps st JOIN cases c ON c.id = st.case_id \
             WHERE st.done_at IS NULL AND st.breached_at IS NULL AND st.due_at <= $1 AND c.closed_at IS NULL \
             AND c.paused_since IS NULL AND c.current_step = st.position ORDER BY st.due_at LIMIT $2",
        )
        .bind(now)
        .bind(limit),
    )
    .await
}

// ---- audited state ------------------------------------------------------------------------------

/// An application's own row (its answers stay sealed in the hash) and issued documents are audited.
pub(crate) const AUDITED: &[AuditedTable] = &[
    AuditedTable::new("applications", application_state).listed_by(application_ids),
    AuditedTable::new("issued_documents", issued_state).listed_by(issued_ids),
];

fn application_ids(tx: &mut Tx) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64,)> = tx.fetch_all(query("SELECT case_id FROM applications")).await?;
        Ok(rows.into_iter().map(|(id,)| id.to_string()).collect())
    })
}

fn issued_ids(tx: &mut Tx) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(String,)> = tx.fetch_all(query("SELECT id FROM issued_documents")).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    })
}

/// Records a payment made before the case waits for it (a service paid first): the application is
/// paid, and the case will not stop for payment at its last step.
pub(crate) async fn record_paid_in(
    tx: &mut Tx,
    case: &Case,
    receipt_number: &str,
    actor: &crate::audit::Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            query("UPDATE applications SET paid_at = $1, receipt_number = $2 WHERE case_id = $3 AND paid_at IS NULL")
                .bind(now)
                .bind(receipt_number)
                .bind(case.id),
        )
        .await?;
    if changed == 1 {
        cases::note_event(tx, case, "payment_received", &EventActor::System("payment"), receipt_number, now).await?;
        record_application(tx, actor, "applications.payment", case).await?;
    }
    Ok(())
}

/// The leaf that vouches for an application's own row (answers, fee, payment) as it now is.
async fn record_application(
    tx: &mut Tx,
    actor: &crate::audit::Actor,
    action: &str,
    case: &Case,
) -> Result<(), StoreError> {
    crate::audit::record_change(
        tx,
        actor,
        action,
        &crate::audit::Subject::new("applications", case.id),
        Some(case.government_id),
    )
    .await?;
    Ok(())
}

#[derive(Serialize, sqlx::FromRow)]
struct ApplicationState {
    case_id: i64,
    government_id: i64,
    service_version_id: i64,
    fields_enc: String,
    fee: i64,
    paid_at: Option<DateTime<Utc>>,
    receipt_number: Option<String>,
    submitted_at: DateTime<Utc>,
}

fn application_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    crate::audit::row_state::<ApplicationState>(
        tx,
        "applications",
        query(
            "SELECT case_id, government_id, service_version_id, fields_enc, fee, paid_at, receipt_number, submitted_at \
             FROM applications WHERE case_id = $1",
        ),
        id,
    )
}

fn issued_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move {
        let row: Option<IssuedRecord> = tx
            .fetch_optional(
                query(
                    "SELECT id, government_id, case_id, citizen_id, number, product, issuer, issued_on, sha256, signature, \
                     object_key FROM issued_documents WHERE id = $1",
                )
                .bind(id),
            )
            .await?;
        Ok(row.map(|r| crate::audit::to_json(&r)))
    })
}

/// The job that checks a step when its deadline falls.
pub const BREACH_CHECK: &str = "sla.breach_check";

/// What one round of the deadline worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaRound {
    pub checked: usize,
    pub breached: usize,
}

/// One round of the deadline worker: runs the due breach checks from the job queue (any node may; a
/// job is one node's at a time), then sweeps for late steps a lost job would have missed.
pub async fn work_sla(db: &Db, vault: &Vault, now: DateTime<Utc>, limit: u32) -> Result<SlaRound, StoreError> {
    let mut round = SlaRound::default();
    for job in crate::jobs::claim(db, &[BREACH_CHECK], now, chrono::Duration::seconds(60), limit).await? {
        let case_id = job.payload.get("case_id").and_then(serde_json::Value::as_i64);
        let position = job.payload.get("position").and_then(serde_json::Value::as_i64);
        let (Some(case_id), Some(position)) = (case_id, position) else {
            crate::jobs::fail(db, &job.lease, now, "payload without case_id and position", None).await?;
            continue;
        };
        match check_step_breach(db, vault, case_id, position, now).await {
            Ok(breached) => {
                round.checked += 1;
                round.breached += usize::from(breached);
                crate::jobs::complete(db, &job.lease, now).await?;
            }
            Err(e) => {
                let retry = now + crate::jobs::backoff(job.attempts);
                crate::jobs::fail(db, &job.lease, now, &e.to_string(), Some(retry)).await?;
            }
        }
    }
    for (case_id, position) in overdue_steps(db, now, i64::from(limit)).await? {
        round.checked += 1;
        round.breached += usize::from(check_step_breach(db, vault, case_id, position, now).await?);
    }
    Ok(round)
}

// ---- unit reports -------------------------------------------------------------------------------

/// A report line: a service or a unit, and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    pub name: String,
    pub figures: balai_domain::applications::report::Figures,
}

/// Breaches of one step of one service at one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreachLine {
    pub service: String,
    pub step: String,
    pub unit: String,
    pub breaches: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub by_service: Vec<ReportLine>,
    pub by_unit: Vec<ReportLine>,
    pub breaches: Vec<BreachLine>,
}

/// The longest period one report covers (a bound for hostile parameters).
pub const MAX_REPORT_DAYS: i64 = 366;

#[derive(sqlx::FromRow)]
struct ReportCaseRow {
    service: String,
    opened_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    status: String,
}

#[derive(sqlx::FromRow)]
struct ReportStepRow {
    service: String,
    step: String,
    unit: String,
    started_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    breached_at: Option<DateTime<Utc>>,
    case_closed: bool,
}

/// The unit report of an agency (its head) or a whole government (its administrator, auditors),
/// for the days `from..=to` in the government's calendar.
pub async fn report_for_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Report, StoreError> {
    use balai_domain::applications::report::{CaseFact, Completion, figures};
    if to < from || (to - from).num_days() > MAX_REPORT_DAYS {
        let mut e = FieldErrors::default();
        e.push("sampai", Rule::OutOfRange { min: 0, max: MAX_REPORT_DAYS });
        return Err(StoreError::Invalid(e));
    }
    let mut tx = db.begin_read().await?;
    let who = crate::identity::access::officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    // An agency's head sees their agency; those who see the whole government see all of it.
    let agency = match who.agency_id {
        Some(agency_id) if who.government_id == Some(government_id) => Some(agency_id),
        _ => None,
    };
    let target = match agency {
        Some(agency_id) => balai_domain::identity::Target::agency(government_id, agency_id),
        None => balai_domain::identity::Target::government(government_id),
    };
    if !balai_domain::identity::permits(&who, Action::ViewPerformance, &target) {
        return Err(StoreError::Forbidden);
    }
    let (calendar, zone) = calendar_in(&mut tx, government_id).await?;
    let start = zone.start_of_day(from);
    let end = zone.start_of_day(to.succ_opt().unwrap_or(to));
    let cases: Vec<ReportCaseRow> = tx
        .fetch_all(
            query(
                "SELECT v.name AS service, c.opened_at, c.closed_at, c.due_at, c.status FROM cases c \
                 JOIN applications a ON a.case_id = c.id JOIN service_versions v ON v.id = a.service_version_id \
                 JOIN services s ON s.id = c.service_id \
                 WHERE c.government_id = $1 AND ($2 = 0 OR s.agency_id = $2) AND c.opened_at < $4 \
                 AND (c.closed_at IS NULL OR c.closed_at >= $3)",
            )
            .bind(government_id)
            .bind(agency.unwrap_or(0))
            .bind(start)
            .bind(end),
        )
        .await?;
    let steps: Vec<ReportStepRow> = tx
        .fetch_all(
            query(
                "SELECT v.name AS service, st.name AS step, u.name AS unit, st.started_at, st.due_at, st.done_at, \
                 st.breached_at, (c.closed_at IS NOT NULL) AS case_closed FROM case_steps st \
                 JOIN cases c ON c.id = st.case_id JOIN applications a ON a.case_id = c.id \
                 JOIN service_versions v ON v.id = a.service_version_id JOIN units u ON u.id = st.unit_id \
                 WHERE c.government_id = $1 AND ($2 = 0 OR u.agency_id = $2) AND st.started_at IS NOT NULL \
                 AND st.started_at < $4 AND (st.done_at IS NULL OR st.done_at >= $3)",
            )
            .bind(government_id)
            .bind(agency.unwrap_or(0))
            .bind(start)
            .bind(end),
        )
        .await?;
    tx.commit().await?;
    let in_period = |t: DateTime<Utc>| t >= start && t < end;
    let days = |a: DateTime<Utc>, b: DateTime<Utc>| {
        calendar.working_days_between(zone.local_date(a), zone.local_date(b)).map_err(StoreError::Calendar)
    };
    let mut service_facts: std::collections::BTreeMap<String, Vec<CaseFact>> = Default::default();
    for c in &cases {
        let completed = match (c.status.as_str(), c.closed_at) {
            ("completed", Some(closed)) if in_period(closed) => Some(Completion {
                working_days: days(c.opened_at, closed)?,
                on_time: c.due_at.is_none_or(|due| closed <= due),
            }),
            _ => None,
        };
        service_facts.entry(c.service.clone()).or_default().push(CaseFact {
            received: in_period(c.opened_at),
            completed,
            open: c.closed_at.is_none(),
        });
    }
    let mut unit_facts: std::collections::BTreeMap<String, Vec<CaseFact>> = Default::default();
    let mut breaches: std::collections::BTreeMap<(String, String, String), u64> = Default::default();
    for s in &steps {
        let Some(started) = s.started_at else { continue };
        let completed = match s.done_at {
            Some(done) if in_period(done) => {
                Some(Completion { working_days: days(started, done)?, on_time: s.due_at.is_none_or(|due| done <= due) })
            }
            _ => None,
        };
        unit_facts.entry(s.unit.clone()).or_default().push(CaseFact {
            received: in_period(started),
            completed,
            open: s.done_at.is_none() && !s.case_closed,
        });
        if s.breached_at.is_some_and(in_period) {
            *breaches.entry((s.service.clone(), s.step.clone(), s.unit.clone())).or_default() += 1;
        }
    }
    let lines = |m: std::collections::BTreeMap<String, Vec<CaseFact>>| {
        m.into_iter().map(|(name, facts)| ReportLine { name, figures: figures(&facts) }).collect::<Vec<_>>()
    };
    let mut breaches: Vec<BreachLine> = breaches
        .into_iter()
        .map(|((service, step, unit), breaches)| BreachLine { service, step, unit, breaches })
        .collect();
    breaches.sort_by(|a, b| b.breaches.cmp(&a.breaches).then_with(|| a.service.cmp(&b.service)));
    Ok(Report { from, to, by_service: lines(service_facts), by_unit: lines(unit_facts), breaches })
}

impl Report {
    /// The report as CSV: one row per service and per unit, then one per breached step.
    pub fn to_csv(&self) -> String {
        let opt = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
        let mut out = String::from(
            "kind,name,received,completed,backlog,sla_compliance_percent,average_working_days,p90_working_days\n",
        );
        for (kind, lines) in [("service", &self.by_service), ("unit", &self.by_unit)] {
            for l in lines {
                let f = &l.figures;
                out.push_str(&format!(
                    "{kind},{},{},{},{},{},{},{}\n",
                    csv_field(&l.name),
                    f.received,
                    f.completed,
                    f.backlog,
                    opt(f.sla_compliance_percent),
                    opt(f.average_working_days),
                    f.p90_working_days.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
        }
        out.push_str("\nservice,step,unit,breaches\n");
        for b in &self.breaches {
            out.push_str(&format!(
                "{},{},{},{}\n",
                csv_field(&b.service),
                csv_field(&b.step),
                csv_field(&b.unit),
                b.breaches
            ));
        }
        out
    }
}

/// A CSV field, quoted when it must be; a leading formula character is neutralised so a spreadsheet
/// never runs a name as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

// ---- drafts -------------------------------------------------------------------------------------

/// Drafts one citizen may keep (one per service).
pub const MAX_DRAFTS: i64 = 20;
/// The largest draft, as JSON.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

/// Keeps a citizen's unsent answers for a service (replacing an earlier draft of it). Answers are
/// not checked until sent, but only the form's keys are kept and the size is bounded.
pub async fn save_draft(
    db: &Db,
    vault: &Vault,
    citizen_id: i64,
    government_id: i64,
    service_code: &str,
    fields: &serde_json::Map<String, serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let terms =
        catalogue::application_terms_in(&mut tx, government_id, service_code).await?.ok_or(StoreError::NotFound)?;
    let kept: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter(|(k, _)| terms.form.iter().any(|f| &f.key == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let json = serde_json::Value::Object(kept).to_string();
    let mut e = FieldErrors::default();
    if json.len() > MAX_DRAFT_BYTES {
        e.push("fields", Rule::TooLong { max: MAX_DRAFT_BYTES });
    }
    let (others,): (i64,) = tx
        .fetch_one(
            query("SELECT COUNT(*) FROM application_drafts WHERE citizen_id = $1 AND service_id <> $2")
                .bind(citizen_id)
                .bind(terms.service_id),
        )
        .await?;
    if others >= MAX_DRAFTS {
        e.push("drafts", Rule::TooMany { max: usize::try_from(MAX_DRAFTS).unwrap_or(20) });
    }
    e.into_result()?;
    tx.execute(
        query("DELETE FROM application_drafts WHERE citizen_id = $1 AND service_id = $2")
            .bind(citizen_id)
            .bind(terms.service_id),
    )
    .await?;
    tx.execute(
        query(
            "INSERT INTO application_drafts (government_id, citizen_id, service_id, fields_enc, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(government_id)
        .bind(citizen_id)
        .bind(terms.service_id)
        .bind(vault.seal("application_drafts.fields", &json))
        .bind(now),
    )
    .await?;
    tx.commit().await
}

/// A citizen's draft for a service, if they kept one.
pub async fn draft(
    db: &Db,
    vault: &Vault,
    citizen_id: i64,
    government_id: i64,
    service_code: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let row: Option<(String,)> = db
        .fetch_optional(
            query(
                "SELECT d.fields_enc FROM application_drafts d JOIN services s ON s.id = d.service_id \
                 WHERE d.citizen_id = $1 AND s.government_id = $2 AND s.code = $3",
            )
            .bind(citizen_id)
            .bind(government_id)
            .bind(service_code),
        )
        .await?;
    let Some((sealed,)) = row else { return Ok(None) };
    let json = vault
        .open("application_drafts.fields", &sealed)
        .map_err(|e| StoreError::Corrupt(format!("a sealed draft: {e}")))?;
    match serde_json::from_str(&json) {
        Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
        _ => Err(StoreError::Corrupt("a draft is not a JSON object".into())),
    }
}

/// One of a citizen's drafts, as "Permohonan saya" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DraftLine {
    pub service: String,
    pub region_code: String,
    pub service_code: String,
    pub updated_at: DateTime<Utc>,
}

pub async fn drafts_of(db: &Db, citizen_id: i64) -> Result<Vec<DraftLine>, StoreError> {
    db.fetch_all(
        query(
            "SELECT v.name AS service, g.region_code, s.code AS service_code, d.updated_at FROM application_drafts d \
             JOIN services s ON s.id = d.service_id JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
             JOIN governments g ON g.id = s.government_id WHERE d.citizen_id = $1 ORDER BY d.updated_at DESC LIMIT $2",
        )
        .bind(citizen_id)
        .bind(MAX_DRAFTS),
    )
    .await
}
