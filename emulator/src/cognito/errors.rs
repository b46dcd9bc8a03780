//! Every error Cognito answers with, in one place: one constructor per AWS
//! error code (and per fixed message where AWS words one code several ways),
//! so call sites name the error instead of spelling its code.
//!
//! The codes and messages are those of the Amazon Cognito user pools API
//! reference and of what AWS returns; the doc line of each says when.

use crate::aws_json::ServiceError;

/// `InvalidParameterException`: a request value AWS refuses (a bad
/// combination of members, a flow the client does not allow, a missing
/// member, a value outside what the operation accepts).
pub(crate) fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterException", message)
}

/// `NotAuthorizedException`: the caller may not do this (wrong password,
/// bad or revoked token, wrong secret hash, spent session, disabled user).
pub(crate) fn not_authorized(message: impl Into<String>) -> ServiceError {
    ServiceError::new("NotAuthorizedException", message)
}

/// `NotAuthorizedException` for a wrong password or SRP proof (and for an
/// unknown user when the client hides that users do not exist). ChangePassword
/// with a wrong previous password answers the same (AWS's response headers
/// quoted in aws-amplify/amplify-js issue 1580).
pub(crate) fn incorrect_password() -> ServiceError {
    not_authorized("Incorrect username or password.")
}

/// `NotAuthorizedException` for an access token whose user signed out
/// everywhere, was deleted, or was replaced by a new user of the same name.
pub(crate) fn access_token_revoked() -> ServiceError {
    not_authorized("Access Token has been revoked")
}

/// `NotAuthorizedException` for a user an administrator disabled.
pub(crate) fn user_disabled() -> ServiceError {
    not_authorized("User is disabled.")
}

/// `NotAuthorizedException` for a `Session` that is unknown, or belongs to
/// another user, client or challenge.
pub(crate) fn invalid_session() -> ServiceError {
    not_authorized("Invalid session for the user.")
}

/// `NotAuthorizedException` for a refresh token whose user signed out
/// everywhere or no longer exists.
pub(crate) fn refresh_token_revoked() -> ServiceError {
    not_authorized("Refresh Token has been revoked")
}

/// `UserNotFoundException`: no user of that name in the pool.
pub(crate) fn user_not_found() -> ServiceError {
    ServiceError::new("UserNotFoundException", "User does not exist.")
}

/// `UserNotFoundException` of ConfirmSignUp: no user of that name for the
/// app client's pool.
pub(crate) fn user_not_found_for_client() -> ServiceError {
    ServiceError::new(
        "UserNotFoundException",
        "Username/client id combination not found.",
    )
}

/// `UserNotConfirmedException`: a correct password of a user who has not
/// confirmed the sign-up yet.
pub(crate) fn user_not_confirmed() -> ServiceError {
    ServiceError::new("UserNotConfirmedException", "User is not confirmed.")
}

/// `ResourceNotFoundException` for a user pool id that names no pool.
pub(crate) fn pool_not_found(pool_id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("User pool {pool_id} does not exist."),
    )
}

/// `ResourceNotFoundException` for an app client id that names no client.
pub(crate) fn client_not_found(client_id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("User pool client {client_id} does not exist."),
    )
}

/// `ResourceNotFoundException` for a device key the user has no
/// (confirmed) device of.
pub(crate) fn device_not_found() -> ServiceError {
    ServiceError::new("ResourceNotFoundException", "Device does not exist.")
}

/// `UsernameExistsException` of SignUp: the user name is taken.
pub(crate) fn username_exists() -> ServiceError {
    ServiceError::new("UsernameExistsException", "User already exists")
}

/// `UsernameExistsException` of AdminCreateUser: the user name is taken.
pub(crate) fn user_account_exists() -> ServiceError {
    ServiceError::new("UsernameExistsException", "User account already exists")
}

/// `UsernameExistsException` in pools that sign in by email or phone: another
/// user already signs in with that address (`attribute`: `email`,
/// `phone_number`).
pub(crate) fn alias_exists(attribute: &str) -> ServiceError {
    ServiceError::new(
        "UsernameExistsException",
        format!("An account with the given {attribute} already exists."),
    )
}

/// `UnsupportedUserStateException` of AdminCreateUser with
/// `MessageAction: RESEND` for a user who already set a password.
pub(crate) fn resend_not_possible(username: &str) -> ServiceError {
    ServiceError::new(
        "UnsupportedUserStateException",
        format!("Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD"),
    )
}

/// `InvalidPasswordException`: the password breaks the pool's policy
/// (`message` names the rule).
pub(crate) fn invalid_password(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidPasswordException", message)
}

/// `CodeMismatchException` of ConfirmSignUp: a wrong confirmation code.
pub(crate) fn code_mismatch() -> ServiceError {
    ServiceError::new(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
}

/// `CodeMismatchException` of a SOFTWARE_TOKEN_MFA challenge: a wrong TOTP code.
pub(crate) fn mfa_code_mismatch() -> ServiceError {
    ServiceError::new("CodeMismatchException", "Invalid code received for user")
}

/// `ExpiredCodeException`: the confirmation code expired or was replaced.
pub(crate) fn expired_code() -> ServiceError {
    ServiceError::new(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
}

/// `LimitExceededException`: too many wrong confirmation codes.
pub(crate) fn attempt_limit_exceeded() -> ServiceError {
    ServiceError::new(
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
}

/// `SoftwareTokenMFANotFoundException`: VerifySoftwareToken before
/// AssociateSoftwareToken.
pub(crate) fn software_token_mfa_not_found() -> ServiceError {
    ServiceError::new(
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA Not Found",
    )
}

/// `EnableSoftwareTokenMFAException`: VerifySoftwareToken with a wrong code.
pub(crate) fn enable_software_token_mfa_failed() -> ServiceError {
    ServiceError::new(
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    )
}

/// `UnexpectedLambdaException`: Cognito could not run a trigger (no
/// permission, no such function, a timeout); `cause` says which.
pub(crate) fn lambda_invocation_failed(trigger: &str, cause: &str) -> ServiceError {
    ServiceError::new(
        "UnexpectedLambdaException",
        format!("{trigger} invocation failed due to error {cause}."),
    )
}

/// `UserLambdaValidationException`: a trigger function failed (threw).
pub(crate) fn user_lambda_validation(trigger: &str, message: &str) -> ServiceError {
    ServiceError::new(
        "UserLambdaValidationException",
        format!("{trigger} failed with error {message}."),
    )
}

/// `InvalidParameterException` for CUSTOM_AUTH when the app client's
/// ExplicitAuthFlows lacks ALLOW_CUSTOM_AUTH (AWS's message, as the
/// Amplify UI translation tables quote it).
pub(crate) fn custom_auth_not_enabled() -> ServiceError {
    invalid_parameter("CUSTOM_AUTH is not enabled for the client.")
}

/// `InvalidParameterException` for CUSTOM_AUTH in a pool without a
/// DefineAuthChallenge function (code and message as AWS answers them in
/// aws-amplify/amplify-js issue 5623).
pub(crate) fn custom_auth_not_configured() -> ServiceError {
    invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

/// `InvalidLambdaResponseException`: a trigger answered with something
/// that is not its event.
pub(crate) fn unrecognizable_lambda_output() -> ServiceError {
    ServiceError::new(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

/// `InvalidParameterException` for a CustomMessage answer Cognito will not
/// send (no code placeholder, too long), worded as AWS words validation
/// errors ("... at 'emailBody' failed to satisfy constraint: ...").
pub(crate) fn custom_message_refused(value: &str, member: &str, constraint: &str) -> ServiceError {
    invalid_parameter(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

// Groups, app clients, tokens, devices, tags and domains.

/// `ResourceNotFoundException` for a group name the pool has no group of
/// (code and message as AWS answers AdminAddUserToGroup in the logs quoted in
/// aws-amplify/amplify-cli issue 2214).
pub(crate) fn group_not_found() -> ServiceError {
    ServiceError::new("ResourceNotFoundException", "Group not found.")
}

/// `GroupExistsException` of CreateGroup: the pool has a group of that name.
/// AWS does not name the group: the message is the one of
/// aws-amplify/amplify-backend issue 1781 (its title) and of moto.
pub(crate) fn group_exists() -> ServiceError {
    ServiceError::new(
        "GroupExistsException",
        "A group with the name already exists",
    )
}

// Users, passwords and attributes.

/// `PasswordResetRequiredException`: sign-in of a user whose password an
/// administrator reset (RESET_REQUIRED), whatever the password sent (the
/// message AWS shows in aws-amplify/amplify-js issue 4890).
pub(crate) fn password_reset_required() -> ServiceError {
    ServiceError::new(
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
}

/// `NotAuthorizedException` of ForgotPassword and AdminResetUserPassword for
/// a user whose state has no password to reset. For ForgotPassword of a
/// FORCE_CHANGE_PASSWORD user, code and message are AWS's as quoted in
/// aws-amplify/amplify-js issue 1340 and aws-amplify/amplify-flutter issue
/// 3048; AdminResetUserPassword of a user that is not CONFIRMED answering
/// the same follows moto (unverified against AWS).
pub(crate) fn password_cannot_be_reset() -> ServiceError {
    not_authorized("User password cannot be reset in the current state.")
}

/// `UnsupportedOperationException` of RevokeToken for an app client whose
/// `EnableTokenRevocation` is off: the code is the API reference's ("an
/// operation that isn't enabled for the user pool client"); the message is
/// unverified (no source quotes it), our own wording.
pub(crate) fn token_revocation_disabled() -> ServiceError {
    ServiceError::new(
        "UnsupportedOperationException",
        "Token revocation is not enabled for this app client.",
    )
}

/// `UnsupportedTokenTypeException` of RevokeToken for a token that is not
/// a refresh token (an access or ID token): the code is the API reference's,
/// and the developer guide's revocation endpoint answers the same case with
/// `unsupported_token_type`; the message is unverified, our own wording.
pub(crate) fn unsupported_token_type() -> ServiceError {
    ServiceError::new(
        "UnsupportedTokenTypeException",
        "Only refresh tokens can be revoked.",
    )
}

/// `NotAuthorizedException`: a user's app client may not write an
/// attribute the request changes (its `WriteAttributes`, or a `*_verified`
/// flag, which only a code or an administrator sets).
pub(crate) fn unauthorized_attribute_write() -> ServiceError {
    not_authorized("A client attempted to write unauthorized attribute")
}

/// `AliasExistsException`: a change (a verified address, a new email or
/// phone number, a preferred_username) would give this user a sign-in
/// alias another user holds.
pub(crate) fn alias_exists_for_change(attribute: &str) -> ServiceError {
    ServiceError::new(
        "AliasExistsException",
        format!("An account with the given {attribute} already exists."),
    )
}

/// `FeatureUnavailableInTierException`: a setting the pool's feature plan
/// (`UserPoolTier`) does not include. The message is ours: the API
/// reference names the error, not its text.
pub(crate) fn feature_unavailable_in_tier(message: &str) -> ServiceError {
    ServiceError::new("FeatureUnavailableInTierException", message)
}

/// `InvalidOAuthFlowException`: OAuth flows a client may not have
/// together with its other settings (CreateUserPoolClient, UpdateUserPoolClient).
pub(crate) fn invalid_oauth_flow(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidOAuthFlowException", message)
}

/// `ScopeDoesNotExistException`: an `AllowedOAuthScopes` entry that is
/// neither a standard scope nor one of the pool's resource servers'. The
/// wording is the emulator's (no source quotes AWS's).
pub(crate) fn scope_does_not_exist(scope: &str) -> ServiceError {
    ServiceError::new(
        "ScopeDoesNotExistException",
        format!("Invalid scope requested: {scope}"),
    )
}

/// `ResourceNotFoundException` for a resource server identifier the pool
/// has none of (the wording is the emulator's, after the pool's and client's).
pub(crate) fn resource_server_not_found(identifier: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Resource server {identifier} does not exist."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_timeout_reads_as_before() {
        // The timeout message used to be written out in full; the cause form
        // must give the same words.
        assert_eq!(
            lambda_invocation_failed("PreSignUp", "Socket timeout while invoking Lambda function")
                .message,
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
        );
    }
}
