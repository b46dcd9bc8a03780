//! The `Filter` of ListUsers: `attribute = "value"` (exact) or
//! `attribute ^= "value"` (prefix), for the attributes AWS lets you search.

use super::users::User;
use crate::aws_json::ServiceError;
use crate::cognito::errors;

/// Searchable attributes besides the user name, status and sub.
const SEARCHABLE: &[&str] = &[
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Username,
    /// `cognito:user_status` (UNCONFIRMED, CONFIRMED, ...), case-insensitive.
    UserStatus,
    /// `status`: `Enabled` or `Disabled`.
    Enabled,
    Sub,
    Attribute(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserFilter {
    target: Target,
    prefix: bool,
    value: String,
}

fn parse_error() -> ServiceError {
    errors::invalid_parameter("Error while parsing filter.")
}

impl UserFilter {
    pub fn parse(text: &str) -> Result<Self, ServiceError> {
        let text = text.trim();
        let (name, rest, prefix) = if let Some(at) = text.find("^=") {
            (&text[..at], &text[at + 2..], true)
        } else if let Some(at) = text.find('=') {
            (&text[..at], &text[at + 1..], false)
        } else {
            return Err(parse_error());
        };
        let name = name.trim();
        let quoted = rest.trim();
        let inner = quoted
            .strip_prefix("\\\"")
            .and_then(|s| s.strip_suffix("\\\""))
            .or_else(|| quoted.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
            .ok_or_else(parse_error)?;
        let value = inner.replace("\\\"", "\"");
        let target = match name {
            "username" => Target::Username,
            "cognito:user_status" => Target::UserStatus,
            "status" => Target::Enabled,
            "sub" => Target::Sub,
            other if SEARCHABLE.contains(&other) => Target::Attribute(other.to_owned()),
            "" => return Err(parse_error()),
            other => {
                return Err(errors::invalid_parameter(format!(
                    "Invalid search attribute: {other}"
                )));
            }
        };
        Ok(UserFilter {
            target,
            prefix,
            value,
        })
    }

    fn compare(&self, actual: &str, ignore_case: bool) -> bool {
        let (actual, wanted) = if ignore_case {
            (actual.to_lowercase(), self.value.to_lowercase())
        } else {
            (actual.to_owned(), self.value.clone())
        };
        if self.prefix {
            actual.starts_with(&wanted)
        } else {
            actual == wanted
        }
    }

    pub fn matches(&self, user: &User, case_sensitive_names: bool) -> bool {
        match &self.target {
            Target::Username => self.compare(&user.username, !case_sensitive_names),
            Target::UserStatus => self.compare(user.status.as_str(), true),
            Target::Enabled => {
                self.compare(if user.enabled { "Enabled" } else { "Disabled" }, false)
            }
            Target::Sub => self.compare(&user.sub.to_string(), false),
            Target::Attribute(name) => user
                .attribute(name)
                .is_some_and(|value| self.compare(value, false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_and_prefix_filters() {
        let f = UserFilter::parse("email = \"bob@example.com\"").unwrap();
        assert_eq!(f.target, Target::Attribute("email".into()));
        assert!(!f.prefix);
        assert_eq!(f.value, "bob@example.com");
        let f = UserFilter::parse("username ^= \"bo\"").unwrap();
        assert_eq!(f.target, Target::Username);
        assert!(f.prefix);
        let f = UserFilter::parse("cognito:user_status=\\\"UNCONFIRMED\\\"").unwrap();
        assert_eq!(f.target, Target::UserStatus);
        assert_eq!(f.value, "UNCONFIRMED");
        assert_eq!(
            UserFilter::parse("sub = \"x\"").unwrap().target,
            Target::Sub
        );
        assert_eq!(
            UserFilter::parse("status = \"Enabled\"").unwrap().target,
            Target::Enabled
        );
    }

    #[test]
    fn refuses_malformed_filters() {
        for bad in [
            "email",
            "email = bob",
            "= \"x\"",
            "email ~ \"x\"",
            "email = \"x",
        ] {
            let err = UserFilter::parse(bad).unwrap_err();
            assert_eq!(err.code, "InvalidParameterException", "{bad}");
        }
        let err = UserFilter::parse("custom:team = \"x\"").unwrap_err();
        assert!(err.message.contains("custom:team"), "{}", err.message);
    }
}
