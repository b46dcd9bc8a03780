//! Signs a new user up with a user pool's app client (SignUp) and shows
//! whether the user is already confirmed and where the confirmation code went.
//!
//! ```sh
//! PASSWORD='Correct-Horse-9' cargo run -p sign-up -- \
//!     --client-id 1example23456789 --username alice --email alice@example.com
//! ```
//!
//! Then confirm the user with the emailed code (`confirm-sign-up`), or as an
//! administrator with `admin-confirm-sign-up`.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Signs up a new user and shows where the confirmation code went (SignUp).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id.
    #[arg(long)]
    client_id: String,
    /// The new user's username.
    #[arg(long)]
    username: String,
    /// The new user's password; it must meet the pool's password policy.
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: String,
    /// The new user's email address (sent as the `email` attribute).
    #[arg(long)]
    email: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = sign_up::sign_up(
        client,
        &sign_up::NewUser {
            client_id: &args.client_id,
            username: &args.username,
            password: &args.password,
            email: &args.email,
            client_secret: args.client_secret.as_deref(),
        },
    )
    .await?;

    println!("Confirmed: {}", output.user_confirmed());
    match output.code_delivery_details() {
        Some(details) => println!("Code sent: {}", example_cli::code_delivery(details)),
        None => println!("Code sent: no (nothing to confirm by code)"),
    }
    println!("User sub: {}", output.user_sub());
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
    use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpError;
    use aws_sdk_cognitoidentityprovider::types::error::InvalidPasswordException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args() -> Args {
        Args::parse_from([
            "sign-up",
            "--client-id",
            "client123",
            "--username",
            "alice",
            "--password",
            "Passw0rd!",
            "--email",
            "alice@example.com",
        ])
    }

    #[tokio::test]
    async fn a_weak_password_names_the_broken_rule() {
        let weak = mock!(Client::sign_up).then_error(|| {
            SignUpError::InvalidPasswordException(
                InvalidPasswordException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidPasswordException")
                            .message(
                                "Password did not conform with policy: \
                                 Password must have uppercase characters",
                            )
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&weak]);

        let err = run(&client, args()).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "InvalidPasswordException: Password did not conform with policy: \
             Password must have uppercase characters"
        );
        assert_eq!(err.code(), Some("InvalidPasswordException"));
    }
}
