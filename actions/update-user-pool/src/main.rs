//! Sets a user pool's PreSignUp Lambda trigger while keeping every other
//! setting of the pool (DescribeUserPool, then UpdateUserPool with all of the
//! pool's settings sent back).
//!
//! UpdateUserPool resets every setting left out of the request to its
//! default, so sending only the new trigger would also wipe MFA, the
//! password policy, the other triggers and more. See `src/lib.rs`.
//!
//! ```sh
//! cargo run -p update-user-pool -- --user-pool-id us-east-1_EXAMPLE \
//!     --pre-sign-up-lambda-arn arn:aws:lambda:us-east-1:111122223333:function:auto-confirm
//! ```
//!
//! Cognito must be allowed to invoke the function (Lambda AddPermission for
//! `cognito-idp.amazonaws.com`), or every sign-up fails.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use update_user_pool::SetTriggerError;

/// Sets the PreSignUp trigger, keeping every other pool setting (UpdateUserPool).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The ARN of the Lambda function Cognito calls before each sign-up.
    #[arg(long)]
    pre_sign_up_lambda_arn: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let lambda_config = update_user_pool::set_pre_sign_up_trigger(
        client,
        &args.user_pool_id,
        &args.pre_sign_up_lambda_arn,
    )
    .await
    .map_err(|err| match err {
        SetTriggerError::Describe(err) => ExampleError::from(err),
        SetTriggerError::Update(err) => ExampleError::from(err),
        other => ExampleError::new(other.to_string()),
    })?;

    println!("User pool id: {}", args.user_pool_id);
    println!(
        "PreSignUp trigger: {}",
        lambda_config.pre_sign_up().unwrap_or("(none)")
    );
    let others = other_triggers(&lambda_config);
    if others.is_empty() {
        println!("Other triggers: none");
    } else {
        println!("Other triggers kept: {}", others.join(", "));
    }
    println!("Every other setting of the pool was sent back unchanged.");
    Ok(())
}

/// The names of the triggers other than PreSignUp that the pool has.
fn other_triggers(lambda_config: &LambdaConfigType) -> Vec<&'static str> {
    [
        ("CustomMessage", lambda_config.custom_message()),
        ("PostConfirmation", lambda_config.post_confirmation()),
        ("PreAuthentication", lambda_config.pre_authentication()),
        ("PostAuthentication", lambda_config.post_authentication()),
        ("DefineAuthChallenge", lambda_config.define_auth_challenge()),
        ("CreateAuthChallenge", lambda_config.create_auth_challenge()),
        (
            "VerifyAuthChallengeResponse",
            lambda_config.verify_auth_challenge_response(),
        ),
        ("PreTokenGeneration", lambda_config.pre_token_generation()),
        ("UserMigration", lambda_config.user_migration()),
        (
            "CustomSMSSender",
            lambda_config
                .custom_sms_sender()
                .map(|sender| sender.lambda_arn()),
        ),
        (
            "CustomEmailSender",
            lambda_config
                .custom_email_sender()
                .map(|sender| sender.lambda_arn()),
        ),
    ]
    .into_iter()
    .filter_map(|(name, arn)| arn.map(|_| name))
    .collect()
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
    use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::{
        DescribeUserPoolError, DescribeUserPoolOutput,
    };
    use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolError;
    use aws_sdk_cognitoidentityprovider::types::UserPoolType;
    use aws_sdk_cognitoidentityprovider::types::error::{
        InvalidParameterException, ResourceNotFoundException,
    };
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args() -> Args {
        Args::parse_from([
            "update-user-pool",
            "--user-pool-id",
            "us-east-1_pool",
            "--pre-sign-up-lambda-arn",
            "arn:aws:lambda:us-east-1:111122223333:function:auto-confirm",
        ])
    }

    #[test]
    fn names_the_other_triggers_only() {
        let lambda_config = LambdaConfigType::builder()
            .pre_sign_up("arn:aws:lambda:us-east-1:111122223333:function:auto-confirm")
            .post_confirmation("arn:aws:lambda:us-east-1:111122223333:function:welcome")
            .user_migration("arn:aws:lambda:us-east-1:111122223333:function:migrate")
            .build();
        assert_eq!(
            other_triggers(&lambda_config),
            ["PostConfirmation", "UserMigration"]
        );
        assert!(other_triggers(&LambdaConfigType::builder().build()).is_empty());
    }

    #[tokio::test]
    async fn an_unknown_pool_is_one_line_with_its_code() {
        let not_found = mock!(Client::describe_user_pool).then_error(|| {
            DescribeUserPoolError::ResourceNotFoundException(
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
    async fn a_refused_update_is_one_line_with_its_code() {
        let describe = mock!(Client::describe_user_pool).then_output(|| {
            DescribeUserPoolOutput::builder()
                .user_pool(UserPoolType::builder().id("us-east-1_pool").build())
                .build()
        });
        let refused = mock!(Client::update_user_pool).then_error(|| {
            UpdateUserPoolError::InvalidParameterException(
                InvalidParameterException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidParameterException")
                            .message("Invalid Lambda Function ARN")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&describe, &refused]
        );

        let err = run(&client, args()).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "InvalidParameterException: Invalid Lambda Function ARN"
        );
    }

    #[tokio::test]
    async fn an_answer_without_the_pool_is_one_line() {
        let empty = mock!(Client::describe_user_pool)
            .then_output(|| DescribeUserPoolOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&empty]);

        let err = run(&client, args()).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "DescribeUserPool answered without the user pool"
        );
    }
}
