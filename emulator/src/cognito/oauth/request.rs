//! The pure rules of the authorize and token endpoints: which scopes a
//! request gets, PKCE, and redirect URI matching (Cognito developer guide,
//! "User pool endpoints and managed login reference": the authorize
//! endpoint, the token endpoint).

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::cognito::state::oauth_settings::OAuthSettings;

/// A redirect or sign-out URI is accepted only when it is exactly one of
/// the client's registered URLs (no prefix or case-insensitive matching:
/// "must exactly match", developer guide, authorize endpoint `redirect_uri`).
pub(crate) fn registered(uri: &str, registered: &[String]) -> bool {
    registered.iter().any(|r| r == uri)
}

/// The scopes an authorize request gets: those it asks for, each of which
/// the client must allow; all the client allows when it asks for none ("If
/// you don't request any scopes, the authorization server assigns all
/// scopes that are associated with the client", developer guide).
/// `Err` names the first scope the client does not allow.
pub(crate) fn granted_scopes(
    requested: Option<&str>,
    allowed: &[String],
) -> Result<Vec<String>, String> {
    let Some(requested) = requested.filter(|r| !r.trim().is_empty()) else {
        return Ok(allowed.to_vec());
    };
    let mut granted: Vec<String> = Vec::new();
    for scope in requested.split_whitespace() {
        if !allowed.iter().any(|a| a == scope) {
            return Err(scope.to_owned());
        }
        if !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_owned());
        }
    }
    Ok(granted)
}

/// The scopes of a client_credentials request: resource server scopes
/// (`identifier/name`) the client allows; all of them when none are asked
/// for. `Err` when one is not allowed or none remain.
pub(crate) fn client_credentials_scopes(
    requested: Option<&str>,
    settings: &OAuthSettings,
) -> Result<Vec<String>, ()> {
    let custom: Vec<String> = settings
        .scopes
        .iter()
        .filter(|s| s.contains('/'))
        .cloned()
        .collect();
    let granted = granted_scopes(requested, &custom).map_err(|_| ())?;
    if granted.is_empty() {
        return Err(());
    }
    Ok(granted)
}

/// PKCE: whether `verifier` answers the challenge. Only `S256` is served:
/// "The code_challenge_method would always be S256 as this is the only
/// method Cognito supports" (AWS support's answer on re:Post, "java js
/// android ios example about pkce code grant flow extension"; the developer
/// guide's authorize endpoint lists S256 alone), so `plain` is refused at
/// the authorize endpoint.
pub(crate) fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    // RFC 7636: 43 to 128 unreserved characters.
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !well_formed {
        return false;
    }
    let digest = Sha256::digest(verifier.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), challenge.as_bytes()).into()
}

/// The redirect back to the client: `uri` with `pairs` added to its query
/// (code flow, errors) or as its fragment (implicit flow).
pub(crate) fn redirect_with(uri: &str, pairs: &[(&str, &str)], fragment: bool) -> String {
    let encoded = super::form::to_query(pairs);
    if fragment {
        format!("{uri}#{encoded}")
    } else if uri.contains('?') {
        format!("{uri}&{encoded}")
    } else {
        format!("{uri}?{encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn redirects_must_match_exactly() {
        let urls = strings(&["https://app.example/cb"]);
        assert!(registered("https://app.example/cb", &urls));
        assert!(!registered("https://app.example/cb/", &urls));
        assert!(!registered("https://APP.example/cb", &urls));
        assert!(!registered("https://app.example/cb?x=1", &urls));
    }

    #[test]
    fn scopes_are_those_asked_for_within_the_allowed() {
        let allowed = strings(&["openid", "email", "api/read"]);
        assert_eq!(granted_scopes(None, &allowed).unwrap(), allowed);
        assert_eq!(
            granted_scopes(Some("email openid email"), &allowed).unwrap(),
            strings(&["email", "openid"])
        );
        assert_eq!(
            granted_scopes(Some("openid phone"), &allowed).unwrap_err(),
            "phone"
        );
        let settings = OAuthSettings {
            scopes: allowed.clone(),
            ..OAuthSettings::default()
        };
        assert_eq!(
            client_credentials_scopes(None, &settings).unwrap(),
            strings(&["api/read"])
        );
        assert!(client_credentials_scopes(Some("openid"), &settings).is_err());
    }

    #[test]
    fn pkce_s256_is_checked() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(challenge, verifier));
        assert!(!pkce_matches(
            challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"
        ));
        assert!(!pkce_matches(challenge, "short"));
    }

    #[test]
    fn redirects_carry_query_or_fragment() {
        assert_eq!(
            redirect_with("https://a/cb", &[("code", "x y"), ("state", "s")], false),
            "https://a/cb?code=x%20y&state=s"
        );
        assert_eq!(
            redirect_with("https://a/cb?k=1", &[("code", "x")], false),
            "https://a/cb?k=1&code=x"
        );
        assert_eq!(
            redirect_with("https://a/cb", &[("access_token", "t")], true),
            "https://a/cb#access_token=t"
        );
    }
}
