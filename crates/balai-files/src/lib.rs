//! Citizens' uploaded documents: what is accepted, how it is made safe, and where it is kept.
//!
//! An upload is recognised by its bytes (never by its name or the client's `Content-Type`), bounded
//! in size, and then made safe for the officer who opens it:
//!
//! - JPEG and PNG images are decoded under strict limits, so a small file declaring huge
//!   dimensions (a decompression bomb) is refused before any pixel buffer is allocated, then turned
//!   upright from their EXIF orientation and re-encoded. Re-encoding keeps only the pixels: EXIF
//!   (with its GPS position, camera serial and time), XMP, text chunks and colour profiles are gone.
//! - PDFs are kept byte for byte but must look like a whole PDF and must not carry active content
//!   (JavaScript, launch actions, embedded files): an officer opens them on a government computer,
//!   and those are how a PDF runs code or drops a program there.
//!
//! [`read_bounded`] reads an upload as it arrives and stops at its bound. [`clean`] is CPU-bound
//! (tens of milliseconds for a phone photo): call it from `spawn_blocking`. [`FileStore`] keeps
//! cleaned files through `object_store`, a local directory by default and an S3-compatible bucket
//! as a matter of configuration (the `s3` feature).

mod error;
mod kind;
mod pdf;
mod raster;
mod read;
mod store;

pub use error::FileError;
pub use kind::FileKind;
pub use read::read_bounded;
pub use store::FileStore;

use sha2::{Digest, Sha256};

/// Bounds on what an upload may be and what cleaning it may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest upload accepted, in bytes, before any decoding.
    pub max_bytes: usize,
    /// Largest width and largest height of an image, in pixels, each.
    pub max_pixels_side: u32,
    /// Largest decoded image, in bytes (width × height × bytes per pixel); also bounds what a
    /// decoder may allocate, and what a PDF's compressed object streams may inflate to.
    pub max_alloc_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 10 * 1024 * 1024, max_pixels_side: 8000, max_alloc_bytes: 128 * 1024 * 1024 }
    }
}

/// An upload that passed every check, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub kind: FileKind,
    /// The bytes to keep: re-encoded for images, unchanged for PDFs.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256_hex: String,
}

/// Recognises, checks and cleans an upload. CPU-bound: run it in `spawn_blocking`.
pub fn clean(bytes: &[u8], limits: &Limits) -> Result<Cleaned, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(FileError::TooLarge { max_bytes: limits.max_bytes });
    }
    let kind = FileKind::sniff(bytes).ok_or(FileError::UnknownType)?;
    let bytes = match kind {
        FileKind::Pdf => {
            pdf::check(bytes, limits)?;
            bytes.to_vec()
        }
        FileKind::Jpeg | FileKind::Png => raster::reencode(bytes, kind, limits)?,
    };
    let sha256_hex = hex(&Sha256::digest(&bytes));
    Ok(Cleaned { kind, bytes, sha256_hex })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
