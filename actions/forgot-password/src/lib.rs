//! ForgotPassword: start a password reset; Cognito sends the user a code.
//!
//! ForgotPassword is a public call, like SignUp: it is not signed with AWS
//! credentials (Cognito evaluates no IAM policy for it), so an app calls it
//! on behalf of a user who cannot sign in. If the app client has a secret,
//! the request must carry a `SECRET_HASH`. The user then sets a new password
//! with the code: ConfirmForgotPassword (the `confirm-forgot-password`
//! example).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::forgot_password::{
    ForgotPasswordError, ForgotPasswordOutput,
};

// snippet-start:[rust.cognito-idp.ForgotPassword]
/// Sends `username` (or an alias the pool accepts, such as the email
/// address) a code to reset their password with. `code_delivery_details` in
/// the answer says where it went, masked (`a***@e***`).
///
/// Cognito sends the code to a *verified* email address or phone number,
/// chosen by the pool's `AccountRecoverySetting`. The code is valid for one
/// hour (Cognito's quotas page); asking again sends a new one. The current
/// password keeps working until the user sets a new one. Pass
/// `client_secret` when the app client has one: the request then carries the
/// `SECRET_HASH` Cognito requires from such clients.
///
/// Typical failures: `InvalidParameterException` (the user has no verified
/// email address or phone number to send the code to), `UserNotFoundException`,
/// `NotAuthorizedException` (the user is disabled, or still has the
/// temporary password of an invitation: they sign in with it instead),
/// `LimitExceededException` (asked too often: wait, then try again).
///
/// With the app client's `PreventUserExistenceErrors` on, an unknown
/// username does not fail: Cognito answers as if it had sent a code, so that
/// the answer does not tell who has an account.
pub async fn forgot_password(
    client: &Client,
    client_id: &str,
    username: &str,
    client_secret: Option<&str>,
) -> Result<ForgotPasswordOutput, SdkError<ForgotPasswordError>> {
    client
        .forgot_password()
        .client_id(client_id)
        .set_secret_hash(
            client_secret.map(|secret| example_cli::secret_hash(username, client_id, secret)),
        )
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ForgotPassword]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};
    use aws_smithy_mocks::{mock, mock_client};

    fn emailed() -> CodeDeliveryDetailsType {
        CodeDeliveryDetailsType::builder()
            .delivery_medium(DeliveryMediumType::Email)
            .destination("a***@e***")
            .attribute_name("email")
            .build()
    }

    #[tokio::test]
    async fn sends_client_username_and_secret_hash_and_returns_the_delivery() {
        let expected_hash = example_cli::secret_hash("alice", "client123", "topsecret");
        let forgot = mock!(Client::forgot_password)
            .match_requests(move |req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.secret_hash() == Some(expected_hash.as_str())
            })
            .then_output(|| {
                ForgotPasswordOutput::builder()
                    .code_delivery_details(emailed())
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&forgot]);

        let output = forgot_password(&client, "client123", "alice", Some("topsecret"))
            .await
            .expect("code sent");

        let details = output.code_delivery_details().expect("details");
        assert_eq!(details.destination(), Some("a***@e***"));
        assert_eq!(forgot.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_hash_without_a_client_secret() {
        let forgot = mock!(Client::forgot_password)
            .match_requests(|req| req.secret_hash().is_none() && req.username() == Some("bob"))
            .then_output(|| ForgotPasswordOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&forgot]);

        forgot_password(&client, "client123", "bob", None)
            .await
            .expect("code sent");

        assert_eq!(forgot.num_calls(), 1);
    }
}
