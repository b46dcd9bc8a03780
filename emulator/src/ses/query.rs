//! The AWS Query protocol as SES (API version 2010-12-01) speaks it:
//! responses wrapped in `<{Action}Response><{Action}Result>` and XML errors
//! in the SES namespace. Requests are read as IAM reads them
//! ([`crate::iam::query::parse_form`], [`crate::iam::form::to_json`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::iam::query::element;

const NAMESPACE: &str = "http://ses.amazonaws.com/doc/2010-12-01/";

/// An SES error: code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl SesError {
    /// Only `super::errors` builds these: one named constructor per error.
    pub(super) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        SesError {
            status,
            code,
            message: message.into(),
        }
    }
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
/// SES writes the Result element also when it is empty.
pub fn success(action: &str, result: &str, request_id: &str) -> Response {
    let body = format!(
        r#"<{action}Response xmlns="{NAMESPACE}"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"#
    );
    xml_response(StatusCode::OK, body, request_id)
}

/// `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..`.
pub fn failure(error: &SesError, request_id: &str) -> Response {
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
