//! A day's reconciliation of retribusi, written as CSV and as XLSX for the receiving treasurer's
//! files: the bank statement's lines with their match, Balai's payments the bank does not show, and
//! totals per service and per agency. Takes plain rows: what they are read from is the caller's.

use balai_domain::Lang;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

/// A statement line of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub value_date: String,
    /// `statement/line`, as the treasurer finds it in the file.
    pub source: String,
    pub amount: i64,
    pub bill_number: String,
    pub bank_reference: String,
    pub description: String,
    /// The match, in the sheet's language (`Cocok`, `Tidak cocok: nominal`, …).
    pub status: String,
    pub service: String,
    pub agency: String,
}

/// A payment Balai kept that no statement line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub paid_at: String,
    pub payment_id: i64,
    pub bill_number: String,
    pub amount: i64,
    pub channel: String,
    pub service: String,
    pub agency: String,
}

/// Sums for one service or agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub name: String,
    pub received: i64,
    pub on_statement: i64,
}

/// The whole day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySheet {
    pub lang: Lang,
    pub government: String,
    /// `2026-12-07 (WITA)`.
    pub day: String,
    pub lines: Vec<LineRow>,
    pub not_on_statement: Vec<PaymentRow>,
    pub by_service: Vec<TotalRow>,
    pub by_agency: Vec<TotalRow>,
    pub total: TotalRow,
}

fn line_head(lang: Lang) -> [&'static str; 9] {
    [
        lang.pick("Tanggal valuta", "Value date"),
        lang.pick("Rekening koran/baris", "Statement/line"),
        lang.pick("Nominal (Rp)", "Amount (Rp)"),
        lang.pick("Nomor tagihan", "Bill number"),
        lang.pick("Referensi bank", "Bank reference"),
        lang.pick("Keterangan", "Description"),
        lang.pick("Status", "Status"),
        lang.pick("Layanan", "Service"),
        lang.pick("Perangkat daerah", "Agency"),
    ]
}

fn payment_head(lang: Lang) -> [&'static str; 7] {
    [
        lang.pick("Waktu bayar", "Paid at"),
        lang.pick("ID pembayaran", "Payment id"),
        lang.pick("Nomor tagihan", "Bill number"),
        lang.pick("Nominal (Rp)", "Amount (Rp)"),
        lang.pick("Kanal", "Channel"),
        lang.pick("Layanan", "Service"),
        lang.pick("Perangkat daerah", "Agency"),
    ]
}

fn total_head(lang: Lang, first: &'static str) -> [&'static str; 4] {
    [
        first,
        lang.pick("Diterima di Balai (Rp)", "Received in Balai (Rp)"),
        lang.pick("Di rekening koran (Rp)", "On the statement (Rp)"),
        lang.pick("Selisih (Rp)", "Difference (Rp)"),
    ]
}

/// Control characters become spaces (an XLSX string cell is never a formula).
fn text_cell(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A CSV cell: text a spreadsheet would take for a formula is kept as text.
fn csv_cell(text: &str) -> String {
    let text = text_cell(text);
    let text =
        if text.starts_with(['=', '+', '-', '@']) && text.parse::<i64>().is_err() { format!("'{text}") } else { text };
    if text.contains([',', '"']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn csv_row(out: &mut String, cells: &[String]) {
    out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
}

/// The day as one CSV file (UTF-8, CRLF): four sections, each with its heading row, separated by an
/// empty line. Amounts are whole rupiah digits.
pub fn day_csv(day: &DaySheet) -> String {
    let lang = day.lang;
    let mut out = String::new();
    csv_row(&mut out, &[lang.pick("Rekonsiliasi", "Reconciliation").into(), day.government.clone(), day.day.clone()]);
    out.push_str("\r\n");
    csv_row(&mut out, &line_head(lang).map(String::from));
    for l in &day.lines {
        csv_row(
            &mut out,
            &[
                l.value_date.clone(),
                l.source.clone(),
                l.amount.to_string(),
                l.bill_number.clone(),
                l.bank_reference.clone(),
                l.description.clone(),
                l.status.clone(),
                l.service.clone(),
                l.agency.clone(),
            ],
        );
    }
    out.push_str("\r\n");
    csv_row(&mut out, &payment_head(lang).map(String::from));
    for p in &day.not_on_statement {
        csv_row(
            &mut out,
            &[
                p.paid_at.clone(),
                p.payment_id.to_string(),
                p.bill_number.clone(),
                p.amount.to_string(),
                p.channel.clone(),
                p.service.clone(),
                p.agency.clone(),
            ],
        );
    }
    for (first, totals) in
        [(lang.pick("Layanan", "Service"), &day.by_service), (lang.pick("Perangkat daerah", "Agency"), &day.by_agency)]
    {
        out.push_str("\r\n");
        csv_row(&mut out, &total_head(lang, first).map(String::from));
        for t in totals.iter().chain(std::iter::once(&day.total)) {
            csv_row(
                &mut out,
                &[
                    t.name.clone(),
                    t.received.to_string(),
                    t.on_statement.to_string(),
                    (t.on_statement - t.received).to_string(),
                ],
            );
        }
    }
    out
}

/// The day as an XLSX workbook: sheets for the statement lines, the payments not on a statement,
/// and the totals. Amounts are numbers formatted as rupiah.
pub fn day_xlsx(day: &DaySheet) -> Vec<u8> {
    // Writing to memory fails only on a bug (a sheet name, a cell outside the sheet).
    write_xlsx(day).expect("the reconciliation workbook is well-formed")
}

fn row(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn write_xlsx(day: &DaySheet) -> Result<Vec<u8>, XlsxError> {
    let lang = day.lang;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_background_color("D9E1F2").set_border(FormatBorder::Thin);
    let money = Format::new().set_num_format("\"Rp\"#,##0").set_border(FormatBorder::Thin);
    let money_bold = Format::new().set_num_format("\"Rp\"#,##0").set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(lang.pick("Rekening koran", "Statement"))?;
    sheet.write_string_with_format(
        0,
        0,
        lang.pick("Rekonsiliasi penerimaan retribusi", "Reconciliation of retribusi"),
        &title,
    )?;
    sheet.write_string(1, 0, text_cell(&format!("{} — {}", day.government, day.day)))?;
    for (c, (h, width)) in line_head(lang).iter().zip([14, 14, 14, 18, 18, 44, 26, 30, 18]).enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.set_column_width(c, width)?;
        sheet.write_string_with_format(3, c, *h, &head)?;
    }
    for (i, l) in day.lines.iter().enumerate() {
        let r = row(i + 4);
        sheet.write_string_with_format(r, 0, text_cell(&l.value_date), &cell)?;
        sheet.write_string_with_format(r, 1, text_cell(&l.source), &cell)?;
        sheet.write_number_with_format(r, 2, l.amount as f64, &money)?;
        sheet.write_string_with_format(r, 3, text_cell(&l.bill_number), &cell)?;
        sheet.write_string_with_format(r, 4, text_cell(&l.bank_reference), &cell)?;
        sheet.write_string_with_format(r, 5, text_cell(&l.description), &cell)?;
        sheet.write_string_with_format(r, 6, text_cell(&l.status), &cell)?;
        sheet.write_string_with_format(r, 7, text_cell(&l.service), &cell)?;
        sheet.write_string_with_format(r, 8, text_cell(&l.agency), &cell)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name(lang.pick("Tidak di rekening koran", "Not on statement"))?;
    for (c, (h, width)) in payment_head(lang).iter().zip([20, 14, 18, 14, 12, 30, 18]).enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.set_column_width(c, width)?;
        sheet.write_string_with_format(0, c, *h, &head)?;
    }
    for (i, p) in day.not_on_statement.iter().enumerate() {
        let r = row(i + 1);
        sheet.write_string_with_format(r, 0, text_cell(&p.paid_at), &cell)?;
        sheet.write_number_with_format(r, 1, p.payment_id as f64, &cell)?;
        sheet.write_string_with_format(r, 2, text_cell(&p.bill_number), &cell)?;
        sheet.write_number_with_format(r, 3, p.amount as f64, &money)?;
        sheet.write_string_with_format(r, 4, text_cell(&p.channel), &cell)?;
        sheet.write_string_with_format(r, 5, text_cell(&p.service), &cell)?;
        sheet.write_string_with_format(r, 6, text_cell(&p.agency), &cell)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name(lang.pick("Jumlah", "Totals"))?;
    for (c, width) in [34, 22, 22, 18].into_iter().enumerate() {
        sheet.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), width)?;
    }
    let mut r = 0;
    for (first, totals) in
        [(lang.pick("Layanan", "Service"), &day.by_service), (lang.pick("Perangkat daerah", "Agency"), &day.by_agency)]
    {
        for (c, h) in total_head(lang, first).iter().enumerate() {
            sheet.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), *h, &head)?;
        }
        r += 1;
        for t in totals {
            sheet.write_string_with_format(r, 0, text_cell(&t.name), &cell)?;
            sheet.write_number_with_format(r, 1, t.received as f64, &money)?;
            sheet.write_number_with_format(r, 2, t.on_statement as f64, &money)?;
            sheet.write_number_with_format(r, 3, (t.on_statement - t.received) as f64, &money)?;
            r += 1;
        }
        let t = &day.total;
        sheet.write_string_with_format(r, 0, text_cell(&t.name), &bold)?;
        sheet.write_number_with_format(r, 1, t.received as f64, &money_bold)?;
        sheet.write_number_with_format(r, 2, t.on_statement as f64, &money_bold)?;
        sheet.write_number_with_format(r, 3, (t.on_statement - t.received) as f64, &money_bold)?;
        r += 2;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> DaySheet {
        DaySheet {
            lang: Lang::Id,
            government: "Kota Kupang".into(),
            day: "2026-12-07 (WITA)".into(),
            lines: vec![LineRow {
                value_date: "2026-12-07".into(),
                source: "1/2".into(),
                amount: 50_000,
                bill_number: "53710000000128".into(),
                bank_reference: "BNK-1".into(),
                description: "=HYPERLINK(\"x\"), QRIS".into(),
                status: "Cocok".into(),
                service: "Akta kelahiran".into(),
                agency: "Disdukcapil".into(),
            }],
            not_on_statement: vec![PaymentRow {
                paid_at: "2026-12-07 10:00".into(),
                payment_id: 7,
                bill_number: "53710000000135".into(),
                amount: 25_000,
                channel: "QRIS".into(),
                service: "Akta kelahiran".into(),
                agency: "Disdukcapil".into(),
            }],
            by_service: vec![TotalRow { name: "Akta kelahiran".into(), received: 75_000, on_statement: 50_000 }],
            by_agency: vec![TotalRow { name: "Disdukcapil".into(), received: 75_000, on_statement: 50_000 }],
            total: TotalRow { name: "Jumlah".into(), received: 75_000, on_statement: 50_000 },
        }
    }

    #[test]
    fn the_csv_has_each_section_and_keeps_a_formula_as_text() {
        let csv = day_csv(&day());
        assert!(
            csv.contains("2026-12-07,1/2,50000,53710000000128,BNK-1,\"'=HYPERLINK(\"\"x\"\"), QRIS\",Cocok"),
            "{csv}"
        );
        assert!(csv.contains("2026-12-07 10:00,7,53710000000135,25000,QRIS"), "{csv}");
        assert!(csv.contains("Akta kelahiran,75000,50000,-25000\r\n"), "{csv}");
        assert!(csv.contains("Jumlah,75000,50000,-25000\r\n"), "{csv}");
    }

    #[test]
    fn the_workbook_is_a_zip_with_three_sheets() {
        let bytes = day_xlsx(&day());
        assert!(bytes.starts_with(b"PK"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = archive.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
        assert!(names.iter().any(|n| n == "xl/worksheets/sheet3.xml"), "{names:?}");
        let mut workbook = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("xl/workbook.xml").unwrap(), &mut workbook).unwrap();
        assert!(workbook.contains("Rekening koran") && workbook.contains("Jumlah"), "{workbook}");
    }
}
