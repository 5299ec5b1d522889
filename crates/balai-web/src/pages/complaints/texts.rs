//! The complaints pages' fixed texts, looked up in templates by name through [`super::L`].

crate::texts::texts! {
    COMPLAINTS = "Pengaduan"
        / "Complaints";
    PUBLIC_HEADING = "Laporan warga"
        / "Citizens' reports";
    PUBLIC_INTRO = "Laporan yang tidak dirahasiakan, terbaru lebih dulu. Nomor NIK, telepon dan alamat e-mail di dalam teks disamarkan."
        / "Reports not marked confidential, newest first. NIK numbers, phone numbers and e-mail addresses in the text are masked.";
    NEW_REPORT = "Buat laporan"
        / "Make a report";
    NEW_HEADING = "Sampaikan laporan"
        / "Send a report";
    NEW_INTRO = "Sampaikan pengaduan, aspirasi atau permintaan informasi kepada {government}. Anda tidak perlu masuk: setelah terkirim Anda mendapat nomor pelacakan dan kode rahasia."
        / "Send a complaint, an aspiration or a request for information to {government}. You need not sign in: once sent you get a tracking number and a secret code.";
    SIGNED_IN_NOTE = "Anda masuk sebagai warga: laporan tercatat di akun Anda dan dapat diikuti di halaman Laporan saya."
        / "You are signed in as a citizen: the report is kept with your account and can be followed under My reports.";
    KIND = "Jenis laporan"
        / "Kind of report";
    CATEGORY = "Kategori"
        / "Category";
    CHOOSE = "— pilih —"
        / "— choose —";
    TITLE = "Judul singkat"
        / "Short title";
    TEXT = "Isi laporan"
        / "What happened";
    TEXT_HINT = "Paling banyak 4.000 karakter. Tulis apa, di mana dan sejak kapan."
        / "Up to 4,000 characters. Say what, where and since when.";
    LOCATION = "Lokasi"
        / "Location";
    LOCATION_HINT = "Isi garis lintang dan bujur (misalnya -10.1772 dan 123.6070), atau gunakan tombol lokasi. Lokasi tidak wajib, tetapi membantu petugas dan menampilkan laporan di peta."
        / "Give the latitude and longitude (for example -10.1772 and 123.6070), or use the location button. A location is optional, but it helps the officers and puts the report on the map.";
    LATITUDE = "Garis lintang"
        / "Latitude";
    LONGITUDE = "Garis bujur"
        / "Longitude";
    USE_MY_LOCATION = "Gunakan lokasi saya"
        / "Use my location";
    ADDRESS = "Alamat atau patokan"
        / "Address or landmark";
    REGION = "Kode wilayah desa/kelurahan"
        / "Village code";
    OPTIONAL = "(tidak wajib)"
        / "(optional)";
    PHOTOS = "Foto"
        / "Photos";
    PHOTOS_HINT = "Paling banyak 5 foto JPEG atau PNG. Data lokasi dan kamera di dalam foto dihapus sebelum disimpan."
        / "Up to 5 JPEG or PNG photos. Location and camera data inside the photos are removed before they are kept.";
    PHOTOS_AGAIN = "Foto belum tersimpan: pilih lagi foto Anda sebelum mengirim."
        / "Photos were not kept: choose your photos again before sending.";
    PRIVACY = "Kerahasiaan"
        / "Privacy";
    ANONYMOUS = "Anonim: identitas saya tidak ditampilkan kepada siapa pun, termasuk petugas"
        / "Anonymous: my identity is shown to no one, officers included";
    CONFIDENTIAL = "Rahasia: laporan tidak ditampilkan kepada publik"
        / "Confidential: the report is not shown to the public";
    PRIVACY_HINT = "Keduanya dapat dipilih bersama atau sendiri-sendiri, dan tidak dapat dicabut oleh petugas."
        / "Either or both may be chosen, and no officer can lift them.";
    CONTACT = "Kontak (tidak wajib)"
        / "Contact (optional)";
    CONTACT_HINT = "Untuk kabar perkembangan laporan. Tidak pernah ditampilkan kepada publik."
        / "For news about the report. Never shown to the public.";
    NAME = "Nama"
        / "Name";
    EMAIL = "E-mail"
        / "E-mail";
    PHONE = "Nomor telepon"
        / "Phone number";
    SEND = "Kirim laporan"
        / "Send the report";
    SEND_NEW = "Kirim laporan baru"
        / "Send a new report";
    CHECK_BELOW = "Periksa isian berikut"
        / "Please check the following";
    SIMILAR_HEADING = "Laporan serupa di dekat lokasi Anda"
        / "Similar reports near your location";
    SIMILAR_INTRO = "Laporan ini masih ditangani. Jika masalahnya sama, dukung laporan yang ada; jika berbeda, kirim laporan baru di bawah."
        / "These reports are still being handled. If the problem is the same, support the existing report; if not, send a new report below.";
    ME_TOO = "Saya juga mengalami"
        / "Me too";
    SUPPORTERS = "{count} orang juga mengalami"
        / "{count} people have this too";
    SUPPORTED = "Terima kasih, dukungan Anda tercatat."
        / "Thank you, your support is counted.";
    METRES_AWAY = "{metres} m dari lokasi Anda"
        / "{metres} m from your location";
    FILED_HEADING = "Laporan terkirim"
        / "Report sent";
    FILED_INTRO = "Catat nomor pelacakan dan kode rahasia ini sekarang. Kode rahasia hanya ditampilkan sekali ini dan tidak dapat dikirim ulang."
        / "Write down the tracking number and the secret code now. The secret code is shown only this once and cannot be sent again.";
    FILED_REPLAYED = "Laporan ini sudah terkirim sebelumnya. Kode rahasia hanya ditampilkan pada saat pertama."
        / "This report was sent before. The secret code was shown only the first time.";
    TRACKING_NUMBER = "Nomor pelacakan"
        / "Tracking number";
    SECRET = "Kode rahasia"
        / "Secret code";
    DUE = "Batas waktu verifikasi"
        / "Verification due";
    FOLLOW_LINK = "Ikuti laporan dengan nomor dan kode rahasia"
        / "Follow the report with its number and secret code";
    SEE_PUBLIC = "Lihat halaman publik laporan"
        / "See the report's public page";
    TRACK_HEADING = "Lacak laporan"
        / "Track a report";
    TRACK_INTRO = "Masukkan nomor pelacakan dan kode rahasia yang Anda terima saat mengirim laporan."
        / "Enter the tracking number and the secret code you received when you sent the report.";
    TRACK = "Lacak"
        / "Track";
    NOT_FOUND_OR_SECRET = "Nomor pelacakan atau kode rahasia tidak cocok dengan laporan mana pun."
        / "The tracking number or the secret code matches no report.";
    THROTTLED = "Terlalu banyak percobaan dari perangkat ini. Coba lagi beberapa menit lagi."
        / "Too many attempts from this device. Try again in a few minutes.";
    TRACK_SESSION_GONE = "Sesi pelacakan berakhir. Masukkan lagi nomor dan kode rahasia."
        / "The tracking session has ended. Enter the number and secret code again.";
    YOUR_REPORT = "Laporan Anda"
        / "Your report";
    STATUS = "Status"
        / "Status";
    SUBMITTED = "Dikirim"
        / "Sent";
    CLOSED = "Ditutup"
        / "Closed";
    KIND_LABEL = "Jenis"
        / "Kind";
    FLAGS = "Pilihan pelapor"
        / "Reporter's choices";
    FLAG_ANONYMOUS = "Anonim"
        / "Anonymous";
    FLAG_CONFIDENTIAL = "Rahasia"
        / "Confidential";
    TIMELINE = "Riwayat"
        / "Timeline";
    WHEN = "Waktu"
        / "When";
    WHAT = "Kejadian"
        / "What";
    BY = "Oleh"
        / "By";
    NOTE = "Keterangan"
        / "Note";
    BY_OFFICER = "Petugas"
        / "Officer";
    BY_REPORTER = "Pelapor"
        / "Reporter";
    BY_SYSTEM = "Sistem"
        / "System";
    EVENT_SUBMITTED = "Laporan diterima"
        / "Report received";
    EVENT_BREACH = "Batas waktu terlewati"
        / "Deadline missed";
    RESPOND_HEADING = "Tanggapan Anda atas jawaban"
        / "Your response to the answer";
    ACCEPT = "Saya puas, tutup laporan"
        / "I am satisfied, close the report";
    REOPEN = "Belum selesai, buka kembali"
        / "Not solved, reopen";
    REOPEN_REASON = "Alasan membuka kembali"
        / "Why you reopen it";
    REOPEN_REASON_REQUIRED = "Tuliskan alasan mengapa laporan dibuka kembali."
        / "Say why the report is reopened.";
    RATE_HEADING = "Nilai jawaban"
        / "Rate the answer";
    STARS = "Nilai (1 = buruk, 5 = sangat baik)"
        / "Rating (1 = poor, 5 = very good)";
    COMMENT = "Komentar"
        / "Comment";
    RATE = "Kirim nilai"
        / "Send the rating";
    RATING = "Nilai pelapor"
        / "Reporter's rating";
    RATING_VALUE = "{stars} dari 5"
        / "{stars} out of 5";
    DONE = "Tersimpan."
        / "Saved.";
    FILTER = "Saring"
        / "Filter";
    ANY = "Semua"
        / "All";
    OPEN = "Masih ditangani"
        / "Being handled";
    CLOSED_ONLY = "Sudah ditutup"
        / "Closed";
    STATE = "Keadaan"
        / "State";
    OLDER = "Laporan lebih lama"
        / "Older reports";
    NONE = "Belum ada laporan yang sesuai."
        / "No matching reports yet.";
    MAP = "Peta laporan"
        / "Map of the reports";
    MAP_NOTE = "Setiap titik adalah tautan ke laporannya. Daftar di atas memuat laporan yang sama."
        / "Each point links to its report. The list above holds the same reports.";
    MAP_NONE = "Tidak ada laporan dengan lokasi di halaman ini."
        / "No report on this page has a location.";
    LIST = "Daftar laporan"
        / "List of reports";
    PHOTO_ALT = "Foto {n} dari laporan"
        / "Photo {n} of the report";
    DUPLICATE_OF = "Laporan ini digabung ke laporan {number}."
        / "This report was merged into report {number}.";
    MY_REPORTS = "Laporan saya"
        / "My reports";
    MY_REPORTS_NONE = "Anda belum mengirim laporan."
        / "You have not sent a report yet.";
    PHOTO_COUNT = "{count} foto terlampir"
        / "{count} photos attached";
    GOVERNMENT = "Pemerintah daerah"
        / "Government";
    ADDRESS_SHOWN = "Alamat"
        / "Address";
    TOO_MANY_PHOTOS = "Paling banyak {max} foto."
        / "At most {max} photos.";
    NOT_AN_IMAGE = "Berkas ini bukan foto JPEG atau PNG."
        / "This file is not a JPEG or PNG photo.";
    PHOTO_NUMBERED = "Foto {n}: {reason}"
        / "Photo {n}: {reason}";
    FOLLOW_HEADING = "Ikuti laporan"
        / "Follow reports";
    FOLLOW_REPORT = "Ikuti laporan ini lewat e-mail"
        / "Follow this report by e-mail";
    FOLLOW_HINT = "Anda menerima tautan konfirmasi lebih dulu. Alamat e-mail tidak ditampilkan kepada siapa pun."
        / "You first receive a confirmation link. The address is shown to no one.";
    FOLLOW = "Ikuti"
        / "Follow";
    SUBSCRIBE_HEADING = "Kabar laporan baru lewat e-mail"
        / "News of new reports by e-mail";
    SUBSCRIBE = "Berlangganan"
        / "Subscribe";
    AREA = "Batasi ke area (tidak wajib)"
        / "Only inside an area (optional)";
    MIN_LAT = "Lintang paling selatan"
        / "Southernmost latitude";
    MAX_LAT = "Lintang paling utara"
        / "Northernmost latitude";
    MIN_LON = "Bujur paling barat"
        / "Westernmost longitude";
    MAX_LON = "Bujur paling timur"
        / "Easternmost longitude";
    FOLLOW_SENT = "Periksa e-mail Anda: buka tautan konfirmasi di dalamnya. Tidak ada kabar yang dikirim sebelum dikonfirmasi."
        / "Check your e-mail and open the confirmation link in it. Nothing is sent before it is confirmed.";
    FOLLOW_CONFIRMED = "Terima kasih, alamat e-mail Anda sudah dikonfirmasi."
        / "Thank you, your e-mail address is confirmed.";
    FOLLOW_STOPPED = "Anda tidak akan menerima kabar lagi."
        / "You will receive no more news.";
    FOLLOW_UNKNOWN = "Tautan ini tidak berlaku lagi."
        / "This link is no longer valid.";
    CONFIRM = "Konfirmasi"
        / "Confirm";
    STOP = "Berhenti menerima kabar"
        / "Stop receiving news";
    FEED = "Umpan Atom laporan baru"
        / "Atom feed of new reports";
}
