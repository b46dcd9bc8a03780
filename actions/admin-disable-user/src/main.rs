//! Stops a user from signing in and revokes their tokens, as an
//! administrator (AdminDisableUser).
//!
//! ```sh
//! cargo run -p admin-disable-user -- --user-pool-id us-east-1_EXAMPLE --username alice
//! ```
//!
//! `admin-enable-user` lets them sign in again.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Stops a user from signing in and revokes their tokens (AdminDisableUser).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The username of the user to disable.
    #[arg(long)]
    username: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_disable_user::admin_disable_user(client, &args.user_pool_id, &args.username).await?;

    println!("Enabled: false");
    println!(
        "{} cannot sign in until admin-enable-user; their tokens are revoked.",
        args.username
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
