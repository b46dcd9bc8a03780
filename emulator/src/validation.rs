//! Request validation against a service model: member types, required
//! members, and the length, range, pattern and enum constraints, reported the
//! way AWS reports them ("1 validation error detected: Value at 'userPoolId'
//! failed to satisfy constraint: ...").
//!
//! AWS tells two kinds of bad request apart: a member of the wrong JSON type
//! fails while the body is read (`SerializationException`), before any value
//! is looked at; values that break the model's constraints are listed
//! together afterwards. [`Model::check_request`] reports them that way.

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

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A member of the wrong JSON type, or a body that is not a JSON object:
    /// the service's `SerializationException`. The message names the member.
    Serialization(String),
    /// Missing required members and values outside the model's constraints,
    /// every one listed ("2 validation errors detected: ...").
    Constraints(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Serialization(message) | Invalid::Constraints(message) => f.write_str(message),
        }
    }
}

/// What one pass over a request found.
#[derive(Default)]
struct Findings {
    /// Every violation, wrong types included, in AWS's constraint wording.
    errors: Vec<String>,
    /// The wrong JSON types alone, worded for a `SerializationException`.
    wrong_types: Vec<String>,
}

impl Findings {
    fn wrong_type(&mut self, path: &str, expected: &str, value: &Value) {
        self.errors.push(format!(
            "Value at '{path}' failed to satisfy constraint: Member must be {expected}"
        ));
        let found = match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "a structure or map",
        };
        self.wrong_types.push(if path.is_empty() {
            format!("The request body must be a JSON object, not {found}")
        } else {
            format!("Unexpected value type at '{path}': expected {expected}, found {found}")
        });
    }
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
    /// message of the validation error (every violation found, wrong types
    /// included, as AWS lists constraint violations).
    pub fn validate(&self, operation: &Operation, input: &Value) -> Result<(), String> {
        let findings = self.findings(operation, input);
        if findings.errors.is_empty() {
            Ok(())
        } else {
            Err(summary(&findings.errors))
        }
    }

    /// Checks `input` against the operation's input shape the way AWS does:
    /// a wrong JSON type anywhere is an [`Invalid::Serialization`] naming the
    /// (first such) member; otherwise every missing required member and
    /// constraint violation is listed in one [`Invalid::Constraints`].
    pub fn check_request(&self, operation: &Operation, input: &Value) -> Result<(), Invalid> {
        let mut findings = self.findings(operation, input);
        if !findings.wrong_types.is_empty() {
            return Err(Invalid::Serialization(findings.wrong_types.swap_remove(0)));
        }
        if findings.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid::Constraints(summary(&findings.errors)))
        }
    }

    fn findings(&self, operation: &Operation, input: &Value) -> Findings {
        let mut findings = Findings::default();
        if let Some(shape) = operation.input {
            self.check(shape, input, "", &mut findings);
        }
        findings
    }

    fn pattern(&self, index: usize) -> Option<&Regex> {
        self.compiled[index]
            .get_or_init(|| Regex::new(&format!("^(?:{})$", self.patterns[index])).ok())
            .as_ref()
    }

    fn check(&self, shape: usize, value: &Value, path: &str, findings: &mut Findings) {
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
                    findings.wrong_type(path, "a string", value);
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
                        findings.errors.push(shown(&format!(
                            "Member must have length greater than or equal to {min}"
                        )));
                    }
                }
                if let Some(max) = max {
                    if length > *max {
                        findings.errors.push(shown(&format!(
                            "Member must have length less than or equal to {max}"
                        )));
                    }
                }
                if !enumeration.is_empty() && !enumeration.contains(&text) {
                    findings.errors.push(shown(&format!(
                        "Member must satisfy enum value set: [{}]",
                        enumeration.join(", ")
                    )));
                }
                if let Some(index) = pattern {
                    if let Some(regex) = self.pattern(*index) {
                        if !regex.is_match(text) {
                            findings.errors.push(shown(&format!(
                                "Member must satisfy regular expression pattern: {}",
                                self.patterns[*index]
                            )));
                        }
                    }
                }
            }
            Shape::Integer { min, max } => {
                let Some(number) = value.as_i64() else {
                    findings.wrong_type(path, "an integer", value);
                    return;
                };
                if let Some(min) = min {
                    if number < *min {
                        findings.errors.push(format!("Value '{number}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}"));
                    }
                }
                if let Some(max) = max {
                    if number > *max {
                        findings.errors.push(format!("Value '{number}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}"));
                    }
                }
            }
            Shape::Boolean => {
                if !value.is_boolean() {
                    findings.wrong_type(path, "a boolean", value);
                }
            }
            Shape::Double | Shape::Timestamp => {
                if !value.is_number() {
                    findings.wrong_type(path, "a number", value);
                }
            }
            Shape::Blob => {
                if !value.is_string() {
                    findings.wrong_type(path, "a base64-encoded string", value);
                }
            }
            Shape::Structure { members, required } => {
                let Some(object) = value.as_object() else {
                    findings.wrong_type(path, "a structure", value);
                    return;
                };
                for name in *required {
                    if object.get(*name).is_none_or(Value::is_null) {
                        let child = join(path, name);
                        findings.errors.push(format!(
                            "Value null at '{child}' failed to satisfy constraint: Member must not be null"
                        ));
                    }
                }
                for member in *members {
                    if let Some(child) = object.get(member.name) {
                        if !child.is_null() {
                            self.check(member.shape, child, &join(path, member.name), findings);
                        }
                    }
                }
            }
            Shape::List { member, min, max } => {
                let Some(items) = value.as_array() else {
                    findings.wrong_type(path, "a list", value);
                    return;
                };
                let length = items.len() as u64;
                if min.is_some_and(|min| length < min) {
                    findings.errors.push(at(&format!(
                        "Member must have length greater than or equal to {}",
                        min.unwrap_or_default()
                    )));
                }
                if max.is_some_and(|max| length > max) {
                    findings.errors.push(at(&format!(
                        "Member must have length less than or equal to {}",
                        max.unwrap_or_default()
                    )));
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(*member, item, &format!("{path}.{}.member", i + 1), findings);
                }
            }
            Shape::Map {
                key,
                value: value_shape,
                min,
                max,
            } => {
                let Some(entries) = value.as_object() else {
                    findings.wrong_type(path, "a map", value);
                    return;
                };
                let length = entries.len() as u64;
                if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
                    findings.errors.push(at(
                        "Member must have a number of entries within the allowed range",
                    ));
                }
                for (k, v) in entries {
                    self.check(
                        *key,
                        &Value::String(k.clone()),
                        &format!("{path}.key"),
                        findings,
                    );
                    if !v.is_null() {
                        self.check(*value_shape, v, &format!("{path}.{k}.value"), findings);
                    }
                }
            }
        }
    }
}

/// "N validation error(s) detected: ..." for a list of violations.
fn summary(errors: &[String]) -> String {
    let count = errors.len();
    let noun = if count == 1 { "error" } else { "errors" };
    format!("{count} validation {noun} detected: {}", errors.join("; "))
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

    #[test]
    fn check_request_tells_wrong_types_from_constraint_violations() {
        let model = Model::new(SHAPES, PATTERNS, OPERATIONS);
        let op = model.operation("Demo").unwrap();
        let check = |input: Value| model.check_request(op, &input);
        assert_eq!(
            check(serde_json::json!({"UserPoolId": "us-east-1_abc"})),
            Ok(())
        );
        // A wrong type wins over any constraint violation, and names its member.
        assert_eq!(
            check(serde_json::json!({"UserPoolId": "nounderscore", "Limit": "ten"})),
            Err(Invalid::Serialization(
                "Unexpected value type at 'limit': expected an integer, found a string".into()
            ))
        );
        assert_eq!(
            check(serde_json::json!({"UserPoolId": "a_b", "Names": [{"x": 1}]})),
            Err(Invalid::Serialization(
                "Unexpected value type at 'names.1.member': expected a string, found a structure or map"
                    .into()
            ))
        );
        assert!(matches!(
            check(serde_json::json!([])),
            Err(Invalid::Serialization(message)) if message.contains("must be a JSON object")
        ));
        match check(serde_json::json!({"Limit": 61})) {
            Err(Invalid::Constraints(message)) => {
                assert!(
                    message.starts_with("2 validation errors detected"),
                    "{message}"
                );
                assert!(message.contains("Value null at 'userPoolId'"), "{message}");
                assert!(message.contains("Value '61' at 'limit'"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
