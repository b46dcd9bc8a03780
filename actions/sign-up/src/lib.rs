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
/// The user to sign up, and the app client they sign up with.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub client_id: &'a str,
    /// The app client's secret, if it has one.
    pub client_secret: Option<&'a str>,
    pub username: &'a str,
    pub password: &'a str,
    pub email: &'a str,
}

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
    user: &NewUser<'_>,
) -> Result<SignUpOutput, SdkError<SignUpError>> {
    let email = AttributeType::builder()
        .name("email")
        .value(user.email)
        .build()
        .expect("an attribute with a name is complete");
    client
        .sign_up()
        .client_id(user.client_id)
        .set_secret_hash(
            user.client_secret
                .map(|secret| example_cli::secret_hash(user.username, user.client_id, secret)),
        )
        .username(user.username)
        .password(user.password)
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
            &NewUser {
                client_id: "client123",
                username: "alice",
                password: "Passw0rd!",
                email: "alice@example.com",
                client_secret: Some("topsecret"),
            },
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
            &NewUser {
                client_id: "client123",
                username: "bob",
                password: "Passw0rd!",
                email: "bob@example.com",
                client_secret: None,
            },
        )
        .await
        .expect("signed up");

        assert!(output.user_confirmed());
        assert_eq!(sign_up_rule.num_calls(), 1);
    }
}
