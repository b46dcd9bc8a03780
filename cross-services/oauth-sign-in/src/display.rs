//! What the example prints about a signed-in user.

use serde_json::Value;

/// The claims worth reading, one per line: who the user is, which client
/// and when. Times are shown as seconds since the epoch and in words.
pub fn claim_lines(claims: &Value, now_epoch: i64) -> Vec<String> {
    const SHOWN: [&str; 10] = [
        "sub",
        "cognito:username",
        "email",
        "email_verified",
        "cognito:groups",
        "aud",
        "iss",
        "auth_time",
        "iat",
        "exp",
    ];
    let mut lines = Vec::new();
    for name in SHOWN {
        let Some(value) = claims.get(name) else {
            continue;
        };
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(String::from).unwrap_or(item.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        let when = match (name, value.as_i64()) {
            ("exp", Some(at)) if at >= now_epoch => format!(" (in {} s)", at - now_epoch),
            ("exp", Some(at)) => format!(" (expired {} s ago)", now_epoch - at),
            ("auth_time" | "iat", Some(at)) => format!(" ({} s ago)", now_epoch - at),
            _ => String::new(),
        };
        lines.push(format!("  {name}: {text}{when}"));
    }
    lines
}

/// userInfo's attributes, one per line, sorted by name.
pub fn user_info_lines(user_info: &Value) -> Vec<String> {
    let Some(attributes) = user_info.as_object() else {
        return vec![format!("  {user_info}")];
    };
    let mut names: Vec<&String> = attributes.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let value = &attributes[name];
            let text = value
                .as_str()
                .map(String::from)
                .unwrap_or(value.to_string());
            format!("  {name}: {text}")
        })
        .collect()
}

/// A token in full when asked for, shortened otherwise.
pub fn token(token: &str, show_tokens: bool) -> String {
    if show_tokens {
        token.to_string()
    } else {
        example_cli::shorten(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_shown_by_name_with_times_in_words() {
        let claims = json!({
            "sub": "a1b2",
            "cognito:username": "alice",
            "email": "alice@example.com",
            "email_verified": true,
            "cognito:groups": ["admins", "readers"],
            "aud": "client1",
            "auth_time": 1000,
            "exp": 4600,
            "at_hash": "not shown",
        });
        let lines = claim_lines(&claims, 1100);
        assert_eq!(
            lines,
            vec![
                "  sub: a1b2",
                "  cognito:username: alice",
                "  email: alice@example.com",
                "  email_verified: true",
                "  cognito:groups: admins, readers",
                "  aud: client1",
                "  auth_time: 1000 (100 s ago)",
                "  exp: 4600 (in 3500 s)",
            ]
        );
        assert_eq!(
            claim_lines(&json!({"exp": 1000}), 1100),
            vec!["  exp: 1000 (expired 100 s ago)"]
        );
    }

    #[test]
    fn user_info_is_sorted_by_attribute() {
        let lines = user_info_lines(
            &json!({"username": "alice", "email": "a@example.com", "email_verified": "true"}),
        );
        assert_eq!(
            lines,
            vec![
                "  email: a@example.com",
                "  email_verified: true",
                "  username: alice"
            ]
        );
    }

    #[test]
    fn tokens_are_shortened_unless_asked() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(token(jwt, true), jwt);
        let short = token(jwt, false);
        assert!(short.starts_with("eyJhbGciOiJS..."), "{short}");
        assert!(!short.contains("c2lnbmF0dXJl"));
    }
}
