use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `SECRET_HASH` Cognito requires from app clients that have a client
/// secret: Base64(HMAC-SHA256(key = client secret, message = username + client id)).
///
/// `username` is the name the user signs in with, exactly as sent in the
/// request (for a refresh, the user's `sub` or username that Cognito knows).
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independently_computed_hash() {
        // Computed with: printf 'aliceclient123' | openssl dgst -sha256 -hmac 'topsecret' -binary | base64
        assert_eq!(
            secret_hash("alice", "client123", "topsecret"),
            "QOaF4kSzdPw1nPLE5QMEoi2mW87FFhdfpWgk5WhA12c="
        );
    }

    #[test]
    fn depends_on_every_input() {
        let base = secret_hash("alice", "client123", "topsecret");
        assert_ne!(base, secret_hash("alicf", "client123", "topsecret"));
        assert_ne!(base, secret_hash("alice", "client124", "topsecret"));
        assert_ne!(base, secret_hash("alice", "client123", "topsecreu"));
    }
}
