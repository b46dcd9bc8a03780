//! Confirms a signed-up user with the code Cognito sent them (ConfirmSignUp).
//!
//! ```sh
//! cargo run -p confirm-sign-up -- \
//!     --client-id 1example23456789 --username alice --code 123456
//! ```
//!
//! No code arrived, or it expired? `resend-confirmation-code` sends a new one.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Confirms a new user with the code from their email (ConfirmSignUp).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id.
    #[arg(long)]
    client_id: String,
    /// The username the user signed up with.
    #[arg(long)]
    username: String,
    /// The confirmation code Cognito sent (the latest one, if it was resent).
    #[arg(long)]
    code: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    confirm_sign_up::confirm_sign_up(
        client,
        &args.client_id,
        &args.username,
        &args.code,
        args.client_secret.as_deref(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpOutput;
    use aws_smithy_mocks::{mock, mock_client};

    fn args(code: &str) -> Args {
        Args::parse_from([
            "confirm-sign-up",
            "--client-id",
            "client123",
            "--username",
            "alice",
            "--code",
            code,
        ])
    }

    #[tokio::test]
    async fn a_right_code_confirms() {
        let confirm = mock!(Client::confirm_sign_up)
            .match_requests(|req| req.confirmation_code() == Some("123456"))
            .then_output(|| ConfirmSignUpOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        run(&client, args("123456")).await.expect("confirmed");

        assert_eq!(confirm.num_calls(), 1);
    }
}
