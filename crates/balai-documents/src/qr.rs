//! The verification QR code: one module matrix, drawn as SVG for the web page and as vector
//! rectangles in the PDF (sharp at any zoom or print resolution).

use crate::DocumentError;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// Modules of light margin around the code, as the QR standard asks of scanners' surroundings.
pub(crate) const QUIET_ZONE: usize = 4;

/// The dark modules of a QR code for `data`, row by row.
pub(crate) struct Matrix {
    pub(crate) width: usize,
    dark: Vec<bool>,
}

impl Matrix {
    pub(crate) fn new(data: &str) -> Result<Self, DocumentError> {
        // Level M survives a smudge or a fold on paper; a URL fits easily.
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
            .map_err(|e| DocumentError::QrCode(e.to_string()))?;
        let width = code.width();
        let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(Self { width, dark })
    }

    /// Runs of dark modules: (row, first column, length), so a row draws as few rectangles.
    pub(crate) fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for (y, row) in self.dark.chunks(self.width).enumerate() {
            let mut x = 0;
            while x < self.width {
                if row[x] {
                    let start = x;
                    while x < self.width && row[x] {
                        x += 1;
                    }
                    runs.push((y, start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    pub(crate) fn svg(&self, label: &str) -> String {
        let size = self.width + 2 * QUIET_ZONE;
        let mut path = String::new();
        for (y, x, len) in self.runs() {
            // Writing to a String cannot fail.
            let _ = write!(path, "M{} {}h{len}v1h-{len}z", x + QUIET_ZONE, y + QUIET_ZONE);
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
             <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
             <path d=\"{path}\" fill=\"#000\"/></svg>",
            label = escape_xml(label),
        )
    }
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
