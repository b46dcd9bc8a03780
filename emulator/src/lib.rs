//! A local emulator of Amazon Cognito user pools, speaking the real AWS wire
//! protocols so that unmodified AWS SDK clients work against it.
//!
//! Start one from a test, point an SDK client at [`Emulator::endpoint`], and
//! read the messages Cognito would have sent with [`Emulator::outbox`]:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emulator = emulator::Emulator::start(emulator::Config::default()).await?;
//! println!("{}", emulator.endpoint()); // http://127.0.0.1:PORT
//! // ... run SDK calls with endpoint_url(emulator.endpoint()) ...
//! let codes = emulator.outbox();
//! emulator.stop().await;
//! # let _ = codes; Ok(()) }
//! ```
//!
//! Every emulator has its own state: several may run in one process. By
//! default it is in memory only; with [`Config::state_dir`] it is kept in
//! a folder and survives restarts (see [`persist`]).

pub mod aws_json;
mod aws_query;
pub mod clock;
pub mod cognito;
pub mod dynamodb;
pub mod iam;
pub mod lambda;
pub mod logs;
pub mod outbox;
pub mod persist;
mod server;
pub mod ses;
pub mod validation;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use outbox::{DeliveryMedium, OutboxMessage};

/// A random (version 4) UUID for request ids, user `sub`s, token ids and the
/// like. Its bytes come from the thread's CSPRNG (`rand::thread_rng`, seeded
/// from the operating system): `Uuid::new_v4` asks the kernel for every one,
/// a system call each, and a signed-in auth cycle makes eight of them.
pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

/// Hands memory freed by a large deletion (a pool and its users) back to the
/// system. glibc's malloc keeps freed memory in its per-thread arenas: without
/// this, an emulator that once held half a million users stays at hundreds of
/// MB resident after their pool is deleted. Elsewhere this does nothing.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it takes the allocator's
    // own locks and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Where the emulator listens and the identity it reports in ARNs and token issuers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Interface to bind, `127.0.0.1` by default.
    pub host: String,
    /// Port to bind; `0` (the library default) picks a free one.
    pub port: u16,
    /// AWS Region in pool ids, ARNs and device keys (`us-east-1`).
    pub region: String,
    /// Account id in ARNs (`000000000000`).
    pub account_id: String,
    /// A folder to keep every service's state in, across restarts; `None`
    /// (the default) keeps it in memory only.
    pub state_dir: Option<PathBuf>,
    /// With a state folder: also flush every commit to the disk, so that
    /// what was answered survives a power cut, not only the emulator
    /// being killed.
    pub fsync: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".to_owned(),
            port: 0,
            region: "us-east-1".to_owned(),
            account_id: "000000000000".to_owned(),
            state_dir: None,
            fsync: false,
        }
    }
}

/// A running emulator. Dropping it stops it too; [`Emulator::stop`] also waits
/// until the server has shut down.
pub struct Emulator {
    address: SocketAddr,
    endpoint: String,
    state: Arc<server::AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.host:config.port` and starts serving in the background
    /// of the current Tokio runtime. Ready to serve when this returns.
    ///
    /// With `config.state_dir`, the folder is locked, and every service
    /// starts with what it held when the folder was last used. The error
    /// then also says why the folder could not be used (in use by another
    /// emulator, written by a newer one, a record that cannot be read).
    pub async fn start(config: Config) -> io::Result<Emulator> {
        let (journal, records) = match &config.state_dir {
            Some(dir) => {
                let (store, records) =
                    persist::Store::open(dir, config.fsync).map_err(io::Error::other)?;
                (persist::Journal::durable(store), records)
            }
            None => (persist::Journal::memory(), Vec::new()),
        };
        let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("cannot listen on {}:{}: {err}", config.host, config.port),
                )
            })?;
        let address = listener.local_addr()?;
        let host = if address.ip().is_ipv6() {
            format!("[{}]", address.ip())
        } else {
            address.ip().to_string()
        };
        let endpoint = format!("http://{host}:{}", address.port());
        let state = Arc::new(server::AppState::new(&config, &endpoint, journal));
        if let Err(message) = state.restore(records) {
            state.lambda.kill_now();
            let dir = config
                .state_dir
                .as_deref()
                .unwrap_or(std::path::Path::new(""));
            return Err(io::Error::other(format!(
                "state folder {}: {message}",
                dir.display()
            )));
        }
        let (shutdown, shutdown_rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, state.clone(), async {
            let _ = shutdown_rx.await;
        }));
        Ok(Emulator {
            address,
            endpoint,
            state,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The base URL to give an SDK as its endpoint, e.g. `http://127.0.0.1:4566`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The socket address the emulator listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The Region the emulator reports (pool ids start with it).
    pub fn region(&self) -> &str {
        self.state.cognito.region()
    }

    /// Every message Cognito would have sent (confirmation codes, invitations), oldest first.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.state.outbox.messages()
    }

    /// The code of the newest outbox message to `username` in `user_pool_id`, if any.
    pub fn latest_code(&self, user_pool_id: &str, username: &str) -> Option<String> {
        self.state.outbox.latest_code(user_pool_id, username)
    }

    /// Moves the emulator's clock forward by `by`: everything that expires
    /// (sign-in sessions, confirmation codes, tokens, TOTP codes) sees the
    /// later time at once. For tests; the clock starts at real time and
    /// never goes back. Also reachable over HTTP:
    /// `POST /_emulator/clock {"advanceSeconds": N}`.
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Rotates the token signing key: a new key with a new `kid` signs every
    /// later token, and the JWKS lists it beside the older ones. For tests
    /// of key rotation; also reachable over HTTP:
    /// `POST /_emulator/signing-keys/rotate`. Returns the new `kid`.
    pub fn rotate_signing_key(&self) -> String {
        self.state.cognito.rotate_signing_key()
    }

    /// Every service's state as an export document (what
    /// `GET /_emulator/export` answers and `emulator export` writes).
    pub fn export(&self) -> serde_json::Value {
        persist::snapshot::to_json(self.state.records())
    }

    /// Replaces every service's state with an export document's (what
    /// `POST /_emulator/import` does). A document that cannot be read
    /// changes nothing; `Err` says what is wrong with it.
    pub async fn import(&self, document: &[u8]) -> Result<(), String> {
        let records = persist::snapshot::from_json(document)?;
        self.state.import(records).await
    }

    /// Empties every service, in memory and in the state folder (what
    /// `POST /_emulator/reset` does).
    pub async fn reset(&self) -> Result<(), String> {
        self.state.reset().await
    }

    /// How far the emulator's clock has been moved ahead of real time.
    pub fn clock_offset(&self) -> Duration {
        self.state.clock.offset()
    }

    /// Stops serving and waits for the server task to finish.
    pub async fn stop(mut self) {
        // Functions first: their processes are killed and reaped, and no
        // invocation keeps a connection open while the server drains.
        self.state.lambda.shutdown().await;
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        // What was answered is written; release the state folder now, not
        // when the last reference to a service goes.
        if let Some(store) = self.state.journal.store() {
            store.close();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.state.lambda.kill_now();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some(store) = self.state.journal.store() {
            store.close();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn new_uuid_is_a_random_version_4_uuid() {
        let a = super::new_uuid();
        let b = super::new_uuid();
        assert_eq!(a.get_version(), Some(uuid::Version::Random));
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
        assert_eq!(a.to_string().len(), 36);
    }
}
