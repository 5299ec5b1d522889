//! The service standard form: all fourteen components, new and revised versions.

use super::texts;
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::urlencode;
use crate::pages::{Chrome, FieldView, error_page, no_store, render};
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::catalogue::{
    DocumentType, MAX_REQUIREMENTS, MAX_STEPS, ProcedureStep, Requirement, ServiceStandard, StandardField,
};
use balai_domain::identity::{Action, Target};
use balai_domain::money::Rupiah;
use balai_domain::validation::{FieldErrors, Rule};
use balai_store::catalogue::{self, ServiceDetail, StandardEdit};
use balai_store::org;
use balai_store::org::Unit;
use balai_store::{Paging, StoreError, identity};
use chrono::{NaiveDate, Utc};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/layanan/{region}/baru", get(new_service_form).post(create_service))
        .route("/admin/layanan/{region}/{code}/ubah", get(edit_service_form).post(revise_service))
}

// ---- the service form -----------------------------------------------------------------------

struct RowView {
    index: usize,
    number: usize,
    fields: Vec<FieldView>,
    held: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_service_form.html")]
struct ServiceFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    csrf: String,
    expected_version: i64,
    summary_heading: &'static str,
    summary: Vec<(String, String)>,
    head_fields: Vec<FieldView>,
    fields: Vec<FieldView>,
    requirements_label: &'static str,
    requirements_error: Option<String>,
    requirement_rows: Vec<RowView>,
    held_label: &'static str,
    steps_label: &'static str,
    steps_error: Option<String>,
    step_rows: Vec<RowView>,
    tail_fields: Vec<FieldView>,
    submit_label: &'static str,
    conflict: Option<ConflictView>,
}

/// Someone published a newer version while the editor worked: what is current now and what differs.
struct ConflictView {
    heading: &'static str,
    text: String,
    changed_label: &'static str,
    changed: Vec<String>,
    resubmit: String,
}

/// The submitted form as raw strings, keyed by input name.
type RawForm = HashMap<String, String>;

/// Blank rows offered after the filled ones, so a requirement or step can be added without JavaScript.
const SPARE_ROWS: usize = 2;

/// The input a field of the standard is typed in. Row fields are typed row by row (see [`ROW_INPUTS`]).
fn input_kind(field: StandardField) -> &'static str {
    use StandardField as F;
    match field {
        F::Name | F::NameEn | F::Keywords | F::Fee | F::SkNumber => "text",
        F::Summary
        | F::FeeLegalBasis
        | F::Product
        | F::ComplaintHandling
        | F::LegalBasis
        | F::Facilities
        | F::Competence
        | F::InternalSupervision
        | F::ServiceGuarantee
        | F::SecurityGuarantee
        | F::PerformanceEvaluation => "textarea",
        F::SlaDays | F::StaffCount => "number",
        F::EffectiveDate => "date",
        F::Requirements | F::Steps => "rows",
    }
}

/// The prefix of a row field's inputs (`req_document_0`, `step_sla_2`).
fn row_prefix(field: StandardField) -> Option<&'static str> {
    match field {
        StandardField::Requirements => Some("req_"),
        StandardField::Steps => Some("step_"),
        _ => None,
    }
}

/// A single-valued field as the form shows it; `None` for row fields.
fn form_value(s: &ServiceStandard, field: StandardField) -> Option<String> {
    use StandardField as F;
    Some(match field {
        F::Name => s.name.clone(),
        F::NameEn => s.name_en.clone(),
        F::Summary => s.summary.clone(),
        F::Keywords => s.keywords.join(", "),
        F::SlaDays => s.sla_days.to_string(),
        F::Fee => s.fee.0.to_string(),
        F::FeeLegalBasis => s.fee_legal_basis.clone(),
        F::Product => s.product.clone(),
        F::ComplaintHandling => s.complaint_handling.clone(),
        F::LegalBasis => s.legal_basis.join("\n"),
        F::Facilities => s.facilities.clone(),
        F::Competence => s.competence.clone(),
        F::InternalSupervision => s.internal_supervision.clone(),
        F::StaffCount => s.staff_count.to_string(),
        F::ServiceGuarantee => s.service_guarantee.clone(),
        F::SecurityGuarantee => s.security_guarantee.clone(),
        F::PerformanceEvaluation => s.performance_evaluation.clone(),
        F::SkNumber => s.sk_number.clone(),
        F::EffectiveDate => s.effective_date.to_string(),
        F::Requirements | F::Steps => return None,
    })
}

fn standard_to_form(s: &ServiceStandard, category: &str) -> RawForm {
    let mut f: RawForm = StandardField::ALL
        .into_iter()
        .filter_map(|field| Some((field.key().to_owned(), form_value(s, field)?)))
        .collect();
    f.insert("category".into(), category.to_owned());
    for (i, r) in s.requirements.iter().enumerate() {
        f.insert(format!("req_document_{i}"), r.document.clone());
        f.insert(format!("req_doc_type_{i}"), r.doc_type.code().to_owned());
        f.insert(format!("req_note_{i}"), r.note.clone());
        if r.held_by_government {
            f.insert(format!("req_held_{i}"), "1".into());
        }
    }
    for (i, st) in s.steps.iter().enumerate() {
        f.insert(format!("step_description_{i}"), st.description.clone());
        f.insert(format!("step_unit_{i}"), st.unit_id.to_string());
        f.insert(format!("step_sla_{i}"), st.sla_days.to_string());
    }
    f
}

/// Each row input's name prefix, its section (as errors name it) and the standard's limit on rows.
const ROW_INPUTS: [(&str, &str, usize); 7] = [
    ("req_document_", "requirements", MAX_REQUIREMENTS),
    ("req_doc_type_", "requirements", MAX_REQUIREMENTS),
    ("req_note_", "requirements", MAX_REQUIREMENTS),
    ("req_held_", "requirements", MAX_REQUIREMENTS),
    ("step_description_", "steps", MAX_STEPS),
    ("step_unit_", "steps", MAX_STEPS),
    ("step_sla_", "steps", MAX_STEPS),
];

/// A row number as the form writes it: decimal, no sign, no leading zero.
fn row_index(text: &str) -> Option<usize> {
    let plain = !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit());
    if !plain || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

/// The submitted form, keyed by input name. Row numbers come from input names (`req_document_3`),
/// so the client chooses them: a row input whose number is not one the form could have offered
/// (the standard's limit plus the spare rows) is dropped and its section marked, so the page shown
/// again is no bigger than a real one.
fn to_raw(pairs: Vec<(String, String)>, errors: &mut HashMap<String, Rule>) -> RawForm {
    let mut form = RawForm::new();
    for (key, value) in pairs {
        let row = ROW_INPUTS.iter().find_map(|(prefix, section, max)| Some((key.strip_prefix(prefix)?, section, max)));
        if let Some((index, section, max)) = row
            && row_index(index).is_none_or(|i| i >= max + SPARE_ROWS)
        {
            errors.insert((*section).to_owned(), Rule::TooMany { max: *max });
            continue;
        }
        form.insert(key, value);
    }
    form
}

fn row_count(form: &RawForm, prefix: &str) -> usize {
    let limit = ROW_INPUTS.iter().find(|(p, ..)| *p == prefix).map_or(0, |(_, _, max)| max + SPARE_ROWS);
    form.keys()
        .filter_map(|k| k.strip_prefix(prefix).and_then(row_index))
        .filter(|i| *i < limit)
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

fn field_value<'a>(form: &'a RawForm, key: &str) -> &'a str {
    form.get(key).map(String::as_str).unwrap_or_default()
}

/// Parses the form into a standard. Parse failures become field errors keyed by form id; the returned
/// maps translate the standard's row positions back to form rows for the store's errors.
fn form_to_standard(form: &RawForm, errors: &mut HashMap<String, Rule>) -> (ServiceStandard, Vec<usize>, Vec<usize>) {
    let int = |key: &str, errors: &mut HashMap<String, Rule>| -> i64 {
        let raw = field_value(form, key).trim();
        if raw.is_empty() {
            errors.insert(key.into(), Rule::Required);
            return 0;
        }
        raw.parse::<i64>().unwrap_or_else(|_| {
            errors.insert(key.into(), Rule::Format { expected: "5" });
            0
        })
    };
    let sla_days = int(StandardField::SlaDays.key(), errors);
    let staff_count = int(StandardField::StaffCount.key(), errors);
    let fee = match Rupiah::parse(field_value(form, StandardField::Fee.key())) {
        Ok(f) => f,
        Err(balai_domain::money::MoneyError::Empty) => {
            errors.insert(StandardField::Fee.key().into(), Rule::Required);
            Rupiah(0)
        }
        Err(_) => {
            errors.insert(StandardField::Fee.key().into(), Rule::Format { expected: "Rp1.250.000" });
            Rupiah(0)
        }
    };
    let effective_date =
        NaiveDate::parse_from_str(field_value(form, StandardField::EffectiveDate.key()).trim(), "%Y-%m-%d")
            .unwrap_or_else(|_| {
                errors.insert(StandardField::EffectiveDate.key().into(), Rule::Format { expected: "2026-01-02" });
                NaiveDate::MIN
            });
    let mut requirements = Vec::new();
    let mut requirement_rows = Vec::new();
    for i in 0..row_count(form, "req_document_") {
        let document = field_value(form, &format!("req_document_{i}")).trim();
        let note = field_value(form, &format!("req_note_{i}")).trim();
        if document.is_empty() && note.is_empty() {
            continue; // a spare row left blank
        }
        let doc_type = DocumentType::parse(field_value(form, &format!("req_doc_type_{i}"))).unwrap_or_else(|| {
            errors.insert(format!("req_doc_type_{i}"), Rule::Unknown);
            DocumentType::Lainnya
        });
        requirements.push(Requirement {
            document: document.to_owned(),
            doc_type,
            held_by_government: form.contains_key(&format!("req_held_{i}")),
            note: note.to_owned(),
        });
        requirement_rows.push(i);
    }
    let mut steps = Vec::new();
    let mut step_rows = Vec::new();
    for i in 0..row_count(form, "step_description_") {
        let description = field_value(form, &format!("step_description_{i}")).trim();
        let sla_raw = field_value(form, &format!("step_sla_{i}")).trim();
        if description.is_empty() && sla_raw.is_empty() {
            continue;
        }
        let sla_days = sla_raw.parse::<i64>().unwrap_or_else(|_| {
            errors.insert(format!("step_sla_{i}"), Rule::Format { expected: "1" });
            0
        });
        let unit_id = field_value(form, &format!("step_unit_{i}")).parse::<i64>().unwrap_or(0);
        steps.push(ProcedureStep { description: description.to_owned(), unit_id, sla_days });
        step_rows.push(i);
    }
    let list = |key: &str, separator: char| -> Vec<String> {
        field_value(form, key).split(separator).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let text = |field: StandardField| field_value(form, field.key()).trim().to_owned();
    let standard = ServiceStandard {
        name: text(StandardField::Name),
        name_en: text(StandardField::NameEn),
        summary: text(StandardField::Summary),
        keywords: list(StandardField::Keywords.key(), ',').into_iter().map(|k| k.to_lowercase()).collect(),
        requirements,
        steps,
        sla_days,
        fee,
        fee_legal_basis: text(StandardField::FeeLegalBasis),
        product: text(StandardField::Product),
        complaint_handling: text(StandardField::ComplaintHandling),
        legal_basis: list(StandardField::LegalBasis.key(), '\n'),
        facilities: text(StandardField::Facilities),
        competence: text(StandardField::Competence),
        internal_supervision: text(StandardField::InternalSupervision),
        staff_count,
        service_guarantee: text(StandardField::ServiceGuarantee),
        security_guarantee: text(StandardField::SecurityGuarantee),
        performance_evaluation: text(StandardField::PerformanceEvaluation),
        sk_number: text(StandardField::SkNumber),
        effective_date,
    };
    (standard, requirement_rows, step_rows)
}

/// Maps a store/domain field path to the form input it belongs to.
fn form_id(field: &str, requirement_rows: &[usize], step_rows: &[usize]) -> String {
    let indexed = |rest: &str| -> Option<(usize, String)> {
        let (index, tail) = rest.split_once("].")?;
        Some((index.parse().ok()?, tail.to_owned()))
    };
    if let Some((i, tail)) = field.strip_prefix("requirements[").and_then(indexed) {
        let row = requirement_rows.get(i).copied().unwrap_or(i);
        return format!("req_{tail}_{row}");
    }
    if let Some((i, tail)) = field.strip_prefix("steps[").and_then(indexed) {
        let row = step_rows.get(i).copied().unwrap_or(i);
        let tail = if tail == "sla_days" { "sla".to_owned() } else { tail };
        return format!("step_{tail}_{row}");
    }
    field.to_owned()
}

struct FormContext {
    heading: String,
    action: String,
    expected_version: i64,
    is_new: bool,
    agencies: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<Unit>,
    submit_label: &'static str,
    conflict: Option<ConflictView>,
}

fn form_page(
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    ctx: FormContext,
    form: &RawForm,
    errors: &HashMap<String, Rule>,
) -> Response {
    let error_text = |id: &str| errors.get(id).map(|r| r.message(lang));
    let field = |id: &str, label: &str, kind: &'static str, options: Vec<(String, String)>, hint: Option<String>| {
        let error = error_text(id);
        let mut described = Vec::new();
        if hint.is_some() {
            described.push(format!("{id}-hint"));
        }
        if error.is_some() {
            described.push(format!("{id}-error"));
        }
        FieldView {
            id: id.to_owned(),
            label: label.to_owned(),
            kind,
            value: field_value(form, id).to_owned(),
            hint,
            error,
            described_by: described.join(" "),
            options,
        }
    };
    let mut head_fields = Vec::new();
    if ctx.is_new {
        head_fields.push(field("code", texts::CODE.get(lang), "text", vec![], Some(texts::CODE_HINT.get(lang).into())));
        head_fields.push(field("agency", texts::AGENCY.get(lang), "select", ctx.agencies.clone(), None));
    }
    head_fields.push(field("category", texts::CATEGORY.get(lang), "select", ctx.categories.clone(), None));
    // The effective date closes the form, after the rows.
    let fields: Vec<FieldView> = StandardField::ALL
        .into_iter()
        .filter(|f| !f.is_rows() && *f != StandardField::EffectiveDate)
        .map(|f| field(f.key(), f.label(lang), input_kind(f), vec![], None))
        .collect();
    let doc_options: Vec<(String, String)> =
        DocumentType::ALL.iter().map(|t| (t.code().to_owned(), t.label(lang).to_owned())).collect();
    let unit_options: Vec<(String, String)> = ctx.units.iter().map(|u| (u.id.to_string(), u.name.clone())).collect();
    let requirement_count = row_count(form, "req_document_") + SPARE_ROWS;
    let requirement_rows: Vec<RowView> = (0..requirement_count)
        .map(|i| RowView {
            index: i,
            number: i + 1,
            held: form.contains_key(&format!("req_held_{i}")),
            fields: vec![
                field(&format!("req_document_{i}"), texts::DOCUMENT.get(lang), "text", vec![], None),
                field(
                    &format!("req_doc_type_{i}"),
                    texts::DOCUMENT_TYPE.get(lang),
                    "select",
                    doc_options.clone(),
                    None,
                ),
                field(&format!("req_note_{i}"), texts::DOCUMENT_NOTE.get(lang), "text", vec![], None),
            ],
        })
        .collect();
    let step_count = row_count(form, "step_description_") + SPARE_ROWS;
    let step_rows: Vec<RowView> = (0..step_count)
        .map(|i| RowView {
            index: i,
            number: i + 1,
            held: false,
            fields: vec![
                field(&format!("step_description_{i}"), texts::STEP.get(lang), "textarea", vec![], None),
                field(&format!("step_unit_{i}"), texts::STEP_UNIT.get(lang), "select", unit_options.clone(), None),
                field(&format!("step_sla_{i}"), texts::STEP_TIME.get(lang), "number", vec![], None),
            ],
        })
        .collect();
    let effective = StandardField::EffectiveDate;
    let mut tail_fields = vec![field(effective.key(), effective.label(lang), input_kind(effective), vec![], None)];
    if !ctx.is_new {
        tail_fields.push(field(
            "change_note",
            texts::CHANGE_NOTE.get(lang),
            "text",
            vec![],
            Some(texts::CHANGE_NOTE_HINT.get(lang).into()),
        ));
    }
    let requirements_label = StandardField::Requirements.label(lang);
    let steps_label = StandardField::Steps.label(lang);
    // The error summary names each field by its visible label, rows by their number.
    let label_of = |id: &str| -> String {
        if let Some(rows) = StandardField::ALL.into_iter().find(|f| f.is_rows() && f.key() == id) {
            return rows.label(lang).to_owned();
        }
        let single = head_fields.iter().chain(&fields).chain(&tail_fields).find(|f| f.id == id);
        if let Some(f) = single {
            return f.label.clone();
        }
        let rows =
            requirement_rows.iter().map(|r| (requirements_label, r)).chain(step_rows.iter().map(|r| (steps_label, r)));
        for (section, row) in rows {
            if let Some(f) = row.fields.iter().find(|f| f.id == id) {
                return format!("{section} {}: {}", row.number, f.label);
            }
        }
        id.to_owned()
    };
    let mut summary: Vec<(String, String)> =
        errors.iter().map(|(id, rule)| (id.clone(), format!("{}: {}", label_of(id), rule.message(lang)))).collect();
    summary.sort();
    let mut chrome = Chrome::new(lang, ctx.heading.clone(), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = ServiceFormPage {
        chrome,
        heading: ctx.heading,
        action: ctx.action,
        csrf: admin.csrf_token.clone(),
        expected_version: ctx.expected_version,
        summary_heading: texts::SUMMARY_HEADING.get(lang),
        summary,
        head_fields,
        fields,
        requirements_label,
        requirements_error: error_text("requirements"),
        requirement_rows,
        held_label: texts::HELD.get(lang),
        steps_label,
        steps_error: error_text("steps"),
        step_rows,
        tail_fields,
        submit_label: ctx.submit_label,
        conflict: ctx.conflict,
    };
    let status = if page.conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    no_store((status, render(&page)).into_response())
}

async fn form_context_for(
    state: &AppState,
    lang: Lang,
    region: &str,
    agency_id: Option<i64>,
) -> Result<(balai_store::org::Government, Vec<(String, String)>, Vec<(String, String)>, Vec<Unit>), StoreError> {
    let government = org::government_by_region(&state.db, region).await?;
    let categories = catalogue::categories(&state.db, government.id)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), lang.pick(&c.name_id, &c.name_en).to_owned()))
        .collect();
    let agencies = org::agencies(&state.db, Some(region), Paging::new(1, Paging::MAX_PER_PAGE)).await?;
    let units = match agency_id {
        Some(id) => org::units(&state.db, id).await?,
        None => {
            let mut all = Vec::new();
            for a in &agencies.items {
                all.extend(org::units(&state.db, a.id).await?);
            }
            all
        }
    };
    let agency_options = agencies.items.into_iter().map(|a| (a.id.to_string(), a.name)).collect();
    Ok((government, agency_options, categories, units))
}

// ---- edit -----------------------------------------------------------------------------------

async fn load_for_edit(state: &AppState, admin: &Admin, region: &str, code: &str) -> Result<ServiceDetail, AppError> {
    let detail = catalogue::service_by_code_fresh(&state.db, region, code).await?;
    if !admin.may(Action::ManageCatalogue, &Target::agency(detail.service.government_id, detail.service.agency_id)) {
        return Err(AppError::Forbidden);
    }
    Ok(detail)
}

fn edit_context(
    lang: Lang,
    detail: &ServiceDetail,
    agencies: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<Unit>,
) -> FormContext {
    FormContext {
        heading: format!("{}: {}", texts::EDIT_HEADING.get(lang), detail.standard.name),
        action: format!("/admin/layanan/{}/{}/ubah", detail.service.region_code, detail.service.code),
        expected_version: detail.service.current_version,
        is_new: false,
        agencies,
        categories,
        units,
        submit_label: texts::PUBLISH_VERSION.get(lang),
        conflict: None,
    }
}

async fn edit_service_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path((region, code)): Path<(String, String)>,
) -> Response {
    let detail = match load_for_edit(&state, &admin, &region, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
    };
    let (_, agencies, categories, units) =
        match form_context_for(&state, lang, &region, Some(detail.service.agency_id)).await {
            Ok(c) => c,
            Err(e) => return error_page(lang, &uri, e.into()),
        };
    let form = standard_to_form(&detail.standard, &detail.service.category_code);
    let ctx = edit_context(lang, &detail, agencies, categories, units);
    form_page(lang, &uri, &admin, ctx, &form, &HashMap::new())
}

async fn revise_service(
    State(state): State<AppState>,
    Path((region, code)): Path<(String, String)>,
    OfficerPost { admin, lang, uri, form: pairs }: OfficerPost<Vec<(String, String)>>,
) -> Response {
    let mut errors = HashMap::new();
    let form = to_raw(pairs, &mut errors);
    // Who may edit is answered first: someone who may not learns nothing about the form's rules.
    let detail = match load_for_edit(&state, &admin, &region, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
    };
    // The version the editor started from is the optimistic lock: without it the edit would land on
    // whatever is current and silently undo someone else's.
    let Some(expected_version) = field_value(&form, "expected_version").trim().parse::<i64>().ok().filter(|v| *v >= 1)
    else {
        tracing::warn!(admin_id = admin.admin_id, "service edit refused: no expected version");
        return error_page(lang, &uri, missing_expected_version(lang).into());
    };
    let (standard, requirement_rows, step_rows) = form_to_standard(&form, &mut errors);
    let edit = StandardEdit {
        category: field_value(&form, "category"),
        standard: &standard,
        unreadable_inputs: !errors.is_empty(),
    };
    let result = catalogue::revise_service_as_officer(
        &state.db,
        admin.admin_id,
        detail.service.id,
        expected_version,
        edit,
        field_value(&form, "change_note"),
    )
    .await;
    match result {
        Ok(version) => {
            tracing::info!(
                admin_id = admin.admin_id,
                service_id = detail.service.id,
                version,
                "service standard revised"
            );
            Redirect::to(&format!("/layanan/{region}/{code}")).into_response()
        }
        Err(StoreError::Invalid(store_errors)) => {
            merge_errors(&mut errors, store_errors, &requirement_rows, &step_rows);
            let (_, agencies, categories, units) =
                match form_context_for(&state, lang, &region, Some(detail.service.agency_id)).await {
                    Ok(c) => c,
                    Err(e) => return error_page(lang, &uri, e.into()),
                };
            let ctx = edit_context(lang, &detail, agencies, categories, units);
            form_page(lang, &uri, &admin, ctx, &form, &errors)
        }
        Err(StoreError::StaleVersion { current }) => {
            tracing::info!(
                admin_id = admin.admin_id,
                service_id = detail.service.id,
                expected_version,
                current,
                "service edit met a newer version"
            );
            // The editor's input is shown again, now against the current version, with what changed.
            let now_current = match catalogue::service_by_code_fresh(&state.db, &region, &code).await {
                Ok(d) => d,
                Err(e) => return error_page(lang, &uri, e.into()),
            };
            let started_from = match catalogue::service_version_fresh(&state.db, &region, &code, expected_version).await
            {
                Ok(d) => Some(d),
                Err(StoreError::NotFound) => None,
                Err(e) => return error_page(lang, &uri, e.into()),
            };
            let (government, agencies, categories, units) =
                match form_context_for(&state, lang, &region, Some(now_current.service.agency_id)).await {
                    Ok(c) => c,
                    Err(e) => return error_page(lang, &uri, e.into()),
                };
            // Versions record their author as an actor (`officer:7`); people read a name.
            let published_by = match now_current.version.created_by.strip_prefix("officer:").map(str::parse::<i64>) {
                Some(Ok(id)) => match identity::officers::officer(&state.db, id).await {
                    Ok(o) => o.map(|o| o.display_name),
                    Err(e) => return error_page(lang, &uri, e.into()),
                },
                _ => None,
            }
            .unwrap_or_else(|| now_current.version.created_by.clone());
            let mut ctx = edit_context(lang, &now_current, agencies, categories, units);
            ctx.conflict = Some(conflict_view(
                lang,
                government.zone(),
                expected_version,
                started_from.as_ref(),
                &now_current,
                &published_by,
            ));
            form_page(lang, &uri, &admin, ctx, &form, &errors)
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// A service edit posted without the version it started from (the form always carries it).
fn missing_expected_version(lang: Lang) -> crate::error::Refusal {
    crate::error::Refusal {
        status: StatusCode::BAD_REQUEST,
        problem_type: "/problems/bad-parameter",
        title: texts::INCOMPLETE_REQUEST.get(lang),
        field: Some("expected_version"),
        rule: "required",
        message: texts::NO_EXPECTED_VERSION.get(lang).to_owned(),
        retry_after: None,
        attempts_left: None,
    }
}

/// The components whose values differ between two versions, by their labels on the form.
fn changed_components(lang: Lang, before: &ServiceStandard, after: &ServiceStandard) -> Vec<String> {
    // The category belongs to the service, not the version: compare the standards alone.
    let (a, b) = (standard_to_form(before, ""), standard_to_form(after, ""));
    let differs = |id: &str| a.get(id) != b.get(id);
    let rows_differ = |prefix: &str| a.iter().chain(&b).any(|(k, _)| k.starts_with(prefix) && differs(k));
    StandardField::ALL
        .into_iter()
        .filter(|f| match row_prefix(*f) {
            Some(prefix) => rows_differ(prefix),
            None => differs(f.key()),
        })
        .map(|f| f.label(lang).to_owned())
        .collect()
}

fn conflict_view(
    lang: Lang,
    zone: balai_domain::IndonesianTimeZone,
    expected_version: i64,
    started_from: Option<&ServiceDetail>,
    now_current: &ServiceDetail,
    published_by: &str,
) -> ConflictView {
    let current = &now_current.version;
    let at = format!("{} {}", current.created_at.with_timezone(&zone.offset()).format("%d-%m-%Y %H:%M"), zone.code());
    let text = texts::CONFLICT_TEXT.fill(
        lang,
        &[
            ("version", &current.version.to_string()),
            ("by", published_by),
            ("at", &at),
            ("note", &current.change_note),
            ("started", &expected_version.to_string()),
        ],
    );
    let changed =
        started_from.map(|s| changed_components(lang, &s.standard, &now_current.standard)).unwrap_or_default();
    let resubmit = texts::CONFLICT_RESUBMIT.fill(
        lang,
        &[("next", &current.version.saturating_add(1).to_string()), ("version", &current.version.to_string())],
    );
    ConflictView {
        heading: texts::CONFLICT_HEADING.get(lang),
        text,
        changed_label: texts::CONFLICT_CHANGED.get(lang),
        changed,
        resubmit,
    }
}

fn merge_errors(
    errors: &mut HashMap<String, Rule>,
    store: FieldErrors,
    requirement_rows: &[usize],
    step_rows: &[usize],
) {
    for e in store.0 {
        errors.entry(form_id(&e.field, requirement_rows, step_rows)).or_insert(e.rule);
    }
}

// ---- create ---------------------------------------------------------------------------------

fn new_context(
    lang: Lang,
    region: &str,
    agencies: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<Unit>,
) -> FormContext {
    FormContext {
        heading: texts::NEW_HEADING.get(lang).to_owned(),
        action: format!("/admin/layanan/{region}/baru"),
        expected_version: 0,
        is_new: true,
        agencies,
        categories,
        units,
        submit_label: texts::SAVE_SERVICE.get(lang),
        conflict: None,
    }
}

async fn new_service_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(region): Path<String>,
) -> Response {
    let (government, agencies, categories, units) = match form_context_for(&state, lang, &region, None).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if !admin.manages(government.id) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let mut form = RawForm::new();
    form.insert(
        "effective_date".into(),
        Utc::now().with_timezone(&government.zone().offset()).date_naive().to_string(),
    );
    form.insert("fee".into(), "0".into());
    form.insert("req_document_0".into(), String::new());
    form.insert("step_description_0".into(), String::new());
    let ctx = new_context(lang, &region, agencies, categories, units);
    form_page(lang, &uri, &admin, ctx, &form, &HashMap::new())
}

async fn create_service(
    State(state): State<AppState>,
    Path(region): Path<String>,
    OfficerPost { admin, lang, uri, form: pairs }: OfficerPost<Vec<(String, String)>>,
) -> Response {
    let mut errors = HashMap::new();
    let form = to_raw(pairs, &mut errors);
    let (government, agencies, categories, units) = match form_context_for(&state, lang, &region, None).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    if !admin.manages(government.id) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let (standard, requirement_rows, step_rows) = form_to_standard(&form, &mut errors);
    let code = field_value(&form, "code").trim().to_owned();
    let agency_id = field_value(&form, "agency").parse::<i64>().ok();
    let edit = StandardEdit {
        category: field_value(&form, "category"),
        standard: &standard,
        unreadable_inputs: !errors.is_empty(),
    };
    let result =
        catalogue::create_service_as_officer(&state.db, admin.admin_id, government.id, agency_id, &code, edit).await;
    match result {
        Ok(id) => {
            tracing::info!(admin_id = admin.admin_id, service_id = id, "service created");
            Redirect::to(&format!("/layanan/{region}/{}", urlencode(&code))).into_response()
        }
        Err(StoreError::Invalid(store_errors)) => {
            merge_errors(&mut errors, store_errors, &requirement_rows, &step_rows);
            let ctx = new_context(lang, &region, agencies, categories, units);
            form_page(lang, &uri, &admin, ctx, &form, &errors)
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A filled form, one value per field of the standard, each value told apart from the others.
    fn filled_form() -> RawForm {
        let mut form: RawForm = StandardField::ALL
            .into_iter()
            .filter_map(|f| {
                let value = match input_kind(f) {
                    "rows" => return None,
                    "number" => "2".to_owned(),
                    "date" => "2025-01-02".to_owned(),
                    _ if f == StandardField::Fee => "1250000".to_owned(),
                    _ if f == StandardField::Keywords => "akta, lahir".to_owned(),
                    _ if f == StandardField::LegalBasis => "UU 23/2006\nUU 24/2013".to_owned(),
                    _ => format!("isian {}", f.key()),
                };
                Some((f.key().to_owned(), value))
            })
            .collect();
        form.insert("category".into(), "kependudukan".into());
        for (key, value) in [
            ("req_document_0", "KTP-el"),
            ("req_doc_type_0", "ktp"),
            ("req_note_0", "asli"),
            ("req_held_0", "1"),
            ("step_description_0", "Verifikasi"),
            ("step_unit_0", "4"),
            ("step_sla_0", "2"),
        ] {
            form.insert(key.into(), value.into());
        }
        form
    }

    #[test]
    fn every_field_of_the_standard_goes_through_the_form_and_back() {
        let form = filled_form();
        let mut errors = HashMap::new();
        let (standard, ..) = form_to_standard(&form, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(standard_to_form(&standard, "kependudukan"), form);
    }

    #[test]
    fn a_changed_field_is_named_by_its_label_and_nothing_else() {
        let before = form_to_standard(&filled_form(), &mut HashMap::new()).0;
        for field in StandardField::ALL {
            let mut form = filled_form();
            match row_prefix(field) {
                Some(prefix) => {
                    let first_row = if prefix == "req_" { "req_document_0" } else { "step_description_0" };
                    form.insert(first_row.into(), "Uraian lain".into());
                }
                None if field == StandardField::EffectiveDate => {
                    form.insert(field.key().into(), "2025-01-03".into());
                }
                None => {
                    let changed = if input_kind(field) == "number" { "3".to_owned() } else { "9".to_owned() };
                    form.insert(field.key().into(), changed);
                }
            }
            let after = form_to_standard(&form, &mut HashMap::new()).0;
            for lang in [Lang::Id, Lang::En] {
                assert_eq!(changed_components(lang, &before, &after), vec![field.label(lang).to_owned()], "{field:?}");
            }
        }
    }
}
