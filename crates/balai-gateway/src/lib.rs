//! The payment protocols' cryptography and wire types, kept apart from I/O and storage:
//!
//! - [`callback`]: the signed callback a payment gateway sends Balai when a QRIS or virtual-account
//!   payment settles (`Balai-Signature: t=…,v1=…`, HMAC-SHA256, five minutes' tolerance), and the
//!   notification it carries.
//! - [`snap`]: Bank Indonesia's SNAP (Standar Nasional Open API Pembayaran) as a biller answers a
//!   bank: the B2B access token signed with the bank's RSA key, the symmetric HMAC-SHA512 signature
//!   of each transaction call, the transfer-va inquiry and payment bodies, and the response codes.
//!
//! Nothing here reads a clock, a socket or a database: callers pass the time and the bytes.

pub mod callback;
pub mod snap;
