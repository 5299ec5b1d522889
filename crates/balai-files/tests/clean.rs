mod support;

use std::time::{Duration, Instant};

use balai_domain::lang::Lang;
use balai_files::{FileError, FileKind, Limits, clean};
use image::GenericImageView;
use support::*;

const MARKER: &str = "BALAI-SECRET-GPS-MARKER";

#[test]
fn jpeg_exif_is_removed_and_the_photo_keeps_its_size() {
    let input = jpeg_with_exif(64, 48, MARKER, None);
    assert!(contains(&input, MARKER.as_bytes()), "the test photo carries the marker");
    assert!(contains(&input, b"Exif\0\0"));

    let cleaned = clean(&input, &Limits::default()).unwrap();
    assert_eq!(cleaned.kind, FileKind::Jpeg);
    assert!(!contains(&cleaned.bytes, MARKER.as_bytes()));
    assert!(!contains(&cleaned.bytes, b"Exif\0\0"));
    let decoded = image::load_from_memory_with_format(&cleaned.bytes, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(decoded.dimensions(), (64, 48));
}

#[test]
fn jpeg_exif_orientation_is_applied_before_it_is_dropped() {
    // Orientation 6: the camera was turned a quarter, the viewer must rotate 90° clockwise.
    let input = jpeg_with_exif(64, 48, MARKER, Some(6));
    let cleaned = clean(&input, &Limits::default()).unwrap();
    let decoded = image::load_from_memory(&cleaned.bytes).unwrap();
    assert_eq!(decoded.dimensions(), (48, 64));
    // The original top-left corner (dark red, dark green) is now top-right.
    let original = image::load_from_memory(&input).unwrap().to_rgb8();
    let turned = decoded.to_rgb8();
    let a = original.get_pixel(0, 0);
    let b = turned.get_pixel(47, 0);
    for c in 0..3 {
        assert!(a[c].abs_diff(b[c]) < 24, "{a:?} vs {b:?}");
    }
}

#[test]
fn png_text_chunk_is_removed() {
    let input = png_with_chunk(&png(40, 30), b"tEXt", format!("Comment\0{MARKER}").as_bytes());
    assert!(contains(&input, MARKER.as_bytes()));
    image::load_from_memory(&input).expect("the test PNG is valid");

    let cleaned = clean(&input, &Limits::default()).unwrap();
    assert_eq!(cleaned.kind, FileKind::Png);
    assert!(!contains(&cleaned.bytes, MARKER.as_bytes()));
    assert!(!contains(&cleaned.bytes, b"tEXt"));
    let decoded = image::load_from_memory_with_format(&cleaned.bytes, image::ImageFormat::Png).unwrap();
    assert_eq!(decoded.dimensions(), (40, 30));
    assert_eq!(decoded.to_rgb8(), picture(40, 30), "PNG stays lossless");
}

#[test]
fn png_exif_chunk_is_removed() {
    let input = png_with_chunk(&png(40, 30), b"eXIf", &exif_tiff(MARKER, None));
    let cleaned = clean(&input, &Limits::default()).unwrap();
    assert!(!contains(&cleaned.bytes, MARKER.as_bytes()));
}

#[test]
fn a_png_sent_as_a_pdf_is_a_png() {
    // What a browser would send for "scan.pdf" with Content-Type application/pdf: only the
    // bytes count, and they are a PNG.
    let cleaned = clean(&png(10, 10), &Limits::default()).unwrap();
    assert_eq!(cleaned.kind, FileKind::Png);
    assert_eq!(cleaned.kind.content_type(), "image/png");
    assert_eq!(cleaned.kind.extension(), "png");
}

#[test]
fn other_types_are_unknown() {
    let samples: [&[u8]; 6] = [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00fake.docx",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        b"GIF89a\x01\x00\x01\x00",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b" %PDF-1.4 a PDF must start with its header",
    ];
    for sample in samples {
        assert!(
            matches!(clean(sample, &Limits::default()), Err(FileError::UnknownType)),
            "{:?}",
            String::from_utf8_lossy(sample)
        );
    }
}

#[test]
fn png_declaring_huge_dimensions_is_refused_quickly() {
    let bomb = png_declaring(100_000, 100_000, 2);
    assert!(bomb.len() < 200);
    let started = Instant::now();
    assert!(matches!(clean(&bomb, &Limits::default()), Err(FileError::DecompressionBomb)));
    // Decoding 10^10 pixels would take minutes (or exhaust memory); the refusal is at the header.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn png_within_the_side_limit_but_over_the_allocation_limit_is_refused() {
    // 8000 × 8000 RGBA is 256 MiB decoded, above the default 128 MiB.
    let bomb = png_declaring(8000, 8000, 6);
    assert!(matches!(clean(&bomb, &Limits::default()), Err(FileError::DecompressionBomb)));
}

#[test]
fn jpeg_declaring_huge_dimensions_is_refused() {
    let bomb = jpeg_declaring(60_000, 60_000);
    assert!(matches!(clean(&bomb, &Limits::default()), Err(FileError::DecompressionBomb)));
}

#[test]
fn limits_come_from_the_caller() {
    let limits = Limits { max_pixels_side: 32, ..Limits::default() };
    assert!(matches!(clean(&png(33, 10), &limits), Err(FileError::DecompressionBomb)));
    assert!(clean(&png(32, 32), &limits).is_ok());
}

#[test]
fn too_large_is_refused_and_the_limit_itself_is_accepted() {
    let png = png(20, 20);
    let exact = Limits { max_bytes: png.len(), ..Limits::default() };
    assert!(clean(&png, &exact).is_ok());
    let smaller = Limits { max_bytes: png.len() - 1, ..Limits::default() };
    match clean(&png, &smaller) {
        Err(FileError::TooLarge { max_bytes }) => assert_eq!(max_bytes, png.len() - 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_large_message_names_the_limit_in_megabytes() {
    let err = FileError::TooLarge { max_bytes: Limits::default().max_bytes };
    assert_eq!(err.message(Lang::Id), "Berkas terlalu besar: paling besar 10 MB.");
    assert_eq!(err.message(Lang::En), "The file is too large: at most 10 MB.");
}

#[test]
fn empty_is_refused() {
    assert!(matches!(clean(b"", &Limits::default()), Err(FileError::Empty)));
    assert!(FileError::Empty.message(Lang::Id).contains("kosong"));
}

#[test]
fn damaged_images_are_corrupt() {
    let png = png(20, 20);
    assert!(matches!(clean(&png[..40], &Limits::default()), Err(FileError::Corrupt)));
    assert!(matches!(clean(b"\xFF\xD8\xFF\xE0garbage", &Limits::default()), Err(FileError::Corrupt)));
}

#[test]
fn a_minimal_pdf_passes_unchanged() {
    let input = pdf("");
    let cleaned = clean(&input, &Limits::default()).unwrap();
    assert_eq!(cleaned.kind, FileKind::Pdf);
    assert_eq!(cleaned.bytes, input);
    assert_eq!(cleaned.sha256_hex.len(), 64);
    assert_eq!(cleaned.kind.content_type(), "application/pdf");
}

#[test]
fn pdfs_with_active_content_are_refused() {
    for extra in [
        "/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ",
        "/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> ",
        "/OpenAction << /S /Launch /F (cmd.exe) >> ",
        "/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /EF << /F 9 0 R >> >>] >> >> ",
        "/AA << /O << /Type /EmbeddedFile >> >> ",
    ] {
        let err = clean(&pdf(extra), &Limits::default()).unwrap_err();
        assert!(matches!(err, FileError::ActivePdf), "{extra}: {err:?}");
    }
    assert!(FileError::ActivePdf.message(Lang::Id).contains("JavaScript"));
}

#[test]
fn javascript_hidden_in_a_compressed_object_stream_is_found() {
    let hidden = "<< /S /JavaScript /JS (app.alert(1)) >>";
    let input = pdf_with_object_stream(hidden);
    assert!(!contains(&input, b"JavaScript"), "the raw bytes do not show it");
    assert!(matches!(clean(&input, &Limits::default()), Err(FileError::ActivePdf)));
    // The same structure with a harmless object passes.
    assert!(clean(&pdf_with_object_stream("<< /S /GoTo /D [2 0 R /Fit] >>"), &Limits::default()).is_ok());
}

#[test]
fn encrypted_pdf_is_refused() {
    let mut input = pdf("");
    let root = input.windows(5).rposition(|w| w == b"/Root").unwrap();
    input.splice(root..root, b"/Encrypt 9 0 R ".iter().copied());
    assert!(matches!(clean(&input, &Limits::default()), Err(FileError::EncryptedPdf)));
}

#[test]
fn truncated_pdf_is_corrupt() {
    let input = pdf("");
    assert!(matches!(clean(&input[..input.len() / 2], &Limits::default()), Err(FileError::Corrupt)));
}

#[test]
fn same_input_same_digest() {
    let input = pdf("");
    let a = clean(&input, &Limits::default()).unwrap();
    let b = clean(&pdf("/Lang (id-ID) "), &Limits::default()).unwrap();
    assert_eq!(a.sha256_hex, clean(&input, &Limits::default()).unwrap().sha256_hex);
    assert_ne!(a.sha256_hex, b.sha256_hex);
}

#[test]
fn grey_jpeg_and_transparent_png_keep_their_colour_type() {
    let grey = image::GrayImage::from_fn(30, 20, |x, y| image::Luma([(x * 8 + y) as u8]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageLuma8(grey)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let cleaned = clean(&jpeg, &Limits::default()).unwrap();
    let decoded = image::load_from_memory(&cleaned.bytes).unwrap();
    assert_eq!(decoded.dimensions(), (30, 20));
    assert_eq!(decoded.color(), image::ColorType::L8);

    let rgba = image::RgbaImage::from_fn(16, 16, |x, _| image::Rgba([200, 10, 10, (x * 16) as u8]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(rgba.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let cleaned = clean(&png, &Limits::default()).unwrap();
    assert_eq!(image::load_from_memory(&cleaned.bytes).unwrap().to_rgba8(), rgba);
}

#[test]
fn every_refusal_has_an_indonesian_and_an_english_message() {
    let refusals = [
        FileError::Empty,
        FileError::TooLarge { max_bytes: 3 * 1024 * 1024 },
        FileError::UnknownType,
        FileError::DecompressionBomb,
        FileError::Corrupt,
        FileError::ActivePdf,
        FileError::EncryptedPdf,
    ];
    let mut seen = std::collections::HashSet::new();
    for err in &refusals {
        let id = err.message(Lang::Id);
        let en = err.message(Lang::En);
        assert_ne!(id, en, "{err:?}");
        assert!(seen.insert(id), "{err:?} shares its message");
    }
}

#[test]
fn an_object_stream_that_cannot_be_read_is_refused() {
    let readable = pdf_with_object_stream("<< /S /GoTo /D [2 0 R /Fit] >>");
    let at = readable.windows(12).position(|w| w == b"/FlateDecode").unwrap();
    let mut unreadable = readable.clone();
    unreadable.splice(at..at + 12, b"/LZWDecode".iter().copied());
    assert!(clean(&readable, &Limits::default()).is_ok());
    assert!(matches!(clean(&unreadable, &Limits::default()), Err(FileError::Corrupt)));
}

#[test]
fn an_object_stream_inflating_past_the_allocation_limit_is_refused() {
    let input = pdf_with_object_stream(&format!("<< /Padding ({}) >>", "A".repeat(200_000)));
    assert!(input.len() < 10_000, "compresses well");
    assert!(clean(&input, &Limits::default()).is_ok());
    let tight = Limits { max_alloc_bytes: 100_000, ..Limits::default() };
    assert!(matches!(clean(&input, &tight), Err(FileError::Corrupt)));
}
