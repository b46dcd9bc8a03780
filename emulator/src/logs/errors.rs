//! Every error CloudWatch Logs answers, by AWS error code, with its wording.
//! (It answers a body it cannot read with `InvalidParameterException` too.)

use crate::aws_json::ServiceError;

/// `InvalidParameterException` with this message.
pub(crate) fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterException", message)
}

/// `ResourceNotFoundException`: no log group of that name.
pub(crate) fn group_not_found() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

/// `ResourceNotFoundException`: no log stream of that name in the group.
pub(crate) fn stream_not_found() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
}

/// `ResourceAlreadyExistsException`: CreateLogGroup of a name that exists.
pub(crate) fn group_exists() -> ServiceError {
    ServiceError::new(
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )
}

/// `ResourceAlreadyExistsException`: CreateLogStream of a name that exists.
pub(crate) fn stream_exists() -> ServiceError {
    ServiceError::new(
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
}
