//! The migrate-legacy-users scenario's own calls: the legacy directory, a
//! DynamoDB table the UserMigration function (`migrate-legacy-users-handler`)
//! reads. Partition key `UserName`; each item also has `Email` and
//! `PasswordHash`, a salted PBKDF2 hash (the handler's `password` module):
//! the table never holds a password. Deploying the function and removing
//! everything again is the `trigger-deployment` crate's.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
use aws_sdk_dynamodb::operation::create_table::{CreateTableError, CreateTableOutput};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, WriteRequest,
};
use migrate_legacy_users_handler::password;
use migrate_legacy_users_handler::{EMAIL_ATTRIBUTE, PASSWORD_HASH_ATTRIBUTE, USERNAME_KEY};
use rand::RngCore;
use trigger_deployment::table;

/// A user of the legacy directory, with the password they know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUser {
    pub username: String,
    pub email: String,
    pub password: String,
}

// snippet-start:[rust.cross-service.migrate-legacy-users.CreateTable]
/// Creates the legacy directory, keyed by user name (`UserName`, a string),
/// billed per request.
///
/// The table is `CREATING` when this returns; wait for it with
/// `trigger_deployment::table::wait_for_table` before writing to it.
pub async fn create_table(
    client: &Client,
    table_name: &str,
) -> Result<CreateTableOutput, SdkError<CreateTableError>> {
    let key = KeySchemaElement::builder()
        .attribute_name(USERNAME_KEY)
        .key_type(KeyType::Hash)
        .build()
        .expect("name and key type are set");
    let key_type = AttributeDefinition::builder()
        .attribute_name(USERNAME_KEY)
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
// snippet-end:[rust.cross-service.migrate-legacy-users.CreateTable]

/// One `PutRequest` for BatchWriteItem: name, email, and the password hashed
/// with a fresh random salt, `iterations` times.
pub fn put_request(user: &LegacyUser, iterations: u32) -> WriteRequest {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let put = PutRequest::builder()
        .item(USERNAME_KEY, AttributeValue::S(user.username.clone()))
        .item(EMAIL_ATTRIBUTE, AttributeValue::S(user.email.clone()))
        .item(
            PASSWORD_HASH_ATTRIBUTE,
            AttributeValue::S(password::hash(&user.password, &salt, iterations)),
        )
        .build()
        .expect("every item has its key");
    WriteRequest::builder().put_request(put).build()
}

// snippet-start:[rust.cross-service.migrate-legacy-users.BatchWriteItem]
/// Puts `users` into the legacy directory, each password as a salted hash
/// ([`password::ITERATIONS`] iterations). Returns how many DynamoDB still had
/// not taken after `attempts` tries (see `table::write_items`).
pub async fn put_legacy_users(
    client: &Client,
    table_name: &str,
    users: &[LegacyUser],
    attempts: u32,
) -> Result<usize, SdkError<BatchWriteItemError>> {
    let requests = users
        .iter()
        .map(|user| put_request(user, password::ITERATIONS))
        .collect();
    table::write_items(client, table_name, requests, attempts).await
}
// snippet-end:[rust.cross-service.migrate-legacy-users.BatchWriteItem]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
    use aws_sdk_dynamodb::operation::create_table::CreateTableOutput;
    use aws_smithy_mocks::mock;
    use trigger_deployment::test_clients::mock_dynamodb;

    fn bella() -> LegacyUser {
        LegacyUser {
            username: "bella".into(),
            email: "bella@example.com".into(),
            password: "Old-Secret-1".into(),
        }
    }

    #[test]
    fn an_item_holds_a_salted_hash_that_verifies_and_never_the_password() {
        let first = put_request(&bella(), 1_000);
        let item = first.put_request().expect("a put").item();
        let stored = item[PASSWORD_HASH_ATTRIBUTE].as_s().expect("a string");
        assert!(password::verify("Old-Secret-1", stored));
        assert!(!password::verify("Old-Secret-2", stored));
        assert!(
            item.values()
                .all(|value| value.as_s().map_or(true, |s| !s.contains("Old-Secret")))
        );
        assert_eq!(item[USERNAME_KEY].as_s().unwrap(), "bella");
        assert_eq!(item[EMAIL_ATTRIBUTE].as_s().unwrap(), "bella@example.com");
        // A fresh salt every time: the same password, another hash.
        let second = put_request(&bella(), 1_000);
        assert_ne!(
            second.put_request().unwrap().item()[PASSWORD_HASH_ATTRIBUTE],
            item[PASSWORD_HASH_ATTRIBUTE]
        );
    }

    #[tokio::test]
    async fn the_table_is_keyed_by_user_name_and_the_users_are_put_at_once() {
        let create = mock!(Client::create_table)
            .match_requests(|req| {
                req.key_schema().len() == 1
                    && req.key_schema()[0].attribute_name() == USERNAME_KEY
                    && req.billing_mode() == Some(&BillingMode::PayPerRequest)
            })
            .then_output(|| CreateTableOutput::builder().build());
        let write = mock!(Client::batch_write_item)
            .match_requests(|req| req.request_items().unwrap()["legacy"].len() == 2)
            .then_output(|| BatchWriteItemOutput::builder().build());
        let client = mock_dynamodb(&[&create, &write]);

        create_table(&client, "legacy").await.expect("created");
        let mut carlos = bella();
        carlos.username = "carlos".into();
        let left = put_legacy_users(&client, "legacy", &[bella(), carlos], 3)
            .await
            .expect("written");

        assert_eq!(left, 0);
        assert_eq!((create.num_calls(), write.num_calls()), (1, 1));
    }
}
