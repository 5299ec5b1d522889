//! The SKM pages' fixed texts. The questions, answers and profile choices are the domain's
//! (`balai_domain::surveys`), in both languages there.

crate::texts::texts! {
    SURVEY_HEADING = "Survei Kepuasan Masyarakat"
        / "Public Satisfaction Survey";
    SURVEY_INTRO = "Sembilan pertanyaan singkat tentang pelayanan {service} oleh {unit}, {agency}. Nama Anda tidak ditanyakan; jawaban hanya dihitung bersama jawaban orang lain."
        / "Nine short questions about the service {service} by {unit}, {agency}. Your name is not asked; answers are only counted together with everyone else's.";
    SURVEY_GENERAL_SERVICE = "pengaduan dan layanan umum"
        / "complaints and general service";
    QUESTIONS = "Penilaian pelayanan"
        / "Your rating of the service";
    QUESTIONS_HINT = "Pilih satu jawaban untuk setiap pertanyaan (1 terburuk, 4 terbaik)."
        / "Choose one answer for each question (1 worst, 4 best).";
    ABOUT_YOU = "Tentang Anda (tidak wajib)"
        / "About you (optional)";
    SEX = "Jenis kelamin"
        / "Sex";
    AGE = "Umur"
        / "Age";
    EDUCATION = "Pendidikan terakhir"
        / "Highest education";
    OCCUPATION = "Pekerjaan utama"
        / "Main occupation";
    NOT_SAID = "— tidak disebutkan —"
        / "— rather not say —";
    SUGGESTION = "Saran atau masukan (tidak wajib)"
        / "Suggestion or feedback (optional)";
    SUGGESTION_HINT = "Paling banyak 2.000 karakter. Jangan tulis nomor KTP, telepon atau alamat: nomor dan alamat e-mail disamarkan sebelum disimpan."
        / "Up to 2,000 characters. Do not write ID, phone numbers or addresses: numbers and e-mail addresses are masked before they are kept.";
    SEND = "Kirim jawaban"
        / "Send answers";
    PLEASE_CHECK = "Mohon periksa isian berikut"
        / "Please check the following";
    THANKS_HEADING = "Terima kasih"
        / "Thank you";
    THANKS_BODY = "Jawaban Anda sudah kami terima. Hasil survei diumumkan per triwulan di halaman hasil SKM."
        / "We have received your answers. Survey results are published each quarter on the SKM results page.";
    SEE_RESULTS = "Lihat hasil SKM {agency}"
        / "See the SKM results of {agency}";
    USED_HEADING = "Survei ini sudah diisi"
        / "This survey has already been answered";
    USED_BODY = "Tautan ini hanya dapat dipakai sekali dan jawabannya sudah kami terima. Jawaban pertama yang disimpan; tidak ada yang diubah."
        / "This link works once and its answers have already been received. The first answers are the ones kept; nothing was changed.";
    EXPIRED_HEADING = "Tautan survei sudah kedaluwarsa"
        / "This survey link has expired";
    EXPIRED_BODY = "Tautan survei berlaku 30 hari sejak pelayanan selesai. Anda tetap dapat menyampaikan masukan melalui halaman pengaduan."
        / "Survey links work for 30 days after the service was completed. You can still send feedback through the complaints page.";
    UNKNOWN_HEADING = "Tautan survei tidak dikenal"
        / "Unknown survey link";
    UNKNOWN_BODY = "Periksa kembali tautan pada pesan yang Anda terima: tautan harus disalin utuh."
        / "Check the link in the message you received: it must be copied whole.";
    TO_COMPLAINTS = "Ke halaman pengaduan"
        / "To the complaints page";
    KIOSK_HEADING = "Kios SKM"
        / "SKM kiosk";
    KIOSK_INTRO = "Serahkan perangkat ini kepada pengguna layanan. Setiap kiriman dicatat sekali sebagai jawaban di loket unit yang dipilih."
        / "Hand this device to the service user. Each submission is recorded once as an answer at the chosen unit's counter.";
    KIOSK_UNIT = "Unit pelayanan"
        / "Service unit";
    KIOSK_SERVICE = "Layanan yang dinilai"
        / "Service being rated";
    KIOSK_ANY_SERVICE = "— unit secara umum —"
        / "— the unit as a whole —";
    KIOSK_RECORDED = "Terima kasih, jawaban tercatat. Formulir siap untuk responden berikutnya."
        / "Thank you, the answers are recorded. The form is ready for the next respondent.";
    KIOSK_NO_PLACE = "Akun Anda tidak terikat pada perangkat daerah, sehingga tidak dapat membuka kios."
        / "Your account belongs to no agency, so it cannot open a kiosk.";
    RESULTS_HEADING = "Hasil SKM {agency}"
        / "SKM results of {agency}";
    RESULTS_INTRO = "Indeks Kepuasan Masyarakat (IKM) menurut PermenPANRB 14/2017: rata-rata sembilan unsur, dikonversi ke skala 25–100."
        / "Public Satisfaction Index (IKM) under PermenPANRB 14/2017: the mean of the nine elements, converted to a 25–100 scale.";
    PERIOD = "Periode"
        / "Period";
    PERIOD_HINT = "Contoh: 2026-Q3 (triwulan), 2026-S1 (semester), 2026 (tahun)."
        / "For example: 2026-Q3 (quarter), 2026-S1 (half year), 2026 (year).";
    SHOW = "Tampilkan"
        / "Show";
    IKM = "IKM"
        / "IKM";
    GRADE = "Mutu pelayanan"
        / "Service quality";
    GRADE_VALUE = "{grade} ({meaning})"
        / "{grade} ({meaning})";
    RESPONDENTS = "Responden"
        / "Respondents";
    POPULATION = "Layanan selesai pada periode ini"
        / "Services completed in the period";
    MINIMUM_SAMPLE = "Sampel minimum (Krejcie dan Morgan)"
        / "Minimum sample (Krejcie and Morgan)";
    SAMPLE_MET = "Jumlah responden memenuhi sampel minimum."
        / "The respondents meet the minimum sample.";
    SAMPLE_NOT_MET = "Perhatian: jumlah responden belum memenuhi sampel minimum ({respondents} dari {minimum}); hasil belum mewakili."
        / "Note: the respondents do not yet meet the minimum sample ({respondents} of {minimum}); the result is not yet representative.";
    NO_RESPONSES = "Belum ada jawaban pada periode ini."
        / "No answers in this period yet.";
    PER_ELEMENT = "Nilai per unsur"
        / "Score per element";
    ELEMENT = "Unsur"
        / "Element";
    NRR = "Nilai rata-rata (1–4)"
        / "Mean score (1–4)";
    PER_UNIT = "Per unit pelayanan"
        / "Per service unit";
    PER_SERVICE = "Per jenis layanan"
        / "Per service";
    NAME = "Nama"
        / "Name";
    SAMPLE = "Sampel"
        / "Sample";
    MET = "memenuhi"
        / "met";
    NOT_MET = "belum memenuhi"
        / "not met";
    NONE = "—"
        / "—";
    BAD_PERIOD_HEADING = "Periode tidak dikenal"
        / "Unknown period";
    BAD_PERIOD_BODY = "Parameter periode \"{value}\" tidak dapat dibaca. Gunakan misalnya 2026-Q3, 2026-S1 atau 2026 (tahun 2000–2100)."
        / "The parameter periode \"{value}\" cannot be read. Use for example 2026-Q3, 2026-S1 or 2026 (years 2000–2100).";
    UNKNOWN_AGENCY_HEADING = "Perangkat daerah tidak ditemukan"
        / "Agency not found";
    UNKNOWN_AGENCY_BODY = "Tidak ada perangkat daerah dengan kode \"{code}\" di {government}."
        / "There is no agency with the code \"{code}\" in {government}.";
    IMPORT_HEADING = "Impor jawaban SKM"
        / "Import SKM answers";
    IMPORT_INTRO = "Unggah berkas CSV atau XLSX dari formulir kertas: satu baris per responden, kolom U1 sampai U9 (1–4), kolom sex, age, education, occupation, suggestion dan tanggal tidak wajib. Bila ada baris yang salah, setiap baris disebutkan dan tidak ada yang diimpor."
        / "Upload a CSV or XLSX file typed from paper forms: one row per respondent, columns U1 to U9 (1–4); the columns sex, age, education, occupation, suggestion and tanggal are optional. If any row is wrong, every wrong row is listed and nothing is imported.";
    IMPORT_FILE = "Berkas CSV atau XLSX"
        / "CSV or XLSX file";
    IMPORT_FILE_HINT = "Paling besar 10 MiB. Baris pertama berisi judul kolom."
        / "At most 10 MiB. The first row holds the column headers.";
    IMPORT_DATE = "Tanggal pengisian (untuk baris tanpa kolom tanggal)"
        / "Date answered (for rows without a tanggal column)";
    IMPORT_SEND = "Impor"
        / "Import";
    IMPORT_DONE = "{count} jawaban diimpor."
        / "{count} answers imported.";
    IMPORT_BAD_ROWS = "Berkas tidak diimpor: {count} masalah ditemukan"
        / "The file was not imported: {count} problems found";
    IMPORT_DATE_OUT = "Baris {row}, kolom tanggal: tanggal harus antara 2000-01-01 dan hari ini."
        / "Row {row}, column tanggal: the date must lie between 2000-01-01 and today.";
    IMPORT_NO_FILE = "Pilih berkas yang akan diimpor."
        / "Choose the file to import.";
    IMPORT_BAD_DATE = "Tanggal harus berupa tanggal (TTTT-BB-HH) antara 2000-01-01 dan hari ini."
        / "The date must be a date (YYYY-MM-DD) between 2000-01-01 and today.";
    DOWNLOADS = "Unduh laporan"
        / "Download the report";
    DOWNLOAD_XLSX = "Laporan SKM (XLSX)"
        / "SKM report (XLSX)";
    DOWNLOAD_PDF = "Laporan SKM (PDF)"
        / "SKM report (PDF)";
}
