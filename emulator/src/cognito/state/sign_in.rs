//! What comes after a correct first factor (password, SRP proof): a pure
//! decision over plain facts about the user, the pool and the device, so
//! each branch is tested on its own.

use super::settings::MfaMode;
use super::users::UserStatus;
use crate::aws_json::ServiceError;
use crate::cognito::errors;

/// What the next step depends on, copied out of the user table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignInFacts {
    /// The pool's `MfaConfiguration`.
    pub pool_mfa: MfaMode,
    /// The user signed in with a temporary password (FORCE_CHANGE_PASSWORD).
    pub must_change_password: bool,
    /// The `DEVICE_KEY` sent names a confirmed device of the user; `Some`
    /// says whether that device is remembered.
    pub device_remembered: Option<bool>,
    /// That device already proved itself (DEVICE_PASSWORD_VERIFIER).
    pub device_authenticated: bool,
    /// The user has a verified software token.
    pub totp_verified: bool,
    /// The user enabled software token MFA (SetUserMFAPreference or setup).
    pub totp_enabled: bool,
}

/// The step a sign-in goes to after its first factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextStep {
    /// NEW_PASSWORD_REQUIRED: the temporary password must be replaced.
    NewPasswordRequired,
    /// DEVICE_SRP_AUTH: a confirmed device must prove itself first.
    DeviceSrpAuth,
    /// MFA_SETUP: MFA is required and the user has no token in use.
    MfaSetup,
    /// SOFTWARE_TOKEN_MFA: a code from the user's authenticator.
    SoftwareTokenMfa,
    /// No further challenge: issue tokens.
    Tokens,
}

/// The step after a correct first factor. A forced password change comes
/// first; a named confirmed device proves itself next; a remembered device
/// that did skips MFA; otherwise MFA as the pool and the user's token say.
pub(crate) fn next_step(facts: &SignInFacts) -> NextStep {
    if facts.must_change_password {
        return NextStep::NewPasswordRequired;
    }
    if facts.device_remembered.is_some() && !facts.device_authenticated {
        return NextStep::DeviceSrpAuth;
    }
    let remembered = facts.device_authenticated && facts.device_remembered == Some(true);
    // A verified token is used when the user enabled it, or when the pool
    // requires MFA (then it is the only factor there is).
    let uses_totp = facts.totp_verified && (facts.totp_enabled || facts.pool_mfa == MfaMode::On);
    match facts.pool_mfa {
        MfaMode::Off => NextStep::Tokens,
        _ if remembered => NextStep::Tokens,
        MfaMode::On if !uses_totp => NextStep::MfaSetup,
        _ if uses_totp => NextStep::SoftwareTokenMfa,
        _ => NextStep::Tokens,
    }
}

/// Refuses sign-in for users who may not sign in yet (after a correct
/// password). `now` and `temporary_password_expires` are epoch seconds (0:
/// no expiry).
pub(crate) fn check_status(
    status: UserStatus,
    temporary_password_expires: i64,
    now: i64,
) -> Result<(), ServiceError> {
    match status {
        UserStatus::Unconfirmed => Err(errors::user_not_confirmed()),
        UserStatus::ResetRequired => Err(errors::password_reset_required()),
        UserStatus::ForceChangePassword
            if temporary_password_expires != 0 && now > temporary_password_expires =>
        {
            Err(errors::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A confirmed user without devices or token, in a pool without MFA.
    fn plain() -> SignInFacts {
        SignInFacts {
            pool_mfa: MfaMode::Off,
            must_change_password: false,
            device_remembered: None,
            device_authenticated: false,
            totp_verified: false,
            totp_enabled: false,
        }
    }

    #[test]
    fn no_mfa_and_no_device_issues_tokens() {
        assert_eq!(next_step(&plain()), NextStep::Tokens);
        let optional = SignInFacts {
            pool_mfa: MfaMode::Optional,
            ..plain()
        };
        assert_eq!(next_step(&optional), NextStep::Tokens);
    }

    #[test]
    fn a_temporary_password_comes_before_everything() {
        let facts = SignInFacts {
            must_change_password: true,
            pool_mfa: MfaMode::On,
            device_remembered: Some(true),
            totp_verified: true,
            totp_enabled: true,
            ..plain()
        };
        assert_eq!(next_step(&facts), NextStep::NewPasswordRequired);
    }

    #[test]
    fn a_confirmed_device_proves_itself_first() {
        for remembered in [false, true] {
            let facts = SignInFacts {
                device_remembered: Some(remembered),
                pool_mfa: MfaMode::On,
                totp_verified: true,
                ..plain()
            };
            assert_eq!(next_step(&facts), NextStep::DeviceSrpAuth, "{remembered}");
        }
    }

    #[test]
    fn a_remembered_device_skips_mfa_and_a_forgotten_one_does_not() {
        let remembered = SignInFacts {
            pool_mfa: MfaMode::On,
            device_remembered: Some(true),
            device_authenticated: true,
            totp_verified: true,
            ..plain()
        };
        assert_eq!(next_step(&remembered), NextStep::Tokens);
        let not_remembered = SignInFacts {
            device_remembered: Some(false),
            ..remembered
        };
        assert_eq!(next_step(&not_remembered), NextStep::SoftwareTokenMfa);
        let no_mfa = SignInFacts {
            pool_mfa: MfaMode::Off,
            ..not_remembered
        };
        assert_eq!(next_step(&no_mfa), NextStep::Tokens);
    }

    #[test]
    fn required_mfa_without_a_token_sets_one_up() {
        let facts = SignInFacts {
            pool_mfa: MfaMode::On,
            ..plain()
        };
        assert_eq!(next_step(&facts), NextStep::MfaSetup);
        // A token still being set up (not verified) is no token.
        let pending = SignInFacts {
            totp_enabled: true,
            ..facts
        };
        assert_eq!(next_step(&pending), NextStep::MfaSetup);
    }

    #[test]
    fn a_verified_token_asks_for_a_code_when_required_or_enabled() {
        let required = SignInFacts {
            pool_mfa: MfaMode::On,
            totp_verified: true,
            ..plain()
        };
        assert_eq!(next_step(&required), NextStep::SoftwareTokenMfa);
        let optional_enabled = SignInFacts {
            pool_mfa: MfaMode::Optional,
            totp_verified: true,
            totp_enabled: true,
            ..plain()
        };
        assert_eq!(next_step(&optional_enabled), NextStep::SoftwareTokenMfa);
        let optional_not_enabled = SignInFacts {
            totp_enabled: false,
            ..optional_enabled
        };
        assert_eq!(next_step(&optional_not_enabled), NextStep::Tokens);
    }

    #[test]
    fn status_checks_after_a_correct_password() {
        assert_eq!(
            check_status(UserStatus::Unconfirmed, 0, 10)
                .unwrap_err()
                .code,
            "UserNotConfirmedException"
        );
        assert!(check_status(UserStatus::Confirmed, 0, 10).is_ok());
        assert!(check_status(UserStatus::ForceChangePassword, 0, 10).is_ok());
        assert!(check_status(UserStatus::ForceChangePassword, 10, 10).is_ok());
        let expired = check_status(UserStatus::ForceChangePassword, 10, 11).unwrap_err();
        assert_eq!(expired.code, "NotAuthorizedException");
        assert!(
            expired
                .message
                .starts_with("Temporary password has expired")
        );
    }
}
