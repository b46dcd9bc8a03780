//! The Lambda function: created from the handler's zip, invoked by Cognito
//! (and only by the one user pool), deleted at the end.

use std::time::Duration;

use aws_sdk_lambda::Client;
use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::add_permission::{AddPermissionError, AddPermissionOutput};
use aws_sdk_lambda::operation::create_function::{CreateFunctionError, CreateFunctionOutput};
use aws_sdk_lambda::operation::delete_function::{DeleteFunctionError, DeleteFunctionOutput};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, Runtime};
use aws_sdk_lambda::waiters::function_active_v2::WaitUntilFunctionActiveV2Error;

/// The environment variable that tells this workspace's handlers which
/// DynamoDB table to use.
pub const TABLE_NAME_VARIABLE: &str = "TABLE_NAME";
/// Cognito waits 5 seconds for a trigger; the function gets as long.
pub const TIMEOUT_SECONDS: i32 = 5;
/// The principal Cognito invokes triggers as.
pub const COGNITO_PRINCIPAL: &str = "cognito-idp.amazonaws.com";

/// What the function is made of.
#[derive(Debug, Clone)]
pub struct NewFunction<'a> {
    pub function_name: &'a str,
    /// The execution role's ARN.
    pub role_arn: &'a str,
    /// The zip with the `bootstrap` executable at its root.
    pub zip: &'a [u8],
    /// The processor the `bootstrap` was built for.
    pub architecture: Architecture,
    /// The function's environment variables (for example `TABLE_NAME`).
    pub environment: &'a [(&'a str, &'a str)],
    /// What the function is for, shown in the Lambda console.
    pub description: &'a str,
}

// snippet-start:[rust.cross-service.trigger-deployment.CreateFunction]
/// Creates the function from a zip whose root holds an executable named
/// `bootstrap`: the OS-only runtime `provided.al2023` runs it and it talks to
/// the Lambda Runtime API itself (the `lambda_runtime` crate does that part).
/// `Handler` is required by the API but unused by such a runtime; by
/// convention it is `bootstrap`.
///
/// The function is `Pending` when this returns; wait for it with
/// [`wait_until_active`] before anyone invokes it.
pub async fn create_function(
    client: &Client,
    function: &NewFunction<'_>,
) -> Result<CreateFunctionOutput, SdkError<CreateFunctionError>> {
    let environment = function
        .environment
        .iter()
        .fold(Environment::builder(), |environment, (name, value)| {
            environment.variables(*name, *value)
        })
        .build();
    client
        .create_function()
        .function_name(function.function_name)
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .architectures(function.architecture.clone())
        .role(function.role_arn)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(function.zip.to_vec()))
                .build(),
        )
        .environment(environment)
        .timeout(TIMEOUT_SECONDS)
        .memory_size(128)
        .description(function.description)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.CreateFunction]

/// Whether CreateFunction failed only because IAM has not yet told Lambda
/// about a role created moments ago: then trying again shortly succeeds.
pub fn role_not_ready_yet(err: &SdkError<CreateFunctionError>) -> bool {
    err.code() == Some("InvalidParameterValueException")
        && err
            .message()
            .is_some_and(|message| message.contains("cannot be assumed"))
}

/// [`create_function`], tried again every `pause` (up to `attempts` times in
/// all) while Lambda cannot assume the brand-new role yet.
pub async fn create_function_when_role_is_ready(
    client: &Client,
    function: &NewFunction<'_>,
    attempts: u32,
    pause: Duration,
) -> Result<CreateFunctionOutput, SdkError<CreateFunctionError>> {
    let mut attempt = 1;
    loop {
        match create_function(client, function).await {
            Err(err) if role_not_ready_yet(&err) && attempt < attempts => {
                attempt += 1;
                tokio::time::sleep(pause).await;
            }
            answer => return answer,
        }
    }
}

// snippet-start:[rust.cross-service.trigger-deployment.WaitUntilFunctionActive]
/// Waits (GetFunction, again and again) until the function's state is
/// `Active`, at most `timeout`. A function whose state becomes `Failed`
/// (for example, a role it cannot use) ends the wait with an error.
pub async fn wait_until_active(
    client: &Client,
    function_name: &str,
    timeout: Duration,
) -> Result<(), WaitUntilFunctionActiveV2Error> {
    client
        .wait_until_function_active_v2()
        .function_name(function_name)
        .wait(timeout)
        .await
        .map(drop)
}
// snippet-end:[rust.cross-service.trigger-deployment.WaitUntilFunctionActive]

// snippet-start:[rust.cross-service.trigger-deployment.AddPermission]
/// Lets Cognito invoke the function on behalf of one user pool only: the
/// function's resource policy gets a statement for the principal
/// `cognito-idp.amazonaws.com` with the condition that the call comes from
/// `user_pool_arn`. Without it, Cognito's call is refused and so is whatever
/// the trigger is for (for example every sign-up: "PreSignUp invocation
/// failed due to error AccessDeniedException").
pub async fn allow_cognito(
    client: &Client,
    function_name: &str,
    user_pool_arn: &str,
) -> Result<AddPermissionOutput, SdkError<AddPermissionError>> {
    client
        .add_permission()
        .function_name(function_name)
        .statement_id("cognito-user-pool-trigger")
        .action("lambda:InvokeFunction")
        .principal(COGNITO_PRINCIPAL)
        .source_arn(user_pool_arn)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.AddPermission]

// snippet-start:[rust.cross-service.trigger-deployment.DeleteFunction]
/// Deletes the function, with its resource policy. Its log group stays:
/// delete that with `DeleteLogGroup`.
pub async fn delete_function(
    client: &Client,
    function_name: &str,
) -> Result<DeleteFunctionOutput, SdkError<DeleteFunctionError>> {
    client
        .delete_function()
        .function_name(function_name)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.DeleteFunction]

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_clients::mock_lambda;
    use aws_sdk_lambda::types::error::InvalidParameterValueException;
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;

    fn function() -> NewFunction<'static> {
        NewFunction {
            function_name: "auto-confirm-1",
            role_arn: "arn:aws:iam::111122223333:role/auto-confirm-1",
            zip: b"PK-zip-bytes",
            architecture: Architecture::Arm64,
            environment: &[(TABLE_NAME_VARIABLE, "known-users"), ("LEVEL", "info")],
            description: "PreSignUp trigger of the auto-confirm example",
        }
    }

    fn role_not_ready() -> CreateFunctionError {
        let message = "The role defined for the function cannot be assumed by Lambda.";
        CreateFunctionError::InvalidParameterValueException(
            InvalidParameterValueException::builder()
                .message(message)
                .meta(
                    ErrorMetadata::builder()
                        .code("InvalidParameterValueException")
                        .message(message)
                        .build(),
                )
                .build(),
        )
    }

    #[tokio::test]
    async fn the_function_runs_the_zips_bootstrap_with_the_table_name() {
        let create = mock!(Client::create_function)
            .match_requests(|req| {
                req.function_name() == Some("auto-confirm-1")
                    && req.runtime() == Some(&Runtime::Providedal2023)
                    && req.handler() == Some("bootstrap")
                    && req.architectures() == [Architecture::Arm64]
                    && req.role() == Some("arn:aws:iam::111122223333:role/auto-confirm-1")
                    && req
                        .code()
                        .and_then(|code| code.zip_file())
                        .map(|zip| zip.as_ref())
                        == Some(&b"PK-zip-bytes"[..])
                    && req
                        .environment()
                        .and_then(|env| env.variables())
                        .and_then(|vars| vars.get(TABLE_NAME_VARIABLE))
                        .map(String::as_str)
                        == Some("known-users")
                    && req
                        .environment()
                        .and_then(|env| env.variables())
                        .map(|vars| vars.len())
                        == Some(2)
                    && req.description() == Some("PreSignUp trigger of the auto-confirm example")
                    && req.timeout() == Some(TIMEOUT_SECONDS)
            })
            .then_output(|| {
                CreateFunctionOutput::builder()
                    .function_arn("arn:aws:lambda:us-east-1:111122223333:function:auto-confirm-1")
                    .build()
            });
        let client = mock_lambda(&[&create]);

        let created = create_function(&client, &function())
            .await
            .expect("created");

        assert_eq!(
            created.function_arn(),
            Some("arn:aws:lambda:us-east-1:111122223333:function:auto-confirm-1")
        );
    }

    #[tokio::test]
    async fn a_role_lambda_cannot_assume_yet_is_tried_again() {
        let create = mock!(Client::create_function)
            .sequence()
            .error(role_not_ready)
            .times(2)
            .output(|| CreateFunctionOutput::builder().build())
            .build();
        let client = mock_lambda(&[&create]);

        create_function_when_role_is_ready(&client, &function(), 5, Duration::from_millis(1))
            .await
            .expect("created on the third attempt");

        assert_eq!(create.num_calls(), 3);
    }

    #[tokio::test]
    async fn trying_again_stops_after_the_last_attempt_and_on_other_errors() {
        let never = mock!(Client::create_function).then_error(role_not_ready);
        let client = mock_lambda(&[&never]);
        let err = create_function_when_role_is_ready(&client, &function(), 3, Duration::ZERO)
            .await
            .unwrap_err();
        assert!(role_not_ready_yet(&err));
        assert_eq!(never.num_calls(), 3);

        let other = mock!(Client::create_function).then_error(|| {
            CreateFunctionError::InvalidParameterValueException(
                InvalidParameterValueException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidParameterValueException")
                            .message("Unzipped size must be smaller than 262144000 bytes")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_lambda(&[&other]);
        let err = create_function_when_role_is_ready(&client, &function(), 3, Duration::ZERO)
            .await
            .unwrap_err();
        assert!(!role_not_ready_yet(&err));
        assert_eq!(other.num_calls(), 1);
    }

    #[tokio::test]
    async fn only_cognito_and_only_for_the_pool_may_invoke() {
        let allow = mock!(Client::add_permission)
            .match_requests(|req| {
                req.function_name() == Some("auto-confirm-1")
                    && req.action() == Some("lambda:InvokeFunction")
                    && req.principal() == Some(COGNITO_PRINCIPAL)
                    && req.source_arn()
                        == Some("arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_x")
                    && req.statement_id().is_some()
            })
            .then_output(|| AddPermissionOutput::builder().build());
        let client = mock_lambda(&[&allow]);

        allow_cognito(
            &client,
            "auto-confirm-1",
            "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_x",
        )
        .await
        .expect("allowed");

        assert_eq!(allow.num_calls(), 1);
    }
}
