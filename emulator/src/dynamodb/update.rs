//! UpdateItem: update expressions (SET with `+`, `-`, `if_not_exists` and
//! `list_append`; REMOVE; ADD; DELETE) applied to nested document paths,
//! with a condition and every `ReturnValues` choice.

use serde_json::{Value, json};

use super::errors;
use super::expr::{self, Operand, Path, Placeholders, SetValue, Step, UpdateAction};
use super::items::{checked_item, condition, consumed, key_from_map, read_map, refuse_legacy};
use super::value::{self, Attr, Item};
use super::{DynamoDbService, Input, Outcome, invalid, validation};
use crate::aws_json::ServiceError;

/// How update errors name a value's type.
fn operand_type(attr: &Attr) -> &'static str {
    match attr {
        Attr::S(_) => "STRING",
        Attr::N(_) => "NUMBER",
        Attr::B(_) => "BINARY",
        Attr::Bool(_) => "BOOLEAN",
        Attr::Null => "NULL",
        Attr::Ss(_) => "STRING SET",
        Attr::Ns(_) => "NUMBER SET",
        Attr::Bs(_) => "BINARY SET",
        Attr::L(_) => "LIST",
        Attr::M(_) => "MAP",
    }
}

/// Evaluates a SET action's value against the item as it was before the update.
fn evaluate(
    value: &SetValue,
    item: &[(Box<str>, Attr)],
    placeholders: &Placeholders,
) -> Result<Attr, ServiceError> {
    match value {
        SetValue::Operand(Operand::Path(path)) => expr::resolve(item, path)
            .cloned()
            .ok_or_else(errors::missing_attribute),
        SetValue::Operand(Operand::Value(name)) => placeholders
            .value(name)
            .cloned()
            .ok_or_else(errors::missing_attribute),
        SetValue::Operand(Operand::Size(_)) => Err(validation(
            "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: size",
        )),
        SetValue::IfNotExists(path, fallback) => match expr::resolve(item, path) {
            Some(found) => Ok(found.clone()),
            None => evaluate(fallback, item, placeholders),
        },
        SetValue::ListAppend(first, second) => {
            let (first, second) = (
                evaluate(first, item, placeholders)?,
                evaluate(second, item, placeholders)?,
            );
            match (first, second) {
                (Attr::L(a), Attr::L(b)) => {
                    let mut items = a.into_vec();
                    items.extend(b.into_vec());
                    Ok(Attr::L(items.into_boxed_slice()))
                }
                _ => Err(errors::wrong_operand_type()),
            }
        }
        SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
            let subtract = matches!(value, SetValue::Minus(..));
            let (a, b) = (
                evaluate(a, item, placeholders)?,
                evaluate(b, item, placeholders)?,
            );
            match (a, b) {
                (Attr::N(a), Attr::N(b)) => a.add(&b, subtract).map(Attr::N).map_err(validation),
                _ => Err(errors::wrong_operand_type()),
            }
        }
    }
}

/// The value at `path`, mutable, creating nothing.
fn slot<'a>(item: &'a mut [(Box<str>, Attr)], path: &[Step]) -> Option<&'a mut Attr> {
    let (Step::Name(first), rest) = path.split_first()? else {
        return None;
    };
    let at = item
        .binary_search_by(|(n, _)| (**n).cmp(first.as_str()))
        .ok()?;
    let mut current = &mut item[at].1;
    for step in rest {
        current = match (step, current) {
            (Step::Name(name), Attr::M(entries)) => {
                let at = entries
                    .binary_search_by(|(n, _)| (**n).cmp(name.as_str()))
                    .ok()?;
                &mut entries[at].1
            }
            (Step::Index(i), Attr::L(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

fn insert_sorted(entries: &mut Vec<(Box<str>, Attr)>, name: &str, value: Attr) {
    match entries.binary_search_by(|(n, _)| (**n).cmp(name)) {
        Ok(at) => entries[at].1 = value,
        Err(at) => entries.insert(at, (name.into(), value)),
    }
}

/// Writes `value` at `path`; the parent must exist (a list index past the
/// end appends).
fn set_path(
    item: &mut Vec<(Box<str>, Attr)>,
    path: &[Step],
    value: Attr,
) -> Result<(), ServiceError> {
    let Some((last, parent_path)) = path.split_last() else {
        return Err(errors::invalid_update_path());
    };
    if parent_path.is_empty() {
        let Step::Name(name) = last else {
            return Err(errors::invalid_update_path());
        };
        insert_sorted(item, name, value);
        return Ok(());
    }
    let parent = slot(item, parent_path).ok_or_else(errors::invalid_update_path)?;
    match (last, parent) {
        (Step::Name(name), Attr::M(entries)) => {
            let mut list = std::mem::take(entries).into_vec();
            insert_sorted(&mut list, name, value);
            *entries = list.into_boxed_slice();
            Ok(())
        }
        (Step::Index(i), Attr::L(items)) => {
            let mut list = std::mem::take(items).into_vec();
            if *i < list.len() {
                list[*i] = value;
            } else {
                list.push(value);
            }
            *items = list.into_boxed_slice();
            Ok(())
        }
        _ => Err(errors::invalid_update_path()),
    }
}

/// Removes what is at `path`, if anything (list elements after it shift down).
fn remove_path(item: &mut Vec<(Box<str>, Attr)>, path: &[Step]) -> Result<(), ServiceError> {
    let Some((last, parent_path)) = path.split_last() else {
        return Err(errors::invalid_update_path());
    };
    if parent_path.is_empty() {
        if let Step::Name(name) = last {
            if let Ok(at) = item.binary_search_by(|(n, _)| (**n).cmp(name.as_str())) {
                item.remove(at);
            }
        }
        return Ok(());
    }
    let Some(parent) = slot(item, parent_path) else {
        return Ok(());
    };
    match (last, parent) {
        (Step::Name(name), Attr::M(entries)) => {
            let mut list = std::mem::take(entries).into_vec();
            if let Ok(at) = list.binary_search_by(|(n, _)| (**n).cmp(name.as_str())) {
                list.remove(at);
            }
            *entries = list.into_boxed_slice();
            Ok(())
        }
        (Step::Index(i), Attr::L(items)) => {
            let mut list = std::mem::take(items).into_vec();
            if *i < list.len() {
                list.remove(*i);
            }
            *items = list.into_boxed_slice();
            Ok(())
        }
        _ => Err(errors::invalid_update_path()),
    }
}

/// Set union for ADD; `None` when the types differ.
fn union(existing: &Attr, added: &Attr) -> Option<Attr> {
    fn merge<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Box<[T]> {
        let mut out = a.to_vec();
        for item in b {
            if !out.contains(item) {
                out.push(item.clone());
            }
        }
        out.into_boxed_slice()
    }
    match (existing, added) {
        (Attr::Ss(a), Attr::Ss(b)) => Some(Attr::Ss(merge(a, b))),
        (Attr::Ns(a), Attr::Ns(b)) => Some(Attr::Ns(merge(a, b))),
        (Attr::Bs(a), Attr::Bs(b)) => Some(Attr::Bs(merge(a, b))),
        _ => None,
    }
}

/// Set difference for DELETE (`Some(None)` when the set becomes empty);
/// `None` when the types differ.
fn difference(existing: &Attr, removed: &Attr) -> Option<Option<Attr>> {
    fn minus<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    }
    let out = match (existing, removed) {
        (Attr::Ss(a), Attr::Ss(b)) => {
            let left = minus(a, b);
            (!left.is_empty()).then(|| Attr::Ss(left.into_boxed_slice()))
        }
        (Attr::Ns(a), Attr::Ns(b)) => {
            let left = minus(a, b);
            (!left.is_empty()).then(|| Attr::Ns(left.into_boxed_slice()))
        }
        (Attr::Bs(a), Attr::Bs(b)) => {
            let left = minus(a, b);
            (!left.is_empty()).then(|| Attr::Bs(left.into_boxed_slice()))
        }
        _ => return None,
    };
    Some(out)
}

/// Applies the actions to a copy of the item (values are read from the
/// item as it was before, as DynamoDB does).
fn apply(
    before: &[(Box<str>, Attr)],
    actions: &[UpdateAction],
    placeholders: &Placeholders,
) -> Result<Vec<(Box<str>, Attr)>, ServiceError> {
    let mut after = before.to_vec();
    for action in actions {
        match action {
            UpdateAction::Set(path, value) => {
                let value = evaluate(value, before, placeholders)?;
                set_path(&mut after, path, value)?;
            }
            UpdateAction::Remove(path) => remove_path(&mut after, path)?,
            UpdateAction::Add(path, name) => {
                let added = placeholders
                    .value(name)
                    .ok_or_else(errors::missing_attribute)?;
                if !matches!(added, Attr::N(_) | Attr::Ss(_) | Attr::Ns(_) | Attr::Bs(_)) {
                    return Err(validation(format!(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: {}",
                        operand_type(added)
                    )));
                }
                let value = match (expr::resolve(before, path), added) {
                    (None, added) => added.clone(),
                    (Some(Attr::N(a)), Attr::N(b)) => Attr::N(a.add(b, false).map_err(validation)?),
                    (Some(existing), added) => {
                        union(existing, added).ok_or_else(errors::wrong_operand_type)?
                    }
                };
                set_path(&mut after, path, value)?;
            }
            UpdateAction::Delete(path, name) => {
                let removed = placeholders
                    .value(name)
                    .ok_or_else(errors::missing_attribute)?;
                if !matches!(removed, Attr::Ss(_) | Attr::Ns(_) | Attr::Bs(_)) {
                    return Err(validation(format!(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: {}",
                        operand_type(removed)
                    )));
                }
                let Some(existing) = expr::resolve(before, path) else {
                    continue;
                };
                match difference(existing, removed).ok_or_else(errors::wrong_operand_type)? {
                    Some(left) => set_path(&mut after, path, left)?,
                    None => remove_path(&mut after, path)?,
                }
            }
        }
    }
    Ok(after)
}

impl DynamoDbService {
    pub(super) fn update_item(&self, input: &Input) -> Outcome {
        refuse_legacy(input)?;
        if input.get("AttributeUpdates").is_some_and(|v| !v.is_null()) {
            return Err(validation(
                "The emulator does not support the legacy parameter AttributeUpdates; use UpdateExpression",
            ));
        }
        let key_map = read_map(input, "Key")?;
        let mut placeholders = Placeholders::from_request(input).map_err(validation)?;
        let actions = match input.get("UpdateExpression").and_then(Value::as_str) {
            Some(text) => expr::parse_update(text, &mut placeholders).map_err(validation)?,
            None => Vec::new(),
        };
        let cond = condition(input, "ConditionExpression", &mut placeholders)?;
        placeholders
            .check_all_used(!actions.is_empty() || cond.is_some())
            .map_err(validation)?;
        let return_values = input
            .get("ReturnValues")
            .and_then(Value::as_str)
            .unwrap_or("NONE")
            .to_owned();
        let table = self.requested_table(input)?;
        let key = key_from_map(&table.schema, &key_map, &[])?;
        for action in &actions {
            if let Some(Step::Name(name)) = action.path().first() {
                if table.schema.names().any(|k| k == name) {
                    return Err(invalid(format!(
                        "Cannot update attribute {name}. This attribute is part of the key"
                    )));
                }
            }
        }
        let (old, new) = {
            let mut guard = table.data.write().unwrap_or_else(|e| e.into_inner());
            let data = guard.writable()?;
            let old: Option<Item> = data.items.get(&key).cloned();
            if let Some(cond) = &cond {
                let current: &[(Box<str>, Attr)] = old.as_deref().unwrap_or(&[]);
                if !expr::eval(cond, current, &placeholders) {
                    return Err(errors::condition_failed());
                }
            }
            let before: Vec<(Box<str>, Attr)> = match &old {
                Some(item) => item.to_vec(),
                None => key_map.to_vec(),
            };
            let after = apply(&before, &actions, &placeholders)?;
            let (_, new) = checked_item(&table, after.into_boxed_slice())?;
            let size = value::item_size(&new);
            data.bytes = data.bytes + size - old.as_ref().map_or(0, |o| value::item_size(o));
            self.journal_item(&table, &key, Some(&new));
            data.items.insert(key, new.clone());
            (old, new)
        };
        let updated: Vec<Path> = actions.iter().map(|a| a.path().clone()).collect();
        let attributes = match return_values.as_str() {
            "ALL_OLD" => old.as_ref().map(|o| value::map_to_json(o)),
            "ALL_NEW" => Some(value::map_to_json(&new)),
            "UPDATED_OLD" => old
                .as_ref()
                .map(|o| value::map_to_json(&expr::project(o, &updated))),
            "UPDATED_NEW" => Some(value::map_to_json(&expr::project(&new, &updated))),
            _ => None,
        };
        let mut out = json!({});
        if let Some(attributes) =
            attributes.filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
        {
            out["Attributes"] = attributes;
        }
        let units = value::item_size(&new).div_ceil(1024).max(1) as f64;
        if let Some(capacity) = consumed(input, &table.name, units) {
            out["ConsumedCapacity"] = capacity;
        }
        Ok(out)
    }
}
