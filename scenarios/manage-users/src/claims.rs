//! What a token says about its user, for showing: the claims of a JWT's
//! payload. Decoding is not verifying: an API that trusts a token must check
//! its signature against the pool's JWKS, its issuer, audience and expiry.
//! Here the token has just come from Cognito over TLS, and is only shown.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use example_cli::ExampleError;
use serde_json::Value;

/// The payload (the middle part) of a JWT, as JSON.
pub fn payload(token: &str) -> Result<Value, ExampleError> {
    let not_a_jwt = || ExampleError::new("The token is not a JWT (header.payload.signature).");
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_a_jwt());
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| not_a_jwt())?;
    serde_json::from_slice(&bytes).map_err(|_| not_a_jwt())
}

/// The names in the token's `cognito:groups` claim; empty when the user is
/// in no group (Cognito then leaves the claim out).
pub fn groups(claims: &Value) -> Vec<String> {
    claims
        .get("cognito:groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// A claim as text: strings as they are, anything else as JSON; `None` when absent.
pub fn text(claims: &Value, name: &str) -> Option<String> {
    claims.get(name).map(|value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_the_groups_and_other_claims() {
        let claims = payload(&jwt(
            r#"{"sub":"0000-1111","cognito:groups":["editors","admins"],"email_verified":true}"#,
        ))
        .expect("a JWT");
        assert_eq!(groups(&claims), ["editors", "admins"]);
        assert_eq!(text(&claims, "sub").as_deref(), Some("0000-1111"));
        assert_eq!(text(&claims, "email_verified").as_deref(), Some("true"));
        assert_eq!(text(&claims, "email"), None);
    }

    #[test]
    fn no_groups_claim_means_no_groups() {
        let claims = payload(&jwt(r#"{"sub":"x"}"#)).expect("a JWT");
        assert!(groups(&claims).is_empty());
    }

    #[test]
    fn what_is_not_a_jwt_is_refused() {
        for bad in ["", "opaque-refresh-token", "a.b", "a.!!!.c", "a.b.c.d"] {
            assert!(payload(bad).is_err(), "{bad:?}");
        }
        assert!(payload(&jwt("not json")).is_err());
    }
}
