//! Tags of user pools: TagResource, UntagResource, ListTagsForResource and
//! the pool's UserPoolTags.

use crate::sdk_client;

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;

#[tokio::test]
async fn pool_tags_are_added_listed_removed_and_described() {
    let (_emulator, client) = sdk_client::start().await;
    let created = client
        .create_user_pool()
        .pool_name("tagged")
        .user_pool_tags("team", "identity")
        .send()
        .await
        .unwrap();
    let pool = created.user_pool().unwrap();
    let pool_id = pool.id().unwrap().to_owned();
    let arn = pool.arn().unwrap().to_owned();
    let tags = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let list = || async {
        client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap()
            .tags()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(list().await, tags(&[("team", "identity")]));
    client
        .tag_resource()
        .resource_arn(&arn)
        .tags("env", "dev")
        .tags("team", "platform")
        .send()
        .await
        .unwrap();
    assert_eq!(list().await, tags(&[("team", "platform"), ("env", "dev")]));
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    assert_eq!(list().await, tags(&[("env", "dev")]));

    // UpdateUserPool without tags keeps them; DescribeUserPool shows them.
    client
        .update_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().user_pool_tags(),
        Some(&tags(&[("env", "dev")]))
    );

    let missing = arn.replace(&pool_id, "us-east-1_NoSuchPool");
    let err = client
        .list_tags_for_resource()
        .resource_arn(&missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    let err = client
        .tag_resource()
        .resource_arn(&missing)
        .tags("a", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}
