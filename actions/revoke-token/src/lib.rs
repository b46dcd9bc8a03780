//! RevokeToken: end one sign-in session by revoking its refresh token.
//!
//! A public call, like InitiateAuth: it is not signed with AWS credentials,
//! and no IAM permission is involved. The app client must have token
//! revocation on (`EnableTokenRevocation`, the default for app clients
//! created since 2021).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::revoke_token::{
    RevokeTokenError, RevokeTokenOutput,
};

// snippet-start:[rust.cognito-idp.RevokeToken]
/// Revokes `refresh_token`, which app client `client_id` was given at sign-in.
///
/// Afterwards the refresh token gets no new tokens (REFRESH_TOKEN_AUTH fails
/// with `NotAuthorizedException`), and the access and ID tokens issued with
/// it are refused by Cognito's own calls (GetUser, ...). Other sign-ins of
/// the same user are not affected: GlobalSignOut ends them all.
///
/// What a caller must know:
/// - Only a refresh token can be revoked; the access and ID tokens go with it.
/// - An app client with a secret sends the **secret itself** here
///   (`ClientSecret`), not the `SECRET_HASH` other calls take.
/// - A JWT is still a signed, unexpired token to anyone who only checks its
///   signature and expiry locally: such a service keeps accepting the
///   revoked access and ID tokens until they expire.
///
/// Typical failures: `UnsupportedOperationException` (the app client does not
/// have token revocation on), `UnsupportedTokenTypeException` (an access or
/// ID token instead of a refresh token), `UnauthorizedException` (the client
/// secret is missing or wrong, or the token belongs to another app client),
/// `InvalidParameterException`.
pub async fn revoke_token(
    client: &Client,
    client_id: &str,
    refresh_token: &str,
    client_secret: Option<&str>,
) -> Result<RevokeTokenOutput, SdkError<RevokeTokenError>> {
    client
        .revoke_token()
        .client_id(client_id)
        .token(refresh_token)
        .set_client_secret(client_secret.map(String::from))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.RevokeToken]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::UnsupportedOperationException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_the_token_the_client_and_the_secret_itself() {
        let revoke = mock!(Client::revoke_token)
            .match_requests(|req| {
                req.client_id() == Some("client123")
                    && req.token() == Some("refresh-token-value")
                    && req.client_secret() == Some("topsecret")
            })
            .then_output(|| RevokeTokenOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&revoke]);

        revoke_token(
            &client,
            "client123",
            "refresh-token-value",
            Some("topsecret"),
        )
        .await
        .expect("revoked");

        assert_eq!(revoke.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_without_one() {
        let revoke = mock!(Client::revoke_token)
            .match_requests(|req| req.client_secret().is_none())
            .then_output(|| RevokeTokenOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&revoke]);

        revoke_token(&client, "client123", "refresh-token-value", None)
            .await
            .expect("revoked");

        assert_eq!(revoke.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_client_without_revocation_refuses() {
        let revoke = mock!(Client::revoke_token).then_error(|| {
            RevokeTokenError::UnsupportedOperationException(
                UnsupportedOperationException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("UnsupportedOperationException")
                            .message("Token revocation is not enabled for this client.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&revoke]);

        let err = revoke_token(&client, "client123", "r", None)
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(err.code(), Some("UnsupportedOperationException"));
    }
}
