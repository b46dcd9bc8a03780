//! TOTP multi-factor authentication: AssociateSoftwareToken and
//! VerifySoftwareToken (with an access token, or with the Session of an
//! MFA_SETUP challenge), SetUserMFAPreference and AdminSetUserMFAPreference.

use serde_json::json;

use super::challenges::{Challenge, Step};
use super::{
    CognitoService, Input, Outcome, Pool, invalid_parameter, not_authorized, totp, user_not_found,
};
use crate::aws_json::ServiceError;

/// A user's software token: the secret being set up, the verified one, the
/// last accepted time step (no replays), and the user's MFA preference.
#[derive(Debug, Clone, Default)]
pub(crate) struct SoftwareToken {
    pub pending_secret: Option<Box<str>>,
    pub secret: Option<Box<str>>,
    pub last_step: Option<u64>,
    pub enabled: bool,
    pub preferred: bool,
}

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
            return Err(invalid_parameter(
                "Either AccessToken or Session must be provided",
            ));
        };
        let challenge = self.challenges.take(session)?;
        if !matches!(challenge.step, Step::MfaSetup { .. }) {
            return Err(not_authorized("Invalid session for the user."));
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
                .users
                .get_mut(user_key.as_str())
                .ok_or_else(user_not_found)?;
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
                .users
                .get_mut(user_key.as_str())
                .ok_or_else(user_not_found)?;
            let token = user
                .software_token
                .as_deref_mut()
                .filter(|t| t.pending_secret.is_some())
                .ok_or_else(|| {
                    ServiceError::new(
                        "SoftwareTokenMFANotFoundException",
                        "Software Token MFA Not Found",
                    )
                })?;
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
                    return Err(mismatch());
                }
                Ok(json!({ "Status": "SUCCESS", "Session": session }))
            }
            Subject::Token { .. } if !verified => Err(mismatch()),
            Subject::Token { .. } => Ok(json!({ "Status": "SUCCESS" })),
        }
    }

    fn apply_mfa_preference(
        &self,
        pool: &Pool,
        user_key: &str,
        input: &Input<'_>,
    ) -> Result<(), ServiceError> {
        let mut table = pool.users.lock();
        let user = table.users.get_mut(user_key).ok_or_else(user_not_found)?;
        if let Some(sms) = input.object("SMSMfaSettings") {
            if sms.bool("Enabled") == Some(true) || sms.bool("PreferredMfa") == Some(true) {
                return Err(invalid_parameter(
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
                    return Err(invalid_parameter(
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
        self.apply_mfa_preference(&caller.pool, &caller.user_key, input)?;
        Ok(json!({}))
    }

    pub(super) fn admin_set_user_mfa_preference(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let key = pool
            .users
            .lock()
            .resolve(&settings, input.required("Username")?)
            .ok_or_else(user_not_found)?;
        self.apply_mfa_preference(&pool, &key, input)?;
        Ok(json!({}))
    }
}

fn mismatch() -> ServiceError {
    ServiceError::new(
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    )
}
