//! Invites a user to a user pool as an administrator (AdminCreateUser) and
//! shows where the invitation went and where its temporary password is,
//! without ever printing it.
//!
//! ```sh
//! # Email an invitation with a temporary password Cognito generates.
//! cargo run -p admin-create-user -- --user-pool-id us-east-1_EXAMPLE --username alice \
//!     --attribute email=alice@example.com --attribute email_verified=true \
//!     --desired-delivery-mediums EMAIL
//!
//! # Choose the temporary password yourself and send nothing.
//! TEMPORARY_PASSWORD='Temp-Horse-7' cargo run -p admin-create-user -- \
//!     --user-pool-id us-east-1_EXAMPLE --username bob --message-action SUPPRESS
//!
//! # The temporary password expired before the user signed in: invite again.
//! cargo run -p admin-create-user -- --user-pool-id us-east-1_EXAMPLE --username alice \
//!     --message-action RESEND --desired-delivery-mediums EMAIL
//! ```
//!
//! Offline, the invitation and its temporary password are in the emulator's
//! outbox (`curl "$AWS_ENDPOINT_URL/_emulator/outbox"`). The user then signs
//! in with it (`admin-initiate-auth`) and Cognito asks for a new password
//! (NEW_PASSWORD_REQUIRED).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{DeliveryMediumType, MessageActionType};
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Invites a user as an administrator (AdminCreateUser).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The new user's username.
    #[arg(long)]
    username: String,
    /// A user attribute as NAME=VALUE; repeat for more (email=..., email_verified=true, custom:...=...).
    #[arg(long = "attribute", value_name = "NAME=VALUE", value_parser = admin_create_user::parse_attribute)]
    attributes: Vec<(String, String)>,
    /// The temporary password (default: Cognito generates one, sent only in the invitation).
    #[arg(long, env = "TEMPORARY_PASSWORD", hide_env_values = true)]
    temporary_password: Option<String>,
    /// RESEND: invite a user who has not signed in yet again, with a new temporary password; SUPPRESS: send nothing.
    #[arg(long, value_parser = ["RESEND", "SUPPRESS"])]
    message_action: Option<String>,
    /// Where to send the invitation: EMAIL, SMS, or EMAIL,SMS (Cognito's default is SMS).
    #[arg(long, value_delimiter = ',', value_parser = ["EMAIL", "SMS"])]
    desired_delivery_mediums: Vec<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let attributes: Vec<(&str, &str)> = args
        .attributes
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    // clap accepts only the values these types know.
    let message_action = args.message_action.as_deref().map(MessageActionType::from);
    let mediums: Vec<DeliveryMediumType> = args
        .desired_delivery_mediums
        .iter()
        .map(|medium| DeliveryMediumType::from(medium.as_str()))
        .collect();

    let output = admin_create_user::admin_create_user(
        client,
        &admin_create_user::Invitation {
            user_pool_id: &args.user_pool_id,
            username: &args.username,
            temporary_password: args.temporary_password.as_deref(),
            attributes: &attributes,
            message_action: message_action.clone(),
            delivery_mediums: &mediums,
        },
    )
    .await?;

    if let Some(user) = output.user() {
        println!("Username: {}", user.username().unwrap_or(&args.username));
        println!(
            "User status: {}",
            user.user_status()
                .map_or("(unknown)", |status| status.as_str())
        );
        println!("Enabled: {}", user.enabled());
        if let Some(sub) = user
            .attributes()
            .iter()
            .find(|attribute| attribute.name() == "sub")
            .and_then(|attribute| attribute.value())
        {
            println!("Sub: {sub}");
        }
    }
    println!(
        "{}",
        admin_create_user::invitation_line(message_action.as_ref(), &mediums)
    );
    println!(
        "{}",
        admin_create_user::temporary_password_line(
            args.temporary_password.is_some(),
            message_action.as_ref()
        )
    );
    println!("Next: the user signs in with it and chooses a new password (NEW_PASSWORD_REQUIRED).");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
