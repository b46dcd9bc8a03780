//! What CloudWatch Logs keeps in a state folder: one record per log group,
//! one per stream, and one per appended batch of events (a stream's events
//! are never rewritten as a whole: an append adds a record).
//!
//! - `logs.group`, key `{group}`: creation time, retention, class.
//! - `logs.stream`, key `{group}:{stream}`: creation time and id.
//! - `logs.events`, key `{group}:{stream}:{n}` (`n` zero-padded: how many
//!   events the stream had received before the batch): the batch's
//!   ingestion time and its events, in time order.
//!
//! Neither a group name nor a stream name holds a `:`, so `{group}:` is the
//! prefix of exactly a group's streams and batches, and `{group}:{stream}:`
//! of exactly a stream's batches.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

use super::{Event, LogGroup, LogStream, LogsService};
use crate::persist::{Journal, Persistent, Record};

pub(super) const GROUP: &str = "logs.group";
pub(super) const STREAM: &str = "logs.stream";
pub(super) const EVENTS: &str = "logs.events";

/// Whether `journal` takes changes at all: one that goes to disk, or (in
/// unit tests) one that captures them. Lets the append path skip building
/// a record's key when the emulator runs without a state folder.
pub(super) fn journaling(journal: &Journal) -> bool {
    journal.is_on()
}

pub(super) fn stream_key(group: &str, stream: &str) -> String {
    format!("{group}:{stream}")
}

pub(super) fn batch_key(group: &str, stream: &str, first: u64) -> String {
    format!("{group}:{stream}:{first:020}")
}

/// `{group}:{stream}:{n}` → (group, stream, n).
fn parse_batch_key(key: &str) -> Option<(&str, &str, u64)> {
    let (rest, first) = key.rsplit_once(':')?;
    let (group, stream) = rest.rsplit_once(':')?;
    Some((group, stream, first.parse().ok()?))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupRef<'a> {
    creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention_in_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_group_class: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredGroup {
    creation_time: i64,
    #[serde(default)]
    retention_in_days: Option<i64>,
    #[serde(default)]
    log_group_class: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredStream {
    creation_time: i64,
    /// Part of FilterLogEvents' event ids, kept so they stay the same.
    stream_id: u64,
}

/// One appended batch, as it is written: borrows the events.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BatchRef<'a> {
    pub ingestion_time: i64,
    #[serde(serialize_with = "events_as_objects")]
    pub events: &'a [(i64, String)],
}

fn events_as_objects<S: Serializer>(
    events: &&[(i64, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct One<'a> {
        timestamp: i64,
        message: &'a str,
    }
    let mut seq = serializer.serialize_seq(Some(events.len()))?;
    for (timestamp, message) in events.iter() {
        seq.serialize_element(&One {
            timestamp: *timestamp,
            message,
        })?;
    }
    seq.end()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredBatch {
    ingestion_time: i64,
    events: Vec<StoredEvent>,
}

#[derive(Deserialize)]
struct StoredEvent {
    timestamp: i64,
    message: String,
}

fn record<T: Serialize>(kind: &str, key: String, value: &T) -> Record {
    Record {
        kind: kind.to_owned(),
        key,
        value: serde_json::to_value(value).expect("log records serialize"),
    }
}

fn unreadable(record: &Record, err: impl std::fmt::Display) -> String {
    format!(
        "cannot read the record {} {:?}: {err}",
        record.kind, record.key
    )
}

impl LogsService {
    pub(super) fn journal_group(&self, name: &str, group: &LogGroup) {
        self.journal.put(
            GROUP,
            name,
            &GroupRef {
                creation_time: group.creation_time,
                retention_in_days: group.retention_in_days,
                log_group_class: group.log_group_class.as_deref(),
            },
        );
    }

    pub(super) fn journal_group_deleted(&self, name: &str) {
        self.journal.delete(GROUP, name);
        let prefix = format!("{name}:");
        self.journal.delete_prefix(STREAM, &prefix);
        self.journal.delete_prefix(EVENTS, &prefix);
    }

    pub(super) fn journal_stream(&self, group: &str, name: &str, stream: &LogStream) {
        self.journal.put(
            STREAM,
            &stream_key(group, name),
            &StoredStream {
                creation_time: stream.creation_time,
                stream_id: stream.id,
            },
        );
    }

    pub(super) fn journal_stream_deleted(&self, group: &str, name: &str) {
        self.journal.delete(STREAM, &stream_key(group, name));
        self.journal
            .delete_prefix(EVENTS, &format!("{}:", stream_key(group, name)));
    }
}

impl Persistent for LogsService {
    fn kind_prefix(&self) -> &'static str {
        "logs."
    }

    fn records(&self) -> Vec<Record> {
        let groups = self.groups();
        let mut out = Vec::new();
        for (name, group) in groups.iter() {
            out.push(record(
                GROUP,
                name.to_string(),
                &GroupRef {
                    creation_time: group.creation_time,
                    retention_in_days: group.retention_in_days,
                    log_group_class: group.log_group_class.as_deref(),
                },
            ));
            for (stream_name, stream) in &group.streams {
                out.push(record(
                    STREAM,
                    stream_key(name, stream_name),
                    &StoredStream {
                        creation_time: stream.creation_time,
                        stream_id: stream.id,
                    },
                ));
                // The stream keeps its events in time order; each batch's
                // events, taken in that order, are the batch as stored.
                let mut batches: BTreeMap<u64, (i64, Vec<(i64, String)>)> = BTreeMap::new();
                for event in &stream.events {
                    batches
                        .entry(event.batch)
                        .or_insert_with(|| (event.ingestion_time, Vec::new()))
                        .1
                        .push((event.timestamp, event.message.to_string()));
                }
                for (first, (ingestion_time, events)) in batches {
                    out.push(record(
                        EVENTS,
                        batch_key(name, stream_name, first),
                        &BatchRef {
                            ingestion_time,
                            events: &events,
                        },
                    ));
                }
            }
        }
        out.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        out
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut groups: BTreeMap<Box<str>, LogGroup> = BTreeMap::new();
        let mut batches = Vec::new();
        let mut streams = Vec::new();
        for record in &records {
            match record.kind.as_str() {
                GROUP => {
                    let stored: StoredGroup = serde_json::from_value(record.value.clone())
                        .map_err(|err| unreadable(record, err))?;
                    let mut group = LogGroup::new(stored.creation_time);
                    group.retention_in_days = stored.retention_in_days;
                    group.log_group_class = stored.log_group_class;
                    groups.insert(record.key.as_str().into(), group);
                }
                STREAM => streams.push(record),
                EVENTS => batches.push(record),
                _ => return Err(unreadable(record, "unknown kind")),
            }
        }
        let mut next_id = 0;
        for record in streams {
            let stored: StoredStream = serde_json::from_value(record.value.clone())
                .map_err(|err| unreadable(record, err))?;
            let (group, name) = record
                .key
                .rsplit_once(':')
                .ok_or_else(|| unreadable(record, "the key is not {group}:{stream}"))?;
            let Some(group) = groups.get_mut(group) else {
                continue;
            };
            next_id = next_id.max(stored.stream_id + 1);
            group.streams.insert(
                name.into(),
                LogStream {
                    id: stored.stream_id,
                    creation_time: stored.creation_time,
                    events: Vec::new(),
                    last_ingestion_time: None,
                    stored_bytes: 0,
                    next_batch: 0,
                },
            );
        }
        // Batches in key order: each stream's in the order they arrived.
        batches.sort_by_key(|r| parse_batch_key(&r.key));
        for record in batches {
            let (group, stream, first) = parse_batch_key(&record.key)
                .ok_or_else(|| unreadable(record, "the key is not {group}:{stream}:{n}"))?;
            let stored: StoredBatch = serde_json::from_value(record.value.clone())
                .map_err(|err| unreadable(record, err))?;
            let Some(stream) = groups
                .get_mut(group)
                .and_then(|g| g.streams.get_mut(stream))
            else {
                continue;
            };
            stream.next_batch = stream.next_batch.max(first + stored.events.len() as u64);
            for event in stored.events {
                stream.stored_bytes += event.message.len() as u64;
                let at = stream
                    .events
                    .partition_point(|e| e.timestamp <= event.timestamp);
                stream.events.insert(
                    at,
                    Event {
                        timestamp: event.timestamp,
                        ingestion_time: stored.ingestion_time,
                        message: event.message.into_boxed_str(),
                        batch: first,
                    },
                );
            }
            stream.last_ingestion_time = Some(stored.ingestion_time);
        }
        *self.groups() = groups;
        self.stream_ids.store(next_id, Ordering::Relaxed);
        Ok(())
    }

    fn clear(&self) {
        self.groups().clear();
        self.stream_ids.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::Config;
    use crate::aws_json;

    async fn call(logs: &LogsService, action: &str, input: Value) -> Value {
        aws_json::call(logs, action, input.to_string().as_bytes(), true)
            .await
            .unwrap_or_else(|err| panic!("{action}: {err:?}"))
    }

    fn assert_journaled(journal: &Journal, logs: &LogsService) {
        assert_eq!(journal.replayed(), logs.records());
    }

    /// A service with two groups, streams and events, every change made
    /// through the API or `append`, checked against the journal each time.
    async fn filled(journal: &Journal) -> LogsService {
        let logs = LogsService::new(&Config::default(), journal.clone());
        let now = super::super::now_millis();
        call(
            &logs,
            "CreateLogGroup",
            json!({"logGroupName": "app", "logGroupClass": "INFREQUENT_ACCESS"}),
        )
        .await;
        assert_journaled(journal, &logs);
        call(
            &logs,
            "CreateLogStream",
            json!({"logGroupName": "app", "logStreamName": "s/1"}),
        )
        .await;
        assert_journaled(journal, &logs);
        for batch in [["one", "two"], ["three", "four"]] {
            call(
                &logs,
                "PutLogEvents",
                json!({"logGroupName": "app", "logStreamName": "s/1", "logEvents": [
                    {"timestamp": now - 10, "message": batch[0]},
                    {"timestamp": now - 5, "message": batch[1]},
                ]}),
            )
            .await;
            assert_journaled(journal, &logs);
        }
        call(
            &logs,
            "PutRetentionPolicy",
            json!({"logGroupName": "app", "retentionInDays": 7}),
        )
        .await;
        assert_journaled(journal, &logs);
        // What Lambda does: the group and stream appear with the first lines,
        // a batch out of time order is kept in time order.
        logs.append(
            "/aws/lambda/f",
            "2026/01/01/[$LATEST]abc",
            vec![(now - 1, "second".into()), (now - 2, "first".into())],
        );
        logs.append("/aws/lambda/f", "2026/01/01/[$LATEST]abc", vec![]);
        logs.append(
            "/aws/lambda/f",
            "2026/01/01/[$LATEST]abc",
            vec![(now - 2, "third".into())],
        );
        logs.append("/aws/lambda/f", "other", vec![(now, "x".into())]);
        assert_journaled(journal, &logs);
        logs
    }

    #[tokio::test]
    async fn every_change_is_journaled() {
        let journal = Journal::capture();
        let logs = filled(&journal).await;
        let records = logs.records();
        let kinds: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.kind.as_str(), r.key.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    EVENTS,
                    "/aws/lambda/f:2026/01/01/[$LATEST]abc:00000000000000000000"
                ),
                (
                    EVENTS,
                    "/aws/lambda/f:2026/01/01/[$LATEST]abc:00000000000000000002"
                ),
                (EVENTS, "/aws/lambda/f:other:00000000000000000000"),
                (EVENTS, "app:s/1:00000000000000000000"),
                (EVENTS, "app:s/1:00000000000000000002"),
                (GROUP, "/aws/lambda/f"),
                (GROUP, "app"),
                (STREAM, "/aws/lambda/f:2026/01/01/[$LATEST]abc"),
                (STREAM, "/aws/lambda/f:other"),
                (STREAM, "app:s/1"),
            ]
        );
        let batch = &records[0].value;
        assert_eq!(batch["events"][0]["message"], "first");
        assert_eq!(batch["events"][1]["message"], "second");
        assert!(batch["ingestionTime"].is_i64());
        assert_eq!(records[6].value["retentionInDays"], 7);
        assert_eq!(records[6].value["logGroupClass"], "INFREQUENT_ACCESS");

        call(
            &logs,
            "DeleteLogStream",
            json!({"logGroupName": "/aws/lambda/f", "logStreamName": "other"}),
        )
        .await;
        assert_journaled(&journal, &logs);
        call(&logs, "DeleteLogGroup", json!({"logGroupName": "app"})).await;
        assert_journaled(&journal, &logs);
        // A stream of the same name starts again from nothing.
        call(
            &logs,
            "CreateLogStream",
            json!({"logGroupName": "/aws/lambda/f", "logStreamName": "other"}),
        )
        .await;
        logs.append("/aws/lambda/f", "other", vec![(1, "new".into())]);
        assert_journaled(&journal, &logs);
        assert_eq!(logs.records().len(), 6);
    }

    #[tokio::test]
    async fn restored_logs_read_as_before() {
        let logs = filled(&Journal::capture()).await;
        let records = logs.records();
        let journal = Journal::capture();
        let restored = LogsService::new(&Config::default(), journal.clone());
        restored.restore(records.clone()).unwrap();
        assert_eq!(restored.records(), records);
        assert!(journal.replayed().is_empty(), "restore does not journal");

        for (action, input) in [
            ("DescribeLogGroups", json!({})),
            (
                "DescribeLogStreams",
                json!({"logGroupName": "/aws/lambda/f"}),
            ),
            (
                "GetLogEvents",
                json!({"logGroupName": "app", "logStreamName": "s/1", "startFromHead": true}),
            ),
            ("FilterLogEvents", json!({"logGroupName": "/aws/lambda/f"})),
        ] {
            assert_eq!(
                call(&restored, action, input.clone()).await,
                call(&logs, action, input).await,
                "{action}"
            );
        }

        // New streams do not take a restored stream's id, and a new batch
        // does not overwrite a stored one.
        call(
            &restored,
            "CreateLogStream",
            json!({"logGroupName": "app", "logStreamName": "s/2"}),
        )
        .await;
        let ids: Vec<u64> = restored
            .groups()
            .values()
            .flat_map(|g| g.streams.values().map(|s| s.id))
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        restored.append(
            "app",
            "s/1",
            vec![(super::super::now_millis(), "later".into())],
        );
        let added = journal.replayed();
        assert_eq!(added.len(), 2);
        assert_eq!(added[0].key, "app:s/1:00000000000000000004");
        let mut expected = records;
        expected.extend(added);
        expected.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        assert_eq!(restored.records(), expected);
    }

    #[tokio::test]
    async fn restore_names_what_it_cannot_read_and_skips_orphans() {
        let logs = filled(&Journal::capture()).await;
        let records = logs.records();
        // Streams and batches of a group that is gone: skipped.
        let without_app: Vec<Record> = records
            .iter()
            .filter(|r| !(r.kind == GROUP && r.key == "app"))
            .cloned()
            .collect();
        let restored = LogsService::new(&Config::default(), Journal::memory());
        restored.restore(without_app).unwrap();
        assert!(restored.records().iter().all(|r| !r.key.starts_with("app")));
        assert_eq!(restored.records().len(), 6);

        let mut bad = records.clone();
        bad[0].value["events"] = json!("nope");
        let error = LogsService::new(&Config::default(), Journal::memory())
            .restore(bad)
            .unwrap_err();
        assert!(error.contains("logs.events"), "{error}");
        let mut bad = records;
        bad[6].value = json!({});
        let error = LogsService::new(&Config::default(), Journal::memory())
            .restore(bad)
            .unwrap_err();
        assert!(
            error.contains("logs.group") && error.contains("\"app\""),
            "{error}"
        );
    }

    #[tokio::test]
    async fn after_a_gap_left_by_a_lost_batch_no_stored_batch_is_overwritten() {
        let logs = LogsService::new(&Config::default(), Journal::capture());
        logs.append("g", "s", vec![(1, "one".into())]);
        logs.append("g", "s", vec![(2, "two".into())]);
        logs.append("g", "s", vec![(3, "three".into())]);
        // The second batch's write was lost in a crash.
        let mut stored = logs.records();
        let lost = stored.iter().position(|r| r.key == batch_key("g", "s", 1));
        stored.remove(lost.expect("the second batch's record"));
        let journal = Journal::capture();
        let restored = LogsService::new(&Config::default(), journal.clone());
        restored.restore(stored.clone()).unwrap();
        restored.append("g", "s", vec![(4, "four".into())]);
        let appended = journal.replayed();
        assert_eq!(appended.len(), 1);
        // Not the key of the third batch, which is still stored.
        assert!(
            stored.iter().all(|r| r.key != appended[0].key),
            "{} overwrites a stored batch",
            appended[0].key
        );
    }

    #[tokio::test]
    async fn clear_forgets_everything_without_journaling() {
        let journal = Journal::capture();
        let logs = filled(&journal).await;
        let before = journal.replayed();
        logs.clear();
        assert!(logs.records().is_empty());
        assert_eq!(journal.replayed(), before);
    }
}
