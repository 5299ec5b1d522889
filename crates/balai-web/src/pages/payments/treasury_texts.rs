//! The receiving treasurer's pages' fixed texts.

crate::texts::texts! {
    HOME_HEADING = "Bendahara penerimaan: pembayaran retribusi"
        / "Receiving treasurer: retribusi payments";
    HOME_LINK = "Pembayaran dan rekonsiliasi"
        / "Payments and reconciliation";
    DAY_SECTION = "Rekonsiliasi harian"
        / "Daily reconciliation";
    DAY_FIELD = "Tanggal (tanggal valuta rekening koran)"
        / "Day (the statement's value date)";
    DAY_SHOW = "Tampilkan"
        / "Show";
    DAY_HEADING = "Rekonsiliasi {day}"
        / "Reconciliation for {day}";
    DAY_BAD = "Tanggal tidak sah; contoh: 2026-12-07."
        / "Not a valid day; for example: 2026-12-07.";
    DAY_ZONE = "Waktu pembayaran dihitung menurut zona {zone}."
        / "Payment times are counted in the {zone} time zone.";
    DOWNLOAD_CSV = "Unduh CSV"
        / "Download CSV";
    DOWNLOAD_XLSX = "Unduh XLSX"
        / "Download XLSX";
    BACK = "Kembali ke halaman bendahara"
        / "Back to the treasurer's page";
    IMPORT_SECTION = "Impor rekening koran"
        / "Import a bank statement";
    IMPORT_FILE = "Berkas rekening koran (CSV)"
        / "Bank statement file (CSV)";
    IMPORT_HINT = "CSV UTF-8, paling besar 5 MB dan 50.000 baris. Baris pertama: value_date,amount,bill_number,bank_reference,description. Tanggal YYYY-MM-DD, nominal rupiah utuh (boleh diakhiri .00), nomor tagihan boleh kosong. Satu baris yang salah menolak seluruh berkas."
        / "UTF-8 CSV, at most 5 MB and 50,000 lines. First line: value_date,amount,bill_number,bank_reference,description. Dates YYYY-MM-DD, whole rupiah (may end in .00), the bill number may be empty. One bad line refuses the whole file.";
    IMPORT_SEND = "Impor"
        / "Import";
    IMPORT_NO_FILE = "Pilih berkas rekening koran."
        / "Choose a statement file.";
    IMPORT_DONE = "Rekening koran diimpor: {lines} baris, {matched} cocok, {mismatched} tidak cocok, {unmatched} tidak dikenal."
        / "Statement imported: {lines} lines, {matched} matched, {mismatched} mismatched, {unmatched} unknown.";
    IMPORT_PROBLEMS = "Berkas tidak diimpor ({count} masalah):"
        / "The file was not imported ({count} problems):";
    IMPORT_DUPLICATE = "Berkas ini sudah pernah diimpor."
        / "This file was imported before.";
    IMPORT_LINE = "Baris {line}, kolom {column}: {reason}"
        / "Line {line}, column {column}: {reason}";
    IMPORT_FORMAT = "Format ini belum dapat dibaca; gunakan CSV."
        / "This format cannot be read yet; use CSV.";
    STATEMENTS = "Rekening koran terakhir"
        / "Latest statements";
    STATEMENT_NO = "No."
        / "No.";
    IMPORTED_AT = "Diimpor"
        / "Imported";
    LINES = "Baris"
        / "Lines";
    NONE = "Tidak ada."
        / "None.";
    HELD_SECTION = "Pembayaran ditahan menunggu tinjauan"
        / "Held payments awaiting review";
    HELD_INTRO = "Uang yang diterima tetapi tidak melunasi tagihan (nominal berbeda, tagihan sudah lunas atau kedaluwarsa). Kembalikan kepada pembayar bila perlu."
        / "Money received that did not pay its bill (another amount, a bill already paid or expired). Refund it to the payer where needed.";
    REFUNDS_SECTION = "Pengembalian menunggu keputusan"
        / "Refunds awaiting a decision";
    REFUNDS_INTRO = "Pengembalian disetujui oleh bendahara lain atau kepala perangkat daerah, tidak oleh yang mengajukan."
        / "A refund is approved by another treasurer or the head of the agency, never by the one who asked.";
    PAYMENT = "Pembayaran"
        / "Payment";
    BILL = "Nomor tagihan"
        / "Bill number";
    AMOUNT = "Nominal"
        / "Amount";
    OUTCOME = "Keadaan"
        / "State";
    REFUNDABLE = "Dapat dikembalikan"
        / "Refundable";
    AGENCY = "Perangkat daerah"
        / "Agency";
    SERVICE = "Layanan"
        / "Service";
    PAID_AT = "Waktu bayar"
        / "Paid at";
    CHANNEL = "Kanal"
        / "Channel";
    ASK_REFUND = "Ajukan pengembalian"
        / "Ask for a refund";
    REASON = "Alasan"
        / "Reason";
    REASON_HINT = "Paling banyak 500 karakter. Jangan tulis nomor KTP, telepon atau rekening."
        / "At most 500 characters. Do not write ID, phone or account numbers.";
    REQUESTED_BY = "Diajukan oleh"
        / "Asked by";
    NOTE = "Catatan keputusan (wajib bila ditolak)"
        / "Decision note (required to reject)";
    APPROVE = "Setujui"
        / "Approve";
    REJECT = "Tolak"
        / "Reject";
    OWN_REQUEST = "Pengajuan Anda: menunggu bendahara lain."
        / "Your request: waiting for another treasurer.";
    DECIDED_APPROVED = "Pengembalian #{id} disetujui."
        / "Refund #{id} approved.";
    DECIDED_REJECTED = "Pengembalian #{id} ditolak."
        / "Refund #{id} rejected.";
    DECIDED_ALREADY = "Pengembalian ini sudah diputuskan."
        / "This refund was already decided.";
    DECIDE_NOT_FOUND = "Tidak ada pengembalian dengan nomor itu yang menunggu keputusan."
        / "No refund with that number awaits a decision.";
    DECIDE_OWN = "Pengembalian yang Anda ajukan diputuskan oleh orang lain."
        / "A refund you asked for is decided by someone else.";
    REFUND_HEADING = "Pengembalian pembayaran"
        / "Refund a payment";
    REFUND_PAYMENT_ID = "ID pembayaran"
        / "Payment id";
    REFUND_FIND = "Cari pembayaran"
        / "Find the payment";
    REFUND_AMOUNT = "Nominal dikembalikan (rupiah)"
        / "Amount to refund (rupiah)";
    REFUND_AMOUNT_HINT = "Paling banyak {refundable}."
        / "At most {refundable}.";
    REFUND_SEND = "Ajukan"
        / "Ask";
    REFUND_ASKED = "Pengembalian #{id} sebesar {amount} diajukan; menunggu keputusan orang lain."
        / "Refund #{id} of {amount} asked; it waits for someone else's decision.";
    REFUND_STALE = "Jumlah yang dapat dikembalikan sudah berubah menjadi {refundable}. Periksa lagi lalu ajukan."
        / "The refundable amount has changed to {refundable}. Check again, then ask.";
    REFUND_NOT_FOUND = "Tidak ada pembayaran dengan ID itu di pemerintah daerah Anda."
        / "No payment with that id in your government.";
    REFUND_NOT_AMOUNT = "Tulis nominal rupiah utuh, misalnya 50000 atau Rp50.000."
        / "Write whole rupiah, for example 50000 or Rp50.000.";
    ERRORS = "Periksa isian berikut:"
        / "Please check the following:";
    COUNTS = "{matched} cocok, {mismatched} tidak cocok, {unmatched} tidak dikenal di rekening koran; {missing} pembayaran Balai tidak ada di rekening koran."
        / "{matched} matched, {mismatched} mismatched, {unmatched} unknown on the statement; {missing} Balai payments not on the statement.";
    LINES_SECTION = "Baris rekening koran"
        / "Statement lines";
    VALUE_DATE = "Tanggal valuta"
        / "Value date";
    SOURCE = "Rekening koran/baris"
        / "Statement/line";
    REFERENCE = "Referensi bank"
        / "Bank reference";
    DESCRIPTION = "Keterangan"
        / "Description";
    STATUS = "Status"
        / "Status";
    MISSING_SECTION = "Diterima di Balai, tidak ada di rekening koran"
        / "Received in Balai, not on the statement";
    TOTALS_SERVICE = "Jumlah per layanan"
        / "Totals per service";
    TOTALS_AGENCY = "Jumlah per perangkat daerah"
        / "Totals per agency";
    RECEIVED = "Diterima di Balai"
        / "Received in Balai";
    ON_STATEMENT = "Di rekening koran"
        / "On the statement";
    DIFFERENCE = "Selisih"
        / "Difference";
    NO_INVOICE = "Tanpa tagihan Balai"
        / "No Balai bill";
    TOTAL = "Jumlah"
        / "Total";
    MATCHED = "Cocok"
        / "Matched";
    UNMATCHED = "Tidak dikenal"
        / "Unknown";
    MISMATCHED = "Tidak cocok"
        / "Mismatched";
    REASON_AMOUNT = "Tidak cocok: nominal berbeda"
        / "Mismatched: another amount";
    REASON_NOT_PAID = "Tidak cocok: belum lunas di Balai"
        / "Mismatched: not paid in Balai";
    REASON_HELD = "Tidak cocok: pembayaran ditahan"
        / "Mismatched: payment held";
    REASON_REFUNDED = "Tidak cocok: sudah dikembalikan"
        / "Mismatched: refunded";
    REASON_TWICE = "Tidak cocok: pembayaran sudah di baris lain"
        / "Mismatched: payment already on another line";
    OUTCOME_PAID = "Lunas"
        / "Paid";
    OUTCOME_FAILED = "Gagal"
        / "Failed";
    OUTCOME_HELD_AMOUNT = "Ditahan: nominal tidak sesuai"
        / "Held: wrong amount";
    OUTCOME_HELD_NOT_PAYABLE = "Ditahan: tagihan tidak dapat dibayar"
        / "Held: bill not payable";
    OUTCOME_HELD_PAID_TWICE = "Ditahan: dibayar dua kali"
        / "Held: paid twice";
    NOT_TREASURER = "Halaman ini untuk bendahara penerimaan pemerintah daerah."
        / "This page is for the government's receiving treasurer.";
}
