//! The DynamoDB table of known users: the people whom the function confirms
//! without a code. Partition key `UserEmail`; each item also has `UserName`.
//! Waiting for the new table and deleting it are `trigger_deployment::table`'s.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, SdkError};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
use aws_sdk_dynamodb::operation::create_table::{CreateTableError, CreateTableOutput};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, WriteRequest,
};
use trigger_deployment::table;

/// The table's partition key: the user's email address.
pub const EMAIL_KEY: &str = "UserEmail";
/// The attribute with the user's username.
pub const USERNAME_ATTRIBUTE: &str = "UserName";

/// One person the function will confirm without a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownUser {
    pub username: String,
    pub email: String,
}

impl KnownUser {
    pub fn new(username: &str, email: &str) -> Self {
        KnownUser {
            username: username.to_string(),
            email: email.to_string(),
        }
    }
}

// snippet-start:[rust.cross-service.auto-confirm.CreateTable]
/// Creates the table of known users, keyed by email address
/// (`UserEmail`, a string), billed per request: an idle table costs nothing
/// but its storage.
///
/// The table is `CREATING` when this returns; wait for it with
/// [`table::wait_for_table`] before writing to it.
pub async fn create_table(
    client: &Client,
    table_name: &str,
) -> Result<CreateTableOutput, SdkError<CreateTableError>> {
    let key = KeySchemaElement::builder()
        .attribute_name(EMAIL_KEY)
        .key_type(KeyType::Hash)
        .build()
        .expect("name and key type are set");
    let key_type = AttributeDefinition::builder()
        .attribute_name(EMAIL_KEY)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("name and type are set");
    client
        .create_table()
        .table_name(table_name)
        .key_schema(key)
        .attribute_definitions(key_type)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
}
// snippet-end:[rust.cross-service.auto-confirm.CreateTable]

/// One `PutRequest` for BatchWriteItem: the user's email and username.
pub fn put_request(user: &KnownUser) -> Result<WriteRequest, BuildError> {
    let put = PutRequest::builder()
        .item(EMAIL_KEY, AttributeValue::S(user.email.clone()))
        .item(USERNAME_ATTRIBUTE, AttributeValue::S(user.username.clone()))
        .build()?;
    Ok(WriteRequest::builder().put_request(put).build())
}

// snippet-start:[rust.cross-service.auto-confirm.BatchWriteItem]
/// Puts `users` into the table with BatchWriteItem; what DynamoDB hands back
/// unprocessed is sent again, up to `attempts` times in all (see
/// [`table::write_items`]). Returns how many were still unprocessed at the end.
pub async fn put_known_users(
    client: &Client,
    table_name: &str,
    users: &[KnownUser],
    attempts: u32,
) -> Result<usize, SdkError<BatchWriteItemError>> {
    let requests = users
        .iter()
        .map(put_request)
        .collect::<Result<Vec<_>, _>>()
        .expect("every item has its key");
    table::write_items(client, table_name, requests, attempts).await
}
// snippet-end:[rust.cross-service.auto-confirm.BatchWriteItem]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
    use aws_sdk_dynamodb::operation::create_table::CreateTableOutput;
    use aws_sdk_dynamodb::types::TableDescription;
    use aws_smithy_mocks::mock;
    use trigger_deployment::test_clients::mock_dynamodb;

    fn users() -> Vec<KnownUser> {
        vec![
            KnownUser::new("alice", "alice@example.com"),
            KnownUser::new("bob", "bob@example.com"),
        ]
    }

    fn item_of(request: &WriteRequest) -> (String, String) {
        let item = request.put_request().expect("a put").item();
        (
            item[EMAIL_KEY].as_s().expect("a string").clone(),
            item[USERNAME_ATTRIBUTE].as_s().expect("a string").clone(),
        )
    }

    #[tokio::test]
    async fn the_table_is_keyed_by_email_and_billed_per_request() {
        let create = mock!(aws_sdk_dynamodb::Client::create_table)
            .match_requests(|req| {
                let (Some(key), Some(attribute)) = (
                    req.key_schema().first(),
                    req.attribute_definitions().first(),
                ) else {
                    return false;
                };
                req.table_name() == Some("known-users")
                    && req.key_schema().len() == 1
                    && key.attribute_name() == EMAIL_KEY
                    && key.key_type() == &KeyType::Hash
                    && attribute.attribute_name() == EMAIL_KEY
                    && attribute.attribute_type() == &ScalarAttributeType::S
                    && req.billing_mode() == Some(&BillingMode::PayPerRequest)
            })
            .then_output(|| {
                CreateTableOutput::builder()
                    .table_description(
                        TableDescription::builder()
                            .table_arn("arn:aws:dynamodb:us-east-1:111122223333:table/known-users")
                            .build(),
                    )
                    .build()
            });
        let client = mock_dynamodb(&[&create]);

        let created = create_table(&client, "known-users").await.expect("created");

        assert_eq!(create.num_calls(), 1);
        assert!(
            created
                .table_description()
                .and_then(|t| t.table_arn())
                .is_some()
        );
    }

    #[tokio::test]
    async fn every_user_is_put_with_email_and_username() {
        let write = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .match_requests(|req| {
                let requests = &req.request_items().unwrap()["known-users"];
                requests.iter().map(item_of).collect::<Vec<_>>()
                    == vec![
                        ("alice@example.com".to_string(), "alice".to_string()),
                        ("bob@example.com".to_string(), "bob".to_string()),
                    ]
            })
            .then_output(|| BatchWriteItemOutput::builder().build());
        let client = mock_dynamodb(&[&write]);

        let left = put_known_users(&client, "known-users", &users(), 3)
            .await
            .expect("written");

        assert_eq!(left, 0);
        assert_eq!(write.num_calls(), 1);
    }

    #[tokio::test]
    async fn unprocessed_items_are_sent_again() {
        // The first answer leaves bob unprocessed; the second call must carry only bob.
        let partly = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .match_requests(|req| req.request_items().unwrap()["known-users"].len() == 2)
            .then_output(|| {
                BatchWriteItemOutput::builder()
                    .unprocessed_items(
                        "known-users",
                        vec![put_request(&KnownUser::new("bob", "bob@example.com")).unwrap()],
                    )
                    .build()
            });
        let rest = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .match_requests(|req| {
                let requests = &req.request_items().unwrap()["known-users"];
                requests.iter().map(item_of).collect::<Vec<_>>()
                    == vec![("bob@example.com".to_string(), "bob".to_string())]
            })
            .then_output(|| BatchWriteItemOutput::builder().build());
        let client = mock_dynamodb(&[&partly, &rest]);

        let left = put_known_users(&client, "known-users", &users(), 3)
            .await
            .expect("written");

        assert_eq!(left, 0);
        assert_eq!((partly.num_calls(), rest.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn what_stays_unprocessed_after_the_last_attempt_is_counted() {
        let never = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| {
            BatchWriteItemOutput::builder()
                .unprocessed_items(
                    "known-users",
                    vec![put_request(&KnownUser::new("bob", "bob@example.com")).unwrap()],
                )
                .build()
        });
        let client = mock_dynamodb(&[&never]);

        let left = put_known_users(&client, "known-users", &users(), 2)
            .await
            .expect("answered");

        assert_eq!(left, 1);
        assert_eq!(never.num_calls(), 2);
    }
}
