//! GlobalSignOut: sign a user out of every device by revoking their tokens.
//!
//! The call is authorized by the user's access token, not by AWS
//! credentials. An administrator does the same for any user with
//! AdminUserGlobalSignOut.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::global_sign_out::{
    GlobalSignOutError, GlobalSignOutOutput,
};

// snippet-start:[rust.cognito-idp.GlobalSignOut]
/// Signs the user that `access_token` belongs to out of every session:
/// Cognito revokes their refresh tokens, so no new tokens can be had without
/// signing in again, and refuses their access tokens from then on.
///
/// What a caller must know: tokens are revoked at Cognito, but a JWT is
/// still a signed, unexpired token to anyone who only checks its signature
/// and expiry locally; such a service keeps accepting ID and access tokens
/// until they expire. An already revoked or expired access token fails with
/// `NotAuthorizedException`.
pub async fn global_sign_out(
    client: &Client,
    access_token: &str,
) -> Result<GlobalSignOutOutput, SdkError<GlobalSignOutError>> {
    client
        .global_sign_out()
        .access_token(access_token)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.GlobalSignOut]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_the_access_token() {
        let sign_out = mock!(Client::global_sign_out)
            .match_requests(|req| req.access_token() == Some("eyJ.access.token"))
            .then_output(|| GlobalSignOutOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&sign_out]);

        global_sign_out(&client, "eyJ.access.token")
            .await
            .expect("signed out");

        assert_eq!(sign_out.num_calls(), 1);
    }
}
