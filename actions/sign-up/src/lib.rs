//! SignUp: register a new user in a user pool through an app client.
//!
//! SignUp is a public call: it is not signed with AWS credentials, so an app
//! can call it on behalf of anyone. The app client decides what is allowed;
//! if the client has a secret, every request must carry a `SECRET_HASH`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::sign_up::{SignUpError, SignUpOutput};
use aws_sdk_cognitoidentityprovider::types::AttributeType;

// snippet-start:[rust.cognito-idp.SignUp]
/// Signs up `username` with `password`, giving `email` as the user's `email`
/// attribute.
///
/// Unless a PreSignUp Lambda trigger confirms the user, the new user is
/// `UNCONFIRMED` and Cognito sends a confirmation code to the email address
/// (when the pool auto-verifies email); `code_delivery_details` in the answer
/// says where it went. Pass `client_secret` when the app client has one: the
/// request then carries the `SECRET_HASH` Cognito requires from such clients.
///
/// Typical failures: `UsernameExistsException` (the name is taken),
/// `InvalidPasswordException` (the password breaks the pool's policy; the
/// message names the rule), `InvalidParameterException` (for example, an
/// email address the pool will not accept).
pub async fn sign_up(
    client: &Client,
    client_id: &str,
    username: &str,
    password: &str,
    email: &str,
    client_secret: Option<&str>,
) -> Result<SignUpOutput, SdkError<SignUpError>> {
    let email = AttributeType::builder()
        .name("email")
        .value(email)
        .build()
        .expect("an attribute with a name is complete");
    client
        .sign_up()
        .client_id(client_id)
        .set_secret_hash(
            client_secret.map(|secret| example_cli::secret_hash(username, client_id, secret)),
        )
        .username(username)
        .password(password)
        .user_attributes(email)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.SignUp]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};
    use aws_smithy_mocks::{mock, mock_client};

    fn email_of(attributes: &[AttributeType]) -> Option<&str> {
        attributes
            .iter()
            .find(|attribute| attribute.name() == "email")
            .and_then(|attribute| attribute.value())
    }

    #[tokio::test]
    async fn sends_every_input_and_returns_the_delivery_details() {
        let expected_hash = example_cli::secret_hash("alice", "client123", "topsecret");
        let sign_up_rule = mock!(Client::sign_up)
            .match_requests(move |req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.password() == Some("Passw0rd!")
                    && email_of(req.user_attributes()) == Some("alice@example.com")
                    && req.secret_hash() == Some(expected_hash.as_str())
            })
            .then_output(|| {
                SignUpOutput::builder()
                    .user_confirmed(false)
                    .user_sub("0000-1111")
                    .code_delivery_details(
                        CodeDeliveryDetailsType::builder()
                            .delivery_medium(DeliveryMediumType::Email)
                            .destination("a***@e***")
                            .attribute_name("email")
                            .build(),
                    )
                    .build()
                    .expect("user_sub is set")
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&sign_up_rule]);

        let output = sign_up(
            &client,
            "client123",
            "alice",
            "Passw0rd!",
            "alice@example.com",
            Some("topsecret"),
        )
        .await
        .expect("signed up");

        assert!(!output.user_confirmed());
        assert_eq!(output.user_sub(), "0000-1111");
        let details = output.code_delivery_details().expect("details");
        assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
        assert_eq!(sign_up_rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_secret_hash_without_a_client_secret() {
        let sign_up_rule = mock!(Client::sign_up)
            .match_requests(|req| req.secret_hash().is_none())
            .then_output(|| {
                SignUpOutput::builder()
                    .user_confirmed(true)
                    .user_sub("0000-2222")
                    .build()
                    .expect("user_sub is set")
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&sign_up_rule]);

        let output = sign_up(
            &client,
            "client123",
            "bob",
            "Passw0rd!",
            "bob@example.com",
            None,
        )
        .await
        .expect("signed up");

        assert!(output.user_confirmed());
        assert_eq!(sign_up_rule.num_calls(), 1);
    }
}
