//! Confirms a signed-up user as an administrator, without the emailed code
//! (AdminConfirmSignUp). Handy in tests and automation, where nobody reads
//! the email.
//!
//! ```sh
//! cargo run -p admin-confirm-sign-up -- --user-pool-id us-east-1_EXAMPLE --username alice
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Confirms a new user as an administrator (AdminConfirmSignUp).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The username of the user to confirm.
    #[arg(long)]
    username: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_confirm_sign_up::admin_confirm_sign_up(client, &args.user_pool_id, &args.username)
        .await?;

    println!("Confirmed: true");
    println!("{} can now sign in.", args.username);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
