//! `balai_files::clean` on any upload, under small limits so the fuzzer meets them often.
//!
//! - Nothing panics, and nothing is accepted that is not a PDF, JPEG or PNG by its first bytes.
//! - A cleaned image decodes, within the side and decoded-size limits, as the kind it claims; its
//!   SHA-256 is the one reported; and cleaning it again accepts it with the same dimensions (the
//!   output of cleaning is itself a clean upload).
//! - A PDF is kept byte for byte.

#![no_main]

use balai_files::{FileError, FileKind, Limits, clean};
use image::{ImageFormat, ImageReader};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::io::Cursor;

fn limits() -> Limits {
    Limits { max_bytes: 1 << 20, max_pixels_side: 1024, max_alloc_bytes: 4 << 20 }
}

fn dimensions(bytes: &[u8], kind: FileKind) -> (u32, u32, u64) {
    let format = if kind == FileKind::Jpeg { ImageFormat::Jpeg } else { ImageFormat::Png };
    let image = ImageReader::with_format(Cursor::new(bytes), format).decode().expect("a cleaned image decodes");
    (image.width(), image.height(), image.as_bytes().len() as u64)
}

fuzz_target!(|data: &[u8]| {
    let limits = limits();
    match clean(data, &limits) {
        Ok(cleaned) => {
            assert_eq!(FileKind::sniff(data), Some(cleaned.kind));
            assert_eq!(FileKind::sniff(&cleaned.bytes), Some(cleaned.kind));
            let digest: String = Sha256::digest(&cleaned.bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(cleaned.sha256_hex, digest);
            if cleaned.kind == FileKind::Pdf {
                assert_eq!(cleaned.bytes, data);
                return;
            }
            let (width, height, decoded) = dimensions(&cleaned.bytes, cleaned.kind);
            assert!(width >= 1 && height >= 1);
            assert!(width <= limits.max_pixels_side && height <= limits.max_pixels_side);
            assert!(decoded <= limits.max_alloc_bytes);
            let again = clean(&cleaned.bytes, &Limits { max_bytes: usize::MAX, ..limits.clone() })
                .expect("a cleaned image is a clean upload");
            assert_eq!(again.kind, cleaned.kind);
            assert_eq!(dimensions(&again.bytes, again.kind).0, width);
            assert_eq!(dimensions(&again.bytes, again.kind).1, height);
        }
        Err(FileError::Empty) => assert!(data.is_empty()),
        Err(FileError::UnknownType) => assert_eq!(FileKind::sniff(data), None),
        Err(FileError::TooLarge { .. }) => assert!(data.len() > limits.max_bytes),
        Err(FileError::DecompressionBomb) => {
            assert!(matches!(FileKind::sniff(data), Some(FileKind::Jpeg | FileKind::Png)))
        }
        Err(FileError::Corrupt) => assert!(FileKind::sniff(data).is_some()),
        Err(FileError::ActivePdf | FileError::EncryptedPdf) => assert_eq!(FileKind::sniff(data), Some(FileKind::Pdf)),
        Err(other) => panic!("cleaning never reaches storage: {other}"),
    }
});
