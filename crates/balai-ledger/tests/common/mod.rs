//! Helpers shared by the integration tests.
#![allow(dead_code)]

use balai_ledger::{Hash, leaf_hash, verify_consistency, verify_inclusion};
use sha2_011::Sha256 as Sha256v011;

pub type RefTree = ct_merkle::mem_backed_tree::MemoryBackedTree<Sha256v011, Vec<u8>>;

/// Decodes a 32-byte hex hash.
pub fn h(hex_str: &str) -> Hash {
    let bytes = hex::decode(hex_str).expect("valid hex");
    Hash::try_from(bytes.as_slice()).expect("32 bytes")
}

/// Leaf data used by the exhaustive and property tests.
pub fn leaf_data(i: u64) -> Vec<u8> {
    format!("balai leaf {i}").into_bytes()
}

pub fn leaf_hashes(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&leaf_data(i))).collect()
}

/// Splits ct-merkle's concatenated proof bytes into hashes.
pub fn split_hashes(bytes: &[u8]) -> Vec<Hash> {
    assert_eq!(bytes.len() % 32, 0);
    bytes.chunks(32).map(|c| Hash::try_from(c).expect("32-byte chunk")).collect()
}

pub fn flip(hash: &Hash, byte: usize, mask: u8) -> Hash {
    let mut out = *hash;
    out[byte] ^= mask;
    out
}

const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

/// Corrupted variants of a valid inclusion proof that must all be rejected (after
/// transparency-dev/merkle's `corruptInclusionProof`, minus the tree-size probes, which an
/// RFC 9162 verifier cannot always catch without a size-bound root).
pub fn assert_inclusion_tamper_rejected(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) {
    let some = h(SOME_HASH);
    let reject = |leaf: &Hash, index: u64, proof: &[Hash], root: &Hash, what: &str| {
        assert!(
            verify_inclusion(leaf, index, size, proof, root).is_err(),
            "accepted {what} for index {index} size {size}"
        );
    };
    reject(&flip(leaf, 0, 1), index, proof, root, "wrong leaf");
    reject(&leaf_hash(b"WrongLeaf"), index, proof, root, "other leaf");
    reject(leaf, index, proof, &flip(root, 31, 0x80), "wrong root");
    reject(leaf, index, proof, &some, "random root");
    reject(leaf, index, proof, &balai_ledger::EMPTY_ROOT, "empty root");
    for other in 0..size.min(130) {
        if other != index {
            reject(leaf, other, proof, root, "wrong index");
        }
    }
    reject(leaf, index.wrapping_sub(1), proof, root, "index - 1");
    reject(leaf, index + 1, proof, root, "index + 1");
    reject(leaf, index ^ 2, proof, root, "index ^ 2");
    let mut longer = proof.to_vec();
    longer.push(*root);
    reject(leaf, index, &longer, root, "trailing root");
    longer.pop();
    longer.push([0; 32]);
    reject(leaf, index, &longer, root, "trailing zeros");
    let mut prepended = vec![*root];
    prepended.extend_from_slice(proof);
    reject(leaf, index, &prepended, root, "preceding root");
    for i in 0..proof.len() {
        let mut bad = proof.to_vec();
        bad[i][0] ^= 8;
        reject(leaf, index, &bad, root, "flipped bit");
    }
    if let Some((_, shorter)) = proof.split_last() {
        reject(leaf, index, shorter, root, "removed component");
    }
    if proof.len() > 1 {
        let mut inserted = vec![proof[0], some];
        inserted.extend_from_slice(&proof[1..]);
        reject(leaf, index, &inserted, root, "inserted component");
    }
}

/// Corrupted variants of a valid non-trivial consistency proof that must be rejected
/// (after transparency-dev/merkle's `corruptConsistencyProof`, minus size probes).
pub fn assert_consistency_tamper_rejected(size1: u64, size2: u64, proof: &[Hash], root1: &Hash, root2: &Hash) {
    let reject = |proof: &[Hash], root1: &Hash, root2: &Hash, what: &str| {
        assert!(
            verify_consistency(size1, size2, proof, root1, root2).is_err(),
            "accepted {what} for {size1} -> {size2}"
        );
    };
    reject(proof, &flip(root1, 0, 1), root2, "wrong root1");
    reject(proof, root1, &flip(root2, 0, 1), "wrong root2");
    reject(proof, root2, root1, "swapped roots");
    reject(&[], root1, root2, "empty proof");
    for extra in [*root1, *root2, [0; 32]] {
        let mut longer = proof.to_vec();
        longer.push(extra);
        reject(&longer, root1, root2, "trailing garbage");
        let mut prepended = vec![extra];
        prepended.extend_from_slice(proof);
        reject(&prepended, root1, root2, "preceding garbage");
    }
    if let Some(first) = proof.first() {
        let mut prepended = vec![*first];
        prepended.extend_from_slice(proof);
        reject(&prepended, root1, root2, "preceding proof[0]");
    }
    if let Some((_, shorter)) = proof.split_last() {
        reject(shorter, root1, root2, "truncated proof");
    }
    for i in 0..proof.len() {
        let mut bad = proof.to_vec();
        bad[i][0] ^= 16;
        reject(&bad, root1, root2, "flipped bit");
    }
}
