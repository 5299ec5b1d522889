//! Page language: `?lang=` wins, then the `lang` cookie, then `Accept-Language`; Indonesian by default.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use balai_domain::Lang;
use std::convert::Infallible;

/// The language of this request.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLang(lang_of(parts)))
    }
}

pub fn lang_of(parts: &Parts) -> Lang {
    let from_query = parts
        .uri
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::from_tag));
    if let Some(lang) = from_query {
        return lang;
    }
    let from_cookie = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang="))
        .and_then(Lang::from_tag);
    if let Some(lang) = from_cookie {
        return lang;
    }
    parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Every fixed text on the pages, in one language.
pub struct Texts {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub skip_to_content: &'static str,
    pub site_tagline: &'static str,
    pub home: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub categories: &'static str,
    pub services_count: &'static str,
    pub governments: &'static str,
    pub results_for: &'static str,
    pub all_services: &'static str,
    pub no_results: &'static str,
    pub results_total: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page: &'static str,
    pub requirements: &'static str,
    pub held_by_government: &'static str,
    pub procedure: &'static str,
    pub responsible_unit: &'static str,
    pub completion_time: &'static str,
    pub working_days: &'static str,
    pub same_day: &'static str,
    pub fee: &'static str,
    pub free: &'static str,
    pub legal_basis_fee: &'static str,
    pub product: &'static str,
    pub complaints: &'static str,
    pub agency: &'static str,
    pub standard_issued_by: &'static str,
    pub effective_from: &'static str,
    pub version: &'static str,
    pub versions: &'static str,
    pub old_version_notice: &'static str,
    pub see_current: &'static str,
    pub maklumat: &'static str,
    pub units: &'static str,
    pub services: &'static str,
    pub contact: &'static str,
    pub agencies: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub footer: &'static str,
    pub my_record: &'static str,
    pub track: &'static str,
    pub my_applications: &'static str,
    pub complaints_link: &'static str,
    pub new_complaint: &'static str,
    pub my_complaints: &'static str,
    pub apply: &'static str,
    pub admin: &'static str,
}

pub const ID: Texts = Texts {
    lang: "id",
    other_lang: "en",
    other_lang_name: "English",
    skip_to_content: "Langsung ke isi",
    site_tagline: "Layanan publik pemerintah daerah dalam satu pintu",
    home: "Beranda",
    search_label: "Cari layanan",
    search_placeholder: "contoh: akta kelahiran, KTP, izin reklame",
    search_button: "Cari",
    categories: "Kategori layanan",
    services_count: "layanan",
    governments: "Pemerintah daerah",
    results_for: "Hasil pencarian",
    all_services: "Semua layanan",
    no_results: "Tidak ada layanan yang cocok. Coba kata lain, misalnya \"akta\" atau \"izin\".",
    results_total: "layanan ditemukan",
    previous: "Sebelumnya",
    next: "Berikutnya",
    page: "Halaman",
    requirements: "Persyaratan",
    held_by_government: "Sudah dimiliki pemerintah — tidak perlu diunggah lagi",
    procedure: "Prosedur",
    responsible_unit: "Penanggung jawab",
    completion_time: "Jangka waktu penyelesaian",
    working_days: "hari kerja",
    same_day: "selesai pada hari yang sama",
    fee: "Biaya/tarif",
    free: "Gratis",
    legal_basis_fee: "Dasar hukum biaya",
    product: "Produk layanan",
    complaints: "Pengaduan, saran dan masukan",
    agency: "Instansi",
    standard_issued_by: "Standar pelayanan ditetapkan dengan",
    effective_from: "berlaku sejak",
    version: "Versi",
    versions: "Riwayat versi",
    old_version_notice: "Anda melihat versi lama standar pelayanan ini.",
    see_current: "Lihat versi yang berlaku",
    maklumat: "Maklumat pelayanan",
    units: "Unit kerja",
    services: "Layanan",
    contact: "Kontak",
    agencies: "Perangkat daerah",
    not_found_title: "Halaman tidak ditemukan",
    not_found_body: "Alamat yang Anda buka tidak ada. Cari layanan dari beranda.",
    error_title: "Terjadi kesalahan",
    error_body: "Permintaan Anda tidak dapat diproses saat ini. Silakan coba lagi.",
    footer: "Balai — portal layanan publik. Standar pelayanan sesuai UU 25/2009.",
    my_record: "Data saya",
    track: "Lacak permohonan",
    my_applications: "Permohonan saya",
    complaints_link: "Pengaduan",
    new_complaint: "Sampaikan pengaduan atau aspirasi",
    my_complaints: "Laporan saya",
    apply: "Ajukan permohonan",
    admin: "Admin",
};

pub const EN: Texts = Texts {
    lang: "en",
    other_lang: "id",
    other_lang_name: "Bahasa Indonesia",
    skip_to_content: "Skip to content",
    site_tagline: "Regional government public services in one place",
    home: "Home",
    search_label: "Search services",
    search_placeholder: "e.g. birth certificate, ID card, billboard permit",
    search_button: "Search",
    categories: "Service categories",
    services_count: "services",
    governments: "Regional governments",
    results_for: "Search results",
    all_services: "All services",
    no_results: "No service matches. Try another word, such as \"akta\" or \"izin\".",
    results_total: "services found",
    previous: "Previous",
    next: "Next",
    page: "Page",
    requirements: "Requirements",
    held_by_government: "Already held by the government — no need to upload it",
    procedure: "Procedure",
    responsible_unit: "Responsible unit",
    completion_time: "Completion time",
    working_days: "working days",
    same_day: "completed the same day",
    fee: "Fee",
    free: "Free",
    legal_basis_fee: "Legal basis of the fee",
    product: "What you receive",
    complaints: "Complaints, suggestions and feedback",
    agency: "Agency",
    standard_issued_by: "Service standard issued by",
    effective_from: "effective from",
    version: "Version",
    versions: "Version history",
    old_version_notice: "You are viewing an old version of this service standard.",
    see_current: "See the version in force",
    maklumat: "Service pledge (maklumat pelayanan)",
    units: "Units",
    services: "Services",
    contact: "Contact",
    agencies: "Agencies",
    not_found_title: "Page not found",
    not_found_body: "The address you opened does not exist. Search for a service from the home page.",
    error_title: "Something went wrong",
    error_body: "Your request could not be processed right now. Please try again.",
    footer: "Balai — public service portal. Service standards under Law 25/2009.",
    my_record: "My record",
    track: "Track an application",
    my_applications: "My applications",
    complaints_link: "Complaints",
    new_complaint: "Send a complaint or an aspiration",
    my_complaints: "My reports",
    apply: "Apply",
    admin: "Admin",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    }
}

/// "5 hari kerja" / "5 working days"; 0 reads as "same day".
pub fn working_days(lang: Lang, days: i64) -> String {
    let t = texts(lang);
    if days == 0 { t.same_day.to_owned() } else { format!("{days} {}", t.working_days) }
}
