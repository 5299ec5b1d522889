//! The catalogue's fixed texts: its public pages, the service form, the maklumat form. The labels of
//! a standard's fields are the domain's ([`StandardField::labels`]), listed here for the completeness tests.

use crate::texts::Text;
use balai_domain::catalogue::StandardField;

crate::texts::texts! {
    HOME = "Beranda" / "Home";

    // The service form.
    NEW_HEADING = "Tambah layanan" / "Add a service";
    EDIT_HEADING = "Ubah standar pelayanan" / "Edit service standard";
    SAVE_SERVICE = "Simpan layanan" / "Save the service";
    PUBLISH_VERSION = "Terbitkan versi baru" / "Publish a new version";
    CODE = "Kode layanan" / "Service code";
    CODE_HINT = "Huruf besar, angka dan tanda hubung, misalnya AKTA-LAHIR."
        / "Upper-case letters, digits and hyphens, e.g. AKTA-LAHIR.";
    AGENCY = "Instansi" / "Agency";
    CATEGORY = "Kategori" / "Category";
    DOCUMENT = "Dokumen" / "Document";
    DOCUMENT_TYPE = "Jenis dokumen" / "Document type";
    DOCUMENT_NOTE = "Keterangan" / "Note";
    HELD = "Sudah dimiliki pemerintah (tidak diminta lagi)" / "Already held by the government";
    STEP = "Uraian tahap" / "Step";
    STEP_UNIT = "Unit penanggung jawab" / "Responsible unit";
    STEP_TIME = "Waktu (hari kerja)" / "Time (working days)";
    CHANGE_NOTE = "Catatan perubahan" / "What changed and why";
    CHANGE_NOTE_HINT = "Tampil di riwayat versi publik." / "Shown in the public version history.";
    SUMMARY_HEADING = "Periksa isian berikut" / "Please correct the following";
    INCOMPLETE_REQUEST = "Permintaan tidak lengkap" / "Incomplete request";
    NO_EXPECTED_VERSION = "Isian `expected_version` (versi yang Anda ubah) tidak ada atau tidak sah. Buka lagi halaman ubah layanan dan kirim dari sana."
        / "The field `expected_version` (the version you are editing) is missing or invalid. Open the service's edit page again and submit from there.";

    // Someone published a newer version while the editor worked.
    CONFLICT_HEADING = "Ada versi yang lebih baru" / "A newer version was published";
    CONFLICT_TEXT = "Versi terbaru sekarang {version}, diterbitkan oleh {by} pada {at} (catatan: \u{201c}{note}\u{201d}). Anda mulai dari versi {started}; perubahan Anda belum disimpan."
        / "The latest version is now {version}, published by {by} on {at} (note: \u{201c}{note}\u{201d}). You started from version {started}; your changes are not saved yet.";
    CONFLICT_CHANGED = "Komponen yang berubah sejak versi Anda:" / "Components changed since your version:";
    CONFLICT_RESUBMIT = "Isian Anda ada di bawah. Periksa perubahan di atas; bila tetap ingin menerbitkan isian ini, kirim lagi: hasilnya menjadi versi {next} di atas versi {version}."
        / "Your input is below. Check the changes above; to publish it anyway, submit again: it becomes version {next} on top of version {version}.";

    // The maklumat form.
    MAKLUMAT_HEADING = "Maklumat pelayanan" / "Service pledge";
    MAKLUMAT_FIELD = "Teks maklumat" / "Pledge text";
    MAKLUMAT_SUBMIT = "Simpan maklumat" / "Save the pledge";
}

/// The labels of a standard's fields, by field key: the domain's list, read by the completeness tests.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const FIELD_LABELS: &[(&str, Text)] = &{
    let mut out = [("", Text { id: "", en: "" }); StandardField::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        let field = StandardField::ALL[i];
        let (id, en) = field.labels();
        out[i] = (field.key(), Text { id, en });
        i += 1;
    }
    out
};
