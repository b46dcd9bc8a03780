//! Request validation against a service model: member types, required
//! members, and the length, range, pattern and enum constraints, reported the
//! way AWS reports them ("1 validation error detected: Value at 'userPoolId'
//! failed to satisfy constraint: ...").
//!
//! AWS tells two kinds of bad request apart: a member of the wrong JSON type
//! fails while the body is read (`SerializationException`), before any value
//! is looked at; values that break the model's constraints are listed
//! together afterwards. [`Model::check_request`] reports both, for each
//! service to answer in its own words.
//!
//! The response side is checked too ([`Model::check_response`]): member names,
//! JSON types and required members of the operation's output shape, so that
//! a misspelled member fails a test instead of reaching an SDK as `None`.

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

/// An operation of a service: name, input and output shapes, and whether
/// AWS accepts it without a signature.
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub input: Option<usize>,
    pub output: Option<usize>,
    pub unsigned: bool,
}

/// Why a request was refused: everything one pass over it found. Services
/// answer this differently (Cognito names the first wrong type in a
/// `SerializationException`, DynamoDB lists every violation, CloudWatch Logs
/// calls all of it an `InvalidParameterException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Every violation, wrong JSON types included, in AWS's constraint
    /// wording: "2 validation errors detected: ...".
    pub summary: String,
    /// The first member of the wrong JSON type, if any, worded for a
    /// `SerializationException` ("Unexpected value type at 'limit': ...").
    pub wrong_type: Option<String>,
    /// The body is JSON but not a JSON object.
    pub not_an_object: bool,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary)
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

    /// Whether AWS accepts any of the model's operations without a signature.
    pub fn has_unsigned_operations(&self) -> bool {
        self.operations.iter().any(|op| op.unsigned)
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

    /// Checks `input` against the operation's input shape: every missing
    /// required member, constraint violation and wrong JSON type, in one
    /// [`Invalid`].
    pub fn check_request(&self, operation: &Operation, input: &Value) -> Result<(), Invalid> {
        let mut findings = self.findings(operation, input);
        if findings.errors.is_empty() {
            return Ok(());
        }
        Err(Invalid {
            summary: summary(&findings.errors),
            not_an_object: operation.input.is_some() && !input.is_object(),
            wrong_type: (!findings.wrong_types.is_empty())
                .then(|| findings.wrong_types.swap_remove(0)),
        })
    }

    /// Checks a successful response against the operation's output shape:
    /// every member is one the shape has, of the JSON type its shape needs
    /// (timestamps as epoch seconds), required members present, nested
    /// structures, lists and maps alike. Constraints (lengths, patterns,
    /// enums) are not checked: SDKs read any value. `Err` names the first
    /// mismatch.
    pub fn check_response(&self, operation: &Operation, output: &Value) -> Result<(), String> {
        match operation.output {
            Some(shape) => self.check_output(shape, output, ""),
            None => match output.as_object() {
                Some(members) if members.is_empty() => Ok(()),
                _ => Err(format!(
                    "{} has no output members, but the response is {output}",
                    operation.name
                )),
            },
        }
    }

    fn check_output(&self, shape: usize, value: &Value, path: &str) -> Result<(), String> {
        let wrong = |expected: &str| {
            let at = if path.is_empty() {
                "the response"
            } else {
                path
            };
            Err(format!("{at} must be {expected}, not {value}"))
        };
        match &self.shapes[shape] {
            Shape::String { .. } | Shape::Blob if !value.is_string() => wrong("a string"),
            Shape::Integer { .. } if !(value.is_i64() || value.is_u64()) => wrong("an integer"),
            Shape::Boolean if !value.is_boolean() => wrong("a boolean"),
            Shape::Double if !value.is_number() => wrong("a number"),
            Shape::Timestamp if !value.is_number() => wrong("a number (epoch seconds)"),
            Shape::Structure { members, required } => {
                let Some(object) = value.as_object() else {
                    return wrong("a structure");
                };
                for name in *required {
                    if object.get(*name).is_none_or(Value::is_null) {
                        return Err(format!(
                            "required member {} is missing",
                            child_path(path, name)
                        ));
                    }
                }
                for (name, child) in object {
                    let Some(member) = members.iter().find(|m| m.name == name) else {
                        return Err(format!(
                            "{} is not a member of the output shape",
                            child_path(path, name)
                        ));
                    };
                    // A null reads as an absent member in every SDK.
                    if !child.is_null() {
                        self.check_output(member.shape, child, &child_path(path, name))?;
                    }
                }
                Ok(())
            }
            Shape::List { member, .. } => {
                let Some(items) = value.as_array() else {
                    return wrong("a list");
                };
                items.iter().enumerate().try_for_each(|(i, item)| {
                    self.check_output(*member, item, &format!("{path}[{i}]"))
                })
            }
            Shape::Map { value: values, .. } => {
                let Some(entries) = value.as_object() else {
                    return wrong("a map");
                };
                entries
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .try_for_each(|(k, v)| self.check_output(*values, v, &format!("{path}[{k:?}]")))
            }
            _ => Ok(()),
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

/// `parent.Member` as the output shape spells it (for response mismatches).
fn child_path(parent: &str, member: &str) -> String {
    if parent.is_empty() {
        member.to_owned()
    } else {
        format!("{parent}.{member}")
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
        // 6: the output of Demo.
        Shape::Structure {
            members: &[
                Member {
                    name: "Pool",
                    shape: 7,
                },
                Member {
                    name: "Created",
                    shape: 10,
                },
                Member {
                    name: "Tags",
                    shape: 11,
                },
            ],
            required: &["Pool"],
        },
        Shape::Structure {
            members: &[
                Member {
                    name: "Id",
                    shape: 1,
                },
                Member {
                    name: "Size",
                    shape: 2,
                },
                Member {
                    name: "Channels",
                    shape: 8,
                },
            ],
            required: &[],
        },
        Shape::List {
            member: 9,
            min: None,
            max: None,
        },
        Shape::Boolean,
        Shape::Timestamp,
        Shape::Map {
            key: 5,
            value: 2,
            min: None,
            max: None,
        },
    ];
    static PATTERNS: &[&str] = &["[\\w-]+_[0-9a-zA-Z]+"];
    static OPERATIONS: &[Operation] = &[
        Operation {
            name: "Demo",
            input: Some(0),
            output: Some(6),
            unsigned: false,
        },
        Operation {
            name: "Quiet",
            input: None,
            output: None,
            unsigned: false,
        },
    ];

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
        // The first wrong type is named on its own, beside every violation.
        let invalid =
            check(serde_json::json!({"UserPoolId": "nounderscore", "Limit": "ten"})).unwrap_err();
        assert_eq!(
            invalid.wrong_type.as_deref(),
            Some("Unexpected value type at 'limit': expected an integer, found a string")
        );
        assert!(
            invalid.summary.starts_with("2 validation errors detected"),
            "{invalid}"
        );
        assert!(!invalid.not_an_object);
        assert_eq!(
            check(serde_json::json!({"UserPoolId": "a_b", "Names": [{"x": 1}]}))
                .unwrap_err()
                .wrong_type
                .as_deref(),
            Some(
                "Unexpected value type at 'names.1.member': expected a string, found a structure or map"
            )
        );
        let not_an_object = check(serde_json::json!([])).unwrap_err();
        assert!(not_an_object.not_an_object);
        assert!(
            not_an_object
                .wrong_type
                .is_some_and(|message| message.contains("must be a JSON object")),
        );
        let constraints = check(serde_json::json!({"Limit": 61})).unwrap_err();
        assert_eq!(constraints.wrong_type, None);
        assert!(
            constraints
                .summary
                .starts_with("2 validation errors detected"),
            "{constraints}"
        );
        assert!(
            constraints.summary.contains("Value null at 'userPoolId'"),
            "{constraints}"
        );
        assert!(
            constraints.summary.contains("Value '61' at 'limit'"),
            "{constraints}"
        );
    }

    #[test]
    fn check_response_accepts_what_the_output_shape_describes() {
        let model = Model::new(SHAPES, PATTERNS, OPERATIONS);
        let demo = model.operation("Demo").unwrap();
        let full = serde_json::json!({
            "Pool": {"Id": "us-east-1_abc", "Size": 3, "Channels": [true, false]},
            "Created": 1700000000.5,
            "Tags": {"EMAIL": 1},
        });
        assert_eq!(model.check_response(demo, &full), Ok(()));
        // Optional members may be absent or null.
        assert_eq!(
            model.check_response(demo, &serde_json::json!({"Pool": {}, "Tags": null})),
            Ok(())
        );
        let quiet = model.operation("Quiet").unwrap();
        assert_eq!(model.check_response(quiet, &serde_json::json!({})), Ok(()));
    }

    #[test]
    fn check_response_names_each_kind_of_mismatch() {
        let model = Model::new(SHAPES, PATTERNS, OPERATIONS);
        let demo = model.operation("Demo").unwrap();
        let check = |output: Value| model.check_response(demo, &output).unwrap_err();
        assert_eq!(
            check(serde_json::json!({})),
            "required member Pool is missing"
        );
        assert_eq!(
            check(serde_json::json!({"Pool": {"ID": "x"}})),
            "Pool.ID is not a member of the output shape"
        );
        assert_eq!(
            check(serde_json::json!({"Pool": {"Size": "3"}})),
            "Pool.Size must be an integer, not \"3\""
        );
        assert_eq!(
            check(serde_json::json!({"Pool": {"Channels": [true, "no"]}})),
            "Pool.Channels[1] must be a boolean, not \"no\""
        );
        assert_eq!(
            check(serde_json::json!({"Pool": {}, "Created": "2024-01-01"})),
            "Created must be a number (epoch seconds), not \"2024-01-01\""
        );
        assert_eq!(
            check(serde_json::json!({"Pool": {}, "Tags": {"SMS": 1.5}})),
            "Tags[\"SMS\"] must be an integer, not 1.5"
        );
        assert_eq!(
            check(serde_json::json!([])),
            "the response must be a structure, not []"
        );
        let quiet = model.operation("Quiet").unwrap();
        assert!(
            model
                .check_response(quiet, &serde_json::json!({"Extra": 1}))
                .unwrap_err()
                .contains("Quiet has no output members")
        );
    }
}
