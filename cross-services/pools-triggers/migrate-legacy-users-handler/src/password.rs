//! The legacy directory's password hashes: PBKDF2-HMAC-SHA256 with a random
//! salt per user, stored as one self-describing string,
//!
//! ```text
//! pbkdf2-sha256$ITERATIONS$SALT$HASH      (SALT and HASH in base64, no padding)
//! ```
//!
//! so the iteration count can be raised later without breaking the hashes
//! already stored. Checking a password recomputes the hash with the stored
//! salt and iteration count and compares the two in constant time.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The scheme named at the start of every stored hash.
pub const SCHEME: &str = "pbkdf2-sha256";
/// Iterations for new hashes. OWASP asks 600,000 for PBKDF2-HMAC-SHA256;
/// this is less because the check runs in a 128 MB Lambda function (a small
/// share of a CPU) that Cognito gives 5 seconds in all. Give the function
/// more memory (and so more CPU) before raising it.
pub const ITERATIONS: u32 = 100_000;
/// Bytes of the derived hash.
const HASH_LEN: usize = 32;
/// Stored hashes with more iterations than this are refused rather than
/// computed for minutes.
const MAX_ITERATIONS: u32 = 10_000_000;

/// The stored form of `password` hashed with `salt` (16 random bytes or more)
/// and `iterations`.
pub fn hash(password: &str, salt: &[u8], iterations: u32) -> String {
    let mut derived = [0u8; HASH_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut derived);
    format!(
        "{SCHEME}${iterations}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(derived)
    )
}

/// Whether `password` is the one `stored` was made from. A stored value that
/// is not such a hash matches no password.
pub fn verify(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(SCHEME), Some(iterations), Some(salt), Some(expected), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Ok(salt), Ok(expected)) = (
        iterations.parse::<u32>(),
        STANDARD_NO_PAD.decode(salt),
        STANDARD_NO_PAD.decode(expected),
    ) else {
        return false;
    };
    if iterations == 0 || iterations > MAX_ITERATIONS || expected.len() != HASH_LEN {
        return false;
    }
    let mut derived = [0u8; HASH_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut derived);
    derived.ct_eq(&expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &[u8] = b"0123456789abcdef";

    #[test]
    fn the_right_password_matches_and_any_other_does_not() {
        let stored = hash("Old-Secret-1", SALT, 1_000);
        assert!(verify("Old-Secret-1", &stored));
        assert!(!verify("old-secret-1", &stored));
        assert!(!verify("Old-Secret-", &stored));
        assert!(!verify("", &stored));
    }

    #[test]
    fn the_stored_form_names_scheme_iterations_and_salt_and_holds_no_password() {
        let stored = hash("Old-Secret-1", SALT, 1_000);
        let parts: Vec<&str> = stored.split('$').collect();
        assert_eq!(parts[..2], ["pbkdf2-sha256", "1000"]);
        assert_eq!(STANDARD_NO_PAD.decode(parts[2]).unwrap(), SALT);
        assert_eq!(STANDARD_NO_PAD.decode(parts[3]).unwrap().len(), HASH_LEN);
        assert!(!stored.contains("Old-Secret-1"));
        // Another salt, another hash.
        assert_ne!(stored, hash("Old-Secret-1", b"fedcba9876543210", 1_000));
    }

    #[test]
    fn a_known_answer() {
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        let mut derived = [0u8; 64];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut derived);
        assert_eq!(
            derived[..8],
            [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f]
        );
    }

    #[test]
    fn anything_that_is_not_such_a_hash_matches_nothing() {
        let stored = hash("p", SALT, 10);
        for broken in [
            "",
            "p",
            "plain-text-password",
            &stored.replacen("pbkdf2-sha256", "md5", 1),
            &stored.replacen("$10$", "$0$", 1),
            &stored.replacen("$10$", "$99999999999$", 1),
            &format!("{stored}$extra"),
            &stored[..stored.len() - 4],
        ] {
            assert!(!verify("p", broken), "{broken}");
        }
    }
}
