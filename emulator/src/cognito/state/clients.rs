//! App clients: what a client decides at sign-in: the auth flows it
//! allows, its secret (`SECRET_HASH`), token lifetimes, and whether it hides
//! that a user does not exist.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::aws_json::ServiceError;
use crate::cognito::errors;

/// The authentication flows a client allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AuthFlows {
    pub user_password: bool,
    pub admin_user_password: bool,
    pub user_srp: bool,
    pub refresh_token: bool,
    pub custom: bool,
}

impl AuthFlows {
    /// From `ExplicitAuthFlows`; none given means SRP, refresh and custom auth.
    pub fn from_request(flows: &[&str]) -> Result<Self, ServiceError> {
        if flows.is_empty() {
            return Ok(AuthFlows {
                user_srp: true,
                refresh_token: true,
                custom: true,
                ..AuthFlows::default()
            });
        }
        let modern = flows.iter().any(|f| f.starts_with("ALLOW_"));
        let legacy = flows.iter().any(|f| !f.starts_with("ALLOW_"));
        if modern && legacy {
            return Err(errors::invalid_parameter(
                "ExplicitAuthFlows cannot have both ALLOW_XXX and legacy values.",
            ));
        }
        let has = |name: &str| flows.contains(&name);
        if legacy {
            // The legacy values add to what every client could always do.
            return Ok(AuthFlows {
                user_password: has("USER_PASSWORD_AUTH"),
                admin_user_password: has("ADMIN_NO_SRP_AUTH"),
                user_srp: !has("CUSTOM_AUTH_FLOW_ONLY"),
                refresh_token: true,
                custom: true,
            });
        }
        Ok(AuthFlows {
            user_password: has("ALLOW_USER_PASSWORD_AUTH"),
            admin_user_password: has("ALLOW_ADMIN_USER_PASSWORD_AUTH"),
            user_srp: has("ALLOW_USER_SRP_AUTH"),
            refresh_token: has("ALLOW_REFRESH_TOKEN_AUTH"),
            custom: has("ALLOW_CUSTOM_AUTH"),
        })
    }
}

/// One app client of a pool.
#[derive(Debug)]
pub(crate) struct AppClient {
    pub id: Box<str>,
    pub secret: Option<String>,
    pub flows: AuthFlows,
    pub prevent_user_existence_errors: bool,
    pub access_validity_secs: i64,
    pub id_validity_secs: i64,
    pub refresh_validity_secs: i64,
    /// How long a sign-in `Session` lasts (`AuthSessionValidity`, in minutes).
    pub session_validity: Duration,
    /// `ReadAttributes`: the attributes the client may read (all when `None`).
    #[allow(
        dead_code,
        reason = "read by the attribute operations, which enforce it"
    )]
    pub read_attributes: Option<Vec<String>>,
    /// `WriteAttributes`: the attributes the client may write (all when `None`).
    #[allow(
        dead_code,
        reason = "read by the attribute operations, which enforce it"
    )]
    pub write_attributes: Option<Vec<String>>,
    /// `EnableTokenRevocation`: RevokeToken works for the client's refresh tokens.
    pub token_revocation: bool,
    /// `RefreshTokenRotation` when `ENABLED`: its `RetryGracePeriodSeconds`.
    pub refresh_rotation_grace: Option<i64>,
    /// The OAuth 2.0 settings the domain's endpoints read.
    pub oauth: super::oauth_settings::OAuthSettings,
    /// What DescribeUserPoolClient returns.
    pub described: Map<String, Value>,
}

/// How the caller of a refresh proves it is the app client (when the
/// client has a secret).
#[derive(Clone, Copy)]
pub(crate) enum ClientProof<'a> {
    /// InitiateAuth: a SECRET_HASH over one of the names the user is known
    /// by (the stored user name, the `sub`, or the `USERNAME` sent).
    SecretHash {
        hash: Option<&'a str>,
        username: Option<&'a str>,
    },
    /// GetTokensFromRefreshToken: the client secret itself.
    Secret(Option<&'a str>),
}

/// `Base64(HMAC-SHA256(secret, username + client_id))`.
pub(crate) fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl AppClient {
    /// Whether `sent` is this client's secret (`None` matching no secret).
    pub fn secret_matches(&self, sent: Option<&str>) -> bool {
        match (&self.secret, sent) {
            (None, None) => true,
            (Some(secret), Some(sent)) => {
                subtle::ConstantTimeEq::ct_eq(secret.as_bytes(), sent.as_bytes()).into()
            }
            _ => false,
        }
    }

    /// Checks the `SECRET_HASH` a request carries against any of the names
    /// the user may have computed it with (the name sent, the stored user name).
    pub fn check_secret_hash(
        &self,
        sent: Option<&str>,
        usernames: &[&str],
    ) -> Result<(), ServiceError> {
        match (&self.secret, sent) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(errors::invalid_parameter(format!(
                "App client {} is not configured for secret but secret hash was received",
                self.id
            ))),
            (Some(_), None) => Err(errors::not_authorized(format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                self.id
            ))),
            (Some(secret), Some(sent)) => {
                let ok = usernames.iter().any(|name| {
                    let expected = secret_hash(secret, name, &self.id);
                    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sent.as_bytes()).into()
                });
                if ok {
                    Ok(())
                } else {
                    Err(errors::not_authorized(format!(
                        "Unable to verify secret hash for client {}",
                        self.id
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_matches_the_documented_formula() {
        // Independent computation of Base64(HMAC_SHA256(secret, user + client)).
        let hash = secret_hash("secret", "alice", "client");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"aliceclient");
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(hash, expected);
        assert_ne!(hash, secret_hash("secret", "alicf", "client"));
    }

    #[test]
    fn auth_flows_defaults_legacy_and_mixing() {
        let default = AuthFlows::from_request(&[]).unwrap();
        assert!(default.user_srp && default.refresh_token && !default.user_password);
        let legacy = AuthFlows::from_request(&["ADMIN_NO_SRP_AUTH"]).unwrap();
        assert!(legacy.admin_user_password && legacy.user_srp && !legacy.user_password);
        assert!(AuthFlows::from_request(&["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]).is_err());
        let modern = AuthFlows::from_request(&["ALLOW_USER_PASSWORD_AUTH"]).unwrap();
        assert!(modern.user_password && !modern.refresh_token && !modern.user_srp);
    }
}
