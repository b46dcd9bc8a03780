//! Confirmation codes: six random digits, valid 24 hours, single use,
//! replaced when a new one is sent, and refused after too many wrong tries.

use rand::Rng;

use crate::aws_json::ServiceError;
use crate::cognito::errors;

const VALIDITY_SECS: i64 = 24 * 3600;
const MAX_FAILURES: u8 = 5;

/// A code a user was sent and has not used yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingCode {
    code: u32,
    expires_at: i64,
    failures: u8,
}

impl PendingCode {
    /// A fresh code, valid from `now` (epoch seconds) for 24 hours.
    pub fn new(now: i64) -> Self {
        PendingCode {
            code: rand::thread_rng().gen_range(0..1_000_000),
            expires_at: now + VALIDITY_SECS,
            failures: 0,
        }
    }

    /// The six digits as sent to the user.
    pub fn digits(&self) -> String {
        format!("{:06}", self.code)
    }

    /// Checks `sent` at `now`. A wrong code counts toward the limit; the
    /// caller discards the code once this returns `Ok`.
    pub fn check(&mut self, sent: &str, now: i64) -> Result<(), ServiceError> {
        if self.failures >= MAX_FAILURES {
            return Err(errors::attempt_limit_exceeded());
        }
        if now > self.expires_at {
            return Err(errors::expired_code());
        }
        if sent != self.digits() {
            self.failures += 1;
            return Err(errors::code_mismatch());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_expiry_and_attempt_limit() {
        let mut code = PendingCode::new(1000);
        let digits = code.digits();
        assert_eq!(digits.len(), 6);
        assert!(digits.chars().all(|c| c.is_ascii_digit()));
        let wrong = if digits == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert_eq!(
            code.check(wrong, 1000).unwrap_err().code,
            "CodeMismatchException"
        );
        assert_eq!(
            code.clone()
                .check(&digits, 1000 + VALIDITY_SECS + 1)
                .unwrap_err()
                .code,
            "ExpiredCodeException"
        );
        assert!(code.clone().check(&digits, 1001).is_ok());
        for _ in 1..MAX_FAILURES {
            let _ = code.check(wrong, 1000);
        }
        assert_eq!(
            code.check(&digits, 1000).unwrap_err().code,
            "LimitExceededException"
        );
    }
}
