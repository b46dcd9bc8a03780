//! Shared by the DynamoDB, IAM and CloudWatch Logs tests: SDK clients pointed
//! at an emulator with dummy credentials, and raw HTTP for what the SDKs will
//! not send.
#![allow(dead_code)]

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

client_for!(dynamodb, aws_sdk_dynamodb);
client_for!(iam, aws_sdk_iam);
client_for!(logs, aws_sdk_cloudwatchlogs);

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
