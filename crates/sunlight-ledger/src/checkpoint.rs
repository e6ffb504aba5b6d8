//! Signed checkpoints: a tree size, its head and the time, signed with Ed25519.
//!
//! The signed bytes are the checkpoint's text body, in the layout of the transparency-log
//! checkpoints (C2SP tlog-checkpoint), one field per line:
//!
//! ```text
//! <origin>              e.g. "sunlight 330183" — which log
//! <size>                decimal
//! <root>                64 lowercase hex digits
//! <timestamp>           milliseconds since the epoch, decimal
//! ```
//!
//! each line ending in `\n`. The key is created by the binary (`init`/`demo`) and kept in a file
//! beside, never inside, the database: whoever can rewrite the database cannot forge a
//! checkpoint that a citizen already holds.

use crate::tree::Hash;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the signature does not match the checkpoint and key")]
    BadSignature,
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// A tree head at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub timestamp_ms: i64,
}

impl Checkpoint {
    /// The signed text.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n",
            self.origin,
            self.size,
            crate::to_hex(&self.root),
            self.timestamp_ms
        )
    }
}

/// A checkpoint with its signature, as published (hex for bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct SignedCheckpoint {
    pub origin: String,
    pub size: u64,
    /// Hex.
    pub root: String,
    pub timestamp_ms: i64,
    /// Ed25519 signature over [`Checkpoint::body`], hex.
    pub signature: String,
    /// The public key, hex (32 bytes).
    pub key: String,
}

impl SignedCheckpoint {
    pub fn checkpoint(&self) -> Result<Checkpoint, CheckpointError> {
        Ok(Checkpoint {
            origin: self.origin.clone(),
            size: self.size,
            root: crate::from_hex(&self.root).ok_or(CheckpointError::Malformed("root"))?,
            timestamp_ms: self.timestamp_ms,
        })
    }
}

/// Signs checkpoints.
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("public", &hex::encode(self.key.verifying_key().as_bytes()))
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// From the 32 secret bytes (the caller supplies randomness when creating a key).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&secret),
        }
    }

    pub fn secret(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn verifier(&self) -> Verifier {
        Verifier {
            key: self.key.verifying_key(),
        }
    }

    pub fn sign(&self, cp: &Checkpoint) -> SignedCheckpoint {
        let sig = self.key.sign(cp.body().as_bytes());
        SignedCheckpoint {
            origin: cp.origin.clone(),
            size: cp.size,
            root: crate::to_hex(&cp.root),
            timestamp_ms: cp.timestamp_ms,
            signature: hex::encode(sig.to_bytes()),
            key: hex::encode(self.key.verifying_key().as_bytes()),
        }
    }
}

/// Checks checkpoints against a public key.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: VerifyingKey,
}

impl Verifier {
    pub fn from_public(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CheckpointError::Malformed("public key"))?;
        VerifyingKey::from_bytes(&arr)
            .map(|key| Self { key })
            .map_err(|_| CheckpointError::Malformed("public key"))
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    /// The checkpoint, if its signature is this key's over its body.
    pub fn verify(&self, signed: &SignedCheckpoint) -> Result<Checkpoint, CheckpointError> {
        let cp = signed.checkpoint()?;
        let sig_bytes: [u8; 64] = hex::decode(&signed.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::Malformed("signature"))?;
        self.key
            .verify(cp.body().as_bytes(), &Signature::from_bytes(&sig_bytes))
            .map_err(|_| CheckpointError::BadSignature)?;
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_verifies_and_a_changed_one_does_not() {
        let signer = Signer::from_secret([7; 32]);
        let cp = Checkpoint {
            origin: "sunlight 330183".into(),
            size: 42,
            root: [9; 32],
            timestamp_ms: 1_790_000_000_000,
        };
        let signed = signer.sign(&cp);
        let verifier = Verifier::from_public(&hex::decode(&signed.key).unwrap()).unwrap();
        assert_eq!(verifier.verify(&signed).unwrap(), cp);
        let mut forged = signed.clone();
        forged.size = 43;
        assert_eq!(verifier.verify(&forged), Err(CheckpointError::BadSignature));
        let other = Signer::from_secret([8; 32]).verifier();
        assert_eq!(other.verify(&signed), Err(CheckpointError::BadSignature));
    }
}
