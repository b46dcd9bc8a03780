//! Puts a user in one of the pool's groups (AdminAddUserToGroup).
//!
//! ```sh
//! cargo run -p admin-add-user-to-group -- --user-pool-id us-east-1_EXAMPLE \
//!     --username alice --group-name editors
//! ```
//!
//! Create the group first with `create-group`. The user's next sign-in (or
//! refresh) gives tokens whose `cognito:groups` claim lists it.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Adds a user to a group (AdminAddUserToGroup).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The user's username (or an alias the pool accepts, such as the email).
    #[arg(long)]
    username: String,
    /// The group, which must exist already.
    #[arg(long)]
    group_name: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_add_user_to_group::admin_add_user_to_group(
        client,
        &args.user_pool_id,
        &args.username,
        &args.group_name,
    )
    .await?;
    println!("Added {} to group {}.", args.username, args.group_name);
    println!("Their tokens from the next sign-in or refresh list it in cognito:groups.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
