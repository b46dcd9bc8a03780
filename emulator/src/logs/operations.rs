//! The CloudWatch Logs operations.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::errors::{
    group_exists, group_not_found, invalid_parameter, stream_exists, stream_not_found,
};
use super::filter::FilterPattern;
use super::{Fields, LogGroup, LogStream, LogsService, Outcome, now_millis};

type Input = Map<String, Value>;

/// The most events GetLogEvents and FilterLogEvents return at once (and
/// their limit's default), and the response size that also ends a page.
const MAX_EVENTS: usize = 10_000;
const MAX_RESPONSE_BYTES: usize = 1_048_576;
/// Per-event overhead counted against PutLogEvents' batch size.
const EVENT_OVERHEAD: usize = 26;
/// How far in the past and the future PutLogEvents accepts timestamps.
const TOO_OLD_MILLIS: i64 = 14 * 24 * 3600 * 1000;
const TOO_NEW_MILLIS: i64 = 2 * 3600 * 1000;
const MAX_BATCH_SPAN_MILLIS: i64 = 24 * 3600 * 1000;
/// Retention settings PutRetentionPolicy accepts, in days.
const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A page offset in DescribeLogGroups/DescribeLogStreams `nextToken`s.
fn offset_token(offset: usize) -> String {
    format!("o/{offset}")
}

fn parse_offset(input: &Input) -> Result<usize, super::ServiceError> {
    match input.str("nextToken") {
        None => Ok(0),
        Some(token) => token
            .strip_prefix("o/")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| invalid_parameter("The specified nextToken is invalid.")),
    }
}

/// The log group a request names by `logGroupName` or `logGroupIdentifier`
/// (a name or an ARN).
fn group_name(input: &Input) -> Result<String, super::ServiceError> {
    match (input.str("logGroupName"), input.str("logGroupIdentifier")) {
        (Some(_), Some(_)) => Err(invalid_parameter(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )),
        (Some(name), None) => Ok(name.to_owned()),
        (None, Some(identifier)) => Ok(identifier_to_name(identifier)),
        (None, None) => Err(invalid_parameter(
            "Should provide either a log group name or a log group ARN.",
        )),
    }
}

/// `arn:aws:logs:r:a:log-group:NAME[:*]` → `NAME`; a plain name stays as it is.
fn identifier_to_name(identifier: &str) -> String {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) if identifier.starts_with("arn:") => {
            rest.strip_suffix(":*").unwrap_or(rest).to_owned()
        }
        _ => identifier.to_owned(),
    }
}

impl LogsService {
    fn group_json(&self, name: &str, group: &LogGroup) -> Value {
        let arn = self.group_arn(name);
        let mut out = json!({
            "logGroupName": name,
            "creationTime": group.creation_time,
            "metricFilterCount": 0,
            "arn": format!("{arn}:*"),
            "logGroupArn": arn,
            "storedBytes": group.stored_bytes(),
            "logGroupClass": group.log_group_class.as_deref().unwrap_or("STANDARD"),
        });
        if let Some(days) = group.retention_in_days {
            out["retentionInDays"] = json!(days);
        }
        out
    }

    fn stream_json(&self, group: &str, name: &str, stream: &LogStream) -> Value {
        let mut out = json!({
            "logStreamName": name,
            "creationTime": stream.creation_time,
            "arn": format!("{}:log-stream:{name}", self.group_arn(group)),
            "storedBytes": 0,
        });
        if let Some(first) = stream.first_event_timestamp() {
            out["firstEventTimestamp"] = json!(first);
        }
        if let Some(last) = stream.last_event_timestamp() {
            out["lastEventTimestamp"] = json!(last);
        }
        if let Some(ingested) = stream.last_ingestion_time {
            out["lastIngestionTime"] = json!(ingested);
            out["uploadSequenceToken"] = json!(format!("{:056}", stream.events.len()));
        }
        out
    }

    pub(super) fn create_log_group(&self, input: &Input) -> Outcome {
        let name = input.str("logGroupName").unwrap_or_default();
        let mut groups = self.groups();
        if groups.contains_key(name) {
            return Err(group_exists());
        }
        let mut group = LogGroup::new(now_millis());
        group.log_group_class = input.str("logGroupClass").map(str::to_owned);
        self.journal_group(name, &group);
        groups.insert(name.into(), group);
        Ok(json!({}))
    }

    pub(super) fn create_log_stream(&self, input: &Input) -> Outcome {
        let group = input.str("logGroupName").unwrap_or_default();
        let name = input.str("logStreamName").unwrap_or_default();
        if name.contains(':') || name.contains('*') {
            return Err(invalid_parameter(format!(
                "1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
            )));
        }
        let group_name = group;
        let mut groups = self.groups();
        let group = groups.get_mut(group).ok_or_else(group_not_found)?;
        if group.streams.contains_key(name) {
            return Err(stream_exists());
        }
        let stream = self.new_stream(now_millis());
        self.journal_stream(group_name, name, &stream);
        group.streams.insert(name.into(), stream);
        Ok(json!({}))
    }

    pub(super) fn put_log_events(&self, input: &Input) -> Outcome {
        let group_name = input.str("logGroupName").unwrap_or_default();
        let stream_name = input.str("logStreamName").unwrap_or_default();
        let events: Vec<(i64, &str)> = input
            .get("logEvents")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|e| {
                        (
                            e.get("timestamp")
                                .and_then(Value::as_i64)
                                .unwrap_or_default(),
                            e.get("message").and_then(Value::as_str).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if events.windows(2).any(|w| w[1].0 < w[0].0) {
            return Err(invalid_parameter(
                "Log events in a single PutLogEvents request must be in chronological order.",
            ));
        }
        if let (Some(first), Some(last)) = (events.first(), events.last()) {
            if last.0 - first.0 > MAX_BATCH_SPAN_MILLIS {
                return Err(invalid_parameter(
                    "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
                ));
            }
        }
        let size: usize = events.iter().map(|e| e.1.len() + EVENT_OVERHEAD).sum();
        if size > MAX_RESPONSE_BYTES {
            return Err(invalid_parameter(format!(
                "Upload too large: {size} bytes exceeds limit of {MAX_RESPONSE_BYTES}"
            )));
        }
        let now = now_millis();
        let mut groups = self.groups();
        let group = groups.get_mut(group_name).ok_or_else(group_not_found)?;
        let retention = group.retention_in_days;
        let stream = group
            .streams
            .get_mut(stream_name)
            .ok_or_else(stream_not_found)?;
        let mut rejected = Map::new();
        let mut accepted = Vec::with_capacity(events.len());
        let (mut too_old_end, mut expired_end, mut too_new_start) = (None, None, None);
        for (i, (timestamp, message)) in events.into_iter().enumerate() {
            if timestamp > now + TOO_NEW_MILLIS {
                too_new_start.get_or_insert(i);
            } else if timestamp < now - TOO_OLD_MILLIS {
                too_old_end = Some(i);
            } else if retention.is_some_and(|days| timestamp < now - days * 24 * 3600 * 1000) {
                expired_end = Some(i);
            } else {
                accepted.push((timestamp, message.to_owned()));
            }
        }
        if let Some(i) = too_new_start {
            rejected.insert("tooNewLogEventStartIndex".into(), json!(i));
        }
        if let Some(i) = too_old_end {
            rejected.insert("tooOldLogEventEndIndex".into(), json!(i));
        }
        if let Some(i) = expired_end {
            rejected.insert("expiredLogEventEndIndex".into(), json!(i));
        }
        stream.push(accepted, now, &self.journal, group_name, stream_name);
        let mut out = json!({ "nextSequenceToken": format!("{:056}", stream.events.len()) });
        if !rejected.is_empty() {
            out["rejectedLogEventsInfo"] = Value::Object(rejected);
        }
        Ok(out)
    }

    pub(super) fn describe_log_groups(&self, input: &Input) -> Outcome {
        let prefix = input.str("logGroupNamePrefix");
        let pattern = input.str("logGroupNamePattern").map(str::to_lowercase);
        let identifiers: Option<Vec<String>> = input
            .get("logGroupIdentifiers")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(identifier_to_name)
                    .collect()
            });
        if prefix.is_some() && pattern.is_some() {
            return Err(invalid_parameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
            ));
        }
        if identifiers.is_some() && (prefix.is_some() || pattern.is_some()) {
            return Err(invalid_parameter(
                "LogGroupIdentifiers and LogGroup name prefix or pattern are mutually exclusive parameters.",
            ));
        }
        let class = input.str("logGroupClass");
        let offset = parse_offset(input)?;
        let limit = input.int("limit").unwrap_or(50) as usize;
        let groups = self.groups();
        let matching: Vec<(&str, &LogGroup)> = groups
            .iter()
            .map(|(name, group)| (&**name, group))
            .filter(|(name, _)| prefix.is_none_or(|p| name.starts_with(p)))
            .filter(|(name, _)| {
                pattern
                    .as_deref()
                    .is_none_or(|p| name.to_lowercase().contains(p))
            })
            .filter(|(name, _)| {
                identifiers
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id == name))
            })
            .filter(|(_, group)| {
                class.is_none_or(|c| group.log_group_class.as_deref().unwrap_or("STANDARD") == c)
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(name, group)| self.group_json(name, group))
            .collect();
        let mut out = json!({ "logGroups": page });
        if offset + limit < matching.len() {
            out["nextToken"] = json!(offset_token(offset + limit));
        }
        Ok(out)
    }

    pub(super) fn describe_log_streams(&self, input: &Input) -> Outcome {
        let group_name = group_name(input)?;
        let prefix = input.str("logStreamNamePrefix");
        let by_time = input.str("orderBy") == Some("LastEventTime");
        if by_time && prefix.is_some() {
            return Err(invalid_parameter(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
            ));
        }
        let descending = input.bool("descending").unwrap_or(false);
        let offset = parse_offset(input)?;
        let limit = input.int("limit").unwrap_or(50) as usize;
        let groups = self.groups();
        let group = groups
            .get(group_name.as_str())
            .ok_or_else(group_not_found)?;
        let mut streams: Vec<(&str, &LogStream)> = group
            .streams
            .iter()
            .map(|(name, stream)| (&**name, stream))
            .filter(|(name, _)| prefix.is_none_or(|p| name.starts_with(p)))
            .collect();
        if by_time {
            // Streams without events sort first (ascending); ties by name.
            streams.sort_by_key(|(name, stream)| (stream.last_event_timestamp(), *name));
        }
        if descending {
            streams.reverse();
        }
        let page: Vec<Value> = streams
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(name, stream)| self.stream_json(&group_name, name, stream))
            .collect();
        let mut out = json!({ "logStreams": page });
        if offset + limit < streams.len() {
            out["nextToken"] = json!(offset_token(offset + limit));
        }
        Ok(out)
    }

    pub(super) fn get_log_events(&self, input: &Input) -> Outcome {
        let group_name = group_name(input)?;
        let stream_name = input.str("logStreamName").unwrap_or_default();
        let limit = input
            .int("limit")
            .map_or(MAX_EVENTS, |l| l.clamp(1, MAX_EVENTS as i64) as usize);
        let token = match input.str("nextToken") {
            None => None,
            Some(token) => Some(
                parse_get_token(token)
                    .ok_or_else(|| invalid_parameter("The specified nextToken is invalid."))?,
            ),
        };
        let groups = self.groups();
        let group = groups
            .get(group_name.as_str())
            .ok_or_else(group_not_found)?;
        let stream = group
            .streams
            .get(stream_name)
            .ok_or_else(stream_not_found)?;
        let events = &stream.events;
        // The time window is a contiguous range of the (sorted) events.
        let lo = input
            .int("startTime")
            .map_or(0, |t| events.partition_point(|e| e.timestamp < t));
        let hi = input
            .int("endTime")
            .map_or(events.len(), |t| {
                events.partition_point(|e| e.timestamp < t)
            })
            .max(lo);
        let forward_from = |position: usize| {
            let start = position.clamp(lo, hi);
            let mut end = start;
            let mut bytes = 0;
            while end < hi && end - start < limit {
                bytes += events[end].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_RESPONSE_BYTES && end > start {
                    break;
                }
                end += 1;
            }
            (start, end)
        };
        let backward_from = |position: usize| {
            let end = position.clamp(lo, hi);
            let mut start = end;
            let mut bytes = 0;
            while start > lo && end - start < limit {
                bytes += events[start - 1].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_RESPONSE_BYTES && start < end {
                    break;
                }
                start -= 1;
            }
            (start, end)
        };
        let (start, end) = match token {
            Some((true, position)) => forward_from(position),
            Some((false, position)) => backward_from(position),
            None if input.bool("startFromHead").unwrap_or(false) => forward_from(lo),
            None => backward_from(hi),
        };
        let page: Vec<Value> = events[start..end]
            .iter()
            .map(|e| {
                json!({
                    "timestamp": e.timestamp,
                    "message": &*e.message,
                    "ingestionTime": e.ingestion_time,
                })
            })
            .collect();
        Ok(json!({
            "events": page,
            "nextForwardToken": format!("f/{end:056}"),
            "nextBackwardToken": format!("b/{start:056}"),
        }))
    }

    pub(super) fn filter_log_events(&self, input: &Input) -> Outcome {
        let group_name = group_name(input)?;
        let names: Option<Vec<&str>> = input
            .get("logStreamNames")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect());
        let prefix = input.str("logStreamNamePrefix");
        if names.is_some() && prefix.is_some() {
            return Err(invalid_parameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
            ));
        }
        let pattern = FilterPattern::parse(input.str("filterPattern").unwrap_or_default())
            .map_err(invalid_parameter)?;
        let start_time = input.int("startTime").unwrap_or(i64::MIN);
        let end_time = input.int("endTime").unwrap_or(i64::MAX);
        let limit = input
            .int("limit")
            .map_or(MAX_EVENTS, |l| l.clamp(1, MAX_EVENTS as i64) as usize);
        let resume = match input.str("nextToken") {
            None => None,
            Some(token) => Some(
                parse_filter_token(token)
                    .ok_or_else(|| invalid_parameter("The specified nextToken is invalid."))?,
            ),
        };
        let groups = self.groups();
        let group = groups
            .get(group_name.as_str())
            .ok_or_else(group_not_found)?;
        let streams: Vec<(&str, &LogStream)> = group
            .streams
            .iter()
            .map(|(name, stream)| (&**name, stream))
            .filter(|(name, _)| names.as_ref().is_none_or(|n| n.contains(name)))
            .filter(|(name, _)| prefix.is_none_or(|p| name.starts_with(p)))
            .collect();
        // Every matching event, as (timestamp, stream name, index in stream).
        let mut found: Vec<(i64, &str, usize)> = Vec::new();
        for (name, stream) in &streams {
            let lo = stream.events.partition_point(|e| e.timestamp < start_time);
            for (i, event) in stream.events.iter().enumerate().skip(lo) {
                if event.timestamp > end_time {
                    break;
                }
                if pattern.matches(&event.message) {
                    found.push((event.timestamp, name, i));
                }
            }
        }
        found.sort_unstable();
        let first = match &resume {
            Some((ts, name, i)) => {
                found.partition_point(|k| (k.0, k.1, k.2) < (*ts, name.as_str(), *i))
            }
            None => 0,
        };
        let mut page = Vec::new();
        let mut bytes = 0;
        let mut next = None;
        for (position, &(timestamp, name, i)) in found.iter().enumerate().skip(first) {
            let stream = streams.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
            let Some(stream) = stream else { continue };
            let event = &stream.events[i];
            bytes += event.message.len() + EVENT_OVERHEAD;
            if page.len() >= limit || (bytes > MAX_RESPONSE_BYTES && !page.is_empty()) {
                next = Some(position);
                break;
            }
            page.push(json!({
                "logStreamName": name,
                "timestamp": timestamp,
                "message": &*event.message,
                "ingestionTime": event.ingestion_time,
                "eventId": format!("{:020}{:018}{:018}", timestamp.max(0), stream.id, i),
            }));
        }
        let searched: Vec<Value> = streams
            .iter()
            .map(|(name, _)| json!({"logStreamName": name, "searchedCompletely": next.is_none()}))
            .collect();
        let mut out = json!({ "events": page, "searchedLogStreams": searched });
        if let Some(position) = next {
            let (timestamp, name, i) = found[position];
            out["nextToken"] = json!(filter_token(timestamp, name, i));
        }
        Ok(out)
    }

    pub(super) fn delete_log_group(&self, input: &Input) -> Outcome {
        let name = input.str("logGroupName").unwrap_or_default();
        let mut groups = self.groups();
        groups.remove(name).ok_or_else(group_not_found)?;
        self.journal_group_deleted(name);
        Ok(json!({}))
    }

    pub(super) fn delete_log_stream(&self, input: &Input) -> Outcome {
        let group = input.str("logGroupName").unwrap_or_default();
        let name = input.str("logStreamName").unwrap_or_default();
        let group_name = group;
        let mut groups = self.groups();
        let group = groups.get_mut(group).ok_or_else(group_not_found)?;
        group.streams.remove(name).ok_or_else(stream_not_found)?;
        self.journal_stream_deleted(group_name, name);
        Ok(json!({}))
    }

    pub(super) fn put_retention_policy(&self, input: &Input) -> Outcome {
        let name = input.str("logGroupName").unwrap_or_default();
        let days = input.int("retentionInDays").unwrap_or_default();
        if !RETENTION_DAYS.contains(&days) {
            let allowed: Vec<String> = RETENTION_DAYS.iter().map(i64::to_string).collect();
            return Err(invalid_parameter(format!(
                "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            )));
        }
        let mut groups = self.groups();
        let group = groups.get_mut(name).ok_or_else(group_not_found)?;
        group.retention_in_days = Some(days);
        self.journal_group(name, group);
        Ok(json!({}))
    }
}

/// `f/000…123` (forward) or `b/000…123` (backward) → (forward?, position).
fn parse_get_token(token: &str) -> Option<(bool, usize)> {
    let (direction, position) = token.split_once('/')?;
    let forward = match direction {
        "f" => true,
        "b" => false,
        _ => return None,
    };
    if position.is_empty() || !position.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((forward, position.parse().ok()?))
}

fn filter_token(timestamp: i64, stream: &str, index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{timestamp}:{index}:{stream}"))
}

fn parse_filter_token(token: &str) -> Option<(i64, String, usize)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let mut parts = text.splitn(3, ':');
    let timestamp = parts.next()?.parse().ok()?;
    let index = parts.next()?.parse().ok()?;
    let stream = parts.next()?.to_owned();
    Some((timestamp, stream, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_tokens() {
        assert_eq!(
            identifier_to_name("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*"),
            "/aws/lambda/f"
        );
        assert_eq!(identifier_to_name("/aws/lambda/f"), "/aws/lambda/f");
        assert_eq!(parse_get_token(&format!("f/{:056}", 7)), Some((true, 7)));
        assert_eq!(parse_get_token("b/3"), Some((false, 3)));
        assert_eq!(parse_get_token("x/3"), None);
        assert_eq!(parse_get_token("f/"), None);
        let token = filter_token(12, "a:b", 3);
        assert_eq!(parse_filter_token(&token), Some((12, "a:b".to_owned(), 3)));
        assert_eq!(parse_filter_token("!!"), None);
    }
}
