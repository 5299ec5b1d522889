//! PDFs are kept as they are, so they are checked instead of cleaned.
//!
//! An officer opens every uploaded PDF on a government computer. A PDF can run JavaScript
//! (`/JavaScript` actions and name trees), start a program (`/Launch`), carry other files that a
//! viewer offers to open (`/EmbeddedFile`, `/EmbeddedFiles`) or embed Flash and other players
//! (`/RichMedia`). A scanned or printed document needs none of these, so a PDF naming any of
//! them is refused rather than trusted to the viewer's settings.
//!
//! Names are compared after decoding `#xx` escapes (`/J#61vaScript` is `/JavaScript`), and the
//! compressed object streams of PDF 1.5+ are inflated and searched too, since objects inside them
//! are invisible in the raw bytes. Encrypted PDFs are refused: their object streams cannot be read.

use miniz_oxide::inflate::decompress_to_vec_zlib_with_limit;

use crate::{FileError, Limits};

/// Names that make a PDF active.
const ACTIVE_NAMES: [&[u8]; 5] = [b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"];

/// How far from the end `%%EOF` may be: viewers tolerate trailing bytes, within reason.
const EOF_WINDOW: usize = 1024;

pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(FileError::Corrupt);
    }
    let tail = &bytes[bytes.len().saturating_sub(EOF_WINDOW)..];
    if find(tail, b"%%EOF").is_none() {
        return Err(FileError::Corrupt);
    }
    check_names(bytes)?;
    if names(bytes).any(|n| n == b"Encrypt") {
        return Err(FileError::EncryptedPdf);
    }
    // Inflated object streams share one budget, so a PDF cannot be a zip bomb either.
    let mut budget = usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX);
    for data in object_streams(bytes) {
        let inflated = decompress_to_vec_zlib_with_limit(data, budget).map_err(|_| FileError::Corrupt)?;
        budget = budget.saturating_sub(inflated.len());
        check_names(&inflated)?;
    }
    Ok(())
}

fn check_names(bytes: &[u8]) -> Result<(), FileError> {
    if names(bytes).any(|n| ACTIVE_NAMES.contains(&n.as_slice())) { Err(FileError::ActivePdf) } else { Ok(()) }
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Every PDF name (`/Name`) in the bytes, `#xx` escapes decoded. Names inside strings and
/// streams are included: a false alarm there only costs a re-save, a miss could cost a computer.
fn names(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] != b'/' {
                i += 1;
                continue;
            }
            i += 1;
            let mut name = Vec::new();
            while i < bytes.len() && !is_whitespace(bytes[i]) && !is_delimiter(bytes[i]) {
                if bytes[i] == b'#'
                    && let Some(hex) = bytes.get(i + 1..i + 3)
                    && let Ok(hex) = std::str::from_utf8(hex)
                    && let Ok(b) = u8::from_str_radix(hex, 16)
                {
                    name.push(b);
                    i += 3;
                } else {
                    name.push(bytes[i]);
                    i += 1;
                }
                // No name we look for is long; stop collecting but keep skipping.
                if name.len() > 64 {
                    name.clear();
                    while i < bytes.len() && !is_whitespace(bytes[i]) && !is_delimiter(bytes[i]) {
                        i += 1;
                    }
                    break;
                }
            }
            return Some(name);
        }
        None
    })
}

/// The compressed data of every object stream (`/Type /ObjStm`, FlateDecode).
fn object_streams(bytes: &[u8]) -> Vec<&[u8]> {
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(at) = find(&bytes[pos..], b"stream") {
        let start = pos + at;
        pos = start + b"stream".len();
        // `endstream` also contains `stream`; only a keyword after a dictionary starts data.
        if start >= 3 && &bytes[start - 3..start] == b"end" {
            continue;
        }
        let before = &bytes[..start];
        let dict_start = rfind(before, b"obj").map_or(0, |p| p + 3);
        let dict = &before[dict_start..];
        let dict_names: Vec<Vec<u8>> = names(dict).collect();
        if !dict_names.iter().any(|n| n == b"ObjStm") {
            continue;
        }
        let mut data_start = pos;
        if bytes.get(data_start) == Some(&b'\r') {
            data_start += 1;
        }
        if bytes.get(data_start) == Some(&b'\n') {
            data_start += 1;
        }
        let Some(len) = find(&bytes[data_start..], b"endstream") else {
            continue;
        };
        let data = &bytes[data_start..data_start + len];
        pos = data_start + len;
        if dict_names.iter().any(|n| n == b"FlateDecode") {
            found.push(data);
        } else {
            // An object stream we cannot read could hide anything: empty data fails to inflate
            // and the PDF is refused as unreadable.
            found.push(&[]);
        }
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
