//! The Lambda function itself: the runtime hands it one CustomMessage event
//! at a time and sends back the message text (see `lib.rs`).

use custom_message_sign_up::{CustomMessageEvent, custom_message};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<CustomMessageEvent>| async move {
            Ok::<_, Error>(custom_message(event.payload))
        },
    ))
    .await
}
