//! Amazon Simple Email Service, API version 2010-12-01 (`ses`), the Query
//! protocol: a form body `Action=SendEmail&Version=2010-12-01&...` signed for
//! `ses`, XML responses and XML errors, as IAM's.
//!
//! Emulated: SendEmail, VerifyEmailIdentity, ListIdentities,
//! GetIdentityVerificationAttributes and DeleteIdentity. Mail is not sent
//! anywhere: it goes to the outbox (`GET /_emulator/outbox`), once per
//! recipient, as `trigger: "SES.SendEmail"` (see [`crate::outbox`]).
//!
//! The sender must be a verified identity, as in AWS (sandbox or not);
//! recipients need not be, as for an account out of the sandbox, so a
//! trigger function can write to any user. How an address becomes verified
//! is in `identities`.

mod errors;
mod identities;
pub mod model;
mod query;
mod sending;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::Value;

use crate::Config;
use crate::outbox::Outbox;
use crate::validation::Model;
use query::SesError;

/// The one SES v1 API version.
const API_VERSION: &str = "2010-12-01";

/// The XML inside `<{Action}Result>`, or the error.
type Outcome = Result<String, SesError>;

/// Whether a request is signed for SES (the SDKs' signing name is `ses`).
pub(crate) fn is_ses_request(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("/ses/aws4_request"))
}

/// One emulator's SES: its verified identities, in the order they were
/// verified, and the outbox mail goes to.
pub struct SesService {
    region: String,
    model: Model,
    identities: Mutex<Vec<String>>,
    outbox: Arc<Outbox>,
}

impl SesService {
    pub(crate) fn new(config: &Config, outbox: Arc<Outbox>) -> Self {
        SesService {
            region: config.region.clone(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            identities: Mutex::new(Vec::new()),
            outbox,
        }
    }

    /// Serves one Query-protocol request (the form body), logging it.
    /// `signed` says whether it carried an `Authorization` header (SES takes
    /// no unsigned request).
    pub(crate) fn handle(&self, body: &[u8], signed: bool, started: Instant) -> Response {
        let request_id = crate::new_uuid().to_string();
        let (action, outcome) = match crate::iam::query::parse_form(body) {
            _ if !signed => (String::new(), Err(errors::missing_authentication_token())),
            None => (String::new(), Err(errors::malformed_query_string())),
            Some(params) => {
                let action = params.get("Action").cloned().unwrap_or_default();
                let outcome = self.call(&action, &params);
                (action, outcome)
            }
        };
        let response = match &outcome {
            Ok(result) => query::success(&action, result, &request_id),
            Err(error) => query::failure(error, &request_id),
        };
        let status = response.status().as_u16();
        let micros = started.elapsed().as_micros() as u64;
        match &outcome {
            Ok(_) => tracing::info!(service = "ses", action, status, micros, "request"),
            Err(error) => tracing::info!(
                service = "ses",
                action,
                status,
                micros,
                error = error.code,
                "request"
            ),
        }
        response
    }

    fn call(&self, action: &str, params: &HashMap<String, String>) -> Outcome {
        if action.is_empty() {
            return Err(errors::missing_action());
        }
        let Some(operation) = self.model.operation(action) else {
            return Err(errors::invalid_action(action, API_VERSION));
        };
        if let Some(version) = params.get("Version") {
            if version != API_VERSION {
                return Err(errors::invalid_action(action, version));
            }
        }
        let input = match operation.input {
            Some(shape) => crate::iam::form::to_json(model::SHAPES, shape, params),
            None => Value::Object(Default::default()),
        };
        self.model
            .validate(operation, &input)
            .map_err(errors::validation)?;
        let outcome = match action {
            "SendEmail" => self.send_email(&input),
            "VerifyEmailIdentity" => self.verify_email_identity(&input),
            "ListIdentities" => self.list_identities(&input),
            "GetIdentityVerificationAttributes" => {
                self.get_identity_verification_attributes(&input)
            }
            "DeleteIdentity" => self.delete_identity(&input),
            _ => Err(errors::invalid_action(action, API_VERSION)),
        };
        // Debug builds (every test) check the answer against the output
        // shape, as for IAM.
        if !cfg!(debug_assertions) {
            return outcome;
        }
        outcome.and_then(|result| {
            crate::iam::output::check(&self.model, model::SHAPES, operation, &result)
                .map_err(|mismatch| errors::response_mismatch(action, &mismatch))?;
            Ok(result)
        })
    }

    /// Whether `address` is a verified identity. Email identities are case
    /// sensitive in SES ("Verifying an email address identity", SES
    /// developer guide).
    fn is_verified(&self, address: &str) -> bool {
        self.identities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|identity| identity == address)
    }
}

/// A string member of a validated request.
fn text<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input.get(name).and_then(Value::as_str)
}

/// A list-of-strings member of a validated request (empty when absent).
fn texts<'a>(input: &'a Value, name: &str) -> Vec<&'a str> {
    input
        .get(name)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A new SES `MessageId`: 16 hex digits, a UUID and `-000000`, the form SES
/// answers with.
fn message_id() -> String {
    let stamp: u64 = rand::random::<u64>() >> 8;
    format!("{stamp:016x}-{}-000000", crate::new_uuid())
}
