//! The SKM report as agencies publish it: NRR and grade per element, the index and its grade, the
//! respondents against the minimum sample, who answered, and what they suggested. Written as XLSX
//! (numbers as numbers, so the sheet can be checked) and as an A4 PDF.

use crate::read::ImportedRow;
use balai_documents::report::{Align, Block, Column, Report, Table};
use balai_domain::Lang;
use balai_domain::surveys::{
    AgeBand, Education, Element, Exact, Grade, Index, Occupation, Profile, Response, Sex, Tally, Weighting,
    minimum_sample,
};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// Suggestions the PDF prints in full; the rest are counted there and all are in the XLSX.
pub const PDF_SUGGESTIONS: usize = 200;

/// Who the report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportHeading {
    /// "Pemerintah Kota Kupang".
    pub government: String,
    /// The agency (OPD).
    pub agency: String,
    /// The service unit surveyed; may be empty when the report covers the agency.
    pub unit: String,
    /// The period's label, e.g. "Triwulan I 2026" (`Period::label`).
    pub period: String,
}

/// How many respondents gave each answer of one profile question, and how many did not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<T> {
    pub counts: Vec<(T, u64)>,
    pub unstated: u64,
}

impl<T: Copy + PartialEq> Breakdown<T> {
    fn new(all: &[T]) -> Breakdown<T> {
        Breakdown { counts: all.iter().map(|&choice| (choice, 0)).collect(), unstated: 0 }
    }

    fn add(&mut self, answer: Option<T>) {
        match answer.and_then(|answer| self.counts.iter_mut().find(|(choice, _)| *choice == answer)) {
            Some((_, count)) => *count += 1,
            None => self.unstated += 1,
        }
    }
}

/// The respondents' profile, counted per sex, age band, education and occupation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCounts {
    pub sex: Breakdown<Sex>,
    pub age: Breakdown<AgeBand>,
    pub education: Breakdown<Education>,
    pub occupation: Breakdown<Occupation>,
}

impl Default for ProfileCounts {
    fn default() -> ProfileCounts {
        ProfileCounts {
            sex: Breakdown::new(Sex::ALL),
            age: Breakdown::new(AgeBand::ALL),
            education: Breakdown::new(Education::ALL),
            occupation: Breakdown::new(Occupation::ALL),
        }
    }
}

impl ProfileCounts {
    pub fn add(&mut self, profile: &Profile) {
        self.sex.add(profile.sex);
        self.age.add(profile.age_band);
        self.education.add(profile.education);
        self.occupation.add(profile.occupation);
    }
}

/// One element's line: its NRR, its value converted to 25–100 (NRR × 25) and that value's grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementLine {
    pub element: Element,
    pub nrr: Exact,
    pub converted: Exact,
    pub grade: Grade,
}

/// Everything the report shows. Made by [`SkmReport::new`] (from a tally kept elsewhere) or
/// [`SkmReport::from_rows`] (from a file just read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkmReport {
    pub heading: ReportHeading,
    /// The domain's index: respondents, weighting, NRR per element, IKM and its grade.
    pub index: Index,
    pub elements: [ElementLine; 9],
    /// Services delivered in the period, when known: the minimum sample is shown against it.
    pub population: Option<u64>,
    pub profile: ProfileCounts,
    /// The non-empty suggestions, in the order given.
    pub suggestions: Vec<String>,
}

impl SkmReport {
    /// The report of a tally; `None` when it has no respondents. Empty suggestions are dropped.
    pub fn new(
        heading: ReportHeading,
        tally: &Tally,
        weighting: Weighting,
        population: Option<u64>,
        profile: ProfileCounts,
        suggestions: Vec<String>,
    ) -> Option<SkmReport> {
        let index = tally.index(weighting)?;
        let elements = Element::ALL.map(|element| {
            // One element's converted value is the standard index of a tally whose nine sums are all
            // this element's: 25 × 9·sum / (9·n) = 25 × NRR, computed and rounded by the domain.
            let alone = Tally { respondents: tally.respondents, sums: [tally.sum(element); 9] };
            let converted = alone.index(Weighting::Standard).map(|i| i.ikm).unwrap_or(index.ikm);
            ElementLine {
                element,
                nrr: index.nrr(element),
                converted,
                grade: Grade::of_hundredths(converted.hundredths()),
            }
        });
        let suggestions = suggestions.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        Some(SkmReport { heading, index, elements, population, profile, suggestions })
    }

    /// The report of validated responses; `None` when there are none.
    pub fn from_responses<'a>(
        heading: ReportHeading,
        weighting: Weighting,
        population: Option<u64>,
        responses: impl IntoIterator<Item = &'a Response>,
    ) -> Option<SkmReport> {
        let mut tally = Tally::default();
        let mut profile = ProfileCounts::default();
        let mut suggestions = Vec::new();
        for response in responses {
            tally.add(&response.answers);
            profile.add(&response.profile);
            suggestions.push(response.suggestion.clone());
        }
        SkmReport::new(heading, &tally, weighting, population, profile, suggestions)
    }

    /// The report of the rows of a file; `None` when there are none.
    pub fn from_rows(
        heading: ReportHeading,
        weighting: Weighting,
        population: Option<u64>,
        rows: &[ImportedRow],
    ) -> Option<SkmReport> {
        SkmReport::from_responses(heading, weighting, population, rows.iter().map(|row| &row.response))
    }

    /// The minimum sample for the population, when one is known.
    pub fn minimum_sample(&self) -> Option<u64> {
        self.population.map(minimum_sample)
    }
}

/// The IKM rounded to two decimals, as a number for a cell.
fn two_decimals(value: Exact) -> f64 {
    value.hundredths() as f64 / 100.0
}

/// How the weighting is named in the report.
pub fn weighting_label(weighting: Weighting, lang: Lang) -> &'static str {
    match (weighting, lang) {
        (Weighting::Standard, Lang::Id) => "Standar PermenPANRB 14/2017: bobot tiap unsur 1/9",
        (Weighting::Standard, Lang::En) => "PermenPANRB 14/2017 standard: each element weighs 1/9",
        (Weighting::Legacy011, Lang::Id) => {
            "Bobot lama 0,11 per unsur (kompatibilitas lembar kerja lama; bukan rumus standar 1/9)"
        }
        (Weighting::Legacy011, Lang::En) => {
            "Legacy weight 0.11 per element (compatibility with old spreadsheets; not the standard 1/9)"
        }
    }
}

fn sample_line(report: &SkmReport, lang: Lang) -> String {
    let n = report.index.respondents;
    match (report.population, report.minimum_sample(), lang) {
        (Some(population), Some(minimum), Lang::Id) => {
            let verdict = if n >= minimum { "terpenuhi" } else { "belum terpenuhi" };
            format!(
                "Jumlah responden {n}; sampel minimum (Krejcie & Morgan) untuk populasi {population} adalah {minimum}: {verdict}."
            )
        }
        (Some(population), Some(minimum), Lang::En) => {
            let verdict = if n >= minimum { "met" } else { "not met" };
            format!(
                "{n} respondents; the minimum sample (Krejcie & Morgan) for a population of {population} is {minimum}: {verdict}."
            )
        }
        (_, _, Lang::Id) => format!("Jumlah responden {n}."),
        (_, _, Lang::En) => format!("{n} respondents."),
    }
}

/// The profile tables: a title and (label, count) lines, "not stated" last when any.
fn profile_tables(profile: &ProfileCounts, lang: Lang) -> Vec<(&'static str, Vec<(String, u64)>)> {
    fn lines<T: Copy>(breakdown: &Breakdown<T>, label: fn(T, Lang) -> &'static str, lang: Lang) -> Vec<(String, u64)> {
        let mut lines: Vec<(String, u64)> =
            breakdown.counts.iter().map(|&(choice, count)| (label(choice, lang).to_owned(), count)).collect();
        if breakdown.unstated > 0 {
            lines.push((lang.pick("Tidak diisi", "Not stated").to_owned(), breakdown.unstated));
        }
        lines
    }
    vec![
        (lang.pick("Jenis kelamin", "Sex"), lines(&profile.sex, Sex::label, lang)),
        (lang.pick("Umur", "Age"), lines(&profile.age, AgeBand::label, lang)),
        (lang.pick("Pendidikan", "Education"), lines(&profile.education, Education::label, lang)),
        (lang.pick("Pekerjaan", "Occupation"), lines(&profile.occupation, Occupation::label, lang)),
    ]
}

/// Text that is safe in a cell: no control characters but line breaks.
fn cell_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
}

/// The report as an XLSX workbook (Indonesian): the index sheet, the respondents' profile, the
/// suggestions. The IKM cell is a number rounded to two decimals (`IKM` in column A, the value in B).
pub fn report_xlsx(report: &SkmReport) -> Vec<u8> {
    // Writing to memory fails only on a bug (a sheet name, a cell outside the sheet).
    write_xlsx(report).expect("the report workbook is well-formed")
}

fn write_xlsx(report: &SkmReport) -> Result<Vec<u8>, XlsxError> {
    let lang = Lang::Id;
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_background_color("D9E1F2").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let number = Format::new().set_num_format("0.00").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let number_bold = Format::new().set_num_format("0.00").set_bold();
    let centre = Format::new().set_align(FormatAlign::Center).set_border(rust_xlsxwriter::FormatBorder::Thin);

    let mut workbook = Workbook::new();
    let sheet: &mut Worksheet = workbook.add_worksheet();
    sheet.set_name("IKM")?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 46)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_width(3, 16)?;
    sheet.set_column_width(4, 8)?;
    sheet.set_column_width(5, 16)?;
    sheet.write_string_with_format(0, 0, "Indeks Kepuasan Masyarakat", &title)?;
    let heading = &report.heading;
    let mut row = 1;
    for (label, value) in [
        ("Pemerintah", &heading.government),
        ("Perangkat daerah", &heading.agency),
        ("Unit pelayanan", &heading.unit),
        ("Periode", &heading.period),
    ] {
        if !value.trim().is_empty() {
            sheet.write_string(row, 0, label)?;
            sheet.write_string(row, 1, cell_text(value))?;
            row += 1;
        }
    }
    sheet.write_string(row, 0, "Responden")?;
    sheet.write_number(row, 1, report.index.respondents as f64)?;
    row += 1;
    if let (Some(population), Some(minimum)) = (report.population, report.minimum_sample()) {
        sheet.write_string(row, 0, "Populasi")?;
        sheet.write_number(row, 1, population as f64)?;
        row += 1;
        sheet.write_string(row, 0, "Sampel minimum")?;
        sheet.write_number(row, 1, minimum as f64)?;
        row += 1;
    }
    sheet.write_string(row, 0, "Pembobotan")?;
    sheet.write_string(row, 1, weighting_label(report.index.weighting, lang))?;
    row += 2;

    sheet.write_string_with_format(row, 0, "Nilai Rata-rata per Unsur", &bold)?;
    row += 1;
    for (column, text) in ["Kode", "Unsur pelayanan", "NRR", "Nilai konversi", "Mutu", "Kinerja"].iter().enumerate() {
        sheet.write_string_with_format(row, column as u16, *text, &head)?;
    }
    row += 1;
    for line in &report.elements {
        sheet.write_string_with_format(row, 0, line.element.code(), &cell)?;
        sheet.write_string_with_format(row, 1, line.element.name(lang), &cell)?;
        sheet.write_number_with_format(row, 2, two_decimals(line.nrr), &number)?;
        sheet.write_number_with_format(row, 3, two_decimals(line.converted), &number)?;
        sheet.write_string_with_format(row, 4, line.grade.letter(), &centre)?;
        sheet.write_string_with_format(row, 5, line.grade.meaning(lang), &cell)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "IKM", &bold)?;
    sheet.write_number_with_format(row, 1, two_decimals(report.index.ikm), &number_bold)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Mutu Pelayanan", &bold)?;
    sheet.write_string_with_format(row, 1, report.index.grade.letter(), &bold)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Kinerja Unit Pelayanan", &bold)?;
    sheet.write_string_with_format(row, 1, report.index.grade.meaning(lang), &bold)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name("Profil Responden")?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 12)?;
    let mut row = 0;
    for (title, lines) in profile_tables(&report.profile, lang) {
        sheet.write_string_with_format(row, 0, title, &head)?;
        sheet.write_string_with_format(row, 1, "Jumlah", &head)?;
        row += 1;
        for (label, count) in lines {
            sheet.write_string_with_format(row, 0, label, &cell)?;
            sheet.write_number_with_format(row, 1, count as f64, &cell)?;
            row += 1;
        }
        row += 1;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("Saran")?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 100)?;
    sheet.write_string_with_format(0, 0, "No", &head)?;
    sheet.write_string_with_format(0, 1, "Saran dan masukan", &head)?;
    for (i, suggestion) in report.suggestions.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string_with_format(row, 1, cell_text(suggestion), &wrap)?;
    }
    workbook.save_to_buffer()
}

/// The report as an A4 PDF (Indonesian), pages as many as it needs.
pub fn report_pdf(report: &SkmReport) -> Vec<u8> {
    let document = pdf_document(report);
    // The suggestions printed are bounded, so the report always fits its page limit.
    balai_documents::report::render_report(&document).expect("the report fits its page limit")
}

fn pdf_document(report: &SkmReport) -> Report {
    let lang = Lang::Id;
    let index = &report.index;
    // Names longer than any real one are cut, so the letterhead always fits its page.
    let short = |text: &str| text.chars().take(300).collect::<String>();
    let heading = &ReportHeading {
        government: short(&report.heading.government),
        agency: short(&report.heading.agency),
        unit: short(&report.heading.unit),
        period: short(&report.heading.period),
    };
    let mut subtitle = Vec::new();
    if !heading.unit.trim().is_empty() {
        subtitle.push(format!("Unit pelayanan: {}", heading.unit));
    }
    if !heading.period.trim().is_empty() {
        subtitle.push(format!("Periode: {}", heading.period));
    }
    let mut blocks = vec![
        Block::Paragraph(sample_line(report, lang)),
        Block::Paragraph(format!("Pembobotan: {}.", weighting_label(index.weighting, lang))),
        Block::Heading("Nilai Rata-rata per Unsur".into()),
        Block::Table(Table {
            columns: vec![
                Column { title: "Kode".into(), width: 0.8, align: Align::Left },
                Column { title: "Unsur pelayanan".into(), width: 4.4, align: Align::Left },
                Column { title: "NRR".into(), width: 1.0, align: Align::Right },
                Column { title: "Nilai konversi".into(), width: 1.4, align: Align::Right },
                Column { title: "Mutu".into(), width: 0.8, align: Align::Centre },
                Column { title: "Kinerja".into(), width: 1.4, align: Align::Left },
            ],
            rows: report
                .elements
                .iter()
                .map(|line| {
                    vec![
                        line.element.code().to_owned(),
                        line.element.name(lang).to_owned(),
                        line.nrr.display(lang),
                        line.converted.display(lang),
                        line.grade.letter().to_owned(),
                        line.grade.meaning(lang).to_owned(),
                    ]
                })
                .collect(),
            bold_rows: Vec::new(),
        }),
        Block::Note(
            "NRR: nilai rata-rata unsur (1–4). Nilai konversi: NRR × 25. Mutu: A 88,31–100; B 76,61–88,30; \
             C 65,00–76,60; D 25,00–64,99."
                .into(),
        ),
        Block::Heading("Indeks Kepuasan Masyarakat".into()),
        Block::Table(Table {
            columns: vec![
                Column { title: "".into(), width: 3.0, align: Align::Left },
                Column { title: "".into(), width: 2.0, align: Align::Left },
            ],
            rows: vec![
                vec!["IKM (nilai konversi)".into(), index.ikm.display(lang)],
                vec!["Mutu Pelayanan".into(), index.grade.letter().into()],
                vec!["Kinerja Unit Pelayanan".into(), index.grade.meaning(lang).into()],
            ],
            bold_rows: vec![0, 1, 2],
        }),
        Block::Heading("Profil Responden".into()),
    ];
    for (title, lines) in profile_tables(&report.profile, lang) {
        blocks.push(Block::Table(Table {
            columns: vec![
                Column { title: title.into(), width: 3.0, align: Align::Left },
                Column { title: "Jumlah".into(), width: 1.0, align: Align::Right },
            ],
            rows: lines.into_iter().map(|(label, count)| vec![label, count.to_string()]).collect(),
            bold_rows: Vec::new(),
        }));
    }
    blocks.push(Block::Heading("Saran dan Masukan".into()));
    if report.suggestions.is_empty() {
        blocks.push(Block::Paragraph("Tidak ada saran.".into()));
    }
    for (i, suggestion) in report.suggestions.iter().take(PDF_SUGGESTIONS).enumerate() {
        blocks.push(Block::Paragraph(format!("{}. {suggestion}", i + 1)));
    }
    if report.suggestions.len() > PDF_SUGGESTIONS {
        blocks.push(Block::Note(format!(
            "{} saran lainnya tercantum di lembar \"Saran\" berkas XLSX laporan ini.",
            report.suggestions.len() - PDF_SUGGESTIONS
        )));
    }
    let place = [heading.unit.trim(), heading.period.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let footer = if place.is_empty() {
        "Indeks Kepuasan Masyarakat".to_owned()
    } else {
        format!("Indeks Kepuasan Masyarakat · {}", place.join(" · "))
    };
    Report {
        government: heading.government.clone(),
        agency: heading.agency.clone(),
        title: "Indeks Kepuasan Masyarakat".into(),
        subtitle,
        blocks,
        footer,
        page_words: ("Halaman".into(), "dari".into()),
        lang: "id".into(),
    }
}
