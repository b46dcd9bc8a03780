//! A stand-in for the authenticator app in non-interactive runs: it computes
//! the same six-digit TOTP codes (RFC 6238: HMAC-SHA-1, 30-second steps) from
//! the secret AssociateSoftwareToken returned.
//!
//! Two rules of Cognito's decide which code to send, and when:
//! - it accepts a code for the 30-second step before or after the one its
//!   clock is in (one step of drift), and
//! - it refuses a code for a step it has already accepted from this user
//!   (no replay), even if the code is still "current".
//!
//! So a run that needs several codes takes the steps `now - 1`, `now`,
//! `now + 1` in turn, and only a fourth code in quick succession has to wait
//! for the clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use example_cli::ExampleError;
use totp_rs::{Builder, Secret, Totp};

/// The length of one TOTP step, in seconds (Cognito's only setting).
pub const STEP_SECONDS: u64 = 30;

/// The step the next code is for: the earliest step that Cognito still
/// accepts at `now_step` (one behind) and that is newer than `last_used`.
pub fn next_step(last_used: Option<u64>, now_step: u64) -> u64 {
    let earliest = now_step.saturating_sub(1);
    match last_used {
        Some(last) => (last + 1).max(earliest),
        None => earliest,
    }
}

/// How long to wait, at `now_secs` (Unix time), before a code for `step` is
/// accepted: until the clock is in the step just before it. A wait that is
/// needed at all gets one extra second, for the clocks of this machine and
/// Cognito's that never agree to the millisecond.
pub fn wait_before(step: u64, now_secs: u64) -> Duration {
    let accepted_from = step.saturating_sub(1) * STEP_SECONDS;
    match accepted_from.checked_sub(now_secs) {
        Some(0) | None => Duration::ZERO,
        Some(seconds) => Duration::from_secs(seconds + 1),
    }
}

/// The six-digit code for `step` of a Base32 secret.
pub fn code_for_step(totp: &Totp, step: u64) -> String {
    totp.generate(step * STEP_SECONDS).to_string()
}

/// Computes TOTP codes from a secret, one per step, never the same step twice.
pub struct Authenticator {
    totp: Totp,
    last_step: Option<u64>,
}

impl Authenticator {
    /// An authenticator for Cognito's Base32 `secret_code`.
    pub fn new(secret_code: &str) -> Result<Self, ExampleError> {
        let secret = Secret::try_from_base32(secret_code.trim().to_ascii_uppercase())
            .map_err(|_| ExampleError::new("The TOTP secret is not valid Base32."))?;
        let totp = Builder::new()
            .with_secret(secret)
            .build()
            .map_err(|err| ExampleError::new(format!("Cannot use the TOTP secret: {err}")))?;
        Ok(Self {
            totp,
            last_step: None,
        })
    }

    /// How long [`Authenticator::next_code`] will wait for the clock.
    pub fn wait(&self) -> Duration {
        let now = unix_now();
        wait_before(next_step(self.last_step, now / STEP_SECONDS), now)
    }

    /// The next code to send, after waiting for the clock if need be.
    pub async fn next_code(&mut self) -> String {
        let now = unix_now();
        let step = next_step(self.last_step, now / STEP_SECONDS);
        let wait = wait_before(step, now);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        self.last_step = Some(step);
        code_for_step(&self.totp, step)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_code_is_for_the_step_before_the_clock() {
        assert_eq!(next_step(None, 1000), 999);
    }

    #[test]
    fn later_codes_take_the_next_unused_steps_up_to_one_ahead() {
        let first = next_step(None, 1000);
        let second = next_step(Some(first), 1000);
        let third = next_step(Some(second), 1000);
        assert_eq!((first, second, third), (999, 1000, 1001));
        for step in [first, second, third] {
            assert_eq!(wait_before(step, 1000 * STEP_SECONDS), Duration::ZERO);
        }
    }

    #[test]
    fn a_fourth_code_in_the_same_step_waits_for_the_clock() {
        let now = 1000 * STEP_SECONDS + 7;
        let fourth = next_step(Some(1001), now / STEP_SECONDS);
        assert_eq!(fourth, 1002);
        // Accepted once the clock is in step 1001: 23 s from now, plus a second.
        assert_eq!(wait_before(fourth, now), Duration::from_secs(24));
    }

    #[test]
    fn after_a_long_pause_old_steps_are_skipped() {
        assert_eq!(next_step(Some(999), 2000), 1999);
        assert_eq!(wait_before(1999, 2000 * STEP_SECONDS), Duration::ZERO);
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vector() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", SHA-1,
        // at T = 59 s (step 1) the 8-digit code is 94287082; six digits: 287082.
        let authenticator =
            Authenticator::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").expect("valid secret");
        assert_eq!(code_for_step(&authenticator.totp, 1), "287082");
        // At T = 1111111109 s the 8-digit code is 07081804.
        assert_eq!(
            code_for_step(&authenticator.totp, 1_111_111_109 / STEP_SECONDS),
            "081804"
        );
    }

    #[test]
    fn a_secret_that_is_not_base32_is_refused() {
        let err = Authenticator::new("not base32!").err().expect("refused");
        assert_eq!(err.to_string(), "The TOTP secret is not valid Base32.");
    }

    #[tokio::test]
    async fn consecutive_codes_are_for_different_steps() {
        let mut authenticator =
            Authenticator::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").expect("valid secret");
        authenticator.next_code().await;
        let first = authenticator.last_step.expect("a step");
        authenticator.next_code().await;
        let second = authenticator.last_step.expect("a step");
        assert!(second > first);
    }
}
