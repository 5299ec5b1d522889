//! Survey spreadsheets: SKM responses read from the CSV and XLSX files agencies keep, and the SKM
//! report written as XLSX and PDF. The rules and the arithmetic are the domain's
//! (`balai_domain::surveys`); this crate only reads and writes files, under bounds.
//!
//! Its own crate so the spreadsheet readers and writers (calamine, rust_xlsxwriter, zip) stay out
//! of the domain's and the store's builds.

mod read;
pub mod reconciliation;
mod report;

pub use read::{
    ImportError, ImportErrors, ImportedRow, MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES,
    Problem, SheetFormat, read_responses,
};
pub use report::{
    Breakdown, ElementLine, PDF_SUGGESTIONS, ProfileCounts, ReportHeading, SkmReport, report_pdf, report_xlsx,
    weighting_label,
};

#[cfg(test)]
mod tests;
