//! A pool's password policy and the check `InvalidPasswordException` reports.

use crate::aws_json::ServiceError;

use super::random::{ALPHANUMERIC, random_string};
use crate::cognito::{errors, input::Input};

/// The symbols Cognito counts as special characters.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PasswordPolicy {
    pub minimum_length: i64,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    /// What a pool gets when its request has no `Policies`.
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// From `Policies.PasswordPolicy` of a CreateUserPool/UpdateUserPool request:
    /// booleans left out are false, the length defaults to 8.
    pub fn from_request(policies: Option<Input<'_>>) -> Self {
        let Some(policy) = policies.and_then(|p| p.object("PasswordPolicy")) else {
            return PasswordPolicy::default();
        };
        PasswordPolicy {
            minimum_length: policy.i64("MinimumLength").unwrap_or(8),
            require_uppercase: policy.bool("RequireUppercase").unwrap_or(false),
            require_lowercase: policy.bool("RequireLowercase").unwrap_or(false),
            require_numbers: policy.bool("RequireNumbers").unwrap_or(false),
            require_symbols: policy.bool("RequireSymbols").unwrap_or(false),
            temporary_password_validity_days: policy
                .i64("TemporaryPasswordValidityDays")
                .unwrap_or(7),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        })
    }

    /// The first rule `password` breaks, as Cognito words it.
    pub fn violation(&self, password: &str) -> Option<&'static str> {
        if (password.chars().count() as i64) < self.minimum_length {
            return Some("Password did not conform with policy: Password not long enough");
        }
        if password.starts_with(' ') || password.ends_with(' ') {
            return Some(
                "Password did not conform with policy: Password must not begin or end with a space",
            );
        }
        if self.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
            return Some(
                "Password did not conform with policy: Password must have uppercase characters",
            );
        }
        if self.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
            return Some(
                "Password did not conform with policy: Password must have lowercase characters",
            );
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return Some(
                "Password did not conform with policy: Password must have numeric characters",
            );
        }
        if self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
            return Some(
                "Password did not conform with policy: Password must have symbol characters",
            );
        }
        None
    }

    /// `InvalidPasswordException` naming the broken rule.
    pub fn check(&self, password: &str) -> Result<(), ServiceError> {
        match self.violation(password) {
            Some(message) => Err(errors::invalid_password(message)),
            None => Ok(()),
        }
    }

    /// A temporary password this policy accepts.
    pub fn generate(&self) -> String {
        let length = self.minimum_length.max(12) as usize;
        let mut password = random_string(ALPHANUMERIC, length.saturating_sub(4));
        password.push_str(&random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1));
        password.push_str(&random_string(b"abcdefghijkmnopqrstuvwxyz", 1));
        password.push_str(&random_string(b"23456789", 1));
        password.push_str(&random_string(b"!#%&*+-=?@^_", 1));
        password
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_names_each_rule() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.violation("Ab1!"),
            Some("Password did not conform with policy: Password not long enough")
        );
        assert!(
            policy
                .violation("abcdefg1!")
                .unwrap()
                .ends_with("uppercase characters")
        );
        assert!(
            policy
                .violation("ABCDEFG1!")
                .unwrap()
                .ends_with("lowercase characters")
        );
        assert!(
            policy
                .violation("Abcdefgh!")
                .unwrap()
                .ends_with("numeric characters")
        );
        assert!(
            policy
                .violation("Abcdefgh1")
                .unwrap()
                .ends_with("symbol characters")
        );
        assert_eq!(policy.violation("Abcdefg1!"), None);
    }

    #[test]
    fn relaxed_policy_and_generated_passwords() {
        let fields = serde_json::json!({"PasswordPolicy": {"MinimumLength": 6}});
        let policy = PasswordPolicy::from_request(Some(Input::new(fields.as_object().unwrap())));
        assert_eq!(policy.violation("abcdef"), None);
        assert!(policy.violation("abcde").is_some());
        let strict = PasswordPolicy::default();
        for _ in 0..50 {
            assert_eq!(strict.violation(&strict.generate()), None);
        }
    }
}
