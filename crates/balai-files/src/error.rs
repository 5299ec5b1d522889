use balai_domain::lang::Lang;

/// Why an upload was refused, or why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("the file is not a PDF, JPEG or PNG")]
    UnknownType,
    #[error("the image's dimensions or decoded size exceed the limits")]
    DecompressionBomb,
    #[error("the file is damaged or incomplete")]
    Corrupt,
    #[error("the PDF contains JavaScript, a launch action or an embedded file")]
    ActivePdf,
    /// Encrypted PDFs hide their object streams from inspection, and officers could not open a
    /// password-protected one anyway.
    #[error("the PDF is encrypted")]
    EncryptedPdf,
    #[error("no stored file has this key")]
    NotFound,
    #[error("not a key of a stored upload")]
    InvalidKey,
    #[error("cannot prepare the upload directory: {0}")]
    StorageSetup(#[source] std::io::Error),
    #[error("object storage failed: {0}")]
    Storage(#[source] object_store::Error),
}

impl FileError {
    /// A message for the citizen: what rule was broken and, where there is one, the limit.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FileError::Empty => lang
                .pick(
                    "Berkas kosong: pilih berkas yang berisi dokumen.",
                    "The file is empty: choose a file that contains the document.",
                )
                .to_owned(),
            FileError::TooLarge { max_bytes } => match lang {
                Lang::Id => format!("Berkas terlalu besar: paling besar {}.", megabytes(*max_bytes, lang)),
                Lang::En => format!("The file is too large: at most {}.", megabytes(*max_bytes, lang)),
            },
            FileError::UnknownType => lang
                .pick(
                    "Jenis berkas tidak diterima: hanya PDF, JPEG, atau PNG (dikenali dari isinya, bukan dari nama berkas).",
                    "File type not accepted: only PDF, JPEG or PNG (recognised by the content, not the file name).",
                )
                .to_owned(),
            FileError::DecompressionBomb => lang
                .pick(
                    "Gambar terlalu besar untuk diproses (lebar, tinggi, atau ukuran setelah dibuka melebihi batas): perkecil resolusinya lalu unggah lagi.",
                    "The image is too large to process (its width, height or opened size exceeds the limit): reduce its resolution and upload it again.",
                )
                .to_owned(),
            FileError::Corrupt => lang
                .pick(
                    "Berkas rusak atau tidak lengkap dan tidak dapat dibuka: simpan ulang atau pindai ulang dokumen lalu unggah lagi.",
                    "The file is damaged or incomplete and cannot be opened: save or scan the document again and upload it again.",
                )
                .to_owned(),
            FileError::ActivePdf => lang
                .pick(
                    "PDF ditolak: berisi JavaScript, perintah menjalankan program, atau berkas tersemat. Cetak ulang ke PDF (\"Print to PDF\") lalu unggah lagi.",
                    "PDF refused: it contains JavaScript, a program launch or an embedded file. Print it to PDF again (\"Print to PDF\") and upload it again.",
                )
                .to_owned(),
            FileError::EncryptedPdf => lang
                .pick(
                    "PDF ditolak: berkas dikunci atau dienkripsi. Simpan ulang tanpa kata sandi lalu unggah lagi.",
                    "PDF refused: the file is locked or encrypted. Save it again without a password and upload it again.",
                )
                .to_owned(),
            FileError::NotFound => lang
                .pick("Berkas tidak ditemukan.", "File not found.")
                .to_owned(),
            FileError::InvalidKey
            | FileError::StorageSetup(_)
            | FileError::Storage(_) => lang
                .pick(
                    "Berkas tidak dapat disimpan atau dibaca saat ini. Coba lagi beberapa saat lagi.",
                    "The file cannot be stored or read right now. Please try again shortly.",
                )
                .to_owned(),
        }
    }
}

/// Bytes as megabytes (MiB, the unit file pickers show as "MB"), with the language's decimal mark.
fn megabytes(bytes: usize, lang: Lang) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        return format!("{} MB", bytes / MIB);
    }
    // One decimal, rounded down so the stated limit is never above the real one.
    let tenths = bytes.saturating_mul(10) / MIB;
    let mark = lang.pick(",", ".");
    format!("{}{mark}{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_are_whole_or_one_decimal_in_the_language() {
        assert_eq!(megabytes(10 * 1024 * 1024, Lang::Id), "10 MB");
        assert_eq!(megabytes(5 * 1024 * 1024 / 2, Lang::Id), "2,5 MB");
        assert_eq!(megabytes(5 * 1024 * 1024 / 2, Lang::En), "2.5 MB");
    }
}
