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
mod persist;
mod sending;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::Config;
use crate::aws_query::{QueryError, QueryService};
use crate::outbox::Outbox;
use crate::persist::Journal;
use crate::validation::{Model, Shape};

/// The XML inside `<{Action}Result>`, or the error.
type Outcome = Result<String, QueryError>;

/// Whether a request is signed for SES (the SDKs' signing name is `ses`).
pub(crate) fn is_ses_request(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("/ses/aws4_request"))
}

/// A verified identity (an email address), and when it was verified
/// relative to the others: ListIdentities lists them in that order.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    address: String,
    /// Larger for identities verified later (kept across restarts).
    order: u64,
}

/// One emulator's SES: its verified identities, in the order they were
/// verified, and the outbox mail goes to.
pub struct SesService {
    region: String,
    model: Model,
    identities: Mutex<Vec<Identity>>,
    outbox: Arc<Outbox>,
    /// Where identity changes are reported (see `stored`); the outbox's
    /// mail is the outbox's own.
    journal: Journal,
}

impl SesService {
    pub(crate) fn new(config: &Config, outbox: Arc<Outbox>, journal: Journal) -> Self {
        SesService {
            region: config.region.clone(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            identities: Mutex::new(Vec::new()),
            outbox,
            journal,
        }
    }

    /// Whether `address` is a verified identity. Email identities are case
    /// sensitive in SES ("Verifying an email address identity", SES
    /// developer guide).
    fn is_verified(&self, address: &str) -> bool {
        self.identities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|identity| identity.address == address)
    }
}

impl QueryService for SesService {
    const NAME: &'static str = "ses";
    const API_VERSION: &'static str = "2010-12-01";
    const NAMESPACE: &'static str = "http://ses.amazonaws.com/doc/2010-12-01/";
    // SES writes the Result element also when it is empty.
    const EMPTY_RESULT_ELEMENT: bool = true;

    fn model(&self) -> &Model {
        &self.model
    }

    fn shapes(&self) -> &'static [Shape] {
        model::SHAPES
    }

    fn route(&self, action: &str, input: &Value) -> Outcome {
        match action {
            "SendEmail" => self.send_email(input),
            "VerifyEmailIdentity" => self.verify_email_identity(input),
            "ListIdentities" => self.list_identities(input),
            "GetIdentityVerificationAttributes" => self.get_identity_verification_attributes(input),
            "DeleteIdentity" => self.delete_identity(input),
            _ => Err(crate::aws_query::invalid_action(action, Self::API_VERSION)),
        }
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
