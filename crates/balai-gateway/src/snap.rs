//! Bank Indonesia's SNAP (Standar Nasional Open API Pembayaran), the parts a biller needs to answer a
//! bank for virtual-account payments:
//!
//! - **Access token (service 73)**: the bank signs `clientId|X-TIMESTAMP` with its RSA key
//!   (PKCS#1 v1.5, SHA-256); the biller checks it against the public key the bank registered and
//!   issues a Bearer token valid for 900 seconds.
//! - **Transaction calls (inquiry 24, payment 25)**: `X-SIGNATURE` is base64 HMAC-SHA512, keyed by
//!   the client secret, over
//!   `METHOD:PATH:ACCESS_TOKEN:lower-hex(SHA-256(minified body)):X-TIMESTAMP`.
//! - **Response codes**: seven digits, HTTP status (3) + service code (2) + case (2).
//! - **Amounts**: strings with two decimals (`"150000.00"`), currency `"IDR"`; Balai deals in whole
//!   rupiah only.
//! - **Virtual account numbers**: `partnerServiceId` (8 characters, left-padded with spaces) followed
//!   by `customerNo`, which here is the invoice's bill number.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use thiserror::Error;

/// The key types, so callers need no RSA dependency of their own.
pub use rsa::{RsaPrivateKey, RsaPublicKey};

/// How long an access token lives, in seconds (SNAP's `expiresIn` default).
pub const TOKEN_LIFETIME_SECONDS: i64 = 900;
/// How far `X-TIMESTAMP` may be from now, either way.
pub const TIMESTAMP_TOLERANCE_SECONDS: i64 = 300;
/// Largest amount accepted or written, in rupiah (ten trillion).
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;
/// Length of `partnerServiceId` on the wire.
pub const PARTNER_SERVICE_ID_LEN: usize = 8;
/// Longest `customerNo` (bill number).
pub const MAX_CUSTOMER_NO_LEN: usize = 20;
/// The only currency.
pub const CURRENCY: &str = "IDR";
/// The only grant type of the B2B access token.
pub const GRANT_TYPE: &str = "client_credentials";
/// The token type of the B2B access token.
pub const TOKEN_TYPE: &str = "Bearer";

const MAX_PEM_LEN: usize = 16 * 1024;
const MIN_KEY_BITS: usize = 2048;
// A 4096-bit RSA signature is 512 bytes: 684 base64 characters.
const MAX_RSA_SIGNATURE_B64_LEN: usize = 700;
// An HMAC-SHA512 tag is 64 bytes: 88 base64 characters.
const HMAC_SIGNATURE_B64_LEN: usize = 88;
const MAX_TIMESTAMP_LEN: usize = 35;

type HmacSha512 = Hmac<Sha512>;

/// A SNAP check that failed. Each maps to one response code at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SnapError {
    #[error("not a PEM RSA public key of at least 2048 bits")]
    InvalidKey,
    #[error("the signature is not valid base64 of the right length, or does not match")]
    BadSignature,
    #[error("the body is not valid JSON")]
    InvalidJson,
    #[error("the timestamp is not ISO 8601 with an offset (2026-12-05T10:00:00+07:00)")]
    InvalidTimestamp,
    #[error("the amount is not a whole number of rupiah with two decimals, within bounds")]
    InvalidAmount,
    #[error("the currency is not IDR")]
    InvalidCurrency,
    #[error("the virtual account number does not belong to this partner service id or has no bill number")]
    InvalidVirtualAccount,
}

// ---------------------------------------------------------------------------------------------------
// Access token: asymmetric signature

/// Reads the bank's public key: SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`), at
/// least 2048 bits.
pub fn parse_public_key_pem(pem: &str) -> Result<RsaPublicKey, SnapError> {
    if pem.len() > MAX_PEM_LEN {
        return Err(SnapError::InvalidKey);
    }
    let pem = pem.trim();
    let key = if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
        RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| SnapError::InvalidKey)?
    } else {
        RsaPublicKey::from_public_key_pem(pem).map_err(|_| SnapError::InvalidKey)?
    };
    if key.size() * 8 < MIN_KEY_BITS {
        return Err(SnapError::InvalidKey);
    }
    Ok(key)
}

/// Reads a private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`): the
/// stand-in bank's, in tests and benchmarks.
pub fn parse_private_key_pem(pem: &str) -> Result<RsaPrivateKey, SnapError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let pem = pem.trim();
    if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| SnapError::InvalidKey)
    } else {
        RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| SnapError::InvalidKey)
    }
}

fn access_token_message(client_id: &str, timestamp: &str) -> String {
    format!("{client_id}|{timestamp}")
}

/// Checks `X-SIGNATURE` of an access-token request: RSA PKCS#1 v1.5 with SHA-256 over
/// `clientId|timestamp`, base64.
pub fn verify_access_token_signature(
    key: &RsaPublicKey,
    client_id: &str,
    timestamp: &str,
    signature_b64: &str,
) -> Result<(), SnapError> {
    if signature_b64.len() > MAX_RSA_SIGNATURE_B64_LEN {
        return Err(SnapError::BadSignature);
    }
    let bytes = BASE64.decode(signature_b64).map_err(|_| SnapError::BadSignature)?;
    let signature = Signature::try_from(bytes.as_slice()).map_err(|_| SnapError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(access_token_message(client_id, timestamp).as_bytes(), &signature)
        .map_err(|_| SnapError::BadSignature)
}

/// The bank's side of the access-token request: the base64 `X-SIGNATURE`. For the stand-in bank of
/// tests and benchmarks; Balai itself never holds a bank's private key.
pub fn sign_access_token_request(key: &RsaPrivateKey, client_id: &str, timestamp: &str) -> String {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(access_token_message(client_id, timestamp).as_bytes());
    BASE64.encode(signature.to_bytes())
}

// ---------------------------------------------------------------------------------------------------
// Transaction calls: symmetric signature

/// The body with every space, tab and line break outside strings removed, keys in their order.
/// Refuses anything that is not one valid JSON value.
pub fn minify_json(body: &[u8]) -> Result<String, SnapError> {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(|_| SnapError::InvalidJson)?;
    let mut out = Vec::with_capacity(body.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
        }
    }
    // The input was valid JSON, hence UTF-8, and only ASCII whitespace was removed.
    String::from_utf8(out).map_err(|_| SnapError::InvalidJson)
}

/// `METHOD:PATH:ACCESS_TOKEN:lower-hex(SHA-256(minified body)):TIMESTAMP`. An empty body (a GET)
/// hashes as the empty string; any other body must be valid JSON.
pub fn transaction_string_to_sign(
    method: &str,
    path: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> Result<String, SnapError> {
    let minified = if body.is_empty() { String::new() } else { minify_json(body)? };
    let digest = hex::encode(Sha256::digest(minified.as_bytes()));
    Ok(format!("{method}:{path}:{access_token}:{digest}:{timestamp}"))
}

fn transaction_mac(
    client_secret: &[u8],
    method: &str,
    path: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> Result<HmacSha512, SnapError> {
    let text = transaction_string_to_sign(method, path, access_token, body, timestamp)?;
    let mut mac = HmacSha512::new_from_slice(client_secret).expect("HMAC accepts a key of any length");
    mac.update(text.as_bytes());
    Ok(mac)
}

/// The base64 HMAC-SHA512 `X-SIGNATURE` of a transaction call (what the bank sends).
pub fn transaction_signature(
    client_secret: &[u8],
    method: &str,
    path: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> Result<String, SnapError> {
    let mac = transaction_mac(client_secret, method, path, access_token, body, timestamp)?;
    Ok(BASE64.encode(mac.finalize().into_bytes()))
}

/// Checks a transaction call's `X-SIGNATURE`, comparing in constant time. A body that is not JSON
/// is [`SnapError::InvalidJson`]; anything else that does not match is [`SnapError::BadSignature`].
pub fn verify_transaction_signature(
    client_secret: &[u8],
    method: &str,
    path: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> Result<(), SnapError> {
    let mac = transaction_mac(client_secret, method, path, access_token, body, timestamp)?;
    if signature_b64.len() != HMAC_SIGNATURE_B64_LEN {
        return Err(SnapError::BadSignature);
    }
    let tag = BASE64.decode(signature_b64).map_err(|_| SnapError::BadSignature)?;
    mac.verify_slice(&tag).map_err(|_| SnapError::BadSignature)
}

/// Reads `X-TIMESTAMP` (and the bodies' date-times): ISO 8601 with an offset, such as
/// `2026-12-05T10:00:00+07:00`, fractions of a second allowed.
pub fn parse_timestamp(s: &str) -> Result<DateTime<FixedOffset>, SnapError> {
    if s.len() > MAX_TIMESTAMP_LEN {
        return Err(SnapError::InvalidTimestamp);
    }
    DateTime::parse_from_rfc3339(s).map_err(|_| SnapError::InvalidTimestamp)
}

/// Whether a parsed timestamp is within [`TIMESTAMP_TOLERANCE_SECONDS`] of `now_unix`.
pub fn timestamp_is_fresh(timestamp: DateTime<FixedOffset>, now_unix: i64) -> bool {
    timestamp.timestamp().abs_diff(now_unix) <= TIMESTAMP_TOLERANCE_SECONDS.unsigned_abs()
}

// ---------------------------------------------------------------------------------------------------
// Amounts and virtual account numbers

/// Whole rupiah as SNAP writes them: `150000` → `"150000.00"`.
pub fn format_amount(rupiah: i64) -> String {
    format!("{rupiah}.00")
}

/// SNAP's amount string as whole rupiah: digits, optionally a point and one or two zeros;
/// 1 to [`MAX_AMOUNT`]. `"150000.50"` (a fraction of a rupiah) is refused.
pub fn parse_amount(value: &str) -> Result<i64, SnapError> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = if value.contains('.') { matches!(fraction, "0" | "00") } else { true };
    if whole.is_empty() || whole.len() > 14 || !digits(whole) || !fraction_ok {
        return Err(SnapError::InvalidAmount);
    }
    let rupiah: i64 = whole.parse().map_err(|_| SnapError::InvalidAmount)?;
    if !(1..=MAX_AMOUNT).contains(&rupiah) {
        return Err(SnapError::InvalidAmount);
    }
    Ok(rupiah)
}

/// `partnerServiceId` as SNAP sends it: left-padded with spaces to eight characters.
pub fn padded_partner_service_id(partner_service_id: &str) -> String {
    format!("{:>width$}", partner_service_id.trim(), width = PARTNER_SERVICE_ID_LEN)
}

/// The virtual account number of a bill: the padded `partnerServiceId` followed by the bill number
/// (`customerNo`).
pub fn virtual_account_number(partner_service_id: &str, bill_number: &str) -> String {
    format!("{}{bill_number}", padded_partner_service_id(partner_service_id))
}

/// The bill number inside a virtual account number, if it belongs to `partner_service_id`. Banks
/// that drop the leading spaces are understood too. The bill number must be 1 to 20 digits.
pub fn bill_number_of_virtual_account<'a>(
    partner_service_id: &str,
    virtual_account_no: &'a str,
) -> Result<&'a str, SnapError> {
    let prefix = partner_service_id.trim();
    let rest =
        virtual_account_no.trim_start_matches(' ').strip_prefix(prefix).ok_or(SnapError::InvalidVirtualAccount)?;
    if prefix.is_empty()
        || rest.is_empty()
        || rest.len() > MAX_CUSTOMER_NO_LEN
        || !rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(SnapError::InvalidVirtualAccount);
    }
    Ok(rest)
}

// ---------------------------------------------------------------------------------------------------
// Response codes

/// The SNAP services Balai answers, with their service codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `POST /v1.0/access-token/b2b`
    Token = 73,
    /// `POST /v1.0/transfer-va/inquiry`
    Inquiry = 24,
    /// `POST /v1.0/transfer-va/payment`
    Payment = 25,
}

impl Service {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A response code: HTTP status (3 digits) + service (2) + case (2), e.g. `2002400`.
pub fn response_code(http: u16, service: Service, case: &str) -> String {
    format!("{http:03}{:02}{case}", service.code())
}

/// The outcomes Balai answers with. Each has its HTTP status, its case and SNAP's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapOutcome {
    /// 200xx00
    Successful,
    /// 400xx01: a field has the wrong form (a header, the amount, the JSON).
    InvalidFieldFormat,
    /// 400xx02: a mandatory field or header is missing.
    InvalidMandatoryField,
    /// 401xx00: the signature does not match.
    UnauthorizedSignature,
    /// 401xx00: the timestamp is too far from now.
    UnauthorizedTimestamp,
    /// 401xx00: unknown client key or partner id.
    UnauthorizedClient,
    /// 401xx00: the Bearer token is unknown or expired.
    UnauthorizedToken,
    /// 404xx12: no bill under that virtual account number.
    BillNotFound,
    /// 404xx13: the amount is not the bill's.
    InvalidAmount,
    /// 404xx14: the bill is already paid.
    PaidBill,
    /// 404xx19: the bill has expired.
    BillExpired,
    /// 409xx00: the `X-EXTERNAL-ID` was already used today.
    Conflict,
    /// 500xx00
    GeneralError,
}

impl SnapOutcome {
    pub fn http_status(self) -> u16 {
        use SnapOutcome::*;
        match self {
            Successful => 200,
            InvalidFieldFormat | InvalidMandatoryField => 400,
            UnauthorizedSignature | UnauthorizedTimestamp | UnauthorizedClient | UnauthorizedToken => 401,
            BillNotFound | InvalidAmount | PaidBill | BillExpired => 404,
            Conflict => 409,
            GeneralError => 500,
        }
    }

    pub fn case(self) -> &'static str {
        use SnapOutcome::*;
        match self {
            Successful => "00",
            InvalidFieldFormat => "01",
            InvalidMandatoryField => "02",
            UnauthorizedSignature | UnauthorizedTimestamp | UnauthorizedClient | UnauthorizedToken => "00",
            BillNotFound => "12",
            InvalidAmount => "13",
            PaidBill => "14",
            BillExpired => "19",
            Conflict => "00",
            GeneralError => "00",
        }
    }

    pub fn message(self) -> &'static str {
        use SnapOutcome::*;
        match self {
            Successful => "Successful",
            InvalidFieldFormat => "Invalid Field Format",
            InvalidMandatoryField => "Invalid Mandatory Field",
            UnauthorizedSignature => "Unauthorized. [Signature]",
            UnauthorizedTimestamp => "Unauthorized. [Timestamp]",
            UnauthorizedClient => "Unauthorized. [Unknown client]",
            UnauthorizedToken => "Unauthorized. [Token]",
            BillNotFound => "Invalid Bill/Virtual Account [Not Found]",
            InvalidAmount => "Invalid Amount",
            PaidBill => "Paid Bill",
            BillExpired => "Invalid Bill/Virtual Account [Expired]",
            Conflict => "Conflict",
            GeneralError => "General Error",
        }
    }

    /// The seven-digit response code for `service`.
    pub fn code(self, service: Service) -> String {
        response_code(self.http_status(), service, self.case())
    }
}

// ---------------------------------------------------------------------------------------------------
// Wire types (field names as SNAP spells them)

/// `{"value": "150000.00", "currency": "IDR"}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub value: String,
    pub currency: String,
}

impl Amount {
    pub fn idr(rupiah: i64) -> Self {
        Amount { value: format_amount(rupiah), currency: CURRENCY.to_owned() }
    }

    /// Whole rupiah, refusing another currency or a malformed value.
    pub fn rupiah(&self) -> Result<i64, SnapError> {
        if self.currency != CURRENCY {
            return Err(SnapError::InvalidCurrency);
        }
        parse_amount(&self.value)
    }
}

/// A reason in both languages (`inquiryReason`, `paymentFlagReason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub english: String,
    pub indonesia: String,
}

impl Reason {
    pub fn new(english: &str, indonesia: &str) -> Self {
        Reason { english: english.to_owned(), indonesia: indonesia.to_owned() }
    }
}

/// Body of `POST /v1.0/access-token/b2b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    pub grant_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
}

/// Answer to the access-token request; the token fields only on success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenResponse {
    pub response_code: String,
    pub response_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Seconds, as a string (`"900"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<String>,
}

impl AccessTokenResponse {
    pub fn granted(access_token: String) -> Self {
        AccessTokenResponse {
            response_code: SnapOutcome::Successful.code(Service::Token),
            response_message: SnapOutcome::Successful.message().to_owned(),
            access_token: Some(access_token),
            token_type: Some(TOKEN_TYPE.to_owned()),
            expires_in: Some(TOKEN_LIFETIME_SECONDS.to_string()),
        }
    }

    pub fn refused(outcome: SnapOutcome) -> Self {
        AccessTokenResponse {
            response_code: outcome.code(Service::Token),
            response_message: outcome.message().to_owned(),
            access_token: None,
            token_type: None,
            expires_in: None,
        }
    }
}

/// Body of `POST /v1.0/transfer-va/inquiry` (the bank asks what a virtual account is for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRequest {
    pub partner_service_id: String,
    pub customer_no: String,
    pub virtual_account_no: String,
    pub inquiry_request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trx_date_init: Option<String>,
    /// The bank's channel (ISO 18245 merchant category, e.g. 6011); numeric or string on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_bank_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
}

/// `virtualAccountData` of the inquiry answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryData {
    /// `"00"` the bill may be paid, `"01"` it may not.
    pub inquiry_status: String,
    pub inquiry_reason: Reason,
    pub partner_service_id: String,
    pub customer_no: String,
    pub virtual_account_no: String,
    /// What is being paid (the service), never the citizen's name.
    pub virtual_account_name: String,
    pub inquiry_request_id: String,
    pub total_amount: Amount,
    /// `"C"`: closed payment, exactly the bill's amount.
    pub virtual_account_trx_type: String,
    /// ISO 8601 with offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_date: Option<String>,
}

/// Answer to the inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryResponse {
    pub response_code: String,
    pub response_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account_data: Option<InquiryData>,
}

/// Body of `POST /v1.0/transfer-va/payment` (the bank says the citizen paid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    pub partner_service_id: String,
    pub customer_no: String,
    pub virtual_account_no: String,
    /// The bank's id of this payment; a repeat of the same id is the same payment.
    pub payment_request_id: String,
    pub paid_amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inquiry_request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Amount>,
    /// ISO 8601 with offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trx_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_bank_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_advise: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
}

/// `virtualAccountData` of the payment answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentData {
    /// `"00"` accepted.
    pub payment_flag_status: String,
    pub payment_flag_reason: Reason,
    pub partner_service_id: String,
    pub customer_no: String,
    pub virtual_account_no: String,
    pub virtual_account_name: String,
    pub payment_request_id: String,
    pub paid_amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trx_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_no: Option<String>,
}

/// Answer to the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResponse {
    pub response_code: String,
    pub response_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account_data: Option<PaymentData>,
}

/// The body of any refusal: code and message only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub response_code: String,
    pub response_message: String,
}

impl ErrorResponse {
    pub fn new(outcome: SnapOutcome, service: Service) -> Self {
        ErrorResponse { response_code: outcome.code(service), response_message: outcome.message().to_owned() }
    }
}

#[cfg(test)]
mod tests;
