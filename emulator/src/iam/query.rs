//! The AWS Query protocol as IAM speaks it: form-encoded requests, XML
//! responses wrapped in `<{Action}Response><{Action}Result>`, and XML errors.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// An IAM error: code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl IamError {
    /// Only `super::errors` builds these: one named constructor per error.
    pub(super) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        IamError {
            status,
            code,
            message: message.into(),
        }
    }
}

/// Whether a request is a Query-protocol request (form body, or signed for `iam`).
pub fn is_query_request(method: &Method, headers: &HeaderMap) -> bool {
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
/// an empty `result` leaves the Result element out (as IAM does for actions
/// without output).
pub fn success(action: &str, result: &str, request_id: &str) -> Response {
    let mut body = format!(r#"<{action}Response xmlns="{NAMESPACE}">"#);
    if !result.is_empty() {
        body.push_str(&format!("<{action}Result>{result}</{action}Result>"));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ));
    xml_response(StatusCode::OK, body, request_id)
}

/// `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..`.
pub fn failure(error: &IamError, request_id: &str) -> Response {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let mut body = format!(r#"<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type>"#);
    element(&mut body, "Code", error.code);
    element(&mut body, "Message", &error.message);
    body.push_str(&format!(
        "</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ));
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, body, request_id)
}
