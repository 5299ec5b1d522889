//! An Open311 GeoReport v2 filing before any lookup: the posted form read into its fields, and the
//! checks that need nothing but the form and the service's extra questions. The web edge decodes the
//! form, finds the client, the government and the service, then asks [`Filing::check`]; the complaint
//! command checks the rest, as for the web form.
//!
//! Refusals name the field and the rule, never what was posted in it.

use super::MAX_TEXT_CHARS;
use serde::{Deserialize, Serialize};

/// The extra questions a service definition may carry.
pub const MAX_ATTRIBUTES: usize = 50;
/// The longest answer to an extra question, in characters.
pub const MAX_ATTRIBUTE_CHARS: usize = 500;
/// The longest title taken from a description's first line, in characters.
pub const MAX_FILED_TITLE_CHARS: usize = 120;

/// One of a service's extra questions, as stored in its category's `attributes` JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Attribute {
    pub code: String,
    #[serde(default = "string_type")]
    pub datatype: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub datatype_description: String,
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

/// A choice of a list question.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

fn string_type() -> String {
    "string".into()
}

/// A service's extra questions from its stored JSON: at most [`MAX_ATTRIBUTES`]; JSON that does not
/// read as a list of questions is no questions.
pub fn attributes(json: &str) -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = serde_json::from_str(json).unwrap_or_default();
    attributes.truncate(MAX_ATTRIBUTES);
    attributes
}

/// A posted `requests` form, read into the specification's fields (the first value of each name; a
/// field not posted is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing<'a> {
    pub api_key: &'a str,
    pub jurisdiction_id: &'a str,
    pub service_code: &'a str,
    pub lat: &'a str,
    pub long: &'a str,
    pub address_string: &'a str,
    pub description: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub media_url: &'a str,
    /// Every `attribute[code]` pair, in the order posted: the whole name and its value.
    pub answers: Vec<(&'a str, &'a str)>,
}

/// What a checked filing adds to the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The description's first line, at most [`MAX_FILED_TITLE_CHARS`] characters.
    pub title: String,
    /// The description with one line per answered extra question; empty when the description is.
    pub text: String,
    /// The reporter's name from `first_name` and `last_name`; empty for an anonymous filing.
    pub name: String,
}

/// Why a filing was refused: the Open311 field and the rule, in Indonesian with the English after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub message: String,
}

impl Refusal {
    fn new(field: &str, message: impl Into<String>) -> Refusal {
        Refusal { field: field.to_owned(), message: message.into() }
    }
}

/// The code of an `attribute[code]` field name.
fn attribute_code(name: &str) -> Option<&str> {
    name.strip_prefix("attribute[").and_then(|k| k.strip_suffix(']'))
}

impl<'a> Filing<'a> {
    pub fn read(form: &'a [(String, String)]) -> Filing<'a> {
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
        Filing {
            api_key: field("api_key"),
            jurisdiction_id: field("jurisdiction_id"),
            service_code: field("service_code"),
            lat: field("lat"),
            long: field("long"),
            address_string: field("address_string"),
            description: field("description"),
            first_name: field("first_name"),
            last_name: field("last_name"),
            email: field("email"),
            phone: field("phone"),
            media_url: field("media_url"),
            answers: form
                .iter()
                .filter(|(k, _)| attribute_code(k).is_some())
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    /// The checks a filing to a service with these extra questions must pass before the complaint
    /// command sees it, in the order a client fixes them: no remote media, a location, the
    /// description's length, then the answers.
    pub fn check(&self, attributes: &[Attribute]) -> Result<Checked, Refusal> {
        if !self.media_url.trim().is_empty() {
            return Err(Refusal::new(
                "media_url",
                "Balai tidak mengambil berkas dari alamat lain; kirim tanpa media_url (remote media is not fetched).",
            ));
        }
        if self.lat.trim().is_empty() && self.long.trim().is_empty() && self.address_string.trim().is_empty() {
            return Err(Refusal::new(
                "lat",
                "Lokasi wajib: kirim lat dan long, atau address_string (a location is required: lat and long, or address_string).",
            ));
        }
        if self.description.chars().count() > MAX_TEXT_CHARS {
            return Err(Refusal::new(
                "description",
                format!("Paling banyak {MAX_TEXT_CHARS} karakter (at most {MAX_TEXT_CHARS} characters)."),
            ));
        }
        let lines = self.answer_lines(attributes)?;
        let description = self.description.trim();
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim()).trim().to_owned();
        Ok(Checked {
            title: title_of(self.description),
            text: if description.is_empty() { String::new() } else { format!("{description}{lines}") },
            name,
        })
    }

    /// The answers to the service's extra questions, checked against their definitions, as lines
    /// to append to the report's text.
    fn answer_lines(&self, attributes: &[Attribute]) -> Result<String, Refusal> {
        let mut lines = String::new();
        for &(key, value) in &self.answers {
            let code = attribute_code(key).unwrap_or_default();
            let Some(attribute) = attributes.iter().find(|a| a.code == code) else {
                return Err(Refusal::new(key, "Atribut tidak dikenal untuk layanan ini (unknown attribute)."));
            };
            let value = value.trim();
            if value.chars().count() > MAX_ATTRIBUTE_CHARS {
                return Err(Refusal::new(
                    key,
                    format!("Paling banyak {MAX_ATTRIBUTE_CHARS} karakter (at most {MAX_ATTRIBUTE_CHARS} characters)."),
                ));
            }
            let fits = match attribute.datatype.as_str() {
                "number" => value.is_empty() || value.parse::<f64>().is_ok_and(f64::is_finite),
                "singlevaluelist" | "multivaluelist" => {
                    value.is_empty() || attribute.values.iter().any(|v| v.key == value)
                }
                _ => true,
            };
            if !fits {
                return Err(Refusal::new(key, "Nilai tidak sesuai jenis atribut (value does not fit the attribute)."));
            }
            if !value.is_empty() {
                let label = if attribute.description.is_empty() { &attribute.code } else { &attribute.description };
                lines.push_str(&format!("\n{label}: {value}"));
            }
        }
        for attribute in attributes.iter().filter(|a| a.required) {
            let name = format!("attribute[{}]", attribute.code);
            let answer = self.answers.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).unwrap_or_default();
            if answer.trim().is_empty() {
                return Err(Refusal::new(&name, "Wajib diisi (required)."));
            }
        }
        Ok(lines)
    }
}

/// The title of a report: the first line of its description, at most [`MAX_FILED_TITLE_CHARS`]
/// characters.
fn title_of(description: &str) -> String {
    let first = description.trim().lines().next().unwrap_or_default().trim();
    first.chars().take(MAX_FILED_TITLE_CHARS.min(super::MAX_TITLE_CHARS)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn questions() -> Vec<Attribute> {
        attributes(
            r#"[{"code":"depth","datatype":"number","required":true,"description":"Kedalaman (cm)"},
                {"code":"lane","datatype":"singlevaluelist","values":[{"key":"kiri","name":"Kiri"}]}]"#,
        )
    }

    #[test]
    fn a_filing_reads_the_first_value_of_each_field_and_every_answer_in_order() {
        let posted = form(&[
            ("api_key", "k1"),
            ("api_key", "k2"),
            ("lat", "-10.17"),
            ("attribute[lane]", "kiri"),
            ("description", "Jalan berlubang"),
            ("attribute[depth]", "12"),
        ]);
        let filing = Filing::read(&posted);
        assert_eq!((filing.api_key, filing.lat, filing.long), ("k1", "-10.17", ""));
        assert_eq!(filing.answers, vec![("attribute[lane]", "kiri"), ("attribute[depth]", "12")]);
        let checked = filing.check(&questions()).unwrap();
        assert_eq!(checked.title, "Jalan berlubang");
        assert_eq!(checked.text, "Jalan berlubang\nlane: kiri\nKedalaman (cm): 12");
        assert_eq!(checked.name, "");
    }

    #[test]
    fn each_check_names_its_field() {
        let refused = |pairs: &[(&str, &str)]| {
            let posted = form(pairs);
            Filing::read(&posted).check(&questions()).unwrap_err().field
        };
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(refused(&[("lat", "1"), ("media_url", "http://x"), ("attribute[depth]", "1")]), "media_url");
        assert_eq!(refused(&[("description", "d"), ("attribute[depth]", "1")]), "lat");
        assert_eq!(refused(&[("address_string", "Jl. A"), ("description", &long)]), "description");
        assert_eq!(refused(&[("lat", "1"), ("attribute[color]", "red")]), "attribute[color]");
        assert_eq!(refused(&[("lat", "1"), ("attribute[depth]", "NaN")]), "attribute[depth]");
        assert_eq!(
            refused(&[("lat", "1"), ("attribute[depth]", "1"), ("attribute[lane]", "tengah")]),
            "attribute[lane]"
        );
        assert_eq!(refused(&[("lat", "1"), ("attribute[depth]", " ")]), "attribute[depth]");
        assert_eq!(refused(&[("lat", "1")]), "attribute[depth]");
    }

    #[test]
    fn the_title_is_the_first_line_and_a_blank_description_leaves_the_text_empty() {
        let posted = form(&[
            ("long", "123.6"),
            ("first_name", " Maria "),
            ("last_name", "Ndun"),
            ("description", &format!("  {}\nbaris kedua", "a".repeat(200))),
        ]);
        let checked = Filing::read(&posted).check(&[]).unwrap();
        assert_eq!(checked.title, "a".repeat(MAX_FILED_TITLE_CHARS));
        assert!(checked.text.ends_with("baris kedua"));
        assert_eq!(checked.name, "Maria Ndun");
        let posted = form(&[("long", "123.6"), ("description", "  ")]);
        assert_eq!(Filing::read(&posted).check(&[]).unwrap().text, "");
    }

    #[test]
    fn unreadable_definitions_are_no_questions_and_many_are_cut() {
        assert!(attributes("{").is_empty() && attributes("{}").is_empty());
        let many = format!("[{}]", vec![r#"{"code":"q"}"#; MAX_ATTRIBUTES + 5].join(","));
        assert_eq!(attributes(&many).len(), MAX_ATTRIBUTES);
        assert_eq!(attributes(r#"[{"code":"q"}]"#)[0].datatype, "string");
    }
}
