//! Balai's tamper-evident audit log core: pure computation, no I/O, no async.
//!
//! - [`hash`]: RFC 6962 / RFC 9162 Merkle hashing with SHA-256 (leaf `0x00`, node `0x01`
//!   prefixes, empty tree = `SHA-256("")`).
//! - [`CompactRange`]: append leaf hashes one by one and get the tree head in O(log n)
//!   memory, to append to a large log or to re-verify a whole log by streaming it.
//! - [`proof`]: inclusion and consistency proofs generated from a [`HashSource`] (or a
//!   [`ProofPlan`] for batched/async stores) in O(log n) lookups; [`MemoryTree`] is the
//!   in-memory reference source.
//! - [`verify`]: RFC 9162 §2.1.3.2 / §2.1.4.2 proof verification.
//! - [`tile`]: where a node lives in C2SP `tlog-tiles` storage, and how to compute it from there.
//! - [`entry`]: Balai's canonical leaf entry, the exact bytes a leaf hashes, and its one strict
//!   reader (the audit log's bundles hold one entry a line).
//! - [`checkpoint`] and [`note`]: C2SP tlog-checkpoint bodies, signed as C2SP signed notes
//!   with Ed25519, in the key formats of `golang.org/x/mod/sumdb/note`.
//!
//! # Storage scheme
//!
//! A store keeps, besides its entries, tree hashes in one of two ways:
//!
//! 1. **Every perfect subtree**, keyed by `(level, index)`: node `(l, i)` is the hash of
//!    leaves `[i·2^l, (i+1)·2^l)`. A node is written once, when its last leaf is appended,
//!    and never changes afterwards, so any past tree size can still be proven. n − popcount(n)
//!    rows for n leaves, and a proof is one lookup per level.
//! 2. **Tiles** ([`tile`], the C2SP `tlog-tiles` layout): only the levels that are multiples of
//!    8 are kept, 256 hashes to a row, and a node in between is computed from the at most 128
//!    hashes under it in one tile ([`node_from_tile`]). About n/255 hashes beyond the leaf
//!    hashes, written n/256 rows at a time, and a proof reads one tile per 8 levels. Balai's
//!    store uses this layout.
//!
//! Appending a batch: load the frontier, the nodes [`frontier_ids`]`(size)` (at most 64;
//! level-0 ones come from the leaf hashes), rebuild [`CompactRange::from_frontier`], call
//! [`CompactRange::append_leaves`] and insert the returned [`SubtreeNode`]s in the same
//! transaction as the entries; [`CompactRange::root`] is the new tree head to put in a
//! [`Checkpoint`] and sign with [`sign_checkpoint`].
//!
//! Proving: [`ProofPlan::inclusion`] / [`ProofPlan::consistency`] list the nodes needed (at
//! most about `2·log2(n)`: every proof element is a perfect subtree except at most one,
//! the right edge, which splits into at most `log2(n)` perfect subtrees). Fetch them in
//! one query and call [`ProofPlan::resolve`]. A synchronous store can instead implement
//! [`HashSource`] and call [`inclusion_proof`] / [`consistency_proof`]; a `HashSource`
//! may skip levels (answer `None`), at the cost of rebuilding those nodes from their
//! children.
//!
//! Verifying the whole log: stream the entries in order through
//! [`CompactRange::append`]`(`[`leaf_hash`]`(entry))` and compare [`CompactRange::root`]
//! with the signed checkpoint; then check every stored node against a [`MemoryTree`]-like
//! recomputation, or simply recompute them with [`CompactRange::append_with`].
//!
//! # Example
//!
//! ```
//! use balai_ledger::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let entries: Vec<&[u8]> = vec![b"permit 1 issued", b"permit 1 paid", b"permit 2 issued"];
//! let mut tree = MemoryTree::new();
//! for entry in &entries {
//!     tree.push(leaf_hash(entry));
//! }
//!
//! // Inclusion of entry 1 in the tree of 3 entries.
//! let proof = tree.inclusion_proof(1, 3)?;
//! verify_inclusion(&leaf_hash(entries[1]), 1, 3, &proof, &tree.root())?;
//!
//! // The tree of 3 extends the tree of 2.
//! let proof = tree.consistency_proof(2, 3)?;
//! verify_consistency(2, 3, &proof, &tree.root_at(2)?, &tree.root())?;
//!
//! // Sign the tree head and open it again as a client would.
//! let signer = NoteSigner::generate("balai.example/audit")?;
//! let vkey = signer.verifier().to_vkey(); // published
//! let note = sign_checkpoint(&Checkpoint::new("balai.example/audit", 3, tree.root()), &signer)?;
//! let checkpoint = open_checkpoint(&note, "balai.example/audit", &NoteVerifier::from_vkey(&vkey)?)?;
//! assert_eq!(checkpoint.root, tree.root());
//! # Ok(())
//! # }
//! ```

pub mod checkpoint;
pub mod compact;
pub mod entry;
pub mod hash;
pub mod memory;
pub mod note;
pub mod proof;
pub mod tile;
pub mod verify;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use compact::{CompactRange, CompactRangeError, SubtreeNode};
pub use entry::Leaf;
pub use hash::{EMPTY_ROOT, Hash, hex, leaf_hash, node_hash, root_from_leaf_hashes};
pub use memory::{MemoryTree, MemoryTreeError};
pub use note::{
    Note, NoteError, NoteSignature, NoteSigner, NoteVerifier, open_checkpoint, open_note, sign_checkpoint, sign_note,
};
pub use proof::{
    HashSource, NodeId, ProofError, ProofPlan, ProofRequestError, consistency_proof, frontier_ids, inclusion_proof,
    root_from_source,
};
pub use tile::{HASH_BYTES, TILE_HEIGHT, TILE_WIDTH, TileId, TileSpan, node_from_tile, tile_hash};
pub use verify::{VerifyError, root_from_inclusion_proof, verify_consistency, verify_inclusion};
