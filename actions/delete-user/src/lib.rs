//! DeleteUser: a signed-in user deletes their own account.
//!
//! The call is authorized by the user's access token, not by AWS
//! credentials: it is what an app calls for "delete my account". An
//! administrator deletes other users with AdminDeleteUser instead.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::delete_user::{DeleteUserError, DeleteUserOutput};

// snippet-start:[rust.cognito-idp.DeleteUser]
/// Deletes the user that `access_token` belongs to. The deletion is final:
/// the username becomes free again and every token the user had stops
/// working with Cognito.
///
/// The access token must be current: an expired or revoked token (after
/// GlobalSignOut, say) fails with `NotAuthorizedException`.
pub async fn delete_user(
    client: &Client,
    access_token: &str,
) -> Result<DeleteUserOutput, SdkError<DeleteUserError>> {
    client.delete_user().access_token(access_token).send().await
}
// snippet-end:[rust.cognito-idp.DeleteUser]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_the_access_token() {
        let delete = mock!(Client::delete_user)
            .match_requests(|req| req.access_token() == Some("eyJ.access.token"))
            .then_output(|| DeleteUserOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&delete]);

        delete_user(&client, "eyJ.access.token")
            .await
            .expect("deleted");

        assert_eq!(delete.num_calls(), 1);
    }
}
