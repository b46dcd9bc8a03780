//! DynamoDB through the real aws-sdk-dynamodb client: the table lifecycle
//! (with the SDK's own `table_exists` waiter), every AttributeValue type,
//! writes, reads, expressions, indexes, typed errors and validation messages.

use crate::service_client;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb as dynamodb;
use dynamodb::client::Waiters;
use dynamodb::config::{AsyncSleep, Sleep};
use dynamodb::error::ProvideErrorMetadata;
use dynamodb::primitives::Blob;
use dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, PutRequest, ReturnValue,
    ScalarAttributeType, Select, TableStatus, WriteRequest,
};

/// Sleeps a hundredth of what the SDK asks (the waiter's 20 s become 200 ms)
/// and counts the sleeps.
#[derive(Debug, Clone, Default)]
struct FastSleep(Arc<AtomicUsize>);

impl AsyncSleep for FastSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        self.0.fetch_add(1, Ordering::SeqCst);
        Sleep::new(tokio::time::sleep(duration / 100))
    }
}

fn fast_client(endpoint: &str, sleep: FastSleep) -> dynamodb::Client {
    let config = dynamodb::config::Builder::new()
        .behavior_version(dynamodb::config::BehaviorVersion::latest())
        .region(dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(dynamodb::config::Credentials::new(
            "AKIDEXAMPLE",
            "not-a-secret",
            None,
            None,
            "tests",
        ))
        .sleep_impl(sleep)
        .build();
    dynamodb::Client::from_conf(config)
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: &str) -> AttributeValue {
    AttributeValue::N(value.to_owned())
}

fn key_element(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .unwrap()
}

fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()
        .unwrap()
}

/// A pay-per-request table keyed by `pk` (S) and, if `sort` is set, `sk` (N);
/// waits until it is ACTIVE.
async fn table(client: &dynamodb::Client, name: &str, sort: bool) {
    let mut create = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("pk", KeyType::Hash))
        .attribute_definitions(definition("pk", ScalarAttributeType::S));
    if sort {
        create = create
            .key_schema(key_element("sk", KeyType::Range))
            .attribute_definitions(definition("sk", ScalarAttributeType::N));
    }
    create.send().await.expect("CreateTable");
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(Duration::from_secs(30))
        .await
        .expect("table becomes ACTIVE");
}

#[tokio::test]
async fn the_table_exists_waiter_sees_creating_then_active() {
    let emulator = service_client::emulator().await;
    let sleep = FastSleep::default();
    let client = fast_client(&emulator.endpoint(), sleep.clone());
    let created = client
        .create_table()
        .table_name("Music")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("Artist", KeyType::Hash))
        .key_schema(key_element("SongTitle", KeyType::Range))
        .attribute_definitions(definition("Artist", ScalarAttributeType::S))
        .attribute_definitions(definition("SongTitle", ScalarAttributeType::S))
        .send()
        .await
        .expect("CreateTable");
    let description = created.table_description().unwrap();
    assert_eq!(description.table_status(), Some(&TableStatus::Creating));
    assert_eq!(
        description.table_arn(),
        Some("arn:aws:dynamodb:us-east-1:000000000000:table/Music")
    );

    // Items cannot be written before the table is ACTIVE.
    let err = client
        .put_item()
        .table_name("Music")
        .item("Artist", s("a"))
        .item("SongTitle", s("b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");

    let done = client
        .wait_until_table_exists()
        .table_name("Music")
        .wait(Duration::from_secs(30))
        .await
        .expect("waiter succeeds");
    let output = done
        .as_result()
        .expect("final poll is a DescribeTable output");
    assert_eq!(
        output.table().unwrap().table_status(),
        Some(&TableStatus::Active)
    );
    assert!(
        sleep.0.load(Ordering::SeqCst) >= 1,
        "the waiter polled at least twice (saw CREATING first)"
    );
    let billing = output.table().unwrap().billing_mode_summary().unwrap();
    assert_eq!(billing.billing_mode(), Some(&BillingMode::PayPerRequest));
    emulator.stop().await;
}

#[tokio::test]
async fn every_attribute_value_type_round_trips() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Everything", false).await;
    let mut nested = HashMap::new();
    nested.insert("nested".to_owned(), n("1"));
    nested.insert("flag".to_owned(), AttributeValue::Bool(false));
    client
        .put_item()
        .table_name("Everything")
        .item("pk", s("item-1"))
        .item("text", s(""))
        .item("number", n("012.50"))
        .item("big", n("-1.2345678901234567890123456789012345678E+100"))
        .item("binary", AttributeValue::B(Blob::new(vec![0u8, 1, 255])))
        .item("yes", AttributeValue::Bool(true))
        .item("nothing", AttributeValue::Null(true))
        .item("strings", AttributeValue::Ss(vec!["b".into(), "a".into()]))
        .item(
            "numbers",
            AttributeValue::Ns(vec!["1".into(), "2.0".into()]),
        )
        .item(
            "binaries",
            AttributeValue::Bs(vec![Blob::new(vec![1u8]), Blob::new(vec![2u8])]),
        )
        .item(
            "seq",
            AttributeValue::L(vec![s("x"), n("3"), AttributeValue::L(vec![])]),
        )
        .item("map", AttributeValue::M(nested.clone()))
        .send()
        .await
        .expect("PutItem");
    let got = client
        .get_item()
        .table_name("Everything")
        .key("pk", s("item-1"))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem");
    let item = got.item().expect("the item");
    assert_eq!(item["text"], s(""));
    // Numbers come back in DynamoDB's canonical form.
    assert_eq!(item["number"], n("12.5"));
    assert_eq!(
        item["big"].as_n().unwrap().len(),
        "-12345678901234567890123456789012345678".len() + 63
    );
    assert_eq!(
        item["binary"],
        AttributeValue::B(Blob::new(vec![0u8, 1, 255]))
    );
    assert_eq!(item["yes"], AttributeValue::Bool(true));
    assert_eq!(item["nothing"], AttributeValue::Null(true));
    let mut strings = item["strings"].as_ss().unwrap().clone();
    strings.sort();
    assert_eq!(strings, ["a", "b"]);
    assert_eq!(item["numbers"].as_ns().unwrap(), &["1", "2"]);
    assert_eq!(item["binaries"].as_bs().unwrap().len(), 2);
    assert_eq!(
        item["seq"],
        AttributeValue::L(vec![s("x"), n("3"), AttributeValue::L(vec![])])
    );
    assert_eq!(item["map"], AttributeValue::M(nested));

    let projected = client
        .get_item()
        .table_name("Everything")
        .key("pk", s("item-1"))
        .projection_expression("#m.nested, seq[0], yes")
        .expression_attribute_names("#m", "map")
        .send()
        .await
        .expect("GetItem");
    let item = projected.item().unwrap();
    assert_eq!(item.len(), 3, "{item:?}");
    assert_eq!(item["seq"], AttributeValue::L(vec![s("x")]));
    let mut only_nested = HashMap::new();
    only_nested.insert("nested".to_owned(), n("1"));
    assert_eq!(item["map"], AttributeValue::M(only_nested));

    let missing = client
        .get_item()
        .table_name("Everything")
        .key("pk", s("nobody"))
        .send()
        .await
        .expect("GetItem");
    assert!(missing.item().is_none());
    emulator.stop().await;
}

#[tokio::test]
async fn conditions_return_values_and_deletes() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Users", false).await;
    let put_new = |name: &str| {
        client
            .put_item()
            .table_name("Users")
            .item("pk", s(name))
            .item("visits", n("1"))
            .condition_expression("attribute_not_exists(pk)")
    };
    put_new("ana").send().await.expect("first put");
    let err = put_new("ana")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_conditional_check_failed_exception(), "{err:?}");
    assert_eq!(err.message(), Some("The conditional request failed"));

    let replaced = client
        .put_item()
        .table_name("Users")
        .item("pk", s("ana"))
        .item("visits", n("2"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("PutItem");
    assert_eq!(replaced.attributes().unwrap()["visits"], n("1"));

    let err = client
        .delete_item()
        .table_name("Users")
        .key("pk", s("ana"))
        .condition_expression("visits > :limit")
        .expression_attribute_values(":limit", n("5"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_conditional_check_failed_exception(), "{err:?}");
    let deleted = client
        .delete_item()
        .table_name("Users")
        .key("pk", s("ana"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("DeleteItem");
    assert_eq!(deleted.attributes().unwrap()["visits"], n("2"));
    let gone = client
        .get_item()
        .table_name("Users")
        .key("pk", s("ana"))
        .send()
        .await
        .expect("GetItem");
    assert!(gone.item().is_none());
    emulator.stop().await;
}

async fn seed(client: &dynamodb::Client) {
    table(client, "Events", true).await;
    let mut requests = Vec::new();
    for user in ["u1", "u2"] {
        for sk in 1..=10 {
            let item = PutRequest::builder()
                .item("pk", s(user))
                .item("sk", n(&sk.to_string()))
                .item("kind", s(if sk % 2 == 0 { "even" } else { "odd" }))
                .build()
                .unwrap();
            requests.push(WriteRequest::builder().put_request(item).build());
        }
    }
    for chunk in requests.chunks(25) {
        let out = client
            .batch_write_item()
            .request_items("Events", chunk.to_vec())
            .send()
            .await
            .expect("BatchWriteItem");
        assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()));
    }
}

fn sort_keys(items: &[HashMap<String, AttributeValue>]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["sk"].as_n().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn query_on_the_key_with_conditions_order_and_pages() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    seed(&client).await;

    let between = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :u AND sk BETWEEN :lo AND :hi")
        .expression_attribute_values(":u", s("u1"))
        .expression_attribute_values(":lo", n("3"))
        .expression_attribute_values(":hi", n("9"))
        .send()
        .await
        .expect("Query");
    // Numeric order, not string order (10 would sort before 3 as text).
    assert_eq!(
        sort_keys(between.items()),
        ["3", "4", "5", "6", "7", "8", "9"]
    );

    let newest = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :u AND sk > :after")
        .filter_expression("kind = :k")
        .expression_attribute_values(":u", s("u2"))
        .expression_attribute_values(":after", n("2"))
        .expression_attribute_values(":k", s("even"))
        .scan_index_forward(false)
        .send()
        .await
        .expect("Query");
    assert_eq!(sort_keys(newest.items()), ["10", "8", "6", "4"]);
    assert_eq!(newest.count(), 4);
    assert_eq!(newest.scanned_count(), 8);

    // Pages of three, following LastEvaluatedKey.
    let mut seen = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name("Events")
            .key_condition_expression("#p = :u")
            .expression_attribute_names("#p", "pk")
            .expression_attribute_values(":u", s("u1"))
            .limit(3)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("Query");
        seen.extend(sort_keys(page.items()));
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected);

    let count = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :u")
        .expression_attribute_values(":u", s("u2"))
        .select(Select::Count)
        .send()
        .await
        .expect("Query");
    assert_eq!(count.count(), 10);
    assert!(count.items().is_empty());

    // The SDK's paginator walks the same pages.
    let all: Vec<_> = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :u")
        .expression_attribute_values(":u", s("u2"))
        .limit(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("paginated Query");
    assert_eq!(all.len(), 10);
    emulator.stop().await;
}

#[tokio::test]
async fn query_and_expression_mistakes_are_validation_errors() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    seed(&client).await;
    let cases: Vec<(_, &str)> = vec![
        (
            client
                .query()
                .table_name("Events")
                .key_condition_expression("sk = :v")
                .expression_attribute_values(":v", n("1")),
            "Query condition missed key schema element: pk",
        ),
        (
            client
                .query()
                .table_name("Events")
                .key_condition_expression("pk = :v OR pk = :w")
                .expression_attribute_values(":v", s("u1"))
                .expression_attribute_values(":w", s("u2")),
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            client
                .query()
                .table_name("Events")
                .key_condition_expression("pk = :v")
                .expression_attribute_values(":v", n("1")),
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            client
                .query()
                .table_name("Events")
                .key_condition_expression("pk = :v")
                .filter_expression("status = :v")
                .expression_attribute_values(":v", s("u1")),
            "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status",
        ),
        (
            client
                .query()
                .table_name("Events")
                .key_condition_expression("pk = :v")
                .expression_attribute_values(":v", s("u1"))
                .expression_attribute_values(":unused", s("x")),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
        ),
        (
            client.query().table_name("Events"),
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ),
    ];
    for (request, message) in cases {
        let err = request.send().await.unwrap_err().into_service_error();
        assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
        assert_eq!(err.message(), Some(message));
    }
    emulator.stop().await;
}

#[tokio::test]
async fn scan_filters_and_pages() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    seed(&client).await;
    let odd = client
        .scan()
        .table_name("Events")
        .filter_expression("kind = :k AND sk >= :min")
        .expression_attribute_values(":k", s("odd"))
        .expression_attribute_values(":min", n("5"))
        .projection_expression("pk, sk")
        .send()
        .await
        .expect("Scan");
    assert_eq!(odd.count(), 6);
    assert_eq!(odd.scanned_count(), 20);
    assert!(
        odd.items()
            .iter()
            .all(|i| i.len() == 2 && !i.contains_key("kind"))
    );

    let pages: Vec<_> = client
        .scan()
        .table_name("Events")
        .limit(7)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("paginated Scan");
    assert_eq!(pages.len(), 3);
    let total: i32 = pages.iter().map(|p| p.count()).sum();
    assert_eq!(total, 20);

    // Two segments together cover the table exactly once.
    let mut segmented = 0;
    for segment in 0..2 {
        segmented += client
            .scan()
            .table_name("Events")
            .segment(segment)
            .total_segments(2)
            .send()
            .await
            .expect("Scan")
            .count();
    }
    assert_eq!(segmented, 20);
    emulator.stop().await;
}

#[tokio::test]
async fn batch_writes_delete_and_refuse_duplicates() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    seed(&client).await;
    let delete = |sk: &str| {
        WriteRequest::builder()
            .delete_request(
                DeleteRequest::builder()
                    .key("pk", s("u1"))
                    .key("sk", n(sk))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    client
        .batch_write_item()
        .request_items("Events", vec![delete("1"), delete("2")])
        .send()
        .await
        .expect("BatchWriteItem");
    let left = client
        .query()
        .table_name("Events")
        .key_condition_expression("pk = :u")
        .expression_attribute_values(":u", s("u1"))
        .send()
        .await
        .expect("Query");
    assert_eq!(left.count(), 8);

    let err = client
        .batch_write_item()
        .request_items("Events", vec![delete("3"), delete("3")])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("Provided list of item keys contains duplicates")
    );
    let err = client
        .batch_write_item()
        .request_items("Nowhere", vec![delete("3")])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let too_many: Vec<WriteRequest> = (0..26).map(|i| delete(&i.to_string())).collect();
    let err = client
        .batch_write_item()
        .request_items("Events", too_many)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn keys_are_validated_like_dynamodb() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Keys", true).await;
    let put_cases: Vec<(_, &str)> = vec![
        (
            client.put_item().table_name("Keys").item("pk", s("a")),
            "One or more parameter values were invalid: Missing the key sk in the item",
        ),
        (
            client
                .put_item()
                .table_name("Keys")
                .item("pk", n("1"))
                .item("sk", n("1")),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        ),
        (
            client
                .put_item()
                .table_name("Keys")
                .item("pk", s(""))
                .item("sk", n("1")),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
        ),
        (
            client
                .put_item()
                .table_name("Keys")
                .item("pk", s("a"))
                .item("sk", n("1"))
                .item("tags", AttributeValue::Ss(vec![])),
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            client
                .put_item()
                .table_name("Keys")
                .item("pk", s("a"))
                .item("sk", n("not-a-number")),
            "The parameter cannot be converted to a numeric value: not-a-number",
        ),
    ];
    for (request, message) in put_cases {
        let err = request.send().await.unwrap_err().into_service_error();
        assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
        assert_eq!(err.message(), Some(message));
    }
    for key in [
        vec![("pk", s("a"))],
        vec![("pk", s("a")), ("sk", s("1"))],
        vec![("pk", s("a")), ("sk", n("1")), ("extra", s("x"))],
        vec![("id", s("a")), ("sk", n("1"))],
    ] {
        let err = client
            .get_item()
            .table_name("Keys")
            .set_key(Some(
                key.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
        assert_eq!(
            err.message(),
            Some("The provided key element does not match the schema")
        );
    }
    emulator.stop().await;
}

#[tokio::test]
async fn tables_are_described_listed_and_deleted() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    let err = client
        .describe_table()
        .table_name("Nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Requested resource not found: Table: Nope not found")
    );
    table(&client, "First", false).await;
    table(&client, "Second", true).await;
    let err = client
        .create_table()
        .table_name("First")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("pk", KeyType::Hash))
        .attribute_definitions(definition("pk", ScalarAttributeType::S))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_in_use_exception(), "{err:?}");
    let listed = client
        .list_tables()
        .limit(1)
        .send()
        .await
        .expect("ListTables");
    assert_eq!(listed.table_names(), ["First"]);
    assert_eq!(listed.last_evaluated_table_name(), Some("First"));

    client
        .put_item()
        .table_name("First")
        .item("pk", s("x"))
        .send()
        .await
        .expect("PutItem");
    let described = client
        .describe_table()
        .table_name("First")
        .send()
        .await
        .expect("DescribeTable");
    assert_eq!(described.table().unwrap().item_count(), Some(1));

    let deleted = client
        .delete_table()
        .table_name("First")
        .send()
        .await
        .expect("DeleteTable");
    assert_eq!(
        deleted.table_description().unwrap().table_status(),
        Some(&TableStatus::Deleting)
    );
    let err = client
        .get_item()
        .table_name("First")
        .key("pk", s("x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let listed = client.list_tables().send().await.expect("ListTables");
    assert_eq!(listed.table_names(), ["Second"]);

    // Key schema mistakes.
    let err = client
        .create_table()
        .table_name("Bad")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("pk", KeyType::Hash))
        .attribute_definitions(definition("other", ScalarAttributeType::S))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert!(
        err.message()
            .unwrap()
            .contains("Some index key attributes are not defined in AttributeDefinitions"),
        "{err:?}"
    );
    let err = client
        .create_table()
        .table_name("Bad")
        .key_schema(key_element("pk", KeyType::Hash))
        .attribute_definitions(definition("pk", ScalarAttributeType::S))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
        )
    );
    let err = client
        .create_table()
        .table_name("x")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("pk", KeyType::Hash))
        .attribute_definitions(definition("pk", ScalarAttributeType::S))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message().unwrap().contains("Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
        "{err:?}"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn a_global_secondary_index_can_be_queried() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    client
        .create_table()
        .table_name("Orders")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element("id", KeyType::Hash))
        .attribute_definitions(definition("id", ScalarAttributeType::S))
        .attribute_definitions(definition("customer", ScalarAttributeType::S))
        .attribute_definitions(definition("total", ScalarAttributeType::N))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-customer")
                .key_schema(key_element("customer", KeyType::Hash))
                .key_schema(key_element("total", KeyType::Range))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::KeysOnly)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateTable");
    client
        .wait_until_table_exists()
        .table_name("Orders")
        .wait(Duration::from_secs(30))
        .await
        .expect("ACTIVE");
    for (id, customer, total) in [("o1", "c1", "30"), ("o2", "c1", "5"), ("o3", "c2", "7")] {
        client
            .put_item()
            .table_name("Orders")
            .item("id", s(id))
            .item("customer", s(customer))
            .item("total", n(total))
            .item("note", s("not projected"))
            .send()
            .await
            .expect("PutItem");
    }
    client
        .put_item()
        .table_name("Orders")
        .item("id", s("o4"))
        .send()
        .await
        .expect("an item without the index key");
    let out = client
        .query()
        .table_name("Orders")
        .index_name("by-customer")
        .key_condition_expression("customer = :c")
        .expression_attribute_values(":c", s("c1"))
        .send()
        .await
        .expect("Query on the index");
    let ids: Vec<&str> = out
        .items()
        .iter()
        .map(|i| i["id"].as_s().unwrap().as_str())
        .collect();
    assert_eq!(ids, ["o2", "o1"]);
    assert!(out.items().iter().all(|i| !i.contains_key("note")));
    let err = client
        .query()
        .table_name("Orders")
        .index_name("nope")
        .key_condition_expression("customer = :c")
        .expression_attribute_values(":c", s("c1"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    let scanned = client
        .scan()
        .table_name("Orders")
        .index_name("by-customer")
        .send()
        .await
        .expect("Scan on the index");
    assert_eq!(scanned.count(), 3);
    emulator.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_serialization_or_validation_errors() {
    let emulator = service_client::emulator().await;
    let endpoint = emulator.endpoint();
    for (action, body, code) in [
        ("ListTables", "{not json", "SerializationException"),
        (
            "DescribeTable",
            r#"{"TableName": 7}"#,
            "SerializationException",
        ),
        ("DescribeTable", r#"{}"#, "ValidationException"),
        (
            "CreateTable",
            r#"{"TableName":"abc","BillingMode":"PAY_PER_REQUEST"}"#,
            "ValidationException",
        ),
        (
            "GetItem",
            r#"{"TableName":"abc","Key":{"pk":{}}}"#,
            "ValidationException",
        ),
        ("Frobnicate", "{}", "UnknownOperationException"),
    ] {
        let response = service_client::json_call(
            &endpoint,
            &format!("DynamoDB_20120810.{action}"),
            "1.0",
            body,
        )
        .await;
        assert_eq!(response.status, 400, "{action}: {}", response.body);
        assert_eq!(
            response.json()["__type"],
            code,
            "{action}: {}",
            response.body
        );
        assert_eq!(
            response.header("content-type"),
            Some("application/x-amz-json-1.0")
        );
    }
    let unsigned =
        service_client::unsigned_json_call(&endpoint, "DynamoDB_20120810.ListTables", "1.0", "{}")
            .await;
    assert_eq!(unsigned.status, 400);
    assert_eq!(
        unsigned.json()["__type"],
        "MissingAuthenticationTokenException"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_conditional_puts_make_exactly_one_item() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Race", false).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .put_item()
                .table_name("Race")
                .item("pk", s("only"))
                .item("writer", n(&i.to_string()))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(err) => assert!(
                err.into_service_error()
                    .is_conditional_check_failed_exception()
            ),
        }
    }
    assert_eq!(won, 1);
    emulator.stop().await;
}

#[tokio::test]
async fn no_request_makes_a_server_error() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Tbl", true).await;
    let sent = service_client::json_fuzz(
        &emulator.endpoint(),
        "DynamoDB_20120810.",
        "1.0",
        emulator::dynamodb::model::OPERATIONS,
        emulator::dynamodb::model::SHAPES,
        serde_json::json!({
            "TableName": "Tbl",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "KeyConditionExpression": "pk = :a",
            "ExpressionAttributeValues": {":a": {"S": "a"}},
        }),
    )
    .await;
    assert!(sent > 1000, "{sent}");
    // Still serving normally.
    client
        .describe_table()
        .table_name("Tbl")
        .send()
        .await
        .expect("DescribeTable");
    emulator.stop().await;
}

#[tokio::test]
async fn update_item_sets_adds_removes_and_returns_values() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Counters", false).await;
    // An update of a missing item creates it.
    let first = client
        .update_item()
        .table_name("Counters")
        .key("pk", s("page"))
        .update_expression("SET hits = if_not_exists(hits, :zero) + :one, tags = :tags")
        .expression_attribute_values(":zero", n("0"))
        .expression_attribute_values(":one", n("1"))
        .expression_attribute_values(":tags", AttributeValue::L(vec![s("a")]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("UpdateItem");
    let item = first.attributes().unwrap();
    assert_eq!(item["pk"], s("page"));
    assert_eq!(item["hits"], n("1"));

    let second = client
        .update_item()
        .table_name("Counters")
        .key("pk", s("page"))
        .update_expression(
            "SET hits = hits + :step, tags = list_append(tags, :more), meta = :meta ADD seen :names",
        )
        .condition_expression("hits < :max")
        .expression_attribute_values(":step", n("2.5"))
        .expression_attribute_values(":more", AttributeValue::L(vec![s("b")]))
        .expression_attribute_values(":meta", AttributeValue::M(HashMap::new()))
        .expression_attribute_values(":names", AttributeValue::Ss(vec!["x".into()]))
        .expression_attribute_values(":max", n("10"))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .expect("UpdateItem");
    let updated = second.attributes().unwrap();
    assert_eq!(updated["hits"], n("3.5"));
    assert_eq!(updated["tags"], AttributeValue::L(vec![s("a"), s("b")]));
    assert!(!updated.contains_key("pk"));

    let third = client
        .update_item()
        .table_name("Counters")
        .key("pk", s("page"))
        .update_expression("SET meta.#o = :o REMOVE tags[0] DELETE seen :names")
        .expression_attribute_names("#o", "owner")
        .expression_attribute_values(":o", s("ana"))
        .expression_attribute_values(":names", AttributeValue::Ss(vec!["x".into()]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("UpdateItem");
    let item = third.attributes().unwrap();
    assert_eq!(item["tags"], AttributeValue::L(vec![s("b")]));
    assert!(!item.contains_key("seen"), "an emptied set is removed");
    let mut meta = HashMap::new();
    meta.insert("owner".to_owned(), s("ana"));
    assert_eq!(item["meta"], AttributeValue::M(meta));

    for (expression, message) in [
        (
            "SET pk = :v",
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            "SET hits = tags + :v",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET hits = absent + :v",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET absent.child = :v",
            "The document path provided in the update expression is invalid for update",
        ),
    ] {
        let err = client
            .update_item()
            .table_name("Counters")
            .key("pk", s("page"))
            .update_expression(expression)
            .expression_attribute_values(":v", n("1"))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(
            err.code(),
            Some("ValidationException"),
            "{expression}: {err:?}"
        );
        assert_eq!(err.message(), Some(message), "{expression}");
    }
    let err = client
        .update_item()
        .table_name("Counters")
        .key("pk", s("page"))
        .update_expression("SET hits = :v")
        .condition_expression("hits > :v")
        .expression_attribute_values(":v", n("100"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_conditional_check_failed_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_increments_are_not_lost() {
    let emulator = service_client::emulator().await;
    let client = fast_client(&emulator.endpoint(), FastSleep::default());
    table(&client, "Tally", false).await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .update_item()
                .table_name("Tally")
                .key("pk", s("votes"))
                .update_expression("ADD total_votes :one")
                .expression_attribute_values(":one", n("1"))
                .send()
                .await
                .expect("UpdateItem")
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let item = client
        .get_item()
        .table_name("Tally")
        .key("pk", s("votes"))
        .send()
        .await
        .expect("GetItem");
    assert_eq!(item.item().unwrap()["total_votes"], n("32"));
    emulator.stop().await;
}
