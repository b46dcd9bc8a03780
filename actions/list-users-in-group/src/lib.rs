//! ListUsersInGroup: list the members of one of the pool's groups, across
//! every page of results.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:ListUsersInGroup` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::list_users_in_group::ListUsersInGroupError;
use aws_sdk_cognitoidentityprovider::types::UserType;

/// The most users ListUsersInGroup returns in one page.
pub const PAGE_SIZE: i32 = 60;

// snippet-start:[rust.cognito-idp.ListUsersInGroup]
/// Lists every member of `group_name`.
///
/// Cognito answers in pages of at most 60 users and hands back a `NextToken`
/// while more remain; the SDK's paginator (`into_paginator`) follows it to
/// the last page, so the result holds every member. Each user comes with
/// their attributes, status and whether they are enabled, as in ListUsers.
///
/// Typical failures: `ResourceNotFoundException` (no such group, or no such
/// pool), `InvalidParameterException`.
pub async fn list_users_in_group(
    client: &Client,
    user_pool_id: &str,
    group_name: &str,
) -> Result<Vec<UserType>, SdkError<ListUsersInGroupError>> {
    client
        .list_users_in_group()
        .user_pool_id(user_pool_id)
        .group_name(group_name)
        .limit(PAGE_SIZE)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
}
// snippet-end:[rust.cognito-idp.ListUsersInGroup]

/// One line per member (username, status, email), or a line saying there are none.
pub fn report(group_name: &str, users: &[UserType]) -> Vec<String> {
    if users.is_empty() {
        return vec![format!("Group {group_name} has no members.")];
    }
    let mut lines = vec![format!("Members of {group_name}: {}", users.len())];
    lines.extend(users.iter().map(|user| {
        let email = user
            .attributes()
            .iter()
            .find(|attribute| attribute.name() == "email")
            .and_then(|attribute| attribute.value());
        format!(
            "  {}  status: {}  enabled: {}  email: {}",
            user.username().unwrap_or("(no username)"),
            user.user_status().map_or("(unknown)", |s| s.as_str()),
            user.enabled(),
            email.unwrap_or("(none)")
        )
    }));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users_in_group::ListUsersInGroupOutput;
    use aws_sdk_cognitoidentityprovider::types::error::ResourceNotFoundException;
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn user(name: &str) -> UserType {
        UserType::builder()
            .username(name)
            .enabled(true)
            .user_status(UserStatusType::Confirmed)
            .attributes(
                AttributeType::builder()
                    .name("email")
                    .value(format!("{name}@example.com"))
                    .build()
                    .expect("name is set"),
            )
            .build()
    }

    #[tokio::test]
    async fn follows_next_token_to_the_last_page() {
        let first = mock!(Client::list_users_in_group)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.group_name() == Some("editors")
                    && req.limit() == Some(PAGE_SIZE)
                    && req.next_token().is_none()
            })
            .then_output(|| {
                ListUsersInGroupOutput::builder()
                    .users(user("alice"))
                    .users(user("bob"))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(Client::list_users_in_group)
            .match_requests(|req| {
                req.group_name() == Some("editors") && req.next_token() == Some("page-2")
            })
            .then_output(|| {
                ListUsersInGroupOutput::builder()
                    .users(user("carol"))
                    .build()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&first, &second]
        );

        let users = list_users_in_group(&client, "us-east-1_pool", "editors")
            .await
            .expect("listed");

        let names: Vec<_> = users.iter().filter_map(|u| u.username()).collect();
        assert_eq!(names, ["alice", "bob", "carol"]);
        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
        let lines = report("editors", &users);
        assert_eq!(lines[0], "Members of editors: 3");
        assert_eq!(
            lines[1],
            "  alice  status: CONFIRMED  enabled: true  email: alice@example.com"
        );
    }

    #[tokio::test]
    async fn an_unknown_group_is_not_found() {
        let list = mock!(Client::list_users_in_group).then_error(|| {
            ListUsersInGroupError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("Group not found.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&list]);

        let err = list_users_in_group(&client, "us-east-1_pool", "nobody")
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(err.code(), Some("ResourceNotFoundException"));
    }

    #[test]
    fn an_empty_group_says_so() {
        assert_eq!(report("editors", &[]), ["Group editors has no members."]);
    }
}
