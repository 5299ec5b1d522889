//! `balai skm report`: the SKM index of a spreadsheet of responses, with no database. The file is
//! read and checked by balai-sheets, the index computed by the domain; this module only prints.

use crate::RunError;
use balai_domain::Lang;
use balai_domain::surveys::{Element, Index, Period, Weighting};
use balai_sheets::{ReportHeading, SheetFormat, SkmReport, read_responses, report_pdf, report_xlsx, weighting_label};
use clap::{Args, Subcommand};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum SkmCommand {
    /// Compute the index of a CSV or XLSX file of responses (one row per respondent, columns U1–U9)
    /// and print NRR per element, IKM and grade; optionally write the report as XLSX and PDF.
    Report(ReportArgs),
}

#[derive(Args)]
pub struct ReportArgs {
    /// The responses: CSV (comma or semicolon, UTF-8) or XLSX (the first sheet), at most 10 MiB.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Weight each element 0.11 as many older spreadsheets do, instead of the regulation's 1/9.
    #[arg(long)]
    legacy_weight: bool,
    /// Print one JSON object: {"respondents", "elements": {"U1": nrr, …}, "ikm", "grade"}.
    #[arg(long)]
    json: bool,
    /// Also write the report as an XLSX workbook to this new file.
    #[arg(long, value_name = "OUT")]
    xlsx: Option<PathBuf>,
    /// Also write the report as a PDF to this new file.
    #[arg(long, value_name = "OUT")]
    pdf: Option<PathBuf>,
    /// The government named in the report files, e.g. "Pemerintah Kota Kupang".
    #[arg(long, value_name = "NAME", default_value = "")]
    government: String,
    /// The agency (OPD) named in the report files.
    #[arg(long, value_name = "NAME", default_value = "")]
    agency: String,
    /// The service unit named in the report files.
    #[arg(long, value_name = "NAME", default_value = "")]
    unit: String,
    /// The period the responses cover: 2026-Q1, 2026-S1 or 2026.
    #[arg(long, value_name = "PERIOD")]
    period: Option<String>,
    /// Services delivered in the period: the report then shows the minimum sample (Krejcie & Morgan).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    population: Option<u64>,
}

/// Longest name accepted for the report's heading.
const NAME_MAX: usize = 200;

pub fn run(command: SkmCommand) -> Result<(), RunError> {
    match command {
        SkmCommand::Report(args) => report(args),
    }
}

fn invalid(message: impl Into<String>) -> RunError {
    RunError::Invalid(message.into())
}

fn report(args: ReportArgs) -> Result<(), RunError> {
    let period = match args.period.as_deref() {
        None => None,
        Some(text) => Some(
            Period::parse(text)
                .ok_or_else(|| invalid(format!("--period {text:?} is not a period; write 2026-Q1, 2026-S1 or 2026")))?,
        ),
    };
    for (option, value) in [("--government", &args.government), ("--agency", &args.agency), ("--unit", &args.unit)] {
        if value.chars().count() > NAME_MAX {
            return Err(invalid(format!("{option} is longer than {NAME_MAX} characters")));
        }
    }
    let bytes = read_bounded(&args.input)?;
    let name = args.input.file_name().and_then(|n| n.to_str());
    let format = SheetFormat::detect(name, &bytes);
    let rows = match read_responses(&bytes, format) {
        Ok(rows) => rows,
        Err(errors) => {
            let mut stderr = std::io::stderr().lock();
            for error in &errors.0 {
                let _ = writeln!(stderr, "{error}");
            }
            return Err(invalid(format!(
                "{} masalah; tidak ada yang dibaca / {} problem(s); nothing was read",
                errors.0.len(),
                errors.0.len()
            )));
        }
    };
    let weighting = if args.legacy_weight { Weighting::Legacy011 } else { Weighting::Standard };
    let heading = ReportHeading {
        government: args.government,
        agency: args.agency,
        unit: args.unit,
        period: period.map(|p| p.label(Lang::Id)).unwrap_or_default(),
    };
    let Some(report) = SkmReport::from_rows(heading, weighting, args.population, &rows) else {
        return Err(invalid("berkas tidak berisi responden / the file holds no respondents"));
    };

    if let Some(path) = &args.xlsx {
        write_new(path, &report_xlsx(&report))?;
    }
    if let Some(path) = &args.pdf {
        write_new(path, &report_pdf(&report))?;
    }
    let text = if args.json { json(&report.index) } else { table(&report) };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).map_err(|e| RunError::Io(format!("cannot write the output: {e}")))
}

/// Reads the file, refusing one larger than the reader takes before reading it whole.
fn read_bounded(path: &Path) -> Result<Vec<u8>, RunError> {
    let file = std::fs::File::open(path).map_err(|e| RunError::Io(format!("cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(balai_sheets::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| RunError::Io(format!("cannot read {}: {e}", path.display())))?;
    Ok(bytes)
}

/// Writes a report file that must not exist yet (an earlier report is never overwritten).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| RunError::Io(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))
}

/// A float as JSON writes it.
fn number(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(|| "null".into(), |n| n.to_string())
}

/// `{"respondents": n, "elements": {"U1": nrr, …}, "ikm": 76.61, "grade": "B"}`: the exact NRR as
/// the nearest float, the IKM rounded to two decimals.
fn json(index: &Index) -> String {
    let elements: Vec<String> =
        Element::ALL.iter().map(|&e| format!("\"{}\": {}", e.code(), number(index.nrr(e).to_f64()))).collect();
    format!(
        "{{\"respondents\": {}, \"elements\": {{{}}}, \"ikm\": {}, \"grade\": \"{}\"}}\n",
        index.respondents,
        elements.join(", "),
        number(index.ikm.hundredths() as f64 / 100.0),
        index.grade.letter()
    )
}

fn table(report: &SkmReport) -> String {
    let index = &report.index;
    let mut out = String::new();
    out.push_str(&format!("Responden / respondents: {}\n", index.respondents));
    if let (Some(population), Some(minimum)) = (report.population, report.minimum_sample()) {
        let met = if index.respondents >= minimum { "terpenuhi / met" } else { "belum terpenuhi / not met" };
        out.push_str(&format!("Sampel minimum / minimum sample for {population}: {minimum} ({met})\n"));
    }
    out.push_str(&format!("Pembobotan / weighting: {}\n", weighting_label(index.weighting, Lang::En)));
    if index.weighting == Weighting::Legacy011 {
        out.push_str(
            "Catatan / note: --legacy-weight is on. Each NRR is weighted 0.11 as older spreadsheets do, not 1/9 as\n\
             PermenPANRB 14/2017 sets; the IKM below is not the standard index.\n",
        );
    }
    out.push('\n');
    out.push_str(&format!("{:<4} {:<46} {:>6} {:>9}  {}\n", "", "Unsur / element", "NRR", "NRR × 25", "Mutu"));
    for line in &report.elements {
        out.push_str(&format!(
            "{:<4} {:<46} {:>6} {:>9}  {}\n",
            line.element.code(),
            line.element.name(Lang::Id),
            line.nrr.fixed2(),
            line.converted.fixed2(),
            line.grade.letter()
        ));
    }
    out.push('\n');
    out.push_str(&format!("IKM: {}\n", index.ikm.fixed2()));
    out.push_str(&format!(
        "Mutu pelayanan / grade: {} ({} / {})\n",
        index.grade.letter(),
        index.grade.meaning(Lang::Id),
        index.grade.meaning(Lang::En)
    ));
    out
}
