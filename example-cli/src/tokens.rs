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
    fn short_values_are_not_shown() {
        assert_eq!(shorten("abc"), "(3 characters)");
    }
}
