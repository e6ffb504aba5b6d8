//! The ledger against the published Certificate Transparency test vectors (the eight-leaf tree
//! of RFC 6962's reference implementations, used unchanged for RFC 9162), and by properties.

use proptest::prelude::*;
use std::collections::HashMap;
use sunlight_ledger::proof::{consistency_ranges, inclusion_ranges, range_hash, range_nodes};
use sunlight_ledger::tree::empty_root;
use sunlight_ledger::{
    Frontier, Hash, MemoryTree, NodeId, ProofError, from_hex, leaf_hash, to_hex,
    verify_consistency, verify_inclusion,
};

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn h(s: &str) -> Hash {
    from_hex(s).unwrap()
}

fn vector_tree() -> MemoryTree {
    MemoryTree::from_leaves(
        LEAVES
            .iter()
            .map(|l| leaf_hash(&hex::decode(l).unwrap()))
            .collect(),
    )
}

#[test]
fn roots_match_the_vectors() {
    let t = vector_tree();
    assert_eq!(
        to_hex(&t.root(0)),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let mut f = Frontier::new();
    for (i, leaf) in t.leaves().iter().enumerate() {
        f.push(*leaf, |_, _| {});
        assert_eq!(to_hex(&t.root(i as u64 + 1)), ROOTS[i], "size {}", i + 1);
        assert_eq!(to_hex(&f.root()), ROOTS[i], "frontier, size {}", i + 1);
    }
}

#[test]
fn inclusion_proofs_match_the_vectors() {
    let t = vector_tree();
    let cases: [(u64, u64, &[&str]); 5] = [
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
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
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
    for (index, size, want) in cases {
        let proof = t.inclusion_proof(index, size);
        let got: Vec<String> = proof.iter().map(to_hex).collect();
        assert_eq!(got, want, "leaf {index} of {size}");
        let root = h(ROOTS[size as usize - 1]);
        verify_inclusion(&t.leaves()[index as usize], index, size, &proof, &root).unwrap();
    }
}

#[test]
fn consistency_proofs_match_the_vectors() {
    let t = vector_tree();
    let cases: [(u64, u64, &[&str]); 4] = [
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
    ];
    for (old, new, want) in cases {
        let proof = t.consistency_proof(old, new);
        let got: Vec<String> = proof.iter().map(to_hex).collect();
        assert_eq!(got, want, "{old} → {new}");
        verify_consistency(
            old,
            new,
            &proof,
            &h(ROOTS[old as usize - 1]),
            &h(ROOTS[new as usize - 1]),
        )
        .unwrap();
    }
}

#[test]
fn bad_proofs_are_refused() {
    let t = vector_tree();
    let root = t.root(8);
    let proof = t.inclusion_proof(5, 8);
    let leaf = t.leaves()[5];
    assert_eq!(
        verify_inclusion(&leaf, 8, 8, &proof, &root),
        Err(ProofError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert_eq!(
        verify_inclusion(&leaf, 4, 8, &proof, &root),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_inclusion(&leaf, 5, 8, &proof[..2], &root),
        Err(ProofError::WrongLength)
    );
    let mut extra = proof.clone();
    extra.push(root);
    assert_eq!(
        verify_inclusion(&leaf, 5, 8, &extra, &root),
        Err(ProofError::WrongLength)
    );
    let c = t.consistency_proof(6, 8);
    assert_eq!(
        verify_consistency(6, 8, &c, &t.root(5), &root),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(8, 6, &c, &root, &t.root(6)),
        Err(ProofError::SizesOutOfOrder { old: 8, new: 6 })
    );
    assert!(verify_consistency(6, 8, &[], &t.root(6), &root).is_err());
    assert_eq!(t.root(0), empty_root());
}

fn tree_of(n: usize, salt: u8) -> MemoryTree {
    MemoryTree::from_leaves(
        (0..n)
            .map(|i| leaf_hash(&[salt, (i & 0xff) as u8, (i >> 8) as u8]))
            .collect(),
    )
}

/// The subtree hashes a store would keep: leaves and every STRIDE-th level the frontier completes.
fn stored(t: &MemoryTree) -> HashMap<NodeId, Hash> {
    let mut f = Frontier::new();
    let mut kept = HashMap::new();
    for leaf in t.leaves() {
        f.push(*leaf, |id, hash| {
            if id.is_stored() {
                kept.insert(id, *hash);
            }
        });
    }
    kept
}

/// Proofs the way the store builds them: ranges → perfect nodes → stored parts.
fn assembled(kept: &HashMap<NodeId, Hash>, ranges: &[(u64, u64)]) -> Vec<Hash> {
    let mut nodes = HashMap::new();
    for &(a, b) in ranges {
        for id in range_nodes(a, b) {
            let (level, span) = id.stored_parts();
            let parts: Vec<Hash> = span.map(|i| kept[&NodeId::new(level, i)]).collect();
            nodes.insert(id, sunlight_ledger::tree::perfect_root(&parts));
        }
    }
    ranges
        .iter()
        .map(|&(a, b)| range_hash(a, b, &nodes).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_inclusion_proof_verifies_and_a_wrong_leaf_does_not(n in 1usize..300, seed in any::<u64>()) {
        let t = tree_of(n, 1);
        let index = seed % n as u64;
        let size = index + 1 + (seed >> 32) % (n as u64 - index);
        let proof = t.inclusion_proof(index, size);
        let root = t.root(size);
        prop_assert!(verify_inclusion(&t.leaves()[index as usize], index, size, &proof, &root).is_ok());
        prop_assert!(verify_inclusion(&leaf_hash(b"forged"), index, size, &proof, &root).is_err());
        // The store's way gives the same proof.
        let kept = stored(&t);
        let mut f = Frontier::new();
        for l in &t.leaves()[..size as usize] { f.push(*l, |_, _| {}); }
        prop_assert_eq!(f.root(), root);
        prop_assert_eq!(assembled(&kept, &inclusion_ranges(index, size)), proof);
    }

    #[test]
    fn every_consistency_proof_verifies_and_a_rewritten_past_does_not(n in 2usize..300, seed in any::<u64>()) {
        let t = tree_of(n, 2);
        let new = 1 + seed % n as u64;
        let old = 1 + (seed >> 32) % new;
        let proof = t.consistency_proof(old, new);
        prop_assert!(verify_consistency(old, new, &proof, &t.root(old), &t.root(new)).is_ok());
        prop_assert_eq!(assembled(&stored(&t), &consistency_ranges(old, new)), proof.clone());
        // Rewrite one leaf before `old`: the old head no longer fits the new tree.
        if old < new {
            let mut leaves = t.leaves().to_vec();
            let at = (seed % old) as usize;
            leaves[at] = leaf_hash(b"rewritten");
            let forged = MemoryTree::from_leaves(leaves);
            let forged_proof = forged.consistency_proof(old, new);
            prop_assert!(verify_consistency(old, new, &forged_proof, &t.root(old), &forged.root(new)).is_err());
        }
    }

    #[test]
    fn a_frontier_rebuilt_from_its_peaks_goes_on_the_same(n in 0usize..200, more in 1usize..50) {
        let t = tree_of(n + more, 3);
        let kept = stored(&t);
        let peaks: Vec<Hash> = Frontier::peak_ids(n as u64)
            .into_iter()
            .map(|id| {
                let (level, span) = id.stored_parts();
                let parts: Vec<Hash> = span.map(|i| kept[&NodeId::new(level, i)]).collect();
                sunlight_ledger::tree::perfect_root(&parts)
            })
            .collect();
        let mut f = Frontier::from_peaks(n as u64, peaks).unwrap();
        for l in &t.leaves()[n..] { f.push(*l, |_, _| {}); }
        prop_assert_eq!(f.root(), t.root((n + more) as u64));
    }
}
