//! The AWS JSON protocols (1.0 and 1.1): the one front door every
//! JSON-protocol service is served through ([`call`]: signature check,
//! operation lookup in the service model, body parse, validation, routing),
//! error responses the SDKs map to their typed errors, and successful
//! responses.

use std::future::Future;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::validation::{Invalid, Model};

/// A service spoken over a JSON protocol: what [`call`] needs from it.
pub trait JsonService: Send + Sync {
    /// The service model requests are looked up in and checked against.
    fn model(&self) -> &Model;

    /// The service's error for a body it cannot read as a request (not JSON,
    /// or not a JSON object); `message` says which.
    fn unreadable(&self, message: String) -> ServiceError;

    /// The service's error for a request its model refuses.
    fn invalid(&self, invalid: Invalid) -> ServiceError;

    /// Runs `operation` (a name from the model) on a request the model accepted.
    fn route(
        &self,
        operation: &'static str,
        input: &Map<String, Value>,
    ) -> impl Future<Output = Result<Value, ServiceError>> + Send;
}

/// Serves one request to a JSON-protocol service: `action` from
/// `X-Amz-Target`, the raw body, and whether it carried an `Authorization`
/// header. A service none of whose operations AWS accepts unsigned refuses
/// an unsigned request before looking at the action; otherwise only the
/// operations the model marks unsigned go without.
///
/// In debug builds (every test) a successful response is checked against
/// the operation's output shape: a mismatch becomes a 500 `InternalFailure`
/// naming it, so that any test making the call fails.
pub async fn call<S: JsonService>(
    service: &S,
    action: &str,
    body: &[u8],
    signed: bool,
) -> Result<Value, ServiceError> {
    let model = service.model();
    if !signed && !model.has_unsigned_operations() {
        return Err(missing_authentication_token());
    }
    let Some(operation) = model.operation(action) else {
        return Err(unknown_operation(action));
    };
    if !signed && !operation.unsigned {
        return Err(missing_authentication_token());
    }
    let request = parse_body(body).map_err(|message| service.unreadable(message))?;
    model
        .check_request(operation, &request)
        .map_err(|invalid| service.invalid(invalid))?;
    let Some(input) = request.as_object() else {
        return Err(service.unreadable(NOT_AN_OBJECT.to_owned()));
    };
    let output = service.route(operation.name, input).await?;
    // Debug builds only (every test); `cfg!` rather than `#[cfg]` keeps the
    // check compiled, and so free of dead-code warnings, in release builds.
    if cfg!(debug_assertions) {
        model
            .check_response(operation, &output)
            .map_err(|mismatch| response_mismatch(action, &mismatch))?;
    }
    Ok(output)
}

/// What a body that is JSON but not an object is told.
pub const NOT_AN_OBJECT: &str = "The request body must be a JSON object";

/// `UnknownOperationException`: the model has no operation of this name.
pub fn unknown_operation(action: &str) -> ServiceError {
    ServiceError::new(
        "UnknownOperationException",
        format!("Unknown operation: {action}"),
    )
}

/// `UnknownOperationException` for a request no service handles (404).
pub fn no_service(method: &str, path: &str) -> ServiceError {
    ServiceError {
        status: 404,
        ..ServiceError::new(
            "UnknownOperationException",
            format!("No service handles {method} {path}"),
        )
    }
}

/// `UnknownOperationException` for a JSON-protocol request that is not a POST.
pub fn not_post() -> ServiceError {
    ServiceError::new(
        "UnknownOperationException",
        "Requests to this service must be POST",
    )
}

/// `MissingAuthenticationTokenException`: an unsigned request to an
/// operation that needs a signature.
pub fn missing_authentication_token() -> ServiceError {
    ServiceError::new(
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
    )
}

/// `SerializationException`: the body, or a member of it, cannot be read.
pub fn serialization(message: impl Into<String>) -> ServiceError {
    ServiceError::new("SerializationException", message)
}

/// `InternalFailure` (500): the emulator's own response does not match the
/// service model (only checked in debug builds).
pub fn response_mismatch(action: &str, mismatch: &str) -> ServiceError {
    ServiceError::internal(
        "InternalFailure",
        format!("the emulator's {action} response does not match the service model: {mismatch}"),
    )
}

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

/// Parses a request body; an empty body counts as `{}`. `Err` says why a
/// body is not JSON, for the service to answer in its own error.
pub fn parse_body(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|err| format!("The request body is not valid JSON: {err}"))
}
