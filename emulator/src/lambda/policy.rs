//! A function's resource-based policy: the statements AddPermission adds,
//! and the check made before another service (Cognito) may invoke it.

use serde_json::{Map, Value, json};

/// One statement, kept as Lambda renders it in GetPolicy.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub sid: String,
    pub json: Value,
}

/// Stored as the statement itself (`{"Sid": .., "Effect": .., ...}`).
impl serde::Serialize for Statement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Statement {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Value::deserialize(deserializer)?;
        let sid = json
            .get("Sid")
            .and_then(Value::as_str)
            .ok_or_else(|| serde::de::Error::custom("a policy statement without a Sid"))?
            .to_owned();
        Ok(Statement { sid, json })
    }
}

/// What AddPermission asked for.
pub(crate) struct Grant<'a> {
    pub sid: &'a str,
    pub action: &'a str,
    pub principal: &'a str,
    pub source_arn: Option<&'a str>,
    pub source_account: Option<&'a str>,
    pub principal_org_id: Option<&'a str>,
    pub event_source_token: Option<&'a str>,
    pub function_url_auth_type: Option<&'a str>,
}

impl Statement {
    /// The statement AddPermission adds for `grant` on `resource` (the function ARN).
    pub fn new(grant: &Grant<'_>, resource: &str) -> Statement {
        let principal = if grant.principal == "*" {
            json!("*")
        } else if grant.principal.ends_with(".amazonaws.com") {
            json!({ "Service": grant.principal })
        } else if grant.principal.len() == 12 && grant.principal.bytes().all(|b| b.is_ascii_digit())
        {
            json!({ "AWS": format!("arn:aws:iam::{}:root", grant.principal) })
        } else {
            json!({ "AWS": grant.principal })
        };
        let mut condition = Map::new();
        let mut string_equals = Map::new();
        if let Some(account) = grant.source_account {
            string_equals.insert("AWS:SourceAccount".into(), json!(account));
        }
        if let Some(org) = grant.principal_org_id {
            string_equals.insert("aws:PrincipalOrgID".into(), json!(org));
        }
        if let Some(token) = grant.event_source_token {
            string_equals.insert("lambda:EventSourceToken".into(), json!(token));
        }
        if let Some(auth) = grant.function_url_auth_type {
            string_equals.insert("lambda:FunctionUrlAuthType".into(), json!(auth));
        }
        if !string_equals.is_empty() {
            condition.insert("StringEquals".into(), Value::Object(string_equals));
        }
        if let Some(arn) = grant.source_arn {
            condition.insert("ArnLike".into(), json!({ "AWS:SourceArn": arn }));
        }
        let mut statement = json!({
            "Sid": grant.sid,
            "Effect": "Allow",
            "Principal": principal,
            "Action": grant.action,
            "Resource": resource,
        });
        if !condition.is_empty() {
            statement["Condition"] = Value::Object(condition);
        }
        Statement {
            sid: grant.sid.to_owned(),
            json: statement,
        }
    }

    /// Whether this statement lets the service `principal` invoke the
    /// function on behalf of `source_arn` (owned by `source_account`).
    pub fn allows_service(&self, principal: &str, source_arn: &str, source_account: &str) -> bool {
        let s = &self.json;
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            return false;
        }
        let action = s.get("Action").and_then(Value::as_str).unwrap_or_default();
        if !matches!(action, "lambda:InvokeFunction" | "lambda:*" | "*") {
            return false;
        }
        let principal_ok = match s.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(p)) => {
                p.get("Service").and_then(Value::as_str) == Some(principal)
                    || p.get("AWS").and_then(Value::as_str) == Some("*")
            }
            _ => false,
        };
        if !principal_ok {
            return false;
        }
        let condition = s.get("Condition");
        if let Some(pattern) = condition
            .and_then(|c| c.get("ArnLike"))
            .and_then(|c| c.get("AWS:SourceArn"))
            .and_then(Value::as_str)
        {
            if !glob_match(pattern, source_arn) {
                return false;
            }
        }
        if let Some(equals) = condition.and_then(|c| c.get("StringEquals")) {
            if let Some(account) = equals.get("AWS:SourceAccount").and_then(Value::as_str) {
                if account != source_account {
                    return false;
                }
            }
            // Conditions a service invocation cannot satisfy.
            if equals.get("aws:PrincipalOrgID").is_some()
                || equals.get("lambda:EventSourceToken").is_some()
                || equals.get("lambda:FunctionUrlAuthType").is_some()
            {
                return false;
            }
        }
        true
    }
}

/// The policy document GetPolicy returns.
pub(crate) fn document(statements: &[Statement]) -> String {
    json!({
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": statements.iter().map(|s| s.json.clone()).collect::<Vec<_>>(),
    })
    .to_string()
}

/// `ArnLike` matching: `*` is any run of characters, `?` any one character.
pub(crate) fn glob_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";

    fn grant<'a>(principal: &'a str, source_arn: Option<&'a str>) -> Grant<'a> {
        Grant {
            sid: "s1",
            action: "lambda:InvokeFunction",
            principal,
            source_arn,
            source_account: None,
            principal_org_id: None,
            event_source_token: None,
            function_url_auth_type: None,
        }
    }

    #[test]
    fn service_statement_renders_like_lambda() {
        let s = Statement::new(&grant("cognito-idp.amazonaws.com", Some(POOL)), "arn:f");
        assert_eq!(
            s.json,
            json!({
                "Sid": "s1", "Effect": "Allow",
                "Principal": {"Service": "cognito-idp.amazonaws.com"},
                "Action": "lambda:InvokeFunction", "Resource": "arn:f",
                "Condition": {"ArnLike": {"AWS:SourceArn": POOL}},
            })
        );
    }

    #[test]
    fn checks_principal_and_source_arn() {
        let s = Statement::new(&grant("cognito-idp.amazonaws.com", Some(POOL)), "arn:f");
        assert!(s.allows_service("cognito-idp.amazonaws.com", POOL, "000000000000"));
        assert!(!s.allows_service("s3.amazonaws.com", POOL, "000000000000"));
        assert!(!s.allows_service(
            "cognito-idp.amazonaws.com",
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_other",
            "000000000000"
        ));
        let any_pool = Statement::new(
            &grant(
                "cognito-idp.amazonaws.com",
                Some("arn:aws:cognito-idp:us-east-1:000000000000:userpool/*"),
            ),
            "arn:f",
        );
        assert!(any_pool.allows_service("cognito-idp.amazonaws.com", POOL, "000000000000"));
        let account = Statement::new(&grant("000000000000", None), "arn:f");
        assert!(!account.allows_service("cognito-idp.amazonaws.com", POOL, "000000000000"));
    }

    #[test]
    fn source_account_must_match() {
        let mut g = grant("cognito-idp.amazonaws.com", None);
        g.source_account = Some("111111111111");
        let s = Statement::new(&g, "arn:f");
        assert!(!s.allows_service("cognito-idp.amazonaws.com", POOL, "000000000000"));
        assert!(s.allows_service("cognito-idp.amazonaws.com", POOL, "111111111111"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("abc", "abcd"));
    }
}
