//! Load benchmark for a Cognito user pools endpoint, through the AWS SDK.
//!
//! ```sh
//! # the auth cycle (SignUp → AdminConfirmSignUp → InitiateAuth → GetUser)
//! cargo run --release -p benchmark -- --endpoint http://127.0.0.1:4566 --concurrency 16 --duration 20s
//! # the single-call workloads, one after the other, as JSON
//! cargo run --release -p benchmark -- --endpoint http://127.0.0.1:4566 \
//!     --workload signup,initiate-auth,auth-cycle --json
//! # SignUp with and without a warm PreSignUp Lambda trigger (bundled emulator only)
//! cargo build --release -p benchmark
//! target/release/benchmark --endpoint http://127.0.0.1:4566 --workload signup,signup-trigger --concurrency 1
//! # time from process start to the first answered request, and idle memory
//! cargo run --release -p benchmark -- --measure-startup target/release/emulator
//! # the targets of a scripts/bench-vs-moto.sh run, from the files it wrote
//! target/release/benchmark --judge-run RUN_DIRECTORY
//! ```
//!
//! Before a workload that signs users in (initiate-auth, auth-cycle), the
//! benchmark measures this machine's sign-in floor with the emulator's own
//! token signer while the server is idle (see `benchmark::sign_floor`), and
//! reports each sign-in rate as a share of it.
//!
//! Each workload creates its own user pool and deletes it at the end. Every
//! run stops by itself once the duration is over; Ctrl-C stops it early
//! (each worker finishes its call, the results so far are printed, and the
//! pool and any trigger function are removed; a second Ctrl-C quits at once).
//! `scripts/bench-vs-moto.sh` runs it against the bundled emulator and
//! moto_server side by side.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use benchmark::TriggerClients;
use benchmark::report::{self, Report};
use benchmark::sign_floor::{self, SignFloor};
use benchmark::startup::{self, StartupProbe};
use benchmark::targets::{self, RunDirectory};
use benchmark::trigger::{self, Trigger};
use benchmark::workload::{self, Workload};
use clap::Parser;
use example_cli::ExampleError;
use example_cli::scenario::Interrupt;

// The client must cost as little CPU as it can: on a small machine it shares
// the cores with the server it measures. glibc malloc's locks were a third
// of its time with 16 workers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Measures throughput and latency of Cognito user pool calls against an endpoint.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Endpoint URL to benchmark, such as http://127.0.0.1:4566.
    #[arg(
        long,
        value_parser = benchmark::parse_endpoint,
        required_unless_present_any = ["measure_startup", "judge_run"]
    )]
    endpoint: Option<String>,

    /// Concurrent workers, each with one call in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,

    /// How long each workload runs, such as 20s, 500ms or 2m.
    #[arg(long, default_value = "20s", value_parser = benchmark::parse_duration)]
    duration: Duration,

    /// Workloads to run, in order (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "auth-cycle")]
    workload: Vec<Workload>,

    /// The Lambda function the signup-trigger workload deploys as its
    /// PreSignUp trigger [default: pass-through-trigger next to this program].
    #[arg(long, value_name = "EXECUTABLE")]
    trigger_handler: Option<PathBuf>,

    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,

    /// Also write the results as JSON to this file (the table still goes to stdout).
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,

    /// Process id of the server behind --endpoint, to report its CPU time and
    /// memory per workload (read from /proc; the server must run on this machine).
    #[arg(long)]
    server_pid: Option<u32>,

    /// Region the client signs for (local servers accept any).
    #[arg(long, default_value = "us-east-1")]
    region: String,

    /// Instead of a workload: start this server program repeatedly and measure
    /// the time to its first answered request and its idle resident memory.
    #[arg(long, value_name = "PATH_TO_SERVER", conflicts_with = "endpoint")]
    measure_startup: Option<PathBuf>,

    /// With --measure-startup: how many starts to measure.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    startup_runs: u32,

    /// With --measure-startup: the flag that sets the server's port.
    #[arg(long, default_value = "--port", allow_hyphen_values = true)]
    port_flag: String,

    /// With --measure-startup: the path polled until it answers 200.
    #[arg(long, default_value = "/_emulator/health")]
    health_path: String,

    /// Instead of a workload: print the emulator's targets, judged against
    /// the figures of one scripts/bench-vs-moto.sh run, from the directory
    /// its files were written to (emulator.json, moto_server.json,
    /// emulator-startup.json, emulator-memory.json, trigger-N.json; a missing
    /// file is a part not run).
    #[arg(long, value_name = "DIRECTORY", conflicts_with_all = ["endpoint", "measure_startup"])]
    judge_run: Option<PathBuf>,
}

fn run_judge(dir: &std::path::Path) -> Result<(), ExampleError> {
    let figures = RunDirectory::read(dir)?;
    let checks = targets::judge(&figures);
    print!("{}", targets::render(&figures, &checks));
    Ok(())
}

fn run_startup(program: PathBuf, args: &Args) -> Result<(), ExampleError> {
    let probe = StartupProbe {
        program,
        port_flag: args.port_flag.clone(),
        health_path: args.health_path.clone(),
        runs: args.startup_runs,
        timeout: Duration::from_secs(30),
        settle: Duration::from_millis(250),
    };
    let result = startup::measure(&probe)?;
    write_json(args, &result)?;
    if args.json {
        println!("{}", to_json(&result)?);
    } else {
        print!("{}", report::startup_table(&result));
    }
    Ok(())
}

/// What a run of workloads came to.
enum Finished {
    AllRan,
    /// Ctrl-C stopped it before every workload had run its duration.
    Interrupted,
}

/// Sets the returned flag at the first Ctrl-C; quits at the second.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let interrupt = Interrupt::listen();
    let flag = Arc::clone(&stop);
    tokio::spawn(async move {
        let forever = std::future::pending::<()>;
        if interrupt.race(forever()).await.is_err() {
            flag.store(true, Ordering::Relaxed);
            eprintln!(
                "Ctrl-C: finishing the calls in flight, then removing what the benchmark \
                 created (Ctrl-C again to quit at once)"
            );
        }
        if interrupt.race_beyond(1, forever()).await.is_err() {
            eprintln!(
                "error: interrupted twice; quit without removing the benchmark's user pool \
                 or trigger function from the server"
            );
            std::process::exit(130);
        }
    });
    stop
}

/// The sign-in floor, measured on a thread of its own (one core) when a
/// chosen workload signs users in; called before the workloads, so the
/// server is idle.
fn measure_sign_floor(args: &Args) -> Result<Option<SignFloor>, ExampleError> {
    let signs_in = args
        .workload
        .iter()
        .any(|w| matches!(w, Workload::InitiateAuth | Workload::AuthCycle));
    if !signs_in {
        return Ok(None);
    }
    if !args.json {
        eprintln!("measuring the sign-in floor (the emulator's token signer, one core)...");
    }
    std::thread::Builder::new()
        .name("sign-floor".into())
        .spawn(|| {
            sign_floor::measure(
                sign_floor::SIGN_INS_PER_ROUND,
                sign_floor::ROUNDS,
                sign_floor::MEASURED_BEFORE_THE_WORKLOADS,
            )
        })
        .map_err(|err| ExampleError::new(format!("cannot start a thread: {err}")))?
        .join()
        .map(Some)
        .map_err(|_| ExampleError::new("the sign-in floor measurement failed"))
}

async fn run_workloads(
    endpoint: String,
    args: &Args,
    sign_floor: Option<SignFloor>,
) -> Result<Finished, ExampleError> {
    let client = benchmark::client_for(&endpoint, &args.region);
    let concurrency = usize::from(args.concurrency);
    let stop = stop_on_ctrl_c();
    let mut workloads = Vec::new();
    for &chosen in &args.workload {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if !args.json {
            eprintln!("running {chosen} for {:?}...", args.duration);
        }
        let trigger = if chosen.needs_trigger() {
            Some(deploy_trigger(&endpoint, args).await?)
        } else {
            None
        };
        // Deploying the trigger takes a while: Ctrl-C may have come meanwhile.
        let result = if stop.load(Ordering::Relaxed) {
            None
        } else {
            let run = workload::run(
                &client,
                chosen,
                concurrency,
                args.duration,
                args.server_pid,
                trigger.as_ref(),
                &stop,
            );
            Some(run.await)
        };
        if let Some(trigger) = trigger {
            trigger.remove().await;
        }
        match result {
            Some(result) => workloads.push(result?),
            None => break,
        }
    }
    let finished = if stop.load(Ordering::Relaxed) {
        Finished::Interrupted
    } else {
        Finished::AllRan
    };
    let report = Report {
        endpoint,
        concurrency,
        duration_s: args.duration.as_secs_f64(),
        sign_floor,
        workloads,
    };
    // A file is for scripts comparing full runs: an interrupted one is not.
    if matches!(finished, Finished::AllRan) {
        write_json(args, &report)?;
    }
    if args.json {
        println!("{}", to_json(&report)?);
    } else {
        print!("{}", report::table(&report));
    }
    Ok(finished)
}

async fn deploy_trigger(endpoint: &str, args: &Args) -> Result<Trigger, ExampleError> {
    let handler = args
        .trigger_handler
        .clone()
        .or_else(trigger::default_handler_path)
        .ok_or_else(|| {
            ExampleError::new("cannot tell where this program is; pass --trigger-handler")
        })?;
    let clients = TriggerClients::for_endpoint(endpoint, &args.region);
    Trigger::deploy(&clients, &handler).await
}

fn write_json(args: &Args, value: &impl serde::Serialize) -> Result<(), ExampleError> {
    let Some(path) = &args.json_out else {
        return Ok(());
    };
    std::fs::write(path, to_json(value)? + "\n")
        .map_err(|err| ExampleError::new(format!("cannot write {}: {err}", path.display())))
}

fn to_json(value: &impl serde::Serialize) -> Result<String, ExampleError> {
    serde_json::to_string_pretty(value)
        .map_err(|err| ExampleError::new(format!("cannot write JSON: {err}")))
}

fn run(args: Args) -> Result<Finished, ExampleError> {
    if let Some(program) = args.measure_startup.clone() {
        return run_startup(program, &args).map(|()| Finished::AllRan);
    }
    if let Some(dir) = &args.judge_run {
        return run_judge(dir).map(|()| Finished::AllRan);
    }
    let endpoint = args
        .endpoint
        .clone()
        .ok_or_else(|| ExampleError::new("--endpoint is required"))?;
    // One thread runs every worker: no wake-ups across threads, so each call
    // costs the client less CPU (43% instead of 56-64% of a core for the auth
    // cycle here), and the cores the client does not use are the server's.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| ExampleError::new(format!("cannot start the async runtime: {err}")))?;
    let sign_floor = measure_sign_floor(&args)?;
    runtime.block_on(run_workloads(endpoint, &args, sign_floor))
}

fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    match run(args) {
        Ok(Finished::Interrupted) => {
            eprintln!(
                "interrupted: the results above cover the time until Ctrl-C; the benchmark's \
                 user pool and trigger function were removed unless a warning above says otherwise"
            );
            ExitCode::from(130)
        }
        outcome => example_cli::exit_code(outcome.map(drop)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_benchmark() {
        let args = Args::parse_from(["benchmark", "--endpoint", "http://127.0.0.1:4566"]);
        assert_eq!(args.concurrency, 16);
        assert_eq!(args.duration, Duration::from_secs(20));
        assert_eq!(args.workload, [Workload::AuthCycle]);
        assert!(!args.json);
    }

    #[test]
    fn several_workloads_in_order() {
        let args = Args::parse_from([
            "benchmark",
            "--endpoint",
            "http://127.0.0.1:4566",
            "--workload",
            "signup,initiate-auth,auth-cycle",
        ]);
        assert_eq!(
            args.workload,
            [
                Workload::SignUp,
                Workload::InitiateAuth,
                Workload::AuthCycle
            ]
        );
    }

    #[test]
    fn an_endpoint_or_a_startup_measurement_is_required() {
        assert!(Args::try_parse_from(["benchmark"]).is_err());
        assert!(Args::try_parse_from(["benchmark", "--measure-startup", "x"]).is_ok());
        assert!(Args::try_parse_from(["benchmark", "--judge-run", "dir"]).is_ok());
        assert!(
            Args::try_parse_from([
                "benchmark",
                "--judge-run",
                "dir",
                "--endpoint",
                "http://127.0.0.1:1"
            ])
            .is_err()
        );
        assert!(Args::try_parse_from(["benchmark", "--endpoint", "localhost:4566"]).is_err());
        assert!(
            Args::try_parse_from([
                "benchmark",
                "--endpoint",
                "http://127.0.0.1:1",
                "--concurrency",
                "0"
            ])
            .is_err()
        );
    }
}
