//! Sealing personal data at rest, and keyed hashes to look it up.
//!
//! One 32-byte master key (a file in the data directory, or from config) derives two keys: one seals
//! values with XChaCha20-Poly1305 (random 192-bit nonces, so no counter has to be kept across nodes),
//! the other makes HMAC-SHA-256 lookup hashes. Each sealed value is bound to its column by the
//! associated data, so a ciphertext copied into another column does not open.
//!
//! Sealed text is `v1:` + base64(nonce ‖ ciphertext); the prefix names the format. A new master key
//! replaces the old one wholesale ([`super::rotation`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "v1:";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the personal-data key must be 32 bytes (base64 in the key file), found {0}")]
    BadKeyLength(usize),
    #[error("the personal-data key file is not base64")]
    BadKeyEncoding,
    #[error("a sealed value in column {0} does not open with this key (wrong key, or altered)")]
    Unsealable(String),
}

/// The personal-data keys. `Debug` shows nothing of them.
#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

fn derive(master: &[u8; 32], purpose: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

impl Vault {
    pub fn from_master(master: &[u8; 32]) -> Vault {
        let seal_key = derive(master, b"balai personal data seal v1");
        Vault {
            cipher: XChaCha20Poly1305::new(&seal_key.into()),
            lookup_key: derive(master, b"balai personal data lookup v1"),
        }
    }

    /// A new random master key, as the base64 text a key file holds.
    pub fn generate_master_text() -> String {
        let master: [u8; 32] = rand::random();
        STANDARD.encode(master)
    }

    /// Reads the base64 text of a key file.
    pub fn from_master_text(text: &str) -> Result<Vault, VaultError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| VaultError::BadKeyEncoding)?;
        let master: [u8; 32] = bytes.as_slice().try_into().map_err(|_| VaultError::BadKeyLength(bytes.len()))?;
        Ok(Vault::from_master(&master))
    }

    /// Seals `plaintext` for `column` (e.g. `citizens.nik`).
    pub fn seal(&self, column: &'static str, plaintext: &str) -> String {
        let nonce: [u8; 24] = rand::random();
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: column.as_bytes() })
            .expect("XChaCha20-Poly1305 seals any input that fits in memory");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}", STANDARD.encode(bytes))
    }

    pub fn open(&self, column: &str, sealed: &str) -> Result<String, VaultError> {
        let bad = || VaultError::Unsealable(column.to_owned());
        let bytes = sealed.strip_prefix(PREFIX).and_then(|b| STANDARD.decode(b).ok()).ok_or_else(bad)?;
        if bytes.len() < 24 {
            return Err(bad());
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plaintext = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: column.as_bytes() })
            .map_err(|_| bad())?;
        String::from_utf8(plaintext).map_err(|_| bad())
    }

    pub fn open_optional(&self, column: &'static str, sealed: Option<&str>) -> Result<Option<String>, VaultError> {
        sealed.map(|s| self.open(column, s)).transpose()
    }

    /// A keyed hash for equality lookups (`kind` separates NIK, phone, client address …), hex.
    pub fn lookup_hash(&self, kind: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key).expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::from_master(&[7; 32])
    }

    #[test]
    fn sealed_values_open_only_in_their_own_column_with_the_same_key() {
        let v = vault();
        let sealed = v.seal("citizens.nik", "5371014101900001");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("5371014101900001"));
        assert_eq!(v.open("citizens.nik", &sealed).unwrap(), "5371014101900001");
        assert!(v.open("citizens.kk", &sealed).is_err(), "bound to its column");
        assert!(Vault::from_master(&[8; 32]).open("citizens.nik", &sealed).is_err(), "other key");
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(v.open("citizens.nik", &altered).is_err(), "altered ciphertext");
        assert_ne!(v.seal("citizens.nik", "x"), v.seal("citizens.nik", "x"), "random nonces");
    }

    #[test]
    fn lookup_hashes_are_keyed_and_separated_by_kind() {
        let v = vault();
        assert_eq!(v.lookup_hash("nik", "1"), v.lookup_hash("nik", "1"));
        assert_ne!(v.lookup_hash("nik", "1"), v.lookup_hash("phone", "1"));
        assert_ne!(v.lookup_hash("nik", "1"), Vault::from_master(&[8; 32]).lookup_hash("nik", "1"));
        assert_eq!(v.lookup_hash("nik", "1").len(), 64);
    }

    #[test]
    fn key_files_are_base64_of_32_bytes() {
        let text = Vault::generate_master_text();
        assert!(Vault::from_master_text(&text).is_ok());
        assert!(matches!(Vault::from_master_text("AAAA"), Err(VaultError::BadKeyLength(3))));
        assert!(matches!(Vault::from_master_text("not base64!"), Err(VaultError::BadKeyEncoding)));
    }
}
