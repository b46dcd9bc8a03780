//! The Lambda function behind the benchmark's `signup-trigger` workload: a
//! Cognito PreSignUp trigger that returns the event unchanged, so what the
//! workload measures is the trigger machinery (Cognito invoking a warm
//! function), not the function's own work.
//!
//! It runs inside the bundled emulator's Lambda, never by hand: the benchmark
//! zips this executable as `bootstrap` (`cargo build --release -p benchmark`
//! builds it next to the benchmark).

use aws_lambda_events::cognito::CognitoEventUserPoolsPreSignup;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<CognitoEventUserPoolsPreSignup>| async move {
            Ok::<_, Error>(event.payload)
        },
    ))
    .await
}
