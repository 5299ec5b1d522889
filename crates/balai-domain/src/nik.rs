//! NIK (Nomor Induk Kependudukan): 16 digits `PPKKCC DDMMYY SSSS` — province, regency/city and district
//! of issue, birth date (day + 40 for women), and a serial that is never 0000.
//!
//! The district part is the district *at issue time*, so validation accepts every code seen in the
//! official lists since 2016 (Papua's 2022 split moved Merauke from 91.01 to 93.01; old NIKs keep 91.01).
//! A NIK is personal data: errors name the rule that failed, never the number.

use crate::Lang;
use crate::region::is_known_region;
use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("a NIK has exactly 16 digits")]
    Length,
    #[error("a NIK has digits only")]
    NotDigits,
    #[error("the province code of the NIK is not an Indonesian province")]
    UnknownProvince,
    #[error("the regency/city code of the NIK is not known in its province")]
    UnknownRegency,
    #[error("the district code of the NIK is not known in its regency/city")]
    UnknownDistrict,
    #[error("the birth date in the NIK is not a valid date (day + 40 for women)")]
    InvalidBirthDate,
    #[error("the birth date in the NIK is in the future")]
    FutureBirthDate,
    #[error("the serial number of a NIK is never 0000")]
    ZeroSerial,
}

impl NikError {
    /// A stable name for the rule, for APIs.
    pub fn code(self) -> &'static str {
        match self {
            NikError::Length => "nik_length",
            NikError::NotDigits => "nik_digits",
            NikError::UnknownProvince => "nik_province",
            NikError::UnknownRegency => "nik_regency",
            NikError::UnknownDistrict => "nik_district",
            NikError::InvalidBirthDate => "nik_birth_date",
            NikError::FutureBirthDate => "nik_future_birth_date",
            NikError::ZeroSerial => "nik_serial",
        }
    }

    /// A message for the citizen, naming the rule (never the number).
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            NikError::Length => lang.pick("NIK terdiri dari tepat 16 angka.", "A NIK has exactly 16 digits."),
            NikError::NotDigits => lang.pick("NIK hanya berisi angka.", "A NIK contains digits only."),
            NikError::UnknownProvince => lang.pick(
                "Dua angka pertama NIK bukan kode provinsi yang dikenal.",
                "The first two digits of the NIK are not a known province code.",
            ),
            NikError::UnknownRegency => lang.pick(
                "Angka ke-3 dan ke-4 NIK bukan kode kabupaten/kota yang dikenal di provinsi itu.",
                "Digits 3–4 of the NIK are not a known regency/city code in that province.",
            ),
            NikError::UnknownDistrict => lang.pick(
                "Angka ke-5 dan ke-6 NIK bukan kode kecamatan yang dikenal di kabupaten/kota itu.",
                "Digits 5–6 of the NIK are not a known district code in that regency/city.",
            ),
            NikError::InvalidBirthDate => lang.pick(
                "Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang sah (tanggal ditambah 40 untuk perempuan).",
                "Digits 7–12 of the NIK are not a valid birth date (day plus 40 for women).",
            ),
            NikError::FutureBirthDate => {
                lang.pick("Tanggal lahir pada NIK belum terjadi.", "The birth date in the NIK is in the future.")
            }
            NikError::ZeroSerial => {
                lang.pick("Empat angka terakhir NIK tidak boleh 0000.", "The last four digits of a NIK are never 0000.")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

/// A NIK that passed every structural rule. `Debug` and `Display` mask it, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nik {
    digits: String,
    /// The district of issue, dotted (`53.71.01`).
    pub district: String,
    pub sex: Sex,
    /// The possible birth dates: a two-digit year is ambiguous between centuries (19YY and 20YY).
    pub birth_dates: Vec<NaiveDate>,
}

impl Nik {
    /// Validates a NIK as of `today` (the government's local date).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Nik, NikError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NikError::NotDigits);
        }
        if digits.len() != 16 {
            return Err(NikError::Length);
        }
        let (province, regency, district) = (&digits[0..2], &digits[2..4], &digits[4..6]);
        if !is_known_region(province) {
            return Err(NikError::UnknownProvince);
        }
        if !is_known_region(&format!("{province}.{regency}")) {
            return Err(NikError::UnknownRegency);
        }
        let district_code = format!("{province}.{regency}.{district}");
        if !is_known_region(&district_code) {
            return Err(NikError::UnknownDistrict);
        }
        let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().expect("checked digits");
        let (raw_day, month, year) = (number(6..8), number(8..10), number(10..12) as i32);
        let (day, sex) = if raw_day > 40 { (raw_day - 40, Sex::Female) } else { (raw_day, Sex::Male) };
        let valid: Vec<NaiveDate> =
            [1900 + year, 2000 + year].into_iter().filter_map(|y| NaiveDate::from_ymd_opt(y, month, day)).collect();
        if valid.is_empty() {
            return Err(NikError::InvalidBirthDate);
        }
        let birth_dates: Vec<NaiveDate> = valid.into_iter().filter(|d| *d <= today).collect();
        if birth_dates.is_empty() {
            return Err(NikError::FutureBirthDate);
        }
        if &digits[12..16] == "0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(Nik { digits, district: district_code, sex, birth_dates })
    }

    /// The 16 digits, for encryption and keyed hashing only.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// For screens: `3171••••••••0001`.
    pub fn masked(&self) -> String {
        format!("{}••••••••{}", &self.digits[..4], &self.digits[12..])
    }

    /// Whether a birth date is one this NIK can stand for.
    pub fn matches_birth_date(&self, date: NaiveDate) -> bool {
        self.birth_dates.iter().any(|d| d.month() == date.month() && d.day() == date.day() && d.year() == date.year())
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_woman_from_kota_kupang() {
        // Alak district (53.71.01), born 1 July 1990 (41 = 1 + 40), serial 0001.
        let nik = Nik::parse("5371014107900001", today()).unwrap();
        assert_eq!(nik.district, "53.71.01");
        assert_eq!(nik.sex, Sex::Female);
        assert_eq!(nik.birth_dates, vec![d(1990, 7, 1)], "2090 has not happened yet");
        assert_eq!(nik.masked(), "5371••••••••0001");
        assert_eq!(format!("{nik:?}"), "Nik(5371••••••••0001)", "Debug never shows the number");
        assert!(!format!("{nik}").contains("4107"));
    }

    #[test]
    fn two_digit_years_keep_both_centuries_when_both_have_passed() {
        let nik = Nik::parse("5371011203100002", today()).unwrap();
        assert_eq!(nik.sex, Sex::Male);
        assert_eq!(nik.birth_dates, vec![d(1910, 3, 12), d(2010, 3, 12)]);
        assert!(nik.matches_birth_date(d(2010, 3, 12)) && !nik.matches_birth_date(d(2010, 3, 13)));
    }

    #[test]
    fn retired_district_codes_are_accepted() {
        // Merauke was 91.01 until the 2022 split, 93.01 since.
        assert!(Nik::parse("9101010101800003", today()).is_ok());
        assert!(Nik::parse("9301010101800003", today()).is_ok());
    }

    #[test]
    fn each_rule_is_named() {
        let cases = [
            ("537101410790000", NikError::Length),
            ("53710141079000011", NikError::Length),
            ("5371O14107900001", NikError::NotDigits),
            ("0071014107900001", NikError::UnknownProvince),
            ("5369014107900001", NikError::UnknownRegency),
            ("5371994107900001", NikError::UnknownDistrict),
            ("5371013202900001", NikError::InvalidBirthDate),
            ("5371017202900001", NikError::InvalidBirthDate),
            ("5371010013900001", NikError::InvalidBirthDate),
            ("5371010100900001", NikError::InvalidBirthDate),
            ("5371014107900000", NikError::ZeroSerial),
        ];
        for (input, expected) in cases {
            assert_eq!(Nik::parse(input, today()).unwrap_err(), expected, "{expected:?}");
        }
        // 29 February: 1900 was not a leap year, 2000 was.
        let leap = Nik::parse("5371012902000001", today()).unwrap();
        assert_eq!(leap.birth_dates, vec![d(2000, 2, 29)]);
        // 29 February 2099/1999: neither is a leap year.
        assert_eq!(Nik::parse("5371012902990001", today()).unwrap_err(), NikError::InvalidBirthDate);
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        // 24 November 2026 is tomorrow: only the 1926 reading remains.
        assert_eq!(Nik::parse("5371012411260001", today()).unwrap().birth_dates, vec![d(1926, 11, 24)]);
        // 29 February 2028 is in the future; 1928 was a leap year.
        assert_eq!(Nik::parse("5371012902280001", today()).unwrap().birth_dates, vec![d(1928, 2, 29)]);
        // Both readings (1960, 2060) after "today" = 1 January 1950.
        let early = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
        assert_eq!(Nik::parse("5371010101600001", early).unwrap_err(), NikError::FutureBirthDate);
    }

    #[test]
    fn messages_name_the_rule_in_both_languages_without_the_number() {
        for e in [NikError::Length, NikError::UnknownDistrict, NikError::InvalidBirthDate, NikError::ZeroSerial] {
            assert!(!e.message(Lang::Id).is_empty() && !e.message(Lang::En).is_empty());
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
        }
        assert!(is_known_region("53.71") && is_known_region("53") && !is_known_region("53.70"));
    }
}
