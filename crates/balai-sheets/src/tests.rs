use super::*;
use balai_domain::Lang;
use balai_domain::surveys::{AgeBand, Element, Grade, Occupation, Sex, Tally, Weighting};
use balai_domain::validation::Rule;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::io::Cursor;

const HEADER: &str = "U1,U2,U3,U4,U5,U6,U7,U8,U9";

fn csv(text: &str) -> Result<Vec<ImportedRow>, ImportErrors> {
    read_responses(text.as_bytes(), SheetFormat::Csv)
}

fn scores(row: &ImportedRow) -> Vec<u8> {
    Element::ALL.iter().map(|&e| row.response.answers.score(e).value()).collect()
}

fn errors(result: Result<Vec<ImportedRow>, ImportErrors>) -> Vec<ImportError> {
    match result {
        Ok(rows) => panic!("expected errors, got {} rows", rows.len()),
        Err(ImportErrors(errors)) => errors,
    }
}

#[test]
fn headers_are_matched_in_any_letter_case_and_order_and_unknown_columns_are_left_alone() {
    let text = "Nama,SARAN,u9,u8,U7,u6,U5,u4,U3,u2,U1,Jenis_Kelamin,USIA,Pendidikan,pekerjaan,Tanggal\n\
                Siapa Saja,Antrean lebih cepat,1,2,3,4,1,2,3,4,4,P,34,SMA/SMK,swasta,31/03/2026\n";
    let rows = csv(text).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.row, 2);
    assert_eq!(scores(row), vec![4, 4, 3, 2, 1, 4, 3, 2, 1]);
    assert_eq!(row.response.suggestion, "Antrean lebih cepat");
    assert_eq!(row.response.profile.sex, Some(Sex::Female));
    assert_eq!(row.response.profile.age_band, Some(AgeBand::From30To39));
    assert_eq!(row.response.profile.occupation, Some(Occupation::Private));
    assert_eq!(row.date, chrono::NaiveDate::from_ymd_opt(2026, 3, 31));
    // The English names too, and the ISO date.
    let rows =
        csv(&format!("{HEADER},sex,age,education,occupation,suggestion,date\n4,4,4,4,4,4,4,4,4,Male,,,,,2026-01-02\n"))
            .unwrap();
    assert_eq!(rows[0].response.profile.sex, Some(Sex::Male));
    assert_eq!(rows[0].date, chrono::NaiveDate::from_ymd_opt(2026, 1, 2));
}

#[test]
fn semicolon_csv_with_a_byte_order_mark_as_indonesian_excel_saves_it() {
    let text = "\u{feff}U1;U2;U3;U4;U5;U6;U7;U8;U9;Saran\r\n3;3;3;3;3;3;3;3;3;\"Ruang tunggu panas; tambah kipas\"\r\n;;;;;;;;;\r\n4;4;4;4;4;4;4;4;4;\r\n";
    let rows = csv(text).unwrap();
    assert_eq!(rows.len(), 2, "the row of empty cells is skipped");
    assert_eq!(rows[0].response.suggestion, "Ruang tunggu panas; tambah kipas");
    assert_eq!((rows[0].row, rows[1].row), (2, 4), "row numbers as the sheet shows them");
    assert_eq!(scores(&rows[1]), vec![4; 9]);
}

#[test]
fn row_numbers_follow_the_sheet_across_blank_lines_and_line_breaks_inside_a_cell() {
    let text = format!("{HEADER},saran\n\n4,4,4,4,4,4,4,4,4,\"baris satu\nbaris dua\"\n4,4,4,4,4,4,4,4,9,\n");
    let found = errors(csv(&text));
    assert_eq!(found.len(), 1);
    // Row 1 header, row 2 blank, row 3 the two-line cell, row 4 the bad score.
    assert_eq!(found[0].row, Some(4));
    assert_eq!(found[0].column.as_deref(), Some("U9"));
}

#[test]
fn every_bad_row_is_listed_with_its_row_column_and_reason_and_nothing_is_returned() {
    let text = format!(
        "{HEADER},Jenis_Kelamin,Umur\n\
         4,4,4,4,4,4,4,4,4,L,25\n\
         4,4,5,4,4,4,4,4,4,L,25\n\
         4,4,4,4,4,4,4,4,4,L,25\n\
         4,,4,4,4,4,4,4,4,X,25\n\
         4,4,4,4,4,4,4,4,4,P,25\n\
         4,4,4,4,4,4,4,4,tiga,P,7\n"
    );
    let found = errors(csv(&text));
    let listed: Vec<(Option<u32>, Option<&str>)> = found.iter().map(|e| (e.row, e.column.as_deref())).collect();
    assert_eq!(
        listed,
        vec![
            (Some(3), Some("U3")),
            (Some(5), Some("U2")),
            (Some(5), Some("Jenis_Kelamin")),
            (Some(7), Some("U9")),
            (Some(7), Some("Umur")),
        ]
    );
    assert_eq!(found[0].problem, Problem::Rule(Rule::OutOfRange { min: 1, max: 4 }));
    assert_eq!(found[1].problem, Problem::Rule(Rule::Required));
    assert_eq!(found[0].message(Lang::Id), "Baris 3, kolom U3: Harus antara 1 dan 4.");
    assert_eq!(found[0].message(Lang::En), "Row 3, column U3: Must be between 1 and 4.");
    assert_eq!(
        found[2].to_string(),
        "Baris 5, kolom Jenis_Kelamin: Tidak dikenal; pilih dari daftar. / Row 5, column Jenis_Kelamin: Unknown; choose from the list."
    );
}

#[test]
fn a_missing_score_column_is_one_clear_error_naming_it() {
    let found = errors(csv("U1,U2,U3,U4,U5,U6,U8,U9,saran\n4,4,4,4,4,4,4,4,\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].column.as_deref(), Some("U7"));
    assert_eq!(found[0].problem, Problem::MissingColumn);
    assert_eq!(found[0].message(Lang::Id), "Kolom U7: Kolom wajib ini tidak ada di baris judul.");
    let found = errors(csv(&format!("{HEADER},u1\n")));
    assert_eq!(found[0].problem, Problem::DuplicateColumn);
    assert_eq!(errors(csv(""))[0].problem, Problem::Empty);
}

#[test]
fn bounds_are_refused_before_any_row_is_taken() {
    // The file size.
    let big = vec![b' '; MAX_FILE_BYTES + 1];
    assert_eq!(
        errors(read_responses(&big, SheetFormat::Csv))[0].problem,
        Problem::FileTooLarge { max_bytes: MAX_FILE_BYTES }
    );
    // The rows: one more respondent than allowed.
    let mut text = format!("{HEADER}\n");
    text.push_str(&"4,4,4,4,4,4,4,4,4\n".repeat(MAX_ROWS + 1));
    assert_eq!(errors(csv(&text))[0].problem, Problem::TooManyRows { max: MAX_ROWS });
    // Exactly the most is fine.
    let mut text = format!("{HEADER}\n");
    text.push_str(&"4,4,4,4,4,4,4,4,4\n".repeat(MAX_ROWS));
    assert_eq!(csv(&text).unwrap().len(), MAX_ROWS);
    // The columns.
    let wide = format!("{HEADER}{}\n", ",x".repeat(MAX_COLUMNS - 9 + 1));
    assert_eq!(errors(csv(&wide))[0].problem, Problem::TooManyColumns { max: MAX_COLUMNS });
    // A cell's length, reported on its row.
    let long = format!("{HEADER},saran\n4,4,4,4,4,4,4,4,4,{}\n", "a".repeat(MAX_CELL_CHARS + 1));
    let found = errors(csv(&long));
    assert_eq!((found[0].row, found[0].column.as_deref()), (Some(2), Some("saran")));
    assert_eq!(found[0].problem, Problem::Rule(Rule::TooLong { max: MAX_CELL_CHARS }));
    // Text that is not UTF-8.
    assert_eq!(errors(read_responses(b"U1,U2\n\xff\xfe", SheetFormat::Csv))[0].problem, Problem::NotUtf8);
}

#[test]
fn the_format_is_told_by_the_bytes() {
    assert_eq!(SheetFormat::detect(Some("hasil.csv"), b"PK\x03\x04rest"), SheetFormat::Xlsx);
    assert_eq!(SheetFormat::detect(None, b"U1;U2"), SheetFormat::Csv);
    assert_eq!(SheetFormat::detect(Some("lama.xls"), b"\xd0\xcf\x11\xe0"), SheetFormat::Xlsx);
    assert_eq!(errors(read_responses(b"\xd0\xcf\x11\xe0....", SheetFormat::Xlsx))[0].problem, Problem::OldExcel);
    assert!(matches!(
        errors(read_responses(b"PK\x03\x04 not a zip", SheetFormat::Xlsx))[0].problem,
        Problem::Unreadable(_)
    ));
}

/// A workbook as an agency keeps it: a title-case header, numbers, a formula, a date cell.
fn survey_workbook(bad: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = ["No", "Tanggal", "u1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "Jenis Kelamin", "Saran"];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for row in 1..=3u32 {
        sheet.write_number(row, 0, row).unwrap();
        let date = ExcelDateTime::from_ymd(2026, 2, row as u8).unwrap();
        sheet.write_datetime_with_format(row, 1, &date, &date_format).unwrap();
        for column in 2..=10u16 {
            sheet.write_number(row, column, 3).unwrap();
        }
        sheet.write_string(row, 11, "Perempuan").unwrap();
    }
    // U9 of the second respondent is a formula whose cached value is 4.
    sheet.write_formula(2, 10, Formula::new("=2+2").set_result("4")).unwrap();
    sheet.write_string(3, 12, "Petugas ramah").unwrap();
    // A blank row, then a respondent on row 6.
    for column in 2..=10u16 {
        sheet.write_number(5, column, 2).unwrap();
    }
    if bad {
        sheet.write_number(5, 4, 7).unwrap();
        sheet.write_string(2, 11, "?").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_written_by_a_spreadsheet_program_is_read_back_with_dates_formulas_and_sheet_rows() {
    let bytes = survey_workbook(false);
    assert_eq!(SheetFormat::detect(Some("skm.xlsx"), &bytes), SheetFormat::Xlsx);
    let rows = read_responses(&bytes, SheetFormat::Xlsx).unwrap();
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 3, 4, 6]);
    assert_eq!(scores(&rows[0]), vec![3; 9]);
    assert_eq!(scores(&rows[1]), vec![3, 3, 3, 3, 3, 3, 3, 3, 4], "the formula's cached value");
    assert_eq!(scores(&rows[3]), vec![2; 9]);
    assert_eq!(rows[0].date, chrono::NaiveDate::from_ymd_opt(2026, 2, 1));
    assert_eq!(rows[3].date, None);
    assert_eq!(rows[0].response.profile.sex, Some(Sex::Female));
    assert_eq!(rows[2].response.suggestion, "Petugas ramah");

    let found = errors(read_responses(&survey_workbook(true), SheetFormat::Xlsx));
    let listed: Vec<(Option<u32>, Option<&str>)> = found.iter().map(|e| (e.row, e.column.as_deref())).collect();
    assert_eq!(listed, vec![(Some(3), Some("Jenis Kelamin")), (Some(6), Some("U3"))]);
}

/// 1,000 respondents whose scores add up to 27,578: IKM 76.606 → 76.61, grade B.
fn tally_76_61() -> Tally {
    Tally { respondents: 1_000, sums: [3_578, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000] }
}

fn sample_report() -> SkmReport {
    let mut profile = ProfileCounts::default();
    profile.add(&balai_domain::surveys::Profile { sex: Some(Sex::Female), ..Default::default() });
    SkmReport::new(
        ReportHeading {
            government: "Pemerintah Kota Kupang".into(),
            agency: "Dinas Kependudukan dan Pencatatan Sipil".into(),
            unit: "Bidang Pelayanan Pendaftaran Penduduk".into(),
            period: "Triwulan I 2026".into(),
        },
        &tally_76_61(),
        Weighting::Standard,
        Some(1_000),
        profile,
        vec!["Antrean lebih tertib".into(), "   ".into(), "Tambah kursi ruang tunggu".into()],
    )
    .unwrap()
}

#[test]
fn the_report_holds_the_domain_index_per_element_grades_and_only_real_suggestions() {
    let report = sample_report();
    assert_eq!(report.index.ikm.fixed2(), "76.61");
    assert_eq!(report.index.grade, Grade::B);
    assert_eq!(report.elements[0].nrr.fixed2(), "3.58");
    assert_eq!(report.elements[0].converted.fixed2(), "89.45");
    assert_eq!(report.elements[0].grade, Grade::A);
    assert_eq!(report.elements[1].converted.fixed2(), "75.00");
    assert_eq!(report.elements[1].grade, Grade::C);
    assert_eq!(report.minimum_sample(), Some(278));
    assert_eq!(report.suggestions, vec!["Antrean lebih tertib", "Tambah kursi ruang tunggu"]);
    assert_eq!(report.profile.sex.counts, vec![(Sex::Male, 0), (Sex::Female, 1)]);
    assert_eq!(report.profile.age.unstated, 1);
    assert!(
        SkmReport::new(
            ReportHeading::default(),
            &Tally::default(),
            Weighting::Standard,
            None,
            ProfileCounts::default(),
            vec![]
        )
        .is_none()
    );
}

#[test]
fn the_report_workbook_reads_back_with_the_ikm_cell_and_its_grade() {
    let bytes = report_xlsx(&sample_report());
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), vec!["IKM", "Profil Responden", "Saran"]);
    let range = workbook.worksheet_range("IKM").unwrap();
    let label = |text: &str| {
        range
            .rows()
            .find(|row| row.first() == Some(&Data::String(text.into())))
            .unwrap_or_else(|| panic!("{text} row"))
            .to_vec()
    };
    assert_eq!(label("IKM")[1], Data::Float(76.61));
    assert_eq!(label("Mutu Pelayanan")[1], Data::String("B".into()));
    assert_eq!(label("Kinerja Unit Pelayanan")[1], Data::String("Baik".into()));
    let u1 = label("U1");
    assert_eq!(u1[1], Data::String("Persyaratan".into()));
    assert_eq!(u1[2], Data::Float(3.58));
    assert_eq!(u1[4], Data::String("A".into()));
    assert!(range.rows().any(|row| row.first() == Some(&Data::String("Nilai Rata-rata per Unsur".into()))));
    let suggestions = workbook.worksheet_range("Saran").unwrap();
    assert_eq!(suggestions.get_value((2, 1)), Some(&Data::String("Tambah kursi ruang tunggu".into())));
}

fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_report_pdf_says_the_index_and_grade_in_the_published_layout() {
    let pdf = report_pdf(&sample_report());
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, report_pdf(&sample_report()), "the same report gives the same bytes");
    if let Ok(path) = std::env::var("SKM_REPORT_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    let text = pdf_text(&pdf);
    for expected in [
        "INDEKS KEPUASAN MASYARAKAT",
        "PEMERINTAH KOTA KUPANG",
        "Nilai Rata-rata per Unsur",
        "Persyaratan",
        "3,58",
        "89,45",
        "76,61",
        "Mutu Pelayanan",
        "Kinerja Unit Pelayanan",
        "Baik",
        "Profil Responden",
        "Perempuan",
        "Tambah kursi ruang tunggu",
        "Halaman 1 dari 2",
        "sampel minimum",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let ikm_line = text.lines().find(|l| l.contains("IKM (nilai konversi)")).unwrap();
    assert!(ikm_line.contains("76,61"), "{ikm_line}");
    let grade_line = text.lines().find(|l| l.contains("Mutu Pelayanan")).unwrap();
    assert!(grade_line.trim_end().ends_with('B'), "{grade_line}");
}

#[test]
fn a_long_report_runs_over_pages_and_bounds_the_suggestions_it_prints() {
    let mut report = sample_report();
    report.suggestions =
        (1..=PDF_SUGGESTIONS + 5).map(|i| format!("Saran nomor {i}: {}", "pelayanan baik ".repeat(40))).collect();
    let text = pdf_text(&report_pdf(&report));
    assert!(text.contains("Halaman 2 dari"), "more than one page");
    assert!(text.contains(&format!("Saran nomor {PDF_SUGGESTIONS}:")));
    assert!(!text.contains(&format!("Saran nomor {}:", PDF_SUGGESTIONS + 1)));
    assert!(text.contains("5 saran lainnya"));
}

#[test]
fn the_legacy_weight_is_named_in_the_report() {
    let mut tally = Tally::default();
    let answers = balai_domain::surveys::Answers::new([balai_domain::surveys::Score::new(3).unwrap(); 9]);
    tally.add(&answers);
    let report =
        SkmReport::new(ReportHeading::default(), &tally, Weighting::Legacy011, None, ProfileCounts::default(), vec![])
            .unwrap();
    let text = pdf_text(&report_pdf(&report));
    assert!(text.contains("0,11"), "{text}");
    assert!(text.contains("Tidak ada saran."));
}

#[test]
fn an_xlsx_with_a_cell_past_the_column_bound_is_refused() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in HEADER.split(',').enumerate() {
        sheet.write_string(0, column as u16, header).unwrap();
        sheet.write_number(1, column as u16, 4).unwrap();
    }
    assert_eq!(read_responses(&workbook.save_to_buffer().unwrap(), SheetFormat::Xlsx).unwrap().len(), 1);
    let sheet = workbook.worksheet_from_index(0).unwrap();
    sheet.write_string(7, MAX_COLUMNS as u16, "stray").unwrap();
    let found = errors(read_responses(&workbook.save_to_buffer().unwrap(), SheetFormat::Xlsx));
    assert_eq!(found[0].problem, Problem::TooManyColumns { max: MAX_COLUMNS });
    assert_eq!(found[0].message(Lang::En), "Too many columns; at most 64.");
}
