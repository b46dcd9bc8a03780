//! Calls made with an access token (GetUser, GlobalSignOut, DeleteUser,
//! AssociateSoftwareToken, the device operations...): the token's
//! signature, issuer, expiry and revocation are checked before anything else.

use std::sync::Arc;

use super::state::pool::Pool;
use super::state::revocation::origin_time;
use super::tokens::TokenError;
use super::{CognitoService, errors};
use crate::aws_json::ServiceError;
use base64::Engine;

/// The signed-in user a request acts for.
pub(crate) struct Caller {
    pub pool: Arc<Pool>,
    pub user_key: Box<str>,
    /// The app client the access token was issued to.
    pub client_id: Box<str>,
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

impl CognitoService {
    /// Verifies an access token and finds its user.
    pub(super) fn authenticate(&self, access_token: &str) -> Result<Caller, ServiceError> {
        let invalid = || errors::not_authorized("Invalid Access Token");
        let issuer = unverified_issuer(access_token).ok_or_else(invalid)?;
        let pool_id = issuer.rsplit('/').next().ok_or_else(invalid)?;
        let pool = self.pool(pool_id).map_err(|_| invalid())?;
        let claims = self
            .signer()
            .verify_access_token_at(access_token, &self.issuer(pool_id), self.now_secs())
            .map_err(|err| match err {
                TokenError::Expired => errors::not_authorized("Access Token has expired"),
                _ => invalid(),
            })?;
        if self.revocations.session_revoked(&claims.origin_jti) {
            return Err(errors::access_token_revoked());
        }
        // Every call that takes an access token needs this scope, which a
        // PreTokenGeneration V2 function may suppress (AWS's words, as
        // quoted in aws-amplify/aws-sdk-android issue 1813).
        if !claims
            .scope
            .split_whitespace()
            .any(|s| s == "aws.cognito.signin.user.admin")
        {
            return Err(errors::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
        let settings = pool.settings();
        let user_key = settings.user_key(&claims.username);
        {
            let table = pool.users.lock();
            let user = table
                .users()
                .get(&user_key)
                .ok_or_else(errors::access_token_revoked)?;
            let started = origin_time(&claims.origin_jti).ok_or_else(invalid)?;
            if user.sub.to_string() != claims.sub || started <= user.revoked_before {
                return Err(errors::access_token_revoked());
            }
        }
        Ok(Caller {
            pool,
            user_key,
            client_id: claims.client_id.into(),
        })
    }
}

impl CognitoService {
    pub(super) fn global_sign_out(&self, input: &super::Input<'_>) -> super::Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let now = self.now_millis();
        let mut table = caller.pool.users.lock();
        let user = table
            .user_mut(&caller.user_key)
            .ok_or_else(errors::user_not_found)?;
        user.sign_out_everywhere(now);
        Ok(serde_json::json!({}))
    }

    pub(super) fn admin_user_global_sign_out(&self, input: &super::Input<'_>) -> super::Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let now = self.now_millis();
        // One lock section from finding the user to signing them out, so a
        // user deleted and created again in between is not the one signed out.
        let mut table = pool.users.lock();
        let user = table
            .find_mut(&settings, name)
            .ok_or_else(errors::user_not_found)?;
        user.sign_out_everywhere(now);
        Ok(serde_json::json!({}))
    }
}
