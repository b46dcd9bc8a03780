//! VerifySoftwareToken: finish adding an authenticator app (TOTP) to a user
//! by sending a code the app shows.
//!
//! This is a user call, not an administrator one: it is authorized by the
//! user's own session or access token, not by AWS credentials.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::verify_software_token::{
    VerifySoftwareTokenError, VerifySoftwareTokenOutput,
};

/// How the user proves who they are to VerifySoftwareToken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    /// The session AssociateSoftwareToken returned during a sign-in that
    /// Cognito answered with `MFA_SETUP`.
    Session(&'a str),
    /// The access token of a user who is already signed in.
    AccessToken(&'a str),
}

// snippet-start:[rust.cognito-idp.VerifySoftwareToken]
/// Sends a code from the authenticator app that AssociateSoftwareToken set
/// up. When the code matches, the app is registered as the user's TOTP
/// device (`status` is `SUCCESS`).
///
/// With a session (the `MFA_SETUP` path), Cognito answers with a new session
/// that continues the sign-in. `friendly_device_name` is a label for the app
/// that Cognito keeps, such as "Alice's phone". A wrong code usually fails
/// with `EnableSoftwareTokenMFAException` or `CodeMismatchException`.
pub async fn verify_software_token(
    client: &Client,
    credential: Credential<'_>,
    code: &str,
    friendly_device_name: Option<&str>,
) -> Result<VerifySoftwareTokenOutput, SdkError<VerifySoftwareTokenError>> {
    let request = client
        .verify_software_token()
        .user_code(code)
        .set_friendly_device_name(friendly_device_name.map(String::from));
    let request = match credential {
        Credential::Session(session) => request.session(session),
        Credential::AccessToken(token) => request.access_token(token),
    };
    request.send().await
}
// snippet-end:[rust.cognito-idp.VerifySoftwareToken]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::VerifySoftwareTokenResponseType;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_code_session_and_device_name_and_returns_the_status() {
        let verify = mock!(Client::verify_software_token)
            .match_requests(|req| {
                req.session() == Some("session-2")
                    && req.access_token().is_none()
                    && req.user_code() == Some("123456")
                    && req.friendly_device_name() == Some("Alice's phone")
            })
            .then_output(|| {
                VerifySoftwareTokenOutput::builder()
                    .status(VerifySoftwareTokenResponseType::Success)
                    .session("session-3")
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&verify]);

        let output = verify_software_token(
            &client,
            Credential::Session("session-2"),
            "123456",
            Some("Alice's phone"),
        )
        .await
        .expect("status");

        assert_eq!(
            output.status(),
            Some(&VerifySoftwareTokenResponseType::Success)
        );
        assert_eq!(output.session(), Some("session-3"));
        assert_eq!(verify.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_the_access_token_and_no_device_name_when_none_is_given() {
        let verify = mock!(Client::verify_software_token)
            .match_requests(|req| {
                req.access_token() == Some("access")
                    && req.session().is_none()
                    && req.friendly_device_name().is_none()
            })
            .then_output(|| {
                VerifySoftwareTokenOutput::builder()
                    .status(VerifySoftwareTokenResponseType::Success)
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&verify]);

        let output =
            verify_software_token(&client, Credential::AccessToken("access"), "123456", None)
                .await
                .expect("status");

        assert_eq!(output.session(), None);
        assert_eq!(verify.num_calls(), 1);
    }
}
