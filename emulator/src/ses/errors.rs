//! Every error SES answers, by AWS error code and HTTP status, with SES's
//! wording where it is known (the source is named on each).

use super::query::SesError;

/// `MissingAuthenticationToken` (403): the request is not signed.
pub(crate) fn missing_authentication_token() -> SesError {
    SesError::new(
        403,
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
}

/// `InternalFailure` (500): the emulator's own answer does not match the
/// service model (only checked in debug builds).
pub(crate) fn response_mismatch(action: &str, mismatch: &str) -> SesError {
    SesError::new(
        500,
        "InternalFailure",
        format!("the emulator's {action} response does not match the service model: {mismatch}"),
    )
}

/// `MalformedQueryString` (400): the body is not a form (Common Errors).
pub(crate) fn malformed_query_string() -> SesError {
    SesError::new(
        400,
        "MalformedQueryString",
        "The request body is not a valid form-encoded query string",
    )
}

/// `MissingAction` (400): the form has no `Action` (Common Errors).
pub(crate) fn missing_action() -> SesError {
    SesError::new(
        400,
        "MissingAction",
        "The request must contain the parameter Action",
    )
}

/// `InvalidAction` (400): no such operation in this API version.
pub(crate) fn invalid_action(action: &str, version: &str) -> SesError {
    SesError::new(
        400,
        "InvalidAction",
        format!("Could not find operation {action} for version {version}"),
    )
}

/// `ValidationError` (400): a required member is missing or a value breaks
/// the model's constraints (Common Errors).
pub(crate) fn validation(message: impl Into<String>) -> SesError {
    SesError::new(400, "ValidationError", message)
}

/// `InvalidParameterValue` (400) for an address without `@domain`, in the
/// words SES uses ("Missing final '@domain'", quoted in Stack Overflow
/// question 21305454).
pub(crate) fn missing_domain() -> SesError {
    SesError::new(400, "InvalidParameterValue", "Missing final '@domain'")
}

/// `InvalidParameterValue` (400) for an address whose domain ends with a
/// dot (SES's wording, quoted in danilop/LambdAuth issue 55).
pub(crate) fn domain_ends_with_dot() -> SesError {
    SesError::new(400, "InvalidParameterValue", "Domain ends with dot")
}

/// `InvalidParameterValue` (400) for an address with nothing before `@` or
/// with white space or control characters in it.
pub(crate) fn illegal_address() -> SesError {
    SesError::new(400, "InvalidParameterValue", "Illegal address")
}

/// `InvalidParameterValue` (400): SendEmail without a single recipient (the
/// API reference: "The message must include at least one recipient email
/// address"). The wording is the one SES gives a raw message without
/// recipients; for SendEmail it is not documented.
pub(crate) fn no_recipients() -> SesError {
    SesError::new(
        400,
        "InvalidParameterValue",
        "Missing required header 'To'.",
    )
}

/// `InvalidParameterValue` (400): more than 50 recipients across To, Cc and
/// Bcc (the API reference's limit; SES's wording as quoted in
/// doubleunion/arooo issue 243).
pub(crate) fn too_many_recipients() -> SesError {
    SesError::new(400, "InvalidParameterValue", "Recipient count exceeds 50.")
}

/// `InvalidParameterValue` (400): a ListIdentities `NextToken` this
/// emulator did not hand out.
pub(crate) fn invalid_next_token() -> SesError {
    SesError::new(400, "InvalidParameterValue", "Invalid NextToken")
}

/// `MessageRejected` (400): the sender is not a verified identity. The
/// wording is the SES developer guide's ("Amazon SES email sending
/// errors"), the Region written in capitals as SES writes it (quoted in
/// danilop/LambdAuth issue 55).
pub(crate) fn not_verified(region: &str, identities: &[&str]) -> SesError {
    SesError::new(
        400,
        "MessageRejected",
        format!(
            "Email address is not verified. The following identities failed the check in region {}: {}",
            region.to_uppercase(),
            identities.join(", ")
        ),
    )
}
