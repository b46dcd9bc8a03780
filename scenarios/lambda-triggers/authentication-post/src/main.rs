//! The Lambda function itself: the runtime hands it one PostAuthentication
//! event at a time; it logs the sign-in (see `lib.rs`).

use authentication_post::{PostAuthenticationEvent, post_authentication};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<PostAuthenticationEvent>| async move {
            Ok::<_, Error>(post_authentication(event.payload))
        },
    ))
    .await
}
