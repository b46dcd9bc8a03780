//! How long a server takes from process start to its first answered request,
//! and how much memory it holds right after.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use example_cli::ExampleError;
use serde::Serialize;

use crate::procfs;

/// What to start and how to tell it is ready.
#[derive(Debug, Clone)]
pub struct StartupProbe {
    /// The server program; it is started as `PROGRAM PORT_FLAG PORT`.
    pub program: PathBuf,
    /// The flag that sets its port (`--port` for the emulator, `-p` for moto_server).
    pub port_flag: String,
    /// The path polled with GET until it answers 200.
    pub health_path: String,
    /// How many times to start it.
    pub runs: u32,
    /// Give up on one start after this long.
    pub timeout: Duration,
    /// How long the server sits ready and idle before its memory is read.
    pub settle: Duration,
}

/// One start of the server.
#[derive(Debug, Clone, Serialize)]
pub struct StartupRun {
    /// From spawning the process to the first 200 answer.
    pub ready_ms: f64,
    /// Resident memory (VmRSS) after sitting idle for the settle time.
    pub idle_rss_kb: Option<u64>,
}

/// Every start, and the median over them.
#[derive(Debug, Clone, Serialize)]
pub struct StartupResult {
    pub program: String,
    pub runs: Vec<StartupRun>,
    pub ready_ms_median: f64,
    pub ready_ms_min: f64,
    pub ready_ms_max: f64,
    pub idle_rss_kb_median: Option<u64>,
}

/// Starts the server `probe.runs` times, one after the other, each on a
/// fresh loopback port, and stops it again each time.
pub fn measure(probe: &StartupProbe) -> Result<StartupResult, ExampleError> {
    let runs = (0..probe.runs)
        .map(|_| measure_once(probe))
        .collect::<Result<Vec<_>, _>>()?;
    let ready: Vec<f64> = runs.iter().map(|run| run.ready_ms).collect();
    let rss: Vec<u64> = runs.iter().filter_map(|run| run.idle_rss_kb).collect();
    Ok(StartupResult {
        program: probe.program.display().to_string(),
        ready_ms_median: median(&ready).unwrap_or(f64::NAN),
        ready_ms_min: ready.iter().copied().fold(f64::INFINITY, f64::min),
        ready_ms_max: ready.iter().copied().fold(0.0, f64::max),
        idle_rss_kb_median: median(&rss),
        runs,
    })
}

/// Kills the server when the measurement ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn measure_once(probe: &StartupProbe) -> Result<StartupRun, ExampleError> {
    let port = free_loopback_port()?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let started = Instant::now();
    let mut server = Server(
        Command::new(&probe.program)
            .arg(&probe.port_flag)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| {
                ExampleError::new(format!("cannot start {}: {err}", probe.program.display()))
            })?,
    );
    loop {
        if answers_ok(address, &probe.health_path) {
            break;
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            return Err(ExampleError::new(format!(
                "{} exited ({status}) before answering on port {port}",
                probe.program.display()
            )));
        }
        if started.elapsed() > probe.timeout {
            return Err(ExampleError::new(format!(
                "{} did not answer GET {} within {:?}",
                probe.program.display(),
                probe.health_path,
                probe.timeout
            )));
        }
        thread::sleep(Duration::from_micros(500));
    }
    let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
    thread::sleep(probe.settle);
    let idle_rss_kb = procfs::usage(Some(server.0.id())).map(|usage| usage.rss_kb);
    Ok(StartupRun {
        ready_ms,
        idle_rss_kb,
    })
}

/// A port nothing listens on right now (the kernel picks it).
pub fn free_loopback_port() -> Result<u16, ExampleError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|err| ExampleError::new(format!("cannot find a free loopback port: {err}")))
}

/// One plain HTTP/1.1 GET; true when the status line says 200.
fn answers_ok(address: SocketAddr, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let mut filled = 0;
    while filled < head.len() {
        match stream.read(&mut head[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(read) => filled += read,
        }
    }
    is_ok_status_line(&head[..filled])
}

fn is_ok_status_line(head: &[u8]) -> bool {
    head.starts_with(b"HTTP/1.") && head.get(8..13) == Some(b" 200 ".as_slice())
}

fn median<T: Copy + PartialOrd>(values: &[T]) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN among measurements"));
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_200_status_line_means_ready() {
        assert!(is_ok_status_line(b"HTTP/1.1 200 OK\r\n"));
        assert!(is_ok_status_line(b"HTTP/1.0 200 OK\r\n"));
        assert!(!is_ok_status_line(b"HTTP/1.1 404 Not"));
        assert!(!is_ok_status_line(b"HTTP/1.1 2000"));
        assert!(!is_ok_status_line(b""));
    }

    #[test]
    fn median_takes_the_middle_or_the_lower_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median::<u64>(&[]), None);
    }
}
