//! Every Cognito operation the emulator serves, fed bad requests: a body that
//! is not JSON (or not an object), a missing required member, a member of the
//! wrong JSON type, and a value past the model's maximum. The operations and
//! their members come from the emulator's own dispatch list and service
//! model, so an operation added later is covered without touching this file.
//!
//! What AWS answers, and so what is asserted here (always HTTP 400, never a
//! 500, a panic or a dropped connection):
//! - not JSON, not an object, or a wrong JSON type → `SerializationException`
//!   (the body cannot be read into the request shape; for a wrong type the
//!   emulator's message names the member);
//! - a missing required member or a value outside the model's constraints →
//!   `InvalidParameterException` "N validation errors detected: Value ... at
//!   'member' failed to satisfy constraint: ...", naming the member.
//!
//! All cases run one after another, then all at once, and the emulator must
//! still answer normally afterwards.

use crate::sdk_client;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sdk_client::{RawResponse, raw};
use emulator::cognito::{model, supported_operations};
use emulator::validation::{Member, Shape};
use serde_json::{Value, json};

/// One bad request and what the answer must be.
#[derive(Debug, Clone)]
struct Case {
    operation: &'static str,
    what: String,
    body: Vec<u8>,
    code: &'static str,
    /// Texts the message must contain (the member's path, the constraint).
    needles: Vec<String>,
}

/// `UserPoolId` → `userPoolId`, the way AWS writes member paths.
fn camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn input_members(operation: &str) -> (&'static [Member], &'static [&'static str]) {
    let op = model::OPERATIONS
        .iter()
        .find(|op| op.name == operation)
        .unwrap_or_else(|| panic!("{operation} is served but missing from the service model"));
    let input = op
        .input
        .unwrap_or_else(|| panic!("{operation} has no input shape"));
    match &model::SHAPES[input] {
        Shape::Structure { members, required } => (members, required),
        other => panic!("{operation}: input is not a structure: {other:?}"),
    }
}

/// `{"name": value}`.
fn object(name: &str, value: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(name.to_owned(), value);
    Value::Object(map)
}

/// A JSON value of the wrong type for `shape` (and the type it should be).
fn wrong_value(shape: &Shape) -> (Value, &'static str) {
    match shape {
        Shape::String { .. } => (json!(12345), "a string"),
        Shape::Blob => (json!(12345), "a base64-encoded string"),
        Shape::Integer { .. } => (json!("12"), "an integer"),
        Shape::Boolean => (json!([]), "a boolean"),
        Shape::Double | Shape::Timestamp => (json!("soon"), "a number"),
        Shape::Structure { .. } => (json!("text"), "a structure"),
        Shape::List { .. } => (json!("text"), "a list"),
        Shape::Map { .. } => (json!(["text"]), "a map"),
    }
}

/// A value past `shape`'s maximum and the constraint text AWS reports for
/// it, if the shape has a maximum.
fn too_big(shape: &Shape) -> Option<(Value, String)> {
    match shape {
        Shape::String {
            max: Some(max),
            enumeration: [],
            ..
        } => Some((
            json!("a".repeat(*max as usize + 1)),
            format!("Member must have length less than or equal to {max}"),
        )),
        Shape::Integer { max: Some(max), .. } => Some((
            json!(max + 1),
            format!("Member must have value less than or equal to {max}"),
        )),
        _ => None,
    }
}

/// A string `shape` refuses although it is within any length bounds: one
/// shorter than its minimum, or one its pattern does not match.
fn off_pattern(shape: &Shape) -> Option<(Value, String)> {
    let Shape::String {
        min,
        pattern,
        enumeration,
        ..
    } = shape
    else {
        return None;
    };
    if !enumeration.is_empty() {
        return None;
    }
    if let Some(min) = min.filter(|min| *min > 0) {
        return Some((
            json!(""),
            format!("Member must have length greater than or equal to {min}"),
        ));
    }
    let pattern = model::PATTERNS[(*pattern)?];
    let regex = regex::Regex::new(&format!("^(?:{pattern})$")).ok()?;
    ["a b", "!", "\u{7}", "{}", "a/b"]
        .into_iter()
        .find(|candidate| !regex.is_match(candidate))
        .map(|candidate| {
            (
                json!(candidate),
                format!("Member must satisfy regular expression pattern: {pattern}"),
            )
        })
}

/// Out-of-range cases for the bounded members of a structure: its own
/// scalars, and (when it has none) those of the structures it contains.
fn out_of_range(
    members: &[Member],
    path: &str,
    wrap: &dyn Fn(Value) -> Value,
    found: &mut Vec<(String, Value, String)>,
) {
    let before = found.len();
    for member in members {
        let child = if path.is_empty() {
            camel(member.name)
        } else {
            format!("{path}.{}", camel(member.name))
        };
        if let Some((value, constraint)) = too_big(&model::SHAPES[member.shape]) {
            let body = wrap(object(member.name, value));
            found.push((child, body, constraint));
        }
    }
    if found.len() > before {
        return;
    }
    for member in members {
        if let Shape::Structure { members: inner, .. } = &model::SHAPES[member.shape] {
            let child = if path.is_empty() {
                camel(member.name)
            } else {
                format!("{path}.{}", camel(member.name))
            };
            let name = member.name;
            let nested = |value: Value| wrap(object(name, value));
            out_of_range(inner, &child, &nested, found);
            if found.len() > before {
                return;
            }
        }
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for &operation in supported_operations() {
        let (members, required) = input_members(operation);
        for (what, body) in [
            ("truncated JSON", br#"{"UserPoolId": "#.to_vec()),
            ("not UTF-8", b"{\"Username\": \"\xff\xfe\"}".to_vec()),
            ("a JSON list", b"[]".to_vec()),
        ] {
            cases.push(Case {
                operation,
                what: what.to_owned(),
                body,
                code: "SerializationException",
                needles: Vec::new(),
            });
        }
        if !required.is_empty() {
            cases.push(Case {
                operation,
                what: "no required members".to_owned(),
                body: b"{}".to_vec(),
                code: "InvalidParameterException",
                needles: required
                    .iter()
                    .map(|name| {
                        format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            camel(name)
                        )
                    })
                    .collect(),
            });
        }
        for member in members {
            let (value, expected) = wrong_value(&model::SHAPES[member.shape]);
            let path = camel(member.name);
            cases.push(Case {
                operation,
                what: format!("{path} of the wrong type"),
                body: object(member.name, value).to_string().into_bytes(),
                code: "SerializationException",
                needles: vec![format!("'{path}'"), format!("expected {expected}")],
            });
        }
        let mut found = Vec::new();
        out_of_range(members, "", &|v| v, &mut found);
        if found.is_empty() {
            // No maximum anywhere (GetUser's AccessToken has only a pattern):
            // break the pattern or the minimum length instead.
            for member in members {
                if let Some((value, constraint)) = off_pattern(&model::SHAPES[member.shape]) {
                    found.push((camel(member.name), object(member.name, value), constraint));
                }
            }
        }
        assert!(
            !found.is_empty(),
            "{operation}: the model constrains no member, nothing to exceed"
        );
        for (path, body, constraint) in found {
            cases.push(Case {
                operation,
                what: format!("{path} too long or too large"),
                body: body.to_string().into_bytes(),
                code: "InvalidParameterException",
                needles: vec![format!(
                    "at '{path}' failed to satisfy constraint: {constraint}"
                )],
            });
        }
    }
    cases
}

async fn send(endpoint: &str, case: &Case) -> RawResponse {
    let target = format!("AWSCognitoIdentityProviderService.{}", case.operation);
    raw(
        endpoint,
        "POST",
        "/",
        &[
            ("x-amz-target", target.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
            ),
        ],
        &case.body,
    )
    .await
}

/// The answer is the expected validation error; `Err` says how it is not.
fn judge(case: &Case, response: &RawResponse) -> Result<(), String> {
    let label = format!("{} with {}", case.operation, case.what);
    if response.status != 400 {
        return Err(format!(
            "{label}: status {} (0 = connection dropped): {}",
            response.status, response.body
        ));
    }
    let body: Value = serde_json::from_str(&response.body)
        .map_err(|_| format!("{label}: body is not JSON: {}", response.body))?;
    if body["__type"] != case.code || response.header("x-amzn-errortype") != Some(case.code) {
        return Err(format!(
            "{label}: expected {}, got {}",
            case.code, response.body
        ));
    }
    let message = body["message"].as_str().unwrap_or_default();
    if message.is_empty() {
        return Err(format!("{label}: no message"));
    }
    for needle in &case.needles {
        if !message.contains(needle.as_str()) {
            return Err(format!("{label}: message lacks {needle:?}: {message}"));
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_operation_refuses_bad_input_with_the_validation_error() {
    let cases = cases();
    let per_operation: BTreeMap<&str, usize> =
        cases.iter().fold(BTreeMap::new(), |mut counts, case| {
            *counts.entry(case.operation).or_default() += 1;
            counts
        });
    assert_eq!(per_operation.len(), supported_operations().len());
    assert!(per_operation.contains_key("SignUp") && per_operation.contains_key("ConfirmDevice"));

    let (emulator, client) = sdk_client::start().await;
    let endpoint = emulator.endpoint();

    // One after another.
    let mut failures = Vec::new();
    for case in &cases {
        let response = send(&endpoint, case).await;
        if let Err(failure) = judge(case, &response) {
            failures.push(failure);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // All at once (at most 64 connections open at a time).
    let permits = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = tokio::task::JoinSet::new();
    for case in cases.clone() {
        let endpoint = endpoint.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let response = send(&endpoint, &case).await;
            judge(&case, &response)
        });
    }
    let mut concurrent_failures = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        if let Err(failure) = outcome.expect("request task") {
            concurrent_failures.push(failure);
        }
    }
    assert!(
        concurrent_failures.is_empty(),
        "concurrently:\n{}",
        concurrent_failures.join("\n")
    );

    // Still serving, state intact.
    let health = raw(&endpoint, "GET", "/_emulator/health", &[], b"").await;
    assert_eq!(health.status, 200);
    let pool_id = sdk_client::pool(&client).await;
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("DescribeUserPool after the bad requests");
    assert_eq!(described.user_pool().unwrap().id(), Some(pool_id.as_str()));
    emulator.stop().await;
}
