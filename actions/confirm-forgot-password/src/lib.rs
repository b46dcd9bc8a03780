//! ConfirmForgotPassword: set a new password with the code that
//! ForgotPassword (or an administrator's AdminResetUserPassword) sent.
//!
//! ConfirmForgotPassword is a public call: it is not signed with AWS
//! credentials (Cognito evaluates no IAM policy for it); the code is what
//! proves the request comes from the user. If the app client has a secret,
//! the request must carry a `SECRET_HASH`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::{
    ConfirmForgotPasswordError, ConfirmForgotPasswordOutput,
};

// snippet-start:[rust.cognito-idp.ConfirmForgotPassword]
/// The user resetting their password, the code they were sent, and the app
/// client they use.
#[derive(Debug, Clone, Copy)]
pub struct PasswordReset<'a> {
    pub client_id: &'a str,
    /// The app client's secret, if it has one.
    pub client_secret: Option<&'a str>,
    pub username: &'a str,
    /// The code from the latest ForgotPassword or AdminResetUserPassword.
    pub code: &'a str,
    pub new_password: &'a str,
}

/// Sets `reset.new_password` as the user's password, proved by the code
/// Cognito sent them. On success the user is `CONFIRMED` (also when an
/// administrator had put them in `RESET_REQUIRED`) and signs in with the new
/// password from then on.
///
/// The code is valid for one hour and works once; if the user asked for
/// codes more than once, use the latest. The new password must meet the
/// pool's password policy.
///
/// Typical failures: `CodeMismatchException` (wrong code: the user may try
/// again, a few times), `ExpiredCodeException` (the code is too old or was
/// replaced: ask for a new one), `InvalidPasswordException` (the new
/// password breaks the policy; the message names the rule),
/// `LimitExceededException` / `TooManyFailedAttemptsException` (too many
/// tries: wait), `UserNotFoundException`.
pub async fn confirm_forgot_password(
    client: &Client,
    reset: &PasswordReset<'_>,
) -> Result<ConfirmForgotPasswordOutput, SdkError<ConfirmForgotPasswordError>> {
    client
        .confirm_forgot_password()
        .client_id(reset.client_id)
        .set_secret_hash(
            reset
                .client_secret
                .map(|secret| example_cli::secret_hash(reset.username, reset.client_id, secret)),
        )
        .username(reset.username)
        .confirmation_code(reset.code)
        .password(reset.new_password)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ConfirmForgotPassword]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::ExpiredCodeException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn reset<'a>(code: &'a str, client_secret: Option<&'a str>) -> PasswordReset<'a> {
        PasswordReset {
            client_id: "client123",
            client_secret,
            username: "alice",
            code,
            new_password: "New-Passw0rd!",
        }
    }

    #[tokio::test]
    async fn sends_every_input_and_the_secret_hash() {
        let expected_hash = example_cli::secret_hash("alice", "client123", "topsecret");
        let confirm = mock!(Client::confirm_forgot_password)
            .match_requests(move |req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.confirmation_code() == Some("123456")
                    && req.password() == Some("New-Passw0rd!")
                    && req.secret_hash() == Some(expected_hash.as_str())
            })
            .then_output(|| ConfirmForgotPasswordOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        confirm_forgot_password(&client, &reset("123456", Some("topsecret")))
            .await
            .expect("password reset");

        assert_eq!(confirm.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_hash_without_a_client_secret() {
        let confirm = mock!(Client::confirm_forgot_password)
            .match_requests(|req| req.secret_hash().is_none())
            .then_output(|| ConfirmForgotPasswordOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        confirm_forgot_password(&client, &reset("123456", None))
            .await
            .expect("password reset");

        assert_eq!(confirm.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_expired_code_comes_back_as_its_typed_error() {
        let expired = mock!(Client::confirm_forgot_password).then_error(|| {
            ConfirmForgotPasswordError::ExpiredCodeException(
                ExpiredCodeException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ExpiredCodeException")
                            .message("Invalid code provided, please request a code again.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&expired]);

        let err = confirm_forgot_password(&client, &reset("123456", None))
            .await
            .unwrap_err();

        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_expired_code_exception()),
            "{err:?}"
        );
    }
}
