use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;

/// Shortens a token (or session, or secret) for printing: enough of the start
/// to recognise it, never enough to use it. Examples print full tokens only
/// when the user asks (`--show-tokens`).
pub fn shorten(token: &str) -> String {
    const SHOWN: usize = 12;
    let shown: String = token.chars().take(SHOWN).collect();
    if shown.len() == token.len() && token.len() <= SHOWN {
        // Too short to shorten meaningfully; hide it entirely.
        return format!("({} characters)", token.chars().count());
    }
    format!("{shown}... ({} characters)", token.chars().count())
}

/// What a successful sign-in printed by every sign-in example looks like:
/// the tokens (shortened unless `show_tokens`), when they expire, and the
/// new device's metadata with the command that remembers it.
pub fn authentication_result_lines(
    result: &AuthenticationResultType,
    show_tokens: bool,
) -> Vec<String> {
    let show = |token: &str| {
        if show_tokens {
            token.to_string()
        } else {
            shorten(token)
        }
    };
    let mut lines = Vec::new();
    if let Some(token) = result.access_token() {
        lines.push(format!("Access token: {}", show(token)));
    }
    if let Some(token) = result.id_token() {
        lines.push(format!("ID token: {}", show(token)));
    }
    if let Some(token) = result.refresh_token() {
        lines.push(format!("Refresh token: {}", show(token)));
    }
    lines.push(format!("Expires in: {} seconds", result.expires_in()));
    if let Some(device) = result.new_device_metadata() {
        let key = device.device_key().unwrap_or("");
        let group = device.device_group_key().unwrap_or("");
        lines.push(format!("Device key: {key}"));
        lines.push(format!("Device group key: {group}"));
        lines.push(format!(
            "Next: remember this device: cargo run -p confirm-device -- \
             --access-token ACCESS_TOKEN --device-key {key} --device-group-key {group}"
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_start() {
        let token = "eyJraWQiOiJrZXkxIiwiYWxnIjoiUlMyNTYifQ.payload.signature";
        let short = shorten(token);
        assert_eq!(
            short,
            format!("eyJraWQiOiJr... ({} characters)", token.len())
        );
        assert!(!short.contains("signature"));
    }

    #[test]
    fn sign_in_results_hide_tokens_unless_asked() {
        use aws_sdk_cognitoidentityprovider::types::NewDeviceMetadataType;
        let access = "eyJraWQiOiJrZXkxIiwiYWxnIjoiUlMyNTYifQ.access.signature";
        let result = AuthenticationResultType::builder()
            .access_token(access)
            .expires_in(3600)
            .new_device_metadata(
                NewDeviceMetadataType::builder()
                    .device_key("us-east-1_device")
                    .device_group_key("-group")
                    .build(),
            )
            .build();

        let hidden = authentication_result_lines(&result, false);
        assert_eq!(hidden[0], format!("Access token: {}", shorten(access)));
        assert!(hidden.contains(&"Expires in: 3600 seconds".to_string()));
        assert!(hidden.contains(&"Device key: us-east-1_device".to_string()));
        assert!(hidden.contains(&"Device group key: -group".to_string()));
        assert!(!hidden.iter().any(|line| line.starts_with("ID token")));

        let shown = authentication_result_lines(&result, true);
        assert_eq!(shown[0], format!("Access token: {access}"));
    }

    #[test]
    fn short_values_are_not_shown() {
        assert_eq!(shorten("abc"), "(3 characters)");
    }
}
