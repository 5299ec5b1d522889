//! A leaf's canonical entry: the exact bytes RFC 6962 hashes (with the 0x00 prefix), one JSON object
//! per line in the stored bundles, and the one strict reader of those lines.
//!
//! The writer is serde_json over a fixed struct, so the layout is fixed: the same keys in the same
//! order, no spaces, strings escaped as serde_json escapes them (control characters and newlines
//! never appear raw, which is what makes a newline a safe separator). The reader accepts exactly
//! that layout and nothing looser: verification reads ten million lines, so it walks each line once
//! without building a JSON tree, and a line that is not in the canonical layout is reported rather
//! than interpreted.

use crate::{Hash, hex, leaf_hash};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::borrow::Cow;

/// A stored leaf, with every field that goes into its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaf {
    pub seq: i64,
    pub government_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub actor_role: String,
    pub actor_id: String,
    pub action: String,
    pub subject_table: String,
    pub subject_id: String,
    pub state_hash: Option<String>,
    pub purpose: Option<String>,
    pub leaf_hash: String,
}

/// The canonical bytes of a leaf entry. Field order is part of the format: never reorder.
#[derive(Serialize)]
struct Entry<'a> {
    v: u8,
    seq: i64,
    government_id: Option<i64>,
    recorded_at: String,
    actor_role: &'a str,
    actor_id: &'a str,
    action: &'a str,
    subject_table: &'a str,
    subject_id: &'a str,
    state_hash: Option<&'a str>,
    purpose: Option<&'a str>,
}

impl Leaf {
    pub fn entry_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Entry {
            v: 1,
            seq: self.seq,
            government_id: self.government_id,
            recorded_at: self.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor_role: &self.actor_role,
            actor_id: &self.actor_id,
            action: &self.action,
            subject_table: &self.subject_table,
            subject_id: &self.subject_id,
            state_hash: self.state_hash.as_deref(),
            purpose: self.purpose.as_deref(),
        })
        .expect("an entry always serialises")
    }

    pub fn computed_hash(&self) -> Hash {
        leaf_hash(&self.entry_bytes())
    }

    /// The leaf stored as `line`, or `None` when the line is not a canonical entry: the leaf's own
    /// entry must be the line, byte for byte, so its fields hash to the line's hash. (The layout
    /// alone lets through what the writer never writes: a raw control character or a needless
    /// escape in a string, a time in another form.)
    pub fn from_line(line: &str) -> Option<Leaf> {
        let view = EntryView::read(line)?;
        let text = |quoted: &str| unquote(quoted).map(Cow::into_owned);
        let recorded_at = DateTime::parse_from_rfc3339(&unquote(view.recorded_at)?).ok()?.with_timezone(&Utc);
        let leaf = Leaf {
            seq: view.seq,
            government_id: view.government_id,
            recorded_at,
            actor_role: text(view.actor_role)?,
            actor_id: text(view.actor_id)?,
            action: text(view.action)?,
            subject_table: text(view.subject_table)?,
            subject_id: text(view.subject_id)?,
            state_hash: match view.state_hash {
                Some(quoted) => Some(text(quoted)?),
                None => None,
            },
            purpose: match view.purpose {
                Some(quoted) => Some(text(quoted)?),
                None => None,
            },
            leaf_hash: hex(&leaf_hash(line.as_bytes())),
        };
        (leaf.entry_bytes() == line.as_bytes()).then_some(leaf)
    }
}

/// The fields of a canonical entry line, as they stand in the line: numbers parsed, strings still
/// quoted and escaped (see [`unquote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryView<'a> {
    pub seq: i64,
    pub government_id: Option<i64>,
    pub recorded_at: &'a str,
    pub actor_role: &'a str,
    pub actor_id: &'a str,
    pub action: &'a str,
    pub subject_table: &'a str,
    pub subject_id: &'a str,
    pub state_hash: Option<&'a str>,
    pub purpose: Option<&'a str>,
}

impl<'a> EntryView<'a> {
    /// Reads one line in the canonical layout, or `None` for anything else.
    pub fn read(line: &'a str) -> Option<EntryView<'a>> {
        let mut c = Cursor { text: line, pos: 0 };
        c.expect("{\"v\":1,\"seq\":")?;
        let seq = c.number()?;
        c.expect(",\"government_id\":")?;
        let government_id = if c.null() { None } else { Some(c.number()?) };
        c.expect(",\"recorded_at\":")?;
        let recorded_at = c.string()?;
        c.expect(",\"actor_role\":")?;
        let actor_role = c.string()?;
        c.expect(",\"actor_id\":")?;
        let actor_id = c.string()?;
        c.expect(",\"action\":")?;
        let action = c.string()?;
        c.expect(",\"subject_table\":")?;
        let subject_table = c.string()?;
        c.expect(",\"subject_id\":")?;
        let subject_id = c.string()?;
        c.expect(",\"state_hash\":")?;
        let state_hash = if c.null() { None } else { Some(c.string()?) };
        c.expect(",\"purpose\":")?;
        let purpose = if c.null() { None } else { Some(c.string()?) };
        c.expect("}")?;
        (c.pos == line.len()).then_some(EntryView {
            seq,
            government_id,
            recorded_at,
            actor_role,
            actor_id,
            action,
            subject_table,
            subject_id,
            state_hash,
            purpose,
        })
    }
}

/// The text of a quoted JSON string; borrowed unless it has escapes.
pub fn unquote(quoted: &str) -> Option<Cow<'_, str>> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn expect(&mut self, literal: &str) -> Option<()> {
        self.text.as_bytes()[self.pos..].starts_with(literal.as_bytes()).then(|| self.pos += literal.len())
    }

    fn null(&mut self) -> bool {
        self.expect("null").is_some()
    }

    /// An integer as serde_json writes an i64: an optional minus and digits, no leading zeros, and
    /// zero without a minus.
    fn number(&mut self) -> Option<i64> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start + usize::from(bytes.get(start) == Some(&b'-'));
        let digits = end;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        let canonical = end > digits && (bytes[digits] != b'0' || (end == digits + 1 && digits == start));
        let value = self.text[start..end].parse().ok().filter(|_| canonical)?;
        self.pos = end;
        Some(value)
    }

    /// A quoted string, returned with its quotes. Escapes are skipped over, not decoded. (The line's
    /// hash, not this reader, vouches that its bytes are what was written.)
    fn string(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        loop {
            i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
            if bytes[i] == b'"' {
                break;
            }
            i += 2;
        }
        self.pos = i + 1;
        Some(&self.text[start..=i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaf(subject_id: String, state_hash: Option<String>, purpose: Option<String>, seq: i64) -> Leaf {
        let mut leaf = Leaf {
            seq,
            government_id: if seq % 2 == 0 { Some(seq / 3) } else { None },
            recorded_at: DateTime::from_timestamp_micros(1_780_000_000_123_456 + seq).unwrap(),
            actor_role: "officer".into(),
            actor_id: "7".into(),
            action: "identity.citizen.read".into(),
            subject_table: "citizen_reads".into(),
            subject_id,
            state_hash,
            purpose,
            leaf_hash: String::new(),
        };
        leaf.leaf_hash = hex(&leaf.computed_hash());
        leaf
    }

    proptest! {
        /// Whatever the text — quotes, backslashes, newlines, emoji, control characters — a written
        /// entry reads back as the same leaf, and it never spans two lines.
        #[test]
        fn every_written_entry_reads_back(
            id in any::<String>(), state in proptest::option::of("[0-9a-f]{64}"),
            purpose in proptest::option::of(any::<String>()), seq in 0i64..1_000_000_000_000,
        ) {
            let leaf = leaf(id, state, purpose, seq);
            let line = String::from_utf8(leaf.entry_bytes()).unwrap();
            prop_assert!(!line.contains('\n'));
            prop_assert_eq!(Leaf::from_line(&line), Some(leaf));
        }
    }

    #[test]
    fn anything_but_the_canonical_layout_is_refused() {
        let leaf = leaf("12".into(), None, Some("verifikasi berkas permohonan".into()), 40);
        let line = String::from_utf8(leaf.entry_bytes()).unwrap();
        assert!(Leaf::from_line(&line).is_some());
        for bad in [
            line.replace("\"seq\":40", "\"seq\": 40"),
            line.replace("\"seq\":40", "\"seq\":040"),
            // Found by fuzzing: serde_json never writes a negative zero.
            line.replace("\"government_id\":13", "\"government_id\":-0"),
            line.replace("{\"v\":1", "{\"v\":2"),
            line.replace(",\"purpose\"", ", \"purpose\""),
            format!("{line} "),
            line.replace("\"seq\":40,\"government_id\":13", "\"government_id\":13,\"seq\":40"),
            line[..line.len() - 1].to_owned(),
        ] {
            assert_eq!(EntryView::read(&bad), None, "{bad}");
        }
    }

    /// Found by fuzzing: a raw control character in a string passed the layout, and the leaf read
    /// from it wrote (and hashed) another line. Whatever the writer would not have written is refused.
    #[test]
    fn a_leaf_is_read_only_from_the_line_it_writes() {
        let written = leaf("12".into(), None, Some("verifikasi berkas\u{1f}".into()), 40);
        let line = String::from_utf8(written.entry_bytes()).unwrap();
        assert!(line.contains(".123496Z") && line.contains("berkas\\u001f"));
        assert_eq!(Leaf::from_line(&line), Some(written));
        for bad in [
            line.replace("berkas\\u001f", "berkas\u{1f}"),
            line.replace("berkas\\u001f", "berkas\\u001F"),
            line.replace("verifikasi berkas", "verifikasi\\u0020berkas"),
            line.replace("verifikasi berkas", "verifikasi\\/berkas"),
            line.replace(".123496Z", ".123496+00:00"),
            line.replace(".123496Z", ".123496000Z"),
        ] {
            assert!(EntryView::read(&bad).is_some(), "the layout holds: {bad}");
            assert_eq!(Leaf::from_line(&bad), None, "{bad}");
        }
    }
}
