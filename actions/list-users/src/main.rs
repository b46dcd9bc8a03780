//! Lists the users of a user pool, every page of them, with their status and
//! email address (ListUsers). `--filter` narrows the list.
//!
//! ```sh
//! cargo run -p list-users -- --user-pool-id us-east-1_EXAMPLE
//! cargo run -p list-users -- --user-pool-id us-east-1_EXAMPLE --filter 'email = "alice@example.com"'
//! cargo run -p list-users -- --user-pool-id us-east-1_EXAMPLE --filter 'username ^= "al"'
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Lists every user of a pool with status and email (ListUsers).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// Only users matching this filter, in Cognito's filter syntax:
    /// `email = "alice@example.com"` (exact) or `username ^= "al"` (starts with).
    #[arg(long)]
    filter: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let users = list_users::list_users(client, &args.user_pool_id, args.filter.as_deref()).await?;
    for line in report(&users, args.filter.is_some()) {
        println!("{line}");
    }
    Ok(())
}

/// One line per user (username, status, email), or a line saying there are none.
fn report(users: &[UserType], filtered: bool) -> Vec<String> {
    if users.is_empty() {
        return vec![if filtered {
            "No users match the filter.".to_string()
        } else {
            "The user pool has no users.".to_string()
        }];
    }
    let mut lines = vec![format!("Users: {}", users.len())];
    lines.extend(users.iter().map(|user| {
        format!(
            "  {}  status: {}  email: {}",
            user.username().unwrap_or("(no username)"),
            user.user_status()
                .map_or("(unknown)", |status| status.as_str()),
            list_users::attribute(user, "email").unwrap_or("(none)")
        )
    }));
    lines
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
    use aws_sdk_cognitoidentityprovider::types::error::{
        InvalidParameterException, ResourceNotFoundException,
    };
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["list-users", "--user-pool-id", "us-east-1_pool"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[test]
    fn reports_username_status_and_email_of_each_user() {
        let users = [
            UserType::builder()
                .username("alice")
                .user_status(UserStatusType::Unconfirmed)
                .attributes(
                    AttributeType::builder()
                        .name("sub")
                        .value("1111")
                        .build()
                        .expect("name is set"),
                )
                .attributes(
                    AttributeType::builder()
                        .name("email")
                        .value("alice@example.com")
                        .build()
                        .expect("name is set"),
                )
                .build(),
            UserType::builder()
                .username("bob")
                .user_status(UserStatusType::Confirmed)
                .build(),
        ];

        assert_eq!(
            report(&users, false),
            [
                "Users: 2",
                "  alice  status: UNCONFIRMED  email: alice@example.com",
                "  bob  status: CONFIRMED  email: (none)",
            ]
        );
    }

    #[test]
    fn says_so_when_there_are_no_users() {
        assert_eq!(report(&[], false), ["The user pool has no users."]);
        assert_eq!(report(&[], true), ["No users match the filter."]);
    }

    #[tokio::test]
    async fn an_unknown_pool_is_one_line_with_its_code() {
        let not_found = mock!(Client::list_users).then_error(|| {
            ListUsersError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("User pool us-east-1_pool does not exist.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&not_found]);

        let err = run(&client, args(&[])).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "ResourceNotFoundException: User pool us-east-1_pool does not exist."
        );
    }

    #[tokio::test]
    async fn a_malformed_filter_is_one_line_with_its_code() {
        let bad_filter = mock!(Client::list_users)
            .match_requests(|req| req.filter() == Some("email is alice"))
            .then_error(|| {
                ListUsersError::InvalidParameterException(
                    InvalidParameterException::builder()
                        .meta(
                            ErrorMetadata::builder()
                                .code("InvalidParameterException")
                                .message("Error while parsing filter.")
                                .build(),
                        )
                        .build(),
                )
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&bad_filter]);

        let err = run(&client, args(&["--filter", "email is alice"]))
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "InvalidParameterException: Error while parsing filter."
        );
    }
}
