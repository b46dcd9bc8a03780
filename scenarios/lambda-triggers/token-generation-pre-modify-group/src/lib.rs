//! A Cognito **PreTokenGeneration** trigger (event version 1) that replaces
//! the user's groups in the ID token: whatever groups the user is in, the
//! token says `group-A`, `group-B` and `group-C`, with one IAM role each
//! and a preferred role.
//!
//! Cognito calls it just before it issues tokens: on every sign-in, on a
//! refresh, and after a new password or a device sign-in (`triggerSource`
//! `TokenGeneration_*`). It answers `claimsOverrideDetails.groupOverrideDetails`,
//! which Cognito writes into the ID token's `cognito:groups`,
//! `cognito:roles` and `cognito:preferred_role` claims:
//!
//! - groups: `group-A`, `group-B`, `group-C`;
//! - roles: `arn:aws:iam::ACCOUNT:role/sns_callerA`, `.../sns_callerB`, `.../sns_callerC`;
//! - preferred role: `arn:aws:iam::ACCOUNT:role/sns_caller`.
//!
//! An identity pool can then give the user the preferred role's
//! credentials. The roles are only named here; the function does not check
//! that they exist.
//!
//! `ACCOUNT` is the function's environment variable `ROLE_ACCOUNT_ID` (12
//! digits) when set, and otherwise the account the function itself runs in
//! (from its ARN).
//!
//! Attach it as `LambdaConfig.PreTokenGeneration`. The function needs no
//! AWS permissions beyond writing its logs. Build the zip that Lambda runs
//! with [cargo-lambda](https://www.cargo-lambda.info/) (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p token-generation-pre-modify-group
//! # target/lambda/token-generation-pre-modify-group/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::{
    ClaimsOverrideDetails, CognitoEventUserPoolsPreTokenGen, GroupConfiguration,
};

/// The event Cognito sends before it issues tokens (version 1), and the answer.
pub type PreTokenGenerationEvent = CognitoEventUserPoolsPreTokenGen;

/// The environment variable that names the roles' account.
pub const ROLE_ACCOUNT_ID_VARIABLE: &str = "ROLE_ACCOUNT_ID";
/// The groups the ID token names.
pub const GROUPS: [&str; 3] = ["group-A", "group-B", "group-C"];
/// The roles the ID token names, one per group.
pub const ROLE_NAMES: [&str; 3] = ["sns_callerA", "sns_callerB", "sns_callerC"];
/// The role the ID token prefers.
pub const PREFERRED_ROLE_NAME: &str = "sns_caller";

// snippet-start:[rust.cognito-idp.lambda-triggers.TokenGenerationPreModifyGroup]
/// Replaces the groups and roles of the ID token with [`GROUPS`] and
/// [`ROLE_NAMES`] in `account_id`, preferring [`PREFERRED_ROLE_NAME`].
pub fn pre_token_generation(
    account_id: &str,
    mut event: PreTokenGenerationEvent,
) -> PreTokenGenerationEvent {
    let role_arn = |name: &str| format!("arn:aws:iam::{account_id}:role/{name}");
    let mut groups = GroupConfiguration::default();
    groups.groups_to_override = GROUPS.iter().map(|g| g.to_string()).collect();
    groups.iam_roles_to_override = ROLE_NAMES.iter().map(|r| role_arn(r)).collect();
    groups.preferred_role = Some(role_arn(PREFERRED_ROLE_NAME));

    let mut details = ClaimsOverrideDetails::default();
    details.group_override_details = groups;
    event.response.claims_override_details = Some(details);
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.TokenGenerationPreModifyGroup]

/// The roles' account: `configured` (the variable's value) when set, else
/// the account in `function_arn` (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
pub fn role_account_id(configured: Option<String>, function_arn: &str) -> Result<String, String> {
    let is_account = |id: &str| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
    match configured.map(|value| value.trim().to_string()) {
        Some(id) if is_account(&id) => Ok(id),
        Some(id) if !id.is_empty() => Err(format!(
            "{ROLE_ACCOUNT_ID_VARIABLE} is {id:?}, not an AWS account id (12 digits)."
        )),
        _ => function_arn
            .split(':')
            .nth(4)
            .filter(|id| is_account(id))
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "No {ROLE_ACCOUNT_ID_VARIABLE} set, and the function's ARN {function_arn:?} \
                     names no account."
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A PreTokenGeneration event (version 1) as Cognito sends it (the
    /// developer guide's sample), for a user in two groups.
    const SAMPLE: &str = r#"{
        "version": "1",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": "us-east-1_EXAMPLE",
        "userName": "testuser",
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": "1example23456789"
        },
        "request": {
            "userAttributes": {
                "sub": "a36036a8-9061-424d-a737-56d57dae7bbc",
                "cognito:user_status": "CONFIRMED",
                "email_verified": "true",
                "email": "testuser@example.com"
            },
            "groupConfiguration": {
                "groupsToOverride": ["group-1", "group-2"],
                "iamRolesToOverride": ["arn:aws:iam::123456789012:role/role-1"],
                "preferredRole": "arn:aws:iam::123456789012:role/role-1"
            }
        },
        "response": {
            "claimsOverrideDetails": null
        }
    }"#;

    #[test]
    fn the_groups_and_roles_are_replaced() {
        let event: PreTokenGenerationEvent = serde_json::from_str(SAMPLE).expect("an event");
        let answered = pre_token_generation("111122223333", event);
        let response = &serde_json::to_value(&answered).expect("serialisable")["response"];
        assert_eq!(
            response["claimsOverrideDetails"]["groupOverrideDetails"],
            json!({
                "groupsToOverride": ["group-A", "group-B", "group-C"],
                "iamRolesToOverride": [
                    "arn:aws:iam::111122223333:role/sns_callerA",
                    "arn:aws:iam::111122223333:role/sns_callerB",
                    "arn:aws:iam::111122223333:role/sns_callerC"
                ],
                "preferredRole": "arn:aws:iam::111122223333:role/sns_caller"
            })
        );
        // No other claim changes.
        assert_eq!(
            response["claimsOverrideDetails"]["claimsToAddOrOverride"],
            json!({})
        );
        assert_eq!(
            response["claimsOverrideDetails"]["claimsToSuppress"],
            json!([])
        );
    }

    #[test]
    fn the_account_is_configured_or_the_functions_own() {
        let arn = "arn:aws:lambda:us-east-1:444455556666:function:modify-group";
        assert_eq!(
            role_account_id(Some("111122223333".into()), arn),
            Ok("111122223333".into())
        );
        assert_eq!(role_account_id(None, arn), Ok("444455556666".into()));
        assert_eq!(
            role_account_id(Some(" ".into()), arn),
            Ok("444455556666".into())
        );

        let err = role_account_id(Some("1234".into()), arn).unwrap_err();
        assert!(
            err.contains("ROLE_ACCOUNT_ID") && err.contains("12 digits"),
            "{err}"
        );
        let err = role_account_id(None, "not-an-arn").unwrap_err();
        assert!(err.contains("names no account"), "{err}");
    }
}
