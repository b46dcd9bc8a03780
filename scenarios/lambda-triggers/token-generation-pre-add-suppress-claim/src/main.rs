//! The Lambda function itself: the runtime hands it one PreTokenGeneration
//! event at a time and sends back the claims to change (see `lib.rs`).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use token_generation_pre_add_suppress_claim::{PreTokenGenerationEvent, pre_token_generation};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<PreTokenGenerationEvent>| async move {
            Ok::<_, Error>(pre_token_generation(event.payload))
        },
    ))
    .await
}
