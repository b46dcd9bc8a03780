//! The OAuth 2.0 settings of an app client (the members of
//! CreateUserPoolClient and UpdateUserPoolClient that the domain's
//! endpoints read), validated as Cognito validates them.
//!
//! Messages quoted from AWS's answers: "AllowedOAuthFlows and
//! AllowedOAuthScopes are required if user pool client is allowed to use
//! OAuth flows." (InvalidParameterException) and "CallbackUrls can not be
//! empty when code flow or implicit flow is selected"
//! (InvalidOAuthFlowException), both quoted in the Terraform AWS provider's
//! acceptance tests of managed user pool clients; "client_credentials flow
//! can not be selected if client does not have a client secret."
//! (InvalidOAuthFlowException) quoted in Terraform configurations of
//! wellcomecollection and others. The other messages are the emulator's.

use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::cognito::input::Input;

/// The scopes every pool knows (developer guide, "Scopes, M2M, and
/// resource servers": the standard OIDC scopes and the reserved API scope).
pub(crate) const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// A client's OAuth settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct OAuthSettings {
    /// `AllowedOAuthFlowsUserPoolClient`.
    pub enabled: bool,
    pub code: bool,
    pub implicit: bool,
    pub client_credentials: bool,
    pub scopes: Vec<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    /// `SupportedIdentityProviders`.
    pub providers: Vec<String>,
}

/// Whether a callback or sign-out URL is one Cognito accepts: an absolute
/// URL without a fragment, HTTPS unless it is `http://localhost` ("Amazon
/// Cognito requires HTTPS over HTTP except for http://localhost for testing
/// purposes only", API reference, `CallbackURLs`); app schemes
/// (`myapp://callback`) are allowed.
pub(crate) fn acceptable_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if url.contains('#') || rest.is_empty() || scheme.is_empty() {
        return false;
    }
    match scheme {
        "https" => true,
        "http" => {
            let host = rest.split(['/', '?']).next().unwrap_or_default();
            let host = host.rsplit_once(':').map_or(host, |(h, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    host
                }
            });
            host == "localhost"
        }
        _ => scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
    }
}

impl OAuthSettings {
    /// From a request; `has_secret` is whether the client has a secret,
    /// `known_scope` whether a scope is one of the pool's resource servers'.
    pub fn from_request(
        input: &Input<'_>,
        has_secret: bool,
        known_scope: &dyn Fn(&str) -> bool,
        pool_id: &str,
    ) -> Result<Self, ServiceError> {
        let strings = |member: &str| -> Vec<String> {
            input
                .strings(member)
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        let flows = strings("AllowedOAuthFlows");
        let settings = OAuthSettings {
            enabled: input
                .bool("AllowedOAuthFlowsUserPoolClient")
                .unwrap_or(false),
            code: flows.iter().any(|f| f == "code"),
            implicit: flows.iter().any(|f| f == "implicit"),
            client_credentials: flows.iter().any(|f| f == "client_credentials"),
            scopes: strings("AllowedOAuthScopes"),
            callback_urls: strings("CallbackURLs"),
            logout_urls: strings("LogoutURLs"),
            providers: strings("SupportedIdentityProviders"),
        };
        for scope in &settings.scopes {
            if !STANDARD_SCOPES.contains(&scope.as_str()) && !known_scope(scope) {
                return Err(errors::scope_does_not_exist(scope));
            }
        }
        for provider in &settings.providers {
            // Only the pool's own directory exists here (no federation).
            if provider != "COGNITO" {
                return Err(errors::invalid_parameter(format!(
                    "The provider {provider} does not exist for User Pool {pool_id}"
                )));
            }
        }
        for url in settings.callback_urls.iter().chain(&settings.logout_urls) {
            if !acceptable_url(url) {
                return Err(errors::invalid_parameter(format!(
                    "Invalid URL {url}: a callback or sign-out URL must be HTTPS (http only for localhost) and have no fragment"
                )));
            }
        }
        if let Some(default) = input.str("DefaultRedirectURI") {
            if !acceptable_url(default) || !settings.callback_urls.iter().any(|u| u == default) {
                return Err(errors::invalid_parameter(
                    "DefaultRedirectURI must be one of the CallbackURLs",
                ));
            }
        }
        if settings.enabled && (flows.is_empty() || settings.scopes.is_empty()) {
            return Err(errors::invalid_parameter(
                "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
            ));
        }
        if settings.client_credentials {
            if !has_secret {
                return Err(errors::invalid_oauth_flow(
                    "client_credentials flow can not be selected if client does not have a client secret.",
                ));
            }
            if settings.code || settings.implicit {
                return Err(errors::invalid_oauth_flow(
                    "client_credentials flow can not be selected together with code or implicit flow.",
                ));
            }
        }
        if (settings.code || settings.implicit) && settings.callback_urls.is_empty() {
            return Err(errors::invalid_oauth_flow(
                "CallbackUrls can not be empty when code flow or implicit flow is selected",
            ));
        }
        Ok(settings)
    }

    /// Whether the domain's endpoints serve this client in the flow.
    pub fn allows(&self, flow: &str) -> bool {
        self.enabled
            && match flow {
                "code" => self.code,
                "implicit" => self.implicit,
                "client_credentials" => self.client_credentials,
                _ => false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    fn settings(request: Value, secret: bool) -> Result<OAuthSettings, ServiceError> {
        let map: Map<String, Value> = request.as_object().cloned().unwrap();
        OAuthSettings::from_request(
            &Input::new(&map),
            secret,
            &|s| s == "api/read",
            "us-east-1_X",
        )
    }

    #[test]
    fn urls_must_be_https_except_localhost_and_have_no_fragment() {
        assert!(acceptable_url("https://example.com/callback"));
        assert!(acceptable_url("http://localhost:8080/callback"));
        assert!(acceptable_url("http://localhost/cb?x=1"));
        assert!(acceptable_url("myapp://callback"));
        assert!(!acceptable_url("http://example.com/callback"));
        assert!(!acceptable_url("http://localhost.example.com/"));
        assert!(!acceptable_url("https://example.com/#fragment"));
        assert!(!acceptable_url("example.com"));
    }

    #[test]
    fn flows_and_scopes_are_checked() {
        let ok = settings(
            json!({"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                   "AllowedOAuthScopes": ["openid", "api/read"], "CallbackURLs": ["https://app/cb"]}),
            false,
        )
        .unwrap();
        assert!(ok.allows("code") && !ok.allows("implicit"));
        let err = |request: Value, secret: bool| settings(request, secret).unwrap_err().code;
        assert_eq!(
            err(json!({"AllowedOAuthFlowsUserPoolClient": true}), false),
            "InvalidParameterException"
        );
        assert_eq!(
            err(
                json!({"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["client_credentials"],
                       "AllowedOAuthScopes": ["api/read"]}),
                false
            ),
            "InvalidOAuthFlowException"
        );
        assert_eq!(
            err(
                json!({"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                       "AllowedOAuthScopes": ["openid"]}),
                false
            ),
            "InvalidOAuthFlowException"
        );
        assert_eq!(
            err(json!({"AllowedOAuthScopes": ["api/write"]}), false),
            "ScopeDoesNotExistException"
        );
        assert_eq!(
            err(json!({"CallbackURLs": ["http://example.com"]}), false),
            "InvalidParameterException"
        );
    }
}
