//! The role operations: CreateRole, GetRole, DeleteRole, ListRoles, managed
//! policy attachments and inline policies. Each returns the XML that goes
//! inside `<{Action}Result>`.

use rand::Rng;
use serde_json::Value;

use super::errors;
use super::{IamService, Outcome, Role, statements};
use crate::aws_query::{QueryError, element, escape};

/// Managed policies a role may have attached (the IAM quota's default).
const MAX_ATTACHED_POLICIES: usize = 10;
/// Total size of a role's inline policies (characters, whitespace excluded).
const MAX_INLINE_POLICY_SIZE: usize = 10240;

/// A validated request, read by member name.
pub(super) struct Input<'a>(pub &'a Value);

impl Input<'_> {
    fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// A member the model marks required (validation has checked it is there).
    fn required(&self, name: &str) -> &str {
        self.str(name).unwrap_or_default()
    }

    fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }
}

/// Checks a policy document the way IAM does before storing it: JSON, an
/// object with statements, each with an `Effect`. A trust policy's statements
/// also need a `Principal` and may not name a `Resource`.
fn check_policy(document: &str, trust: bool) -> Result<(), QueryError> {
    let policy: Value = serde_json::from_str(document)
        .map_err(|_| errors::malformed_policy("This policy contains invalid Json"))?;
    if !policy.is_object() {
        return Err(errors::malformed_policy("Syntax errors in policy."));
    }
    let statements = statements(&policy);
    if statements.is_empty() {
        return Err(errors::malformed_policy("Syntax errors in policy."));
    }
    for statement in statements {
        match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => return Err(errors::malformed_policy("Syntax errors in policy.")),
        }
        if trust {
            if statement.get("Principal").is_none() && statement.get("NotPrincipal").is_none() {
                return Err(errors::malformed_policy(
                    "AssumeRole policy: Missing required field Principal",
                ));
            }
            if statement.get("Resource").is_some() {
                return Err(errors::malformed_policy("Has prohibited field Resource"));
            }
        } else if statement.get("Principal").is_some() {
            return Err(errors::malformed_policy(
                "Policy document should not specify a principal.",
            ));
        }
    }
    Ok(())
}

/// Percent-encodes a policy document as IAM returns it (RFC 3986: only
/// unreserved characters stay as they are).
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A role id: `AROA` and 17 upper-case letters and digits.
fn role_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..17)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("AROA{tail}")
}

/// `<Role>...</Role>` (or another element name) as GetRole returns it.
fn role_xml(role: &Role, out: &mut String) {
    element(out, "Path", &role.path);
    element(out, "RoleName", &role.name);
    element(out, "RoleId", &role.role_id);
    element(out, "Arn", &role.arn);
    element(out, "CreateDate", &role.create_date);
    element(
        out,
        "AssumeRolePolicyDocument",
        &url_encode(&role.assume_role_policy_document),
    );
    if let Some(description) = &role.description {
        element(out, "Description", description);
    }
    element(
        out,
        "MaxSessionDuration",
        &role.max_session_duration.to_string(),
    );
    if let Some(boundary) = &role.permissions_boundary {
        out.push_str("<PermissionsBoundary>");
        element(out, "PermissionsBoundaryType", "Policy");
        element(out, "PermissionsBoundaryArn", boundary);
        out.push_str("</PermissionsBoundary>");
    }
    if !role.tags.is_empty() {
        out.push_str("<Tags>");
        for (key, value) in &role.tags {
            out.push_str("<member>");
            element(out, "Key", key);
            element(out, "Value", value);
            out.push_str("</member>");
        }
        out.push_str("</Tags>");
    }
}

/// One page of `items` (sorted) after `marker`, at most `max_items` (default 100).
fn page<'a, T>(
    items: &'a [(String, T)],
    marker: Option<&str>,
    max_items: Option<i64>,
) -> (&'a [(String, T)], Option<String>) {
    let start = marker.map_or(0, |m| items.partition_point(|(key, _)| key.as_str() < m));
    let max = max_items.unwrap_or(100).max(1) as usize;
    let rest = &items[start..];
    if rest.len() > max {
        (&rest[..max], Some(rest[max].0.clone()))
    } else {
        (rest, None)
    }
}

fn truncation(out: &mut String, next: Option<String>) {
    match next {
        Some(marker) => {
            element(out, "IsTruncated", "true");
            element(out, "Marker", &marker);
        }
        None => element(out, "IsTruncated", "false"),
    }
}

/// Whether `arn` names a managed policy: `arn:{partition}:iam::{aws|account}:policy/{path}{name}`.
fn policy_name(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(owner), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let owner_ok =
        owner == "aws" || (owner.len() == 12 && owner.bytes().all(|b| b.is_ascii_digit()));
    if !partition.starts_with("aws") || !owner_ok {
        return None;
    }
    let name = resource.strip_prefix("policy/")?.rsplit('/').next()?;
    (!name.is_empty()).then_some(name)
}

impl IamService {
    fn with_role<T>(&self, name: &str, f: impl FnOnce(&Role) -> T) -> Result<T, QueryError> {
        let roles = self.roles.read().unwrap_or_else(|e| e.into_inner());
        roles
            .get(&name.to_lowercase())
            .map(f)
            .ok_or_else(|| errors::role_not_found(name))
    }

    /// Changes a role (the change is reported to the journal when `f` succeeds).
    fn with_role_mut<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Role) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        let mut roles = self.roles.write().unwrap_or_else(|e| e.into_inner());
        let key = name.to_lowercase();
        let role = roles
            .get_mut(&key)
            .ok_or_else(|| errors::role_not_found(name))?;
        let out = f(role)?;
        self.journal_role(&key, role);
        Ok(out)
    }

    pub(super) fn create_role(&self, input: &Input) -> Outcome {
        let name = input.required("RoleName");
        let document = input.required("AssumeRolePolicyDocument");
        check_policy(document, true)?;
        let path = input.str("Path").unwrap_or("/");
        let mut tags = Vec::new();
        if let Some(items) = input.0.get("Tags").and_then(Value::as_array) {
            for tag in items {
                let key = tag.get("Key").and_then(Value::as_str).unwrap_or_default();
                let value = tag.get("Value").and_then(Value::as_str).unwrap_or_default();
                if tags
                    .iter()
                    .any(|(k, _): &(String, String)| k.eq_ignore_ascii_case(key))
                {
                    return Err(errors::duplicate_tag_keys());
                }
                tags.push((key.to_owned(), value.to_owned()));
            }
        }
        if let Some(boundary) = input.str("PermissionsBoundary") {
            if policy_name(boundary).is_none() {
                return Err(errors::invalid_arn(boundary));
            }
        }
        let role = Role {
            name: name.to_owned(),
            path: path.to_owned(),
            role_id: role_id(),
            arn: format!("arn:aws:iam::{}:role{path}{name}", self.account_id),
            create_date: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            assume_role_policy_document: document.to_owned(),
            description: input.str("Description").map(str::to_owned),
            max_session_duration: input.int("MaxSessionDuration").unwrap_or(3600),
            permissions_boundary: input.str("PermissionsBoundary").map(str::to_owned),
            tags,
            attached: Default::default(),
            inline: Default::default(),
        };
        let mut out = String::from("<Role>");
        role_xml(&role, &mut out);
        out.push_str("</Role>");
        let mut roles = self.roles.write().unwrap_or_else(|e| e.into_inner());
        let key = name.to_lowercase();
        if roles.contains_key(&key) {
            return Err(errors::role_exists(name));
        }
        self.journal_role(&key, &role);
        roles.insert(key, role);
        Ok(out)
    }

    pub(super) fn get_role(&self, input: &Input) -> Outcome {
        self.with_role(input.required("RoleName"), |role| {
            let mut out = String::from("<Role>");
            role_xml(role, &mut out);
            out.push_str("<RoleLastUsed/></Role>");
            out
        })
    }

    pub(super) fn delete_role(&self, input: &Input) -> Outcome {
        let name = input.required("RoleName");
        let mut roles = self.roles.write().unwrap_or_else(|e| e.into_inner());
        let key = name.to_lowercase();
        let role = roles
            .get(&key)
            .ok_or_else(|| errors::role_not_found(name))?;
        if !role.attached.is_empty() {
            return Err(errors::role_has_attached_policies());
        }
        if !role.inline.is_empty() {
            return Err(errors::role_has_inline_policies());
        }
        self.journal_role_deleted(&key);
        roles.remove(&key);
        Ok(String::new())
    }

    pub(super) fn list_roles(&self, input: &Input) -> Outcome {
        let prefix = input.str("PathPrefix").unwrap_or("/");
        let roles = self.roles.read().unwrap_or_else(|e| e.into_inner());
        let mut matching: Vec<(String, &Role)> = roles
            .values()
            .filter(|role| role.path.starts_with(prefix))
            .map(|role| (role.name.clone(), role))
            .collect();
        matching.sort_by(|a, b| a.0.cmp(&b.0));
        let (items, next) = page(&matching, input.str("Marker"), input.int("MaxItems"));
        let mut out = String::from("<Roles>");
        for (_, role) in items {
            out.push_str("<member>");
            role_xml(role, &mut out);
            out.push_str("</member>");
        }
        out.push_str("</Roles>");
        truncation(&mut out, next);
        Ok(out)
    }

    pub(super) fn attach_role_policy(&self, input: &Input) -> Outcome {
        let arn = input.required("PolicyArn");
        let Some(policy) = policy_name(arn) else {
            return Err(errors::invalid_arn(arn));
        };
        self.with_role_mut(input.required("RoleName"), |role| {
            if !role.attached.contains_key(arn) && role.attached.len() >= MAX_ATTACHED_POLICIES {
                return Err(errors::too_many_attached_policies(MAX_ATTACHED_POLICIES));
            }
            role.attached.insert(arn.to_owned(), policy.to_owned());
            Ok(String::new())
        })
    }

    pub(super) fn detach_role_policy(&self, input: &Input) -> Outcome {
        let arn = input.required("PolicyArn");
        if policy_name(arn).is_none() {
            return Err(errors::invalid_arn(arn));
        }
        self.with_role_mut(input.required("RoleName"), |role| {
            role.attached
                .remove(arn)
                .map(|_| String::new())
                .ok_or_else(|| errors::policy_not_found(arn))
        })
    }

    pub(super) fn list_attached_role_policies(&self, input: &Input) -> Outcome {
        let prefix = input.str("PathPrefix").unwrap_or("/");
        let attached: Vec<(String, String)> =
            self.with_role(input.required("RoleName"), |role| {
                role.attached
                    .iter()
                    .filter(|(arn, _)| {
                        let path = arn
                            .split_once(":policy")
                            .map(|(_, rest)| rest)
                            .unwrap_or("/");
                        path.starts_with(prefix)
                    })
                    .map(|(arn, name)| (name.clone(), arn.clone()))
                    .collect()
            })?;
        let mut attached = attached;
        attached.sort();
        let (items, next) = page(&attached, input.str("Marker"), input.int("MaxItems"));
        let mut out = String::from("<AttachedPolicies>");
        for (name, arn) in items {
            out.push_str("<member>");
            element(&mut out, "PolicyName", name);
            element(&mut out, "PolicyArn", arn);
            out.push_str("</member>");
        }
        out.push_str("</AttachedPolicies>");
        truncation(&mut out, next);
        Ok(out)
    }

    pub(super) fn put_role_policy(&self, input: &Input) -> Outcome {
        let name = input.required("PolicyName");
        let document = input.required("PolicyDocument");
        check_policy(document, false)?;
        let size = |doc: &str| doc.chars().filter(|c| !c.is_whitespace()).count();
        self.with_role_mut(input.required("RoleName"), |role| {
            let others: usize = role
                .inline
                .iter()
                .filter(|(n, _)| n.as_str() != name)
                .map(|(_, d)| size(d))
                .sum();
            if others + size(document) > MAX_INLINE_POLICY_SIZE {
                return Err(errors::inline_policies_too_large(
                    MAX_INLINE_POLICY_SIZE,
                    &role.name,
                ));
            }
            role.inline.insert(name.to_owned(), document.to_owned());
            Ok(String::new())
        })
    }

    pub(super) fn get_role_policy(&self, input: &Input) -> Outcome {
        let name = input.required("PolicyName");
        let (role_name, document) = self.with_role(input.required("RoleName"), |role| {
            (role.name.clone(), role.inline.get(name).cloned())
        })?;
        let document = document.ok_or_else(|| errors::role_policy_not_found(name))?;
        let mut out = String::new();
        element(&mut out, "RoleName", &role_name);
        element(&mut out, "PolicyName", name);
        element(&mut out, "PolicyDocument", &url_encode(&document));
        Ok(out)
    }

    pub(super) fn delete_role_policy(&self, input: &Input) -> Outcome {
        let name = input.required("PolicyName");
        self.with_role_mut(input.required("RoleName"), |role| {
            role.inline
                .remove(name)
                .map(|_| String::new())
                .ok_or_else(|| errors::role_policy_not_found(name))
        })
    }

    pub(super) fn list_role_policies(&self, input: &Input) -> Outcome {
        let names: Vec<(String, ())> = self.with_role(input.required("RoleName"), |role| {
            role.inline.keys().map(|n| (n.clone(), ())).collect()
        })?;
        let (items, next) = page(&names, input.str("Marker"), input.int("MaxItems"));
        let mut out = String::from("<PolicyNames>");
        for (name, ()) in items {
            out.push_str("<member>");
            out.push_str(&escape(name));
            out.push_str("</member>");
        }
        out.push_str("</PolicyNames>");
        truncation(&mut out, next);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_arns() {
        assert_eq!(
            policy_name("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Some("AWSLambdaBasicExecutionRole")
        );
        assert_eq!(
            policy_name("arn:aws:iam::000000000000:policy/mine"),
            Some("mine")
        );
        assert_eq!(policy_name("arn:aws:iam::12:policy/mine"), None);
        assert_eq!(policy_name("arn:aws:s3:::bucket/policy/x"), None);
        assert_eq!(policy_name("arn:aws:iam::aws:role/x"), None);
    }

    #[test]
    fn policy_documents_are_checked() {
        assert!(check_policy("{", true).is_err());
        assert!(check_policy(r#"{"Statement":[]}"#, false).is_err());
        let no_principal = r#"{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
        assert_eq!(
            check_policy(no_principal, true).unwrap_err().code,
            "MalformedPolicyDocument"
        );
        assert!(check_policy(no_principal, false).is_ok());
    }

    #[test]
    fn documents_come_back_percent_encoded() {
        assert_eq!(
            url_encode(r#"{"a": "b/c"}"#),
            "%7B%22a%22%3A%20%22b%2Fc%22%7D"
        );
    }
}
