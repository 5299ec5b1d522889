//! RFC 6238 codes: SHA-1, 6 digits, 30-second steps, one step of clock drift either way.

use totp_rs::{Builder, Secret, Totp};

/// A new 160-bit secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    Secret::from(bytes).to_base32()
}

fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new().with_secret(secret).with_account_name(account).with_issuer(Some("Balai")).build().ok()
}

/// The `otpauth://` URI an authenticator app reads.
pub fn enrolment_uri(secret_base32: &str, account: &str) -> Option<String> {
    totp(secret_base32, account)?.to_url().ok()
}

/// The time step the code is valid for at `unix_seconds`, if it is valid.
pub fn check(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<u64> {
    totp(secret_base32, "-")?.check(code.trim(), unix_seconds)
}

/// The code for a moment (for tests and for the demo's own checks).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret_base32, "-")?.generate(unix_seconds).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_the_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits there; 6 here are its last six.
        let secret = Secret::from(*b"12345678901234567890").to_base32();
        for (time, eight) in
            [(59u64, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")]
        {
            assert_eq!(code_at(&secret, time).unwrap(), eight[2..], "{time}");
            assert_eq!(check(&secret, &eight[2..], time), Some(time / 30));
        }
        assert_eq!(check(&secret, "94287082"[2..].as_ref(), 59 + 30), Some(1), "one step of drift is accepted");
        assert_eq!(check(&secret, "94287082"[2..].as_ref(), 59 + 90), None, "three steps later it is not");
        let fresh = new_secret();
        assert_eq!(fresh.len(), 32);
        assert!(enrolment_uri(&fresh, "admin").unwrap().starts_with("otpauth://totp/Balai:admin?secret="));
    }
}
