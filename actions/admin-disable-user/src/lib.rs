//! AdminDisableUser: stop a user from signing in, as an administrator.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminDisableUser` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_disable_user::{
    AdminDisableUserError, AdminDisableUserOutput,
};

// snippet-start:[rust.cognito-idp.AdminDisableUser]
/// Disables `username`: Cognito revokes the user's tokens, and signing in or
/// refreshing tokens fails with `NotAuthorizedException` ("User is
/// disabled.") until AdminEnableUser.
///
/// The user is kept, with their attributes and password, and still appears
/// in ListUsers and AdminGetUser (with `Enabled: false`). Like any revoked
/// token, an access or ID token is still a validly signed JWT to a service
/// that only checks signature and expiry locally, until it expires.
///
/// Typical failure: `UserNotFoundException`.
pub async fn admin_disable_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminDisableUserOutput, SdkError<AdminDisableUserError>> {
    client
        .admin_disable_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminDisableUser]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_pool_and_username() {
        let disable = mock!(Client::admin_disable_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminDisableUserOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&disable]);

        admin_disable_user(&client, "us-east-1_pool", "alice")
            .await
            .expect("disabled");

        assert_eq!(disable.num_calls(), 1);
    }
}
