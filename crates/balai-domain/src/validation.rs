//! Field-level validation results that every layer shares: the web layer shows them next to the field,
//! the API returns them in problem+json, the CLI prints them.

use crate::Lang;
use serde::Serialize;

/// The rule a value broke. Kept as data so each edge can phrase it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    /// More rows (requirements, steps) than a standard may list.
    TooMany {
        max: usize,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    Format {
        expected: &'static str,
    },
    Unknown,
    Duplicate,
    StepsExceedSla {
        steps_total: i64,
        sla_days: i64,
    },
    /// A number smaller than another it must not be below (a maximum below its minimum).
    BelowMinimum {
        min: i64,
    },
    /// A setting that does not fit the kind of field it is on (a birth date prefilled into a yes/no).
    NotForThisKind,
    /// Text that goes into the public audit log or a message must not carry a NIK, KK or phone number.
    ContainsPersonalNumber,
    /// A point outside the area it must lie in: `Indonesia`, or the `government`'s configured area.
    OutsideArea {
        area: &'static str,
    },
}

impl Rule {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Rule::Required, Lang::Id) => "Wajib diisi.".into(),
            (Rule::Required, Lang::En) => "Required.".into(),
            (Rule::TooLong { max }, Lang::Id) => format!("Paling banyak {max} karakter."),
            (Rule::TooLong { max }, Lang::En) => format!("At most {max} characters."),
            (Rule::TooShort { min }, Lang::Id) => format!("Paling sedikit {min} karakter."),
            (Rule::TooShort { min }, Lang::En) => format!("At least {min} characters."),
            (Rule::TooMany { max }, Lang::Id) => format!("Paling banyak {max} baris."),
            (Rule::TooMany { max }, Lang::En) => format!("At most {max} rows."),
            (Rule::OutOfRange { min, max }, Lang::Id) => format!("Harus antara {min} dan {max}."),
            (Rule::OutOfRange { min, max }, Lang::En) => {
                format!("Must be between {min} and {max}.")
            }
            (Rule::Format { expected }, Lang::Id) => {
                format!("Format tidak sah; contoh: {expected}.")
            }
            (Rule::Format { expected }, Lang::En) => {
                format!("Invalid format; for example: {expected}.")
            }
            (Rule::Unknown, Lang::Id) => "Tidak dikenal; pilih dari daftar.".into(),
            (Rule::Unknown, Lang::En) => "Unknown; choose from the list.".into(),
            (Rule::Duplicate, Lang::Id) => "Sudah dipakai.".into(),
            (Rule::Duplicate, Lang::En) => "Already in use.".into(),
            (Rule::StepsExceedSla { steps_total, sla_days }, Lang::Id) => format!(
                "Jumlah waktu tiap tahap ({steps_total} hari kerja) melebihi jangka waktu penyelesaian ({sla_days} hari kerja)."
            ),
            (Rule::StepsExceedSla { steps_total, sla_days }, Lang::En) => format!(
                "The steps add up to {steps_total} working days, more than the completion time ({sla_days} working days)."
            ),
            (Rule::BelowMinimum { min }, Lang::Id) => format!("Tidak boleh kurang dari {min}."),
            (Rule::BelowMinimum { min }, Lang::En) => format!("Must not be less than {min}."),
            (Rule::NotForThisKind, Lang::Id) => "Tidak cocok dengan jenis isian ini.".into(),
            (Rule::NotForThisKind, Lang::En) => "Does not fit this kind of field.".into(),
            (Rule::ContainsPersonalNumber, Lang::Id) => {
                "Jangan tulis NIK, nomor KK, nomor telepon atau angka panjang lain di sini.".into()
            }
            (Rule::OutsideArea { area: "Indonesia" }, Lang::Id) => "Lokasi harus berada di wilayah Indonesia.".into(),
            (Rule::OutsideArea { area: "Indonesia" }, Lang::En) => "The location must be in Indonesia.".into(),
            (Rule::OutsideArea { .. }, Lang::Id) => "Lokasi harus berada di wilayah pemerintah daerah ini.".into(),
            (Rule::OutsideArea { .. }, Lang::En) => "The location must be in this government's area.".into(),
            (Rule::ContainsPersonalNumber, Lang::En) => {
                "Do not write a NIK, family card number, phone number or other long number here.".into()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field or JSON pointer-like path, e.g. `name` or `steps[2].sla_days`.
    pub field: String,
    #[serde(flatten)]
    pub rule: Rule,
}

/// Collected field errors; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} field(s) failed validation", .0.len())]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, rule: Rule) {
        self.0.push(FieldError { field: field.into(), rule });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&Rule> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.rule)
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks a required text field and its length; returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.push(field, Rule::Required);
        } else if trimmed.chars().count() > max {
            self.push(field, Rule::TooLong { max });
        }
        trimmed.to_owned()
    }

    /// Checks an optional text field's length.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.chars().count() > max {
            self.push(field, Rule::TooLong { max });
        }
        trimmed.to_owned()
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.push(field, Rule::OutOfRange { min, max });
        }
    }
}
