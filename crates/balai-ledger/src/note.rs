//! C2SP signed notes with Ed25519 keys, compatible with `golang.org/x/mod/sumdb/note`.
//!
//! A signed note is the text (ending in a newline), a blank line, then lines
//! `— <key name> <base64(key ID || signature)>`. The key ID is the first four bytes of
//! `SHA-256(name || "\n" || 0x01 || public key)`.
//!
//! Key strings:
//! - verifier key (public, "vkey"): `<name>+<hex key ID>+<base64(0x01 || public key)>`
//! - signer key (secret, "skey"): `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::{CryptoRngCore, OsRng};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::checkpoint::{Checkpoint, CheckpointError};

/// Signature type byte of Ed25519 in the C2SP signed-note registry.
pub const ALG_ED25519: u8 = 0x01;

/// Upper bound on signature lines read from a note, as in the Go implementation
/// (the spec asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Prefix of every signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a key, a note or a signed checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Key names must be non-empty, without Unicode spaces or '+'.
    #[error("invalid key name {0:?}")]
    InvalidKeyName(String),
    /// A verifier key string is not `<name>+<8 hex>+<base64>`.
    #[error("malformed verifier key")]
    MalformedVerifierKey,
    /// A signer key string is not `PRIVATE+KEY+<name>+<8 hex>+<base64>`.
    #[error("malformed signer key")]
    MalformedSignerKey,
    /// The key is of a signature type other than Ed25519.
    #[error("unsupported key algorithm {0:#04x}")]
    UnsupportedAlgorithm(u8),
    /// The key ID in a key string is not the one derived from its name and public key.
    #[error("key ID {stated:08x} does not match the derived {derived:08x}")]
    KeyIdMismatch { stated: u32, derived: u32 },
    /// The 32 bytes are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// The note text is not signable: empty, no final newline, or a control character.
    #[error("note text must end with a newline and contain no control characters")]
    InvalidText,
    /// The signed note does not follow the format.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// A known key's signature does not verify: the note was altered or forged.
    #[error("invalid signature for key {name}+{key_id:08x}")]
    InvalidSignature { name: String, key_id: u32 },
    /// Two trusted verifiers share a name and key ID, so a signature is ambiguous.
    #[error("ambiguous key {name}+{key_id:08x}")]
    AmbiguousKey { name: String, key_id: u32 },
    /// No trusted key signed the note.
    #[error("note has no signature from a trusted key")]
    UnverifiedNote,
    /// The note body is not a valid checkpoint.
    #[error("invalid checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint is for another log.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    OriginMismatch { expected: String, found: String },
    /// The operating system could not provide randomness for a new key.
    #[error("no randomness for key generation: {0}")]
    Randomness(String),
}

/// Whether `name` may be a key name: non-empty, no Unicode whitespace, no '+'.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Key ID of an Ed25519 key: first four bytes of `SHA-256(name || "\n" || 0x01 || key)`.
pub fn key_id(name: &str, public_key: &VerifyingKey) -> u32 {
    key_id_of_encoded(name, &encoded_public_key(public_key))
}

fn encoded_public_key(public_key: &VerifyingKey) -> [u8; 33] {
    let mut encoded = [0u8; 33];
    encoded[0] = ALG_ED25519;
    encoded[1..].copy_from_slice(public_key.as_bytes());
    encoded
}

fn key_id_of_encoded(name: &str, encoded_key: &[u8]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update(encoded_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Splits at the first `sep`, like Go's `chop`: everything after belongs to the second part.
fn chop(s: &str, sep: char) -> (&str, &str) {
    s.split_once(sep).unwrap_or((s, ""))
}

/// Exactly eight hex digits, either case, as Go's parser accepts.
fn parse_key_id(hex: &str) -> Option<u32> {
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// Decodes `base64(0x01 || 32 bytes)`.
fn decode_typed_key(b64: &str, malformed: NoteError) -> Result<Zeroizing<[u8; 32]>, NoteError> {
    let raw = Zeroizing::new(STANDARD.decode(b64).map_err(|_| malformed.clone())?);
    let (&alg, key) = raw.split_first().ok_or(malformed.clone())?;
    if alg != ALG_ED25519 {
        return Err(NoteError::UnsupportedAlgorithm(alg));
    }
    let mut out = Zeroizing::new([0u8; 32]);
    if key.len() != out.len() {
        return Err(malformed);
    }
    out.copy_from_slice(key);
    Ok(out)
}

/// A trusted public key: checks signatures made by the matching [`NoteSigner`].
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        Ok(Self { name: name.to_owned(), key_id: key_id(name, &key), key })
    }

    /// Parses a verifier key string `<name>+<hex key ID>+<base64(0x01 || public key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let (name, rest) = chop(vkey, '+');
        let (hex, b64) = chop(rest, '+');
        if !is_valid_key_name(name) {
            return Err(NoteError::MalformedVerifierKey);
        }
        let stated = parse_key_id(hex).ok_or(NoteError::MalformedVerifierKey)?;
        let key_bytes = decode_typed_key(b64, NoteError::MalformedVerifierKey)?;
        let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| NoteError::InvalidPublicKey)?;
        let derived = key_id(name, &key);
        if stated != derived {
            return Err(NoteError::KeyIdMismatch { stated, derived });
        }
        Ok(Self { name: name.to_owned(), key_id: derived, key })
    }

    /// The verifier key string.
    pub fn to_vkey(&self) -> String {
        format!("{}+{:08x}+{}", self.name, self.key_id, STANDARD.encode(encoded_public_key(&self.key)))
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `signature` is this key's signature of `msg`.
    ///
    /// Uses strict verification (canonical encodings, no small-order keys) so that a
    /// signature cannot be malleated into a second valid one.
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature).is_ok_and(|sig| self.key.verify_strict(msg, &sig).is_ok())
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NoteVerifier").field(&self.to_vkey()).finish()
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_vkey())
    }
}

impl FromStr for NoteVerifier {
    type Err = NoteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_vkey(s)
    }
}

/// A log's secret signing key with its name. `Debug` never shows the secret.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl NoteSigner {
    /// A signer for `key` under `name`.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        Ok(Self { name: name.to_owned(), key_id: key_id(name, &key.verifying_key()), key })
    }

    /// A new random key from the operating system's generator.
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        Self::generate_with(name, &mut OsRng)
    }

    /// A new random key from `rng` (tests pass a seeded one).
    pub fn generate_with<R: CryptoRngCore + ?Sized>(name: &str, rng: &mut R) -> Result<Self, NoteError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.try_fill_bytes(seed.as_mut()).map_err(|err| NoteError::Randomness(err.to_string()))?;
        Self::new(name, SigningKey::from_bytes(&seed))
    }

    /// Parses a signer key string `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let (private, rest) = chop(skey, '+');
        let (key_word, rest) = chop(rest, '+');
        let (name, rest) = chop(rest, '+');
        let (hex, b64) = chop(rest, '+');
        if private != "PRIVATE" || key_word != "KEY" || !is_valid_key_name(name) {
            return Err(NoteError::MalformedSignerKey);
        }
        let stated = parse_key_id(hex).ok_or(NoteError::MalformedSignerKey)?;
        let seed = decode_typed_key(b64, NoteError::MalformedSignerKey)?;
        let signer = Self::new(name, SigningKey::from_bytes(&seed))?;
        if stated != signer.key_id {
            return Err(NoteError::KeyIdMismatch { stated, derived: signer.key_id });
        }
        Ok(signer)
    }

    /// The signer key string, for secret storage; wiped from memory when dropped.
    pub fn to_skey(&self) -> Zeroizing<String> {
        let mut encoded = Zeroizing::new([0u8; 33]);
        encoded[0] = ALG_ED25519;
        encoded[1..].copy_from_slice(self.key.as_bytes());
        let mut b64 = STANDARD.encode(encoded.as_slice());
        let skey = Zeroizing::new(format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.key_id, b64));
        b64.zeroize();
        skey
    }

    /// The matching verifier, to publish.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Raw Ed25519 signature of `msg` (deterministic, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }

    /// The signature line for `text`: `— <name> <base64(key ID || signature)>\n`.
    fn signature_line(&self, text: &str) -> String {
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&self.key_id.to_be_bytes());
        blob.extend_from_slice(&self.sign(text.as_bytes()));
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(blob))
    }
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID (big-endian first four bytes of the blob).
    pub key_id: u32,
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

/// An opened note: its text and which signatures were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, final newline included.
    pub text: String,
    /// Signatures by trusted keys, all verified.
    pub verified: Vec<NoteSignature>,
    /// Signatures by keys not among the trusted ones (e.g. witnesses), not checked.
    pub unverified: Vec<NoteSignature>,
}

fn check_text(text: &str) -> bool {
    text.ends_with('\n') && !text.chars().any(|c| c < '\u{20}' && c != '\n')
}

/// Signs `text` with every signer, producing the signed note.
pub fn sign_note(text: &str, signers: &[&NoteSigner]) -> Result<String, NoteError> {
    if !check_text(text) {
        return Err(NoteError::InvalidText);
    }
    let mut note = String::with_capacity(text.len() + 1 + signers.len() * 120);
    note.push_str(text);
    note.push('\n');
    for signer in signers {
        note.push_str(&signer.signature_line(text));
    }
    Ok(note)
}

/// Opens a signed note: checks the format strictly, verifies every signature by a trusted
/// key, ignores the others, and fails unless at least one trusted key signed.
///
/// Any failing signature by a trusted key rejects the whole note, as the spec recommends.
pub fn open_note(msg: &str, trusted: &[NoteVerifier]) -> Result<Note, NoteError> {
    if msg.chars().any(|c| c < '\u{20}' && c != '\n') {
        return Err(NoteError::MalformedNote("control character"));
    }
    // The text is separated from the signatures by the last blank line.
    let split = msg.rfind("\n\n").ok_or(NoteError::MalformedNote("no blank line before signatures"))?;
    let (text, sigs) = (&msg[..=split], &msg[split + 2..]);
    let sigs = sigs.strip_suffix('\n').ok_or(NoteError::MalformedNote("signature block must end with a newline"))?;

    let mut note = Note { text: text.to_owned(), verified: Vec::new(), unverified: Vec::new() };
    let mut seen_verified = HashSet::new();
    let mut seen_unverified = HashSet::new();
    for (count, line) in sigs.split('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::MalformedNote("too many signatures"));
        }
        let body = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::MalformedNote("signature line must start with an em dash"))?;
        let (name, b64) = chop(body, ' ');
        if !is_valid_key_name(name) || b64.is_empty() {
            return Err(NoteError::MalformedNote("bad signature line"));
        }
        let blob = STANDARD.decode(b64).map_err(|_| NoteError::MalformedNote("signature is not base64"))?;
        if blob.len() < 5 {
            return Err(NoteError::MalformedNote("signature too short"));
        }
        let key_id = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]);
        let signature = NoteSignature { name: name.to_owned(), key_id, signature: blob[4..].to_vec() };

        let mut matching = trusted.iter().filter(|v| v.name == name && v.key_id == key_id);
        let Some(verifier) = matching.next() else {
            if seen_unverified.insert(line) {
                note.unverified.push(signature);
            }
            continue;
        };
        if matching.next().is_some() {
            return Err(NoteError::AmbiguousKey { name: name.to_owned(), key_id });
        }
        if !seen_verified.insert((name, key_id)) {
            continue;
        }
        if !verifier.verify(text.as_bytes(), &signature.signature) {
            return Err(NoteError::InvalidSignature { name: name.to_owned(), key_id });
        }
        note.verified.push(signature);
    }
    if note.verified.is_empty() {
        return Err(NoteError::UnverifiedNote);
    }
    Ok(note)
}

/// Signs a checkpoint with the log's key, producing the signed note to publish.
pub fn sign_checkpoint(checkpoint: &Checkpoint, signer: &NoteSigner) -> Result<String, NoteError> {
    checkpoint.validate()?;
    sign_note(&checkpoint.to_note_body(), &[signer])
}

/// Opens a signed checkpoint of the log `origin`, requiring a valid signature by
/// `log_key`; other signatures (witness cosignatures, rotated keys) are ignored.
pub fn open_checkpoint(note: &str, origin: &str, log_key: &NoteVerifier) -> Result<Checkpoint, NoteError> {
    let opened = open_note(note, std::slice::from_ref(log_key))?;
    let checkpoint = Checkpoint::from_note_body(&opened.text)?;
    if checkpoint.origin != origin {
        return Err(NoteError::OriginMismatch { expected: origin.to_owned(), found: checkpoint.origin });
    }
    Ok(checkpoint)
}
