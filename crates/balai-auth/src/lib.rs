//! Credential crypto shared by the web edge and the binary: Argon2id password hashes and RFC 6238
//! second-factor codes. Kept out of the pure domain (it needs randomness and heavy crypto crates) and
//! out of the web crate (so the binary hashes a demo password without reaching into the edge).

pub mod password;
pub mod totp;

pub use password::{hash_password, verify_password};
