//! Proof verification per RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).

use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("tree size {size2} is smaller than earlier size {size1}")]
    SizesOutOfOrder { size1: u64, size2: u64 },
    /// The proof has more hashes than the sizes call for.
    #[error("proof has more hashes than tree sizes allow")]
    ProofTooLong,
    /// The proof has fewer hashes than the sizes call for (an empty one included).
    #[error("proof has fewer hashes than tree sizes require")]
    ProofTooShort,
    /// The recomputed root differs from the claimed one (the later one for consistency).
    #[error("recomputed root does not match the claimed root")]
    RootMismatch,
    /// The recomputed earlier root differs from the claimed earlier root.
    #[error("recomputed earlier root does not match the claimed earlier root")]
    EarlierRootMismatch,
}

/// Right-shifts both until `first` is odd or zero (the RFC's repeated step).
fn shift_while_even(first: &mut u64, second: &mut u64) {
    while *first & 1 == 0 && *first != 0 {
        *first >>= 1;
        *second >>= 1;
    }
}

/// The root implied by an inclusion proof of `leaf_hash` at `index` in a tree of `size`.
pub fn root_from_inclusion_proof(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash]) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if snode == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            shift_while_even(&mut fnode, &mut snode);
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    Ok(r)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves whose head is `root`.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, size, proof)?;
    if &computed != root {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `size2` leaves with head `root2` extends the tree of `size1`
/// leaves with head `root1`.
///
/// Equal sizes need an empty proof and equal roots. Size 0 needs an empty proof and, unlike
/// some implementations that ignore it, `root1` must be the empty-tree hash: a log claiming
/// another head for its empty tree is misbehaving.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), VerifyError> {
    if size2 < size1 {
        return Err(VerifyError::SizesOutOfOrder { size1, size2 });
    }
    if size1 == size2 || size1 == 0 {
        if !proof.is_empty() {
            return Err(VerifyError::ProofTooLong);
        }
        if size1 == 0 && root1 != &EMPTY_ROOT {
            return Err(VerifyError::EarlierRootMismatch);
        }
        if size1 == size2 && root1 != root2 {
            return Err(VerifyError::RootMismatch);
        }
        return Ok(());
    }
    // 0 < size1 < size2 from here on, where the RFC requires a non-empty path.
    if proof.is_empty() {
        return Err(VerifyError::ProofTooShort);
    }
    let (first, rest) = if size1.is_power_of_two() {
        // The old tree is a perfect subtree: its root is the implicit first element.
        (root1, proof)
    } else {
        proof.split_first().ok_or(VerifyError::ProofTooShort)?
    };
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            shift_while_even(&mut fnode, &mut snode);
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    if &fr != root1 {
        return Err(VerifyError::EarlierRootMismatch);
    }
    if &sr != root2 {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}
