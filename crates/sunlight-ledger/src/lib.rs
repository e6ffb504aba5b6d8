//! Sunlight's append-only ledger: a Merkle log as Certificate Transparency defines it
//! (RFC 6962 §2.1, restated in RFC 9162 §2.1), over a canonical byte encoding of each event.
//!
//! - [`tree`]: leaf and node hashing (SHA-256 with the 0x00 / 0x01 prefixes), tree heads, the
//!   [`tree::Frontier`] that grows the tree one leaf at a time and names every perfect subtree
//!   it completes (the store keeps some of them so proofs need O(log n) reads).
//! - [`proof`]: inclusion and consistency proofs: which subtree hashes make them, and their
//!   verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 write it.
//! - [`entry`]: the canonical encoding of one event, the bytes a leaf hashes.
//! - [`personal`]: personal values of a payload replaced by salted commitments before hashing
//!   ([`personal::seal`]), and put back from their openings ([`personal::reveal`]).
//! - [`checkpoint`]: signed tree heads (size, root, time; Ed25519).
//!
//! Pure: no IO, no clock, no randomness. Keys and salts come in as bytes; time comes in as a
//! number.

pub mod checkpoint;
pub mod entry;
pub mod personal;
pub mod proof;
pub mod tree;

pub use checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint, Signer, Verifier};
pub use entry::Entry;
pub use proof::{ProofError, verify_consistency, verify_inclusion};
pub use tree::{Frontier, Hash, MemoryTree, NodeId, leaf_hash, node_hash};

/// A hash as lowercase hex, the way the API and the CLI show it.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

/// Reads a hash from 64 hex digits.
pub fn from_hex(s: &str) -> Option<Hash> {
    let bytes = hex::decode(s.trim()).ok()?;
    bytes.try_into().ok()
}
