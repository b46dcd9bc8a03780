//! Every error DynamoDB answers, by AWS error code, with DynamoDB's wording.
//! (A body it cannot read is the protocol's `SerializationException`,
//! [`crate::aws_json::serialization`].)

use crate::aws_json::ServiceError;

/// `ValidationException` with this message.
pub(crate) fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", message)
}

/// `ValidationException: One or more parameter values were invalid: ...`
pub(crate) fn invalid(message: impl std::fmt::Display) -> ServiceError {
    validation(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

/// `ValidationException`: an update expression names an attribute the item lacks.
pub(crate) fn missing_attribute() -> ServiceError {
    validation("The provided expression refers to an attribute that does not exist in the item")
}

/// `ValidationException`: an update expression's operand has the wrong type.
pub(crate) fn wrong_operand_type() -> ServiceError {
    validation("An operand in the update expression has an incorrect data type")
}

/// `ValidationException`: an update expression's document path does not fit the item.
pub(crate) fn invalid_update_path() -> ServiceError {
    validation("The document path provided in the update expression is invalid for update")
}

/// `ResourceNotFoundException` for a data-plane call (no table name in it).
pub(crate) fn resource_not_found() -> ServiceError {
    ServiceError::new("ResourceNotFoundException", "Requested resource not found")
}

/// `ResourceNotFoundException` naming the table (DescribeTable, DeleteTable).
pub(crate) fn table_not_found(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Requested resource not found: Table: {name} not found"),
    )
}

/// `ResourceInUseException`: CreateTable of a name that exists.
pub(crate) fn table_exists(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceInUseException",
        format!("Table already exists: {name}"),
    )
}

/// `ResourceInUseException`: DeleteTable of a table still being created.
pub(crate) fn table_being_created(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceInUseException",
        format!(
            "Attempt to change a resource which is still in use: Table is being created: {name}"
        ),
    )
}

/// `ConditionalCheckFailedException` (without the old item: the error
/// format carries only a code and a message).
pub(crate) fn condition_failed() -> ServiceError {
    ServiceError::new(
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
}
