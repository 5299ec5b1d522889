//! Complaints (pengaduan, aspirasi, permintaan informasi) the LAPOR! way, and whistleblowing: each
//! report is a case (`cases.kind = 'complaint'`) that moves through [`cases::move_case`] along the
//! domain's [`COMPLAINT_FLOW`], with its route in `case_steps` (verification at the government's
//! complaint desk, then the agency's follow-up), its deadlines from the government's versioned
//! [`ComplaintRules`], breach checks through the job queue, and an audit leaf for every change.
//!
//! Privacy is enforced here, not left to operators: an anonymous report keeps no citizen on its case
//! row (the reporter finds it again by a keyed hash), no function returns an anonymous reporter's
//! identity to staff, and nothing offers to clear the anonim or rahasia flag once set. The public
//! reads only the redacted copies of the title and text, and only of reports that are public.

pub mod follow;
pub mod open311;
pub mod rules;
pub mod whistleblowing;

use crate::audit::{self, AuditedTable, BoxFuture, Subject};
use crate::cases::{
    self, Case, EventActor, Move, NewCase, NewStep, calendar_in, deadline, extended, schedule_breach_check,
};
use crate::identity::access::officer_principal;
use crate::identity::vault::Vault;
use crate::notify::{self, NewMessage};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::Lang;
use balai_domain::applications::TrackingNumber;
use balai_domain::cases::{CaseKind, ClockRule};
use balai_domain::complaints::{
    COMPLAINT_FLOW, Channel, ComplaintClass, ComplaintEvent, ComplaintStatus, EventBy, GeoBox, GeoPoint,
    MAX_ADDRESS_CHARS, MAX_PHOTOS, MAX_REASON_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Rating, ReportKind,
};
use balai_domain::identity::{Action, Target, permits};
use balai_domain::notify::MessageKind;
use balai_domain::org::Place;
use balai_domain::personal_number::redact;
use balai_domain::validation::{FieldErrors, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use rules::{ComplaintRules, RulesEdit};

/// Why a complaint event was refused: the flow does not lead there from where the report stands.
pub type FlowError = balai_domain::cases::TransitionError<ComplaintStatus, ComplaintEvent>;

/// The longest idempotency key a client may send.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;
/// Reports a public list or a similar-report search returns at most.
pub const MAX_LIST: i64 = 100;

// ---- categories -------------------------------------------------------------------------------

/// What a report is about; also an Open311 service (`service_code` = `code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub government_id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub description: String,
    /// Where the desk usually disposes it.
    pub agency_id: Option<i64>,
    /// Words that help a search find it, space separated.
    pub keywords: String,
    /// The Open311 attributes (extra questions) as a JSON list.
    pub attributes: String,
    pub active: bool,
}

impl Category {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.name_id,
            Lang::En => &self.name_en,
        }
    }
}

const CATEGORY_COLUMNS: &str =
    "id, government_id, code, name_id, name_en, description, agency_id, keywords, attributes, active";

/// The active categories of a government, by name.
pub async fn categories(db: &Db, government_id: i64) -> Result<Vec<Category>, StoreError> {
    db.fetch_all(
        dynamic_query(format!(
            "SELECT {CATEGORY_COLUMNS} FROM complaint_categories WHERE government_id = $1 AND active ORDER BY name_id, id"
        ))
        .bind(government_id),
    )
    .await
}

pub async fn category_by_code(db: &Db, government_id: i64, code: &str) -> Result<Option<Category>, StoreError> {
    db.fetch_optional(
        dynamic_query(format!(
            "SELECT {CATEGORY_COLUMNS} FROM complaint_categories WHERE government_id = $1 AND code = $2"
        ))
        .bind(government_id)
        .bind(code),
    )
    .await
}

/// A new category, as the seed and the admin write it.
#[derive(Debug, Clone)]
pub struct NewCategory<'a> {
    pub code: &'a str,
    pub name_id: &'a str,
    pub name_en: &'a str,
    pub description: &'a str,
    pub agency_id: Option<i64>,
    pub keywords: &'a str,
    pub attributes: &'a str,
}

/// Adds a category in the caller's transaction, with its leaf.
pub async fn add_category_in(
    tx: &mut Tx,
    actor: &audit::Actor,
    government_id: i64,
    new: &NewCategory<'_>,
) -> Result<i64, StoreError> {
    let mut e = FieldErrors::default();
    let code = new.code.trim();
    if code.is_empty() || code.len() > 40 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        e.push("code", Rule::Format { expected: "JALAN-RUSAK" });
    }
    e.text("name_id", new.name_id, 120);
    e.text("name_en", new.name_en, 120);
    if serde_json::from_str::<Vec<serde_json::Value>>(new.attributes).is_err() {
        e.push("attributes", Rule::Format { expected: "[]" });
    }
    e.into_result()?;
    let id = tx
        .insert(
            query(
                "INSERT INTO complaint_categories (government_id, code, name_id, name_en, description, agency_id, keywords, \
                 attributes, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE) RETURNING id",
            )
            .bind(government_id)
            .bind(code)
            .bind(new.name_id.trim())
            .bind(new.name_en.trim())
            .bind(new.description.trim())
            .bind(new.agency_id)
            .bind(new.keywords.trim())
            .bind(new.attributes),
        )
        .await?;
    audit::record_change(
        tx,
        actor,
        "complaints.category.create",
        &Subject::new("complaint_categories", id),
        Some(government_id),
    )
    .await?;
    Ok(id)
}

/// An answer an officer may start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ResponseTemplate {
    pub id: i64,
    pub category_id: Option<i64>,
    pub title: String,
    pub body: String,
}

/// The answer templates for a category (and those for every category).
pub async fn templates(
    db: &Db,
    government_id: i64,
    category_id: Option<i64>,
) -> Result<Vec<ResponseTemplate>, StoreError> {
    db.fetch_all(
        query(
            "SELECT id, category_id, title, body FROM complaint_templates WHERE government_id = $1 \
             AND (category_id IS NULL OR category_id = $2) ORDER BY category_id, title, id",
        )
        .bind(government_id)
        .bind(category_id),
    )
    .await
}

/// Adds an answer template in the caller's transaction, with its leaf.
pub async fn add_template_in(
    tx: &mut Tx,
    actor: &audit::Actor,
    government_id: i64,
    category_id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<i64, StoreError> {
    let mut e = FieldErrors::default();
    let title = e.text("title", title, 120);
    let body = e.text("body", body, MAX_REASON_CHARS);
    e.into_result()?;
    let id = tx
        .insert(
            query(
                "INSERT INTO complaint_templates (government_id, category_id, title, body) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(government_id)
            .bind(category_id)
            .bind(title)
            .bind(body),
        )
        .await?;
    audit::record_change(
        tx,
        actor,
        "complaints.template.create",
        &Subject::new("complaint_templates", id),
        Some(government_id),
    )
    .await?;
    Ok(id)
}

// ---- filing a report --------------------------------------------------------------------------

/// Who files a report.
#[derive(Debug, Clone)]
pub enum Reporter<'a> {
    /// A signed-in citizen.
    Citizen(i64),
    /// Someone without an account (or an Open311 client's user): contact details are optional.
    Guest { name: &'a str, email: &'a str, phone: &'a str },
}

/// A photo already cleaned (recognised by its bytes, re-encoded without metadata) and kept in the
/// file store by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub object_key: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A report as a form or the Open311 API sends it. Coordinates come as the text that was sent, so
/// their errors are named the way the sender named them (`lat`, `long`).
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub government_id: i64,
    pub kind: ReportKind,
    pub channel: Channel,
    pub category_code: &'a str,
    pub title: &'a str,
    pub text: &'a str,
    /// Both empty: no point on the map.
    pub lat: &'a str,
    pub lon: &'a str,
    pub address: &'a str,
    /// A village or district code (`53.71.01.1001`), optional.
    pub region_code: &'a str,
    pub anonymous: bool,
    pub confidential: bool,
    pub reporter: Reporter<'a>,
    pub photos: &'a [StoredPhoto],
    pub open311_client_id: Option<i64>,
    /// With its scope (the citizen, the client, or a guest form's own random key), the same key and
    /// body return the same report.
    pub idempotency_key: &'a str,
}

/// A report received: what the reporter needs to follow it. The secret is shown once and kept only
/// as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub case_id: i64,
    pub tracking_number: TrackingNumber,
    /// `None` on a replay: the secret was shown the first time and is not kept.
    pub secret: Option<String>,
    pub status: ComplaintStatus,
    pub due_at: Option<DateTime<Utc>>,
    pub replayed: bool,
}

/// The symbols of a tracking secret: the tracking number's alphabet (no 0 O 1 I L).
const SECRET_SYMBOLS: usize = 20;

fn new_secret() -> String {
    let alphabet = balai_domain::applications::TRACKING_ALPHABET.as_bytes();
    let bytes: [u8; SECRET_SYMBOLS] = rand::random();
    let mut out = String::with_capacity(SECRET_SYMBOLS + 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        // 256 is not a multiple of 31: the bias is under 1%, and 20 symbols carry ~98 bits anyway.
        out.push(char::from(alphabet[usize::from(*b) % alphabet.len()]));
    }
    out
}

/// The secret as typed back: upper case, without spaces or dashes.
fn normal_secret(secret: &str) -> String {
    secret.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(normal_secret(secret).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn e6(value: f64) -> i64 {
    // Coordinates are checked to lie in Indonesia before they get here: the product fits easily.
    (value * 1_000_000.0).round() as i64
}

fn point_of(lat: Option<i64>, lon: Option<i64>) -> Option<GeoPoint> {
    Some(GeoPoint { lat: lat? as f64 / 1_000_000.0, lon: lon? as f64 / 1_000_000.0 })
}

fn request_hash(new: &NewReport<'_>) -> String {
    let photos: Vec<&str> = new.photos.iter().map(|p| p.sha256.as_str()).collect();
    let canonical = serde_json::json!({
        "government": new.government_id, "kind": new.kind.code(), "category": new.category_code,
        "title": new.title, "text": new.text, "lat": new.lat, "lon": new.lon, "address": new.address,
        "region": new.region_code, "anonymous": new.anonymous, "confidential": new.confidential, "photos": photos,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn idempotency_scope(new: &NewReport<'_>) -> String {
    match (&new.reporter, new.open311_client_id) {
        (_, Some(client)) => format!("open311:{client}"),
        (Reporter::Citizen(id), None) => format!("citizen:{id}"),
        (Reporter::Guest { .. }, None) => "guest".to_string(),
    }
}

/// What a reporter wrote about themselves, sealed in `complaints.reporter_enc`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReporterContact {
    pub citizen_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The keyed-hash lookup a sealed complaint value is found by (kind and hashed text), for the key
/// rotation: a reporter's citizen id, a follower's or subscriber's e-mail address.
pub(crate) fn lookup_of(label: &str, plaintext: &str) -> Option<(&'static str, String)> {
    match label {
        "complaints.reporter" => serde_json::from_str::<ReporterContact>(plaintext)
            .ok()
            .and_then(|contact| contact.citizen_id)
            .map(|id| (REPORTER_LOOKUP, id.to_string())),
        "complaint_followers.email" | "complaint_subscriptions.email" => {
            Some((EMAIL_LOOKUP, plaintext.trim().to_lowercase()))
        }
        _ => None,
    }
}

/// The lookup-hash kinds of the complaint contexts.
pub(crate) const REPORTER_LOOKUP: &str = "complaint-reporter";
pub(crate) const EMAIL_LOOKUP: &str = "complaint-email";

/// Checks a report's own fields (not yet the category or the area), every problem named.
fn check_report(new: &NewReport<'_>, e: &mut FieldErrors) -> (String, String, String) {
    let title = e.text("title", new.title, MAX_TITLE_CHARS);
    let text = e.text("text", new.text, MAX_TEXT_CHARS);
    let address = new.address.trim().to_string();
    if address.chars().count() > MAX_ADDRESS_CHARS {
        e.push("address", Rule::TooLong { max: MAX_ADDRESS_CHARS });
    }
    let region = new.region_code.trim();
    if !region.is_empty() && !balai_domain::region::is_known_region(region) {
        e.push("region_code", Rule::Unknown);
    }
    if new.photos.len() > MAX_PHOTOS {
        e.push("photos", Rule::TooMany { max: MAX_PHOTOS });
    }
    if let Reporter::Guest { name, email, phone } = new.reporter {
        if name.trim().chars().count() > 120 {
            e.push("name", Rule::TooLong { max: 120 });
        }
        let email = email.trim();
        if !email.is_empty() && (email.len() > 254 || !email.contains('@') || email.contains(char::is_whitespace)) {
            e.push("email", Rule::Format { expected: "nama@contoh.id" });
        }
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.trim().is_empty() && !(8..=15).contains(&digits) {
            e.push("phone", Rule::Format { expected: "081234567890" });
        }
    }
    let key = new.idempotency_key.trim();
    if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        e.push("idempotency_key", Rule::TooLong { max: MAX_IDEMPOTENCY_KEY_CHARS });
    }
    (title, text, address)
}

/// Files a report in one transaction: the case at the government's complaint desk with the
/// verification deadline, the report's details, its photos, the breach check, and the leaves. For a
/// whistleblowing report use [`whistleblowing::file`], which seals text and identity first.
pub async fn file_report(db: &Db, vault: &Vault, new: &NewReport<'_>, now: DateTime<Utc>) -> Result<Filed, StoreError> {
    if new.channel == Channel::Whistleblowing {
        return Err(StoreError::Forbidden);
    }
    file(db, vault, new, None, now).await
}

/// Sealed parts of a whistleblowing report (ciphertexts to the inspectorate's key).
#[derive(Debug, Clone)]
pub(crate) struct Sealed<'a> {
    pub identity: &'a str,
    pub text: &'a str,
    pub key_id: i64,
    pub unit_id: i64,
}

pub(crate) async fn file(
    db: &Db,
    vault: &Vault,
    new: &NewReport<'_>,
    sealed: Option<&Sealed<'_>>,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let mut e = FieldErrors::default();
    let (title, text, address) = check_report(new, &mut e);
    let key = new.idempotency_key.trim();
    let scope = idempotency_scope(new);
    let hash = request_hash(new);

    let mut tx = db.begin().await?;
    if !key.is_empty() {
        let earlier: Option<(String, i64)> = tx
            .fetch_optional(
                query(
                    "SELECT request_hash, case_id FROM complaint_submission_keys WHERE scope = $1 AND idempotency_key = $2",
                )
                .bind(scope.as_str())
                .bind(key),
            )
            .await?;
        if let Some((earlier_hash, case_id)) = earlier {
            if earlier_hash != hash {
                return Err(StoreError::IdempotencyConflict);
            }
            let case = complaint_case_in(&mut tx, case_id).await?;
            tx.commit().await?;
            return Ok(Filed {
                case_id,
                tracking_number: tracking_of(&case)?,
                secret: None,
                status: status_of(&case)?,
                due_at: case.due_at,
                replayed: true,
            });
        }
    }
    let rules = rules::current_in(&mut tx, new.government_id).await?.ok_or(StoreError::NotFound)?;
    // A whistleblowing report has no category: what it is about is sealed with its text.
    let category = match sealed {
        Some(_) => None,
        None => match category_by_code_in(&mut tx, new.government_id, new.category_code.trim()).await? {
            Some(category) if category.active => Some(category),
            _ => {
                e.push("category", Rule::Unknown);
                None
            }
        },
    };
    let location = match (new.lat.trim().is_empty(), new.lon.trim().is_empty()) {
        (true, true) => None,
        _ => match GeoPoint::parse(new.lat, new.lon, rules.area.as_ref()) {
            Ok(point) => Some(point),
            Err(errors) => {
                e.0.extend(errors.0);
                None
            }
        },
    };
    e.into_result()?;
    if category.is_none() && sealed.is_none() {
        return Err(StoreError::NotFound);
    }

    let citizen = match new.reporter {
        Reporter::Citizen(id) => Some(id),
        Reporter::Guest { .. } => None,
    };
    let contact = match new.reporter {
        Reporter::Citizen(id) => ReporterContact { citizen_id: Some(id), ..ReporterContact::default() },
        Reporter::Guest { name, email, phone } => ReporterContact {
            citizen_id: None,
            name: name.trim().into(),
            email: email.trim().into(),
            phone: phone.trim().into(),
        },
    };
    let has_contact = contact.citizen_id.is_some() || !contact.email.is_empty() || !contact.phone.is_empty();
    let reporter_enc =
        has_contact.then(|| vault.seal("complaints.reporter", &serde_json::to_string(&contact).unwrap_or_default()));
    let reporter_hash = citizen.map(|id| vault.lookup_hash(REPORTER_LOOKUP, &id.to_string()));

    let (calendar, zone) = calendar_in(&mut tx, new.government_id).await?;
    let desk_unit = sealed.map(|s| s.unit_id).unwrap_or(rules.desk_unit_id);
    let desk_agency = unit_agency_in(&mut tx, new.government_id, desk_unit).await?;
    let verify_due = deadline(&calendar, zone, now, i64::from(rules.deadlines.verify_days))?;
    let whistleblowing = new.channel == Channel::Whistleblowing;
    let case_title = if whistleblowing { "Laporan WBS".to_string() } else { title.clone() };
    let step_name = "Verifikasi";
    let opener = match citizen {
        Some(id) if !new.anonymous => crate::identity::citizens::audit_actor(&mut tx, id).await?,
        _ => audit::Actor::public(),
    };
    let opened = cases::open_case(
        &mut tx,
        &opener,
        &NewCase {
            government_id: new.government_id,
            kind: CaseKind::Complaint,
            agency_id: desk_agency,
            unit_id: Some(desk_unit),
            // An anonymous report keeps no citizen on the case: staff reading the case cannot see one.
            citizen_id: if new.anonymous { None } else { citizen },
            service_id: None,
            title: &case_title,
            status: ComplaintStatus::Submitted.code(),
            opened_at: now,
            due_at: Some(verify_due.due_at),
            steps: &[NewStep {
                name: step_name,
                unit_id: desk_unit,
                sla_days: rules.deadlines.verify_days,
                due_at: Some(verify_due.due_at),
            }],
        },
    )
    .await?;
    let secret = new_secret();
    let public = !new.confidential && !whistleblowing;
    tx.execute(
        query(
            "INSERT INTO complaints (case_id, government_id, report_kind, channel, category_id, text, public_title, \
             public_text, lat_e6, lon_e6, address, region_code, anonymous, confidential, public, reporter_enc, \
             reporter_hash, sealed_identity, sealed_text, sealed_key_id, secret_hash, rules_id, class, duplicate_of, \
             reopen_count, supporters, open311_client_id, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
             NULL, NULL, 0, 0, $23, $24)",
        )
        .bind(opened.id)
        .bind(new.government_id)
        .bind(new.kind.code())
        .bind(new.channel.code())
        .bind(category.as_ref().map(|c| c.id))
        .bind(if whistleblowing { None } else { Some(text.clone()) })
        .bind(public.then(|| redact(&title)))
        .bind(public.then(|| redact(&text)))
        .bind(location.map(|p| e6(p.lat)))
        .bind(location.map(|p| e6(p.lon)))
        .bind(if whistleblowing { String::new() } else { address })
        .bind((!new.region_code.trim().is_empty()).then(|| new.region_code.trim().to_string()))
        .bind(new.anonymous || whistleblowing)
        .bind(new.confidential || whistleblowing)
        .bind(public)
        .bind(if whistleblowing { None } else { reporter_enc })
        .bind(reporter_hash)
        .bind(sealed.map(|s| s.identity.to_string()))
        .bind(sealed.map(|s| s.text.to_string()))
        .bind(sealed.map(|s| s.key_id))
        .bind(secret_hash(&secret))
        .bind(rules.id)
        .bind(new.open311_client_id)
        .bind(now),
    )
    .await?;
    let actor = audit::Actor::public();
    audit::record_change(
        &mut tx,
        &actor,
        "complaints.file",
        &Subject::new("complaints", opened.id),
        Some(new.government_id),
    )
    .await?;
    for photo in new.photos {
        insert_photo(&mut tx, new.government_id, opened.id, None, photo, now).await?;
    }
    let case = complaint_case_in(&mut tx, opened.id).await?;
    schedule_breach_check(&mut tx, &case, 0, verify_due.due_at).await?;
    if !key.is_empty() {
        tx.execute(
            query(
                "INSERT INTO complaint_submission_keys (scope, idempotency_key, request_hash, case_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope)
            .bind(key)
            .bind(hash)
            .bind(opened.id)
            .bind(now),
        )
        .await?;
    }
    if let (true, Some(category)) = (public, &category) {
        enqueue_area_news(&mut tx, vault, &case, category.id, location).await?;
    }
    tx.commit().await?;
    Ok(Filed {
        case_id: opened.id,
        tracking_number: opened.tracking_number,
        secret: Some(secret),
        status: ComplaintStatus::Submitted,
        due_at: Some(verify_due.due_at),
        replayed: false,
    })
}

async fn insert_photo(
    tx: &mut Tx,
    government_id: i64,
    case_id: i64,
    event_id: Option<i64>,
    photo: &StoredPhoto,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = tx
        .insert(
            query(
                "INSERT INTO complaint_files (government_id, case_id, event_id, object_key, content_type, size, sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(government_id)
            .bind(case_id)
            .bind(event_id)
            .bind(photo.object_key.as_str())
            .bind(photo.content_type.as_str())
            .bind(photo.size)
            .bind(photo.sha256.as_str())
            .bind(now),
        )
        .await?;
    audit::record_change(
        tx,
        &audit::Actor::public(),
        "complaints.photo",
        &Subject::new("complaint_files", id),
        Some(government_id),
    )
    .await?;
    Ok(id)
}

async fn category_by_code_in(tx: &mut Tx, government_id: i64, code: &str) -> Result<Option<Category>, StoreError> {
    tx.fetch_optional(
        dynamic_query(format!(
            "SELECT {CATEGORY_COLUMNS} FROM complaint_categories WHERE government_id = $1 AND code = $2"
        ))
        .bind(government_id)
        .bind(code),
    )
    .await
}

async fn unit_agency_in(tx: &mut Tx, government_id: i64, unit_id: i64) -> Result<i64, StoreError> {
    let row: Option<(i64, i64)> =
        tx.fetch_optional(query("SELECT agency_id, government_id FROM units WHERE id = $1").bind(unit_id)).await?;
    match row {
        Some((agency_id, government)) if government == government_id => Ok(agency_id),
        _ => {
            let mut e = FieldErrors::default();
            e.push("to_unit", Rule::Unknown);
            Err(StoreError::Invalid(e))
        }
    }
}

// ---- the report's details -----------------------------------------------------------------------

/// A complaint's own row, as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct ComplaintRow {
    case_id: i64,
    government_id: i64,
    report_kind: String,
    channel: String,
    category_id: Option<i64>,
    text: Option<String>,
    public_title: Option<String>,
    public_text: Option<String>,
    lat_e6: Option<i64>,
    lon_e6: Option<i64>,
    address: String,
    region_code: Option<String>,
    anonymous: bool,
    confidential: bool,
    public: bool,
    reporter_enc: Option<String>,
    reporter_hash: Option<String>,
    sealed_identity: Option<String>,
    sealed_text: Option<String>,
    sealed_key_id: Option<i64>,
    secret_hash: String,
    rules_id: i64,
    class: Option<String>,
    duplicate_of: Option<i64>,
    reopen_count: i64,
    escalated_at: Option<DateTime<Utc>>,
    rating: Option<i64>,
    rating_comment: Option<String>,
    rated_at: Option<DateTime<Utc>>,
    supporters: i64,
    open311_client_id: Option<i64>,
    submitted_at: DateTime<Utc>,
}

const COMPLAINT_COLUMNS: &str = "case_id, government_id, report_kind, channel, category_id, text, public_title, public_text, \
     lat_e6, lon_e6, address, region_code, anonymous, confidential, public, reporter_enc, reporter_hash, sealed_identity, \
     sealed_text, sealed_key_id, secret_hash, rules_id, class, duplicate_of, reopen_count, escalated_at, rating, \
     rating_comment, rated_at, supporters, open311_client_id, submitted_at";

async fn complaint_row_in(tx: &mut Tx, case_id: i64) -> Result<ComplaintRow, StoreError> {
    tx.fetch_optional(
        dynamic_query(format!("SELECT {COMPLAINT_COLUMNS} FROM complaints WHERE case_id = $1")).bind(case_id),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn complaint_case_in(tx: &mut Tx, case_id: i64) -> Result<Case, StoreError> {
    match cases::case_in(tx, case_id).await? {
        Some(case) if case.kind == CaseKind::Complaint => Ok(case),
        _ => Err(StoreError::NotFound),
    }
}

fn status_of(case: &Case) -> Result<ComplaintStatus, StoreError> {
    ComplaintStatus::parse(&case.status).ok_or_else(|| StoreError::Corrupt(format!("complaint status {}", case.status)))
}

fn tracking_of(case: &Case) -> Result<TrackingNumber, StoreError> {
    case.tracking_number
        .as_deref()
        .and_then(|t| TrackingNumber::parse(t).ok())
        .ok_or_else(|| StoreError::Corrupt("complaint without a tracking number".into()))
}

// ---- acting on a report -------------------------------------------------------------------------

/// What an officer asks for, beyond the event.
#[derive(Debug, Clone, Default)]
pub struct Instruction<'a> {
    /// Shown to the reporter and, unless the report is rahasia, redacted to the public.
    pub reason: &'a str,
    /// Dispose: the unit that must follow up.
    pub to_unit_id: Option<i64>,
    /// Dispose: the deadline class (default: the report kind's).
    pub class: Option<ComplaintClass>,
    /// Reroute: the government (on this platform) whose desk takes the report over.
    pub to_government_id: Option<i64>,
    /// MarkDuplicate: the tracking number of the report this one repeats.
    pub duplicate_of: Option<&'a str>,
    /// Answer: resolution photos, cleaned and kept by the caller.
    pub photos: &'a [StoredPhoto],
    /// The version the officer saw, so two officers acting at once do not both win.
    pub expected_version: Option<i64>,
}

/// Who may cause an event on this report, as a permission check: the desk's events need the desk's
/// place, the agency's the place the report sits; whistleblowing reports are the inspectorate's alone.
fn target_for(case: &Case, row: &ComplaintRow, desk: Place, event: ComplaintEvent) -> (Action, Vec<Target>) {
    if row.channel == Channel::Whistleblowing.code() {
        return (Action::ReadWhistleblowing, vec![Target::at(case.place())]);
    }
    let desk = Target::at(desk);
    let here = Target::at(case.place());
    match event.by() {
        EventBy::Agency => (Action::WorkCase, vec![here]),
        EventBy::Desk if event == ComplaintEvent::CloseUnresolved => (Action::WorkCase, vec![desk, here]),
        _ => (Action::WorkCase, vec![desk]),
    }
}

async fn desk_place_in(tx: &mut Tx, row: &ComplaintRow) -> Result<Place, StoreError> {
    let (agency_id, unit_id): (i64, i64) = tx
        .fetch_one(
            query(
                "SELECT u.agency_id, u.id FROM complaint_rules r JOIN units u ON u.id = r.desk_unit_id WHERE r.id = $1",
            )
            .bind(row.rules_id),
        )
        .await?;
    Ok(Place { government_id: row.government_id, agency_id: Some(agency_id), unit_id: Some(unit_id) })
}

/// An officer moves a report: one transaction, refused with nothing written when the officer may not
/// act there, when the flow does not allow it, or when the report moved meanwhile.
pub async fn act_as_officer(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    case_id: i64,
    event: ComplaintEvent,
    instruction: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    if matches!(event.by(), EventBy::Reporter | EventBy::System) {
        return Err(StoreError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let case = complaint_case_in(&mut tx, case_id).await?;
    let row = complaint_row_in(&mut tx, case_id).await?;
    let desk = desk_place_in(&mut tx, &row).await?;
    let (action, targets) = target_for(&case, &row, desk, event);
    let who = officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    if !targets.iter().any(|target| permits(&who, action, target)) {
        return Err(StoreError::Forbidden);
    }
    let moved = act_in(&mut tx, vault, &case, &row, EventActor::Officer(officer_id), event, instruction, now).await?;
    tx.commit().await?;
    Ok(moved)
}

/// The events an officer may cause on a report now (what the case page offers).
pub async fn events_for_officer(db: &Db, officer_id: i64, case_id: i64) -> Result<Vec<ComplaintEvent>, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = complaint_case_in(&mut tx, case_id).await?;
    let row = complaint_row_in(&mut tx, case_id).await?;
    let desk = desk_place_in(&mut tx, &row).await?;
    let who = officer_principal(&mut tx, officer_id).await?;
    tx.commit().await?;
    let Some(who) = who else { return Ok(Vec::new()) };
    let status = status_of(&case)?;
    Ok(COMPLAINT_FLOW
        .events(status)
        .filter(|event| matches!(event.by(), EventBy::Desk | EventBy::Agency))
        .filter(|event| {
            let (action, targets) = target_for(&case, &row, desk, *event);
            targets.iter().any(|target| permits(&who, action, target))
        })
        .collect())
}

/// The transition itself, in the caller's transaction (the demo seeds through it too).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn act_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    row: &ComplaintRow,
    actor: EventActor,
    event: ComplaintEvent,
    instruction: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    if let Some(expected) = instruction.expected_version
        && expected != case.version
    {
        return Err(StoreError::StaleVersion { current: case.version });
    }
    let from = status_of(case)?;
    let to = COMPLAINT_FLOW.transition(from, event).map_err(StoreError::ComplaintFlow)?;
    let mut e = FieldErrors::default();
    let reason = instruction.reason.trim();
    if event.needs_reason() && reason.is_empty() {
        e.push("reason", Rule::Required);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        e.push("reason", Rule::TooLong { max: MAX_REASON_CHARS });
    }
    if instruction.photos.len() > MAX_PHOTOS {
        e.push("photos", Rule::TooMany { max: MAX_PHOTOS });
    }
    if event == ComplaintEvent::Dispose && instruction.to_unit_id.is_none() {
        e.push("to_unit", Rule::Required);
    }
    if event == ComplaintEvent::Reroute && instruction.to_government_id.is_none() {
        e.push("to_government", Rule::Required);
    }
    if event == ComplaintEvent::MarkDuplicate && instruction.duplicate_of.is_none_or(|t| t.trim().is_empty()) {
        e.push("duplicate_of", Rule::Required);
    }
    e.into_result()?;

    let rules = rules::by_id_in(tx, row.rules_id).await?;
    let (calendar, zone) = calendar_in(tx, case.government_id).await?;
    let mut steps = cases::steps_in(tx, case.id).await?;
    let position = usize::try_from(case.current_step).map_err(|_| StoreError::Corrupt("step".into()))?;
    let mut agency_id = case.agency_id;
    let mut unit_id = case.unit_id;
    let mut due_at = case.due_at;
    let mut paused_since = case.paused_since;
    let mut to_step = case.current_step;
    let mut new_step: Option<(String, i64, u32)> = None;
    let mut class = row.class.clone();
    let mut duplicate_of = row.duplicate_of;
    let mut reopen = false;

    // A hold ends: the days the reporter took are added back to the open step and the report.
    if from.clock() == ClockRule::Pauses
        && to.clock() == ClockRule::Runs
        && from == ComplaintStatus::OnHold
        && let Some(since) = case.paused_since
    {
        if let Some(due) = due_at {
            due_at = Some(extended(&calendar, zone, due, since, now)?);
        }
        if let Some(step) = steps.get_mut(position)
            && let Some(step_due) = step.due_at
        {
            step.due_at = Some(extended(&calendar, zone, step_due, since, now)?);
            cases::set_step(tx, step).await?;
        }
    }
    paused_since = match to.clock() {
        ClockRule::Pauses if from.clock() != ClockRule::Pauses || from != to => Some(now),
        ClockRule::Pauses => paused_since,
        _ => None,
    };

    match event {
        ComplaintEvent::Dispose => {
            let to_unit = instruction.to_unit_id.unwrap_or_default();
            agency_id = unit_agency_in(tx, case.government_id, to_unit).await?;
            unit_id = Some(to_unit);
            let chosen = instruction.class.unwrap_or_else(|| {
                ReportKind::parse(&row.report_kind).map(ReportKind::default_class).unwrap_or(ComplaintClass::Ordinary)
            });
            class = Some(chosen.code().to_string());
            new_step = Some(("Tindak lanjut".into(), to_unit, rules.deadlines.answer_days(chosen)));
        }
        ComplaintEvent::Return => {
            let desk = rules.desk_unit_id;
            agency_id = unit_agency_in(tx, case.government_id, desk).await?;
            unit_id = Some(desk);
            new_step = Some(("Verifikasi ulang".into(), desk, rules.deadlines.verify_days));
        }
        ComplaintEvent::Reopen => {
            // Back to the unit that answered, with a new deadline; the agency's head is told.
            let unit = unit_id.ok_or_else(|| StoreError::Corrupt("answered report without a unit".into()))?;
            new_step = Some(("Tindak lanjut ulang".into(), unit, rules.deadlines.reopen_days));
            reopen = true;
        }
        ComplaintEvent::Answer => {
            let response = deadline(&calendar, zone, now, i64::from(rules.deadlines.response_days))?;
            if let Some(step) = steps.get_mut(position) {
                step.done_at = Some(now);
                cases::set_step(tx, step).await?;
            }
            due_at = Some(response.due_at);
        }
        ComplaintEvent::Reroute => {
            return reroute_in(tx, vault, case, row, actor, instruction, reason, now).await;
        }
        ComplaintEvent::MarkDuplicate => {
            let tracking = instruction.duplicate_of.unwrap_or_default().trim().to_ascii_uppercase();
            let other = cases::case_by_tracking_in(tx, &tracking).await?;
            match other {
                Some(other)
                    if other.kind == CaseKind::Complaint
                        && other.government_id == case.government_id
                        && other.id != case.id
                        && other.status != ComplaintStatus::Duplicate.code() =>
                {
                    duplicate_of = Some(other.id);
                    // The followers and supporters of this report follow the other from now on.
                    join_followers_in(tx, case.id, other.id).await?;
                }
                _ => {
                    let mut e = FieldErrors::default();
                    e.push("duplicate_of", Rule::Unknown);
                    return Err(StoreError::Invalid(e));
                }
            }
        }
        _ => {}
    }
    if let Some((name, unit, days)) = &new_step {
        if let Some(step) = steps.get_mut(position)
            && step.done_at.is_none()
        {
            step.done_at = Some(now);
            cases::set_step(tx, step).await?;
        }
        let step_due = deadline(&calendar, zone, now, i64::from(*days))?;
        let next_position = i64::try_from(steps.len()).map_err(|_| StoreError::Corrupt("route".into()))?;
        tx.execute(
            query(
                "INSERT INTO case_steps (government_id, case_id, position, name, unit_id, sla_days, started_at, due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(case.government_id)
            .bind(case.id)
            .bind(next_position)
            .bind(name.as_str())
            .bind(*unit)
            .bind(i64::from(*days))
            .bind(now)
            .bind(step_due.due_at),
        )
        .await?;
        to_step = next_position;
        due_at = Some(step_due.due_at);
    }
    if to.is_final() {
        if let Some(step) = steps.get_mut(position)
            && step.done_at.is_none()
        {
            step.done_at = Some(now);
            cases::set_step(tx, step).await?;
        }
        due_at = None;
    }
    let event_id = cases::move_case(
        tx,
        case,
        &Move {
            event: event.code(),
            actor: actor.clone(),
            to_status: to.code(),
            to_step,
            to_agency_id: agency_id,
            to_unit_id: unit_id,
            due_at,
            paused_since,
            closed_at: to.is_final().then_some(now),
            reason,
            at: now,
        },
    )
    .await?;
    let changed_row = class != row.class || duplicate_of != row.duplicate_of || reopen;
    if changed_row {
        tx.execute(
            query(
                "UPDATE complaints SET class = $1, duplicate_of = $2, reopen_count = reopen_count + $3, \
                 escalated_at = CASE WHEN $4 THEN $5 ELSE escalated_at END WHERE case_id = $6",
            )
            .bind(class.clone())
            .bind(duplicate_of)
            .bind(i64::from(reopen))
            .bind(reopen)
            .bind(now)
            .bind(case.id),
        )
        .await?;
        let audit_actor = actor.audit_actor(tx).await?;
        audit::record_change(
            tx,
            &audit_actor,
            &format!("complaints.{}", event.code()),
            &Subject::new("complaints", case.id),
            Some(case.government_id),
        )
        .await?;
    }
    for photo in instruction.photos {
        insert_photo(tx, case.government_id, case.id, Some(event_id), photo, now).await?;
    }
    let moved = complaint_case_in(tx, case.id).await?;
    if let (Some(_), Some(due)) = (&new_step, moved.due_at) {
        schedule_breach_check(tx, &moved, usize::try_from(to_step).unwrap_or_default(), due).await?;
    }
    if event == ComplaintEvent::Answer
        && let Some(due) = moved.due_at
    {
        schedule_lapse(tx, &moved, due).await?;
    }
    if reopen {
        tell_heads_in(tx, vault, &moved, "Laporan dibuka kembali oleh pelapor").await?;
    }
    tell_reporter_and_followers_in(tx, vault, &moved, row, to).await?;
    if matches!(to, ComplaintStatus::Resolved | ComplaintStatus::Unresolved) {
        crate::surveys::invite_for_report_in(tx, vault, &moved, row.reporter_enc.as_deref(), now).await?;
    }
    Ok(moved)
}

/// Moves a report as `actor` in the caller's transaction without asking whether the actor may: the
/// demo seed's way through the same transition, events and leaves as every page.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn act_unchecked_in(
    tx: &mut Tx,
    vault: &Vault,
    case_id: i64,
    actor: EventActor,
    event: ComplaintEvent,
    instruction: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let case = complaint_case_in(tx, case_id).await?;
    let row = complaint_row_in(tx, case_id).await?;
    act_in(tx, vault, &case, &row, actor, event, instruction, now).await
}

/// Moves a report to another government's desk on this platform: it starts again there, under that
/// government's rules, with the event kept in its history.
#[allow(clippy::too_many_arguments)]
async fn reroute_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    row: &ComplaintRow,
    actor: EventActor,
    instruction: &Instruction<'_>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let to_government = instruction.to_government_id.unwrap_or_default();
    let unknown = || {
        let mut e = FieldErrors::default();
        e.push("to_government", Rule::Unknown);
        StoreError::Invalid(e)
    };
    if to_government == case.government_id || row.channel == Channel::Whistleblowing.code() {
        return Err(unknown());
    }
    let rules = rules::current_in(tx, to_government).await?.ok_or_else(unknown)?;
    let (calendar, zone) = calendar_in(tx, to_government).await?;
    let desk_agency = unit_agency_in(tx, to_government, rules.desk_unit_id).await?;
    let due = deadline(&calendar, zone, now, i64::from(rules.deadlines.verify_days))?;
    let steps = cases::steps_in(tx, case.id).await?;
    let position = usize::try_from(case.current_step).map_err(|_| StoreError::Corrupt("step".into()))?;
    if let Some(step) = steps.get(position)
        && step.done_at.is_none()
    {
        let mut done = step.clone();
        done.done_at = Some(now);
        cases::set_step(tx, &done).await?;
    }
    // The category is the old government's: the new desk files it under the same code if it has one.
    let (code,): (String,) = tx
        .fetch_one(
            query("SELECT code FROM complaint_categories WHERE id = $1").bind(row.category_id.unwrap_or_default()),
        )
        .await?;
    let category = category_by_code_in(tx, to_government, &code).await?.map(|c| c.id);
    // The event is written under the old government, then the report moves.
    let event_id = cases::move_case(
        tx,
        case,
        &Move {
            event: ComplaintEvent::Reroute.code(),
            actor: actor.clone(),
            to_status: ComplaintStatus::Submitted.code(),
            to_step: i64::try_from(steps.len()).unwrap_or(i64::MAX),
            to_agency_id: desk_agency,
            to_unit_id: Some(rules.desk_unit_id),
            due_at: Some(due.due_at),
            paused_since: None,
            closed_at: None,
            reason,
            at: now,
        },
    )
    .await?;
    let _ = event_id;
    tx.execute(query("UPDATE cases SET government_id = $1 WHERE id = $2").bind(to_government).bind(case.id)).await?;
    tx.execute(
        query("UPDATE complaints SET government_id = $1, rules_id = $2, category_id = $3, class = NULL WHERE case_id = $4")
            .bind(to_government)
            .bind(rules.id)
            .bind(category)
            .bind(case.id),
    )
    .await?;
    tx.execute(
        query(
            "INSERT INTO case_steps (government_id, case_id, position, name, unit_id, sla_days, started_at, due_at) \
             VALUES ($1, $2, $3, 'Verifikasi', $4, $5, $6, $7)",
        )
        .bind(to_government)
        .bind(case.id)
        .bind(i64::try_from(steps.len()).unwrap_or(i64::MAX))
        .bind(rules.desk_unit_id)
        .bind(i64::from(rules.deadlines.verify_days))
        .bind(now)
        .bind(due.due_at),
    )
    .await?;
    let audit_actor = actor.audit_actor(tx).await?;
    for table in ["cases", "complaints"] {
        audit::record_change(
            tx,
            &audit_actor,
            "complaints.reroute",
            &Subject::new(table, case.id),
            Some(to_government),
        )
        .await?;
    }
    let moved = complaint_case_in(tx, case.id).await?;
    schedule_breach_check(tx, &moved, steps.len(), due.due_at).await?;
    tell_reporter_and_followers_in(tx, vault, &moved, row, ComplaintStatus::Submitted).await?;
    Ok(moved)
}

/// How a reporter proves a report is theirs: signed in, or with the tracking number and secret.
#[derive(Debug, Clone)]
pub enum ReporterKey<'a> {
    Citizen { citizen_id: i64, case_id: i64 },
    Secret { tracking_number: &'a str, secret: &'a str },
}

/// The report a reporter key opens; an unknown number and a wrong secret are the same `NotFound`.
async fn reporter_case_in(
    tx: &mut Tx,
    vault: &Vault,
    key: &ReporterKey<'_>,
) -> Result<(Case, ComplaintRow), StoreError> {
    match key {
        ReporterKey::Citizen { citizen_id, case_id } => {
            let case = complaint_case_in(tx, *case_id).await?;
            let row = complaint_row_in(tx, *case_id).await?;
            let mine = vault.lookup_hash(REPORTER_LOOKUP, &citizen_id.to_string());
            if row.reporter_hash.as_deref() != Some(mine.as_str()) {
                return Err(StoreError::NotFound);
            }
            Ok((case, row))
        }
        ReporterKey::Secret { tracking_number, secret } => {
            let tracking = TrackingNumber::parse(tracking_number).map_err(|_| StoreError::NotFound)?;
            let case = cases::case_by_tracking_in(tx, tracking.as_str()).await?.ok_or(StoreError::NotFound)?;
            if case.kind != CaseKind::Complaint {
                return Err(StoreError::NotFound);
            }
            let row = complaint_row_in(tx, case.id).await?;
            let given = secret_hash(secret);
            let same = given.len() == row.secret_hash.len()
                && given.bytes().zip(row.secret_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
            if !same {
                return Err(StoreError::NotFound);
            }
            Ok((case, row))
        }
    }
}

fn reporter_actor(key: &ReporterKey<'_>, row: &ComplaintRow) -> EventActor {
    match key {
        ReporterKey::Citizen { citizen_id, .. } if !row.anonymous => EventActor::Citizen(*citizen_id),
        _ => EventActor::Reporter,
    }
}

/// The reporter accepts the answer or reopens the report (not satisfied: `reason` says why).
pub async fn act_as_reporter(
    db: &Db,
    vault: &Vault,
    key: &ReporterKey<'_>,
    event: ComplaintEvent,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    if event.by() != EventBy::Reporter {
        return Err(StoreError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let (case, row) = reporter_case_in(&mut tx, vault, key).await?;
    let actor = reporter_actor(key, &row);
    let instruction = Instruction { reason, ..Instruction::default() };
    let moved = act_in(&mut tx, vault, &case, &row, actor, event, &instruction, now).await?;
    tx.commit().await?;
    Ok(moved)
}

/// The reporter rates the agency's answer (once the report is answered or closed after an answer).
pub async fn rate(
    db: &Db,
    vault: &Vault,
    key: &ReporterKey<'_>,
    rating: &Rating,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let (case, row) = reporter_case_in(&mut tx, vault, key).await?;
    let answered: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM case_events WHERE case_id = $1 AND event = 'answer' LIMIT 1").bind(case.id),
        )
        .await?;
    if answered.is_none() {
        let mut e = FieldErrors::default();
        e.push("stars", Rule::NotForThisKind);
        return Err(StoreError::Invalid(e));
    }
    tx.execute(
        query("UPDATE complaints SET rating = $1, rating_comment = $2, rated_at = $3 WHERE case_id = $4")
            .bind(i64::from(rating.stars))
            .bind(rating.comment.as_str())
            .bind(now)
            .bind(case.id),
    )
    .await?;
    let actor = reporter_actor(key, &row).audit_actor(&mut tx).await?;
    audit::record_change(
        &mut tx,
        &actor,
        "complaints.rate",
        &Subject::new("complaints", case.id),
        Some(case.government_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Me too": one support per supporter key (a citizen, or a browser's random key); returns the count.
pub async fn support(db: &Db, case_id: i64, supporter_key: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
    if supporter_key.is_empty() || supporter_key.len() > 100 {
        let mut e = FieldErrors::default();
        e.push("supporter", Rule::Format { expected: "citizen:1" });
        return Err(StoreError::Invalid(e));
    }
    let mut tx = db.begin().await?;
    let row = complaint_row_in(&mut tx, case_id).await?;
    let case = complaint_case_in(&mut tx, case_id).await?;
    if !row.public || case.closed_at.is_some() {
        return Err(StoreError::NotFound);
    }
    let existing: Option<(String,)> = tx
        .fetch_optional(
            query("SELECT supporter_key FROM complaint_supporters WHERE case_id = $1 AND supporter_key = $2")
                .bind(case_id)
                .bind(supporter_key),
        )
        .await?;
    if existing.is_none() {
        tx.execute(
            query("INSERT INTO complaint_supporters (case_id, supporter_key, created_at) VALUES ($1, $2, $3)")
                .bind(case_id)
                .bind(supporter_key)
                .bind(now),
        )
        .await?;
        tx.execute(query("UPDATE complaints SET supporters = supporters + 1 WHERE case_id = $1").bind(case_id)).await?;
    }
    let (count,): (i64,) =
        tx.fetch_one(query("SELECT supporters FROM complaints WHERE case_id = $1").bind(case_id)).await?;
    tx.commit().await?;
    Ok(count)
}

async fn join_followers_in(tx: &mut Tx, from_case: i64, to_case: i64) -> Result<(), StoreError> {
    tx.execute(
        query(
            "INSERT INTO complaint_followers (government_id, case_id, email_enc, email_hash, token_hash, confirmed_at, created_at) \
             SELECT f.government_id, $2, f.email_enc, f.email_hash, f.token_hash || ':' || CAST($2 AS TEXT), f.confirmed_at, f.created_at \
             FROM complaint_followers f WHERE f.case_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM complaint_followers g WHERE g.case_id = $2 AND g.email_hash = f.email_hash)",
        )
        .bind(from_case)
        .bind(to_case),
    )
    .await?;
    tx.execute(
        query(
            "INSERT INTO complaint_supporters (case_id, supporter_key, created_at) \
             SELECT $2, s.supporter_key, s.created_at FROM complaint_supporters s WHERE s.case_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM complaint_supporters t WHERE t.case_id = $2 AND t.supporter_key = s.supporter_key)",
        )
        .bind(from_case)
        .bind(to_case),
    )
    .await?;
    tx.execute(
        query(
            "UPDATE complaints SET supporters = (SELECT COUNT(*) FROM complaint_supporters WHERE case_id = $1) WHERE case_id = $1",
        )
        .bind(to_case),
    )
    .await?;
    Ok(())
}

// ---- telling people -----------------------------------------------------------------------------

/// Tells the reporter (a guest's e-mail; a signed-in citizen reads their list) and the confirmed
/// followers that a report moved. The message names the tracking number and status, nothing else.
async fn tell_reporter_and_followers_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    row: &ComplaintRow,
    status: ComplaintStatus,
) -> Result<(), StoreError> {
    let mut recipients: Vec<String> = Vec::new();
    if let Some(sealed) = row.reporter_enc.as_deref()
        && let Ok(plain) = vault.open("complaints.reporter", sealed)
        && let Ok(contact) = serde_json::from_str::<ReporterContact>(&plain)
        && !contact.email.is_empty()
    {
        recipients.push(contact.email);
    }
    let followers: Vec<(String,)> = tx
        .fetch_all(
            query(
                "SELECT email_enc FROM complaint_followers WHERE case_id = $1 AND confirmed_at IS NOT NULL LIMIT 1000",
            )
            .bind(case.id),
        )
        .await?;
    for (sealed,) in followers {
        if let Ok(email) = vault.open("complaint_followers.email", &sealed)
            && !recipients.contains(&email)
        {
            recipients.push(email);
        }
    }
    let tracking = case.tracking_number.clone().unwrap_or_default();
    for email in recipients {
        mail_in(
            tx,
            vault,
            case.government_id,
            &email,
            MessageKind::CaseUpdate,
            &[("tracking_number", tracking.as_str()), ("service", "Pengaduan"), ("status", status.label(Lang::Id))],
        )
        .await?;
    }
    Ok(())
}

/// Composes a message from its template (in Indonesian) and puts it in the outbox, in the caller's
/// transaction: the complaint contexts' one way of mailing someone.
async fn mail_in(
    tx: &mut Tx,
    vault: &Vault,
    government_id: i64,
    email: &str,
    kind: MessageKind,
    values: &[(&str, &str)],
) -> Result<(), StoreError> {
    let (subject, body) = notify::templates::compose(tx, kind, Lang::Id, values).await?;
    notify::enqueue(
        tx,
        vault,
        &NewMessage {
            government_id: Some(government_id),
            channel: balai_domain::contact::Channel::Email,
            recipient: email,
            template: kind.code(),
            lang: Lang::Id,
            subject,
            body,
        },
    )
    .await?;
    Ok(())
}

/// Mails the heads of the agency where the report sits (an escalation: a reopened report).
async fn tell_heads_in(tx: &mut Tx, vault: &Vault, case: &Case, step: &str) -> Result<(), StoreError> {
    let heads: Vec<(Option<String>,)> = tx
        .fetch_all(
            query("SELECT email FROM officers WHERE agency_id = $1 AND role = 'agency_head' AND email IS NOT NULL")
                .bind(case.agency_id),
        )
        .await?;
    let tracking = case.tracking_number.clone().unwrap_or_default();
    for (email,) in heads {
        let Some(email) = email else { continue };
        mail_in(
            tx,
            vault,
            case.government_id,
            &email,
            MessageKind::SlaBreach,
            &[("tracking_number", tracking.as_str()), ("service", "Pengaduan"), ("step", step)],
        )
        .await?;
    }
    Ok(())
}

/// Tells confirmed subscribers of the report's area or category that a new public report came in.
async fn enqueue_area_news(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    category_id: i64,
    location: Option<GeoPoint>,
) -> Result<(), StoreError> {
    /// A subscriber's sealed address and the box they follow, if any.
    type Subscriber = (String, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let subscribers: Vec<Subscriber> = tx
        .fetch_all(
            query(
                "SELECT email_enc, min_lat_e6, min_lon_e6, max_lat_e6, max_lon_e6 FROM complaint_subscriptions \
                 WHERE government_id = $1 AND confirmed_at IS NOT NULL AND (category_id IS NULL OR category_id = $2) LIMIT 1000",
            )
            .bind(case.government_id)
            .bind(category_id),
        )
        .await?;
    let tracking = case.tracking_number.clone().unwrap_or_default();
    for (sealed, min_lat, min_lon, max_lat, max_lon) in subscribers {
        if let (Some(a), Some(b), Some(c), Some(d)) = (min_lat, min_lon, max_lat, max_lon) {
            let Some(point) = location else { continue };
            let (lat, lon) = (e6(point.lat), e6(point.lon));
            if !(a..=c).contains(&lat) || !(b..=d).contains(&lon) {
                continue;
            }
        }
        let Ok(email) = vault.open("complaint_subscriptions.email", &sealed) else { continue };
        mail_in(
            tx,
            vault,
            case.government_id,
            &email,
            MessageKind::CaseUpdate,
            &[
                ("tracking_number", tracking.as_str()),
                ("service", "Pengaduan baru"),
                ("status", ComplaintStatus::Submitted.label(Lang::Id)),
            ],
        )
        .await?;
    }
    Ok(())
}

// ---- the reporter's silence -------------------------------------------------------------------

/// The job that closes an answered report when the reporter's time to respond runs out.
pub const LAPSE_CHECK: &str = "complaints.lapse_check";

async fn schedule_lapse(tx: &mut Tx, case: &Case, due_at: DateTime<Utc>) -> Result<(), StoreError> {
    let dedupe = format!("{}:{}", case.id, due_at.timestamp());
    crate::jobs::enqueue(
        tx,
        &crate::jobs::NewJob {
            kind: LAPSE_CHECK,
            government_id: Some(case.government_id),
            payload: serde_json::json!({ "case_id": case.id }),
            run_at: due_at,
            max_attempts: 5,
            dedupe_key: Some(&dedupe),
        },
    )
    .await?;
    Ok(())
}

/// Closes one answered report whose response time ran out; `false` when it is not (yet) due.
pub async fn lapse_if_due(db: &Db, vault: &Vault, case_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let case = complaint_case_in(&mut tx, case_id).await?;
    if case.status != ComplaintStatus::Answered.code() || case.due_at.is_none_or(|due| due > now) {
        return Ok(false);
    }
    let row = complaint_row_in(&mut tx, case_id).await?;
    act_in(
        &mut tx,
        vault,
        &case,
        &row,
        EventActor::System("complaints"),
        ComplaintEvent::Lapse,
        &Instruction::default(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What one round of the complaint worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LapseRound {
    pub checked: usize,
    pub lapsed: usize,
}

/// One round: runs the due lapse checks from the job queue, then sweeps for answered reports a lost
/// job would have missed. Breaches of the desk's and agencies' deadlines run through the shared SLA
/// worker ([`crate::applications::work_sla`]), since they are case steps like any other.
pub async fn work_lapses(db: &Db, vault: &Vault, now: DateTime<Utc>, limit: u32) -> Result<LapseRound, StoreError> {
    let mut round = LapseRound::default();
    for job in crate::jobs::claim(db, &[LAPSE_CHECK], now, chrono::Duration::seconds(60), limit).await? {
        let Some(case_id) = job.payload.get("case_id").and_then(serde_json::Value::as_i64) else {
            crate::jobs::fail(db, &job.lease, now, "payload without case_id", None).await?;
            continue;
        };
        match lapse_if_due(db, vault, case_id, now).await {
            Ok(lapsed) => {
                round.checked += 1;
                round.lapsed += usize::from(lapsed);
                crate::jobs::complete(db, &job.lease, now).await?;
            }
            Err(e) => {
                let retry = now + crate::jobs::backoff(job.attempts);
                crate::jobs::fail(db, &job.lease, now, &e.to_string(), Some(retry)).await?;
            }
        }
    }
    let due: Vec<(i64,)> = db
        .fetch_all(
            query(
                "SELECT id FROM cases WHERE kind = 'complaint' AND status = 'answered' AND due_at <= $1 ORDER BY due_at LIMIT $2",
            )
            .bind(now)
            .bind(i64::from(limit)),
        )
        .await?;
    for (case_id,) in due {
        round.checked += 1;
        round.lapsed += usize::from(lapse_if_due(db, vault, case_id, now).await?);
    }
    Ok(round)
}

// ---- what the public reads ----------------------------------------------------------------------

/// A line of the public list: only redacted texts of public reports, never a reporter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicLine {
    pub case_id: i64,
    pub tracking_number: String,
    pub title: String,
    pub kind: ReportKind,
    pub category_code: String,
    pub category_id: String,
    pub category_en: String,
    pub status: ComplaintStatus,
    pub location: Option<GeoPoint>,
    pub address: String,
    pub supporters: i64,
    pub submitted_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct PublicLineRow {
    case_id: i64,
    tracking_number: Option<String>,
    public_title: Option<String>,
    report_kind: String,
    category_code: Option<String>,
    category_id: Option<String>,
    category_en: Option<String>,
    status: String,
    lat_e6: Option<i64>,
    lon_e6: Option<i64>,
    address: String,
    supporters: i64,
    submitted_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

// A whistleblowing report has no category (what it is about is sealed): hence the outer join.
const PUBLIC_LINE_SELECT: &str = "SELECT p.case_id, c.tracking_number, p.public_title, p.report_kind, \
     COALESCE(k.code, '') AS category_code, COALESCE(k.name_id, '') AS category_id, \
     COALESCE(k.name_en, '') AS category_en, c.status, p.lat_e6, p.lon_e6, p.address, p.supporters, \
     p.submitted_at, c.due_at, c.closed_at FROM complaints p JOIN cases c ON c.id = p.case_id \
     LEFT JOIN complaint_categories k ON k.id = p.category_id";

impl TryFrom<PublicLineRow> for PublicLine {
    type Error = StoreError;

    fn try_from(row: PublicLineRow) -> Result<PublicLine, StoreError> {
        Ok(PublicLine {
            case_id: row.case_id,
            tracking_number: row.tracking_number.unwrap_or_default(),
            title: row.public_title.unwrap_or_default(),
            kind: ReportKind::parse(&row.report_kind).ok_or_else(|| StoreError::Corrupt("report kind".into()))?,
            // A report re-routed to a government without its category keeps none until the desk sets one.
            category_code: row.category_code.unwrap_or_default(),
            category_id: row.category_id.unwrap_or_default(),
            category_en: row.category_en.unwrap_or_default(),
            status: ComplaintStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt("complaint status".into()))?,
            location: point_of(row.lat_e6, row.lon_e6),
            address: redact(&row.address),
            supporters: row.supporters,
            submitted_at: row.submitted_at,
            due_at: row.due_at,
            closed_at: row.closed_at,
        })
    }
}

/// Which public reports a list shows.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    pub category_id: Option<i64>,
    /// Only reports still open (true) or only closed ones (false).
    pub open: Option<bool>,
    /// Keyset paging: reports with a smaller case id than this (the last line of the page before).
    pub before: Option<i64>,
    /// Inside this box (the map's view).
    pub area: Option<GeoBox>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Public reports of a government, newest first, at most `limit` (≤ [`MAX_LIST`]). Paged by case id
/// on an index, so a page costs the same however many reports there are.
pub async fn public_list(
    db: &Db,
    government_id: i64,
    filter: &PublicFilter,
    limit: i64,
) -> Result<Vec<PublicLine>, StoreError> {
    let mut sql = format!("{PUBLIC_LINE_SELECT} WHERE p.government_id = $1 AND p.public = TRUE");
    let mut binds: Vec<crate::db::Value> = vec![government_id.into()];
    let next = |sql: &mut String, clause: &str, value: crate::db::Value, binds: &mut Vec<crate::db::Value>| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(category) = filter.category_id {
        next(&mut sql, " AND p.category_id = ?", category.into(), &mut binds);
    }
    if let Some(before) = filter.before {
        next(&mut sql, " AND p.case_id < ?", before.into(), &mut binds);
        // Said again of the case row: PostgreSQL merges the two id-ordered scans, and without the
        // bound on this side it walks every newer case to reach the page (5 s at a million reports).
        next(&mut sql, " AND c.id < ?", before.into(), &mut binds);
    }
    if let Some(since) = filter.since {
        next(&mut sql, " AND p.submitted_at >= ?", since.into(), &mut binds);
    }
    if let Some(until) = filter.until {
        next(&mut sql, " AND p.submitted_at < ?", until.into(), &mut binds);
    }
    if let Some(area) = filter.area {
        next(&mut sql, " AND p.lat_e6 >= ?", e6(area.min_lat).into(), &mut binds);
        next(&mut sql, " AND p.lat_e6 <= ?", e6(area.max_lat).into(), &mut binds);
        next(&mut sql, " AND p.lon_e6 >= ?", e6(area.min_lon).into(), &mut binds);
        next(&mut sql, " AND p.lon_e6 <= ?", e6(area.max_lon).into(), &mut binds);
    }
    match filter.open {
        Some(true) => sql.push_str(" AND c.closed_at IS NULL"),
        Some(false) => sql.push_str(" AND c.closed_at IS NOT NULL"),
        None => {}
    }
    next(&mut sql, " ORDER BY p.case_id DESC LIMIT ?", limit.clamp(1, MAX_LIST).into(), &mut binds);
    let mut q = dynamic_query(sql);
    for value in binds {
        q = q.bind(value);
    }
    let rows: Vec<PublicLineRow> = db.fetch_all(q).await?;
    rows.into_iter().map(PublicLine::try_from).collect()
}

/// Open public reports of the same category near a point, filed within the rules' window: what a
/// reporter is offered to support instead of filing a duplicate. Nearest first.
pub async fn similar_open(
    db: &Db,
    government_id: i64,
    category_code: &str,
    point: GeoPoint,
    now: DateTime<Utc>,
) -> Result<Vec<(PublicLine, f64)>, StoreError> {
    let mut tx = db.begin_read().await?;
    let Some(rules) = rules::current_in(&mut tx, government_id).await? else { return Ok(Vec::new()) };
    let Some(category) = category_by_code_in(&mut tx, government_id, category_code).await? else {
        return Ok(Vec::new());
    };
    tx.commit().await?;
    let radius = f64::from(rules.similar_radius_m);
    let area = GeoBox::around(point, radius);
    let since = now - chrono::Duration::days(i64::from(rules.similar_days));
    let filter = PublicFilter {
        category_id: Some(category.id),
        open: Some(true),
        area: Some(area),
        since: Some(since),
        ..PublicFilter::default()
    };
    let mut near: Vec<(PublicLine, f64)> = public_list(db, government_id, &filter, MAX_LIST)
        .await?
        .into_iter()
        .filter_map(|line| {
            let distance = line.location?.distance_m(&point);
            (distance <= radius).then_some((line, distance))
        })
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(5);
    Ok(near)
}

/// One entry of a report's public timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicEvent {
    pub event: String,
    pub to_status: String,
    /// `officer`, `reporter`, `citizen` or `system` — never who.
    pub actor: String,
    /// Redacted.
    pub reason: String,
    pub at: DateTime<Utc>,
    pub photo_ids: Vec<i64>,
}

/// A public report with its timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicReport {
    pub line: PublicLine,
    pub text: String,
    pub photo_ids: Vec<i64>,
    pub events: Vec<PublicEvent>,
    pub class: Option<ComplaintClass>,
    pub rating: Option<(u8, String)>,
    pub duplicate_of: Option<String>,
    pub reopen_count: i64,
}

async fn timeline_in(tx: &mut Tx, case_id: i64, photos: &[(i64, Option<i64>)]) -> Result<Vec<PublicEvent>, StoreError> {
    let events = cases::events_in(tx, case_id).await?;
    Ok(events
        .into_iter()
        .map(|event| PublicEvent {
            photo_ids: photos.iter().filter(|(_, e)| *e == Some(event.id)).map(|(id, _)| *id).collect(),
            event: event.event,
            to_status: event.to_status,
            actor: event.actor,
            reason: redact(&event.reason),
            at: event.at,
        })
        .collect())
}

/// A public report by tracking number; `None` for an unknown number and for a report that is not
/// public (rahasia, whistleblowing), which the public cannot tell apart.
pub async fn public_report(db: &Db, tracking_number: &str) -> Result<Option<PublicReport>, StoreError> {
    let Ok(tracking) = TrackingNumber::parse(tracking_number) else { return Ok(None) };
    let mut tx = db.begin_read().await?;
    let Some(case) = cases::case_by_tracking_in(&mut tx, tracking.as_str()).await? else { return Ok(None) };
    if case.kind != CaseKind::Complaint {
        return Ok(None);
    }
    let row = complaint_row_in(&mut tx, case.id).await?;
    if !row.public {
        return Ok(None);
    }
    let report = report_view_in(&mut tx, &case, &row, true).await?;
    tx.commit().await?;
    Ok(Some(report))
}

async fn report_view_in(
    tx: &mut Tx,
    case: &Case,
    row: &ComplaintRow,
    public: bool,
) -> Result<PublicReport, StoreError> {
    let line: PublicLineRow =
        tx.fetch_one(dynamic_query(format!("{PUBLIC_LINE_SELECT} WHERE p.case_id = $1")).bind(case.id)).await?;
    let mut line = PublicLine::try_from(line)?;
    let photos: Vec<(i64, Option<i64>)> = tx
        .fetch_all(query("SELECT id, event_id FROM complaint_files WHERE case_id = $1 ORDER BY id").bind(case.id))
        .await?;
    let events = timeline_in(tx, case.id, &photos).await?;
    let duplicate_of = match row.duplicate_of {
        Some(other) => cases::case_in(tx, other).await?.and_then(|c| c.tracking_number),
        None => None,
    };
    let text = if public {
        row.public_text.clone().unwrap_or_default()
    } else {
        line.title = case.title.clone();
        line.address = row.address.clone();
        row.text.clone().unwrap_or_default()
    };
    Ok(PublicReport {
        line,
        text,
        photo_ids: photos.iter().filter(|(_, e)| e.is_none()).map(|(id, _)| *id).collect(),
        events,
        class: row.class.as_deref().and_then(ComplaintClass::parse),
        rating: row.rating.map(|stars| {
            let comment = row.rating_comment.clone().unwrap_or_default();
            (u8::try_from(stars).unwrap_or(0), if public { redact(&comment) } else { comment })
        }),
        duplicate_of,
        reopen_count: row.reopen_count,
    })
}

/// A photo of a public report (by id), for serving: its file-store key and type.
pub async fn public_photo(db: &Db, photo_id: i64) -> Result<Option<(String, String)>, StoreError> {
    db.fetch_optional(
        query(
            "SELECT f.object_key, f.content_type FROM complaint_files f JOIN complaints p ON p.case_id = f.case_id \
             WHERE f.id = $1 AND p.public = TRUE",
        )
        .bind(photo_id),
    )
    .await
}

/// What the reporter sees of their own report: everything they wrote, unredacted, and the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReporterView {
    pub report: PublicReport,
    pub anonymous: bool,
    pub confidential: bool,
    pub channel: Channel,
    pub version: i64,
    /// What the reporter may do now (accept, reopen) and whether they may rate.
    pub may_respond: bool,
    pub may_rate: bool,
}

pub async fn reporter_view(db: &Db, vault: &Vault, key: &ReporterKey<'_>) -> Result<ReporterView, StoreError> {
    let mut tx = db.begin_read().await?;
    let (case, row) = reporter_case_in(&mut tx, vault, key).await?;
    let channel = Channel::parse(&row.channel).ok_or_else(|| StoreError::Corrupt("channel".into()))?;
    let report = if channel == Channel::Whistleblowing {
        // The text is sealed to the inspectorate: not even the reporter's session reads it back here.
        let mut view = report_view_in(&mut tx, &case, &row, true).await?;
        view.line.title = case.title.clone();
        view
    } else {
        report_view_in(&mut tx, &case, &row, false).await?
    };
    tx.commit().await?;
    let answered = report.events.iter().any(|e| e.event == ComplaintEvent::Answer.code());
    Ok(ReporterView {
        may_respond: case.status == ComplaintStatus::Answered.code(),
        may_rate: answered && row.rating.is_none(),
        report,
        anonymous: row.anonymous,
        confidential: row.confidential,
        channel,
        version: case.version,
    })
}

/// A signed-in citizen's own reports (anonymous ones too: found by the keyed hash), newest first.
pub async fn reports_of_citizen(db: &Db, vault: &Vault, citizen_id: i64) -> Result<Vec<PublicLine>, StoreError> {
    let mine = vault.lookup_hash(REPORTER_LOOKUP, &citizen_id.to_string());
    let rows: Vec<PublicLineRow> = db
        .fetch_all(
            dynamic_query(format!("{PUBLIC_LINE_SELECT} WHERE p.reporter_hash = $1 ORDER BY p.case_id DESC LIMIT 200"))
                .bind(mine),
        )
        .await?;
    let mut lines: Vec<PublicLine> = rows.into_iter().map(PublicLine::try_from).collect::<Result<_, _>>()?;
    // The reporter reads their own title, not the redacted copy (nor the empty one of a rahasia report).
    for line in &mut lines {
        if let Some(case) = cases::case(db, line.case_id).await? {
            line.title = case.title;
        }
    }
    Ok(lines)
}

// ---- what officers read -------------------------------------------------------------------------

/// A line of an officer's complaint queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueLine {
    pub case_id: i64,
    pub tracking_number: String,
    pub title: String,
    pub kind: ReportKind,
    pub category: String,
    pub status: ComplaintStatus,
    pub confidential: bool,
    pub anonymous: bool,
    pub opened_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub late: bool,
}

/// The open reports an officer may act on: those at the officer's unit (or agency), and for the
/// desk everything waiting for verification. Whistleblowing reports only for the inspectorate.
pub async fn queue_for_officer(db: &Db, officer_id: i64, now: DateTime<Utc>) -> Result<Vec<QueueLine>, StoreError> {
    let mut tx = db.begin_read().await?;
    let who = officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    tx.commit().await?;
    let Some(government_id) = who.government_id else { return Ok(Vec::new()) };
    #[derive(sqlx::FromRow)]
    struct Row {
        case_id: i64,
        tracking_number: Option<String>,
        title: String,
        report_kind: String,
        category: Option<String>,
        status: String,
        confidential: bool,
        anonymous: bool,
        channel: String,
        agency_id: i64,
        unit_id: Option<i64>,
        opened_at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = db
        .fetch_all(
            query(
                "SELECT c.id AS case_id, c.tracking_number, c.title, p.report_kind, k.name_id AS category, c.status, \
                 p.confidential, p.anonymous, p.channel, c.agency_id, c.unit_id, c.opened_at, c.due_at \
                 FROM cases c JOIN complaints p ON p.case_id = c.id LEFT JOIN complaint_categories k ON k.id = p.category_id \
                 WHERE c.government_id = $1 AND c.kind = 'complaint' AND c.closed_at IS NULL \
                 ORDER BY c.due_at, c.id LIMIT 500",
            )
            .bind(government_id),
        )
        .await?;
    let mut lines = Vec::new();
    for row in rows {
        let place = Target::at(Place { government_id, agency_id: Some(row.agency_id), unit_id: row.unit_id });
        let allowed = if row.channel == Channel::Whistleblowing.code() {
            permits(&who, Action::ReadWhistleblowing, &place)
        } else {
            permits(&who, Action::WorkCase, &place)
        };
        if !allowed {
            continue;
        }
        lines.push(QueueLine {
            case_id: row.case_id,
            tracking_number: row.tracking_number.unwrap_or_default(),
            title: row.title,
            kind: ReportKind::parse(&row.report_kind).ok_or_else(|| StoreError::Corrupt("report kind".into()))?,
            category: row.category.unwrap_or_default(),
            status: ComplaintStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt("status".into()))?,
            confidential: row.confidential,
            anonymous: row.anonymous,
            opened_at: row.opened_at,
            late: row.due_at.is_some_and(|due| due <= now),
            due_at: row.due_at,
        });
        if lines.len() >= 200 {
            break;
        }
    }
    Ok(lines)
}

/// A report as the officer working it reads it. The reporter's identity is never here for an
/// anonymous report; for others, a signed-in reporter is named by the case's citizen (read through
/// `identity::access` with a purpose, like an application's) and a guest's contact is not shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficerView {
    pub case: Case,
    pub report: PublicReport,
    pub kind: ReportKind,
    pub channel: Channel,
    pub category_id: Option<i64>,
    pub anonymous: bool,
    pub confidential: bool,
    pub steps: Vec<cases::CaseStep>,
    pub events: Vec<ComplaintEvent>,
    pub templates: Vec<ResponseTemplate>,
    pub rules_version: i64,
}

pub async fn case_for_officer(db: &Db, officer_id: i64, case_id: i64) -> Result<OfficerView, StoreError> {
    let mut tx = db.begin_read().await?;
    let case = complaint_case_in(&mut tx, case_id).await?;
    let row = complaint_row_in(&mut tx, case_id).await?;
    let who = officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    let desk = desk_place_in(&mut tx, &row).await?;
    let channel = Channel::parse(&row.channel).ok_or_else(|| StoreError::Corrupt("channel".into()))?;
    let allowed = if channel == Channel::Whistleblowing {
        // The inspectorate reads whistleblowing reports through `whistleblowing`, with an audit leaf.
        false
    } else {
        [Target::at(case.place()), Target::at(desk)].iter().any(|t| permits(&who, Action::WorkCase, t))
    };
    if !allowed {
        return Err(StoreError::Forbidden);
    }
    let report = report_view_in(&mut tx, &case, &row, false).await?;
    let steps = cases::steps_in(&mut tx, case_id).await?;
    let (version,): (i64,) =
        tx.fetch_one(query("SELECT version FROM complaint_rules WHERE id = $1").bind(row.rules_id)).await?;
    tx.commit().await?;
    let events = events_for_officer(db, officer_id, case_id).await?;
    let templates = templates(db, case.government_id, row.category_id).await?;
    Ok(OfficerView {
        kind: ReportKind::parse(&row.report_kind).ok_or_else(|| StoreError::Corrupt("report kind".into()))?,
        channel,
        category_id: row.category_id,
        anonymous: row.anonymous,
        confidential: row.confidential,
        case,
        report,
        steps,
        events,
        templates,
        rules_version: version,
    })
}

/// A photo of a report the officer may read (any of the case's files).
pub async fn photo_for_officer(
    db: &Db,
    officer_id: i64,
    case_id: i64,
    photo_id: i64,
) -> Result<(String, String), StoreError> {
    case_for_officer(db, officer_id, case_id).await?;
    db.fetch_optional(
        query("SELECT object_key, content_type FROM complaint_files WHERE id = $1 AND case_id = $2")
            .bind(photo_id)
            .bind(case_id),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

// ---- audited state ------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] = &[
    AuditedTable::new("complaints", complaint_state).listed_by(complaint_ids),
    AuditedTable::new("complaint_rules", rules::rules_state),
    AuditedTable::new("complaint_categories", category_state),
    AuditedTable::new("complaint_templates", template_state),
    AuditedTable::new("complaint_files", file_state),
    AuditedTable::new("open311_clients", open311::client_state),
];

fn complaint_ids(tx: &mut Tx) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
    Box::pin(async move {
        let rows: Vec<(i64,)> = tx.fetch_all(query("SELECT case_id FROM complaints")).await?;
        Ok(rows.into_iter().map(|(id,)| id.to_string()).collect())
    })
}

fn complaint_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<ComplaintRow>(
        tx,
        "complaints",
        dynamic_query(format!("SELECT {COMPLAINT_COLUMNS} FROM complaints WHERE case_id = $1")),
        id,
    )
}

fn category_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Category>(
        tx,
        "complaint_categories",
        dynamic_query(format!("SELECT {CATEGORY_COLUMNS} FROM complaint_categories WHERE id = $1")),
        id,
    )
}

#[derive(Serialize, sqlx::FromRow)]
struct TemplateState {
    id: i64,
    government_id: i64,
    category_id: Option<i64>,
    title: String,
    body: String,
}

fn template_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<TemplateState>(
        tx,
        "complaint_templates",
        query("SELECT id, government_id, category_id, title, body FROM complaint_templates WHERE id = $1"),
        id,
    )
}

#[derive(Serialize, sqlx::FromRow)]
struct FileState {
    id: i64,
    government_id: i64,
    case_id: i64,
    event_id: Option<i64>,
    object_key: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: DateTime<Utc>,
}

fn file_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<FileState>(
        tx,
        "complaint_files",
        query(
            "SELECT id, government_id, case_id, event_id, object_key, content_type, size, sha256, created_at \
             FROM complaint_files WHERE id = $1",
        ),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_typed_back_however_it_is_spaced_or_cased() {
        let secret = new_secret();
        assert_eq!(secret.len(), SECRET_SYMBOLS + 3);
        assert_eq!(secret_hash(&secret), secret_hash(&secret.to_lowercase().replace('-', " ")));
        assert_ne!(secret_hash(&secret), secret_hash(&new_secret()));
    }
}
