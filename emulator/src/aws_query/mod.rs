//! The AWS Query protocol (IAM, SES): the one front door every
//! Query-protocol service is served through ([`call`]: signature check, form
//! parse, operation lookup in the service model, validation, routing, and in
//! debug builds the answer checked against the output shape), XML responses
//! wrapped in `<{Action}Response><{Action}Result>`, and XML errors
//! (`<ErrorResponse><Error><Type>Sender</Type><Code>..</Code>...`). The
//! counterpart of [`crate::aws_json`] for the JSON services.

pub(crate) mod form;
pub(crate) mod output;

use std::collections::HashMap;
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::validation::{Model, Shape};

/// A service spoken over the Query protocol: what [`call`] needs from it.
pub(crate) trait QueryService {
    /// The service as the request log names it (`iam`, `ses`).
    const NAME: &'static str;
    /// The one API version the service answers (`Version=` of the form).
    const API_VERSION: &'static str;
    /// The XML namespace of its responses and errors.
    const NAMESPACE: &'static str;
    /// Whether an operation without output still gets an empty
    /// `<{Action}Result/>` element: SES writes one, IAM leaves it out.
    const EMPTY_RESULT_ELEMENT: bool;

    /// The service model requests are looked up in and checked against.
    fn model(&self) -> &Model;

    /// The model's shapes, which the form parameters are read by.
    fn shapes(&self) -> &'static [Shape];

    /// Runs `action` (a name from the model) on a request the model
    /// accepted: the XML inside `<{Action}Result>`, or the service's error.
    fn route(&self, action: &str, input: &Value) -> Result<String, QueryError>;
}

/// An error of a Query-protocol service: code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl QueryError {
    /// Only the services' `errors` modules and the protocol-wide errors below
    /// build these: one named constructor per error.
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        QueryError {
            status,
            code,
            message: message.into(),
        }
    }
}

/// `MissingAuthenticationToken` (403): the request is not signed (Common Errors).
pub(crate) fn missing_authentication_token() -> QueryError {
    QueryError::new(
        403,
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
}

/// `MalformedQueryString` (400): the body is not a form (Common Errors).
pub(crate) fn malformed_query_string() -> QueryError {
    QueryError::new(
        400,
        "MalformedQueryString",
        "The request body is not a valid form-encoded query string",
    )
}

/// `MissingAction` (400): the form has no `Action` (Common Errors).
pub(crate) fn missing_action() -> QueryError {
    QueryError::new(
        400,
        "MissingAction",
        "The request must contain the parameter Action",
    )
}

/// `InvalidAction` (400): no such operation in this API version.
pub(crate) fn invalid_action(action: &str, version: &str) -> QueryError {
    QueryError::new(
        400,
        "InvalidAction",
        format!("Could not find operation {action} for version {version}"),
    )
}

/// `ValidationError` (400): a required member is missing or a value breaks
/// the model's constraints (Common Errors).
pub(crate) fn validation(message: impl Into<String>) -> QueryError {
    QueryError::new(400, "ValidationError", message)
}

/// `InternalFailure` (500): the emulator's own answer does not match the
/// service model (only checked in debug builds).
pub(crate) fn response_mismatch(action: &str, mismatch: &str) -> QueryError {
    QueryError::new(
        500,
        "InternalFailure",
        format!("the emulator's {action} response does not match the service model: {mismatch}"),
    )
}

/// Serves one Query-protocol request (the form body), logging it. `signed`
/// says whether it carried an `Authorization` header: neither IAM nor SES
/// takes an unsigned request.
pub(crate) fn call<S: QueryService>(
    service: &S,
    body: &[u8],
    signed: bool,
    started: Instant,
) -> Response {
    let request_id = crate::new_uuid().to_string();
    let (action, outcome) = match parse_form(body) {
        _ if !signed => (String::new(), Err(missing_authentication_token())),
        None => (String::new(), Err(malformed_query_string())),
        Some(params) => {
            let action = params.get("Action").cloned().unwrap_or_default();
            let outcome = run(service, &action, &params);
            (action, outcome)
        }
    };
    let response = match &outcome {
        Ok(result) => success::<S>(&action, result, &request_id),
        Err(error) => failure::<S>(error, &request_id),
    };
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    match &outcome {
        Ok(_) => tracing::info!(service = S::NAME, action, status, micros, "request"),
        Err(error) => tracing::info!(
            service = S::NAME,
            action,
            status,
            micros,
            error = error.code,
            "request"
        ),
    }
    response
}

/// Looks `action` up, reads and validates its parameters, routes it, and in
/// debug builds (every test) checks the answer against the output shape, as
/// the JSON front door does for the JSON services.
pub(crate) fn run<S: QueryService>(
    service: &S,
    action: &str,
    params: &HashMap<String, String>,
) -> Result<String, QueryError> {
    if action.is_empty() {
        return Err(missing_action());
    }
    let Some(operation) = service.model().operation(action) else {
        return Err(invalid_action(action, S::API_VERSION));
    };
    if let Some(version) = params.get("Version") {
        if version != S::API_VERSION {
            return Err(invalid_action(action, version));
        }
    }
    let input = match operation.input {
        Some(shape) => form::to_json(service.shapes(), shape, params),
        None => Value::Object(Default::default()),
    };
    service
        .model()
        .validate(operation, &input)
        .map_err(validation)?;
    let outcome = service.route(action, &input);
    if !cfg!(debug_assertions) {
        return outcome;
    }
    outcome.and_then(|result| {
        output::check(service.model(), service.shapes(), operation, &result)
            .map_err(|mismatch| response_mismatch(action, &mismatch))?;
        Ok(result)
    })
}

/// Whether a request is a Query-protocol request (form body, or signed for `iam`).
pub(crate) fn is_query_request(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::POST {
        return false;
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let iam_scope = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("/iam/aws4_request"));
    form || iam_scope
}

/// Decodes an `application/x-www-form-urlencoded` body. `None` when it is not
/// valid (bad percent escapes or not UTF-8).
pub fn parse_form(body: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut params = HashMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(decode(key)?, decode(value)?);
    }
    Some(params)
}

fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Escapes text for an XML element body.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Appends `<name>escaped value</name>`.
pub fn element(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(value));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// `<{action}Response><{action}Result>{result}</...><ResponseMetadata>...`;
/// an empty `result` leaves the Result element out unless the service
/// writes it anyway ([`QueryService::EMPTY_RESULT_ELEMENT`]).
fn success<S: QueryService>(action: &str, result: &str, request_id: &str) -> Response {
    let namespace = S::NAMESPACE;
    let mut body = format!(r#"<{action}Response xmlns="{namespace}">"#);
    if !result.is_empty() || S::EMPTY_RESULT_ELEMENT {
        body.push_str(&format!("<{action}Result>{result}</{action}Result>"));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ));
    xml_response(StatusCode::OK, body, request_id)
}

/// `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..`.
fn failure<S: QueryService>(error: &QueryError, request_id: &str) -> Response {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let namespace = S::NAMESPACE;
    let mut body = format!(r#"<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>"#);
    element(&mut body, "Code", error.code);
    element(&mut body, "Message", &error.message);
    body.push_str(&format!(
        "</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ));
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, body, request_id)
}
