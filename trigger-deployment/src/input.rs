//! Checks of what a person types, before anything is created, and the
//! password a non-interactive run makes up.

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
    let domain_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty()
        || domain.contains('@')
        || !domain_ok
        || email.chars().any(char::is_whitespace)
    {
        return problem();
    }
    Ok(())
}

/// A password that meets Cognito's default policy (upper- and lower-case
/// letters, a number, a symbol, 36 characters), for non-interactive runs.
pub fn made_up_password() -> String {
    format!("Aa1-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_email_addresses() {
        assert!(check_username("dave").is_ok());
        assert!(check_username("da ve").is_err());
        assert!(check_username("").is_err());
        assert!(check_email("dave@example.com").is_ok());
        assert!(check_email("dave@example").is_err());
        assert!(check_email("@example.com").is_err());
    }

    #[test]
    fn made_up_passwords_meet_the_default_policy_and_differ() {
        let first = made_up_password();
        assert!(first.len() >= 8);
        assert!(first.chars().any(|c| c.is_ascii_uppercase()));
        assert!(first.chars().any(|c| c.is_ascii_lowercase()));
        assert!(first.chars().any(|c| c.is_ascii_digit()));
        assert!(first.chars().any(|c| !c.is_ascii_alphanumeric()));
        assert_ne!(first, made_up_password());
    }
}
