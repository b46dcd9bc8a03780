//! RespondToAuthChallenge: answer the `SOFTWARE_TOKEN_MFA` challenge of a
//! sign-in with a code from the user's authenticator app, or a
//! `CUSTOM_CHALLENGE` of a custom sign-in with the user's answer.
//!
//! This is a user call, not an administrator one: no AWS credentials are
//! needed, the session from InitiateAuth ties it to the sign-in.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

// snippet-start:[rust.cognito-idp.RespondToAuthChallenge]
/// The answer to `SOFTWARE_TOKEN_MFA`, and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct MfaAnswer<'a> {
    pub client_id: &'a str,
    /// The app client's secret, if it has one.
    pub client_secret: Option<&'a str>,
    pub username: &'a str,
    /// The six-digit code the authenticator app shows now.
    pub code: &'a str,
    /// The session that came with the challenge.
    pub session: &'a str,
}

/// Answers `SOFTWARE_TOKEN_MFA` with the six-digit code the user's
/// authenticator app shows now.
///
/// `session` is the one InitiateAuth returned with the challenge: it is
/// single-use and expires after three minutes. On success the output holds
/// the tokens and, when the pool tracks devices, `new_device_metadata` (the
/// key and group key that ConfirmDevice needs to remember this device).
///
/// A wrong code fails with `CodeMismatchException`; an old session with
/// `NotAuthorizedException`. When the app client has a secret, pass it as
/// `client_secret`: Cognito requires `SECRET_HASH` in challenge responses too.
pub async fn respond_to_auth_challenge(
    client: &Client,
    answer: &MfaAnswer<'_>,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    let mut request = client
        .respond_to_auth_challenge()
        .client_id(answer.client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(answer.session)
        .challenge_responses("USERNAME", answer.username)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", answer.code);
    if let Some(secret) = answer.client_secret {
        request = request.challenge_responses(
            "SECRET_HASH",
            example_cli::secret_hash(answer.username, answer.client_id, secret),
        );
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.RespondToAuthChallenge]

// snippet-start:[rust.cognito-idp.RespondToAuthChallenge.CustomChallenge]
/// The answer to a `CUSTOM_CHALLENGE`, and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct CustomAnswer<'a> {
    pub client_id: &'a str,
    /// The app client's secret, if it has one.
    pub client_secret: Option<&'a str>,
    /// The `USERNAME` parameter of the challenge.
    pub username: &'a str,
    /// What the user answered.
    pub answer: &'a str,
    /// The session that came with the challenge.
    pub session: &'a str,
}

/// Answers a `CUSTOM_CHALLENGE` of a custom sign-in (`CUSTOM_AUTH`).
///
/// The question is in the challenge's parameters, as the pool's
/// CreateAuthChallenge trigger made them public (the expected answer stays
/// private, with Cognito). `ANSWER` goes to the VerifyAuthChallengeResponse
/// trigger, which judges it; then DefineAuthChallenge decides what comes
/// next: another challenge with a new session, the tokens, or the end of the
/// sign-in, which fails this call with `NotAuthorizedException` (a new
/// sign-in must start from the beginning).
pub async fn answer_custom_challenge(
    client: &Client,
    answer: &CustomAnswer<'_>,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    let mut request = client
        .respond_to_auth_challenge()
        .client_id(answer.client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(answer.session)
        .challenge_responses("USERNAME", answer.username)
        .challenge_responses("ANSWER", answer.answer);
    if let Some(secret) = answer.client_secret {
        request = request.challenge_responses(
            "SECRET_HASH",
            example_cli::secret_hash(answer.username, answer.client_id, secret),
        );
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.RespondToAuthChallenge.CustomChallenge]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, NewDeviceMetadataType};
    use aws_smithy_mocks::{mock, mock_client};
    use std::collections::HashMap;

    fn response<'a>(responses: Option<&'a HashMap<String, String>>, name: &str) -> Option<&'a str> {
        responses.and_then(|r| r.get(name)).map(String::as_str)
    }

    fn tokens() -> RespondToAuthChallengeOutput {
        RespondToAuthChallengeOutput::builder()
            .authentication_result(
                AuthenticationResultType::builder()
                    .access_token("access")
                    .new_device_metadata(
                        NewDeviceMetadataType::builder()
                            .device_key("us-east-1_device")
                            .device_group_key("-group")
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    #[tokio::test]
    async fn sends_the_code_and_session_and_returns_tokens() {
        let respond = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| {
                let r = req.challenge_responses();
                req.client_id() == Some("client123")
                    && req.challenge_name() == Some(&ChallengeNameType::SoftwareTokenMfa)
                    && req.session() == Some("session-1")
                    && response(r, "USERNAME") == Some("alice")
                    && response(r, "SOFTWARE_TOKEN_MFA_CODE") == Some("123456")
                    && response(r, "SECRET_HASH").is_none()
            })
            .then_output(tokens);
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&respond]);

        let output = respond_to_auth_challenge(
            &client,
            &MfaAnswer {
                client_id: "client123",
                username: "alice",
                code: "123456",
                session: "session-1",
                client_secret: None,
            },
        )
        .await
        .expect("tokens");

        let result = output.authentication_result().expect("tokens");
        assert_eq!(result.access_token(), Some("access"));
        assert_eq!(
            result.new_device_metadata().and_then(|d| d.device_key()),
            Some("us-east-1_device")
        );
        assert_eq!(respond.num_calls(), 1);
    }

    fn custom_answer<'a>(answer: &'a str, secret: Option<&'a str>) -> CustomAnswer<'a> {
        CustomAnswer {
            client_id: "client123",
            client_secret: secret,
            username: "alice",
            answer,
            session: "session-2",
        }
    }

    #[tokio::test]
    async fn a_custom_answer_goes_with_the_session_and_may_bring_the_next_challenge() {
        let respond = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| {
                let r = req.challenge_responses();
                req.client_id() == Some("client123")
                    && req.challenge_name() == Some(&ChallengeNameType::CustomChallenge)
                    && req.session() == Some("session-2")
                    && response(r, "USERNAME") == Some("alice")
                    && response(r, "ANSWER") == Some("5")
                    && response(r, "SECRET_HASH").is_none()
            })
            .then_output(|| {
                RespondToAuthChallengeOutput::builder()
                    .challenge_name(ChallengeNameType::CustomChallenge)
                    .session("session-3")
                    .challenge_parameters("securityQuestion", "Who is your favorite team mascot?")
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&respond]);

        let output = answer_custom_challenge(&client, &custom_answer("5", None))
            .await
            .expect("the next challenge");

        assert_eq!(
            output.challenge_name(),
            Some(&ChallengeNameType::CustomChallenge)
        );
        assert_eq!(output.session(), Some("session-3"));
        assert_eq!(respond.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_wrong_custom_answer_ends_the_sign_in_and_a_secret_is_hashed() {
        let expected = example_cli::secret_hash("alice", "client123", "topsecret");
        let respond = mock!(Client::respond_to_auth_challenge)
            .match_requests(move |req| {
                response(req.challenge_responses(), "SECRET_HASH") == Some(expected.as_str())
                    && response(req.challenge_responses(), "ANSWER") == Some("6")
            })
            .then_error(|| {
                RespondToAuthChallengeError::NotAuthorizedException(
                    aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException::builder(
                    )
                    .message("Incorrect username or password.")
                    .meta(
                        aws_smithy_types::error::ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("Incorrect username or password.")
                            .build(),
                    )
                    .build(),
                )
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&respond]);

        let err = answer_custom_challenge(&client, &custom_answer("6", Some("topsecret")))
            .await
            .unwrap_err();

        assert_eq!(
            err.into_service_error().meta().code(),
            Some("NotAuthorizedException")
        );
        assert_eq!(respond.num_calls(), 1);
    }

    #[tokio::test]
    async fn adds_the_secret_hash_when_the_client_has_a_secret() {
        let expected = example_cli::secret_hash("alice", "client123", "topsecret");
        let respond = mock!(Client::respond_to_auth_challenge)
            .match_requests(move |req| {
                response(req.challenge_responses(), "SECRET_HASH") == Some(expected.as_str())
            })
            .then_output(tokens);
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&respond]);

        respond_to_auth_challenge(
            &client,
            &MfaAnswer {
                client_id: "client123",
                username: "alice",
                code: "123456",
                session: "session-1",
                client_secret: Some("topsecret"),
            },
        )
        .await
        .expect("tokens");

        assert_eq!(respond.num_calls(), 1);
    }
}
