//! ChangePassword: the signed-in user changes their own password.
//!
//! The call is authorized by the user's access token, not by AWS
//! credentials (Cognito evaluates no IAM policy for it). The token must
//! carry the `aws.cognito.signin.user.admin` scope: tokens from the sign-in
//! API calls always do; tokens from the hosted sign-in pages (OAuth) do only
//! when the app client asked for that scope. Administrators set any user's
//! password with AdminSetUserPassword instead.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::change_password::{
    ChangePasswordError, ChangePasswordOutput,
};

// snippet-start:[rust.cognito-idp.ChangePassword]
/// Changes the password of the user `access_token` belongs to from
/// `previous_password` to `proposed_password`, which must meet the pool's
/// password policy.
///
/// The user's other sessions stay signed in: changing the password revokes
/// no tokens. To end them too, call GlobalSignOut after the change.
///
/// Typical failures: `NotAuthorizedException` (the previous password is
/// wrong: "Incorrect username or password."; or the access token is expired
/// or revoked), `InvalidPasswordException` (the new password breaks the
/// policy; the message names the rule), `PasswordHistoryPolicyViolationException`
/// (the pool forbids reusing recent passwords), `LimitExceededException`
/// (too many wrong previous passwords: wait, then try again).
pub async fn change_password(
    client: &Client,
    access_token: &str,
    previous_password: &str,
    proposed_password: &str,
) -> Result<ChangePasswordOutput, SdkError<ChangePasswordError>> {
    client
        .change_password()
        .access_token(access_token)
        .previous_password(previous_password)
        .proposed_password(proposed_password)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ChangePassword]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_the_token_and_both_passwords() {
        let change = mock!(Client::change_password)
            .match_requests(|req| {
                req.access_token() == Some("eyJ.access.token")
                    && req.previous_password() == Some("Old-Passw0rd!")
                    && req.proposed_password() == Some("New-Passw0rd!")
            })
            .then_output(|| ChangePasswordOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&change]);

        change_password(
            &client,
            "eyJ.access.token",
            "Old-Passw0rd!",
            "New-Passw0rd!",
        )
        .await
        .expect("changed");

        assert_eq!(change.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_wrong_previous_password_comes_back_as_not_authorized() {
        let wrong = mock!(Client::change_password).then_error(|| {
            ChangePasswordError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("Incorrect username or password.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&wrong]);

        let err = change_password(&client, "eyJ.access.token", "Wrong-1", "New-Passw0rd!")
            .await
            .unwrap_err();

        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_not_authorized_exception()),
            "{err:?}"
        );
    }
}
