//! Application forms: the fields an agency asks for on top of the documents, as data an admin edits;
//! the JSON Schema the API publishes for them; the check of what a citizen submits; and the documents
//! a service standard's requirements ask for.
//!
//! The schema carries the Indonesian label as `title` and the English one as `x-title-en` (an
//! annotation keyword, which validators ignore), and a field the government can fill in from the
//! citizen's record as `x-prefill`.

use crate::Lang;
use crate::catalogue::{DocumentType, Requirement};
use crate::region::{RegionCode, RegionLevel, is_known_region};
use crate::validation::{FieldErrors, Rule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// How many fields one form may have, and how many submitted keys are looked at.
pub const MAX_FORM_FIELDS: usize = 40;
/// How long a field key may be.
pub const MAX_KEY_CHARS: usize = 40;
/// How long a label may be.
pub const MAX_LABEL_CHARS: usize = 200;
/// How many options one choice may offer.
pub const MAX_CHOICE_OPTIONS: usize = 50;
/// How long an option's stored value may be.
pub const MAX_OPTION_VALUE_CHARS: usize = 100;
/// The most a text field may allow.
pub const MAX_TEXT_CHARS: u32 = 5000;
/// How long the street part of an address may be.
pub const MAX_STREET_CHARS: usize = 500;
/// The file types a document may be uploaded as.
pub const ACCEPTED_DOCUMENT_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// One field of an application form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// The key in the submitted object: `[a-z][a-z0-9_]{0,39}`.
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub kind: FieldKind,
    pub required: bool,
    /// What the government already holds and fills in for the citizen.
    pub prefill: Option<Prefill>,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        max_chars: u32,
    },
    Number {
        min: i64,
        max: i64,
    },
    Date,
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// A village (kelurahan/desa) code of 10 digits and the street address within it.
    Address,
    YesNo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
    pub label_en: String,
}

/// What the government already holds about the citizen (the citizen record), offered as the
/// field's initial value so the citizen is not asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    FullName,
    BirthDate,
    Address,
    Email,
    Phone,
}

impl Prefill {
    pub fn code(self) -> &'static str {
        match self {
            Self::FullName => "full_name",
            Self::BirthDate => "birth_date",
            Self::Address => "address",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// Whether the value fits a field of this kind.
    pub fn fits(self, kind: &FieldKind) -> bool {
        match self {
            Self::FullName | Self::Email | Self::Phone => matches!(kind, FieldKind::Text { .. }),
            Self::BirthDate => matches!(kind, FieldKind::Date),
            Self::Address => matches!(kind, FieldKind::Address),
        }
    }
}

fn is_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    matches!(bytes.first(), Some(b'a'..=b'z'))
        && bytes.len() <= MAX_KEY_CHARS
        && bytes.iter().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

fn label(errors: &mut FieldErrors, path: &str, value: &str) {
    errors.text(path, value, MAX_LABEL_CHARS);
}

/// Checks a form as an admin saves it; each problem names its place, such as `fields[2].key` or
/// `fields[0].options[3].value`.
pub fn check_form(fields: &[FormField]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if fields.len() > MAX_FORM_FIELDS {
        errors.push("fields", Rule::TooMany { max: MAX_FORM_FIELDS });
        return Err(errors);
    }
    let mut keys = HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let at = |part: &str| format!("fields[{i}].{part}");
        if !is_key(&field.key) {
            errors.push(at("key"), Rule::Format { expected: "nama_usaha" });
        } else if !keys.insert(field.key.as_str()) {
            errors.push(at("key"), Rule::Duplicate);
        }
        label(&mut errors, &at("label"), &field.label);
        label(&mut errors, &at("label_en"), &field.label_en);
        match &field.kind {
            FieldKind::Text { max_chars } => {
                errors.range(&at("max_chars"), i64::from(*max_chars), 1, i64::from(MAX_TEXT_CHARS));
            }
            FieldKind::Number { min, max } => {
                if max < min {
                    errors.push(at("max"), Rule::BelowMinimum { min: *min });
                }
            }
            FieldKind::Choice { options } => {
                if options.is_empty() {
                    errors.push(at("options"), Rule::Required);
                } else if options.len() > MAX_CHOICE_OPTIONS {
                    errors.push(at("options"), Rule::TooMany { max: MAX_CHOICE_OPTIONS });
                } else {
                    let mut values = HashSet::new();
                    for (j, option) in options.iter().enumerate() {
                        let at = |part: &str| format!("fields[{i}].options[{j}].{part}");
                        // The value is stored as submitted: no trimming, so it must be tidy already.
                        if option.value.trim().is_empty() {
                            errors.push(at("value"), Rule::Required);
                        } else if option.value.trim() != option.value {
                            errors.push(at("value"), Rule::Format { expected: "ya" });
                        } else if option.value.chars().count() > MAX_OPTION_VALUE_CHARS {
                            errors.push(at("value"), Rule::TooLong { max: MAX_OPTION_VALUE_CHARS });
                        } else if !values.insert(option.value.as_str()) {
                            errors.push(at("value"), Rule::Duplicate);
                        }
                        label(&mut errors, &at("label"), &option.label);
                        label(&mut errors, &at("label_en"), &option.label_en);
                    }
                }
            }
            FieldKind::Date | FieldKind::Address | FieldKind::YesNo => {}
        }
        if let Some(prefill) = field.prefill
            && !prefill.fits(&field.kind)
        {
            errors.push(at("prefill"), Rule::NotForThisKind);
        }
    }
    errors.into_result()
}

fn titled(mut schema: Map<String, Value>, field: &FormField) -> Value {
    schema.insert("title".into(), json!(field.label));
    schema.insert("x-title-en".into(), json!(field.label_en));
    if let Some(prefill) = field.prefill {
        schema.insert("x-prefill".into(), json!(prefill.code()));
    }
    Value::Object(schema)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The JSON Schema (draft 2020-12) of the object of a form's values. The Indonesian label is the
/// `title`, the English one `x-title-en`.
pub fn json_schema(fields: &[FormField]) -> Value {
    let mut properties = Map::new();
    for field in fields {
        let schema = match &field.kind {
            FieldKind::Text { max_chars } if field.required => {
                json!({"type": "string", "minLength": 1, "maxLength": max_chars})
            }
            FieldKind::Text { max_chars } => json!({"type": "string", "maxLength": max_chars}),
            FieldKind::Number { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
            FieldKind::Date => json!({"type": "string", "format": "date"}),
            FieldKind::Choice { options } => {
                json!({"type": "string", "enum": options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>()})
            }
            FieldKind::Address => json!({
                "type": "object",
                "properties": {
                    "region": {"type": "string", "pattern": "^\\d{10}$"},
                    "street": {"type": "string", "minLength": 1, "maxLength": MAX_STREET_CHARS},
                },
                "required": ["region", "street"],
                "additionalProperties": false,
            }),
            FieldKind::YesNo => json!({"type": "boolean"}),
        };
        properties.insert(field.key.clone(), titled(object(schema), field));
    }
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.key.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// What was wrong with one submitted value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum FieldRule {
    /// More keys than any form has: nothing was looked at.
    TooManyFields {
        max: usize,
    },
    /// The form has no such field.
    UnknownField,
    Required,
    /// A value of another type: `expected` is the JSON Schema type.
    WrongType {
        expected: &'static str,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    TooLong {
        max: usize,
    },
    NotAnOption,
    BadDate,
    /// Not a village code (10 digits) in a district that exists.
    BadRegion,
}

/// One problem with a submission, named by the field key (`key.region` and `key.street` for the two
/// parts of an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    #[serde(flatten)]
    pub rule: FieldRule,
}

impl FieldProblem {
    fn new(field: impl Into<String>, rule: FieldRule) -> FieldProblem {
        FieldProblem { field: field.into(), rule }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (&self.rule, lang) {
            (FieldRule::TooManyFields { max }, Lang::Id) => {
                format!("Terlalu banyak isian dikirim; formulir paling banyak memiliki {max} isian.")
            }
            (FieldRule::TooManyFields { max }, Lang::En) => {
                format!("Too many fields were sent; a form has at most {max} fields.")
            }
            (FieldRule::UnknownField, Lang::Id) => format!("Formulir ini tidak memiliki isian \"{}\".", self.field),
            (FieldRule::UnknownField, Lang::En) => format!("This form has no field \"{}\".", self.field),
            (FieldRule::Required, Lang::Id) => "Wajib diisi.".into(),
            (FieldRule::Required, Lang::En) => "Required.".into(),
            (FieldRule::WrongType { expected }, Lang::Id) => {
                format!("Isian ini harus berupa {}.", type_name(expected, lang))
            }
            (FieldRule::WrongType { expected }, Lang::En) => format!("This must be {}.", type_name(expected, lang)),
            (FieldRule::OutOfRange { min, max }, Lang::Id) => format!("Harus bilangan bulat antara {min} dan {max}."),
            (FieldRule::OutOfRange { min, max }, Lang::En) => format!("Must be a whole number from {min} to {max}."),
            (FieldRule::TooLong { max }, Lang::Id) => format!("Paling banyak {max} karakter."),
            (FieldRule::TooLong { max }, Lang::En) => format!("At most {max} characters."),
            (FieldRule::NotAnOption, Lang::Id) => "Pilih salah satu pilihan yang tersedia.".into(),
            (FieldRule::NotAnOption, Lang::En) => "Choose one of the options offered.".into(),
            (FieldRule::BadDate, Lang::Id) => {
                "Tanggal tidak sah; tulis sebagai TTTT-BB-HH, misalnya 2026-08-17.".into()
            }
            (FieldRule::BadDate, Lang::En) => "Not a valid date; write it as YYYY-MM-DD, such as 2026-08-17.".into(),
            (FieldRule::BadRegion, Lang::Id) => {
                "Kode kelurahan/desa tidak dikenal; pilih kelurahan/desa dari daftar (10 angka).".into()
            }
            (FieldRule::BadRegion, Lang::En) => {
                "Unknown village code; choose the village from the list (10 digits).".into()
            }
        }
    }
}

fn type_name(expected: &str, lang: Lang) -> &'static str {
    match expected {
        "integer" => lang.pick("bilangan bulat", "a whole number"),
        "boolean" => lang.pick("ya atau tidak", "yes or no"),
        "object" => lang.pick("alamat (kelurahan/desa dan jalan)", "an address (village and street)"),
        _ => lang.pick("teks", "text"),
    }
}

/// A submission that passed [`validate_fields`]: only the form's keys, values normalised (text and
/// street trimmed, numbers and yes/no as JSON numbers and booleans, the region code bare); an optional
/// field left empty is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldValues(Map<String, Value>);

impl FieldValues {
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
}

/// A submitted value, or nothing when it is absent, null or blank text.
fn present(value: Option<&Value>) -> Option<&Value> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(value) => Some(value),
    }
}

fn text(value: &Value, max: usize) -> Result<Value, FieldRule> {
    let Value::String(s) = value else {
        return Err(FieldRule::WrongType { expected: "string" });
    };
    let trimmed = s.trim();
    if trimmed.chars().count() > max {
        return Err(FieldRule::TooLong { max });
    }
    Ok(Value::String(trimmed.to_owned()))
}

fn number(value: &Value, min: i64, max: i64) -> Result<Value, FieldRule> {
    // An HTML form sends numbers as text.
    let n = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let n = n.ok_or(FieldRule::WrongType { expected: "integer" })?;
    if n < min || n > max {
        return Err(FieldRule::OutOfRange { min, max });
    }
    Ok(Value::from(n))
}

fn date(value: &Value) -> Result<Value, FieldRule> {
    let Value::String(s) = value else {
        return Err(FieldRule::WrongType { expected: "string" });
    };
    let s = s.trim();
    // Only the full form YYYY-MM-DD (chrono alone would take `2026-8-7`).
    if s.len() != 10 {
        return Err(FieldRule::BadDate);
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| FieldRule::BadDate)?;
    Ok(Value::String(date.format("%Y-%m-%d").to_string()))
}

fn yes_no(value: &Value) -> Result<Value, FieldRule> {
    // An HTML checkbox or radio sends text.
    match value {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s.trim() == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s.trim() == "false" => Ok(Value::Bool(false)),
        _ => Err(FieldRule::WrongType { expected: "boolean" }),
    }
}

/// A village code, 10 digits, whose district is in the official lists.
fn is_village(code: &str) -> bool {
    code.len() == 10
        && code.bytes().all(|b| b.is_ascii_digit())
        && RegionCode::parse_undotted(code)
            .is_ok_and(|region| region.level() == RegionLevel::Village && is_known_region(&region.as_str()[..8]))
}

fn address(key: &str, value: &Value, problems: &mut Vec<FieldProblem>) -> Option<Value> {
    let Value::Object(parts) = value else {
        problems.push(FieldProblem::new(key, FieldRule::WrongType { expected: "object" }));
        return None;
    };
    if let Some(other) = parts.keys().find(|k| *k != "region" && *k != "street") {
        problems.push(FieldProblem::new(format!("{key}.{other}"), FieldRule::UnknownField));
    }
    let region = match present(parts.get("region")) {
        None => {
            problems.push(FieldProblem::new(format!("{key}.region"), FieldRule::Required));
            None
        }
        Some(Value::String(code)) if is_village(code.trim()) => Some(code.trim().to_owned()),
        Some(_) => {
            problems.push(FieldProblem::new(format!("{key}.region"), FieldRule::BadRegion));
            None
        }
    };
    let street = match present(parts.get("street")) {
        None => {
            problems.push(FieldProblem::new(format!("{key}.street"), FieldRule::Required));
            None
        }
        Some(value) => text(value, MAX_STREET_CHARS)
            .map_err(|rule| problems.push(FieldProblem::new(format!("{key}.street"), rule)))
            .ok(),
    };
    match (region, street) {
        (Some(region), Some(street)) => Some(json!({"region": region, "street": street})),
        _ => None,
    }
}

/// Checks a citizen's submission against the form: every problem, named by field key, or the
/// normalised values. More than [`MAX_FORM_FIELDS`] keys are refused without looking at them.
pub fn validate_fields(fields: &[FormField], values: &Map<String, Value>) -> Result<FieldValues, Vec<FieldProblem>> {
    if values.len() > MAX_FORM_FIELDS {
        return Err(vec![FieldProblem::new("", FieldRule::TooManyFields { max: MAX_FORM_FIELDS })]);
    }
    let mut problems: Vec<FieldProblem> = values
        .keys()
        .filter(|key| !fields.iter().any(|f| &f.key == *key))
        .map(|key| FieldProblem::new(key.as_str(), FieldRule::UnknownField))
        .collect();
    let mut out = Map::new();
    for field in fields {
        let key = field.key.as_str();
        let Some(value) = present(values.get(key)) else {
            if field.required {
                problems.push(FieldProblem::new(key, FieldRule::Required));
            }
            continue;
        };
        let checked = match &field.kind {
            FieldKind::Text { max_chars } => text(value, usize::try_from(*max_chars).unwrap_or(usize::MAX)),
            FieldKind::Number { min, max } => number(value, *min, *max),
            FieldKind::Date => date(value),
            FieldKind::Choice { options } => match value {
                Value::String(s) if options.iter().any(|o| o.value == s.trim()) => {
                    Ok(Value::String(s.trim().to_owned()))
                }
                Value::String(_) => Err(FieldRule::NotAnOption),
                _ => Err(FieldRule::WrongType { expected: "string" }),
            },
            FieldKind::Address => match address(key, value, &mut problems) {
                Some(value) => Ok(value),
                None => continue,
            },
            FieldKind::YesNo => yes_no(value),
        };
        match checked {
            Ok(value) => {
                out.insert(key.to_owned(), value);
            }
            Err(rule) => problems.push(FieldProblem::new(key, rule)),
        }
    }
    if problems.is_empty() { Ok(FieldValues(out)) } else { Err(problems) }
}

/// A document an application asks for, derived from a requirement of the service standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredDocument {
    /// The document type's code, made unique within the standard: `ktp`, `ktp-2`, ….
    pub code: String,
    pub name: String,
    pub doc_type: DocumentType,
    pub required: bool,
    /// The government holds it already and can read it instead of asking for a copy.
    pub held_by_government: bool,
    /// The file types accepted for upload.
    pub accepted: &'static [&'static str],
}

/// The documents a standard's requirements ask for, in order; every one is required.
pub fn required_documents(requirements: &[Requirement]) -> Vec<RequiredDocument> {
    let mut seen: Vec<(DocumentType, usize)> = Vec::new();
    requirements
        .iter()
        .map(|requirement| {
            let count = match seen.iter_mut().find(|(t, _)| *t == requirement.doc_type) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((requirement.doc_type, 1));
                    1
                }
            };
            let base = requirement.doc_type.code();
            RequiredDocument {
                code: if count == 1 { base.to_owned() } else { format!("{base}-{count}") },
                name: requirement.document.trim().to_owned(),
                doc_type: requirement.doc_type,
                required: true,
                held_by_government: requirement.held_by_government,
                accepted: ACCEPTED_DOCUMENT_TYPES,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// The problems of a submission as the field errors every edge already shows (problem+json's
/// `errors`, a form's marked fields): each keeps its field name and the nearest general rule.
pub fn into_field_errors(problems: Vec<FieldProblem>) -> crate::validation::FieldErrors {
    use crate::validation::Rule;
    let mut errors = crate::validation::FieldErrors::default();
    for problem in problems {
        let rule = match problem.rule {
            FieldRule::TooManyFields { max } => Rule::TooMany { max },
            FieldRule::UnknownField | FieldRule::NotAnOption => Rule::Unknown,
            FieldRule::Required => Rule::Required,
            FieldRule::WrongType { expected } => Rule::Format { expected },
            FieldRule::OutOfRange { min, max } => Rule::OutOfRange { min, max },
            FieldRule::TooLong { max } => Rule::TooLong { max },
            FieldRule::BadDate => Rule::Format { expected: "2026-08-17" },
            FieldRule::BadRegion => Rule::Format { expected: "5371011001" },
        };
        errors.push(problem.field, rule);
    }
    errors
}

#[cfg(test)]
mod field_error_tests {
    use super::*;
    use crate::validation::Rule;

    #[test]
    fn each_problem_keeps_its_field_and_the_nearest_general_rule() {
        let problems = vec![
            FieldProblem::new("nama", FieldRule::Required),
            FieldProblem::new("lahir", FieldRule::BadDate),
            FieldProblem::new("x", FieldRule::UnknownField),
            FieldProblem::new("umur", FieldRule::OutOfRange { min: 0, max: 150 }),
        ];
        let errors = into_field_errors(problems);
        assert_eq!(errors.for_field("nama"), Some(&Rule::Required));
        assert_eq!(errors.for_field("lahir"), Some(&Rule::Format { expected: "2026-08-17" }));
        assert_eq!(errors.for_field("x"), Some(&Rule::Unknown));
        assert_eq!(errors.for_field("umur"), Some(&Rule::OutOfRange { min: 0, max: 150 }));
    }
}
