//! The demo's applications: a few hundred at Kota Kupang, submitted over the last weeks by people of
//! the city through the same commands a citizen and an officer use, then moved at later times so every
//! state a page can show is there — in progress at each step (some late), waiting for a correction or
//! a payment, rejected, and completed with the issued document.
//!
//! Drawn from a fixed seed, so two fresh demos tell the same story (relative to the day they start).

use super::SeedError;
use crate::applications::{self, Application, DocumentChoice, DocumentSource, Instruction, IssuedDocument};
use crate::audit::{Actor, BoxFuture};
use crate::cases::{self, EventActor};
use crate::catalogue::{self, ApplicationTerms};
use crate::identity::citizens::{self, HeldDocument, NewCitizen};
use crate::identity::{NewOfficer, Vault, access, officers};
use crate::org::Government;
use crate::{Db, Tx, query};
use balai_domain::Lang;
use balai_domain::applications::{ApplicationEvent, ChoiceOption, FieldKind, FormField, Prefill};
use balai_domain::calendar::{IndonesianTimeZone, WorkingCalendar};
use balai_domain::identity::Role;
use balai_domain::nik::Nik;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// How many applications the demo seeds at random (the demo citizens' own come on top).
pub const DEMO_APPLICATIONS: usize = 300;
/// How many working days back the oldest of them was submitted.
pub const DEMO_WORKING_DAYS: usize = 30;
/// Applications per transaction: large enough to be quick, small enough to keep a write lock short.
const BATCH: usize = 50;

/// What the caller needs to render and seal the document of a case being completed.
pub struct DocumentRequest<'a> {
    pub file: &'a applications::CaseFile,
    pub government: &'a Government,
    /// The issuing agency's name (where the case is completed).
    pub agency: &'a str,
    pub citizen_name: &'a str,
    /// The moment of completion.
    pub now: DateTime<Utc>,
}

/// Renders, seals and keeps an output document (the store holds no keys and no files).
pub trait DocumentIssuer: Sync {
    fn issue<'a>(&'a self, request: &'a DocumentRequest<'a>) -> BoxFuture<'a, Result<IssuedDocument, String>>;
}

/// A small deterministic generator (SplitMix64): the demo needs variety, not secrecy.
pub(super) struct Draw(pub(super) u64);

impl Draw {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---- the people -----------------------------------------------------------------------------------

const GIVEN_MALE: [&str; 16] = [
    "Yosef",
    "Agustinus",
    "Markus",
    "Stefanus",
    "Paulus",
    "Daniel",
    "Yeremias",
    "Imanuel",
    "Aleksander",
    "Petrus",
    "Adrianus",
    "Benediktus",
    "Gerardus",
    "Samuel",
    "Mikhael",
    "Yakobus",
];
const GIVEN_FEMALE: [&str; 16] = [
    "Fransiska",
    "Yohana",
    "Elisabeth",
    "Veronika",
    "Theresia",
    "Ribka",
    "Orpa",
    "Selfina",
    "Margaretha",
    "Kristina",
    "Sarlota",
    "Yuliana",
    "Naomi",
    "Dorkas",
    "Maria",
    "Angelina",
];
const FAMILY: [&str; 24] = [
    "Ndun",
    "Manafe",
    "Tefa",
    "Nenabu",
    "Lerik",
    "Bria",
    "Fanggidae",
    "Messakh",
    "Pello",
    "Kolo",
    "Tallo",
    "Riwu",
    "Dethan",
    "Nope",
    "Taneo",
    "Amalo",
    "Haning",
    "Adoe",
    "Sinlae",
    "Kase",
    "Nomleni",
    "Mooy",
    "Bere",
    "Nahak",
];
/// Places of birth across Nusa Tenggara Timur.
const BIRTH_PLACES: [&str; 8] = ["Kupang", "Soe", "Kefamenanu", "Atambua", "Ba'a", "Seba", "Kalabahi", "Ende"];
/// Villages (kelurahan) of Kota Kupang with their codes and districts.
const VILLAGES: [(&str, &str, &str); 10] = [
    ("5371011001", "Namosain", "Alak"),
    ("5371011005", "Fatufeto", "Alak"),
    ("5371021001", "Oepura", "Maulafa"),
    ("5371021003", "Penfui", "Maulafa"),
    ("5371031001", "Kelapa Lima", "Kelapa Lima"),
    ("5371041001", "Oebobo", "Oebobo"),
    ("5371041009", "Oebufu", "Oebobo"),
    ("5371051006", "Kuanino", "Kota Raja"),
    ("5371061001", "Airmata", "Kota Lama"),
    ("5371061003", "Bonipoi", "Kota Lama"),
];
const STREETS: [&str; 8] = [
    "Jl. Timor Raya",
    "Jl. El Tari",
    "Jl. Frans Seda",
    "Jl. Soeharto",
    "Jl. Amabi",
    "Jl. W. J. Lalamentik",
    "Jl. Adisucipto",
    "Jl. Perintis Kemerdekaan",
];

/// How many people of the city the demo invents.
const PEOPLE: usize = 30;

/// One person who applies.
struct Person {
    citizen_id: i64,
    name: String,
    village: usize,
    street: String,
}

/// A person of the city: a NIK that passes the checks (district, birth date, serial) and a plausible
/// name, birth place and address.
fn invent_person(draw: &mut Draw, i: usize, today: NaiveDate) -> Result<(Nik, NewCitizen, usize, String), SeedError> {
    let female = i % 2 == 1;
    let given = if female { *draw.pick(&GIVEN_FEMALE) } else { *draw.pick(&GIVEN_MALE) };
    let family = FAMILY[i % FAMILY.len()];
    let village = draw.below(VILLAGES.len() as u64) as usize;
    let (code, village_name, district) = VILLAGES[village];
    let year = 1960 + draw.below(44) as i32;
    let month = 1 + draw.below(12) as u32;
    let day = 1 + draw.below(28) as u32;
    let birth = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| SeedError::Invalid("birth date".into()))?;
    let nik_day = if female { day + 40 } else { day };
    let nik_text = format!("{}{nik_day:02}{month:02}{:02}{:04}", &code[..6], year % 100, 100 + i);
    let nik = Nik::parse(&nik_text, today).map_err(|e| SeedError::Invalid(format!("demo NIK {nik_text}: {e}")))?;
    let street = format!(
        "{} No. {}, RT {:03}/RW {:03}",
        draw.pick(&STREETS),
        1 + draw.below(120),
        1 + draw.below(20),
        1 + draw.below(8)
    );
    let new = NewCitizen {
        full_name: format!("{given} {family}"),
        birth_place: (*draw.pick(&BIRTH_PLACES)).to_owned(),
        birth_date: Some(birth),
        sex: None,
        address: Some(format!("{street}, Kel. {village_name}, Kec. {district}, Kota Kupang")),
        region_code: Some(format!("53.71.{}", &code[4..6])),
        kk: Some(format!("{}{:02}{:02}{:02}{:04}", &code[..6], day, month, (year + 25) % 100, 7 + i)),
        // No contact on record: the demo's invented people receive no messages.
        phone: None,
        email: None,
    };
    Ok((nik, new, village, street))
}

// ---- forms ----------------------------------------------------------------------------------------

fn text(key: &str, label: &str, label_en: &str, max_chars: u32, required: bool) -> FormField {
    FormField {
        key: key.into(),
        label: label.into(),
        label_en: label_en.into(),
        kind: FieldKind::Text { max_chars },
        required,
        prefill: None,
    }
}

fn field(key: &str, label: &str, label_en: &str, kind: FieldKind, required: bool) -> FormField {
    FormField { key: key.into(), label: label.into(), label_en: label_en.into(), kind, required, prefill: None }
}

fn choice(options: &[(&str, &str, &str)]) -> FieldKind {
    FieldKind::Choice {
        options: options
            .iter()
            .map(|(value, label, label_en)| ChoiceOption {
                value: (*value).into(),
                label: (*label).into(),
                label_en: (*label_en).into(),
            })
            .collect(),
    }
}

fn applicant_name() -> FormField {
    FormField {
        prefill: Some(Prefill::FullName),
        ..text("nama_pemohon", "Nama pemohon", "Applicant's name", 100, true)
    }
}

/// The application forms of a handful of the city's services.
pub fn demo_forms() -> Vec<(&'static str, Vec<FormField>)> {
    vec![
        (
            "AKTA-LAHIR",
            vec![
                text("nama_anak", "Nama lengkap anak", "Child's full name", 100, true),
                field("tanggal_lahir_anak", "Tanggal lahir anak", "Child's date of birth", FieldKind::Date, true),
                text("tempat_lahir_anak", "Tempat lahir anak", "Child's place of birth", 100, true),
                FormField {
                    prefill: Some(Prefill::Address),
                    ..field("alamat_orang_tua", "Alamat orang tua", "Parents' address", FieldKind::Address, true)
                },
                field("kelahiran_kembar", "Kelahiran kembar?", "Twins?", FieldKind::YesNo, false),
            ],
        ),
        (
            "KK",
            vec![
                field(
                    "alasan",
                    "Alasan permohonan",
                    "Reason for the application",
                    choice(&[
                        ("tambah_anggota", "Penambahan anggota keluarga", "A new family member"),
                        ("pisah_kk", "Pisah KK", "A separate family card"),
                        ("perubahan_data", "Perubahan data", "A change of details"),
                        ("hilang_rusak", "KK hilang atau rusak", "Card lost or damaged"),
                    ]),
                    true,
                ),
                text("nama_anggota_baru", "Nama anggota keluarga baru", "New member's name", 100, false),
            ],
        ),
        (
            "SIP-DOKTER",
            vec![
                applicant_name(),
                text("nomor_str", "Nomor STR", "Registration (STR) number", 30, true),
                text("nama_fasilitas", "Nama fasilitas pelayanan kesehatan", "Health facility", 150, true),
                field(
                    "jenis_praktik",
                    "Jenis praktik",
                    "Kind of practice",
                    choice(&[
                        ("mandiri", "Praktik mandiri", "Own practice"),
                        ("fasyankes", "Di fasilitas pelayanan kesehatan", "At a health facility"),
                    ]),
                    true,
                ),
            ],
        ),
        (
            "REKLAME",
            vec![
                applicant_name(),
                field(
                    "jenis_reklame",
                    "Jenis reklame",
                    "Kind of advertisement",
                    choice(&[
                        ("billboard", "Billboard", "Billboard"),
                        ("baliho", "Baliho", "Baliho"),
                        ("spanduk", "Spanduk", "Banner"),
                        ("neon_box", "Neon box", "Neon box"),
                    ]),
                    true,
                ),
                field("luas_m2", "Luas bidang reklame (m²)", "Area (m²)", FieldKind::Number { min: 1, max: 200 }, true),
                text("lokasi", "Lokasi pemasangan", "Where it stands", 200, true),
                field("lama_bulan", "Lama pemasangan (bulan)", "Months", FieldKind::Number { min: 1, max: 12 }, true),
            ],
        ),
        (
            "NIB-UMK",
            vec![
                applicant_name(),
                text("nama_usaha", "Nama usaha", "Business name", 100, true),
                field(
                    "bidang_usaha",
                    "Bidang usaha",
                    "Line of business",
                    choice(&[
                        ("kuliner", "Kuliner", "Food"),
                        ("perdagangan", "Perdagangan", "Trade"),
                        ("jasa", "Jasa", "Services"),
                        ("kerajinan", "Kerajinan tenun", "Weaving"),
                    ]),
                    true,
                ),
                field("jumlah_pekerja", "Jumlah pekerja", "Workers", FieldKind::Number { min: 0, max: 50 }, true),
            ],
        ),
        (
            "UJI-KIR",
            vec![
                applicant_name(),
                text("nomor_kendaraan", "Nomor kendaraan", "Registration plate", 12, true),
                field(
                    "jenis_kendaraan",
                    "Jenis kendaraan",
                    "Kind of vehicle",
                    choice(&[
                        ("pikap", "Mobil barang (pikap)", "Pick-up"),
                        ("truk", "Truk", "Lorry"),
                        ("angkot", "Angkutan kota (bemo)", "City minibus (bemo)"),
                        ("bus", "Bus", "Bus"),
                    ]),
                    true,
                ),
            ],
        ),
    ]
}

const CHILDREN: [&str; 8] = ["Kristofel", "Yuliana", "Marselino", "Aurelia", "Gabriel", "Ester", "Yosua", "Clara"];
const FACILITIES: [&str; 4] = ["RSUD S. K. Lerik", "Puskesmas Oepoi", "Klinik Pratama Kasih", "RS Siloam Kupang"];
const BUSINESSES: [&str; 6] = [
    "Se'i Babi Om Ba'i",
    "Tenun Ikat Ina Ndao",
    "Toko Sumber Rejeki",
    "Jasa Laundry Oebufu",
    "Kopi Flobamora",
    "Warung Jagung Bose",
];

/// Answers a form the way the person would: names from their record, plausible values otherwise.
fn answers(form: &[FormField], person: &Person, draw: &mut Draw, submitted: NaiveDate) -> Map<String, Value> {
    let mut out = Map::new();
    for f in form {
        let value = match (&f.kind, f.prefill) {
            (_, Some(Prefill::FullName)) => json!(person.name),
            (FieldKind::Address, _) => json!({"region": VILLAGES[person.village].0, "street": person.street}),
            (FieldKind::Text { .. }, _) => match f.key.as_str() {
                "nama_anak" | "nama_anggota_baru" => {
                    let family = person.name.rsplit(' ').next().unwrap_or_default();
                    json!(format!("{} {family}", draw.pick(&CHILDREN)))
                }
                "tempat_lahir_anak" => json!("Kupang"),
                "nomor_str" => json!(format!("5371{:012}", draw.below(1_000_000_000_000))),
                "nama_fasilitas" => json!(draw.pick(&FACILITIES)),
                "nama_usaha" => json!(draw.pick(&BUSINESSES)),
                "lokasi" => json!(format!("{}, Kota Kupang", draw.pick(&STREETS))),
                "nomor_kendaraan" => {
                    json!(format!("DH {} {}", 1000 + draw.below(9000), draw.pick(&["AB", "KP", "AG", "TL"])))
                }
                _ => json!("-"),
            },
            (FieldKind::Number { min, max }, _) => {
                let span = u64::try_from(max - min).unwrap_or(0);
                json!(min + i64::try_from(draw.below(span + 1)).unwrap_or(0))
            }
            (FieldKind::Date, _) => {
                json!((submitted - Duration::days(3 + draw.below(40) as i64)).format("%Y-%m-%d").to_string())
            }
            (FieldKind::Choice { options }, _) => json!(draw.pick(options).value),
            (FieldKind::YesNo, _) => json!(draw.chance(0.05)),
        };
        out.insert(f.key.clone(), value);
    }
    out
}

// ---- time -----------------------------------------------------------------------------------------

/// Office hours on the government's calendar, up to `now`.
struct Office<'a> {
    calendar: &'a WorkingCalendar,
    zone: IndonesianTimeZone,
    now: DateTime<Utc>,
}

impl Office<'_> {
    /// A moment during office hours (08:00–15:00 local) of `date`.
    fn during(&self, date: NaiveDate, draw: &mut Draw) -> DateTime<Utc> {
        self.zone.start_of_day(date) + Duration::minutes(8 * 60 + draw.below(7 * 60) as i64)
    }

    /// A moment `days` working days after `t` (the same day when 0), always later than `t`; `None`
    /// when it would not be in the past.
    fn after(&self, t: DateTime<Utc>, days: u64, draw: &mut Draw) -> Result<Option<DateTime<Utc>>, SeedError> {
        let date = self
            .calendar
            .add_working_days(self.zone.local_date(t), u32::try_from(days).unwrap_or(0))
            .map_err(|e| SeedError::Invalid(format!("demo calendar: {e:?}")))?;
        let at = self.during(date, draw).max(t + Duration::minutes(15 + draw.below(45) as i64));
        Ok((at < self.now).then_some(at))
    }

    /// The working days in the `calendar_days` before `first` (oldest first).
    fn working_days_before(&self, first: NaiveDate, calendar_days: u32) -> Result<Vec<NaiveDate>, SeedError> {
        let mut days = Vec::new();
        let mut date = first;
        for _ in 0..calendar_days {
            date = date.pred_opt().ok_or_else(|| SeedError::Invalid("date".into()))?;
            if self.calendar.is_working_day(date).map_err(|e| SeedError::Invalid(format!("demo calendar: {e:?}")))? {
                days.push(date);
            }
        }
        days.reverse();
        Ok(days)
    }

    /// The last `n` working days before today (oldest first).
    fn recent_days(&self, n: usize) -> Result<Vec<NaiveDate>, SeedError> {
        let mut days = Vec::new();
        let mut date = self.zone.local_date(self.now);
        while days.len() < n {
            date = date.pred_opt().ok_or_else(|| SeedError::Invalid("date".into()))?;
            if self.calendar.is_working_day(date).map_err(|e| SeedError::Invalid(format!("demo calendar: {e:?}")))? {
                days.push(date);
            }
        }
        days.reverse();
        Ok(days)
    }
}

// ---- the story of one application -----------------------------------------------------------------

/// How an application's story is told: drawn at random, or held to an end for the demo citizens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Drawn,
    /// Moved on time to completion.
    Complete,
    /// Moved on time to the payment, which is not made.
    AwaitPayment,
    /// Left where it was submitted.
    Submitted,
}

struct Plan {
    service: usize,
    person: usize,
    submitted: DateTime<Utc>,
    script: Script,
}

const CORRECTIONS: [&str; 4] = [
    "Foto dokumen buram, mohon unggah ulang dengan jelas",
    "Nama pada surat keterangan berbeda dengan KK; mohon lampirkan surat keterangan yang benar",
    "Halaman kedua dokumen belum dilampirkan",
    "Tanda tangan pada surat pernyataan belum ada",
];
const REJECTIONS: [&str; 3] = [
    "Persyaratan tidak memenuhi ketentuan setelah verifikasi lapangan",
    "Permohonan yang sama sudah pernah diterbitkan; silakan ajukan penggantian",
    "Lokasi tidak sesuai dengan rencana tata ruang",
];

/// Everything the story needs that does not change from one application to the next.
struct World<'a> {
    vault: &'a Vault,
    issuer: &'a dyn DocumentIssuer,
    government: &'a Government,
    services: &'a [ApplicationTerms],
    people: &'a [Person],
    officers: &'a HashMap<i64, i64>,
    agencies: &'a HashMap<i64, String>,
    office: Office<'a>,
}

async fn step_due(tx: &mut Tx, case_id: i64, position: i64) -> Result<Option<DateTime<Utc>>, SeedError> {
    let row: Option<(Option<DateTime<Utc>>,)> = tx
        .fetch_optional(
            query("SELECT due_at FROM case_steps WHERE case_id = $1 AND position = $2").bind(case_id).bind(position),
        )
        .await?;
    Ok(row.and_then(|(due,)| due))
}

/// A step past its deadline when the next thing happens is marked late at the moment it fell due, as
/// the deadline check would have.
async fn mark_late(
    w: &World<'_>,
    tx: &mut Tx,
    case_id: i64,
    position: i64,
    before: DateTime<Utc>,
) -> Result<(), SeedError> {
    if let Some(due) = step_due(tx, case_id, position).await?
        && due < before
    {
        applications::check_step_breach_in(tx, w.vault, case_id, position, due).await?;
    }
    Ok(())
}

async fn act(
    w: &World<'_>,
    tx: &mut Tx,
    case_id: i64,
    actor: Option<EventActor>,
    event: ApplicationEvent,
    instruction: &Instruction<'_>,
    at: DateTime<Utc>,
) -> Result<cases::Case, SeedError> {
    let case = cases::case_in(tx, case_id).await?.ok_or_else(|| SeedError::Invalid("a seeded case vanished".into()))?;
    let actor = match actor {
        Some(actor) => actor,
        None => EventActor::Officer(
            *w.officers
                .get(&case.agency_id)
                .ok_or_else(|| SeedError::Invalid(format!("no demo officer for agency {}", case.agency_id)))?,
        ),
    };
    Ok(applications::act_in(tx, w.vault, &case, actor, event, instruction, at).await?)
}

/// The citizen pays: through the demo gateway (QRIS or a virtual account) when the case has an
/// invoice, else at the counter as a payment recorded by the system.
async fn pay(
    w: &World<'_>,
    tx: &mut Tx,
    case_id: i64,
    at: DateTime<Utc>,
    draw: &mut Draw,
) -> Result<DateTime<Utc>, SeedError> {
    use crate::payments::{IncomingPayment, Mismatch, settle_in};
    use balai_domain::payments::Channel;
    if let Some(invoice) = crate::payments::latest_invoice_of_case_in(tx, case_id).await?
        && invoice.status().is_ok_and(|s| s.is_payable())
    {
        // Paid before the invoice expires (a late payer would have asked for a new one).
        let at = at.min(invoice.expires_at - chrono::Duration::hours(1)).max(invoice.created_at);
        let transaction_id = format!("DEMO-{:012x}", draw.next() & 0xffff_ffff_ffff);
        let channel = if draw.chance(0.7) { Channel::Qris } else { Channel::VirtualAccount };
        let payment = IncomingPayment {
            source: "generic",
            transaction_id: &transaction_id,
            bill_number: &invoice.bill_number,
            amount: balai_domain::Rupiah(invoice.amount),
            channel,
            paid_at: at,
            failed: false,
        };
        return match settle_in(tx, w.vault, &payment, Mismatch::Hold, at).await? {
            crate::payments::Settlement::Paid { .. } => Ok(at),
            other => Err(SeedError::Invalid(format!("a demo payment did not pay its invoice: {other:?}"))),
        };
    }
    let receipt = format!("KW/{}/{:05}", w.office.zone.local_date(at).format("%Y"), draw.below(100_000));
    let payment = Instruction { receipt_number: Some(&receipt), ..Instruction::default() };
    act(w, tx, case_id, Some(EventActor::System("payment")), ApplicationEvent::RecordPayment, &payment, at).await?;
    Ok(at)
}

/// Submits one application and moves it on, never past `now`. Returns its case id.
async fn tell(w: &World<'_>, tx: &mut Tx, plan: &Plan, draw: &mut Draw) -> Result<i64, SeedError> {
    let terms = &w.services[plan.service];
    let person = &w.people[plan.person];
    let mut t = plan.submitted;
    let fields = answers(&terms.form, person, draw, w.office.zone.local_date(t));
    // Read afresh: a completed application replaces the document of its type on file.
    let on_file: Vec<(String, i64)> = tx
        .fetch_all(query("SELECT doc_type, id FROM citizen_documents WHERE citizen_id = $1").bind(person.citizen_id))
        .await?;
    let mut documents = Vec::new();
    for required in balai_domain::applications::required_documents(&terms.requirements) {
        let held = on_file.iter().find(|(doc_type, _)| doc_type == required.doc_type.code());
        let source = match held {
            Some((_, id)) => DocumentSource::OnFile(*id),
            None => DocumentSource::Upload(record_upload(tx, terms.government_id, person.citizen_id, t, draw).await?),
        };
        documents.push(DocumentChoice { code: required.code, source });
    }
    let key = format!("demo-{:016x}", draw.next());
    let application = Application {
        government_id: terms.government_id,
        service_code: &terms.service_code,
        fields: &fields,
        documents: &documents,
        idempotency_key: &key,
        lang: Lang::Id,
    };
    let case_id = applications::submit_in(tx, w.vault, person.citizen_id, &application, t).await?;
    // A service paid first is mostly paid within the day; a few wait.
    if plan.script != Script::Submitted
        && crate::payments::latest_invoice_of_case_in(tx, case_id).await?.is_some()
        && draw.chance(0.85)
        && let Some(paid) = w.office.after(t, 0, draw)?
    {
        t = pay(w, tx, case_id, paid.max(t), draw).await?;
    }
    let last = terms.steps.len() - 1;
    let mut step = 0;
    let mut corrected = false;
    let drawn = plan.script == Script::Drawn;
    loop {
        if plan.script == Script::Submitted {
            break;
        }
        let sla = u64::try_from(terms.steps[step].sla_days).unwrap_or(0);
        let late = drawn && draw.chance(0.08);
        let delay = if late { sla + 1 + draw.below(3) } else { draw.below(sla + 1) };
        let Some(next) = w.office.after(t, delay, draw)? else { break };
        let position = i64::try_from(step).unwrap_or(0);
        mark_late(w, tx, case_id, position, next).await?;
        t = next;
        let roll = draw.below(100);
        if drawn && !corrected && step == 0 && roll < 12 {
            corrected = true;
            let reason = *draw.pick(&CORRECTIONS);
            let asked = Instruction { reason, ..Instruction::default() };
            act(w, tx, case_id, None, ApplicationEvent::RequestCorrection, &asked, t).await?;
            // Some never answer.
            if draw.chance(0.3) {
                break;
            }
            let Some(back) = w.office.after(t, 1 + draw.below(4), draw)? else { break };
            t = back;
            let citizen = Some(EventActor::Citizen(person.citizen_id));
            act(w, tx, case_id, citizen, ApplicationEvent::Resubmit, &Instruction::default(), t).await?;
            continue;
        }
        if drawn && step >= 1 && roll < 5 {
            let reason = *draw.pick(&REJECTIONS);
            act(w, tx, case_id, None, ApplicationEvent::Reject, &Instruction { reason, ..Instruction::default() }, t)
                .await?;
            break;
        }
        if step < last {
            let moved = act(w, tx, case_id, None, ApplicationEvent::Verify, &Instruction::default(), t).await?;
            step += 1;
            if moved.status == balai_domain::applications::ApplicationStatus::AwaitingPayment.code() {
                if plan.script == Script::AwaitPayment {
                    // The citizen asked for a new bill today if the first one ran out: the demo's
                    // payment page opens on a bill that can be paid.
                    let case = cases::case_in(tx, case_id).await?.ok_or_else(|| SeedError::Invalid("case".into()))?;
                    let actor = crate::identity::citizens::audit_actor(tx, person.citizen_id).await?;
                    crate::payments::renew_in(tx, &case, terms.fee, &actor, w.office.now).await?;
                    break;
                }
                if drawn && draw.chance(0.3) {
                    break;
                }
                let Some(paid) = w.office.after(t, draw.below(3), draw)? else { break };
                t = paid;
                t = pay(w, tx, case_id, t, draw).await?;
            }
            continue;
        }
        let file = applications::case_file_by_id_in(tx, w.vault, case_id).await?;
        let agency = w.agencies.get(&file.case.agency_id).map(String::as_str).unwrap_or_default();
        let request =
            DocumentRequest { file: &file, government: w.government, agency, citizen_name: &person.name, now: t };
        let issued = w.issuer.issue(&request).await.map_err(SeedError::Invalid)?;
        let complete = Instruction { issued: Some(&issued), ..Instruction::default() };
        act(w, tx, case_id, None, ApplicationEvent::Complete, &complete, t).await?;
        break;
    }
    // Still running and past its step's deadline today: late, as the deadline check would have found.
    let case = cases::case_in(tx, case_id).await?.ok_or_else(|| SeedError::Invalid("a seeded case vanished".into()))?;
    if case.closed_at.is_none() && case.paused_since.is_none() {
        mark_late(w, tx, case_id, case.current_step, w.office.now).await?;
    }
    Ok(case_id)
}

/// A file the person uploaded for the application (its record; the demo keeps no bytes for it).
async fn record_upload(
    tx: &mut Tx,
    government_id: i64,
    citizen_id: i64,
    submitted: DateTime<Utc>,
    draw: &mut Draw,
) -> Result<i64, SeedError> {
    let (content_type, size) = if draw.chance(0.5) {
        ("application/pdf", 60_000 + draw.below(500_000))
    } else {
        ("image/jpeg", 150_000 + draw.below(900_000))
    };
    let sha256: String = (0..4).map(|_| format!("{:016x}", draw.next())).collect();
    let key = format!("uploads/{government_id}/{:016x}{:016x}", draw.next(), draw.next());
    let at = submitted - Duration::minutes(5 + draw.below(120) as i64);
    let size = i64::try_from(size).unwrap_or(0);
    Ok(crate::applications::insert_upload(tx, government_id, citizen_id, &key, content_type, size, &sha256, at).await?)
}

// ---- the whole demo -------------------------------------------------------------------------------

/// Seeds the demo's applications (see the module's documentation) and the demo officer's read of
/// Maria's record through her birth-certificate application, which stays at its first step.
pub(super) async fn seed(
    db: &Db,
    vault: &Vault,
    officer_id: i64,
    issuer: &dyn DocumentIssuer,
    now: DateTime<Utc>,
    volume: super::DemoVolume,
) -> Result<(), SeedError> {
    let actor = Actor::system("seed");
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut draw = Draw(0x5371_2026);
    let government: Government = db
        .fetch_one(query(
            "SELECT id, region_code, name, time_zone, created_at FROM governments WHERE region_code = '53.71'",
        ))
        .await?;
    let agencies: Vec<(i64, String, String)> = db
        .fetch_all(
            query("SELECT id, code, name FROM agencies WHERE government_id = $1 ORDER BY id").bind(government.id),
        )
        .await?;

    // The forms, the people of the city and one officer per agency, in one transaction.
    let mut tx = db.begin().await?;
    for (code, form) in demo_forms() {
        let service = catalogue::application_terms_in(&mut tx, government.id, code)
            .await?
            .ok_or_else(|| SeedError::Invalid(format!("the demo service {code} is missing")))?;
        catalogue::set_form_fields(&mut tx, &actor, service.service_id, &form).await?;
    }
    let mut officers_by_agency = HashMap::new();
    for (id, code, name) in &agencies {
        if code == "disdukcapil" {
            officers_by_agency.insert(*id, officer_id);
            continue;
        }
        let username = format!("petugas.{code}");
        let display = format!("Petugas {name}");
        let officer = officers::create_officer(
            &mut tx,
            &actor,
            &NewOfficer {
                government_id: Some(government.id),
                agency_id: Some(*id),
                unit_id: None,
                role: Role::Officer,
                username: &username,
                display_name: &display,
                // No password: these officers only act in the seeded history.
                password_hash: "!",
            },
        )
        .await?;
        officers_by_agency.insert(*id, officer);
    }
    let disdukcapil_agency = agencies.iter().find(|(_, code, _)| code == "disdukcapil");
    let disdukcapil_id = disdukcapil_agency.map(|(id, _, _)| *id);
    let disdukcapil = disdukcapil_agency.map(|(_, _, name)| name.clone()).unwrap_or_default();
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let (nik, new, village, street) = invent_person(&mut draw, i, today)?;
        let id = citizens::create_citizen(&mut tx, &actor, vault, &nik, &new).await?;
        let mut held = vec![("ktp", Some(nik.expose().to_owned())), ("kk", new.kk.clone())];
        if draw.chance(0.5) {
            held.push(("akta_kelahiran", Some(format!("5371-LT-{:08}", draw.below(100_000_000)))));
        }
        for (doc_type, number) in held {
            let document =
                HeldDocument { doc_type: doc_type.into(), number, issuer: disdukcapil.clone(), issued_on: None };
            citizens::hold_document(&mut tx, &actor, vault, id, &document).await?;
        }
        people.push(Person { citizen_id: id, name: new.full_name, village, street });
    }
    // The two demo citizens the register already holds.
    for (nik, record) in super::demo_register().into_iter().take(2) {
        let nik = Nik::parse(&nik, today).map_err(|e| SeedError::Invalid(format!("demo NIK: {e}")))?;
        let id = citizens::citizen_id_by_nik(&mut tx, vault, &nik)
            .await?
            .ok_or_else(|| SeedError::Invalid("a demo citizen is missing".into()))?;
        let village = if record.region_code.as_deref() == Some("53.71.01") { 0 } else { 5 };
        let street = record.address.as_deref().and_then(|a| a.split(", Kel.").next()).unwrap_or("-").to_owned();
        people.push(Person { citizen_id: id, name: record.full_name, village, street });
    }
    tx.commit().await?;
    let (maria, yohanes) = (PEOPLE, PEOPLE + 1);

    // What each service asks and how its cases move.
    let codes: Vec<(String,)> = db
        .fetch_all(
            query(
                "SELECT s.code FROM services s JOIN service_versions v ON v.service_id = s.id AND v.version = s.current_version \
                 WHERE s.government_id = $1 ORDER BY s.code",
            )
            .bind(government.id),
        )
        .await?;
    let mut tx = db.begin_read().await?;
    let mut services = Vec::new();
    for (code,) in codes {
        if let Some(terms) = catalogue::application_terms_in(&mut tx, government.id, &code).await?
            && !terms.steps.is_empty()
        {
            services.push(terms);
        }
    }
    tx.commit().await?;
    if services.is_empty() {
        return Err(SeedError::Invalid("no demo service has procedure steps".into()));
    }
    let calendar = crate::calendar::working_calendar(db, government.id).await?;
    let office = Office { calendar: &calendar, zone: government.zone(), now };
    let days = office.recent_days(DEMO_WORKING_DAYS)?;
    let service_index = |code: &str| services.iter().position(|s| s.service_code == code);

    // Disdukcapil's services are asked for most, then those with a fee (to show payments).
    let mut weighted = Vec::new();
    for (i, s) in services.iter().enumerate() {
        let weight = if Some(s.agency_id) == disdukcapil_id {
            4
        } else if s.fee.0 > 0 {
            3
        } else {
            1
        };
        weighted.extend(std::iter::repeat_n(i, weight));
    }
    let mut plans: Vec<Plan> = (0..DEMO_APPLICATIONS)
        .map(|_| {
            // More of them recent than old, as in an office whose older files are mostly done.
            let n = days.len() as u64;
            let day = days[draw.below(n).max(draw.below(n)).max(draw.below(n)) as usize];
            Plan {
                service: *draw.pick(&weighted),
                // Maria's own applications are the scripted ones below.
                person: if draw.chance(0.05) { yohanes } else { draw.below(PEOPLE as u64) as usize },
                submitted: office.during(day, &mut draw),
                script: Script::Drawn,
            }
        })
        .collect();
    // The history: older work spread evenly over its working days, before the recent weeks.
    let history_days = office.working_days_before(days[0], volume.history_days)?;
    if !history_days.is_empty() {
        let n = history_days.len() as u64;
        plans.extend((0..volume.history_applications()).map(|_| Plan {
            service: *draw.pick(&weighted),
            person: draw.below(PEOPLE as u64) as usize,
            submitted: office.during(history_days[draw.below(n) as usize], &mut draw),
            script: Script::Drawn,
        }));
    }
    plans.sort_by_key(|p| p.submitted);
    // Maria's: a certificate of poverty issued weeks ago, waste collection waiting for its fee, and a
    // family-card change from Yohanes at its first step.
    for (code, person, back, script) in [
        ("SKTM", maria, 20, Script::Complete),
        ("ANGKUT-SAMPAH", maria, 6, Script::AwaitPayment),
        ("KK", yohanes, 1, Script::Submitted),
    ] {
        if let Some(service) = service_index(code) {
            let day = days[days.len().saturating_sub(back)];
            plans.push(Plan { service, person, submitted: office.during(day, &mut draw), script });
        }
    }

    let world = World {
        vault,
        issuer,
        government: &government,
        services: &services,
        people: &people,
        officers: &officers_by_agency,
        agencies: &agencies.iter().map(|(id, _, name)| (*id, name.clone())).collect(),
        office,
    };
    for batch in plans.chunks(BATCH) {
        let mut tx = db.begin().await?;
        for plan in batch {
            tell(&world, &mut tx, plan, &mut draw).await?;
        }
        tx.commit().await?;
    }

    // Maria's birth-certificate application for her second child, just submitted: it waits at the
    // first step, where the demo officer reads her record to check it.
    let birth = service_index("AKTA-LAHIR").ok_or_else(|| SeedError::Invalid("AKTA-LAHIR has no steps".into()))?;
    let mut tx = db.begin().await?;
    let submitted = now - Duration::minutes(20);
    let plan = Plan { service: birth, person: maria, submitted, script: Script::Submitted };
    let case_id = tell(&world, &mut tx, &plan, &mut draw).await?;
    let purpose = balai_domain::identity::Purpose::parse("Verifikasi berkas permohonan akta kelahiran")
        .map_err(|e| SeedError::Invalid(format!("demo purpose: {e:?}")))?;
    if let Err(refused) = access::read_citizen_for_case_in(&mut tx, vault, officer_id, case_id, &purpose).await? {
        return Err(SeedError::Invalid(format!("the demo officer may not read the demo case: {refused:?}")));
    }
    tx.commit().await?;
    Ok(())
}
