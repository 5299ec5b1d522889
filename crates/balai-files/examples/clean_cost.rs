//! What one `clean` costs: `cargo run --release -p balai-files --example clean_cost`.
//!
//! Builds a photo-like JPEG of about 200 KB (a phone photo scaled down by the browser, or a
//! scanned page) and a PNG screenshot, then times `clean` on each.

use std::time::Instant;

use balai_files::{Limits, clean};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, RgbImage};

fn photo(width: u32, height: u32) -> RgbImage {
    // Smooth shapes plus sensor-like noise: compresses like a photo, not like a flat drawing.
    let mut seed = 0x2545_f491_u32;
    RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 24) as i32 - 12;
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let base = [
            (128.0 + 100.0 * (fx * 9.0).sin() * (fy * 5.0).cos()) as i32,
            (90.0 + 80.0 * fy + 40.0 * (fx * 13.0 + fy * 7.0).sin()) as i32,
            (60.0 + 150.0 * fx * fy) as i32,
        ];
        image::Rgb(base.map(|c| (c + noise).clamp(0, 255) as u8))
    })
}

fn time(label: &str, bytes: &[u8]) {
    let limits = Limits::default();
    clean(bytes, &limits).expect("clean"); // warm up
    let runs = 20;
    let mut millis = Vec::with_capacity(runs);
    let mut out_len = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let cleaned = clean(bytes, &limits).expect("clean");
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
        out_len = cleaned.bytes.len();
    }
    millis.sort_by(f64::total_cmp);
    let mut decode = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        if !bytes.starts_with(b"%PDF-") {
            image::load_from_memory(bytes).expect("decode");
        }
        decode.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    decode.sort_by(f64::total_cmp);
    println!(
        "{label}: in {} KB, out {} KB, clean median {:.1} ms, min {:.1} ms, max {:.1} ms, of which decoding alone median {:.1} ms ({runs} runs)",
        bytes.len() / 1024,
        out_len / 1024,
        millis[runs / 2],
        millis[0],
        millis[runs - 1],
        decode[runs / 2],
    );
}

fn main() {
    let (w, h) = (1280, 960);
    let img = photo(w, h);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("encode");
    time(&format!("JPEG photo {w}x{h}"), &jpeg);

    let (w, h) = (3000, 4000);
    let big = photo(w, h);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80)
        .write_image(big.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("encode");
    time(&format!("JPEG photo {w}x{h} (12 MP, straight from a phone)"), &jpeg);

    let (w, h) = (1080, 2340);
    let shot = RgbImage::from_fn(w, h, |x, y| {
        let band = ((y / 40) % 3) as u8;
        image::Rgb([240 - band * 20, 240, if (x / 8 + y / 12) % 17 == 0 { 40 } else { 250 }])
    });
    let mut png = Vec::new();
    PngEncoder::new(&mut png).write_image(shot.as_raw(), w, h, image::ExtendedColorType::Rgb8).expect("encode");
    time(&format!("PNG screenshot {w}x{h}"), &png);

    // A scanned PDF: one page whose content is a large binary image stream.
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    pdf.extend_from_slice(b"3 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>\nstream\n");
    let scan = photo(2480, 3508);
    JpegEncoder::new_with_quality(&mut pdf, 75)
        .write_image(scan.as_raw(), 2480, 3508, image::ExtendedColorType::Rgb8)
        .expect("encode");
    pdf.extend_from_slice(b"\nendstream\nendobj\nstartxref\n0\n%%EOF\n");
    time("PDF scan A4 300 dpi (checks only, decoding column unused)", &pdf);
}
