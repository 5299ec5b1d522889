//! Known-answer tests: the RFC 6962 reference test vectors as published in
//! transparency-dev/merkle (`testonly/constants.go`, `proof/verify_test.go`), which descend
//! from the certificate-transparency reference implementation.

mod common;

use balai_ledger::{
    CompactRange, EMPTY_ROOT, Hash, MemoryTree, NodeId, VerifyError, consistency_proof, inclusion_proof, leaf_hash,
    root_from_inclusion_proof, root_from_leaf_hashes, verify_consistency, verify_inclusion,
};
use common::{assert_consistency_tamper_rejected, assert_inclusion_tamper_rejected, h};

const LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

/// Root hashes for tree sizes 0..=8.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Hashes of every perfect subtree of the 8-leaf tree, per level.
const NODES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// (leaf index, tree size, proof); the Go source numbers leaves from 1.
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (size1, size2, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn leaf_hashes() -> Vec<Hash> {
    LEAVES.iter().map(|l| leaf_hash(&hex::decode(l).expect("hex"))).collect()
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

fn tree() -> MemoryTree {
    MemoryTree::from_leaf_hashes(leaf_hashes())
}

#[test]
fn empty_tree_root() {
    assert_eq!(EMPTY_ROOT, h(ROOTS[0]));
    assert_eq!(root_from_leaf_hashes(&[]), EMPTY_ROOT);
    assert_eq!(CompactRange::new().root(), EMPTY_ROOT);
    assert_eq!(MemoryTree::new().root(), EMPTY_ROOT);
}

#[test]
fn roots_for_sizes_one_to_eight() {
    let leaves = leaf_hashes();
    let tree = tree();
    let mut range = CompactRange::new();
    for size in 0..=8usize {
        let want = h(ROOTS[size]);
        assert_eq!(root_from_leaf_hashes(&leaves[..size]), want, "recursive, size {size}");
        assert_eq!(range.root(), want, "compact range, size {size}");
        assert_eq!(tree.root_at(size as u64), Ok(want), "memory tree, size {size}");
        if let Some(leaf) = leaves.get(size) {
            range.append(*leaf).expect("not full");
        }
    }
    assert_eq!(tree.root(), h(ROOTS[8]));
}

#[test]
fn every_perfect_subtree_node() {
    let tree = tree();
    for (level, row) in NODES.iter().enumerate() {
        for (index, want) in row.iter().enumerate() {
            let id = NodeId::new(level as u8, index as u64).expect("valid id");
            assert_eq!(tree.node(id), Some(h(want)), "node ({level}, {index})");
        }
    }
}

#[test]
fn compact_range_reports_the_stored_nodes() {
    let mut range = CompactRange::new();
    let nodes = range.append_leaves(&leaf_hashes()).expect("not full");
    let mut want = Vec::new();
    for (level, row) in NODES.iter().enumerate().skip(1) {
        for (index, hash) in row.iter().enumerate() {
            want.push((level as u8, index as u64, h(hash)));
        }
    }
    let mut got: Vec<_> = nodes.iter().map(|n| (n.id.level(), n.id.index(), n.hash)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn published_inclusion_proofs() {
    let leaves = leaf_hashes();
    let tree = tree();
    for (index, size, proof) in INCLUSION {
        let proof = hashes(proof);
        let root = h(ROOTS[size as usize]);
        let leaf = leaves[index as usize];
        assert_eq!(
            inclusion_proof(&tree, index, size).expect("provable"),
            proof,
            "generated proof for leaf {index} in size {size}"
        );
        assert_eq!(root_from_inclusion_proof(&leaf, index, size, &proof), Ok(root));
        verify_inclusion(&leaf, index, size, &proof, &root).expect("published proof verifies");
        assert_inclusion_tamper_rejected(&leaf, index, size, &proof, &root);
        if !proof.is_empty() {
            // The Go suite's tree-size probes, which fail for these particular vectors.
            for bad_size in [size * 2, size / 2] {
                assert!(verify_inclusion(&leaf, index, bad_size, &proof, &root).is_err());
            }
        }
    }
}

#[test]
fn published_consistency_proofs() {
    let tree = tree();
    for (size1, size2, proof) in CONSISTENCY {
        let proof = hashes(proof);
        let (root1, root2) = (h(ROOTS[size1 as usize]), h(ROOTS[size2 as usize]));
        assert_eq!(
            consistency_proof(&tree, size1, size2).expect("provable"),
            proof,
            "generated proof {size1} -> {size2}"
        );
        verify_consistency(size1, size2, &proof, &root1, &root2).expect("published proof verifies");
        if !proof.is_empty() {
            assert_consistency_tamper_rejected(size1, size2, &proof, &root1, &root2);
            for bad1 in [size1 - 1, size1 + 1, size1 ^ 2] {
                assert!(verify_consistency(bad1, size2, &proof, &root1, &root2).is_err());
            }
            for bad2 in [size2 * 2, size2 / 2] {
                assert!(verify_consistency(size1, bad2, &proof, &root1, &root2).is_err());
            }
        }
    }
}

#[test]
fn single_entry_and_degenerate_inclusion() {
    let hash = leaf_hash(b"data");
    assert_eq!(verify_inclusion(&hash, 0, 1, &[], &hash), Ok(()));
    assert_eq!(verify_inclusion(&hash, 0, 1, &[], &EMPTY_ROOT), Err(VerifyError::RootMismatch));
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size) in [(0, 0), (1, 0), (2, 1)] {
        assert_eq!(
            verify_inclusion(&some, index, size, &[], &EMPTY_ROOT),
            Err(VerifyError::IndexOutOfRange { index, size })
        );
    }
    assert_eq!(verify_inclusion(&some, 0, 1, &[], &EMPTY_ROOT), Err(VerifyError::RootMismatch));
}

/// (size1, size2, root1, root2, proof, expected outcome).
type ConsistencyCase = (u64, u64, Hash, Hash, Vec<Hash>, Result<(), VerifyError>);

#[test]
fn degenerate_consistency() {
    let (a, b) = (leaf_hash(b"don't care 1"), leaf_hash(b"don't care 2"));
    let e = EMPTY_ROOT;
    let cases: [ConsistencyCase; 11] = [
        (0, 0, e, e, vec![], Ok(())),
        (0, 1, e, b, vec![], Ok(())),
        (1, 1, b, b, vec![], Ok(())),
        (1, 1, a, b, vec![], Err(VerifyError::RootMismatch)),
        (1, 0, a, b, vec![], Err(VerifyError::SizesOutOfOrder { size1: 1, size2: 0 })),
        (2, 1, a, b, vec![], Err(VerifyError::SizesOutOfOrder { size1: 2, size2: 1 })),
        (1, 2, a, b, vec![], Err(VerifyError::ProofTooShort)),
        (0, 0, e, e, vec![e], Err(VerifyError::ProofTooLong)),
        (0, 1, e, e, vec![e], Err(VerifyError::ProofTooLong)),
        (1, 1, e, e, vec![e], Err(VerifyError::ProofTooLong)),
        // Stricter than transparency-dev: the empty tree's head is fixed.
        (0, 5, a, b, vec![], Err(VerifyError::EarlierRootMismatch)),
    ];
    for (size1, size2, root1, root2, proof, want) in cases {
        assert_eq!(verify_consistency(size1, size2, &proof, &root1, &root2), want, "{size1} -> {size2}");
    }
}
