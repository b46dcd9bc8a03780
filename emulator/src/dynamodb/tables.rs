//! CreateTable, DescribeTable, DeleteTable and ListTables.

use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::errors;
use super::{
    DynamoDbService, Index, Input, KeyDef, KeySchema, Outcome, ScalarType, Table, TableData,
    invalid, validation,
};
use crate::aws_json::ServiceError;

/// Per-table limits of secondary indexes.
const MAX_GLOBAL_INDEXES: usize = 20;
const MAX_LOCAL_INDEXES: usize = 5;

/// Reads a `KeySchema` list against the attribute definitions.
fn key_schema(
    elements: &[Value],
    definitions: &[(String, ScalarType)],
) -> Result<KeySchema, ServiceError> {
    let names: Vec<&str> = elements
        .iter()
        .filter_map(|e| e.get("AttributeName").and_then(Value::as_str))
        .collect();
    let kinds: Vec<&str> = elements
        .iter()
        .filter_map(|e| e.get("KeyType").and_then(Value::as_str))
        .collect();
    let defined: Vec<&str> = definitions.iter().map(|(n, _)| n.as_str()).collect();
    if names.iter().any(|n| !defined.contains(n)) {
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            names.join(", "),
            defined.join(", ")
        )));
    }
    if names.len() == 2 && names[0] == names[1] {
        return Err(validation(
            "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    if kinds.first() != Some(&"HASH") {
        return Err(validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if kinds.len() == 2 && kinds[1] != "RANGE" {
        return Err(validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    let def = |name: &str| KeyDef {
        name: name.to_owned(),
        kind: definitions
            .iter()
            .find(|(n, _)| n == name)
            .map_or(ScalarType::S, |(_, k)| *k),
    };
    Ok(KeySchema {
        hash: def(names[0]),
        range: names.get(1).map(|n| def(n)),
    })
}

fn throughput(value: Option<&Value>) -> Option<(i64, i64)> {
    let value = value?;
    Some((
        value.get("ReadCapacityUnits")?.as_i64()?,
        value.get("WriteCapacityUnits")?.as_i64()?,
    ))
}

/// Reads one secondary index definition.
fn index(
    value: &Value,
    definitions: &[(String, ScalarType)],
    global: bool,
    pay_per_request: bool,
) -> Result<Index, ServiceError> {
    let name = value
        .get("IndexName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let elements = value
        .get("KeySchema")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let schema = key_schema(&elements, definitions)?;
    let projection = value.get("Projection");
    let Some(projection_type) = projection
        .and_then(|p| p.get("ProjectionType"))
        .and_then(Value::as_str)
    else {
        return Err(invalid("Unknown ProjectionType: null"));
    };
    let non_key: Vec<String> = projection
        .and_then(|p| p.get("NonKeyAttributes"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if !non_key.is_empty() && projection_type != "INCLUDE" {
        return Err(invalid(format!(
            "ProjectionType is {projection_type}, but NonKeyAttributes is specified"
        )));
    }
    let index_throughput = throughput(value.get("ProvisionedThroughput"));
    if global {
        if pay_per_request && index_throughput.is_some() {
            return Err(invalid(format!(
                "ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
            )));
        }
        if !pay_per_request && index_throughput.is_none() {
            return Err(invalid(format!(
                "ProvisionedThroughput must be specified for index: {name}"
            )));
        }
    }
    Ok(Index {
        name,
        schema,
        projection_type: projection_type.to_owned(),
        non_key_attributes: non_key,
        global,
        throughput: index_throughput,
    })
}

impl DynamoDbService {
    fn describe(&self, table: &Table) -> Value {
        let data = table.data.read().unwrap_or_else(|e| e.into_inner());
        let status = table.status();
        let definitions: Vec<Value> = table
            .attribute_definitions
            .iter()
            .map(|(name, kind)| json!({"AttributeName": name, "AttributeType": kind.name()}))
            .collect();
        let (read, write) = table.throughput;
        let mut out = json!({
            "AttributeDefinitions": definitions,
            "TableName": table.name,
            "KeySchema": table.schema.to_json(),
            "TableStatus": status,
            "CreationDateTime": table.creation_date_time,
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": read,
                "WriteCapacityUnits": write,
            },
            "TableSizeBytes": data.bytes,
            "ItemCount": data.items.len(),
            "TableArn": table.arn,
            "TableId": table.id,
            "DeletionProtectionEnabled": table.deletion_protection,
        });
        if table.billing_mode == "PAY_PER_REQUEST" {
            out["BillingModeSummary"] = json!({
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": table.creation_date_time,
            });
        }
        if let Some(class) = &table.table_class {
            out["TableClassSummary"] = json!({ "TableClass": class });
        }
        if let Some(stream) = &table.stream_specification {
            out["StreamSpecification"] = stream.clone();
        }
        let index_json = |index: &Index| {
            let mut projection = json!({ "ProjectionType": index.projection_type });
            if !index.non_key_attributes.is_empty() {
                projection["NonKeyAttributes"] = json!(index.non_key_attributes);
            }
            let count = data
                .items
                .values()
                .filter(|item| {
                    index
                        .schema
                        .names()
                        .all(|name| super::value::get(item, name).is_some())
                })
                .count();
            let mut out = json!({
                "IndexName": index.name,
                "KeySchema": index.schema.to_json(),
                "Projection": projection,
                "IndexSizeBytes": 0,
                "ItemCount": count,
                "IndexArn": format!("{}/index/{}", table.arn, index.name),
            });
            if index.global {
                out["IndexStatus"] = json!(if status == "ACTIVE" {
                    "ACTIVE"
                } else {
                    "CREATING"
                });
                let (read, write) = index.throughput.unwrap_or((0, 0));
                out["ProvisionedThroughput"] = json!({
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": read,
                    "WriteCapacityUnits": write,
                });
            }
            out
        };
        if !table.global_indexes.is_empty() {
            out["GlobalSecondaryIndexes"] =
                Value::Array(table.global_indexes.iter().map(index_json).collect());
        }
        if !table.local_indexes.is_empty() {
            out["LocalSecondaryIndexes"] =
                Value::Array(table.local_indexes.iter().map(index_json).collect());
        }
        out
    }

    pub(super) fn create_table(&self, input: &Input) -> Outcome {
        let name = input
            .get("TableName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut missing = Vec::new();
        for (member, path) in [
            ("AttributeDefinitions", "attributeDefinitions"),
            ("KeySchema", "keySchema"),
        ] {
            if input.get(member).is_none_or(Value::is_null) {
                missing.push(format!(
                    "Value null at '{path}' failed to satisfy constraint: Member must not be null"
                ));
            }
        }
        if !missing.is_empty() {
            let noun = if missing.len() == 1 {
                "error"
            } else {
                "errors"
            };
            return Err(validation(format!(
                "{} validation {noun} detected: {}",
                missing.len(),
                missing.join("; ")
            )));
        }
        if name.starts_with("arn:") {
            return Err(validation(
                "1 validation error detected: Value at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ));
        }
        let billing_mode = input
            .get("BillingMode")
            .and_then(Value::as_str)
            .unwrap_or("PROVISIONED")
            .to_owned();
        let pay_per_request = billing_mode == "PAY_PER_REQUEST";
        let table_throughput = throughput(input.get("ProvisionedThroughput"));
        if pay_per_request && input.get("ProvisionedThroughput").is_some() {
            return Err(invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ));
        }
        if !pay_per_request && table_throughput.is_none() {
            return Err(invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ));
        }
        let mut definitions: Vec<(String, ScalarType)> = Vec::new();
        for definition in input
            .get("AttributeDefinitions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = definition
                .get("AttributeName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let kind = definition
                .get("AttributeType")
                .and_then(Value::as_str)
                .and_then(ScalarType::parse)
                .unwrap_or(ScalarType::S);
            if definitions.iter().any(|(n, _)| n == name) {
                return Err(invalid(format!(
                    "Cannot have two attributes with the same name. Duplicate attribute name: {name}"
                )));
            }
            definitions.push((name.to_owned(), kind));
        }
        let elements = input
            .get("KeySchema")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let schema = key_schema(&elements, &definitions)?;
        let mut global_indexes = Vec::new();
        let mut local_indexes = Vec::new();
        if let Some(list) = input
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_array)
        {
            if list.is_empty() {
                return Err(invalid("List of GlobalSecondaryIndexes is empty"));
            }
            if list.len() > MAX_GLOBAL_INDEXES {
                return Err(invalid(format!(
                    "GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"
                )));
            }
            for value in list {
                global_indexes.push(index(value, &definitions, true, pay_per_request)?);
            }
        }
        if let Some(list) = input.get("LocalSecondaryIndexes").and_then(Value::as_array) {
            if list.is_empty() {
                return Err(invalid("List of LocalSecondaryIndexes is empty"));
            }
            if schema.range.is_none() {
                return Err(invalid(
                    "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
                ));
            }
            if list.len() > MAX_LOCAL_INDEXES {
                return Err(invalid(format!(
                    "Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LOCAL_INDEXES}"
                )));
            }
            for value in list {
                let local = index(value, &definitions, false, pay_per_request)?;
                if local.schema.range.is_none() {
                    return Err(invalid(format!(
                        "Index KeySchema does not have a range key for index: {}",
                        local.name
                    )));
                }
                if local.schema.hash.name != schema.hash.name {
                    return Err(invalid(format!(
                        "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {}, table hash key: {}",
                        local.name, local.schema.hash.name, schema.hash.name
                    )));
                }
                local_indexes.push(local);
            }
        }
        let mut index_names: Vec<&str> = Vec::new();
        for index in global_indexes.iter().chain(local_indexes.iter()) {
            if index_names.contains(&index.name.as_str()) {
                return Err(invalid(format!("Duplicate index name: {}", index.name)));
            }
            index_names.push(&index.name);
        }
        // Every defined attribute must be a key of the table or an index.
        let used: Vec<&str> = schema
            .names()
            .chain(
                global_indexes
                    .iter()
                    .chain(local_indexes.iter())
                    .flat_map(|i| i.schema.names()),
            )
            .collect();
        if definitions.iter().any(|(n, _)| !used.contains(&n.as_str())) {
            return Err(invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            ));
        }
        let creation_date_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| (d.as_millis() as f64) / 1000.0)
            .unwrap_or_default();
        let table = Arc::new(Table {
            name: name.to_owned(),
            arn: format!(
                "arn:aws:dynamodb:{}:{}:table/{name}",
                self.region, self.account_id
            ),
            id: crate::new_uuid().to_string(),
            creation_date_time,
            created: Instant::now(),
            schema,
            attribute_definitions: definitions,
            billing_mode,
            throughput: table_throughput.unwrap_or((0, 0)),
            global_indexes,
            local_indexes,
            deletion_protection: input
                .get("DeletionProtectionEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            table_class: input
                .get("TableClass")
                .and_then(Value::as_str)
                .map(str::to_owned),
            stream_specification: input.get("StreamSpecification").cloned(),
            data: RwLock::new(TableData::default()),
        });
        {
            let mut tables = self.tables.write().unwrap_or_else(|e| e.into_inner());
            if tables.contains_key(name) {
                return Err(errors::table_exists(name));
            }
            self.journal_table(&table);
            tables.insert(name.to_owned(), table.clone());
        }
        Ok(json!({ "TableDescription": self.describe(&table) }))
    }

    pub(super) fn describe_table(&self, input: &Input) -> Outcome {
        let name = input
            .get("TableName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let table = self
            .table(name)
            .ok_or_else(|| errors::table_not_found(name))?;
        Ok(json!({ "Table": self.describe(&table) }))
    }

    pub(super) fn delete_table(&self, input: &Input) -> Outcome {
        let name = input
            .get("TableName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let table = self
            .table(name)
            .ok_or_else(|| errors::table_not_found(name))?;
        if table.status() == "CREATING" {
            return Err(errors::table_being_created(&table.name));
        }
        if table.deletion_protection {
            return Err(validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            ));
        }
        {
            let mut tables = self.tables.write().unwrap_or_else(|e| e.into_inner());
            // Another DeleteTable (or a reset) may have come first.
            if !tables
                .get(&table.name)
                .is_some_and(|current| Arc::ptr_eq(current, &table))
            {
                return Err(errors::resource_not_found());
            }
            // Writes that already found the table wait for this, then fail.
            table
                .data
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .deleted = true;
            self.journal_table_deleted(&table.name);
            tables.remove(&table.name);
        }
        let mut description = self.describe(&table);
        description["TableStatus"] = json!("DELETING");
        Ok(json!({ "TableDescription": description }))
    }

    pub(super) fn list_tables(&self, input: &Input) -> Outcome {
        let start = input.get("ExclusiveStartTableName").and_then(Value::as_str);
        let limit = input.get("Limit").and_then(Value::as_u64).unwrap_or(100) as usize;
        let mut names: Vec<String> = self
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .filter(|name| start.is_none_or(|s| name.as_str() > s))
            .cloned()
            .collect();
        names.sort();
        let more = names.len() > limit;
        names.truncate(limit);
        let mut out = json!({ "TableNames": names });
        if more {
            out["LastEvaluatedTableName"] = json!(names.last());
        }
        Ok(out)
    }
}
