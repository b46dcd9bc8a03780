//! InitiateAuth with `REFRESH_TOKEN_AUTH`: get new ID and access tokens
//! from a refresh token, without the user's password.
//!
//! A user call, not an administrator one: no AWS credentials are needed.
//! The app client must allow the flow (`ALLOW_REFRESH_TOKEN_AUTH`).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

// snippet-start:[rust.cognito-idp.InitiateAuth.RefreshToken]
/// An app client's secret, and the name Cognito stores for the user, which
/// the `SECRET_HASH` of a refresh is computed over.
#[derive(Debug, Clone, Copy)]
pub struct ClientSecret<'a> {
    pub secret: &'a str,
    /// The user's username **as Cognito stores it**: the `username` claim of
    /// the access token, `cognito:username` of the ID token, or `Username`
    /// in AdminGetUser and ListUsers. In a pool where users sign in with
    /// their email (or phone number) as the username (`UsernameAttributes`),
    /// that is the user's `sub`, not the email they typed.
    pub stored_username: &'a str,
}

/// Trades `refresh_token` for new ID and access tokens.
///
/// What a caller must know:
/// - The answer has no new refresh token (unless the app client rotates
///   them): keep using the one you have until it expires (30 days by
///   default) or is revoked.
/// - With a client secret, `SECRET_HASH` is required, and the API reference
///   computes it over the username Cognito stores, not over what the user
///   typed at sign-in: in a pool with email as the username, the email's
///   hash is refused and the `sub`'s is accepted. Hence `stored_username`.
/// - The new tokens carry the user's current groups and attributes.
///
/// Typical failures, all `NotAuthorizedException`: the refresh token was
/// revoked (RevokeToken, GlobalSignOut), has expired, belongs to another app
/// client, or the user is disabled; a wrong `SECRET_HASH` ("Unable to verify
/// secret hash for client ...").
pub async fn refresh_tokens(
    client: &Client,
    client_id: &str,
    refresh_token: &str,
    client_secret: Option<ClientSecret<'_>>,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let mut request = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token);
    if let Some(ClientSecret {
        secret,
        stored_username,
    }) = client_secret
    {
        request = request.auth_parameters(
            "SECRET_HASH",
            example_cli::secret_hash(stored_username, client_id, secret),
        );
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.InitiateAuth.RefreshToken]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
    use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    const SUB: &str = "0f1e2d3c-aaaa-bbbb-cccc-0123456789ab";

    #[tokio::test]
    async fn sends_the_refresh_flow_and_the_hash_of_the_stored_username() {
        let expected_hash = example_cli::secret_hash(SUB, "client123", "topsecret");
        let refresh = mock!(Client::initiate_auth)
            .match_requests(move |req| {
                let params = req.auth_parameters().expect("parameters");
                req.client_id() == Some("client123")
                    && req.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth)
                    && params.get("REFRESH_TOKEN").map(String::as_str) == Some("refresh-value")
                    && params.get("SECRET_HASH") == Some(&expected_hash)
                    && !params.contains_key("PASSWORD")
            })
            .then_output(|| {
                InitiateAuthOutput::builder()
                    .authentication_result(
                        AuthenticationResultType::builder()
                            .access_token("eyJnew-access")
                            .id_token("eyJnew-id")
                            .expires_in(3600)
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&refresh]);

        let output = refresh_tokens(
            &client,
            "client123",
            "refresh-value",
            Some(ClientSecret {
                secret: "topsecret",
                stored_username: SUB,
            }),
        )
        .await
        .expect("refreshed");

        let tokens = output.authentication_result().expect("tokens");
        assert_eq!(tokens.access_token(), Some("eyJnew-access"));
        assert_eq!(tokens.refresh_token(), None);
        assert_eq!(refresh.num_calls(), 1);
    }

    #[tokio::test]
    async fn without_a_secret_sends_only_the_refresh_token() {
        let refresh = mock!(Client::initiate_auth)
            .match_requests(|req| {
                req.auth_parameters()
                    .is_some_and(|params| params.len() == 1 && params.contains_key("REFRESH_TOKEN"))
            })
            .then_output(|| InitiateAuthOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&refresh]);

        refresh_tokens(&client, "client123", "refresh-value", None)
            .await
            .expect("refreshed");

        assert_eq!(refresh.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_revoked_token_is_not_authorized() {
        let refresh = mock!(Client::initiate_auth).then_error(|| {
            InitiateAuthError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("Refresh Token has been revoked")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&refresh]);

        let err = refresh_tokens(&client, "client123", "revoked", None)
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "NotAuthorizedException: Refresh Token has been revoked"
        );
    }
}
