//! The compact range `[0, size)`: the O(log n) state needed to append to a tree and to
//! compute its head, without the leaves.

use crate::hash::{EMPTY_ROOT, Hash, node_hash};
use crate::proof::{NodeId, fold_range};

/// A perfect subtree hash that became final during an append and that a store should keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubtreeNode {
    /// Where the subtree sits.
    pub id: NodeId,
    /// Its hash, final from now on.
    pub hash: Hash,
}

/// Errors of [`CompactRange`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactRangeError {
    /// The tree already holds `u64::MAX` leaves.
    #[error("the tree is full")]
    TreeFull,
    /// A restored frontier does not have one hash per set bit of the size.
    #[error("a tree of size {size} has {expected} frontier hashes, got {got}")]
    FrontierLength { size: u64, expected: usize, got: usize },
}

/// Incremental Merkle tree ("frontier"): the hashes of the perfect subtrees covering
/// `[0, size)`, one per set bit of `size`, largest (leftmost) first.
///
/// Appending costs one leaf plus on average one node hash, and at most 64 node hashes; the
/// root costs `popcount(size) - 1` node hashes. Memory is at most 64 hashes whatever the size,
/// which is what lets a verifier stream a whole log, and an appender resume from the store
/// by loading [`crate::frontier_ids`]`(size)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    frontier: Vec<Hash>,
}

impl CompactRange {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Resumes from a stored frontier: the hashes of [`crate::frontier_ids`]`(size)` in order.
    pub fn from_frontier(size: u64, frontier: Vec<Hash>) -> Result<Self, CompactRangeError> {
        let expected = size.count_ones() as usize;
        if frontier.len() != expected {
            return Err(CompactRangeError::FrontierLength { size, expected, got: frontier.len() });
        }
        Ok(Self { size, frontier })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtree hashes covering `[0, size)`, largest first.
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// Appends one leaf hash.
    pub fn append(&mut self, leaf_hash: Hash) -> Result<(), CompactRangeError> {
        self.append_with(leaf_hash, |_| {})
    }

    /// Appends one leaf hash, reporting each perfect subtree of level >= 1 it completes,
    /// lowest first. Leaves themselves are not reported: they are stored with their entries.
    pub fn append_with<F>(&mut self, leaf_hash: Hash, mut on_node: F) -> Result<(), CompactRangeError>
    where
        F: FnMut(SubtreeNode),
    {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(CompactRangeError::TreeFull)?;
        // Each trailing one bit of `index` is a left sibling waiting for this leaf's subtree.
        let merges = index.trailing_ones() as usize;
        let keep = self.frontier.len().saturating_sub(merges);
        let mut hash = leaf_hash;
        for (step, left) in self.frontier[keep..].iter().rev().enumerate() {
            hash = node_hash(left, &hash);
            // step < 64, and the node ends at `new_size`, so the id is valid.
            let level = step as u8 + 1;
            if let Some(id) = NodeId::new(level, index >> level) {
                on_node(SubtreeNode { id, hash });
            }
        }
        self.frontier.truncate(keep);
        self.frontier.push(hash);
        self.size = new_size;
        Ok(())
    }

    /// Appends a batch of leaf hashes and returns the perfect subtree nodes (level >= 1) a
    /// store must persist to keep answering proofs in O(log n) lookups.
    pub fn append_leaves(&mut self, leaf_hashes: &[Hash]) -> Result<Vec<SubtreeNode>, CompactRangeError> {
        // A batch of n leaves completes at most n - 1 + 64 nodes.
        let mut nodes = Vec::with_capacity(leaf_hashes.len() + 64);
        for leaf in leaf_hashes {
            self.append_with(*leaf, |node| nodes.push(node))?;
        }
        Ok(nodes)
    }

    /// The tree head (MTH) of the leaves appended so far.
    pub fn root(&self) -> Hash {
        fold_range(&self.frontier).unwrap_or(EMPTY_ROOT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_from_leaf_hashes};
    use crate::proof::frontier_ids;

    #[test]
    fn matches_recursive_definition() {
        let leaves: Vec<Hash> = (0u32..200).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut range = CompactRange::new();
        assert_eq!(range.root(), EMPTY_ROOT);
        for (i, leaf) in leaves.iter().enumerate() {
            range.append(*leaf).expect("not full");
            assert_eq!(range.root(), root_from_leaf_hashes(&leaves[..=i]), "size {}", i + 1);
            assert_eq!(range.frontier().len(), frontier_ids(range.size()).len());
        }
    }

    #[test]
    fn resumes_from_frontier() {
        let leaves: Vec<Hash> = (0u32..77).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut whole = CompactRange::new();
        for leaf in &leaves {
            whole.append(*leaf).expect("not full");
        }
        let mut first = CompactRange::new();
        for leaf in &leaves[..45] {
            first.append(*leaf).expect("not full");
        }
        let mut resumed = CompactRange::from_frontier(first.size(), first.frontier().to_vec()).expect("valid frontier");
        resumed.append_leaves(&leaves[45..]).expect("not full");
        assert_eq!(resumed, whole);
        assert_eq!(
            CompactRange::from_frontier(3, vec![EMPTY_ROOT]),
            Err(CompactRangeError::FrontierLength { size: 3, expected: 2, got: 1 })
        );
    }

    #[test]
    fn full_tree_refuses_more() {
        let mut range = CompactRange::from_frontier(u64::MAX, vec![EMPTY_ROOT; 64]).expect("valid frontier");
        assert_eq!(range.append(EMPTY_ROOT), Err(CompactRangeError::TreeFull));
        let mut range = CompactRange::from_frontier(u64::MAX - 1, vec![EMPTY_ROOT; 63]).expect("valid frontier");
        let mut reported = Vec::new();
        range.append_with(EMPTY_ROOT, |n| reported.push(n.id)).expect("one slot left");
        assert_eq!(range.size(), u64::MAX);
        // u64::MAX - 1 has no trailing ones: the last leaf completes nothing.
        assert!(reported.is_empty());
    }
}
