//! UpdateUserPool: attach a PreSignUp Lambda trigger to a user pool without
//! losing any of the pool's other settings.
//!
//! Why this takes two calls: **UpdateUserPool resets every setting you leave
//! out of the request to its default.** A request that carries only
//! `LambdaConfig { PreSignUp }` would also switch MFA off, drop the password
//! policy, the auto-verified email, the device tracking, the message
//! templates, the tags, deletion protection, and every other Lambda trigger.
//! So the example reads the pool first (DescribeUserPool), copies every
//! setting UpdateUserPool accepts into the request, and changes only the
//! PreSignUp trigger.
//!
//! These are administrator calls: they are signed with your AWS credentials
//! and need the `cognito-idp:DescribeUserPool` and
//! `cognito-idp:UpdateUserPool` permissions on the pool. Cognito must also be
//! allowed to invoke the function (Lambda AddPermission for the principal
//! `cognito-idp.amazonaws.com`, scoped to the pool's ARN), or sign-ups fail.

use std::error::Error;
use std::fmt;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::{
    DescribeUserPoolError, DescribeUserPoolOutput,
};
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolError;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolInputBuilder;
use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, UserPoolType};

// snippet-start:[rust.cognito-idp.DescribeUserPool]
/// Reads a user pool's whole configuration: policies, MFA, triggers,
/// message templates, tags and the rest.
///
/// Fails with `ResourceNotFoundException` when there is no such pool.
pub async fn describe_user_pool(
    client: &Client,
    user_pool_id: &str,
) -> Result<DescribeUserPoolOutput, SdkError<DescribeUserPoolError>> {
    client
        .describe_user_pool()
        .user_pool_id(user_pool_id)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.DescribeUserPool]

// snippet-start:[rust.cognito-idp.UpdateUserPool]
/// An UpdateUserPool request that leaves `pool` exactly as it is: every
/// setting UpdateUserPool accepts, copied from DescribeUserPool's answer.
/// Change what you mean to change on the returned builder, then send it with
/// `send_with(&client)`.
///
/// It has to be complete because UpdateUserPool resets every setting missing
/// from the request to its default.
///
/// Copied: the name, policies (password and sign-in), deletion protection,
/// Lambda triggers, auto-verified attributes, verification messages and
/// their template, the SMS authentication message, user attribute update
/// settings, MFA configuration, device configuration, email and SMS
/// configuration, tags, admin-create-user configuration, add-ons (threat
/// protection), account recovery, and the feature plan (tier).
///
/// Not copied, because UpdateUserPool cannot change them: the attribute
/// schema, alias and username attributes, username case sensitivity, the id,
/// ARN, domain, status and dates. Software-token and SMS MFA factors are not
/// part of UpdateUserPool either: SetUserPoolMfaConfig owns them, and
/// UpdateUserPool leaves them as they are.
///
/// One setting is translated: DescribeUserPool still reports the deprecated
/// `AdminCreateUserConfig.UnusedAccountValidityDays`, and UpdateUserPool
/// refuses it ("Please use TemporaryPasswordValidityDays in PasswordPolicy
/// instead of UnusedAccountValidityDays"), so it is left out of the request,
/// its value moved to the password policy if that has none of its own.
pub fn update_user_pool_request_from(pool: &UserPoolType) -> UpdateUserPoolInputBuilder {
    let mut policies = pool.policies().cloned();
    let mut admin_create_user_config = pool.admin_create_user_config().cloned();
    if let Some(config) = admin_create_user_config.as_mut() {
        let legacy_days = std::mem::take(&mut config.unused_account_validity_days);
        if let Some(password_policy) = policies
            .as_mut()
            .and_then(|policies| policies.password_policy.as_mut())
        {
            if password_policy.temporary_password_validity_days == 0 {
                password_policy.temporary_password_validity_days = legacy_days;
            }
        }
    }

    UpdateUserPoolInputBuilder::default()
        .set_user_pool_id(pool.id().map(str::to_string))
        .set_pool_name(pool.name().map(str::to_string))
        .set_policies(policies)
        .set_deletion_protection(pool.deletion_protection().cloned())
        .set_lambda_config(pool.lambda_config().cloned())
        .set_auto_verified_attributes(pool.auto_verified_attributes.clone())
        .set_sms_verification_message(pool.sms_verification_message().map(str::to_string))
        .set_email_verification_message(pool.email_verification_message().map(str::to_string))
        .set_email_verification_subject(pool.email_verification_subject().map(str::to_string))
        .set_verification_message_template(pool.verification_message_template().cloned())
        .set_sms_authentication_message(pool.sms_authentication_message().map(str::to_string))
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .set_mfa_configuration(pool.mfa_configuration().cloned())
        .set_device_configuration(pool.device_configuration().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_sms_configuration(pool.sms_configuration().cloned())
        .set_user_pool_tags(pool.user_pool_tags().cloned())
        .set_admin_create_user_config(admin_create_user_config)
        .set_user_pool_add_ons(pool.user_pool_add_ons().cloned())
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_user_pool_tier(pool.user_pool_tier().cloned())
}

/// The pool's Lambda configuration with the PreSignUp trigger set to
/// `function_arn`; every other trigger stays as it was.
pub fn with_pre_sign_up(
    current: Option<&LambdaConfigType>,
    function_arn: &str,
) -> LambdaConfigType {
    let mut lambda_config = current
        .cloned()
        .unwrap_or_else(|| LambdaConfigType::builder().build());
    lambda_config.pre_sign_up = Some(function_arn.to_string());
    lambda_config
}

/// Sets the pool's PreSignUp Lambda trigger to `function_arn`, keeping every
/// other setting of the pool, other triggers included: it reads the pool
/// (DescribeUserPool) and sends all of its settings back with the new
/// trigger (UpdateUserPool).
///
/// Returns the Lambda configuration the pool has now. Between the read and
/// the write, a change someone else makes to the pool would be overwritten.
pub async fn set_pre_sign_up_trigger(
    client: &Client,
    user_pool_id: &str,
    function_arn: &str,
) -> Result<LambdaConfigType, SetTriggerError> {
    let described = describe_user_pool(client, user_pool_id)
        .await
        .map_err(SetTriggerError::Describe)?;
    let pool = described.user_pool().ok_or(SetTriggerError::NoPool)?;
    let lambda_config = with_pre_sign_up(pool.lambda_config(), function_arn);

    update_user_pool_request_from(pool)
        .user_pool_id(user_pool_id)
        .lambda_config(lambda_config.clone())
        .send_with(client)
        .await
        .map_err(SetTriggerError::Update)?;
    Ok(lambda_config)
}
// snippet-end:[rust.cognito-idp.UpdateUserPool]

/// What went wrong in [`set_pre_sign_up_trigger`], by step.
#[derive(Debug)]
pub enum SetTriggerError {
    /// Reading the pool failed (for example `ResourceNotFoundException`).
    Describe(SdkError<DescribeUserPoolError>),
    /// DescribeUserPool answered without a pool.
    NoPool,
    /// Writing the pool failed (for example `InvalidParameterException`).
    Update(SdkError<UpdateUserPoolError>),
}

impl fmt::Display for SetTriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Describe(_) => f.write_str("reading the user pool failed"),
            Self::NoPool => f.write_str("DescribeUserPool answered without the user pool"),
            Self::Update(_) => f.write_str("updating the user pool failed"),
        }
    }
}

impl Error for SetTriggerError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Describe(err) => Some(err),
            Self::NoPool => None,
            Self::Update(err) => Some(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::types::{
        AccountRecoverySettingType, AdminCreateUserConfigType, AdvancedSecurityModeType,
        DefaultEmailOptionType, DeletionProtectionType, DeviceConfigurationType,
        EmailConfigurationType, EmailSendingAccountType, PasswordPolicyType,
        RecoveryOptionNameType, RecoveryOptionType, SmsConfigurationType,
        UserAttributeUpdateSettingsType, UserPoolAddOnsType, UserPoolMfaType, UserPoolPolicyType,
        UserPoolTierType, VerificationMessageTemplateType, VerifiedAttributeType,
    };
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    const POST_CONFIRMATION: &str = "arn:aws:lambda:us-east-1:111122223333:function:welcome";
    const PRE_SIGN_UP: &str = "arn:aws:lambda:us-east-1:111122223333:function:auto-confirm";

    fn password_policy(temporary_days: i32) -> PasswordPolicyType {
        PasswordPolicyType::builder()
            .minimum_length(12)
            .require_uppercase(true)
            .require_lowercase(true)
            .require_numbers(true)
            .require_symbols(false)
            .temporary_password_validity_days(temporary_days)
            .build()
    }

    /// A pool with a non-default value in every setting UpdateUserPool accepts.
    fn configured_pool() -> UserPoolType {
        UserPoolType::builder()
            .id("us-east-1_pool")
            .name("examples")
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(password_policy(3))
                    .build(),
            )
            .deletion_protection(DeletionProtectionType::Active)
            .lambda_config(
                LambdaConfigType::builder()
                    .post_confirmation(POST_CONFIRMATION)
                    .build(),
            )
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .sms_verification_message("Your code is {####}")
            .email_verification_message("Your verification code is {####}")
            .email_verification_subject("Verify your email")
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .default_email_option(DefaultEmailOptionType::ConfirmWithCode)
                    .email_message("Your verification code is {####}")
                    .email_subject("Verify your email")
                    .sms_message("Your code is {####}")
                    .build(),
            )
            .sms_authentication_message("Your sign-in code is {####}")
            .user_attribute_update_settings(
                UserAttributeUpdateSettingsType::builder()
                    .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                    .build(),
            )
            .mfa_configuration(UserPoolMfaType::On)
            .device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(false)
                    .build(),
            )
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::CognitoDefault)
                    .build(),
            )
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::111122223333:role/cognito-sms")
                    .external_id("examples")
                    .build()
                    .expect("caller ARN is set"),
            )
            .user_pool_tags("project", "examples")
            .admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .unused_account_validity_days(3)
                    .build(),
            )
            .user_pool_add_ons(
                UserPoolAddOnsType::builder()
                    .advanced_security_mode(AdvancedSecurityModeType::Audit)
                    .build()
                    .expect("mode is set"),
            )
            .account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .priority(1)
                            .build()
                            .expect("name and priority are set"),
                    )
                    .build(),
            )
            .user_pool_tier(UserPoolTierType::Essentials)
            .build()
    }

    #[test]
    fn the_request_copies_every_updatable_setting() {
        let pool = configured_pool();

        let request = update_user_pool_request_from(&pool)
            .build()
            .expect("complete request");

        assert_eq!(request.user_pool_id(), Some("us-east-1_pool"));
        assert_eq!(request.pool_name(), Some("examples"));
        assert_eq!(request.policies(), pool.policies());
        assert_eq!(request.deletion_protection(), pool.deletion_protection());
        assert_eq!(request.lambda_config(), pool.lambda_config());
        assert_eq!(
            request.auto_verified_attributes(),
            pool.auto_verified_attributes()
        );
        assert_eq!(
            request.sms_verification_message(),
            pool.sms_verification_message()
        );
        assert_eq!(
            request.email_verification_message(),
            pool.email_verification_message()
        );
        assert_eq!(
            request.email_verification_subject(),
            pool.email_verification_subject()
        );
        assert_eq!(
            request.verification_message_template(),
            pool.verification_message_template()
        );
        assert_eq!(
            request.sms_authentication_message(),
            pool.sms_authentication_message()
        );
        assert_eq!(
            request.user_attribute_update_settings(),
            pool.user_attribute_update_settings()
        );
        assert_eq!(request.mfa_configuration(), Some(&UserPoolMfaType::On));
        assert_eq!(request.device_configuration(), pool.device_configuration());
        assert_eq!(request.email_configuration(), pool.email_configuration());
        assert_eq!(request.sms_configuration(), pool.sms_configuration());
        assert_eq!(request.user_pool_tags(), pool.user_pool_tags());
        assert_eq!(request.user_pool_add_ons(), pool.user_pool_add_ons());
        assert_eq!(
            request.account_recovery_setting(),
            pool.account_recovery_setting()
        );
        assert_eq!(
            request.user_pool_tier(),
            Some(&UserPoolTierType::Essentials)
        );

        let admin = request.admin_create_user_config().expect("admin config");
        assert!(admin.allow_admin_create_user_only());
        assert_eq!(
            admin.unused_account_validity_days(),
            0,
            "the deprecated setting UpdateUserPool refuses is left out"
        );
    }

    #[test]
    fn the_deprecated_validity_moves_to_the_password_policy_when_it_has_none() {
        let mut pool = configured_pool();
        pool.policies = Some(
            UserPoolPolicyType::builder()
                .password_policy(password_policy(0))
                .build(),
        );
        pool.admin_create_user_config = Some(
            AdminCreateUserConfigType::builder()
                .unused_account_validity_days(5)
                .build(),
        );

        let request = update_user_pool_request_from(&pool)
            .build()
            .expect("complete request");

        let password_policy = request
            .policies()
            .and_then(|policies| policies.password_policy())
            .expect("password policy");
        assert_eq!(password_policy.temporary_password_validity_days(), 5);
        assert_eq!(password_policy.minimum_length(), Some(12));
        assert_eq!(
            request
                .admin_create_user_config()
                .map(|admin| admin.unused_account_validity_days()),
            Some(0)
        );
    }

    #[test]
    fn the_new_trigger_joins_the_existing_ones() {
        let existing = LambdaConfigType::builder()
            .post_confirmation(POST_CONFIRMATION)
            .pre_sign_up("arn:aws:lambda:us-east-1:111122223333:function:old")
            .build();

        let merged = with_pre_sign_up(Some(&existing), PRE_SIGN_UP);

        assert_eq!(merged.pre_sign_up(), Some(PRE_SIGN_UP));
        assert_eq!(merged.post_confirmation(), Some(POST_CONFIRMATION));
        assert_eq!(
            with_pre_sign_up(None, PRE_SIGN_UP),
            LambdaConfigType::builder().pre_sign_up(PRE_SIGN_UP).build()
        );
    }

    #[tokio::test]
    async fn sets_the_trigger_and_sends_the_old_settings_back() {
        let describe = mock!(Client::describe_user_pool)
            .match_requests(|req| req.user_pool_id() == Some("us-east-1_pool"))
            .then_output(|| {
                DescribeUserPoolOutput::builder()
                    .user_pool(configured_pool())
                    .build()
            });
        let update = mock!(Client::update_user_pool)
            .match_requests(|req| {
                let lambda = req.lambda_config();
                req.user_pool_id() == Some("us-east-1_pool")
                    && lambda.and_then(LambdaConfigType::pre_sign_up) == Some(PRE_SIGN_UP)
                    && lambda.and_then(LambdaConfigType::post_confirmation)
                        == Some(POST_CONFIRMATION)
                    && req.mfa_configuration() == Some(&UserPoolMfaType::On)
                    && req.policies() == configured_pool().policies()
                    && req.auto_verified_attributes() == [VerifiedAttributeType::Email]
                    && req.device_configuration() == configured_pool().device_configuration()
                    && req.deletion_protection() == Some(&DeletionProtectionType::Active)
            })
            .then_output(|| UpdateUserPoolOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&describe, &update]
        );

        let lambda_config = set_pre_sign_up_trigger(&client, "us-east-1_pool", PRE_SIGN_UP)
            .await
            .expect("trigger set");

        assert_eq!(lambda_config.pre_sign_up(), Some(PRE_SIGN_UP));
        assert_eq!(lambda_config.post_confirmation(), Some(POST_CONFIRMATION));
        assert_eq!(describe.num_calls(), 1);
        assert_eq!(update.num_calls(), 1);
    }
}
