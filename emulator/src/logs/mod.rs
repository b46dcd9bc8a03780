//! Amazon CloudWatch Logs (`logs`), JSON 1.1 behind
//! `X-Amz-Target: Logs_20140328.<Action>`.
//!
//! Log groups hold streams, streams hold events. The Lambda service writes a
//! function's output here through [`LogsService::append`]; the API reads it
//! back (DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents)
//! and can also create and write groups and streams itself.

mod errors;
mod filter;
pub mod model;
mod operations;
mod persist;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::Config;
use crate::aws_json::{self, JsonService, ServiceError};
use crate::persist::Journal;
use crate::validation::{Invalid, Model};
use errors::invalid_parameter;

type Outcome = Result<Value, ServiceError>;

/// One log event: when it happened, when it arrived, and its text.
#[derive(Debug, Clone)]
struct Event {
    timestamp: i64,
    ingestion_time: i64,
    message: Box<str>,
    /// The batch that brought it (the key of the batch's stored record).
    batch: u64,
}

#[derive(Debug)]
struct LogStream {
    /// Unique within the emulator; part of FilterLogEvents' event ids.
    id: u64,
    creation_time: i64,
    /// Events ordered by timestamp (equal timestamps keep arrival order).
    events: Vec<Event>,
    last_ingestion_time: Option<i64>,
    stored_bytes: u64,
    /// The number of the next batch: how many events the stream has
    /// received, or (after a restart) one past the highest stored batch's
    /// events. Not the count of events held: a batch whose write was lost
    /// in a crash leaves a gap, and a new batch must not take the key of
    /// one stored after it.
    next_batch: u64,
}

#[derive(Debug, Default)]
struct LogGroup {
    creation_time: i64,
    retention_in_days: Option<i64>,
    log_group_class: Option<String>,
    streams: BTreeMap<Box<str>, LogStream>,
}

impl LogGroup {
    fn new(now: i64) -> Self {
        LogGroup {
            creation_time: now,
            ..Default::default()
        }
    }

    fn stored_bytes(&self) -> u64 {
        self.streams.values().map(|s| s.stored_bytes).sum()
    }
}

/// One emulator's CloudWatch Logs: every log group, by name.
pub struct LogsService {
    region: String,
    account_id: String,
    model: Model,
    groups: Mutex<BTreeMap<Box<str>, LogGroup>>,
    stream_ids: AtomicU64,
    /// Where changes are reported (groups, streams, each appended batch).
    journal: Journal,
}

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl LogStream {
    /// Adds a batch of events, ordered by time (stable: equal timestamps
    /// keep their order), all ingested at `now`; reports it to `journal`
    /// as one record of the stream `group`/`stream`.
    fn push(
        &mut self,
        mut events: Vec<(i64, String)>,
        now: i64,
        journal: &Journal,
        group: &str,
        stream: &str,
    ) {
        if events.is_empty() {
            return;
        }
        // In time order, as the stream keeps them: the stored batch then
        // lists its events the way `records` finds them in the stream.
        if events.windows(2).any(|w| w[1].0 < w[0].0) {
            events.sort_by_key(|e| e.0);
        }
        let batch = self.next_batch;
        self.next_batch += events.len() as u64;
        // Every Lambda log line comes here: no key is even formatted when
        // nothing is journaled.
        if persist::journaling(journal) {
            journal.put(
                persist::EVENTS,
                &persist::batch_key(group, stream, batch),
                &persist::BatchRef {
                    ingestion_time: now,
                    events: &events,
                },
            );
        }
        for (timestamp, message) in events {
            self.stored_bytes += message.len() as u64;
            let event = Event {
                timestamp,
                ingestion_time: now,
                message: message.into_boxed_str(),
                batch,
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
    pub(crate) fn new(config: &Config, journal: Journal) -> Self {
        LogsService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            groups: Mutex::new(BTreeMap::new()),
            stream_ids: AtomicU64::new(0),
            journal,
        }
    }

    fn new_stream(&self, now: i64) -> LogStream {
        LogStream {
            id: self.stream_ids.fetch_add(1, Ordering::Relaxed),
            creation_time: now,
            events: Vec::new(),
            last_ingestion_time: None,
            stored_bytes: 0,
            next_batch: 0,
        }
    }

    fn groups(&self) -> std::sync::MutexGuard<'_, BTreeMap<Box<str>, LogGroup>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends events, creating the group and stream if missing (what the
    /// Lambda service does with a function's output). Events are
    /// `(milliseconds since the epoch, message)`.
    pub fn append(&self, group: &str, stream: &str, events: Vec<(i64, String)>) {
        let now = now_millis();
        let group_name = group;
        let stream_name = stream;
        let mut groups = self.groups();
        let group = groups.entry(group_name.into()).or_insert_with(|| {
            let group = LogGroup::new(now);
            self.journal_group(group_name, &group);
            group
        });
        if !group.streams.contains_key(stream_name) {
            let stream = self.new_stream(now);
            self.journal_stream(group_name, stream_name, &stream);
            group.streams.insert(stream_name.into(), stream);
        }
        if let Some(stream) = group.streams.get_mut(stream_name) {
            stream.push(events, now, &self.journal, group_name, stream_name);
        }
    }

    fn group_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{name}",
            self.region, self.account_id
        )
    }
}

/// CloudWatch Logs behind the JSON front door ([`aws_json::call`]); it
/// takes no unsigned request, and calls every bad request, unreadable or
/// breaking the model, an `InvalidParameterException`.
impl JsonService for LogsService {
    fn model(&self) -> &Model {
        &self.model
    }

    fn unreadable(&self, message: String) -> ServiceError {
        invalid_parameter(message)
    }

    fn invalid(&self, invalid: Invalid) -> ServiceError {
        invalid_parameter(invalid.summary)
    }

    async fn route(&self, operation: &'static str, input: &Map<String, Value>) -> Outcome {
        match operation {
            "CreateLogGroup" => self.create_log_group(input),
            "CreateLogStream" => self.create_log_stream(input),
            "PutLogEvents" => self.put_log_events(input),
            "DescribeLogGroups" => self.describe_log_groups(input),
            "DescribeLogStreams" => self.describe_log_streams(input),
            "GetLogEvents" => self.get_log_events(input),
            "FilterLogEvents" => self.filter_log_events(input),
            "DeleteLogGroup" => self.delete_log_group(input),
            "DeleteLogStream" => self.delete_log_stream(input),
            "PutRetentionPolicy" => self.put_retention_policy(input),
            _ => Err(aws_json::unknown_operation(operation)),
        }
    }
}

/// Read helpers over a validated request.
trait Fields {
    fn str(&self, name: &str) -> Option<&str>;
    fn int(&self, name: &str) -> Option<i64>;
    fn bool(&self, name: &str) -> Option<bool>;
}

impl Fields for Map<String, Value> {
    fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn append_creates_the_group_and_stream_and_keeps_time_order() {
        let logs = LogsService::new(&Config::default(), Journal::memory());
        logs.append(
            "/aws/lambda/f",
            "instance-1",
            vec![(20, "second".into()), (10, "first".into())],
        );
        logs.append("/aws/lambda/f", "instance-1", vec![(30, "third".into())]);
        logs.append("/aws/lambda/f", "instance-2", vec![]);
        let streams = aws_json::call(
            &logs,
            "DescribeLogStreams",
            br#"{"logGroupName":"/aws/lambda/f"}"#,
            true,
        )
        .await
        .unwrap();
        let names: Vec<&str> = streams["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["instance-1", "instance-2"]);
        let events = aws_json::call(
            &logs,
            "GetLogEvents",
                br#"{"logGroupName":"/aws/lambda/f","logStreamName":"instance-1","startFromHead":true}"#,
                true,
            )
            .await
            .unwrap();
        let messages: Vec<&str> = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages, ["first", "second", "third"]);
    }
}
