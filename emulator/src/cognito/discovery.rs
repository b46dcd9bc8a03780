//! The pool's OpenID Connect discovery document,
//! `/{userPoolId}/.well-known/openid-configuration`, served beside its JWKS.
//!
//! The members are the ones Cognito publishes (OpenID Connect Discovery 1.0,
//! section 3): `issuer` and `jwks_uri`, and the OAuth 2.0 endpoints of the
//! pool's domain. Without a domain Cognito still lists them, under the
//! issuer (`{issuer}/authorize` ...), where they answer nothing useful: that
//! is what a pool without a domain publishes, per the answer to Stack
//! Overflow question 47664727 ("Can I use AWS Cognito to provide an OpenID
//! Connect endpoint?"), which quotes the document. With a domain, the member
//! list (`end_session_endpoint` = `/logout` and `revocation_endpoint`
//! included) follows a document served by real Cognito quoted in
//! localstack/localstack issue 12914. There the endpoints are on
//! `https://{domain}.auth.{region}.amazoncognito.com`; the emulator lists
//! the address it serves them at (`{endpoint}/domains/{domain}`, see
//! `oauth`), so discovery works offline.

use serde_json::{Value, json};

use super::CognitoService;

impl CognitoService {
    /// The discovery document of a pool, `None` for an unknown pool.
    pub fn openid_configuration(&self, pool_id: &str) -> Option<Value> {
        self.pool(pool_id).ok()?;
        let issuer = self.issuer(pool_id);
        let (authorize, token, user_info, logout, revoke) = match self.pool_domain(pool_id) {
            Some(domain) => {
                let base = self.hosted_base(&domain.name);
                (
                    format!("{base}/oauth2/authorize"),
                    format!("{base}/oauth2/token"),
                    format!("{base}/oauth2/userInfo"),
                    format!("{base}/logout"),
                    Some(format!("{base}/oauth2/revoke")),
                )
            }
            None => (
                format!("{issuer}/authorize"),
                format!("{issuer}/token"),
                format!("{issuer}/userInfo"),
                format!("{issuer}/logout"),
                None,
            ),
        };
        let mut document = json!({
            "authorization_endpoint": authorize,
            "end_session_endpoint": logout,
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "token_endpoint": token,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "userinfo_endpoint": user_info,
        });
        if let Some(revoke) = revoke {
            document["revocation_endpoint"] = json!(revoke);
        }
        Some(document)
    }

    /// Adds a signing key with a new `kid` (the test-only
    /// `/_emulator/signing-keys/rotate`): every pool's tokens are signed with
    /// it from now on, and its JWKS lists it beside the older keys, which
    /// still verify the tokens they signed. Returns the new `kid`.
    pub fn rotate_signing_key(&self) -> String {
        let _keys = self.keys_lock.lock().unwrap_or_else(|p| p.into_inner());
        let kid = self.signer().rotate();
        self.save_keys();
        kid
    }
}
