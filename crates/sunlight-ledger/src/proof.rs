//! Inclusion and consistency proofs (RFC 6962 §2.1.1–2.1.2; verification as RFC 9162
//! §2.1.3.2 and §2.1.4.2 give it).
//!
//! A proof is a list of subtree hashes. Which subtrees is pure arithmetic on the sizes
//! ([`inclusion_ranges`], [`consistency_ranges`]); each range's hash is made of perfect
//! subtrees ([`range_nodes`]), so a store fetches those in one read and assembles the proof
//! with [`range_hash`].

use crate::tree::{Hash, NodeId, node_hash, split};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below the tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the old size {old} is larger than the new size {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// The ranges `[a, b)` whose `MTH` make the audit path of leaf `index` in a tree of `size`,
/// from the leaf upwards (RFC 6962 `PATH(m, D[n])`).
pub fn inclusion_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    fn path(m: u64, a: u64, b: u64, out: &mut Vec<(u64, u64)>) {
        let n = b - a;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            path(m, a, a + k, out);
            out.push((a + k, b));
        } else {
            path(m - k, a + k, b, out);
            out.push((a, a + k));
        }
    }
    let mut out = Vec::new();
    if index < size {
        path(index, 0, size, &mut out);
    }
    out
}

/// The ranges whose `MTH` make the consistency proof from a tree of `old` leaves to one of
/// `new` (RFC 6962 `PROOF(m, D[n])`). Empty when `old` is 0 or equal to `new`.
pub fn consistency_ranges(old: u64, new: u64) -> Vec<(u64, u64)> {
    fn sub(m: u64, a: u64, b: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
        let n = b - a;
        if m == n {
            if !whole {
                out.push((a, b));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            sub(m, a, a + k, whole, out);
            out.push((a + k, b));
        } else {
            sub(m - k, a + k, b, false, out);
            out.push((a, a + k));
        }
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        sub(old, 0, new, true, &mut out);
    }
    out
}

/// The perfect subtrees whose hashes give `MTH(D[a:b])` for a range of a proof (its start is
/// aligned to the largest power of two not above its length, as proof ranges always are).
pub fn range_nodes(a: u64, b: u64) -> Vec<NodeId> {
    fn walk(a: u64, b: u64, out: &mut Vec<NodeId>) {
        let n = b - a;
        if n == 0 {
            return;
        }
        if n.is_power_of_two() && a.is_multiple_of(n) {
            let level = n.trailing_zeros() as u8;
            out.push(NodeId::new(level, a >> level));
            return;
        }
        let k = if n.is_power_of_two() { n / 2 } else { split(n) };
        walk(a, a + k, out);
        walk(a + k, b, out);
    }
    let mut out = Vec::new();
    walk(a, b, &mut out);
    out
}

/// `MTH(D[a:b])` from the hashes of its [`range_nodes`]; `None` if one is missing.
pub fn range_hash(a: u64, b: u64, nodes: &HashMap<NodeId, Hash>) -> Option<Hash> {
    let n = b - a;
    if n == 0 {
        return Some(crate::tree::empty_root());
    }
    if n.is_power_of_two() && a.is_multiple_of(n) {
        let level = n.trailing_zeros() as u8;
        return nodes.get(&NodeId::new(level, a >> level)).copied();
    }
    let k = if n.is_power_of_two() { n / 2 } else { split(n) };
    Some(node_hash(
        &range_hash(a, a + k, nodes)?,
        &range_hash(a + k, b, nodes)?,
    ))
}

/// Checks that `leaf` is the leaf at `index` of the tree of `size` with head `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `new` leaves with head `new_root` extends the tree of `old` leaves
/// with head `old_root`, nothing before `old` changed.
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        // Every tree extends the empty one.
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
