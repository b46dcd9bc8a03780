use std::error::Error;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::result::ConnectorError;

use crate::connection::{self, Connection};

/// A failure an example reports to its user: always a single line.
///
/// For a service error that line is the error code and the service's message
/// (`UserNotFoundException: User does not exist.`), which is what a user
/// needs to act on. The SDK's own failures that newcomers meet first (no
/// credentials, an endpoint that does not answer, an expired SSO session, no
/// Region) say what to do; anything else is described with the SDK's full
/// context via `DisplayErrorContext`, folded onto one line.
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
        match newcomer_line(&err, &connection::current()) {
            Some(line) => Self::new(line),
            None => Self::new(DisplayErrorContext(&err).to_string()),
        }
    }
}

/// What the SDK failed at before any service answered, for the mistakes
/// people make first (no credentials, no emulator running, an expired SSO
/// session, no Region), as one line that says what to do. `None` for
/// anything else, which is then described by the SDK's own context.
///
/// Classified by the errors' types where the SDK exposes them; the expired
/// SSO token is the exception: aws-config keeps its type private, so its
/// (short, stable) message is what identifies it.
fn newcomer_line<E, R>(err: &SdkError<E, R>, connection: &Connection) -> Option<String>
where
    E: Error + 'static,
    R: fmt::Debug,
{
    let source: &(dyn Error + 'static) = match err {
        SdkError::DispatchFailure(failure) => {
            let connector = failure.as_connector_error()?;
            if connector.is_io() || connector.is_timeout() {
                return Some(unreachable_line(connector, connection));
            }
            connector
        }
        SdkError::ConstructionFailure(_) => err.source()?,
        _ => return None,
    };
    if let Some(credentials) = find::<CredentialsError>(source) {
        return Some(credentials_line(credentials, connection));
    }
    missing_region(source).then(|| {
        "No AWS Region is set: pass --region (such as --region us-east-1) or set AWS_REGION."
            .to_string()
    })
}

/// Whether the SDK stopped for want of a Region: without `AWS_ENDPOINT_URL`
/// the endpoint rules cannot pick an endpoint, with it the request cannot be
/// signed. Told by the messages, which are stable: the endpoint error's type
/// is one the generated client takes from `aws-smithy-http`, not the public
/// `ResolveEndpointError`, and the signing error's lives in `aws-runtime`.
fn missing_region(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        let message = err.to_string();
        // The endpoint rules' words, and SigV4's.
        if message.contains("Missing Region") || message == "missing signing region" {
            return true;
        }
        current = err.source();
    }
    false
}

fn unreachable_line(connector: &ConnectorError, connection: &Connection) -> String {
    let why = match find::<std::io::Error>(connector) {
        Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_string()
        }
        Some(io) => io.kind().to_string(),
        None if connector.is_timeout() => "timed out".to_string(),
        None => innermost(connector).to_string(),
    };
    match &connection.endpoint_url {
        Some(url) => format!(
            "Cannot reach {url} ({why}): is the emulator running at that address? \
             Start it with `cargo run -p emulator`, or unset AWS_ENDPOINT_URL to use AWS."
        ),
        None => format!(
            "Cannot reach AWS in Region {} ({why}): check your network connection \
             (RUST_LOG=debug shows the details).",
            connection.region.as_deref().unwrap_or("(none)")
        ),
    }
}

fn credentials_line(err: &CredentialsError, connection: &Connection) -> String {
    let program = &connection.program;
    let offline =
        format!("to try it offline instead, run `cargo run -p emulator -- cargo run -p {program}`");
    let reason = innermost(err).to_string();
    if reason.contains("SSO token has expired") || reason.contains("cached SSO token") {
        return format!(
            "Your AWS SSO session has expired or you have not signed in: run `aws sso login` \
             (with --profile if you use one), then try again; {offline}."
        );
    }
    match err {
        CredentialsError::CredentialsNotLoaded(_) => format!(
            "No AWS credentials found: {offline}, or configure a profile \
             (`aws configure`, or `aws configure sso`) or set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY."
        ),
        _ => format!("Cannot load AWS credentials ({reason}): check your profile; {offline}."),
    }
}

/// The first error of type `T` in `err`'s chain of sources, `err` included.
fn find<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

/// The last error in `err`'s chain of sources: usually the one that says why.
fn innermost<'a>(err: &'a (dyn Error + 'static)) -> &'a (dyn Error + 'static) {
    let mut current = err;
    while let Some(source) = current.source() {
        current = source;
    }
    current
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

    type AnySdkError = SdkError<GetUserError, Response>;

    fn emulator_at(url: &str) -> Connection {
        Connection {
            endpoint_url: Some(url.to_string()),
            region: Some("us-east-1".to_string()),
            program: "hello".to_string(),
        }
    }

    fn line(err: AnySdkError, connection: &Connection) -> String {
        newcomer_line(&err, connection).expect("a newcomer's line")
    }

    #[test]
    fn a_refused_connection_names_the_endpoint_and_the_emulator() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err = SdkError::dispatch_failure(ConnectorError::io(refused.into()));

        assert_eq!(
            line(err, &emulator_at("http://127.0.0.1:4566")),
            "Cannot reach http://127.0.0.1:4566 (connection refused): is the emulator running \
             at that address? Start it with `cargo run -p emulator`, or unset AWS_ENDPOINT_URL \
             to use AWS."
        );
    }

    #[test]
    fn no_credentials_says_how_to_run_offline_or_configure_a_profile() {
        let chain_found_none =
            CredentialsError::not_loaded("no providers in chain provided credentials");
        let err = SdkError::dispatch_failure(ConnectorError::other(chain_found_none.into(), None));
        let connection = Connection {
            program: "list-users".to_string(),
            ..Connection::default()
        };

        let line = line(err, &connection);

        assert!(line.starts_with("No AWS credentials found: "), "{line}");
        assert!(
            line.contains("`cargo run -p emulator -- cargo run -p list-users`"),
            "{line}"
        );
        assert!(line.contains("`aws configure`"), "{line}");
    }

    #[test]
    fn an_expired_sso_token_says_aws_sso_login() {
        // The message aws-config gives an expired SSO token it cannot refresh.
        let expired =
            CredentialsError::provider_error("the SSO token has expired and cannot be refreshed");
        let err = SdkError::dispatch_failure(ConnectorError::other(expired.into(), None));

        let line = line(err, &Connection::default());

        assert!(line.contains("run `aws sso login`"), "{line}");
    }

    #[test]
    fn a_missing_region_says_pass_region() {
        let expected =
            "No AWS Region is set: pass --region (such as --region us-east-1) or set AWS_REGION.";
        // Without an endpoint URL: the endpoint rules' error, as the client
        // reports it (a dispatch failure around the rules' message).
        let rules: Box<dyn Error + Send + Sync> =
            "Invalid Configuration: Missing Region".to_string().into();
        let err = SdkError::dispatch_failure(ConnectorError::other(rules, None));
        assert_eq!(line(err, &Connection::default()), expected);
        // With one: SigV4 has no Region to sign for.
        let signing: Box<dyn Error + Send + Sync> = "missing signing region".to_string().into();
        let err = SdkError::dispatch_failure(ConnectorError::other(signing, None));
        assert_eq!(line(err, &emulator_at("http://127.0.0.1:4566")), expected);
    }

    #[test]
    fn other_sdk_failures_keep_the_sdks_own_context() {
        let err: AnySdkError = SdkError::timeout_error("took too long");
        assert_eq!(newcomer_line(&err, &Connection::default()), None);
        let err: AnySdkError = SdkError::timeout_error("took too long");
        assert!(
            ExampleError::from(err)
                .to_string()
                .contains("took too long")
        );
    }

    #[test]
    fn own_errors_are_folded_onto_one_line() {
        let err = ExampleError::new("first\nsecond   third");
        assert_eq!(err.to_string(), "first second third");
        assert_eq!(err.code(), None);
    }
}
