//! Sets a new password with the code Cognito sent for a password reset
//! (ConfirmForgotPassword).
//!
//! ```sh
//! NEW_PASSWORD='Correct-Horse-8' cargo run -p confirm-forgot-password -- \
//!     --client-id 1example23456789 --username alice --code 123456
//! ```
//!
//! The code comes from `forgot-password` (or from an administrator's
//! `admin-reset-user-password`); offline it is in the emulator's outbox
//! (`curl "$AWS_ENDPOINT_URL/_emulator/outbox"`). Expired? Run
//! `forgot-password` again for a new one.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Sets a new password with a password-reset code (ConfirmForgotPassword).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id.
    #[arg(long)]
    client_id: String,
    /// The user's username (or an alias the pool accepts, such as the email).
    #[arg(long)]
    username: String,
    /// The code Cognito sent (the latest one, if several were asked for).
    #[arg(long)]
    code: String,
    /// The new password; it must meet the pool's password policy.
    #[arg(long, env = "NEW_PASSWORD", hide_env_values = true)]
    new_password: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    confirm_forgot_password::confirm_forgot_password(
        client,
        &confirm_forgot_password::PasswordReset {
            client_id: &args.client_id,
            client_secret: args.client_secret.as_deref(),
            username: &args.username,
            code: &args.code,
            new_password: &args.new_password,
        },
    )
    .await?;

    println!("Password reset: true");
    println!("{} can now sign in with the new password.", args.username);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
