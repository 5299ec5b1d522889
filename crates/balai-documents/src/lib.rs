//! Output documents: the PDF a government issues when an application completes, and the seal
//! that lets anyone check it is genuine and unchanged.
//!
//! - [`render_pdf`] typesets one A4 page (DejaVu Sans, embedded as a subset) with the product, the
//!   citizen's name, the document number and date, the issuer, and a QR code pointing to the
//!   verification page. The output depends only on the input: no timestamps or random ids, so the
//!   same document renders to the same bytes.
//! - [`seal`] hashes the PDF bytes (SHA-256) and signs, with the government's Ed25519 key, the
//!   domain-separated message [`signed_message`]: `balai-document-v1\n{sha256_hex}\n`. The prefix
//!   keeps a document seal from ever being valid as any other signature made with the same key.
//! - [`check`] needs only the PDF, the seal and the public key, so it also works offline.
//!
//! This crate holds the PDF dependencies apart from the rest of the workspace, so they are built
//! once and not again on every change elsewhere.

mod font;
mod page;
mod qr;
mod receipt;
pub mod report;

pub use receipt::{PaymentReceipt, RECEIPT_TITLE, render_receipt};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{Datelike, NaiveDate};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the embedded font cannot be used: {0}")]
    Font(String),
    #[error("the verification address does not fit in a QR code: {0}")]
    QrCode(String),
    #[error("the document does not fit on one page")]
    TooLong,
}

/// What an output document says. Every field is printed as given (no personal data beyond the
/// citizen's name belongs here).
#[derive(Debug, Clone, Copy)]
pub struct IssuedDocument<'a> {
    /// "Pemerintah Kabupaten …".
    pub government: &'a str,
    /// The issuing agency (dinas, badan).
    pub agency: &'a str,
    /// The document issued, e.g. "Kartu Keluarga", "Izin Usaha Mikro".
    pub product: &'a str,
    /// The service applied for.
    pub service: &'a str,
    pub citizen_name: &'a str,
    pub document_number: &'a str,
    /// The date of issue in the government's time zone.
    pub issued_on: NaiveDate,
    /// That time zone's label: "WIB", "WITA" or "WIT".
    pub zone_label: &'a str,
    /// Where the document is verified: `{base_url}/verifikasi/{id}`; the QR code points there.
    pub verify_url: &'a str,
    /// The application's tracking number.
    pub tracking_number: &'a str,
}

/// Renders the document as a one-page A4 PDF.
pub fn render_pdf(doc: &IssuedDocument) -> Result<Vec<u8>, DocumentError> {
    page::render(doc)
}

/// A PDF's seal: its SHA-256 (lowercase hex) and the government's Ed25519 signature over
/// [`signed_message`] of that hash (standard base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub sha256_hex: String,
    pub signature_b64: String,
}

/// The bytes the government's key signs for a document whose SHA-256 is `sha256_hex` (lowercase).
/// Versioned and prefixed so it cannot be mistaken for anything else the key signs.
pub fn signed_message(sha256_hex: &str) -> String {
    format!("balai-document-v1\n{sha256_hex}\n")
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals a PDF with the government's signing key.
pub fn seal(pdf: &[u8], key: &SigningKey) -> Seal {
    let sha256_hex = sha256_hex(pdf);
    let signature = key.sign(signed_message(&sha256_hex).as_bytes());
    Seal { sha256_hex, signature_b64: BASE64.encode(signature.to_bytes()) }
}

/// What checking a document against its seal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The bytes are the sealed ones and the government's key signed them.
    Genuine,
    /// The bytes differ from the ones sealed: changed after issue, or another file.
    Altered,
    /// The bytes match the stated hash but the signature is not the government's over it: the
    /// seal itself was forged or damaged, or the key is not the issuer's.
    BadSignature,
}

/// Checks `pdf` against its seal and the government's public key. Needs nothing else, so it can
/// be done offline.
pub fn check(pdf: &[u8], seal_sha256_hex: &str, signature_b64: &str, key: &VerifyingKey) -> Verdict {
    let actual = sha256_hex(pdf);
    if !actual.eq_ignore_ascii_case(seal_sha256_hex.trim()) {
        return Verdict::Altered;
    }
    let Ok(bytes) = BASE64.decode(signature_b64.trim()) else {
        return Verdict::BadSignature;
    };
    let Ok(signature) = Signature::from_slice(&bytes) else {
        return Verdict::BadSignature;
    };
    // The message is rebuilt from the hash of the bytes at hand, never taken from the seal.
    match key.verify_strict(signed_message(&actual).as_bytes(), &signature) {
        Ok(()) => Verdict::Genuine,
        Err(_) => Verdict::BadSignature,
    }
}

/// The QR code for `url` as an SVG image (scalable, with a light quiet zone), for the HTML
/// verification page. A URL too long for any QR code gives an empty string.
pub fn qr_svg(url: &str) -> String {
    try_qr_svg(url).unwrap_or_default()
}

/// [`qr_svg`] that reports a URL too long for a QR code.
pub fn try_qr_svg(url: &str) -> Result<String, DocumentError> {
    Ok(qr::Matrix::new(url)?.svg(&format!("Kode QR: {url}")))
}

/// The QR code for any `data` (a QRIS payload) as an SVG image whose accessible name is `label`.
pub fn try_qr_svg_labelled(data: &str, label: &str) -> Result<String, DocumentError> {
    Ok(qr::Matrix::new(data)?.svg(label))
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// A date written the Indonesian way: "5 Desember 2026".
pub fn indonesian_date(date: NaiveDate) -> String {
    let month = MONTHS[date.month0() as usize];
    format!("{} {month} {}", date.day(), date.year())
}

/// zlib-compressed stream data; deterministic for the same input.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// The keys documents are signed with: one Ed25519 key per government, derived from one master
/// secret kept with the deployment's other keys, so one government's key never signs another's
/// papers and a government's public key can be published on its own.
#[derive(Clone)]
pub struct DocumentKeys {
    master: std::sync::Arc<[u8; 32]>,
}

impl DocumentKeys {
    pub fn from_master(master: [u8; 32]) -> DocumentKeys {
        DocumentKeys { master: std::sync::Arc::new(master) }
    }

    /// The signing key of a government, by its region code (which never changes).
    pub fn signing_key(&self, region_code: &str) -> SigningKey {
        // SHA-256 over a domain-separated message, the master secret first: a key derivation for
        // one fixed-length secret, with no key of one government revealing another's.
        let mut hasher = Sha256::new();
        hasher.update(b"balai-document-key-v1\n");
        hasher.update(self.master.as_slice());
        hasher.update(b"\n");
        hasher.update(region_code.as_bytes());
        let seed: [u8; 32] = hasher.finalize().into();
        SigningKey::from_bytes(&seed)
    }

    pub fn verifying_key(&self, region_code: &str) -> VerifyingKey {
        self.signing_key(region_code).verifying_key()
    }
}

impl std::fmt::Debug for DocumentKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentKeys(..)")
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn each_government_has_its_own_key_and_the_same_master_gives_the_same_keys() {
        let keys = DocumentKeys::from_master([3; 32]);
        let kupang = keys.verifying_key("53.71");
        assert_eq!(kupang, DocumentKeys::from_master([3; 32]).verifying_key("53.71"));
        assert_ne!(kupang, keys.verifying_key("53"));
        assert_ne!(kupang, DocumentKeys::from_master([4; 32]).verifying_key("53.71"));
    }
}

/// Renders a document whose product may describe more than one page holds: the product as given,
/// else its first clause, else the service's name is what the page names. Returns the product the
/// page names and the PDF.
pub fn render_pdf_fitting(doc: &IssuedDocument) -> Result<(String, Vec<u8>), DocumentError> {
    let full = if doc.product.trim().is_empty() { doc.service.to_owned() } else { doc.product.to_owned() };
    for product in [full.clone(), first_clause(&full), doc.service.to_owned()] {
        match render_pdf(&IssuedDocument { product: &product, ..*doc }) {
            Ok(pdf) => return Ok((product, pdf)),
            Err(DocumentError::TooLong) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(DocumentError::TooLong)
}

/// The product's first clause: up to its first comma, bracket, semicolon or joining word.
fn first_clause(text: &str) -> String {
    let mut end = text.len();
    for mark in [",", "(", ";", " beserta ", " yang ", " dan "] {
        if let Some(at) = text.find(mark) {
            end = end.min(at);
        }
    }
    text[..end].trim().to_owned()
}

#[cfg(test)]
mod fitting_tests {
    use super::*;

    #[test]
    fn a_product_too_long_for_a_page_is_named_by_its_first_clause() {
        assert_eq!(first_clause("Izin lingkungan (UKL-UPL), beserta lampiran"), "Izin lingkungan");
        assert_eq!(first_clause("Kartu Keluarga"), "Kartu Keluarga");
        let long = format!("Rekomendasi UKL-UPL, {}", "dokumen pendukung yang panjang sekali ".repeat(200));
        let doc = IssuedDocument {
            government: "Pemerintah Kota Kupang",
            agency: "Dinas Lingkungan Hidup",
            product: &long,
            service: "Rekomendasi UKL-UPL",
            citizen_name: "Maria Yosefina Lado",
            document_number: "UKL/ABCD-EFGH-2/2026",
            issued_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            zone_label: "WITA",
            verify_url: "http://127.0.0.1:8080/verifikasi/abc",
            tracking_number: "ABCD-EFGH-2",
        };
        assert!(matches!(render_pdf(&doc), Err(DocumentError::TooLong)));
        let (product, pdf) = render_pdf_fitting(&doc).unwrap();
        assert_eq!(product, "Rekomendasi UKL-UPL");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
