//! Latency bookkeeping for one operation: a histogram of successful calls
//! (microsecond resolution, three significant digits) plus an error count.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The largest latency the histogram tells apart: one hour. Longer calls are
/// recorded as one hour (the SDK's own timeout ends them long before).
const HIGHEST_MICROS: u64 = 3_600_000_000;

/// What one operation's calls took, and how many failed.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
    errors: u64,
    first_error: Option<String>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    /// An empty record.
    pub fn new() -> Self {
        Self {
            histogram: Histogram::new_with_bounds(1, HIGHEST_MICROS, 3)
                .expect("fixed histogram bounds are valid"),
            errors: 0,
            first_error: None,
        }
    }

    /// Records one successful call.
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(micros.max(1));
    }

    /// Counts one failed call; the first failure's message is kept for the report.
    pub fn record_error(&mut self, message: impl FnOnce() -> String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(message());
        }
    }

    /// Adds another worker's record to this one.
    pub fn merge(&mut self, other: &Latencies) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms with the same bounds always merge");
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
    }

    /// Successful calls recorded so far.
    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The figures a report shows for this operation.
    pub fn summary(&self, operation: &str) -> OperationSummary {
        let ms = |micros: f64| micros / 1000.0;
        let has_samples = !self.histogram.is_empty();
        let quantile = |q: f64| has_samples.then(|| ms(self.histogram.value_at_quantile(q) as f64));
        OperationSummary {
            operation: operation.to_string(),
            count: self.count(),
            errors: self.errors,
            mean_ms: has_samples.then(|| ms(self.histogram.mean())),
            p50_ms: quantile(0.50),
            p99_ms: quantile(0.99),
            max_ms: has_samples.then(|| ms(self.histogram.max() as f64)),
            first_error: self.first_error.clone(),
        }
    }
}

/// One operation's line in the report. Latencies cover successful calls only
/// and are `None` when there were none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationSummary {
    pub operation: String,
    /// Successful calls.
    pub count: u64,
    /// Failed calls (service errors, timeouts, refused connections).
    pub errors: u64,
    pub mean_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// The first failure, as one line, to tell what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) -> bool {
        // Three significant digits: within 0.1 % (plus a little for rounding).
        actual.is_some_and(|a| (a - expected).abs() <= expected * 0.0015)
    }

    #[test]
    fn quantiles_and_mean_of_known_samples() {
        let mut latencies = Latencies::new();
        for ms in 1..=100 {
            latencies.record(Duration::from_millis(ms));
        }
        let summary = latencies.summary("SignUp");
        assert_eq!(summary.operation, "SignUp");
        assert_eq!(summary.count, 100);
        assert_eq!(summary.errors, 0);
        assert!(close(summary.mean_ms, 50.5), "{summary:?}");
        assert!(close(summary.p50_ms, 50.0), "{summary:?}");
        assert!(close(summary.p99_ms, 99.0), "{summary:?}");
        assert!(close(summary.max_ms, 100.0), "{summary:?}");
    }

    #[test]
    fn a_slow_tail_shows_in_p99_but_not_p50() {
        let mut latencies = Latencies::new();
        for _ in 0..980 {
            latencies.record(Duration::from_micros(500));
        }
        for _ in 0..20 {
            latencies.record(Duration::from_millis(40));
        }
        let summary = latencies.summary("GetUser");
        assert!(close(summary.p50_ms, 0.5), "{summary:?}");
        assert!(close(summary.p99_ms, 40.0), "{summary:?}");
        assert!(close(summary.mean_ms, (980.0 * 0.5 + 20.0 * 40.0) / 1000.0));
    }

    #[test]
    fn merging_adds_counts_errors_and_keeps_the_first_error() {
        let mut first = Latencies::new();
        first.record(Duration::from_millis(2));
        let mut second = Latencies::new();
        second.record(Duration::from_millis(4));
        second.record(Duration::from_millis(6));
        second.record_error(|| "NotAuthorizedException: Incorrect username or password.".into());
        second.record_error(|| "a later error".into());

        first.merge(&second);
        let summary = first.summary("InitiateAuth");
        assert_eq!(summary.count, 3);
        assert_eq!(summary.errors, 2);
        assert!(close(summary.mean_ms, 4.0), "{summary:?}");
        assert_eq!(
            summary.first_error.as_deref(),
            Some("NotAuthorizedException: Incorrect username or password.")
        );
    }

    #[test]
    fn no_successful_calls_means_no_latency_figures() {
        let mut latencies = Latencies::new();
        latencies.record_error(|| "connection refused".into());
        let summary = latencies.summary("SignUp");
        assert_eq!(summary.count, 0);
        assert_eq!(summary.errors, 1);
        assert_eq!(summary.mean_ms, None);
        assert_eq!(summary.p99_ms, None);
    }
}
