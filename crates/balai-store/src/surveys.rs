//! SKM (Survei Kepuasan Masyarakat): who is invited, the responses, and the sums results are read
//! from. The rules (elements, scores, the index, the minimum sample, periods) are the domain's
//! (`balai_domain::surveys`); this module keeps rows.
//!
//! - A completed application or a report closed as resolved or unresolved invites the citizen in
//!   the same transaction ([`invite_for_application_in`], [`invite_for_report_in`]): a one-time link
//!   (`/survei/{token}`, 32 random bytes in base64url, only its SHA-256 kept) valid for 30 days,
//!   through the outbox to the contact on record. No contact, no invitation.
//! - A response is written by [`record_response_in`] only: the row, the day's sums in
//!   `survey_tallies` and the audit leaf in one transaction, so a result never scans responses.
//! - Officers record walk-in respondents at a kiosk ([`respond_at_kiosk_as_officer`], one response
//!   per idempotency key) and import paper forms ([`import_as_officer`], all rows or none).

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::cases::Case;
use crate::identity::access::authorize_officer;
use crate::identity::vault::Vault;
use crate::notify::{self, NewMessage};
use crate::{Db, StoreError, Tx, dynamic_query, query};
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::contact::Channel;
use balai_domain::identity::{Action, Target};
use balai_domain::notify::MessageKind;
use balai_domain::org::Place;
use balai_domain::surveys::{Element, Period, Response, Tally};
use balai_domain::validation::{FieldErrors, Rule};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::RwLock;

/// How long an invitation link may be used.
pub const INVITATION_DAYS: i64 = 30;
/// The longest idempotency key a kiosk form may send.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;
/// The most rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// How a response reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyChannel {
    /// The one-time link of an invitation.
    Link,
    /// A kiosk at a unit's counter, opened by an officer.
    Kiosk,
    /// A row of an imported sheet (paper forms typed in).
    Import,
}

impl SurveyChannel {
    pub fn code(self) -> &'static str {
        match self {
            SurveyChannel::Link => "link",
            SurveyChannel::Kiosk => "kiosk",
            SurveyChannel::Import => "import",
        }
    }
}

/// Why a survey link opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// No invitation has this token (or the text is not a token at all).
    NotFound,
    /// The link was used: the first response is kept.
    AlreadyAnswered,
    /// The link was not used within [`INVITATION_DAYS`].
    Expired,
}

// ---- the invitation link ------------------------------------------------------------------------

/// The address links in invitations start with (the deployment's public origin), set once at start
/// by the web layer; without one the message carries the path alone.
static LINK_ORIGIN: RwLock<Option<String>> = RwLock::new(None);

/// Sets the origin invitation links are written with (`https://layanan.kupangkota.go.id`).
pub fn set_link_origin(origin: Option<&str>) {
    let origin = origin.map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty());
    if let Ok(mut held) = LINK_ORIGIN.write() {
        *held = origin;
    }
}

/// The link a token opens.
pub fn invitation_link(token: &str) -> String {
    let origin = LINK_ORIGIN.read().ok().and_then(|o| o.clone()).unwrap_or_default();
    format!("{origin}/survei/{token}")
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token as links carry it: 43 base64url characters. Anything else opens nothing, unread.
fn token_hash(token: &str) -> Option<String> {
    let token = token.trim();
    let well_formed = token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
}

// ---- inviting -----------------------------------------------------------------------------------

/// Invites the applicant of a case just completed, in the completion's transaction. Returns the
/// token (for the tests), or `None` when nobody can be reached or the case was invited before.
pub async fn invite_for_application_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    service_name: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(citizen_id) = case.citizen_id else { return Ok(None) };
    let Some(contact) = citizen_contact_in(tx, vault, citizen_id).await? else { return Ok(None) };
    invite_in(tx, vault, case, contact, service_name, now).await
}

/// Invites the reporter of a report just closed (resolved or unresolved), in the closing
/// transaction: a signed-in reporter at their contact on record, a guest at the address they gave.
/// A reporter who left no contact (and every whistleblower, whose identity is sealed) gets nothing.
pub async fn invite_for_report_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    reporter_enc: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(sealed) = reporter_enc else { return Ok(None) };
    let Ok(plain) = vault.open("complaints.reporter", sealed) else { return Ok(None) };
    let Ok(reporter) = serde_json::from_str::<crate::complaints::ReporterContact>(&plain) else { return Ok(None) };
    let contact = match reporter.citizen_id {
        Some(citizen_id) => citizen_contact_in(tx, vault, citizen_id).await?,
        None if !reporter.email.is_empty() => Some((Channel::Email, reporter.email)),
        None if !reporter.phone.is_empty() => Some((Channel::Sms, reporter.phone)),
        None => None,
    };
    let Some(contact) = contact else { return Ok(None) };
    invite_in(tx, vault, case, contact, "Pengaduan", now).await
}

/// A citizen's contact on record: e-mail first, else phone (as case news goes).
async fn citizen_contact_in(
    tx: &mut Tx,
    vault: &Vault,
    citizen_id: i64,
) -> Result<Option<(Channel, String)>, StoreError> {
    let contacts: Option<(Option<String>, Option<String>)> =
        tx.fetch_optional(query("SELECT email_enc, phone_enc FROM citizens WHERE id = $1").bind(citizen_id)).await?;
    let opened = match contacts {
        Some((Some(email), _)) => (Channel::Email, vault.open("citizens.email", &email)),
        Some((None, Some(phone))) => (Channel::Sms, vault.open("citizens.phone", &phone)),
        _ => return Ok(None),
    };
    let recipient = opened.1.map_err(|e| StoreError::Corrupt(format!("a sealed contact: {e}")))?;
    Ok(Some((opened.0, recipient)))
}

/// The invitation row and its message, once per case.
pub async fn invite_in(
    tx: &mut Tx,
    vault: &Vault,
    case: &Case,
    (channel, recipient): (Channel, String),
    service_name: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(unit_id) = case.unit_id else { return Ok(None) };
    let token = new_token();
    let hash = token_hash(&token).ok_or_else(|| StoreError::Corrupt("a fresh survey token".into()))?;
    let inserted: Option<(i64,)> = tx
        .fetch_optional(
            query(
                "INSERT INTO survey_invitations (government_id, agency_id, unit_id, service_id, case_id, token_hash, \
                 created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (case_id) DO NOTHING RETURNING id",
            )
            .bind(case.government_id)
            .bind(case.agency_id)
            .bind(unit_id)
            .bind(case.service_id)
            .bind(case.id)
            .bind(hash.as_str())
            .bind(now)
            .bind(now + Duration::days(INVITATION_DAYS)),
        )
        .await?;
    if inserted.is_none() {
        return Ok(None);
    }
    let tracking = case.tracking_number.clone().unwrap_or_default();
    let link = invitation_link(&token);
    let days = INVITATION_DAYS.to_string();
    let kind = MessageKind::SurveyInvitation;
    let (subject, body) = notify::templates::compose(
        tx,
        kind,
        Lang::Id,
        &[("tracking_number", tracking.as_str()), ("service", service_name), ("link", link.as_str()), ("days", &days)],
    )
    .await?;
    notify::enqueue(
        tx,
        vault,
        &NewMessage {
            government_id: Some(case.government_id),
            channel,
            recipient: &recipient,
            template: kind.code(),
            lang: Lang::Id,
            subject,
            body,
        },
    )
    .await?;
    Ok(Some(token))
}

// ---- recording a response -----------------------------------------------------------------------

/// A response with where it belongs: what [`record_response_in`] writes.
#[derive(Debug, Clone)]
pub struct NewResponse<'a> {
    pub government_id: i64,
    pub agency_id: i64,
    pub unit_id: i64,
    pub service_id: Option<i64>,
    pub case_id: Option<i64>,
    pub channel: SurveyChannel,
    /// The day in the government's time zone.
    pub answered_on: NaiveDate,
    pub response: &'a Response,
    /// The officer at the kiosk or importing.
    pub recorded_by: Option<i64>,
    pub idempotency_key: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

/// Writes one response, adds it to its day's sums and appends its leaf, in the caller's
/// transaction. The one way a response is stored (the demo's history generator uses it in bulk).
/// The suggestion is kept with runs of digits and e-mail addresses masked: results never need them.
pub async fn record_response_in(tx: &mut Tx, actor: &Actor, new: &NewResponse<'_>) -> Result<i64, StoreError> {
    let r = new.response;
    let score = |element: Element| i64::from(r.answers.score(element).value());
    let suggestion = balai_domain::personal_number::redact(r.suggestion.trim());
    let (id,): (i64,) = tx
        .fetch_one(
            query(
                "INSERT INTO survey_responses (government_id, agency_id, unit_id, service_id, case_id, channel, \
                 answered_on, u1, u2, u3, u4, u5, u6, u7, u8, u9, sex, age_band, education, occupation, suggestion, \
                 recorded_by, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id",
            )
            .bind(new.government_id)
            .bind(new.agency_id)
            .bind(new.unit_id)
            .bind(new.service_id)
            .bind(new.case_id)
            .bind(new.channel.code())
            .bind(new.answered_on)
            .bind(score(Element::U1))
            .bind(score(Element::U2))
            .bind(score(Element::U3))
            .bind(score(Element::U4))
            .bind(score(Element::U5))
            .bind(score(Element::U6))
            .bind(score(Element::U7))
            .bind(score(Element::U8))
            .bind(score(Element::U9))
            .bind(r.profile.sex.map(|c| c.code()))
            .bind(r.profile.age_band.map(|c| c.code()))
            .bind(r.profile.education.map(|c| c.code()))
            .bind(r.profile.occupation.map(|c| c.code()))
            .bind(suggestion)
            .bind(new.recorded_by)
            .bind(new.idempotency_key)
            .bind(new.created_at),
        )
        .await?;
    tx.execute(
        query(
            "INSERT INTO survey_tallies (government_id, agency_id, unit_id, service_id, day, respondents, sum_u1, \
             sum_u2, sum_u3, sum_u4, sum_u5, sum_u6, sum_u7, sum_u8, sum_u9) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (government_id, agency_id, unit_id, service_id, day) DO UPDATE SET \
             respondents = survey_tallies.respondents + 1, \
             sum_u1 = survey_tallies.sum_u1 + excluded.sum_u1, sum_u2 = survey_tallies.sum_u2 + excluded.sum_u2, \
             sum_u3 = survey_tallies.sum_u3 + excluded.sum_u3, sum_u4 = survey_tallies.sum_u4 + excluded.sum_u4, \
             sum_u5 = survey_tallies.sum_u5 + excluded.sum_u5, sum_u6 = survey_tallies.sum_u6 + excluded.sum_u6, \
             sum_u7 = survey_tallies.sum_u7 + excluded.sum_u7, sum_u8 = survey_tallies.sum_u8 + excluded.sum_u8, \
             sum_u9 = survey_tallies.sum_u9 + excluded.sum_u9",
        )
        .bind(new.government_id)
        .bind(new.agency_id)
        .bind(new.unit_id)
        .bind(new.service_id.unwrap_or(0))
        .bind(new.answered_on)
        .bind(score(Element::U1))
        .bind(score(Element::U2))
        .bind(score(Element::U3))
        .bind(score(Element::U4))
        .bind(score(Element::U5))
        .bind(score(Element::U6))
        .bind(score(Element::U7))
        .bind(score(Element::U8))
        .bind(score(Element::U9)),
    )
    .await?;
    audit::record_change(
        tx,
        actor,
        &format!("surveys.response.{}", new.channel.code()),
        &Subject::new("survey_responses", id),
        Some(new.government_id),
    )
    .await?;
    Ok(id)
}

async fn zone_in(tx: &mut Tx, government_id: i64) -> Result<IndonesianTimeZone, StoreError> {
    let (zone,): (String,) =
        tx.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(government_id)).await?;
    IndonesianTimeZone::parse(&zone).ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))
}

/// What a survey link is about, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Invitation {
    pub government: String,
    pub region_code: String,
    pub agency: String,
    pub agency_code: String,
    pub unit: String,
    /// The service's name in each language, or `None` for a report.
    pub service: Option<String>,
    pub service_en: Option<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: i64,
    government_id: i64,
    agency_id: i64,
    unit_id: i64,
    service_id: Option<i64>,
    case_id: i64,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

async fn invitation_row_in(tx: &mut Tx, hash: &str) -> Result<Option<InvitationRow>, StoreError> {
    tx.fetch_optional(
        query(
            "SELECT id, government_id, agency_id, unit_id, service_id, case_id, expires_at, used_at \
             FROM survey_invitations WHERE token_hash = $1",
        )
        .bind(hash),
    )
    .await
}

fn refusal(row: &InvitationRow, now: DateTime<Utc>) -> Option<LinkRefused> {
    if row.used_at.is_some() {
        Some(LinkRefused::AlreadyAnswered)
    } else if row.expires_at <= now {
        Some(LinkRefused::Expired)
    } else {
        None
    }
}

/// What a link opens now: the invitation to show, or why it opens nothing.
pub async fn invitation(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<Invitation, LinkRefused>, StoreError> {
    let Some(hash) = token_hash(token) else { return Ok(Err(LinkRefused::NotFound)) };
    let mut tx = db.begin_read().await?;
    let Some(row) = invitation_row_in(&mut tx, &hash).await? else { return Ok(Err(LinkRefused::NotFound)) };
    if let Some(refused) = refusal(&row, now) {
        return Ok(Err(refused));
    }
    let shown: Invitation = tx
        .fetch_one(
            query(
                "SELECT g.name AS government, g.region_code, a.name AS agency, a.code AS agency_code, \
                 u.name AS unit, v.name AS service, v.name_en AS service_en, i.expires_at FROM survey_invitations i \
                 JOIN governments g ON g.id = i.government_id JOIN agencies a ON a.id = i.agency_id \
                 JOIN units u ON u.id = i.unit_id LEFT JOIN services s ON s.id = i.service_id \
                 LEFT JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 WHERE i.id = $1",
            )
            .bind(row.id),
        )
        .await?;
    tx.commit().await?;
    Ok(Ok(shown))
}

/// A respondent answers through their link: one transaction; a link used before, expired or unknown
/// writes nothing, and exactly one response is ever kept per link. Returns the response's id.
pub async fn respond_by_invitation(
    db: &Db,
    token: &str,
    response: &Response,
    now: DateTime<Utc>,
) -> Result<Result<i64, LinkRefused>, StoreError> {
    let Some(hash) = token_hash(token) else { return Ok(Err(LinkRefused::NotFound)) };
    let mut tx = db.begin().await?;
    let Some(row) = invitation_row_in(&mut tx, &hash).await? else { return Ok(Err(LinkRefused::NotFound)) };
    if let Some(refused) = refusal(&row, now) {
        return Ok(Err(refused));
    }
    // Guarded: of two posts racing on one link, only one finds it unused.
    let taken = tx
        .execute(
            query("UPDATE survey_invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now)
                .bind(row.id),
        )
        .await?;
    if taken == 0 {
        return Ok(Err(LinkRefused::AlreadyAnswered));
    }
    let zone = zone_in(&mut tx, row.government_id).await?;
    let id = record_response_in(
        &mut tx,
        &Actor::public(),
        &NewResponse {
            government_id: row.government_id,
            agency_id: row.agency_id,
            unit_id: row.unit_id,
            service_id: row.service_id,
            case_id: Some(row.case_id),
            channel: SurveyChannel::Link,
            answered_on: zone.local_date(now),
            response,
            recorded_by: None,
            idempotency_key: None,
            created_at: now,
        },
    )
    .await?;
    tx.execute(query("UPDATE survey_invitations SET response_id = $1 WHERE id = $2").bind(id).bind(row.id)).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

// ---- kiosk and import ---------------------------------------------------------------------------

/// Where officer-recorded responses belong: a unit of an agency, and optionally one of its services.
async fn checked_scope_in(
    tx: &mut Tx,
    officer_id: i64,
    place: Place,
    service_id: Option<i64>,
) -> Result<(i64, i64), StoreError> {
    let mut e = FieldErrors::default();
    let (Some(agency_id), Some(unit_id)) = (place.agency_id, place.unit_id) else {
        e.push("unit", Rule::Required);
        return Err(StoreError::Invalid(e));
    };
    authorize_officer(tx, officer_id, Action::RecordSurvey, &Target::unit(place.government_id, agency_id, unit_id))
        .await?;
    let unit: Option<(i64, i64)> =
        tx.fetch_optional(query("SELECT government_id, agency_id FROM units WHERE id = $1").bind(unit_id)).await?;
    if unit != Some((place.government_id, agency_id)) {
        e.push("unit", Rule::Unknown);
    }
    if let Some(service_id) = service_id {
        let service: Option<(i64, i64)> = tx
            .fetch_optional(query("SELECT government_id, agency_id FROM services WHERE id = $1").bind(service_id))
            .await?;
        if service != Some((place.government_id, agency_id)) {
            e.push("service", Rule::Unknown);
        }
    }
    e.into_result()?;
    Ok((agency_id, unit_id))
}

/// What a kiosk post answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskRecorded {
    pub response_id: i64,
    /// True when this key was recorded before (a double tap): nothing new was written.
    pub replayed: bool,
}

/// A walk-in respondent answers at the kiosk an officer opened at their unit's counter: the
/// permission check (`RecordSurvey` at the unit), one response per idempotency key, the leaf names
/// the officer.
pub async fn respond_at_kiosk_as_officer(
    db: &Db,
    officer_id: i64,
    place: Place,
    service_id: Option<i64>,
    response: &Response,
    idempotency_key: &str,
    now: DateTime<Utc>,
) -> Result<KioskRecorded, StoreError> {
    let key = idempotency_key.trim();
    let mut e = FieldErrors::default();
    if key.is_empty() {
        e.push("idempotency_key", Rule::Required);
    } else if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        e.push("idempotency_key", Rule::TooLong { max: MAX_IDEMPOTENCY_KEY_CHARS });
    }
    e.into_result()?;
    let mut tx = db.begin().await?;
    let (agency_id, unit_id) = checked_scope_in(&mut tx, officer_id, place, service_id).await?;
    let earlier: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM survey_responses WHERE recorded_by = $1 AND idempotency_key = $2")
                .bind(officer_id)
                .bind(key),
        )
        .await?;
    if let Some((response_id,)) = earlier {
        return Ok(KioskRecorded { response_id, replayed: true });
    }
    let zone = zone_in(&mut tx, place.government_id).await?;
    let response_id = record_response_in(
        &mut tx,
        &Actor::officer(officer_id),
        &NewResponse {
            government_id: place.government_id,
            agency_id,
            unit_id,
            service_id,
            case_id: None,
            channel: SurveyChannel::Kiosk,
            answered_on: zone.local_date(now),
            response,
            recorded_by: Some(officer_id),
            idempotency_key: Some(key),
            created_at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(KioskRecorded { response_id, replayed: false })
}

/// Imports validated rows (paper forms of one unit, and optionally one service, answered on one
/// day) in one transaction: every row, or none. Returns how many were written.
#[allow(clippy::too_many_arguments)]
pub async fn import_as_officer(
    db: &Db,
    officer_id: i64,
    place: Place,
    service_id: Option<i64>,
    rows: &[Response],
    answered_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let dated: Vec<(&Response, NaiveDate)> = rows.iter().map(|r| (r, answered_on)).collect();
    import_dated_as_officer(db, officer_id, place, service_id, &dated, now).await
}

/// [`import_as_officer`] with a day per row (a sheet's `tanggal` column): every day must lie
/// between 2000-01-01 and today in the government's time zone.
pub async fn import_dated_as_officer(
    db: &Db,
    officer_id: i64,
    place: Place,
    service_id: Option<i64>,
    rows: &[(&Response, NaiveDate)],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut e = FieldErrors::default();
    if rows.is_empty() {
        e.push("rows", Rule::Required);
    } else if rows.len() > MAX_IMPORT_ROWS {
        e.push("rows", Rule::TooMany { max: MAX_IMPORT_ROWS });
    }
    let mut tx = db.begin().await?;
    let (agency_id, unit_id) = checked_scope_in(&mut tx, officer_id, place, service_id).await?;
    let zone = zone_in(&mut tx, place.government_id).await?;
    let (first, last) = answer_days(zone, now);
    if rows.iter().any(|(_, day)| *day < first || *day > last) {
        e.push("answered_on", Rule::Format { expected: "2026-07-15" });
    }
    e.into_result()?;
    let actor = Actor::officer(officer_id);
    for (response, answered_on) in rows {
        record_response_in(
            &mut tx,
            &actor,
            &NewResponse {
                government_id: place.government_id,
                agency_id,
                unit_id,
                service_id,
                case_id: None,
                channel: SurveyChannel::Import,
                answered_on: *answered_on,
                response,
                recorded_by: Some(officer_id),
                idempotency_key: None,
                created_at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The days an imported answer may carry: from 2000-01-01 to today in the zone.
pub fn answer_days(zone: IndonesianTimeZone, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN), zone.local_date(now))
}

// ---- results ------------------------------------------------------------------------------------

/// A scope's respondents in a period, and how many services it delivered then (the population the
/// minimum sample is taken of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Results {
    pub tally: Tally,
    /// Applications completed in the period in this scope.
    pub population: u64,
}

impl Results {
    pub fn sample_met(&self) -> bool {
        balai_domain::surveys::sample_met(self.tally.respondents, self.population)
    }

    pub fn minimum_sample(&self) -> u64 {
        balai_domain::surveys::minimum_sample(self.population)
    }
}

/// One unit's or one service's results within an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The unit's or service's id; `None` for responses about no service (reports, kiosks).
    pub id: Option<i64>,
    pub name: String,
    pub name_en: String,
    pub results: Results,
}

/// An agency's results in a period: the whole, per unit and per service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub whole: Results,
    pub units: Vec<Part>,
    pub services: Vec<Part>,
}

#[derive(sqlx::FromRow)]
struct SumRow {
    key: Option<i64>,
    respondents: i64,
    s1: i64,
    s2: i64,
    s3: i64,
    s4: i64,
    s5: i64,
    s6: i64,
    s7: i64,
    s8: i64,
    s9: i64,
}

impl SumRow {
    fn tally(&self) -> Tally {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Tally {
            respondents: n(self.respondents),
            sums: [
                n(self.s1),
                n(self.s2),
                n(self.s3),
                n(self.s4),
                n(self.s5),
                n(self.s6),
                n(self.s7),
                n(self.s8),
                n(self.s9),
            ],
        }
    }
}

const SUMS: &str = "CAST(COALESCE(SUM(respondents), 0) AS BIGINT) AS respondents, \
     CAST(COALESCE(SUM(sum_u1), 0) AS BIGINT) AS s1, CAST(COALESCE(SUM(sum_u2), 0) AS BIGINT) AS s2, \
     CAST(COALESCE(SUM(sum_u3), 0) AS BIGINT) AS s3, CAST(COALESCE(SUM(sum_u4), 0) AS BIGINT) AS s4, \
     CAST(COALESCE(SUM(sum_u5), 0) AS BIGINT) AS s5, CAST(COALESCE(SUM(sum_u6), 0) AS BIGINT) AS s6, \
     CAST(COALESCE(SUM(sum_u7), 0) AS BIGINT) AS s7, CAST(COALESCE(SUM(sum_u8), 0) AS BIGINT) AS s8, \
     CAST(COALESCE(SUM(sum_u9), 0) AS BIGINT) AS s9";

/// Where a result is taken: an agency, and within it optionally a unit and a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub government_id: i64,
    pub agency_id: i64,
    pub unit_id: Option<i64>,
    pub service_id: Option<i64>,
}

/// Sums of the scope's days in the period (`group`: `unit_id`, `service_id` or nothing).
async fn sums(db: &Db, scope: Scope, period: Period, group: Option<&str>) -> Result<Vec<SumRow>, StoreError> {
    let (start, end) = period.bounds();
    let key = group.unwrap_or("CAST(NULL AS BIGINT)");
    let group_by = group.map(|g| format!(" GROUP BY {g}")).unwrap_or_default();
    let q = dynamic_query(format!(
        "SELECT {key} AS key, {SUMS} FROM survey_tallies WHERE government_id = $1 AND agency_id = $2 \
         AND day >= $3 AND day < $4 AND ($5 = 0 OR unit_id = $5) AND ($6 = 0 OR service_id = $6){group_by}"
    ))
    .bind(scope.government_id)
    .bind(scope.agency_id)
    .bind(start)
    .bind(end)
    .bind(scope.unit_id.unwrap_or(0))
    .bind(scope.service_id.unwrap_or(0));
    db.fetch_all(q).await
}

/// Applications completed in the period in the scope (`group`: `c.unit_id`, `c.service_id`).
async fn populations(
    db: &Db,
    scope: Scope,
    period: Period,
    group: Option<&str>,
) -> Result<Vec<(Option<i64>, i64)>, StoreError> {
    let (zone,): (String,) =
        db.fetch_one(query("SELECT time_zone FROM governments WHERE id = $1").bind(scope.government_id)).await?;
    let zone = IndonesianTimeZone::parse(&zone).ok_or_else(|| StoreError::Corrupt(format!("time zone {zone}")))?;
    let (start, end) = period.bounds();
    let key = group.unwrap_or("CAST(NULL AS BIGINT)");
    let group_by = group.map(|g| format!(" GROUP BY {g}")).unwrap_or_default();
    let q = dynamic_query(format!(
        "SELECT {key} AS key, COUNT(*) AS n FROM cases c WHERE c.government_id = $1 AND c.agency_id = $2 \
         AND c.kind = 'application' AND c.status = 'completed' AND c.closed_at >= $3 AND c.closed_at < $4 \
         AND ($5 = 0 OR c.unit_id = $5) AND ($6 = 0 OR c.service_id = $6){group_by}"
    ))
    .bind(scope.government_id)
    .bind(scope.agency_id)
    .bind(zone.start_of_day(start))
    .bind(zone.start_of_day(end))
    .bind(scope.unit_id.unwrap_or(0))
    .bind(scope.service_id.unwrap_or(0));
    let rows: Vec<(Option<i64>, i64)> = db.fetch_all(q).await?;
    Ok(rows)
}

fn population_of(rows: &[(Option<i64>, i64)], key: Option<i64>) -> u64 {
    rows.iter().filter(|(k, _)| *k == key).map(|(_, n)| u64::try_from(*n).unwrap_or(0)).sum()
}

/// A scope's results in a period, read from the day sums (on the lagging reader: public figures).
pub async fn results(db: &Db, scope: Scope, period: Period) -> Result<Results, StoreError> {
    let db = db.lagging();
    let tally = sums(db, scope, period, None).await?.first().map(SumRow::tally).unwrap_or_default();
    let population = population_of(&populations(db, scope, period, None).await?, None);
    Ok(Results { tally, population })
}

/// An agency's results in a period, whole, per unit and per service (units and services with
/// neither respondents nor delivered services are left out).
pub async fn breakdown(db: &Db, government_id: i64, agency_id: i64, period: Period) -> Result<Breakdown, StoreError> {
    let db = db.lagging();
    let scope = Scope { government_id, agency_id, unit_id: None, service_id: None };
    let whole = Results {
        tally: sums(db, scope, period, None).await?.first().map(SumRow::tally).unwrap_or_default(),
        population: population_of(&populations(db, scope, period, None).await?, None),
    };
    let unit_names: Vec<(i64, String)> =
        db.fetch_all(query("SELECT id, name FROM units WHERE agency_id = $1 ORDER BY name").bind(agency_id)).await?;
    let service_names: Vec<(i64, String, String)> = db
        .fetch_all(
            query(
                "SELECT s.id, v.name, v.name_en FROM services s \
                 JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 WHERE s.agency_id = $1 ORDER BY v.name",
            )
            .bind(agency_id),
        )
        .await?;
    let unit_sums = sums(db, scope, period, Some("unit_id")).await?;
    let unit_population = populations(db, scope, period, Some("c.unit_id")).await?;
    let units = unit_names
        .into_iter()
        .map(|(id, name)| {
            let tally = unit_sums.iter().find(|r| r.key == Some(id)).map(SumRow::tally).unwrap_or_default();
            let population = population_of(&unit_population, Some(id));
            Part { id: Some(id), name: name.clone(), name_en: name, results: Results { tally, population } }
        })
        .filter(|p| p.results.tally.respondents > 0 || p.results.population > 0)
        .collect();
    let service_sums = sums(db, scope, period, Some("service_id")).await?;
    let service_population = populations(db, scope, period, Some("c.service_id")).await?;
    let mut services: Vec<Part> = service_names
        .into_iter()
        .map(|(id, name, name_en)| {
            let tally = service_sums.iter().find(|r| r.key == Some(id)).map(SumRow::tally).unwrap_or_default();
            let population = population_of(&service_population, Some(id));
            Part { id: Some(id), name, name_en, results: Results { tally, population } }
        })
        .filter(|p| p.results.tally.respondents > 0 || p.results.population > 0)
        .collect();
    if let Some(other) = service_sums.iter().find(|r| r.key == Some(0)).map(SumRow::tally)
        && other.respondents > 0
    {
        services.push(Part {
            id: None,
            name: "Pengaduan dan layanan umum".into(),
            name_en: "Reports and general service".into(),
            results: Results { tally: other, population: 0 },
        });
    }
    Ok(Breakdown { whole, units, services })
}

/// How the respondents of a scope in a period described themselves: per profile question, the
/// count of each code given (`None`: not said). Read from the responses (a report, not a page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileCounts {
    pub sex: Vec<(Option<String>, u64)>,
    pub age_band: Vec<(Option<String>, u64)>,
    pub education: Vec<(Option<String>, u64)>,
    pub occupation: Vec<(Option<String>, u64)>,
}

pub async fn profile_counts(db: &Db, scope: Scope, period: Period) -> Result<ProfileCounts, StoreError> {
    let db = db.lagging();
    let (start, end) = period.bounds();
    let mut counts = ProfileCounts::default();
    for (column, out) in [
        ("sex", &mut counts.sex),
        ("age_band", &mut counts.age_band),
        ("education", &mut counts.education),
        ("occupation", &mut counts.occupation),
    ] {
        let rows: Vec<(Option<String>, i64)> = db
            .fetch_all(
                dynamic_query(format!(
                    "SELECT {column}, COUNT(*) FROM survey_responses WHERE government_id = $1 AND agency_id = $2 \
                     AND answered_on >= $3 AND answered_on < $4 AND ($5 = 0 OR unit_id = $5) \
                     AND ($6 = 0 OR COALESCE(service_id, 0) = $6) GROUP BY {column}"
                ))
                .bind(scope.government_id)
                .bind(scope.agency_id)
                .bind(start)
                .bind(end)
                .bind(scope.unit_id.unwrap_or(0))
                .bind(scope.service_id.unwrap_or(0)),
            )
            .await?;
        *out = rows.into_iter().map(|(code, n)| (code, u64::try_from(n).unwrap_or(0))).collect();
    }
    Ok(counts)
}

/// An agency of a government by its code, for the public results page (lagging reader).
pub async fn agency_by_code(db: &Db, government_id: i64, code: &str) -> Result<Option<crate::org::Agency>, StoreError> {
    if code.len() > 64 {
        return Ok(None);
    }
    let found: Option<(i64,)> = db
        .lagging()
        .fetch_optional(
            query("SELECT id FROM agencies WHERE government_id = $1 AND code = $2").bind(government_id).bind(code),
        )
        .await?;
    match found {
        Some((id,)) => Ok(Some(crate::org::agency(db.lagging(), id).await?)),
        None => Ok(None),
    }
}

/// A service an agency delivers, by its current name (what a kiosk may be about).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServiceName {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// The services of an agency, by name.
pub async fn agency_services(db: &Db, agency_id: i64) -> Result<Vec<ServiceName>, StoreError> {
    db.fetch_all(
        query(
            "SELECT s.id, s.code, v.name, v.name_en FROM services s \
             JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
             WHERE s.agency_id = $1 ORDER BY v.name",
        )
        .bind(agency_id),
    )
    .await
}

// ---- audit --------------------------------------------------------------------------------------

pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("survey_responses", response_state)];

const RESPONSE_COLUMNS: &str = "id, government_id, agency_id, unit_id, service_id, case_id, channel, answered_on, \
     u1, u2, u3, u4, u5, u6, u7, u8, u9, sex, age_band, education, occupation, suggestion, recorded_by, \
     idempotency_key, created_at";

#[derive(Serialize, sqlx::FromRow)]
struct ResponseState {
    id: i64,
    government_id: i64,
    agency_id: i64,
    unit_id: i64,
    service_id: Option<i64>,
    case_id: Option<i64>,
    channel: String,
    answered_on: NaiveDate,
    u1: i64,
    u2: i64,
    u3: i64,
    u4: i64,
    u5: i64,
    u6: i64,
    u7: i64,
    u8: i64,
    u9: i64,
    sex: Option<String>,
    age_band: Option<String>,
    education: Option<String>,
    occupation: Option<String>,
    suggestion: String,
    recorded_by: Option<i64>,
    idempotency_key: Option<String>,
    created_at: DateTime<Utc>,
}

fn response_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<ResponseState>(
        tx,
        "survey_responses",
        dynamic_query(format!("SELECT {RESPONSE_COLUMNS} FROM survey_responses WHERE id = $1")),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_base64url_characters_and_nothing_else_is_looked_up() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(token_hash(&token).is_some_and(|h| h.len() == 64));
        assert_ne!(new_token(), token, "tokens are random");
        for bad in ["", "abc", &format!("{token}x"), &token.replace(|c: char| c.is_ascii_alphabetic(), "+")] {
            assert!(token_hash(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_link_is_the_path_alone_until_an_origin_is_set() {
        assert!(invitation_link("abc").ends_with("/survei/abc"));
    }
}
