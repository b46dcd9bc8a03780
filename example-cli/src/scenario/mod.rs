//! What the guided scenarios share (feature `scenario`): questions to the
//! person at the terminal, Ctrl-C raced against every step, and why a
//! scenario stopped early.

mod ask;
mod interrupt;

pub use ask::Prompter;
pub use interrupt::Interrupt;

use std::process::ExitCode;

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

/// Says on stderr why a scenario stopped early, if it did: called before
/// its clean-up, so the reason comes before what the clean-up prints.
pub fn report(outcome: &Result<(), Stop>) {
    match outcome {
        Ok(()) => {}
        Err(Stop::Interrupted) => eprintln!("Interrupted."),
        Err(Stop::Failed(err)) => eprintln!("error: {err}"),
    }
}

/// A scenario's exit status: success only when every step and the clean-up
/// worked; 130 after Ctrl-C, the shell's convention for "ended by SIGINT".
pub fn exit_code(outcome: Result<(), Stop>, cleaned_up: bool) -> ExitCode {
    match outcome {
        Ok(()) if cleaned_up => {
            println!("\nDone.");
            ExitCode::SUCCESS
        }
        Ok(()) | Err(Stop::Failed(_)) => ExitCode::FAILURE,
        Err(Stop::Interrupted) => ExitCode::from(130),
    }
}
