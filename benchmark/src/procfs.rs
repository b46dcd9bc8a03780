//! A process's CPU time and memory, read from Linux's `/proc`.

use serde::Serialize;

/// Clock ticks per second in `/proc/PID/stat` (`USER_HZ`): 100 on every
/// Linux architecture the project runs on (`getconf CLK_TCK`).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU time and memory of one process at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Usage {
    /// User plus system CPU time since the process started.
    pub cpu_s: f64,
    /// Resident memory now (VmRSS).
    pub rss_kb: u64,
    /// Highest resident memory so far (VmHWM).
    pub peak_rss_kb: u64,
}

/// Reads the usage of process `pid`, or of this process when `None`.
/// `None` when the process is gone or `/proc` is not there.
pub fn usage(pid: Option<u32>) -> Option<Usage> {
    let dir = pid.map_or_else(|| "/proc/self".to_string(), |pid| format!("/proc/{pid}"));
    let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("{dir}/status")).ok()?;
    Some(Usage {
        cpu_s: cpu_seconds(&stat)?,
        rss_kb: status_kb(&status, "VmRSS:")?,
        peak_rss_kb: status_kb(&status, "VmHWM:")?,
    })
}

/// A `kB` figure such as `VmRSS:` from a `/proc/PID/status` text.
pub fn status_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

/// utime + stime of a `/proc/PID/stat` line, in seconds. The command name
/// (field 2) is in parentheses and may hold spaces, so fields are counted
/// from the last `)`.
pub fn cpu_seconds(stat: &str) -> Option<f64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    // After the name: state (3), ppid, pgrp, session, tty_nr, tpgid, flags,
    // minflt, cminflt, majflt, cmajflt, utime (14), stime (15).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_utime_plus_stime() {
        let stat =
            "4242 (tokio worker) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 66 0 0 20 0 3 0 100 0 0";
        assert_eq!(cpu_seconds(stat), Some(13.0));
        assert_eq!(cpu_seconds("4242 (short) S 1"), None);
    }

    #[test]
    fn memory_fields_from_status() {
        let status = "Name:\temulator\nVmHWM:\t   20000 kB\nVmRSS:\t    8124 kB\nThreads:\t3\n";
        assert_eq!(status_kb(status, "VmRSS:"), Some(8124));
        assert_eq!(status_kb(status, "VmHWM:"), Some(20000));
        assert_eq!(status_kb("Name:\tzombie\n", "VmRSS:"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let own = usage(None).expect("/proc/self is readable");
        assert!(own.rss_kb > 0);
        assert!(own.peak_rss_kb >= own.rss_kb);
        assert_eq!(
            usage(Some(std::process::id())).map(|u| u.rss_kb > 0),
            Some(true)
        );
    }
}
