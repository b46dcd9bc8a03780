//! Where the pool's Lambda triggers run (PreSignUp, PostConfirmation,
//! PreAuthentication, PostAuthentication). The pool's `LambdaConfig` names
//! the functions; invoking them through the emulator's Lambda service comes
//! later. Until then a pool without triggers (or with them) proceeds as if
//! each function answered with an empty `response`.

use super::Pool;
use crate::aws_json::ServiceError;

/// What caused a PreSignUp or PostConfirmation event (`triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerSource {
    SignUp,
    AdminCreateUser,
    ConfirmSignUp,
}

/// The parts of a PreSignUp response that take effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PreSignUpResponse {
    pub auto_confirm_user: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// The trigger runner of one emulator.
pub(crate) struct Triggers;

impl Triggers {
    /// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`).
    pub async fn pre_sign_up(
        &self,
        _pool: &Pool,
        _source: TriggerSource,
        _username: &str,
        _attributes: &[(&str, &str)],
    ) -> Result<PreSignUpResponse, ServiceError> {
        Ok(PreSignUpResponse::default())
    }

    /// PostConfirmation (`PostConfirmation_ConfirmSignUp`).
    pub async fn post_confirmation(
        &self,
        _pool: &Pool,
        _source: TriggerSource,
        _username: &str,
    ) -> Result<(), ServiceError> {
        Ok(())
    }

    /// PreAuthentication (before the password is checked).
    pub async fn pre_authentication(
        &self,
        _pool: &Pool,
        _username: &str,
    ) -> Result<(), ServiceError> {
        Ok(())
    }

    /// PostAuthentication (after a successful sign-in, before tokens are returned).
    pub async fn post_authentication(
        &self,
        _pool: &Pool,
        _username: &str,
    ) -> Result<(), ServiceError> {
        Ok(())
    }
}
