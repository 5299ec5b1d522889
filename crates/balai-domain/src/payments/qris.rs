//! The QRIS payload: the text inside the QR code a citizen scans to pay a bill (EMVCo QR Code
//! Specification for Payment Systems, merchant-presented mode, as Bank Indonesia's QRIS uses it).
//!
//! A payload is a run of elements, each a two-digit tag, a two-digit length and that many characters
//! of value; tags 51 (the national merchant account) and 62 (additional data) hold elements of their
//! own. Tag 63, always last, is a CRC-16/CCITT-FALSE over everything before its value.
//!
//! [`encode_dynamic`] writes the code for one bill: its amount and its bill number (62.01), so a
//! payment can be matched to the bill without a person. It never writes a tip or convenience fee
//! (tags 55–57): the amount on the code is the bill, with no surcharge on the citizen.
//!
//! [`decode`] reads codes others made too: tags in any order, but nothing malformed. Every refusal
//! names the tag (and the sub-tag inside 51 or 62) and the byte offset where the problem is.

use crate::money::Rupiah;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest payload [`decode`] reads, in bytes. A QRIS payload is about 150–250 characters.
pub const MAX_PAYLOAD_LEN: usize = 512;
/// The globally unique identifier of the national merchant repository, sub-tag 00 of tag 51.
pub const QRIS_GUID: &str = "ID.CO.QRIS.WWW";
/// The largest amount tag 54 holds: 13 digits.
pub const MAX_AMOUNT: Rupiah = Rupiah(9_999_999_999_999);
/// Merchant criteria (51.03): micro, small, medium, large and regular businesses.
pub const CRITERIA: [&str; 5] = ["UMI", "UKE", "UME", "UBE", "URE"];
/// The longest bill number tag 62.01 holds.
pub const MAX_BILL_NUMBER_LEN: usize = 25;

const TAG_FORMAT: u8 = 0;
const TAG_INITIATION: u8 = 1;
const TAG_ACCOUNT: u8 = 51;
const TAG_MCC: u8 = 52;
const TAG_CURRENCY: u8 = 53;
const TAG_AMOUNT: u8 = 54;
const TAG_COUNTRY: u8 = 58;
const TAG_NAME: u8 = 59;
const TAG_CITY: u8 = 60;
const TAG_POSTAL_CODE: u8 = 61;
const TAG_ADDITIONAL: u8 = 62;
const TAG_CRC: u8 = 63;

const STATIC: &str = "11";
const DYNAMIC: &str = "12";
const RUPIAH: &str = "360";
const INDONESIA: &str = "ID";

/// The CRC-16/CCITT-FALSE of `bytes` (polynomial 0x1021, initial value 0xFFFF, no reflection, no
/// final XOR): the checksum of tag 63.
pub fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0xFFFF, |crc, &byte| (crc << 8) ^ CRC_TABLE[usize::from((crc >> 8) as u8 ^ byte)])
}

/// The CRC of each leading byte, computed bit by bit once, at compile time.
const CRC_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The government's merchant account as registered for QRIS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    /// National Merchant ID (51.02), e.g. `ID1020012345678`: letters and digits, at most 15.
    pub nmid: String,
    /// Merchant criteria (51.03), one of [`CRITERIA`], e.g. `UBE`.
    pub criteria: String,
    /// Merchant category code (52): 4 digits, e.g. `9399` for government services.
    pub mcc: String,
    /// Merchant name (59): printable ASCII, at most 25 characters.
    pub name: String,
    /// Merchant city (60): printable ASCII, at most 15 characters.
    pub city: String,
    /// Postal code (61), mandatory in Indonesia: 5 digits.
    pub postal_code: String,
}

impl Merchant {
    /// Checks every field against what a QRIS payload can carry, so a merchant can be refused when
    /// it is configured rather than when the first bill is issued.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let nmid = printable(Field::Nmid, &self.nmid, 15)?;
        if let Some(position) = nmid.bytes().position(|b| !b.is_ascii_alphanumeric()) {
            return Err(EncodeError::NotAlphanumeric { field: Field::Nmid, position });
        }
        if !CRITERIA.contains(&self.criteria.as_str()) {
            return Err(EncodeError::UnknownCriteria);
        }
        digits(Field::Mcc, &self.mcc, 4, 4)?;
        printable(Field::MerchantName, &self.name, 25)?;
        printable(Field::MerchantCity, &self.city, 15)?;
        digits(Field::PostalCode, &self.postal_code, 5, 5)?;
        Ok(())
    }
}

/// A field [`encode_dynamic`] writes, named in its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Nmid,
    Criteria,
    Mcc,
    MerchantName,
    MerchantCity,
    PostalCode,
    Amount,
    BillNumber,
}

impl Field {
    /// Where the field sits in the payload: `59`, or `51.02` inside a template.
    pub fn tag(self) -> &'static str {
        match self {
            Field::Nmid => "51.02",
            Field::Criteria => "51.03",
            Field::Mcc => "52",
            Field::MerchantName => "59",
            Field::MerchantCity => "60",
            Field::PostalCode => "61",
            Field::Amount => "54",
            Field::BillNumber => "62.01",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::Nmid => "NMID",
            Field::Criteria => "merchant criteria",
            Field::Mcc => "merchant category code",
            Field::MerchantName => "merchant name",
            Field::MerchantCity => "merchant city",
            Field::PostalCode => "postal code",
            Field::Amount => "amount",
            Field::BillNumber => "bill number",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (tag {})", self.name(), self.tag())
    }
}

/// Why a payload cannot be written. Each names the field; none repeats its value except the amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("{field} is empty")]
    Empty { field: Field },
    #[error("{field} is {len} characters, longer than {max}")]
    TooLong { field: Field, len: usize, max: usize },
    #[error("{field} has a character that is not printable ASCII at position {position}")]
    NotPrintableAscii { field: Field, position: usize },
    #[error("{field} has a character that is neither a letter nor a digit at position {position}")]
    NotAlphanumeric { field: Field, position: usize },
    #[error("{field} must be digits only")]
    NotDigits { field: Field },
    #[error("{field} must be {len} digits")]
    WrongLength { field: Field, len: usize },
    #[error("{} must be one of UMI, UKE, UME, UBE, URE", Field::Criteria)]
    UnknownCriteria,
    #[error("{} must be positive, not {amount}", Field::Amount)]
    AmountNotPositive { amount: Rupiah },
    #[error("{} must be at most 13 digits, not {amount}", Field::Amount)]
    AmountTooLarge { amount: Rupiah },
    #[error("tag {tag:02} has a value of {len} characters; a two-digit length holds at most 99")]
    ValueTooLong { tag: u8, len: usize },
}

/// `value` if it is 1 to `max` printable ASCII characters.
fn printable(field: Field, value: &str, max: usize) -> Result<&str, EncodeError> {
    if value.is_empty() {
        return Err(EncodeError::Empty { field });
    }
    if let Some(position) = value.chars().position(|c| !is_printable(u32::from(c))) {
        return Err(EncodeError::NotPrintableAscii { field, position });
    }
    if value.len() > max {
        return Err(EncodeError::TooLong { field, len: value.len(), max });
    }
    Ok(value)
}

/// `value` if it is `min` to `max` ASCII digits.
fn digits(field: Field, value: &str, min: usize, max: usize) -> Result<(), EncodeError> {
    if value.is_empty() {
        return Err(EncodeError::Empty { field });
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EncodeError::NotDigits { field });
    }
    match value.len() {
        len if min == max && len != min => Err(EncodeError::WrongLength { field, len: min }),
        len if len > max => Err(EncodeError::TooLong { field, len, max }),
        _ => Ok(()),
    }
}

fn is_printable(c: u32) -> bool {
    (0x20..=0x7E).contains(&c)
}

/// The dynamic QRIS payload for one bill: the merchant's account, `amount` in whole rupiah and
/// `bill_number` (digits) in tag 62.01, tags in ascending order, CRC last.
pub fn encode_dynamic(merchant: &Merchant, amount: Rupiah, bill_number: &str) -> Result<String, EncodeError> {
    merchant.validate()?;
    if amount.0 <= 0 {
        return Err(EncodeError::AmountNotPositive { amount });
    }
    if amount > MAX_AMOUNT {
        return Err(EncodeError::AmountTooLarge { amount });
    }
    digits(Field::BillNumber, bill_number, 1, MAX_BILL_NUMBER_LEN)?;

    let mut account = String::with_capacity(64);
    push(&mut account, 0, QRIS_GUID)?;
    push(&mut account, 2, &merchant.nmid)?;
    push(&mut account, 3, &merchant.criteria)?;
    let mut additional = String::with_capacity(32);
    push(&mut additional, 1, bill_number)?;

    let mut out = String::with_capacity(200);
    push(&mut out, TAG_FORMAT, "01")?;
    push(&mut out, TAG_INITIATION, DYNAMIC)?;
    push(&mut out, TAG_ACCOUNT, &account)?;
    push(&mut out, TAG_MCC, &merchant.mcc)?;
    push(&mut out, TAG_CURRENCY, RUPIAH)?;
    push(&mut out, TAG_AMOUNT, &amount.0.to_string())?;
    push(&mut out, TAG_COUNTRY, INDONESIA)?;
    push(&mut out, TAG_NAME, &merchant.name)?;
    push(&mut out, TAG_CITY, &merchant.city)?;
    push(&mut out, TAG_POSTAL_CODE, &merchant.postal_code)?;
    push(&mut out, TAG_ADDITIONAL, &additional)?;
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    for shift in [12, 8, 4, 0] {
        out.push(char::from(b"0123456789ABCDEF"[usize::from((crc >> shift) & 0xF)]));
    }
    Ok(out)
}

/// Appends one element: the tag and the length as two digits each, then the value.
fn push(out: &mut String, tag: u8, value: &str) -> Result<(), EncodeError> {
    let len = value.len();
    if len > 99 {
        return Err(EncodeError::ValueTooLong { tag, len });
    }
    for n in [tag, len as u8] {
        out.push(char::from(b'0' + n / 10));
        out.push(char::from(b'0' + n % 10));
    }
    out.push_str(value);
    Ok(())
}

/// A payload as read by [`decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qris {
    /// Tag 01 is `12` (a code for one payment); `11` or no tag 01 is a static code.
    pub dynamic: bool,
    /// 51.02, when tag 51 is present.
    pub nmid: Option<String>,
    /// 51.03.
    pub merchant_criteria: Option<String>,
    pub mcc: String,
    /// ISO 4217 numeric; `360` is the rupiah.
    pub currency: String,
    pub amount: Option<Rupiah>,
    pub country: String,
    pub merchant_name: String,
    pub merchant_city: String,
    pub postal_code: Option<String>,
    /// 62.01.
    pub bill_number: Option<String>,
    /// Every top-level element as read, in payload order, 00 and 63 included.
    pub tags: Vec<(u8, String)>,
}

/// Why a payload was refused: the tag (and the sub-tag inside template 51 or 62) when the problem
/// belongs to one, and the byte offset in the payload where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The top-level tag, or the template (51, 62) the problem is inside.
    pub tag: Option<u8>,
    /// The element inside template [`DecodeError::tag`], when the problem is inside 51 or 62.
    pub sub_tag: Option<u8>,
    /// Where the problem is, in bytes from the start of the payload: the offending byte, the
    /// element's tag (duplicate, order), its length digits (length problems), its value (value
    /// problems), or the end of the payload for a missing tag.
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.tag, self.sub_tag) {
            (Some(tag), Some(sub)) => write!(f, "tag {tag:02}.{sub:02} at offset {}: {}", self.offset, self.kind),
            (Some(tag), None) => write!(f, "tag {tag:02} at offset {}: {}", self.offset, self.kind),
            (None, _) => write!(f, "offset {}: {}", self.offset, self.kind),
        }
    }
}

impl std::error::Error for DecodeError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    #[error("the payload is {len} bytes, more than 512")]
    TooLong { len: usize },
    #[error("the payload is empty")]
    Empty,
    #[error("byte 0x{byte:02X} is not printable ASCII")]
    NotPrintableAscii { byte: u8 },
    #[error("the tag is not two digits")]
    TagNotDigits,
    #[error("the length is not two digits")]
    LengthNotDigits,
    #[error("the payload ends inside a tag or its length")]
    Truncated,
    #[error("the length is zero")]
    LengthZero,
    #[error("the length {declared} runs past the end ({remaining} characters left)")]
    LengthPastEnd { declared: usize, remaining: usize },
    #[error("the tag appears twice")]
    DuplicateTag,
    #[error("the first tag must be 00 (payload format indicator)")]
    FirstTagNotFormat,
    #[error("the last tag must be 63 (CRC)")]
    LastTagNotCrc,
    #[error("the CRC is not 4 hexadecimal digits")]
    CrcNotHex,
    #[error("the CRC is {found:04X} but the payload's is {expected:04X}")]
    CrcMismatch { expected: u16, found: u16 },
    #[error("the payload format indicator is not 01")]
    FormatIndicator,
    #[error("the point of initiation is neither 11 (static) nor 12 (dynamic)")]
    PointOfInitiation,
    #[error("the amount is longer than 13 characters")]
    AmountTooLong,
    #[error("the amount is not a number")]
    AmountNotNumber,
    #[error("the amount has a fraction of a rupiah")]
    AmountFraction,
    #[error("the amount is zero")]
    AmountZero,
    #[error("the currency is not rupiah (360) but the code has an amount")]
    AmountNotRupiah,
    #[error("a mandatory tag is missing")]
    Missing,
}

/// One element: its tag, where its tag starts, where its value starts, and its value.
struct Element<'a> {
    tag: u8,
    offset: usize,
    value_offset: usize,
    value: &'a [u8],
}

impl Element<'_> {
    /// The value as text (it is printable ASCII: [`elements`] checked it).
    fn text(&self) -> String {
        self.value.iter().map(|&b| char::from(b)).collect()
    }
}

/// Reads a payload (see the module's documentation).
pub fn decode(payload: &str) -> Result<Qris, DecodeError> {
    decode_bytes(payload.as_bytes())
}

/// Reads a payload as the bytes a scanner returns; any byte that is not printable ASCII is refused.
pub fn decode_bytes(payload: &[u8]) -> Result<Qris, DecodeError> {
    let fail = |tag: Option<u8>, offset: usize, kind: DecodeErrorKind| DecodeError { tag, sub_tag: None, offset, kind };
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(fail(None, MAX_PAYLOAD_LEN, DecodeErrorKind::TooLong { len: payload.len() }));
    }
    if payload.is_empty() {
        return Err(fail(None, 0, DecodeErrorKind::Empty));
    }
    let top = elements(payload, 0, None)?;
    let (Some(first), Some(last)) = (top.first(), top.last()) else {
        return Err(fail(None, 0, DecodeErrorKind::Empty));
    };
    if first.tag != TAG_FORMAT {
        return Err(fail(Some(first.tag), first.offset, DecodeErrorKind::FirstTagNotFormat));
    }
    if last.tag != TAG_CRC {
        return Err(fail(Some(last.tag), last.offset, DecodeErrorKind::LastTagNotCrc));
    }
    let found = match last.value {
        [a, b, c, d] => [a, b, c, d].into_iter().try_fold(0u16, |crc, &h| Some(crc << 4 | hex_digit(h)?)),
        _ => None,
    };
    let Some(found) = found else {
        return Err(fail(Some(TAG_CRC), last.value_offset, DecodeErrorKind::CrcNotHex));
    };
    let expected = crc16_ccitt_false(&payload[..last.value_offset]);
    if found != expected {
        return Err(fail(Some(TAG_CRC), last.value_offset, DecodeErrorKind::CrcMismatch { expected, found }));
    }

    let find = |tag: u8| top.iter().find(|e| e.tag == tag);
    let value_of = |tag: u8| find(tag).map(Element::text);
    if first.value != b"01" {
        return Err(fail(Some(TAG_FORMAT), first.value_offset, DecodeErrorKind::FormatIndicator));
    }
    let dynamic = match find(TAG_INITIATION) {
        None => false,
        Some(e) if e.value == STATIC.as_bytes() => false,
        Some(e) if e.value == DYNAMIC.as_bytes() => true,
        Some(e) => return Err(fail(Some(TAG_INITIATION), e.value_offset, DecodeErrorKind::PointOfInitiation)),
    };
    let (mut nmid, mut merchant_criteria, mut bill_number) = (None, None, None);
    if let Some(account) = find(TAG_ACCOUNT) {
        let subs = elements(account.value, account.value_offset, Some(TAG_ACCOUNT))?;
        nmid = subs.iter().find(|e| e.tag == 2).map(Element::text);
        merchant_criteria = subs.iter().find(|e| e.tag == 3).map(Element::text);
    }
    if let Some(additional) = find(TAG_ADDITIONAL) {
        let subs = elements(additional.value, additional.value_offset, Some(TAG_ADDITIONAL))?;
        bill_number = subs.iter().find(|e| e.tag == 1).map(Element::text);
    }
    let amount = match find(TAG_AMOUNT) {
        None => None,
        Some(e) => Some(parse_amount(e.value).map_err(|kind| fail(Some(TAG_AMOUNT), e.value_offset, kind))?),
    };
    for tag in [TAG_MCC, TAG_CURRENCY, TAG_COUNTRY, TAG_NAME, TAG_CITY] {
        if find(tag).is_none() {
            return Err(fail(Some(tag), payload.len(), DecodeErrorKind::Missing));
        }
    }
    let currency = value_of(TAG_CURRENCY).unwrap_or_default();
    if amount.is_some()
        && currency != RUPIAH
        && let Some(e) = find(TAG_CURRENCY)
    {
        return Err(fail(Some(TAG_CURRENCY), e.value_offset, DecodeErrorKind::AmountNotRupiah));
    }
    let country = value_of(TAG_COUNTRY).unwrap_or_default();
    let postal_code = value_of(TAG_POSTAL_CODE);
    if country == INDONESIA && postal_code.is_none() {
        return Err(fail(Some(TAG_POSTAL_CODE), payload.len(), DecodeErrorKind::Missing));
    }
    Ok(Qris {
        dynamic,
        nmid,
        merchant_criteria,
        mcc: value_of(TAG_MCC).unwrap_or_default(),
        currency,
        amount,
        country,
        merchant_name: value_of(TAG_NAME).unwrap_or_default(),
        merchant_city: value_of(TAG_CITY).unwrap_or_default(),
        postal_code,
        bill_number,
        tags: top.iter().map(|e| (e.tag, e.text())).collect(),
    })
}

fn hex_digit(byte: u8) -> Option<u16> {
    char::from(byte).to_digit(16).map(|d| d as u16)
}

fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// Splits `bytes` (at `base` in the payload) into elements: every tag and length two digits, every
/// length inside the bytes and not zero, every byte printable ASCII, no tag twice. `template` is the
/// tag whose value `bytes` is, when reading inside one.
fn elements(bytes: &[u8], base: usize, template: Option<u8>) -> Result<Vec<Element<'_>>, DecodeError> {
    let mut out = Vec::with_capacity(16);
    let mut seen = [false; 100];
    let mut pos = 0;
    while pos < bytes.len() {
        let fail = |tag: Option<u8>, at: usize, kind: DecodeErrorKind| {
            let (tag, sub_tag) = match template {
                Some(t) => (Some(t), tag),
                None => (tag, None),
            };
            DecodeError { tag, sub_tag, offset: base + at, kind }
        };
        let header = &bytes[pos..bytes.len().min(pos + 4)];
        if let Some(i) = header.iter().position(|&b| !is_printable(u32::from(b))) {
            let tag = if i >= 2 { two_digits(&header[..2]) } else { None };
            return Err(fail(tag, pos + i, DecodeErrorKind::NotPrintableAscii { byte: header[i] }));
        }
        if header.len() < 2 {
            return Err(fail(None, pos, DecodeErrorKind::Truncated));
        }
        let Some(tag) = two_digits(&header[..2]) else {
            return Err(fail(None, pos, DecodeErrorKind::TagNotDigits));
        };
        if header.len() < 4 {
            return Err(fail(Some(tag), pos, DecodeErrorKind::Truncated));
        }
        let Some(len) = two_digits(&header[2..4]).map(usize::from) else {
            return Err(fail(Some(tag), pos + 2, DecodeErrorKind::LengthNotDigits));
        };
        if len == 0 {
            return Err(fail(Some(tag), pos + 2, DecodeErrorKind::LengthZero));
        }
        let start = pos + 4;
        let remaining = bytes.len() - start;
        if len > remaining {
            return Err(fail(Some(tag), pos + 2, DecodeErrorKind::LengthPastEnd { declared: len, remaining }));
        }
        let value = &bytes[start..start + len];
        if let Some(i) = value.iter().position(|&b| !is_printable(u32::from(b))) {
            return Err(fail(Some(tag), start + i, DecodeErrorKind::NotPrintableAscii { byte: value[i] }));
        }
        if std::mem::replace(&mut seen[usize::from(tag)], true) {
            return Err(fail(Some(tag), pos, DecodeErrorKind::DuplicateTag));
        }
        out.push(Element { tag, offset: base + pos, value_offset: base + start, value });
        pos = start + len;
    }
    Ok(out)
}

/// Tag 54: up to 13 characters, digits with an optional point and one or two decimals. Rupiah are
/// whole, so the decimals must be zero; and a bill is never free.
fn parse_amount(value: &[u8]) -> Result<Rupiah, DecodeErrorKind> {
    if value.len() > 13 {
        return Err(DecodeErrorKind::AmountTooLong);
    }
    let (whole, fraction) = match value.iter().position(|&b| b == b'.') {
        Some(point) => (&value[..point], Some(&value[point + 1..])),
        None => (value, None),
    };
    let is_number = |digits: &[u8]| !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
    if !is_number(whole) || fraction.is_some_and(|f| !is_number(f) || f.len() > 2) {
        return Err(DecodeErrorKind::AmountNotNumber);
    }
    if fraction.is_some_and(|f| f.iter().any(|&b| b != b'0')) {
        return Err(DecodeErrorKind::AmountFraction);
    }
    let rupiah = whole.iter().fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    if rupiah == 0 {
        return Err(DecodeErrorKind::AmountZero);
    }
    Ok(Rupiah(rupiah))
}

#[cfg(test)]
mod tests;
