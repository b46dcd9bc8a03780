//! Changes the signed-in user's own password, authorized by their access
//! token (ChangePassword).
//!
//! ```sh
//! ACCESS_TOKEN='eyJ...' PREVIOUS_PASSWORD='Correct-Horse-7' NEW_PASSWORD='Correct-Horse-8' \
//!     cargo run -p change-password
//! ```
//!
//! Get an access token by signing in (`initiate-auth --show-tokens`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Changes the signed-in user's password (ChangePassword).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user's access token, from signing in.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// The user's current password.
    #[arg(long, env = "PREVIOUS_PASSWORD", hide_env_values = true)]
    previous_password: String,
    /// The new password; it must meet the pool's password policy.
    #[arg(long, env = "NEW_PASSWORD", hide_env_values = true)]
    new_password: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    change_password::change_password(
        client,
        &args.access_token,
        &args.previous_password,
        &args.new_password,
    )
    .await?;

    println!("Password changed: true");
    println!("Sessions signed in elsewhere stay signed in; global-sign-out ends them.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
