//! AWS Identity and Access Management (`iam`), the Query protocol: a form
//! body `Action=...&Version=2010-05-08&...`, XML responses, and XML errors
//! (`<ErrorResponse><Error><Type>Sender</Type><Code>..</Code>...`).
//!
//! Only roles are emulated, with their trust policy, managed policy
//! attachments and inline policies. The Lambda service asks
//! [`IamService::role_assumable_by`] whether a function's role exists and
//! trusts `lambda.amazonaws.com`.

mod errors;
pub mod model;
mod persist;
mod roles;

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use serde_json::Value;

use crate::Config;
use crate::aws_query::{QueryError, QueryService};
use crate::persist::Journal;
use crate::validation::{Model, Shape};

/// The XML inside `<{Action}Result>`, or the error.
type Outcome = Result<String, QueryError>;

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
    /// The trust policy as the caller sent it.
    assume_role_policy_document: String,
    description: Option<String>,
    max_session_duration: i64,
    permissions_boundary: Option<String>,
    tags: Vec<(String, String)>,
    /// Managed policies attached: ARN → name.
    attached: BTreeMap<String, String>,
    /// Inline policies: name → document.
    inline: BTreeMap<String, String>,
}

/// One emulator's IAM: its roles, keyed by lower-cased name (IAM names are
/// unique without regard to case).
pub struct IamService {
    account_id: String,
    model: Model,
    roles: RwLock<HashMap<String, Role>>,
    /// Where role changes are reported (see `stored`).
    journal: Journal,
}

impl IamService {
    pub(crate) fn new(config: &Config, journal: Journal) -> Self {
        IamService {
            account_id: config.account_id.clone(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            roles: RwLock::new(HashMap::new()),
            journal,
        }
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

impl QueryService for IamService {
    const NAME: &'static str = "iam";
    const API_VERSION: &'static str = "2010-05-08";
    const NAMESPACE: &'static str = "https://iam.amazonaws.com/doc/2010-05-08/";
    const EMPTY_RESULT_ELEMENT: bool = false;

    fn model(&self) -> &Model {
        &self.model
    }

    fn shapes(&self) -> &'static [Shape] {
        model::SHAPES
    }

    fn route(&self, action: &str, input: &Value) -> Result<String, QueryError> {
        let input = roles::Input(input);
        match action {
            "CreateRole" => self.create_role(&input),
            "GetRole" => self.get_role(&input),
            "DeleteRole" => self.delete_role(&input),
            "ListRoles" => self.list_roles(&input),
            "AttachRolePolicy" => self.attach_role_policy(&input),
            "DetachRolePolicy" => self.detach_role_policy(&input),
            "ListAttachedRolePolicies" => self.list_attached_role_policies(&input),
            "PutRolePolicy" => self.put_role_policy(&input),
            "GetRolePolicy" => self.get_role_policy(&input),
            "DeleteRolePolicy" => self.delete_role_policy(&input),
            "ListRolePolicies" => self.list_role_policies(&input),
            _ => Err(crate::aws_query::invalid_action(action, Self::API_VERSION)),
        }
    }
}

/// Whether a trust policy allows `sts:AssumeRole` to the service principal
/// `service` (and no statement denies it).
fn trust_allows(document: &str, service: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let mut allowed = false;
    for statement in statements(&policy) {
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

/// The statements of a policy (`Statement` may be one object or a list).
fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    fn create(iam: &IamService, name: &str, path: &str, trust: &str) {
        let params: HashMap<String, String> = [
            ("RoleName", name),
            ("Path", path),
            ("AssumeRolePolicyDocument", trust),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        crate::aws_query::run(iam, "CreateRole", &params).expect("CreateRole");
    }

    #[test]
    fn role_assumable_by_checks_existence_and_trust() {
        let iam = IamService::new(&Config::default(), Journal::memory());
        create(&iam, "fn-role", "/service-role/", LAMBDA_TRUST);
        let ec2 = LAMBDA_TRUST.replace("lambda", "ec2");
        create(&iam, "ec2-role", "/", &ec2);
        let arn = "arn:aws:iam::000000000000:role/service-role/fn-role";
        assert_eq!(
            iam.role_assumable_by(arn, "lambda.amazonaws.com"),
            RoleCheck::Ok
        );
        assert_eq!(
            iam.role_assumable_by(arn, "ec2.amazonaws.com"),
            RoleCheck::NotAssumable
        );
        assert_eq!(
            iam.role_assumable_by(
                "arn:aws:iam::000000000000:role/ec2-role",
                "lambda.amazonaws.com"
            ),
            RoleCheck::NotAssumable
        );
        // Wrong path, wrong account, unknown name, not a role ARN.
        for missing in [
            "arn:aws:iam::000000000000:role/fn-role",
            "arn:aws:iam::111111111111:role/service-role/fn-role",
            "arn:aws:iam::000000000000:role/nobody",
            "fn-role",
        ] {
            assert_eq!(
                iam.role_assumable_by(missing, "lambda.amazonaws.com"),
                RoleCheck::Missing,
                "{missing}"
            );
        }
    }

    #[test]
    fn trust_policy_names_the_service() {
        assert!(trust_allows(LAMBDA_TRUST, "lambda.amazonaws.com"));
        assert!(!trust_allows(LAMBDA_TRUST, "ec2.amazonaws.com"));
    }

    #[test]
    fn trust_policy_forms() {
        let single = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#;
        assert!(trust_allows(single, "lambda.amazonaws.com"));
        let wrong_action = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:TagSession"}}"#;
        assert!(!trust_allows(wrong_action, "lambda.amazonaws.com"));
        let denied = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:*"}]}"#;
        assert!(!trust_allows(denied, "lambda.amazonaws.com"));
        assert!(trust_allows(denied, "ec2.amazonaws.com"));
        assert!(!trust_allows("not json", "lambda.amazonaws.com"));
    }
}
