//! The Lambda function itself: the runtime hands it one DefineAuthChallenge
//! event at a time and sends back its answer (see `lib.rs`).

use auth_challenge_define::{DefineAuthChallengeEvent, define_auth_challenge};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<DefineAuthChallengeEvent>| async move {
            Ok::<_, Error>(define_auth_challenge(event.payload))
        },
    ))
    .await
}
