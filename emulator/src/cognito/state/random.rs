//! Random strings for the ids, keys and secrets Cognito hands out.

use rand::Rng;

/// Characters of pool ids, device group keys and generated passwords.
pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Characters of app client ids and secrets.
pub(crate) const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Random characters from `alphabet`.
pub(crate) fn random_string(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}
