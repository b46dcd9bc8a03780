//! What the scenario accepts as an answer, whether it comes from a flag or
//! from a prompt: checked here, before Cognito is asked, so a typo gets a
//! clear sentence instead of a round trip and a validation error.

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

/// A username: 1 to 128 characters, no spaces or control characters.
pub fn check_username(username: &str) -> Result<(), String> {
    if username.is_empty() || username.chars().count() > 128 {
        return Err("A username has 1 to 128 characters.".into());
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("A username may not contain spaces.".into());
    }
    Ok(())
}

/// An email address: something before one `@`, and a domain with a dot.
pub fn check_email(email: &str) -> Result<(), String> {
    let problem = || Err(format!("{email:?} is not an email address."));
    let Some((local, domain)) = email.split_once('@') else {
        return problem();
    };
    let domain_ok = domain.split('.').all(|label| !label.is_empty()) && domain.contains('.');
    if local.is_empty()
        || domain.contains('@')
        || !domain_ok
        || email.chars().any(char::is_whitespace)
    {
        return problem();
    }
    Ok(())
}

/// A six-digit code (confirmation code or TOTP code).
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
    fn pool_names() {
        assert!(check_pool_name("sign-up-with-mfa-1a2b").is_ok());
        assert!(check_pool_name("My pool_1").is_ok());
        assert!(check_pool_name("").is_err());
        assert!(check_pool_name("pool/with/slashes").is_err());
        assert!(check_pool_name(&"x".repeat(129)).is_err());
    }

    #[test]
    fn usernames() {
        assert!(check_username("alice").is_ok());
        assert!(check_username("alice.o'brien+1").is_ok());
        assert_eq!(
            check_username("alice smith"),
            Err("A username may not contain spaces.".into())
        );
        assert!(check_username("").is_err());
        assert!(check_username(&"a".repeat(129)).is_err());
    }

    #[test]
    fn emails() {
        assert!(check_email("alice@example.com").is_ok());
        assert!(check_email("a.b+tag@mail.example.co.uk").is_ok());
        for bad in [
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "alice@@example.com",
            "alice@example..com",
            "al ice@example.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            check_email("alice"),
            Err("\"alice\" is not an email address.".into())
        );
    }

    #[test]
    fn codes() {
        assert!(check_code("012345").is_ok());
        assert!(check_code("12345").is_err());
        assert!(check_code("1234567").is_err());
        assert!(check_code("12a456").is_err());
    }
}
