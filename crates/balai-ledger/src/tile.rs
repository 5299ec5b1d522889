//! Hash tiles, the storage layout of C2SP `tlog-tiles`: the tree is cut into tiles of height 8, and
//! a tile stores only its bottom row — up to 256 hashes of one tree level, concatenated left to right.
//!
//! Tile `(L, N)` holds the hashes of tree level `8·L`, nodes `[256·N, 256·N + 256)`; tile level 0
//! holds the leaf hashes. A node of level `8·L + r` (`r` < 8) is the root of `2^r` consecutive hashes
//! of one tile, so any node is one tile read plus at most 127 node hashes away, and an inclusion
//! proof in a tree of 2^24 leaves reads three tiles instead of 24 nodes. Only the last tile of each
//! level grows; every other tile is written once and never changes.

use crate::hash::{Hash, node_hash};
use crate::proof::NodeId;

/// Tree levels per tile.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile: `2^TILE_HEIGHT`.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// Bytes per hash in a stored tile.
pub const HASH_BYTES: usize = 32;

/// A tile: `level` counts tiles (tree level `8·level`), `index` counts from the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub level: u8,
    pub index: u64,
}

/// Where a node is computed from: a tile and the positions of the hashes under the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileSpan {
    pub tile: TileId,
    pub positions: std::ops::Range<usize>,
}

impl TileId {
    /// The tile and positions whose hashes are the bottom row of `node`'s subtree within a tile.
    pub fn span_of(node: NodeId) -> TileSpan {
        let level = node.level() / TILE_HEIGHT;
        let rise = node.level() % TILE_HEIGHT;
        let first = node.index() << rise;
        let start = (first % TILE_WIDTH) as usize;
        TileSpan { tile: TileId { level, index: first / TILE_WIDTH }, positions: start..start + (1usize << rise) }
    }

    /// The tile that stores `node` itself, and its position, if the node sits on a tile's bottom row.
    pub fn storing(node: NodeId) -> Option<(TileId, usize)> {
        node.level().is_multiple_of(TILE_HEIGHT).then(|| {
            let tile = TileId { level: node.level() / TILE_HEIGHT, index: node.index() / TILE_WIDTH };
            (tile, (node.index() % TILE_WIDTH) as usize)
        })
    }
}

/// The `position`-th hash of a stored tile, if the tile is that wide.
pub fn tile_hash(tile: &[u8], position: usize) -> Option<Hash> {
    let start = position.checked_mul(HASH_BYTES)?;
    tile.get(start..start + HASH_BYTES).map(|bytes| bytes.try_into().expect("32 bytes"))
}

/// The hash of the node whose bottom row within `tile` is `span.positions`, or `None` when the tile
/// is too narrow (the node is not complete, or the tile was truncated).
pub fn node_from_tile(tile: &[u8], span: &TileSpan) -> Option<Hash> {
    let width = span.positions.len();
    debug_assert!(width.is_power_of_two());
    let bytes = tile.get(span.positions.start * HASH_BYTES..span.positions.end * HASH_BYTES)?;
    let mut row: Vec<Hash> = bytes.chunks_exact(HASH_BYTES).map(|c| c.try_into().expect("32 bytes")).collect();
    // A perfect subtree: halve the row until one hash is left.
    let mut len = row.len();
    while len > 1 {
        for i in 0..len / 2 {
            row[i] = node_hash(&row[2 * i], &row[2 * i + 1]);
        }
        len /= 2;
    }
    row.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryTree, leaf_hash};

    fn tree(size: u64) -> MemoryTree {
        MemoryTree::from_leaf_hashes((0..size).map(|i| leaf_hash(&i.to_be_bytes())))
    }

    /// Builds every tile of a tree the way a store appending node by node would.
    fn tiles_of(tree: &MemoryTree) -> std::collections::HashMap<TileId, Vec<u8>> {
        let mut tiles: std::collections::HashMap<TileId, Vec<u8>> = Default::default();
        for level in (0..=16u8).step_by(TILE_HEIGHT as usize) {
            let mut index = 0;
            while let Some(hash) = NodeId::new(level, index).and_then(|id| tree.node(id)) {
                let (tile, _) = TileId::storing(NodeId::new(level, index).unwrap()).unwrap();
                tiles.entry(tile).or_default().extend_from_slice(&hash);
                index += 1;
            }
        }
        tiles
    }

    #[test]
    fn every_complete_node_is_computed_from_its_tile() {
        for size in [1u64, 2, 255, 256, 257, 511, 4096, 65_536 + 300] {
            let tree = tree(size);
            let tiles = tiles_of(&tree);
            for level in 0..=17u8 {
                let mut index = 0;
                while let Some(expected) = NodeId::new(level, index).and_then(|id| tree.node(id)) {
                    let span = TileId::span_of(NodeId::new(level, index).unwrap());
                    let tile = tiles.get(&span.tile).unwrap_or_else(|| panic!("tile {:?} at size {size}", span.tile));
                    assert_eq!(node_from_tile(tile, &span), Some(expected), "node {level}/{index} at size {size}");
                    index += 1;
                }
            }
        }
    }

    #[test]
    fn an_incomplete_node_is_not_invented() {
        let tree = tree(300);
        let tiles = tiles_of(&tree);
        // Leaves 256..300 exist, so node 6/4 (leaves 256..320) is not complete.
        let span = TileId::span_of(NodeId::new(6, 4).unwrap());
        assert_eq!(node_from_tile(&tiles[&span.tile], &span), None);
        assert_eq!(tile_hash(&tiles[&TileId { level: 0, index: 1 }], 44), None);
        assert!(tile_hash(&tiles[&TileId { level: 0, index: 1 }], 43).is_some());
    }

    #[test]
    fn nodes_on_a_bottom_row_are_stored_in_one_place() {
        let node = NodeId::new(8, 513).unwrap();
        assert_eq!(TileId::storing(node), Some((TileId { level: 1, index: 2 }, 1)));
        assert_eq!(TileId::storing(NodeId::new(9, 0).unwrap()), None);
        let span = TileId::span_of(NodeId::new(11, 3).unwrap());
        assert_eq!(span, TileSpan { tile: TileId { level: 1, index: 0 }, positions: 24..32 });
    }
}
