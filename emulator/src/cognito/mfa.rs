//! TOTP multi-factor authentication: AssociateSoftwareToken and
//! VerifySoftwareToken (with an access token, or with the Session of an
//! MFA_SETUP challenge), SetUserMFAPreference and AdminSetUserMFAPreference.

use serde_json::json;

use super::state::challenges::{Challenge, Step};
use super::state::pool::Pool;
use super::state::users::User;
use super::{CognitoService, Input, Outcome, errors, totp};
use crate::aws_json::ServiceError;

/// Who an MFA setup call is for: an access token's user, or an MFA_SETUP session's.
enum Subject {
    Token {
        pool: std::sync::Arc<Pool>,
        user_key: String,
    },
    Session(Challenge),
}

impl CognitoService {
    fn mfa_subject(&self, input: &Input<'_>) -> Result<Subject, ServiceError> {
        if let Some(token) = input.str("AccessToken") {
            let caller = self.authenticate(token)?;
            return Ok(Subject::Token {
                pool: caller.pool,
                user_key: caller.user_key.to_string(),
            });
        }
        let Some(session) = input.str("Session") else {
            return Err(errors::invalid_parameter(
                "Either AccessToken or Session must be provided",
            ));
        };
        let challenge = self.challenges.take(session)?;
        if !matches!(challenge.step, Step::MfaSetup { .. }) {
            return Err(errors::invalid_session());
        }
        Ok(Subject::Session(challenge))
    }

    fn subject_pool(
        &self,
        subject: &Subject,
    ) -> Result<(std::sync::Arc<Pool>, String), ServiceError> {
        match subject {
            Subject::Token { pool, user_key } => Ok((pool.clone(), user_key.clone())),
            Subject::Session(challenge) => {
                Ok((self.pool(&challenge.pool_id)?, challenge.user_key.clone()))
            }
        }
    }

    pub(super) fn associate_software_token(&self, input: &Input<'_>) -> Outcome {
        let subject = self.mfa_subject(input)?;
        let (pool, user_key) = self.subject_pool(&subject)?;
        let secret = totp::new_secret();
        {
            let mut table = pool.users.lock();
            let user = table
                .user_mut(user_key.as_str())
                .ok_or_else(errors::user_not_found)?;
            let token = user.software_token.get_or_insert_with(Default::default);
            token.pending_secret = Some(secret.as_str().into());
        }
        let mut output = json!({ "SecretCode": secret });
        if let Subject::Session(challenge) = subject {
            output["Session"] = json!(self.open_session(Challenge {
                step: Step::MfaSetup { verified: false },
                failures: 0,
                ..challenge
            }));
        }
        Ok(output)
    }

    pub(super) fn verify_software_token(&self, input: &Input<'_>) -> Outcome {
        let code = input.required("UserCode")?;
        let subject = self.mfa_subject(input)?;
        let (pool, user_key) = self.subject_pool(&subject)?;
        let during_sign_in = matches!(subject, Subject::Session(_));
        let verified = {
            let mut table = pool.users.lock();
            let user = table
                .user_mut(user_key.as_str())
                .ok_or_else(errors::user_not_found)?;
            let token = user
                .software_token
                .as_deref_mut()
                .filter(|t| t.pending_secret.is_some())
                .ok_or_else(errors::software_token_mfa_not_found)?;
            let pending = token.pending_secret.clone().unwrap_or_default();
            match totp::verify(&pending, code, self.now_secs() as u64, None) {
                Ok(step) => {
                    token.secret = Some(pending);
                    token.pending_secret = None;
                    token.last_step = Some(step);
                    if during_sign_in {
                        token.enabled = true;
                    }
                    true
                }
                Err(_) => false,
            }
        };
        match subject {
            Subject::Session(challenge) => {
                let session = self.open_session(Challenge {
                    step: Step::MfaSetup { verified },
                    ..challenge
                });
                if !verified {
                    return Err(errors::enable_software_token_mfa_failed());
                }
                Ok(json!({ "Status": "SUCCESS", "Session": session }))
            }
            Subject::Token { .. } if !verified => Err(errors::enable_software_token_mfa_failed()),
            Subject::Token { .. } => Ok(json!({ "Status": "SUCCESS" })),
        }
    }

    /// Applies SetUserMFAPreference / AdminSetUserMFAPreference to a user
    /// the caller holds locked.
    fn apply_mfa_preference(&self, user: &mut User, input: &Input<'_>) -> Result<(), ServiceError> {
        if let Some(sms) = input.object("SMSMfaSettings") {
            if sms.bool("Enabled") == Some(true) || sms.bool("PreferredMfa") == Some(true) {
                return Err(errors::invalid_parameter(
                    "SMS MFA is not supported by this emulator",
                ));
            }
        }
        if let Some(settings) = input.object("SoftwareTokenMfaSettings") {
            let enabled = settings.bool("Enabled").unwrap_or(false);
            let preferred = settings.bool("PreferredMfa").unwrap_or(false);
            let token = user
                .software_token
                .as_deref_mut()
                .filter(|t| t.secret.is_some());
            match token {
                Some(token) => {
                    token.enabled = enabled || preferred;
                    token.preferred = preferred;
                }
                None if enabled || preferred => {
                    return Err(errors::invalid_parameter(
                        "User has not verified software token mfa",
                    ));
                }
                None => {}
            }
        }
        user.modified = self.now_millis();
        Ok(())
    }

    pub(super) fn set_user_mfa_preference(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let mut table = caller.pool.users.lock();
        let user = table
            .user_mut(&caller.user_key)
            .ok_or_else(errors::user_not_found)?;
        self.apply_mfa_preference(user, input)?;
        Ok(json!({}))
    }

    pub(super) fn admin_set_user_mfa_preference(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        // One lock section from finding the user to changing them.
        let mut table = pool.users.lock();
        let user = table
            .find_mut(&settings, name)
            .ok_or_else(errors::user_not_found)?;
        self.apply_mfa_preference(user, input)?;
        Ok(json!({}))
    }
}
