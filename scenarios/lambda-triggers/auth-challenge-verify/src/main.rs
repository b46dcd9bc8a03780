//! The Lambda function itself: the runtime hands it one
//! VerifyAuthChallengeResponse event at a time and sends back its verdict
//! (see `lib.rs`).

use auth_challenge_verify::{VerifyAuthChallengeEvent, verify_auth_challenge};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<VerifyAuthChallengeEvent>| async move {
            Ok::<_, Error>(verify_auth_challenge(event.payload))
        },
    ))
    .await
}
