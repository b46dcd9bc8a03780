//! Query-protocol parameters (`RoleName=x&Tags.member.1.Key=k`) turned into
//! the JSON shape of the operation's input, so the model validator can check
//! them and the operations can read them like the JSON services do.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::validation::Shape;

/// The input structure `shape`, read from `params`.
pub fn to_json(shapes: &[Shape], shape: usize, params: &HashMap<String, String>) -> Value {
    read(shapes, shape, "", params).unwrap_or_else(|| Value::Object(Map::new()))
}

fn read(
    shapes: &[Shape],
    shape: usize,
    key: &str,
    params: &HashMap<String, String>,
) -> Option<Value> {
    match &shapes[shape] {
        Shape::Structure { members, .. } => {
            let mut object = Map::new();
            for member in *members {
                let child = if key.is_empty() {
                    member.name.to_owned()
                } else {
                    format!("{key}.{}", member.name)
                };
                if let Some(value) = read(shapes, member.shape, &child, params) {
                    object.insert(member.name.to_owned(), value);
                }
            }
            // The top level is always an object; nested ones only when present.
            (key.is_empty() || !object.is_empty()).then_some(Value::Object(object))
        }
        Shape::List { member, .. } => {
            let prefix = format!("{key}.member.");
            let present = params.contains_key(key) || params.keys().any(|k| k.starts_with(&prefix));
            if !present {
                return None;
            }
            let mut items = Vec::new();
            for n in 1.. {
                match read(shapes, *member, &format!("{prefix}{n}"), params) {
                    Some(item) => items.push(item),
                    None => break,
                }
            }
            Some(Value::Array(items))
        }
        Shape::Map { .. } => None,
        Shape::Integer { .. } => params.get(key).map(|text| {
            text.parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(text.clone()))
        }),
        Shape::Boolean => params.get(key).map(|text| match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.clone()),
        }),
        Shape::Double | Shape::Timestamp => params.get(key).map(|text| {
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(text.clone()))
        }),
        Shape::String { .. } | Shape::Blob => params.get(key).map(|v| Value::String(v.clone())),
    }
}
