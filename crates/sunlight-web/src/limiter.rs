//! Wrong guesses of a case's query code are counted per receipt number and per client address:
//! after [`MAX_FAILURES`] within [`WINDOW`] that key is refused for [`WINDOW`], whether the next
//! guess is right or not. With 10^8 query codes and five guesses per quarter hour, guessing one
//! case's code takes centuries; receipt numbers themselves carry 56 random bits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys kept at most (old ones are dropped first), so a flood cannot exhaust memory.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct Limiter {
    keys: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    since: Instant,
}

impl Limiter {
    /// `Err(wait)` when one of `keys` is locked.
    pub fn check(&self, keys: &[&str]) -> Result<(), Duration> {
        let now = Instant::now();
        let map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            if let Some(e) = map.get(*k)
                && e.failures >= MAX_FAILURES
                && now.duration_since(e.since) < WINDOW
            {
                return Err(WINDOW - now.duration_since(e.since));
            }
        }
        Ok(())
    }

    /// Counts a wrong guess against every key.
    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, e| now.duration_since(e.since) < WINDOW);
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        for k in keys {
            let e = map.entry((*k).to_string()).or_insert(Entry {
                failures: 0,
                since: now,
            });
            if now.duration_since(e.since) >= WINDOW {
                *e = Entry {
                    failures: 0,
                    since: now,
                };
            }
            e.failures += 1;
            if e.failures == MAX_FAILURES {
                // The lock runs a full window from the last counted failure.
                e.since = now;
            }
        }
    }

    /// A right guess clears the receipt's count (not the address's).
    pub fn forget(&self, key: &str) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_guesses_lock_the_receipt_and_the_address() {
        let l = Limiter::default();
        for _ in 0..MAX_FAILURES - 1 {
            l.fail(&["r:1", "ip:a"]);
            assert!(l.check(&["r:1"]).is_ok());
        }
        l.fail(&["r:1", "ip:a"]);
        assert!(l.check(&["r:1"]).is_err());
        assert!(
            l.check(&["r:2", "ip:a"]).is_err(),
            "the address is locked too"
        );
        assert!(l.check(&["r:2", "ip:b"]).is_ok());
        l.forget("r:1");
        assert!(l.check(&["r:1"]).is_ok());
    }
}
