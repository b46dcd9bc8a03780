//! Questions to the person at the terminal, asked with `inquire`.
//!
//! inquire blocks while it waits for keys, so each question runs on a
//! blocking thread and is raced against Ctrl-C like every other step. While
//! a question is on screen the terminal is in raw mode and Ctrl-C reaches
//! inquire as a key, which answers `InquireError::OperationInterrupted`;
//! a SIGINT sent from elsewhere (`kill -INT`) arrives as a signal instead.
//! Both stop the scenario the same way.

use inquire::error::InquireResult;
use inquire::validator::Validation;
use inquire::{Confirm, InquireError, Password, PasswordDisplayMode, Select, Text};

use super::Stop;
use super::interrupt::Interrupt;
use crate::ExampleError;

/// Asks the person at the terminal.
pub struct Prompter {
    interrupt: Interrupt,
}

impl Prompter {
    pub fn new(interrupt: Interrupt) -> Self {
        Self { interrupt }
    }

    /// One of `options`; returns its index.
    pub async fn select(
        &self,
        message: &str,
        options: Vec<String>,
        help: &str,
    ) -> Result<usize, Stop> {
        let (message, help) = (message.to_string(), help.to_string());
        self.ask(move || {
            Select::new(&message, options)
                .with_help_message(&help)
                .raw_prompt()
                .map(|chosen| chosen.index)
        })
        .await
    }

    /// A line of text, checked by `check`; Enter accepts `default`, if any.
    pub async fn text(
        &self,
        message: &str,
        default: Option<String>,
        help: &str,
        check: fn(&str) -> Result<(), String>,
    ) -> Result<String, Stop> {
        let (message, help) = (message.to_string(), help.to_string());
        self.ask(move || {
            let mut prompt =
                Text::new(&message)
                    .with_help_message(&help)
                    .with_validator(move |answer: &str| {
                        Ok(match check(answer.trim()) {
                            Ok(()) => Validation::Valid,
                            Err(problem) => Validation::Invalid(problem.into()),
                        })
                    });
            if let Some(default) = &default {
                prompt = prompt.with_default(default);
            }
            prompt.prompt().map(|answer| answer.trim().to_string())
        })
        .await
    }

    /// A password, typed twice and never shown.
    pub async fn password(&self, help: &str) -> Result<String, Stop> {
        let help = help.to_string();
        self.ask(move || {
            Password::new("Password:")
                .with_display_mode(PasswordDisplayMode::Hidden)
                .with_custom_confirmation_message("Password again:")
                .with_custom_confirmation_error_message("The two passwords differ; try again.")
                .with_help_message(&help)
                .with_validator(|answer: &str| {
                    Ok(if answer.is_empty() {
                        Validation::Invalid("Type a password.".into())
                    } else {
                        Validation::Valid
                    })
                })
                .prompt()
        })
        .await
    }

    /// Yes or no, with a default that Enter accepts.
    pub async fn confirm(&self, message: &str, default: bool) -> Result<bool, Stop> {
        let message = message.to_string();
        self.ask(move || Confirm::new(&message).with_default(default).prompt())
            .await
    }

    async fn ask<T: Send + 'static>(
        &self,
        prompt: impl FnOnce() -> InquireResult<T> + Send + 'static,
    ) -> Result<T, Stop> {
        match self
            .interrupt
            .race(tokio::task::spawn_blocking(prompt))
            .await
        {
            Ok(Ok(Ok(answer))) => Ok(answer),
            Ok(Ok(Err(err))) => Err(stop_for(err)),
            Ok(Err(panicked)) => Err(Stop::Failed(ExampleError::new(format!(
                "The question failed: {panicked}"
            )))),
            Err(stop) => {
                // A signal came while the question was on screen: its thread
                // still waits for a key with the terminal in raw mode, so
                // give the terminal back before printing anything more.
                let _ = crossterm::terminal::disable_raw_mode();
                println!();
                Err(stop)
            }
        }
    }
}

/// What an inquire error means for the scenario.
fn stop_for(err: InquireError) -> Stop {
    match err {
        // Ctrl-C (interrupted) or Esc (canceled) at a question.
        InquireError::OperationInterrupted | InquireError::OperationCanceled => Stop::Interrupted,
        InquireError::NotTTY => Stop::Failed(ExampleError::new(
            "There is no terminal to ask questions on: run with --non-interactive \
             and give the answers as flags (see --help).",
        )),
        other => Stop::Failed(ExampleError::new(format!(
            "Cannot ask the question: {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_and_esc_at_a_question_stop_the_scenario() {
        assert!(matches!(
            stop_for(InquireError::OperationInterrupted),
            Stop::Interrupted
        ));
        assert!(matches!(
            stop_for(InquireError::OperationCanceled),
            Stop::Interrupted
        ));
    }

    #[test]
    fn no_terminal_says_what_to_do_instead() {
        let Stop::Failed(err) = stop_for(InquireError::NotTTY) else {
            panic!("not a failure");
        };
        assert!(err.to_string().contains("--non-interactive"), "{err}");
    }
}
