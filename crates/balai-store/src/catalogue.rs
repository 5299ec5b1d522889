//! Catalogue: categories, each agency's maklumat, and services whose Standar Pelayanan is versioned —
//! every change is a new version and old versions stay readable. The governments, agencies and units
//! services belong to are [`crate::org`]'s.

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject, numeric_id};
use crate::identity::access::{authorize_officer, officer_principal};
use crate::org::{Agency, Place};
use crate::{Db, Page, Paging, StoreError, Tx, dynamic_query, query};
use balai_domain::IndonesianTimeZone;
use balai_domain::catalogue::{DocumentType, ProcedureStep, Requirement, ServiceStandard, validate_service_code};
use balai_domain::identity::{Action, Target, permits};
use balai_domain::money::Rupiah;
use balai_domain::validation::{FieldErrors, Rule};
use cache::{Live, Stamp, UnitNames, VersionBody};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::sync::Arc;

pub(crate) mod cache;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub government_id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

/// A service as listed in search results: its current version's headline facts.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ServiceSummary {
    pub id: i64,
    pub code: String,
    pub government_id: i64,
    pub region_code: String,
    pub government_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub category_code: String,
    pub category_name_id: String,
    pub category_name_en: String,
    pub name: String,
    pub name_en: String,
    pub summary: String,
    pub sla_days: i64,
    pub fee: i64,
    pub current_version: i64,
}

/// Who changed a version and why.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionInfo {
    pub version: i64,
    pub name: String,
    pub sk_number: String,
    pub effective_date: NaiveDate,
    pub change_note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One version of a service in full.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDetail {
    pub service: ServiceSummary,
    pub version: VersionInfo,
    pub standard: ServiceStandard,
    /// The responsible unit's name for each step, in step order.
    pub step_unit_names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub region_code: Option<String>,
    pub text: Option<String>,
    pub category_code: Option<String>,
    pub agency_id: Option<i64>,
}

// ---- categories -----------------------------------------------------------------------------

pub async fn create_category(
    tx: &mut Tx,
    actor: &Actor,
    government_id: i64,
    code: &str,
    name_id: &str,
    name_en: &str,
) -> Result<Category, StoreError> {
    let id = tx
        .insert(
            query("INSERT INTO service_categories (government_id, code, name_id, name_en) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(government_id)
                .bind(code)
                .bind(name_id)
                .bind(name_en),
        )
        .await?;
    audit::record_change(
        tx,
        actor,
        "catalogue.category.create",
        &Subject::new("service_categories", id),
        Some(government_id),
    )
    .await?;
    Ok(Category { id, government_id, code: code.into(), name_id: name_id.into(), name_en: name_en.into() })
}

/// A category with the number of services in it (for the home page).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CategoryCount {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub services: i64,
}

/// Categories across the given government (or all), merged by code, with service counts.
pub async fn category_counts(db: &Db, region_code: Option<&str>) -> Result<Vec<CategoryCount>, StoreError> {
    let mut sql = String::from(
        "SELECT c.code, MIN(c.name_id) AS name_id, MIN(c.name_en) AS name_en, COUNT(s.id) AS services \
         FROM service_categories c JOIN governments g ON g.id = c.government_id \
         LEFT JOIN services s ON s.category_id = c.id",
    );
    let mut q_args = Vec::new();
    if let Some(region) = region_code {
        sql.push_str(" WHERE g.region_code = $1");
        q_args.push(region.to_owned());
    }
    sql.push_str(" GROUP BY c.code ORDER BY MIN(c.name_id)");
    let mut q = dynamic_query(sql);
    for a in q_args {
        q = q.bind(a);
    }
    db.fetch_all(q).await
}

pub async fn categories(db: &Db, government_id: i64) -> Result<Vec<Category>, StoreError> {
    db.fetch_all(
        query("SELECT id, government_id, code, name_id, name_en FROM service_categories WHERE government_id = $1 ORDER BY name_id")
            .bind(government_id),
    )
    .await
}

// ---- maklumat ------------------------------------------------------------------------------

/// An officer who manages an agency's catalogue publishes its maklumat pelayanan.
pub async fn update_maklumat_as_officer(
    db: &Db,
    officer_id: i64,
    agency_id: i64,
    maklumat: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let (government_id,): (i64,) = tx
        .fetch_optional(query("SELECT government_id FROM agencies WHERE id = $1").bind(agency_id))
        .await?
        .ok_or(StoreError::NotFound)?;
    authorize_officer(&mut tx, officer_id, Action::ManageCatalogue, &Target::agency(government_id, agency_id)).await?;
    update_maklumat(&mut tx, &Actor::officer(officer_id), agency_id, maklumat).await?;
    tx.commit().await
}

/// The agency's maklumat pelayanan: its published declaration of the service standard, so a catalogue
/// command, though it is kept on the agency's row.
pub async fn update_maklumat(tx: &mut Tx, actor: &Actor, agency_id: i64, maklumat: &str) -> Result<(), StoreError> {
    let mut e = FieldErrors::default();
    let text = e.text("maklumat", maklumat, balai_domain::catalogue::MAX_TEXT);
    e.into_result()?;
    let changed = tx
        .execute(
            query("UPDATE agencies SET maklumat = $1, updated_at = $2 WHERE id = $3")
                .bind(text)
                .bind(Utc::now())
                .bind(agency_id),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let (government_id,): (i64,) =
        tx.fetch_one(query("SELECT government_id FROM agencies WHERE id = $1").bind(agency_id)).await?;
    audit::record_change(
        tx,
        actor,
        "catalogue.agency.maklumat",
        &Subject::new("agencies", agency_id),
        Some(government_id),
    )
    .await?;
    Ok(())
}

// ---- services -------------------------------------------------------------------------------

const SUMMARY_SELECT: &str = "SELECT s.id, s.code, s.government_id, g.region_code, g.name AS government_name, \
    s.agency_id, a.name AS agency_name, c.code AS category_code, c.name_id AS category_name_id, \
    c.name_en AS category_name_en, v.name, v.name_en, v.summary, v.sla_days, v.fee, s.current_version \
    FROM services s \
    JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
    JOIN governments g ON g.id = s.government_id \
    JOIN agencies a ON a.id = s.agency_id \
    JOIN service_categories c ON c.id = s.category_id";

/// A standard as an officer submitted it, for a new service or a new version.
pub struct StandardEdit<'a> {
    pub category: &'a str,
    pub standard: &'a ServiceStandard,
    /// Some inputs could not be read at all (the edge names which). Everything else is still
    /// checked, once, so the officer sees every problem together, and nothing is written.
    pub unreadable_inputs: bool,
}

/// An officer creates a service with version 1 of its standard, for an agency of the government
/// they manage. An agency that is not the government's, or not theirs, is an unknown `agency`.
pub async fn create_service_as_officer(
    db: &Db,
    officer_id: i64,
    government_id: i64,
    agency_id: Option<i64>,
    code: &str,
    edit: StandardEdit<'_>,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let who = officer_principal(&mut tx, officer_id).await?.ok_or(StoreError::Forbidden)?;
    let own_part = Target::at(Place { government_id, agency_id: who.agency_id, unit_id: None });
    if !permits(&who, Action::ManageCatalogue, &own_part) {
        return Err(StoreError::Forbidden);
    }
    let agency = match agency_id {
        Some(id) => tx
            .fetch_optional::<(i64,)>(
                query("SELECT id FROM agencies WHERE id = $1 AND government_id = $2").bind(id).bind(government_id),
            )
            .await?
            .map(|(id,)| id)
            .filter(|id| permits(&who, Action::ManageCatalogue, &Target::agency(government_id, *id))),
        None => None,
    };
    let mut errors = FieldErrors::default();
    if agency.is_none() {
        errors.push("agency", Rule::Unknown);
    }
    let id = create_service_checked(&mut tx, government_id, agency, code, &edit, &Actor::officer(officer_id), errors)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a service with version 1 of its standard.
pub async fn create_service(
    tx: &mut Tx,
    agency: &Agency,
    category_code: &str,
    code: &str,
    standard: &ServiceStandard,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let edit = StandardEdit { category: category_code, standard, unreadable_inputs: false };
    create_service_checked(tx, agency.government_id, Some(agency.id), code, &edit, actor, FieldErrors::default()).await
}

async fn create_service_checked(
    tx: &mut Tx,
    government_id: i64,
    agency_id: Option<i64>,
    code: &str,
    edit: &StandardEdit<'_>,
    actor: &Actor,
    mut errors: FieldErrors,
) -> Result<i64, StoreError> {
    let StandardEdit { category: category_code, standard, unreadable_inputs } = *edit;
    validate_service_code(code, &mut errors);
    if let Err(e) = standard.validate() {
        errors.0.extend(e.0);
    }
    let category = category_id(tx, government_id, category_code).await?;
    if category.is_none() {
        errors.push("category", Rule::Unknown);
    }
    if let Some(agency_id) = agency_id {
        check_step_units(tx, agency_id, standard, &mut errors).await?;
    }
    let existing: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM services WHERE government_id = $1 AND code = $2").bind(government_id).bind(code),
        )
        .await?;
    if existing.is_some() {
        errors.push("code", Rule::Duplicate);
    }
    let (Some(agency_id), Some(category), true, false) = (agency_id, category, errors.is_empty(), unreadable_inputs)
    else {
        return Err(StoreError::Invalid(errors));
    };
    let now = Utc::now();
    let service_id = tx
        .insert(
            query(
                "INSERT INTO services (government_id, agency_id, category_id, code, current_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
            )
            .bind(government_id)
            .bind(agency_id)
            .bind(category)
            .bind(code)
            .bind(now),
        )
        .await?;
    let version_id = insert_version(tx, government_id, service_id, 1, standard, actor, "Versi pertama").await?;
    let government = Some(government_id);
    audit::record_change(tx, actor, "catalogue.service.create", &Subject::new("services", service_id), government)
        .await?;
    audit::record_change(
        tx,
        actor,
        "catalogue.service.publish",
        &Subject::new("service_versions", version_id),
        government,
    )
    .await?;
    Ok(service_id)
}

/// An officer who manages the service's agency publishes a new version of its standard (see
/// [`revise_service`] for the optimistic lock).
pub async fn revise_service_as_officer(
    db: &Db,
    officer_id: i64,
    service_id: i64,
    expected_version: i64,
    edit: StandardEdit<'_>,
    change_note: &str,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let (government_id, agency_id): (i64, i64) = tx
        .fetch_optional(query("SELECT government_id, agency_id FROM services WHERE id = $1").bind(service_id))
        .await?
        .ok_or(StoreError::NotFound)?;
    authorize_officer(&mut tx, officer_id, Action::ManageCatalogue, &Target::agency(government_id, agency_id)).await?;
    let version =
        revise_service_checked(&mut tx, service_id, expected_version, &edit, &Actor::officer(officer_id), change_note)
            .await?;
    tx.commit().await?;
    Ok(version)
}

/// An officer publishes a new version of a service's standard whose only change is its application
/// form: the form is checked (every field named), the rest of the standard carried over unchanged.
pub async fn revise_form_as_officer(
    db: &Db,
    officer_id: i64,
    service_id: i64,
    expected_version: i64,
    fields: &[balai_domain::applications::FormField],
    change_note: &str,
) -> Result<i64, StoreError> {
    // Read before the transaction; the version check inside refuses anything published meanwhile.
    let current = service_by_id(db, service_id).await?;
    let mut tx = db.begin().await?;
    let (government_id, agency_id): (i64, i64) = tx
        .fetch_optional(query("SELECT government_id, agency_id FROM services WHERE id = $1").bind(service_id))
        .await?
        .ok_or(StoreError::NotFound)?;
    authorize_officer(&mut tx, officer_id, Action::ManageCatalogue, &Target::agency(government_id, agency_id)).await?;
    balai_domain::applications::check_form(fields).map_err(StoreError::Invalid)?;
    if current.service.current_version != expected_version {
        return Err(StoreError::StaleVersion { current: current.service.current_version });
    }
    let actor = Actor::officer(officer_id);
    let edit = StandardEdit {
        category: &current.service.category_code,
        standard: &current.standard,
        unreadable_inputs: false,
    };
    let version = revise_service_checked(&mut tx, service_id, expected_version, &edit, &actor, change_note).await?;
    set_form_fields(&mut tx, &actor, service_id, fields).await?;
    tx.commit().await?;
    Ok(version)
}

/// The application form of a service's current version.
pub async fn form_fields(db: &Db, service_id: i64) -> Result<Vec<balai_domain::applications::FormField>, StoreError> {
    let (json,): (String,) = db
        .fetch_optional(
            query(
                "SELECT v.form_fields FROM services s JOIN service_versions v \
                 ON v.service_id = s.id AND v.version = s.current_version WHERE s.id = $1",
            )
            .bind(service_id),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("form fields of service {service_id}: {e}")))
}

/// Publishes a new version of a service's standard. `expected_version` is the version the editor
/// started from; if someone published in between, nothing is written and the caller learns the current one.
pub async fn revise_service(
    tx: &mut Tx,
    service_id: i64,
    expected_version: i64,
    category_code: &str,
    standard: &ServiceStandard,
    actor: &Actor,
    change_note: &str,
) -> Result<i64, StoreError> {
    let edit = StandardEdit { category: category_code, standard, unreadable_inputs: false };
    revise_service_checked(tx, service_id, expected_version, &edit, actor, change_note).await
}

async fn revise_service_checked(
    tx: &mut Tx,
    service_id: i64,
    expected_version: i64,
    edit: &StandardEdit<'_>,
    actor: &Actor,
    change_note: &str,
) -> Result<i64, StoreError> {
    let StandardEdit { category: category_code, standard, unreadable_inputs } = *edit;
    let (government_id, agency_id, current): (i64, i64, i64) = tx
        .fetch_one(
            query("SELECT government_id, agency_id, current_version FROM services WHERE id = $1").bind(service_id),
        )
        .await?;
    // An unreadable form is answered with every problem in it, whatever version is current.
    if current != expected_version && !unreadable_inputs {
        return Err(StoreError::StaleVersion { current });
    }
    let mut errors = standard.validate().err().unwrap_or_default();
    let note = errors.text("change_note", change_note, 500);
    let category = category_id(tx, government_id, category_code).await?;
    if category.is_none() {
        errors.push("category", Rule::Unknown);
    }
    check_step_units(tx, agency_id, standard, &mut errors).await?;
    if unreadable_inputs {
        return Err(StoreError::Invalid(errors));
    }
    errors.into_result()?;
    let next = current + 1;
    // The guarded update makes concurrent editors race safely: only one moves the version on.
    let moved = tx
        .execute(
            query("UPDATE services SET current_version = $1, category_id = $2, updated_at = $3 WHERE id = $4 AND current_version = $5")
                .bind(next)
                .bind(category.expect("checked above"))
                .bind(Utc::now())
                .bind(service_id)
                .bind(current),
        )
        .await?;
    if moved == 0 {
        let (now_current,): (i64,) =
            tx.fetch_one(query("SELECT current_version FROM services WHERE id = $1").bind(service_id)).await?;
        return Err(StoreError::StaleVersion { current: now_current });
    }
    let version_id = insert_version(tx, government_id, service_id, next, standard, actor, &note).await?;
    let government = Some(government_id);
    audit::record_change(tx, actor, "catalogue.service.revise", &Subject::new("services", service_id), government)
        .await?;
    audit::record_change(
        tx,
        actor,
        "catalogue.service.publish",
        &Subject::new("service_versions", version_id),
        government,
    )
    .await?;
    Ok(next)
}

async fn category_id(tx: &mut Tx, government_id: i64, code: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            query("SELECT id FROM service_categories WHERE government_id = $1 AND code = $2")
                .bind(government_id)
                .bind(code),
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

async fn check_step_units(
    tx: &mut Tx,
    agency_id: i64,
    standard: &ServiceStandard,
    errors: &mut FieldErrors,
) -> Result<(), StoreError> {
    let units: Vec<(i64,)> = tx.fetch_all(query("SELECT id FROM units WHERE agency_id = $1").bind(agency_id)).await?;
    for (i, step) in standard.steps.iter().enumerate() {
        if !units.iter().any(|(id,)| *id == step.unit_id) {
            errors.push(format!("steps[{i}].unit"), Rule::Unknown);
        }
    }
    Ok(())
}

async fn insert_version(
    tx: &mut Tx,
    government_id: i64,
    service_id: i64,
    version: i64,
    s: &ServiceStandard,
    actor: &Actor,
    change_note: &str,
) -> Result<i64, StoreError> {
    // Bound in `VERSION_COLUMNS` order, the id left to the database.
    let version_id = tx
        .insert(
            dynamic_query(version_insert_sql())
                .bind(government_id)
                .bind(service_id)
                .bind(version)
                .bind(&s.name)
                .bind(&s.name_en)
                .bind(&s.summary)
                .bind(to_json(&s.keywords))
                .bind(s.sla_days)
                .bind(s.fee.0)
                .bind(&s.fee_legal_basis)
                .bind(&s.product)
                .bind(&s.complaint_handling)
                .bind(to_json(&s.legal_basis))
                .bind(&s.facilities)
                .bind(&s.competence)
                .bind(&s.internal_supervision)
                .bind(s.staff_count)
                .bind(&s.service_guarantee)
                .bind(&s.security_guarantee)
                .bind(&s.performance_evaluation)
                .bind(&s.sk_number)
                .bind(s.effective_date)
                .bind(s.search_text())
                .bind(change_note)
                .bind(actor.label())
                .bind(Utc::now()),
        )
        .await?;
    // The application form is part of the standard: a new version keeps the one before it.
    tx.execute(
        query(
            "UPDATE service_versions SET form_fields = COALESCE(\
             (SELECT p.form_fields FROM service_versions p WHERE p.service_id = $1 AND p.version = $2), '[]') WHERE id = $3",
        )
        .bind(service_id)
        .bind(version - 1)
        .bind(version_id),
    )
    .await?;
    for (position, r) in s.requirements.iter().enumerate() {
        tx.execute(
            query(
                "INSERT INTO service_requirements (government_id, version_id, position, document, doc_type, held_by_government, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(government_id)
            .bind(version_id)
            .bind(position as i64)
            .bind(&r.document)
            .bind(r.doc_type.code())
            .bind(r.held_by_government)
            .bind(&r.note),
        )
        .await?;
    }
    for (position, step) in s.steps.iter().enumerate() {
        tx.execute(
            query(
                "INSERT INTO service_steps (government_id, version_id, position, description, unit_id, sla_days) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(government_id)
            .bind(version_id)
            .bind(position as i64)
            .bind(&step.description)
            .bind(step.unit_id)
            .bind(step.sla_days),
        )
        .await?;
    }
    Ok(version_id)
}

/// Inserts a `service_versions` row: every column of [`VERSION_COLUMNS`] but the id.
fn version_insert_sql() -> String {
    let columns = VERSION_COLUMNS.strip_prefix("id, ").expect("the id comes first");
    let placeholders: Vec<String> = (1..=columns.split(", ").count()).map(|i| format!("${i}")).collect();
    format!("INSERT INTO service_versions ({columns}) VALUES ({}) RETURNING id", placeholders.join(", "))
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serialises")
}

fn from_json(text: &str, column: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("{column} is not a JSON list")))
}

/// Searches the current versions. Every word must appear in the name, English name or keywords.
pub async fn search_services(
    db: &Db,
    filter: &ServiceFilter,
    paging: Paging,
) -> Result<Page<ServiceSummary>, StoreError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut args: Vec<crate::Value> = Vec::new();
    let next = |args: &mut Vec<crate::Value>, v: crate::Value| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(region) = &filter.region_code {
        let p = next(&mut args, region.clone().into());
        conditions.push(format!("g.region_code = {p}"));
    }
    if let Some(category) = &filter.category_code {
        let p = next(&mut args, category.clone().into());
        conditions.push(format!("c.code = {p}"));
    }
    if let Some(agency) = filter.agency_id {
        let p = next(&mut args, agency.into());
        conditions.push(format!("s.agency_id = {p}"));
    }
    for word in search_words(filter.text.as_deref().unwrap_or_default()) {
        let p = next(&mut args, format!("%{}%", escape_like(&word)).into());
        conditions.push(format!("v.search_text LIKE {p} ESCAPE '\\'"));
    }
    let where_clause =
        if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let n = args.len();
    let mut list = dynamic_query(format!(
        "{SUMMARY_SELECT}{where_clause} ORDER BY v.name, g.region_code LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ));
    let mut count = dynamic_query(format!(
        "SELECT COUNT(*) FROM services s \
         JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
         JOIN governments g ON g.id = s.government_id \
         JOIN service_categories c ON c.id = s.category_id{where_clause}"
    ));
    for a in args {
        list = list.bind(a.clone());
        count = count.bind(a);
    }
    let items = db.fetch_all(list.bind(paging.per_page).bind(paging.offset())).await?;
    let (total,): (i64,) = db.fetch_one(count).await?;
    Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
}

/// Splits a query into lower-case words, at most eight, each at most 40 characters.
fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .collect()
}

fn escape_like(word: &str) -> String {
    word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A `service_versions` row, every column (also the audited state of a version).
#[derive(Serialize, sqlx::FromRow)]
pub(crate) struct VersionRow {
    id: i64,
    government_id: i64,
    service_id: i64,
    version: i64,
    name: String,
    name_en: String,
    summary: String,
    keywords: String,
    sla_days: i64,
    fee: i64,
    fee_legal_basis: String,
    product: String,
    complaint_handling: String,
    legal_basis: String,
    facilities: String,
    competence: String,
    internal_supervision: String,
    staff_count: i64,
    service_guarantee: String,
    security_guarantee: String,
    performance_evaluation: String,
    sk_number: String,
    effective_date: NaiveDate,
    search_text: String,
    change_note: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

/// Every column of `service_versions`, in `VersionRow` order: a column for each field of the standard but
/// its rows (checked against [`StandardField`] by a test), then what the store keeps beside it.
pub(crate) const VERSION_COLUMNS: &str = "id, government_id, service_id, version, name, name_en, summary, keywords, \
    sla_days, fee, fee_legal_basis, product, complaint_handling, legal_basis, facilities, competence, \
    internal_supervision, staff_count, service_guarantee, security_guarantee, performance_evaluation, sk_number, \
    effective_date, search_text, change_note, created_by, created_at";

#[derive(sqlx::FromRow)]
struct RequirementRow {
    document: String,
    doc_type: String,
    held_by_government: bool,
    note: String,
}

impl RequirementRow {
    fn into_requirement(self) -> Result<Requirement, StoreError> {
        let doc_type = DocumentType::parse(&self.doc_type)
            .ok_or_else(|| StoreError::Corrupt(format!("document type {}", self.doc_type)))?;
        Ok(Requirement {
            document: self.document,
            doc_type,
            held_by_government: self.held_by_government,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StepRow {
    description: String,
    unit_id: i64,
    unit_name: String,
    sla_days: i64,
}

/// The current version of a service, found by its code within a government. Served from this
/// process's read cache when fresh (see [`cache`]): a change committed here is seen at once, one made
/// by another node within a second. Writers that compare versions use [`service_by_code_fresh`].
pub async fn service_by_code(db: &Db, region_code: &str, code: &str) -> Result<ServiceDetail, StoreError> {
    let live = live(db, region_code, code).await?;
    let version = live.summary.current_version;
    cached_version(db, &live, version).await
}

/// Any version of a service, old ones included, served like [`service_by_code`].
pub async fn service_version(
    db: &Db,
    region_code: &str,
    code: &str,
    version: i64,
) -> Result<ServiceDetail, StoreError> {
    let live = live(db, region_code, code).await?;
    cached_version(db, &live, version).await
}

/// A service's public page: one version (the current one unless asked), every version, and the
/// government's time zone to date them in. Served like [`service_by_code`].
#[derive(Debug, Clone)]
pub struct PublishedService {
    pub detail: ServiceDetail,
    /// Every version, newest first.
    pub versions: Arc<[VersionInfo]>,
    pub time_zone: IndonesianTimeZone,
}

pub async fn published_service(
    db: &Db,
    region_code: &str,
    code: &str,
    version: Option<i64>,
) -> Result<PublishedService, StoreError> {
    let live = live(db, region_code, code).await?;
    let detail = cached_version(db, &live, version.unwrap_or(live.summary.current_version)).await?;
    Ok(PublishedService { detail, versions: Arc::clone(&live.versions), time_zone: live.time_zone })
}

/// [`service_by_code`] read from the database, never from the cache: for writers that read what
/// they are about to change.
pub async fn service_by_code_fresh(db: &Db, region_code: &str, code: &str) -> Result<ServiceDetail, StoreError> {
    let service = summary_by_code(db, region_code, code).await?;
    let version = service.current_version;
    service_version_of(db, service, version).await
}

/// [`service_version`] read from the database, never from the cache.
pub async fn service_version_fresh(
    db: &Db,
    region_code: &str,
    code: &str,
    version: i64,
) -> Result<ServiceDetail, StoreError> {
    let service = summary_by_code(db, region_code, code).await?;
    service_version_of(db, service, version).await
}

/// Read from the database (its only caller is a writer).
pub async fn service_by_id(db: &Db, id: i64) -> Result<ServiceDetail, StoreError> {
    let service: ServiceSummary =
        db.fetch_one(dynamic_query(format!("{SUMMARY_SELECT} WHERE s.id = $1")).bind(id)).await?;
    let version = service.current_version;
    service_version_of(db, service, version).await
}

async fn summary_by_code(db: &Db, region_code: &str, code: &str) -> Result<ServiceSummary, StoreError> {
    db.fetch_one(
        dynamic_query(format!("{SUMMARY_SELECT} WHERE g.region_code = $1 AND s.code = $2"))
            .bind(region_code)
            .bind(code),
    )
    .await
}

/// A service's live facts, from the cache if fresh, else read and kept. An unknown service is not kept.
async fn live(db: &Db, region_code: &str, code: &str) -> Result<Arc<Live>, StoreError> {
    if let Some(live) = db.reads().live(region_code, code) {
        return Ok(live);
    }
    let read = Stamp::now();
    let summary = summary_by_code(db, region_code, code).await?;
    let versions = service_versions(db, summary.id).await?.into();
    let time_zone = crate::org::government(db, summary.government_id).await?.zone();
    let live = Arc::new(Live { summary, versions, time_zone, read });
    db.reads().keep_live(region_code, code, Arc::clone(&live));
    Ok(live)
}

/// One version of a service with its live facts: the version from the cache if read before, its unit
/// names if still fresh.
async fn cached_version(db: &Db, live: &Live, version: i64) -> Result<ServiceDetail, StoreError> {
    let service_id = live.summary.id;
    let (body, names) = match db.reads().version(service_id, version) {
        Some(cache::CachedVersion { body, unit_names: Some(names) }) => (body, names),
        Some(cache::CachedVersion { body, unit_names: None }) => {
            let read = Stamp::now();
            let names: Arc<[String]> = step_unit_names(db, body.version_id).await?.into();
            db.reads().keep_version(service_id, Arc::clone(&body), UnitNames { names: Arc::clone(&names), read });
            (body, names)
        }
        None => {
            let read = Stamp::now();
            let (body, names) = read_version(db, service_id, version).await?;
            let (body, names): (Arc<VersionBody>, Arc<[String]>) = (Arc::new(body), names.into());
            db.reads().keep_version(service_id, Arc::clone(&body), UnitNames { names: Arc::clone(&names), read });
            (body, names)
        }
    };
    Ok(ServiceDetail {
        service: live.summary.clone(),
        version: body.info.clone(),
        standard: body.standard.clone(),
        step_unit_names: names.to_vec(),
    })
}

async fn service_version_of(db: &Db, service: ServiceSummary, version: i64) -> Result<ServiceDetail, StoreError> {
    let (body, step_unit_names) = read_version(db, service.id, version).await?;
    Ok(ServiceDetail { service, version: body.info, standard: body.standard, step_unit_names })
}

/// One version as written, and the names its steps' units have now.
async fn read_version(db: &Db, service_id: i64, version: i64) -> Result<(VersionBody, Vec<String>), StoreError> {
    let row: VersionRow = db
        .fetch_one(
            dynamic_query(format!(
                "SELECT {VERSION_COLUMNS} FROM service_versions WHERE service_id = $1 AND version = $2"
            ))
            .bind(service_id)
            .bind(version),
        )
        .await?;
    let requirements: Vec<RequirementRow> = db
        .fetch_all(
            query("SELECT document, doc_type, held_by_government, note FROM service_requirements WHERE version_id = $1 ORDER BY position")
                .bind(row.id),
        )
        .await?;
    let steps: Vec<StepRow> = db
        .fetch_all(
            query(
                "SELECT st.description, st.unit_id, u.name AS unit_name, st.sla_days FROM service_steps st \
                 JOIN units u ON u.id = st.unit_id WHERE st.version_id = $1 ORDER BY st.position",
            )
            .bind(row.id),
        )
        .await?;
    let requirements = requirements.into_iter().map(RequirementRow::into_requirement).collect::<Result<Vec<_>, _>>()?;
    let step_unit_names = steps.iter().map(|s| s.unit_name.clone()).collect();
    let standard = ServiceStandard {
        name: row.name.clone(),
        name_en: row.name_en,
        summary: row.summary,
        keywords: from_json(&row.keywords, "keywords")?,
        requirements,
        steps: steps
            .into_iter()
            .map(|s| ProcedureStep { description: s.description, unit_id: s.unit_id, sla_days: s.sla_days })
            .collect(),
        sla_days: row.sla_days,
        fee: Rupiah(row.fee),
        fee_legal_basis: row.fee_legal_basis,
        product: row.product,
        complaint_handling: row.complaint_handling,
        legal_basis: from_json(&row.legal_basis, "legal_basis")?,
        facilities: row.facilities,
        competence: row.competence,
        internal_supervision: row.internal_supervision,
        staff_count: row.staff_count,
        service_guarantee: row.service_guarantee,
        security_guarantee: row.security_guarantee,
        performance_evaluation: row.performance_evaluation,
        sk_number: row.sk_number.clone(),
        effective_date: row.effective_date,
    };
    let info = VersionInfo {
        version: row.version,
        name: row.name,
        sk_number: row.sk_number,
        effective_date: row.effective_date,
        change_note: row.change_note,
        created_by: row.created_by,
        created_at: row.created_at,
    };
    Ok((VersionBody { version_id: row.id, info, standard }, step_unit_names))
}

/// The name each step's unit has now, in step order.
async fn step_unit_names(db: &Db, version_id: i64) -> Result<Vec<String>, StoreError> {
    let names: Vec<(String,)> = db
        .fetch_all(
            query(
                "SELECT u.name FROM service_steps st JOIN units u ON u.id = st.unit_id \
                 WHERE st.version_id = $1 ORDER BY st.position",
            )
            .bind(version_id),
        )
        .await?;
    Ok(names.into_iter().map(|(name,)| name).collect())
}

/// Every version of a service, newest first.
pub async fn service_versions(db: &Db, service_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
    db.fetch_all(
        query(
            "SELECT version, name, sk_number, effective_date, change_note, created_by, created_at \
             FROM service_versions WHERE service_id = $1 ORDER BY version DESC",
        )
        .bind(service_id),
    )
    .await
}

// ---- audited state: the catalogue -------------------------------------------------------------

/// The catalogue tables the log vouches for. A version's requirements and steps are part of its state.
pub(crate) const AUDITED: &[AuditedTable] = &[
    AuditedTable::new("service_categories", category_state),
    AuditedTable::new("services", service_state),
    AuditedTable::new("service_versions", version_state),
];

#[derive(Serialize, sqlx::FromRow)]
struct ServiceState {
    id: i64,
    government_id: i64,
    agency_id: i64,
    category_id: i64,
    code: String,
    current_version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, sqlx::FromRow)]
struct RequirementState {
    id: i64,
    position: i64,
    document: String,
    doc_type: String,
    held_by_government: bool,
    note: String,
}

#[derive(Serialize, sqlx::FromRow)]
struct StepState {
    id: i64,
    position: i64,
    description: String,
    unit_id: i64,
    sla_days: i64,
}

fn category_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<Category>(
        tx,
        "service_categories",
        query("SELECT id, government_id, code, name_id, name_en FROM service_categories WHERE id = $1"),
        id,
    )
}

fn service_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<ServiceState>(
        tx,
        "services",
        query(
            "SELECT id, government_id, agency_id, category_id, code, current_version, created_at, updated_at \
                     FROM services WHERE id = $1",
        ),
        id,
    )
}

fn version_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    Box::pin(async move {
        let id = numeric_id("service_versions", id)?;
        let version: Option<VersionRow> = tx
            .fetch_optional(
                dynamic_query(format!("SELECT {VERSION_COLUMNS} FROM service_versions WHERE id = $1")).bind(id),
            )
            .await?;
        let Some(version) = version else { return Ok(None) };
        let requirements: Vec<RequirementState> = tx
            .fetch_all(
                query(
                    "SELECT id, position, document, doc_type, held_by_government, note FROM service_requirements \
                     WHERE version_id = $1 ORDER BY position",
                )
                .bind(id),
            )
            .await?;
        let steps: Vec<StepState> = tx
            .fetch_all(
                query(
                    "SELECT id, position, description, unit_id, sla_days FROM service_steps WHERE version_id = $1 \
                     ORDER BY position",
                )
                .bind(id),
            )
            .await?;
        Ok(Some(audit::to_json(&(version, requirements, steps))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use balai_domain::catalogue::StandardField;

    fn version_row() -> VersionRow {
        VersionRow {
            id: 7,
            government_id: 1,
            service_id: 3,
            version: 2,
            name: "Penerbitan Akta Kelahiran".into(),
            name_en: "Birth certificate".into(),
            summary: "Ringkas".into(),
            keywords: r#"["akta"]"#.into(),
            sla_days: 5,
            fee: 0,
            fee_legal_basis: "UU 24/2013".into(),
            product: "Kutipan akta".into(),
            complaint_handling: "SP4N-LAPOR!".into(),
            legal_basis: r#"["UU 23/2006"]"#.into(),
            facilities: "Loket".into(),
            competence: "Operator".into(),
            internal_supervision: "Kepala bidang".into(),
            staff_count: 3,
            service_guarantee: "Tepat waktu".into(),
            security_guarantee: "Data aman".into(),
            performance_evaluation: "Tiap semester".into(),
            sk_number: "470/1/2025".into(),
            effective_date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            search_text: "penerbitan akta kelahiran birth certificate akta".into(),
            change_note: "Versi pertama".into(),
            created_by: "system:seed".into(),
            created_at: DateTime::from_timestamp(1_735_776_000, 0).unwrap(),
        }
    }

    #[test]
    fn every_field_of_the_standard_but_its_rows_has_a_version_column() {
        let columns: Vec<&str> = VERSION_COLUMNS.split(", ").collect();
        for field in StandardField::ALL.into_iter().filter(|f| !f.is_rows()) {
            assert!(columns.contains(&field.key()), "service_versions has no column {}", field.key());
        }
    }

    #[test]
    fn the_column_list_is_the_rows_fields_in_order() {
        // The insert binds in column order and the audit log hashes the row in field order.
        let json = audit::to_json(&version_row());
        let mut last = 0;
        for column in VERSION_COLUMNS.split(", ") {
            let at = json.find(&format!("\"{column}\":")).unwrap_or_else(|| panic!("{column} is not in VersionRow"));
            assert!(at >= last, "{column} is out of order");
            last = at;
        }
        let fields = serde_json::to_value(version_row()).unwrap().as_object().unwrap().len();
        assert_eq!(fields, VERSION_COLUMNS.split(", ").count());
        assert!(version_insert_sql().contains("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15"));
        assert!(version_insert_sql().ends_with(", $26) RETURNING id"));
    }

    #[test]
    fn a_versions_audited_state_reads_as_it_always_has() {
        // Logs already written hash this text: a change here breaks their verification.
        assert_eq!(
            audit::to_json(&version_row()),
            r#"{"id":7,"government_id":1,"service_id":3,"version":2,"name":"Penerbitan Akta Kelahiran","name_en":"Birth certificate","summary":"Ringkas","keywords":"[\"akta\"]","sla_days":5,"fee":0,"fee_legal_basis":"UU 24/2013","product":"Kutipan akta","complaint_handling":"SP4N-LAPOR!","legal_basis":"[\"UU 23/2006\"]","facilities":"Loket","competence":"Operator","internal_supervision":"Kepala bidang","staff_count":3,"service_guarantee":"Tepat waktu","security_guarantee":"Data aman","performance_evaluation":"Tiap semester","sk_number":"470/1/2025","effective_date":"2025-01-02","search_text":"penerbitan akta kelahiran birth certificate akta","change_note":"Versi pertama","created_by":"system:seed","created_at":"2025-01-02T00:00:00Z"}"#
        );
    }
}

// ---- what an application is made under ---------------------------------------------------------

/// The current version of a service as an application needs it: its route, documents, fee and form.
#[derive(Debug, Clone)]
pub struct ApplicationTerms {
    pub service_id: i64,
    pub service_code: String,
    pub version_id: i64,
    pub government_id: i64,
    pub agency_id: i64,
    pub name: String,
    pub name_en: String,
    pub product: String,
    pub sla_days: i64,
    pub fee: Rupiah,
    pub requirements: Vec<Requirement>,
    pub steps: Vec<TermsStep>,
    pub form: Vec<balai_domain::applications::FormField>,
}

/// One procedure step with its unit's place (a step may belong to a unit of another agency).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermsStep {
    pub description: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub agency_id: i64,
    pub sla_days: i64,
}

#[derive(sqlx::FromRow)]
struct TermsRow {
    service_id: i64,
    service_code: String,
    version_id: i64,
    government_id: i64,
    agency_id: i64,
    name: String,
    name_en: String,
    product: String,
    sla_days: i64,
    fee: i64,
    form_fields: String,
}

/// The current terms of a government's service, read in the caller's transaction (so a submission
/// is checked against exactly the version it is recorded under). `None`: no such service.
pub(crate) async fn application_terms_in(
    tx: &mut Tx,
    government_id: i64,
    code: &str,
) -> Result<Option<ApplicationTerms>, StoreError> {
    let row: Option<TermsRow> = tx
        .fetch_optional(
            query(
                "SELECT s.id AS service_id, s.code AS service_code, v.id AS version_id, s.government_id, s.agency_id, \
                 v.name, v.name_en, v.product, v.sla_days, v.fee, v.form_fields \
                 FROM services s JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 WHERE s.government_id = $1 AND s.code = $2",
            )
            .bind(government_id)
            .bind(code),
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    terms_of_version(tx, row).await.map(Some)
}

/// The terms an application was made under (its own version, even after the standard changed).
pub(crate) async fn application_terms_of_version_in(
    tx: &mut Tx,
    version_id: i64,
) -> Result<ApplicationTerms, StoreError> {
    let row: TermsRow = tx
        .fetch_one(
            query(
                "SELECT s.id AS service_id, s.code AS service_code, v.id AS version_id, s.government_id, s.agency_id, \
                 v.name, v.name_en, v.product, v.sla_days, v.fee, v.form_fields \
                 FROM service_versions v JOIN services s ON s.id = v.service_id WHERE v.id = $1",
            )
            .bind(version_id),
        )
        .await?;
    terms_of_version(tx, row).await
}

async fn terms_of_version(tx: &mut Tx, row: TermsRow) -> Result<ApplicationTerms, StoreError> {
    let requirements: Vec<RequirementRow> = tx
        .fetch_all(
            query("SELECT document, doc_type, held_by_government, note FROM service_requirements WHERE version_id = $1 ORDER BY position")
                .bind(row.version_id),
        )
        .await?;
    let requirements = requirements.into_iter().map(RequirementRow::into_requirement).collect::<Result<Vec<_>, _>>()?;
    let steps: Vec<TermsStep> = tx
        .fetch_all(
            query(
                "SELECT st.description, st.unit_id, u.name AS unit_name, u.agency_id, st.sla_days FROM service_steps st \
                 JOIN units u ON u.id = st.unit_id WHERE st.version_id = $1 ORDER BY st.position",
            )
            .bind(row.version_id),
        )
        .await?;
    let form = serde_json::from_str(&row.form_fields)
        .map_err(|e| StoreError::Corrupt(format!("form fields of service version {}: {e}", row.version_id)))?;
    Ok(ApplicationTerms {
        service_id: row.service_id,
        service_code: row.service_code,
        version_id: row.version_id,
        government_id: row.government_id,
        agency_id: row.agency_id,
        name: row.name,
        name_en: row.name_en,
        product: row.product,
        sla_days: row.sla_days,
        fee: Rupiah(row.fee),
        requirements,
        steps,
        form,
    })
}

/// Sets the application form of a service's current version (the demo and imports; admins edit the
/// form with the standard).
pub async fn set_form_fields(
    tx: &mut Tx,
    actor: &Actor,
    service_id: i64,
    fields: &[balai_domain::applications::FormField],
) -> Result<(), StoreError> {
    if let Err(problems) = balai_domain::applications::check_form(fields) {
        return Err(StoreError::Invalid(problems));
    }
    let json = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (version_id, government_id): (i64, i64) = tx
        .fetch_optional(
            query(
                "SELECT v.id, s.government_id FROM services s JOIN service_versions v \
                 ON v.service_id = s.id AND v.version = s.current_version WHERE s.id = $1",
            )
            .bind(service_id),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.execute(query("UPDATE service_versions SET form_fields = $1 WHERE id = $2").bind(json).bind(version_id)).await?;
    audit::record_change(
        tx,
        actor,
        "catalogue.service.form",
        &Subject::new("services", service_id),
        Some(government_id),
    )
    .await?;
    Ok(())
}
