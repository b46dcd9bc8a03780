//! User pool domains (prefix domains): CreateUserPoolDomain,
//! DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain, and
//! the pool's Domain in DescribeUserPool.

use crate::sdk_client::{self, Client};

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;

fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

async fn create(client: &Client, pool_id: &str, domain: &str) -> Result<(), (String, String)> {
    client
        .create_user_pool_domain()
        .user_pool_id(pool_id)
        .domain(domain)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn a_prefix_domain_is_created_described_updated_and_deleted() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_a = sdk_client::pool(&client).await;
    let pool_b = sdk_client::pool(&client).await;
    let unknown = client
        .describe_user_pool_domain()
        .domain("my-app-auth")
        .send()
        .await
        .unwrap();
    let empty = unknown.domain_description().unwrap();
    assert!(empty.user_pool_id().is_none() && empty.domain().is_none());

    create(&client, &pool_a, "my-app-auth").await.unwrap();
    let described = client
        .describe_user_pool_domain()
        .domain("my-app-auth")
        .send()
        .await
        .unwrap();
    let d = described.domain_description().unwrap();
    assert_eq!(d.user_pool_id(), Some(pool_a.as_str()));
    assert_eq!(d.domain(), Some("my-app-auth"));
    assert_eq!(d.aws_account_id(), Some("000000000000"));
    assert_eq!(d.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(d.managed_login_version(), Some(1));
    let pool = client
        .describe_user_pool()
        .user_pool_id(&pool_a)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.user_pool().unwrap().domain(), Some("my-app-auth"));

    let invalid = ("InvalidParameterException".to_owned(), String::new());
    assert_eq!(
        create(&client, &pool_b, "my-app-auth").await.unwrap_err(),
        (
            invalid.0.clone(),
            "Domain already associated with another user pool.".to_owned()
        )
    );
    assert_eq!(
        create(&client, &pool_a, "another-one").await.unwrap_err(),
        (
            invalid.0.clone(),
            "User pool already has a domain configured.".to_owned()
        )
    );
    assert_eq!(
        create(&client, &pool_b, "Not_A_Prefix")
            .await
            .unwrap_err()
            .0,
        invalid.0
    );

    let updated = client
        .update_user_pool_domain()
        .user_pool_id(&pool_a)
        .domain("my-app-auth")
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.managed_login_version(), Some(2));

    let wrong_pool = client
        .delete_user_pool_domain()
        .user_pool_id(&pool_b)
        .domain("my-app-auth")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(wrong_pool.into_service_error()),
        (
            invalid.0.clone(),
            "No such domain or user pool exists.".to_owned()
        )
    );
    client
        .delete_user_pool_domain()
        .user_pool_id(&pool_a)
        .domain("my-app-auth")
        .send()
        .await
        .unwrap();
    let gone = client
        .describe_user_pool_domain()
        .domain("my-app-auth")
        .send()
        .await
        .unwrap();
    assert!(gone.domain_description().unwrap().domain().is_none());
    let pool = client
        .describe_user_pool()
        .user_pool_id(&pool_a)
        .send()
        .await
        .unwrap();
    assert!(pool.user_pool().unwrap().domain().is_none());

    // The name is free again, and a deleted pool frees its domain too.
    create(&client, &pool_b, "my-app-auth").await.unwrap();
    client
        .delete_user_pool()
        .user_pool_id(&pool_b)
        .send()
        .await
        .unwrap();
    create(&client, &pool_a, "my-app-auth").await.unwrap();
}
