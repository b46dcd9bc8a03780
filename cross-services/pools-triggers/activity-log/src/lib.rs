//! The activity-log scenario's own calls: the DynamoDB table of sign-ins,
//! which the PostAuthentication function (`activity-log-handler`) writes and
//! the scenario reads back. Deploying the function and removing everything
//! again is the `trigger-deployment` crate's.
//!
//! The table: partition key `UserSub` (the user's `sub`), sort key
//! `SignedInAt` (ISO 8601 time in UTC with milliseconds, which sorts as text
//! in time order); each item also has `UserName`, `ClientId` and
//! `TriggerSource`.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::create_table::{CreateTableError, CreateTableOutput};
use aws_sdk_dynamodb::operation::query::QueryError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};

/// The partition key: the user's `sub`.
pub const SUB_KEY: &str = "UserSub";
/// The sort key: when the user signed in.
pub const TIME_KEY: &str = "SignedInAt";
pub const USERNAME_ATTRIBUTE: &str = "UserName";
pub const CLIENT_ID_ATTRIBUTE: &str = "ClientId";
pub const TRIGGER_SOURCE_ATTRIBUTE: &str = "TriggerSource";

// snippet-start:[rust.cross-service.activity-log.CreateTable]
/// Creates the activity table: partition key `UserSub`, sort key
/// `SignedInAt` (both strings), billed per request.
///
/// The table is `CREATING` when this returns; wait for it with
/// `trigger_deployment::table::wait_for_table` before anyone writes to it.
pub async fn create_table(
    client: &Client,
    table_name: &str,
) -> Result<CreateTableOutput, SdkError<CreateTableError>> {
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .expect("name and key type are set")
    };
    let string = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("name and type are set")
    };
    client
        .create_table()
        .table_name(table_name)
        .key_schema(key(SUB_KEY, KeyType::Hash))
        .key_schema(key(TIME_KEY, KeyType::Range))
        .attribute_definitions(string(SUB_KEY))
        .attribute_definitions(string(TIME_KEY))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
}
// snippet-end:[rust.cross-service.activity-log.CreateTable]

/// One sign-in, as read back from the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedSignIn {
    pub signed_in_at: String,
    pub username: String,
    pub client_id: String,
    pub trigger_source: String,
}

/// At most this many pages are read: a scenario's user signs in a few times.
const MAX_PAGES: usize = 20;

// snippet-start:[rust.cross-service.activity-log.Query]
/// One user's sign-ins, oldest first: a Query on the partition key `sub`,
/// which DynamoDB answers in sort-key (time) order. Strongly consistent, so
/// a sign-in logged just before is in it. Follows `LastEvaluatedKey` through
/// the pages.
pub async fn sign_ins(
    client: &Client,
    table_name: &str,
    sub: &str,
) -> Result<Vec<LoggedSignIn>, SdkError<QueryError>> {
    let mut found = Vec::new();
    let mut start = None;
    for _ in 0..MAX_PAGES {
        let page = client
            .query()
            .table_name(table_name)
            .key_condition_expression("#sub = :sub")
            .expression_attribute_names("#sub", SUB_KEY)
            .expression_attribute_values(":sub", AttributeValue::S(sub.to_string()))
            .scan_index_forward(true)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        let text = |item: &std::collections::HashMap<String, AttributeValue>, name: &str| {
            item.get(name)
                .and_then(|value| value.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        found.extend(page.items().iter().map(|item| LoggedSignIn {
            signed_in_at: text(item, TIME_KEY),
            username: text(item, USERNAME_ATTRIBUTE),
            client_id: text(item, CLIENT_ID_ATTRIBUTE),
            trigger_source: text(item, TRIGGER_SOURCE_ATTRIBUTE),
        }));
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }
    Ok(found)
}
// snippet-end:[rust.cross-service.activity-log.Query]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::query::QueryOutput;
    use aws_smithy_mocks::mock;
    use trigger_deployment::test_clients::mock_dynamodb;

    fn item(time: &str) -> std::collections::HashMap<String, AttributeValue> {
        [
            (SUB_KEY, "sub-1"),
            (TIME_KEY, time),
            (USERNAME_ATTRIBUTE, "ana"),
            (CLIENT_ID_ATTRIBUTE, "client123"),
            (
                TRIGGER_SOURCE_ATTRIBUTE,
                "PostAuthentication_Authentication",
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), AttributeValue::S(value.into())))
        .collect()
    }

    #[tokio::test]
    async fn the_table_is_keyed_by_sub_and_time() {
        let create = mock!(Client::create_table)
            .match_requests(|req| {
                let keys: Vec<_> = req
                    .key_schema()
                    .iter()
                    .map(|key| (key.attribute_name(), key.key_type().clone()))
                    .collect();
                req.table_name() == Some("activity")
                    && keys == [(SUB_KEY, KeyType::Hash), (TIME_KEY, KeyType::Range)]
                    && req.attribute_definitions().len() == 2
                    && req.billing_mode() == Some(&BillingMode::PayPerRequest)
            })
            .then_output(|| CreateTableOutput::builder().build());
        let client = mock_dynamodb(&[&create]);

        create_table(&client, "activity").await.expect("created");
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn one_users_sign_ins_are_read_in_order_through_every_page() {
        let first = mock!(Client::query)
            .match_requests(|req| {
                req.table_name() == Some("activity")
                    && req
                        .expression_attribute_values()
                        .and_then(|v| v.get(":sub"))
                        == Some(&AttributeValue::S("sub-1".into()))
                    && req.scan_index_forward() == Some(true)
                    && req.exclusive_start_key().is_none()
            })
            .then_output(|| {
                QueryOutput::builder()
                    .items(item("2026-01-31T12:00:00.001Z"))
                    .last_evaluated_key(SUB_KEY, AttributeValue::S("sub-1".into()))
                    .build()
            });
        let second = mock!(Client::query)
            .match_requests(|req| req.exclusive_start_key().is_some())
            .then_output(|| {
                QueryOutput::builder()
                    .items(item("2026-01-31T12:00:05.000Z"))
                    .build()
            });
        let client = mock_dynamodb(&[&first, &second]);

        let found = sign_ins(&client, "activity", "sub-1").await.expect("read");

        assert_eq!(
            found
                .iter()
                .map(|s| s.signed_in_at.as_str())
                .collect::<Vec<_>>(),
            ["2026-01-31T12:00:00.001Z", "2026-01-31T12:00:05.000Z"]
        );
        assert_eq!(found[0].username, "ana");
        assert_eq!(found[0].trigger_source, "PostAuthentication_Authentication");
        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    }
}
