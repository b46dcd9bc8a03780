//! AdminConfirmSignUp: confirm a signed-up user as an administrator, without
//! the code Cognito emailed them.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminConfirmSignUp` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_confirm_sign_up::{
    AdminConfirmSignUpError, AdminConfirmSignUpOutput,
};

// snippet-start:[rust.cognito-idp.AdminConfirmSignUp]
/// Confirms an `UNCONFIRMED` user of the pool, as ConfirmSignUp would with
/// the right code. It does not verify the user's email address: that stays
/// unverified unless something else verified it.
///
/// Typical failures: `UserNotFoundException`, `NotAuthorizedException` (the
/// user is not `UNCONFIRMED`, for example already confirmed).
pub async fn admin_confirm_sign_up(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminConfirmSignUpOutput, SdkError<AdminConfirmSignUpError>> {
    client
        .admin_confirm_sign_up()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminConfirmSignUp]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_pool_and_username() {
        let confirm = mock!(Client::admin_confirm_sign_up)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminConfirmSignUpOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        admin_confirm_sign_up(&client, "us-east-1_pool", "alice")
            .await
            .expect("confirmed");

        assert_eq!(confirm.num_calls(), 1);
    }
}
