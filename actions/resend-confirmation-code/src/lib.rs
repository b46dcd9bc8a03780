//! ResendConfirmationCode: send a new sign-up confirmation code.
//!
//! A public call, like SignUp: it is not signed with AWS credentials. If the
//! app client has a secret, the request must carry a `SECRET_HASH`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::resend_confirmation_code::{
    ResendConfirmationCodeError, ResendConfirmationCodeOutput,
};

// snippet-start:[rust.cognito-idp.ResendConfirmationCode]
/// Sends `username` a new confirmation code for ConfirmSignUp, to the same
/// place as the first one. The new code replaces the old one: only the latest
/// code confirms the user.
///
/// `code_delivery_details` in the answer says where the code went (medium
/// and a masked destination such as `a***@e***`). Pass `client_secret` when
/// the app client has one: the request then carries the `SECRET_HASH`.
///
/// Typical failures: `UserNotFoundException`, `InvalidParameterException`
/// (the user is already confirmed), `LimitExceededException` (too many codes
/// asked for in a short time).
pub async fn resend_confirmation_code(
    client: &Client,
    client_id: &str,
    username: &str,
    client_secret: Option<&str>,
) -> Result<ResendConfirmationCodeOutput, SdkError<ResendConfirmationCodeError>> {
    client
        .resend_confirmation_code()
        .client_id(client_id)
        .set_secret_hash(
            client_secret.map(|secret| example_cli::secret_hash(username, client_id, secret)),
        )
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ResendConfirmationCode]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_client_username_and_secret_hash_and_returns_the_destination() {
        let expected_hash = example_cli::secret_hash("alice", "client123", "topsecret");
        let resend = mock!(Client::resend_confirmation_code)
            .match_requests(move |req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.secret_hash() == Some(expected_hash.as_str())
            })
            .then_output(|| {
                ResendConfirmationCodeOutput::builder()
                    .code_delivery_details(
                        CodeDeliveryDetailsType::builder()
                            .delivery_medium(DeliveryMediumType::Email)
                            .destination("a***@e***")
                            .attribute_name("email")
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&resend]);

        let output = resend_confirmation_code(&client, "client123", "alice", Some("topsecret"))
            .await
            .expect("resent");

        let details = output.code_delivery_details().expect("details");
        assert_eq!(details.destination(), Some("a***@e***"));
        assert_eq!(resend.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_hash_without_a_client_secret() {
        let resend = mock!(Client::resend_confirmation_code)
            .match_requests(|req| req.secret_hash().is_none() && req.username() == Some("bob"))
            .then_output(|| ResendConfirmationCodeOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&resend]);

        resend_confirmation_code(&client, "client123", "bob", None)
            .await
            .expect("resent");

        assert_eq!(resend.num_calls(), 1);
    }
}
