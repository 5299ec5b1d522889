//! The canonical audit entry reader (`balai_ledger::entry`) on any line, and the writer on any leaf.
//!
//! - A line `EntryView::read` accepts is exactly the canonical layout around the fields it returns:
//!   putting the returned pieces back together gives the line, byte for byte.
//! - A line `Leaf::from_line` accepts is the one its leaf writes (`entry_bytes`), so the leaf's
//!   stored hash, the hash of the line and the hash of its fields are one hash.
//! - Any leaf written reads back as the same leaf, on one line.

#![no_main]

use balai_ledger::entry::{EntryView, unquote};
use balai_ledger::{Leaf, hex, leaf_hash};
use chrono::DateTime;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fn reassembled(v: &EntryView<'_>) -> String {
    let number = |n: Option<i64>| n.map_or_else(|| "null".to_owned(), |n| n.to_string());
    let text = |t: Option<&str>| t.unwrap_or("null").to_owned();
    format!(
        "{{\"v\":1,\"seq\":{},\"government_id\":{},\"recorded_at\":{},\"actor_role\":{},\"actor_id\":{},\
         \"action\":{},\"subject_table\":{},\"subject_id\":{},\"state_hash\":{},\"purpose\":{}}}",
        v.seq,
        number(v.government_id),
        v.recorded_at,
        v.actor_role,
        v.actor_id,
        v.action,
        v.subject_table,
        v.subject_id,
        text(v.state_hash),
        text(v.purpose),
    )
}

fn check_line(line: &str) {
    let view = EntryView::read(line);
    if let Some(v) = &view {
        assert_eq!(reassembled(v), line);
        for quoted in [v.recorded_at, v.actor_role, v.actor_id, v.action, v.subject_table, v.subject_id] {
            assert!(quoted.len() >= 2 && quoted.starts_with('"') && quoted.ends_with('"'));
            let _ = unquote(quoted);
        }
    }
    if let Some(leaf) = Leaf::from_line(line) {
        let view = view.expect("a line read as a leaf is a canonical entry");
        assert_eq!((view.seq, view.government_id), (leaf.seq, leaf.government_id));
        assert_eq!(leaf.entry_bytes(), line.as_bytes(), "a leaf read from a line writes that line back");
        assert_eq!(leaf.leaf_hash, hex(&leaf_hash(line.as_bytes())));
        assert_eq!(leaf.leaf_hash, hex(&leaf.computed_hash()));
        assert!(!line.contains('\n'));
    }
}

fn leaf(u: &mut Unstructured<'_>) -> Result<Leaf> {
    // Any instant from year 0 to 9999 (RFC 3339 has four-digit years).
    let micros = u.int_in_range(-62_167_219_200_000_000i64..=253_402_300_799_999_999)?;
    let mut leaf = Leaf {
        seq: u.arbitrary()?,
        government_id: u.arbitrary()?,
        recorded_at: DateTime::from_timestamp_micros(micros).expect("in range"),
        actor_role: u.arbitrary()?,
        actor_id: u.arbitrary()?,
        action: u.arbitrary()?,
        subject_table: u.arbitrary()?,
        subject_id: u.arbitrary()?,
        state_hash: u.arbitrary()?,
        purpose: u.arbitrary()?,
        leaf_hash: String::new(),
    };
    leaf.leaf_hash = hex(&leaf.computed_hash());
    Ok(leaf)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        check_line(line);
    }
    if let Ok(leaf) = leaf(&mut Unstructured::new(data)) {
        let line = String::from_utf8(leaf.entry_bytes()).expect("serde_json writes UTF-8");
        assert!(!line.contains('\n'));
        assert_eq!(Leaf::from_line(&line).as_ref(), Some(&leaf));
        check_line(&line);
    }
});
