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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::admin_confirm_sign_up::AdminConfirmSignUpError;
    use aws_sdk_cognitoidentityprovider::types::error::{
        NotAuthorizedException, UserNotFoundException,
    };
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args(username: &str) -> Args {
        Args::parse_from([
            "admin-confirm-sign-up",
            "--user-pool-id",
            "us-east-1_pool",
            "--username",
            username,
        ])
    }

    #[tokio::test]
    async fn an_unknown_user_is_one_line_with_its_code() {
        let not_found = mock!(Client::admin_confirm_sign_up).then_error(|| {
            AdminConfirmSignUpError::UserNotFoundException(
                UserNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("UserNotFoundException")
                            .message("User does not exist.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&not_found]);

        let err = run(&client, args("nobody")).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "UserNotFoundException: User does not exist."
        );
    }

    #[tokio::test]
    async fn an_already_confirmed_user_is_one_line_with_its_code() {
        let confirmed = mock!(Client::admin_confirm_sign_up).then_error(|| {
            AdminConfirmSignUpError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("User cannot be confirmed. Current status is CONFIRMED")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirmed]);

        let err = run(&client, args("alice")).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "NotAuthorizedException: User cannot be confirmed. Current status is CONFIRMED"
        );
    }
}
