//! The Lambda function itself: the runtime hands it one CreateAuthChallenge
//! event at a time and sends back its answer (see `lib.rs`).

use auth_challenge_create::{CreateAuthChallengeEvent, create_auth_challenge};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<CreateAuthChallengeEvent>| async move {
            Ok::<_, Error>(create_auth_challenge(event.payload))
        },
    ))
    .await
}
