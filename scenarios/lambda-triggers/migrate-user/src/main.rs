//! The Lambda function itself: the runtime hands it one UserMigration event
//! at a time and sends back the user to create, if any (see `lib.rs`).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use migrate_user::{MigrateUserEvent, migrate_user};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<MigrateUserEvent>| async move {
            Ok::<_, Error>(migrate_user(event.payload))
        },
    ))
    .await
}
