//! The AWS JSON protocols (1.0 and 1.1): error responses the SDKs map to
//! their typed errors, and successful responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// An error a service returns: its code (the shape name the SDK maps to a
/// typed error), message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ServiceError {
    /// A client error (HTTP 400) with the given code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError {
            status: 400,
            code,
            message: message.into(),
        }
    }

    /// An internal error (HTTP 500).
    pub fn internal(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError {
            status: 500,
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}

/// The content type of a JSON protocol version (`"1.0"` or `"1.1"`).
fn content_type(version: &str) -> HeaderValue {
    if version == "1.0" {
        HeaderValue::from_static("application/x-amz-json-1.0")
    } else {
        HeaderValue::from_static("application/x-amz-json-1.1")
    }
}

/// A successful response with a JSON body.
pub fn success(version: &str, body: &Value, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(version));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// An error response: `x-amzn-ErrorType` header and `{"__type","message"}` body.
pub fn failure(version: &str, error: &ServiceError, request_id: &str) -> Response {
    let body = serde_json::json!({ "__type": error.code, "message": error.message });
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(version));
    if let Ok(kind) = HeaderValue::from_str(error.code) {
        headers.insert("x-amzn-errortype", kind);
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// Parses a request body; an empty body counts as `{}`. A body that is not
/// JSON becomes the service's own validation error (`error_code`).
pub fn parse_body(body: &[u8], error_code: &'static str) -> Result<Value, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|err| {
        ServiceError::new(
            error_code,
            format!("The request body is not valid JSON: {err}"),
        )
    })
}
