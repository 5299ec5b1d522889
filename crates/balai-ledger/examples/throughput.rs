//! Appends 2,000,000 leaves through `CompactRange` and prints leaves per second.
//!
//! Run: `cargo run --release -p balai-ledger --example throughput [leaves]`

use std::hint::black_box;
use std::time::Instant;

use balai_ledger::{CompactRange, Hash, leaf_hash};

fn entry(i: u64) -> [u8; 64] {
    // A stand-in for a serialized audit entry of typical small size.
    let mut e = [0x5a; 64];
    e[..8].copy_from_slice(&i.to_be_bytes());
    e
}

fn report(what: &str, n: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!("{what:<52} {n} leaves in {secs:.3} s = {:.2} M leaves/s", n as f64 / secs / 1e6);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 2_000_000,
    };

    let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&entry(i))).collect();

    // 1. Appending precomputed leaf hashes (node hashing only).
    let started = Instant::now();
    let mut range = CompactRange::new();
    for leaf in &leaves {
        range.append(*leaf)?;
    }
    let root = range.root();
    report("append leaf hashes", n, started);

    // 2. Verifying a whole log: hash every 64-byte entry, append, compute the head.
    let started = Instant::now();
    let mut verify = CompactRange::new();
    for i in 0..n {
        verify.append(leaf_hash(black_box(&entry(i))))?;
    }
    assert_eq!(verify.root(), root);
    report("hash 64-byte entries + append (whole-log check)", n, started);

    // 3. Store-side append in batches of 1,000, collecting the nodes to persist.
    let started = Instant::now();
    let mut store = CompactRange::new();
    let mut persisted = 0usize;
    for batch in leaves.chunks(1000) {
        persisted += store.append_leaves(batch)?.len();
    }
    assert_eq!(store.root(), root);
    report("append_leaves in batches of 1000 (nodes collected)", n, started);

    println!("root {}  nodes to persist {persisted}", hex(&root));
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
