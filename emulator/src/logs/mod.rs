//! Amazon CloudWatch Logs (`logs`), JSON 1.1 behind
//! `X-Amz-Target: Logs_20140328.<Action>`.
//!
//! Log groups hold streams, streams hold events. The Lambda service writes a
//! function's output here through [`LogsService::append`]; the API reads it
//! back (DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents)
//! and can also create and write groups and streams itself.

#![allow(dead_code)] // the API operations come in the next commit

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::Config;
use crate::aws_json::ServiceError;

type Outcome = Result<Value, ServiceError>;

/// One log event: when it happened, when it arrived, and its text.
#[derive(Debug, Clone)]
struct Event {
    timestamp: i64,
    ingestion_time: i64,
    message: Box<str>,
}

#[derive(Debug, Default)]
struct LogStream {
    creation_time: i64,
    /// Events ordered by timestamp (equal timestamps keep arrival order).
    events: Vec<Event>,
    last_ingestion_time: Option<i64>,
    stored_bytes: u64,
}

#[derive(Debug, Default)]
struct LogGroup {
    creation_time: i64,
    retention_in_days: Option<i64>,
    streams: BTreeMap<Box<str>, LogStream>,
}

/// One emulator's CloudWatch Logs: every log group, by name.
pub struct LogsService {
    region: String,
    account_id: String,
    groups: Mutex<BTreeMap<Box<str>, LogGroup>>,
}

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl LogStream {
    fn new(now: i64) -> Self {
        LogStream {
            creation_time: now,
            ..Default::default()
        }
    }

    fn push(&mut self, events: Vec<(i64, String)>, now: i64) {
        if events.is_empty() {
            return;
        }
        for (timestamp, message) in events {
            self.stored_bytes += message.len() as u64;
            let event = Event {
                timestamp,
                ingestion_time: now,
                message: message.into_boxed_str(),
            };
            // Keep the events sorted by time; appends are almost always in order.
            let at = self.events.partition_point(|e| e.timestamp <= timestamp);
            self.events.insert(at, event);
        }
        self.last_ingestion_time = Some(now);
    }

    fn first_event_timestamp(&self) -> Option<i64> {
        self.events.first().map(|e| e.timestamp)
    }

    fn last_event_timestamp(&self) -> Option<i64> {
        self.events.last().map(|e| e.timestamp)
    }
}

impl LogsService {
    pub(crate) fn new(config: &Config) -> Self {
        LogsService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            groups: Mutex::new(BTreeMap::new()),
        }
    }

    /// Appends events, creating the group and stream if missing (what the
    /// Lambda service does with a function's output). Events are
    /// `(milliseconds since the epoch, message)`.
    pub fn append(&self, group: &str, stream: &str, events: Vec<(i64, String)>) {
        let now = now_millis();
        let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let group = groups.entry(group.into()).or_insert_with(|| LogGroup {
            creation_time: now,
            ..Default::default()
        });
        group
            .streams
            .entry(stream.into())
            .or_insert_with(|| LogStream::new(now))
            .push(events, now);
    }

    /// Runs one operation.
    pub async fn call(&self, action: &str, _body: &[u8]) -> Outcome {
        Err(ServiceError::new(
            "UnknownOperationException",
            format!("Unknown operation: {action}"),
        ))
    }

    fn group_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{name}",
            self.region, self.account_id
        )
    }
}
