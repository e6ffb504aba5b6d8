//! Query codes (查询码): eight digits handed to an applicant (or a complainant) once, kept only
//! as a keyed hash. A bare SHA-256 of eight digits is undone from a database dump in a second
//! (10^8 guesses); HMAC-SHA256 under a server secret that is not in the database cannot be
//! searched without that secret. `sunlight` keeps the secret in a file beside the database
//! (0600, created on first use) and hands it to the engine through [`crate::EngineConfig`].
//!
//! Stored form: `hmac-sha256:` followed by 64 hex digits of HMAC-SHA256(secret, code), the code
//! trimmed. A stored value of 64 bare hex digits is the SHA-256 of the code that earlier
//! versions wrote; [`QueryCodeKey::matches`] still accepts it so that cases and complaints
//! opened before the change can be followed.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const PREFIX: &str = "hmac-sha256:";

/// The server secret query codes are hashed under.
#[derive(Clone)]
pub struct QueryCodeKey([u8; 32]);

impl std::fmt::Debug for QueryCodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryCodeKey(…)")
    }
}

impl QueryCodeKey {
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self(secret)
    }

    /// A fresh secret from the system's random source: for tests and for an engine whose
    /// hashes need not outlive it.
    pub fn random() -> Self {
        Self(crate::random())
    }

    fn mac(&self, code: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts a 32-byte key");
        mac.update(code.trim().as_bytes());
        mac
    }

    /// The form a code is stored in.
    pub fn hash(&self, code: &str) -> String {
        format!(
            "{PREFIX}{}",
            hex::encode(self.mac(code).finalize().into_bytes())
        )
    }

    /// The key a mobile number's messages and cases are found by (我的办件): a keyed hash, so
    /// a database dump does not list applicants' numbers. `mobile` is normalised (11 digits).
    pub fn owner(&self, mobile: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts a 32-byte key");
        mac.update(b"owner\0");
        mac.update(mobile.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `code` is the one `stored` was made from (in constant time for keyed hashes).
    pub fn matches(&self, stored: &str, code: &str) -> bool {
        match stored.strip_prefix(PREFIX) {
            Some(h) => hex::decode(h).is_ok_and(|h| self.mac(code).verify_slice(&h).is_ok()),
            // Written before query codes were keyed: a bare SHA-256.
            None => {
                stored.len() == 64
                    && hex::encode(Sha256::digest(code.trim().as_bytes()))
                        .eq_ignore_ascii_case(stored)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_keyed_and_checked_against_their_key_only() {
        let key = QueryCodeKey::from_secret([7; 32]);
        let stored = key.hash(" 12345678 ");
        assert!(stored.starts_with(PREFIX) && stored.len() == PREFIX.len() + 64);
        assert!(key.matches(&stored, "12345678"));
        assert!(!key.matches(&stored, "12345679"));
        assert!(!QueryCodeKey::from_secret([8; 32]).matches(&stored, "12345678"));
        // Not the bare digest any more.
        assert!(!stored.contains(&hex::encode(Sha256::digest(b"12345678"))));
        // HMAC-SHA256 as RFC 4231 defines it (test case 2, key "Jefe": HMAC pads a short key
        // with zeros, so "Jefe" and "Jefe" followed by 28 zero bytes are the same key).
        let mut jefe = [0u8; 32];
        jefe[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            QueryCodeKey::from_secret(jefe).hash("what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn codes_stored_before_the_key_still_open_their_case() {
        let key = QueryCodeKey::random();
        let legacy = hex::encode(Sha256::digest(b"87654321"));
        assert!(key.matches(&legacy, " 87654321"));
        assert!(!key.matches(&legacy, "87654322"));
        assert!(!key.matches("hmac-sha256:zz", "87654321"));
        assert!(!key.matches("", ""));
    }
}
