//! An in-memory tree keeping every perfect subtree: the reference [`HashSource`] and a
//! stand-in for the database in tests.

use crate::hash::{EMPTY_ROOT, Hash, node_hash};
use crate::proof::{HashSource, NodeId, ProofError, consistency_proof, inclusion_proof, root_from_source};

/// A [`MemoryTree`] was asked for a hash it does not have yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryTreeError {
    /// The leaf has not been appended.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    LeafNotFound { index: u64, size: u64 },
}

/// All levels of perfect subtrees, `levels[l][i]` being node `(l, i)`: about 2n hashes.
///
/// It is laid out exactly like the suggested database table (see the crate docs), so it
/// doubles as the reference for what a store must hold.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of the given leaf hashes.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Appends a leaf hash and every perfect subtree it completes.
    pub fn push(&mut self, leaf_hash: Hash) {
        let mut hash = leaf_hash;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            let len = row.len();
            if len % 2 == 1 {
                return;
            }
            hash = node_hash(&row[len - 2], &row[len - 1]);
            level += 1;
        }
    }

    /// Stored hash of a perfect subtree, leaves included.
    pub fn node(&self, id: NodeId) -> Option<Hash> {
        let row = self.levels.get(usize::from(id.level()))?;
        row.get(usize::try_from(id.index()).ok()?).copied()
    }

    /// Current tree head.
    pub fn root(&self) -> Hash {
        self.root_at(self.size()).unwrap_or(EMPTY_ROOT)
    }

    /// Tree head at an earlier (or the current) size.
    pub fn root_at(&self, size: u64) -> Result<Hash, MemoryTreeError> {
        root_from_source(self, size)
    }

    /// Inclusion proof of leaf `index` in the tree at `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError<MemoryTreeError>> {
        inclusion_proof(self, index, size)
    }

    /// Consistency proof from size `size1` to size `size2`.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, ProofError<MemoryTreeError>> {
        consistency_proof(self, size1, size2)
    }
}

impl HashSource for MemoryTree {
    type Error = MemoryTreeError;

    fn leaf_hash(&self, index: u64) -> Result<Hash, Self::Error> {
        NodeId::leaf(index)
            .and_then(|id| self.node(id))
            .ok_or(MemoryTreeError::LeafNotFound { index, size: self.size() })
    }

    fn subtree_hash(&self, node: NodeId) -> Result<Option<Hash>, Self::Error> {
        Ok(self.node(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_from_leaf_hashes};

    #[test]
    fn roots_at_every_size() {
        let leaves: Vec<Hash> = (0u32..70).map(|i| leaf_hash(&i.to_le_bytes())).collect();
        let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
        assert_eq!(tree.size(), 70);
        for size in 0..=70 {
            assert_eq!(tree.root_at(size), Ok(root_from_leaf_hashes(&leaves[..size as usize])));
        }
        assert_eq!(tree.root_at(71), Err(MemoryTreeError::LeafNotFound { index: 70, size: 70 }));
    }

    #[test]
    fn proofs_past_the_end_fail_cleanly() {
        let tree = MemoryTree::from_leaf_hashes((0u8..5).map(|i| leaf_hash(&[i])));
        assert!(matches!(tree.inclusion_proof(2, 9), Err(ProofError::Source(MemoryTreeError::LeafNotFound { .. }))));
        assert!(matches!(tree.inclusion_proof(5, 5), Err(ProofError::Request(_))));
    }
}
