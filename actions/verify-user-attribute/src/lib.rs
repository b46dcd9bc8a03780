//! VerifyUserAttribute: the signed-in user enters the code Cognito sent to
//! their (new) email address or phone number, which then counts as verified.
//!
//! The call is authorized by the user's access token, not by AWS
//! credentials: no IAM permission is involved. The code comes from
//! UpdateUserAttributes (after a change) or from
//! GetUserAttributeVerificationCode (which sends a new one).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::verify_user_attribute::{
    VerifyUserAttributeError, VerifyUserAttributeOutput,
};

// snippet-start:[rust.cognito-idp.VerifyUserAttribute]
/// Verifies `attribute_name` (`email` or `phone_number`) of the user that
/// `access_token` belongs to with `code`.
///
/// On success `email_verified` (or `phone_number_verified`) is `true`, the
/// user can sign in with the address if the pool allows that, and codes such
/// as ForgotPassword's go there. In a pool that keeps the old value until the
/// new one is verified (`UserAttributeUpdateSettings`), this is when the new
/// value replaces it.
///
/// Typical failures: `CodeMismatchException` (wrong code),
/// `ExpiredCodeException` (too old, or replaced by a newer code: ask for one
/// with GetUserAttributeVerificationCode), `LimitExceededException` (too many
/// attempts), `AliasExistsException` (another user verified that address
/// first), `NotAuthorizedException` (the access token expired or was revoked).
pub async fn verify_user_attribute(
    client: &Client,
    access_token: &str,
    attribute_name: &str,
    code: &str,
) -> Result<VerifyUserAttributeOutput, SdkError<VerifyUserAttributeError>> {
    client
        .verify_user_attribute()
        .access_token(access_token)
        .attribute_name(attribute_name)
        .code(code)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.VerifyUserAttribute]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::CodeMismatchException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_the_token_the_attribute_and_the_code() {
        let verify = mock!(Client::verify_user_attribute)
            .match_requests(|req| {
                req.access_token() == Some("eyJ.access.token")
                    && req.attribute_name() == Some("email")
                    && req.code() == Some("123456")
            })
            .then_output(|| VerifyUserAttributeOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&verify]);

        verify_user_attribute(&client, "eyJ.access.token", "email", "123456")
            .await
            .expect("verified");

        assert_eq!(verify.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_wrong_code_is_a_code_mismatch() {
        let verify = mock!(Client::verify_user_attribute).then_error(|| {
            VerifyUserAttributeError::CodeMismatchException(
                CodeMismatchException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("CodeMismatchException")
                            .message("Invalid verification code provided, please try again.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&verify]);

        let err = verify_user_attribute(&client, "t", "email", "000000")
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "CodeMismatchException: Invalid verification code provided, please try again."
        );
    }
}
