//! The output document as a citizen, an officer and a verifier meet it: a PDF whose text and QR
//! code say the right things, and a seal that tells genuine from altered or forged.
//!
//! Reading the PDF back uses poppler's `pdftoppm` and `pdftotext`. Without them the tests that need
//! them print a notice and pass, except in CI (`CI` set), where they fail.

use balai_documents::{
    DocumentError, IssuedDocument, Verdict, check, indonesian_date, qr_svg, render_pdf, seal, signed_message,
    try_qr_svg,
};
use chrono::NaiveDate;
use ed25519_dalek::{Signer, SigningKey};
use std::path::Path;
use std::process::Command;

const VERIFY_URL: &str = "https://layanan.sumbatimurkab.go.id/verifikasi/7f3c2a9e-51d4-4c1b-9a6e-2b8d0c4e6f11";

fn document() -> IssuedDocument<'static> {
    IssuedDocument {
        government: "Pemerintah Kabupaten Sumba Timur",
        agency: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        product: "Izin Usaha Mikro",
        service: "Penerbitan Izin Usaha Mikro dan Kecil",
        citizen_name: "Ni Made Ayu Pradnyaswari",
        document_number: "503/IUMK/0412/XII/2026",
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 5).expect("a real date"),
        zone_label: "WITA",
        verify_url: VERIFY_URL,
        tracking_number: "K7XW-9QPM-3D",
    }
}

fn government_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

#[test]
fn a_sealed_document_checks_genuine_with_the_public_key_alone() {
    let pdf = render_pdf(&document()).expect("renders");
    let key = government_key();
    let sealed = seal(&pdf, &key);
    assert_eq!(sealed.sha256_hex.len(), 64);
    assert_eq!(check(&pdf, &sealed.sha256_hex, &sealed.signature_b64, &key.verifying_key()), Verdict::Genuine);
}

#[test]
fn one_changed_byte_makes_the_document_altered() {
    let pdf = render_pdf(&document()).expect("renders");
    let key = government_key();
    let sealed = seal(&pdf, &key);
    for at in [0, pdf.len() / 2, pdf.len() - 1] {
        let mut changed = pdf.clone();
        changed[at] ^= 0x01;
        assert_eq!(
            check(&changed, &sealed.sha256_hex, &sealed.signature_b64, &key.verifying_key()),
            Verdict::Altered,
            "byte {at} changed"
        );
    }
    let mut longer = pdf.clone();
    longer.push(b'\n');
    assert_eq!(check(&longer, &sealed.sha256_hex, &sealed.signature_b64, &key.verifying_key()), Verdict::Altered);
}

#[test]
fn a_seal_not_made_by_the_government_key_is_a_bad_signature() {
    let pdf = render_pdf(&document()).expect("renders");
    let government = government_key().verifying_key();

    // Sealed by someone else's key.
    let forged = seal(&pdf, &other_key());
    assert_eq!(check(&pdf, &forged.sha256_hex, &forged.signature_b64, &government), Verdict::BadSignature);

    // A changed file with its new hash written into the seal, keeping the genuine signature.
    let genuine = seal(&pdf, &government_key());
    let mut changed = pdf.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x01;
    let new_hash = seal(&changed, &other_key()).sha256_hex;
    assert_eq!(check(&changed, &new_hash, &genuine.signature_b64, &government), Verdict::BadSignature);

    // The government's key, but over the bare hash instead of the domain-separated message.
    let bare = government_key().sign(genuine.sha256_hex.as_bytes());
    let bare_b64 = base64_encode(&bare.to_bytes());
    assert_eq!(check(&pdf, &genuine.sha256_hex, &bare_b64, &government), Verdict::BadSignature);

    // Not a signature at all.
    assert_eq!(check(&pdf, &genuine.sha256_hex, "not base64!", &government), Verdict::BadSignature);
    assert_eq!(check(&pdf, &genuine.sha256_hex, "AAAA", &government), Verdict::BadSignature);
}

#[test]
fn the_signed_message_is_domain_separated_and_documented() {
    let key = government_key();
    let pdf = render_pdf(&document()).expect("renders");
    let sealed = seal(&pdf, &key);
    assert_eq!(signed_message(&sealed.sha256_hex), format!("balai-document-v1\n{}\n", sealed.sha256_hex));
    // An offline verifier that knows only the documented message format agrees.
    let signature = key.sign(signed_message(&sealed.sha256_hex).as_bytes());
    assert_eq!(base64_encode(&signature.to_bytes()), sealed.signature_b64);
}

#[test]
fn rendering_the_same_document_twice_gives_the_same_bytes() {
    let first = render_pdf(&document()).expect("renders");
    let second = render_pdf(&document()).expect("renders");
    assert!(first.starts_with(b"%PDF-"));
    assert_eq!(first, second);

    let other = IssuedDocument { citizen_name: "Umbu Ndapa Hamba", ..document() };
    assert_ne!(render_pdf(&other).expect("renders"), first);
}

#[test]
fn the_qr_code_on_the_page_opens_the_verification_address() {
    let Some(dir) = poppler_workspace("pdftoppm") else {
        return;
    };
    let pdf_path = dir.path().join("document.pdf");
    std::fs::write(&pdf_path, render_pdf(&document()).expect("renders")).expect("write pdf");
    let prefix = dir.path().join("page");
    let out = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&pdf_path)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs");
    assert!(out.status.success(), "pdftoppm failed");
    // poppler reports malformed objects, fonts or streams on stderr while still drawing.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "a clean PDF");
    let png = dir.path().join("page.png");
    let page = image::open(&png).expect("a PNG page").to_luma8();
    // A4 at 150 dpi.
    assert_eq!((page.width(), page.height()), (1241, 1754));
    assert_eq!(decode_qr(&page), vec![VERIFY_URL.to_owned()]);
}

#[test]
fn the_page_text_names_the_citizen_the_document_and_its_issuer() {
    let Some(dir) = poppler_workspace("pdftotext") else {
        return;
    };
    let doc = IssuedDocument { citizen_name: "André Ngurah Rai D’Costa", ..document() };
    let text = pdf_text(dir.path(), &render_pdf(&doc).expect("renders"));
    for expected in [
        "André Ngurah Rai D’Costa",
        "503/IUMK/0412/XII/2026",
        "IZIN USAHA MIKRO",
        "5 Desember 2026 (WITA)",
        "PEMERINTAH KABUPATEN SUMBA TIMUR",
        "K7XW-9QPM-3D",
        "Penerbitan Izin Usaha Mikro dan Kecil",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // The verification address is printed under the code (wrapped over lines), for who cannot scan.
    let joined: String = text.split_whitespace().collect();
    assert!(joined.contains(VERIFY_URL), "{joined}");
}

#[test]
fn long_particulars_wrap_without_overlapping_or_leaving_the_page() {
    let Some(dir) = poppler_workspace("pdftotext") else {
        return;
    };
    let long_name = "Raden Ajeng Kartika Dewi Sekar Ayu Maharani Puspitasari Wulandari \
                     Kusumawardhani Sasmitaningrum Prameswari";
    let long_agency = "Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu, Tenaga Kerja dan \
                       Transmigrasi Daerah";
    let long_service = "Penerbitan Izin Usaha Mikro dan Kecil bagi Pelaku Usaha Perseorangan \
                        dengan Modal Usaha di Bawah Lima Puluh Juta Rupiah";
    let cases = [
        document(),
        IssuedDocument { citizen_name: long_name, ..document() },
        IssuedDocument {
            agency: long_agency,
            government: "Pemerintah Daerah Kabupaten Kepulauan Siau Tagulandang Biaro",
            service: long_service,
            citizen_name: long_name,
            ..document()
        },
    ];
    for doc in cases {
        let words = pdf_words(dir.path(), &render_pdf(&doc).expect("renders"));
        let pages = words.iter().map(|w| w.page).max().unwrap_or(0);
        assert_eq!(pages, 1, "one page");
        for w in &words {
            assert!(
                w.x_min >= 50.0 && w.x_max <= 595.276 - 50.0 && w.y_min >= 40.0 && w.y_max <= 841.89 - 40.0,
                "{:?} is outside the margins",
                w.text
            );
        }
        for (i, a) in words.iter().enumerate() {
            for b in &words[i + 1..] {
                let overlap_x = a.x_min.max(b.x_min) < a.x_max.min(b.x_max) - 0.5;
                let overlap_y = a.y_min.max(b.y_min) < a.y_max.min(b.y_max) - 0.5;
                assert!(!(overlap_x && overlap_y), "{:?} overlaps {:?}", a.text, b.text);
            }
        }
        // Every word of the name is on the page, in order.
        let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let name: Vec<&str> = doc.citizen_name.split_whitespace().collect();
        assert!(text.windows(name.len()).any(|window| window == name.as_slice()), "{name:?} not found in {text:?}");
    }
}

#[test]
fn particulars_that_cannot_fit_one_page_are_refused() {
    let endless = "Nama ".repeat(2000);
    let doc = IssuedDocument { citizen_name: &endless, ..document() };
    assert!(matches!(render_pdf(&doc), Err(DocumentError::TooLong)));
}

#[test]
fn an_address_too_long_for_a_qr_code_is_an_error_not_a_broken_code() {
    let url = format!("https://example.go.id/verifikasi/{}", "x".repeat(5000));
    let doc = IssuedDocument { verify_url: &url, ..document() };
    assert!(matches!(render_pdf(&doc), Err(DocumentError::QrCode(_))));
    assert!(try_qr_svg(&url).is_err());
    assert_eq!(qr_svg(&url), "");
}

#[test]
fn the_svg_qr_code_for_the_web_page_decodes_to_the_address() {
    let svg = qr_svg(VERIFY_URL);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("role=\"img\""));
    let page = rasterise_svg_path(&svg, 6);
    assert_eq!(decode_qr(&page), vec![VERIFY_URL.to_owned()]);

    let escaped = qr_svg("https://example.go.id/verifikasi/1?a=<b>&c=\"d\"");
    assert!(!escaped.contains("<b>"));
    assert!(escaped.contains("&lt;b&gt;&amp;c=&quot;d&quot;"));
}

#[test]
fn dates_use_indonesian_month_names() {
    let cases = [
        ((2026, 12, 5), "5 Desember 2026"),
        ((2025, 1, 1), "1 Januari 2025"),
        ((2026, 2, 28), "28 Februari 2026"),
        ((2026, 3, 9), "9 Maret 2026"),
        ((2026, 4, 10), "10 April 2026"),
        ((2026, 5, 1), "1 Mei 2026"),
        ((2026, 6, 30), "30 Juni 2026"),
        ((2026, 7, 17), "17 Juli 2026"),
        ((2026, 8, 17), "17 Agustus 2026"),
        ((2026, 9, 2), "2 September 2026"),
        ((2026, 10, 31), "31 Oktober 2026"),
        ((2026, 11, 11), "11 November 2026"),
    ];
    for ((y, m, d), expected) in cases {
        let date = NaiveDate::from_ymd_opt(y, m, d).expect("a real date");
        assert_eq!(indonesian_date(date), expected);
    }
}

// --- helpers ------------------------------------------------------------------------------

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A scratch directory when the poppler tool is installed; `None` (after a notice) when it is
/// not and this is not CI.
fn poppler_workspace(tool: &str) -> Option<tempfile::TempDir> {
    let present = Command::new(tool).arg("-v").output().map(|o| o.status.success()).unwrap_or(false);
    if !present {
        assert!(std::env::var_os("CI").is_none(), "{tool} (Debian package poppler-utils) is required in CI");
        eprintln!("SKIPPED: {tool} is not installed (Debian package poppler-utils)");
        return None;
    }
    Some(tempfile::tempdir().expect("temp dir"))
}

fn pdf_text(dir: &Path, pdf: &[u8]) -> String {
    let path = dir.join("document.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

struct Word {
    page: usize,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

/// The words on the pages with their boxes in points from the top left (`pdftotext -bbox`).
fn pdf_words(dir: &Path, pdf: &[u8]) -> Vec<Word> {
    let path = dir.join("words.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).expect("UTF-8");
    let mut words = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            rest.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .expect("a coordinate")
        };
        let text =
            rest.split('>').nth(1).and_then(|t| t.split("</word").next()).unwrap_or_default().replace("&amp;", "&");
        words.push(Word {
            page,
            x_min: attr("xMin"),
            y_min: attr("yMin"),
            x_max: attr("xMax"),
            y_max: attr("yMax"),
            text,
        });
    }
    words
}

fn decode_qr(page: &image::GrayImage) -> Vec<String> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(page.width() as usize, page.height() as usize, |x, y| {
            page.get_pixel(x as u32, y as u32)[0]
        });
    prepared.detect_grids().iter().map(|grid| grid.decode().expect("a readable QR code").1).collect()
}

/// Draws the SVG's single path (`M x y h n v1 h-n z` runs, as `qr_svg` writes them) at `scale`
/// pixels per module, black on white.
fn rasterise_svg_path(svg: &str, scale: u32) -> image::GrayImage {
    let view_box = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u32>().ok())
        .expect("a square viewBox");
    let mut img = image::GrayImage::from_pixel(view_box * scale, view_box * scale, image::Luma([255]));
    let path = svg.split(" d=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a path");
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let mut parts = run.split([' ', 'h', 'v']);
        let x: u32 = parts.next().and_then(|p| p.parse().ok()).expect("x");
        let y: u32 = parts.next().and_then(|p| p.parse().ok()).expect("y");
        let len: u32 = parts.next().and_then(|p| p.parse().ok()).expect("run length");
        for px in x * scale..(x + len) * scale {
            for py in y * scale..(y + 1) * scale {
                img.put_pixel(px, py, image::Luma([0]));
            }
        }
    }
    img
}
