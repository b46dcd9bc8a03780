//! The authorization code flow with PKCE against a user pool domain, step
//! by step: the authorization request, the redirect's answer, the code
//! exchange, the ID token's checks, userInfo, refresh, revocation and the
//! sign-out URL.

use std::collections::HashMap;

use base64::Engine;
use example_cli::ExampleError;
use hyper::http::{HeaderValue, header};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::discovery::Endpoints;
use crate::http::{HttpClient, body_text};

/// The ID token Cognito's token endpoint returns beside the access token
/// when the `openid` scope was granted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

/// The token endpoint's answer: access, refresh and ID tokens.
pub type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// An `oauth2` client that knows the domain's authorization and token
/// endpoints.
pub type CognitoClient = Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The app client: its id, its secret if it has one, and the callback URL
/// registered for it (Cognito compares it character by character).
pub fn oauth_client(
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_uri: &str,
) -> Result<CognitoClient, ExampleError> {
    let bad_url = |what: &str, err: url::ParseError| ExampleError::new(format!("{what}: {err}"));
    let client = Client::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(
            AuthUrl::new(endpoints.authorize.clone())
                .map_err(|err| bad_url(&endpoints.authorize, err))?,
        )
        .set_token_uri(
            TokenUrl::new(endpoints.token.clone()).map_err(|err| bad_url(&endpoints.token, err))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_string()).map_err(|err| bad_url(redirect_uri, err))?,
        );
    Ok(match client_secret {
        // A confidential client authenticates with HTTP Basic, the method
        // Cognito's token endpoint documents first.
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.to_string())),
        None => client,
    })
}

/// What the program keeps between sending the user to the sign-in page and
/// the redirect back: never sent anywhere but to Cognito.
pub struct PendingSignIn {
    /// Where to send the user's browser.
    pub url: url::Url,
    /// Must come back unchanged with the code (CSRF protection).
    pub state: CsrfToken,
    /// Must be in the ID token (replay protection).
    pub nonce: String,
    /// Proves at the token endpoint that whoever redeems the code started the flow.
    pub pkce_verifier: PkceCodeVerifier,
}

// snippet-start:[rust.cognito-idp.oauth.authorize-url]
/// Builds the `/oauth2/authorize` request: response type `code`, the
/// scopes, a random `state` and `nonce`, and a PKCE challenge (S256) whose
/// verifier only this program knows.
pub fn authorization_request(client: &CognitoClient, scopes: &[String]) -> PendingSignIn {
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(pkce_challenge)
        .add_extra_param("nonce", nonce.clone())
        .url();
    PendingSignIn {
        url,
        state,
        nonce,
        pkce_verifier,
    }
}
// snippet-end:[rust.cognito-idp.oauth.authorize-url]

/// Reads the redirect's query: the code when the state is ours, or why not.
/// A state that does not match means the redirect did not come from the
/// sign-in this program started, so its code is not used.
pub fn code_from_callback(
    query: &HashMap<String, String>,
    expected_state: &CsrfToken,
) -> Result<AuthorizationCode, ExampleError> {
    match query.get("state") {
        Some(state) if state == expected_state.secret() => {}
        Some(_) => {
            return Err(ExampleError::new(
                "The redirect's state does not match the one this sign-in sent: ignoring it (a forged or stale redirect).",
            ));
        }
        None if query.contains_key("error") => {}
        None => {
            return Err(ExampleError::new(
                "The redirect has no state: ignoring it (it did not come from this sign-in).",
            ));
        }
    }
    if let Some(error) = query.get("error") {
        let description = query
            .get("error_description")
            .map(|text| format!(": {text}"))
            .unwrap_or_default();
        return Err(ExampleError::new(format!(
            "The sign-in was refused: {error}{description}"
        )));
    }
    query
        .get("code")
        .filter(|code| !code.is_empty())
        .map(|code| AuthorizationCode::new(code.clone()))
        .ok_or_else(|| ExampleError::new("The redirect has neither a code nor an error."))
}

/// The token endpoint's refusal (`invalid_grant`...) as one line.
fn token_error(
    step: &str,
    err: RequestTokenError<crate::http::TransportError, BasicErrorResponse>,
) -> ExampleError {
    match err {
        RequestTokenError::ServerResponse(response) => {
            let description = response
                .error_description()
                .map(|text| format!(": {text}"))
                .unwrap_or_default();
            ExampleError::new(format!(
                "{step}: the token endpoint refused: {}{description}",
                response.error().as_ref()
            ))
        }
        RequestTokenError::Request(err) => ExampleError::new(format!("{step}: {err}")),
        RequestTokenError::Parse(err, body) => ExampleError::new(format!(
            "{step}: unexpected answer from the token endpoint ({err}): {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
        )),
        RequestTokenError::Other(text) => ExampleError::new(format!("{step}: {text}")),
    }
}

// snippet-start:[rust.cognito-idp.oauth.exchange-code]
/// Redeems the authorization code at `/oauth2/token` (grant type
/// `authorization_code`) with the PKCE verifier.
pub async fn exchange_code(
    http: &HttpClient,
    client: &CognitoClient,
    code: AuthorizationCode,
    pkce_verifier: PkceCodeVerifier,
) -> Result<Tokens, ExampleError> {
    client
        .exchange_code(code)
        .set_pkce_verifier(pkce_verifier)
        .request_async(http)
        .await
        .map_err(|err| token_error("Redeeming the code", err))
}
// snippet-end:[rust.cognito-idp.oauth.exchange-code]

/// The pool's signing keys, from the discovery document's `jwks_uri`.
pub async fn signing_keys(http: &HttpClient, jwks_uri: &str) -> Result<JwkSet, ExampleError> {
    let response = http.get(jwks_uri, None).await?;
    if !response.status().is_success() {
        return Err(ExampleError::new(format!(
            "{jwks_uri} answered {}",
            response.status()
        )));
    }
    serde_json::from_slice(response.body())
        .map_err(|err| ExampleError::new(format!("{jwks_uri} is not a JSON Web Key Set: {err}")))
}

// snippet-start:[rust.cognito-idp.oauth.verify-id-token]
/// Verifies an ID token as OpenID Connect Core 1.0 (section 3.1.3.7) asks:
/// signed (RS256) by one of the pool's keys, issued by the pool, for this
/// app client, not expired, an ID token (`token_use`), and carrying the
/// nonce this sign-in sent. Returns its claims.
pub fn verify_id_token(
    id_token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<Value, ExampleError> {
    let header = jsonwebtoken::decode_header(id_token)
        .map_err(|err| ExampleError::new(format!("The ID token is not a JWT: {err}")))?;
    let kid = header
        .kid
        .ok_or_else(|| ExampleError::new("The ID token names no key (kid)."))?;
    let jwk = keys.find(&kid).ok_or_else(|| {
        ExampleError::new(format!(
            "The ID token's key {kid} is not among the pool's keys."
        ))
    })?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|err| ExampleError::new(format!("The pool's key {kid} is unusable: {err}")))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .map_err(|err| ExampleError::new(format!("The ID token is not valid: {err}")))?
        .claims;
    check_id_token_claims(&claims, nonce)?;
    Ok(claims)
}
// snippet-end:[rust.cognito-idp.oauth.verify-id-token]

/// The checks beyond the signature and the registered claims.
pub fn check_id_token_claims(claims: &Value, nonce: &str) -> Result<(), ExampleError> {
    if claims.get("token_use").and_then(Value::as_str) != Some("id") {
        return Err(ExampleError::new(
            "The token is not an ID token (token_use is not \"id\").",
        ));
    }
    match claims.get("nonce").and_then(Value::as_str) {
        Some(found) if found == nonce => Ok(()),
        Some(_) => Err(ExampleError::new(
            "The ID token's nonce is not the one this sign-in sent: a replayed token.",
        )),
        None => Err(ExampleError::new(
            "The ID token has no nonce, though this sign-in sent one.",
        )),
    }
}

// snippet-start:[rust.cognito-idp.oauth.user-info]
/// `GET /oauth2/userInfo` with the access token: the user's attributes that
/// the token's scopes allow.
pub async fn user_info(
    http: &HttpClient,
    endpoints: &Endpoints,
    access_token: &str,
) -> Result<Value, ExampleError> {
    let response = http.get(&endpoints.user_info, Some(access_token)).await?;
    if !response.status().is_success() {
        return Err(ExampleError::new(format!(
            "userInfo answered {}: {}",
            response.status(),
            body_text(&response).chars().take(200).collect::<String>()
        )));
    }
    serde_json::from_slice(response.body())
        .map_err(|err| ExampleError::new(format!("userInfo did not answer JSON: {err}")))
}
// snippet-end:[rust.cognito-idp.oauth.user-info]

// snippet-start:[rust.cognito-idp.oauth.refresh]
/// New access and ID tokens from the refresh token (grant type
/// `refresh_token`). Cognito returns no new refresh token unless the app
/// client rotates them; the old one stays valid then.
pub async fn refresh(
    http: &HttpClient,
    client: &CognitoClient,
    refresh_token: &str,
) -> Result<Tokens, ExampleError> {
    client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
        .request_async(http)
        .await
        .map_err(|err| token_error("Refreshing", err))
}
// snippet-end:[rust.cognito-idp.oauth.refresh]

// snippet-start:[rust.cognito-idp.oauth.revoke]
/// `POST /oauth2/revoke`: the refresh token, and every access token issued
/// from it, stop working. The request is sent here rather than through the
/// `oauth2` crate, which refuses a revocation endpoint that is not HTTPS (the
/// emulator's is plain HTTP). A confidential client authenticates with HTTP
/// Basic, as at the token endpoint.
pub async fn revoke(
    http: &HttpClient,
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: Option<&str>,
    refresh_token: &str,
) -> Result<(), ExampleError> {
    let mut headers = Vec::new();
    if let Some(secret) = client_secret {
        headers.push((
            header::AUTHORIZATION,
            basic_authorization(client_id, secret)?,
        ));
    }
    let response = http
        .post_form(
            &endpoints.revoke,
            &[("token", refresh_token), ("client_id", client_id)],
            &headers,
        )
        .await?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(ExampleError::new(format!(
            "Revoking the refresh token: {} {}",
            response.status(),
            body_text(&response).chars().take(200).collect::<String>()
        )))
    }
}
// snippet-end:[rust.cognito-idp.oauth.revoke]

/// `Authorization: Basic base64(url-encoded id ":" url-encoded secret)`
/// (RFC 6749, section 2.3.1).
pub fn basic_authorization(client_id: &str, secret: &str) -> Result<HeaderValue, ExampleError> {
    let encode =
        |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        encode(client_id),
        encode(secret)
    ));
    HeaderValue::from_str(&format!("Basic {credentials}"))
        .map_err(|err| ExampleError::new(format!("The client id or secret: {err}")))
}

// snippet-start:[rust.cognito-idp.oauth.logout-url]
/// The `/logout` URL that ends the user's session at the domain (its
/// cookie) and sends the browser on to `logout_uri`, which must be one of
/// the app client's sign-out URLs.
pub fn logout_url(
    endpoints: &Endpoints,
    client_id: &str,
    logout_uri: &str,
) -> Result<url::Url, ExampleError> {
    url::Url::parse_with_params(
        &endpoints.logout,
        &[("client_id", client_id), ("logout_uri", logout_uri)],
    )
    .map_err(|err| ExampleError::new(format!("{}: {err}", endpoints.logout)))
}
// snippet-end:[rust.cognito-idp.oauth.logout-url]

/// The access token and, when present, the ID and refresh tokens of an answer.
pub fn token_strings(tokens: &Tokens) -> (String, Option<String>, Option<String>) {
    (
        tokens.access_token().secret().clone(),
        tokens.extra_fields().id_token.clone(),
        tokens.refresh_token().map(|token| token.secret().clone()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        let domain = "https://demo.auth.eu-west-1.amazoncognito.com";
        Endpoints {
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".into(),
            authorize: format!("{domain}/oauth2/authorize"),
            token: format!("{domain}/oauth2/token"),
            user_info: format!("{domain}/oauth2/userInfo"),
            jwks: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json"
                .into(),
            revoke: format!("{domain}/oauth2/revoke"),
            logout: format!("{domain}/logout"),
        }
    }

    fn query(url: &url::Url) -> HashMap<String, String> {
        url.query_pairs().into_owned().collect()
    }

    #[test]
    fn the_authorization_request_carries_pkce_state_nonce_and_the_exact_callback() {
        let client = oauth_client(
            &endpoints(),
            "client1",
            None,
            "http://localhost:8400/callback",
        )
        .unwrap();
        let scopes = vec!["openid".to_string(), "email".to_string()];
        let pending = authorization_request(&client, &scopes);
        assert!(
            pending
                .url
                .as_str()
                .starts_with("https://demo.auth.eu-west-1.amazoncognito.com/oauth2/authorize?")
        );
        let params = query(&pending.url);
        assert_eq!(params["response_type"], "code");
        assert_eq!(params["client_id"], "client1");
        assert_eq!(params["redirect_uri"], "http://localhost:8400/callback");
        assert_eq!(params["scope"], "openid email");
        assert_eq!(params["state"], *pending.state.secret());
        assert_eq!(params["nonce"], pending.nonce);
        assert_eq!(params["code_challenge_method"], "S256");
        // The challenge is the verifier's SHA-256, base64url without padding.
        let expected = PkceCodeChallenge::from_code_verifier_sha256(&pending.pkce_verifier);
        assert_eq!(params["code_challenge"], *expected.as_str());
        // Two sign-ins never share a state, nonce or verifier.
        let other = authorization_request(&client, &scopes);
        assert_ne!(other.state.secret(), pending.state.secret());
        assert_ne!(other.nonce, pending.nonce);
        assert_ne!(other.pkce_verifier.secret(), pending.pkce_verifier.secret());
    }

    fn callback(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_code_is_taken_only_with_our_state() {
        let state = CsrfToken::new("s1".into());
        let code =
            code_from_callback(&callback(&[("code", "c1"), ("state", "s1")]), &state).unwrap();
        assert_eq!(code.secret(), "c1");

        let err =
            code_from_callback(&callback(&[("code", "c1"), ("state", "s2")]), &state).unwrap_err();
        assert!(err.to_string().contains("state does not match"), "{err}");

        let err = code_from_callback(&callback(&[("code", "c1")]), &state).unwrap_err();
        assert!(err.to_string().contains("no state"), "{err}");
    }

    #[test]
    fn an_error_redirect_says_what_cognito_said() {
        let state = CsrfToken::new("s1".into());
        let err = code_from_callback(
            &callback(&[
                ("error", "access_denied"),
                ("error_description", "User is disabled"),
                ("state", "s1"),
            ]),
            &state,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The sign-in was refused: access_denied: User is disabled"
        );
        // An error with someone else's state is still not ours.
        let err = code_from_callback(
            &callback(&[("error", "access_denied"), ("state", "s9")]),
            &state,
        )
        .unwrap_err();
        assert!(err.to_string().contains("state does not match"), "{err}");
        let err = code_from_callback(&callback(&[("state", "s1")]), &state).unwrap_err();
        assert!(err.to_string().contains("neither a code"), "{err}");
    }

    #[test]
    fn the_nonce_and_token_use_must_match() {
        let good = serde_json::json!({"token_use": "id", "nonce": "n1"});
        check_id_token_claims(&good, "n1").unwrap();
        let err = check_id_token_claims(&good, "n2").unwrap_err();
        assert!(err.to_string().contains("nonce"), "{err}");
        let access = serde_json::json!({"token_use": "access", "nonce": "n1"});
        assert!(check_id_token_claims(&access, "n1").is_err());
        let no_nonce = serde_json::json!({"token_use": "id"});
        assert!(check_id_token_claims(&no_nonce, "n1").is_err());
    }

    #[test]
    fn a_token_signed_by_an_unknown_key_is_refused() {
        // A well-formed JWT whose kid is not in the (empty) key set.
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"RS256","kid":"k1"}"#);
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        let token = format!("{header}.{body}.c2ln");
        let keys = JwkSet { keys: Vec::new() };
        let err = verify_id_token(&token, &keys, "iss", "client1", "n1").unwrap_err();
        assert!(err.to_string().contains("k1"), "{err}");
        let err = verify_id_token("not-a-jwt", &keys, "iss", "client1", "n1").unwrap_err();
        assert!(err.to_string().contains("not a JWT"), "{err}");
    }

    #[test]
    fn the_logout_url_names_the_client_and_where_to_go_next() {
        let url = logout_url(&endpoints(), "client1", "http://localhost:8400/signed-out").unwrap();
        assert_eq!(
            url.as_str(),
            "https://demo.auth.eu-west-1.amazoncognito.com/logout?client_id=client1&logout_uri=http%3A%2F%2Flocalhost%3A8400%2Fsigned-out"
        );
    }

    #[test]
    fn basic_authorization_encodes_id_and_secret() {
        let value = basic_authorization("client1", "s3cr/t").unwrap();
        // base64("client1:s3cr%2Ft")
        assert_eq!(value.to_str().unwrap(), "Basic Y2xpZW50MTpzM2NyJTJGdA==");
    }
}
