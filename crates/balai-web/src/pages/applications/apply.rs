//! Applying: the form a service's standard defines, prefilled from what the government holds, with
//! the documents it already keeps offered by reference. Posted as `multipart/form-data` so photos
//! from a phone's camera come along; everything is checked before anything is kept.

use super::L;
use crate::AppState;
use crate::applications::MAX_FORM_REQUEST;
use crate::applications::{clean_and_store, read_bounded};
use crate::auth::Citizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::applications::{FieldKind, FormField, Prefill};
use balai_domain::money::Rupiah;
use balai_domain::region::{RegionCode, RegionLevel};
use balai_domain::validation::{FieldErrors, Rule};
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, FormTerms};
use balai_store::org;
use serde_json::{Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/layanan/{region}/{code}/ajukan", get(form).post(submit).layer(DefaultBodyLimit::max(MAX_FORM_REQUEST)))
}

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One input as the page shows it.
pub(super) struct InputView {
    pub key: String,
    pub label: String,
    pub required: bool,
    /// `text`, `number`, `date`, `choice`, `address`, `yesno`.
    pub kind: &'static str,
    pub value: String,
    pub street: String,
    pub min: String,
    pub max: String,
    pub max_chars: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

pub(super) struct DocumentView {
    pub code: String,
    pub name: String,
    pub required: bool,
    pub on_file: bool,
    pub error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    chrome: Chrome,
    l: L,
    action: String,
    csrf: String,
    idempotency_key: String,
    fee_note: Option<String>,
    inputs: Vec<InputView>,
    documents: Vec<DocumentView>,
    errors: Vec<(String, String)>,
}

fn prefill_value(prefill: Option<Prefill>, citizen: &balai_store::identity::citizens::Citizen) -> (String, String) {
    match prefill {
        Some(Prefill::FullName) => (citizen.full_name.clone(), String::new()),
        Some(Prefill::BirthDate) => (citizen.birth_date.map(|d| d.to_string()).unwrap_or_default(), String::new()),
        Some(Prefill::Address) => {
            (village_code(citizen.region_code.as_deref()), citizen.address.clone().unwrap_or_default())
        }
        Some(Prefill::Email) => (citizen.email.clone().unwrap_or_default(), String::new()),
        Some(Prefill::Phone) => (citizen.phone.clone().unwrap_or_default(), String::new()),
        None => (String::new(), String::new()),
    }
}

/// The record's region as the address field takes it: a village code without dots. A record that
/// names only a district (or an unreadable code) leaves the field to the citizen, rather than
/// filling in a value the form itself refuses.
fn village_code(region: Option<&str>) -> String {
    region
        .and_then(|code| RegionCode::parse_undotted(code.trim()).ok())
        .filter(|code| code.level() == RegionLevel::Village)
        .map(|code| code.as_str().replace('.', ""))
        .unwrap_or_default()
}

fn inputs(lang: Lang, form: &[FormField], values: &Map<String, Value>, errors: &FieldErrors) -> Vec<InputView> {
    form.iter()
        .map(|f| {
            let (value, street) = match values.get(&f.key) {
                Some(Value::Object(o)) => (
                    o.get("region").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    o.get("street").and_then(Value::as_str).unwrap_or_default().to_owned(),
                ),
                Some(Value::String(s)) => (s.clone(), String::new()),
                Some(Value::Bool(b)) => (b.to_string(), String::new()),
                Some(other) => (other.to_string(), String::new()),
                None => (String::new(), String::new()),
            };
            let error = errors
                .0
                .iter()
                .find(|e| e.field == f.key || e.field.starts_with(&format!("{}.", f.key)))
                .map(|e| e.rule.message(lang));
            let (kind, min, max, max_chars, choices) = match &f.kind {
                FieldKind::Text { max_chars } => ("text", String::new(), String::new(), max_chars.to_string(), vec![]),
                FieldKind::Number { min, max } => ("number", min.to_string(), max.to_string(), String::new(), vec![]),
                FieldKind::Date => ("date", String::new(), String::new(), String::new(), vec![]),
                FieldKind::Choice { options } => (
                    "choice",
                    String::new(),
                    String::new(),
                    String::new(),
                    options
                        .iter()
                        .map(|o| Choice {
                            value: o.value.clone(),
                            label: lang.pick(&o.label, &o.label_en).to_owned(),
                            selected: o.value == value,
                        })
                        .collect(),
                ),
                FieldKind::Address => ("address", String::new(), String::new(), String::new(), vec![]),
                FieldKind::YesNo => ("yesno", String::new(), String::new(), String::new(), vec![]),
            };
            InputView {
                key: f.key.clone(),
                label: lang.pick(&f.label, &f.label_en).to_owned(),
                required: f.required,
                kind,
                value,
                street,
                min,
                max,
                max_chars,
                choices,
                error,
            }
        })
        .collect()
}

async fn load(
    state: &AppState,
    region: &str,
    code: &str,
    citizen_id: i64,
) -> Result<(org::Government, FormTerms), AppError> {
    let government = org::government_by_region(&state.db, region).await?;
    let terms = applications::form_terms(&state.db, government.id, code, Some(citizen_id)).await?;
    Ok((government, terms))
}

#[allow(clippy::too_many_arguments)]
fn page(
    lang: Lang,
    uri: &Uri,
    region: &str,
    code: &str,
    citizen: &Citizen,
    terms: &FormTerms,
    values: &Map<String, Value>,
    errors: &FieldErrors,
    file_errors: &[(String, String)],
    idempotency_key: String,
) -> ApplyPage {
    let l = L(lang);
    let service = lang.pick(&terms.terms.name, &terms.terms.name_en).to_owned();
    let documents = terms
        .documents
        .iter()
        .map(|d| DocumentView {
            code: d.code.clone(),
            name: d.name.clone(),
            required: d.required,
            on_file: terms.on_file.iter().any(|(c, _)| *c == d.code),
            error: file_errors.iter().find(|(c, _)| *c == d.code).map(|(_, m)| m.clone()).or_else(|| {
                errors.0.iter().find(|e| e.field == format!("documents.{}", d.code)).map(|e| e.rule.message(lang))
            }),
        })
        .collect();
    let mut summary: Vec<(String, String)> = errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect();
    summary.extend(file_errors.iter().map(|(c, m)| (format!("documents.{c}"), m.clone())));
    let fee = terms.terms.fee;
    ApplyPage {
        chrome: Chrome::new(lang, super::texts::APPLY_HEADING.fill(lang, &[("service", &service)]), uri),
        l,
        action: format!("/layanan/{region}/{code}/ajukan"),
        csrf: citizen.csrf_token.clone(),
        idempotency_key,
        fee_note: (fee.0 > 0).then(|| super::texts::FEE_NOTE.fill(lang, &[("fee", &Rupiah(fee.0).to_string())])),
        inputs: inputs(lang, &terms.terms.form, values, errors),
        documents,
        errors: summary,
    }
}

async fn form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((region, code)): Path<(String, String)>,
    citizen: Citizen,
) -> Response {
    let (_, terms) = match load(&state, &region, &code, citizen.citizen_id).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let record = match balai_store::identity::citizens::citizen(&state.db, &state.vault, citizen.citizen_id).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let mut values = Map::new();
    for field in &terms.terms.form {
        let (value, street) = prefill_value(field.prefill, &record);
        if value.is_empty() {
            continue;
        }
        let v = match field.kind {
            FieldKind::Address => serde_json::json!({ "region": value, "street": street }),
            _ => Value::String(value),
        };
        values.insert(field.key.clone(), v);
    }
    // A kept draft takes the place of what the record prefilled.
    match applications::draft(&state.db, &state.vault, citizen.citizen_id, terms.terms.government_id, &code).await {
        Ok(Some(draft)) => values.extend(draft),
        Ok(None) => {}
        Err(e) => return error_page(lang, &uri, e.into()),
    }
    let key = crate::auth::random_token();
    no_store(render(&page(lang, &uri, &region, &code, &citizen, &terms, &values, &FieldErrors::default(), &[], key)))
}

/// The most parts a form may carry (fields, documents, their choices): a bound for hostile posts.
const MAX_PARTS: usize = 200;
/// The most bytes a text part may carry.
const MAX_TEXT_PART: usize = 16 * 1024;

async fn submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((region, code)): Path<(String, String)>,
    citizen: Citizen,
    mut multipart: Multipart,
) -> Response {
    let (government, terms) = match load(&state, &region, &code, citizen.citizen_id).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let mut text: Vec<(String, String)> = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut errors = FieldErrors::default();
    let mut file_errors: Vec<(String, String)> = Vec::new();
    let mut parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                return error_page(
                    lang,
                    &uri,
                    AppError::BadParameter { param: "body", expected: crate::error::Expected::ApplicationBody },
                );
            }
        };
        parts += 1;
        if parts > MAX_PARTS {
            return error_page(
                lang,
                &uri,
                AppError::BadParameter { param: "body", expected: crate::error::Expected::ApplicationBody },
            );
        }
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(doc) = name.strip_prefix("file_") {
            let doc = doc.to_owned();
            let has_name = field.file_name().is_some_and(|n| !n.is_empty());
            match read_bounded(field, state.config.max_upload_bytes).await {
                Ok(bytes) if bytes.is_empty() && !has_name => {}
                Ok(bytes) => files.push((doc, bytes)),
                Err(e) => file_errors.push((doc, e.message(lang))),
            }
        } else {
            match read_bounded(field, MAX_TEXT_PART).await {
                Ok(bytes) => text.push((name, String::from_utf8_lossy(&bytes).into_owned())),
                Err(_) => errors.push(name, Rule::TooLong { max: MAX_TEXT_PART }),
            }
        }
    }
    let get = |name: &str| text.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if !citizen.check_csrf(get("csrf").unwrap_or_default()) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let key = get("idempotency_key").unwrap_or_default().chars().take(100).collect::<String>();
    // The answers, shaped as the form's JSON: an address from its two inputs, empty inputs left out.
    let mut values = Map::new();
    for field in &terms.terms.form {
        let name = format!("f_{}", field.key);
        match field.kind {
            FieldKind::Address => {
                let region_code = get(&format!("{name}.region")).unwrap_or_default().trim().to_owned();
                let street = get(&format!("{name}.street")).unwrap_or_default().trim().to_owned();
                if !region_code.is_empty() || !street.is_empty() {
                    values.insert(field.key.clone(), serde_json::json!({ "region": region_code, "street": street }));
                }
            }
            _ => {
                if let Some(v) = get(&name).map(str::trim).filter(|v| !v.is_empty()) {
                    values.insert(field.key.clone(), Value::String(v.to_owned()));
                }
            }
        }
    }
    // "Simpan draf": keep the answers (not the files) and finish later.
    if get("action") == Some("draft") {
        let now = state.config.clock.now();
        return match applications::save_draft(
            &state.db,
            &state.vault,
            citizen.citizen_id,
            government.id,
            &code,
            &values,
            now,
        )
        .await
        {
            Ok(()) => {
                let query = if lang == Lang::En { "&lang=en" } else { "" };
                Redirect::to(&format!("/akun/permohonan?draf=1{query}")).into_response()
            }
            Err(e) => error_page(lang, &uri, e.into()),
        };
    }
    if let Err(problems) = balai_domain::applications::validate_fields(&terms.terms.form, &values) {
        errors.0.extend(balai_domain::applications::into_field_errors(problems).0);
    }
    // Each document: the held copy when chosen, else the file sent.
    let mut chosen: Vec<(String, Option<i64>, Option<Vec<u8>>)> = Vec::new();
    for document in &terms.documents {
        let held = terms.on_file.iter().find(|(c, _)| *c == document.code).map(|(_, id)| *id);
        let use_held = get(&format!("use_{}", document.code)) == Some("held");
        let file = files.iter().position(|(c, _)| *c == document.code).map(|i| files.swap_remove(i).1);
        match (use_held, held, file) {
            (true, Some(id), _) => chosen.push((document.code.clone(), Some(id), None)),
            (_, _, Some(bytes)) => chosen.push((document.code.clone(), None, Some(bytes))),
            (false, Some(id), None) => chosen.push((document.code.clone(), Some(id), None)),
            _ if document.required => errors.push(format!("documents.{}", document.code), Rule::Required),
            _ => {}
        }
    }
    if !errors.is_empty() || !file_errors.is_empty() {
        let page = page(lang, &uri, &region, &code, &citizen, &terms, &values, &errors, &file_errors, key);
        return (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response();
    }
    // Everything else is in order: keep the files, then submit once.
    let mut documents = Vec::new();
    for (code_of, held, bytes) in chosen {
        match (held, bytes) {
            (Some(id), _) => documents.push(DocumentChoice { code: code_of, source: DocumentSource::OnFile(id) }),
            (None, Some(bytes)) => {
                match clean_and_store(&state, lang, citizen.citizen_id, government.id, bytes).await {
                    Ok(upload) => {
                        documents.push(DocumentChoice { code: code_of, source: DocumentSource::Upload(upload.id) })
                    }
                    Err(AppError::Refused(refusal)) => file_errors.push((code_of, refusal.message.clone())),
                    Err(e) => return error_page(lang, &uri, e),
                }
            }
            (None, None) => {}
        }
    }
    if !errors.is_empty() || !file_errors.is_empty() {
        let page = page(lang, &uri, &region, &code, &citizen, &terms, &values, &errors, &file_errors, key);
        return (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response();
    }
    let application = Application {
        government_id: government.id,
        service_code: &code,
        fields: &values,
        documents: &documents,
        idempotency_key: &key,
        lang,
    };
    match applications::submit(&state.db, &state.vault, citizen.citizen_id, &application, state.config.clock.now())
        .await
    {
        Ok(submitted) => {
            let query = if lang == Lang::En { "&lang=en" } else { "" };
            Redirect::to(&format!("/akun/permohonan/{}?baru=1{query}", submitted.case_id)).into_response()
        }
        Err(balai_store::StoreError::Invalid(found)) => {
            let page = page(lang, &uri, &region, &code, &citizen, &terms, &values, &found, &[], key);
            (StatusCode::UNPROCESSABLE_ENTITY, no_store(render(&page))).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::village_code;

    #[test]
    fn only_a_village_code_is_prefilled_into_an_address() {
        assert_eq!(village_code(Some("53.71.04.1001")), "5371041001");
        assert_eq!(village_code(Some("5371041001")), "5371041001");
        assert_eq!(village_code(Some("53.71.04")), "", "a district is not an address the form takes");
        assert_eq!(village_code(Some("Kupang")), "");
        assert_eq!(village_code(None), "");
    }
}
