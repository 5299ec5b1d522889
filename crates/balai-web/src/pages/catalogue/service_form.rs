//! The service standard form: all fourteen components, new and revised versions.

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
use balai_domain::catalogue::{DocumentType, MAX_REQUIREMENTS, MAX_STEPS, ProcedureStep, Requirement, ServiceStandard};
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

/// (form id, domain field, Indonesian label, English label, kind)
const STANDARD_FIELDS: [(&str, &str, &str, &str); 18] = [
    ("name", "Nama layanan", "Service name", "text"),
    ("name_en", "Nama layanan (bahasa Inggris)", "Service name (English)", "text"),
    ("summary", "Ringkasan", "Summary", "textarea"),
    ("keywords", "Kata kunci (pisahkan dengan koma)", "Keywords (comma-separated)", "text"),
    ("sla_days", "Jangka waktu penyelesaian (hari kerja)", "Completion time (working days)", "number"),
    ("fee", "Biaya/tarif (Rupiah)", "Fee (rupiah)", "text"),
    ("fee_legal_basis", "Dasar hukum biaya", "Legal basis of the fee", "textarea"),
    ("product", "Produk layanan", "Product", "textarea"),
    ("complaint_handling", "Penanganan pengaduan, saran dan masukan", "Complaint handling", "textarea"),
    ("legal_basis", "Dasar hukum (satu per baris)", "Legal basis (one per line)", "textarea"),
    ("facilities", "Sarana, prasarana dan/atau fasilitas", "Facilities", "textarea"),
    ("competence", "Kompetensi pelaksana", "Staff competence", "textarea"),
    ("internal_supervision", "Pengawasan internal", "Internal supervision", "textarea"),
    ("staff_count", "Jumlah pelaksana", "Number of staff", "number"),
    ("service_guarantee", "Jaminan pelayanan", "Service guarantee", "textarea"),
    ("security_guarantee", "Jaminan keamanan dan keselamatan pelayanan", "Security and safety guarantee", "textarea"),
    ("performance_evaluation", "Evaluasi kinerja pelaksana", "Performance evaluation", "textarea"),
    ("sk_number", "Nomor SK penetapan", "Decree (SK) number", "text"),
];

fn standard_to_form(s: &ServiceStandard, category: &str) -> RawForm {
    let mut f = RawForm::new();
    f.insert("name".into(), s.name.clone());
    f.insert("name_en".into(), s.name_en.clone());
    f.insert("summary".into(), s.summary.clone());
    f.insert("keywords".into(), s.keywords.join(", "));
    f.insert("sla_days".into(), s.sla_days.to_string());
    f.insert("fee".into(), s.fee.0.to_string());
    f.insert("fee_legal_basis".into(), s.fee_legal_basis.clone());
    f.insert("product".into(), s.product.clone());
    f.insert("complaint_handling".into(), s.complaint_handling.clone());
    f.insert("legal_basis".into(), s.legal_basis.join("\n"));
    f.insert("facilities".into(), s.facilities.clone());
    f.insert("competence".into(), s.competence.clone());
    f.insert("internal_supervision".into(), s.internal_supervision.clone());
    f.insert("staff_count".into(), s.staff_count.to_string());
    f.insert("service_guarantee".into(), s.service_guarantee.clone());
    f.insert("security_guarantee".into(), s.security_guarantee.clone());
    f.insert("performance_evaluation".into(), s.performance_evaluation.clone());
    f.insert("sk_number".into(), s.sk_number.clone());
    f.insert("effective_date".into(), s.effective_date.to_string());
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
    let sla_days = int("sla_days", errors);
    let staff_count = int("staff_count", errors);
    let fee = match Rupiah::parse(field_value(form, "fee")) {
        Ok(f) => f,
        Err(balai_domain::money::MoneyError::Empty) => {
            errors.insert("fee".into(), Rule::Required);
            Rupiah(0)
        }
        Err(_) => {
            errors.insert("fee".into(), Rule::Format { expected: "Rp1.250.000" });
            Rupiah(0)
        }
    };
    let effective_date = NaiveDate::parse_from_str(field_value(form, "effective_date").trim(), "%Y-%m-%d")
        .unwrap_or_else(|_| {
            errors.insert("effective_date".into(), Rule::Format { expected: "2026-01-02" });
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
    let standard = ServiceStandard {
        name: field_value(form, "name").trim().to_owned(),
        name_en: field_value(form, "name_en").trim().to_owned(),
        summary: field_value(form, "summary").trim().to_owned(),
        keywords: list("keywords", ',').into_iter().map(|k| k.to_lowercase()).collect(),
        requirements,
        steps,
        sla_days,
        fee,
        fee_legal_basis: field_value(form, "fee_legal_basis").trim().to_owned(),
        product: field_value(form, "product").trim().to_owned(),
        complaint_handling: field_value(form, "complaint_handling").trim().to_owned(),
        legal_basis: list("legal_basis", '\n'),
        facilities: field_value(form, "facilities").trim().to_owned(),
        competence: field_value(form, "competence").trim().to_owned(),
        internal_supervision: field_value(form, "internal_supervision").trim().to_owned(),
        staff_count,
        service_guarantee: field_value(form, "service_guarantee").trim().to_owned(),
        security_guarantee: field_value(form, "security_guarantee").trim().to_owned(),
        performance_evaluation: field_value(form, "performance_evaluation").trim().to_owned(),
        sk_number: field_value(form, "sk_number").trim().to_owned(),
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
        head_fields.push(field(
            "code",
            lang.pick("Kode layanan", "Service code"),
            "text",
            vec![],
            Some(
                lang.pick(
                    "Huruf besar, angka dan tanda hubung, misalnya AKTA-LAHIR.",
                    "Upper-case letters, digits and hyphens, e.g. AKTA-LAHIR.",
                )
                .into(),
            ),
        ));
        head_fields.push(field("agency", lang.pick("Instansi", "Agency"), "select", ctx.agencies.clone(), None));
    }
    head_fields.push(field("category", lang.pick("Kategori", "Category"), "select", ctx.categories.clone(), None));
    let fields: Vec<FieldView> = STANDARD_FIELDS
        .iter()
        .map(|(id, label_id, label_en, kind)| field(id, lang.pick(label_id, label_en), kind, vec![], None))
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
                field(&format!("req_document_{i}"), lang.pick("Dokumen", "Document"), "text", vec![], None),
                field(
                    &format!("req_doc_type_{i}"),
                    lang.pick("Jenis dokumen", "Document type"),
                    "select",
                    doc_options.clone(),
                    None,
                ),
                field(&format!("req_note_{i}"), lang.pick("Keterangan", "Note"), "text", vec![], None),
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
                field(&format!("step_description_{i}"), lang.pick("Uraian tahap", "Step"), "textarea", vec![], None),
                field(
                    &format!("step_unit_{i}"),
                    lang.pick("Unit penanggung jawab", "Responsible unit"),
                    "select",
                    unit_options.clone(),
                    None,
                ),
                field(
                    &format!("step_sla_{i}"),
                    lang.pick("Waktu (hari kerja)", "Time (working days)"),
                    "number",
                    vec![],
                    None,
                ),
            ],
        })
        .collect();
    let mut tail_fields =
        vec![field("effective_date", lang.pick("Tanggal berlaku", "Effective date"), "date", vec![], None)];
    if !ctx.is_new {
        tail_fields.push(field(
            "change_note",
            lang.pick("Catatan perubahan", "What changed and why"),
            "text",
            vec![],
            Some(lang.pick("Tampil di riwayat versi publik.", "Shown in the public version history.").into()),
        ));
    }
    let requirements_label = lang.pick("Persyaratan", "Requirements");
    let steps_label = lang.pick("Tahap prosedur", "Procedure steps");
    // The error summary names each field by its visible label, rows by their number.
    let label_of = |id: &str| -> String {
        match id {
            "requirements" => return requirements_label.to_owned(),
            "steps" => return steps_label.to_owned(),
            _ => {}
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
        summary_heading: lang.pick("Periksa isian berikut", "Please correct the following"),
        summary,
        head_fields,
        fields,
        requirements_label,
        requirements_error: error_text("requirements"),
        requirement_rows,
        held_label: lang.pick("Sudah dimiliki pemerintah (tidak diminta lagi)", "Already held by the government"),
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
    let detail = catalogue::service_by_code(&state.db, region, code).await?;
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
        heading: format!("{}: {}", lang.pick("Ubah standar pelayanan", "Edit service standard"), detail.standard.name),
        action: format!("/admin/layanan/{}/{}/ubah", detail.service.region_code, detail.service.code),
        expected_version: detail.service.current_version,
        is_new: false,
        agencies,
        categories,
        units,
        submit_label: lang.pick("Terbitkan versi baru", "Publish a new version"),
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
    // The version the editor started from is the optimistic lock: without it the edit would land on
    // whatever is current and silently undo someone else's.
    let Some(expected_version) = field_value(&form, "expected_version").trim().parse::<i64>().ok().filter(|v| *v >= 1)
    else {
        tracing::warn!(admin_id = admin.admin_id, "service edit refused: no expected version");
        return error_page(lang, &uri, missing_expected_version(lang).into());
    };
    let detail = match load_for_edit(&state, &admin, &region, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
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
            let now_current = match catalogue::service_by_code(&state.db, &region, &code).await {
                Ok(d) => d,
                Err(e) => return error_page(lang, &uri, e.into()),
            };
            let started_from = match catalogue::service_version(&state.db, &region, &code, expected_version).await {
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
        title: lang.pick("Permintaan tidak lengkap", "Incomplete request"),
        field: Some("expected_version"),
        rule: "required",
        message: lang
            .pick(
                "Isian `expected_version` (versi yang Anda ubah) tidak ada atau tidak sah. Buka lagi halaman ubah layanan dan kirim dari sana.",
                "The field `expected_version` (the version you are editing) is missing or invalid. Open the service's edit page again and submit from there.",
            )
            .to_owned(),
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
    let mut changed: Vec<String> = STANDARD_FIELDS
        .iter()
        .filter(|(id, ..)| differs(id))
        .map(|(_, label_id, label_en, _)| lang.pick(label_id, label_en).to_owned())
        .collect();
    if rows_differ("req_") {
        changed.push(lang.pick("Persyaratan", "Requirements").to_owned());
    }
    if rows_differ("step_") {
        changed.push(lang.pick("Tahap prosedur", "Procedure steps").to_owned());
    }
    if differs("effective_date") {
        changed.push(lang.pick("Tanggal berlaku", "Effective date").to_owned());
    }
    changed
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
    let text = match lang {
        Lang::Id => format!(
            "Versi terbaru sekarang {}, diterbitkan oleh {} pada {at} (catatan: \u{201c}{}\u{201d}). Anda mulai dari versi {expected_version}; perubahan Anda belum disimpan.",
            current.version, published_by, current.change_note
        ),
        Lang::En => format!(
            "The latest version is now {}, published by {} on {at} (note: \u{201c}{}\u{201d}). You started from version {expected_version}; your changes are not saved yet.",
            current.version, published_by, current.change_note
        ),
    };
    let changed =
        started_from.map(|s| changed_components(lang, &s.standard, &now_current.standard)).unwrap_or_default();
    let resubmit = match lang {
        Lang::Id => format!(
            "Isian Anda ada di bawah. Periksa perubahan di atas; bila tetap ingin menerbitkan isian ini, kirim lagi: hasilnya menjadi versi {} di atas versi {}.",
            current.version.saturating_add(1),
            current.version
        ),
        Lang::En => format!(
            "Your input is below. Check the changes above; to publish it anyway, submit again: it becomes version {} on top of version {}.",
            current.version.saturating_add(1),
            current.version
        ),
    };
    ConflictView {
        heading: lang.pick("Ada versi yang lebih baru", "A newer version was published"),
        text,
        changed_label: lang.pick("Komponen yang berubah sejak versi Anda:", "Components changed since your version:"),
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
        heading: lang.pick("Tambah layanan", "Add a service").to_owned(),
        action: format!("/admin/layanan/{region}/baru"),
        expected_version: 0,
        is_new: true,
        agencies,
        categories,
        units,
        submit_label: lang.pick("Simpan layanan", "Save the service"),
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
