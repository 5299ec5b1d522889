//! The officers' complaint pages' fixed texts, looked up in templates by name through
//! [`W`]: `{{ w.t("QUEUE_HEADING") }}`. A test checks that every name a template asks
//! for exists.

crate::texts::texts! {
    QUEUE_HEADING = "Pengaduan masyarakat"
        / "Public complaints";
    QUEUE_INTRO = "Laporan yang menunggu tindakan Anda, yang paling dekat batas waktunya di atas."
        / "Reports waiting for you, the nearest deadline first.";
    QUEUE_EMPTY = "Tidak ada laporan yang menunggu."
        / "No reports are waiting.";
    QUEUE_LINK = "Pengaduan masyarakat"
        / "Public complaints";
    APPLICATIONS_LINK = "Antrean permohonan"
        / "Applications queue";
    TRACKING_NUMBER = "Nomor pelacakan"
        / "Tracking number";
    TITLE = "Judul"
        / "Title";
    KIND = "Jenis"
        / "Kind";
    CATEGORY = "Kategori"
        / "Category";
    STATUS = "Status"
        / "Status";
    DUE = "Batas waktu"
        / "Due";
    LATE = "Terlambat"
        / "Late";
    ANONYMOUS = "Anonim"
        / "Anonymous";
    CONFIDENTIAL = "Rahasia"
        / "Confidential";
    RULES_LINK = "Aturan pengaduan"
        / "Complaint rules";
    CASE_HEADING = "Laporan {tracking}"
        / "Report {tracking}";
    BACK_TO_QUEUE = "Kembali ke daftar pengaduan"
        / "Back to the complaints";
    TEXT = "Isi laporan"
        / "The report";
    PHOTOS = "Foto"
        / "Photos";
    PHOTO_ALT = "Foto laporan nomor {n}"
        / "Report photo number {n}";
    PHOTO_OF_EVENT_ALT = "Foto hasil penanganan nomor {n}"
        / "Resolution photo number {n}";
    LOCATION = "Lokasi"
        / "Location";
    NO_LOCATION = "Pelapor tidak memilih titik lokasi."
        / "The reporter chose no point on the map.";
    COORDINATES = "Lintang {lat}, bujur {lon}"
        / "Latitude {lat}, longitude {lon}";
    REPORTER = "Pelapor"
        / "Reporter";
    REPORTER_ANONYMOUS = "Pelapor anonim"
        / "Anonymous reporter";
    REPORTER_CITIZEN = "Warga dengan akun Balai"
        / "A citizen with a Balai account";
    REPORTER_GUEST = "Pelapor tanpa akun (kontak tidak ditampilkan)"
        / "A reporter without an account (contact not shown)";
    CHANNEL = "Kanal"
        / "Channel";
    CHANNEL_WEB = "Situs web"
        / "Website";
    CHANNEL_OPEN311 = "Aplikasi mitra (Open311)"
        / "Partner app (Open311)";
    CHANNEL_WBS = "Sistem pelaporan pelanggaran (WBS)"
        / "Whistleblowing (WBS)";
    CLASS = "Klasifikasi"
        / "Class";
    RULES_VERSION = "Aturan yang berlaku"
        / "Rules applied";
    RULES_VERSION_VALUE = "Versi {version}"
        / "Version {version}";
    SUBMITTED = "Diterima"
        / "Received";
    DUPLICATE_OF_LABEL = "Duplikat dari"
        / "Duplicate of";
    ROUTE = "Rute penanganan"
        / "Route";
    UNIT = "Unit"
        / "Unit";
    STEP_DONE = "Selesai"
        / "Done";
    STEP_NOW = "Sedang di tahap ini"
        / "At this step now";
    HISTORY = "Riwayat"
        / "History";
    WHY = "Alasan"
        / "Reason";
    EVENT_SUBMITTED = "Laporan diterima"
        / "Report received";
    EVENT_BREACH = "Batas waktu terlewati"
        / "Deadline missed";
    ACT_HEADING = "Tindakan"
        / "Actions";
    NO_ACTIONS = "Tidak ada tindakan yang dapat Anda lakukan pada laporan ini sekarang."
        / "There is nothing you can do on this report now.";
    REASON_HINT = "Ditampilkan kepada pelapor dan, bila laporan tidak rahasia, kepada publik (nomor pribadi disamarkan)."
        / "Shown to the reporter and, unless the report is confidential, to the public (personal numbers masked).";
    AUTHORITY_HINT = "Sebutkan instansi yang berwenang menangani laporan ini."
        / "Name the body that has authority over this report.";
    TO_GOVERNMENT = "Pemerintah daerah tujuan"
        / "Government to re-route to";
    TO_UNIT = "Unit tujuan"
        / "Unit to dispose to";
    CLASS_CHOICE = "Klasifikasi (menentukan batas waktu jawaban)"
        / "Class (sets the answer's deadline)";
    DUPLICATE_OF = "Nomor pelacakan laporan yang sama"
        / "Tracking number of the same report";
    DUPLICATE_HINT = "Pengikut dan dukungan laporan ini pindah ke laporan tersebut."
        / "This report's followers and supporters move to that report.";
    ANSWER_TEXT = "Jawaban tindak lanjut"
        / "Follow-up answer";
    TEMPLATES = "Templat jawaban"
        / "Answer templates";
    USE_TEMPLATE = "Pakai templat: {title}"
        / "Use template: {title}";
    RESOLUTION_PHOTOS = "Foto hasil penanganan (tidak wajib, paling banyak 5)"
        / "Resolution photos (optional, at most 5)";
    PHOTO_HINT = "JPEG atau PNG. Data EXIF dan lokasi GPS dihapus sebelum disimpan."
        / "JPEG or PNG. EXIF data and GPS location are removed before the photo is kept.";
    PHOTOS_TOO_MANY = "Paling banyak {max} foto."
        / "At most {max} photos.";
    PHOTO_NOT_IMAGE = "Hanya foto JPEG atau PNG."
        / "Only JPEG or PNG photos.";
    CHECK_BELOW = "Periksa isian berikut"
        / "Please check the following";
    STALE = "Laporan ini sudah diubah petugas lain sejak halaman dibuka. Halaman ini menampilkan keadaan terbaru: periksa, lalu ulangi tindakan bila masih perlu."
        / "Another officer changed this report after you opened the page. This page shows it as it is now: check, then act again if still needed.";
    REFUSED = "Tindakan tidak dapat dilakukan"
        / "The action could not be done";
    RULES_HEADING = "Aturan pengaduan"
        / "Complaint rules";
    RULES_INTRO = "Batas waktu dalam hari kerja. Versi baru berlaku untuk laporan yang masuk sesudahnya; laporan yang sudah ada tetap memakai versi saat diterima."
        / "Deadlines in working days. A new version applies to reports received after it; reports already in keep the version they came under.";
    GOVERNMENT = "Pemerintah daerah"
        / "Government";
    SHOW = "Tampilkan"
        / "Show";
    CURRENT = "Berlaku sekarang: versi {version}"
        / "In force: version {version}";
    NO_RULES = "Belum ada aturan pengaduan untuk pemerintah daerah ini."
        / "This government has no complaint rules yet.";
    VERSIONS = "Riwayat versi"
        / "Version history";
    VERSION = "Versi"
        / "Version";
    NOTE = "Catatan perubahan"
        / "Change note";
    NOTE_HINT = "Misalnya peraturan yang berubah. Disimpan bersama versi ini."
        / "For example the regulation that changed. Kept with this version.";
    PUBLISHED_AT = "Diterbitkan"
        / "Published";
    DEADLINES = "Batas waktu (hari kerja)"
        / "Deadlines (working days)";
    VERIFY_DAYS = "Verifikasi oleh pengelola pengaduan"
        / "Verification by the complaint desk";
    INFORMATION_DAYS = "Jawaban permintaan informasi"
        / "Answer to an information request";
    ORDINARY_DAYS = "Jawaban pengaduan tanpa substansi pengawasan"
        / "Answer to a complaint without supervisory content";
    SUPERVISORY_DAYS = "Jawaban pengaduan dengan substansi pengawasan"
        / "Answer to a complaint with supervisory content";
    RESPONSE_DAYS = "Tanggapan pelapor atas jawaban"
        / "The reporter's reply to an answer";
    REOPEN_DAYS = "Tindak lanjut ulang setelah dibuka kembali"
        / "Follow-up after a reopening";
    DESK_UNIT = "Unit pengelola pengaduan"
        / "Complaint desk unit";
    AREA = "Wilayah laporan"
        / "Area of reports";
    AREA_HINT = "Kotak lintang dan bujur (derajat desimal). Kosongkan keempatnya bila tidak dibatasi."
        / "A box of latitude and longitude (decimal degrees). Leave all four empty for no limit.";
    NO_AREA = "Tidak dibatasi"
        / "No limit";
    MIN_LAT = "Lintang selatan (terkecil)"
        / "Southern latitude (smallest)";
    MAX_LAT = "Lintang utara (terbesar)"
        / "Northern latitude (largest)";
    MIN_LON = "Bujur barat (terkecil)"
        / "Western longitude (smallest)";
    MAX_LON = "Bujur timur (terbesar)"
        / "Eastern longitude (largest)";
    SIMILAR_RADIUS = "Jarak laporan serupa (meter)"
        / "Distance of similar reports (metres)";
    SIMILAR_DAYS = "Rentang waktu laporan serupa (hari)"
        / "Period of similar reports (days)";
    PUBLISH = "Terbitkan versi baru"
        / "Publish a new version";
    PUBLISHED_NOTICE = "Versi {version} diterbitkan. Laporan baru memakai versi ini."
        / "Version {version} published. New reports use it.";
    NUMBER_EXPECTED = "Isi dengan angka."
        / "Enter a number.";
    AREA_INCOMPLETE = "Isi keempat batas atau kosongkan semuanya."
        / "Fill in all four limits or none.";
}

/// The texts of these pages, by name, for templates: `{{ w.t("QUEUE_HEADING") }}`.
#[derive(Debug, Clone, Copy)]
pub struct W(pub balai_domain::Lang);

impl W {
    pub fn t(&self, name: &str) -> &'static str {
        ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}
