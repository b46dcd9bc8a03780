//! Makes a user reset their password, as an administrator
//! (AdminResetUserPassword): the current password stops working and Cognito
//! sends the user a code to set a new one with.
//!
//! ```sh
//! cargo run -p admin-reset-user-password -- --user-pool-id us-east-1_EXAMPLE --username alice
//! ```
//!
//! The user then runs `confirm-forgot-password` with that code (offline it
//! is in the emulator's outbox: `curl "$AWS_ENDPOINT_URL/_emulator/outbox"`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Makes a user reset their password with a code Cognito sends (AdminResetUserPassword).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The user's username.
    #[arg(long)]
    username: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_reset_user_password::admin_reset_user_password(
        client,
        &args.user_pool_id,
        &args.username,
    )
    .await?;

    println!("User status: RESET_REQUIRED");
    println!(
        "{}'s password no longer works; they set a new one with the code Cognito sent them \
         (confirm-forgot-password).",
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
