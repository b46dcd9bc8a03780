//! A Cognito **PreAuthentication** trigger that refuses sign-ins through one
//! app client: a user signing in through any other client goes on as usual.
//!
//! Cognito calls it before it checks a user's password, on every sign-in
//! (InitiateAuth, AdminInitiateAuth), with the app client in
//! `callerContext.clientId`. When the function fails, Cognito refuses the
//! sign-in with `UserLambdaValidationException` and the function's error
//! message: "PreAuthentication failed with error Cannot authenticate users
//! from this user pool app client."
//!
//! The blocked client comes from the function's environment:
//! `BLOCKED_CLIENT_ID` (required: the function refuses to start without it,
//! so a missing setting shows at once instead of blocking nobody).
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p authentication-pre
//! # target/lambda/authentication-pre/bootstrap.zip, runtime provided.al2023
//! ```

use std::fmt;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreAuthentication;

/// The event Cognito sends before it checks a user's password, and the answer.
pub type PreAuthenticationEvent = CognitoEventUserPoolsPreAuthentication;

/// The environment variable that names the app client to refuse.
pub const BLOCKED_CLIENT_ID_VARIABLE: &str = "BLOCKED_CLIENT_ID";

/// The sign-in came through the blocked app client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedClient;

impl fmt::Display for BlockedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cannot authenticate users from this user pool app client")
    }
}

impl std::error::Error for BlockedClient {}

impl From<BlockedClient> for lambda_runtime::Diagnostic {
    fn from(err: BlockedClient) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "BlockedClient".to_string(),
            error_message: err.to_string(),
        }
    }
}

// snippet-start:[rust.cognito-idp.lambda-triggers.AuthenticationPre]
/// Fails with [`BlockedClient`] when the sign-in comes through
/// `blocked_client_id`; otherwise returns the event, which lets it go on.
pub fn pre_authentication(
    blocked_client_id: &str,
    event: PreAuthenticationEvent,
) -> Result<PreAuthenticationEvent, BlockedClient> {
    let client_id = event
        .cognito_event_user_pools_header
        .caller_context
        .client_id
        .as_deref();
    if client_id == Some(blocked_client_id) {
        return Err(BlockedClient);
    }
    Ok(event)
}
// snippet-end:[rust.cognito-idp.lambda-triggers.AuthenticationPre]

/// The blocked client id from the variable's value, or why there is none.
pub fn blocked_client_id(value: Option<String>) -> Result<String, String> {
    match value.map(|value| value.trim().to_string()) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(format!(
            "The function's environment has no {BLOCKED_CLIENT_ID_VARIABLE} \
             (the id of the app client whose sign-ins it refuses)."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCKED: &str = "3ho4ek12345678909nh3fmhpko";

    /// A PreAuthentication event as Cognito sends it (the developer guide's
    /// sample), through app client `client_id`.
    fn event(client_id: &str) -> PreAuthenticationEvent {
        let sample = r#"{
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_EXAMPLE",
            "userName": "testuser",
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": "CLIENT"
            },
            "triggerSource": "PreAuthentication_Authentication",
            "request": {
                "userAttributes": {
                    "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                    "email_verified": "true",
                    "cognito:user_status": "CONFIRMED",
                    "email": "testuser@example.com"
                },
                "validationData": {}
            },
            "response": {}
        }"#
        .replace("CLIENT", client_id);
        serde_json::from_str(&sample).expect("a PreAuthentication event")
    }

    #[test]
    fn a_sign_in_through_the_blocked_client_is_refused_with_the_message_cognito_shows() {
        let err = pre_authentication(BLOCKED, event(BLOCKED)).unwrap_err();
        let diagnostic = lambda_runtime::Diagnostic::from(err);
        assert_eq!(
            diagnostic.error_message,
            "Cannot authenticate users from this user pool app client"
        );
        assert_eq!(diagnostic.error_type, "BlockedClient");
    }

    #[test]
    fn a_sign_in_through_another_client_goes_on_unchanged() {
        let sent = event("1example23456789");
        let answered = pre_authentication(BLOCKED, sent.clone()).expect("let through");
        assert_eq!(answered, sent);
        let json = serde_json::to_value(&answered).expect("serialisable");
        assert_eq!(json["response"], serde_json::json!({}));
        assert_eq!(json["callerContext"]["clientId"], "1example23456789");
    }

    #[test]
    fn an_admin_sign_in_has_no_client_of_its_own_and_goes_on() {
        // Admin operations without a client: Cognito's placeholder.
        let sent = event("CLIENT_ID_NOT_APPLICABLE");
        assert!(pre_authentication(BLOCKED, sent).is_ok());
    }

    #[test]
    fn the_blocked_client_must_be_configured() {
        assert_eq!(
            blocked_client_id(Some(format!(" {BLOCKED}\n"))),
            Ok(BLOCKED.to_string())
        );
        for missing in [None, Some(String::new()), Some("  ".to_string())] {
            let err = blocked_client_id(missing).unwrap_err();
            assert!(err.contains("BLOCKED_CLIENT_ID"), "{err}");
        }
    }
}
