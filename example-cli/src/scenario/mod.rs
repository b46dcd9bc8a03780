//! What the guided scenarios share (feature `scenario`): questions to the
//! person at the terminal, Ctrl-C raced against every step, and why a
//! scenario stopped early.

mod ask;
mod interrupt;

pub use ask::Prompter;
pub use interrupt::Interrupt;

use aws_sdk_cognitoidentityprovider::error::SdkError;

use crate::ExampleError;

/// Why a scenario stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// Ctrl-C (or SIGINT, or Esc at a question).
    Interrupted,
    /// A step failed; the line says why.
    Failed(ExampleError),
}

impl From<ExampleError> for Stop {
    fn from(err: ExampleError) -> Self {
        Stop::Failed(err)
    }
}

impl<E, R> From<SdkError<E, R>> for Stop
where
    ExampleError: From<SdkError<E, R>>,
{
    fn from(err: SdkError<E, R>) -> Self {
        Stop::Failed(err.into())
    }
}
