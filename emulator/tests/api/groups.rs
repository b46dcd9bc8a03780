//! Groups: their operations, memberships, and the claims they put in tokens.

use crate::sdk_client::{self, Client};

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use base64::Engine;
use serde_json::Value;

/// The claims of a JWT, read without checking it (auth.rs checks signatures).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn code_and_message<E: ProvideErrorMetadata>(err: &E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

async fn create(
    client: &Client,
    pool_id: &str,
    name: &str,
    precedence: Option<i32>,
    role: Option<&str>,
) {
    client
        .create_group()
        .user_pool_id(pool_id)
        .group_name(name)
        .set_precedence(precedence)
        .set_role_arn(role.map(str::to_owned))
        .send()
        .await
        .expect("CreateGroup");
}

async fn add(client: &Client, pool_id: &str, username: &str, group: &str) {
    client
        .admin_add_user_to_group()
        .user_pool_id(pool_id)
        .username(username)
        .group_name(group)
        .send()
        .await
        .expect("AdminAddUserToGroup");
}

async fn members(client: &Client, pool_id: &str, group: &str) -> Vec<String> {
    client
        .list_users_in_group()
        .user_pool_id(pool_id)
        .group_name(group)
        .send()
        .await
        .expect("ListUsersInGroup")
        .users()
        .iter()
        .map(|u| u.username().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn groups_are_created_described_updated_listed_and_deleted() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let created = client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .description("Administrators")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admins")
        .send()
        .await
        .unwrap();
    let group = created.group().unwrap();
    assert_eq!(group.group_name(), Some("admins"));
    assert_eq!(group.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(group.precedence(), Some(1));
    assert!(group.creation_date().is_some());

    let again = client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .send()
        .await
        .unwrap_err();
    assert!(
        again
            .as_service_error()
            .unwrap()
            .is_group_exists_exception()
    );
    assert_eq!(
        code_and_message(&again).1,
        "A group with the name already exists"
    );
    // Another letter case of the name is the same name to CreateGroup.
    let other_case = client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("Admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(&other_case),
        (
            "GroupExistsException".to_owned(),
            "A group with the name already exists".to_owned()
        )
    );

    // UpdateGroup changes what it names and keeps the rest.
    let updated = client
        .update_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .precedence(7)
        .send()
        .await
        .unwrap();
    let group = updated.group().unwrap();
    assert_eq!(group.precedence(), Some(7));
    assert_eq!(group.description(), Some("Administrators"));
    assert_eq!(
        group.role_arn(),
        Some("arn:aws:iam::000000000000:role/admins")
    );
    let got = client
        .get_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    assert_eq!(got.group().unwrap().precedence(), Some(7));

    // Pages of two: three groups come back in two pages.
    create(&client, &pool_id, "editors", None, None).await;
    create(&client, &pool_id, "readers", None, None).await;
    let first = client
        .list_groups()
        .user_pool_id(&pool_id)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.groups().len(), 2);
    let token = first.next_token().expect("a second page").to_owned();
    let second = client
        .list_groups()
        .user_pool_id(&pool_id)
        .limit(2)
        .next_token(token)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = first
        .groups()
        .iter()
        .chain(second.groups())
        .filter_map(|g| g.group_name())
        .collect();
    assert!(second.next_token().is_none());
    names.sort();
    assert_eq!(names, ["admins", "editors", "readers"]);

    client
        .delete_group()
        .user_pool_id(&pool_id)
        .group_name("editors")
        .send()
        .await
        .unwrap();
    for err in [
        client
            .get_group()
            .user_pool_id(&pool_id)
            .group_name("editors")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        client
            .delete_group()
            .user_pool_id(&pool_id)
            .group_name("editors")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        client
            .update_group()
            .user_pool_id(&pool_id)
            .group_name("nobody")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
        assert_eq!(err.message(), Some("Group not found."));
    }
}

#[tokio::test]
async fn members_are_added_listed_paged_and_removed() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    for name in ["ann", "ben", "cat"] {
        sdk_client::confirmed_user(&client, &pool_id, &client_id, name).await;
    }
    create(&client, &pool_id, "staff", None, None).await;
    create(&client, &pool_id, "admins", None, None).await;
    for name in ["ann", "ben", "cat"] {
        add(&client, &pool_id, name, "staff").await;
    }
    add(&client, &pool_id, "ann", "admins").await;
    // Adding again is no error and no second membership.
    add(&client, &pool_id, "ann", "admins").await;

    let first = client
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("staff")
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.users().len(), 2);
    let second = client
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("staff")
        .limit(2)
        .next_token(first.next_token().expect("a second page"))
        .send()
        .await
        .unwrap();
    assert!(second.next_token().is_none());
    let paged: Vec<&str> = first
        .users()
        .iter()
        .chain(second.users())
        .filter_map(|u| u.username())
        .collect();
    assert_eq!(paged, ["ann", "ben", "cat"]);
    assert!(first.users()[0].enabled());

    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admins", "staff"]);
    let one = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(one.groups().len(), 1);
    assert!(one.next_token().is_some());

    client
        .admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("ben")
        .group_name("staff")
        .send()
        .await
        .unwrap();
    assert_eq!(members(&client, &pool_id, "staff").await, ["ann", "cat"]);

    let unknown_user = client
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("nobody")
        .group_name("staff")
        .send()
        .await
        .unwrap_err();
    assert!(
        unknown_user
            .as_service_error()
            .unwrap()
            .is_user_not_found_exception()
    );
    let unknown_group = client
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("ann")
        .group_name("nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(&unknown_group),
        (
            "ResourceNotFoundException".to_owned(),
            "Group not found.".to_owned()
        )
    );
    let unknown_listing = client
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("nothing")
        .send()
        .await
        .unwrap_err();
    assert!(
        unknown_listing
            .as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn a_deleted_user_leaves_their_groups_and_a_new_one_of_the_name_is_not_in_them() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dora").await;
    create(&client, &pool_id, "staff", None, None).await;
    add(&client, &pool_id, "dora", "staff").await;
    assert_eq!(members(&client, &pool_id, "staff").await, ["dora"]);
    client
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    assert!(members(&client, &pool_id, "staff").await.is_empty());
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dora").await;
    assert!(members(&client, &pool_id, "staff").await.is_empty());
    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    assert!(groups.groups().is_empty());
    let tokens = sdk_client::password_sign_in(&client, &client_id, "dora").await;
    let id = claims(tokens.authentication_result().unwrap().id_token().unwrap());
    assert!(id.get("cognito:groups").is_none(), "{id}");
}

#[tokio::test]
async fn tokens_carry_groups_roles_and_the_preferred_role() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "eve").await;
    let admin_role = "arn:aws:iam::000000000000:role/admins";
    let staff_role = "arn:aws:iam::000000000000:role/staff";
    create(&client, &pool_id, "staff", Some(5), Some(staff_role)).await;
    create(&client, &pool_id, "admins", Some(1), Some(admin_role)).await;
    create(&client, &pool_id, "everyone", None, None).await;
    for group in ["staff", "admins", "everyone"] {
        add(&client, &pool_id, "eve", group).await;
    }
    let out = sdk_client::password_sign_in(&client, &client_id, "eve").await;
    let result = out.authentication_result().unwrap();
    let id = claims(result.id_token().unwrap());
    let access = claims(result.access_token().unwrap());
    let groups = serde_json::json!(["admins", "staff", "everyone"]);
    assert_eq!(id["cognito:groups"], groups);
    assert_eq!(access["cognito:groups"], groups);
    assert_eq!(
        id["cognito:roles"],
        serde_json::json!([admin_role, staff_role])
    );
    assert_eq!(id["cognito:preferred_role"], admin_role);
    assert!(access.get("cognito:roles").is_none());

    // A refresh reads the groups as they are now.
    client
        .admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("eve")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let refreshed = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", result.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let id = claims(
        refreshed
            .authentication_result()
            .unwrap()
            .id_token()
            .unwrap(),
    );
    assert_eq!(
        id["cognito:groups"],
        serde_json::json!(["staff", "everyone"])
    );
    assert_eq!(id["cognito:preferred_role"], staff_role);
}
