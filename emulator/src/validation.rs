//! Request validation against a service model: member types, required
//! members, and the length, range, pattern and enum constraints, reported the
//! way AWS reports them ("1 validation error detected: Value at 'userPoolId'
//! failed to satisfy constraint: ...").

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

/// One shape of a service model's request side.
#[derive(Debug)]
pub enum Shape {
    String {
        min: Option<u64>,
        max: Option<u64>,
        /// Index into the service's pattern table.
        pattern: Option<usize>,
        enumeration: &'static [&'static str],
        /// Sensitive values are never echoed in messages.
        sensitive: bool,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Double,
    Timestamp,
    Blob,
    Structure {
        members: &'static [Member],
        required: &'static [&'static str],
    },
    List {
        member: usize,
        min: Option<u64>,
        max: Option<u64>,
    },
    Map {
        key: usize,
        value: usize,
        min: Option<u64>,
        max: Option<u64>,
    },
}

/// A structure member: its wire name and shape.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub shape: usize,
}

/// An operation of a service: name, input shape, and whether AWS accepts it
/// without a signature.
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub input: Option<usize>,
    pub unsigned: bool,
}

/// A service model's shapes plus its compiled patterns.
pub struct Model {
    shapes: &'static [Shape],
    patterns: &'static [&'static str],
    compiled: Vec<OnceLock<Option<Regex>>>,
    operations: &'static [Operation],
}

impl Model {
    pub fn new(
        shapes: &'static [Shape],
        patterns: &'static [&'static str],
        operations: &'static [Operation],
    ) -> Self {
        Model {
            shapes,
            patterns,
            compiled: patterns.iter().map(|_| OnceLock::new()).collect(),
            operations,
        }
    }

    /// The operation named `name`, if the model has it.
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.iter().find(|op| op.name == name)
    }

    /// Checks `input` against the operation's input shape; `Err` carries the
    /// message of the validation error (every violation found, as AWS lists them).
    pub fn validate(&self, operation: &Operation, input: &Value) -> Result<(), String> {
        let Some(shape) = operation.input else {
            return Ok(());
        };
        let mut errors = Vec::new();
        self.check(shape, input, "", &mut errors);
        if errors.is_empty() {
            return Ok(());
        }
        let count = errors.len();
        let noun = if count == 1 { "error" } else { "errors" };
        Err(format!(
            "{count} validation {noun} detected: {}",
            errors.join("; ")
        ))
    }

    fn pattern(&self, index: usize) -> Option<&Regex> {
        self.compiled[index]
            .get_or_init(|| Regex::new(&format!("^(?:{})$", self.patterns[index])).ok())
            .as_ref()
    }

    fn check(&self, shape: usize, value: &Value, path: &str, errors: &mut Vec<String>) {
        let at =
            |problem: &str| format!("Value at '{path}' failed to satisfy constraint: {problem}");
        match &self.shapes[shape] {
            Shape::String {
                min,
                max,
                pattern,
                enumeration,
                sensitive,
            } => {
                let Some(text) = value.as_str() else {
                    errors.push(at("Member must be a string"));
                    return;
                };
                let shown = |problem: &str| {
                    if *sensitive || text.len() > 256 {
                        at(problem)
                    } else {
                        format!(
                            "Value '{text}' at '{path}' failed to satisfy constraint: {problem}"
                        )
                    }
                };
                let length = text.chars().count() as u64;
                if let Some(min) = min {
                    if length < *min {
                        errors.push(shown(&format!(
                            "Member must have length greater than or equal to {min}"
                        )));
                    }
                }
                if let Some(max) = max {
                    if length > *max {
                        errors.push(shown(&format!(
                            "Member must have length less than or equal to {max}"
                        )));
                    }
                }
                if !enumeration.is_empty() && !enumeration.contains(&text) {
                    errors.push(shown(&format!(
                        "Member must satisfy enum value set: [{}]",
                        enumeration.join(", ")
                    )));
                }
                if let Some(index) = pattern {
                    if let Some(regex) = self.pattern(*index) {
                        if !regex.is_match(text) {
                            errors.push(shown(&format!(
                                "Member must satisfy regular expression pattern: {}",
                                self.patterns[*index]
                            )));
                        }
                    }
                }
            }
            Shape::Integer { min, max } => {
                let Some(number) = value.as_i64() else {
                    errors.push(at("Member must be an integer"));
                    return;
                };
                if let Some(min) = min {
                    if number < *min {
                        errors.push(format!("Value '{number}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}"));
                    }
                }
                if let Some(max) = max {
                    if number > *max {
                        errors.push(format!("Value '{number}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}"));
                    }
                }
            }
            Shape::Boolean => {
                if !value.is_boolean() {
                    errors.push(at("Member must be a boolean"));
                }
            }
            Shape::Double | Shape::Timestamp => {
                if !value.is_number() {
                    errors.push(at("Member must be a number"));
                }
            }
            Shape::Blob => {
                if !value.is_string() {
                    errors.push(at("Member must be a base64-encoded string"));
                }
            }
            Shape::Structure { members, required } => {
                let Some(object) = value.as_object() else {
                    errors.push(if path.is_empty() {
                        "The request body must be a JSON object".to_owned()
                    } else {
                        at("Member must be a structure")
                    });
                    return;
                };
                for name in *required {
                    if object.get(*name).is_none_or(Value::is_null) {
                        let child = join(path, name);
                        errors.push(format!(
                            "Value null at '{child}' failed to satisfy constraint: Member must not be null"
                        ));
                    }
                }
                for member in *members {
                    if let Some(child) = object.get(member.name) {
                        if !child.is_null() {
                            self.check(member.shape, child, &join(path, member.name), errors);
                        }
                    }
                }
            }
            Shape::List { member, min, max } => {
                let Some(items) = value.as_array() else {
                    errors.push(at("Member must be a list"));
                    return;
                };
                let length = items.len() as u64;
                if min.is_some_and(|min| length < min) {
                    errors.push(at(&format!(
                        "Member must have length greater than or equal to {}",
                        min.unwrap_or_default()
                    )));
                }
                if max.is_some_and(|max| length > max) {
                    errors.push(at(&format!(
                        "Member must have length less than or equal to {}",
                        max.unwrap_or_default()
                    )));
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(*member, item, &format!("{path}.{}.member", i + 1), errors);
                }
            }
            Shape::Map {
                key,
                value: value_shape,
                min,
                max,
            } => {
                let Some(entries) = value.as_object() else {
                    errors.push(at("Member must be a map"));
                    return;
                };
                let length = entries.len() as u64;
                if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
                    errors.push(at(
                        "Member must have a number of entries within the allowed range",
                    ));
                }
                for (k, v) in entries {
                    self.check(
                        *key,
                        &Value::String(k.clone()),
                        &format!("{path}.key"),
                        errors,
                    );
                    if !v.is_null() {
                        self.check(*value_shape, v, &format!("{path}.{k}.value"), errors);
                    }
                }
            }
        }
    }
}

/// `parent.member` with the member name in lower camel case, as AWS writes paths.
fn join(parent: &str, member: &str) -> String {
    let mut chars = member.chars();
    let camel: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    if parent.is_empty() {
        camel
    } else {
        format!("{parent}.{camel}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SHAPES: &[Shape] = &[
        Shape::Structure {
            members: &[
                Member {
                    name: "UserPoolId",
                    shape: 1,
                },
                Member {
                    name: "Limit",
                    shape: 2,
                },
                Member {
                    name: "Names",
                    shape: 3,
                },
                Member {
                    name: "Password",
                    shape: 4,
                },
            ],
            required: &["UserPoolId"],
        },
        Shape::String {
            min: Some(1),
            max: Some(55),
            pattern: Some(0),
            enumeration: &[],
            sensitive: false,
        },
        Shape::Integer {
            min: Some(0),
            max: Some(60),
        },
        Shape::List {
            member: 5,
            min: None,
            max: Some(2),
        },
        Shape::String {
            min: Some(6),
            max: None,
            pattern: None,
            enumeration: &[],
            sensitive: true,
        },
        Shape::String {
            min: None,
            max: None,
            pattern: None,
            enumeration: &["EMAIL", "SMS"],
            sensitive: false,
        },
    ];
    static PATTERNS: &[&str] = &["[\\w-]+_[0-9a-zA-Z]+"];
    static OPERATIONS: &[Operation] = &[Operation {
        name: "Demo",
        input: Some(0),
        unsigned: false,
    }];

    fn validate(input: Value) -> Result<(), String> {
        let model = Model::new(SHAPES, PATTERNS, OPERATIONS);
        let op = model.operation("Demo").unwrap();
        model.validate(op, &input)
    }

    #[test]
    fn accepts_a_valid_request() {
        let ok = validate(
            serde_json::json!({"UserPoolId": "us-east-1_abc", "Limit": 60, "Names": ["SMS"]}),
        );
        assert_eq!(ok, Ok(()));
    }

    #[test]
    fn names_the_missing_member() {
        let err = validate(serde_json::json!({})).unwrap_err();
        assert_eq!(
            err,
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn reports_pattern_range_type_and_enum_errors() {
        let err = validate(
            serde_json::json!({"UserPoolId": "nounderscore", "Limit": 61, "Names": [1, "X"]}),
        )
        .unwrap_err();
        assert!(err.starts_with("4 validation errors detected"), "{err}");
        assert!(err.contains("Value 'nounderscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern"), "{err}");
        assert!(err.contains("Value '61' at 'limit'"), "{err}");
        assert!(
            err.contains(
                "Value at 'names.1.member' failed to satisfy constraint: Member must be a string"
            ),
            "{err}"
        );
        assert!(
            err.contains("Member must satisfy enum value set: [EMAIL, SMS]"),
            "{err}"
        );
    }

    #[test]
    fn never_echoes_sensitive_values() {
        let err =
            validate(serde_json::json!({"UserPoolId": "a_b", "Password": "abc"})).unwrap_err();
        assert!(err.contains("Value at 'password'"), "{err}");
        assert!(!err.contains("abc"), "{err}");
    }

    #[test]
    fn refuses_a_non_object_body_and_wrong_types() {
        assert!(validate(serde_json::json!([1])).is_err());
        let err = validate(serde_json::json!({"UserPoolId": 5})).unwrap_err();
        assert!(err.contains("'userPoolId'"), "{err}");
    }
}
