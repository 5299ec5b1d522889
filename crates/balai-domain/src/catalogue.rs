//! The service catalogue: a service's Standar Pelayanan (UU 25/2009 Pasal 21, PermenPANRB 15/2014).
//!
//! Fourteen components: six published to the public (requirements, procedure, completion time, fee,
//! product, complaint handling) and eight for internal management. A standard is issued by decree; every
//! change is a new version and old versions stay readable, because an application is judged by the
//! standard it was made under.

use crate::Lang;
use crate::calendar::MAX_WORKING_DAYS;
use crate::money::Rupiah;
use crate::validation::{FieldErrors, Rule};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Kinds of supporting document. The government already holds some of them (population data, business
/// registration), which lets later flows read them instead of asking the citizen for a copy (once-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Ktp,
    Kk,
    AktaKelahiran,
    AktaPerkawinan,
    AktaKematian,
    AktaPerceraian,
    Ijazah,
    Npwp,
    Nib,
    SertifikatTanah,
    SpptPbb,
    PasFoto,
    SuratPengantar,
    SuratKeterangan,
    SuratPernyataan,
    Formulir,
    GambarTeknis,
    DokumenLingkungan,
    Str,
    Lainnya,
}

impl DocumentType {
    pub const ALL: [DocumentType; 20] = [
        Self::Ktp,
        Self::Kk,
        Self::AktaKelahiran,
        Self::AktaPerkawinan,
        Self::AktaKematian,
        Self::AktaPerceraian,
        Self::Ijazah,
        Self::Npwp,
        Self::Nib,
        Self::SertifikatTanah,
        Self::SpptPbb,
        Self::PasFoto,
        Self::SuratPengantar,
        Self::SuratKeterangan,
        Self::SuratPernyataan,
        Self::Formulir,
        Self::GambarTeknis,
        Self::DokumenLingkungan,
        Self::Str,
        Self::Lainnya,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ktp => "ktp",
            Self::Kk => "kk",
            Self::AktaKelahiran => "akta_kelahiran",
            Self::AktaPerkawinan => "akta_perkawinan",
            Self::AktaKematian => "akta_kematian",
            Self::AktaPerceraian => "akta_perceraian",
            Self::Ijazah => "ijazah",
            Self::Npwp => "npwp",
            Self::Nib => "nib",
            Self::SertifikatTanah => "sertifikat_tanah",
            Self::SpptPbb => "sppt_pbb",
            Self::PasFoto => "pas_foto",
            Self::SuratPengantar => "surat_pengantar",
            Self::SuratKeterangan => "surat_keterangan",
            Self::SuratPernyataan => "surat_pernyataan",
            Self::Formulir => "formulir",
            Self::GambarTeknis => "gambar_teknis",
            Self::DokumenLingkungan => "dokumen_lingkungan",
            Self::Str => "str",
            Self::Lainnya => "lainnya",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (id, en) = match self {
            Self::Ktp => ("KTP-el", "Electronic ID card (KTP-el)"),
            Self::Kk => ("Kartu Keluarga", "Family card (KK)"),
            Self::AktaKelahiran => ("Akta kelahiran", "Birth certificate"),
            Self::AktaPerkawinan => ("Akta perkawinan / buku nikah", "Marriage certificate"),
            Self::AktaKematian => ("Akta kematian", "Death certificate"),
            Self::AktaPerceraian => ("Akta perceraian", "Divorce certificate"),
            Self::Ijazah => ("Ijazah", "School certificate"),
            Self::Npwp => ("NPWP", "Tax number (NPWP)"),
            Self::Nib => ("NIB", "Business identification number (NIB)"),
            Self::SertifikatTanah => ("Sertifikat tanah", "Land title"),
            Self::SpptPbb => ("SPPT PBB", "Property tax notice (SPPT PBB)"),
            Self::PasFoto => ("Pas foto", "Passport photo"),
            Self::SuratPengantar => ("Surat pengantar", "Cover letter"),
            Self::SuratKeterangan => ("Surat keterangan", "Statement letter"),
            Self::SuratPernyataan => ("Surat pernyataan", "Declaration"),
            Self::Formulir => ("Formulir", "Form"),
            Self::GambarTeknis => ("Gambar teknis", "Technical drawing"),
            Self::DokumenLingkungan => ("Dokumen lingkungan", "Environmental document"),
            Self::Str => ("STR", "Professional registration (STR)"),
            Self::Lainnya => ("Lainnya", "Other"),
        };
        lang.pick(id, en)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub document: String,
    pub doc_type: DocumentType,
    /// The government already holds this document in its own data (once-only principle).
    pub held_by_government: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureStep {
    pub description: String,
    /// The unit responsible for the step: every hand-over has an owner and a deadline.
    pub unit_id: i64,
    pub sla_days: i64,
}

/// One version of a service's Standar Pelayanan, all fourteen components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStandard {
    pub name: String,
    pub name_en: String,
    pub summary: String,
    pub keywords: Vec<String>,
    // The six public components.
    pub requirements: Vec<Requirement>,
    pub steps: Vec<ProcedureStep>,
    pub sla_days: i64,
    pub fee: Rupiah,
    pub fee_legal_basis: String,
    pub product: String,
    pub complaint_handling: String,
    // The eight internal components.
    pub legal_basis: Vec<String>,
    pub facilities: String,
    pub competence: String,
    pub internal_supervision: String,
    pub staff_count: i64,
    pub service_guarantee: String,
    pub security_guarantee: String,
    pub performance_evaluation: String,
    // The decree that issues this version.
    pub sk_number: String,
    pub effective_date: NaiveDate,
}

/// The fourteen components of a Standar Pelayanan (PermenPANRB 15/2014, Lampiran): six public, eight
/// for internal management. Each is held by one or more [`StandardField`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Component {
    Requirements,
    Procedure,
    CompletionTime,
    Fee,
    Product,
    ComplaintHandling,
    LegalBasis,
    Facilities,
    Competence,
    InternalSupervision,
    StaffCount,
    ServiceGuarantee,
    SecurityGuarantee,
    PerformanceEvaluation,
}

impl Component {
    pub const ALL: [Component; 14] = [
        Self::Requirements,
        Self::Procedure,
        Self::CompletionTime,
        Self::Fee,
        Self::Product,
        Self::ComplaintHandling,
        Self::LegalBasis,
        Self::Facilities,
        Self::Competence,
        Self::InternalSupervision,
        Self::StaffCount,
        Self::ServiceGuarantee,
        Self::SecurityGuarantee,
        Self::PerformanceEvaluation,
    ];

    /// The six components published to the public (UU 25/2009 Pasal 21).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::Requirements
                | Self::Procedure
                | Self::CompletionTime
                | Self::Fee
                | Self::Product
                | Self::ComplaintHandling
        )
    }

    /// The fields of a standard that hold this component.
    pub fn fields(self) -> impl Iterator<Item = StandardField> {
        StandardField::ALL.into_iter().filter(move |f| f.component() == Some(self))
    }
}

/// Every field of a [`ServiceStandard`]: the fourteen components, and what names, finds and issues the
/// version. This is the one list of them; the store's columns, the API document, the seed file and the
/// officer's form follow it (each checked against it by a test where it must still name the fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardField {
    Name,
    NameEn,
    Summary,
    Keywords,
    SlaDays,
    Fee,
    FeeLegalBasis,
    Product,
    ComplaintHandling,
    LegalBasis,
    Facilities,
    Competence,
    InternalSupervision,
    StaffCount,
    ServiceGuarantee,
    SecurityGuarantee,
    PerformanceEvaluation,
    SkNumber,
    Requirements,
    Steps,
    EffectiveDate,
}

impl StandardField {
    /// In the order the officer's form shows them.
    pub const ALL: [StandardField; 21] = [
        Self::Name,
        Self::NameEn,
        Self::Summary,
        Self::Keywords,
        Self::SlaDays,
        Self::Fee,
        Self::FeeLegalBasis,
        Self::Product,
        Self::ComplaintHandling,
        Self::LegalBasis,
        Self::Facilities,
        Self::Competence,
        Self::InternalSupervision,
        Self::StaffCount,
        Self::ServiceGuarantee,
        Self::SecurityGuarantee,
        Self::PerformanceEvaluation,
        Self::SkNumber,
        Self::Requirements,
        Self::Steps,
        Self::EffectiveDate,
    ];

    /// The field's name in [`ServiceStandard`], its serialisation, the API document, the seed file and
    /// the `service_versions` column; also the key its validation errors carry.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameEn => "name_en",
            Self::Summary => "summary",
            Self::Keywords => "keywords",
            Self::SlaDays => "sla_days",
            Self::Fee => "fee",
            Self::FeeLegalBasis => "fee_legal_basis",
            Self::Product => "product",
            Self::ComplaintHandling => "complaint_handling",
            Self::LegalBasis => "legal_basis",
            Self::Facilities => "facilities",
            Self::Competence => "competence",
            Self::InternalSupervision => "internal_supervision",
            Self::StaffCount => "staff_count",
            Self::ServiceGuarantee => "service_guarantee",
            Self::SecurityGuarantee => "security_guarantee",
            Self::PerformanceEvaluation => "performance_evaluation",
            Self::SkNumber => "sk_number",
            Self::Requirements => "requirements",
            Self::Steps => "steps",
            Self::EffectiveDate => "effective_date",
        }
    }

    /// The component the field holds; `None` for what names, finds and issues the version.
    pub fn component(self) -> Option<Component> {
        Some(match self {
            Self::Name | Self::NameEn | Self::Summary | Self::Keywords | Self::SkNumber | Self::EffectiveDate => {
                return None;
            }
            Self::Requirements => Component::Requirements,
            Self::Steps => Component::Procedure,
            Self::SlaDays => Component::CompletionTime,
            Self::Fee | Self::FeeLegalBasis => Component::Fee,
            Self::Product => Component::Product,
            Self::ComplaintHandling => Component::ComplaintHandling,
            Self::LegalBasis => Component::LegalBasis,
            Self::Facilities => Component::Facilities,
            Self::Competence => Component::Competence,
            Self::InternalSupervision => Component::InternalSupervision,
            Self::StaffCount => Component::StaffCount,
            Self::ServiceGuarantee => Component::ServiceGuarantee,
            Self::SecurityGuarantee => Component::SecurityGuarantee,
            Self::PerformanceEvaluation => Component::PerformanceEvaluation,
        })
    }

    /// A list of rows (requirements, procedure steps) rather than one value.
    pub fn is_rows(self) -> bool {
        matches!(self, Self::Requirements | Self::Steps)
    }

    /// The field's label as officers read it, in Indonesian and English; where a value is typed as a
    /// list, the label says how.
    pub const fn labels(self) -> (&'static str, &'static str) {
        match self {
            Self::Name => ("Nama layanan", "Service name"),
            Self::NameEn => ("Nama layanan (bahasa Inggris)", "Service name (English)"),
            Self::Summary => ("Ringkasan", "Summary"),
            Self::Keywords => ("Kata kunci (pisahkan dengan koma)", "Keywords (comma-separated)"),
            Self::SlaDays => ("Jangka waktu penyelesaian (hari kerja)", "Completion time (working days)"),
            Self::Fee => ("Biaya/tarif (Rupiah)", "Fee (rupiah)"),
            Self::FeeLegalBasis => ("Dasar hukum biaya", "Legal basis of the fee"),
            Self::Product => ("Produk layanan", "Product"),
            Self::ComplaintHandling => ("Penanganan pengaduan, saran dan masukan", "Complaint handling"),
            Self::LegalBasis => ("Dasar hukum (satu per baris)", "Legal basis (one per line)"),
            Self::Facilities => ("Sarana, prasarana dan/atau fasilitas", "Facilities"),
            Self::Competence => ("Kompetensi pelaksana", "Staff competence"),
            Self::InternalSupervision => ("Pengawasan internal", "Internal supervision"),
            Self::StaffCount => ("Jumlah pelaksana", "Number of staff"),
            Self::ServiceGuarantee => ("Jaminan pelayanan", "Service guarantee"),
            Self::SecurityGuarantee => ("Jaminan keamanan dan keselamatan pelayanan", "Security and safety guarantee"),
            Self::PerformanceEvaluation => ("Evaluasi kinerja pelaksana", "Performance evaluation"),
            Self::SkNumber => ("Nomor SK penetapan", "Decree (SK) number"),
            Self::Requirements => ("Persyaratan", "Requirements"),
            Self::Steps => ("Tahap prosedur", "Procedure steps"),
            Self::EffectiveDate => ("Tanggal berlaku", "Effective date"),
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (id, en) = self.labels();
        lang.pick(id, en)
    }
}

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 4000;
pub const MAX_FEE: i64 = 1_000_000_000_000;
/// Requirements one standard may list. PermenPAN-RB 15/2014 sets no number; the longest published
/// standards list a few dozen, and every row is shown to every applicant.
pub const MAX_REQUIREMENTS: usize = 50;
/// Procedure steps one standard may list (each one a hand-over with its own owner and deadline).
pub const MAX_STEPS: usize = 50;
/// The years an effective date may fall in: a decree of this century, not a typing slip.
pub const EFFECTIVE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Service codes are short, stable and safe in URLs: `AKTA-LAHIR`.
pub fn validate_service_code(code: &str, errors: &mut FieldErrors) {
    let well_formed = !code.is_empty()
        && code.len() <= 40
        && code
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    if code.is_empty() {
        errors.push("code", Rule::Required);
    } else if !well_formed {
        errors.push("code", Rule::Format { expected: "AKTA-LAHIR" });
    }
}

impl ServiceStandard {
    /// Checks every rule that needs no other data: presence, lengths, ranges, and that the steps fit in
    /// the completion time. Whether each step's unit belongs to the agency is checked where units live.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        e.text("name", &self.name, MAX_NAME);
        e.text("name_en", &self.name_en, MAX_NAME);
        e.text("summary", &self.summary, MAX_TEXT);
        e.range("sla_days", self.sla_days, 0, i64::from(MAX_WORKING_DAYS));
        e.range("fee", self.fee.0, 0, MAX_FEE);
        e.text("fee_legal_basis", &self.fee_legal_basis, MAX_TEXT);
        e.text("product", &self.product, MAX_TEXT);
        e.text("complaint_handling", &self.complaint_handling, MAX_TEXT);
        if self.legal_basis.iter().all(|l| l.trim().is_empty()) {
            e.push("legal_basis", Rule::Required);
        }
        e.text("facilities", &self.facilities, MAX_TEXT);
        e.text("competence", &self.competence, MAX_TEXT);
        e.text("internal_supervision", &self.internal_supervision, MAX_TEXT);
        e.range("staff_count", self.staff_count, 1, 10_000);
        e.text("service_guarantee", &self.service_guarantee, MAX_TEXT);
        e.text("security_guarantee", &self.security_guarantee, MAX_TEXT);
        e.text("performance_evaluation", &self.performance_evaluation, MAX_TEXT);
        e.text("sk_number", &self.sk_number, MAX_NAME);
        if self.requirements.is_empty() {
            e.push("requirements", Rule::Required);
        } else if self.requirements.len() > MAX_REQUIREMENTS {
            e.push("requirements", Rule::TooMany { max: MAX_REQUIREMENTS });
        }
        for (i, r) in self.requirements.iter().enumerate() {
            e.text(&format!("requirements[{i}].document"), &r.document, MAX_NAME);
            e.optional_text(&format!("requirements[{i}].note"), &r.note, MAX_NAME);
        }
        if self.steps.is_empty() {
            e.push("steps", Rule::Required);
        } else if self.steps.len() > MAX_STEPS {
            e.push("steps", Rule::TooMany { max: MAX_STEPS });
        }
        for (i, s) in self.steps.iter().enumerate() {
            e.text(&format!("steps[{i}].description"), &s.description, MAX_TEXT);
            e.range(&format!("steps[{i}].sla_days"), s.sla_days, 0, i64::from(MAX_WORKING_DAYS));
        }
        // Each step is clamped to the range it is checked against above, so the sum cannot overflow
        // and an out-of-range step is reported once, at the step.
        let steps_total: i64 =
            self.steps.iter().map(|s| s.sla_days.clamp(0, i64::from(MAX_WORKING_DAYS))).fold(0, i64::saturating_add);
        if steps_total > self.sla_days && self.sla_days >= 0 {
            e.push("steps", Rule::StepsExceedSla { steps_total, sla_days: self.sla_days });
        }
        e.range(
            "effective_date",
            i64::from(self.effective_date.year()),
            i64::from(*EFFECTIVE_YEARS.start()),
            i64::from(*EFFECTIVE_YEARS.end()),
        );
        e.into_result()
    }

    /// Lower-case words used for keyword search: name, English name, keywords.
    pub fn search_text(&self) -> String {
        format!("{} {} {}", self.name, self.name_en, self.keywords.join(" ")).to_lowercase()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn every_document_type_and_standard_field_has_its_own_label_in_each_language() {
        for lang in Lang::ALL {
            let documents: std::collections::BTreeSet<&str> = DocumentType::ALL.iter().map(|d| d.label(lang)).collect();
            assert_eq!(documents.len(), DocumentType::ALL.len(), "two document types read alike in {lang:?}");
            assert!(documents.iter().all(|l| !l.trim().is_empty()));
            let fields: std::collections::BTreeSet<&str> = StandardField::ALL.iter().map(|f| f.label(lang)).collect();
            assert_eq!(fields.len(), StandardField::ALL.len(), "two fields read alike in {lang:?}");
        }
        assert_eq!(DocumentType::Ktp.label(Lang::Id), "KTP-el");
        assert_eq!(StandardField::Fee.labels(), ("Biaya/tarif (Rupiah)", "Fee (rupiah)"));
    }

    #[test]
    fn only_requirements_and_steps_are_typed_as_rows() {
        let rows: Vec<StandardField> = StandardField::ALL.into_iter().filter(|f| f.is_rows()).collect();
        assert_eq!(rows.len(), 2);
        assert!(rows.contains(&StandardField::Requirements) && rows.contains(&StandardField::Steps));
    }

    #[test]
    fn a_service_is_found_by_either_name_or_a_keyword_in_lower_case() {
        let text = birth_certificate().search_text();
        assert_eq!(text, "penerbitan akta kelahiran birth certificate akta lahir");
    }

    pub fn birth_certificate() -> ServiceStandard {
        ServiceStandard {
            name: "Penerbitan Akta Kelahiran".into(),
            name_en: "Birth certificate".into(),
            summary: "Akta kelahiran untuk bayi yang baru lahir.".into(),
            keywords: vec!["akta".into(), "lahir".into()],
            requirements: vec![Requirement {
                document: "Surat keterangan lahir".into(),
                doc_type: DocumentType::SuratKeterangan,
                held_by_government: false,
                note: String::new(),
            }],
            steps: vec![
                ProcedureStep { description: "Verifikasi".into(), unit_id: 1, sla_days: 2 },
                ProcedureStep { description: "Penerbitan".into(), unit_id: 1, sla_days: 3 },
            ],
            sla_days: 5,
            fee: Rupiah(0),
            fee_legal_basis: "UU 24/2013 Pasal 79A".into(),
            product: "Kutipan akta kelahiran".into(),
            complaint_handling: "SP4N-LAPOR!".into(),
            legal_basis: vec!["UU 23/2006".into()],
            facilities: "Loket".into(),
            competence: "Operator".into(),
            internal_supervision: "Kepala bidang".into(),
            staff_count: 3,
            service_guarantee: "Tepat waktu".into(),
            security_guarantee: "Data aman".into(),
            performance_evaluation: "Tiap semester".into(),
            sk_number: "470/1/2025".into(),
            effective_date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
        }
    }

    #[test]
    fn a_complete_standard_is_valid() {
        assert_eq!(birth_certificate().validate(), Ok(()));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut s = birth_certificate();
        s.name = "  ".into();
        s.sla_days = -1;
        s.fee = Rupiah(-5);
        s.staff_count = 0;
        s.requirements[0].document = String::new();
        s.steps[1].sla_days = 1000;
        let errors = s.validate().unwrap_err();
        assert_eq!(errors.for_field("name"), Some(&Rule::Required));
        assert!(matches!(errors.for_field("sla_days"), Some(Rule::OutOfRange { .. })));
        assert!(matches!(errors.for_field("fee"), Some(Rule::OutOfRange { .. })));
        assert!(matches!(errors.for_field("staff_count"), Some(Rule::OutOfRange { .. })));
        assert_eq!(errors.for_field("requirements[0].document"), Some(&Rule::Required));
        assert!(matches!(errors.for_field("steps[1].sla_days"), Some(Rule::OutOfRange { .. })));
        assert_eq!(errors.for_field("summary"), None);
    }

    #[test]
    fn steps_must_fit_in_the_completion_time() {
        let mut s = birth_certificate();
        s.steps[1].sla_days = 4;
        let errors = s.validate().unwrap_err();
        assert_eq!(errors.for_field("steps"), Some(&Rule::StepsExceedSla { steps_total: 6, sla_days: 5 }));
        assert!(errors.0[0].rule.message(Lang::Id).contains("6 hari kerja"));
    }

    #[test]
    fn huge_step_times_are_refused_at_the_step_without_overflowing_the_sum() {
        let mut s = birth_certificate();
        s.steps[0].sla_days = i64::MAX;
        s.steps[1].sla_days = i64::MAX;
        let errors = s.validate().unwrap_err();
        assert!(matches!(errors.for_field("steps[0].sla_days"), Some(Rule::OutOfRange { max: 260, .. })));
        assert!(matches!(errors.for_field("steps[1].sla_days"), Some(Rule::OutOfRange { max: 260, .. })));
    }

    #[test]
    fn the_effective_date_is_one_of_this_century() {
        let mut s = birth_certificate();
        s.effective_date = NaiveDate::from_ymd_opt(262_142, 12, 31).unwrap();
        let errors = s.validate().unwrap_err();
        assert_eq!(errors.for_field("effective_date"), Some(&Rule::OutOfRange { min: 2000, max: 2100 }));
        s.effective_date = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert!(s.validate().is_err());
        s.effective_date = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn a_standard_lists_a_bounded_number_of_rows() {
        let mut s = birth_certificate();
        s.requirements = vec![s.requirements[0].clone(); MAX_REQUIREMENTS + 1];
        s.steps = vec![ProcedureStep { sla_days: 0, ..s.steps[0].clone() }; MAX_STEPS + 1];
        let errors = s.validate().unwrap_err();
        assert_eq!(errors.for_field("requirements"), Some(&Rule::TooMany { max: MAX_REQUIREMENTS }));
        assert_eq!(errors.for_field("steps"), Some(&Rule::TooMany { max: MAX_STEPS }));
        s.requirements.truncate(MAX_REQUIREMENTS);
        s.steps.truncate(MAX_STEPS);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn a_standard_needs_requirements_steps_and_legal_basis() {
        let mut s = birth_certificate();
        s.requirements.clear();
        s.steps.clear();
        s.legal_basis = vec![" ".into()];
        let errors = s.validate().unwrap_err();
        assert_eq!(errors.for_field("requirements"), Some(&Rule::Required));
        assert_eq!(errors.for_field("steps"), Some(&Rule::Required));
        assert_eq!(errors.for_field("legal_basis"), Some(&Rule::Required));
    }

    #[test]
    fn service_codes_are_url_safe_upper_case() {
        for ok in ["AKTA-LAHIR", "PBG", "KTP-EL-2"] {
            let mut e = FieldErrors::default();
            validate_service_code(ok, &mut e);
            assert!(e.is_empty(), "{ok}");
        }
        for bad in ["akta", "AKTA LAHIR", "-AKTA", "AKTA--LAHIR", "AKTA/1", &"A".repeat(41)] {
            let mut e = FieldErrors::default();
            validate_service_code(bad, &mut e);
            assert!(matches!(e.for_field("code"), Some(Rule::Format { .. })), "{bad}");
        }
    }

    #[test]
    fn the_field_list_names_every_field_of_the_standard_once() {
        // The standard's serialisation is its own list of fields: the two must be the same.
        let serialised = serde_json::to_value(birth_certificate()).unwrap();
        let mut struct_keys: Vec<&str> = serialised.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed: Vec<&str> = StandardField::ALL.iter().map(|f| f.key()).collect();
        struct_keys.sort_unstable();
        listed.sort_unstable();
        let before = listed.len();
        listed.dedup();
        assert_eq!(before, listed.len(), "a field is listed twice");
        assert_eq!(struct_keys, listed);
    }

    #[test]
    fn validation_errors_are_keyed_by_listed_fields() {
        let mut s = birth_certificate();
        s.requirements[0].document = String::new();
        s.steps[0].sla_days = -1;
        let blank = ServiceStandard {
            name: String::new(),
            name_en: String::new(),
            summary: String::new(),
            keywords: vec![],
            fee: Rupiah(-1),
            fee_legal_basis: String::new(),
            product: String::new(),
            complaint_handling: String::new(),
            legal_basis: vec![],
            facilities: String::new(),
            competence: String::new(),
            internal_supervision: String::new(),
            staff_count: 0,
            service_guarantee: String::new(),
            security_guarantee: String::new(),
            performance_evaluation: String::new(),
            sk_number: String::new(),
            sla_days: -1,
            effective_date: NaiveDate::MIN,
            ..s
        };
        let errors = blank.validate().unwrap_err();
        for e in &errors.0 {
            let base = e.field.split('[').next().unwrap_or_default();
            assert!(StandardField::ALL.iter().any(|f| f.key() == base), "{} is not a listed field", e.field);
        }
        let named: std::collections::HashSet<&str> =
            errors.0.iter().map(|e| e.field.split('[').next().unwrap_or_default()).collect();
        for f in StandardField::ALL.iter().filter(|f| !matches!(f, StandardField::Keywords)) {
            assert!(named.contains(f.key()), "{f:?} is not checked");
        }
    }

    #[test]
    fn fourteen_components_six_public_each_held_by_a_field() {
        assert_eq!(Component::ALL.len(), 14);
        assert_eq!(Component::ALL.iter().filter(|c| c.is_public()).count(), 6);
        for c in Component::ALL {
            assert!(c.fields().next().is_some(), "{c:?} has no field");
        }
        let with_component = StandardField::ALL.iter().filter(|f| f.component().is_some()).count();
        assert_eq!(with_component, Component::ALL.iter().map(|c| c.fields().count()).sum::<usize>());
    }

    #[test]
    fn every_field_is_labelled_in_both_languages() {
        for f in StandardField::ALL {
            let (id, en) = f.labels();
            assert!(!id.trim().is_empty() && !en.trim().is_empty(), "{f:?}");
            assert_eq!(f.label(Lang::Id), id);
            assert_eq!(f.label(Lang::En), en);
        }
    }

    #[test]
    fn document_type_codes_round_trip() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::parse(t.code()), Some(t));
        }
    }
}
