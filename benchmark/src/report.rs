//! The report: a table for people, JSON for scripts.

use std::fmt::Write;

use serde::Serialize;

use crate::sign_floor::{SIGNATURES_PER_SIGN_IN, SignFloor};
use crate::startup::StartupResult;
use crate::workload::{Workload, WorkloadResult};

/// Everything one benchmark run measured against one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub endpoint: String,
    pub concurrency: usize,
    pub duration_s: f64,
    /// The sign-in floor of this machine, measured before the workloads
    /// when one of them signs in.
    pub sign_floor: Option<SignFloor>,
    pub workloads: Vec<WorkloadResult>,
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// `12345.6` as `12,346`.
pub(crate) fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 && digits != "0" {
        out.insert(0, '-');
    }
    out
}

/// The floor's own figures, as two indented lines.
pub fn floor_lines(floor: &SignFloor) -> String {
    format!(
        "  measured {}: one RS256 signature {:.0} µs on one core ({} signatures/s; \
         the emulator's signer, fastest of {} rounds of {})\n  \
         {} cores / ({} signatures per sign-in x {:.0} µs) = {} sign-ins/s\n",
        floor.measured,
        floor.sign_us,
        thousands(floor.signatures_per_s_one_core),
        floor.rounds,
        floor.signatures_per_round,
        floor.cores,
        SIGNATURES_PER_SIGN_IN,
        floor.sign_us,
        thousands(floor.sign_ins_per_s)
    )
}

fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |ms| format!("{ms:.2}"))
}

/// The report as a table.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Endpoint {}: {} concurrent workers, {:.1} s per workload",
        report.endpoint, report.concurrency, report.duration_s
    );
    if let Some(floor) = &report.sign_floor {
        let _ = writeln!(out, "\nsign-in floor of this machine:");
        out.push_str(&floor_lines(floor));
    }
    for result in &report.workloads {
        let _ = writeln!(
            out,
            "\n{}: {} {} in {:.2} s = {:.1} {}/s",
            result.workload,
            result.completed,
            result.unit,
            result.elapsed_s,
            result.rate_per_s,
            result.unit
        );
        // One sign-in per call or per cycle.
        let signs_in = matches!(
            result.workload,
            Workload::InitiateAuth | Workload::AuthCycle
        );
        if let Some(floor) = report.sign_floor.as_ref().filter(|_| signs_in) {
            let _ = writeln!(
                out,
                "  {:.0}% of the sign-in floor ({} sign-ins/s)",
                100.0 * floor.share(result.rate_per_s),
                thousands(floor.sign_ins_per_s)
            );
        }
        let _ = writeln!(
            out,
            "  {:<20} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "operation", "ok", "errors", "mean ms", "p50 ms", "p99 ms", "max ms"
        );
        for op in &result.operations {
            let _ = writeln!(
                out,
                "  {:<20} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
                op.operation,
                op.count,
                op.errors,
                cell(op.mean_ms),
                cell(op.p50_ms),
                cell(op.p99_ms),
                cell(op.max_ms)
            );
        }
        if let Some(cpu_s) = result.client_cpu_s {
            let _ = writeln!(
                out,
                "  benchmark CPU: {cpu_s:.1} s ({:.0}% of one core){}",
                100.0 * cpu_s / result.elapsed_s,
                result
                    .machine_idle
                    .map(|idle| format!("; the machine's cores {:.0}% idle", 100.0 * idle))
                    .unwrap_or_default()
            );
        }
        if let Some(server) = &result.server {
            let _ = writeln!(
                out,
                "  server CPU: {:.1} s ({:.0}% of one core); memory {:.1} MB before, {:.1} MB with {} users stored{}",
                server.cpu_s,
                100.0 * server.cpu_s / result.elapsed_s,
                mb(server.rss_kb_before),
                mb(server.rss_kb_loaded),
                server.users_stored,
                server
                    .bytes_per_user
                    .filter(|_| server.users_stored > 1)
                    .map(|bytes| format!(" (grew {bytes:.0} bytes per user)"))
                    .unwrap_or_default()
            );
        }
        for op in &result.operations {
            if let Some(error) = &op.first_error {
                let _ = writeln!(out, "  first {} error: {error}", op.operation);
            }
        }
    }
    out
}

/// The startup measurement as a few lines.
pub fn startup_table(result: &StartupResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Startup of {} ({} runs)",
        result.program,
        result.runs.len()
    );
    let _ = writeln!(
        out,
        "  ready after start: median {:.1} ms (min {:.1}, max {:.1})",
        result.ready_ms_median, result.ready_ms_min, result.ready_ms_max
    );
    match result.idle_rss_kb_median {
        Some(kb) => {
            let _ = writeln!(out, "  resident memory idle: {:.1} MB", mb(kb));
        }
        None => {
            let _ = writeln!(out, "  resident memory idle: unknown");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::OperationSummary;
    use crate::workload::ServerUsage;

    fn report() -> Report {
        Report {
            endpoint: "http://127.0.0.1:4566".into(),
            concurrency: 16,
            duration_s: 20.0,
            sign_floor: None,
            workloads: vec![WorkloadResult {
                workload: Workload::SignUp,
                unit: "calls",
                completed: 9720,
                elapsed_s: 20.0,
                rate_per_s: 486.0,
                operations: vec![OperationSummary {
                    operation: "SignUp".into(),
                    count: 9720,
                    errors: 1,
                    mean_ms: Some(32.9),
                    p50_ms: Some(30.0),
                    p99_ms: Some(80.25),
                    max_ms: Some(120.0),
                    first_error: Some("UsernameExistsException: User already exists".into()),
                }],
                client_cpu_s: Some(10.0),
                machine_idle: Some(0.083),
                server: Some(ServerUsage {
                    cpu_s: 30.0,
                    rss_kb_before: 10_240,
                    rss_kb_loaded: 20_480,
                    peak_rss_kb: 20_480,
                    users_stored: 9720,
                    bytes_per_user: Some(1078.7),
                }),
            }],
        }
    }

    #[test]
    fn table_shows_rate_and_each_operation() {
        let text = table(&report());
        assert!(
            text.contains("signup: 9720 calls in 20.00 s = 486.0 calls/s"),
            "{text}"
        );
        let row = text
            .lines()
            .find(|line| line.trim_start().starts_with("SignUp"))
            .unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            ["SignUp", "9720", "1", "32.90", "30.00", "80.25", "120.00"]
        );
        assert!(
            text.contains("benchmark CPU: 10.0 s (50% of one core); the machine's cores 8% idle"),
            "{text}"
        );
        assert!(
            text.contains("server CPU: 30.0 s (150% of one core); memory 10.0 MB before, 20.0 MB with 9720 users stored (grew 1079 bytes per user)"),
            "{text}"
        );
        assert!(text.contains("first SignUp error: UsernameExistsException: User already exists"));
    }

    #[test]
    fn a_sign_in_workload_reads_as_a_share_of_the_measured_floor() {
        let mut report = report();
        let text = table(&report);
        assert!(!text.contains("floor"), "no floor measured: {text}");
        report.sign_floor = Some(SignFloor::from_cost(
            850e-6,
            2,
            400,
            3,
            "before the workloads",
        ));
        // SignUp signs nobody in.
        let text = table(&report);
        assert!(
            text.contains("2 cores / (2 signatures per sign-in x 850 µs) = 1,176 sign-ins/s"),
            "{text}"
        );
        assert!(!text.contains("% of the sign-in floor"), "{text}");
        report.workloads[0].workload = Workload::InitiateAuth;
        report.workloads[0].rate_per_s = 1000.0;
        let text = table(&report);
        assert!(
            text.contains("\n  85% of the sign-in floor (1,176 sign-ins/s)\n"),
            "{text}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["sign_floor"]["sign_us"], 850.0);
        assert_eq!(json["sign_floor"]["cores"], 2);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.6), "1,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
    }

    #[test]
    fn json_names_workloads_as_on_the_command_line() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(json["workloads"][0]["workload"], "signup");
        assert_eq!(json["workloads"][0]["rate_per_s"], 486.0);
        assert_eq!(json["workloads"][0]["operations"][0]["p99_ms"], 80.25);
        assert_eq!(json["workloads"][0]["server"]["users_stored"], 9720);
        assert_eq!(json["workloads"][0]["machine_idle"], 0.083);
    }
}
