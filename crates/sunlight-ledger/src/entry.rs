//! The canonical encoding of one ledger entry: the exact bytes its leaf hashes.
//!
//! ```text
//! entry    = version seq at stream kind actor payload
//! version  = 0x01                      (one byte; a new layout gets a new version)
//! seq      = u64, big-endian           (the leaf index: the entry's place in the log)
//! at       = i64, big-endian           (milliseconds since 1970-01-01T00:00:00Z)
//! stream   = str                       ("case/3301832611230001", "power/330183-XK-00001" …)
//! kind     = str                       ("case.accepted", "power.published" …)
//! actor    = str                       (username, "applicant", "system"; may be empty)
//! payload  = str                       (canonical JSON, see below)
//! str      = u32 big-endian byte length, then that many bytes of UTF-8
//! ```
//!
//! Canonical JSON ([`canonical_json`]): no whitespace, object keys in ascending order of their
//! UTF-8 bytes, strings escaped as `serde_json` writes them, numbers as integers (the payloads
//! carry money in fen and counts, never floats). Anyone holding an exported event can rebuild
//! these bytes and check its leaf hash without our code.

use crate::tree::{Hash, leaf_hash};
use serde_json::Value;

pub const VERSION: u8 = 1;

/// One event as the ledger sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub seq: u64,
    pub at_ms: i64,
    pub stream: &'a str,
    pub kind: &'a str,
    pub actor: &'a str,
    /// Canonical JSON text.
    pub payload: &'a str,
}

impl Entry<'_> {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            1 + 8
                + 8
                + 16
                + self.stream.len()
                + self.kind.len()
                + self.actor.len()
                + self.payload.len(),
        );
        out.push(VERSION);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.at_ms.to_be_bytes());
        for s in [self.stream, self.kind, self.actor, self.payload] {
            out.extend_from_slice(&(s.len() as u32).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

/// The canonical text of a JSON value (see the module documentation).
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_and_whitespace_goes() {
        let v: Value =
            serde_json::from_str(r#"{ "b": 1, "a": {"z": [1, 2], "y": "受理"} }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":{"y":"受理","z":[1,2]},"b":1}"#);
    }

    #[test]
    fn the_encoding_is_length_prefixed_and_pinned() {
        let e = Entry {
            seq: 1,
            at_ms: 2,
            stream: "case/1",
            kind: "case.submitted",
            actor: "",
            payload: "{}",
        };
        let bytes = e.encode();
        assert_eq!(bytes[0], VERSION);
        assert_eq!(&bytes[1..9], &1u64.to_be_bytes());
        assert_eq!(&bytes[17..21], &6u32.to_be_bytes());
        assert_eq!(&bytes[21..27], b"case/1");
        // Moving a byte between two fields changes the encoding (no ambiguity).
        let shifted = Entry {
            stream: "case/",
            kind: "1case.submitted",
            ..e.clone()
        };
        assert_ne!(shifted.encode(), bytes);
        assert_eq!(
            crate::to_hex(&e.leaf_hash()),
            crate::to_hex(&leaf_hash(&bytes))
        );
    }
}
