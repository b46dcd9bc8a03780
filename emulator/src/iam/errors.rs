//! Every error IAM answers, by AWS error code and HTTP status, with IAM's wording.

use crate::aws_query::QueryError;

/// `NoSuchEntity` (404): no role of that name.
pub(crate) fn role_not_found(name: &str) -> QueryError {
    QueryError::new(
        404,
        "NoSuchEntity",
        format!("The role with name {name} cannot be found."),
    )
}

/// `NoSuchEntity` (404): no managed policy with that ARN.
pub(crate) fn policy_not_found(arn: &str) -> QueryError {
    QueryError::new(404, "NoSuchEntity", format!("Policy {arn} was not found."))
}

/// `NoSuchEntity` (404): the role has no inline policy of that name.
pub(crate) fn role_policy_not_found(name: &str) -> QueryError {
    QueryError::new(
        404,
        "NoSuchEntity",
        format!("The role policy with name {name} cannot be found."),
    )
}

/// `MalformedPolicyDocument` (400).
pub(crate) fn malformed_policy(message: &str) -> QueryError {
    QueryError::new(400, "MalformedPolicyDocument", message)
}

/// `InvalidInput` (400): two tags with the same key.
pub(crate) fn duplicate_tag_keys() -> QueryError {
    QueryError::new(
        400,
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
}

/// `InvalidInput` (400): a policy or permissions-boundary ARN that is not an ARN.
pub(crate) fn invalid_arn(arn: &str) -> QueryError {
    QueryError::new(400, "InvalidInput", format!("ARN {arn} is not valid."))
}

/// `EntityAlreadyExists` (409): CreateRole of a name that exists.
pub(crate) fn role_exists(name: &str) -> QueryError {
    QueryError::new(
        409,
        "EntityAlreadyExists",
        format!("Role with name {name} already exists."),
    )
}

/// `DeleteConflict` (409): DeleteRole of a role with managed policies attached.
pub(crate) fn role_has_attached_policies() -> QueryError {
    QueryError::new(
        409,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    )
}

/// `DeleteConflict` (409): DeleteRole of a role with inline policies.
pub(crate) fn role_has_inline_policies() -> QueryError {
    QueryError::new(
        409,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    )
}

/// `LimitExceeded` (409): more managed policies than a role may have.
pub(crate) fn too_many_attached_policies(quota: usize) -> QueryError {
    QueryError::new(
        409,
        "LimitExceeded",
        format!("Cannot exceed quota for PoliciesPerRole: {quota}"),
    )
}

/// `LimitExceeded` (409): a role's inline policies together are too large.
pub(crate) fn inline_policies_too_large(limit: usize, role: &str) -> QueryError {
    QueryError::new(
        409,
        "LimitExceeded",
        format!("Maximum policy size of {limit} bytes exceeded for role {role}"),
    )
}
