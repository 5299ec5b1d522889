//! Inclusion and consistency proof generation on a 10,000,000-leaf tree.
//!
//! Leaf hashes are computed on the fly from the index; perfect-subtree nodes are kept only
//! from level `min_level` up, as a store might. Run both a full store (`min_level` 1, about
//! 320 MB) and a sparse one (level 6 and up, about 10 MB) and print the time per proof.
//!
//! Run: `cargo run --release -p balai-ledger --example proof_latency [leaves]`

use std::cell::Cell;
use std::convert::Infallible;
use std::time::Instant;

use balai_ledger::{
    CompactRange, Hash, HashSource, NodeId, ProofPlan, consistency_proof, inclusion_proof, leaf_hash,
    verify_consistency, verify_inclusion,
};

fn entry_hash(index: u64) -> Hash {
    leaf_hash(&index.to_be_bytes())
}

struct OnTheFly {
    min_level: u8,
    /// `levels[l]` holds the nodes of level `l` for `l >= min_level`.
    levels: Vec<Vec<Hash>>,
    lookups: Cell<u64>,
}

impl OnTheFly {
    fn build(size: u64, min_level: u8) -> Result<(Self, Hash), Box<dyn std::error::Error>> {
        let mut levels: Vec<Vec<Hash>> = vec![Vec::new(); 64];
        let mut range = CompactRange::new();
        for i in 0..size {
            range.append_with(entry_hash(i), |node| {
                if node.id.level() >= min_level {
                    levels[usize::from(node.id.level())].push(node.hash);
                }
            })?;
        }
        let source = Self { min_level, levels, lookups: Cell::new(0) };
        Ok((source, range.root()))
    }

    fn stored(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }
}

impl HashSource for OnTheFly {
    type Error = Infallible;

    fn leaf_hash(&self, index: u64) -> Result<Hash, Infallible> {
        self.lookups.set(self.lookups.get() + 1);
        Ok(entry_hash(index))
    }

    fn subtree_hash(&self, node: NodeId) -> Result<Option<Hash>, Infallible> {
        self.lookups.set(self.lookups.get() + 1);
        if node.level() < self.min_level {
            return Ok(None);
        }
        Ok(self.levels[usize::from(node.level())].get(node.index() as usize).copied())
    }
}

/// xorshift64*, enough to spread indices without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 10_000_000,
    };
    const PROOFS: u64 = 200_000;

    for min_level in [1u8, 6] {
        let started = Instant::now();
        let (source, root) = OnTheFly::build(size, min_level)?;
        println!(
            "\nsize {size}, nodes kept from level {min_level}: {} hashes ({:.1} MB), built in {:.2} s",
            source.stored(),
            source.stored() as f64 * 32.0 / 1e6,
            started.elapsed().as_secs_f64()
        );

        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let indices: Vec<u64> = (0..PROOFS).map(|_| rng.below(size)).collect();

        source.lookups.set(0);
        let started = Instant::now();
        let mut proofs = Vec::with_capacity(indices.len());
        for &index in &indices {
            proofs.push(inclusion_proof(&source, index, size)?);
        }
        let per = started.elapsed().as_secs_f64() / PROOFS as f64;
        println!(
            "  inclusion proof:   {:>7.2} us/proof, {:.1} lookups/proof, {:.1} hashes/proof",
            per * 1e6,
            source.lookups.get() as f64 / PROOFS as f64,
            proofs.iter().map(Vec::len).sum::<usize>() as f64 / PROOFS as f64
        );

        let started = Instant::now();
        for (&index, proof) in indices.iter().zip(&proofs) {
            verify_inclusion(&entry_hash(index), index, size, proof, &root)?;
        }
        println!("  inclusion verify:  {:>7.2} us/proof", started.elapsed().as_secs_f64() / PROOFS as f64 * 1e6);

        let started = Instant::now();
        let mut nodes = 0usize;
        for &index in &indices {
            nodes += ProofPlan::inclusion(index, size)?.node_ids().count();
        }
        println!(
            "  inclusion plan:    {:>7.2} us/plan, {:.1} nodes/plan (one batched query each)",
            started.elapsed().as_secs_f64() / PROOFS as f64 * 1e6,
            nodes as f64 / PROOFS as f64
        );

        // Consistency from random earlier sizes to the full tree.
        let olds: Vec<u64> = (0..PROOFS / 10).map(|_| 1 + rng.below(size - 1)).collect();
        let mut old_roots = Vec::with_capacity(olds.len());
        for &old in &olds {
            old_roots.push(balai_ledger::root_from_source(&source, old)?);
        }
        source.lookups.set(0);
        let started = Instant::now();
        let mut cproofs = Vec::with_capacity(olds.len());
        for &old in &olds {
            cproofs.push(consistency_proof(&source, old, size)?);
        }
        let count = olds.len() as f64;
        println!(
            "  consistency proof: {:>7.2} us/proof, {:.1} lookups/proof",
            started.elapsed().as_secs_f64() / count * 1e6,
            source.lookups.get() as f64 / count
        );
        for ((&old, old_root), proof) in olds.iter().zip(&old_roots).zip(&cproofs) {
            verify_consistency(old, size, proof, old_root, &root)?;
        }
    }
    Ok(())
}
