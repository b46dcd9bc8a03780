//! Refresh tokens: opaque to clients, self-contained for the emulator (a
//! payload sealed with an HMAC under a key only this emulator knows), so
//! signing in stores nothing. Revocation is the user's `revoked_before`.

use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What a refresh token stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RefreshGrant {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    pub sub: String,
    pub origin_jti: String,
    pub device_key: Option<String>,
    pub auth_time: i64,
    pub expires_at: i64,
    nonce: u64,
    /// The OAuth scopes granted through a domain's endpoints (the tokens of
    /// API sign-ins have `aws.cognito.signin.user.admin` alone).
    #[serde(default)]
    pub scope: Option<String>,
}

impl RefreshGrant {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool_id: &str,
        client_id: &str,
        user_key: &str,
        sub: &str,
        origin_jti: &str,
        device_key: Option<&str>,
        auth_time: i64,
        expires_at: i64,
    ) -> Self {
        RefreshGrant {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            user_key: user_key.to_owned(),
            sub: sub.to_owned(),
            origin_jti: origin_jti.to_owned(),
            device_key: device_key.map(str::to_owned),
            auth_time,
            expires_at,
            nonce: rand::random(),
            scope: None,
        }
    }

    /// This grant for tokens with these OAuth scopes.
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.to_owned());
        self
    }

    /// Identifies this one refresh token (grants of one sign-in share
    /// their `origin_jti` but not this).
    pub fn token_id(&self) -> u64 {
        self.nonce
    }

    /// The grant of the refresh token that replaces this one when the app
    /// client rotates refresh tokens: the same sign-in, a new token, valid
    /// until `expires_at`.
    pub fn rotated(&self, expires_at: i64) -> Self {
        RefreshGrant {
            expires_at,
            nonce: rand::random(),
            ..self.clone()
        }
    }
}

/// Seals and opens the refresh tokens of one emulator.
pub(crate) struct RefreshTokens {
    /// Replaced only when a state folder is read.
    key: RwLock<[u8; 32]>,
}

impl RefreshTokens {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        RefreshTokens {
            key: RwLock::new(key),
        }
    }

    fn key(&self) -> [u8; 32] {
        *self.key.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The key, in base64 (the `cognito.keys` record of a state folder).
    pub fn export_key(&self) -> String {
        STANDARD.encode(self.key())
    }

    /// Seals and opens with the key [`RefreshTokens::export_key`] gave, so
    /// the refresh tokens sealed with it work again.
    pub fn import_key(&self, key: &str) -> Result<(), String> {
        let key: [u8; 32] = STANDARD
            .decode(key)
            .ok()
            .and_then(|key| key.try_into().ok())
            .ok_or("the refresh token key is not 32 bytes of base64")?;
        *self.key.write().unwrap_or_else(|p| p.into_inner()) = key;
        Ok(())
    }

    fn mac(&self, payload: &[u8]) -> Vec<u8> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key()).expect("HMAC takes any key length");
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }

    pub fn seal(&self, grant: &RefreshGrant) -> String {
        let payload = serde_json::to_vec(grant).unwrap_or_default();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(self.mac(&payload))
        )
    }

    /// The grant, if the token is one this emulator issued (expiry not checked).
    pub fn open(&self, token: &str) -> Option<RefreshGrant> {
        let (payload, mac) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let expected = self.mac(&payload);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_slice(),
            mac.as_slice(),
        )) {
            return None;
        }
        serde_json::from_slice(&payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_tokens_open_and_tampered_ones_do_not() {
        let tokens = RefreshTokens::new();
        let grant = RefreshGrant::new("us-east-1_a", "c", "alice", "s", "o", None, 1, 2);
        let sealed = tokens.seal(&grant);
        assert_eq!(tokens.open(&sealed), Some(grant.clone()));
        let mut tampered = sealed.clone().into_bytes();
        tampered[3] ^= 1;
        assert_eq!(tokens.open(&String::from_utf8_lossy(&tampered)), None);
        assert_eq!(RefreshTokens::new().open(&sealed), None);
        assert_eq!(tokens.open("garbage"), None);
    }
}
