//! A Cognito PostAuthentication trigger that keeps an activity log: every
//! time a user signs in, Cognito calls the function after the sign-in
//! succeeded, and the function writes one item to a DynamoDB table:
//!
//! | attribute       | what                                             |
//! |-----------------|--------------------------------------------------|
//! | `UserSub`       | partition key: the user's `sub`, which never changes |
//! | `SignedInAt`    | sort key: the time, `2026-01-31T12:00:00.123Z`    |
//! | `UserName`      | the user name                                    |
//! | `ClientId`      | the app client the user signed in through        |
//! | `TriggerSource` | `PostAuthentication_Authentication`              |
//!
//! The times are ISO 8601 in UTC with milliseconds, so they sort as text in
//! time order: a Query on one `UserSub` lists that user's sign-ins in order.
//! The partition key is the `sub`, not the user name, because a name can be
//! given to another user after the first one is deleted; a `sub` never is.
//!
//! The function reads the table's name from `TABLE_NAME`. Its role needs
//! `dynamodb:PutItem` on that table, and permission to write its logs.
//!
//! A write that fails fails the invocation, so Cognito refuses the sign-in
//! (`UserLambdaValidationException`): a sign-in that cannot be logged does
//! not happen, and a broken setup shows at once.

use std::fmt;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostAuthentication;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};

/// The event Cognito sends after a successful sign-in, and the answer.
pub type PostAuthenticationEvent = CognitoEventUserPoolsPostAuthentication;

/// The table's partition key: the user's `sub`.
pub const SUB_KEY: &str = "UserSub";
/// The table's sort key: when the user signed in.
pub const TIME_KEY: &str = "SignedInAt";
/// The other attributes of an item.
pub const USERNAME_ATTRIBUTE: &str = "UserName";
pub const CLIENT_ID_ATTRIBUTE: &str = "ClientId";
pub const TRIGGER_SOURCE_ATTRIBUTE: &str = "TriggerSource";

/// One sign-in, as the table stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub sub: String,
    pub signed_in_at: String,
    pub username: String,
    pub client_id: String,
    pub trigger_source: String,
}

/// The event lacks something the log needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable(pub String);

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The sign-in `event` reports, at `now`. Every sign-in has a user whose
/// `sub` Cognito sends in `userAttributes`; without it there is no key.
pub fn sign_in(event: &PostAuthenticationEvent, now: DateTime<Utc>) -> Result<SignIn, Unusable> {
    let header = &event.cognito_event_user_pools_header;
    let sub = event
        .request
        .user_attributes
        .get("sub")
        .filter(|sub| !sub.is_empty())
        .ok_or_else(|| Unusable("The event has no sub in its userAttributes.".into()))?;
    let trigger_source = header
        .trigger_source
        .as_ref()
        .and_then(|source| serde_json::to_value(source).ok())
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| "(none)".into());
    Ok(SignIn {
        sub: sub.clone(),
        signed_in_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        username: header.user_name.clone().unwrap_or_default(),
        client_id: header.caller_context.client_id.clone().unwrap_or_default(),
        trigger_source,
    })
}

// snippet-start:[rust.cross-service.activity-log.PutItem]
/// Writes one sign-in to the table.
pub async fn put_sign_in(
    client: &Client,
    table_name: &str,
    sign_in: &SignIn,
) -> Result<(), SdkError<PutItemError>> {
    client
        .put_item()
        .table_name(table_name)
        .item(SUB_KEY, AttributeValue::S(sign_in.sub.clone()))
        .item(TIME_KEY, AttributeValue::S(sign_in.signed_in_at.clone()))
        .item(
            USERNAME_ATTRIBUTE,
            AttributeValue::S(sign_in.username.clone()),
        )
        .item(
            CLIENT_ID_ATTRIBUTE,
            AttributeValue::S(sign_in.client_id.clone()),
        )
        .item(
            TRIGGER_SOURCE_ATTRIBUTE,
            AttributeValue::S(sign_in.trigger_source.clone()),
        )
        .send()
        .await?;
    Ok(())
}
// snippet-end:[rust.cross-service.activity-log.PutItem]

/// Why the invocation failed.
#[derive(Debug)]
pub struct NotLogged(String);

impl fmt::Display for NotLogged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotLogged {}

impl From<NotLogged> for lambda_runtime::Diagnostic {
    fn from(err: NotLogged) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "NotLogged".to_string(),
            error_message: err.0,
        }
    }
}

/// The whole function: write the sign-in, log a line about it on standard
/// output (the function's CloudWatch Logs group), and return the event
/// unchanged (a PostAuthentication trigger has nothing to answer).
pub async fn handle(
    client: &Client,
    table_name: &str,
    event: PostAuthenticationEvent,
    now: DateTime<Utc>,
) -> Result<PostAuthenticationEvent, NotLogged> {
    let username = event
        .cognito_event_user_pools_header
        .user_name
        .clone()
        .unwrap_or_default();
    let outcome = match sign_in(&event, now) {
        Ok(sign_in) => put_sign_in(client, table_name, &sign_in)
            .await
            .map(|()| sign_in)
            .map_err(|err| {
                NotLogged(format!(
                    "Writing the sign-in to table {table_name} failed: {}",
                    describe(&err)
                ))
            }),
        Err(err) => Err(NotLogged(err.0)),
    };
    match outcome {
        Ok(sign_in) => {
            println!("{}", log_line(&sign_in));
            Ok(event)
        }
        Err(err) => {
            println!("Sign-in of {username}: {err}");
            Err(err)
        }
    }
}

/// The line the function logs for a sign-in it wrote.
pub fn log_line(sign_in: &SignIn) -> String {
    format!(
        "Sign-in of {}: logged at {} ({}, app client {})",
        sign_in.username, sign_in.signed_in_at, sign_in.trigger_source, sign_in.client_id
    )
}

/// A service error as `Code: message`; anything else with its full context.
fn describe(err: &SdkError<PutItemError>) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(err).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_types::error::ErrorMetadata;
    use chrono::TimeZone;

    const TABLE: &str = "activity";

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

    fn event(sub: Option<&str>) -> PostAuthenticationEvent {
        let mut attributes = serde_json::Map::new();
        attributes.insert("email".into(), "ana@example.com".into());
        if let Some(sub) = sub {
            attributes.insert("sub".into(), sub.into());
        }
        serde_json::from_value(serde_json::json!({
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_example",
            "userName": "ana",
            "callerContext": {"awsSdkVersion": "aws-sdk-rust", "clientId": "client123"},
            "triggerSource": "PostAuthentication_Authentication",
            "request": {"userAttributes": attributes, "newDeviceUsed": false},
            "response": {}
        }))
        .expect("a PostAuthentication event")
    }

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).unwrap() + chrono::Duration::milliseconds(7)
    }

    fn s(value: &str) -> AttributeValue {
        AttributeValue::S(value.into())
    }

    #[test]
    fn a_sign_in_has_the_sub_a_sortable_time_the_name_client_and_source() {
        assert_eq!(
            sign_in(&event(Some("1111-2222")), noon()),
            Ok(SignIn {
                sub: "1111-2222".into(),
                signed_in_at: "2026-01-31T12:00:00.007Z".into(),
                username: "ana".into(),
                client_id: "client123".into(),
                trigger_source: "PostAuthentication_Authentication".into(),
            })
        );
        // Text order is time order, also across a change of the day or year.
        let earlier = sign_in(&event(Some("s")), noon()).unwrap().signed_in_at;
        let later = sign_in(&event(Some("s")), noon() + chrono::Duration::days(400))
            .unwrap()
            .signed_in_at;
        assert!(earlier < later);
        assert!(sign_in(&event(None), noon()).is_err());
    }

    #[tokio::test]
    async fn every_sign_in_is_put_with_its_keys_and_the_event_goes_back_unchanged() {
        let put = mock!(Client::put_item)
            .match_requests(|req| {
                let item = req.item().expect("an item");
                req.table_name() == Some(TABLE)
                    && item.get(SUB_KEY) == Some(&s("1111-2222"))
                    && item.get(TIME_KEY) == Some(&s("2026-01-31T12:00:00.007Z"))
                    && item.get(USERNAME_ATTRIBUTE) == Some(&s("ana"))
                    && item.get(CLIENT_ID_ATTRIBUTE) == Some(&s("client123"))
                    && item.get(TRIGGER_SOURCE_ATTRIBUTE)
                        == Some(&s("PostAuthentication_Authentication"))
                    && item.len() == 5
            })
            .then_output(|| PutItemOutput::builder().build());
        let client = mock_dynamodb(&put);
        let sent = event(Some("1111-2222"));

        let answer = handle(&client, TABLE, sent.clone(), noon())
            .await
            .expect("logged");

        assert_eq!(put.num_calls(), 1);
        assert_eq!(answer, sent);
    }

    #[tokio::test]
    async fn a_failed_write_or_an_event_without_sub_fails_the_invocation() {
        let put = mock!(Client::put_item).then_error(|| {
            PutItemError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: dynamodb:PutItem")
                    .build(),
            )
        });
        let client = mock_dynamodb(&put);

        let err = handle(&client, TABLE, event(Some("s")), noon())
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Writing the sign-in to table activity failed: \
             AccessDeniedException: not authorized to perform: dynamodb:PutItem"
        );
        assert_eq!(
            lambda_runtime::Diagnostic::from(err).error_type,
            "NotLogged"
        );

        let err = handle(&client, TABLE, event(None), noon())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no sub"), "{err}");
        assert_eq!(put.num_calls(), 1, "nothing written without a key");
    }

    #[test]
    fn the_log_line_names_user_time_source_and_client() {
        let line = log_line(&sign_in(&event(Some("s")), noon()).unwrap());
        assert_eq!(
            line,
            "Sign-in of ana: logged at 2026-01-31T12:00:00.007Z \
             (PostAuthentication_Authentication, app client client123)"
        );
    }
}
