//! The whistleblowing pages' fixed texts, looked up in templates by name through [`super::W`].

crate::texts::texts! {
    WBS_HEADING = "Whistleblowing System (WBS)"
        / "Whistleblowing System (WBS)";
    WBS_INTRO = "Laporkan dugaan korupsi, pungutan liar, penyalahgunaan wewenang atau pelanggaran lain oleh aparatur pemerintah daerah. Laporan Anda langsung ke Inspektorat."
        / "Report suspected corruption, illegal levies, abuse of power or other misconduct by the local government's staff. Your report goes straight to the Inspectorate.";
    WBS_PROTECTION_HEADING = "Bagaimana Anda dilindungi"
        / "How you are protected";
    WBS_PROTECTION_1 = "Isi laporan serta nama dan kontak Anda dikunci (dienkripsi) dengan kunci publik Inspektorat sebelum disimpan. Hanya inspektur yang memegang kunci privat yang dapat membukanya."
        / "The report and your name and contact are locked (encrypted) with the Inspectorate's public key before they are stored. Only an inspector holding the private key can open them.";
    WBS_PROTECTION_2 = "Petugas dinas, admin pemerintah daerah dan pengelola basis data tidak dapat membacanya. Setiap kali laporan dibuka, hal itu tercatat di log audit."
        / "Agency officers, the local government's administrators and the database operator cannot read it. Every time the report is opened, it is recorded in the audit log.";
    WBS_PROTECTION_3 = "Anda tidak perlu masuk dan tidak perlu menyebutkan nama. Laporan tidak dikaitkan dengan akun Anda, meskipun Anda sedang masuk."
        / "You need not sign in or give your name. The report is not linked to your account, even when you are signed in.";
    WBS_TEXT = "Apa yang terjadi?"
        / "What happened?";
    WBS_TEXT_HINT = "Paling banyak 4.000 karakter. Sebutkan hal yang dapat diperiksa."
        / "Up to 4,000 characters. Mention what can be checked.";
    WBS_WHEN = "Kapan?"
        / "When?";
    WBS_PLACE = "Di mana?"
        / "Where?";
    WBS_PEOPLE = "Siapa yang terlibat?"
        / "Who was involved?";
    WBS_IDENTITY = "Identitas Anda (tidak wajib)"
        / "Your identity (optional)";
    WBS_IDENTITY_HINT = "Jika diisi, hanya inspektur yang dapat membacanya; gunanya agar Inspektorat dapat menghubungi Anda."
        / "If given, only an inspector can read it; it lets the Inspectorate contact you.";
    WBS_NAME = "Nama"
        / "Name";
    WBS_CONTACT = "Kontak (e-mail atau telepon)"
        / "Contact (e-mail or phone)";
    WBS_SEND = "Kirim laporan"
        / "Send the report";
    WBS_CHECK = "Periksa isian berikut"
        / "Please check the following";
    WBS_UNAVAILABLE = "Pemerintah daerah ini belum menerima laporan WBS secara daring."
        / "This local government does not take whistleblowing reports online yet.";
    WBS_RECEIVED = "Laporan diterima"
        / "Report received";
    WBS_RECEIPT_NOTE = "Simpan nomor dan kode rahasia ini sekarang: kode rahasia hanya ditampilkan sekali dan tidak dapat dikirim ulang. Dengan keduanya Anda dapat mengikuti laporan ini."
        / "Keep this number and secret code now: the secret is shown only once and cannot be sent again. With both you can follow this report.";
    WBS_TRACKING_NUMBER = "Nomor laporan"
        / "Report number";
    WBS_SECRET = "Kode rahasia"
        / "Secret code";
    WBS_TRACK_HEADING = "Ikuti laporan WBS"
        / "Follow a whistleblowing report";
    WBS_TRACK_INTRO = "Masukkan nomor laporan dan kode rahasia yang Anda terima saat melapor."
        / "Enter the report number and the secret code you received when you reported.";
    WBS_TRACK = "Lihat status"
        / "See the status";
    WBS_NOT_FOUND = "Nomor atau kode rahasia tidak cocok dengan laporan mana pun."
        / "The number or the secret code matches no report.";
    WBS_THROTTLED = "Terlalu banyak percobaan. Coba lagi beberapa menit lagi."
        / "Too many attempts. Try again in a few minutes.";
    WBS_STATUS = "Status"
        / "Status";
    WBS_SUBMITTED = "Dikirim"
        / "Sent";
    WBS_DUE = "Batas waktu"
        / "Deadline";
    WBS_HISTORY = "Riwayat"
        / "History";
    WBS_QUEUE_HEADING = "Laporan WBS"
        / "Whistleblowing reports";
    WBS_QUEUE_EMPTY = "Belum ada laporan WBS."
        / "No whistleblowing reports yet.";
    WBS_LATE = "terlambat"
        / "late";
    WBS_OPEN_HEADING = "Buka laporan"
        / "Open the report";
    WBS_OPEN_HINT = "Tempelkan kunci privat Inspektorat (diawali BALAI-WBS-KEY-1:). Kunci hanya dipakai untuk membuka laporan ini dan tidak disimpan. Pembukaan dicatat di log audit."
        / "Paste the Inspectorate's private key (starting BALAI-WBS-KEY-1:). It is used only to open this report and is not kept. The opening is recorded in the audit log.";
    WBS_PRIVATE_KEY = "Kunci privat"
        / "Private key";
    WBS_OPEN = "Buka"
        / "Open";
    WBS_KEY_FINGERPRINT = "Sidik kunci"
        / "Key fingerprint";
    WBS_KEY_MALFORMED = "Ini bukan kunci privat WBS: kunci diawali BALAI-WBS-KEY-1: dan diikuti 44 karakter."
        / "This is not a whistleblowing private key: it starts BALAI-WBS-KEY-1: followed by 44 characters.";
    WBS_KEY_WRONG = "Kunci ini bukan kunci yang dipakai untuk mengunci laporan ini. Tidak ada yang dibuka."
        / "This key is not the one this report was locked with. Nothing was opened.";
    WBS_OPENED_NOTE = "Dibuka dan dicatat di log audit (entri #{seq}). Jangan salin isi laporan ke tempat lain."
        / "Opened and recorded in the audit log (entry #{seq}). Do not copy the report elsewhere.";
    WBS_REPORTER = "Pelapor"
        / "Reporter";
    WBS_ANONYMOUS = "Tidak menyebutkan identitas"
        / "Gave no identity";
    WBS_OPENINGS = "Dibuka oleh"
        / "Opened by";
    WBS_NEVER_OPENED = "Belum pernah dibuka."
        / "Never opened.";
    WBS_ACT = "Tindakan"
        / "Action";
    WBS_REASON = "Catatan (dibaca pelapor)"
        / "Note (the reporter reads it)";
    WBS_DO = "Simpan tindakan"
        / "Record the action";
    WBS_BACK_TO_QUEUE = "Kembali ke daftar"
        / "Back to the list";
}
