//! A Cognito PreSignUp trigger that confirms known users: when someone signs
//! up with an email address that a DynamoDB table lists under the same
//! username, Cognito confirms them and marks the email verified, with no
//! confirmation code. Everyone else signs up as usual.
//!
//! The function reads the table's name from its `TABLE_NAME` environment
//! variable. Its role needs `dynamodb:GetItem` on that table, and permission
//! to write its logs.
//!
//! What it does with each event:
//!
//! - It acts only on `PreSignUp_SignUp` (a user signing themself up); an
//!   administrator creating a user (`PreSignUp_AdminCreateUser`) or a
//!   federated sign-in (`PreSignUp_ExternalProvider`) is left alone.
//! - It looks the user's email up in the table (GetItem, key `UserEmail`).
//! - Only when the stored `UserName` is the username being signed up does it
//!   answer `autoConfirmUser` and `autoVerifyEmail`.
//! - It prints what it decided: in Lambda, standard output goes to the
//!   function's CloudWatch Logs group, `/aws/lambda/FUNCTION_NAME`.
//! - It returns the event, which is how a Cognito trigger answers.
//!
//! A lookup that fails (no such table, no permission) fails the invocation,
//! so Cognito refuses the sign-up with `UserLambdaValidationException`: a
//! broken setup shows at once instead of quietly sending every user a code.

use std::fmt;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::types::AttributeValue;

/// The event Cognito sends before it signs a user up, and the answer.
pub type PreSignUpEvent = CognitoEventUserPoolsPreSignup;

/// The table's partition key: the user's email address.
pub const EMAIL_KEY: &str = "UserEmail";
/// The attribute that holds the known user's username.
pub const USERNAME_ATTRIBUTE: &str = "UserName";

// snippet-start:[rust.cross-service.auto-confirm.GetItem]
/// Looks an email address up in the table of known users and returns the
/// username stored for it, or `None` when the table has no such email.
///
/// The read is strongly consistent, so a user added just before they sign
/// up is found, and it fetches only the `UserName` attribute.
pub async fn known_username(
    client: &Client,
    table_name: &str,
    email: &str,
) -> Result<Option<String>, SdkError<GetItemError>> {
    let item = client
        .get_item()
        .table_name(table_name)
        .key(EMAIL_KEY, AttributeValue::S(email.to_string()))
        .projection_expression(USERNAME_ATTRIBUTE)
        .consistent_read(true)
        .send()
        .await?;
    Ok(item
        .item()
        .and_then(|item| item.get(USERNAME_ATTRIBUTE))
        .and_then(|name| name.as_s().ok())
        .cloned())
}
// snippet-end:[rust.cross-service.auto-confirm.GetItem]

/// What the function decided about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The email is listed under this username: confirm the user and mark
    /// the email verified.
    Confirm,
    /// The email is listed, but under another username: sign up as usual.
    UsernameMismatch,
    /// The email is not in the table: sign up as usual.
    UnknownEmail,
    /// The sign-up has no email address to look up: sign up as usual.
    NoEmail,
    /// Not a user signing themself up (the trigger source is named): left alone.
    NotSignUp(String),
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Confirm => {
                f.write_str("known user: confirmed and email verified without a code")
            }
            Decision::UsernameMismatch => f.write_str(
                "the email is listed under another username: not confirmed, a code is sent",
            ),
            Decision::UnknownEmail => {
                f.write_str("the email is not in the table: not confirmed, a code is sent")
            }
            Decision::NoEmail => f.write_str("no email address to look up: not confirmed"),
            Decision::NotSignUp(source) => write!(f, "{source} is not a sign-up: left alone"),
        }
    }
}

/// Why the function could not decide: the table lookup failed.
#[derive(Debug)]
pub struct LookupFailed(String);

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LookupFailed {}

impl From<LookupFailed> for lambda_runtime::Diagnostic {
    fn from(err: LookupFailed) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "LookupFailed".to_string(),
            error_message: err.0,
        }
    }
}

/// Decides what to answer for `event`, looking its email up in `table_name`
/// when it is a user signing themself up.
pub async fn decide(
    client: &Client,
    table_name: &str,
    event: &PreSignUpEvent,
) -> Result<Decision, LookupFailed> {
    let header = &event.cognito_event_user_pools_header;
    match &header.trigger_source {
        Some(CognitoEventUserPoolsPreSignupTriggerSource::SignUp) => {}
        Some(other) => return Ok(Decision::NotSignUp(trigger_source_name(other))),
        None => {
            return Ok(Decision::NotSignUp(
                "an event without a trigger source".into(),
            ));
        }
    }
    let Some(email) = event.request.user_attributes.get("email") else {
        return Ok(Decision::NoEmail);
    };
    let username = header.user_name.as_deref().unwrap_or_default();
    let stored = known_username(client, table_name, email)
        .await
        .map_err(|err| {
            LookupFailed(format!(
                "Looking up the email in table {table_name} failed: {}",
                describe(&err)
            ))
        })?;
    Ok(match stored {
        Some(stored) if stored == username => Decision::Confirm,
        Some(_) => Decision::UsernameMismatch,
        None => Decision::UnknownEmail,
    })
}

/// Writes the decision into the event's response. Only [`Decision::Confirm`]
/// changes anything; every other decision leaves Cognito's defaults (the user
/// must confirm with a code).
pub fn apply(decision: &Decision, event: &mut PreSignUpEvent) {
    if *decision == Decision::Confirm {
        event.response.auto_confirm_user = true;
        event.response.auto_verify_email = true;
    }
}

/// The whole function: decide, log the decision on standard output, and
/// return the event with its response filled in.
pub async fn handle(
    client: &Client,
    table_name: &str,
    mut event: PreSignUpEvent,
) -> Result<PreSignUpEvent, LookupFailed> {
    let username = event
        .cognito_event_user_pools_header
        .user_name
        .clone()
        .unwrap_or_default();
    match decide(client, table_name, &event).await {
        Ok(decision) => {
            println!("{}", log_line(&username, &decision));
            apply(&decision, &mut event);
            Ok(event)
        }
        Err(err) => {
            println!("Sign-up of {username}: {err}");
            Err(err)
        }
    }
}

/// The line the function logs for a decision.
pub fn log_line(username: &str, decision: &Decision) -> String {
    format!("Sign-up of {username}: {decision}")
}

/// The name Cognito uses for a trigger source, such as `PreSignUp_AdminCreateUser`.
fn trigger_source_name(source: &CognitoEventUserPoolsPreSignupTriggerSource) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{source:?}"))
}

/// A service error as `Code: message`; anything else with its full context.
fn describe(err: &SdkError<GetItemError>) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(err).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
    use aws_sdk_dynamodb::types::error::ResourceNotFoundException;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_types::error::ErrorMetadata;

    const TABLE: &str = "known-users";

    /// A DynamoDB client whose GetItem answers come from `rule`.
    ///
    /// (What `aws_smithy_mocks::mock_client!` builds, spelled out: it calls
    /// `with_test_defaults_v2`, which the DynamoDB crate this workspace
    /// resolves to does not have yet.)
    fn mock_dynamodb(rule: &Rule) -> Client {
        let answers = MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .with_rule(rule);
        let config = aws_sdk_dynamodb::Config::builder()
            .with_test_defaults()
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .http_client(create_mock_http_client())
            .interceptor(answers)
            .build();
        Client::from_conf(config)
    }

    /// An event as Cognito sends it when `username` signs up with `email`.
    fn event(trigger_source: &str, username: &str, email: Option<&str>) -> PreSignUpEvent {
        let mut attributes = serde_json::Map::new();
        if let Some(email) = email {
            attributes.insert("email".into(), email.into());
        }
        serde_json::from_value(serde_json::json!({
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_example",
            "userName": username,
            "callerContext": {"awsSdkVersion": "aws-sdk-rust", "clientId": "client123"},
            "triggerSource": trigger_source,
            "request": {"userAttributes": attributes},
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
        }))
        .expect("a PreSignUp event")
    }

    /// GetItem answering with the item `{UserEmail: email, UserName: stored}`,
    /// only for a consistent read of `email` in the test table.
    fn stored_as(email: &'static str, stored: &'static str) -> Rule {
        mock!(Client::get_item)
            .match_requests(move |req| {
                req.table_name() == Some(TABLE)
                    && req.key().and_then(|key| key.get(EMAIL_KEY))
                        == Some(&AttributeValue::S(email.into()))
                    && req.consistent_read() == Some(true)
            })
            .then_output(move || {
                GetItemOutput::builder()
                    .item(EMAIL_KEY, AttributeValue::S(email.into()))
                    .item(USERNAME_ATTRIBUTE, AttributeValue::S(stored.into()))
                    .build()
            })
    }

    /// The response as Cognito reads it.
    fn response(event: &PreSignUpEvent) -> serde_json::Value {
        serde_json::to_value(event).expect("serialisable")["response"].clone()
    }

    #[tokio::test]
    async fn a_known_user_is_confirmed_and_their_email_verified() {
        let get = stored_as("alice@example.com", "alice");
        let client = mock_dynamodb(&get);

        let answer = handle(
            &client,
            TABLE,
            event("PreSignUp_SignUp", "alice", Some("alice@example.com")),
        )
        .await
        .expect("answered");

        assert_eq!(get.num_calls(), 1);
        assert_eq!(response(&answer)["autoConfirmUser"], true);
        assert_eq!(response(&answer)["autoVerifyEmail"], true);
        assert_eq!(response(&answer)["autoVerifyPhone"], false);
        // The rest of the event goes back as it came.
        let sent = serde_json::to_value(&answer).expect("serialisable");
        assert_eq!(sent["userName"], "alice");
        assert_eq!(sent["triggerSource"], "PreSignUp_SignUp");
        assert_eq!(
            sent["request"]["userAttributes"]["email"],
            "alice@example.com"
        );
    }

    #[tokio::test]
    async fn an_email_listed_under_another_username_is_not_confirmed() {
        let get = stored_as("alice@example.com", "alice");
        let client = mock_dynamodb(&get);
        let sign_up = event("PreSignUp_SignUp", "mallory", Some("alice@example.com"));

        assert_eq!(
            decide(&client, TABLE, &sign_up).await.expect("decided"),
            Decision::UsernameMismatch
        );
        let answer = handle(&client, TABLE, sign_up).await.expect("answered");
        assert_eq!(response(&answer)["autoConfirmUser"], false);
        assert_eq!(response(&answer)["autoVerifyEmail"], false);
        assert_eq!(get.num_calls(), 2);
    }

    #[tokio::test]
    async fn an_unknown_email_is_not_confirmed() {
        let get = mock!(Client::get_item)
            .match_requests(|req| {
                req.key().and_then(|key| key.get(EMAIL_KEY))
                    == Some(&AttributeValue::S("carol@example.com".into()))
            })
            .then_output(|| GetItemOutput::builder().build());
        let client = mock_dynamodb(&get);
        let sign_up = event("PreSignUp_SignUp", "carol", Some("carol@example.com"));

        assert_eq!(
            decide(&client, TABLE, &sign_up).await.expect("decided"),
            Decision::UnknownEmail
        );
        let answer = handle(&client, TABLE, sign_up).await.expect("answered");
        assert_eq!(response(&answer)["autoConfirmUser"], false);
        assert_eq!(get.num_calls(), 2);
    }

    #[tokio::test]
    async fn other_trigger_sources_are_left_alone_without_a_lookup() {
        // A known user, so a lookup would confirm them: it must not happen.
        let get = stored_as("alice@example.com", "alice");
        let client = mock_dynamodb(&get);

        for source in ["PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"] {
            let created = event(source, "alice", Some("alice@example.com"));
            assert_eq!(
                decide(&client, TABLE, &created).await.expect("decided"),
                Decision::NotSignUp(source.to_string())
            );
            let answer = handle(&client, TABLE, created.clone())
                .await
                .expect("answered");
            assert_eq!(answer, created, "{source}: the event goes back unchanged");
        }
        assert_eq!(get.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_sign_up_without_an_email_is_not_looked_up() {
        let get = stored_as("alice@example.com", "alice");
        let client = mock_dynamodb(&get);

        let decision = decide(&client, TABLE, &event("PreSignUp_SignUp", "alice", None))
            .await
            .expect("decided");

        assert_eq!(decision, Decision::NoEmail);
        assert_eq!(get.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_failed_lookup_fails_the_invocation_with_the_service_error() {
        let get = mock!(Client::get_item).then_error(|| {
            GetItemError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("Requested resource not found")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_dynamodb(&get);

        let err = handle(
            &client,
            TABLE,
            event("PreSignUp_SignUp", "alice", Some("alice@example.com")),
        )
        .await
        .unwrap_err();

        assert_eq!(
            err.to_string(),
            "Looking up the email in table known-users failed: \
             ResourceNotFoundException: Requested resource not found"
        );
        let diagnostic = lambda_runtime::Diagnostic::from(err);
        assert_eq!(diagnostic.error_type, "LookupFailed");
    }

    #[test]
    fn log_lines_name_the_user_and_the_decision() {
        assert_eq!(
            log_line("alice", &Decision::Confirm),
            "Sign-up of alice: known user: confirmed and email verified without a code"
        );
        assert_eq!(
            log_line(
                "bob",
                &Decision::NotSignUp("PreSignUp_AdminCreateUser".into())
            ),
            "Sign-up of bob: PreSignUp_AdminCreateUser is not a sign-up: left alone"
        );
    }

    #[test]
    fn only_confirm_changes_the_response() {
        for decision in [
            Decision::UsernameMismatch,
            Decision::UnknownEmail,
            Decision::NoEmail,
            Decision::NotSignUp("PreSignUp_AdminCreateUser".into()),
        ] {
            let mut sign_up = event("PreSignUp_SignUp", "alice", Some("alice@example.com"));
            apply(&decision, &mut sign_up);
            assert!(!sign_up.response.auto_confirm_user, "{decision:?}");
            assert!(!sign_up.response.auto_verify_email, "{decision:?}");
        }
        let mut sign_up = event("PreSignUp_SignUp", "alice", Some("alice@example.com"));
        apply(&Decision::Confirm, &mut sign_up);
        assert!(sign_up.response.auto_confirm_user && sign_up.response.auto_verify_email);
        assert!(!sign_up.response.auto_verify_phone);
    }
}
