//! Lists every member of one of the pool's groups, all pages of them, with
//! their status and email address (ListUsersInGroup).
//!
//! ```sh
//! cargo run -p list-users-in-group -- --user-pool-id us-east-1_EXAMPLE --group-name editors
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Lists every member of a group (ListUsersInGroup).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The group whose members to list.
    #[arg(long)]
    group_name: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let users =
        list_users_in_group::list_users_in_group(client, &args.user_pool_id, &args.group_name)
            .await?;
    for line in list_users_in_group::report(&args.group_name, &users) {
        println!("{line}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
