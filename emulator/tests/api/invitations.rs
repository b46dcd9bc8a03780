//! Administrator-created users: AdminCreateUser's invitation (the pool's
//! templates, DesiredDeliveryMediums, a given or generated temporary
//! password), MessageAction RESEND and SUPPRESS, the pool's temporary
//! password validity, and the NEW_PASSWORD_REQUIRED challenge asking for the
//! pool's required attributes.

use crate::sdk_client;

use std::time::Duration;

use crate::sdk_client::{Client, email};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AttributeType, AuthFlowType, ChallengeNameType, DeliveryMediumType,
    MessageActionType, MessageTemplateType, PasswordPolicyType, SchemaAttributeType,
    UserPoolPolicyType, UserStatusType,
};
use emulator::DeliveryMedium;

const TEMPORARY: &str = "Temporary-Pass-1";
const NEW_PASSWORD: &str = "Brand-New-Pass-2";

/// `(code, message)` of a failed call.
fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// USER_PASSWORD_AUTH: the challenge name and session, or the failure.
async fn sign_in(
    client: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    (String, String),
> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn the_invitation_follows_the_pools_templates_and_the_mediums_asked_for() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("invites")
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_message("Welcome {username}, your password is {####}")
                        .email_subject("Welcome")
                        .sms_message("{username}: {####}")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .user_attributes(email("ada@example.com"))
        .user_attributes(attribute("phone_number", "+15555550100"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .desired_delivery_mediums(DeliveryMediumType::Sms)
        .send()
        .await
        .unwrap();
    let outbox = emulator.outbox();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    let by_email = &outbox[0];
    assert_eq!(by_email.delivery_medium, DeliveryMedium::Email);
    assert_eq!(by_email.destination, "ada@example.com");
    // No TemporaryPassword: one is generated, and the invitation carries it.
    let generated = by_email.code.clone().unwrap();
    assert_eq!(
        by_email.message,
        format!("Welcome ada, your password is {generated}")
    );
    assert_eq!(outbox[1].delivery_medium, DeliveryMedium::Sms);
    assert_eq!(outbox[1].destination, "+15555550100");
    assert_eq!(outbox[1].message, format!("ada: {generated}"));
    let out = sign_in(&client, &client_id, "ada", &generated)
        .await
        .expect("the generated password signs in");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );

    // Without DesiredDeliveryMediums the invitation goes by SMS only.
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("bo")
        .temporary_password(TEMPORARY)
        .user_attributes(email("bo@example.com"))
        .user_attributes(attribute("phone_number", "+15555550101"))
        .send()
        .await
        .unwrap();
    let outbox = emulator.outbox();
    assert_eq!(outbox.len(), 3);
    assert_eq!(outbox[2].delivery_medium, DeliveryMedium::Sms);
    assert_eq!(outbox[2].code.as_deref(), Some(TEMPORARY));
}

#[tokio::test]
async fn suppress_sends_nothing_and_resend_renews_the_password_and_its_validity() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("cy")
        .temporary_password(TEMPORARY)
        .user_attributes(email("cy@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert!(emulator.outbox().is_empty(), "SUPPRESS sends no invitation");

    // Six days on, RESEND: a new password, valid seven days from now.
    emulator.advance_clock(Duration::from_secs(6 * 86_400));
    let resent = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("cy")
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resent.user().unwrap().user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    let invitation = emulator.outbox().pop().expect("RESEND sends it");
    assert_eq!(invitation.trigger, "AdminCreateUser");
    let renewed = invitation.code.unwrap();
    assert_ne!(renewed, TEMPORARY);
    assert_eq!(
        sign_in(&client, &client_id, "cy", TEMPORARY)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        )
    );
    emulator.advance_clock(Duration::from_secs(2 * 86_400));
    let out = sign_in(&client, &client_id, "cy", &renewed)
        .await
        .expect("eight days after creation, two after RESEND");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );

    let resend = |username: &'static str| {
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(username)
            .message_action(MessageActionType::Resend)
            .send()
    };
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dee").await;
    assert_eq!(
        failure(resend("dee").await.unwrap_err().into_service_error()),
        (
            "UnsupportedUserStateException".to_owned(),
            "Resend not possible. dee status is not FORCE_CHANGE_PASSWORD".to_owned()
        )
    );
    assert_eq!(
        failure(resend("nobody").await.unwrap_err().into_service_error()),
        (
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        )
    );
}

#[tokio::test]
async fn the_temporary_password_lasts_the_pools_validity_days() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("one-day")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .temporary_password_validity_days(1)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    for name in ["early", "late"] {
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(name)
            .temporary_password(TEMPORARY)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    emulator.advance_clock(Duration::from_secs(86_400 - 60));
    sign_in(&client, &client_id, "early", TEMPORARY)
        .await
        .expect("within the day");
    emulator.advance_clock(Duration::from_secs(120));
    assert_eq!(
        sign_in(&client, &client_id, "late", TEMPORARY)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Temporary password has expired and must be reset by an administrator.".to_owned()
        )
    );
}

#[tokio::test]
async fn new_password_required_asks_for_the_missing_required_attributes() {
    let (_emulator, client) = sdk_client::start().await;
    let required = |name: &str| {
        SchemaAttributeType::builder()
            .name(name)
            .required(true)
            .build()
    };
    let pool = client
        .create_user_pool()
        .pool_name("required")
        .schema(required("name"))
        .schema(required("email"))
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    // The administrator may leave required attributes to the user.
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("eli")
        .temporary_password(TEMPORARY)
        .user_attributes(email("eli@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser without the required name");

    let challenge = || async {
        let out = sign_in(&client, &client_id, "eli", TEMPORARY)
            .await
            .unwrap();
        assert_eq!(
            out.challenge_name(),
            Some(&ChallengeNameType::NewPasswordRequired)
        );
        out
    };
    let out = challenge().await;
    let parameters = out.challenge_parameters().unwrap();
    let required: Vec<String> =
        serde_json::from_str(&parameters["requiredAttributes"]).expect("a JSON list");
    assert_eq!(required, ["userAttributes.name"]);
    let attributes: serde_json::Value =
        serde_json::from_str(&parameters["userAttributes"]).expect("a JSON object");
    assert_eq!(
        attributes,
        serde_json::json!({"email": "eli@example.com", "email_verified": "true"})
    );
    assert_eq!(parameters["USER_ID_FOR_SRP"], "eli");

    let answer = |session: String, attributes: &'static [(&'static str, &'static str)]| {
        let client = client.clone();
        let client_id = client_id.clone();
        async move {
            let mut request = client
                .respond_to_auth_challenge()
                .client_id(client_id)
                .challenge_name(ChallengeNameType::NewPasswordRequired)
                .session(session)
                .challenge_responses("USERNAME", "eli")
                .challenge_responses("NEW_PASSWORD", NEW_PASSWORD);
            for (name, value) in attributes {
                request = request.challenge_responses(format!("userAttributes.{name}"), *value);
            }
            request
                .send()
                .await
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    let session = challenge().await.session().unwrap().to_owned();
    assert_eq!(
        answer(session, &[]).await.unwrap_err(),
        (
            "InvalidParameterException".to_owned(),
            "Invalid attributes given, name is missing".to_owned()
        )
    );
    let session = challenge().await.session().unwrap().to_owned();
    assert_eq!(
        answer(session, &[("name", "Eli"), ("shoe_size", "9")])
            .await
            .unwrap_err(),
        (
            "InvalidParameterException".to_owned(),
            "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema."
                .to_owned()
        )
    );
    let session = challenge().await.session().unwrap().to_owned();
    let done = answer(session, &[("name", "Eli")]).await.expect("answered");
    assert!(done.authentication_result().is_some());
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("eli")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "name" && a.value() == Some("Eli"))
    );
}
