//! `balai skm report` as an operator meets it: known answers on real CSV and XLSX files, the grade
//! edges, the 0.11 mode named, the report files, and a file with bad rows refused row by row.

use calamine::{Data, Reader, Xlsx};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn balai() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balai"));
    for (key, _) in std::env::vars() {
        if key.starts_with("BALAI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn report(file: &Path, extra: &[&str]) -> Output {
    balai().args(["skm", "report", "--input"]).arg(file).args(extra).stdin(Stdio::null()).output().expect("balai runs")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// `respondents` rows whose 9 × respondents scores add up to `total`, spread as evenly as scores
/// allow (the first cells one higher).
fn rows(respondents: usize, total: usize) -> Vec<[u8; 9]> {
    let cells = respondents * 9;
    let (base, extra) = (total / cells, total % cells);
    (0..respondents).map(|r| std::array::from_fn(|e| (base + usize::from(r * 9 + e < extra)) as u8)).collect()
}

fn write_csv(dir: &Path, name: &str, delimiter: char, rows: &[[u8; 9]]) -> PathBuf {
    let d = delimiter.to_string();
    let mut text = format!("\u{feff}{}\r\n", ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"].join(&d));
    for row in rows {
        text.push_str(&row.iter().map(u8::to_string).collect::<Vec<_>>().join(&d));
        text.push_str("\r\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn write_xlsx(dir: &Path, name: &str, rows: &[[u8; 9]]) -> PathBuf {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "No").unwrap();
    for e in 0..9u16 {
        sheet.write_string(0, e + 1, format!("u{}", e + 1)).unwrap();
    }
    sheet.write_string(0, 10, "Saran").unwrap();
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_number(r, 0, r).unwrap();
        for (e, score) in row.iter().enumerate() {
            sheet.write_number(r, e as u16 + 1, *score).unwrap();
        }
    }
    sheet.write_string(1, 10, "Loket dibuka lebih pagi").unwrap();
    let path = dir.join(name);
    workbook.save(&path).unwrap();
    path
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap()
}

#[test]
fn the_grade_edges_on_a_thousand_respondents_are_decided_on_the_value_rounded_to_two_decimals() {
    let dir = tempfile::tempdir().unwrap();
    for (total, ikm, grade) in [
        (23_398, 64.99, "D"),
        (23_399, 65.00, "C"),
        (27_577, 76.60, "C"),
        (27_578, 76.61, "B"),
        (31_789, 88.30, "B"),
        (31_790, 88.31, "A"),
    ] {
        let rows = rows(1_000, total);
        assert_eq!(rows.iter().flatten().map(|&s| usize::from(s)).sum::<usize>(), total);
        let file = write_csv(dir.path(), &format!("skm-{total}.csv"), ';', &rows);
        let found = json(&report(&file, &["--json"]));
        assert_eq!(found["respondents"], 1_000);
        assert_eq!(found["ikm"].as_f64(), Some(ikm), "total {total}");
        assert_eq!(found["grade"], grade, "total {total}");
        // Each NRR is the element's exact mean.
        for e in 0..9 {
            let sum: usize = rows.iter().map(|row| usize::from(row[e])).sum();
            assert_eq!(found["elements"][format!("U{}", e + 1)].as_f64(), Some(sum as f64 / 1_000.0));
        }
        let keys: Vec<&String> = found.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "respondents, elements, ikm, grade: {keys:?}");
        assert_eq!(found["elements"].as_object().unwrap().len(), 9);
    }

    // The same answers from an XLSX file and a comma CSV give the same result.
    let rows = rows(1_000, 27_578);
    let xlsx = write_xlsx(dir.path(), "skm.xlsx", &rows);
    let from_xlsx = json(&report(&xlsx, &["--json"]));
    assert_eq!(from_xlsx["ikm"].as_f64(), Some(76.61));
    assert_eq!(from_xlsx["grade"], "B");
    let comma = write_csv(dir.path(), "skm-comma.csv", ',', &rows);
    assert_eq!(json(&report(&comma, &["--json"])), from_xlsx);
}

#[test]
fn the_table_names_the_weighting_and_the_legacy_mode_is_asked_for_and_said() {
    let dir = tempfile::tempdir().unwrap();
    // 5 respondents, 117 points: 25 × 117 / 45 = 65.00 (C); 0.11 × 25 × 117 / 5 = 64.35 (D).
    let file = write_csv(dir.path(), "kecil.csv", ',', &rows(5, 117));
    let standard = json(&report(&file, &["--json"]));
    assert_eq!((standard["ikm"].as_f64(), standard["grade"].as_str()), (Some(65.0), Some("C")));
    let legacy = json(&report(&file, &["--json", "--legacy-weight"]));
    assert_eq!((legacy["ikm"].as_f64(), legacy["grade"].as_str()), (Some(64.35), Some("D")));

    let table = stdout(&report(&file, &[]));
    assert!(table.contains("IKM: 65.00"), "{table}");
    assert!(table.contains("C (Kurang baik / Poor)"), "{table}");
    assert!(table.contains("each element weighs 1/9"), "{table}");
    assert!(!table.contains("--legacy-weight"), "{table}");
    let u1 = table.lines().find(|l| l.starts_with("U1")).unwrap();
    assert!(u1.contains("Persyaratan") && u1.contains("2.60") && u1.contains("65.00"), "{u1}");

    let table = stdout(&report(&file, &["--legacy-weight"]));
    assert!(table.contains("IKM: 64.35"), "{table}");
    assert!(table.contains("D (Tidak baik / Bad)"), "{table}");
    assert!(table.contains("Legacy weight 0.11"), "{table}");
    assert!(table.contains("--legacy-weight is on"), "{table}");
}

#[test]
fn the_report_files_carry_the_index_and_an_earlier_report_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_xlsx(dir.path(), "skm.xlsx", &rows(1_000, 31_790));
    let (xlsx, pdf) = (dir.path().join("ikm.xlsx"), dir.path().join("ikm.pdf"));
    let out = report(
        &file,
        &[
            "--xlsx",
            xlsx.to_str().unwrap(),
            "--pdf",
            pdf.to_str().unwrap(),
            "--government",
            "Pemerintah Kota Kupang",
            "--agency",
            "Dinas Kependudukan dan Pencatatan Sipil",
            "--period",
            "2026-Q1",
            "--population",
            "5000",
        ],
    );
    assert!(stdout(&out).contains("IKM: 88.31"));

    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = workbook.worksheet_range("IKM").unwrap();
    let ikm = range.rows().find(|row| row.first() == Some(&Data::String("IKM".into()))).unwrap();
    assert_eq!(ikm[1], Data::Float(88.31));
    let grade = range.rows().find(|row| row.first() == Some(&Data::String("Mutu Pelayanan".into()))).unwrap();
    assert_eq!(grade[1], Data::String("A".into()));
    let suggestions = workbook.worksheet_range("Saran").unwrap();
    assert_eq!(suggestions.get_value((1, 1)), Some(&Data::String("Loket dibuka lebih pagi".into())));

    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in ["88,31", "Mutu Pelayanan", "Sangat baik", "Triwulan I 2026", "PEMERINTAH KOTA KUPANG", "357"] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF:\n{text}");
    }

    // Run again: the files are there, so it stops and says so, leaving them as they were.
    let again = report(&file, &["--pdf", pdf.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("ikm.pdf"));
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);
}

#[test]
fn a_file_with_bad_rows_lists_every_one_on_stderr_prints_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rusak.csv");
    std::fs::write(
        &file,
        "U1;U2;U3;U4;U5;U6;U7;U8;U9;Jenis_Kelamin\n\
         4;4;4;4;4;4;4;4;4;L\n\
         4;4;0;4;4;4;4;4;4;L\n\
         4;4;4;4;4;4;4;4;4;P\n\
         4;;4;4;4;4;4;4;4;P\n\
         4;4;4;4;4;4;4;4;empat;Banci\n",
    )
    .unwrap();
    let out = report(&file, &["--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "Baris 3, kolom U3: Harus antara 1 dan 4. / Row 3, column U3: Must be between 1 and 4.",
        "Baris 5, kolom U2: Wajib diisi. / Row 5, column U2: Required.",
        "Baris 6, kolom U9: Harus antara 1 dan 4.",
        "Baris 6, kolom Jenis_Kelamin: Tidak dikenal; pilih dari daftar.",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing from:\n{stderr}");
    }
    assert!(stderr.contains("4 problem(s); nothing was read"), "{stderr}");

    // A missing column is named; an empty file and a missing file are clear too.
    std::fs::write(&file, "U1,U2,U3,U4,U5,U6,U7,U8\n4,4,4,4,4,4,4,4\n").unwrap();
    let out = report(&file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Column U9: This required column is missing"));
    std::fs::write(&file, "U1,U2,U3,U4,U5,U6,U7,U8,U9\n").unwrap();
    let out = report(&file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no respondents"));
    let out = report(&dir.path().join("tidak-ada.csv"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tidak-ada.csv"));
}
