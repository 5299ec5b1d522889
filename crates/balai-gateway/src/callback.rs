//! Balai's signed gateway callback.
//!
//! The gateway sends the raw JSON body with a header
//! `Balai-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256 of "<t>.<raw body>">`.
//! Several `v1=` values may appear while a secret is being rotated; one match is enough. Other keys
//! (a future `v2=`) are ignored. The timestamp must be within [`TOLERANCE_SECONDS`] of now, so a
//! captured callback cannot be replayed later; replays inside the window are harmless because paying
//! an invoice is idempotent on the transaction id.

use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Balai-Signature";
/// How far the signed time may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 300;
/// Longest header read; a longer one is refused before any parsing.
pub const MAX_HEADER_LEN: usize = 1024;
/// Most `v1=` values considered (one per secret during a rotation).
pub const MAX_SIGNATURES: usize = 4;
/// Largest amount a notification may carry, in rupiah (ten trillion).
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

type HmacSha256 = Hmac<Sha256>;

/// Why a callback was not accepted. The three cases are told apart for logs and metrics; the gateway
/// only ever sees a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CallbackAuthError {
    #[error("the signature header is missing a part or is not in the t=…,v1=… form")]
    Malformed,
    #[error("the signed time is more than five minutes from now")]
    Stale,
    #[error("no signature matches the body")]
    BadSignature,
}

fn mac(secret: &[u8], unix_seconds: i64, raw_body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(raw_body);
    mac
}

/// The header value for `raw_body` signed at `unix_seconds` (what the gateway, or the mock gateway,
/// sends).
pub fn sign(secret: &[u8], unix_seconds: i64, raw_body: &[u8]) -> String {
    let tag = mac(secret, unix_seconds, raw_body).finalize().into_bytes();
    format!("t={unix_seconds},v1={}", hex::encode(tag))
}

struct Parsed {
    t: i64,
    signatures: Vec<[u8; 32]>,
}

fn parse(header: &str) -> Result<Parsed, CallbackAuthError> {
    use CallbackAuthError::Malformed;
    if header.len() > MAX_HEADER_LEN {
        return Err(Malformed);
    }
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(Malformed)?;
        match key {
            "t" => {
                // Digits only (no sign, no spaces), at most 12 of them: seconds until the year 33658.
                if t.is_some() || value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Malformed);
                }
                t = Some(value.parse::<i64>().map_err(|_| Malformed)?);
            }
            "v1" => {
                let mut tag = [0u8; 32];
                hex::decode_to_slice(value, &mut tag).map_err(|_| Malformed)?;
                if signatures.len() == MAX_SIGNATURES {
                    return Err(Malformed);
                }
                signatures.push(tag);
            }
            _ => {}
        }
    }
    match t {
        Some(t) if !signatures.is_empty() => Ok(Parsed { t, signatures }),
        _ => Err(Malformed),
    }
}

/// Checks a callback: the header's form, then the signatures (in constant time), then the time. A
/// stale callback is reported as [`CallbackAuthError::Stale`] only when it is authentic.
pub fn verify(secret: &[u8], header: &str, raw_body: &[u8], now_unix: i64) -> Result<(), CallbackAuthError> {
    let parsed = parse(header)?;
    let expected = mac(secret, parsed.t, raw_body);
    let matched = parsed.signatures.iter().any(|tag| expected.clone().verify_slice(tag).is_ok());
    if !matched {
        return Err(CallbackAuthError::BadSignature);
    }
    if now_unix.abs_diff(parsed.t) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(CallbackAuthError::Stale);
    }
    Ok(())
}

/// What the payment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    Paid,
    Failed,
}

/// How the citizen paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Qris,
    Va,
}

/// The callback's JSON body. Unknown fields are accepted (gateways add their own); the known ones
/// are bounded by [`Notification::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The gateway's id for the payment; paying twice with the same id is the same payment.
    pub transaction_id: String,
    /// The invoice's bill number (digits).
    pub bill_number: String,
    /// Whole rupiah.
    pub amount: i64,
    pub status: NotificationStatus,
    /// RFC 3339 with an offset.
    pub paid_at: DateTime<FixedOffset>,
    pub channel: Channel,
}

impl Notification {
    /// Bounds on the fields, each failure named by its field: `transaction_id` 1–64 printable ASCII
    /// characters without spaces, `bill_number` 1–20 digits, `amount` 1 to ten trillion rupiah.
    pub fn validate(&self) -> Result<(), Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let id = &self.transaction_id;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_graphic()) {
            problems.push(("transaction_id", "must be 1 to 64 printable ASCII characters without spaces".to_owned()));
        }
        let bill = &self.bill_number;
        if bill.is_empty() || bill.len() > 20 || !bill.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(("bill_number", "must be 1 to 20 digits".to_owned()));
        }
        if !(1..=MAX_AMOUNT).contains(&self.amount) {
            problems.push(("amount", format!("must be a whole number of rupiah from 1 to {MAX_AMOUNT}")));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec-test-0001";
    const BODY: &[u8] = br#"{"amount":150000}"#;
    const T: i64 = 1_796_439_600;
    // python3: hmac.new(b"whsec-test-0001", b'1796439600.{"amount":150000}', hashlib.sha256).hexdigest()
    const TAG: &str = "93b711eca472d6cbcc7226b8163b400a2b626c5a34443bd98214cb36898f6078";

    #[test]
    fn sign_matches_an_independent_hmac() {
        assert_eq!(sign(SECRET, T, BODY), format!("t={T},v1={TAG}"));
    }

    #[test]
    fn verify_accepts_its_own_signature_within_the_window() {
        let header = sign(SECRET, T, BODY);
        assert_eq!(verify(SECRET, &header, BODY, T), Ok(()));
        assert_eq!(verify(SECRET, &header, BODY, T + 300), Ok(()));
        assert_eq!(verify(SECRET, &header, BODY, T - 300), Ok(()));
        assert_eq!(verify(SECRET, &format!(" t={T} , v1={TAG} "), BODY, T), Ok(()));
    }

    #[test]
    fn verify_refuses_a_stale_or_future_time() {
        let header = sign(SECRET, T, BODY);
        assert_eq!(verify(SECRET, &header, BODY, T + 301), Err(CallbackAuthError::Stale));
        assert_eq!(verify(SECRET, &header, BODY, T - 301), Err(CallbackAuthError::Stale));
        assert_eq!(verify(SECRET, &header, BODY, i64::MIN), Err(CallbackAuthError::Stale));
    }

    #[test]
    fn verify_refuses_a_changed_body_secret_or_time() {
        let header = sign(SECRET, T, BODY);
        assert_eq!(verify(SECRET, &header, br#"{"amount":150001}"#, T), Err(CallbackAuthError::BadSignature));
        assert_eq!(verify(b"another secret", &header, BODY, T), Err(CallbackAuthError::BadSignature));
        let moved = format!("t={},v1={TAG}", T + 1);
        assert_eq!(verify(SECRET, &moved, BODY, T), Err(CallbackAuthError::BadSignature));
        let upper = format!("t={T},v1={}", TAG.to_uppercase());
        assert_eq!(verify(SECRET, &upper, BODY, T), Ok(()), "hex is case-insensitive on input");
    }

    #[test]
    fn any_of_several_signatures_may_match_during_a_rotation() {
        let old = sign(b"old secret", T, BODY);
        let old_tag = old.split("v1=").nth(1).unwrap();
        let header = format!("t={T},v1={old_tag},v1={TAG},v0=ignored");
        assert_eq!(verify(SECRET, &header, BODY, T), Ok(()));
        assert_eq!(verify(b"old secret", &header, BODY, T), Ok(()));
        assert_eq!(verify(b"third", &header, BODY, T), Err(CallbackAuthError::BadSignature));
    }

    #[test]
    fn malformed_headers_are_refused() {
        let too_many = format!("t={T}{}", format!(",v1={TAG}").repeat(MAX_SIGNATURES + 1));
        for header in [
            "",
            "t=1796439600",
            &format!("v1={TAG}"),
            &format!("t=,v1={TAG}"),
            &format!("t=-5,v1={TAG}"),
            &format!("t=+5,v1={TAG}"),
            &format!("t=1234567890123,v1={TAG}"),
            &format!("t={T},t={T},v1={TAG}"),
            &format!("t={T},v1={}", &TAG[..63]),
            &format!("t={T},v1={}zz", &TAG[..62]),
            &format!("t={T};v1={TAG}"),
            &format!("t={T},v1"),
            &too_many,
            &format!("t={T},v1={TAG},x={}", "a".repeat(MAX_HEADER_LEN)),
        ] {
            assert_eq!(verify(SECRET, header, BODY, T), Err(CallbackAuthError::Malformed), "{header:?}");
        }
    }

    fn notification() -> Notification {
        Notification {
            transaction_id: "gw-20261205-0001".into(),
            bill_number: "2026120500001".into(),
            amount: 150_000,
            status: NotificationStatus::Paid,
            paid_at: DateTime::parse_from_rfc3339("2026-12-05T10:00:00+07:00").unwrap(),
            channel: Channel::Qris,
        }
    }

    #[test]
    fn a_notification_round_trips_and_tolerates_extra_fields() {
        let body = r#"{"transaction_id":"gw-20261205-0001","bill_number":"2026120500001","amount":150000,
            "status":"paid","paid_at":"2026-12-05T10:00:00+07:00","channel":"qris","issuer":"Bank X","fee":700}"#;
        let parsed: Notification = serde_json::from_str(body).unwrap();
        assert_eq!(parsed, notification());
        assert_eq!(parsed.validate(), Ok(()));
        let written = serde_json::to_string(&parsed).unwrap();
        assert!(written.contains(r#""paid_at":"2026-12-05T10:00:00+07:00""#), "{written}");
        assert!(written.contains(r#""status":"paid""#) && written.contains(r#""channel":"qris""#), "{written}");
        assert_eq!(serde_json::from_str::<Notification>(&written).unwrap(), parsed);
    }

    #[test]
    fn a_notification_with_unknown_status_channel_or_bad_time_does_not_parse() {
        let good = serde_json::to_value(notification()).unwrap();
        for (field, value) in [
            ("status", "settled"),
            ("channel", "card"),
            ("paid_at", "2026-12-05 10:00"),
            ("paid_at", "2026-12-05T10:00:00"),
        ] {
            let mut v = good.clone();
            v[field] = value.into();
            assert!(serde_json::from_value::<Notification>(v).is_err(), "{field}={value}");
        }
        let mut v = good.clone();
        v["amount"] = "150000".into();
        assert!(serde_json::from_value::<Notification>(v).is_err(), "amount as a string");
    }

    #[test]
    fn validate_names_each_field_out_of_bounds() {
        let mut n = notification();
        n.transaction_id = "a".repeat(64);
        n.bill_number = "9".repeat(20);
        n.amount = MAX_AMOUNT;
        assert_eq!(n.validate(), Ok(()));

        let fields = |n: &Notification| n.validate().unwrap_err().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        for (id, bill, amount) in [
            ("", "", 0),
            (&*"a".repeat(65), &*"1".repeat(21), MAX_AMOUNT + 1),
            ("has space", "12a4", -150_000),
            ("tab\there", "١٢٣", i64::MIN),
            ("ünïcode", " 123", 0),
        ] {
            let mut n = notification();
            n.transaction_id = id.into();
            n.bill_number = bill.into();
            n.amount = amount;
            assert_eq!(fields(&n), ["transaction_id", "bill_number", "amount"], "{id:?} {bill:?} {amount}");
        }
    }
}
