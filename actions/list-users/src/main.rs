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
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};

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
}
