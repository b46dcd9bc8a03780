//! Where a user pool's OAuth 2.0 endpoints are: the pool is an OpenID
//! Connect issuer, and its discovery document names the domain's endpoints.

use example_cli::ExampleError;
use serde::Deserialize;

use crate::http::{HttpClient, body_text};

/// The issuer of a user pool's tokens: `https://cognito-idp.{region}.amazonaws.com/{poolId}`
/// on AWS, and `{AWS_ENDPOINT_URL}/{poolId}` when the examples talk to
/// another endpoint (the bundled emulator).
pub fn issuer_url(user_pool_id: &str, region: &str, endpoint_url: Option<&str>) -> String {
    match endpoint_url {
        Some(endpoint) => format!("{}/{user_pool_id}", endpoint.trim_end_matches('/')),
        None => format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
    }
}

/// The part of `{issuer}/.well-known/openid-configuration` the examples use.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
}

/// Every endpoint the sign-in uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub issuer: String,
    pub authorize: String,
    pub token: String,
    pub user_info: String,
    pub jwks: String,
    pub revoke: String,
    pub logout: String,
}

impl Endpoints {
    /// The discovery document names the authorization, token and userInfo
    /// endpoints and the keys. `/oauth2/revoke` and `/logout` are not in
    /// Cognito's document; the developer guide puts them on the same domain
    /// as `/oauth2/authorize`.
    pub fn from_metadata(metadata: ProviderMetadata) -> Result<Self, ExampleError> {
        let domain = metadata
            .authorization_endpoint
            .strip_suffix("/oauth2/authorize")
            .ok_or_else(|| {
                ExampleError::new(format!(
                    "The discovery document's authorization_endpoint {} is not a user pool domain's /oauth2/authorize: does the user pool have a domain?",
                    metadata.authorization_endpoint
                ))
            })?
            .to_string();
        Ok(Self {
            revoke: metadata
                .revocation_endpoint
                .unwrap_or_else(|| format!("{domain}/oauth2/revoke")),
            logout: format!("{domain}/logout"),
            issuer: metadata.issuer,
            authorize: metadata.authorization_endpoint,
            token: metadata.token_endpoint,
            user_info: metadata.userinfo_endpoint,
            jwks: metadata.jwks_uri,
        })
    }
}

// snippet-start:[rust.cognito-idp.oauth.discovery]
/// Reads the issuer's OpenID Connect discovery document. The issuer in the
/// document must be the one asked for (OpenID Connect Discovery 1.0,
/// section 4.3): tokens are later checked against it.
pub async fn discover(http: &HttpClient, issuer: &str) -> Result<Endpoints, ExampleError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let response = http.get(&url, None).await?;
    if !response.status().is_success() {
        return Err(ExampleError::new(format!(
            "{url} answered {}: is the user pool id right, and does the pool have a domain?",
            response.status()
        )));
    }
    let metadata: ProviderMetadata = serde_json::from_slice(response.body()).map_err(|err| {
        ExampleError::new(format!(
            "{url} is not an OpenID Connect discovery document ({err}): {}",
            body_text(&response).chars().take(200).collect::<String>()
        ))
    })?;
    if metadata.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(ExampleError::new(format!(
            "The discovery document at {url} names the issuer {}, not {issuer}.",
            metadata.issuer
        )));
    }
    Endpoints::from_metadata(metadata)
}
// snippet-end:[rust.cognito-idp.oauth.discovery]

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_cognito_idp_on_aws_and_the_endpoint_offline() {
        assert_eq!(
            issuer_url("eu-west-1_AbC", "eu-west-1", None),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
        );
        assert_eq!(
            issuer_url("eu-west-1_AbC", "eu-west-1", Some("http://127.0.0.1:4566/")),
            "http://127.0.0.1:4566/eu-west-1_AbC"
        );
    }

    fn metadata(authorize: &str) -> ProviderMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
            "authorization_endpoint": authorize,
            "token_endpoint": "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/token",
            "userinfo_endpoint": "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/userInfo",
            "jwks_uri": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
            "response_types_supported": ["code", "token"],
        }))
        .unwrap()
    }

    #[test]
    fn revoke_and_logout_live_beside_the_authorization_endpoint() {
        let endpoints = Endpoints::from_metadata(metadata(
            "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
        ))
        .unwrap();
        assert_eq!(
            endpoints.revoke,
            "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/revoke"
        );
        assert_eq!(
            endpoints.logout,
            "https://demo.auth.eu-west-1.amazoncognito.com/logout"
        );
        assert_eq!(
            endpoints.token,
            "https://demo.auth.eu-west-1.amazoncognito.com/oauth2/token"
        );
    }

    #[test]
    fn an_authorization_endpoint_of_another_shape_is_refused() {
        let err = Endpoints::from_metadata(metadata("https://example.com/authorize")).unwrap_err();
        assert!(err.to_string().contains("/oauth2/authorize"), "{err}");
    }
}
