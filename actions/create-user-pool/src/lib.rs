//! CreateUserPool: create a user pool where users sign up with a username
//! and a verified email address.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:CreateUserPool` permission.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::{
    CreateUserPoolError, CreateUserPoolOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, DeviceConfigurationType, SchemaAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};

// snippet-start:[rust.cognito-idp.CreateUserPool]
/// Creates a user pool named `pool_name` in which:
/// - every user must give an `email` address, and Cognito verifies it by
///   sending a code at sign-up (the address is auto-verified);
/// - usernames are case-insensitive: `Alice` and `alice` are the same user;
/// - with `device_tracking`, Cognito remembers each user's devices: sign-in
///   returns new-device metadata, which the app confirms with ConfirmDevice
///   (every device is remembered, the user is not asked), and a remembered
///   device may skip MFA.
///
/// Some of these can never be changed afterwards: required attributes and
/// case sensitivity are fixed at creation, so a different choice needs a new
/// pool.
///
/// MFA by authenticator app is not set here. CreateUserPool has no setting
/// for software tokens, and refuses `MfaConfiguration` ON or OPTIONAL without
/// an SMS configuration; turn it on afterwards with SetUserPoolMfaConfig.
pub async fn create_user_pool(
    client: &Client,
    pool_name: &str,
    device_tracking: bool,
) -> Result<CreateUserPoolOutput, SdkError<CreateUserPoolError>> {
    let email = SchemaAttributeType::builder()
        .name("email")
        .attribute_data_type(AttributeDataType::String)
        .required(true)
        .mutable(true)
        .build();
    let devices = device_tracking.then(|| {
        DeviceConfigurationType::builder()
            .challenge_required_on_new_device(true)
            .device_only_remembered_on_user_prompt(false)
            .build()
    });
    client
        .create_user_pool()
        .pool_name(pool_name)
        .schema(email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .expect("case sensitivity is set"),
        )
        .set_device_configuration(devices)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.CreateUserPool]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::UserPoolType;
    use aws_smithy_mocks::{mock, mock_client};

    fn requires_email(schema: &[SchemaAttributeType]) -> bool {
        schema.iter().any(|attribute| {
            attribute.name() == Some("email")
                && attribute.required() == Some(true)
                && attribute.attribute_data_type() == Some(&AttributeDataType::String)
        })
    }

    fn created(id: &'static str) -> impl Fn() -> CreateUserPoolOutput {
        move || {
            CreateUserPoolOutput::builder()
                .user_pool(UserPoolType::builder().id(id).name("examples").build())
                .build()
        }
    }

    #[tokio::test]
    async fn requires_and_verifies_email_with_case_insensitive_usernames() {
        let create = mock!(Client::create_user_pool)
            .match_requests(|req| {
                req.pool_name() == Some("examples")
                    && requires_email(req.schema())
                    && req.auto_verified_attributes() == [VerifiedAttributeType::Email]
                    && req
                        .username_configuration()
                        .is_some_and(|config| !config.case_sensitive())
                    && req.device_configuration().is_none()
                    && req.mfa_configuration().is_none()
            })
            .then_output(created("us-east-1_new"));
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        let output = create_user_pool(&client, "examples", false)
            .await
            .expect("created");

        let pool = output.user_pool().expect("pool");
        assert_eq!(pool.id(), Some("us-east-1_new"));
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn device_tracking_challenges_new_devices_and_remembers_them_all() {
        let create = mock!(Client::create_user_pool)
            .match_requests(|req| {
                req.device_configuration().is_some_and(|devices| {
                    devices.challenge_required_on_new_device()
                        && !devices.device_only_remembered_on_user_prompt()
                })
            })
            .then_output(created("us-east-1_devices"));
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        create_user_pool(&client, "examples", true)
            .await
            .expect("created");

        assert_eq!(create.num_calls(), 1);
    }
}
