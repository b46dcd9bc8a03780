//! The bundled emulator as a program: serves Cognito user pools and the other
//! services the examples use on one port, until Ctrl-C.
//!
//! ```text
//! cargo run -p emulator                      # serve on http://127.0.0.1:4566
//! export AWS_ENDPOINT_URL=http://127.0.0.1:4566
//! ```
//!
//! Or run one command against a fresh emulator and stop it afterwards:
//!
//! ```text
//! cargo run -p emulator -- cargo run -p hello
//! ```
//!
//! Keep what the services hold across restarts in a folder, and write it
//! out as (or read it from) a JSON snapshot:
//!
//! ```text
//! cargo run -p emulator -- --state-dir .emulator
//! cargo run -p emulator -- export --state-dir .emulator --output seed.json
//! cargo run -p emulator -- import --state-dir .emulator seed.json
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod log_writer {
    //! The log's way to stderr. Written as it comes, the one line per
    //! request at info costs a `write` system call per request, paid by the
    //! request. Lines are collected instead and written together by a
    //! thread of their own, at the latest [`FLUSH_EVERY`] after they came.

    use std::io::Write;
    use std::sync::{Arc, Condvar, Mutex, PoisonError};
    use std::time::Duration;

    /// The longest a line waits before it reaches stderr.
    const FLUSH_EVERY: Duration = Duration::from_millis(50);
    /// Collected lines past this size are written at once.
    const FLUSH_ABOVE: usize = 64 * 1024;

    /// A `MakeWriter` for `tracing_subscriber` that batches lines for stderr.
    #[derive(Clone)]
    pub struct BatchedStderr {
        shared: Arc<Shared>,
    }

    struct Shared {
        pending: Mutex<Vec<u8>>,
        wake: Condvar,
        /// False when no writer thread could be started: lines go straight out.
        batched: bool,
    }

    impl BatchedStderr {
        /// Starts the thread that writes the collected lines.
        pub fn start() -> Self {
            let mut shared = Arc::new(Shared {
                pending: Mutex::new(Vec::new()),
                wake: Condvar::new(),
                batched: true,
            });
            let writer = Arc::clone(&shared);
            let started = std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(move || writer.run());
            if started.is_err() {
                shared = Arc::new(Shared {
                    pending: Mutex::new(Vec::new()),
                    wake: Condvar::new(),
                    batched: false,
                });
            }
            BatchedStderr { shared }
        }
    }

    /// Writes the lines still collected when dropped (before exiting).
    pub struct FlushOnDrop(pub BatchedStderr);

    impl Drop for FlushOnDrop {
        fn drop(&mut self) {
            self.0.shared.write_pending();
        }
    }

    impl Shared {
        fn run(&self) {
            loop {
                let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                let (pending, _) = self
                    .wake
                    .wait_timeout_while(pending, FLUSH_EVERY, |p| p.len() < FLUSH_ABOVE)
                    .unwrap_or_else(PoisonError::into_inner);
                drop(pending);
                self.write_pending();
            }
        }

        fn write_pending(&self) {
            let lines = {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                if pending.is_empty() {
                    return;
                }
                std::mem::take(&mut *pending)
            };
            write_stderr(&lines);
        }
    }

    fn write_stderr(bytes: &[u8]) {
        let mut stderr = std::io::stderr().lock();
        // A log line that cannot be written has nowhere else to go.
        let _ = stderr.write_all(bytes);
        let _ = stderr.flush();
    }

    impl Write for &BatchedStderr {
        fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
            if !self.shared.batched {
                write_stderr(line);
                return Ok(line.len());
            }
            let mut pending = self
                .shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            pending.extend_from_slice(line);
            if pending.len() >= FLUSH_ABOVE {
                self.shared.wake.notify_one();
            }
            Ok(line.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchedStderr {
        type Writer = &'a BatchedStderr;

        fn make_writer(&'a self) -> Self::Writer {
            self
        }
    }
}

/// The port the emulator serves on when it runs until Ctrl-C (LocalStack's
/// habit, so existing `AWS_ENDPOINT_URL` settings keep working).
const DEFAULT_PORT: u16 = 4566;

/// A local emulator of Amazon Cognito user pools speaking the AWS wire protocols.
///
/// Without a COMMAND it serves until Ctrl-C. With one, it starts on a free
/// port, runs COMMAND with AWS_ENDPOINT_URL, AWS_REGION and dummy credentials
/// pointing at itself, stops, and exits with COMMAND's status.
///
/// `emulator export --state-dir DIR [--output FILE]` writes a state folder
/// as a JSON snapshot, and `emulator import --state-dir DIR FILE` replaces a
/// state folder's content with one (see `emulator export --help`). A
/// running emulator answers the same snapshot at GET /_emulator/export and
/// takes one at POST /_emulator/import.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Keep every service's state in this folder (an SQLite database),
    /// written before each request is answered, and start from what it
    /// holds. Without it, everything stays in memory.
    #[arg(long, env = "EMULATOR_STATE_DIR", value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// With --state-dir: flush every write to the disk, so that answered
    /// requests survive a power cut too (not only the emulator being killed).
    #[arg(long, requires = "state_dir")]
    fsync: bool,
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks any free port [default: 4566, or any free port with a COMMAND].
    #[arg(long)]
    port: Option<u16>,
    /// AWS Region used in pool ids, ARNs and token issuers.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// AWS account id used in ARNs.
    #[arg(long, default_value = "000000000000")]
    account_id: String,
    /// A command to run against the emulator, with its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

/// Writes a state folder as a JSON snapshot.
#[derive(Debug, Parser)]
#[command(name = "emulator export", bin_name = "emulator export")]
struct ExportArgs {
    /// The state folder to read (no emulator may be using it).
    #[arg(long, env = "EMULATOR_STATE_DIR", value_name = "DIR")]
    state_dir: PathBuf,
    /// Where to write the snapshot; standard output by default.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Replaces a state folder's content with a JSON snapshot.
#[derive(Debug, Parser)]
#[command(name = "emulator import", bin_name = "emulator import")]
struct ImportArgs {
    /// The state folder to fill (created if missing; no emulator may be using it).
    #[arg(long, env = "EMULATOR_STATE_DIR", value_name = "DIR")]
    state_dir: PathBuf,
    /// The snapshot, as `emulator export` or GET /_emulator/export wrote it.
    file: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().collect();
    match raw.get(1).map(String::as_str) {
        Some("export") => return export(ExportArgs::parse_from(&raw[1..])).await,
        Some("import") => return import(ImportArgs::parse_from(&raw[1..])).await,
        _ => {}
    }
    let args = Args::parse();
    // While a command runs, its output is what matters: log only problems.
    let default_level = if args.command.is_empty() {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let log = log_writer::BatchedStderr::start();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(log.clone())
        .init();
    // However main returns, the collected lines are written first.
    let _flush = log_writer::FlushOnDrop(log);

    let default_port = if args.command.is_empty() {
        DEFAULT_PORT
    } else {
        0
    };
    let config = emulator::Config {
        host: args.host,
        port: args.port.unwrap_or(default_port),
        region: args.region,
        account_id: args.account_id,
        state_dir: args.state_dir,
        fsync: args.fsync,
    };
    let region = config.region.clone();
    let emulator = match emulator::Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };

    if !emulator.address().ip().is_loopback() {
        // Lambda CreateFunction runs whatever code it is sent, on this machine.
        eprintln!(
            "warning: listening on {}, not a loopback address: anyone who can reach it can run programs on this machine through Lambda",
            emulator.address()
        );
    }

    let exit = if args.command.is_empty() {
        println!("listening on {}", emulator.endpoint());
        shutdown_signal().await;
        ExitCode::SUCCESS
    } else {
        eprintln!("emulator listening on {}", emulator.endpoint());
        run_command(&args.command, &emulator.endpoint(), &region).await
    };
    emulator.stop().await;
    exit
}

/// An emulator on the state folder `dir`, serving on a free loopback port
/// while it is read or filled.
async fn open_folder(dir: PathBuf) -> Result<emulator::Emulator, String> {
    emulator::Emulator::start(emulator::Config {
        state_dir: Some(dir),
        ..emulator::Config::default()
    })
    .await
    .map_err(|err| err.to_string())
}

async fn export(args: ExportArgs) -> ExitCode {
    if !args.state_dir.join("state.sqlite3").exists() {
        eprintln!(
            "error: {} is not a state folder (no state.sqlite3 in it)",
            args.state_dir.display()
        );
        return ExitCode::FAILURE;
    }
    let emulator = match open_folder(args.state_dir).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let snapshot = emulator.export();
    emulator.stop().await;
    let mut text = serde_json::to_string_pretty(&snapshot).unwrap_or_default();
    text.push('\n');
    let written = match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display())),
        None => std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
            .map_err(|err| format!("cannot write to standard output: {err}")),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn import(args: ImportArgs) -> ExitCode {
    let document = match std::fs::read(&args.file) {
        Ok(document) => document,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.file.display());
            return ExitCode::FAILURE;
        }
    };
    let emulator = match open_folder(args.state_dir.clone()).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let imported = emulator.import(&document).await;
    emulator.stop().await;
    match imported {
        Ok(()) => {
            eprintln!(
                "imported {} into {}",
                args.file.display(),
                args.state_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {}: {err}", args.file.display());
            ExitCode::FAILURE
        }
    }
}

/// Waits for Ctrl-C or SIGTERM (what `kill`, CI runners and process
/// managers send): either way the emulator stops cleanly, and the function
/// processes it started die with it.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(terminate) => terminate,
        Err(err) => {
            eprintln!("error: cannot wait for SIGTERM: {err}");
            if let Err(err) = tokio::signal::ctrl_c().await {
                eprintln!("error: cannot wait for Ctrl-C: {err}");
            }
            return;
        }
    };
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            if let Err(err) = result {
                eprintln!("error: cannot wait for Ctrl-C: {err}");
            }
        }
        _ = terminate.recv() => {}
    }
}

/// Runs `command` against the emulator and returns its exit status.
async fn run_command(command: &[String], endpoint: &str, region: &str) -> ExitCode {
    // Ctrl-C reaches the command too (same process group); let it finish its
    // own cleanup against the emulator before the emulator stops.
    tokio::spawn(async { while tokio::signal::ctrl_c().await.is_ok() {} });
    let status = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", region)
        // Dummy credentials: the emulator does not check signatures, and the
        // command must never reach for (or send) real ones.
        .env("AWS_ACCESS_KEY_ID", "emulator")
        .env("AWS_SECRET_ACCESS_KEY", "emulator")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .status()
        .await;
    match status {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            // Killed by a signal, as by Ctrl-C.
            None => ExitCode::from(130),
        },
        Err(err) => {
            eprintln!("error: cannot run {}: {err}", command[0]);
            ExitCode::FAILURE
        }
    }
}
