//! Scan and Query: on the table or a secondary index, with key conditions,
//! filters, projections, `Select`, `Limit`, paging keys and the 1 MB page.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::expr::{self, Cmp, Cond, Operand, Path, Placeholders, Step};
use super::items::{consumed, key_from_map, projection, read_map, read_units, refuse_legacy};
use super::value::{self, Attr, Item, KeyVal};
use super::{
    DynamoDbService, Index, Input, KeySchema, Outcome, PrimaryKey, Table, invalid, validation,
};
use crate::aws_json::ServiceError;

/// A page ends once this much item data has been read.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Where an item sits in the order a read walks: index key (for an index),
/// then the table's primary key.
type Position = (Option<KeyVal>, Option<KeyVal>, PrimaryKey);

/// The key schema being read (the table's or an index's) and which index.
struct View<'a> {
    table: &'a Table,
    index: Option<&'a Index>,
}

impl View<'_> {
    fn schema(&self) -> &KeySchema {
        self.index.map_or(&self.table.schema, |i| &i.schema)
    }

    fn position(&self, key: &PrimaryKey, item: &[(Box<str>, Attr)]) -> Option<Position> {
        match self.index {
            None => Some((None, None, key.clone())),
            Some(index) => {
                let hash = value::get(item, &index.schema.hash.name)?.as_key()?;
                let range = match &index.schema.range {
                    Some(def) => Some(value::get(item, &def.name)?.as_key()?),
                    None => None,
                };
                Some((Some(hash), range, key.clone()))
            }
        }
    }

    /// The key attributes that identify an item in this view (LastEvaluatedKey).
    fn key_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.table.schema.names().collect();
        if let Some(index) = self.index {
            for name in index.schema.names() {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The attributes an index holds for an item (all of them for the table
    /// or an ALL index).
    fn projected(&self, item: &Item) -> Vec<(Box<str>, Attr)> {
        match self.index {
            Some(index) if index.projection_type != "ALL" => {
                let keep: Vec<&str> = self
                    .key_names()
                    .into_iter()
                    .chain(index.non_key_attributes.iter().map(String::as_str))
                    .collect();
                item.iter()
                    .filter(|(name, _)| keep.contains(&&**name))
                    .cloned()
                    .collect()
            }
            _ => item.to_vec(),
        }
    }
}

/// The result shaping shared by Scan and Query.
struct Shape {
    select: String,
    paths: Option<Vec<Path>>,
    filter: Option<Cond>,
    limit: Option<usize>,
}

impl DynamoDbService {
    fn view<'a>(&self, table: &'a Table, input: &Input) -> Result<View<'a>, ServiceError> {
        let index = match input.get("IndexName").and_then(Value::as_str) {
            None => None,
            Some(name) => Some(table.index(name).ok_or_else(|| {
                validation(format!(
                    "The table does not have the specified index: {name}"
                ))
            })?),
        };
        if index.is_some_and(|i| i.global)
            && input.get("ConsistentRead").and_then(Value::as_bool) == Some(true)
        {
            return Err(validation(
                "Consistent reads are not supported on global secondary indexes",
            ));
        }
        Ok(View { table, index })
    }

    fn shape(
        &self,
        view: &View,
        input: &Input,
        placeholders: &mut Placeholders,
    ) -> Result<Shape, ServiceError> {
        let paths = projection(input, placeholders)?;
        let filter = super::items::condition(input, "FilterExpression", placeholders)?;
        let default_select = if view.index.is_some() {
            "ALL_PROJECTED_ATTRIBUTES"
        } else {
            "ALL_ATTRIBUTES"
        };
        let select = match input.get("Select").and_then(Value::as_str) {
            Some(select) => select.to_owned(),
            None if paths.is_some() => "SPECIFIC_ATTRIBUTES".to_owned(),
            None => default_select.to_owned(),
        };
        if paths.is_some() && select != "SPECIFIC_ATTRIBUTES" {
            return Err(validation(format!(
                "Cannot specify the AttributesToGet or ProjectionExpression when choosing to get {select}"
            )));
        }
        if select == "ALL_PROJECTED_ATTRIBUTES" && view.index.is_none() {
            return Err(validation(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
            ));
        }
        if let Some(index) = view.index {
            if select == "ALL_ATTRIBUTES" && index.global && index.projection_type != "ALL" {
                return Err(invalid(format!(
                    "Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
                    index.name
                )));
            }
        }
        let limit = input
            .get("Limit")
            .and_then(Value::as_u64)
            .map(|l| l as usize);
        Ok(Shape {
            select,
            paths,
            filter,
            limit,
        })
    }

    /// The position to continue after, from `ExclusiveStartKey`.
    fn start_position(&self, view: &View, input: &Input) -> Result<Option<Position>, ServiceError> {
        if input.get("ExclusiveStartKey").is_none() {
            return Ok(None);
        }
        let start = read_map(input, "ExclusiveStartKey").map_err(|err| {
            validation(format!(
                "The provided starting key is invalid: {}",
                err.message
            ))
        })?;
        let extra: Vec<&str> = view
            .key_names()
            .into_iter()
            .filter(|name| !view.table.schema.names().any(|n| n == *name))
            .collect();
        let key = key_from_map(&view.table.schema, &start, &extra).map_err(|err| {
            validation(format!(
                "The provided starting key is invalid: {}",
                err.message
            ))
        })?;
        view.position(&key, &start)
            .map(Some)
            .ok_or_else(|| validation("The provided starting key is invalid: The provided key element does not match the schema"))
    }

    /// Walks `candidates` (already in order, already past the start key),
    /// applying Limit, the page size, the filter, Select and the projection.
    fn page(
        &self,
        view: &View,
        input: &Input,
        shape: &Shape,
        placeholders: &Placeholders,
        candidates: Vec<(Position, &Item)>,
    ) -> Value {
        let mut items = Vec::new();
        let mut scanned = 0usize;
        let mut count = 0usize;
        let mut bytes = 0usize;
        let mut last: Option<&Item> = None;
        let total = candidates.len();
        for (_, item) in candidates {
            if shape.limit.is_some_and(|limit| scanned >= limit) || bytes > MAX_PAGE_BYTES {
                break;
            }
            scanned += 1;
            bytes += value::item_size(item);
            last = Some(item);
            let visible = view.projected(item);
            if let Some(filter) = &shape.filter {
                if !expr::eval(filter, &visible, placeholders) {
                    continue;
                }
            }
            count += 1;
            if shape.select == "COUNT" {
                continue;
            }
            let shown = match &shape.paths {
                Some(paths) => expr::project(&visible, paths),
                None => visible,
            };
            items.push(value::map_to_json(&shown));
        }
        let mut out = json!({ "Count": count, "ScannedCount": scanned });
        if shape.select != "COUNT" {
            out["Items"] = Value::Array(items);
        }
        if scanned < total {
            if let Some(item) = last {
                let key: Vec<(Box<str>, Attr)> = view
                    .key_names()
                    .into_iter()
                    .filter_map(|name| value::get(item, name).map(|v| (name.into(), v.clone())))
                    .collect();
                out["LastEvaluatedKey"] = value::map_to_json(&key);
            }
        }
        let consistent = input
            .get("ConsistentRead")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(capacity) = consumed(input, &view.table.name, read_units(bytes, consistent)) {
            out["ConsumedCapacity"] = capacity;
        }
        out
    }

    pub(super) fn scan(&self, input: &Input) -> Outcome {
        refuse_legacy(input)?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let table = self.requested_table(input)?;
        let view = self.view(&table, input)?;
        let segment = input.get("Segment").and_then(Value::as_u64);
        let total_segments = input.get("TotalSegments").and_then(Value::as_u64);
        match (segment, total_segments) {
            (Some(_), None) => {
                return Err(validation(
                    "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
                ));
            }
            (None, Some(_)) => {
                return Err(validation(
                    "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
                ));
            }
            (Some(s), Some(t)) if s >= t => {
                return Err(validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
                )));
            }
            _ => {}
        }
        let shape = self.shape(&view, input, &mut placeholders)?;
        let any_expression =
            input.get("ProjectionExpression").is_some() || input.get("FilterExpression").is_some();
        placeholders
            .check_all_used(any_expression)
            .map_err(validation)?;
        let start = self.start_position(&view, input)?;
        let data = table.data.read().unwrap_or_else(|e| e.into_inner());
        let mut candidates: Vec<(Position, &Item)> = data
            .items
            .iter()
            .filter(|(key, _)| match (segment, total_segments) {
                (Some(s), Some(t)) => segment_of(&key.0, t) == s,
                _ => true,
            })
            .filter_map(|(key, item)| view.position(key, item).map(|p| (p, item)))
            .collect();
        if view.index.is_some() {
            candidates.sort_by(|a, b| a.0.cmp(&b.0));
        }
        if let Some(start) = &start {
            candidates.retain(|(position, _)| position > start);
        }
        Ok(self.page(&view, input, &shape, &placeholders, candidates))
    }

    pub(super) fn query(&self, input: &Input) -> Outcome {
        refuse_legacy(input)?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let table = self.requested_table(input)?;
        let view = self.view(&table, input)?;
        let expression = input.get("KeyConditionExpression").and_then(Value::as_str);
        let legacy = input.get("KeyConditions").and_then(Value::as_object);
        let conditions = match (expression, legacy) {
            (Some(_), Some(_)) => {
                return Err(validation(
                    "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}",
                ));
            }
            (None, None) => {
                return Err(validation(
                    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
                ));
            }
            (Some(text), None) => {
                let cond = expr::parse_condition(text, "KeyConditionExpression", &mut placeholders)
                    .map_err(validation)?;
                key_conditions(&cond)?
            }
            (None, Some(map)) => legacy_key_conditions(map, &mut placeholders)?,
        };
        let shape = self.shape(&view, input, &mut placeholders)?;
        placeholders
            .check_all_used(
                expression.is_some()
                    || input.get("ProjectionExpression").is_some()
                    || input.get("FilterExpression").is_some(),
            )
            .map_err(validation)?;
        let schema = view.schema();
        let (hash_value, range_condition) =
            split_key_conditions(schema, &conditions, &placeholders)?;
        let forward = input
            .get("ScanIndexForward")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let start = self.start_position(&view, input)?;
        let data = table.data.read().unwrap_or_else(|e| e.into_inner());
        let mut candidates: Vec<(Position, &Item)> = match view.index {
            None => data
                .items
                .range((hash_value.clone(), None)..)
                .take_while(|(key, _)| key.0 == hash_value)
                .map(|(key, item)| ((None, None, key.clone()), item))
                .collect(),
            Some(_) => {
                let mut found: Vec<(Position, &Item)> = data
                    .items
                    .iter()
                    .filter_map(|(key, item)| view.position(key, item).map(|p| (p, item)))
                    .filter(|(position, _)| position.0.as_ref() == Some(&hash_value))
                    .collect();
                found.sort_by(|a, b| a.0.cmp(&b.0));
                found
            }
        };
        if let Some((range_name, cond)) = &range_condition {
            candidates.retain(|(_, item)| {
                let single = value::get(item, range_name)
                    .map(|v| vec![(Box::<str>::from(range_name.as_str()), v.clone())])
                    .unwrap_or_default();
                expr::eval(cond, &single, &placeholders)
            });
        }
        if !forward {
            candidates.reverse();
        }
        if let Some(start) = &start {
            candidates.retain(|(position, _)| {
                let order = position.cmp(start);
                if forward {
                    order == Ordering::Greater
                } else {
                    order == Ordering::Less
                }
            });
        }
        Ok(self.page(&view, input, &shape, &placeholders, candidates))
    }
}

/// Which of `total` segments a partition key falls in (a stable hash).
fn segment_of(key: &KeyVal, total: u64) -> u64 {
    let bytes: &[u8] = match key {
        KeyVal::S(s) => s.as_bytes(),
        KeyVal::N(n) => n.as_str().as_bytes(),
        KeyVal::B(b) => b,
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash % total
}

/// The conjuncts of a key condition, each on one attribute.
fn key_conditions(cond: &Cond) -> Result<Vec<Cond>, ServiceError> {
    let mut out = Vec::new();
    flatten(cond, &mut out)?;
    Ok(out)
}

fn flatten(cond: &Cond, out: &mut Vec<Cond>) -> Result<(), ServiceError> {
    match cond {
        Cond::And(a, b) => {
            flatten(a, out)?;
            flatten(b, out)
        }
        Cond::Compare(_, Cmp::Ne, _)
        | Cond::Or(..)
        | Cond::Not(..)
        | Cond::In(..)
        | Cond::Exists(_)
        | Cond::NotExists(_)
        | Cond::Type(..)
        | Cond::Contains(..) => Err(validation(format!(
            "Invalid operator used in KeyConditionExpression: {}",
            expr::operator_name(cond)
        ))),
        other => {
            out.push(other.clone());
            Ok(())
        }
    }
}

/// The legacy `KeyConditions` map, as the equivalent conditions.
fn legacy_key_conditions(
    map: &serde_json::Map<String, Value>,
    placeholders: &mut Placeholders,
) -> Result<Vec<Cond>, ServiceError> {
    let mut out = Vec::new();
    for (n, (name, condition)) in map.iter().enumerate() {
        let operator = condition
            .get("ComparisonOperator")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let values: Vec<Attr> = condition
            .get("AttributeValueList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(Attr::from_json)
            .collect::<Result<_, _>>()
            .map_err(validation)?;
        let expected = match operator {
            "BETWEEN" => 2,
            "EQ" | "LE" | "LT" | "GE" | "GT" | "BEGINS_WITH" => 1,
            _ => {
                return Err(validation(format!(
                    "Unsupported operator on KeyCondition: {operator}"
                )));
            }
        };
        if values.len() != expected {
            return Err(validation(format!(
                "One or more parameter values were invalid: Invalid number of argument(s) for the {operator} ComparisonOperator"
            )));
        }
        let mut operands = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let placeholder = format!(":legacy{n}_{i}");
            placeholders.insert_value(&placeholder, value);
            operands.push(Operand::Value(placeholder));
        }
        let path = Operand::Path(vec![Step::Name(name.clone())]);
        let mut operands = operands.into_iter();
        let mut next = || operands.next().unwrap_or(Operand::Value(String::new()));
        out.push(match operator {
            "BETWEEN" => Cond::Between(path, next(), next()),
            "BEGINS_WITH" => Cond::BeginsWith(path, next()),
            op => {
                let cmp = match op {
                    "EQ" => Cmp::Eq,
                    "LE" => Cmp::Le,
                    "LT" => Cmp::Lt,
                    "GE" => Cmp::Ge,
                    _ => Cmp::Gt,
                };
                Cond::Compare(path, cmp, next())
            }
        });
    }
    Ok(out)
}

/// The single top-level attribute a key condition is on.
fn attribute_of(cond: &Cond) -> Option<&str> {
    let path = match cond {
        Cond::Compare(Operand::Path(path), _, Operand::Value(_))
        | Cond::Between(Operand::Path(path), Operand::Value(_), Operand::Value(_))
        | Cond::BeginsWith(Operand::Path(path), Operand::Value(_)) => path,
        _ => return None,
    };
    match path.as_slice() {
        [Step::Name(name)] => Some(name),
        _ => None,
    }
}

/// The partition key value (from `hash = :v`) and the sort key condition.
fn split_key_conditions(
    schema: &KeySchema,
    conditions: &[Cond],
    placeholders: &Placeholders,
) -> Result<(KeyVal, Option<(String, Cond)>), ServiceError> {
    let unsupported = || validation("Query key condition not supported");
    let mut hash = None;
    let mut range = None;
    for cond in conditions {
        let name = attribute_of(cond).ok_or_else(unsupported)?;
        if name == schema.hash.name {
            if hash.is_some() {
                return Err(validation(
                    "KeyConditionExpressions must only contain one condition per key",
                ));
            }
            let Cond::Compare(_, Cmp::Eq, Operand::Value(v)) = cond else {
                return Err(unsupported());
            };
            hash = Some(placeholders.value(v).cloned().ok_or_else(unsupported)?);
        } else if schema.range.as_ref().is_some_and(|r| r.name == name) {
            if range.is_some() {
                return Err(validation(
                    "KeyConditionExpressions must only contain one condition per key",
                ));
            }
            range = Some(cond.clone());
        } else {
            return Err(unsupported());
        }
    }
    let Some(hash) = hash else {
        return Err(validation(format!(
            "Query condition missed key schema element: {}",
            schema.hash.name
        )));
    };
    let type_mismatch = || invalid("Condition parameter type does not match schema type");
    let hash = hash
        .as_key()
        .filter(|k| schema.hash.kind.matches(k))
        .ok_or_else(type_mismatch)?;
    let range = match (range, &schema.range) {
        (Some(cond), Some(def)) => {
            let operands: Vec<&Operand> = match &cond {
                Cond::Compare(_, _, v) | Cond::BeginsWith(_, v) => vec![v],
                Cond::Between(_, low, high) => vec![low, high],
                _ => Vec::new(),
            };
            for operand in operands {
                let Operand::Value(name) = operand else {
                    return Err(unsupported());
                };
                let value = placeholders.value(name).ok_or_else(unsupported)?;
                if !value.as_key().is_some_and(|k| def.kind.matches(&k)) {
                    return Err(type_mismatch());
                }
            }
            if matches!(cond, Cond::BeginsWith(..)) && def.kind == super::ScalarType::N {
                return Err(invalid("Query key condition not supported"));
            }
            Some((def.name.clone(), cond))
        }
        _ => None,
    };
    Ok((hash, range))
}
