//! SetUserPoolMfaConfig: turn on multi-factor authentication for a user pool
//! with authenticator apps (time-based one-time passwords, TOTP).
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:SetUserPoolMfaConfig` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::{
    SetUserPoolMfaConfigError, SetUserPoolMfaConfigOutput,
};
use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};

// snippet-start:[rust.cognito-idp.SetUserPoolMfaConfig]
/// Sets the pool's MFA to `mfa` (`UserPoolMfaType::On`: every user must
/// use MFA; `UserPoolMfaType::Optional`: users who set it up use it) with
/// authenticator apps as the only factor: software token MFA is enabled and
/// no SMS or email MFA configuration is sent.
///
/// This is how MFA by authenticator app gets turned on for a pool:
/// CreateUserPool has no setting for software tokens, and refuses
/// `MfaConfiguration` ON or OPTIONAL without an SMS configuration.
///
/// With MFA `On`, a user without an authenticator app is answered
/// `MFA_SETUP` at sign-in (AssociateSoftwareToken, then
/// VerifySoftwareToken); afterwards sign-in answers `SOFTWARE_TOKEN_MFA`.
pub async fn set_user_pool_mfa_config(
    client: &Client,
    user_pool_id: &str,
    mfa: UserPoolMfaType,
) -> Result<SetUserPoolMfaConfigOutput, SdkError<SetUserPoolMfaConfigError>> {
    client
        .set_user_pool_mfa_config()
        .user_pool_id(user_pool_id)
        .mfa_configuration(mfa)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.SetUserPoolMfaConfig]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn turns_on_authenticator_apps_only() {
        let set_mfa = mock!(Client::set_user_pool_mfa_config)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.mfa_configuration() == Some(&UserPoolMfaType::On)
                    && req
                        .software_token_mfa_configuration()
                        .is_some_and(|totp| totp.enabled())
                    && req.sms_mfa_configuration().is_none()
                    && req.email_mfa_configuration().is_none()
            })
            .then_output(|| {
                SetUserPoolMfaConfigOutput::builder()
                    .mfa_configuration(UserPoolMfaType::On)
                    .software_token_mfa_configuration(
                        SoftwareTokenMfaConfigType::builder().enabled(true).build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&set_mfa]);

        let output = set_user_pool_mfa_config(&client, "us-east-1_pool", UserPoolMfaType::On)
            .await
            .expect("set");

        assert_eq!(output.mfa_configuration(), Some(&UserPoolMfaType::On));
        assert_eq!(set_mfa.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_optional_when_asked() {
        let set_mfa = mock!(Client::set_user_pool_mfa_config)
            .match_requests(|req| req.mfa_configuration() == Some(&UserPoolMfaType::Optional))
            .then_output(|| {
                SetUserPoolMfaConfigOutput::builder()
                    .mfa_configuration(UserPoolMfaType::Optional)
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&set_mfa]);

        set_user_pool_mfa_config(&client, "us-east-1_pool", UserPoolMfaType::Optional)
            .await
            .expect("set");

        assert_eq!(set_mfa.num_calls(), 1);
    }
}
