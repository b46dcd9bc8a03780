//! What the scenario accepts as an answer, from a flag or a prompt: checked
//! before Cognito is asked, so a typo gets a clear sentence.

/// A user pool name: 1 to 128 letters, digits, spaces or `_+=,.@-`.
pub fn check_pool_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "_+=,.@-".contains(c);
    if name.is_empty() || name.chars().count() > 128 {
        return Err("A user pool name has 1 to 128 characters.".into());
    }
    if !name.chars().all(allowed) {
        return Err("A user pool name may only have letters, digits, spaces and _+=,.@-".into());
    }
    Ok(())
}

/// A username or group name: 1 to 128 characters, no spaces or control characters.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 128 {
        return Err("A name has 1 to 128 characters.".into());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A name may not contain spaces.".into());
    }
    Ok(())
}

/// An email address: something before one `@`, and a domain with a dot.
pub fn check_email(email: &str) -> Result<(), String> {
    let problem = || Err(format!("{email:?} is not an email address."));
    let Some((local, domain)) = email.split_once('@') else {
        return problem();
    };
    let domain_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty() || domain.contains('@') || !domain_ok || email.contains(char::is_whitespace)
    {
        return problem();
    }
    Ok(())
}

/// A six-digit code.
pub fn check_code(code: &str) -> Result<(), String> {
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("The code is six digits.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_pool_names() {
        assert!(check_name("alice").is_ok());
        assert!(check_name("editors").is_ok());
        assert_eq!(
            check_name("a b"),
            Err("A name may not contain spaces.".into())
        );
        assert!(check_name("").is_err());
        assert!(check_pool_name("manage-users-1a2b").is_ok());
        assert!(check_pool_name("a/b").is_err());
    }

    #[test]
    fn emails() {
        assert!(check_email("alice+new@example.com").is_ok());
        for bad in [
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes() {
        assert!(check_code("012345").is_ok());
        assert!(check_code("12345").is_err());
        assert!(check_code("12a456").is_err());
    }
}
