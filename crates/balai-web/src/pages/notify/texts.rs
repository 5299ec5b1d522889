//! The notify context's fixed texts: the demo inbox and the admin page of message texts.

crate::texts::texts! {
    // The demo inbox.
    INBOX_HEADING = "Kotak pesan demo"
        / "Demo message inbox";
    INBOX_INTRO = "Hanya di demo: pesan yang dikirim Balai (surel, SMS, WhatsApp) tampil di sini, terbaru di atas."
        / "Demo only: the messages Balai sends (e-mail, SMS, WhatsApp) appear here, newest first.";
    INBOX_EMPTY = "Belum ada pesan."
        / "No messages yet.";
    INBOX_SENT = "terkirim"
        / "sent";
    INBOX_DEAD = "gagal"
        / "failed";
    INBOX_WAITING = "menunggu"
        / "waiting";

    // The message texts page.
    INDONESIAN = "Bahasa Indonesia"
        / "Indonesian";
    ENGLISH = "Bahasa Inggris"
        / "English";
    TEMPLATES_HEADING = "Templat pesan"
        / "Message texts";
    TEMPLATES_NOT_SAVED = "Teks belum disimpan: periksa isian yang ditandai."
        / "Not saved: check the marked fields.";
    SUBJECT = "Judul (subjek surel)"
        / "Subject (e-mail subject line)";
    BODY = "Isi pesan"
        / "Message";
    EDITED = "Diubah oleh admin"
        / "Edited by an admin";
    SHIPPED = "Teks bawaan"
        / "Shipped text";
    SAVE = "Simpan"
        / "Save";
    RESET = "Kembalikan ke teks bawaan"
        / "Back to the shipped text";
    SAVED = "Teks disimpan."
        / "Text saved.";
    TEMPLATES_INTRO = "Teks pesan yang dikirim lewat surel, SMS dan WhatsApp. Nilai yang dapat dipakai pada kode masuk: {values}; {{ code }} wajib ada. SMS sebaiknya singkat."
        / "The texts sent by e-mail, SMS and WhatsApp. Values the sign-in code may use: {values}; {{ code }} is required. Keep SMS short.";
}
