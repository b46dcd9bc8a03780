//! UpdateUserAttributes: the signed-in user changes their own attributes
//! (email, name, `custom:` attributes ...).
//!
//! The call is authorized by the user's access token, not by AWS
//! credentials: no IAM permission is involved. The token must carry the
//! `aws.cognito.signin.user.admin` scope (every token from InitiateAuth
//! does), and the app client must be allowed to write the attributes
//! (its `WriteAttributes`). An administrator does the same for any user
//! with AdminUpdateUserAttributes.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::update_user_attributes::{
    UpdateUserAttributesError, UpdateUserAttributesOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, CodeDeliveryDetailsType};

// snippet-start:[rust.cognito-idp.UpdateUserAttributes]
/// Sets each `(name, value)` of `attributes` on the user that `access_token`
/// belongs to.
///
/// What a caller must know:
/// - Changing an attribute the pool verifies (`email` or `phone_number` in
///   its `AutoVerifiedAttributes`) sends a code to the *new* address, listed
///   in the answer's `CodeDeliveryDetailsList`. Until the user enters it
///   (VerifyUserAttribute), `email_verified` is `false`: a user who signs in
///   with their email cannot sign in with the new one yet, and
///   ForgotPassword has no verified address to send to. A pool whose
///   `UserAttributeUpdateSettings` lists the attribute in
///   `AttributesRequireVerificationBeforeUpdate` keeps the old, verified
///   value until the code is entered instead.
/// - An empty list means no code was sent: nothing needed verifying.
///
/// Typical failures: `InvalidParameterException` (an attribute the pool
/// does not have, one that is immutable, or a malformed value),
/// `AliasExistsException` (another user already signs in with that email
/// or phone number), `NotAuthorizedException` (the access token expired or
/// was revoked, or the app client may not write the attribute),
/// `CodeDeliveryFailureException` (the code could not be sent).
pub async fn update_user_attributes(
    client: &Client,
    access_token: &str,
    attributes: &[(&str, &str)],
) -> Result<UpdateUserAttributesOutput, SdkError<UpdateUserAttributesError>> {
    let attributes = attributes
        .iter()
        .map(|(name, value)| {
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .expect("the name is set")
        })
        .collect();
    client
        .update_user_attributes()
        .access_token(access_token)
        .set_user_attributes(Some(attributes))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.UpdateUserAttributes]

/// Reads `NAME=VALUE`, as `--attribute` takes it. The value may contain
/// `=`; the name may not be empty.
pub fn parse_attribute(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "expected NAME=VALUE, such as email=alice@example.com, got {text:?}"
        )),
    }
}

/// One line per code Cognito sent: which attribute it verifies, how, and
/// to which (masked) address.
pub fn delivery_lines(sent: &[CodeDeliveryDetailsType]) -> Vec<String> {
    if sent.is_empty() {
        return vec!["Verification code sent: none (nothing needs verifying).".to_string()];
    }
    sent.iter()
        .map(|delivery| {
            format!(
                "Verification code sent: {} by {} to {}",
                delivery.attribute_name().unwrap_or("(attribute)"),
                delivery
                    .delivery_medium()
                    .map_or("(unknown)", |m| m.as_str()),
                delivery.destination().unwrap_or("(unknown)")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::DeliveryMediumType;
    use aws_sdk_cognitoidentityprovider::types::error::AliasExistsException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_the_token_and_every_attribute_and_returns_where_codes_went() {
        let update = mock!(Client::update_user_attributes)
            .match_requests(|req| {
                let sent: Vec<_> = req
                    .user_attributes()
                    .iter()
                    .map(|a| (a.name(), a.value()))
                    .collect();
                req.access_token() == Some("eyJ.access.token")
                    && sent
                        == [
                            ("email", Some("new@example.com")),
                            ("custom:team", Some("a=b")),
                        ]
            })
            .then_output(|| {
                UpdateUserAttributesOutput::builder()
                    .code_delivery_details_list(
                        CodeDeliveryDetailsType::builder()
                            .attribute_name("email")
                            .delivery_medium(DeliveryMediumType::Email)
                            .destination("n***@e***")
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&update]);

        let output = update_user_attributes(
            &client,
            "eyJ.access.token",
            &[("email", "new@example.com"), ("custom:team", "a=b")],
        )
        .await
        .expect("updated");

        assert_eq!(
            delivery_lines(output.code_delivery_details_list()),
            ["Verification code sent: email by EMAIL to n***@e***"]
        );
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_address_another_user_has_is_refused_with_its_code() {
        let update = mock!(Client::update_user_attributes).then_error(|| {
            UpdateUserAttributesError::AliasExistsException(
                AliasExistsException::builder()
                    .message("An account with the given email already exists.")
                    .meta(
                        ErrorMetadata::builder()
                            .code("AliasExistsException")
                            .message("An account with the given email already exists.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&update]);

        let err = update_user_attributes(&client, "t", &[("email", "taken@example.com")])
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(err.code(), Some("AliasExistsException"));
    }

    #[test]
    fn no_code_sent_says_so() {
        assert_eq!(
            delivery_lines(&[]),
            ["Verification code sent: none (nothing needs verifying)."]
        );
    }

    #[test]
    fn attributes_are_name_equals_value() {
        assert_eq!(
            parse_attribute("email=alice@example.com"),
            Ok(("email".into(), "alice@example.com".into()))
        );
        assert_eq!(
            parse_attribute("custom:note=x=y"),
            Ok(("custom:note".into(), "x=y".into()))
        );
        assert_eq!(parse_attribute("name="), Ok(("name".into(), String::new())));
        assert!(parse_attribute("email").is_err());
        assert!(parse_attribute("=x").is_err());
    }
}
