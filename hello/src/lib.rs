//! Hello Amazon Cognito: list the user pools in an account and Region.
//!
//! `ListUserPools` returns at most 60 pools a page; the paginator follows
//! `NextToken` until the last page so that no pool is missed. The call is
//! signed with your AWS credentials and needs `cognito-idp:ListUserPools`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsError;
use aws_sdk_cognitoidentityprovider::types::UserPoolDescriptionType;

/// The largest page `ListUserPools` accepts.
pub const PAGE_SIZE: i32 = 60;

// snippet-start:[rust.cognito-idp.hello]
/// Lists every user pool in the client's account and Region, all pages.
pub async fn list_user_pools(
    client: &Client,
) -> Result<Vec<UserPoolDescriptionType>, SdkError<ListUserPoolsError>> {
    client
        .list_user_pools()
        .max_results(PAGE_SIZE)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
}
// snippet-end:[rust.cognito-idp.hello]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    fn pool(id: &str, name: &str) -> UserPoolDescriptionType {
        UserPoolDescriptionType::builder().id(id).name(name).build()
    }

    #[tokio::test]
    async fn follows_pagination_to_the_last_page() {
        let first = mock!(Client::list_user_pools)
            .match_requests(|req| {
                req.next_token().is_none() && req.max_results() == Some(PAGE_SIZE)
            })
            .then_output(|| {
                ListUserPoolsOutput::builder()
                    .user_pools(pool("us-east-1_aaa", "first"))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(Client::list_user_pools)
            .match_requests(|req| req.next_token() == Some("page-2"))
            .then_output(|| {
                ListUserPoolsOutput::builder()
                    .user_pools(pool("us-east-1_bbb", "second"))
                    .build()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&first, &second]
        );

        let pools = list_user_pools(&client).await.expect("pools");

        let names: Vec<_> = pools.iter().filter_map(|p| p.name()).collect();
        assert_eq!(names, ["first", "second"]);
        assert_eq!(first.num_calls(), 1);
        assert_eq!(second.num_calls(), 1);
    }
}
