//! What every end-to-end test needs: an emulator, an SDK client pointed at
//! it with dummy credentials, raw HTTP for what the SDK will not send, and a
//! pool + app client to work in.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{AttributeType, ExplicitAuthFlowsType, VerifiedAttributeType};
use emulator::{Config, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub use cognito::Client;

pub const PASSWORD: &str = "Correct-Horse-1";

pub async fn start() -> (Emulator, Client) {
    let emulator = Emulator::start(Config::default())
        .await
        .expect("emulator starts");
    let client = client(&emulator.endpoint());
    (emulator, client)
}

pub fn client(endpoint: &str) -> Client {
    let config = cognito::config::Builder::new()
        .behavior_version(cognito::config::BehaviorVersion::latest())
        .region(cognito::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(cognito::config::Credentials::new(
            "AKIDEXAMPLE",
            "not-a-secret",
            None,
            None,
            "tests",
        ))
        .build();
    Client::from_conf(config)
}

/// A response to a raw HTTP request: status, headers (lower-case names) and body.
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }
}

/// Sends one HTTP/1.1 request over a fresh connection.
pub async fn raw(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A Cognito call over raw HTTP (signed = with an Authorization header).
pub async fn cognito_call(endpoint: &str, action: &str, body: &str, signed: bool) -> RawResponse {
    let target = format!("AWSCognitoIdentityProviderService.{action}");
    let mut headers = vec![
        ("x-amz-target", target.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
    ];
    if signed {
        headers.push((
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
        ));
    }
    raw(endpoint, "POST", "/", &headers, body.as_bytes()).await
}

/// A pool that auto-verifies email, and its id.
pub async fn pool(client: &Client) -> String {
    let out = client
        .create_user_pool()
        .pool_name("tests")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("CreateUserPool");
    out.user_pool().unwrap().id().unwrap().to_owned()
}

/// An app client with the password flows, refresh and SRP allowed.
pub async fn app_client(client: &Client, pool_id: &str, secret: bool) -> (String, Option<String>) {
    let out = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("tests")
        .generate_secret(secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient");
    let c = out.user_pool_client().unwrap();
    (
        c.client_id().unwrap().to_owned(),
        c.client_secret().map(str::to_owned),
    )
}

pub fn email(value: &str) -> AttributeType {
    AttributeType::builder()
        .name("email")
        .value(value)
        .build()
        .unwrap()
}

/// Signs a user up and confirms them as an administrator.
pub async fn confirmed_user(client: &Client, pool_id: &str, client_id: &str, username: &str) {
    client
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .user_attributes(email(&format!("{username}@example.com")))
        .send()
        .await
        .expect("SignUp");
    client
        .admin_confirm_sign_up()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("AdminConfirmSignUp");
}

/// Signs in with USER_PASSWORD_AUTH and returns the authentication result.
pub async fn password_sign_in(
    client: &Client,
    client_id: &str,
    username: &str,
) -> cognito::operation::initiate_auth::InitiateAuthOutput {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(cognito::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth")
}
