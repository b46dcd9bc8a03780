use std::error::Error;
use std::fmt;

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A failure an example reports to its user: always a single line.
///
/// For a service error that line is the error code and the service's message
/// (`UserNotFoundException: User does not exist.`), which is what a user
/// needs to act on. Anything else (no network, no credentials) is described
/// with the SDK's full context via `DisplayErrorContext`, folded onto one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleError {
    line: String,
    code: Option<String>,
}

impl ExampleError {
    /// An error of the example's own, such as input it refuses.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            line: one_line(&message.into()),
            code: None,
        }
    }

    /// The service's error code, such as `CodeMismatchException`, when the
    /// service answered with one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

impl fmt::Display for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl Error for ExampleError {}

impl<E, R> From<SdkError<E, R>> for ExampleError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        if let SdkError::ServiceError(service_err) = &err {
            let source = service_err.err();
            return match source.code() {
                Some(code) => Self {
                    line: one_line(&format!(
                        "{code}: {}",
                        source.message().unwrap_or("(no message)")
                    )),
                    code: Some(code.to_string()),
                },
                // A modeled error always displays as "Name: message".
                None => Self::new(source.to_string()),
            };
        }
        Self::new(DisplayErrorContext(&err).to_string())
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserError;
    use aws_sdk_cognitoidentityprovider::types::error::UserNotFoundException;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    #[test]
    fn service_error_becomes_code_and_message() {
        let err = SdkError::service_error(
            GetUserError::UserNotFoundException(
                UserNotFoundException::builder()
                    .message("User does not exist.")
                    .meta(
                        aws_smithy_types::error::ErrorMetadata::builder()
                            .code("UserNotFoundException")
                            .message("User does not exist.")
                            .build(),
                    )
                    .build(),
            ),
            Response::new(StatusCode::try_from(400).unwrap(), SdkBody::empty()),
        );
        let err = ExampleError::from(err);
        assert_eq!(
            err.to_string(),
            "UserNotFoundException: User does not exist."
        );
        assert_eq!(err.code(), Some("UserNotFoundException"));
    }

    #[test]
    fn own_errors_are_folded_onto_one_line() {
        let err = ExampleError::new("first\nsecond   third");
        assert_eq!(err.to_string(), "first second third");
        assert_eq!(err.code(), None);
    }
}
