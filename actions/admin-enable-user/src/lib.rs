//! AdminEnableUser: let a disabled user sign in again, as an administrator.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminEnableUser` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_enable_user::{
    AdminEnableUserError, AdminEnableUserOutput,
};

// snippet-start:[rust.cognito-idp.AdminEnableUser]
/// Enables `username` again after AdminDisableUser: they sign in with their
/// password as before. The tokens revoked when they were disabled stay
/// revoked: the user signs in anew to get fresh ones.
///
/// Enabling a user who is already enabled changes nothing.
///
/// Typical failure: `UserNotFoundException`.
pub async fn admin_enable_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminEnableUserOutput, SdkError<AdminEnableUserError>> {
    client
        .admin_enable_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminEnableUser]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_pool_and_username() {
        let enable = mock!(Client::admin_enable_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminEnableUserOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&enable]);

        admin_enable_user(&client, "us-east-1_pool", "alice")
            .await
            .expect("enabled");

        assert_eq!(enable.num_calls(), 1);
    }
}
