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
//!
//! ## Personal values: commitments
//!
//! A payload never holds personal data (names, ID numbers, phones, text an applicant wrote).
//! In place of each such value — named by its RFC 6901 JSON pointer, e.g. `/applicant/name` —
//! it holds an object with one key, the commitment ([`crate::personal`]):
//!
//! ```text
//! {"commitment": hex(C)}              (64 lowercase hex digits)
//! C       = SHA-256( "sunlight.commitment.v1"        (22 ASCII bytes, no length)
//!                    bytes(pointer)                  ("/applicant/name", UTF-8)
//!                    bytes(salt)                     (16 random bytes)
//!                    bytes(canonical(value)) )       (the value's canonical JSON, as above)
//! bytes   = u32 big-endian byte length, then the bytes
//! ```
//!
//! The value and its salt (the opening, `{"salt": hex, "value": <JSON>}` by pointer) are kept
//! beside the ledger, never in it; the leaf hashes the payload with the commitments in it, so
//! a leaf checks the same before and after its openings are erased. Whoever holds an opening
//! can show that it is the value the leaf committed to; without it, the commitment tells
//! nothing (the salt is 128 random bits). The pointer is part of the hash, so an opening
//! cannot be moved to another field.

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
    let mut out = Vec::with_capacity(256);
    write(v, &mut out);
    // Only serde_json's own string escaping and ASCII punctuation went in.
    String::from_utf8(out).expect("canonical JSON is UTF-8")
}

fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(k, out);
                out.push(b':');
                write(&map[k], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::String(s) => string(s, out),
        Value::Number(n) => {
            use std::io::Write;
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
    }
}

/// A string as `serde_json` escapes it.
fn string(s: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail, and a &str always serialises.
    serde_json::to_writer(&mut *out, s).expect("a string serialises");
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
    fn scalars_and_escapes_are_written_as_serde_json_writes_them() {
        let v = serde_json::json!({
            "s": "引号\"换行\n控制\u{1}斜杠\\",
            "n": [-12, 0, 18446744073709551615u64],
            "t": true, "f": false, "z": null, "键": {}
        });
        let text = canonical_json(&v);
        assert_eq!(
            text,
            r#"{"f":false,"n":[-12,0,18446744073709551615],"s":"引号\"换行\n控制\u0001斜杠\\","t":true,"z":null,"键":{}}"#
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
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
