//! The Lambda function itself: the runtime hands it one PreSignUp event at a
//! time (see `lib.rs`). `ALLOWED_DOMAIN` is read once, when it starts.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sign_up_pre_auto_confirm_domain::{
    ALLOWED_DOMAIN_VARIABLE, PreSignUpEvent, allowed_domain, pre_sign_up,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let domain = allowed_domain(std::env::var(ALLOWED_DOMAIN_VARIABLE).ok());
    let domain = domain.as_str();
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PreSignUpEvent>| async move {
            Ok::<_, Error>(pre_sign_up(domain, event.payload))
        },
    ))
    .await
}
