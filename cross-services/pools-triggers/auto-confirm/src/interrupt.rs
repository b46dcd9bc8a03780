//! Ctrl-C, raced against each step of the scenario.
//!
//! A step that only reads, waits or signs in is dropped when Ctrl-C comes
//! first. A call that *creates* something (a table, a role, a function, a
//! pool, a user) is allowed to finish, so the scenario knows what it has to
//! remove; the interruption is acted on right after it.

use std::future::Future;

use tokio::sync::watch;

use crate::Stop;

/// Whether Ctrl-C was pressed (or SIGINT received), watched from anywhere.
#[derive(Clone)]
pub struct Interrupt {
    raised: watch::Receiver<bool>,
}

impl Interrupt {
    /// Starts listening for Ctrl-C for the rest of the program's life. The
    /// flag stays raised once set, so an interruption that lands between two
    /// steps is not lost.
    pub fn listen() -> Self {
        let (sender, raised) = watch::channel(false);
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                sender.send_replace(true);
            }
        });
        Self { raised }
    }

    /// Whether Ctrl-C has been pressed.
    pub fn raised(&self) -> bool {
        *self.raised.borrow()
    }

    /// Fails with [`Stop::Interrupted`] if Ctrl-C has been pressed.
    pub fn check(&self) -> Result<(), Stop> {
        if self.raised() {
            Err(Stop::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Runs `work` unless Ctrl-C comes first; then `work` is dropped (a
    /// request in flight is abandoned) and the answer is [`Stop::Interrupted`].
    pub async fn race<F: Future>(&self, work: F) -> Result<F::Output, Stop> {
        let mut raised = self.raised.clone();
        tokio::select! {
            biased;
            // If the listener could not be installed the sender is gone and
            // this branch is disabled: the scenario then just runs to the end.
            Ok(_) = raised.wait_for(|raised| *raised) => Err(Stop::Interrupted),
            output = work => Ok(output),
        }
    }
}
