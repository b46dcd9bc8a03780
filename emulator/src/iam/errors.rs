//! Every error IAM answers, by AWS error code and HTTP status, with IAM's wording.

use super::query::IamError;

/// `MissingAuthenticationToken` (403): the request is not signed.
pub(crate) fn missing_authentication_token() -> IamError {
    IamError::new(
        403,
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
}

/// `InternalFailure` (500): the emulator's own answer does not match the
/// service model (only checked in debug builds).
pub(crate) fn response_mismatch(action: &str, mismatch: &str) -> IamError {
    IamError::new(
        500,
        "InternalFailure",
        format!("the emulator's {action} response does not match the service model: {mismatch}"),
    )
}

/// `MalformedQueryString` (400): the body is not a form.
pub(crate) fn malformed_query_string() -> IamError {
    IamError::new(
        400,
        "MalformedQueryString",
        "The request body is not a valid form-encoded query string",
    )
}

/// `MissingAction` (400): the form has no `Action`.
pub(crate) fn missing_action() -> IamError {
    IamError::new(
        400,
        "MissingAction",
        "The request must contain the parameter Action",
    )
}

/// `InvalidAction` (400): no such operation in this API version.
pub(crate) fn invalid_action(action: &str, version: &str) -> IamError {
    IamError::new(
        400,
        "InvalidAction",
        format!("Could not find operation {action} for version {version}"),
    )
}

/// `ValidationError` (400): a member is missing or breaks a constraint.
pub(crate) fn validation(message: impl Into<String>) -> IamError {
    IamError::new(400, "ValidationError", message)
}

/// `NoSuchEntity` (404): no role of that name.
pub(crate) fn role_not_found(name: &str) -> IamError {
    IamError::new(
        404,
        "NoSuchEntity",
        format!("The role with name {name} cannot be found."),
    )
}

/// `NoSuchEntity` (404): no managed policy with that ARN.
pub(crate) fn policy_not_found(arn: &str) -> IamError {
    IamError::new(404, "NoSuchEntity", format!("Policy {arn} was not found."))
}

/// `NoSuchEntity` (404): the role has no inline policy of that name.
pub(crate) fn role_policy_not_found(name: &str) -> IamError {
    IamError::new(
        404,
        "NoSuchEntity",
        format!("The role policy with name {name} cannot be found."),
    )
}

/// `MalformedPolicyDocument` (400).
pub(crate) fn malformed_policy(message: &str) -> IamError {
    IamError::new(400, "MalformedPolicyDocument", message)
}

/// `InvalidInput` (400): two tags with the same key.
pub(crate) fn duplicate_tag_keys() -> IamError {
    IamError::new(
        400,
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
}

/// `InvalidInput` (400): a policy or permissions-boundary ARN that is not an ARN.
pub(crate) fn invalid_arn(arn: &str) -> IamError {
    IamError::new(400, "InvalidInput", format!("ARN {arn} is not valid."))
}

/// `EntityAlreadyExists` (409): CreateRole of a name that exists.
pub(crate) fn role_exists(name: &str) -> IamError {
    IamError::new(
        409,
        "EntityAlreadyExists",
        format!("Role with name {name} already exists."),
    )
}

/// `DeleteConflict` (409): DeleteRole of a role with managed policies attached.
pub(crate) fn role_has_attached_policies() -> IamError {
    IamError::new(
        409,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    )
}

/// `DeleteConflict` (409): DeleteRole of a role with inline policies.
pub(crate) fn role_has_inline_policies() -> IamError {
    IamError::new(
        409,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    )
}

/// `LimitExceeded` (409): more managed policies than a role may have.
pub(crate) fn too_many_attached_policies(quota: usize) -> IamError {
    IamError::new(
        409,
        "LimitExceeded",
        format!("Cannot exceed quota for PoliciesPerRole: {quota}"),
    )
}

/// `LimitExceeded` (409): a role's inline policies together are too large.
pub(crate) fn inline_policies_too_large(limit: usize, role: &str) -> IamError {
    IamError::new(
        409,
        "LimitExceeded",
        format!("Maximum policy size of {limit} bytes exceeded for role {role}"),
    )
}
