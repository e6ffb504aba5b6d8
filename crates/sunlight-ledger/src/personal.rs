//! Personal data out of the leaves: salted commitments in the payload, openings beside it.
//!
//! A leaf is public evidence that outlives retention periods; a name, an ID number, a phone or
//! a text the applicant wrote must be erasable (个人信息保护法 Art. 47). So before an entry is
//! hashed, each personal value of its payload — named by an RFC 6901 JSON pointer — is
//! replaced by a commitment to it ([`seal`]), and the value with its salt (the *opening*) is
//! kept beside the ledger. Readers put the values back ([`reveal`]), checking each against its
//! commitment; once an opening is deleted, the commitment stays in the leaf, hides the value
//! for good (the salt was random and is gone), and the leaf still hashes as it did.
//!
//! The encoding is given in the [`crate::entry`] module documentation. Pure: the salts are
//! handed in by the caller, who draws them.

use crate::entry::canonical_json;
use crate::tree::Hash;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The domain tag every commitment's hash input begins with.
pub const TAG: &[u8] = b"sunlight.commitment.v1";

/// Bytes of salt per committed value (128 random bits: an ID number's few dozen bits of
/// entropy cannot be searched for under it).
pub const SALT_LEN: usize = 16;

/// The one key of the object that stands for a committed value in a public payload.
pub const KEY: &str = "commitment";

/// What opens one commitment: the salt and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// The salt, lowercase hex.
    pub salt: String,
    pub value: Value,
}

/// The openings of one entry, by the JSON pointer of the value in the payload.
pub type Openings = BTreeMap<String, Opening>;

/// What is wrong between a payload and the openings offered for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningError {
    #[error("{0}: the payload holds no commitment there")]
    NoCommitment(String),
    #[error("{0}: the salt is not {SALT_LEN} bytes of hex")]
    BadSalt(String),
    #[error("{0}: the value kept beside the ledger does not match the leaf's commitment")]
    Mismatch(String),
}

/// `SHA-256(TAG || bytes(pointer) || bytes(salt) || bytes(canonical(value)))`, where
/// `bytes(x)` is the u32 big-endian length of `x` followed by `x`.
pub fn commitment(pointer: &str, salt: &[u8], value: &Value) -> Hash {
    let text = canonical_json(value);
    let mut h = Sha256::new();
    h.update(TAG);
    for part in [pointer.as_bytes(), salt, text.as_bytes()] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// The commitment a public value stands for, if it is one: `{"commitment": "<64 hex>"}`.
pub fn commitment_of(v: &Value) -> Option<Hash> {
    let map = v.as_object()?;
    if map.len() != 1 {
        return None;
    }
    crate::from_hex(map.get(KEY)?.as_str()?)
}

/// Replaces each value of `payload` that one of `pointers` names (those present; pointers must
/// not nest) by its commitment under a fresh salt from `salt`, and answers the openings.
pub fn seal(
    payload: &mut Value,
    pointers: &[&str],
    salt: &mut dyn FnMut() -> [u8; SALT_LEN],
) -> Openings {
    let mut openings = Openings::new();
    for &p in pointers {
        let Some(slot) = payload.pointer_mut(p) else {
            continue;
        };
        let s = salt();
        let value = slot.take();
        let c = commitment(p, &s, &value);
        *slot = serde_json::json!({ KEY: crate::to_hex(&c) });
        openings.insert(
            p.to_string(),
            Opening {
                salt: hex::encode(s),
                value,
            },
        );
    }
    openings
}

/// Checks that every opening opens the commitment at its pointer.
pub fn check(public: &Value, openings: &Openings) -> Result<(), OpeningError> {
    for (p, o) in openings {
        opened(public, p, o)?;
    }
    Ok(())
}

fn opened(public: &Value, p: &str, o: &Opening) -> Result<(), OpeningError> {
    let c = public
        .pointer(p)
        .and_then(commitment_of)
        .ok_or_else(|| OpeningError::NoCommitment(p.to_string()))?;
    let salt = hex::decode(&o.salt)
        .ok()
        .filter(|s| s.len() == SALT_LEN)
        .ok_or_else(|| OpeningError::BadSalt(p.to_string()))?;
    if commitment(p, &salt, &o.value) != c {
        return Err(OpeningError::Mismatch(p.to_string()));
    }
    Ok(())
}

/// The full payload from the public one: each commitment with an opening becomes the opened
/// value (checked first); each commitment at one of `pointers` whose opening is gone (erased)
/// becomes `erased`. A value at one of `pointers` that is not a commitment (an entry written
/// before its kind was sealed) is left as it is.
pub fn reveal(
    public: &mut Value,
    pointers: &[&str],
    openings: Option<&Openings>,
    erased: &Value,
) -> Result<(), OpeningError> {
    if let Some(openings) = openings {
        check(public, openings)?;
        for (p, o) in openings {
            if let Some(slot) = public.pointer_mut(p) {
                *slot = o.value.clone();
            }
        }
    }
    for &p in pointers {
        if openings.is_some_and(|o| o.contains_key(p)) {
            continue;
        }
        if let Some(slot) = public.pointer_mut(p)
            && commitment_of(slot).is_some()
        {
            *slot = erased.clone();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn salts() -> impl FnMut() -> [u8; SALT_LEN] {
        let mut n = 0u8;
        move || {
            n += 1;
            [n; SALT_LEN]
        }
    }

    const POINTERS: [&str; 4] = [
        "/applicant/name",
        "/applicant/id_number",
        "/form",
        "/absent",
    ];

    fn payload() -> Value {
        json!({
            "type": "submitted",
            "applicant": {"kind": "person", "name": "王建华", "id_number": "330183198003124511"},
            "form": {"shop": "建华小吃店", "area_m2": 86},
            "power": "330183-XK-00001"
        })
    }

    #[test]
    fn sealing_hides_every_named_value_and_revealing_gives_the_payload_back() {
        let original = payload();
        let mut public = original.clone();
        let openings = seal(&mut public, &POINTERS, &mut salts());
        assert_eq!(openings.len(), 3, "an absent pointer is skipped");
        let text = canonical_json(&public);
        for secret in ["王建华", "330183198003124511", "建华小吃店", "area_m2"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("330183-XK-00001") && text.contains(r#""kind":"person""#));
        check(&public, &openings).unwrap();
        let mut back = public.clone();
        reveal(&mut back, &POINTERS, Some(&openings), &json!("erased")).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn the_commitment_is_the_documented_hash() {
        let value = json!({"b": 1, "a": "名"});
        let salt = [7u8; SALT_LEN];
        let mut input = TAG.to_vec();
        for part in [
            b"/form".as_slice(),
            salt.as_slice(),
            r#"{"a":"名","b":1}"#.as_bytes(),
        ] {
            input.extend_from_slice(&(part.len() as u32).to_be_bytes());
            input.extend_from_slice(part);
        }
        let expected: Hash = Sha256::digest(&input).into();
        assert_eq!(commitment("/form", &salt, &value), expected);
        // The pointer is bound in: the same value and salt elsewhere commit differently.
        assert_ne!(commitment("/other", &salt, &value), expected);
    }

    #[test]
    fn erased_values_read_as_the_placeholder_and_old_plain_values_stay() {
        let mut public = payload();
        let openings = seal(&mut public, &POINTERS[..2], &mut salts());
        let mut erased = public.clone();
        reveal(&mut erased, &POINTERS, None, &json!("已删除")).unwrap();
        assert_eq!(erased["applicant"]["name"], "已删除");
        assert_eq!(erased["applicant"]["id_number"], "已删除");
        // `/form` was not sealed in this (older) entry: it is read as written.
        assert_eq!(erased["form"]["shop"], "建华小吃店");
        // Partly erased: what is left opens, the rest reads as erased.
        let mut some = openings.clone();
        some.remove("/applicant/id_number");
        let mut part = public.clone();
        reveal(&mut part, &POINTERS, Some(&some), &json!("已删除")).unwrap();
        assert_eq!(part["applicant"]["name"], "王建华");
        assert_eq!(part["applicant"]["id_number"], "已删除");
    }

    #[test]
    fn an_edited_opening_or_commitment_is_refused() {
        let mut public = payload();
        let openings = seal(&mut public, &POINTERS, &mut salts());
        let mut edited = openings.clone();
        edited.get_mut("/applicant/name").unwrap().value = json!("王建国");
        assert_eq!(
            check(&public, &edited),
            Err(OpeningError::Mismatch("/applicant/name".into()))
        );
        let mut back = public.clone();
        assert!(reveal(&mut back, &POINTERS, Some(&edited), &Value::Null).is_err());
        let mut short = openings.clone();
        short.get_mut("/form").unwrap().salt = "00".into();
        assert_eq!(
            check(&public, &short),
            Err(OpeningError::BadSalt("/form".into()))
        );
        let mut plain = payload();
        assert_eq!(
            check(&plain, &openings),
            Err(OpeningError::NoCommitment("/applicant/id_number".into()))
        );
        assert!(reveal(&mut plain, &POINTERS, Some(&openings), &Value::Null).is_err());
    }

    #[test]
    fn only_a_lone_commitment_key_with_a_hash_is_a_commitment() {
        let h = "ab".repeat(32);
        assert!(commitment_of(&json!({ "commitment": h })).is_some());
        assert!(commitment_of(&json!({ "commitment": h, "x": 1 })).is_none());
        assert!(commitment_of(&json!({ "commitment": "abc" })).is_none());
        assert!(commitment_of(&json!(h)).is_none());
    }
}
