//! Time-based one-time passwords (RFC 6238) for software-token MFA, with the
//! parameters authenticator apps and Cognito use: HMAC-SHA1, 6 digits, 30 s steps.

use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds per time step.
const STEP_SECS: u64 = 30;

/// Digits in a code.
const DIGITS: u8 = 6;

/// Random bytes in a new secret.
const SECRET_BYTES: usize = 32;

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The code is not the one for the current step or either neighbour.
    #[error("the code does not match")]
    Mismatch,
    /// The code matches, but its step was already used (RFC 6238 §5.2).
    #[error("the code was already used")]
    Replayed,
    /// The stored secret is not base32 or is shorter than 128 bits.
    #[error("the secret is not a valid base32 TOTP secret")]
    BadSecret,
}

/// A fresh secret, as Cognito's `AssociateSoftwareToken` returns in `SecretCode`:
/// 32 random bytes in upper-case base32 without padding (52 characters).
pub fn new_secret() -> String {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// Checks `code` at `unix_now`, allowing one step (30 s) of clock drift either
/// way, and refusing any step at or before `last_used_step` (replay).
/// Returns the step that matched; the caller stores it as the new `last_used_step`.
pub fn verify(
    secret_b32: &str,
    code: &str,
    unix_now: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let totp = totp_for(secret_b32)?;
    let code = code.trim();
    let now_step = unix_now / STEP_SECS;
    let mut replayed = false;
    // Current step first, then the neighbours.
    for step in [
        Some(now_step),
        now_step.checked_sub(1),
        now_step.checked_add(1),
    ]
    .into_iter()
    .flatten()
    {
        // `check` with no skew compares this one step in constant time.
        if totp.check(code, step * STEP_SECS).is_some() {
            if last_used_step.is_some_and(|last| step <= last) {
                replayed = true;
            } else {
                return Ok(step);
            }
        }
    }
    Err(if replayed {
        TotpError::Replayed
    } else {
        TotpError::Mismatch
    })
}

/// The code for `unix_time`, or an empty string when the secret is invalid
/// (see [`try_code_at`]). For tests and scripted scenarios.
pub fn code_at(secret_b32: &str, unix_time: u64) -> String {
    try_code_at(secret_b32, unix_time).unwrap_or_default()
}

/// The code for `unix_time`.
pub fn try_code_at(secret_b32: &str, unix_time: u64) -> Result<String, TotpError> {
    Ok(totp_for(secret_b32)?.generate(unix_time).to_string())
}

/// Decodes a base32 secret, tolerating lower case, spaces and `=` padding.
fn totp_for(secret_b32: &str) -> Result<Totp, TotpError> {
    let cleaned: String = secret_b32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if cleaned.is_empty() {
        return Err(TotpError::BadSecret);
    }
    let secret = Secret::try_from_base32(&cleaned).map_err(|_| TotpError::BadSecret)?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECS)
        .with_skew(0)
        .with_secret(secret)
        .build()
        .map_err(|_| TotpError::BadSecret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_sha1_vectors() {
        // The RFC lists 8-digit codes; 6-digit codes are their last six digits.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, eight) in vectors {
            assert_eq!(code_at(RFC_SECRET, t), eight[2..], "T = {t}");
            assert_eq!(
                verify(RFC_SECRET, &eight[2..], t, None),
                Ok(t / 30),
                "T = {t}"
            );
        }
    }

    #[test]
    fn new_secret_looks_like_cognitos() {
        let s = new_secret();
        assert_eq!(s.len(), 52);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
            "{s}"
        );
        assert_ne!(s, new_secret());
        let code = code_at(&s, 1_700_000_000);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(
            verify(&s, &code, 1_700_000_000, None),
            Ok(1_700_000_000 / 30)
        );
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let s = new_secret();
        let now: u64 = 1_800_000_015; // mid-step
        let step = now / 30;
        for offset in [-1i64, 0, 1] {
            let t = now.checked_add_signed(offset * 30).unwrap();
            let code = code_at(&s, t);
            assert_eq!(
                verify(&s, &code, now, None),
                Ok(step.checked_add_signed(offset).unwrap()),
                "offset {offset}"
            );
        }
        for offset in [-2i64, 2, -3, 3] {
            let t = now.checked_add_signed(offset * 30).unwrap();
            let code = code_at(&s, t);
            // Guard against a chance collision with an accepted step's code.
            let accepted: Vec<String> = (-1..=1)
                .map(|o| code_at(&s, now.checked_add_signed(o * 30).unwrap()))
                .collect();
            if !accepted.contains(&code) {
                assert_eq!(
                    verify(&s, &code, now, None),
                    Err(TotpError::Mismatch),
                    "offset {offset}"
                );
            }
        }
    }

    #[test]
    fn a_used_step_is_refused() {
        let s = new_secret();
        let now = 1_900_000_000;
        let code = code_at(&s, now);
        let step = verify(&s, &code, now, None).unwrap();
        assert_eq!(verify(&s, &code, now, Some(step)), Err(TotpError::Replayed));
        // Still refused a few seconds later, within drift.
        assert_eq!(
            verify(&s, &code, now + 20, Some(step)),
            Err(TotpError::Replayed)
        );
        // An earlier step's code is refused after a later one was used.
        let previous = code_at(&s, now - 30);
        if previous != code {
            assert_eq!(
                verify(&s, &previous, now, Some(step)),
                Err(TotpError::Replayed)
            );
        }
        // The next step's code is fine.
        let next = code_at(&s, now + 30);
        assert_eq!(verify(&s, &next, now + 30, Some(step)), Ok(step + 1));
    }

    #[test]
    fn bad_input() {
        let s = new_secret();
        let now = 1_700_000_000;
        let good = code_at(&s, now);
        for bad in ["", "12345", "1234567", "abcdef", "+12345", "12 345"] {
            if bad != good {
                assert_eq!(
                    verify(&s, bad, now, None),
                    Err(TotpError::Mismatch),
                    "{bad:?}"
                );
            }
        }
        assert_eq!(verify("", &good, now, None), Err(TotpError::BadSecret));
        assert_eq!(
            verify("not base32!", &good, now, None),
            Err(TotpError::BadSecret)
        );
        assert_eq!(
            verify("GEZDGNBV", &good, now, None),
            Err(TotpError::BadSecret),
            "40-bit secret"
        );
        assert_eq!(try_code_at("@@", now), Err(TotpError::BadSecret));
        assert_eq!(code_at("@@", now), "");
        // Lower case, spaces and padding are tolerated in the secret, spaces around the code.
        let spaced = RFC_SECRET
            .to_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            verify(&format!("{spaced}===="), " 287082 ", 59, None),
            Ok(1)
        );
    }
}
