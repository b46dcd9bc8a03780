//! Ctrl-C, raced against each step of a scenario.
//!
//! A step that only reads, waits or signs in is simply dropped when Ctrl-C
//! comes first. A call that *creates* something (a pool, a user, a table, a
//! function) is allowed to finish, so the scenario knows what it has to clean
//! up; the interruption is acted on right after it.
//!
//! Cleaning up is not raced against that first Ctrl-C (cleaning up is what
//! it asks for), but a second Ctrl-C can stop the cleanup too, for when the
//! network hangs ([`Interrupt::race_beyond`]).

use std::future::Future;

use tokio::sync::watch;

use super::Stop;

/// How many times Ctrl-C was pressed (or SIGINT received), watched from anywhere.
#[derive(Clone)]
pub struct Interrupt {
    presses: watch::Receiver<u32>,
}

impl Interrupt {
    /// Starts listening for Ctrl-C for the rest of the program's life.
    ///
    /// Presses are counted, never forgotten, so an interruption that lands
    /// between two steps is not lost.
    pub fn listen() -> Self {
        let (sender, presses) = watch::channel(0);
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                sender.send_modify(|presses| *presses += 1);
            }
        });
        Self { presses }
    }

    /// How many times Ctrl-C has been pressed so far.
    pub fn presses(&self) -> u32 {
        *self.presses.borrow()
    }

    /// Whether Ctrl-C has been pressed.
    pub fn raised(&self) -> bool {
        self.presses() > 0
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
        self.race_beyond(0, work).await
    }

    /// Like [`Interrupt::race`], for Ctrl-C pressed more than `presses` times.
    pub async fn race_beyond<F: Future>(&self, presses: u32, work: F) -> Result<F::Output, Stop> {
        let mut watched = self.presses.clone();
        tokio::select! {
            biased;
            // If the listener could not be installed the sender is gone and
            // this branch is disabled: the scenario then just runs to the end.
            Ok(_) = watched.wait_for(|&pressed| pressed > presses) => Err(Stop::Interrupted),
            output = work => Ok(output),
        }
    }
}
