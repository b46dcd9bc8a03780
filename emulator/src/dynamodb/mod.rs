//! Amazon DynamoDB (`dynamodb`), JSON 1.0 behind
//! `X-Amz-Target: DynamoDB_20120810.<Action>`.
//!
//! Tables (CreateTable, DescribeTable with CREATING → ACTIVE, DeleteTable,
//! ListTables), items (PutItem, GetItem, UpdateItem, DeleteItem, BatchWriteItem) and
//! reads (Scan, Query on the table's key or an index's), with every
//! AttributeValue type, condition/filter/key-condition/projection
//! expressions, and DynamoDB's validation messages.

mod errors;
mod expr;
mod items;
pub mod model;
mod persist;
mod read;
mod reserved;
mod tables;
mod update;
mod value;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::Config;
use crate::aws_json::{self, JsonService, ServiceError};
use crate::persist::Journal;
use crate::validation::{Invalid, Model};
use errors::{invalid, validation};
use value::{Item, KeyVal};

type Outcome = Result<Value, ServiceError>;
type Input = Map<String, Value>;

/// How long a new table stays `CREATING` before it is `ACTIVE` (long enough
/// that code which does not wait for the table fails as it would on AWS).
pub(crate) const CREATING_FOR: Duration = Duration::from_millis(500);

/// A key attribute's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScalarType {
    S,
    N,
    B,
}

impl ScalarType {
    fn parse(text: &str) -> Option<ScalarType> {
        match text {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }

    fn matches(self, key: &KeyVal) -> bool {
        matches!(
            (self, key),
            (ScalarType::S, KeyVal::S(_))
                | (ScalarType::N, KeyVal::N(_))
                | (ScalarType::B, KeyVal::B(_))
        )
    }
}

#[derive(Debug, Clone)]
struct KeyDef {
    name: String,
    kind: ScalarType,
}

#[derive(Debug, Clone)]
struct KeySchema {
    hash: KeyDef,
    range: Option<KeyDef>,
}

impl KeySchema {
    fn to_json(&self) -> Value {
        let mut out = vec![serde_json::json!({"AttributeName": self.hash.name, "KeyType": "HASH"})];
        if let Some(range) = &self.range {
            out.push(serde_json::json!({"AttributeName": range.name, "KeyType": "RANGE"}));
        }
        Value::Array(out)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.hash.name.as_str()).chain(self.range.as_ref().map(|r| r.name.as_str()))
    }
}

/// A secondary index: its key and which attributes it projects.
#[derive(Debug, Clone)]
struct Index {
    name: String,
    schema: KeySchema,
    projection_type: String,
    non_key_attributes: Vec<String>,
    global: bool,
    throughput: Option<(i64, i64)>,
}

/// A table's primary key: partition key and, if the table has one, sort key.
type PrimaryKey = (KeyVal, Option<KeyVal>);

#[derive(Debug, Default)]
struct TableData {
    items: BTreeMap<PrimaryKey, Item>,
    bytes: usize,
    /// Set when the table is deleted (or the emulator reset): a write that
    /// found the table before then fails instead of writing an item the
    /// state folder would keep without its table.
    deleted: bool,
}

impl TableData {
    /// The data for a write: refused once the table is gone.
    fn writable(&mut self) -> Result<&mut TableData, ServiceError> {
        if self.deleted {
            return Err(errors::resource_not_found());
        }
        Ok(self)
    }
}

#[derive(Debug)]
struct Table {
    name: String,
    arn: String,
    id: String,
    creation_date_time: f64,
    created: Instant,
    schema: KeySchema,
    attribute_definitions: Vec<(String, ScalarType)>,
    billing_mode: String,
    throughput: (i64, i64),
    global_indexes: Vec<Index>,
    local_indexes: Vec<Index>,
    deletion_protection: bool,
    table_class: Option<String>,
    stream_specification: Option<Value>,
    data: RwLock<TableData>,
}

impl Table {
    fn status(&self) -> &'static str {
        if self.created.elapsed() < CREATING_FOR {
            "CREATING"
        } else {
            "ACTIVE"
        }
    }

    fn index(&self, name: &str) -> Option<&Index> {
        self.global_indexes
            .iter()
            .chain(self.local_indexes.iter())
            .find(|index| index.name == name)
    }
}

/// One emulator's DynamoDB: its tables, by name.
pub struct DynamoDbService {
    region: String,
    account_id: String,
    model: Model,
    tables: RwLock<HashMap<String, Arc<Table>>>,
    /// Where table and item changes are reported (see `stored`).
    journal: Journal,
}

/// Checks a table name (or ARN) the way the `TableName` shape does.
fn check_table_name(name: &str, member: &str) -> Result<(), ServiceError> {
    if name.starts_with("arn:") {
        return Ok(());
    }
    let mut errors = Vec::new();
    let length = name.chars().count();
    if length < 3 {
        errors.push(format!("Value '{name}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to 3"));
    }
    if length > 255 {
        errors.push(format!("Value '{name}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to 255"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
    {
        errors.push(format!("Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
    }
    if errors.is_empty() {
        return Ok(());
    }
    let noun = if errors.len() == 1 { "error" } else { "errors" };
    Err(validation(format!(
        "{} validation {noun} detected: {}",
        errors.len(),
        errors.join("; ")
    )))
}

impl DynamoDbService {
    pub(crate) fn new(config: &Config, journal: Journal) -> Self {
        DynamoDbService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            tables: RwLock::new(HashMap::new()),
            journal,
        }
    }

    /// The table a request names (by name or ARN), whatever its status.
    fn table(&self, name: &str) -> Option<Arc<Table>> {
        let name = name
            .strip_prefix("arn:")
            .and_then(|arn| arn.split_once(":table/"))
            .map_or(name, |(_, rest)| rest);
        self.tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// The table the request's `TableName` names, for a data-plane call.
    fn requested_table(&self, input: &Input) -> Result<Arc<Table>, ServiceError> {
        self.active_table(
            input
                .get("TableName")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        )
    }

    /// The table for a data-plane call: it must exist and be ACTIVE.
    fn active_table(&self, name: &str) -> Result<Arc<Table>, ServiceError> {
        let table = self.table(name).ok_or_else(errors::resource_not_found)?;
        if table.status() != "ACTIVE" {
            return Err(errors::resource_not_found());
        }
        Ok(table)
    }
}

/// DynamoDB behind the JSON front door ([`aws_json::call`]); it takes no
/// unsigned request.
impl JsonService for DynamoDbService {
    fn model(&self) -> &Model {
        &self.model
    }

    fn unreadable(&self, message: String) -> ServiceError {
        aws_json::serialization(message)
    }

    /// Model violations are one ValidationException listing them all, except
    /// when a member has the wrong JSON type, which DynamoDB cannot even
    /// deserialize: then the same list is a SerializationException.
    fn invalid(&self, invalid: Invalid) -> ServiceError {
        if invalid.not_an_object {
            aws_json::serialization(aws_json::NOT_AN_OBJECT)
        } else if invalid.wrong_type.is_some() {
            aws_json::serialization(invalid.summary)
        } else {
            validation(invalid.summary)
        }
    }

    async fn route(&self, operation: &'static str, input: &Input) -> Outcome {
        if let Some(name) = input.get("TableName").and_then(Value::as_str) {
            check_table_name(name, "tableName")?;
        }
        match operation {
            "CreateTable" => self.create_table(input),
            "DescribeTable" => self.describe_table(input),
            "DeleteTable" => self.delete_table(input),
            "ListTables" => self.list_tables(input),
            "PutItem" => self.put_item(input),
            "GetItem" => self.get_item(input),
            "DeleteItem" => self.delete_item(input),
            "UpdateItem" => self.update_item(input),
            "BatchWriteItem" => self.batch_write_item(input),
            "Scan" => self.scan(input),
            "Query" => self.query(input),
            _ => Err(aws_json::unknown_operation(operation)),
        }
    }
}
