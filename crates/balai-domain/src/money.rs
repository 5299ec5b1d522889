//! Money is integer rupiah: the smallest unit any regional fee is set in.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rupiah(pub i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);

    pub fn is_free(self) -> bool {
        self.0 == 0
    }

    /// Parses what an officer types in a fee field: `1250000`, `1.250.000`, `Rp1.250.000`, `Rp 1.250.000`.
    /// Decimal commas are refused: fees are whole rupiah.
    pub fn parse(input: &str) -> Result<Rupiah, MoneyError> {
        let trimmed = input.trim();
        let without_symbol = trimmed
            .strip_prefix("Rp")
            .or_else(|| trimmed.strip_prefix("rp"))
            .or_else(|| trimmed.strip_prefix("RP"))
            .unwrap_or(trimmed)
            .trim();
        if without_symbol.is_empty() {
            return Err(MoneyError::Empty);
        }
        if without_symbol.contains(',') {
            return Err(MoneyError::Fraction);
        }
        let groups: Vec<&str> = without_symbol.split('.').collect();
        if groups.len() > 1 {
            // Thousands separators must group exactly by three.
            let well_grouped =
                !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return Err(MoneyError::Format);
            }
        }
        let digits: String = groups.concat();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Format);
        }
        digits.parse::<i64>().map(Rupiah).map_err(|_| MoneyError::TooLarge)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("amounts are whole rupiah, without decimals")]
    Fraction,
    #[error("amount is not a number of rupiah")]
    Format,
    #[error("amount is too large")]
    TooLarge,
}

/// `Rp1.250.000`: the form used in Indonesian government documents (dot as thousands separator, no space).
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        if self.0 < 0 { write!(f, "-Rp{grouped}") } else { write!(f, "Rp{grouped}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_in_government_documents() {
        assert_eq!(Rupiah(0).to_string(), "Rp0");
        assert_eq!(Rupiah(500).to_string(), "Rp500");
        assert_eq!(Rupiah(1_000).to_string(), "Rp1.000");
        assert_eq!(Rupiah(75_000).to_string(), "Rp75.000");
        assert_eq!(Rupiah(1_250_000).to_string(), "Rp1.250.000");
        assert_eq!(Rupiah(-5_000).to_string(), "-Rp5.000");
        assert_eq!(Rupiah(i64::MAX).to_string(), "Rp9.223.372.036.854.775.807");
    }

    #[test]
    fn parses_what_officers_type() {
        assert_eq!(Rupiah::parse("1250000"), Ok(Rupiah(1_250_000)));
        assert_eq!(Rupiah::parse("1.250.000"), Ok(Rupiah(1_250_000)));
        assert_eq!(Rupiah::parse("Rp1.250.000"), Ok(Rupiah(1_250_000)));
        assert_eq!(Rupiah::parse(" Rp 75.000 "), Ok(Rupiah(75_000)));
        assert_eq!(Rupiah::parse("0"), Ok(Rupiah(0)));
        assert_eq!(Rupiah::parse(""), Err(MoneyError::Empty));
        assert_eq!(Rupiah::parse("12,5"), Err(MoneyError::Fraction));
        assert_eq!(Rupiah::parse("1.25.000"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("-100"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("abc"), Err(MoneyError::Format));
        assert_eq!(Rupiah::parse("99999999999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn display_and_parse_round_trip() {
        for v in [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, 123_456_789_012] {
            assert_eq!(Rupiah::parse(&Rupiah(v).to_string()), Ok(Rupiah(v)));
        }
    }
}
