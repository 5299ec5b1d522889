//! Texts of the shared edge: problem titles and details every context may answer with
//! (`error.rs`), the rate limit (`ops.rs`) and the API's request checks (`api/mod.rs`).

crate::texts::texts! {
    // What a parameter should have been (`Expected`).
    EXPECTED_POSITIVE = "bilangan bulat ≥ 1"
        / "a whole number ≥ 1";
    EXPECTED_PAGE_NUMBER = "bilangan bulat 1–10000"
        / "a whole number from 1 to 10000";
    EXPECTED_NON_NEGATIVE = "bilangan bulat ≥ 0"
        / "a whole number ≥ 0";
    EXPECTED_AT_MOST_100 = "paling banyak 100"
        / "at most 100";
    EXPECTED_REGION_CODE = "kode wilayah seperti 53.71"
        / "a region code such as 53.71";
    EXPECTED_WITHIN_TREE = "dalam ukuran pohon saat ini"
        / "within the current tree size";
    EXPECTED_IDEMPOTENCY_KEY = "header Idempotency-Key berisi 1–100 karakter, unik untuk setiap permohonan"
        / "an Idempotency-Key header of 1–100 characters, unique to each application";
    EXPECTED_APPLICATION_BODY = "objek JSON {government, service, fields, documents}"
        / "a JSON object {government, service, fields, documents}";
    EXPECTED_DATE = "tanggal TTTT-BB-HH, misalnya 2026-12-05"
        / "a date YYYY-MM-DD, for example 2026-12-05";
    EXPECTED_PAYMENT_NOTIFICATION = "objek JSON {transaction_id, bill_number, amount, status, paid_at, channel}"
        / "a JSON object {transaction_id, bill_number, amount, status, paid_at, channel}";
    EXPECTED_LEAF_RANGE = "antara start dan start + 1000, dalam ukuran pohon"
        / "between start and start + 1000, within the tree size";

    // Problem titles and details (`AppError`).
    NOT_FOUND_TITLE = "Tidak ditemukan"
        / "Not found";
    NOT_FOUND_DETAIL = "Data yang diminta tidak ada."
        / "The requested resource does not exist.";
    BAD_PARAMETER_TITLE = "Parameter tidak sah"
        / "Invalid parameter";
    BAD_PARAMETER_DETAIL = "Parameter `{param}` tidak sah: harus {expected}."
        / "Parameter `{param}` is invalid: expected {expected}.";
    INVALID_TITLE = "Isian tidak sah"
        / "Invalid input";
    INVALID_DETAIL = "{count} isian perlu diperbaiki."
        / "{count} field(s) need correcting.";
    STALE_VERSION_TITLE = "Data sudah diubah orang lain"
        / "Changed by someone else";
    STALE_VERSION_DETAIL = "Versi terbaru sekarang {current}; muat ulang lalu ulangi perubahan."
        / "The latest version is now {current}; reload and redo the change.";
    FORBIDDEN_TITLE = "Tidak diizinkan"
        / "Forbidden";
    FORBIDDEN_DETAIL = "Anda tidak berhak melakukan ini."
        / "You may not do this.";
    WORKFLOW_TITLE = "Langkah ini tidak diizinkan sekarang"
        / "This step is not allowed now";
    CALENDAR_TITLE = "Kalender hari kerja belum lengkap"
        / "The working-day calendar is incomplete";
    CALENDAR_YEAR_DETAIL = "Kalender hari kerja tahun {year} belum diisi, sehingga batas waktu tidak dapat dihitung. Admin pemerintah daerah perlu mengisi hari libur tahun itu di Kalender hari kerja."
        / "The working-day calendar has no holidays for {year}, so the deadline cannot be counted. A government administrator must fill in that year's holidays in the working-day calendar.";
    CALENDAR_DAYS_DETAIL = "Batas waktu {days} hari kerja melebihi yang diizinkan standar pelayanan mana pun."
        / "A deadline of {days} working days is beyond what any service standard allows.";
    KEY_REUSED_TITLE = "Kunci idempotensi sudah dipakai"
        / "Idempotency key already used";
    KEY_REUSED_DETAIL = "Kunci Idempotency-Key ini sudah dipakai untuk permohonan lain dengan isi berbeda. Kirim ulang dengan kunci baru bila ini permohonan baru."
        / "This Idempotency-Key was already used for a different request. Send a new key if this is a new application.";
    TOO_MANY_TITLE = "Terlalu banyak permintaan"
        / "Too many requests";
    TOO_MANY_DETAIL = "Batas harian tercapai. Coba lagi besok."
        / "The daily limit was reached. Try again tomorrow.";
    INTERNAL_TITLE = "Kesalahan pada server"
        / "Server error";
    INTERNAL_DETAIL = "Permintaan tidak dapat diproses. Silakan coba lagi."
        / "The request could not be processed. Please try again.";
    UNAVAILABLE_TITLE = "Layanan sedang tidak tersedia"
        / "Service temporarily unavailable";
    UNAVAILABLE_DETAIL = "Basis data sedang tidak dapat dihubungi, jadi permintaan Anda belum disimpan. Coba lagi dalam beberapa detik; data yang sudah tersimpan tetap aman."
        / "The database cannot be reached right now, so your request was not saved. Try again in a few seconds; what was already saved is safe.";
    UNCONFIRMED_DETAIL = "Sambungan ke basis data terputus tepat saat permintaan Anda disimpan, jadi belum pasti apakah permintaan itu tersimpan. Periksa dulu (misalnya di Permohonan saya) atau kirim ulang dalam beberapa detik: permohonan yang dikirim ulang dengan kunci yang sama tidak tercatat dua kali."
        / "The connection to the database broke just as your request was being saved, so it is not certain whether it was. Check first (for example under My applications) or send it again in a few seconds: an application sent again with the same key is not recorded twice.";

    // A request axum could not read.
    TOO_LARGE_TITLE = "Permintaan terlalu besar"
        / "Request too large";
    TOO_LARGE_DETAIL = "Isi permintaan melebihi batas ukuran."
        / "The request body is larger than allowed.";
    UNSUPPORTED_MEDIA_TYPE_TITLE = "Jenis isi tidak didukung"
        / "Unsupported content type";
    UNSUPPORTED_MEDIA_TYPE_DETAIL = "Jenis isi permintaan (Content-Type) tidak sesuai untuk alamat ini."
        / "The request's Content-Type does not suit this address.";
    UNREADABLE_TITLE = "Permintaan tidak dapat dibaca"
        / "Request could not be read";
    UNREADABLE_MISSING_FIELD = "Isian `{field}` wajib ada."
        / "The field `{field}` is required.";
    UNREADABLE_DETAIL = "Ada parameter atau isian yang hilang atau formatnya salah."
        / "A parameter or field is missing or malformed.";

    // The rate limit.
    RATE_LIMITED_TITLE = "Terlalu banyak permintaan"
        / "Too many requests";
    RATE_LIMITED_DETAIL = "Coba lagi sebentar lagi."
        / "Try again in a moment.";

    // The API's checks before a handler runs.
    BAD_SIGNATURE_TITLE = "Tanda tangan tidak sah"
        / "Bad signature";
    BAD_SIGNATURE_DETAIL = "Tanda tangan Balai-Signature tidak cocok dengan isi permintaan."
        / "The Balai-Signature header does not match the request body.";
    STALE_SIGNATURE_DETAIL = "Waktu pada tanda tangan berselisih lebih dari 5 menit dari waktu server."
        / "The signature's time is more than 5 minutes away from the server's.";
    FOREIGN_ORIGIN_TITLE = "Asal permintaan ditolak"
        / "Origin refused";
    FOREIGN_ORIGIN_DETAIL = "Permintaan yang mengubah data hanya diterima dari situs ini."
        / "Requests that change data are accepted only from this site.";
    API_BODY_NOT_JSON_DETAIL = "Isi permintaan harus JSON dengan Content-Type: application/json."
        / "The body must be JSON, sent with Content-Type: application/json.";
}
