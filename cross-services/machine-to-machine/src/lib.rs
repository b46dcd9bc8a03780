//! Machine-to-machine authorization with a user pool: a confidential app
//! client gets an access token for a custom scope of a resource server
//! (OAuth 2.0 client credentials grant at the domain's `/oauth2/token`),
//! and an API checks that scope.
//!
//! The setup calls (CreateResourceServer, CreateUserPoolClient with
//! `client_credentials`) use the SDK's Cognito client; the token request
//! goes to the domain's token endpoint, found through the pool's OpenID
//! Connect discovery document.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::create_resource_server::{
    CreateResourceServerError, CreateResourceServerOutput,
};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::{
    CreateUserPoolClientError, CreateUserPoolClientOutput,
};
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
use example_cli::ExampleError;
use oauth_sign_in::HttpClient;
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl};

/// A custom scope as a token carries it: `{resource server identifier}/{scope name}`.
pub fn full_scope(identifier: &str, scope: &str) -> String {
    format!("{identifier}/{scope}")
}

// snippet-start:[rust.cognito-idp.CreateResourceServer]
/// Creates a resource server: an API known to the pool by an identifier
/// (often its URL), with the scopes app clients may be granted for it.
pub async fn create_resource_server(
    client: &Client,
    user_pool_id: &str,
    identifier: &str,
    name: &str,
    scopes: &[(&str, &str)],
) -> Result<CreateResourceServerOutput, SdkError<CreateResourceServerError>> {
    let mut request = client
        .create_resource_server()
        .user_pool_id(user_pool_id)
        .identifier(identifier)
        .name(name);
    for (scope_name, description) in scopes {
        request = request.scopes(
            ResourceServerScopeType::builder()
                .scope_name(*scope_name)
                .scope_description(*description)
                .build()
                .expect("scope name and description are set"),
        );
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.CreateResourceServer]

// snippet-start:[rust.cognito-idp.CreateUserPoolClient.client-credentials]
/// Creates a confidential app client (it has a secret) that may use only
/// the client credentials grant, for the given custom scopes. Cognito
/// allows `client_credentials` only for clients with a secret, and only
/// custom scopes with it (no `openid`: there is no user).
pub async fn create_machine_client(
    client: &Client,
    user_pool_id: &str,
    client_name: &str,
    scopes: &[String],
) -> Result<CreateUserPoolClientOutput, SdkError<CreateUserPoolClientError>> {
    client
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name(client_name)
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .set_allowed_o_auth_scopes(Some(scopes.to_vec()))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.CreateUserPoolClient.client-credentials]

// snippet-start:[rust.cognito-idp.oauth.client-credentials]
/// Asks the token endpoint for an access token (grant type
/// `client_credentials`), authenticating the client with its secret by
/// HTTP Basic. Returns the access token and its lifetime in seconds.
pub async fn client_credentials_token(
    http: &HttpClient,
    token_endpoint: &str,
    client_id: &str,
    client_secret: &str,
    scopes: &[String],
) -> Result<(String, Option<u64>), ExampleError> {
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_client_secret(ClientSecret::new(client_secret.to_string()))
        .set_token_uri(
            TokenUrl::new(token_endpoint.to_string())
                .map_err(|err| ExampleError::new(format!("{token_endpoint}: {err}")))?,
        );
    let tokens = client
        .exchange_client_credentials()
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .request_async(http)
        .await
        .map_err(|err| match err {
            RequestTokenError::ServerResponse(response) => ExampleError::new(format!(
                "The token endpoint refused: {}{}",
                response.error().as_ref(),
                response
                    .error_description()
                    .map(|text| format!(": {text}"))
                    .unwrap_or_default()
            )),
            other => ExampleError::new(format!("The token request failed: {other}")),
        })?;
    Ok((
        tokens.access_token().secret().clone(),
        tokens.expires_in().map(|lifetime| lifetime.as_secs()),
    ))
}
// snippet-end:[rust.cognito-idp.oauth.client-credentials]

/// An API's answer: status, body, and the `WWW-Authenticate` challenge that
/// says why a token was refused (RFC 6750).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAnswer {
    pub status: u16,
    pub body: String,
    pub challenge: Option<String>,
}

/// `GET url` with the access token as a bearer token.
pub async fn call_api(
    http: &HttpClient,
    url: &str,
    access_token: &str,
) -> Result<ApiAnswer, ExampleError> {
    let response = http.get(url, Some(access_token)).await?;
    Ok(ApiAnswer {
        status: response.status().as_u16(),
        challenge: response
            .headers()
            .get("www-authenticate")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string),
        body: oauth_sign_in::http::body_text(&response),
    })
}

/// The `scope` and `client_id` claims of an access token, read without
/// checking it (for display: the API is what checks it).
pub fn scope_and_client(access_token: &str) -> Option<(String, String)> {
    use base64::Engine;
    let payload = access_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some((
        claims.get("scope")?.as_str()?.to_string(),
        claims.get("client_id")?.as_str()?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::create_resource_server::CreateResourceServerInput;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientInput;
    use aws_sdk_cognitoidentityprovider::types::UserPoolClientType;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    #[tokio::test]
    async fn the_resource_server_is_created_with_its_scopes() {
        let rule = mock!(Client::create_resource_server)
            .match_requests(|input: &CreateResourceServerInput| {
                let scopes = input.scopes();
                input.user_pool_id() == Some("eu-west-1_AbC")
                    && input.identifier() == Some("orders-api")
                    && scopes.len() == 2
                    && scopes[0].scope_name() == "read"
                    && scopes[1].scope_description() == "Change orders"
            })
            .then_output(|| CreateResourceServerOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&rule]
        );
        create_resource_server(
            &client,
            "eu-west-1_AbC",
            "orders-api",
            "Orders API",
            &[("read", "Read orders"), ("write", "Change orders")],
        )
        .await
        .unwrap();
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_machine_client_has_a_secret_and_only_client_credentials() {
        let rule = mock!(Client::create_user_pool_client)
            .match_requests(|input: &CreateUserPoolClientInput| {
                input.generate_secret() == Some(true)
                    && input.allowed_o_auth_flows() == [OAuthFlowType::ClientCredentials]
                    && input.allowed_o_auth_scopes() == ["orders-api/read", "orders-api/write"]
                    && input.allowed_o_auth_flows_user_pool_client() == Some(true)
            })
            .then_output(|| {
                CreateUserPoolClientOutput::builder()
                    .user_pool_client(
                        UserPoolClientType::builder()
                            .client_id("m2m1")
                            .client_secret("s3cret")
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&rule]
        );
        let scopes = vec![
            full_scope("orders-api", "read"),
            full_scope("orders-api", "write"),
        ];
        let output = create_machine_client(&client, "eu-west-1_AbC", "machine", &scopes)
            .await
            .unwrap();
        assert_eq!(output.user_pool_client().unwrap().client_id(), Some("m2m1"));
        assert_eq!(rule.num_calls(), 1);
    }

    #[test]
    fn the_scope_and_client_are_read_from_the_token() {
        use base64::Engine;
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        let token = format!(
            "{}.{}.sig",
            encode(r#"{"alg":"RS256"}"#),
            encode(r#"{"scope":"orders-api/read","client_id":"m2m1","token_use":"access"}"#)
        );
        assert_eq!(
            scope_and_client(&token),
            Some(("orders-api/read".into(), "m2m1".into()))
        );
        assert_eq!(scope_and_client("not-a-token"), None);
    }
}
