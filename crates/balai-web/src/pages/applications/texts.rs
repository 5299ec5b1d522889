//! The applications pages' fixed texts, looked up in templates by name through [`super::L`].

crate::texts::texts! {
    APPLY = "Ajukan permohonan"
        / "Apply";
    APPLY_HEADING = "Ajukan permohonan: {service}"
        / "Apply: {service}";
    APPLY_INTRO = "Isian yang sudah dimiliki pemerintah terisi otomatis; dokumen yang sudah tersimpan cukup dipilih, tidak perlu diunggah lagi."
        / "What the government already holds is filled in; documents it already keeps are attached by reference, not uploaded again.";
    FIELDS = "Isian"
        / "Details";
    DOCUMENTS = "Dokumen persyaratan"
        / "Required documents";
    DOCUMENT_FILE_HINT = "PDF, JPEG atau PNG, paling besar 10 MB. Foto dari kamera boleh."
        / "PDF, JPEG or PNG, up to 10 MB. A photo from the camera is fine.";
    ON_FILE = "Gunakan dokumen yang sudah tersimpan"
        / "Use the copy the government holds";
    ON_FILE_NOTE = "Tersimpan di data Anda"
        / "Held on your record";
    YES = "Ya"
        / "Yes";
    NO = "Tidak"
        / "No";
    CHOOSE = "— pilih —"
        / "— choose —";
    REGION = "Kode wilayah desa/kelurahan (10 angka)"
        / "Village code (10 digits)";
    STREET = "Jalan, nomor, RT/RW"
        / "Street, number, RT/RW";
    OPTIONAL = "(tidak wajib)"
        / "(optional)";
    CHECK_BELOW = "Periksa isian berikut"
        / "Please check the following";
    SEND = "Kirim permohonan"
        / "Send the application";
    FEE_NOTE = "Biaya (retribusi): {fee}. Dibayar sebelum tahap terakhir; permohonan menunggu pembayaran."
        / "Fee (retribusi): {fee}. Paid before the last step; the application waits for the payment.";
    SENT_HEADING = "Permohonan terkirim"
        / "Application sent";
    SENT_INTRO = "Simpan nomor pelacakan ini. Anda juga mendapat pesan pada setiap tahap."
        / "Keep this tracking number. You also get a message at every step.";
    TRACKING_NUMBER = "Nomor pelacakan"
        / "Tracking number";
    TRACK_HEADING = "Lacak permohonan"
        / "Track an application";
    TRACK_INTRO = "Masukkan nomor pelacakan, misalnya K7QX-4M9P-2. Halaman ini tidak menampilkan data pribadi."
        / "Enter the tracking number, for example K7QX-4M9P-2. This page shows no personal data.";
    TRACK = "Lacak"
        / "Track";
    SERVICE = "Layanan"
        / "Service";
    GOVERNMENT = "Pemerintah daerah"
        / "Government";
    STATUS = "Status"
        / "Status";
    SUBMITTED = "Diajukan"
        / "Submitted";
    DUE = "Batas waktu"
        / "Due";
    CLOSED = "Ditutup"
        / "Closed";
    STEPS = "Tahapan"
        / "Steps";
    STEP = "Tahap"
        / "Step";
    UNIT = "Unit"
        / "Unit";
    DONE = "Selesai"
        / "Done";
    WAITING = "Belum dimulai"
        / "Not started";
    NOW = "Sedang di tahap ini"
        / "At this step now";
    LATE = "Terlambat"
        / "Late";
    DAYS_LEFT = "{days} hari kerja lagi"
        / "{days} working days left";
    DUE_TODAY = "Jatuh tempo hari ini"
        / "Due today";
    DAYS_LATE = "Terlambat {days} hari kerja"
        / "{days} working days late";
    DOCUMENT_ISSUED = "Dokumen terbit. Periksa keasliannya:"
        / "Document issued. Check that it is genuine:";
    MINE_HEADING = "Permohonan saya"
        / "My applications";
    MINE_EMPTY = "Belum ada permohonan. Cari layanan lalu pilih Ajukan permohonan."
        / "No applications yet. Find a service and choose Apply.";
    MY_DOCUMENTS = "Dokumen saya"
        / "My documents";
    DOWNLOAD = "Unduh PDF"
        / "Download PDF";
    PAY_INVOICE = "Bayar {amount}"
        / "Pay {amount}";
    PAYMENT_RECEIPT = "Bukti bayar"
        / "Payment receipt";
    DOWNLOAD_NEEDS_SUBSTANTIAL = "Untuk mengunduh dokumen, masuk dengan tingkat substansial (kontak yang diverifikasi di loket, atau penyedia identitas)."
        / "To download documents, sign in at the substantial level (a contact verified at a counter, or the identity provider).";
    HISTORY = "Riwayat"
        / "History";
    WHY = "Alasan"
        / "Reason";
    CORRECTION_HEADING = "Kirim perbaikan"
        / "Send the correction";
    CORRECTION_INTRO = "Petugas meminta perbaikan. Unggah dokumen pengganti yang diminta, lalu kirim."
        / "The officer asked for a correction. Upload the replacement documents asked for, then send.";
    QUEUE_HEADING = "Pekerjaan saya"
        / "My work";
    QUEUE_INTRO = "Permohonan di unit Anda, yang paling dekat batas waktunya di atas."
        / "Applications at your unit, the nearest deadline first.";
    QUEUE_EMPTY = "Tidak ada permohonan yang menunggu."
        / "No applications are waiting.";
    QUEUE_NO_AGENCY = "Akun Anda tidak terikat perangkat daerah, jadi tidak ada antrean permohonan."
        / "Your account belongs to no agency, so there is no queue of applications.";
    FILTER = "Saring"
        / "Filter";
    ALL_STATUSES = "Semua status"
        / "All statuses";
    LATE_ONLY = "Hanya yang terlambat"
        / "Late only";
    OTHER_TOOLS = "Alat lain"
        / "Other tools";
    COMPLAINTS = "Pengaduan masyarakat"
        / "Public complaints";
    CATALOGUE = "Kelola katalog layanan"
        / "Manage the service catalogue";
    SIGN_OUT = "Keluar"
        / "Sign out";
    OPEN = "Buka"
        / "Open";
    CASE_HEADING = "Permohonan {tracking}"
        / "Application {tracking}";
    ANSWERS = "Isian pemohon"
        / "The applicant's details";
    ATTACHED = "Dokumen terlampir"
        / "Attached documents";
    VIEW_FILE = "Lihat berkas"
        / "View file";
    HELD_REFERENCE = "Dokumen tersimpan (rujukan)"
        / "Held document (by reference)";
    ACT_HEADING = "Tindak lanjut"
        / "Act on it";
    REASON_HINT = "Ditampilkan kepada pemohon. Jangan tulis NIK atau nomor telepon."
        / "Shown to the applicant. Do not write a NIK or phone number.";
    TO_UNIT = "Unit tujuan"
        / "Unit to forward to";
    RECEIPT = "Nomor kuitansi pembayaran"
        / "Payment receipt number";
    NO_ACTIONS = "Tidak ada tindakan yang dapat Anda lakukan pada tahap ini."
        / "There is nothing you can do at this step.";
    FEE = "Biaya"
        / "Fee";
    PAID = "Dibayar, kuitansi {receipt}"
        / "Paid, receipt {receipt}";
    UNPAID = "Belum dibayar"
        / "Not paid yet";
    DONE_ACTION = "Tersimpan."
        / "Saved.";
    VERIFY_HEADING = "Verifikasi dokumen"
        / "Document verification";
    GENUINE = "Asli: dokumen ini diterbitkan oleh {issuer} dan tercatat di Balai."
        / "Genuine: this document was issued by {issuer} and is on record in Balai.";
    UNKNOWN_DOCUMENT = "Tidak ada dokumen dengan kode ini. Dokumen yang menunjuk ke sini tidak asli."
        / "There is no document with this code. A document pointing here is not genuine.";
    FILE_GENUINE = "Berkas yang Anda periksa asli dan tidak berubah."
        / "The file you checked is genuine and unchanged.";
    FILE_ALTERED = "Berkas yang Anda periksa TIDAK ASLI: isinya berbeda dari dokumen yang diterbitkan."
        / "The file you checked is NOT GENUINE: its content differs from the document issued.";
    FILE_BAD_SIGNATURE = "Tanda tangan elektronik dokumen ini tidak sah."
        / "This document's electronic signature is not valid.";
    CHECK_FILE = "Periksa berkas PDF yang Anda terima"
        / "Check the PDF file you received";
    CHECK = "Periksa"
        / "Check";
    NUMBER = "Nomor dokumen"
        / "Document number";
    DOCUMENT_TYPE = "Jenis dokumen"
        / "Document type";
    ISSUER = "Penerbit"
        / "Issuer";
    ISSUED_ON = "Tanggal terbit"
        / "Date of issue";
    OFFLINE = "Pemeriksaan luring: SHA-256 berkas harus {sha}, dan tanda tangan Ed25519 atas pesan \"balai-document-v1\\n{sha}\\n\" harus sah untuk kunci publik pemerintah daerah ini: {key}"
        / "Offline check: the file's SHA-256 must be {sha}, and the Ed25519 signature over the message \"balai-document-v1\\n{sha}\\n\" must be valid for this government's public key: {key}";
    REPORT_HEADING = "Laporan kinerja unit"
        / "Unit performance report";
    FROM = "Dari"
        / "From";
    TO = "Sampai"
        / "To";
    CSV = "Unduh CSV"
        / "Download CSV";
    BY_SERVICE = "Per layanan"
        / "By service";
    BY_UNIT = "Per unit"
        / "By unit";
    NAME = "Nama"
        / "Name";
    RECEIVED = "Diterima"
        / "Received";
    COMPLETED = "Selesai"
        / "Completed";
    BACKLOG = "Tunggakan"
        / "Backlog";
    COMPLIANCE = "Tepat waktu"
        / "On time";
    AVERAGE = "Rata-rata hari kerja"
        / "Average working days";
    BREACHES = "Pelanggaran batas waktu per tahap"
        / "Deadline breaches by step";
    REPORT = "Laporan kinerja"
        / "Performance report";
    AGENCY_DASHBOARD = "Dasbor kinerja instansi"
        / "Agency performance dashboard";
    SKM_KIOSK = "Survei kepuasan (SKM) di loket"
        / "Satisfaction survey (SKM) at the counter";
    SKM_IMPORT = "Impor hasil SKM dari lembar kerja"
        / "Import SKM results from a spreadsheet";
    FORM_EDITOR_HEADING = "Formulir permohonan"
        / "Application form";
    FORM_EDITOR_INTRO = "Isian formulir adalah bagian dari standar pelayanan: menyimpannya menerbitkan versi baru standar, dengan catatan perubahan. Jenis isian: text, number, date, choice, address, yes_no."
        / "The form is part of the service standard: saving it publishes a new version of the standard, with a change note. Field kinds: text, number, date, choice, address, yes_no.";
    FORM_FIELDS_JSON = "Isian (JSON)"
        / "Fields (JSON)";
    FORM_EXAMPLE = "Contoh:"
        / "Example:";
    FORM_JSON_ERROR = "Bukan JSON yang sah (baris {line}): daftar objek isian, seperti pada contoh."
        / "Not valid JSON (line {line}): a list of field objects, as in the example.";
    CHANGE_NOTE = "Catatan perubahan"
        / "Change note";
    PUBLISH = "Terbitkan versi baru"
        / "Publish a new version";
    EVENT_SUBMITTED = "Diajukan"
        / "Submitted";
    EVENT_BREACH = "Melewati batas waktu tahap"
        / "Step deadline passed";
    EVENT_PAYMENT_RECEIVED = "Pembayaran diterima"
        / "Payment received";
    SAVE_DRAFT = "Simpan draf"
        / "Save as draft";
    DRAFTS = "Draf"
        / "Drafts";
    DRAFT_SAVED = "Draf tersimpan. Isian disimpan; berkas diunggah saat permohonan dikirim."
        / "Draft saved. The answers are kept; files are uploaded when the application is sent.";
    CONTINUE = "Lanjutkan"
        / "Continue";
    SIGNATURE = "Tanda tangan"
        / "Signature";
}
