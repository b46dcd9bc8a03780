//! Every error SES answers, by AWS error code and HTTP status, with SES's
//! wording where it is known (the source is named on each).

use crate::aws_query::QueryError;

/// `InvalidParameterValue` (400) for an address without `@domain`, in the
/// words SES uses ("Missing final '@domain'", quoted in Stack Overflow
/// question 21305454).
pub(crate) fn missing_domain() -> QueryError {
    QueryError::new(400, "InvalidParameterValue", "Missing final '@domain'")
}

/// `InvalidParameterValue` (400) for an address whose domain ends with a
/// dot (SES's wording, quoted in danilop/LambdAuth issue 55).
pub(crate) fn domain_ends_with_dot() -> QueryError {
    QueryError::new(400, "InvalidParameterValue", "Domain ends with dot")
}

/// `InvalidParameterValue` (400) for an address with nothing before `@` or
/// with white space or control characters in it.
pub(crate) fn illegal_address() -> QueryError {
    QueryError::new(400, "InvalidParameterValue", "Illegal address")
}

/// `InvalidParameterValue` (400): SendEmail without a single recipient (the
/// API reference: "The message must include at least one recipient email
/// address"). The wording is the one SES gives a raw message without
/// recipients; for SendEmail it is not documented.
pub(crate) fn no_recipients() -> QueryError {
    QueryError::new(
        400,
        "InvalidParameterValue",
        "Missing required header 'To'.",
    )
}

/// `InvalidParameterValue` (400): more than 50 recipients across To, Cc and
/// Bcc (the API reference's limit; SES's wording as quoted in
/// doubleunion/arooo issue 243).
pub(crate) fn too_many_recipients() -> QueryError {
    QueryError::new(400, "InvalidParameterValue", "Recipient count exceeds 50.")
}

/// `InvalidParameterValue` (400): a ListIdentities `NextToken` this
/// emulator did not hand out.
pub(crate) fn invalid_next_token() -> QueryError {
    QueryError::new(400, "InvalidParameterValue", "Invalid NextToken")
}

/// `MessageRejected` (400): the sender is not a verified identity. The
/// wording is the SES developer guide's ("Amazon SES email sending
/// errors"), the Region written in capitals as SES writes it (quoted in
/// danilop/LambdAuth issue 55).
pub(crate) fn not_verified(region: &str, identities: &[&str]) -> QueryError {
    QueryError::new(
        400,
        "MessageRejected",
        format!(
            "Email address is not verified. The following identities failed the check in region {}: {}",
            region.to_uppercase(),
            identities.join(", ")
        ),
    )
}
