//! The Lambda function of the auto-confirm scenario: a Cognito PreSignUp
//! trigger that confirms users listed in a DynamoDB table (see `lib.rs`).
//!
//! It runs inside Lambda (or the bundled emulator's Lambda), never by hand:
//! the Lambda runtime hands it one event at a time. Build the zip to upload
//! with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p auto-confirm-handler
//! # target/lambda/auto-confirm-handler/bootstrap.zip
//! ```
//!
//! The `auto-confirm` scenario creates the function from that zip with
//! runtime `provided.al2023`, handler `bootstrap`, and `TABLE_NAME` set.

use aws_config::BehaviorVersion;
use lambda_runtime::{Error, LambdaEvent, service_fn};

use auto_confirm_handler::PreSignUpEvent;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Read once per instance: every invocation reuses the table name and the
    // client (and its connections).
    let table_name = std::env::var("TABLE_NAME")
        .map_err(|_| "The function's environment has no TABLE_NAME (the table of known users).")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);

    let (client, table_name) = (&client, table_name.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PreSignUpEvent>| async move {
            auto_confirm_handler::handle(client, table_name, event.payload).await
        },
    ))
    .await
}
