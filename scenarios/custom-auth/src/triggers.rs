//! The four functions the scenario deploys, and the one UpdateUserPool that
//! makes them the pool's triggers.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use update_user_pool::SetTriggerError;

/// One of the scenario's functions: a crate under `scenarios/lambda-triggers/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerFunction {
    /// The function's package (its executable has the same name).
    pub package: &'static str,
    /// The end of the function's name: `custom-auth-XXXXXXXX-SUFFIX`.
    pub suffix: &'static str,
    /// The trigger it is, as `LambdaConfig` names it.
    pub trigger: &'static str,
    /// What it does, shown in the Lambda console.
    pub description: &'static str,
}

/// The functions, in the order they are created and attached.
pub const FUNCTIONS: [TriggerFunction; 4] = [
    TriggerFunction {
        package: "auth-challenge-define",
        suffix: "define",
        trigger: "DefineAuthChallenge",
        description: "DefineAuthChallenge trigger of the custom-auth example: SRP, then two custom challenges",
    },
    TriggerFunction {
        package: "auth-challenge-create",
        suffix: "create",
        trigger: "CreateAuthChallenge",
        description: "CreateAuthChallenge trigger of the custom-auth example: a captcha, then a security question",
    },
    TriggerFunction {
        package: "auth-challenge-verify",
        suffix: "verify",
        trigger: "VerifyAuthChallengeResponse",
        description: "VerifyAuthChallengeResponse trigger of the custom-auth example: is the answer the expected one",
    },
    TriggerFunction {
        package: "sign-up-pre-auto-confirm-verify",
        suffix: "pre-sign-up",
        trigger: "PreSignUp",
        description: "PreSignUp trigger of the custom-auth example: confirms every user and verifies their email",
    },
];

/// The ARNs of the four functions, by trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomAuthTriggers<'a> {
    pub define_auth_challenge: &'a str,
    pub create_auth_challenge: &'a str,
    pub verify_auth_challenge_response: &'a str,
    pub pre_sign_up: &'a str,
}

impl CustomAuthTriggers<'_> {
    /// `current` with the four triggers set, every other trigger as it was.
    pub fn set_in(&self, current: Option<&LambdaConfigType>) -> LambdaConfigType {
        let mut config = current
            .cloned()
            .unwrap_or_else(|| LambdaConfigType::builder().build());
        config.define_auth_challenge = Some(self.define_auth_challenge.to_string());
        config.create_auth_challenge = Some(self.create_auth_challenge.to_string());
        config.verify_auth_challenge_response =
            Some(self.verify_auth_challenge_response.to_string());
        config.pre_sign_up = Some(self.pre_sign_up.to_string());
        config
    }
}

/// Each trigger of `config` this scenario sets, by name, with its function's ARN.
pub fn custom_auth_triggers_of(config: &LambdaConfigType) -> [(&'static str, Option<&str>); 4] {
    [
        ("DefineAuthChallenge", config.define_auth_challenge()),
        ("CreateAuthChallenge", config.create_auth_challenge()),
        (
            "VerifyAuthChallengeResponse",
            config.verify_auth_challenge_response(),
        ),
        ("PreSignUp", config.pre_sign_up()),
    ]
}

// snippet-start:[rust.cognito-idp.custom-auth.SetTriggers]
/// Makes the four functions the pool's triggers in one UpdateUserPool:
/// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse
/// run every custom sign-in (`CUSTOM_AUTH`), PreSignUp every sign-up.
///
/// UpdateUserPool resets whatever the request leaves out, so the pool is read
/// first (DescribeUserPool) and all of its settings, other triggers
/// included, are sent back with the new ones, as the `update-user-pool`
/// example explains. Cognito must also be allowed to invoke each function
/// (Lambda AddPermission), or the sign-ins and sign-ups fail. Returns the
/// pool's Lambda configuration as it is now.
pub async fn set_custom_auth_triggers(
    client: &Client,
    user_pool_id: &str,
    triggers: &CustomAuthTriggers<'_>,
) -> Result<LambdaConfigType, SetTriggerError> {
    let described = update_user_pool::describe_user_pool(client, user_pool_id)
        .await
        .map_err(SetTriggerError::Describe)?;
    let pool = described.user_pool().ok_or(SetTriggerError::NoPool)?;
    let lambda_config = triggers.set_in(pool.lambda_config());
    update_user_pool::update_user_pool_request_from(pool)
        .user_pool_id(user_pool_id)
        .lambda_config(lambda_config.clone())
        .send_with(client)
        .await
        .map_err(SetTriggerError::Update)?;
    Ok(lambda_config)
}
// snippet-end:[rust.cognito-idp.custom-auth.SetTriggers]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::describe_user_pool::{
        DescribeUserPoolError, DescribeUserPoolOutput,
    };
    use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::types::error::ResourceNotFoundException;
    use aws_sdk_cognitoidentityprovider::types::{
        UserPoolMfaType, UserPoolType, VerifiedAttributeType,
    };
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    const TRIGGERS: CustomAuthTriggers<'static> = CustomAuthTriggers {
        define_auth_challenge: "arn:aws:lambda:us-east-1:111122223333:function:c-define",
        create_auth_challenge: "arn:aws:lambda:us-east-1:111122223333:function:c-create",
        verify_auth_challenge_response: "arn:aws:lambda:us-east-1:111122223333:function:c-verify",
        pre_sign_up: "arn:aws:lambda:us-east-1:111122223333:function:c-pre-sign-up",
    };
    const WELCOME: &str = "arn:aws:lambda:us-east-1:111122223333:function:welcome";

    #[test]
    fn the_four_triggers_are_set_and_every_other_kept() {
        let current = LambdaConfigType::builder()
            .post_confirmation(WELCOME)
            .pre_sign_up("arn:old")
            .build();
        let config = TRIGGERS.set_in(Some(&current));
        assert_eq!(config.post_confirmation(), Some(WELCOME));
        assert_eq!(
            custom_auth_triggers_of(&config),
            [
                ("DefineAuthChallenge", Some(TRIGGERS.define_auth_challenge)),
                ("CreateAuthChallenge", Some(TRIGGERS.create_auth_challenge)),
                (
                    "VerifyAuthChallengeResponse",
                    Some(TRIGGERS.verify_auth_challenge_response)
                ),
                ("PreSignUp", Some(TRIGGERS.pre_sign_up)),
            ]
        );
        assert_eq!(TRIGGERS.set_in(None).post_confirmation(), None);
    }

    #[test]
    fn the_functions_are_the_three_challenge_triggers_and_pre_sign_up() {
        let triggers: Vec<&str> = FUNCTIONS.iter().map(|f| f.trigger).collect();
        let from_config: Vec<&str> = custom_auth_triggers_of(&TRIGGERS.set_in(None))
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(triggers, from_config);
        let mut suffixes: Vec<&str> = FUNCTIONS.iter().map(|f| f.suffix).collect();
        suffixes.dedup();
        assert_eq!(suffixes.len(), 4, "each function has a name of its own");
    }

    #[tokio::test]
    async fn one_update_sets_the_four_triggers_and_keeps_the_pool_settings() {
        let describe = mock!(Client::describe_user_pool)
            .match_requests(|req| req.user_pool_id() == Some("us-east-1_pool"))
            .then_output(|| {
                DescribeUserPoolOutput::builder()
                    .user_pool(
                        UserPoolType::builder()
                            .id("us-east-1_pool")
                            .name("custom-auth-1")
                            .mfa_configuration(UserPoolMfaType::Off)
                            .auto_verified_attributes(VerifiedAttributeType::Email)
                            .lambda_config(
                                LambdaConfigType::builder()
                                    .post_confirmation(WELCOME)
                                    .build(),
                            )
                            .build(),
                    )
                    .build()
            });
        let update = mock!(Client::update_user_pool)
            .match_requests(|req| {
                let config = req.lambda_config();
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.auto_verified_attributes() == [VerifiedAttributeType::Email]
                    && req.mfa_configuration() == Some(&UserPoolMfaType::Off)
                    && config.and_then(|c| c.post_confirmation()) == Some(WELCOME)
                    && config.and_then(|c| c.define_auth_challenge())
                        == Some(TRIGGERS.define_auth_challenge)
                    && config.and_then(|c| c.create_auth_challenge())
                        == Some(TRIGGERS.create_auth_challenge)
                    && config.and_then(|c| c.verify_auth_challenge_response())
                        == Some(TRIGGERS.verify_auth_challenge_response)
                    && config.and_then(|c| c.pre_sign_up()) == Some(TRIGGERS.pre_sign_up)
            })
            .then_output(|| UpdateUserPoolOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&describe, &update]
        );

        let config = set_custom_auth_triggers(&client, "us-east-1_pool", &TRIGGERS)
            .await
            .expect("set");

        assert_eq!(config.pre_sign_up(), Some(TRIGGERS.pre_sign_up));
        assert_eq!((describe.num_calls(), update.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_pool_that_is_not_there_is_not_updated() {
        let describe = mock!(Client::describe_user_pool).then_error(|| {
            DescribeUserPoolError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("User pool us-east-1_gone does not exist.")
                    .build(),
            )
        });
        let update =
            mock!(Client::update_user_pool).then_output(|| UpdateUserPoolOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&describe, &update]
        );

        let err = set_custom_auth_triggers(&client, "us-east-1_gone", &TRIGGERS)
            .await
            .unwrap_err();

        assert!(matches!(err, SetTriggerError::Describe(_)), "{err:?}");
        assert_eq!(update.num_calls(), 0);
    }
}
