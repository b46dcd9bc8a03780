//! The Lambda function itself: the runtime hands it one PreTokenGeneration
//! event at a time and sends back the groups to put in the ID token (see
//! `lib.rs`).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use token_generation_pre_modify_group::{
    PreTokenGenerationEvent, ROLE_ACCOUNT_ID_VARIABLE, pre_token_generation, role_account_id,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let configured = std::env::var(ROLE_ACCOUNT_ID_VARIABLE).ok();
    let configured = configured.as_deref();
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PreTokenGenerationEvent>| async move {
            let account_id = role_account_id(
                configured.map(str::to_string),
                &event.context.invoked_function_arn,
            )?;
            Ok::<_, Error>(pre_token_generation(&account_id, event.payload))
        },
    ))
    .await
}
