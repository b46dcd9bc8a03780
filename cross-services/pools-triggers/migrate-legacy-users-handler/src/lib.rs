//! A Cognito UserMigration trigger that brings users of a legacy directory
//! into the user pool the first time they need it: when someone the pool
//! does not know signs in with a password (`UserMigration_Authentication`)
//! or asks to reset a forgotten one (`UserMigration_ForgotPassword`),
//! Cognito asks this function, which looks them up in a DynamoDB table:
//!
//! | attribute      | what                                                |
//! |----------------|-----------------------------------------------------|
//! | `UserName`     | partition key: the user's name in the old system    |
//! | `Email`        | their email address                                 |
//! | `PasswordHash` | a salted PBKDF2 hash of their password ([`password`]) |
//!
//! - Sign-in: a user whose name and password match → their attributes
//!   (`email`, `email_verified: "true"`), `finalUserStatus: CONFIRMED`,
//!   `messageAction: SUPPRESS`. Cognito creates the user with the password
//!   they typed, and signs them in.
//! - Forgot password: a known user → `email`, `email_verified: "true"`
//!   (a reset code goes only to a verified address), `messageAction:
//!   SUPPRESS`. Cognito creates the user and sends the code.
//! - Anyone else (unknown name, wrong password): the event goes back
//!   unchanged, without attributes, and Cognito answers as it does for an
//!   unknown user.
//!
//! The table stores no password, only its hash, and the comparison takes
//! the same time wherever the two hashes differ. The function logs each
//! decision (never the password) to its CloudWatch Logs group. A lookup that
//! fails fails the invocation, so a broken setup shows at once.

use std::fmt;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsMigrateUserTriggerSource,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::types::AttributeValue;

pub mod password;

/// The event Cognito sends for a user it does not have, and the answer.
pub type MigrateUserEvent = CognitoEventUserPoolsMigrateUser;

/// The table's partition key: the user's name in the legacy directory.
pub const USERNAME_KEY: &str = "UserName";
/// The user's email address.
pub const EMAIL_ATTRIBUTE: &str = "Email";
/// The salted hash of the user's password (see [`password::hash`]).
pub const PASSWORD_HASH_ATTRIBUTE: &str = "PasswordHash";

/// A user of the legacy directory, as the table holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUser {
    pub email: String,
    pub password_hash: String,
}

// snippet-start:[rust.cross-service.migrate-legacy-users.GetItem]
/// Looks a user name up in the legacy directory: their email address and
/// password hash, or `None` when the directory has no such user. A strongly
/// consistent read of the two attributes.
pub async fn legacy_user(
    client: &Client,
    table_name: &str,
    username: &str,
) -> Result<Option<LegacyUser>, SdkError<GetItemError>> {
    let answer = client
        .get_item()
        .table_name(table_name)
        .key(USERNAME_KEY, AttributeValue::S(username.to_string()))
        .projection_expression("#email, #hash")
        .expression_attribute_names("#email", EMAIL_ATTRIBUTE)
        .expression_attribute_names("#hash", PASSWORD_HASH_ATTRIBUTE)
        .consistent_read(true)
        .send()
        .await?;
    let Some(item) = answer.item() else {
        return Ok(None);
    };
    let text = |name: &str| {
        item.get(name)
            .and_then(|value| value.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    Ok(Some(LegacyUser {
        email: text(EMAIL_ATTRIBUTE),
        password_hash: text(PASSWORD_HASH_ATTRIBUTE),
    }))
}
// snippet-end:[rust.cross-service.migrate-legacy-users.GetItem]

/// What the function decided about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Name and password match: create the user, confirmed, with this email.
    SignIn { email: String },
    /// A known user who forgot their password: create them with this
    /// (verified) email, so the reset code can go there.
    ForgotPassword { email: String },
    /// The legacy directory has no such user.
    UnknownUser,
    /// The user is known, but the password is not theirs.
    WrongPassword,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::SignIn { .. } => {
                f.write_str("legacy user, password matches: migrated, CONFIRMED")
            }
            Decision::ForgotPassword { .. } => f.write_str(
                "legacy user who forgot their password: migrated, the reset code goes to their email",
            ),
            Decision::UnknownUser => {
                f.write_str("not in the legacy directory: not migrated")
            }
            Decision::WrongPassword => {
                f.write_str("legacy user, wrong password: not migrated")
            }
        }
    }
}

/// Why the function could not decide: the lookup failed.
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

/// Decides what to answer for `event`, looking the user up in `table_name`.
pub async fn decide(
    client: &Client,
    table_name: &str,
    event: &MigrateUserEvent,
) -> Result<Decision, LookupFailed> {
    let header = &event.cognito_event_user_pools_header;
    let username = header.user_name.as_deref().unwrap_or_default();
    let found = legacy_user(client, table_name, username)
        .await
        .map_err(|err| {
            LookupFailed(format!(
                "Looking up the user in table {table_name} failed: {}",
                describe(&err)
            ))
        })?;
    let Some(user) = found else {
        return Ok(Decision::UnknownUser);
    };
    Ok(match header.trigger_source {
        Some(CognitoEventUserPoolsMigrateUserTriggerSource::ForgotPassword) => {
            Decision::ForgotPassword { email: user.email }
        }
        // A sign-in (the only other source): the password must match.
        _ => {
            let typed = event
                .cognito_event_user_pools_migrate_user_request
                .password
                .as_deref()
                .unwrap_or_default();
            if password::verify(typed, &user.password_hash) {
                Decision::SignIn { email: user.email }
            } else {
                Decision::WrongPassword
            }
        }
    })
}

/// Writes the decision into the event's response; a user who is not
/// migrated leaves the response as it came (no attributes).
pub fn apply(decision: &Decision, event: &mut MigrateUserEvent) {
    let response = &mut event.cognito_event_user_pools_migrate_user_response;
    let email = match decision {
        Decision::SignIn { email } => {
            response.final_user_status = Some("CONFIRMED".into());
            email
        }
        Decision::ForgotPassword { email } => email,
        Decision::UnknownUser | Decision::WrongPassword => return,
    };
    response
        .user_attributes
        .insert("email".into(), email.clone());
    response
        .user_attributes
        .insert("email_verified".into(), "true".into());
    // The user knows they have an account: no welcome message.
    response.message_action = Some("SUPPRESS".into());
}

/// The whole function: decide, log the decision (without the password), and
/// return the event with its response filled in.
pub async fn handle(
    client: &Client,
    table_name: &str,
    mut event: MigrateUserEvent,
) -> Result<MigrateUserEvent, LookupFailed> {
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
            println!("Migration of {username}: {err}");
            Err(err)
        }
    }
}

/// The line the function logs for a decision.
pub fn log_line(username: &str, decision: &Decision) -> String {
    format!("Migration of {username}: {decision}")
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
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_types::error::ErrorMetadata;

    const TABLE: &str = "legacy-users";
    const PASSWORD: &str = "Old-Secret-1";

    /// A DynamoDB client whose answers come from `rule` (what
    /// `aws_smithy_mocks::mock_client!` builds, spelled out: it calls
    /// `with_test_defaults_v2`, which the DynamoDB crate this workspace
    /// resolves to does not have yet).
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

    fn event(trigger_source: &str, username: &str, password: Option<&str>) -> MigrateUserEvent {
        let mut request = serde_json::json!({"validationData": {}, "clientMetadata": {}});
        if let Some(password) = password {
            request["password"] = password.into();
        }
        serde_json::from_value(serde_json::json!({
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_example",
            "userName": username,
            "callerContext": {"awsSdkVersion": "aws-sdk-rust", "clientId": "client123"},
            "triggerSource": trigger_source,
            "request": request,
            "response": {
                "userAttributes": null,
                "finalUserStatus": null,
                "messageAction": null,
                "desiredDeliveryMediums": null,
                "forceAliasCreation": null
            }
        }))
        .expect("a UserMigration event")
    }

    /// GetItem answering with `bella`'s item for a consistent read of her
    /// name, and with no item for anyone else.
    fn directory() -> Rule {
        let hash = password::hash(PASSWORD, b"0123456789abcdef", 1_000);
        mock!(Client::get_item)
            .match_requests(|req| {
                req.table_name() == Some(TABLE)
                    && req.consistent_read() == Some(true)
                    && req.key().and_then(|key| key.get(USERNAME_KEY))
                        == Some(&AttributeValue::S("bella".into()))
            })
            .then_output(move || {
                GetItemOutput::builder()
                    .item(USERNAME_KEY, AttributeValue::S("bella".into()))
                    .item(
                        EMAIL_ATTRIBUTE,
                        AttributeValue::S("bella@example.com".into()),
                    )
                    .item(PASSWORD_HASH_ATTRIBUTE, AttributeValue::S(hash.clone()))
                    .build()
            })
    }

    fn nobody() -> Rule {
        mock!(Client::get_item).then_output(|| GetItemOutput::builder().build())
    }

    /// The response as Cognito reads it.
    fn response(event: &MigrateUserEvent) -> serde_json::Value {
        serde_json::to_value(event).expect("serialisable")["response"].clone()
    }

    #[tokio::test]
    async fn a_legacy_user_with_their_password_is_migrated_confirmed_and_silently() {
        let get = directory();
        let client = mock_dynamodb(&get);

        let answer = handle(
            &client,
            TABLE,
            event("UserMigration_Authentication", "bella", Some(PASSWORD)),
        )
        .await
        .expect("answered");

        let response = response(&answer);
        assert_eq!(response["userAttributes"]["email"], "bella@example.com");
        assert_eq!(response["userAttributes"]["email_verified"], "true");
        assert_eq!(response["finalUserStatus"], "CONFIRMED");
        assert_eq!(response["messageAction"], "SUPPRESS");
        assert_eq!(get.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_wrong_password_or_an_unknown_user_leaves_the_event_unchanged() {
        let get = directory();
        let client = mock_dynamodb(&get);
        let wrong = event(
            "UserMigration_Authentication",
            "bella",
            Some("old-secret-1"),
        );
        assert_eq!(
            decide(&client, TABLE, &wrong).await.expect("decided"),
            Decision::WrongPassword
        );
        let answer = handle(&client, TABLE, wrong.clone())
            .await
            .expect("answered");
        assert_eq!(answer, wrong);
        assert_eq!(response(&answer)["userAttributes"], serde_json::json!({}));

        let get = nobody();
        let client = mock_dynamodb(&get);
        for source in [
            "UserMigration_Authentication",
            "UserMigration_ForgotPassword",
        ] {
            let unknown = event(source, "mallory", Some(PASSWORD));
            assert_eq!(
                decide(&client, TABLE, &unknown).await.expect("decided"),
                Decision::UnknownUser
            );
            let answer = handle(&client, TABLE, unknown.clone())
                .await
                .expect("answered");
            assert_eq!(answer, unknown, "{source}");
        }
    }

    #[tokio::test]
    async fn a_known_user_who_forgot_their_password_is_migrated_with_a_verified_email() {
        let get = directory();
        let client = mock_dynamodb(&get);

        let answer = handle(
            &client,
            TABLE,
            event("UserMigration_ForgotPassword", "bella", None),
        )
        .await
        .expect("answered");

        let response = response(&answer);
        assert_eq!(response["userAttributes"]["email"], "bella@example.com");
        assert_eq!(response["userAttributes"]["email_verified"], "true");
        assert_eq!(response["messageAction"], "SUPPRESS");
        // No status: Cognito keeps such a user RESET_REQUIRED until the reset.
        assert_eq!(response["finalUserStatus"], serde_json::Value::Null);
    }

    #[tokio::test]
    async fn the_user_name_is_the_key_looked_up() {
        let get = mock!(Client::get_item)
            .match_requests(|req| {
                req.key().and_then(|key| key.get(USERNAME_KEY))
                    == Some(&AttributeValue::S("carlos".into()))
            })
            .then_output(|| GetItemOutput::builder().build());
        let client = mock_dynamodb(&get);

        let decision = decide(
            &client,
            TABLE,
            &event("UserMigration_Authentication", "carlos", Some(PASSWORD)),
        )
        .await
        .expect("decided");

        assert_eq!(decision, Decision::UnknownUser);
        assert_eq!(get.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_failed_lookup_fails_the_invocation() {
        let get = mock!(Client::get_item).then_error(|| {
            GetItemError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: dynamodb:GetItem")
                    .build(),
            )
        });
        let client = mock_dynamodb(&get);

        let err = handle(
            &client,
            TABLE,
            event("UserMigration_Authentication", "bella", Some(PASSWORD)),
        )
        .await
        .unwrap_err();

        assert_eq!(
            err.to_string(),
            "Looking up the user in table legacy-users failed: \
             AccessDeniedException: not authorized to perform: dynamodb:GetItem"
        );
        assert_eq!(
            lambda_runtime::Diagnostic::from(err).error_type,
            "LookupFailed"
        );
    }

    #[test]
    fn log_lines_name_the_user_and_the_decision_never_the_password() {
        let line = log_line(
            "bella",
            &Decision::SignIn {
                email: "bella@example.com".into(),
            },
        );
        assert_eq!(
            line,
            "Migration of bella: legacy user, password matches: migrated, CONFIRMED"
        );
        for decision in [
            Decision::WrongPassword,
            Decision::UnknownUser,
            Decision::ForgotPassword { email: "e".into() },
        ] {
            assert!(!log_line("bella", &decision).contains(PASSWORD));
        }
    }
}
