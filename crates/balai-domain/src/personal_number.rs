//! Does a text carry a personal number? Text that goes into the public audit log (an officer's
//! purpose for reading a record) must not hold a NIK (16 digits), KK (16) or phone number (10–13),
//! however it is written: `5371014107900001`, `0812-3456-7890`, `1234/5678/9012/3456`, or in
//! full-width or other lookalike digits.
//!
//! The text is first brought to Unicode NFKC, which turns full-width (`５`), superscript, circled and
//! mathematical digits into `0`–`9`. Then the digits of each run are counted, where a run goes on
//! across anything that is not a letter — spaces, `/`, `-`, `.`, punctuation, invisible characters —
//! so separators cannot split a number into harmless pieces. A run of [`LONG_NUMBER_DIGITS`] or more
//! digits is a personal number, unless the whole run is one calendar date (`12/03/2026`,
//! `2026-03-12`): officers write dates, and a date alone identifies no one. A digit of another script
//! that NFKC does not fold to `0`–`9` (Arabic-Indic `٣`, Thai `๓` …) is refused outright: nobody needs
//! one in a purpose, and it could only hide a number from this count.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// This many digits in one run could be a NIK, KK or phone number; a case reference (`PMH-000012`)
/// has fewer.
pub const LONG_NUMBER_DIGITS: usize = 7;

/// Whether `text` carries a long number (or digits of another script), by the rules above.
pub fn carries_personal_number(text: &str) -> bool {
    let chars: Vec<char> = text.nfkc().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_numeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut last_digit = i;
        let mut digits = 0;
        while i < chars.len() && !chars[i].is_alphabetic() {
            let c = chars[i];
            if c.is_numeric() {
                if !c.is_ascii_digit() {
                    return true;
                }
                digits += 1;
                last_digit = i;
            }
            i += 1;
        }
        if digits >= LONG_NUMBER_DIGITS && !is_one_date(&chars[start..=last_digit]) {
            return true;
        }
    }
    false
}

/// What stands in a public text where a personal number or an e-mail address was.
pub const REDACTED_NUMBER: &str = "[nomor disamarkan]";
pub const REDACTED_EMAIL: &str = "[email disamarkan]";

/// `text` with every long number (the runs [`carries_personal_number`] finds: NIK, KK, phone numbers
/// however written) and every e-mail address replaced, for public views of what a citizen wrote. The
/// text comes back in NFKC, so lookalike digits are caught too. An amount written after `Rp` is kept:
/// complaints about fees quote them, and an amount identifies no one. Digits of other scripts go.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.nfkc().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = email_at(&chars, i) {
            out.push_str(REDACTED_EMAIL);
            i = end;
            continue;
        }
        if !chars[i].is_numeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        let mut last_digit = i;
        let mut digits = 0;
        let mut foreign = false;
        while i < chars.len() && !chars[i].is_alphabetic() && email_at(&chars, i).is_none() {
            let c = chars[i];
            if c.is_numeric() {
                foreign |= !c.is_ascii_digit();
                digits += 1;
                last_digit = i;
            }
            i += 1;
        }
        let run = &chars[start..=last_digit];
        let personal = foreign
            || (digits >= LONG_NUMBER_DIGITS && !is_one_date(run) && !(is_amount(&chars[..start]) && is_grouped(run)));
        if personal {
            out.push_str(REDACTED_NUMBER);
        } else {
            out.extend(run);
        }
        // What followed the last digit (spaces, punctuation) is kept as written.
        out.extend(&chars[last_digit + 1..i]);
    }
    out
}

/// `Rp`, `Rp.` or `Rp ` right before a number.
fn is_amount(before: &[char]) -> bool {
    let text: String = before.iter().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let trimmed = text.trim_end_matches([' ', '.']);
    trimmed.to_ascii_lowercase().ends_with("rp")
}

/// `1.250.000` or `1250000`: one number, not several glued by spaces or dashes.
fn is_grouped(run: &[char]) -> bool {
    run.iter().all(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
}

/// If an e-mail address starts at `i` (a local part, `@`, and a domain with a dot), where it ends.
fn email_at(chars: &[char], i: usize) -> Option<usize> {
    let local = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    if !local(chars[i]) || (i > 0 && local(chars[i - 1])) {
        return None;
    }
    let mut at = i;
    while at < chars.len() && local(chars[at]) {
        at += 1;
    }
    if at == i || at >= chars.len() || chars[at] != '@' {
        return None;
    }
    let mut end = at + 1;
    while end < chars.len() && (chars[end].is_alphanumeric() || matches!(chars[end], '.' | '-')) {
        end += 1;
    }
    // A trailing full stop ends the sentence, not the domain.
    while end > at + 1 && chars[end - 1] == '.' {
        end -= 1;
    }
    let domain: String = chars[at + 1..end].iter().collect();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() >= 2 && labels.iter().all(|label| !label.is_empty()) { Some(end) } else { None }
}

/// `d/m/yyyy` or `yyyy-mm-dd` (separator `/`, `-` or `.`, the same twice), a real calendar day.
fn is_one_date(run: &[char]) -> bool {
    let text: String = run.iter().collect();
    let Some(separator) = text.chars().find(|c| !c.is_ascii_digit()) else { return false };
    if !matches!(separator, '/' | '-' | '.') {
        return false;
    }
    let parts: Vec<&str> = text.split(separator).collect();
    let [a, b, c] = parts.as_slice() else { return false };
    if ![a, b, c].iter().all(|p| !p.is_empty() && p.chars().all(|d| d.is_ascii_digit())) {
        return false;
    }
    let (year, month, day) = match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => (a, b, c),
        (1..=2, 1..=2, 4) => (c, b, a),
        _ => return false,
    };
    match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_found_however_they_are_separated() {
        for leaking in [
            "Cocokkan NIK 5371014107900001",
            "Telepon warga di 0812-3456-7890 untuk konfirmasi",
            "Telepon warga di 0812 3456 7890 untuk konfirmasi",
            "uji 1234/5678/9012/3456",
            "uji 1234.5678.9012.3456",
            "uji 1234_5678 , 9012",
            "uji (0380) 821-234",
            "uji 123\u{200B}4567",
            "uji 1 2 3 4 5 6 7",
            "nomor 1234567",
        ] {
            assert!(carries_personal_number(leaking), "{leaking}");
        }
    }

    #[test]
    fn lookalike_digits_count_as_digits() {
        for leaking in [
            "uji ５３７１０１４１０７９０００１",
            "uji ５３７１-０１４１-０７９０",
            "uji 𝟓𝟑𝟕𝟏𝟎𝟏𝟒",
            "uji ⁵³⁷¹⁰¹⁴",
            "uji ①②③④⑤⑥⑦",
            "uji 537 ١",
            "uji ๓",
            "uji ٣٤",
        ] {
            assert!(carries_personal_number(leaking), "{leaking}");
        }
    }

    #[test]
    fn short_numbers_references_and_dates_are_not_personal() {
        for fine in [
            "Verifikasi berkas permohonan PMH-000012",
            "Pemeriksaan lapangan tanggal 12/03/2026",
            "Pemeriksaan lapangan tanggal 2026-03-12.",
            "Pemeriksaan tanggal 1.3.2026 pukul 10.30",
            "Berkas PMH-000012 dan PMH-000013 dicocokkan",
            "Luas tanah 200 m² diperiksa",
            "Jalan 123456 meter",
            "",
            "tanpa angka",
        ] {
            assert!(!carries_personal_number(fine), "{fine}");
        }
    }

    #[test]
    fn a_long_run_passes_only_when_it_is_exactly_one_real_date() {
        for not_one_date in [
            "uji 31/02/2026",
            "uji 29-02-2023",
            "uji 12/03/2026/1",
            "uji 12/03-2026",
            "uji 12/03/20261",
            "uji 123/03/2026",
            "uji 12/033/2026",
            "uji 2026-03-123",
            "uji 12/03/2026 14/03/2026",
            "uji 12/03/2026 1",
            "uji 12:03:2026",
            "uji 1203 2026",
            "uji 1203/2026",
            "uji 12/+3/2026",
        ] {
            assert!(carries_personal_number(not_one_date), "{not_one_date}");
        }
        for date in ["12/03/2026", "2026-03-12", "2026.03.01", "29-02-2024", "tanggal 12.03.2026."] {
            assert!(!carries_personal_number(date), "{date}");
        }
    }
}
