//! The report: a table for people, JSON for scripts.

use std::fmt::Write;

use serde::Serialize;

use crate::startup::StartupResult;
use crate::workload::WorkloadResult;

/// Everything one benchmark run measured against one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub endpoint: String,
    pub concurrency: usize,
    pub duration_s: f64,
    pub workloads: Vec<WorkloadResult>,
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
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
    use crate::workload::{ServerUsage, Workload};

    fn report() -> Report {
        Report {
            endpoint: "http://127.0.0.1:4566".into(),
            concurrency: 16,
            duration_s: 20.0,
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
    fn json_names_workloads_as_on_the_command_line() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(json["workloads"][0]["workload"], "signup");
        assert_eq!(json["workloads"][0]["rate_per_s"], 486.0);
        assert_eq!(json["workloads"][0]["operations"][0]["p99_ms"], 80.25);
        assert_eq!(json["workloads"][0]["server"]["users_stored"], 9720);
        assert_eq!(json["workloads"][0]["machine_idle"], 0.083);
    }
}
