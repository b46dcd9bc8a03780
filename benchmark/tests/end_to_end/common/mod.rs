//! What the benchmark's integration tests share.

use aws_sdk_cognitoidentityprovider::Client;
use benchmark::TriggerClients;

/// The ids of the user pools on the server (the first ten).
pub async fn user_pool_ids(cognito: &Client) -> Vec<String> {
    let pools = cognito
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    pools
        .user_pools()
        .iter()
        .filter_map(|pool| pool.id().map(str::to_string))
        .collect()
}

/// Fails unless the server holds no user pool, Lambda function, IAM role or
/// log group: everything a workload and its trigger create is gone.
pub async fn assert_nothing_left_behind(cognito: &Client, clients: &TriggerClients) {
    let pools = user_pool_ids(cognito).await;
    assert!(pools.is_empty(), "{pools:?}");
    let functions = clients.lambda.list_functions().send().await.unwrap();
    assert!(functions.functions().is_empty(), "{functions:?}");
    let roles = clients.iam.list_roles().send().await.unwrap();
    assert!(roles.roles().is_empty(), "{roles:?}");
    let groups = clients.logs.describe_log_groups().send().await.unwrap();
    assert!(groups.log_groups().is_empty(), "{groups:?}");
}
