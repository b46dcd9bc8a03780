//! The emulator's notion of "now": real time plus an offset that tests can
//! move forward, so that expiry (sign-in sessions, confirmation codes, tokens,
//! TOTP steps) can be tested without waiting. Real time by default; each
//! emulator has its own clock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time shifted by a non-negative offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_millis: AtomicI64,
}

impl Clock {
    /// A clock showing real time.
    pub fn new() -> Self {
        Self::default()
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
        let _ = self
            .offset_millis
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                Some(offset.saturating_add(millis))
            });
    }

    /// How far ahead of real time this clock is.
    pub fn offset(&self) -> Duration {
        let millis = self.offset_millis.load(Ordering::Relaxed);
        Duration::from_millis(u64::try_from(millis).unwrap_or(0))
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
