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
        while i < chars.len() && (chars[i].is_numeric() || !chars[i].is_alphabetic()) {
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
/// text comes back in NFKC, so lookalike digits are caught too. An amount written after `Rp` is kept
/// (`Rp1.250.000`, `Rp 500000`: one amount, not one that starts with `0` or has a NIK's length):
/// complaints about fees quote them, and an amount identifies no one. So is one calendar date, as in
/// [`carries_personal_number`]. Digits of other scripts go.
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
        while i < chars.len() && (chars[i].is_numeric() || !chars[i].is_alphabetic()) && email_at(&chars, i).is_none() {
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
            || (digits >= LONG_NUMBER_DIGITS && !is_one_date(run) && !(is_amount(&chars[..start]) && is_rupiah(run)));
        if personal {
            // `+62 812…`: the country code's plus goes with the number.
            if out.ends_with('+') {
                out.pop();
            }
            out.push_str(REDACTED_NUMBER);
        } else {
            out.extend(run);
        }
        // What followed the last digit (spaces, punctuation) is kept as written.
        out.extend(&chars[last_digit + 1..i]);
    }
    out
}

/// `Rp`, `Rp.` or `Rp ` right before a number, `Rp` a word of its own (not the end of `Sharp`).
fn is_amount(before: &[char]) -> bool {
    let mut end = before.len();
    while end > 0 && before.len() - end < 3 && matches!(before[end - 1], ' ' | '.') {
        end -= 1;
    }
    end >= 2
        && before[end - 2].eq_ignore_ascii_case(&'r')
        && before[end - 1].eq_ignore_ascii_case(&'p')
        && (end == 2 || !before[end - 3].is_alphanumeric())
}

/// The most digits before the decimals an amount in rupiah may have (999 trillion): a NIK or KK has
/// 16, so one written after `Rp` is still a personal number.
const MAX_AMOUNT_DIGITS: usize = 15;

/// The most digits of an amount written without thousands separators: a phone number has 10 or more.
const MAX_PLAIN_AMOUNT_DIGITS: usize = 9;

/// One amount in rupiah: `1.250.000` or `1,250,000` (thousands grouped by threes), or `1250000` (at
/// most [`MAX_PLAIN_AMOUNT_DIGITS`] digits); no leading zero, optional decimals (`,00` / `.00`). Not
/// several numbers glued by spaces or dashes, and not a phone number (`0812…`).
fn is_rupiah(run: &[char]) -> bool {
    let text: String = run.iter().collect();
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if text.starts_with('0') {
        return false;
    }
    [('.', ','), (',', '.')].into_iter().any(|(group, decimal)| {
        let (whole, decimals) = match text.split_once(decimal) {
            Some((whole, decimals)) => (whole, Some(decimals)),
            None => (text.as_str(), None),
        };
        if !decimals.is_none_or(|d| d.len() <= 2 && digits_only(d)) {
            return false;
        }
        let groups: Vec<&str> = whole.split(group).collect();
        match groups.as_slice() {
            [plain] => digits_only(plain) && plain.len() <= MAX_PLAIN_AMOUNT_DIGITS,
            [first, rest @ ..] => {
                (1..=3).contains(&first.len())
                    && digits_only(first)
                    && rest.iter().all(|g| g.len() == 3 && digits_only(g))
                    && whole.len() - rest.len() <= MAX_AMOUNT_DIGITS
            }
            [] => false,
        }
    })
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

    #[test]
    fn a_digit_that_is_also_a_letter_is_a_foreign_digit_and_does_not_stall_the_count() {
        // `〇` (ideographic zero), Hangzhou and runic numerals are both numeric and alphabetic.
        for text in ["uji 〇", "〇〇〇", "uji 〡〢 selesai", "ᛮ"] {
            assert!(carries_personal_number(text), "{text}");
            assert!(!redact(text).contains(['〇', '〡', '〢', 'ᛮ']), "{text}");
        }
        assert_eq!(redact("nomor 〇 saja"), format!("nomor {REDACTED_NUMBER} saja"));
    }

    #[test]
    fn a_nik_or_phone_number_in_a_public_text_is_replaced_and_the_words_stay() {
        for (written, shown) in [
            ("NIK saya 5371014107900001 mohon dirahasiakan", "NIK saya [nomor disamarkan] mohon dirahasiakan"),
            ("NIK 5371 0141 0790 0001.", "NIK [nomor disamarkan]."),
            ("NIK 5371.0141.0790.0001, terima kasih", "NIK [nomor disamarkan], terima kasih"),
            ("hubungi 0812-3456-7890 sore", "hubungi [nomor disamarkan] sore"),
            ("hubungi +62 812 3456 7890 sore", "hubungi [nomor disamarkan] sore"),
            ("hubungi (0380) 821-234", "hubungi ([nomor disamarkan]"),
            ("KK:5371010101010001;HP:081234567890", "KK:[nomor disamarkan];HP:[nomor disamarkan]"),
            ("uji ５３７１０１４１０７９０００１ uji", "uji [nomor disamarkan] uji"),
            ("uji ٣٤ uji", "uji [nomor disamarkan] uji"),
        ] {
            assert_eq!(redact(written), shown, "{written}");
        }
    }

    #[test]
    fn an_email_address_is_replaced_and_the_sentence_ends_as_written() {
        for (written, shown) in [
            ("kirim ke budi.santoso@gmail.com ya", "kirim ke [email disamarkan] ya"),
            ("surel: Admin_Desa+aduan@kupang.go.id.", "surel: [email disamarkan]."),
            ("(ani-99@mail.co.id)", "([email disamarkan])"),
            ("0812345@mail.com", "[email disamarkan]"),
            ("NIK 5371014107900001 5371@mail.com", "NIK [nomor disamarkan] [email disamarkan]"),
        ] {
            assert_eq!(redact(written), shown, "{written}");
        }
        // Not an address: no domain with a dot.
        for kept in ["saya @budi", "budi@localhost", "a@b..c", "harga @ 5 ribu"] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn amounts_in_rupiah_dates_and_short_numbers_are_kept() {
        for kept in [
            "pungutan Rp1.250.000 tanpa kuitansi",
            "biaya Rp 500.000,- per berkas",
            "biaya Rp. 750.000 dan rp 1.250.000,00",
            "dana Rp 1,250,000.50 hilang",
            "diminta Rp 1250000 tunai",
            "anggaran Rp 1.250.000.000.000 tahun ini",
            "tanggal 12/03/2026 jam 10.30",
            "tanggal 2026-03-12.",
            "RT 003 RW 005 PMH-000012",
            "",
        ] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn a_personal_number_after_rp_is_not_an_amount() {
        for (written, shown) in [
            ("Rp 5371014107900001", "Rp [nomor disamarkan]"),
            ("Rp 0812 3456 7890", "Rp [nomor disamarkan]"),
            ("Rp 081234567", "Rp [nomor disamarkan]"),
            ("Rp 1234567890", "Rp [nomor disamarkan]"),
            ("Rp 5.371.014.107.900.001", "Rp [nomor disamarkan]"),
            ("Rp 1.250.000 0812345678", "Rp [nomor disamarkan]"),
            ("Rp 12.50.000", "Rp [nomor disamarkan]"),
            ("Rp 1.250.000,123", "Rp [nomor disamarkan]"),
            ("Rp 1250.000", "Rp [nomor disamarkan]"),
            ("Rp 12.3-4.567", "Rp [nomor disamarkan]"),
            ("Rp 1-2.345.678", "Rp [nomor disamarkan]"),
            ("Sharp 1234567", "Sharp [nomor disamarkan]"),
            ("Rp x 1234567", "Rp x [nomor disamarkan]"),
            ("Rp    1234567", "Rp    [nomor disamarkan]"),
        ] {
            assert_eq!(redact(written), shown, "{written}");
        }
    }

    #[test]
    fn two_dates_glued_together_are_no_longer_one_date() {
        assert_eq!(redact("12/03/2026 14/03/2026"), REDACTED_NUMBER);
        assert_eq!(redact("31/02/2026"), REDACTED_NUMBER);
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        const WORDS: &[&str] = &[
            "saya",
            "mohon",
            "jalan",
            "rusak",
            "di",
            "depan",
            "kantor",
            "desa",
            "lampu",
            "mati",
            "sejak",
            "minggu",
            "lalu",
            "petugas",
            "meminta",
            "uang",
            "tolong",
            "segera",
            "diperbaiki",
            "nomor",
            "warga",
            "hubungi",
            "terima",
            "kasih",
            "Kelurahan",
            "Oebobo",
            "NIK",
            "telepon",
            "email",
        ];

        #[derive(Debug, Clone)]
        enum Token {
            Word(String),
            /// Must not survive.
            Secret(String),
            /// Must survive as written.
            Kept(String),
        }

        fn separator() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec!["", "", " ", ".", "-"])
        }

        /// Digits written with separators between random groups, optionally in full-width digits.
        fn spelled(digits: Vec<u8>, seps: Vec<&'static str>, full_width: bool) -> String {
            let mut out = String::new();
            for (i, d) in digits.iter().enumerate() {
                if i > 0 && i % 4 == 0 {
                    out.push_str(seps[i % seps.len()]);
                }
                let c = char::from(b'0' + d);
                out.push(if full_width { char::from_u32('０' as u32 + u32::from(*d)).unwrap() } else { c });
            }
            out
        }

        fn nik() -> impl Strategy<Value = String> {
            (prop::collection::vec(0..10u8, 16), prop::collection::vec(separator(), 4), any::<bool>())
                .prop_map(|(d, s, fw)| spelled(d, s, fw))
        }

        fn phone() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(0..10u8, 8..=11),
                prop::collection::vec(separator(), 4),
                any::<bool>(),
                prop::sample::select(vec!["08", "+628", "+62 8", "628"]),
            )
                .prop_map(|(d, s, fw, prefix)| {
                    let rest = spelled(d, s, fw);
                    format!("{prefix}{}{rest}", if prefix.ends_with('8') { "1" } else { "" })
                })
        }

        fn email() -> impl Strategy<Value = String> {
            (
                "[a-z][a-z0-9]{0,8}",
                prop::option::of("[._+-][a-z0-9]{1,5}"),
                "[a-z]{2,10}",
                prop::sample::select(vec!["com", "id", "co.id", "go.id", "desa.id"]),
            )
                .prop_map(|(a, b, host, tld)| format!("{a}{}@{host}.{tld}", b.unwrap_or_default()))
        }

        fn amount() -> impl Strategy<Value = String> {
            (
                prop::sample::select(vec!["Rp", "Rp ", "Rp. ", "rp"]),
                1..1000u32,
                prop::collection::vec(0..1000u32, 1..=4),
                prop::sample::select(vec!["", ",-", ",00"]),
            )
                .prop_map(|(rp, first, groups, tail)| {
                    let groups: String = groups.iter().map(|g| format!(".{g:03}")).collect();
                    format!("{rp}{first}{groups}{tail}")
                })
        }

        fn date() -> impl Strategy<Value = String> {
            (1..=28u32, 1..=12u32, 2000..2040u32, any::<bool>()).prop_map(|(d, m, y, iso)| {
                if iso { format!("{y}-{m:02}-{d:02}") } else { format!("{d:02}/{m:02}/{y}") }
            })
        }

        fn word() -> impl Strategy<Value = String> {
            prop::sample::select(WORDS).prop_map(str::to_string)
        }

        fn special() -> impl Strategy<Value = Token> {
            prop_oneof![
                nik().prop_map(Token::Secret),
                phone().prop_map(Token::Secret),
                email().prop_map(Token::Secret),
                amount().prop_map(Token::Kept),
                date().prop_map(Token::Kept),
            ]
        }

        /// Words, each optionally followed by something special and then another word, so a special
        /// token always stands between words.
        fn text() -> impl Strategy<Value = Vec<Token>> {
            prop::collection::vec((word(), prop::option::of(special()), word()), 1..8).prop_map(|parts| {
                let mut tokens = Vec::new();
                for (before, special, after) in parts {
                    tokens.push(Token::Word(before));
                    tokens.extend(special);
                    tokens.push(Token::Word(after));
                }
                tokens
            })
        }

        fn words_of(text: &str) -> Vec<String> {
            text.replace(REDACTED_NUMBER, " ")
                .replace(REDACTED_EMAIL, " ")
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn no_personal_number_or_address_survives_and_everything_else_does(
                tokens in text(),
                joiners in prop::collection::vec(prop::sample::select(vec![" ", " ", ", ", ": ", " (", "\n"]), 64),
            ) {
                let mut written = String::new();
                for (i, token) in tokens.iter().enumerate() {
                    if i > 0 {
                        written.push_str(joiners[i % joiners.len()]);
                    }
                    match token {
                        Token::Word(t) | Token::Secret(t) | Token::Kept(t) => written.push_str(t),
                    }
                }
                let shown = redact(&written);

                prop_assert!(!shown.contains('@'), "{shown}");
                // What was kept, taken out, leaves nothing that counts as a personal number.
                let mut rest = shown.clone();
                for token in &tokens {
                    if let Token::Kept(kept) = token {
                        prop_assert!(shown.contains(kept.as_str()), "{kept} lost in {shown}");
                        rest = rest.replacen(kept.as_str(), " ", 1);
                    }
                }
                prop_assert!(!carries_personal_number(&rest), "{rest}");
                prop_assert!(!shown.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()), "{shown}");
                let longest_digit_run = rest.split(|c: char| !c.is_ascii_digit()).map(str::len).max();
                prop_assert!(longest_digit_run.unwrap_or(0) < LONG_NUMBER_DIGITS);
                // The words around them are all there, in order.
                let secrets = tokens.iter().filter(|t| matches!(t, Token::Secret(_))).count();
                let redactions = shown.matches(REDACTED_NUMBER).count() + shown.matches(REDACTED_EMAIL).count();
                prop_assert_eq!(redactions, secrets);
                let expected: Vec<String> = tokens
                    .iter()
                    .flat_map(|t| match t {
                        Token::Word(w) | Token::Kept(w) => words_of(w),
                        Token::Secret(_) => Vec::new(),
                    })
                    .collect();
                prop_assert_eq!(words_of(&shown), expected);
            }

            #[test]
            fn redacting_twice_changes_nothing_more(text in "\\PC{0,60}") {
                let once = redact(&text);
                prop_assert_eq!(redact(&once), once.clone());
                prop_assert!(!carries_personal_number(&once) || once.contains("Rp") || once.contains("rp") || once.contains("RP") || once.contains("rP"));
            }
        }
    }
}
