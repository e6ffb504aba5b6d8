//! The Merkle tree of RFC 6962 §2.1: `MTH({}) = SHA-256()`, `MTH({d}) = SHA-256(0x00 || d)`,
//! and for n > 1, with k the largest power of two smaller than n,
//! `MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`.
//!
//! Every such tree is made of *perfect* subtrees (2^level leaves, aligned): [`NodeId`] names
//! one. The tree grows by appending ([`Frontier::push`]), which completes at most one perfect
//! subtree per level; the store keeps the leaves and the completed subtrees at every
//! [`STRIDE`]-th level, from which any subtree hash is recomputed with at most 2^(STRIDE-1)
//! reads.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The head of the empty tree: `SHA-256()` of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly smaller than `n` (n ≥ 2).
pub(crate) fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The levels at which the store keeps completed subtrees (besides the leaves, level 0).
pub const STRIDE: u8 = 4;

/// A perfect subtree: leaves `[index·2^level, (index+1)·2^level)`. Level 0 is a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    pub fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// The first leaf it covers and how many.
    pub fn leaves(self) -> (u64, u64) {
        (self.index << self.level, 1 << self.level)
    }

    /// Whether the store keeps this node (leaves are kept with their events).
    pub fn is_stored(self) -> bool {
        self.level == 0 || self.level.is_multiple_of(STRIDE)
    }

    /// The stored nodes this node's hash is computed from: itself if stored, else the
    /// 2^(level mod STRIDE) nodes of the stored level below it, left to right.
    pub fn stored_parts(self) -> (u8, std::ops::Range<u64>) {
        if self.is_stored() {
            return (self.level, self.index..self.index + 1);
        }
        let below = self.level - self.level % STRIDE;
        let shift = self.level - below;
        (below, (self.index << shift)..((self.index + 1) << shift))
    }
}

/// The hash of a perfect tree over `hashes` (a power of two of them, or one).
pub fn perfect_root(hashes: &[Hash]) -> Hash {
    debug_assert!(hashes.len().is_power_of_two());
    let mut level: Vec<Hash> = hashes.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    level[0]
}

/// The right edge of a growing tree: the roots of its perfect subtrees, one per set bit of its
/// size, largest (leftmost) first. Enough to append and to compute the head in O(log n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    pub fn new() -> Self {
        Self::default()
    }

    /// The perfect subtrees whose hashes make the frontier of a tree of `size` leaves.
    pub fn peak_ids(size: u64) -> Vec<NodeId> {
        (0..64u8)
            .rev()
            .filter(|&b| size & (1 << b) != 0)
            .map(|b| NodeId::new(b, (size >> b) - 1))
            .collect()
    }

    /// Rebuilds the frontier of a tree of `size` leaves from the hashes of
    /// [`Frontier::peak_ids`], in that order.
    pub fn from_peaks(size: u64, peaks: Vec<Hash>) -> Option<Self> {
        (peaks.len() == size.count_ones() as usize).then_some(Self { size, peaks })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash. `completed` hears of every perfect subtree this append finishes,
    /// the leaf itself (level 0) first.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let index = self.size;
        completed(NodeId::new(0, index), &leaf);
        let mut carry = leaf;
        let mut level = 0u8;
        // Each set low bit of the old size is a peak of that level waiting for a right sibling.
        while index & (1 << level) != 0 {
            let left = self.peaks.pop().expect("one peak per set bit of the size");
            carry = node_hash(&left, &carry);
            level += 1;
            completed(NodeId::new(level, index >> level), &carry);
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    /// The tree head: the peaks folded right to left.
    pub fn root(&self) -> Hash {
        let mut it = self.peaks.iter().rev();
        match it.next() {
            None => empty_root(),
            Some(last) => it.fold(*last, |acc, p| node_hash(p, &acc)),
        }
    }
}

/// A whole tree in memory: for verification from the stored events, and as the tests' oracle.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    leaves: Vec<Hash>,
}

impl MemoryTree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_leaves(leaves: Vec<Hash>) -> Self {
        Self { leaves }
    }

    pub fn push(&mut self, leaf: Hash) {
        self.leaves.push(leaf);
    }

    pub fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    pub fn leaves(&self) -> &[Hash] {
        &self.leaves
    }

    /// `MTH(D[a:b])`, straight from the definition.
    pub fn range_root(&self, a: u64, b: u64) -> Hash {
        match b - a {
            0 => empty_root(),
            1 => self.leaves[a as usize],
            n => {
                let k = split(n);
                node_hash(&self.range_root(a, a + k), &self.range_root(a + k, b))
            }
        }
    }

    /// The head of the tree's first `size` leaves.
    pub fn root(&self, size: u64) -> Hash {
        self.range_root(0, size)
    }

    /// The hash of a perfect subtree.
    pub fn node(&self, id: NodeId) -> Hash {
        let (first, n) = id.leaves();
        self.range_root(first, first + n)
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Vec<Hash> {
        crate::proof::inclusion_ranges(index, size)
            .into_iter()
            .map(|(a, b)| self.range_root(a, b))
            .collect()
    }

    pub fn consistency_proof(&self, old: u64, new: u64) -> Vec<Hash> {
        crate::proof::consistency_ranges(old, new)
            .into_iter()
            .map(|(a, b)| self.range_root(a, b))
            .collect()
    }

    /// The first index where `self` and `other` hold different leaves, if any within both.
    pub fn first_difference(&self, other: &MemoryTree) -> Option<u64> {
        self.leaves
            .iter()
            .zip(&other.leaves)
            .position(|(a, b)| a != b)
            .map(|i| i as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_the_largest_smaller_power_of_two() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
    }

    #[test]
    fn stored_parts_cover_the_node() {
        assert_eq!(NodeId::new(0, 5).stored_parts(), (0, 5..6));
        assert_eq!(NodeId::new(4, 3).stored_parts(), (4, 3..4));
        assert_eq!(NodeId::new(2, 3).stored_parts(), (0, 12..16));
        assert_eq!(NodeId::new(7, 1).stored_parts(), (4, 8..16));
    }
}
