//! Every inclusion proof (index < size) and every consistency proof (m <= n) for trees of
//! up to 64 leaves: generated, verified, tampering rejected, and cross-checked against the
//! independent `ct-merkle` crate.

mod common;

use balai_ledger::{
    CompactRange, HashSource, MemoryTree, NodeId, ProofPlan, consistency_proof, inclusion_proof, root_from_leaf_hashes,
    verify_consistency, verify_inclusion,
};
use common::{
    RefTree, assert_consistency_tamper_rejected, assert_inclusion_tamper_rejected, leaf_data, leaf_hashes, split_hashes,
};
use std::convert::Infallible;

const MAX: u64 = 64;

#[test]
fn roots_match_ct_merkle_and_recursion() {
    let leaves = leaf_hashes(300);
    let mut reference = RefTree::new();
    let mut range = CompactRange::new();
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
    for size in 1..=300u64 {
        reference.push(leaf_data(size - 1));
        range.append(leaves[size as usize - 1]).expect("not full");
        let want = root_from_leaf_hashes(&leaves[..size as usize]);
        assert_eq!(reference.root().as_bytes().as_slice(), want.as_slice(), "ct-merkle, size {size}");
        assert_eq!(range.root(), want, "compact range, size {size}");
        assert_eq!(tree.root_at(size), Ok(want), "memory tree, size {size}");
    }
}

#[test]
fn every_inclusion_proof_up_to_64() {
    let leaves = leaf_hashes(MAX);
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
    let mut reference = RefTree::new();
    for size in 1..=MAX {
        reference.push(leaf_data(size - 1));
        let root = tree.root_at(size).expect("in range");
        for index in 0..size {
            let leaf = leaves[index as usize];
            let proof = inclusion_proof(&tree, index, size).expect("provable");
            let theirs = split_hashes(reference.prove_inclusion(index as usize).as_bytes());
            assert_eq!(proof, theirs, "ct-merkle disagrees on leaf {index} of {size}");
            verify_inclusion(&leaf, index, size, &proof, &root)
                .unwrap_or_else(|e| panic!("leaf {index} of {size}: {e}"));
            assert_inclusion_tamper_rejected(&leaf, index, size, &proof, &root);
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64() {
    let leaves = leaf_hashes(MAX);
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
    let roots: Vec<_> = (0..=MAX).map(|s| tree.root_at(s).expect("in range")).collect();
    let mut reference = RefTree::new();
    for size2 in 0..=MAX {
        if size2 > 0 {
            reference.push(leaf_data(size2 - 1));
        }
        for size1 in 0..=size2 {
            let (root1, root2) = (&roots[size1 as usize], &roots[size2 as usize]);
            let proof = consistency_proof(&tree, size1, size2).expect("provable");
            verify_consistency(size1, size2, &proof, root1, root2)
                .unwrap_or_else(|e| panic!("{size1} -> {size2}: {e}"));
            if size1 == 0 || size1 == size2 {
                assert!(proof.is_empty());
                continue;
            }
            let theirs = split_hashes(reference.prove_consistency((size2 - size1) as usize).as_bytes());
            assert_eq!(proof, theirs, "ct-merkle disagrees on {size1} -> {size2}");
            assert_consistency_tamper_rejected(size1, size2, &proof, root1, root2);
            // A proof for one pair of sizes does not prove another pair.
            for other1 in 1..size2 {
                if other1 != size1 {
                    let r1 = &roots[other1 as usize];
                    assert!(
                        verify_consistency(other1, size2, &proof, r1, root2).is_err(),
                        "proof {size1} -> {size2} accepted for {other1} -> {size2}"
                    );
                }
            }
        }
    }
}

/// A source that keeps no subtree at all: every node is rebuilt from leaves.
struct LeavesOnly(Vec<balai_ledger::Hash>);

impl HashSource for LeavesOnly {
    type Error = Infallible;

    fn leaf_hash(&self, index: u64) -> Result<balai_ledger::Hash, Infallible> {
        Ok(self.0[index as usize])
    }

    fn subtree_hash(&self, _node: NodeId) -> Result<Option<balai_ledger::Hash>, Infallible> {
        Ok(None)
    }
}

#[test]
fn sources_with_missing_levels_and_plans_agree() {
    let leaves = leaf_hashes(MAX);
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
    let sparse = LeavesOnly(leaves.clone());
    for size in 1..=MAX {
        for index in 0..size {
            let want = tree.inclusion_proof(index, size).expect("provable");
            assert_eq!(inclusion_proof(&sparse, index, size).ok(), Some(want.clone()));
            let plan = ProofPlan::inclusion(index, size).expect("valid");
            let resolved: Result<Vec<_>, ()> = plan.resolve(|id| tree.node(id).ok_or(()));
            assert_eq!(resolved, Ok(want));
            assert!(plan.node_ids().all(|id| id.end() <= size));
        }
        for size1 in 0..=size {
            let want = tree.consistency_proof(size1, size).expect("provable");
            assert_eq!(consistency_proof(&sparse, size1, size).ok(), Some(want.clone()));
            let plan = ProofPlan::consistency(size1, size).expect("valid");
            assert_eq!(plan.len(), want.len());
            let resolved: Result<Vec<_>, ()> = plan.resolve(|id| tree.node(id).ok_or(()));
            assert_eq!(resolved, Ok(want));
            assert!(plan.node_ids().all(|id| id.end() <= size));
        }
    }
}

#[test]
fn appended_nodes_are_exactly_the_memory_tree_nodes() {
    let leaves = leaf_hashes(200);
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
    let mut range = CompactRange::new();
    let mut stored = std::collections::HashMap::new();
    // Uneven batches, as a store would append them.
    for batch in leaves.chunks(7) {
        for node in range.append_leaves(batch).expect("not full") {
            assert!(stored.insert(node.id, node.hash).is_none(), "node {:?} reported twice", node.id);
        }
    }
    // n leaves have n - popcount(n) complete subtrees of level >= 1.
    assert_eq!(stored.len() as u64, 200 - u64::from(200u64.count_ones()));
    for (id, hash) in &stored {
        assert_eq!(tree.node(*id), Some(*hash));
    }
}

/// Counts the lookups a proof costs.
struct Counting<'a> {
    tree: &'a MemoryTree,
    calls: std::cell::Cell<usize>,
}

impl HashSource for Counting<'_> {
    type Error = balai_ledger::MemoryTreeError;

    fn leaf_hash(&self, index: u64) -> Result<balai_ledger::Hash, Self::Error> {
        self.calls.set(self.calls.get() + 1);
        self.tree.leaf_hash(index)
    }

    fn subtree_hash(&self, node: NodeId) -> Result<Option<balai_ledger::Hash>, Self::Error> {
        self.calls.set(self.calls.get() + 1);
        self.tree.subtree_hash(node)
    }
}

#[test]
fn proofs_cost_logarithmic_lookups() {
    let size = 100_003u64;
    let tree = MemoryTree::from_leaf_hashes(leaf_hashes(size));
    let counting = Counting { tree: &tree, calls: std::cell::Cell::new(0) };
    let bound = 2 * (64 - size.leading_zeros()) as usize; // 2 * ceil(log2(size)) = 34
    let mut worst = 0;
    for index in (0..size).step_by(997).chain([size - 1, size / 2]) {
        counting.calls.set(0);
        inclusion_proof(&counting, index, size).expect("provable");
        worst = worst.max(counting.calls.get());
    }
    for size1 in (1..size).step_by(1009).chain([size - 1, 65_536]) {
        counting.calls.set(0);
        consistency_proof(&counting, size1, size).expect("provable");
        worst = worst.max(counting.calls.get());
    }
    assert!(worst <= bound, "{worst} lookups for a tree of {size}");
}
