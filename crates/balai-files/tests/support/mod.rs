//! Builders for test files: real encoded images with chosen metadata spliced in.
#![allow(dead_code)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, RgbImage};

/// A colourful image, so re-encoding has real content to keep.
pub fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, ((x + y) % 256) as u8])
    })
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = picture(width, height);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = picture(width, height);
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// A big-endian TIFF/EXIF block: an image description holding `marker`, an optional
/// orientation, and a GPS directory with a latitude reference.
pub fn exif_tiff(marker: &str, orientation: Option<u16>) -> Vec<u8> {
    let mut entries: Vec<(u16, u16, u32, u32)> = Vec::new();
    let n = 2 + orientation.is_some() as u32;
    let ifd0_size = 2 + 12 * n + 4;
    let desc_offset = 8 + ifd0_size;
    let mut desc = marker.as_bytes().to_vec();
    desc.push(0);
    if desc.len() % 2 == 1 {
        desc.push(0);
    }
    let gps_offset = desc_offset + desc.len() as u32;
    entries.push((0x010E, 2, marker.len() as u32 + 1, desc_offset));
    if let Some(o) = orientation {
        entries.push((0x0112, 3, 1, u32::from(o) << 16));
    }
    entries.push((0x8825, 4, 1, gps_offset));

    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (tag, ty, count, value) in entries {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&ty.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value.to_be_bytes());
    }
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(&desc);
    // GPS directory: GPSLatitudeRef = "S".
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&2u32.to_be_bytes());
    t.extend_from_slice(b"S\0\0\0");
    t.extend_from_slice(&0u32.to_be_bytes());
    t
}

/// A JPEG with an APP1 Exif segment right after SOI.
pub fn jpeg_with_exif(width: u32, height: u32, marker: &str, orientation: Option<u16>) -> Vec<u8> {
    let jpeg = jpeg(width, height);
    let tiff = exif_tiff(marker, orientation);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// Inserts a chunk right after IHDR (signature 8 bytes + IHDR 25 bytes).
pub fn png_with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&png_chunk(kind, data));
    out.extend_from_slice(&png[33..]);
    out
}

/// A tiny PNG whose header declares `width` × `height` RGB pixels, with one small IDAT.
pub fn png_declaring(width: u32, height: u32, color_type: u8) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, color_type, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 4096], 9);
    out.extend_from_slice(&png_chunk(b"IDAT", &idat));
    out.extend_from_slice(&png_chunk(b"IEND", &[]));
    out
}

/// A JPEG whose frame header is rewritten to declare `width` × `height`.
pub fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = jpeg(16, 16);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// A minimal well-formed PDF with one page; `extra` goes into the catalog dictionary.
pub fn pdf(extra: &str) -> Vec<u8> {
    let objects = [
        format!("<< /Type /Catalog /Pages 2 0 R {extra}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A PDF 1.5 whose catalog's action lives in a compressed object stream.
pub fn pdf_with_object_stream(hidden: &str) -> Vec<u8> {
    // The run of spaces makes the deflater use Huffman codes rather than a stored (plain) block.
    let inner = format!("4 0 {}{hidden}", " ".repeat(256));
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(inner.as_bytes(), 6);
    let mut out = b"%PDF-1.5\n".to_vec();
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>\nendobj\n");
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    out.extend_from_slice(
        format!(
            "5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            compressed.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&compressed);
    out.extend_from_slice(b"\nendstream\nendobj\nstartxref\n0\n%%EOF\n");
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
