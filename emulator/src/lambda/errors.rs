//! Every error the Lambda API answers, by AWS error code, with the HTTP
//! status Lambda gives that code and Lambda's wording.

use crate::aws_json::ServiceError;

fn error(status: u16, code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError {
        status,
        code,
        message: message.into(),
    }
}

/// `ValidationException` (400): one member breaks a constraint.
pub(crate) fn validation(
    member: &str,
    value: impl std::fmt::Display,
    constraint: &str,
) -> ServiceError {
    error(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// `ValidationException` (400): a required member is missing.
pub(crate) fn missing(member: &str) -> ServiceError {
    error(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// `ValidationException` (400): an environment variable's name breaks the pattern.
pub(crate) fn invalid_variable_name(key: &str) -> ServiceError {
    error(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+] (key '{key}')"
        ),
    )
}

/// `InvalidParameterValueException` (400).
pub(crate) fn invalid_value(message: impl Into<String>) -> ServiceError {
    error(400, "InvalidParameterValueException", message)
}

/// `InvalidRequestContentException` (400): the body cannot be read.
pub(crate) fn bad_content(message: impl Into<String>) -> ServiceError {
    error(400, "InvalidRequestContentException", message)
}

/// `UnknownOperationException` (400): no Lambda operation has this method and path.
pub(crate) fn unknown_operation(method: &str, path: &str) -> ServiceError {
    error(
        400,
        "UnknownOperationException",
        format!("No Lambda operation for {method} {path}"),
    )
}

/// `ResourceNotFoundException` (404): no such function (or version).
pub(crate) fn function_not_found(reference: &str) -> ServiceError {
    error(
        404,
        "ResourceNotFoundException",
        format!("Function not found: {reference}"),
    )
}

/// `ResourceNotFoundException` (404): the function has no resource policy.
pub(crate) fn no_policy() -> ServiceError {
    error(
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )
}

/// `ResourceNotFoundException` (404): no statement with this id in the policy.
pub(crate) fn statement_not_found(sid: &str) -> ServiceError {
    error(
        404,
        "ResourceNotFoundException",
        format!("Statement {sid} is not found in resource policy."),
    )
}

/// `ResourceConflictException` (409): CreateFunction of a name that exists.
pub(crate) fn function_exists(name: &str) -> ServiceError {
    error(
        409,
        "ResourceConflictException",
        format!("Function already exist: {name}"),
    )
}

/// `ResourceConflictException` (409): the function is not Active yet.
pub(crate) fn function_pending() -> ServiceError {
    error(
        409,
        "ResourceConflictException",
        "The operation cannot be performed at this time. The function is currently in the following state: Pending",
    )
}

/// `ResourceConflictException` (409): AddPermission with a statement id in use.
pub(crate) fn statement_exists(sid: &str) -> ServiceError {
    error(
        409,
        "ResourceConflictException",
        format!(
            "The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
        ),
    )
}

/// `PreconditionFailedException` (412): a stale `RevisionId`.
pub(crate) fn revision_mismatch() -> ServiceError {
    error(
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
}

/// `RequestEntityTooLargeException` (413): a CreateFunction request over `limit` bytes.
pub(crate) fn create_request_too_large(limit: usize) -> ServiceError {
    error(
        413,
        "RequestEntityTooLargeException",
        format!("Request must be smaller than {limit} bytes for the CreateFunction operation"),
    )
}

/// `RequestEntityTooLargeException` (413): a zip over `limit` bytes.
pub(crate) fn zip_too_large(size: usize, limit: usize) -> ServiceError {
    error(
        413,
        "RequestEntityTooLargeException",
        format!("Zipped file size ({size} bytes) exceeds the maximum of {limit} bytes"),
    )
}

/// `RequestTooLargeException` (413): an Invoke payload over `limit` bytes.
pub(crate) fn payload_too_large(limit: usize) -> ServiceError {
    error(
        413,
        "RequestTooLargeException",
        format!("Request must be smaller than {limit} bytes for the InvokeFunction operation"),
    )
}

/// `TooManyRequestsException` (429): the function is at its concurrency limit.
pub(crate) fn too_many_requests() -> ServiceError {
    error(429, "TooManyRequestsException", "Rate Exceeded.")
}

/// `ServiceException` (500): the emulator failed.
pub(crate) fn service(message: impl Into<String>) -> ServiceError {
    error(500, "ServiceException", message)
}

/// `ServiceException` (500): the emulator is stopping.
pub(crate) fn shutting_down() -> ServiceError {
    service("The emulator is shutting down.")
}
