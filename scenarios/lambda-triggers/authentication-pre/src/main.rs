//! The Lambda function itself: the runtime hands it one PreAuthentication
//! event at a time (see `lib.rs`). `BLOCKED_CLIENT_ID` is read once, when
//! the function starts.

use authentication_pre::{
    BLOCKED_CLIENT_ID_VARIABLE, PreAuthenticationEvent, blocked_client_id, pre_authentication,
};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let blocked = blocked_client_id(std::env::var(BLOCKED_CLIENT_ID_VARIABLE).ok())?;
    let blocked = blocked.as_str();
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<PreAuthenticationEvent>| async move {
            pre_authentication(blocked, event.payload)
        },
    ))
    .await
}
