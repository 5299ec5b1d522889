//! `Nik::parse` on any text and any "today" from 1950 to 2079: it never panics, it ignores
//! whitespace, an accepted NIK reads back from its own 16 digits as the same NIK, its birth dates
//! are real and not in the future, and its masked and debug forms never show the middle digits.

#![no_main]

use balai_domain::Lang;
use balai_domain::nik::{Nik, Sex};
use chrono::{Datelike, Days, NaiveDate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &str)| {
    let (offset, text) = input;
    let today = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Days::new(u64::from(offset) % (130 * 366));
    let parsed = Nik::parse(text, today);

    // Whitespace anywhere does not change the answer.
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(Nik::parse(&squeezed, today), parsed);

    match parsed {
        Ok(nik) => {
            let digits = nik.expose();
            assert_eq!(digits, squeezed);
            assert!(digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()));
            // Parse → render → parse: the 16 digits stand for exactly this NIK.
            assert_eq!(Nik::parse(digits, today).as_ref(), Ok(&nik));
            assert_eq!(nik.district, format!("{}.{}.{}", &digits[0..2], &digits[2..4], &digits[4..6]));
            assert_ne!(&digits[12..], "0000");
            assert!(!nik.birth_dates.is_empty() && nik.birth_dates.len() <= 2);
            let raw_day: u32 = digits[6..8].parse().unwrap();
            assert_eq!(nik.sex == Sex::Female, raw_day > 40);
            let day = if raw_day > 40 { raw_day - 40 } else { raw_day };
            for date in &nik.birth_dates {
                assert!(*date <= today);
                assert_eq!(date.day(), day);
                assert_eq!(date.month(), digits[8..10].parse::<u32>().unwrap());
                assert_eq!(date.year() % 100, digits[10..12].parse::<i32>().unwrap());
                assert!(nik.matches_birth_date(*date));
            }
            // Masked for screens and logs: the first four and last four digits only.
            let masked = nik.masked();
            assert_eq!(masked, format!("{}••••••••{}", &digits[..4], &digits[12..]));
            assert!(!format!("{nik:?}").contains(&digits[4..12]));
            assert!(!format!("{nik}").contains(&digits[4..12]));
        }
        Err(e) => {
            // The rule is named in both languages, never the number.
            for lang in [Lang::Id, Lang::En] {
                let message = e.message(lang);
                assert!(!message.is_empty());
                if squeezed.len() >= 6 && squeezed.bytes().all(|b| b.is_ascii_digit()) {
                    assert!(!message.contains(squeezed.as_str()));
                }
            }
            assert!(e.code().starts_with("nik_"));
        }
    }
});
