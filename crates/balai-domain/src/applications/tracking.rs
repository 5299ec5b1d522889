//! Tracking numbers: what a citizen writes down, reads out on the phone or types in to follow an
//! application, without an account.
//!
//! Eight random symbols and a check symbol, shown as `K7QX-4M9P-2`. The alphabet leaves out the
//! symbols people confuse (0 O, 1 I L); its 31 symbols are a prime number, so the check symbol
//! (a weighted sum modulo 31 with the distinct non-zero weights 1..=8 for the symbols and 30 for the
//! check symbol itself) catches every single wrong symbol and every swap of two symbols.

use crate::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The symbols of a tracking number, in value order.
pub const TRACKING_ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

const BASE: u32 = 31;
const RANDOM_SYMBOLS: usize = 8;
const SYMBOLS: usize = RANDOM_SYMBOLS + 1;
/// 31^8: how many tracking numbers there are.
const SPACE: u128 = (BASE as u128).pow(RANDOM_SYMBOLS as u32);
/// Symbols left out of the alphabet because they look like others.
const AMBIGUOUS: &str = "0O1IL";
/// Longer input is refused before looking at it symbol by symbol.
const MAX_INPUT_BYTES: usize = 64;

fn symbol(value: u32) -> char {
    char::from(TRACKING_ALPHABET.as_bytes()[value as usize % TRACKING_ALPHABET.len()])
}

fn value_of(symbol: char) -> Option<u32> {
    TRACKING_ALPHABET.find(symbol).and_then(|i| u32::try_from(i).ok())
}

/// The check symbol's value: Σ (i+1)·vᵢ mod 31 over the eight random symbols.
fn check_value(values: &[u32; RANDOM_SYMBOLS]) -> u32 {
    values.iter().zip(1..).map(|(v, weight)| v * weight).sum::<u32>() % BASE
}

/// A tracking number, always held in its shown form `XXXX-XXXX-C`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct TrackingNumber(String);

/// Why typed input is not a tracking number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TrackingNumberError {
    #[error("a tracking number has 9 symbols, such as K7QX-4M9P-2")]
    WrongLength,
    #[error("{0:?} never appears in a tracking number (0, O, 1, I and L are left out because they look alike)")]
    AmbiguousSymbol(char),
    #[error("{0:?} is not a symbol of tracking numbers")]
    UnknownSymbol(char),
    #[error("the tracking number's check symbol does not match: a symbol is mistyped")]
    BadCheck,
}

impl TrackingNumberError {
    /// A hint for the citizen who typed the number.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::WrongLength, Lang::Id) => {
                "Nomor pelacakan terdiri atas 9 huruf/angka, misalnya K7QX-4M9P-2. Periksa kembali bukti permohonan Anda."
                    .into()
            }
            (Self::WrongLength, Lang::En) => {
                "A tracking number has 9 letters or digits, such as K7QX-4M9P-2. Check your application receipt.".into()
            }
            (Self::AmbiguousSymbol(c), Lang::Id) => format!(
                "Nomor pelacakan tidak pernah memakai \"{c}\": 0, O, 1, I dan L tidak dipakai karena mudah tertukar. \
                 Periksa kembali bukti permohonan; huruf yang mirip mungkin D, Q, 7, J atau T."
            ),
            (Self::AmbiguousSymbol(c), Lang::En) => format!(
                "Tracking numbers never use \"{c}\": 0, O, 1, I and L are left out because they look alike. \
                 Check your receipt again; the symbol may be a D, Q, 7, J or T."
            ),
            (Self::UnknownSymbol(c), Lang::Id) => format!(
                "\"{c}\" bukan bagian dari nomor pelacakan, yang hanya memakai angka 2–9 dan huruf A–Z (tanpa I, L, O)."
            ),
            (Self::UnknownSymbol(c), Lang::En) => format!(
                "\"{c}\" is not part of a tracking number, which uses only the digits 2–9 and the letters A–Z \
                 (without I, L, O)."
            ),
            (Self::BadCheck, Lang::Id) => {
                "Nomor pelacakan tidak cocok: ada huruf/angka yang salah ketik atau tertukar. Periksa kembali.".into()
            }
            (Self::BadCheck, Lang::En) => {
                "This tracking number does not add up: a symbol is mistyped or two are swapped. Check it again.".into()
            }
        }
    }
}

impl TrackingNumber {
    /// A tracking number from 16 random bytes, uniformly distributed over all 31^8 numbers.
    ///
    /// The bytes are read as one 128-bit number and reduced modulo 31^8 only when it falls below the
    /// largest multiple of 31^8 (rejection sampling), so every number is equally likely. The rejected
    /// top range has a probability below 2^-88; only there is the value folded instead, since a fixed
    /// input cannot be resampled.
    pub fn from_random(bytes: [u8; 16]) -> TrackingNumber {
        let raw = u128::from_le_bytes(bytes);
        let limit = u128::MAX - (u128::MAX % SPACE + 1) % SPACE;
        let mut n = if raw <= limit { raw % SPACE } else { (raw - limit - 1) % SPACE };
        let mut values = [0u32; RANDOM_SYMBOLS];
        for value in values.iter_mut().rev() {
            *value = u32::try_from(n % u128::from(BASE)).unwrap_or(0);
            n /= u128::from(BASE);
        }
        Self::from_values(&values)
    }

    fn from_values(values: &[u32; RANDOM_SYMBOLS]) -> TrackingNumber {
        let mut shown = String::with_capacity(SYMBOLS + 2);
        for (i, &v) in values.iter().enumerate() {
            if i == 4 {
                shown.push('-');
            }
            shown.push(symbol(v));
        }
        shown.push('-');
        shown.push(symbol(check_value(values)));
        TrackingNumber(shown)
    }

    /// Reads what a citizen typed: surrounding space, lowercase and missing or extra hyphens and
    /// spaces are forgiven; anything else is refused with the reason.
    pub fn parse(input: &str) -> Result<TrackingNumber, TrackingNumberError> {
        let input = input.trim();
        if input.len() > MAX_INPUT_BYTES {
            return Err(TrackingNumberError::WrongLength);
        }
        let mut values = Vec::with_capacity(SYMBOLS);
        for c in input.chars().filter(|c| *c != '-' && *c != ' ') {
            let upper = c.to_ascii_uppercase();
            match value_of(upper) {
                Some(v) => values.push(v),
                None if AMBIGUOUS.contains(upper) => return Err(TrackingNumberError::AmbiguousSymbol(c)),
                None => return Err(TrackingNumberError::UnknownSymbol(c)),
            }
        }
        let Ok(all) = <[u32; SYMBOLS]>::try_from(values) else {
            return Err(TrackingNumberError::WrongLength);
        };
        let mut random = [0u32; RANDOM_SYMBOLS];
        random.copy_from_slice(&all[..RANDOM_SYMBOLS]);
        if check_value(&random) != all[RANDOM_SYMBOLS] {
            return Err(TrackingNumberError::BadCheck);
        }
        Ok(Self::from_values(&random))
    }

    /// The shown form, `XXXX-XXXX-C`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingNumber {
    type Error = TrackingNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl FromStr for TrackingNumber {
    type Err = TrackingNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<TrackingNumber> {
        // A spread of inputs: counting bytes, all equal bytes, and a simple mixing sequence.
        let mut out = Vec::new();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200u8 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bytes = [i; 16];
            bytes[..8].copy_from_slice(&state.to_le_bytes());
            out.push(TrackingNumber::from_random(bytes));
        }
        out.push(TrackingNumber::from_random([0; 16]));
        out.push(TrackingNumber::from_random([0xFF; 16]));
        out
    }

    fn symbols(number: &TrackingNumber) -> Vec<char> {
        number.as_str().chars().filter(|c| *c != '-').collect()
    }

    fn shown(symbols: &[char]) -> String {
        let s: String = symbols.iter().collect();
        format!("{}-{}-{}", &s[..4], &s[4..8], &s[8..])
    }

    #[test]
    fn the_alphabet_has_31_distinct_symbols_none_of_them_confusable() {
        let chars: Vec<char> = TRACKING_ALPHABET.chars().collect();
        assert_eq!(chars.len(), 31);
        let mut sorted = chars.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 31);
        for c in AMBIGUOUS.chars() {
            assert!(!TRACKING_ALPHABET.contains(c), "{c}");
        }
    }

    #[test]
    fn a_number_is_shown_in_groups_and_reads_back_as_itself() {
        for number in sample() {
            let s = number.as_str();
            assert_eq!(s.len(), 11, "{s}");
            assert_eq!(&s[4..5], "-");
            assert_eq!(&s[9..10], "-");
            assert!(s.chars().filter(|c| *c != '-').all(|c| TRACKING_ALPHABET.contains(c)), "{s}");
            assert_eq!(number.to_string(), s);
            assert_eq!(TrackingNumber::parse(s), Ok(number.clone()));
            assert_eq!(s.parse::<TrackingNumber>(), Ok(number.clone()));
            assert_eq!(serde_json::to_string(&number).unwrap(), format!("\"{s}\""));
            assert_eq!(serde_json::from_value::<TrackingNumber>(s.to_lowercase().into()).unwrap(), number);
        }
    }

    #[test]
    fn the_first_and_last_numbers_come_from_the_edges_of_the_byte_range() {
        // Zero bytes give the first number; its check symbol is 0 too.
        assert_eq!(TrackingNumber::from_random([0; 16]).as_str(), "2222-2222-2");
        // 1 in the lowest byte is the last symbol's value 1 (weight 8): check 8 → 'A'.
        let mut one = [0; 16];
        one[0] = 1;
        assert_eq!(TrackingNumber::from_random(one).as_str(), "2222-2223-A");
        // 31^8 − 1 is the last number: every symbol Z (value 30), check 30·36 mod 31 = 26 → 'V'.
        let last = (SPACE - 1).to_le_bytes();
        assert_eq!(TrackingNumber::from_random(last).as_str(), "ZZZZ-ZZZZ-V");
        // 31^8 wraps to the first.
        assert_eq!(TrackingNumber::from_random(SPACE.to_le_bytes()).as_str(), "2222-2222-2");
    }

    #[test]
    fn from_random_uses_only_whole_blocks_of_31_to_the_8th() {
        // The accepted range is a whole number of blocks: it ends one below a multiple of 31^8.
        let limit = u128::MAX - (u128::MAX % SPACE + 1) % SPACE;
        assert_eq!((limit % SPACE), SPACE - 1);
        assert!(u128::MAX - limit < SPACE);
        // At the top of the accepted range the last number comes out; just above, the fold starts
        // again at the first.
        assert_eq!(TrackingNumber::from_random(limit.to_le_bytes()).as_str(), "ZZZZ-ZZZZ-V");
        assert_eq!(TrackingNumber::from_random((limit + 1).to_le_bytes()).as_str(), "2222-2222-2");
        assert_eq!(TrackingNumber::from_random(u128::MAX.to_le_bytes()), {
            let folded = (u128::MAX - limit - 1) % SPACE;
            TrackingNumber::from_random(folded.to_le_bytes())
        });
    }

    #[test]
    fn each_symbol_is_uniform_over_the_alphabet_for_uniform_input() {
        // Every residue of the last symbol appears equally often over a whole block of inputs.
        let mut counts = [0u32; 31];
        for n in 0..(31u128 * 31 * 40) {
            let number = TrackingNumber::from_random((n * 7919).to_le_bytes());
            let last = symbols(&number)[7];
            counts[TRACKING_ALPHABET.find(last).unwrap()] += 1;
        }
        assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
    }

    #[test]
    fn every_single_wrong_symbol_is_caught() {
        for number in sample() {
            let good = symbols(&number);
            for position in 0..SYMBOLS {
                for replacement in TRACKING_ALPHABET.chars() {
                    if replacement == good[position] {
                        continue;
                    }
                    let mut bad = good.clone();
                    bad[position] = replacement;
                    assert_eq!(
                        TrackingNumber::parse(&shown(&bad)),
                        Err(TrackingNumberError::BadCheck),
                        "{number} with {replacement} at {position}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_swap_of_two_different_symbols_is_caught() {
        for number in sample() {
            let good = symbols(&number);
            for i in 0..SYMBOLS {
                for j in i + 1..SYMBOLS {
                    if good[i] == good[j] {
                        continue;
                    }
                    let mut bad = good.clone();
                    bad.swap(i, j);
                    assert_eq!(
                        TrackingNumber::parse(&shown(&bad)),
                        Err(TrackingNumberError::BadCheck),
                        "{number} swapping {i} and {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn typing_is_forgiven_where_it_cannot_change_the_number() {
        let number = TrackingNumber::from_random([42; 16]);
        let s = number.as_str();
        let plain: String = s.chars().filter(|c| *c != '-').collect();
        for typed in [
            s.to_lowercase(),
            plain.clone(),
            format!("  {s}\n"),
            format!("{} {} {}", &plain[..4], &plain[4..8], &plain[8..]),
            format!("{}--{}", &plain[..3], &plain[3..]),
            plain.chars().map(|c| format!("{c} ")).collect(),
        ] {
            assert_eq!(TrackingNumber::parse(&typed), Ok(number.clone()), "{typed:?}");
        }
    }

    #[test]
    fn wrong_input_is_refused_with_the_reason() {
        let number = TrackingNumber::from_random([42; 16]);
        let plain: String = number.as_str().chars().filter(|c| *c != '-').collect();
        assert_eq!(TrackingNumber::parse(""), Err(TrackingNumberError::WrongLength));
        assert_eq!(TrackingNumber::parse(" - "), Err(TrackingNumberError::WrongLength));
        assert_eq!(TrackingNumber::parse(&plain[..8]), Err(TrackingNumberError::WrongLength));
        assert_eq!(TrackingNumber::parse(&format!("{plain}2")), Err(TrackingNumberError::WrongLength));
        assert_eq!(TrackingNumber::parse(&"-".repeat(65)), Err(TrackingNumberError::WrongLength));
        // Up to 64 bytes of input are read, however many of them are separators.
        let padded = format!("{}{}", "-".repeat(64 - plain.len()), plain);
        assert_eq!(TrackingNumber::parse(&padded), Ok(number.clone()));
        assert_eq!(TrackingNumber::parse(&format!("-{padded}")), Err(TrackingNumberError::WrongLength));
        for c in ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l'] {
            let typed = format!("{c}{}", &plain[1..]);
            assert_eq!(TrackingNumber::parse(&typed), Err(TrackingNumberError::AmbiguousSymbol(c)), "{typed}");
        }
        for c in ['#', 'é', '_', '.'] {
            let typed = format!("{}{c}{}", &plain[..4], &plain[5..]);
            assert_eq!(TrackingNumber::parse(&typed), Err(TrackingNumberError::UnknownSymbol(c)), "{typed}");
        }
    }

    #[test]
    fn a_stored_value_that_is_not_a_tracking_number_is_refused_when_read() {
        assert!(serde_json::from_str::<TrackingNumber>("\"2222-2222-3\"").is_err());
        assert!(serde_json::from_str::<TrackingNumber>("12").is_err());
    }

    #[test]
    fn every_refusal_has_a_hint_in_each_language() {
        let errors = [
            TrackingNumberError::WrongLength,
            TrackingNumberError::AmbiguousSymbol('O'),
            TrackingNumberError::UnknownSymbol('#'),
            TrackingNumberError::BadCheck,
        ];
        let mut seen = std::collections::HashSet::new();
        for error in errors {
            for lang in Lang::ALL {
                let message = error.message(lang);
                assert!(seen.insert(message.clone()), "{message}");
            }
        }
        assert!(TrackingNumberError::AmbiguousSymbol('O').message(Lang::Id).contains("\"O\""));
        assert!(TrackingNumberError::UnknownSymbol('#').message(Lang::En).contains("\"#\""));
        assert!(TrackingNumberError::WrongLength.message(Lang::Id).contains("9"));
    }
}
