//! The Lambda function of the activity-log scenario: a Cognito
//! PostAuthentication trigger that writes every sign-in to a DynamoDB table
//! (see `lib.rs`).
//!
//! It runs inside Lambda (or the bundled emulator's Lambda), never by hand.
//! Build the zip to upload with [cargo-lambda](https://www.cargo-lambda.info/):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p activity-log-handler
//! # target/lambda/activity-log-handler/bootstrap.zip
//! ```

use aws_config::BehaviorVersion;
use lambda_runtime::{Error, LambdaEvent, service_fn};

use activity_log_handler::PostAuthenticationEvent;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Read once per instance: every invocation reuses the table name and the
    // client (and its connections).
    let table_name = std::env::var("TABLE_NAME")
        .map_err(|_| "The function's environment has no TABLE_NAME (the activity log table).")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);

    let (client, table_name) = (&client, table_name.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PostAuthenticationEvent>| async move {
            activity_log_handler::handle(client, table_name, event.payload, chrono::Utc::now())
                .await
        },
    ))
    .await
}
