//! A Cognito **PreTokenGeneration** trigger (event version 1) that changes
//! the claims of the ID token: it adds two claims and removes `email`.
//!
//! Cognito calls it just before it issues tokens: on every sign-in, on a
//! refresh, and after a new password or a device sign-in (`triggerSource`
//! `TokenGeneration_*`). It answers `claimsOverrideDetails`:
//!
//! - `claimsToAddOrOverride`: `my_first_attribute` = `first_value`,
//!   `my_second_attribute` = `second_value`;
//! - `claimsToSuppress`: `email`;
//! - `groupOverrideDetails`: the user's groups as they are (see below).
//!
//! Version 1 events change the ID token only; the access token needs a
//! version 2 trigger (`PreTokenGenerationConfig` with `LambdaVersion` `V2_0`,
//! an Essentials or Plus feature plan).
//!
//! The answer's `groupOverrideDetails` is always sent (the event type has no
//! way to leave it out), and Cognito would take an empty one as "no groups".
//! So the function passes the user's own groups back from
//! `request.groupConfiguration`: `cognito:groups` and the IAM role claims
//! stay as they were.
//!
//! Attach it as `LambdaConfig.PreTokenGeneration` (or as
//! `PreTokenGenerationConfig` with `LambdaVersion` `V1_0`). The function
//! needs no AWS permissions beyond writing its logs. Build the zip that
//! Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p token-generation-pre-add-suppress-claim
//! # target/lambda/token-generation-pre-add-suppress-claim/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::{ClaimsOverrideDetails, CognitoEventUserPoolsPreTokenGen};

/// The event Cognito sends before it issues tokens (version 1), and the answer.
pub type PreTokenGenerationEvent = CognitoEventUserPoolsPreTokenGen;

/// The claims the function adds to the ID token.
pub const ADDED_CLAIMS: [(&str, &str); 2] = [
    ("my_first_attribute", "first_value"),
    ("my_second_attribute", "second_value"),
];
/// The claims the function removes from the ID token.
pub const SUPPRESSED_CLAIMS: [&str; 1] = ["email"];

// snippet-start:[rust.cognito-idp.lambda-triggers.TokenGenerationPreAddSuppressClaim]
/// Adds [`ADDED_CLAIMS`] to the ID token and removes [`SUPPRESSED_CLAIMS`],
/// keeping the user's groups.
pub fn pre_token_generation(mut event: PreTokenGenerationEvent) -> PreTokenGenerationEvent {
    let mut details = ClaimsOverrideDetails::default();
    details.claims_to_add_or_override = ADDED_CLAIMS
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    details.claims_to_suppress = SUPPRESSED_CLAIMS.iter().map(|c| c.to_string()).collect();
    // Always sent, so send the groups the user has: an empty list would remove them.
    details.group_override_details = event.request.group_configuration.clone();
    event.response.claims_override_details = Some(details);
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.TokenGenerationPreAddSuppressClaim]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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

    fn answer(sample: &str) -> Value {
        let event: PreTokenGenerationEvent =
            serde_json::from_str(sample).expect("a PreTokenGeneration event");
        serde_json::to_value(pre_token_generation(event)).expect("serialisable")["response"].clone()
    }

    #[test]
    fn two_claims_are_added_email_removed_and_the_groups_kept() {
        assert_eq!(
            answer(SAMPLE),
            json!({
                "claimsOverrideDetails": {
                    "claimsToAddOrOverride": {
                        "my_first_attribute": "first_value",
                        "my_second_attribute": "second_value"
                    },
                    "claimsToSuppress": ["email"],
                    "groupOverrideDetails": {
                        "groupsToOverride": ["group-1", "group-2"],
                        "iamRolesToOverride": ["arn:aws:iam::123456789012:role/role-1"],
                        "preferredRole": "arn:aws:iam::123456789012:role/role-1"
                    }
                }
            })
        );
    }

    #[test]
    fn a_user_without_groups_stays_without_groups() {
        let mut sample: Value = serde_json::from_str(SAMPLE).expect("sample JSON");
        sample["request"]["groupConfiguration"] =
            json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null});
        let answered = answer(&sample.to_string());
        assert_eq!(
            answered["claimsOverrideDetails"]["groupOverrideDetails"],
            json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null})
        );
        assert_eq!(
            answered["claimsOverrideDetails"]["claimsToSuppress"],
            json!(["email"])
        );
    }
}
