//! A process's CPU time and memory, and the machine's idle time, read from
//! Linux's `/proc`.

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

/// The machine's CPU time so far, all cores together, from `/proc/stat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MachineTicks {
    /// Every state (user, nice, system, idle, iowait, irq, softirq, steal).
    pub total: u64,
    /// Idle and waiting for I/O: no thread wanted the core.
    pub idle: u64,
}

impl MachineTicks {
    /// Reads `/proc/stat` now; `None` where there is none.
    pub fn now() -> Option<Self> {
        machine_ticks(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The share of the machine's cores left idle from `self` to `later`,
    /// 0.0 to 1.0.
    pub fn idle_share_until(self, later: Self) -> Option<f64> {
        let total = later.total.checked_sub(self.total)?;
        let idle = later.idle.checked_sub(self.idle)?;
        (total > 0).then(|| idle as f64 / total as f64)
    }
}

/// The first line of a `/proc/stat` text, `cpu  user nice system idle iowait
/// irq softirq steal guest guest_nice`. Guest time is already counted in
/// user and nice, so only the first eight columns are added up.
pub fn machine_ticks(stat: &str) -> Option<MachineTicks> {
    let columns: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .take(8)
        .map(|column| column.parse().ok())
        .collect::<Option<_>>()?;
    if columns.len() < 5 {
        return None;
    }
    Some(MachineTicks {
        total: columns.iter().sum(),
        idle: columns[3] + columns[4],
    })
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
    fn machine_ticks_add_the_first_eight_columns() {
        let stat = "cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 50 2 25 400 10 1 1 5 7 0\n";
        assert_eq!(
            machine_ticks(stat),
            Some(MachineTicks {
                total: 990,
                idle: 820
            })
        );
        assert_eq!(machine_ticks("cpu0 1 2 3 4 5\n"), None);
        assert_eq!(machine_ticks("cpu  1 2 x 4 5\n"), None);
        assert_eq!(machine_ticks("cpu  1 2 3\n"), None);
    }

    #[test]
    fn idle_share_between_two_readings() {
        let before = MachineTicks {
            total: 1000,
            idle: 500,
        };
        let after = MachineTicks {
            total: 1200,
            idle: 550,
        };
        assert_eq!(before.idle_share_until(after), Some(0.25));
        assert_eq!(before.idle_share_until(before), None);
        assert_eq!(after.idle_share_until(before), None);
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
