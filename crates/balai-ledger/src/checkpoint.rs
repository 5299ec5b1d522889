//! C2SP tlog-checkpoint note bodies: origin, tree size, base64 root, extension lines.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::hash::Hash;

/// Why a checkpoint body was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The body does not end in a newline.
    #[error("checkpoint body must end with a newline")]
    MissingFinalNewline,
    /// Fewer than the three mandatory lines.
    #[error("checkpoint body needs origin, size and root lines")]
    TooFewLines,
    /// The origin line is empty.
    #[error("checkpoint origin is empty")]
    EmptyOrigin,
    /// A line holds a control character (a newline inside a field included).
    #[error("checkpoint line {line} contains a control character")]
    ControlCharacter { line: usize },
    /// The size line is not a canonical decimal `u64`.
    #[error("checkpoint size {0:?} is not a decimal number without leading zeros")]
    InvalidSize(String),
    /// The root line is not canonical base64 of 32 bytes.
    #[error("checkpoint root hash is not base64 of 32 bytes")]
    InvalidRootHash,
    /// An extension line is empty.
    #[error("checkpoint extension line {line} is empty")]
    EmptyExtensionLine { line: usize },
}

/// A transparency log checkpoint (C2SP tlog-checkpoint): the signed statement of a tree head.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.gov/audit`; conventionally also the signing key name.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 6962 tree head at `size`.
    pub root: Hash,
    /// Opaque extra lines; the spec discourages them because monitors cannot audit them.
    pub extensions: Vec<String>,
}

fn has_control(line: &str) -> bool {
    line.chars().any(|c| c < '\u{20}')
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self { origin: origin.into(), size, root, extensions: Vec::new() }
    }

    /// Checks the rules that [`Checkpoint::from_note_body`] enforces, so that a valid
    /// checkpoint always parses back to itself.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        if self.origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if has_control(&self.origin) {
            return Err(CheckpointError::ControlCharacter { line: 1 });
        }
        for (i, ext) in self.extensions.iter().enumerate() {
            let line = i + 4;
            if ext.is_empty() {
                return Err(CheckpointError::EmptyExtensionLine { line });
            }
            if has_control(ext) {
                return Err(CheckpointError::ControlCharacter { line });
            }
        }
        Ok(())
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n` then one line per extension.
    ///
    /// Does not validate; signing does (see [`Checkpoint::validate`]).
    pub fn to_note_body(&self) -> String {
        let mut body = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for ext in &self.extensions {
            body.push_str(ext);
            body.push('\n');
        }
        body
    }

    /// Parses a note text strictly: final newline, non-empty origin, canonical decimal size,
    /// canonical padded base64 of exactly 32 bytes, non-empty extension lines, no control
    /// characters anywhere.
    pub fn from_note_body(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::MissingFinalNewline)?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines.next().ok_or(CheckpointError::TooFewLines)?;
        let root = lines.next().ok_or(CheckpointError::TooFewLines)?;

        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if has_control(origin) {
            return Err(CheckpointError::ControlCharacter { line: 1 });
        }
        let size = parse_size(size)?;
        let root = parse_root(root)?;
        let mut extensions = Vec::new();
        for (i, ext) in lines.enumerate() {
            let line = i + 4;
            if ext.is_empty() {
                return Err(CheckpointError::EmptyExtensionLine { line });
            }
            if has_control(ext) {
                return Err(CheckpointError::ControlCharacter { line });
            }
            extensions.push(ext.to_owned());
        }
        Ok(Self { origin: origin.to_owned(), size, root, extensions })
    }
}

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let invalid = || CheckpointError::InvalidSize(line.to_owned());
    // `u64::from_str` alone would accept a leading '+'.
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if line.len() > 1 && line.starts_with('0') {
        return Err(invalid());
    }
    line.parse().map_err(|_| invalid())
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    // STANDARD requires canonical padding and zero trailing bits, so the encoding is unique.
    let bytes = STANDARD.decode(line).map_err(|_| CheckpointError::InvalidRootHash)?;
    Hash::try_from(bytes.as_slice()).map_err(|_| CheckpointError::InvalidRootHash)
}

impl fmt::Display for Checkpoint {
    /// Writes the note body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_note_body())
    }
}

impl FromStr for Checkpoint {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_note_body(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_B64: &str = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    #[test]
    fn parses_the_spec_example() {
        let body = format!("example.com/behind-the-sofa\n20852163\n{ROOT_B64}\n");
        let cp = Checkpoint::from_note_body(&body).expect("spec example parses");
        assert_eq!(cp.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.size, 20_852_163);
        assert_eq!(STANDARD.encode(cp.root), ROOT_B64);
        assert!(cp.extensions.is_empty());
        assert_eq!(cp.to_note_body(), body);
    }

    #[test]
    fn round_trips_extensions() {
        let mut cp = Checkpoint::new("log.example/a", 0, [7; 32]);
        cp.extensions = vec!["ext one".into(), "— two".into()];
        cp.validate().expect("valid");
        assert_eq!(Checkpoint::from_note_body(&cp.to_note_body()), Ok(cp.clone()));
        assert_eq!(cp.to_string().parse::<Checkpoint>(), Ok(cp));
    }

    #[test]
    fn rejects_malformed_bodies() {
        use CheckpointError::*;
        let r = ROOT_B64;
        let cases: Vec<(String, CheckpointError)> = vec![
            (format!("o\n1\n{r}"), MissingFinalNewline),
            ("o\n1\n".into(), TooFewLines),
            ("\n".into(), TooFewLines),
            (String::new(), MissingFinalNewline),
            (format!("\n1\n{r}\n"), EmptyOrigin),
            (format!("o\n01\n{r}\n"), InvalidSize("01".into())),
            (format!("o\n+1\n{r}\n"), InvalidSize("+1".into())),
            (format!("o\n-1\n{r}\n"), InvalidSize("-1".into())),
            (format!("o\n 1\n{r}\n"), InvalidSize(" 1".into())),
            (format!("o\n\n{r}\n"), InvalidSize(String::new())),
            (format!("o\n18446744073709551616\n{r}\n"), InvalidSize("18446744073709551616".into())),
            ("o\n1\nAAAA\n".into(), InvalidRootHash),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".into(), InvalidRootHash),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".into(), InvalidRootHash),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n".into(), InvalidRootHash),
            (format!("o\n1\n{r}\n\n"), EmptyExtensionLine { line: 4 }),
            (format!("o\n1\n{r}\nx\n\ny\n"), EmptyExtensionLine { line: 5 }),
            (format!("o\t\n1\n{r}\n"), ControlCharacter { line: 1 }),
            (format!("o\n1\n{r}\nx\r\n"), ControlCharacter { line: 4 }),
        ];
        for (body, want) in cases {
            assert_eq!(Checkpoint::from_note_body(&body), Err(want), "{body:?}");
        }
        assert_eq!(Checkpoint::from_note_body(&format!("o\n0\n{r}\n")).map(|c| c.size), Ok(0));
        assert_eq!(
            Checkpoint::from_note_body(&format!("o\n18446744073709551615\n{r}\n")).map(|c| c.size),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn validate_mirrors_parsing() {
        assert_eq!(Checkpoint::new("", 1, [0; 32]).validate(), Err(CheckpointError::EmptyOrigin));
        assert_eq!(Checkpoint::new("a\nb", 1, [0; 32]).validate(), Err(CheckpointError::ControlCharacter { line: 1 }));
        let mut cp = Checkpoint::new("a", 1, [0; 32]);
        cp.extensions.push(String::new());
        assert_eq!(cp.validate(), Err(CheckpointError::EmptyExtensionLine { line: 4 }));
    }
}
