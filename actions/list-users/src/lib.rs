//! ListUsers: list the users of a user pool, optionally filtered, across
//! every page of results.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:ListUsers` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
use aws_sdk_cognitoidentityprovider::types::UserType;

/// The most users ListUsers returns in one page.
pub const PAGE_SIZE: i32 = 60;

// snippet-start:[rust.cognito-idp.ListUsers]
/// Lists every user of the pool, or only those matching `filter`.
///
/// A filter has the form `AttributeName Filter-Type "AttributeValue"`, where
/// the filter type is `=` (exact match) or `^=` (starts with), for example
/// `email = "alice@example.com"` or `username ^= "al"`. Only some attributes
/// can be searched (such as `username`, `email`, `phone_number`, `name`,
/// `sub`, `cognito:user_status`, `status`); custom attributes cannot.
///
/// Cognito answers in pages of at most 60 users and hands back a
/// `PaginationToken` while more remain; the SDK's paginator follows it to
/// the last page, so the result holds every matching user.
pub async fn list_users(
    client: &Client,
    user_pool_id: &str,
    filter: Option<&str>,
) -> Result<Vec<UserType>, SdkError<ListUsersError>> {
    client
        .list_users()
        .user_pool_id(user_pool_id)
        .set_filter(filter.map(str::to_string))
        .limit(PAGE_SIZE)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
}
// snippet-end:[rust.cognito-idp.ListUsers]

/// The value of one of the user's attributes, looked up by name. Cognito
/// does not promise any order for `Attributes`, so never pick one by position.
pub fn attribute<'a>(user: &'a UserType, name: &str) -> Option<&'a str> {
    user.attributes()
        .iter()
        .find(|attribute| attribute.name() == name)
        .and_then(|attribute| attribute.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersOutput;
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    fn user(name: &str, email: &str) -> UserType {
        UserType::builder()
            .username(name)
            .user_status(UserStatusType::Confirmed)
            .attributes(
                AttributeType::builder()
                    .name("sub")
                    .value(format!("sub-of-{name}"))
                    .build()
                    .expect("name is set"),
            )
            .attributes(
                AttributeType::builder()
                    .name("email")
                    .value(email)
                    .build()
                    .expect("name is set"),
            )
            .build()
    }

    #[tokio::test]
    async fn follows_the_pagination_token_to_the_last_page() {
        let first_page = mock!(Client::list_users)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.filter() == Some("username ^= \"a\"")
                    && req.limit() == Some(PAGE_SIZE)
                    && req.pagination_token().is_none()
            })
            .then_output(|| {
                ListUsersOutput::builder()
                    .users(user("alice", "alice@example.com"))
                    .users(user("amir", "amir@example.com"))
                    .pagination_token("page-2")
                    .build()
            });
        let last_page = mock!(Client::list_users)
            .match_requests(|req| {
                req.pagination_token() == Some("page-2")
                    && req.filter() == Some("username ^= \"a\"")
                    && req.limit() == Some(PAGE_SIZE)
            })
            .then_output(|| {
                ListUsersOutput::builder()
                    .users(user("ana", "ana@example.com"))
                    .build()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&first_page, &last_page]
        );

        let users = list_users(&client, "us-east-1_pool", Some("username ^= \"a\""))
            .await
            .expect("users");

        let names: Vec<_> = users.iter().filter_map(UserType::username).collect();
        assert_eq!(names, ["alice", "amir", "ana"]);
        assert_eq!(first_page.num_calls(), 1);
        assert_eq!(last_page.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_no_filter_when_none_is_given() {
        let only_page = mock!(Client::list_users)
            .match_requests(|req| req.filter().is_none())
            .then_output(|| ListUsersOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&only_page]);

        let users = list_users(&client, "us-east-1_pool", None)
            .await
            .expect("users");

        assert!(users.is_empty());
        assert_eq!(only_page.num_calls(), 1);
    }

    #[test]
    fn finds_attributes_by_name_not_position() {
        let alice = user("alice", "alice@example.com");
        assert_eq!(attribute(&alice, "email"), Some("alice@example.com"));
        assert_eq!(attribute(&alice, "sub"), Some("sub-of-alice"));
        assert_eq!(attribute(&alice, "phone_number"), None);
    }
}
