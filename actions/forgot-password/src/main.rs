//! Starts a password reset for a user who forgot theirs (ForgotPassword) and
//! shows where Cognito sent the code.
//!
//! ```sh
//! cargo run -p forgot-password -- --client-id 1example23456789 --username alice
//! ```
//!
//! Then set the new password with the code: `confirm-forgot-password`.
//! Offline, the code is in the emulator's outbox
//! (`curl "$AWS_ENDPOINT_URL/_emulator/outbox"`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Sends a user a code to reset their password and shows where it went (ForgotPassword).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id.
    #[arg(long)]
    client_id: String,
    /// The user's username (or an alias the pool accepts, such as the email).
    #[arg(long)]
    username: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = forgot_password::forgot_password(
        client,
        &args.client_id,
        &args.username,
        args.client_secret.as_deref(),
    )
    .await?;

    match output.code_delivery_details() {
        Some(details) => println!("Code sent: {}", example_cli::code_delivery(details)),
        None => println!("Code sent: yes (Cognito did not say where)"),
    }
    println!("Set the new password with that code: confirm-forgot-password --code ...");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
