//! The front door: test endpoints, routing, protocol errors, unsigned
//! requests, malformed input, and emulators that share nothing.

use crate::sdk_client;

use crate::sdk_client::{cognito_call, raw};

#[tokio::test]
async fn health_and_empty_outbox() {
    let (emulator, _) = sdk_client::start().await;
    let health = raw(&emulator.endpoint(), "GET", "/_emulator/health", &[], b"").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), serde_json::json!({"status": "ok"}));
    let outbox = raw(&emulator.endpoint(), "GET", "/_emulator/outbox", &[], b"").await;
    assert_eq!(outbox.json(), serde_json::json!([]));
    emulator.stop().await;
}

#[tokio::test]
async fn errors_use_the_json_protocol_shape() {
    let (emulator, _) = sdk_client::start().await;
    let response = cognito_call(
        &emulator.endpoint(),
        "DescribeUserPool",
        r#"{"UserPoolId":"us-east-1_nothere00"}"#,
        true,
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    let body = response.json();
    assert_eq!(body["__type"], "ResourceNotFoundException");
    assert_eq!(
        body["message"],
        "User pool us-east-1_nothere00 does not exist."
    );
}

#[tokio::test]
async fn unsigned_requests_only_for_public_operations() {
    let (emulator, _) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    let admin = cognito_call(&endpoint, "ListUserPools", r#"{"MaxResults":10}"#, false).await;
    assert_eq!(admin.status, 400);
    assert_eq!(
        admin.json()["__type"],
        "MissingAuthenticationTokenException"
    );
    let signed = cognito_call(&endpoint, "ListUserPools", r#"{"MaxResults":10}"#, true).await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    // SignUp may be called unsigned: it gets past authentication to the client lookup.
    let public = cognito_call(
        &endpoint,
        "SignUp",
        r#"{"ClientId":"abc","Username":"u","Password":"Passw0rd!"}"#,
        false,
    )
    .await;
    assert_eq!(
        public.json()["__type"],
        "ResourceNotFoundException",
        "{}",
        public.body
    );
}

#[tokio::test]
async fn malformed_requests_get_validation_errors_not_500s() {
    let (emulator, _) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    // As AWS: a body that cannot be read into the request shape (not JSON,
    // not an object, a member of the wrong type) is a SerializationException;
    // values that break the model's constraints are InvalidParameterException.
    const SERIALIZATION: &str = "SerializationException";
    const INVALID: &str = "InvalidParameterException";
    let cases = [
        ("CreateUserPool", "{not json", SERIALIZATION, None),
        ("CreateUserPool", "[]", SERIALIZATION, None),
        (
            "CreateUserPool",
            "{}",
            INVALID,
            Some("Value null at 'poolName' failed to satisfy constraint: Member must not be null"),
        ),
        (
            "CreateUserPool",
            r#"{"PoolName": 5}"#,
            SERIALIZATION,
            Some("'poolName'"),
        ),
        (
            "ListUserPools",
            r#"{"MaxResults": 61}"#,
            INVALID,
            Some(
                "Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
            ),
        ),
        ("ListUserPools", r#"{}"#, INVALID, Some("'maxResults'")),
        (
            "DescribeUserPool",
            r#"{"UserPoolId": "no-underscore"}"#,
            INVALID,
            Some("Member must satisfy regular expression pattern"),
        ),
        (
            "CreateUserPool",
            r#"{"PoolName": "x", "MfaConfiguration": "SOMETIMES"}"#,
            INVALID,
            Some("Member must satisfy enum value set"),
        ),
        (
            "CreateUserPool",
            r#"{"PoolName": "x", "Policies": {"PasswordPolicy": {"MinimumLength": "eight"}}}"#,
            SERIALIZATION,
            Some("'policies.passwordPolicy.minimumLength'"),
        ),
    ];
    for (action, body, code, message) in cases {
        let response = cognito_call(&endpoint, action, body, true).await;
        assert_eq!(response.status, 400, "{action} {body}: {}", response.body);
        let json = response.json();
        assert_eq!(json["__type"], code, "{action} {body}: {}", response.body);
        if let Some(message) = message {
            assert!(
                json["message"].as_str().unwrap().contains(message),
                "{action} {body}: {}",
                response.body
            );
        }
    }
    let unknown = cognito_call(&endpoint, "MakeCoffee", "{}", true).await;
    assert_eq!(unknown.json()["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn emulators_share_no_state() {
    let (first, first_client) = sdk_client::start().await;
    let (second, second_client) = sdk_client::start().await;
    assert_ne!(first.endpoint(), second.endpoint());
    let pool_id = sdk_client::pool(&first_client).await;
    let err = second_client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let listed = first_client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_pools().len(), 1);
}

#[tokio::test]
async fn stop_releases_the_port() {
    let (emulator, _) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    emulator.stop().await;
    let address = endpoint.trim_start_matches("http://").to_owned();
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}
