//! The Lambda function itself: the runtime hands it one PreSignUp event at a
//! time and sends back its answer (see `lib.rs`).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sign_up_pre_auto_confirm_verify::{PreSignUpEvent, pre_sign_up};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<PreSignUpEvent>| async move { Ok::<_, Error>(pre_sign_up(event.payload)) },
    ))
    .await
}
