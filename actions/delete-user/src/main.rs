//! The signed-in user deletes their own account with their access token
//! (DeleteUser).
//!
//! ```sh
//! ACCESS_TOKEN='eyJ...' cargo run -p delete-user
//! ```
//!
//! Get an access token by signing in (`initiate-auth --show-tokens`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Deletes the signed-in user's own account (DeleteUser).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user's access token, from signing in.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    delete_user::delete_user(client, &args.access_token).await?;
    println!("Deleted: the signed-in user's account is gone.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
