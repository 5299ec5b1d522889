//! Inclusion (RFC 9162 §2.1.3.1 `PATH`) and consistency (RFC 9162 §2.1.4.1 / RFC 6962
//! `SUBPROOF`) proof generation from a store of perfect-subtree hashes.
//!
//! Every proof element is the hash of a leaf range `[begin, end)`. That range is either a
//! perfect subtree, or the right edge of the tree, which splits into at most 64 perfect
//! subtrees; and at most one element per proof is such a right edge. So a store that keeps
//! every perfect subtree answers any proof with O(log n) lookups: see [`ProofPlan`] to fetch
//! them in one batch, or [`HashSource`] to let this module ask for them one by one.

use std::convert::Infallible;

use crate::hash::{Hash, node_hash, split_point};

/// Identifies a perfect subtree: `2^level` leaves starting at leaf `index << level`.
///
/// Level 0 nodes are leaves. The node hash never changes once its last leaf is appended,
/// which is what makes `(level, index)` a stable storage key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    level: u8,
    index: u64,
}

impl NodeId {
    /// A node id, or `None` if the subtree would reach past leaf `u64::MAX - 1`
    /// (no tree of at most `u64::MAX` leaves can complete it).
    pub fn new(level: u8, index: u64) -> Option<Self> {
        if level > 63 {
            return None;
        }
        let end = (u128::from(index) + 1) << level;
        (end <= u128::from(u64::MAX)).then_some(Self { level, index })
    }

    /// The node of leaf `index`.
    pub fn leaf(index: u64) -> Option<Self> {
        Self::new(0, index)
    }

    /// Height above the leaves: 0 for a leaf.
    pub fn level(self) -> u8 {
        self.level
    }

    /// Position among the nodes of the same level, counted from the left.
    pub fn index(self) -> u64 {
        self.index
    }

    /// First leaf covered.
    pub fn begin(self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf covered; also the smallest tree size in which the node exists.
    pub fn end(self) -> u64 {
        self.begin() + self.leaf_count()
    }

    /// Number of leaves covered: `2^level`.
    pub fn leaf_count(self) -> u64 {
        1u64 << self.level
    }

    /// The two halves, or `None` for a leaf.
    pub fn children(self) -> Option<(NodeId, NodeId)> {
        let level = self.level.checked_sub(1)?;
        let left = NodeId { level, index: self.index << 1 };
        let right = NodeId { level, index: (self.index << 1) | 1 };
        Some((left, right))
    }

    /// Built only from ranges already checked to lie below `u64::MAX`.
    fn unchecked(level: u8, index: u64) -> Self {
        debug_assert!(Self::new(level, index).is_some());
        Self { level, index }
    }
}

/// Splits the leaf range `[begin, end)` into the fewest aligned perfect subtrees, left to right.
///
/// The hash of the range is the right fold of their hashes (see [`fold_range`]) whenever the
/// range is a subtree of the RFC's recursive split, which holds for every proof element and
/// for `[0, size)`.
pub(crate) fn decompose(mut begin: u64, end: u64, out: &mut Vec<NodeId>) {
    while begin < end {
        let remaining = end - begin;
        let fit = 63 - remaining.leading_zeros();
        let align = begin.trailing_zeros();
        // `level` is at most 63, so the cast cannot truncate.
        let level = fit.min(align) as u8;
        out.push(NodeId::unchecked(level, begin >> level));
        begin += 1u64 << level;
    }
}

/// Hash of a range from the hashes of its [`decompose`] pieces, folded from the right.
pub(crate) fn fold_range(pieces: &[Hash]) -> Option<Hash> {
    let (last, rest) = pieces.split_last()?;
    Some(rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
}

/// The node ids of the compact range `[0, size)`: one perfect subtree per set bit of `size`,
/// largest first. Their right fold is the tree head; they are also the state that
/// [`crate::CompactRange`] keeps to go on appending.
pub fn frontier_ids(size: u64) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(size.count_ones() as usize);
    decompose(0, size, &mut out);
    out
}

/// A proof request that cannot be answered whatever the store holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRequestError {
    /// Inclusion asked for a leaf the tree of that size does not have.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// Consistency asked from a larger tree to a smaller one.
    #[error("cannot prove consistency from tree size {size1} to smaller size {size2}")]
    SizesOutOfOrder { size1: u64, size2: u64 },
}

/// Why a proof or tree head could not be produced from a [`HashSource`].
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E: std::error::Error + 'static> {
    /// The request itself is invalid.
    #[error(transparent)]
    Request(#[from] ProofRequestError),
    /// The source failed to deliver a hash it was asked for.
    #[error("hash source failed")]
    Source(#[source] E),
}

/// A store of leaf and perfect-subtree hashes that proofs are generated from.
///
/// `leaf_hash` must answer for every leaf below the requested tree size. `subtree_hash` may
/// answer `None` for any node it did not keep; the missing hash is then rebuilt from its
/// children, so keeping fewer levels trades storage for lookups (each skipped level doubles
/// the lookups for that node). A store keeping every level answers a proof with at most
/// about `2·log2(size)` lookups.
pub trait HashSource {
    /// Error of the underlying store.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Leaf hash of entry `index`.
    fn leaf_hash(&self, index: u64) -> Result<Hash, Self::Error>;

    /// Stored hash of a perfect subtree of level at least 1, if the store keeps it.
    ///
    /// In the terms of "subtree starting at leaf `start` with `size` leaves":
    /// `start = node.begin()`, `size = node.leaf_count()`.
    fn subtree_hash(&self, node: NodeId) -> Result<Option<Hash>, Self::Error>;
}

impl<S: HashSource + ?Sized> HashSource for &S {
    type Error = S::Error;

    fn leaf_hash(&self, index: u64) -> Result<Hash, Self::Error> {
        (**self).leaf_hash(index)
    }

    fn subtree_hash(&self, node: NodeId) -> Result<Option<Hash>, Self::Error> {
        (**self).subtree_hash(node)
    }
}

/// Hash of a perfect subtree from a source, rebuilding it from children when not stored.
pub fn node_from_source<S: HashSource + ?Sized>(source: &S, node: NodeId) -> Result<Hash, S::Error> {
    match node.children() {
        None => source.leaf_hash(node.index),
        Some((left, right)) => match source.subtree_hash(node)? {
            Some(hash) => Ok(hash),
            None => Ok(node_hash(&node_from_source(source, left)?, &node_from_source(source, right)?)),
        },
    }
}

/// The perfect subtrees whose hashes make up a proof, grouped per proof element.
///
/// Lets an asynchronous or remote store fetch every needed hash in one round trip
/// ([`ProofPlan::node_ids`]) and then assemble the proof ([`ProofPlan::resolve`]) without this
/// crate doing any I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    /// Proof elements in proof order (bottom-up), each as its perfect subtrees left to right.
    elements: Vec<Vec<NodeId>>,
}

impl ProofPlan {
    /// Plan of the inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 `PATH`).
    pub fn inclusion(index: u64, size: u64) -> Result<Self, ProofRequestError> {
        if index >= size {
            return Err(ProofRequestError::IndexOutOfRange { index, size });
        }
        // Walk down from the root; `begin` stays a multiple of a power of two >= `end - begin`.
        let mut elements = Vec::new();
        let (mut begin, mut end) = (0u64, size);
        while end - begin > 1 {
            let k = split_point(end - begin);
            let mut sibling = Vec::new();
            if index - begin < k {
                decompose(begin + k, end, &mut sibling);
                end = begin + k;
            } else {
                decompose(begin, begin + k, &mut sibling);
                begin += k;
            }
            elements.push(sibling);
        }
        elements.reverse();
        Ok(Self { elements })
    }

    /// Plan of the consistency proof from tree size `size1` to `size2` (RFC 9162 §2.1.4.1).
    ///
    /// Empty when `size1` is 0 or equals `size2`: those pairs need no proof.
    pub fn consistency(size1: u64, size2: u64) -> Result<Self, ProofRequestError> {
        if size1 > size2 {
            return Err(ProofRequestError::SizesOutOfOrder { size1, size2 });
        }
        let mut elements = Vec::new();
        if size1 == 0 || size1 == size2 {
            return Ok(Self { elements });
        }
        // SUBPROOF(m, D[begin:end], b), unrolled; `m - begin` is the old size within the subtree.
        let (mut begin, mut end) = (0u64, size2);
        let mut whole_old_tree = true;
        loop {
            let n = end - begin;
            let m = size1 - begin;
            let mut element = Vec::new();
            if m == n {
                if !whole_old_tree {
                    decompose(begin, end, &mut element);
                    elements.push(element);
                }
                break;
            }
            let k = split_point(n);
            if m <= k {
                decompose(begin + k, end, &mut element);
                end = begin + k;
            } else {
                decompose(begin, begin + k, &mut element);
                begin += k;
                whole_old_tree = false;
            }
            elements.push(element);
        }
        elements.reverse();
        Ok(Self { elements })
    }

    /// Number of hashes in the finished proof.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether the proof is empty (single-leaf trees, trivial consistency).
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// Every node whose hash the proof needs, without duplicates (at most about 2·64).
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.elements.iter().flatten().copied()
    }

    /// The proof elements, each as the perfect subtrees it is folded from, left to right.
    pub fn elements(&self) -> &[Vec<NodeId>] {
        &self.elements
    }

    /// Assembles the proof from a lookup of node hashes (for example a map filled by one
    /// batched query for [`ProofPlan::node_ids`]).
    pub fn resolve<E, F>(&self, mut lookup: F) -> Result<Vec<Hash>, E>
    where
        F: FnMut(NodeId) -> Result<Hash, E>,
    {
        let mut proof = Vec::with_capacity(self.elements.len());
        let mut pieces = Vec::new();
        for element in &self.elements {
            pieces.clear();
            for &node in element {
                pieces.push(lookup(node)?);
            }
            // Plans never hold an empty element; the fallback keeps this total.
            proof.push(fold_range(&pieces).unwrap_or(crate::hash::EMPTY_ROOT));
        }
        Ok(proof)
    }

    /// Assembles the proof from a [`HashSource`].
    pub fn resolve_from<S: HashSource + ?Sized>(&self, source: &S) -> Result<Vec<Hash>, S::Error> {
        self.resolve(|node| node_from_source(source, node))
    }
}

/// Inclusion proof of leaf `index` in the tree of `size` leaves, bottom-up (RFC 9162 `PATH`).
pub fn inclusion_proof<S: HashSource + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    ProofPlan::inclusion(index, size)?.resolve_from(source).map_err(ProofError::Source)
}

/// Consistency proof from tree size `size1` to `size2` (RFC 9162 §2.1.4.1).
pub fn consistency_proof<S: HashSource + ?Sized>(
    source: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    ProofPlan::consistency(size1, size2)?.resolve_from(source).map_err(ProofError::Source)
}

/// Tree head of the first `size` leaves of a source, from `popcount(size)` perfect subtrees.
pub fn root_from_source<S: HashSource + ?Sized>(source: &S, size: u64) -> Result<Hash, S::Error> {
    let mut pieces = Vec::new();
    for node in frontier_ids(size) {
        pieces.push(node_from_source(source, node)?);
    }
    Ok(fold_range(&pieces).unwrap_or(crate::hash::EMPTY_ROOT))
}

/// Lets [`ProofError`] be used with sources that cannot fail.
impl From<ProofError<Infallible>> for ProofRequestError {
    fn from(err: ProofError<Infallible>) -> Self {
        match err {
            ProofError::Request(request) => request,
            ProofError::Source(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_id_bounds() {
        assert!(NodeId::new(64, 0).is_none());
        assert!(NodeId::new(63, 0).is_some());
        assert!(NodeId::new(63, 1).is_none());
        assert!(NodeId::new(0, u64::MAX - 1).is_some());
        assert!(NodeId::new(0, u64::MAX).is_none());
        let n = NodeId::new(3, 5).expect("valid");
        assert_eq!((n.begin(), n.end(), n.leaf_count()), (40, 48, 8));
        let (l, r) = n.children().expect("not a leaf");
        assert_eq!((l.begin(), l.end(), r.begin(), r.end()), (40, 44, 44, 48));
        assert!(NodeId::leaf(7).expect("valid").children().is_none());
    }

    #[test]
    fn frontier_follows_set_bits() {
        let ids = frontier_ids(13);
        let spans: Vec<_> = ids.iter().map(|n| (n.begin(), n.end())).collect();
        assert_eq!(spans, vec![(0, 8), (8, 12), (12, 13)]);
        assert!(frontier_ids(0).is_empty());
        assert_eq!(frontier_ids(u64::MAX).len(), 64);
    }

    #[test]
    fn decompose_handles_unaligned_ranges() {
        let mut out = Vec::new();
        decompose(3, 17, &mut out);
        let spans: Vec<_> = out.iter().map(|n| (n.begin(), n.end())).collect();
        assert_eq!(spans, vec![(3, 4), (4, 8), (8, 16), (16, 17)]);
    }

    #[test]
    fn plans_reject_bad_requests() {
        assert_eq!(ProofPlan::inclusion(5, 5), Err(ProofRequestError::IndexOutOfRange { index: 5, size: 5 }));
        assert_eq!(ProofPlan::consistency(6, 5), Err(ProofRequestError::SizesOutOfOrder { size1: 6, size2: 5 }));
        assert!(ProofPlan::consistency(0, 9).expect("valid").is_empty());
        assert!(ProofPlan::consistency(9, 9).expect("valid").is_empty());
        assert!(ProofPlan::inclusion(0, 1).expect("valid").is_empty());
    }

    #[test]
    fn plans_for_huge_trees_stay_logarithmic() {
        let plan = ProofPlan::inclusion(0, u64::MAX).expect("valid");
        assert_eq!(plan.len(), 64);
        assert!(plan.node_ids().count() <= 128);
        let plan = ProofPlan::consistency(u64::MAX - 1, u64::MAX).expect("valid");
        assert!(plan.node_ids().count() <= 128);
    }
}
