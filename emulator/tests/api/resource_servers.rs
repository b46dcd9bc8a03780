//! Resource servers: CreateResourceServer, DescribeResourceServer,
//! ListResourceServers (paginated), UpdateResourceServer and
//! DeleteResourceServer, and their scopes as app clients' OAuth scopes.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType;

use crate::sdk_client::{self, cognito_call};

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} access"))
        .build()
        .unwrap()
}

fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_resource_server_is_created_described_listed_updated_and_deleted() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let created = client
        .create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
        .name("api")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let server = created.resource_server().unwrap();
    assert_eq!(server.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(server.identifier(), Some("https://api.example"));
    assert_eq!(server.scopes().len(), 2);
    assert_eq!(server.scopes()[1].scope_name(), "write");

    let duplicate = client
        .create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
        .name("again")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(duplicate.into_service_error()).0,
        "InvalidParameterException"
    );

    let described = client
        .describe_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
        .send()
        .await
        .unwrap();
    assert_eq!(described.resource_server().unwrap().name(), Some("api"));

    for i in 0..4 {
        client
            .create_resource_server()
            .user_pool_id(&pool_id)
            .identifier(format!("server-{i}"))
            .name(format!("server {i}"))
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .list_resource_servers()
            .user_pool_id(&pool_id)
            .max_results(2)
            .set_next_token(next.clone())
            .send()
            .await
            .unwrap();
        assert!(page.resource_servers().len() <= 2);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|s| s.identifier().unwrap().to_owned()),
        );
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "no server twice: {seen:?}");

    // An app client may allow a server's scopes, and not others.
    let allowed = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("m2m")
        .allowed_o_auth_scopes("https://api.example/read")
        .send()
        .await;
    assert!(allowed.is_ok(), "{allowed:?}");

    let updated = client
        .update_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
        .name("renamed")
        .scopes(scope("admin"))
        .send()
        .await
        .unwrap();
    let server = updated.resource_server().unwrap();
    assert_eq!(server.name(), Some("renamed"));
    assert_eq!(server.scopes().len(), 1, "scopes left out are gone");
    let gone_scope = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("m2m")
        .allowed_o_auth_scopes("https://api.example/read")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(gone_scope.into_service_error()).0,
        "ScopeDoesNotExistException"
    );

    client
        .delete_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
        .send()
        .await
        .unwrap();
    for result in [
        client
            .describe_resource_server()
            .user_pool_id(&pool_id)
            .identifier("https://api.example")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failure(e.into_service_error())),
        client
            .delete_resource_server()
            .user_pool_id(&pool_id)
            .identifier("https://api.example")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failure(e.into_service_error())),
    ] {
        let (code, message) = result.unwrap_err();
        assert_eq!(code, "ResourceNotFoundException");
        assert!(message.contains("https://api.example"), "{message}");
    }
    let unknown_pool = client
        .create_resource_server()
        .user_pool_id("us-east-1_Nope")
        .identifier("x")
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(unknown_pool.into_service_error()).0,
        "ResourceNotFoundException"
    );

    // The model's constraints: a name matches `[\w\s+=,.@-]+`.
    let endpoint = emulator.endpoint();
    let bad_name = cognito_call(
        &endpoint,
        "CreateResourceServer",
        &format!(r#"{{"UserPoolId":"{pool_id}","Identifier":"y","Name":"///"}}"#),
        true,
    )
    .await;
    assert_eq!(bad_name.status, 400, "{}", bad_name.body);
}
