//! AdminResetUserPassword: make a user reset their password, as an
//! administrator.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminResetUserPassword` permission on the pool.
//! It is the administrator's ForgotPassword; to choose the password
//! yourself, use AdminSetUserPassword instead.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_reset_user_password::{
    AdminResetUserPasswordError, AdminResetUserPasswordOutput,
};

// snippet-start:[rust.cognito-idp.AdminResetUserPassword]
/// Puts `username` in the `RESET_REQUIRED` status: their password stops
/// working at once, and signing in fails with
/// `PasswordResetRequiredException` until they set a new one with
/// ConfirmForgotPassword and the code Cognito sends them.
///
/// Cognito sends that code to the user's verified email address or phone
/// number, as the pool's `AccountRecoverySetting` says; the pool must have
/// self-service account recovery set up. The code is valid for one hour;
/// after that the user asks for a new one with ForgotPassword.
///
/// Typical failures: `UserNotFoundException`, `InvalidParameterException`
/// (for example, no verified email address or phone number to send the code
/// to), `LimitExceededException` (asked too often: wait).
pub async fn admin_reset_user_password(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminResetUserPasswordOutput, SdkError<AdminResetUserPasswordError>> {
    client
        .admin_reset_user_password()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminResetUserPassword]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_pool_and_username() {
        let reset = mock!(Client::admin_reset_user_password)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminResetUserPasswordOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&reset]);

        admin_reset_user_password(&client, "us-east-1_pool", "alice")
            .await
            .expect("reset");

        assert_eq!(reset.num_calls(), 1);
    }
}
