//! The Lambda function itself: the runtime hands it one PostConfirmation
//! event at a time; it emails the user a welcome (see `lib.rs`).
//! `SOURCE_EMAIL` and the SES client are set up once, when it starts.

use aws_config::BehaviorVersion;
use confirmation_post::{PostConfirmationEvent, SOURCE_EMAIL_VARIABLE, post_confirmation};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let source = std::env::var(SOURCE_EMAIL_VARIABLE).ok();
    if source.is_none() {
        println!(
            "The function's environment has no {SOURCE_EMAIL_VARIABLE}: \
             confirmed users get no welcome email."
        );
    }
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = aws_sdk_ses::Client::new(&config);

    let (client, source) = (&client, source.as_deref());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PostConfirmationEvent>| async move {
            Ok::<_, Error>(post_confirmation(client, source, event.payload).await)
        },
    ))
    .await
}
