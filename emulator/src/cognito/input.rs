//! Reading a request that already passed model validation: members have the
//! types the model says, so accessors only need to say what is absent.

use serde_json::{Map, Value};

use super::errors;
use crate::aws_json::ServiceError;

/// A validated request (or a structure inside one).
#[derive(Clone, Copy)]
pub(crate) struct Input<'a> {
    fields: &'a Map<String, Value>,
}

impl<'a> Input<'a> {
    pub fn new(fields: &'a Map<String, Value>) -> Self {
        Input { fields }
    }

    pub fn fields(&self) -> &'a Map<String, Value> {
        self.fields
    }

    pub fn value(&self, name: &str) -> Option<&'a Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.value(name).and_then(Value::as_str)
    }

    /// A member the model marks required (validation guarantees it; this
    /// still answers cleanly if a handler asks for one that is not).
    pub fn required(&self, name: &str) -> Result<&'a str, ServiceError> {
        self.str(name)
            .ok_or_else(|| errors::invalid_parameter(format!("Missing required parameter {name}")))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.value(name).and_then(Value::as_bool)
    }

    pub fn i64(&self, name: &str) -> Option<i64> {
        self.value(name).and_then(Value::as_i64)
    }

    pub fn object(&self, name: &str) -> Option<Input<'a>> {
        self.value(name).and_then(Value::as_object).map(Input::new)
    }

    pub fn strings(&self, name: &str) -> Vec<&'a str> {
        self.value(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// A list of `{"Name": ..., "Value": ...}` (user attributes).
    pub fn attributes(&self, name: &str) -> Vec<(&'a str, &'a str)> {
        self.value(name)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| {
                        let name = item.get("Name")?.as_str()?;
                        let value = item.get("Value").and_then(Value::as_str).unwrap_or("");
                        Some((name, value))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An entry of a string map member (AuthParameters, ChallengeResponses).
    pub fn map_entry(&self, map: &str, key: &str) -> Option<&'a str> {
        self.value(map)?.get(key)?.as_str()
    }
}
