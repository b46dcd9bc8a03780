//! AWS Identity and Access Management (`iam`), the Query protocol: a form
//! body `Action=...&Version=2010-05-08&...`, XML responses, and XML errors
//! (`<ErrorResponse><Error><Type>Sender</Type><Code>..</Code>...`).
//!
//! Only roles are emulated, with their trust policy, managed policy
//! attachments and inline policies. The Lambda service asks
//! [`IamService::role_assumable_by`] whether a function's role exists and
//! trusts `lambda.amazonaws.com`.

#![allow(dead_code)] // the API operations come in the next commit

mod query;

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;
use std::time::Instant;

use axum::response::Response;
use serde_json::Value;

use crate::Config;
pub(crate) use query::is_query_request;
use query::{IamError, parse_form};

type Outcome = Result<String, IamError>;

/// What [`IamService::role_assumable_by`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleCheck {
    /// No role has this ARN.
    Missing,
    /// The role exists but its trust policy does not let the service assume it.
    NotAssumable,
    /// The role exists and the service may assume it.
    Ok,
}

#[derive(Debug, Clone)]
struct Role {
    name: String,
    path: String,
    role_id: String,
    arn: String,
    create_date: String,
    /// The trust policy as the caller sent it (URL-decoded JSON text).
    assume_role_policy_document: String,
    description: Option<String>,
    max_session_duration: i64,
    /// Managed policies attached: ARN → name.
    attached: BTreeMap<String, String>,
    /// Inline policies: name → document.
    inline: BTreeMap<String, String>,
}

/// One emulator's IAM: its roles, keyed by lower-cased name (IAM names are
/// unique without regard to case).
pub struct IamService {
    account_id: String,
    roles: RwLock<HashMap<String, Role>>,
}

impl IamService {
    pub(crate) fn new(config: &Config) -> Self {
        IamService {
            account_id: config.account_id.clone(),
            roles: RwLock::new(HashMap::new()),
        }
    }

    /// Serves one Query-protocol request (the form body), logging it.
    pub(crate) async fn handle(&self, body: &[u8], started: Instant) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let (action, outcome) = match parse_form(body) {
            None => (
                String::new(),
                Err(IamError::new(
                    400,
                    "MalformedQueryString",
                    "The request body is not a valid form-encoded query string",
                )),
            ),
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
            Ok(_) => tracing::info!(service = "iam", action, status, micros, "request"),
            Err(error) => tracing::info!(
                service = "iam",
                action,
                status,
                micros,
                error = error.code,
                "request"
            ),
        }
        response
    }

    fn call(&self, action: &str, _params: &HashMap<String, String>) -> Outcome {
        if action.is_empty() {
            return Err(IamError::new(400, "MissingAction", "Missing Action"));
        }
        Err(IamError::new(
            400,
            "InvalidAction",
            format!("Could not find operation {action} for version 2010-05-08"),
        ))
    }

    /// The role with this ARN, if it exists, and whether its trust policy lets
    /// `service` (e.g. `"lambda.amazonaws.com"`) assume it.
    pub fn role_assumable_by(&self, role_arn: &str, service: &str) -> RoleCheck {
        let Some(name) = role_arn
            .rsplit('/')
            .next()
            .filter(|_| role_arn.contains(":role/"))
        else {
            return RoleCheck::Missing;
        };
        let roles = self.roles.read().unwrap_or_else(|e| e.into_inner());
        let Some(role) = roles
            .get(&name.to_lowercase())
            .filter(|r| r.arn == role_arn)
        else {
            return RoleCheck::Missing;
        };
        if trust_allows(&role.assume_role_policy_document, service) {
            RoleCheck::Ok
        } else {
            RoleCheck::NotAssumable
        }
    }
}

/// Whether a trust policy allows `sts:AssumeRole` to the service principal
/// `service` (and no statement denies it).
fn trust_allows(document: &str, service: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => return false,
    };
    let mut allowed = false;
    for statement in statements {
        if !matches_action(statement.get("Action")) || !matches_principal(statement, service) {
            continue;
        }
        match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => allowed = true,
            Some("Deny") => return false,
            _ => {}
        }
    }
    allowed
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn matches_action(action: Option<&Value>) -> bool {
    strings(action).iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == "sts:assumerole" || a == "sts:*" || a == "*"
    })
}

fn matches_principal(statement: &Value, service: &str) -> bool {
    match statement.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(principal @ Value::Object(_)) => {
            strings(principal.get("Service")).contains(&service)
                || strings(principal.get("AWS")).contains(&"*")
        }
        _ => false,
    }
}
