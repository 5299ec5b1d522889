//! Reading survey responses from a spreadsheet: one row per respondent, columns U1–U9, the profile
//! columns optional. The file is read under bounds, every row is checked by the domain's rules, and
//! every bad row is reported; a file with any bad row gives no rows at all.

use balai_domain::Lang;
use balai_domain::surveys::{Element, Response, ResponseFields, SUGGESTION_MAX};
use balai_domain::validation::Rule;
use calamine::{DataRef, Reader, Xlsx};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

/// The largest file read (10 MiB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most data rows (respondents) in one file.
pub const MAX_ROWS: usize = 200_000;
/// The most columns a row may use.
pub const MAX_COLUMNS: usize = 64;
/// The longest cell text read (characters).
pub const MAX_CELL_CHARS: usize = SUGGESTION_MAX;
/// The most an XLSX file may unpack to, by the sizes its zip directory declares.
pub const MAX_UNPACKED_BYTES: u64 = 400 * 1024 * 1024;
/// The most parts an XLSX file may hold.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// The kind of file, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// Comma- or semicolon-separated text, UTF-8 with or without a byte order mark.
    Csv,
    /// An Excel workbook (Office Open XML); the first sheet is read.
    Xlsx,
}

impl SheetFormat {
    /// XLSX when the bytes start as a zip file does (`PK`), else CSV. The file name is only a hint
    /// for the old binary `.xls`, which is refused as unreadable.
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> SheetFormat {
        let by_name = file_name.map(|name| name.to_ascii_lowercase());
        if bytes.starts_with(b"PK") || by_name.as_deref().is_some_and(|n| n.ends_with(".xlsx") || n.ends_with(".xls")) {
            SheetFormat::Xlsx
        } else {
            SheetFormat::Csv
        }
    }
}

/// One respondent read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    /// The row as the sheet shows it (the header is row 1).
    pub row: u32,
    pub response: Response,
    /// The `tanggal`/`date` column, when the file has one and the cell is filled.
    pub date: Option<NaiveDate>,
}

/// What is wrong, in a row or with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A value breaks one of the survey's rules.
    Rule(Rule),
    /// A required column (U1–U9) has no header.
    MissingColumn,
    /// Two columns have headers that mean the same field.
    DuplicateColumn,
    /// The file has no header row.
    Empty,
    FileTooLarge {
        max_bytes: usize,
    },
    TooManyRows {
        max: usize,
    },
    TooManyColumns {
        max: usize,
    },
    /// CSV text that is not UTF-8.
    NotUtf8,
    /// The old binary Excel format (`.xls`).
    OldExcel,
    /// The file cannot be read as CSV or XLSX; the reader's own words.
    Unreadable(String),
}

/// One problem found: where (row and column, as the sheet shows them) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based, the header being row 1; `None` when the problem is the file's.
    pub row: Option<u32>,
    /// The column's header as the file writes it (for a missing column, the name expected).
    pub column: Option<String>,
    pub problem: Problem,
}

impl ImportError {
    fn file(problem: Problem) -> ImportError {
        ImportError { row: None, column: None, problem }
    }

    /// The problem alone, in one language.
    pub fn reason(&self, lang: Lang) -> String {
        match (&self.problem, lang) {
            (Problem::Rule(rule), _) => rule.message(lang),
            (Problem::MissingColumn, Lang::Id) => "Kolom wajib ini tidak ada di baris judul.".into(),
            (Problem::MissingColumn, Lang::En) => "This required column is missing from the header row.".into(),
            (Problem::DuplicateColumn, Lang::Id) => "Kolom ini muncul lebih dari sekali.".into(),
            (Problem::DuplicateColumn, Lang::En) => "This column appears more than once.".into(),
            (Problem::Empty, Lang::Id) => "Berkas kosong: tidak ada baris judul (U1–U9).".into(),
            (Problem::Empty, Lang::En) => "The file is empty: there is no header row (U1–U9).".into(),
            (Problem::FileTooLarge { max_bytes }, Lang::Id) => {
                format!("Berkas terlalu besar; paling besar {} MiB.", max_bytes / (1024 * 1024))
            }
            (Problem::FileTooLarge { max_bytes }, Lang::En) => {
                format!("The file is too large; at most {} MiB.", max_bytes / (1024 * 1024))
            }
            (Problem::TooManyRows { max }, Lang::Id) => format!("Terlalu banyak baris; paling banyak {max} responden."),
            (Problem::TooManyRows { max }, Lang::En) => format!("Too many rows; at most {max} respondents."),
            (Problem::TooManyColumns { max }, Lang::Id) => format!("Terlalu banyak kolom; paling banyak {max}."),
            (Problem::TooManyColumns { max }, Lang::En) => format!("Too many columns; at most {max}."),
            (Problem::NotUtf8, Lang::Id) => "Berkas CSV bukan UTF-8; simpan sebagai \"CSV UTF-8\".".into(),
            (Problem::NotUtf8, Lang::En) => "The CSV file is not UTF-8; save it as \"CSV UTF-8\".".into(),
            (Problem::OldExcel, Lang::Id) => "Format .xls lama tidak dibaca; simpan sebagai .xlsx atau CSV.".into(),
            (Problem::OldExcel, Lang::En) => "The old .xls format is not read; save it as .xlsx or CSV.".into(),
            (Problem::Unreadable(detail), Lang::Id) => format!("Berkas tidak dapat dibaca ({detail})."),
            (Problem::Unreadable(detail), Lang::En) => format!("The file cannot be read ({detail})."),
        }
    }

    /// Where and what, in one language: "Baris 5, kolom U3: Harus antara 1 dan 4."
    pub fn message(&self, lang: Lang) -> String {
        let (row_word, column_word) = match lang {
            Lang::Id => ("Baris", "kolom"),
            Lang::En => ("Row", "column"),
        };
        let place = match (self.row, &self.column) {
            (Some(row), Some(column)) => format!("{row_word} {row}, {column_word} {column}: "),
            (Some(row), None) => format!("{row_word} {row}: "),
            (None, Some(column)) => {
                let mut word = column_word.to_owned();
                if let Some(first) = word.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                format!("{word} {column}: ")
            }
            (None, None) => String::new(),
        };
        format!("{place}{}", self.reason(lang))
    }
}

impl fmt::Display for ImportError {
    /// Both languages, Indonesian first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message(Lang::Id), self.message(Lang::En))
    }
}

/// Every problem found; nothing is imported while there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file has {} problem(s); nothing was imported", .0.len())]
pub struct ImportErrors(pub Vec<ImportError>);

impl ImportErrors {
    fn one(problem: Problem) -> ImportErrors {
        ImportErrors(vec![ImportError::file(problem)])
    }
}

/// A cell as read, before it is checked.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            // Whole numbers as integers, so 3 is "3" whatever the spreadsheet stored.
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
        }
    }
}

struct SheetRow {
    number: u32,
    cells: Vec<Cell>,
}

/// The fields a column may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Score(Element),
    Sex,
    Age,
    Education,
    Occupation,
    Suggestion,
    Date,
}

impl Field {
    fn of_header(header: &str) -> Option<Field> {
        let key: String = header
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
            .collect();
        if let Some(element) = Element::parse(&key) {
            return Some(Field::Score(element));
        }
        Some(match key.as_str() {
            "jenis_kelamin" | "sex" => Field::Sex,
            "umur" | "usia" | "age" => Field::Age,
            "pendidikan" | "education" => Field::Education,
            "pekerjaan" | "occupation" => Field::Occupation,
            "saran" | "suggestion" => Field::Suggestion,
            "tanggal" | "date" => Field::Date,
            _ => return None,
        })
    }

    /// The name the domain's validation gives this field.
    fn domain_name(self) -> &'static str {
        match self {
            Field::Score(element) => element.code(),
            Field::Sex => "sex",
            Field::Age => "age",
            Field::Education => "education",
            Field::Occupation => "occupation",
            Field::Suggestion => "suggestion",
            Field::Date => "date",
        }
    }
}

/// Reads every respondent of a CSV or XLSX file, or every problem with it.
pub fn read_responses(bytes: &[u8], format: SheetFormat) -> Result<Vec<ImportedRow>, ImportErrors> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportErrors::one(Problem::FileTooLarge { max_bytes: MAX_FILE_BYTES }));
    }
    let rows = match format {
        SheetFormat::Csv => csv_rows(bytes)?,
        SheetFormat::Xlsx => xlsx_rows(bytes)?,
    };
    check_rows(rows)
}

fn too_many_columns() -> ImportErrors {
    ImportErrors::one(Problem::TooManyColumns { max: MAX_COLUMNS })
}

fn too_many_rows() -> ImportErrors {
    ImportErrors::one(Problem::TooManyRows { max: MAX_ROWS })
}

/// The delimiter of the first line: `;` when it has more semicolons than commas (outside quotes).
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<SheetRow>, ImportErrors> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(ImportErrors::one(Problem::OldExcel));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImportErrors::one(Problem::NotUtf8))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Line breaks inside quoted cells: a spreadsheet shows such a record as one row.
    let mut inner_breaks: u64 = 0;
    let (mut counted_to, mut breaks_before) = (0usize, 0u64);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(ImportErrors::one(Problem::Unreadable(format!("CSV, line {line}"))));
            }
        }
        // The record's line, counted from its byte offset (the reader's own line count lags a line
        // after a CRLF ending): the line breaks before it, less those inside earlier cells.
        let mut start = record.position().map_or(0, |p| p.byte() as usize).min(text.len());
        if start > 0 && text.as_bytes()[start - 1] == b'\r' && text.as_bytes().get(start) == Some(&b'\n') {
            start += 1;
        }
        if start > counted_to {
            breaks_before += text.as_bytes()[counted_to..start].iter().filter(|&&b| b == b'\n').count() as u64;
            counted_to = start;
        }
        let number = u32::try_from(breaks_before + 1 - inner_breaks.min(breaks_before)).unwrap_or(u32::MAX);
        inner_breaks += record.iter().map(|field| field.matches('\n').count() as u64).sum::<u64>();
        let used =
            record.iter().enumerate().filter(|(_, field)| !field.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
        if used > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if used == 0 {
            continue;
        }
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells = record.iter().take(used).map(|field| Cell::Text(field.to_owned())).collect();
        rows.push(SheetRow { number, cells });
    }
    Ok(rows)
}

fn unreadable(e: impl fmt::Display) -> ImportErrors {
    ImportErrors::one(Problem::Unreadable(format!("XLSX: {e}")))
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<SheetRow>, ImportErrors> {
    if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(ImportErrors::one(Problem::OldExcel));
    }
    // What the parts unpack to, by the zip directory, before anything is unpacked.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ImportErrors::one(Problem::FileTooLarge { max_bytes: MAX_FILE_BYTES }));
    }
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        unpacked = unpacked.saturating_add(zip.by_index_raw(i).map_err(unreadable)?.size());
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(ImportErrors::one(Problem::FileTooLarge { max_bytes: MAX_FILE_BYTES }));
    }
    drop(zip);

    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(ImportErrors::one(Problem::Empty));
    };
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::Empty => Cell::Empty,
            DataRef::Int(n) => Cell::Number(*n as f64),
            DataRef::Float(n) => Cell::Number(*n),
            DataRef::String(text) => Cell::Text(text.clone()),
            DataRef::SharedString(text) => Cell::Text((*text).to_owned()),
            DataRef::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
            DataRef::DateTime(when) if when.is_datetime() => {
                let (year, month, day, ..) = when.to_ymd_hms_milli();
                NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                    .map_or(Cell::Number(when.as_f64()), Cell::Date)
            }
            DataRef::DateTime(when) => Cell::Number(when.as_f64()),
            DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cell::Text(text.clone()),
            DataRef::Error(error) => Cell::Text(format!("#{error:?}")),
        };
        if value.is_blank() {
            continue;
        }
        let column = usize::try_from(column).unwrap_or(usize::MAX);
        if column >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if !rows.contains_key(&row) && rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = value;
    }
    Ok(rows.into_iter().map(|(row, cells)| SheetRow { number: row.saturating_add(1), cells }).collect())
}

/// `2026-03-31`, `31/03/2026` (or `31-03-2026`, `31.03.2026`).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // A date-and-time text keeps its date.
    let day_part = text.split([' ', 'T']).next().unwrap_or(text);
    NaiveDate::parse_from_str(day_part, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day_part, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(day_part, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(day_part, "%d.%m.%Y"))
        .ok()
        .filter(|date| (1900..=2200).contains(&chrono::Datelike::year(date)))
}

/// A date cell, or a date in a text cell, or an Excel serial number that the sheet did not format.
fn cell_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(date) => Some(*date),
        Cell::Text(text) => parse_date(text),
        Cell::Number(serial) if serial.fract() == 0.0 && (1.0..=200_000.0).contains(serial) => {
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(*serial as u64))
        }
        _ => None,
    }
}

fn check_rows(rows: Vec<SheetRow>) -> Result<Vec<ImportedRow>, ImportErrors> {
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(ImportErrors::one(Problem::Empty));
    };

    // The header: which column holds which field.
    let mut errors = Vec::new();
    let mut columns: Vec<(usize, Field, String)> = Vec::new();
    for (index, cell) in header.cells.iter().enumerate() {
        let name = cell.text().trim().trim_start_matches('\u{feff}').trim().to_owned();
        let Some(field) = Field::of_header(&name) else { continue };
        if columns.iter().any(|(_, known, _)| *known == field) {
            errors.push(ImportError {
                row: Some(header.number),
                column: Some(name),
                problem: Problem::DuplicateColumn,
            });
            continue;
        }
        columns.push((index, field, name));
    }
    for element in Element::ALL {
        if !columns.iter().any(|(_, field, _)| *field == Field::Score(element)) {
            errors.push(ImportError {
                row: None,
                column: Some(element.code().to_owned()),
                problem: Problem::MissingColumn,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ImportErrors(errors));
    }

    let mut imported = Vec::new();
    for row in rows {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        let mut texts: BTreeMap<&'static str, String> = BTreeMap::new();
        let mut row_errors: Vec<ImportError> = Vec::new();
        let mut date = None;
        for (index, field, name) in &columns {
            let cell = row.cells.get(*index).unwrap_or(&Cell::Empty);
            let text = cell.text();
            if text.chars().count() > MAX_CELL_CHARS {
                row_errors.push(ImportError {
                    row: Some(row.number),
                    column: Some(name.clone()),
                    problem: Problem::Rule(Rule::TooLong { max: MAX_CELL_CHARS }),
                });
                continue;
            }
            if *field == Field::Date {
                if !cell.is_blank() {
                    date = cell_date(cell);
                    if date.is_none() {
                        row_errors.push(ImportError {
                            row: Some(row.number),
                            column: Some(name.clone()),
                            problem: Problem::Rule(Rule::Format { expected: "2026-03-31, 31/03/2026" }),
                        });
                    }
                }
                continue;
            }
            texts.insert(field.domain_name(), text);
        }
        let get = |name: &str| texts.get(name).map(String::as_str);
        let fields = ResponseFields {
            scores: Element::ALL.map(|element| get(element.code())),
            sex: get("sex"),
            age: get("age"),
            education: get("education"),
            occupation: get("occupation"),
            suggestion: get("suggestion"),
        };
        match fields.validate() {
            Ok(response) if row_errors.is_empty() => imported.push(ImportedRow { row: row.number, response, date }),
            Ok(_) => errors.extend(row_errors),
            Err(found) => {
                // In the order of the sheet's columns, each named as the sheet names it.
                for (_, field, name) in &columns {
                    if row_errors.iter().any(|e| e.column.as_deref() == Some(name.as_str())) {
                        continue;
                    }
                    for error in found.0.iter().filter(|e| e.field == field.domain_name()) {
                        row_errors.push(ImportError {
                            row: Some(row.number),
                            column: Some(name.clone()),
                            problem: Problem::Rule(error.rule.clone()),
                        });
                    }
                }
                row_errors.sort_by_key(|e| columns.iter().position(|(_, _, name)| e.column.as_deref() == Some(name)));
                errors.extend(row_errors);
            }
        }
    }
    if errors.is_empty() { Ok(imported) } else { Err(ImportErrors(errors)) }
}
