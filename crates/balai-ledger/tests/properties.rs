//! Property tests on random tree sizes, cross-checked against `ct-merkle`, plus proofs in
//! trees of up to `u64::MAX` leaves (all leaves equal, so every subtree hash is known).

mod common;

use balai_ledger::{
    Checkpoint, CompactRange, Hash, HashSource, MemoryTree, NodeId, NoteSigner, ProofPlan, consistency_proof,
    inclusion_proof, leaf_hash, node_hash, open_checkpoint, root_from_source, verify_consistency, verify_inclusion,
};
use common::{RefTree, split_hashes};
use proptest::prelude::*;
use std::convert::Infallible;

fn data(salt: u32, i: u64) -> Vec<u8> {
    format!("{salt}/{i}").into_bytes()
}

fn build(salt: u32, n: u64) -> (MemoryTree, RefTree) {
    let mut tree = MemoryTree::new();
    let mut reference = RefTree::new();
    for i in 0..n {
        tree.push(leaf_hash(&data(salt, i)));
        reference.push(data(salt, i));
    }
    (tree, reference)
}

fn size_and_index() -> impl Strategy<Value = (u64, u64)> {
    (1u64..3000).prop_flat_map(|n| (Just(n), 0..n))
}

fn two_sizes() -> impl Strategy<Value = (u64, u64)> {
    (1u64..3000).prop_flat_map(|n| (0..=n, Just(n)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn inclusion_matches_reference((size, index) in size_and_index(), salt: u32, other: u64, bit in 0usize..256) {
        let (tree, reference) = build(salt, size);
        let root = tree.root();
        let reference_root = reference.root();
        prop_assert_eq!(reference_root.as_bytes().as_slice(), root.as_slice());
        let leaf = leaf_hash(&data(salt, index));
        let proof = inclusion_proof(&tree, index, size).expect("provable");
        prop_assert_eq!(&proof, &split_hashes(reference.prove_inclusion(index as usize).as_bytes()));
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_ok());

        let wrong_index = other % size;
        if wrong_index != index {
            prop_assert!(verify_inclusion(&leaf, wrong_index, size, &proof, &root).is_err());
        }
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let which = (other as usize) % bad.len();
            bad[which][bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
        }
        let mut bad_leaf = leaf;
        bad_leaf[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
    }

    #[test]
    fn consistency_matches_reference((size1, size2) in two_sizes(), salt: u32, other: u64, bit in 0usize..256) {
        let (tree, reference) = build(salt, size2);
        let root1 = tree.root_at(size1).expect("in range");
        let root2 = tree.root();
        let proof = consistency_proof(&tree, size1, size2).expect("provable");
        prop_assert!(verify_consistency(size1, size2, &proof, &root1, &root2).is_ok());
        if size1 > 0 && size1 < size2 {
            let theirs = split_hashes(reference.prove_consistency((size2 - size1) as usize).as_bytes());
            prop_assert_eq!(&proof, &theirs);
            let mut bad = proof.clone();
            let which = (other as usize) % bad.len();
            bad[which][bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(size1, size2, &bad, &root1, &root2).is_err());
            let mut bad_root = root1;
            bad_root[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(size1, size2, &proof, &bad_root, &root2).is_err());
        }
    }

    #[test]
    fn compact_range_resumes_anywhere(size in 0u64..5000, cut in any::<prop::sample::Index>(), salt: u32) {
        let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&data(salt, i))).collect();
        let cut = if size == 0 { 0 } else { cut.index(size as usize + 1) };
        let mut first = CompactRange::new();
        first.append_leaves(&leaves[..cut]).expect("not full");
        let mut resumed = CompactRange::from_frontier(first.size(), first.frontier().to_vec()).expect("valid");
        let nodes = resumed.append_leaves(&leaves[cut..]).expect("not full");
        let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
        prop_assert_eq!(resumed.root(), tree.root());
        for node in nodes {
            prop_assert!(node.id.begin() >= (cut as u64) & !((1u64 << node.id.level()) - 1));
            prop_assert_eq!(tree.node(node.id), Some(node.hash));
        }
    }

    #[test]
    fn signed_checkpoints_round_trip(
        origin in "[a-z0-9./-]{1,40}",
        size: u64,
        root: [u8; 32],
        extensions in prop::collection::vec("[ -~]{1,30}", 0..3),
    ) {
        let signer = NoteSigner::generate(&origin).expect("valid name");
        let checkpoint = Checkpoint { origin: origin.clone(), size, root, extensions };
        let note = balai_ledger::sign_checkpoint(&checkpoint, &signer).expect("valid checkpoint");
        prop_assert_eq!(open_checkpoint(&note, &origin, &signer.verifier()), Ok(checkpoint));
    }
}

/// A virtual tree of up to `u64::MAX` identical leaves: node `(l, i)` hashes to `LEVELS[l]`.
struct Uniform {
    levels: Vec<Hash>,
}

impl Uniform {
    fn new() -> Self {
        let mut levels = vec![leaf_hash(b"same")];
        for l in 1..64 {
            let below = levels[l - 1];
            levels.push(node_hash(&below, &below));
        }
        Self { levels }
    }
}

impl HashSource for Uniform {
    type Error = Infallible;

    fn leaf_hash(&self, _index: u64) -> Result<Hash, Infallible> {
        Ok(self.levels[0])
    }

    fn subtree_hash(&self, node: NodeId) -> Result<Option<Hash>, Infallible> {
        Ok(Some(self.levels[usize::from(node.level())]))
    }
}

fn huge_size_and_index() -> impl Strategy<Value = (u64, u64)> {
    prop_oneof![Just(u64::MAX), Just(u64::MAX - 1), Just(1u64 << 63), Just((1u64 << 63) + 1), 1u64..,]
        .prop_flat_map(|n| (Just(n), prop_oneof![Just(0), Just(n - 1), 0..n]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn huge_trees_prove_and_verify((size, index) in huge_size_and_index(), size1_seed: u64, bit in 0usize..256) {
        let source = Uniform::new();
        let root = root_from_source(&source, size).expect("infallible");
        let leaf = source.levels[0];
        let plan = ProofPlan::inclusion(index, size).expect("valid");
        prop_assert!(plan.node_ids().count() <= 128);
        let proof = inclusion_proof(&source, index, size).expect("provable");
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_ok());
        if let Some(first) = proof.first() {
            let mut bad = proof.clone();
            bad[0] = *first;
            bad[0][bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
        }

        let size1 = match size1_seed % 8 {
            0 => size,
            1 => 0,
            _ => size1_seed % size,
        };
        let root1 = root_from_source(&source, size1).expect("infallible");
        let proof = consistency_proof(&source, size1, size).expect("provable");
        prop_assert!(proof.len() <= 128);
        prop_assert!(verify_consistency(size1, size, &proof, &root1, &root).is_ok());
    }
}
