//! DynamoDB in the state folder: one `dynamodb.table` record per table (its
//! definition, keyed by the table's name) and one `dynamodb.item` record
//! per item, keyed `{table}/{key}` where `{key}` is the JSON list of the
//! item's key attribute values in key-schema order
//! (`orders/[{"S":"alice"},{"N":"3"}]`). Table names cannot contain `/`, so
//! `{table}/` names exactly one table's items (DeleteTable drops them by
//! that prefix). Items are stored in DynamoDB's own AttributeValue JSON, so
//! numbers keep every digit and binaries are base64.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::value::{self, MapJson};
use super::{
    CREATING_FOR, DynamoDbService, Index, KeyDef, KeySchema, PrimaryKey, ScalarType, Table,
    TableData,
};
use crate::persist::{Journal, Persistent, Record};

/// A table's definition.
pub(super) const TABLE: &str = "dynamodb.table";
/// One item of a table.
pub(super) const ITEM: &str = "dynamodb.item";

/// Whether changes are described to the journal: keys and values are only
/// built when something listens (a state folder, or a test's capture).
pub(super) fn journaling(journal: &Journal) -> bool {
    journal.is_on()
}

/// The record key of an item: `{table}/` and its key values as JSON.
pub(super) fn item_key(table: &str, key: &PrimaryKey) -> String {
    let values = match &key.1 {
        None => serde_json::to_string(&[&key.0]),
        Some(range) => serde_json::to_string(&[&key.0, range]),
    };
    format!("{table}/{}", values.unwrap_or_default())
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredKeyElement {
    attribute_name: String,
    key_type: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredAttribute {
    attribute_name: String,
    attribute_type: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredThroughput {
    read_capacity_units: i64,
    write_capacity_units: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredProjection {
    projection_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    non_key_attributes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredIndex {
    index_name: String,
    key_schema: Vec<StoredKeyElement>,
    projection: StoredProjection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provisioned_throughput: Option<StoredThroughput>,
}

/// A table's definition, in CreateTable's member names.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredTable {
    table_name: String,
    table_arn: String,
    table_id: String,
    /// Seconds since the epoch, as DescribeTable answers it.
    creation_date_time: f64,
    attribute_definitions: Vec<StoredAttribute>,
    key_schema: Vec<StoredKeyElement>,
    billing_mode: String,
    provisioned_throughput: StoredThroughput,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    global_secondary_indexes: Vec<StoredIndex>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    local_secondary_indexes: Vec<StoredIndex>,
    #[serde(default)]
    deletion_protection_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_specification: Option<Value>,
}

fn schema_out(schema: &KeySchema) -> Vec<StoredKeyElement> {
    let element = |def: &KeyDef, key_type: &str| StoredKeyElement {
        attribute_name: def.name.clone(),
        key_type: key_type.to_owned(),
    };
    std::iter::once(element(&schema.hash, "HASH"))
        .chain(schema.range.as_ref().map(|r| element(r, "RANGE")))
        .collect()
}

fn schema_in(
    elements: &[StoredKeyElement],
    definitions: &[(String, ScalarType)],
) -> Result<KeySchema, String> {
    let def = |element: &StoredKeyElement| -> Result<KeyDef, String> {
        let kind = definitions
            .iter()
            .find(|(name, _)| *name == element.attribute_name)
            .map(|(_, kind)| *kind)
            .ok_or_else(|| format!("key attribute {} is not defined", element.attribute_name))?;
        Ok(KeyDef {
            name: element.attribute_name.clone(),
            kind,
        })
    };
    match elements {
        [hash] if hash.key_type == "HASH" => Ok(KeySchema {
            hash: def(hash)?,
            range: None,
        }),
        [hash, range] if hash.key_type == "HASH" && range.key_type == "RANGE" => Ok(KeySchema {
            hash: def(hash)?,
            range: Some(def(range)?),
        }),
        _ => Err("the key schema is not a HASH key and an optional RANGE key".to_owned()),
    }
}

fn throughput_out((read, write): (i64, i64)) -> StoredThroughput {
    StoredThroughput {
        read_capacity_units: read,
        write_capacity_units: write,
    }
}

fn throughput_in(stored: &StoredThroughput) -> (i64, i64) {
    (stored.read_capacity_units, stored.write_capacity_units)
}

fn index_out(index: &Index) -> StoredIndex {
    StoredIndex {
        index_name: index.name.clone(),
        key_schema: schema_out(&index.schema),
        projection: StoredProjection {
            projection_type: index.projection_type.clone(),
            non_key_attributes: index.non_key_attributes.clone(),
        },
        provisioned_throughput: index.throughput.map(throughput_out),
    }
}

fn index_in(
    stored: StoredIndex,
    definitions: &[(String, ScalarType)],
    global: bool,
) -> Result<Index, String> {
    Ok(Index {
        schema: schema_in(&stored.key_schema, definitions)
            .map_err(|err| format!("index {}: {err}", stored.index_name))?,
        name: stored.index_name,
        projection_type: stored.projection.projection_type,
        non_key_attributes: stored.projection.non_key_attributes,
        global,
        throughput: stored.provisioned_throughput.as_ref().map(throughput_in),
    })
}

fn table_out(table: &Table) -> StoredTable {
    StoredTable {
        table_name: table.name.clone(),
        table_arn: table.arn.clone(),
        table_id: table.id.clone(),
        creation_date_time: table.creation_date_time,
        attribute_definitions: table
            .attribute_definitions
            .iter()
            .map(|(name, kind)| StoredAttribute {
                attribute_name: name.clone(),
                attribute_type: kind.name().to_owned(),
            })
            .collect(),
        key_schema: schema_out(&table.schema),
        billing_mode: table.billing_mode.clone(),
        provisioned_throughput: throughput_out(table.throughput),
        global_secondary_indexes: table.global_indexes.iter().map(index_out).collect(),
        local_secondary_indexes: table.local_indexes.iter().map(index_out).collect(),
        deletion_protection_enabled: table.deletion_protection,
        table_class: table.table_class.clone(),
        stream_specification: table.stream_specification.clone(),
    }
}

/// A table rebuilt from its record: empty, and `ACTIVE` at once (it was
/// created before the restart).
fn table_in(stored: StoredTable) -> Result<Table, String> {
    let mut definitions = Vec::with_capacity(stored.attribute_definitions.len());
    for attribute in &stored.attribute_definitions {
        let kind = ScalarType::parse(&attribute.attribute_type).ok_or_else(|| {
            format!(
                "attribute {} has the unknown type {}",
                attribute.attribute_name, attribute.attribute_type
            )
        })?;
        definitions.push((attribute.attribute_name.clone(), kind));
    }
    let schema = schema_in(&stored.key_schema, &definitions)?;
    let global_indexes = stored
        .global_secondary_indexes
        .into_iter()
        .map(|index| index_in(index, &definitions, true))
        .collect::<Result<_, _>>()?;
    let local_indexes = stored
        .local_secondary_indexes
        .into_iter()
        .map(|index| index_in(index, &definitions, false))
        .collect::<Result<_, _>>()?;
    let now = Instant::now();
    Ok(Table {
        name: stored.table_name,
        arn: stored.table_arn,
        id: stored.table_id,
        creation_date_time: stored.creation_date_time,
        created: now.checked_sub(CREATING_FOR).unwrap_or(now),
        schema,
        attribute_definitions: definitions,
        billing_mode: stored.billing_mode,
        throughput: throughput_in(&stored.provisioned_throughput),
        global_indexes,
        local_indexes,
        deletion_protection: stored.deletion_protection_enabled,
        table_class: stored.table_class,
        stream_specification: stored.stream_specification,
        data: RwLock::new(TableData::default()),
    })
}

impl DynamoDbService {
    /// Tells the journal about a new table. Call with the tables' lock held.
    pub(super) fn journal_table(&self, table: &Table) {
        if journaling(&self.journal) {
            self.journal.put(TABLE, &table.name, &table_out(table));
        }
    }

    /// Tells the journal a table and all its items are gone. Call with the
    /// tables' lock held.
    pub(super) fn journal_table_deleted(&self, name: &str) {
        if journaling(&self.journal) {
            self.journal.delete(TABLE, name);
            self.journal.delete_prefix(ITEM, &format!("{name}/"));
        }
    }

    /// Tells the journal an item's new value, or (`None`) that it is gone.
    /// Call with the table's data lock held.
    pub(super) fn journal_item(
        &self,
        table: &Table,
        key: &PrimaryKey,
        item: Option<&[(Box<str>, value::Attr)]>,
    ) {
        if !journaling(&self.journal) {
            return;
        }
        let record = item_key(&table.name, key);
        match item {
            Some(item) => self.journal.put(ITEM, &record, &MapJson(item)),
            None => self.journal.delete(ITEM, &record),
        }
    }

    fn tables_sorted(&self) -> Vec<Arc<Table>> {
        let mut tables: Vec<Arc<Table>> = self
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        tables
    }
}

fn to_value<T: Serialize>(kind: &str, key: &str, value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|err| {
        tracing::error!(kind, key, "cannot serialize a record: {err}");
        Value::Null
    })
}

impl Persistent for DynamoDbService {
    fn kind_prefix(&self) -> &'static str {
        "dynamodb."
    }

    fn records(&self) -> Vec<Record> {
        let mut records = Vec::new();
        for table in self.tables_sorted() {
            records.push(Record {
                kind: TABLE.to_owned(),
                key: table.name.clone(),
                value: to_value(TABLE, &table.name, &table_out(&table)),
            });
            let data = table.data.read().unwrap_or_else(|e| e.into_inner());
            for (key, item) in &data.items {
                let key = item_key(&table.name, key);
                records.push(Record {
                    kind: ITEM.to_owned(),
                    value: to_value(ITEM, &key, &MapJson(item)),
                    key,
                });
            }
        }
        records.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        records
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let unreadable = |record: &Record, err: &dyn std::fmt::Display| {
            format!("{} {}: {err}", record.kind, record.key)
        };
        let (table_records, others): (Vec<Record>, Vec<Record>) =
            records.into_iter().partition(|r| r.kind == TABLE);
        let mut tables: HashMap<String, Arc<Table>> = HashMap::new();
        for record in &table_records {
            let stored: StoredTable = serde_json::from_value(record.value.clone())
                .map_err(|err| unreadable(record, &err))?;
            let table = table_in(stored).map_err(|err| unreadable(record, &err))?;
            if table.name != record.key {
                return Err(unreadable(record, &"the record names another table"));
            }
            tables.insert(table.name.clone(), Arc::new(table));
        }
        for record in &others {
            if record.kind != ITEM {
                return Err(unreadable(record, &"unknown kind"));
            }
            let Some((name, _)) = record.key.split_once('/') else {
                return Err(unreadable(record, &"the key names no table"));
            };
            // An item of a table that is gone.
            let Some(table) = tables.get(name) else {
                continue;
            };
            let item = record
                .value
                .as_object()
                .ok_or_else(|| "an item is a JSON object".to_owned())
                .and_then(value::map_from_json)
                .map_err(|err| unreadable(record, &err))?;
            let key = super::items::key_from_item(&table.schema, &item)
                .map_err(|err| unreadable(record, &err.message))?;
            let mut data = table.data.write().unwrap_or_else(|e| e.into_inner());
            data.bytes += value::item_size(&item);
            if let Some(old) = data.items.insert(key, item) {
                data.bytes -= value::item_size(&old);
            }
        }
        *self.tables.write().unwrap_or_else(|e| e.into_inner()) = tables;
        Ok(())
    }

    fn clear(&self) {
        let mut tables = self.tables.write().unwrap_or_else(|e| e.into_inner());
        // A write already holding one of these tables must not report its
        // item after the reset.
        for table in tables.values() {
            table
                .data
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .deleted = true;
        }
        tables.clear();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Config;
    use crate::aws_json;

    fn service(journal: Journal) -> DynamoDbService {
        DynamoDbService::new(&Config::default(), journal)
    }

    async fn call(db: &DynamoDbService, action: &str, body: Value) -> Value {
        aws_json::call(db, action, body.to_string().as_bytes(), true)
            .await
            .unwrap_or_else(|err| panic!("{action}: {} {}", err.code, err.message))
    }

    async fn refused(db: &DynamoDbService, action: &str, body: Value) -> String {
        match aws_json::call(db, action, body.to_string().as_bytes(), true).await {
            Ok(out) => panic!("{action} succeeded: {out}"),
            Err(err) => err.code.to_owned(),
        }
    }

    /// What the journal was told is what the service holds.
    fn check(db: &DynamoDbService, journal: &Journal, step: &str) {
        assert_eq!(journal.replayed(), db.records(), "after {step}");
    }

    fn item_keys(journal: &Journal) -> Vec<String> {
        journal
            .replayed()
            .into_iter()
            .filter(|r| r.kind == ITEM)
            .map(|r| r.key)
            .collect()
    }

    /// Every value type, with a number of 38 significant digits.
    fn rich_item() -> Value {
        json!({
            "user": {"S": "alice"}, "n": {"N": "1"}, "status": {"S": "open"},
            "date": {"S": "2026-12-07"},
            "total": {"N": "12345678901234567890.123456789012345678"},
            "tiny": {"N": "-0.000000000000000000000000000000000001"},
            "blob": {"B": "AAEC/w=="}, "flag": {"BOOL": true}, "none": {"NULL": true},
            "tags": {"SS": ["b", "a"]}, "scores": {"NS": ["3", "1.5"]},
            "chunks": {"BS": ["AA==", "AQ=="]},
            "lines": {"L": [{"S": "x"}, {"M": {"q": {"N": "2"}}}]},
            "address": {"M": {"city": {"S": "Oslo"}, "zip": {"N": "150"}}}
        })
    }

    /// A table of each shape: hash and range keys with both kinds of
    /// index, and binary hash keys in two tables whose names share a prefix.
    async fn tables(db: &DynamoDbService, journal: &Journal) {
        call(
            db,
            "CreateTable",
            json!({
                "TableName": "orders",
                "AttributeDefinitions": [
                    {"AttributeName": "user", "AttributeType": "S"},
                    {"AttributeName": "n", "AttributeType": "N"},
                    {"AttributeName": "status", "AttributeType": "S"},
                    {"AttributeName": "date", "AttributeType": "S"}
                ],
                "KeySchema": [
                    {"AttributeName": "user", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"}
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by-status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
                }],
                "LocalSecondaryIndexes": [{
                    "IndexName": "by-date",
                    "KeySchema": [
                        {"AttributeName": "user", "KeyType": "HASH"},
                        {"AttributeName": "date", "KeyType": "RANGE"}
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}
                }],
                "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
                "TableClass": "STANDARD_INFREQUENT_ACCESS"
            }),
        )
        .await;
        check(db, journal, "CreateTable orders");
        for name in ["abc", "abcd"] {
            call(
                db,
                "CreateTable",
                json!({
                    "TableName": name,
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
                    "DeletionProtectionEnabled": name == "abcd"
                }),
            )
            .await;
            check(db, journal, "CreateTable");
        }
        assert_eq!(
            refused(
                db,
                "CreateTable",
                json!({
                    "TableName": "abc",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST"
                })
            )
            .await,
            "ResourceInUseException"
        );
        check(db, journal, "a refused CreateTable");
        tokio::time::sleep(CREATING_FOR).await;
    }

    #[tokio::test]
    async fn every_change_is_journaled() {
        let journal = Journal::capture();
        let db = service(journal.clone());
        tables(&db, &journal).await;

        call(
            &db,
            "PutItem",
            json!({"TableName": "orders", "Item": rich_item()}),
        )
        .await;
        check(&db, &journal, "PutItem");
        assert_eq!(item_keys(&journal), [r#"orders/[{"S":"alice"},{"N":"1"}]"#]);
        // The stored form is DynamoDB's own, every digit kept.
        let stored = journal.replayed();
        let item = stored.iter().find(|r| r.kind == ITEM).unwrap();
        assert_eq!(item.value, rich_item());

        // Numbers are keyed by value: 1.0 is the item 1.
        call(
            &db,
            "PutItem",
            json!({"TableName": "orders",
            "Item": {"user": {"S": "alice"}, "n": {"N": "1.0"}, "status": {"S": "paid"}},
            "ReturnValues": "ALL_OLD"}),
        )
        .await;
        check(&db, &journal, "PutItem over an item");
        assert_eq!(item_keys(&journal).len(), 1);
        assert_eq!(
            refused(
                &db,
                "PutItem",
                json!({"TableName": "orders",
                "Item": {"user": {"S": "alice"}, "n": {"N": "1"}},
                "ConditionExpression": "attribute_not_exists(#u)",
                "ExpressionAttributeNames": {"#u": "user"}})
            )
            .await,
            "ConditionalCheckFailedException"
        );
        check(&db, &journal, "a refused PutItem");

        call(&db, "UpdateItem", json!({"TableName": "orders",
            "Key": {"user": {"S": "alice"}, "n": {"N": "1"}},
            "UpdateExpression": "SET #t = :t ADD #g :tags, #v :one REMOVE #s",
            "ExpressionAttributeNames": {"#s": "status", "#t": "total", "#g": "tags", "#v": "visits"},
            "ExpressionAttributeValues": {
                ":t": {"N": "99999999999999999999999999999999999999"},
                ":tags": {"SS": ["x"]}, ":one": {"N": "1"}
            }})).await;
        check(&db, &journal, "UpdateItem");
        call(
            &db,
            "UpdateItem",
            json!({"TableName": "orders",
            "Key": {"user": {"S": "bob"}, "n": {"N": "-2.5"}},
            "UpdateExpression": "SET #s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "open"}}}),
        )
        .await;
        check(&db, &journal, "UpdateItem creating an item");
        assert_eq!(
            refused(
                &db,
                "UpdateItem",
                json!({"TableName": "orders",
                "Key": {"user": {"S": "bob"}, "n": {"N": "-2.5"}},
                "UpdateExpression": "SET #s = :s",
                "ConditionExpression": "#s = :closed",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": "x"}, ":closed": {"S": "closed"}}})
            )
            .await,
            "ConditionalCheckFailedException"
        );
        check(&db, &journal, "a refused UpdateItem");

        for id in ["AA==", "AQ==", "Ag=="] {
            for table in ["abc", "abcd"] {
                call(
                    &db,
                    "PutItem",
                    json!({"TableName": table,
                    "Item": {"id": {"B": id}, "v": {"BS": ["AA=="]}}}),
                )
                .await;
            }
        }
        check(&db, &journal, "PutItem with binary keys");

        call(
            &db,
            "DeleteItem",
            json!({"TableName": "abc", "Key": {"id": {"B": "AA=="}}}),
        )
        .await;
        check(&db, &journal, "DeleteItem");
        call(
            &db,
            "DeleteItem",
            json!({"TableName": "abc", "Key": {"id": {"B": "AA=="}}}),
        )
        .await;
        check(&db, &journal, "DeleteItem of no item");

        call(
            &db,
            "BatchWriteItem",
            json!({"RequestItems": {
                "orders": [
                    {"PutRequest": {"Item": {"user": {"S": "carol"}, "n": {"N": "7"}}}},
                    {"DeleteRequest": {"Key": {"user": {"S": "bob"}, "n": {"N": "-2.5"}}}}
                ],
                "abcd": [
                    {"DeleteRequest": {"Key": {"id": {"B": "AQ=="}}}},
                    {"PutRequest": {"Item": {"id": {"B": "/w=="}, "n": {"NS": ["1", "2"]}}}}
                ],
                "arn:aws:dynamodb:us-east-1:000000000000:table/abc": [
                    {"PutRequest": {"Item": {"id": {"B": "Aw=="}}}}
                ]
            }}),
        )
        .await;
        check(&db, &journal, "BatchWriteItem");

        // Deleting "abc" leaves the items of "abcd" alone.
        assert_eq!(
            refused(&db, "DeleteTable", json!({"TableName": "abcd"})).await,
            "ValidationException"
        );
        call(&db, "DeleteTable", json!({"TableName": "abc"})).await;
        check(&db, &journal, "DeleteTable");
        let keys = item_keys(&journal);
        assert!(keys.iter().all(|k| !k.starts_with("abc/")), "{keys:?}");
        assert_eq!(keys.iter().filter(|k| k.starts_with("abcd/")).count(), 3);

        // A new table of the same name starts empty.
        call(
            &db,
            "CreateTable",
            json!({"TableName": "abc",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"}),
        )
        .await;
        check(&db, &journal, "CreateTable again");
        assert!(item_keys(&journal).iter().all(|k| !k.starts_with("abc/")));
    }

    #[tokio::test]
    async fn restored_tables_and_items_work() {
        let journal = Journal::capture();
        let db = service(journal.clone());
        tables(&db, &journal).await;
        call(
            &db,
            "PutItem",
            json!({"TableName": "orders", "Item": rich_item()}),
        )
        .await;
        call(
            &db,
            "PutItem",
            json!({"TableName": "orders",
            "Item": {"user": {"S": "alice"}, "n": {"N": "2"}, "status": {"S": "open"},
                     "date": {"S": "2026-01-01"}}}),
        )
        .await;
        call(
            &db,
            "PutItem",
            json!({"TableName": "abcd",
            "Item": {"id": {"B": "AAE="}, "x": {"S": "y"}}}),
        )
        .await;
        let before = call(&db, "DescribeTable", json!({"TableName": "orders"})).await;

        let records = db.records();
        let quiet = Journal::capture();
        let restored = service(quiet.clone());
        restored.restore(records.clone()).unwrap();
        assert_eq!(restored.records(), records);
        assert!(quiet.replayed().is_empty(), "restore wrote to the journal");

        // The definition comes back whole, and the table is ACTIVE at once.
        let after = call(&restored, "DescribeTable", json!({"TableName": "orders"})).await;
        assert_eq!(after, before);
        assert_eq!(after["Table"]["TableStatus"], "ACTIVE");
        assert_eq!(after["Table"]["ItemCount"], 2);
        let got = call(
            &restored,
            "GetItem",
            json!({"TableName": "orders",
            "Key": {"user": {"S": "alice"}, "n": {"N": "1"}}}),
        )
        .await;
        assert_eq!(got["Item"], rich_item());
        let by_status = call(
            &restored,
            "Query",
            json!({"TableName": "orders",
            "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "open"}}}),
        )
        .await;
        assert_eq!(by_status["Count"], 2);
        let by_date = call(
            &restored,
            "Query",
            json!({"TableName": "orders",
            "IndexName": "by-date", "KeyConditionExpression": "#u = :u AND #d < :d",
            "ExpressionAttributeNames": {"#u": "user", "#d": "date"},
            "ExpressionAttributeValues": {":u": {"S": "alice"}, ":d": {"S": "2026-06-01"}}}),
        )
        .await;
        assert_eq!(by_date["Items"][0]["n"], json!({"N": "2"}));
        let binary = call(
            &restored,
            "GetItem",
            json!({"TableName": "abcd",
            "Key": {"id": {"B": "AAE="}}}),
        )
        .await;
        assert_eq!(binary["Item"]["x"], json!({"S": "y"}));
        // The restored service keeps working, and reporting.
        call(
            &restored,
            "PutItem",
            json!({"TableName": "orders",
            "Item": {"user": {"S": "dave"}, "n": {"N": "3"}}}),
        )
        .await;
        let reported: Vec<String> = quiet.replayed().into_iter().map(|r| r.key).collect();
        assert_eq!(reported, [r#"orders/[{"S":"dave"},{"N":"3"}]"#]);
        call(&restored, "DeleteTable", json!({"TableName": "abc"})).await;
        assert!(restored.records().iter().all(|r| r.key != "abc"));
    }

    #[test]
    fn orphans_are_skipped_and_bad_records_named() {
        let db = service(Journal::capture());
        let orphan = Record {
            kind: ITEM.to_owned(),
            key: r#"gone/[{"S":"a"}]"#.to_owned(),
            value: json!({"k": {"S": "a"}}),
        };
        db.restore(vec![orphan]).unwrap();
        assert!(db.records().is_empty());

        let table = Record {
            kind: TABLE.to_owned(),
            key: "t1".to_owned(),
            value: json!({
                "TableName": "t1", "TableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t1",
                "TableId": "id", "CreationDateTime": 1.5,
                "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
            }),
        };
        let item = |value: Value| Record {
            kind: ITEM.to_owned(),
            key: r#"t1/[{"S":"a"}]"#.to_owned(),
            value,
        };
        let fresh = service(Journal::capture());
        fresh
            .restore(vec![item(json!({"k": {"S": "a"}})), table.clone()])
            .unwrap();
        assert_eq!(fresh.records().len(), 2);

        for (bad, named) in [
            (
                item(json!({"k": {"N": "not a number"}})),
                "dynamodb.item t1/",
            ),
            (item(json!({"other": {"S": "a"}})), "dynamodb.item t1/"),
            (item(json!([1])), "dynamodb.item t1/"),
        ] {
            let err = service(Journal::capture())
                .restore(vec![bad, table.clone()])
                .unwrap_err();
            assert!(err.starts_with(named), "{err}");
        }
        let mut broken = table.clone();
        broken.value["KeySchema"][0]["AttributeName"] = json!("missing");
        let err = service(Journal::capture())
            .restore(vec![broken])
            .unwrap_err();
        assert!(err.starts_with("dynamodb.table t1:"), "{err}");
    }

    #[tokio::test]
    async fn clear_forgets_without_journaling() {
        let journal = Journal::capture();
        let db = service(journal.clone());
        tables(&db, &journal).await;
        call(
            &db,
            "PutItem",
            json!({"TableName": "abc", "Item": {"id": {"B": "AA=="}}}),
        )
        .await;
        let table = db.table("abc").unwrap();
        let before = journal.replayed();
        db.clear();
        assert!(db.records().is_empty());
        assert_eq!(journal.replayed(), before);
        // A write that found the table before the reset fails.
        assert!(table.data.write().unwrap().writable().is_err());
    }
}
