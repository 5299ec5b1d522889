//! Seed data: the national holiday calendar and the demo governments' catalogues.
//!
//! The demo content is realistic Standar Pelayanan text for the Province of Nusa Tenggara Timur and
//! Kota Kupang, kept as TOML so a reviewer can read and correct it without touching code.

use crate::audit::Actor;
use crate::calendar::{self, Holiday, HolidayKind};
use crate::catalogue;
use crate::org::{self, NewAgency};
use crate::{Db, StoreError, Tx};
use balai_domain::IndonesianTimeZone;
use balai_domain::catalogue::{DocumentType, ProcedureStep, Requirement, ServiceStandard};
use balai_domain::money::Rupiah;
use balai_domain::region::RegionCode;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// National holidays and cuti bersama 2024–2027 (source: see data/README.md).
pub const NATIONAL_CALENDAR_CSV: &str = include_str!("../../../data/kalender/libur-nasional-2024-2027.csv");

/// The demo governments, province first so the city can follow it.
pub const DEMO_GOVERNMENTS: [&str; 2] =
    [include_str!("../seed/53-nusa-tenggara-timur.toml"), include_str!("../seed/53.71-kota-kupang.toml")];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed file is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("seed data is inconsistent: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernmentSeed {
    pub government: GovernmentHeader,
    pub categories: Vec<CategorySeed>,
    pub agencies: Vec<AgencySeed>,
    pub services: Vec<ServiceSeed>,
    /// The government's complaint desk, area, categories and answer templates (optional).
    #[serde(default)]
    pub complaints: Option<ComplaintsSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsSeed {
    /// The unit that verifies and disposes reports (pengelola pengaduan).
    pub desk_unit: String,
    /// `[min_lat, min_lon, max_lat, max_lon]`: reports must lie inside.
    pub area: Option<[f64; 4]>,
    pub similar_radius_m: u32,
    pub similar_days: u32,
    #[serde(default)]
    pub categories: Vec<ComplaintCategorySeed>,
    #[serde(default)]
    pub templates: Vec<ComplaintTemplateSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintCategorySeed {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub description: String,
    pub agency: Option<String>,
    #[serde(default)]
    pub keywords: String,
    /// Open311 attributes, as a JSON list.
    #[serde(default = "no_attributes")]
    pub attributes: String,
}

fn no_attributes() -> String {
    "[]".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintTemplateSeed {
    pub category: Option<String>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernmentHeader {
    pub region_code: String,
    pub name: String,
    pub time_zone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySeed {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencySeed {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub maklumat: String,
    #[serde(default)]
    pub units: Vec<UnitSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSeed {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSeed {
    pub code: String,
    pub agency: String,
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub sla_days: i64,
    pub fee: i64,
    pub fee_legal_basis: String,
    pub product: String,
    pub complaint_handling: String,
    pub legal_basis: Vec<String>,
    pub facilities: String,
    pub competence: String,
    pub internal_supervision: String,
    pub staff_count: i64,
    pub service_guarantee: String,
    pub security_guarantee: String,
    pub performance_evaluation: String,
    pub sk_number: String,
    pub effective_date: NaiveDate,
    pub requirements: Vec<RequirementSeed>,
    pub steps: Vec<StepSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementSeed {
    pub document: String,
    pub doc_type: String,
    pub held_by_government: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSeed {
    pub description: String,
    pub unit: String,
    pub sla_days: i64,
}

/// Parses the national calendar CSV (`tanggal,nama,kategori`), grouped by year.
pub fn national_holidays() -> Result<BTreeMap<i32, Vec<Holiday>>, SeedError> {
    let mut by_year: BTreeMap<i32, Vec<Holiday>> = BTreeMap::new();
    for (line_no, line) in NATIONAL_CALENDAR_CSV.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || SeedError::Invalid(format!("calendar line {}: {line}", line_no + 1));
        let mut fields = line.splitn(3, ',');
        let (Some(date), Some(name), Some(kind)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(bad());
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
        let kind = HolidayKind::parse(kind.trim()).ok_or_else(bad)?;
        by_year.entry(date.year()).or_default().push(Holiday { date, name: name.to_owned(), kind });
    }
    Ok(by_year)
}

/// Seeds one government from its TOML text, in the caller's transaction. Returns the government's id.
pub async fn seed_government(tx: &mut Tx, toml_text: &str) -> Result<i64, SeedError> {
    let seed: GovernmentSeed = toml::from_str(toml_text)?;
    let region = RegionCode::parse(&seed.government.region_code)
        .map_err(|e| SeedError::Invalid(format!("{}: {e}", seed.government.region_code)))?;
    let zone = IndonesianTimeZone::parse(&seed.government.time_zone)
        .ok_or_else(|| SeedError::Invalid(format!("time zone {}", seed.government.time_zone)))?;
    let actor = Actor::system("seed");
    let actor = &actor;
    let government = org::create_government(tx, actor, &region, &seed.government.name, zone).await?;

    for (year, holidays) in national_holidays()? {
        calendar::replace_year(tx, actor, government.id, year, &holidays).await?;
    }
    for c in &seed.categories {
        catalogue::create_category(tx, actor, government.id, &c.code, &c.name_id, &c.name_en).await?;
    }
    let mut agencies = HashMap::new();
    let mut units: HashMap<String, i64> = HashMap::new();
    for a in &seed.agencies {
        let agency = org::create_agency(
            tx,
            actor,
            government.id,
            &NewAgency {
                code: a.code.clone(),
                name: a.name.clone(),
                short_name: a.short_name.clone(),
                address: a.address.clone(),
                phone: a.phone.clone(),
                email: a.email.clone(),
                maklumat: a.maklumat.trim().to_owned(),
            },
        )
        .await?;
        // Parents may be listed after their children; insert in dependency order.
        let mut pending: Vec<&UnitSeed> = a.units.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for u in pending {
                let parent = match &u.parent {
                    None => None,
                    Some(p) => match units.get(p) {
                        Some(id) => Some(*id),
                        None => {
                            rest.push(u);
                            continue;
                        }
                    },
                };
                let unit = org::create_unit(tx, actor, &agency, parent, &u.code, &u.name).await?;
                units.insert(u.code.clone(), unit.id);
            }
            if rest.len() == before {
                return Err(SeedError::Invalid(format!("unit parents of agency {} do not resolve", a.code)));
            }
            pending = rest;
        }
        agencies.insert(a.code.clone(), agency);
    }
    for s in &seed.services {
        let agency = agencies
            .get(&s.agency)
            .ok_or_else(|| SeedError::Invalid(format!("service {}: agency {}", s.code, s.agency)))?;
        let standard = standard_from_seed(s, &units)?;
        catalogue::create_service(tx, agency, &s.category, &s.code, &standard, actor).await.map_err(|e| match e {
            StoreError::Invalid(errors) => SeedError::Invalid(format!("service {}: {:?}", s.code, errors.0)),
            other => SeedError::Store(other),
        })?;
    }
    if let Some(complaints) = &seed.complaints {
        seed_complaints(tx, government.id, complaints, &agencies, &units).await?;
    }
    Ok(government.id)
}

/// The complaint rules (DOMAIN.md's deadlines), categories and templates of a seeded government.
async fn seed_complaints(
    tx: &mut Tx,
    government_id: i64,
    seed: &ComplaintsSeed,
    agencies: &HashMap<String, org::Agency>,
    units: &HashMap<String, i64>,
) -> Result<(), SeedError> {
    use crate::complaints::{self, NewCategory, RulesEdit};
    let actor = Actor::system("seed");
    let invalid = |what: &str| SeedError::Invalid(format!("complaints: {what}"));
    let desk_unit_id = *units.get(&seed.desk_unit).ok_or_else(|| invalid(&format!("desk unit {}", seed.desk_unit)))?;
    let area = seed.area.map(|[min_lat, min_lon, max_lat, max_lon]| balai_domain::complaints::GeoBox {
        min_lat,
        min_lon,
        max_lat,
        max_lon,
    });
    let edit = RulesEdit {
        deadlines: balai_domain::complaints::DeadlineRules::DEFAULT,
        desk_unit_id,
        area,
        similar_radius_m: seed.similar_radius_m,
        similar_days: seed.similar_days,
        note: "Ketentuan awal: verifikasi 3 HK, informasi 5 HK, pengaduan 14 HK, pengaduan berkadar pengawasan 60 HK, tanggapan pelapor 10 HK (PermenPANRB 62/2018; periksa revisi 2025).",
    };
    let now = chrono::Utc::now();
    complaints::rules::publish_in(tx, &actor, None, government_id, &edit, now).await.map_err(|e| match e {
        StoreError::Invalid(errors) => invalid(&format!("rules {:?}", errors.0)),
        other => SeedError::Store(other),
    })?;
    let mut category_ids = HashMap::new();
    for c in &seed.categories {
        let agency_id = match &c.agency {
            Some(code) => Some(agencies.get(code).ok_or_else(|| invalid(&format!("agency {code}")))?.id),
            None => None,
        };
        let new = NewCategory {
            code: &c.code,
            name_id: &c.name_id,
            name_en: &c.name_en,
            description: c.description.trim(),
            agency_id,
            keywords: &c.keywords,
            attributes: &c.attributes,
        };
        let id = complaints::add_category_in(tx, &actor, government_id, &new).await.map_err(|e| match e {
            StoreError::Invalid(errors) => invalid(&format!("category {}: {:?}", c.code, errors.0)),
            other => SeedError::Store(other),
        })?;
        category_ids.insert(c.code.clone(), id);
    }
    for t in &seed.templates {
        let category_id = match &t.category {
            Some(code) => Some(*category_ids.get(code).ok_or_else(|| invalid(&format!("template category {code}")))?),
            None => None,
        };
        complaints::add_template_in(tx, &actor, government_id, category_id, &t.title, t.body.trim()).await?;
    }
    Ok(())
}

fn standard_from_seed(s: &ServiceSeed, units: &HashMap<String, i64>) -> Result<ServiceStandard, SeedError> {
    let requirements = s
        .requirements
        .iter()
        .map(|r| {
            let doc_type = DocumentType::parse(&r.doc_type)
                .ok_or_else(|| SeedError::Invalid(format!("service {}: document type {}", s.code, r.doc_type)))?;
            Ok(Requirement {
                document: r.document.clone(),
                doc_type,
                held_by_government: r.held_by_government,
                note: r.note.clone(),
            })
        })
        .collect::<Result<Vec<_>, SeedError>>()?;
    let steps = s
        .steps
        .iter()
        .map(|st| {
            let unit_id = *units
                .get(&st.unit)
                .ok_or_else(|| SeedError::Invalid(format!("service {}: unit {}", s.code, st.unit)))?;
            Ok(ProcedureStep { description: st.description.trim().to_owned(), unit_id, sla_days: st.sla_days })
        })
        .collect::<Result<Vec<_>, SeedError>>()?;
    Ok(ServiceStandard {
        name: s.name.clone(),
        name_en: s.name_en.clone(),
        summary: s.summary.trim().to_owned(),
        keywords: s.keywords.clone(),
        requirements,
        steps,
        sla_days: s.sla_days,
        fee: Rupiah(s.fee),
        fee_legal_basis: s.fee_legal_basis.trim().to_owned(),
        product: s.product.trim().to_owned(),
        complaint_handling: s.complaint_handling.trim().to_owned(),
        legal_basis: s.legal_basis.clone(),
        facilities: s.facilities.trim().to_owned(),
        competence: s.competence.trim().to_owned(),
        internal_supervision: s.internal_supervision.trim().to_owned(),
        staff_count: s.staff_count,
        service_guarantee: s.service_guarantee.trim().to_owned(),
        security_guarantee: s.security_guarantee.trim().to_owned(),
        performance_evaluation: s.performance_evaluation.trim().to_owned(),
        sk_number: s.sk_number.clone(),
        effective_date: s.effective_date,
    })
}

/// Seeds both demo governments in one transaction; does nothing if any government exists already,
/// so a second `balai demo` reuses the data.
pub async fn seed_demo(db: &Db) -> Result<bool, SeedError> {
    if !org::governments(db).await?.is_empty() {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    for text in DEMO_GOVERNMENTS {
        seed_government(&mut tx, text).await?;
    }
    demo_payments::seed_in(&mut tx, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// The demo citizen a newcomer signs in as (her one-time code appears on the demo inbox page).
/// Illustrative: this NIK is structurally valid but belongs to no one.
pub const DEMO_CITIZEN_NIK: &str = "5371045203900003";

/// A person the demo's population register knows but Balai does not hold yet: her first sign-in
/// (a code to the phone the register holds) creates her record.
pub const DEMO_REGISTER_ONLY_NIK: &str = "5371016605920004";

/// The demo's contact on record for [`DEMO_CITIZEN_NIK`] (e-mail), named on the sign-in page.
pub const DEMO_CITIZEN_EMAIL: &str = "maria.lado@contoh.id";

/// The demo's population register (Disdukcapil's data as the connector would return it).
pub fn demo_register() -> Vec<(String, crate::identity::register::RegisterRecord)> {
    use crate::identity::register::RegisterRecord;
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    vec![
        (
            DEMO_CITIZEN_NIK.into(),
            RegisterRecord {
                full_name: "Maria Yosefina Lado".into(),
                birth_place: "Kupang".into(),
                birth_date: date(1990, 3, 12),
                sex: Some("P".into()),
                address: Some("Jl. Frans Seda No. 12, RT 005/RW 002, Kel. Fatululi, Kec. Oebobo, Kota Kupang".into()),
                region_code: Some("53.71.04".into()),
                kk: Some("5371040101100021".into()),
                phone: Some("+6281234500011".into()),
                email: Some(DEMO_CITIZEN_EMAIL.into()),
            },
        ),
        (
            "5371011708850002".into(),
            RegisterRecord {
                full_name: "Yohanes Benu".into(),
                birth_place: "Soe".into(),
                birth_date: date(1985, 8, 17),
                sex: Some("L".into()),
                address: Some("Jl. Yos Sudarso No. 5, RT 003/RW 001, Kel. Namosain, Kec. Alak, Kota Kupang".into()),
                region_code: Some("53.71.01".into()),
                kk: Some("5371010202090007".into()),
                phone: Some("+6281337700022".into()),
                email: None,
            },
        ),
        (
            DEMO_REGISTER_ONLY_NIK.into(),
            RegisterRecord {
                full_name: "Agustina Seran".into(),
                birth_place: "Atambua".into(),
                birth_date: date(1992, 5, 26),
                sex: Some("P".into()),
                address: Some(
                    "Jl. Timor Raya No. 40, RT 010/RW 004, Kel. Oesapa, Kec. Kelapa Lima, Kota Kupang".into(),
                ),
                region_code: Some("53.71.05".into()),
                kk: Some("5371050303150011".into()),
                phone: Some("+6285239100033".into()),
                email: None,
            },
        ),
    ]
}

/// Seeds the demo's citizen records as the population register (Disdukcapil) holds them, once: the
/// first two people of [`demo_register`], with the documents the government holds for them.
pub async fn seed_demo_citizens(db: &Db, vault: &crate::identity::Vault) -> Result<bool, SeedError> {
    use crate::identity::citizens::{self, HeldDocument};
    use balai_domain::nik::Nik;
    if citizens::count(db).await? > 0 {
        return Ok(false);
    }
    let actor = crate::audit::Actor::system("seed");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let disdukcapil = "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang";
    let register = demo_register();
    let documents = [
        vec![
            ("ktp", None, Some((2019, 5, 6))),
            ("kk", Some("5371040101100021"), Some((2021, 2, 1))),
            ("akta_kelahiran", Some("5371-LT-12031990-0021"), Some((1990, 3, 20))),
        ],
        vec![("ktp", None, Some((2018, 9, 3))), ("kk", Some("5371010202090007"), Some((2020, 7, 14)))],
    ];
    let mut tx = db.begin().await?;
    for ((nik, record), documents) in register.iter().zip(documents) {
        let nik = Nik::parse(nik, today).map_err(|e| SeedError::Invalid(format!("demo NIK: {e}")))?;
        let id = citizens::create_citizen(&mut tx, &actor, vault, &nik, &record.to_new_citizen()).await?;
        for (doc_type, number, issued) in documents {
            let number = number.map(str::to_owned).or_else(|| (doc_type == "ktp").then(|| nik.expose().to_owned()));
            let document = HeldDocument {
                doc_type: doc_type.into(),
                number,
                issuer: disdukcapil.into(),
                issued_on: issued.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d)),
            };
            citizens::hold_document(&mut tx, &actor, vault, id, &document).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

pub mod bulk;
mod demo_applications;
mod demo_complaints;
mod demo_payments;
mod demo_surveys;

pub use demo_applications::{DEMO_APPLICATIONS, DEMO_WORKING_DAYS, DocumentIssuer, DocumentRequest, demo_forms};
pub use demo_complaints::{
    DEMO_COMPLAINT_DAYS, DEMO_COMPLAINTS, DEMO_PUPR_HEAD, DEMO_PUPR_HEAD_EMAIL, seed_demo_complaints,
    seed_demo_complaints_over, set_work_email_in,
};

/// The demo's work: a few hundred applications at Kota Kupang in every state, submitted over the
/// last [`DEMO_WORKING_DAYS`] working days before `now` and moved through the same commands a
/// citizen and an officer use; completed ones carry the document `issuer` made. The demo officer
/// reads Maria's record through her birth-certificate application, which waits at its first step —
/// so her page "Siapa yang mengakses data saya" shows what a real read looks like. Done once.
pub async fn seed_demo_cases(
    db: &Db,
    vault: &crate::identity::Vault,
    officer_id: i64,
    issuer: &dyn DocumentIssuer,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, SeedError> {
    seed_demo_cases_over(db, vault, officer_id, issuer, now, DemoVolume::STANDARD).await
}

/// [`seed_demo_cases`] with as much history as `volume` asks for.
pub async fn seed_demo_cases_over(
    db: &Db,
    vault: &crate::identity::Vault,
    officer_id: i64,
    issuer: &dyn DocumentIssuer,
    now: chrono::DateTime<chrono::Utc>,
    volume: DemoVolume,
) -> Result<bool, SeedError> {
    let (count,): (i64,) = db.fetch_one(crate::query("SELECT COUNT(*) FROM cases")).await?;
    if count > 0 {
        return Ok(false);
    }
    demo_applications::seed(db, vault, officer_id, issuer, now, volume).await?;
    demo_surveys::seed(db, officer_id, now, volume.history_survey_responses()).await?;
    Ok(true)
}

/// How much the demo tells: the standard few weeks of work, or that plus `history_days` of older,
/// settled work (`balai demo --history 2y`) at a regional government's yearly pace — 50,000
/// applications, 10,000 complaints and 15,000 survey responses a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoVolume {
    pub history_days: u32,
}

impl DemoVolume {
    pub const STANDARD: DemoVolume = DemoVolume { history_days: 0 };
    /// The longest history accepted: two years (the shipped working-day calendar starts in 2024).
    pub const MAX_HISTORY_DAYS: u32 = 731;
    pub const APPLICATIONS_PER_YEAR: u64 = 50_000;
    pub const COMPLAINTS_PER_YEAR: u64 = 10_000;
    pub const SURVEY_RESPONSES_PER_YEAR: u64 = 15_000;

    /// `2y`, `18m`, `90d`: a span back from today, at most [`Self::MAX_HISTORY_DAYS`] days.
    pub fn parse_history(text: &str) -> Result<DemoVolume, String> {
        let text = text.trim();
        let unit_at = text.char_indices().last().map_or(0, |(at, _)| at);
        let (number, unit) = text.split_at(unit_at);
        let days_per = match unit {
            "d" => 1,
            "m" => 30,
            "y" => 365,
            _ => return Err(format!("'{text}': write a number and d, m or y, e.g. 2y, 18m, 90d")),
        };
        let count: u32 = number.parse().map_err(|_| format!("'{text}': write a number and d, m or y, e.g. 2y"))?;
        let days = count.checked_mul(days_per).filter(|days| *days <= Self::MAX_HISTORY_DAYS);
        match days {
            Some(history_days) => Ok(DemoVolume { history_days }),
            None => Err(format!("'{text}': at most 2y (the working-day calendar shipped starts in 2024)")),
        }
    }

    fn per_year(self, rate: u64) -> usize {
        usize::try_from(rate * u64::from(self.history_days.min(Self::MAX_HISTORY_DAYS)) / 365).unwrap_or(0)
    }

    /// Applications older than the standard demo's, spread evenly over the history.
    pub fn history_applications(self) -> usize {
        self.per_year(Self::APPLICATIONS_PER_YEAR)
    }

    /// Settled complaints older than the standard demo's, spread evenly over the history.
    pub fn history_complaints(self) -> usize {
        self.per_year(Self::COMPLAINTS_PER_YEAR)
    }

    /// Survey responses spread over the history.
    pub fn history_survey_responses(self) -> usize {
        self.per_year(Self::SURVEY_RESPONSES_PER_YEAR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_is_a_span_of_days_months_or_years_of_at_most_two_years() {
        let days = |text| DemoVolume::parse_history(text).map(|volume| volume.history_days);
        assert_eq!(days("2y"), Ok(730));
        assert_eq!(days("18m"), Ok(540));
        assert_eq!(days(" 90d "), Ok(90));
        assert_eq!(days("731d"), Ok(731));
        for bad in ["3y", "732d", "y", "2", "2w", "-1y", "2ý", "", "99999999999y", "4294967295d"] {
            assert!(DemoVolume::parse_history(bad).is_err(), "{bad}");
        }
        let two_years = DemoVolume::parse_history("2y").unwrap();
        assert_eq!(two_years.history_applications(), 100_000);
        assert_eq!(two_years.history_complaints(), 20_000);
        assert_eq!(two_years.history_survey_responses(), 30_000);
        assert_eq!(DemoVolume::STANDARD.history_applications(), 0);
    }
    use balai_domain::catalogue::StandardField;
    use std::collections::BTreeSet;

    #[test]
    fn a_seeded_service_carries_every_field_of_the_standard() {
        // `ServiceSeed` refuses unknown keys and requires the rest, so a seed file's keys are its fields.
        let mut expected: BTreeSet<&str> = StandardField::ALL.iter().map(|f| f.key()).collect();
        expected.extend(["code", "agency", "category"]);
        for text in DEMO_GOVERNMENTS {
            let file: toml::Table = toml::from_str(text).unwrap();
            let services = file["services"].as_array().unwrap();
            assert!(!services.is_empty());
            for service in services {
                let keys: BTreeSet<&str> = service.as_table().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, expected, "{}", service["code"]);
            }
            let parsed: GovernmentSeed = toml::from_str(text).unwrap();
            assert_eq!(parsed.services.len(), services.len());
        }
    }
}
