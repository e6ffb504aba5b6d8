//! Time as the rules see it. Nothing in the domain reads the wall clock: it is handed a
//! [`Clock`], so tests (and later the supervision timers) can move time forward at will.

use crate::{Date, Timestamp};
use jiff::tz::{Offset, TimeZone};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// Calls `f` whenever this clock jumps (a [`ManualClock`] being moved), so that a timer
    /// waiting on it wakes up. The wall clock never jumps: it ignores this.
    fn on_jump(&self, f: Arc<dyn Fn() + Send + Sync>) {
        let _ = f;
    }
}

/// A clock that stands still until told to move; whoever watches it (the supervision
/// timers) is told each time it moves.
#[derive(Default)]
pub struct ManualClock {
    at: Mutex<Timestamp>,
    watchers: Mutex<Vec<Arc<dyn Fn() + Send + Sync>>>,
}

impl std::fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ManualClock").field(&self.now()).finish()
    }
}

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self {
            at: Mutex::new(at),
            watchers: Mutex::default(),
        }
    }

    pub fn set(&self, at: Timestamp) {
        *self.at.lock().unwrap_or_else(|e| e.into_inner()) = at;
        self.jumped();
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        {
            let mut t = self.at.lock().unwrap_or_else(|e| e.into_inner());
            *t = t.saturating_add(by).unwrap_or(*t);
        }
        self.jumped();
    }

    fn jumped(&self) {
        let watchers = self
            .watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for w in watchers {
            w();
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.at.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn on_jump(&self, f: Arc<dyn Fn() + Send + Sync>) {
        self.watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(f);
    }
}

/// The zone dates are counted in: a fixed UTC offset (China Standard Time, +08:00, by default;
/// China keeps no daylight saving time, so a fixed offset is exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Offset);

impl Zone {
    pub const CHINA: Zone = Zone(Offset::constant(8));

    /// Reads `+08:00`, `+8`, `-05:30`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (sign, rest) = match t.chars().next() {
            Some('+') => (1, &t[1..]),
            Some('-') => (-1, &t[1..]),
            _ => return Err(format!("«{s}» is not a UTC offset such as +08:00")),
        };
        let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
        let (h, m): (i32, i32) = match (h.parse(), m.parse()) {
            (Ok(h), Ok(m)) if h <= 14 && m < 60 => (h, m),
            _ => return Err(format!("«{s}» is not a UTC offset such as +08:00")),
        };
        Offset::from_seconds(sign * (h * 3600 + m * 60))
            .map(Zone)
            .map_err(|e| e.to_string())
    }

    pub fn date(self, t: Timestamp) -> Date {
        t.to_zoned(TimeZone::fixed(self.0)).date()
    }

    /// The first instant of `date` in this zone.
    pub fn start_of(self, date: Date) -> Timestamp {
        date.to_zoned(TimeZone::fixed(self.0))
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// RFC 3339 with this zone's offset.
    pub fn format(self, t: Timestamp) -> String {
        t.to_zoned(TimeZone::fixed(self.0))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::CHINA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_counted_in_china_time() {
        let t: Timestamp = "2026-02-14T17:30:00Z".parse().unwrap();
        assert_eq!(Zone::CHINA.date(t), jiff::civil::date(2026, 2, 15));
        assert_eq!(Zone::CHINA.format(t), "2026-02-15T01:30:00+08:00");
        assert_eq!(Zone::parse("+8").unwrap(), Zone::CHINA);
        assert!(Zone::parse("CST").is_err());
        let c = ManualClock::new(t);
        c.advance(jiff::SignedDuration::from_hours(24));
        assert_eq!(Zone::CHINA.date(c.now()), jiff::civil::date(2026, 2, 16));
    }
}
