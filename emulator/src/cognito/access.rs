//! Calls made with an access token (GetUser, GlobalSignOut, DeleteUser,
//! AssociateSoftwareToken, the device operations...): the token's
//! signature, issuer, expiry and revocation are checked before anything else.

use std::sync::Arc;

use base64::Engine;
use rand::RngCore;

use super::tokens::TokenError;
use super::{CognitoService, Pool, not_authorized};
use crate::aws_json::ServiceError;

/// The signed-in user a request acts for.
pub(crate) struct Caller {
    pub pool: Arc<Pool>,
    pub user_key: Box<str>,
}

/// A fresh `origin_jti`: a UUID whose first six bytes are the sign-in time
/// (`now` in epoch milliseconds, but strictly after `not_before`), so that
/// revocation needs only a time per user.
pub(crate) fn new_origin_jti(now: i64, not_before: i64) -> (String, i64) {
    let millis = now.max(not_before + 1);
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..8]);
    (
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string(),
        millis,
    )
}

/// The sign-in time an `origin_jti` carries.
pub(crate) fn origin_time(origin_jti: &str) -> Option<i64> {
    let id = uuid::Uuid::parse_str(origin_jti).ok()?;
    let mut millis = [0u8; 8];
    millis[2..8].copy_from_slice(&id.as_bytes()[..6]);
    Some(i64::from_be_bytes(millis))
}

/// The `iss` claim of a JWT, read without verifying it (to find the pool).
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

pub(crate) fn revoked() -> ServiceError {
    not_authorized("Access Token has been revoked")
}

impl CognitoService {
    /// Verifies an access token and finds its user.
    pub(super) fn authenticate(&self, access_token: &str) -> Result<Caller, ServiceError> {
        let invalid = || not_authorized("Invalid Access Token");
        let issuer = unverified_issuer(access_token).ok_or_else(invalid)?;
        let pool_id = issuer.rsplit('/').next().ok_or_else(invalid)?;
        let pool = self.pool(pool_id).map_err(|_| invalid())?;
        let claims = self
            .signer
            .verify_access_token_at(access_token, &self.issuer(pool_id), self.now_secs())
            .map_err(|err| match err {
                TokenError::Expired => not_authorized("Access Token has expired"),
                _ => invalid(),
            })?;
        let settings = pool.settings();
        let user_key = settings.user_key(&claims.username);
        {
            let table = pool.users.lock();
            let user = table.users.get(&user_key).ok_or_else(revoked)?;
            let started = origin_time(&claims.origin_jti).ok_or_else(invalid)?;
            if user.sub.to_string() != claims.sub || started <= user.revoked_before {
                return Err(revoked());
            }
        }
        Ok(Caller { pool, user_key })
    }
}

impl CognitoService {
    /// Revokes every token of a user: those whose sign-in started before now.
    fn revoke_all(&self, pool: &Pool, user_key: &str) -> Result<(), ServiceError> {
        let mut table = pool.users.lock();
        let user = table
            .users
            .get_mut(user_key)
            .ok_or_else(super::user_not_found)?;
        user.revoked_before = self.now_millis();
        Ok(())
    }

    pub(super) fn global_sign_out(&self, input: &super::Input<'_>) -> super::Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        self.revoke_all(&caller.pool, &caller.user_key)?;
        Ok(serde_json::json!({}))
    }

    pub(super) fn admin_user_global_sign_out(&self, input: &super::Input<'_>) -> super::Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let key = pool
            .users
            .lock()
            .resolve(&settings, input.required("Username")?)
            .ok_or_else(super::user_not_found)?;
        self.revoke_all(&pool, &key)?;
        Ok(serde_json::json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_jti_carries_its_time_and_respects_revocation() {
        let (jti, millis) = new_origin_jti(1_000, 0);
        assert_eq!(millis, 1_000);
        assert_eq!(origin_time(&jti), Some(millis));
        let later = millis + 10_000;
        let (jti, after) = new_origin_jti(1_000, later);
        assert!(after > later);
        assert_eq!(origin_time(&jti), Some(after));
        assert_eq!(origin_time("not-a-uuid"), None);
    }
}
