//! Deletes a user pool with all its users and app clients (DeleteUserPool).
//!
//! ```sh
//! cargo run -p delete-user-pool -- --user-pool-id us-east-1_EXAMPLE
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Deletes a user pool, its users and app clients (DeleteUserPool).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The id of the user pool to delete, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    delete_user_pool::delete_user_pool(client, &args.user_pool_id).await?;
    println!("Deleted user pool: {}", args.user_pool_id);
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
    use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::DeleteUserPoolError;
    use aws_sdk_cognitoidentityprovider::types::error::{
        InvalidParameterException, ResourceNotFoundException,
    };
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args() -> Args {
        Args::parse_from(["delete-user-pool", "--user-pool-id", "us-east-1_pool"])
    }

    #[tokio::test]
    async fn an_unknown_pool_is_one_line_with_its_code() {
        let not_found = mock!(Client::delete_user_pool).then_error(|| {
            DeleteUserPoolError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("User pool us-east-1_pool does not exist.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&not_found]);

        let err = run(&client, args()).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "ResourceNotFoundException: User pool us-east-1_pool does not exist."
        );
    }

    #[tokio::test]
    async fn a_protected_pool_is_one_line_with_its_code() {
        let protected = mock!(Client::delete_user_pool).then_error(|| {
            DeleteUserPoolError::InvalidParameterException(
                InvalidParameterException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidParameterException")
                            .message(
                                "The user pool cannot be deleted because deletion \
                                 protection is activated.",
                            )
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&protected]);

        let err = run(&client, args()).await.unwrap_err();

        assert_eq!(err.code(), Some("InvalidParameterException"));
        assert_eq!(
            err.to_string(),
            "InvalidParameterException: The user pool cannot be deleted because \
             deletion protection is activated."
        );
    }
}
