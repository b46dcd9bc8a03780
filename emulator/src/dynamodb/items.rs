//! PutItem, GetItem, DeleteItem and BatchWriteItem, and the key checks they
//! share with the reads.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::errors;
use super::expr::{self, Cond, Path, Placeholders};
use super::value::{self, Attr, Item, KeyVal};
use super::{
    DynamoDbService, Input, KeyDef, KeySchema, Outcome, PrimaryKey, Table, invalid, validation,
};
use crate::aws_json::ServiceError;

/// Largest item DynamoDB stores (names and values), and largest keys.
const MAX_ITEM_BYTES: usize = 400 * 1024;
const MAX_HASH_KEY_BYTES: usize = 2048;
const MAX_RANGE_KEY_BYTES: usize = 1024;
/// Most requests in one BatchWriteItem call.
const MAX_BATCH_WRITES: usize = 25;

/// The legacy (pre-expression) parameters the emulator does not implement.
const LEGACY: &[(&str, &str)] = &[
    ("Expected", "ConditionExpression"),
    (
        "ConditionalOperator",
        "ConditionExpression or FilterExpression",
    ),
    ("ScanFilter", "FilterExpression"),
    ("QueryFilter", "FilterExpression"),
];

/// Refuses legacy parameters, naming the expression to use instead.
pub(super) fn refuse_legacy(input: &Input) -> Result<(), ServiceError> {
    for (member, replacement) in LEGACY {
        if input.get(*member).is_some_and(|v| !v.is_null()) {
            return Err(validation(format!(
                "The emulator does not support the legacy parameter {member}; use {replacement}"
            )));
        }
    }
    Ok(())
}

fn empty_key_message(name: &str, value: &Attr) -> Option<String> {
    match value {
        Attr::S(s) if s.is_empty() => Some(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {name}"
        )),
        Attr::B(b) if b.is_empty() => Some(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: {name}"
        )),
        _ => None,
    }
}

fn check_key_size(key: &KeyVal, hash: bool) -> Result<(), ServiceError> {
    if hash && key.size() > MAX_HASH_KEY_BYTES {
        return Err(invalid(
            "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ));
    }
    if !hash && key.size() > MAX_RANGE_KEY_BYTES {
        return Err(invalid(
            "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
        ));
    }
    Ok(())
}

/// The primary key of an item being written (PutItem): every key attribute
/// present, of its declared type, not empty.
pub(super) fn key_from_item(
    schema: &KeySchema,
    item: &[(Box<str>, Attr)],
) -> Result<PrimaryKey, ServiceError> {
    let read = |def: &KeyDef, hash: bool| -> Result<KeyVal, ServiceError> {
        let Some(value) = value::get(item, &def.name) else {
            return Err(invalid(format!("Missing the key {} in the item", def.name)));
        };
        let key = value
            .as_key()
            .filter(|k| def.kind.matches(k))
            .ok_or_else(|| {
                invalid(format!(
                    "Type mismatch for key {} expected: {} actual: {}",
                    def.name,
                    def.kind.name(),
                    value.type_name()
                ))
            })?;
        if let Some(message) = empty_key_message(&def.name, value) {
            return Err(validation(message));
        }
        check_key_size(&key, hash)?;
        Ok(key)
    };
    let hash = read(&schema.hash, true)?;
    let range = match &schema.range {
        Some(def) => Some(read(def, false)?),
        None => None,
    };
    Ok((hash, range))
}

/// The primary key a request names (GetItem, DeleteItem, ExclusiveStartKey):
/// exactly the key attributes, of their declared types.
pub(super) fn key_from_map(
    schema: &KeySchema,
    key: &[(Box<str>, Attr)],
    extra: &[&str],
) -> Result<PrimaryKey, ServiceError> {
    let mismatch = || validation("The provided key element does not match the schema");
    let expected = schema.names().count() + extra.len();
    if key.len() != expected {
        return Err(mismatch());
    }
    let read = |def: &KeyDef| -> Result<KeyVal, ServiceError> {
        let value = value::get(key, &def.name).ok_or_else(mismatch)?;
        if let Some(message) = empty_key_message(&def.name, value) {
            return Err(validation(message));
        }
        value
            .as_key()
            .filter(|k| def.kind.matches(k))
            .ok_or_else(mismatch)
    };
    let hash = read(&schema.hash)?;
    let range = match &schema.range {
        Some(def) => Some(read(def)?),
        None => None,
    };
    if extra.iter().any(|name| value::get(key, name).is_none()) {
        return Err(mismatch());
    }
    Ok((hash, range))
}

/// Checks the item's values for the table's index keys: when present they
/// must have the declared type and not be empty.
fn check_index_keys(table: &Table, item: &[(Box<str>, Attr)]) -> Result<(), ServiceError> {
    for index in table
        .global_indexes
        .iter()
        .chain(table.local_indexes.iter())
    {
        let defs = std::iter::once(&index.schema.hash).chain(index.schema.range.as_ref());
        for def in defs {
            let Some(value) = value::get(item, &def.name) else {
                continue;
            };
            let matches = value.as_key().is_some_and(|k| def.kind.matches(&k));
            if !matches {
                return Err(invalid(format!(
                    "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                    def.name,
                    def.kind.name(),
                    value.type_name(),
                    index.name
                )));
            }
            if empty_key_message(&def.name, value).is_some() {
                return Err(validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: {}, IndexKey: {}",
                    index.name, def.name
                )));
            }
        }
    }
    Ok(())
}

/// Reads an attribute-value map member (`Item`, `Key`).
pub(super) fn read_map(input: &Input, member: &str) -> Result<Item, ServiceError> {
    let map = input
        .get(member)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    value::map_from_json(&map).map_err(validation)
}

/// What to return, from `ProjectionExpression` or `AttributesToGet`.
pub(super) fn projection(
    input: &Input,
    placeholders: &mut Placeholders,
) -> Result<Option<Vec<Path>>, ServiceError> {
    let expression = input.get("ProjectionExpression").and_then(Value::as_str);
    let legacy = input.get("AttributesToGet").and_then(Value::as_array);
    match (expression, legacy) {
        (Some(_), Some(_)) => Err(validation(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
        )),
        (Some(text), None) => expr::parse_projection(text, placeholders)
            .map(Some)
            .map_err(validation),
        (None, Some(names)) => {
            let mut seen = HashSet::new();
            let mut paths = Vec::new();
            for name in names.iter().filter_map(Value::as_str) {
                if !seen.insert(name) {
                    return Err(invalid(format!(
                        "Duplicate value in attribute name: {name}"
                    )));
                }
                paths.push(vec![expr::Step::Name(name.to_owned())]);
            }
            Ok(Some(paths))
        }
        (None, None) => Ok(None),
    }
}

/// A condition expression member, parsed.
pub(super) fn condition(
    input: &Input,
    member: &str,
    placeholders: &mut Placeholders,
) -> Result<Option<Cond>, ServiceError> {
    match input.get(member).and_then(Value::as_str) {
        Some(text) => expr::parse_condition(text, member, placeholders)
            .map(Some)
            .map_err(validation),
        None => Ok(None),
    }
}

/// `ConsumedCapacity` when the request asked for it.
pub(super) fn consumed(input: &Input, table: &str, units: f64) -> Option<Value> {
    match input.get("ReturnConsumedCapacity").and_then(Value::as_str) {
        Some("TOTAL") => Some(json!({"TableName": table, "CapacityUnits": units})),
        Some("INDEXES") => Some(json!({
            "TableName": table,
            "CapacityUnits": units,
            "Table": {"CapacityUnits": units},
        })),
        _ => None,
    }
}

fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(1024).max(1) as f64
}

pub(super) fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

fn return_values(input: &Input) -> Result<bool, ServiceError> {
    match input.get("ReturnValues").and_then(Value::as_str) {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(_) => Err(validation("ReturnValues can only be ALL_OLD or NONE")),
    }
}

/// A validated PutItem: the item and its key.
pub(super) fn checked_item(table: &Table, item: Item) -> Result<(PrimaryKey, Item), ServiceError> {
    let key = key_from_item(&table.schema, &item)?;
    check_index_keys(table, &item)?;
    if value::item_size(&item) > MAX_ITEM_BYTES {
        return Err(validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok((key, item))
}

impl DynamoDbService {
    pub(super) fn put_item(&self, input: &Input) -> Outcome {
        refuse_legacy(input)?;
        let item = read_map(input, "Item")?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let cond = condition(input, "ConditionExpression", &mut placeholders)?;
        placeholders
            .check_all_used(cond.is_some())
            .map_err(validation)?;
        let all_old = return_values(input)?;
        let table = self.requested_table(input)?;
        let (key, item) = checked_item(&table, item)?;
        let size = value::item_size(&item);
        let old = {
            let mut guard = table.data.write().unwrap_or_else(|e| e.into_inner());
            let data = guard.writable()?;
            let old = data.items.get(&key);
            if let Some(cond) = &cond {
                let current: &[(Box<str>, Attr)] = old.map_or(&[], |i| &**i);
                if !expr::eval(cond, current, &placeholders) {
                    return Err(errors::condition_failed());
                }
            }
            self.journal_item(&table, &key, Some(&item));
            let old = data.items.insert(key, item);
            data.bytes = data.bytes + size - old.as_ref().map_or(0, |o| value::item_size(o));
            old
        };
        let mut out = json!({});
        if let (true, Some(old)) = (all_old, &old) {
            out["Attributes"] = value::map_to_json(old);
        }
        if let Some(capacity) = consumed(input, &table.name, write_units(size)) {
            out["ConsumedCapacity"] = capacity;
        }
        Ok(out)
    }

    pub(super) fn get_item(&self, input: &Input) -> Outcome {
        let key_map = read_map(input, "Key")?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let paths = projection(input, &mut placeholders)?;
        placeholders
            .check_all_used(input.get("ProjectionExpression").is_some())
            .map_err(validation)?;
        let table = self.requested_table(input)?;
        let key = key_from_map(&table.schema, &key_map, &[])?;
        let consistent = input
            .get("ConsistentRead")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let data = table.data.read().unwrap_or_else(|e| e.into_inner());
        let mut out = json!({});
        let mut size = 0;
        if let Some(item) = data.items.get(&key) {
            size = value::item_size(item);
            out["Item"] = match &paths {
                Some(paths) => value::map_to_json(&expr::project(item, paths)),
                None => value::map_to_json(item),
            };
        }
        if let Some(capacity) = consumed(input, &table.name, read_units(size, consistent)) {
            out["ConsumedCapacity"] = capacity;
        }
        Ok(out)
    }

    pub(super) fn delete_item(&self, input: &Input) -> Outcome {
        refuse_legacy(input)?;
        let key_map = read_map(input, "Key")?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let cond = condition(input, "ConditionExpression", &mut placeholders)?;
        placeholders
            .check_all_used(cond.is_some())
            .map_err(validation)?;
        let all_old = return_values(input)?;
        let table = self.requested_table(input)?;
        let key = key_from_map(&table.schema, &key_map, &[])?;
        let old = {
            let mut guard = table.data.write().unwrap_or_else(|e| e.into_inner());
            let data = guard.writable()?;
            if let Some(cond) = &cond {
                let old = data.items.get(&key);
                let current: &[(Box<str>, Attr)] = old.map_or(&[], |i| &**i);
                if !expr::eval(cond, current, &placeholders) {
                    return Err(errors::condition_failed());
                }
            }
            let old = data.items.remove(&key);
            if let Some(old) = &old {
                self.journal_item(&table, &key, None);
                data.bytes -= value::item_size(old);
            }
            old
        };
        let mut out = json!({});
        let size = old.as_ref().map_or(0, |o| value::item_size(o));
        if let (true, Some(old)) = (all_old, &old) {
            out["Attributes"] = value::map_to_json(old);
        }
        if let Some(capacity) = consumed(input, &table.name, write_units(size)) {
            out["ConsumedCapacity"] = capacity;
        }
        Ok(out)
    }

    pub(super) fn batch_write_item(&self, input: &Input) -> Outcome {
        let requests = input
            .get("RequestItems")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let total: usize = requests
            .values()
            .map(|list| list.as_array().map_or(0, Vec::len))
            .sum();
        if total > MAX_BATCH_WRITES {
            return Err(validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        enum Write {
            Put(PrimaryKey, Item),
            Delete(PrimaryKey),
        }
        // Everything is checked before anything is written.
        let mut plan = Vec::new();
        for (name, list) in &requests {
            super::check_table_name(name, "requestItems")?;
            let table = self.active_table(name)?;
            let mut writes = Vec::new();
            let mut keys = HashSet::new();
            for request in list.as_array().into_iter().flatten() {
                let put = request.get("PutRequest").filter(|v| !v.is_null());
                let delete = request.get("DeleteRequest").filter(|v| !v.is_null());
                let write = match (put, delete) {
                    (Some(put), None) => {
                        let item = read_map(put.as_object().unwrap_or(&Map::new()), "Item")?;
                        let (key, item) = checked_item(&table, item)?;
                        Write::Put(key, item)
                    }
                    (None, Some(delete)) => {
                        let key = read_map(delete.as_object().unwrap_or(&Map::new()), "Key")?;
                        Write::Delete(key_from_map(&table.schema, &key, &[])?)
                    }
                    _ => {
                        return Err(validation(
                            "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest",
                        ));
                    }
                };
                let key = match &write {
                    Write::Put(key, _) | Write::Delete(key) => key.clone(),
                };
                if !keys.insert(key) {
                    return Err(validation("Provided list of item keys contains duplicates"));
                }
                writes.push(write);
            }
            plan.push((table, writes));
        }
        // Every table's data is locked (in name order, so that two batches
        // cannot wait for each other) and found not deleted before any
        // write is made: the batch is applied, and reported, whole.
        // A table named twice (by name and by ARN) is locked once.
        plan.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let tables: Vec<Arc<Table>> = plan.iter().map(|(table, _)| table.clone()).collect();
        let mut guards = Vec::with_capacity(tables.len());
        let mut guard_of = Vec::with_capacity(tables.len());
        for (at, table) in tables.iter().enumerate() {
            if at == 0 || !Arc::ptr_eq(&tables[at - 1], table) {
                let guard = table.data.write().unwrap_or_else(|e| e.into_inner());
                if guard.deleted {
                    return Err(errors::resource_not_found());
                }
                guards.push(guard);
            }
            guard_of.push(guards.len() - 1);
        }
        let mut capacity = Vec::new();
        for ((table, writes), at) in plan.into_iter().zip(guard_of) {
            let data = &mut *guards[at];
            let mut units = 0.0;
            for write in writes {
                match write {
                    Write::Put(key, item) => {
                        let size = value::item_size(&item);
                        units += write_units(size);
                        self.journal_item(&table, &key, Some(&item));
                        let old = data.items.insert(key, item);
                        data.bytes =
                            data.bytes + size - old.as_ref().map_or(0, |o| value::item_size(o));
                    }
                    Write::Delete(key) => {
                        units += 1.0;
                        if let Some(old) = data.items.remove(&key) {
                            self.journal_item(&table, &key, None);
                            data.bytes -= value::item_size(&old);
                        }
                    }
                }
            }
            if let Some(c) = consumed(input, &table.name, units) {
                capacity.push(c);
            }
        }
        let mut out = json!({ "UnprocessedItems": {} });
        if !capacity.is_empty() {
            out["ConsumedCapacity"] = Value::Array(capacity);
        }
        Ok(out)
    }
}
