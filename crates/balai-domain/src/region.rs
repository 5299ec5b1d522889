//! Region codes (Kepmendagri): `53` province, `53.71` regency or city, `53.71.01` district,
//! `53.71.01.1001` village.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// Every province, regency/city and district code seen in the official lists since 2016
/// (see data/README.md for provenance).
const HISTORICAL_CODES: &str = include_str!("../../../data/wilayah/kode-kecamatan-historis.csv");

fn known_codes() -> &'static HashSet<&'static str> {
    static CODES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        HISTORICAL_CODES.lines().skip(1).filter_map(|line| line.split(',').next()).filter(|c| !c.is_empty()).collect()
    })
}

/// Whether a dotted region code (province, regency/city or district) was ever in the official lists.
pub fn is_known_region(code: &str) -> bool {
    known_codes().contains(code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    /// Kabupaten: the second segment is 01–69.
    Regency,
    /// Kota: the second segment is 71–99.
    City,
    District,
    Village,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a region code is 2, 2.2, 2.2.2 or 2.2.2.4 digits separated by dots, such as 53.71")]
pub struct RegionCodeError;

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let segments: Vec<&str> = input.split('.').collect();
        let expected_lengths = [2, 2, 2, 4];
        if segments.is_empty() || segments.len() > 4 {
            return Err(RegionCodeError);
        }
        for (segment, len) in segments.iter().zip(expected_lengths) {
            if segment.len() != len || !segment.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RegionCodeError);
            }
            if segment.bytes().all(|b| b == b'0') {
                return Err(RegionCodeError);
            }
        }
        Ok(Self(input.to_owned()))
    }

    /// Also accepts the undotted form many national systems use (`5371`, `537104`, `5371042001`).
    pub fn parse_undotted(input: &str) -> Result<Self, RegionCodeError> {
        if input.contains('.') {
            return Self::parse(input);
        }
        if !input.is_ascii() || ![2, 4, 6, 10].contains(&input.len()) {
            return Err(RegionCodeError);
        }
        let mut dotted = String::with_capacity(input.len() + 3);
        let mut start = 0;
        for end in [2, 4, 6, 10].into_iter().take_while(|&end| end <= input.len()) {
            if start > 0 {
                dotted.push('.');
            }
            dotted.push_str(&input[start..end]);
            start = end;
        }
        Self::parse(&dotted)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        let segments: Vec<&str> = self.0.split('.').collect();
        match segments.len() {
            1 => RegionLevel::Province,
            2 if segments[1] >= "71" => RegionLevel::City,
            2 => RegionLevel::Regency,
            3 => RegionLevel::District,
            _ => RegionLevel::Village,
        }
    }

    /// The province this region belongs to.
    pub fn province(&self) -> RegionCode {
        Self(self.0[..2].to_owned())
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_permendagri() {
        assert_eq!(RegionCode::parse("53").unwrap().level(), RegionLevel::Province);
        assert_eq!(RegionCode::parse("53.01").unwrap().level(), RegionLevel::Regency);
        assert_eq!(RegionCode::parse("53.71").unwrap().level(), RegionLevel::City);
        assert_eq!(RegionCode::parse("53.71.01").unwrap().level(), RegionLevel::District);
        assert_eq!(RegionCode::parse("53.71.01.1001").unwrap().level(), RegionLevel::Village);
        assert_eq!(RegionCode::parse("53.71").unwrap().province().as_str(), "53");
    }

    #[test]
    fn undotted_codes_from_national_systems_are_read() {
        assert_eq!(RegionCode::parse_undotted("5371").unwrap().as_str(), "53.71");
        assert_eq!(RegionCode::parse_undotted("537104").unwrap().as_str(), "53.71.04");
        assert_eq!(RegionCode::parse_undotted("5371041001").unwrap().as_str(), "53.71.04.1001");
        assert_eq!(RegionCode::parse_undotted("53.71").unwrap().as_str(), "53.71");
        for bad in ["537", "53710", "5300", "ab12", "5é71", ""] {
            assert!(RegionCode::parse_undotted(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "5", "537", "53.7", "53.71.1", "53.71.01.101", "53.71.01.1001.1", "ab", "00", "53.00", "53..71"]
        {
            assert_eq!(RegionCode::parse(bad), Err(RegionCodeError), "{bad:?}");
        }
    }
}
