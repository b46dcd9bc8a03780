//! A function's execution role: Lambda may assume it, and it allows exactly
//! what the function does (the caller says what that is) and writing the
//! function's own logs, nothing more.

use aws_sdk_iam::Client;
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::create_role::{CreateRoleError, CreateRoleOutput};
use aws_sdk_iam::operation::delete_role::{DeleteRoleError, DeleteRoleOutput};
use aws_sdk_iam::operation::delete_role_policy::{DeleteRolePolicyError, DeleteRolePolicyOutput};
use aws_sdk_iam::operation::put_role_policy::{PutRolePolicyError, PutRolePolicyOutput};
use serde_json::{Value, json};

use crate::ArnParts;

/// The trust policy: only the Lambda service may assume the role, which is
/// what a function's execution role needs.
pub fn trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

/// One policy statement: allow `actions` on one `resource`, named `sid`.
pub fn allow(sid: &str, actions: &[&str], resource: &str) -> Value {
    let action = match actions {
        [one] => json!(one),
        many => json!(many),
    };
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": action,
        "Resource": resource
    })
}

/// The permissions policy, least privilege: the function's own `statements`
/// (see [`allow`]), then creating and writing the function's own log group,
/// `/aws/lambda/FUNCTION_NAME`, in the account and Region `where_`.
///
/// CloudWatch Logs names a log group in a policy both as
/// `...:log-group:NAME` and as `...:log-group:NAME:*`, so CreateLogGroup
/// lists both; the streams in it are `...:log-group:NAME:log-stream:*`.
pub fn function_policy(statements: Vec<Value>, where_: &ArnParts, function_name: &str) -> String {
    let ArnParts {
        partition,
        region,
        account,
    } = where_;
    let log_group =
        format!("arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/{function_name}");
    let mut all = statements;
    all.push(json!({
        "Sid": "CreateItsLogGroup",
        "Effect": "Allow",
        "Action": "logs:CreateLogGroup",
        "Resource": [log_group.clone(), format!("{log_group}:*")]
    }));
    all.push(json!({
        "Sid": "WriteItsLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": format!("{log_group}:log-stream:*")
    }));
    json!({
        "Version": "2012-10-17",
        "Statement": all
    })
    .to_string()
}

// snippet-start:[rust.cross-service.trigger-deployment.CreateRole]
/// Creates a role that Lambda can assume (see [`trust_policy`]). It has no
/// permissions yet; give it some with [`put_role_policy`].
///
/// Lambda may refuse a brand-new role for a few seconds ("The role defined
/// for the function cannot be assumed by Lambda"): IAM changes take a moment
/// to reach every Region.
pub async fn create_role(
    client: &Client,
    role_name: &str,
    description: &str,
) -> Result<CreateRoleOutput, SdkError<CreateRoleError>> {
    client
        .create_role()
        .role_name(role_name)
        .assume_role_policy_document(trust_policy())
        .description(description)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.CreateRole]

// snippet-start:[rust.cross-service.trigger-deployment.PutRolePolicy]
/// Adds (or replaces) the role's inline policy `policy_name`. An inline
/// policy lives and dies with its role, and is deleted with
/// [`delete_role_policy`] before the role can be.
pub async fn put_role_policy(
    client: &Client,
    role_name: &str,
    policy_name: &str,
    policy_document: &str,
) -> Result<PutRolePolicyOutput, SdkError<PutRolePolicyError>> {
    client
        .put_role_policy()
        .role_name(role_name)
        .policy_name(policy_name)
        .policy_document(policy_document)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.PutRolePolicy]

// snippet-start:[rust.cross-service.trigger-deployment.DeleteRolePolicy]
/// Deletes one inline policy of a role.
pub async fn delete_role_policy(
    client: &Client,
    role_name: &str,
    policy_name: &str,
) -> Result<DeleteRolePolicyOutput, SdkError<DeleteRolePolicyError>> {
    client
        .delete_role_policy()
        .role_name(role_name)
        .policy_name(policy_name)
        .send()
        .await
}
// snippet-end:[rust.cross-service.trigger-deployment.DeleteRolePolicy]

// snippet-start:[rust.cross-service.trigger-deployment.DeleteRole]
/// Deletes a role. IAM refuses (`DeleteConflictException`) while the role
/// still has policies: delete those first.
pub async fn delete_role(
    client: &Client,
    role_name: &str,
) -> Result<DeleteRoleOutput, SdkError<DeleteRoleError>> {
    client.delete_role().role_name(role_name).send().await
}
// snippet-end:[rust.cross-service.trigger-deployment.DeleteRole]

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_clients::mock_iam;
    use aws_sdk_iam::types::Role;
    use aws_smithy_mocks::mock;

    const POLICY_NAME: &str = "read-known-users-and-write-logs";

    fn account() -> ArnParts {
        ArnParts::parse("arn:aws:dynamodb:eu-west-1:111122223333:table/known").unwrap()
    }

    #[test]
    fn only_lambda_may_assume_the_role() {
        let trust: Value = serde_json::from_str(&trust_policy()).unwrap();
        let statements = trust["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0]["Principal"],
            json!({"Service": "lambda.amazonaws.com"})
        );
        assert_eq!(statements[0]["Action"], "sts:AssumeRole");
    }

    #[test]
    fn the_policy_allows_one_read_on_one_table_and_the_functions_own_logs() {
        let table = "arn:aws:dynamodb:eu-west-1:111122223333:table/known";
        let policy: Value = serde_json::from_str(&function_policy(
            vec![allow("ReadKnownUsers", &["dynamodb:GetItem"], table)],
            &account(),
            "auto-confirm-1",
        ))
        .unwrap();
        let statements = policy["Statement"].as_array().unwrap();

        let actions: Vec<&str> = statements
            .iter()
            .flat_map(|s| match &s["Action"] {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            })
            .collect();
        assert_eq!(
            actions,
            [
                "dynamodb:GetItem",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ]
        );
        assert_eq!(statements[0]["Resource"], table);
        assert_eq!(statements[0]["Sid"], "ReadKnownUsers");
        let group = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/auto-confirm-1";
        assert_eq!(
            statements[1]["Resource"],
            json!([group, format!("{group}:*")])
        );
        assert_eq!(statements[2]["Resource"], format!("{group}:log-stream:*"));
        // No wildcard actions, no wildcard resources.
        let text = policy.to_string();
        assert!(!text.contains("\"*\"") && !text.contains(":*:*"), "{text}");
        assert!(statements.iter().all(|s| s["Effect"] == "Allow"));
    }

    #[tokio::test]
    async fn the_role_is_created_with_the_trust_policy() {
        let create = mock!(Client::create_role)
            .match_requests(|req| {
                req.role_name() == Some("auto-confirm-1")
                    && req.assume_role_policy_document() == Some(trust_policy().as_str())
                    && req.description() == Some("what the role is for")
            })
            .then_output(|| {
                CreateRoleOutput::builder()
                    .role(
                        Role::builder()
                            .path("/")
                            .role_name("auto-confirm-1")
                            .role_id("AROAEXAMPLE")
                            .arn("arn:aws:iam::111122223333:role/auto-confirm-1")
                            .create_date(aws_smithy_types::DateTime::from_secs(0))
                            .build()
                            .unwrap(),
                    )
                    .build()
            });
        let client = mock_iam(&[&create]);

        let created = create_role(&client, "auto-confirm-1", "what the role is for")
            .await
            .expect("created");

        assert_eq!(
            created.role().map(|role| role.arn()),
            Some("arn:aws:iam::111122223333:role/auto-confirm-1")
        );
    }

    #[tokio::test]
    async fn the_inline_policy_is_put_on_the_role_and_deleted_before_it() {
        let put = mock!(Client::put_role_policy)
            .match_requests(|req| {
                req.role_name() == Some("r")
                    && req.policy_name() == Some(POLICY_NAME)
                    && req.policy_document() == Some("{}")
            })
            .then_output(|| PutRolePolicyOutput::builder().build());
        let delete_policy = mock!(Client::delete_role_policy)
            .match_requests(|req| {
                req.role_name() == Some("r") && req.policy_name() == Some(POLICY_NAME)
            })
            .then_output(|| DeleteRolePolicyOutput::builder().build());
        let delete = mock!(Client::delete_role)
            .match_requests(|req| req.role_name() == Some("r"))
            .then_output(|| DeleteRoleOutput::builder().build());
        let client = mock_iam(&[&put, &delete_policy, &delete]);

        put_role_policy(&client, "r", POLICY_NAME, "{}")
            .await
            .expect("put");
        delete_role_policy(&client, "r", POLICY_NAME)
            .await
            .expect("deleted");
        delete_role(&client, "r").await.expect("deleted");

        assert_eq!(
            (
                put.num_calls(),
                delete_policy.num_calls(),
                delete.num_calls()
            ),
            (1, 1, 1)
        );
    }
}
