//! Refresh tokens: the refresh itself (for InitiateAuth REFRESH_TOKEN_AUTH
//! and GetTokensFromRefreshToken, with the app client's refresh token
//! rotation), and RevokeToken, which ends a refresh token and the access
//! and ID tokens issued from it.

use serde_json::json;

use super::auth::{TokenSubject, group_claims};
use super::state::clients::{AppClient, ClientProof};
use super::state::pool::Pool;
use super::state::refresh::RefreshGrant;
use super::state::revocation::origin_time;
use super::tokens::{IssuedTokens, TokenParams};
use super::triggers::TokenSource;
use super::{CognitoService, Input, Outcome, errors};
use crate::aws_json::ServiceError;

impl CognitoService {
    /// New access and ID tokens for a refresh token, with the grant it stands for.
    pub(super) async fn refreshed_tokens(
        &self,
        pool: &Pool,
        client: &AppClient,
        token: &str,
        proof: ClientProof<'_>,
    ) -> Result<(IssuedTokens, RefreshGrant), ServiceError> {
        let invalid = || errors::not_authorized("Invalid Refresh Token");
        let grant = self.refresh.open(token).ok_or_else(invalid)?;
        if grant.pool_id != *pool.id || grant.client_id != *client.id {
            return Err(invalid());
        }
        let now = self.now_secs();
        if now > grant.expires_at {
            return Err(errors::not_authorized("Refresh Token has expired"));
        }
        if let ClientProof::Secret(sent) = proof {
            if !client.secret_matches(sent) {
                return Err(errors::not_authorized(format!(
                    "Unable to verify secret for client {}",
                    client.id
                )));
            }
        }
        if self.revocations.session_revoked(&grant.origin_jti)
            || self.revocations.rotated_out(grant.token_id(), now)
        {
            return Err(errors::refresh_token_revoked());
        }
        let snapshot = {
            let table = pool.users.lock();
            let user = table
                .users()
                .get(grant.user_key.as_str())
                .ok_or_else(errors::refresh_token_revoked)?;
            if let ClientProof::SecretHash { hash, username } = proof {
                let mut names = vec![&*user.username, grant.sub.as_str()];
                names.extend(username);
                client.check_secret_hash(hash, &names)?;
            }
            // Disabled first: AdminDisableUser also revokes the tokens, and
            // while the user stays disabled that is what a refresh is told.
            let same_user = user.sub.to_string() == grant.sub;
            if same_user && !user.enabled {
                return Err(errors::user_disabled());
            }
            let started = origin_time(&grant.origin_jti).unwrap_or_default();
            if !same_user || started <= user.revoked_before {
                return Err(errors::refresh_token_revoked());
            }
            TokenSubject::of(user, client)
        };
        let issuer = self.issuer(&pool.id);
        let content = self
            .triggers
            .pre_token_generation(
                pool,
                &client.id,
                TokenSource::RefreshTokens,
                &snapshot.username,
                group_claims(pool, &snapshot.sub),
                grant
                    .scope
                    .as_deref()
                    .unwrap_or("aws.cognito.signin.user.admin"),
            )
            .await?;
        let tokens = self.issuing_signer().issue_at(
            &TokenParams {
                issuer: &issuer,
                client_id: &client.id,
                sub: &snapshot.sub,
                username: &snapshot.username,
                email: snapshot.email.as_deref(),
                email_verified: snapshot.email_verified,
                custom_attributes: &snapshot.custom,
                device_key: grant.device_key.as_deref(),
                auth_time: grant.auth_time,
                origin_jti: &grant.origin_jti,
                access_validity_secs: client.access_validity_secs,
                id_validity_secs: client.id_validity_secs,
                scope: &content.scope,
                groups: &content.groups.groups,
                roles: &content.groups.roles,
                preferred_role: content.groups.preferred_role.as_deref(),
                changes: content.changes.as_ref(),
            },
            now,
        );
        Ok((tokens, grant))
    }

    /// GetTokensFromRefreshToken: new ID and access tokens, and, when the
    /// client rotates refresh tokens, a new refresh token; the one sent
    /// then works for the client's `RetryGracePeriodSeconds` more.
    pub(super) async fn get_tokens_from_refresh_token(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        if !client.flows.refresh_token {
            return Err(errors::invalid_parameter(
                "Refresh Token auth flow not enabled for this client",
            ));
        }
        let token = input.required("RefreshToken")?;
        let proof = ClientProof::Secret(input.str("ClientSecret"));
        let (tokens, grant) = self.refreshed_tokens(&pool, &client, token, proof).await?;
        let mut result = json!({
            "AccessToken": tokens.access_token,
            "ExpiresIn": tokens.expires_in,
            "TokenType": "Bearer",
            "IdToken": tokens.id_token,
        });
        if let Some(grace) = client.refresh_rotation_grace {
            let now = self.now_secs();
            // The new refresh token gets the client's full validity from
            // now: the reference does not say; rotation is what keeps an
            // active session alive, so this follows the token's purpose.
            let rotated = grant.rotated(now + client.refresh_validity_secs);
            self.revocations
                .rotate_out(grant.token_id(), now + grace, grant.expires_at, now);
            result["RefreshToken"] = json!(self.sealing().seal(&rotated));
        }
        Ok(json!({ "AuthenticationResult": result }))
    }

    /// RevokeToken ends the sign-in of a refresh token: the refresh token,
    /// every access and ID token issued from it, and (with rotation) the
    /// refresh tokens that replaced it. An unknown token is answered with
    /// success, as the developer guide's revocation endpoint page says ("HTTP
    /// 200 ... if the client submitted an invalid token"). Wrong client
    /// credentials are `UnauthorizedException` (that page: 401
    /// `invalid_client`). A token of another client is refused the same way:
    /// the guide says only that refresh tokens "must be revoked using the
    /// same client ID", so that code is unverified, and so is every message
    /// here (no source quotes RevokeToken's messages).
    pub(super) fn revoke_token(&self, input: &Input<'_>) -> Outcome {
        let client_id = input.required("ClientId")?;
        let token = input.required("Token")?;
        // Message unverified: our own wording.
        let unauthorized = || {
            ServiceError::new(
                "UnauthorizedException",
                "Client authentication failed: unknown client or wrong client secret.",
            )
        };
        let (_, client) = self.client(client_id).map_err(|_| unauthorized())?;
        if !client.secret_matches(input.str("ClientSecret")) {
            return Err(unauthorized());
        }
        if !client.token_revocation {
            return Err(errors::token_revocation_disabled());
        }
        if token.split('.').count() == 3 {
            // A JWT: an access or ID token, which cannot be revoked alone.
            return Err(errors::unsupported_token_type());
        }
        let Some(grant) = self.refresh.open(token) else {
            return Ok(json!({}));
        };
        if grant.client_id != *client.id {
            return Err(unauthorized());
        }
        let now = self.now_secs();
        // Remembered as long as any refresh token of the sign-in may live
        // (rotation hands out tokens that outlive the first).
        let forget_after = grant.expires_at.max(now + client.refresh_validity_secs);
        self.revocations
            .revoke_session(&grant.origin_jti, forget_after, now);
        Ok(json!({}))
    }
}
