//! ConfirmSignUp: confirm a new user with the code Cognito sent them.
//!
//! ConfirmSignUp is a public call, like SignUp: it is not signed with AWS
//! credentials. If the app client has a secret, the request must carry a
//! `SECRET_HASH`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::{
    ConfirmSignUpError, ConfirmSignUpOutput,
};

// snippet-start:[rust.cognito-idp.ConfirmSignUp]
/// Confirms `username` with the confirmation `code` from SignUp (or the
/// latest one from ResendConfirmationCode: each resend replaces the previous
/// code). On success the user is `CONFIRMED` and can sign in.
///
/// Pass `client_secret` when the app client has one: the request then
/// carries the `SECRET_HASH` Cognito requires from such clients.
///
/// Typical failures: `CodeMismatchException` (wrong code),
/// `ExpiredCodeException` (the code is too old or was replaced: ask for a new
/// one), `NotAuthorizedException` (the user is already confirmed),
/// `UserNotFoundException`.
pub async fn confirm_sign_up(
    client: &Client,
    client_id: &str,
    username: &str,
    code: &str,
    client_secret: Option<&str>,
) -> Result<ConfirmSignUpOutput, SdkError<ConfirmSignUpError>> {
    client
        .confirm_sign_up()
        .client_id(client_id)
        .set_secret_hash(
            client_secret.map(|secret| example_cli::secret_hash(username, client_id, secret)),
        )
        .username(username)
        .confirmation_code(code)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ConfirmSignUp]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_client_username_code_and_secret_hash() {
        let expected_hash = example_cli::secret_hash("alice", "client123", "topsecret");
        let confirm = mock!(Client::confirm_sign_up)
            .match_requests(move |req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.confirmation_code() == Some("123456")
                    && req.secret_hash() == Some(expected_hash.as_str())
            })
            .then_output(|| ConfirmSignUpOutput::builder().session("next-step").build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        let output = confirm_sign_up(&client, "client123", "alice", "123456", Some("topsecret"))
            .await
            .expect("confirmed");

        assert_eq!(output.session(), Some("next-step"));
        assert_eq!(confirm.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_hash_without_a_client_secret() {
        let confirm = mock!(Client::confirm_sign_up)
            .match_requests(|req| req.secret_hash().is_none() && req.username() == Some("bob"))
            .then_output(|| ConfirmSignUpOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        confirm_sign_up(&client, "client123", "bob", "654321", None)
            .await
            .expect("confirmed");

        assert_eq!(confirm.num_calls(), 1);
    }
}
