//! The electronic seal: an SM2 signature (GB/T 32918, the algorithm of GM/T 0031 electronic
//! seals) over the SM3 digest of a rendered PDF, and the check code printed on documents.
//!
//! The PDF is never changed after it is rendered: its [`Seal`] (digest, signature, the key's
//! id) is kept by the caller beside the document's record, and anyone holding the
//! department's published [`SealPublicKey`] can [`verify`] a copy byte for byte.
//!
//! What is signed is the 32-byte SM3 digest of the PDF, as the message of SM2's signature
//! scheme (which itself hashes `Z_A ‖ M` with the signer's distinguishing identifier, the
//! GM/T 0009 default [`DISTINGUISHING_ID`]). Signing is deterministic (RFC 6979 nonces), so
//! this crate needs no randomness at all: a new key's 32 random bytes come from the caller.

use crate::{Error, VerifyError};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::{Digest, Sm3};
use std::fmt;

/// The SM2 distinguishing identifier GM/T 0009-2012 sets as the default (`ENTL_A` = 128 bits).
pub const DISTINGUISHING_ID: &str = "1234567812345678";

/// A department's signing key for its 行政审批专用章. Its `Debug` shows only the fingerprint.
#[derive(Clone)]
pub struct SealKey(SigningKey);

impl SealKey {
    /// The key whose secret scalar is these 32 bytes (big-endian), as [`SealKey::to_bytes`]
    /// gave them.
    pub fn from_bytes(secret: &[u8]) -> Result<SealKey, Error> {
        if secret.len() != 32 {
            return Err(Error::SecretKey);
        }
        SigningKey::from_slice(DISTINGUISHING_ID, secret)
            .map(SealKey)
            .map_err(|_| Error::SecretKey)
    }

    /// A new key from 32 random bytes the caller drew (from the OS's generator): they are the
    /// secret scalar, re-hashed with SM3 in the (≈2⁻³²) case they are not a valid one.
    pub fn generate(seed: [u8; 32]) -> SealKey {
        let mut candidate = seed;
        loop {
            if let Ok(key) = SealKey::from_bytes(&candidate) {
                return key;
            }
            candidate = Sm3::digest(candidate).into();
        }
    }

    /// The secret scalar, to store (encrypted, by the caller) and read back with `from_bytes`.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    pub fn public_key(&self) -> SealPublicKey {
        SealPublicKey(self.0.verifying_key().clone())
    }

    /// The public key's [`SealPublicKey::fingerprint`].
    pub fn fingerprint(&self) -> String {
        self.public_key().fingerprint()
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SealKey").field(&self.fingerprint()).finish()
    }
}

/// A department's published key, to verify its seals.
#[derive(Clone)]
pub struct SealPublicKey(VerifyingKey);

impl PartialEq for SealPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.to_sec1() == other.to_sec1()
    }
}

impl Eq for SealPublicKey {}

impl SealPublicKey {
    /// From SEC1 bytes (65 uncompressed, `04 ‖ x ‖ y`, or 33 compressed).
    pub fn from_sec1(bytes: &[u8]) -> Result<SealPublicKey, Error> {
        VerifyingKey::from_sec1_bytes(DISTINGUISHING_ID, bytes)
            .map(SealPublicKey)
            .map_err(|_| Error::PublicKey)
    }

    /// From the hex of its SEC1 bytes, as [`SealPublicKey::to_hex`] writes it.
    pub fn from_hex(hex: &str) -> Result<SealPublicKey, Error> {
        let bytes = hex::decode(hex.trim()).map_err(|_| Error::PublicKey)?;
        SealPublicKey::from_sec1(&bytes)
    }

    /// The uncompressed SEC1 encoding (65 bytes), as published.
    pub fn to_sec1(&self) -> Vec<u8> {
        self.0.to_sec1_bytes().into_vec()
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.to_sec1())
    }

    /// A short id of the key: the hex of the first 8 bytes of the SM3 digest of its SEC1
    /// encoding. Seals carry it, so a verifier can tell which published key to take.
    pub fn fingerprint(&self) -> String {
        hex::encode(&Sm3::digest(self.to_sec1())[..8])
    }
}

impl fmt::Debug for SealPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SealPublicKey")
            .field(&self.to_hex())
            .finish()
    }
}

/// A document's seal, kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// SM3 of the PDF's bytes.
    #[serde(with = "hex::serde")]
    pub digest_sm3: [u8; 32],
    /// The SM2 signature of `digest_sm3`, DER (`SEQUENCE { r INTEGER, s INTEGER }`, GM/T 0009).
    #[serde(with = "hex::serde")]
    pub signature: Vec<u8>,
    /// The signing key's [`SealPublicKey::fingerprint`].
    pub key_id: String,
}

/// The SM3 digest of a document's bytes.
pub fn digest(pdf: &[u8]) -> [u8; 32] {
    Sm3::digest(pdf).into()
}

/// Seals a rendered PDF: its digest, signed.
pub fn seal(key: &SealKey, pdf: &[u8]) -> Seal {
    let digest_sm3 = digest(pdf);
    let signature: Signature = key.0.sign(&digest_sm3);
    Seal {
        digest_sm3,
        signature: signature.to_der().to_vec(),
        key_id: key.fingerprint(),
    }
}

/// Whether `seal` vouches for exactly these bytes under `public`: the key is the one sealed
/// with, the bytes are those sealed ([`VerifyError::Altered`] if not), and the signature over
/// their digest holds ([`VerifyError::BadSignature`] if not).
pub fn verify(public: &SealPublicKey, pdf: &[u8], seal: &Seal) -> Result<(), VerifyError> {
    let given = public.fingerprint();
    if !seal.key_id.eq_ignore_ascii_case(&given) {
        return Err(VerifyError::WrongKey {
            sealed_with: seal.key_id.clone(),
            given,
        });
    }
    if digest(pdf) != seal.digest_sm3 {
        return Err(VerifyError::Altered);
    }
    let signature = Signature::from_der(&seal.signature).map_err(|_| VerifyError::BadSignature)?;
    public
        .0
        .verify(&seal.digest_sm3, &signature)
        .map_err(|_| VerifyError::BadSignature)
}

/// The alphabet of check codes: digits and capitals without 0, O, 1 and I.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A document's check code (核验码): 8 characters of HMAC-SM3(secret, number), 40 bits, in an
/// alphabet a person cannot misread. It depends only on the number, so it is printed on the
/// document before the document is sealed; `secret` is the issuing system's, never printed.
pub fn check_code(secret: &[u8], number: &str) -> String {
    let mut mac = <hmac::Hmac<Sm3> as KeyInit>::new_from_slice(secret)
        .expect("HMAC takes keys of any length");
    mac.update(number.as_bytes());
    let tag = mac.finalize().into_bytes();
    let bits = tag[..5]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    (0..8)
        .map(|i| char::from(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]))
        .collect()
}

/// Whether `input` (as a person typed it: any case, spaces or dashes) is `number`'s check code.
pub fn check_code_matches(secret: &[u8], number: &str, input: &str) -> bool {
    let typed: Vec<u8> = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase() as u8)
        .collect();
    let expected = check_code(secret, number);
    // Constant time over the expected length: the code guards a document's details.
    typed.len() == expected.len()
        && typed
            .iter()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SealKey {
        SealKey::generate([n; 32])
    }

    #[test]
    fn a_seal_verifies_and_any_changed_byte_is_refused() {
        let k = key(7);
        let pdf = b"%PDF-1.7 some document".to_vec();
        let s = seal(&k, &pdf);
        assert_eq!(s.key_id, k.fingerprint());
        assert_eq!(s.key_id.len(), 16);
        assert_eq!(verify(&k.public_key(), &pdf, &s), Ok(()));
        for i in 0..pdf.len() {
            let mut altered = pdf.clone();
            altered[i] ^= 0x01;
            assert_eq!(
                verify(&k.public_key(), &altered, &s),
                Err(VerifyError::Altered)
            );
        }
        let mut longer = pdf.clone();
        longer.push(b'\n');
        assert_eq!(
            verify(&k.public_key(), &longer, &s),
            Err(VerifyError::Altered)
        );
    }

    #[test]
    fn another_key_or_a_forged_signature_is_refused() {
        let (k, other) = (key(7), key(8));
        let pdf = b"%PDF-1.7 document".to_vec();
        let s = seal(&k, &pdf);
        assert!(matches!(
            verify(&other.public_key(), &pdf, &s),
            Err(VerifyError::WrongKey { .. })
        ));
        // Claiming the right key id does not help a signature made with another key.
        let mut forged = seal(&other, &pdf);
        forged.key_id = k.fingerprint();
        assert_eq!(
            verify(&k.public_key(), &pdf, &forged),
            Err(VerifyError::BadSignature)
        );
        // Nor does a digest swapped in for other bytes.
        let other_pdf = b"%PDF-1.7 another".to_vec();
        let mut swapped = s.clone();
        swapped.digest_sm3 = digest(&other_pdf);
        assert_eq!(
            verify(&k.public_key(), &other_pdf, &swapped),
            Err(VerifyError::BadSignature)
        );
        let mut garbage = s.clone();
        garbage.signature = vec![0x30, 0x00];
        assert_eq!(
            verify(&k.public_key(), &pdf, &garbage),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn keys_round_trip_and_signing_is_deterministic() {
        let k = key(42);
        let again = SealKey::from_bytes(&k.to_bytes()).unwrap();
        assert_eq!(again.fingerprint(), k.fingerprint());
        let public = SealPublicKey::from_hex(&k.public_key().to_hex()).unwrap();
        assert_eq!(public, k.public_key());
        assert_eq!(k.public_key().to_sec1().len(), 65);
        assert_eq!(seal(&k, b"x"), seal(&again, b"x"));
        assert_eq!(SealKey::from_bytes(&[0; 32]).err(), Some(Error::SecretKey));
        assert_eq!(SealKey::from_bytes(&[1; 31]).err(), Some(Error::SecretKey));
        // All-0xFF is beyond the group order: generate still makes a key of it.
        let _ = SealKey::generate([0xFF; 32]);
        assert!(SealPublicKey::from_hex("04abcd").is_err());
        assert!(!format!("{k:?}").contains(&hex::encode(k.to_bytes())));
    }

    #[test]
    fn a_seal_serializes_as_hex() {
        let s = seal(&key(1), b"doc");
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(&hex::encode(s.digest_sm3)));
        assert_eq!(serde_json::from_str::<Seal>(&json).unwrap(), s);
    }

    #[test]
    fn check_codes_are_unambiguous_stable_and_keyed() {
        let a = check_code(b"secret", "淳市监许〔2026〕17号");
        assert_eq!(a.len(), 8);
        assert!(a.chars().all(|c| ALPHABET.contains(&(c as u8))));
        assert!(!a.contains(['0', 'O', '1', 'I']));
        assert_eq!(a, check_code(b"secret", "淳市监许〔2026〕17号"));
        assert_ne!(a, check_code(b"secret", "淳市监许〔2026〕18号"));
        assert_ne!(a, check_code(b"other", "淳市监许〔2026〕17号"));
        let typed = format!("{}-{}", &a[..4], a[4..].to_lowercase());
        assert!(check_code_matches(
            b"secret",
            "淳市监许〔2026〕17号",
            &typed
        ));
        assert!(!check_code_matches(
            b"secret",
            "淳市监许〔2026〕17号",
            "ABCDEFGH"
        ));
    }
}
