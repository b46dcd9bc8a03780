//! Shared by the DynamoDB, IAM, SES and CloudWatch Logs tests: SDK clients pointed
//! at an emulator with dummy credentials, and raw HTTP for what the SDKs will
//! not send.

use emulator::{Config, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("emulator starts")
}

macro_rules! client_for {
    ($name:ident, $sdk:ident) => {
        pub fn $name(endpoint: &str) -> $sdk::Client {
            let config = $sdk::config::Builder::new()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new("us-east-1"))
                .endpoint_url(endpoint)
                .credentials_provider($sdk::config::Credentials::new(
                    "AKIDEXAMPLE",
                    "not-a-secret",
                    None,
                    None,
                    "tests",
                ))
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

client_for!(iam, aws_sdk_iam);
client_for!(logs, aws_sdk_cloudwatchlogs);
client_for!(ses, aws_sdk_ses);

/// A response to a raw HTTP request: status, headers (lower-case names) and body.
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }
}

/// Sends one HTTP/1.1 POST to `/` over a fresh connection.
pub async fn post(endpoint: &str, headers: &[(&str, &str)], body: &[u8]) -> RawResponse {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// An `Authorization` header (never checked, only required).
pub const SIGNED: (&str, &str) = (
    "authorization",
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00",
);

/// A signed JSON-protocol call (`X-Amz-Target: {target}`) with a raw body.
pub async fn json_call(endpoint: &str, target: &str, version: &str, body: &str) -> RawResponse {
    let content_type = format!("application/x-amz-json-{version}");
    post(
        endpoint,
        &[
            ("x-amz-target", target),
            ("content-type", content_type.as_str()),
            SIGNED,
        ],
        body.as_bytes(),
    )
    .await
}

/// The same call without an `Authorization` header.
pub async fn unsigned_json_call(
    endpoint: &str,
    target: &str,
    version: &str,
    body: &str,
) -> RawResponse {
    let content_type = format!("application/x-amz-json-{version}");
    post(
        endpoint,
        &[
            ("x-amz-target", target),
            ("content-type", content_type.as_str()),
        ],
        body.as_bytes(),
    )
    .await
}

/// Values of every JSON type (and some awkward ones) to put in any member.
pub fn awkward_values() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(true),
        json!(""),
        json!("x"),
        json!("é".repeat(3000)),
        json!({}),
        json!([]),
        json!({"S": "x"}),
        json!({"S": "x", "N": "1"}),
        json!([{}]),
        json!([{"S": "x"}]),
        json!({"a": {"S": ""}}),
        json!({"a": {"NS": []}}),
        json!({"a": {"L": [{"M": {"b": {}}}]}}),
        json!({"a": {"SS": ["x", "x"]}}),
        json!({"a": {"B": "not base64!"}}),
        json!({"a": {"N": "1e999"}}),
        json!({":a": {"S": "x"}}),
        json!("((((((((a = :a"),
        json!("#a.b[99999999999999999999] = :a"),
        json!("{ $.x = "),
        json!("[a, ..., b = 5*"),
    ]
}

/// Sends every operation of a JSON service bad bodies and every member an
/// awkward value (alone and next to `base`); the answer must never be a
/// server error. Returns how many requests were sent.
pub async fn json_fuzz(
    endpoint: &str,
    prefix: &str,
    version: &str,
    operations: &[emulator::validation::Operation],
    shapes: &[emulator::validation::Shape],
    base: serde_json::Value,
) -> usize {
    use emulator::validation::Shape;
    let mut sent = 0;
    for operation in operations {
        let target = format!("{prefix}{}", operation.name);
        let mut bodies: Vec<String> = vec!["{".into(), "[]".into(), "null".into(), "{}".into()];
        if let Some(Shape::Structure { members, .. }) = operation.input.map(|i| &shapes[i]) {
            for member in *members {
                for value in awkward_values() {
                    let mut alone = serde_json::Map::new();
                    alone.insert(member.name.to_owned(), value.clone());
                    bodies.push(serde_json::Value::Object(alone).to_string());
                    let mut with_base = base.as_object().cloned().unwrap_or_default();
                    with_base.insert(member.name.to_owned(), value);
                    bodies.push(serde_json::Value::Object(with_base).to_string());
                }
            }
        }
        for body in bodies {
            let response = json_call(endpoint, &target, version, &body).await;
            assert!(
                (200..500).contains(&response.status),
                "{target} {body}: HTTP {} {}",
                response.status,
                response.body
            );
            if response.status >= 400 {
                assert!(
                    response.json()["__type"].is_string(),
                    "{target} {body}: {}",
                    response.body
                );
            }
            sent += 1;
        }
    }
    sent
}
