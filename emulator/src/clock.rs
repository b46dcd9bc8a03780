//! The emulator's notion of "now": real time plus an offset that tests can
//! move forward, so that expiry (sign-in sessions, confirmation codes, tokens,
//! TOTP steps) can be tested without waiting. Real time by default; each
//! emulator has its own clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::persist::{Journal, Persistent, Record};

/// Wall-clock time shifted by a non-negative offset.
#[derive(Default)]
pub struct Clock {
    offset_millis: AtomicI64,
    /// Held while the offset moves and is journaled, so the journal sees
    /// the moves in order.
    moving: Mutex<()>,
    journal: Journal,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("offset_millis", &self.offset_millis)
            .finish_non_exhaustive()
    }
}

/// The record of the clock's offset (one, keyed `offset`).
const OFFSET: &str = "emulator.clock";

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredOffset {
    offset_millis: i64,
}

impl Clock {
    /// A clock showing real time.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock showing real time whose moves are kept in `journal`.
    pub(crate) fn with_journal(journal: Journal) -> Self {
        Clock {
            journal,
            ..Clock::default()
        }
    }

    /// Milliseconds since the Unix epoch, as this clock shows them.
    pub fn now_millis(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.offset_millis.load(Ordering::Relaxed))
    }

    /// Seconds since the Unix epoch, as this clock shows them.
    pub fn now_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Moves the clock forward by `by` (it never goes back).
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _moving = self.moving.lock().unwrap_or_else(|p| p.into_inner());
        let offset = self
            .offset_millis
            .load(Ordering::Relaxed)
            .saturating_add(millis);
        self.offset_millis.store(offset, Ordering::Relaxed);
        self.journal.put(
            OFFSET,
            "offset",
            &StoredOffset {
                offset_millis: offset,
            },
        );
    }

    /// How far ahead of real time this clock is.
    pub fn offset(&self) -> Duration {
        let millis = self.offset_millis.load(Ordering::Relaxed);
        Duration::from_millis(u64::try_from(millis).unwrap_or(0))
    }
}

impl Persistent for Clock {
    fn kind_prefix(&self) -> &'static str {
        "emulator."
    }

    fn records(&self) -> Vec<Record> {
        let offset_millis = self.offset_millis.load(Ordering::Relaxed);
        if offset_millis == 0 {
            return Vec::new();
        }
        vec![Record {
            kind: OFFSET.to_owned(),
            key: "offset".to_owned(),
            value: serde_json::json!({ "offsetMillis": offset_millis }),
        }]
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        for record in records {
            if record.kind != OFFSET {
                return Err(format!("unknown record kind {}", record.kind));
            }
            let stored: StoredOffset = serde_json::from_value(record.value)
                .map_err(|err| format!("{} {}: {err}", record.kind, record.key))?;
            self.offset_millis
                .store(stored.offset_millis.max(0), Ordering::Relaxed);
        }
        Ok(())
    }

    fn clear(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }
}

/// `GET /_emulator/clock`: the clock's time and how far ahead it is.
pub(crate) fn describe(clock: &Clock) -> serde_json::Value {
    serde_json::json!({
        "now": clock.now_millis() as f64 / 1000.0,
        "offsetSeconds": clock.offset().as_secs_f64(),
    })
}

/// `POST /_emulator/clock {"advanceSeconds": N}`: moves the clock forward by
/// N seconds (a non-negative number) and describes it; `Err` is the reason
/// the body was refused.
pub(crate) fn advance_from_request(
    clock: &Clock,
    body: &[u8],
) -> Result<serde_json::Value, String> {
    let request: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| format!("The body must be JSON like {{\"advanceSeconds\": 180}}: {err}"))?;
    let seconds = request
        .get("advanceSeconds")
        .and_then(serde_json::Value::as_f64)
        .ok_or("advanceSeconds (a number of seconds) is required")?;
    let by = Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("advanceSeconds must be zero or more, not {seconds}"))?;
    clock.advance(by);
    Ok(describe(clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_real_time_and_only_moves_forward() {
        let clock = Clock::new();
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        assert!((clock.now_millis() - real).abs() < 1000);
        assert_eq!(clock.offset(), Duration::ZERO);
        clock.advance(Duration::from_secs(181));
        clock.advance(Duration::from_millis(500));
        assert_eq!(clock.offset(), Duration::from_millis(181_500));
        let ahead = clock.now_millis() - real;
        assert!((181_500..182_500).contains(&ahead), "{ahead}");
        assert_eq!(clock.now_secs(), clock.now_millis() / 1000);
    }

    #[test]
    fn a_moved_clock_is_journaled_and_restored() {
        let journal = Journal::capture();
        let clock = Clock::with_journal(journal.clone());
        assert!(clock.records().is_empty());
        clock.advance(Duration::from_secs(60));
        clock.advance(Duration::from_secs(30));
        assert_eq!(journal.replayed(), clock.records());
        let restored = Clock::new();
        restored.restore(clock.records()).unwrap();
        assert_eq!(restored.offset(), Duration::from_secs(90));
        restored.clear();
        assert_eq!(restored.offset(), Duration::ZERO);
    }

    #[test]
    fn advances_from_a_request_body_and_refuses_bad_ones() {
        let clock = Clock::new();
        let out = advance_from_request(&clock, br#"{"advanceSeconds": 90.5}"#).unwrap();
        assert_eq!(out["offsetSeconds"], 90.5);
        assert_eq!(clock.offset(), Duration::from_millis(90_500));
        for bad in [
            &b"{not json"[..],
            br#"{}"#,
            br#"{"advanceSeconds": "ten"}"#,
            br#"{"advanceSeconds": -1}"#,
        ] {
            assert!(advance_from_request(&clock, bad).is_err());
        }
        assert_eq!(clock.offset(), Duration::from_millis(90_500));
    }
}
