//! The demo's complaints: a few hundred reports at Kota Kupang (inside the city) and at the province
//! (from towns across Nusa Tenggara Timur), received over the last [`DEMO_COMPLAINT_DAYS`] days through
//! [`complaints::file_report`] and moved at later times through the same transition every page uses,
//! so each has its events and audit leaves: waiting for verification (some late), on hold, verified,
//! with an agency (some late), answered, resolved (most rated, some closed by lapse), reopened,
//! closed without resolution, not our authority, duplicate, and re-routed to the province. Some are
//! anonim, some rahasia; a few texts carry a phone number, which every public view redacts.
//!
//! Drawn from a fixed seed, so two fresh demos tell the same story (relative to the day they start).

use super::SeedError;
use super::demo_applications::Draw;
use crate::audit::Actor;
use crate::cases::EventActor;
use crate::complaints::{self, Instruction, NewReport, Reporter, ReporterKey};
use crate::identity::{NewOfficer, Vault, officers};
use crate::{Db, Tx, query};
use balai_domain::complaints::{Channel, ComplaintClass, ComplaintEvent, Rating, ReportKind};
use balai_domain::identity::Role;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How many reports the demo seeds.
pub const DEMO_COMPLAINTS: usize = 300;
/// How many days back the oldest of them was received.
pub const DEMO_COMPLAINT_DAYS: i64 = 60;
/// The demo's head of PUPR Kota Kupang, whose work address receives escalations (reopened reports).
pub const DEMO_PUPR_HEAD: &str = "kepala.pupr";
pub const DEMO_PUPR_HEAD_EMAIL: &str = "kepala.pupr@kupangkota.go.id";

/// Where a report ends up in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Fresh,
    LateAtDesk,
    OnHold,
    Verified,
    Disposed,
    LateAtAgency,
    Answered,
    Accepted,
    Lapsed,
    Reopened,
    Unresolved,
    NotOurAuthority,
    Duplicate,
    Rerouted,
}

/// Outcomes by weight (out of 100), and the report's age range in days for each.
const OUTCOMES: &[(Outcome, u64, (i64, i64))] = &[
    (Outcome::Fresh, 10, (0, 2)),
    (Outcome::LateAtDesk, 4, (8, 25)),
    (Outcome::OnHold, 5, (3, 25)),
    (Outcome::Verified, 6, (1, 3)),
    (Outcome::Disposed, 12, (2, 14)),
    (Outcome::LateAtAgency, 6, (28, 60)),
    (Outcome::Answered, 10, (4, 12)),
    (Outcome::Accepted, 19, (6, 60)),
    (Outcome::Lapsed, 5, (22, 60)),
    (Outcome::Reopened, 5, (8, 30)),
    (Outcome::Unresolved, 5, (3, 60)),
    (Outcome::NotOurAuthority, 6, (1, 60)),
    (Outcome::Duplicate, 5, (1, 60)),
    (Outcome::Rerouted, 2, (1, 10)),
];

/// What people write, per category code: titles and the start of the text.
const PHRASES: &[(&str, &[&str], &[&str])] = &[
    (
        "JALAN-RUSAK",
        &["Jalan berlubang", "Aspal amblas", "Jalan rusak parah", "Lubang besar di tengah jalan"],
        &[
            "Jalan berlubang cukup dalam dan membahayakan pengendara motor, terutama malam hari.",
            "Aspal mengelupas sepanjang kurang lebih 50 meter, air tergenang setiap hujan.",
            "Sudah ada dua pengendara jatuh minggu ini karena lubang yang tidak diberi tanda.",
        ],
    ),
    (
        "DRAINASE",
        &["Got tersumbat", "Saluran air meluap", "Genangan setiap hujan"],
        &[
            "Saluran tersumbat sampah dan lumpur sehingga air meluap ke rumah warga.",
            "Setiap hujan deras air menggenang setinggi lutut dan baru surut keesokan harinya.",
        ],
    ),
    (
        "LAMPU-JALAN",
        &["Lampu jalan mati", "Penerangan jalan padam", "Tiang lampu miring"],
        &[
            "Lampu penerangan jalan sudah mati lebih dari dua minggu, jalan gelap dan rawan.",
            "Tiga lampu berturut-turut padam, warga khawatir dengan keamanan pejalan kaki.",
        ],
    ),
    (
        "SAMPAH",
        &["Sampah tidak diangkut", "Tumpukan sampah di TPS", "Sampah dibuang di lahan kosong"],
        &[
            "Sampah di TPS sudah seminggu tidak diangkut dan berbau menyengat.",
            "Warga membuang sampah di lahan kosong karena kontainer selalu penuh.",
        ],
    ),
    (
        "ADMINDUK",
        &["KTP-el belum jadi", "Antrean akta kelahiran", "Perubahan KK lama"],
        &[
            "Perekaman KTP-el sudah tiga bulan lalu tetapi kartu belum juga dicetak.",
            "Antrean di kantor sangat panjang dan nomor antrean habis sebelum jam sembilan.",
        ],
    ),
    (
        "KESEHATAN",
        &["Antrean puskesmas", "Obat tidak tersedia", "Pelayanan kurang ramah"],
        &[
            "Pasien menunggu lebih dari tiga jam di puskesmas tanpa kejelasan.",
            "Obat yang diresepkan tidak tersedia di apotek puskesmas sejak awal bulan.",
        ],
    ),
    (
        "SEKOLAH",
        &["Ruang kelas rusak", "Pungutan seragam sekolah", "Guru sering tidak hadir"],
        &[
            "Atap ruang kelas bocor dan plafon hampir runtuh, murid belajar di teras.",
            "Orang tua diminta membayar seragam dan buku dengan harga di atas pasar.",
        ],
    ),
    (
        "BANSOS",
        &["Bantuan sosial tidak tepat sasaran", "Bansos belum diterima", "Data penerima keliru"],
        &[
            "Keluarga yang mampu menerima bantuan, sementara lansia di sebelahnya tidak terdata.",
            "Nama kami tercantum sebagai penerima tetapi bantuan belum pernah diterima.",
        ],
    ),
    (
        "PUNGLI",
        &["Dugaan pungutan liar", "Petugas meminta uang tambahan"],
        &[
            "Petugas meminta uang tambahan agar berkas diproses lebih cepat, tanpa kuitansi.",
            "Ada biaya yang tidak tercantum dalam standar pelayanan dan diminta secara tunai.",
        ],
    ),
    (
        "INFORMASI",
        &["Permintaan data anggaran", "Jadwal perbaikan jalan", "Informasi program beasiswa"],
        &[
            "Mohon informasi rincian anggaran kegiatan tahun ini untuk kelurahan kami.",
            "Kami ingin mengetahui jadwal dan syarat pendaftaran program tersebut.",
        ],
    ),
    (
        "ASPIRASI",
        &["Usulan taman bermain", "Usulan halte bus", "Usulan jalur pejalan kaki"],
        &[
            "Warga mengusulkan lahan kosong dijadikan taman bermain anak yang aman.",
            "Mohon dibangun halte karena banyak anak sekolah menunggu angkutan di bawah terik.",
        ],
    ),
    (
        "SAMSAT",
        &["Antrean Samsat panjang", "Samsat keliling tidak datang", "Denda pajak kendaraan keliru"],
        &[
            "Antrean pembayaran pajak kendaraan sangat panjang dan loket hanya dua yang buka.",
            "Jadwal Samsat keliling sudah diumumkan tetapi mobilnya tidak datang.",
        ],
    ),
    (
        "ANGKUTAN",
        &["Tarif bus dinaikkan sepihak", "Bus kelebihan muatan", "Terminal kotor"],
        &[
            "Tarif bus antarkota dinaikkan tanpa pengumuman resmi.",
            "Bus berangkat dengan penumpang berdiri hingga pintu, sangat berbahaya.",
        ],
    ),
    (
        "SMA-SMK",
        &["Pungutan di SMA negeri", "Laboratorium SMK rusak", "Penerimaan murid baru tidak jelas"],
        &[
            "Sekolah meminta sumbangan wajib dengan jumlah yang sama untuk semua orang tua.",
            "Peralatan praktik rusak sehingga siswa tidak bisa praktik sesuai kurikulum.",
        ],
    ),
    (
        "RUMAH-SAKIT",
        &["Rujukan ditolak", "Antrean IGD lama", "Obat harus dibeli sendiri"],
        &[
            "Pasien BPJS diminta membeli obat sendiri di luar rumah sakit.",
            "Pasien menunggu di IGD lebih dari lima jam sebelum ditangani.",
        ],
    ),
    (
        "PERIZINAN",
        &["Izin usaha lama terbit", "Persyaratan izin berubah-ubah"],
        &[
            "Permohonan izin sudah lengkap sejak sebulan lalu tetapi belum ada kabar.",
            "Persyaratan yang diminta petugas berbeda dengan yang tertulis di standar pelayanan.",
        ],
    ),
];

const FALLBACK_TITLES: &[&str] = &["Laporan warga"];
const FALLBACK_TEXTS: &[&str] = &["Mohon segera ditindaklanjuti."];

/// Places in Kota Kupang: a street or landmark and its kelurahan.
const KUPANG_PLACES: &[&str] = &[
    "Jl. Frans Seda, Kel. Fatululi",
    "Jl. El Tari, Kel. Oebobo",
    "Jl. Timor Raya, Kel. Oesapa",
    "Jl. Adisucipto, Kel. Oesapa Barat",
    "Jl. Soeharto, Kel. Naikoten I",
    "Jl. Sam Ratulangi, Kel. Kelapa Lima",
    "Jl. Moh. Hatta, Kel. Oetete",
    "Jl. Yos Sudarso, Kel. Namosain",
    "Jl. Jenderal Ahmad Yani, Kel. Fontein",
    "Jl. Cak Doko, Kel. Oebobo",
    "Jl. W.J. Lalamentik, Kel. Oebufu",
    "Jl. Bundaran PU, Kel. Maulafa",
    "Jl. Matani, Kel. Penfui",
    "Jl. Kejora, Kel. Oebufu",
    "Pasar Oeba, Kel. Fatubesi",
    "Jl. Alak Raya, Kel. Alak",
];

/// Towns across Nusa Tenggara Timur, with their centre.
const NTT_TOWNS: &[(&str, f64, f64)] = &[
    ("Soe, Timor Tengah Selatan", -9.861, 124.284),
    ("Atambua, Belu", -9.107, 124.892),
    ("Kefamenanu, Timor Tengah Utara", -9.447, 124.479),
    ("Ende", -8.843, 121.662),
    ("Maumere, Sikka", -8.619, 122.212),
    ("Labuan Bajo, Manggarai Barat", -8.496, 119.888),
    ("Ruteng, Manggarai", -8.612, 120.463),
    ("Bajawa, Ngada", -8.786, 120.977),
    ("Larantuka, Flores Timur", -8.341, 122.985),
    ("Waingapu, Sumba Timur", -9.657, 120.264),
    ("Waikabubak, Sumba Barat", -9.645, 119.414),
    ("Kalabahi, Alor", -8.221, 124.516),
    ("Ba'a, Rote Ndao", -10.731, 123.065),
    ("Oelamasi, Kupang", -10.178, 123.857),
];

const ANSWERS: &[&str] = &[
    "Tim sudah turun ke lokasi dan perbaikan telah selesai dikerjakan. Terima kasih atas laporan Anda.",
    "Laporan sudah ditindaklanjuti; petugas telah menangani masalah di lokasi pada hari ini.",
    "Kami telah memeriksa laporan ini. Penanganan dijadwalkan dalam anggaran perubahan tahun ini.",
    "Informasi yang diminta kami sampaikan: rincian tersedia di kantor kami dan dapat diambil pada jam kerja.",
];

const HOLD_REASONS: &[&str] = &[
    "Mohon lengkapi lokasi yang lebih tepat (nama jalan atau patokan terdekat).",
    "Mohon jelaskan kapan kejadian tersebut dan unit layanan mana yang dimaksud.",
];

const UNRESOLVED_REASONS: &[&str] = &[
    "Pelapor tidak melengkapi keterangan yang diminta sehingga laporan tidak dapat ditindaklanjuti.",
    "Setelah diperiksa di lokasi, kondisi yang dilaporkan tidak ditemukan.",
];

const AUTHORITY_REASONS: &[&str] = &[
    "Jalan tersebut berstatus jalan nasional; kewenangan ada pada BPJN Nusa Tenggara Timur.",
    "Layanan tersebut dikelola BPJS Kesehatan; silakan sampaikan melalui kanal BPJS Kesehatan.",
    "Sekolah tersebut dikelola yayasan swasta; kewenangan ada pada pengelola yayasan.",
];

const RATING_COMMENTS: &[&str] =
    &["Cepat ditangani, terima kasih.", "Sudah diperbaiki, semoga awet.", "Cukup baik.", "Agak lama tetapi beres.", ""];

/// One of the demo's fixed phrases.
fn phrase(draw: &mut Draw, phrases: &'static [&'static str]) -> &'static str {
    phrases[draw.below(phrases.len() as u64) as usize]
}

/// A report as drawn, before it is filed.
struct Drawn {
    at: DateTime<Utc>,
    age_days: i64,
    outcome: Outcome,
    government: usize,
    category: usize,
    title: String,
    text: String,
    lat: String,
    lon: String,
    address: String,
    anonymous: bool,
    confidential: bool,
    citizen: Option<i64>,
}

/// A government as the seed needs it.
struct Gov {
    id: i64,
    /// Category code, its agency.
    categories: Vec<(String, Option<i64>)>,
    /// Unit id, its agency id, its code.
    units: Vec<(i64, i64, String)>,
    /// An acting officer per agency (id), created for the seeded history.
    officers: HashMap<i64, i64>,
    desk_agency: i64,
}

impl Gov {
    fn officer(&self, agency: i64) -> Result<i64, SeedError> {
        self.officers
            .get(&agency)
            .copied()
            .ok_or_else(|| SeedError::Invalid("a demo complaint officer is missing".into()))
    }

    /// The unit a category's reports go to (Bina Marga for roads).
    fn unit_for(&self, draw: &mut Draw, category: usize) -> Option<(i64, i64)> {
        let (code, agency) = &self.categories[category];
        if code == "JALAN-RUSAK"
            && let Some((u, a, _)) = self.units.iter().find(|(_, _, c)| c == "pupr-bina-marga")
        {
            return Some((*u, *a));
        }
        let agency = match agency {
            Some(a) => *a,
            // Information requests and suggestions go to an agency that holds the answer.
            None => {
                let with_agency: Vec<i64> = self.categories.iter().filter_map(|(_, a)| *a).collect();
                *draw.pick(&with_agency)
            }
        };
        let units: Vec<&(i64, i64, String)> =
            self.units.iter().filter(|(_, a, c)| *a == agency && !c.ends_with("-pengaduan")).collect();
        if units.is_empty() {
            return None;
        }
        let (u, a, _) = draw.pick(&units);
        Some((*u, *a))
    }
}

async fn load_government(tx: &mut Tx, actor: &Actor, region: &str) -> Result<Gov, SeedError> {
    let (id,): (i64,) = tx.fetch_one(query("SELECT id FROM governments WHERE region_code = $1").bind(region)).await?;
    let categories: Vec<(String, Option<i64>)> = tx
        .fetch_all(
            query("SELECT code, agency_id FROM complaint_categories WHERE government_id = $1 AND active ORDER BY id")
                .bind(id),
        )
        .await?;
    let units: Vec<(i64, i64, String)> = tx
        .fetch_all(query("SELECT id, agency_id, code FROM units WHERE government_id = $1 ORDER BY id").bind(id))
        .await?;
    let (desk_agency,): (i64,) = tx
        .fetch_one(
            query(
                "SELECT u.agency_id FROM complaint_rules r JOIN units u ON u.id = r.desk_unit_id \
                 WHERE r.government_id = $1 ORDER BY r.version DESC LIMIT 1",
            )
            .bind(id),
        )
        .await?;
    let mut agencies: Vec<i64> = categories.iter().filter_map(|(_, a)| *a).collect();
    agencies.push(desk_agency);
    agencies.sort_unstable();
    agencies.dedup();
    let mut officers_by_agency = HashMap::new();
    for agency in agencies {
        let (code, name): (String, String) =
            tx.fetch_one(query("SELECT code, short_name FROM agencies WHERE id = $1").bind(agency)).await?;
        let short = if region == "53.71" { "kupang" } else { "ntt" };
        let username = format!("pengaduan.{short}.{code}");
        let display = format!("Petugas Pengaduan {name}");
        let officer = officers::create_officer(
            tx,
            actor,
            &NewOfficer {
                government_id: Some(id),
                agency_id: Some(agency),
                unit_id: None,
                role: Role::Officer,
                username: &username,
                display_name: &display,
                // No password: these officers only act in the seeded history.
                password_hash: "!",
            },
        )
        .await?;
        officers_by_agency.insert(agency, officer);
    }
    Ok(Gov { id, categories, units, officers: officers_by_agency, desk_agency })
}

/// A moment `days` (fractional) after `at`, never later than a minute before `now`.
fn after(at: DateTime<Utc>, days: f64, now: DateTime<Utc>) -> DateTime<Utc> {
    let later = at + Duration::minutes((days * 24.0 * 60.0) as i64);
    later.min(now - Duration::minutes(1))
}

/// Outcomes of the history's reports, all settled long ago, by weight.
const SETTLED: &[(Outcome, u64)] = &[
    (Outcome::Accepted, 55),
    (Outcome::Lapsed, 12),
    (Outcome::Unresolved, 12),
    (Outcome::NotOurAuthority, 12),
    (Outcome::Duplicate, 9),
];

/// A report of the history: settled, received between the recent weeks and `history_days` ago.
fn draw_settled(draw: &mut Draw, history_days: i64) -> (Outcome, (i64, i64)) {
    let mut roll = draw.below(SETTLED.iter().map(|(_, weight)| weight).sum());
    let outcome = SETTLED
        .iter()
        .find(|(_, weight)| {
            if roll < *weight {
                true
            } else {
                roll -= weight;
                false
            }
        })
        .map_or(Outcome::Accepted, |(outcome, _)| *outcome);
    (outcome, (DEMO_COMPLAINT_DAYS, DEMO_COMPLAINT_DAYS + history_days))
}

fn draw_report(
    draw: &mut Draw,
    govs: &[Gov],
    citizens: &[i64],
    now: DateTime<Utc>,
    history_days: Option<i64>,
) -> Drawn {
    let mut roll = draw.below(100);
    let (outcome, (min_age, max_age)) = match history_days {
        Some(days) => draw_settled(draw, days),
        None => OUTCOMES
            .iter()
            .find(|(_, weight, _)| {
                if roll < *weight {
                    true
                } else {
                    roll -= weight;
                    false
                }
            })
            .map(|(o, _, ages)| (*o, *ages))
            .unwrap_or((Outcome::Fresh, (0, 2))),
    };
    // Seven in ten reports are the city's; a re-routed one starts at the city and goes to the province.
    let government = if outcome == Outcome::Rerouted || draw.chance(0.7) { 0 } else { 1 };
    let gov = &govs[government];
    // A re-routed report is about something both governments file under the same category.
    let shared = gov.categories.iter().position(|(code, _)| code == "INFORMASI");
    let category = match shared {
        Some(shared) if outcome == Outcome::Rerouted => shared,
        _ => draw.below(gov.categories.len() as u64) as usize,
    };
    let code = gov.categories[category].0.as_str();
    let (titles, texts) = PHRASES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, t, x)| (*t, *x))
        .unwrap_or((FALLBACK_TITLES, FALLBACK_TEXTS));
    let age_minutes = min_age * 24 * 60 + draw.below(((max_age - min_age).max(1) * 24 * 60) as u64) as i64;
    let at = now - Duration::minutes(age_minutes.max(30));
    let (place, lat, lon) = if government == 0 {
        let place = draw.pick(KUPANG_PLACES).to_string();
        let lat = -10.23 + draw.below(10_000) as f64 / 10_000.0 * 0.10;
        let lon = 123.55 + draw.below(10_000) as f64 / 10_000.0 * 0.12;
        (place, lat, lon)
    } else {
        let (town, lat, lon) = *draw.pick(NTT_TOWNS);
        let jitter = |d: &mut Draw| (d.below(4_000) as f64 - 2_000.0) / 100_000.0;
        (town.to_string(), lat + jitter(draw), lon + jitter(draw))
    };
    let short_place = place.split(", ").next().unwrap_or(&place).to_string();
    let title = format!("{} di {short_place}", draw.pick(titles));
    let mut text = format!("{} Lokasi: {place}.", draw.pick(texts));
    if draw.chance(0.08) {
        // Reporters write numbers into their text; the public copies redact them.
        text.push_str(&format!(" Hubungi saya di 0812-{:04}-{:04}.", draw.below(10_000), draw.below(10_000)));
    }
    let anonymous = draw.chance(0.25);
    let confidential = code == "PUNGLI" || draw.chance(0.08);
    let citizen = (!citizens.is_empty() && draw.chance(0.3)).then(|| *draw.pick(citizens));
    Drawn {
        at,
        // A settled report of the history took weeks, not the years since it was received.
        age_days: if history_days.is_some() { 5 + draw.below(35) as i64 } else { age_minutes / (24 * 60) },
        outcome,
        government,
        category,
        title,
        text,
        lat: format!("{lat:.6}"),
        lon: format!("{lon:.6}"),
        address: place,
        anonymous,
        confidential,
        citizen,
    }
}

/// Seeds the demo's complaints (see the module's documentation), once: nothing when any exists.
/// Also adds the head of PUPR Kota Kupang with a work e-mail address, so escalations reach someone.
pub async fn seed_demo_complaints(db: &Db, vault: &Vault, now: DateTime<Utc>) -> Result<bool, SeedError> {
    seed_demo_complaints_over(db, vault, now, super::DemoVolume::STANDARD).await
}

/// [`seed_demo_complaints`] with as much settled history as `volume` asks for.
pub async fn seed_demo_complaints_over(
    db: &Db,
    vault: &Vault,
    now: DateTime<Utc>,
    volume: super::DemoVolume,
) -> Result<bool, SeedError> {
    let (count,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM complaints")).await?;
    if count > 0 {
        return Ok(false);
    }
    let actor = Actor::system("seed");
    let mut draw = Draw(0x5371_0013);
    let mut tx = db.begin().await?;
    let govs = vec![load_government(&mut tx, &actor, "53.71").await?, load_government(&mut tx, &actor, "53").await?];
    let (pupr,): (i64,) = tx
        .fetch_one(query("SELECT id FROM agencies WHERE government_id = $1 AND code = 'pupr'").bind(govs[0].id))
        .await?;
    let head = officers::create_officer(
        &mut tx,
        &actor,
        &NewOfficer {
            government_id: Some(govs[0].id),
            agency_id: Some(pupr),
            unit_id: None,
            role: Role::AgencyHead,
            username: DEMO_PUPR_HEAD,
            display_name: "Kepala Dinas PUPR Kota Kupang",
            password_hash: "!",
        },
    )
    .await?;
    set_work_email_in(&mut tx, &actor, head, DEMO_PUPR_HEAD_EMAIL).await?;
    let citizens: Vec<(i64,)> = tx.fetch_all(query("SELECT id FROM citizens ORDER BY id LIMIT 60")).await?;
    tx.commit().await?;
    let citizens: Vec<i64> = citizens.into_iter().map(|(id,)| id).collect();

    let mut drawn: Vec<Drawn> =
        (0..DEMO_COMPLAINTS).map(|_| draw_report(&mut draw, &govs, &citizens, now, None)).collect();
    let history_days = i64::from(volume.history_days);
    drawn.extend(
        (0..volume.history_complaints()).map(|_| draw_report(&mut draw, &govs, &citizens, now, Some(history_days))),
    );
    drawn.sort_by_key(|d| d.at);
    // Earlier reports of each government, by tracking number, for duplicates.
    let mut filed: Vec<Vec<String>> = vec![Vec::new(), Vec::new()];
    for (n, d) in drawn.iter().enumerate() {
        let gov = &govs[d.government];
        let code = gov.categories[d.category].0.clone();
        let kind = match code.as_str() {
            "INFORMASI" => ReportKind::InformationRequest,
            "ASPIRASI" => ReportKind::Aspiration,
            _ => ReportKind::Complaint,
        };
        let key = format!("demo-{n}");
        let new = NewReport {
            government_id: gov.id,
            kind,
            channel: if n % 9 == 4 { Channel::Open311 } else { Channel::Web },
            category_code: &code,
            title: &d.title,
            text: &d.text,
            lat: &d.lat,
            lon: &d.lon,
            address: &d.address,
            region_code: "",
            anonymous: d.anonymous,
            confidential: d.confidential,
            reporter: match d.citizen {
                Some(id) => Reporter::Citizen(id),
                None => Reporter::Guest { name: "", email: "", phone: "" },
            },
            photos: &[],
            open311_client_id: None,
            idempotency_key: &key,
        };
        let report = complaints::file_report(db, vault, &new, d.at).await?;
        let secret = report.secret.clone().unwrap_or_default();
        let tracking = report.tracking_number.as_str().to_owned();
        let duplicate_target = (!filed[d.government].is_empty())
            .then(|| filed[d.government][draw.below(filed[d.government].len() as u64) as usize].clone());
        // Only a report that stays at its government and is no duplicate itself can be repeated.
        if !matches!(d.outcome, Outcome::Duplicate | Outcome::Rerouted) {
            filed[d.government].push(tracking.clone());
        }
        move_report(db, vault, gov, &govs, &mut draw, d, kind, report.case_id, duplicate_target, now).await?;
        if d.outcome == Outcome::Accepted && draw.chance(0.8) {
            let stars = [5, 5, 4, 4, 4, 3, 2, 1][draw.below(8) as usize];
            let rating = Rating::parse(&stars.to_string(), phrase(&mut draw, RATING_COMMENTS))
                .map_err(|e| SeedError::Invalid(format!("a demo rating: {e:?}")))?;
            let key = ReporterKey::Secret { tracking_number: &tracking, secret: &secret };
            let rated_at = after(d.at, d.age_days as f64 * 0.9, now);
            complaints::rate(db, vault, &key, &rating, rated_at).await?;
        }
    }
    Ok(true)
}

/// Moves one report to its outcome, every move at a later moment, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn move_report(
    db: &Db,
    vault: &Vault,
    gov: &Gov,
    govs: &[Gov],
    draw: &mut Draw,
    d: &Drawn,
    kind: ReportKind,
    case_id: i64,
    duplicate_of: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    let desk = EventActor::Officer(gov.officer(gov.desk_agency)?);
    let age = d.age_days.max(1) as f64;
    let at = |fraction: f64| after(d.at, age * fraction, now);
    let mut tx = db.begin().await?;
    let step = |event: ComplaintEvent, actor: EventActor, instruction: Instruction<'static>, when: DateTime<Utc>| {
        (event, actor, instruction, when)
    };
    let mut moves: Vec<(ComplaintEvent, EventActor, Instruction<'_>, DateTime<Utc>)> = Vec::new();
    let reason = |text: &'static str| Instruction { reason: text, ..Instruction::default() };
    let disposed = gov.unit_for(draw, d.category);
    let class = match kind {
        ReportKind::InformationRequest => ComplaintClass::Information,
        _ if d.outcome == Outcome::LateAtAgency => ComplaintClass::Ordinary,
        _ if draw.chance(0.15) => ComplaintClass::Supervisory,
        _ => ComplaintClass::Ordinary,
    };
    let dispose = |unit: i64| Instruction { to_unit_id: Some(unit), class: Some(class), ..Instruction::default() };
    let agency_actor = match disposed {
        Some((_, agency)) => EventActor::Officer(gov.officer(agency).unwrap_or(gov.officer(gov.desk_agency)?)),
        None => desk.clone(),
    };
    let verify_and_dispose = |moves: &mut Vec<_>, verify_at: f64, dispose_at: f64| -> bool {
        moves.push(step(ComplaintEvent::Verify, desk.clone(), Instruction::default(), at(verify_at)));
        match disposed {
            Some((unit, _)) => {
                moves.push(step(ComplaintEvent::Dispose, desk.clone(), dispose(unit), at(dispose_at)));
                true
            }
            None => false,
        }
    };
    let answer = Instruction { reason: phrase(draw, ANSWERS), ..Instruction::default() };
    match d.outcome {
        Outcome::Fresh | Outcome::LateAtDesk => {}
        Outcome::OnHold => {
            moves.push(step(ComplaintEvent::Hold, desk.clone(), reason(phrase(draw, HOLD_REASONS)), at(0.2)));
        }
        Outcome::Verified => {
            moves.push(step(ComplaintEvent::Verify, desk.clone(), Instruction::default(), at(0.5)));
        }
        Outcome::Disposed | Outcome::LateAtAgency => {
            verify_and_dispose(&mut moves, 0.03, 0.05);
        }
        Outcome::Answered => {
            if verify_and_dispose(&mut moves, 0.1, 0.15) {
                moves.push(step(ComplaintEvent::Answer, agency_actor.clone(), answer, at(0.7)));
            }
        }
        Outcome::Accepted => {
            if verify_and_dispose(&mut moves, 0.05, 0.08) {
                moves.push(step(ComplaintEvent::Answer, agency_actor.clone(), answer, at(0.5)));
                moves.push(step(ComplaintEvent::Accept, EventActor::Reporter, Instruction::default(), at(0.6)));
            }
        }
        Outcome::Lapsed => {
            // Answered within days; the reporter never replied, so it closed after their ten working days.
            if verify_and_dispose(&mut moves, 0.02, 0.03) {
                let answered = after(d.at, 3.0, now);
                moves.push(step(ComplaintEvent::Answer, agency_actor.clone(), answer, answered));
                let lapsed = after(answered, 15.0, now);
                moves.push(step(
                    ComplaintEvent::Lapse,
                    EventActor::System("complaints"),
                    Instruction::default(),
                    lapsed,
                ));
            }
        }
        Outcome::Reopened => {
            if verify_and_dispose(&mut moves, 0.05, 0.08) {
                moves.push(step(ComplaintEvent::Answer, agency_actor.clone(), answer, at(0.4)));
                let why = Instruction {
                    reason: "Belum selesai: di lokasi belum ada perbaikan sama sekali.",
                    ..Instruction::default()
                };
                moves.push(step(ComplaintEvent::Reopen, EventActor::Reporter, why, at(0.6)));
            }
        }
        Outcome::Unresolved => {
            moves.push(step(ComplaintEvent::Hold, desk.clone(), reason(phrase(draw, HOLD_REASONS)), at(0.1)));
            moves.push(step(
                ComplaintEvent::CloseUnresolved,
                desk.clone(),
                reason(phrase(draw, UNRESOLVED_REASONS)),
                at(0.9),
            ));
        }
        Outcome::NotOurAuthority => {
            moves.push(step(
                ComplaintEvent::NotOurAuthority,
                desk.clone(),
                reason(phrase(draw, AUTHORITY_REASONS)),
                at(0.3),
            ));
        }
        Outcome::Duplicate => {
            if let Some(other) = duplicate_of.as_deref() {
                let mark = Instruction { duplicate_of: Some(other), ..Instruction::default() };
                moves.push((ComplaintEvent::MarkDuplicate, desk.clone(), mark, at(0.2)));
            }
        }
        Outcome::Rerouted => {
            let to = govs.iter().find(|g| g.id != gov.id).map(|g| g.id);
            let reroute = Instruction {
                reason: "Menjadi kewenangan Pemerintah Provinsi Nusa Tenggara Timur.",
                to_government_id: to,
                ..Instruction::default()
            };
            moves.push((ComplaintEvent::Reroute, desk.clone(), reroute, at(0.3)));
        }
    }
    let mut last = d.at;
    for (event, actor, instruction, when) in moves {
        // Each move comes after the one before it, however short the report's life.
        let when = if when <= last { last + Duration::minutes(7) } else { when };
        last = when;
        complaints::act_unchecked_in(&mut tx, vault, case_id, actor, event, &instruction, when).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets an officer's work e-mail address (where escalations reach a head of agency), with its leaf.
pub async fn set_work_email_in(tx: &mut Tx, actor: &Actor, officer_id: i64, email: &str) -> Result<(), SeedError> {
    tx.execute(query("UPDATE officers SET email = $1 WHERE id = $2").bind(email).bind(officer_id)).await?;
    crate::audit::record_change(tx, actor, "officers.email", &crate::audit::Subject::new("officers", officer_id), None)
        .await?;
    Ok(())
}
