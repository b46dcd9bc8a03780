//! CloudWatch Logs through the real aws-sdk-cloudwatchlogs client: groups,
//! streams, events, paging tokens, ordering by last event time, filter
//! patterns, typed errors.

use crate::service_client;

use aws_sdk_cloudwatchlogs as logs;
use logs::error::ProvideErrorMetadata;
use logs::types::{InputLogEvent, OrderBy};

fn event(timestamp: i64, message: &str) -> InputLogEvent {
    InputLogEvent::builder()
        .timestamp(timestamp)
        .message(message)
        .build()
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn group_with_stream(client: &logs::Client, group: &str, stream: &str) {
    if let Err(err) = client.create_log_group().log_group_name(group).send().await {
        let err = err.into_service_error();
        assert!(err.is_resource_already_exists_exception(), "{err:?}");
    }
    client
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .expect("CreateLogStream");
}

async fn put(client: &logs::Client, group: &str, stream: &str, events: Vec<InputLogEvent>) {
    client
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("PutLogEvents");
}

fn messages(events: &[logs::types::OutputLogEvent]) -> Vec<&str> {
    events.iter().map(|e| e.message().unwrap()).collect()
}

#[tokio::test]
async fn events_come_back_in_time_order_with_paging_tokens() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    group_with_stream(&client, "/aws/lambda/f", "2026/01/01/[$LATEST]abc").await;
    let t = now() - 10_000;
    let events = (0..5).map(|i| event(t + i, &format!("line {i}"))).collect();
    put(&client, "/aws/lambda/f", "2026/01/01/[$LATEST]abc", events).await;

    // From the head, two at a time, following the forward token.
    let first = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .start_from_head(true)
        .limit(2)
        .send()
        .await
        .expect("GetLogEvents");
    assert_eq!(messages(first.events()), ["line 0", "line 1"]);
    assert!(first.events()[0].ingestion_time().unwrap() >= t);
    let second = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .next_token(first.next_forward_token().unwrap())
        .limit(2)
        .send()
        .await
        .expect("GetLogEvents");
    assert_eq!(messages(second.events()), ["line 2", "line 3"]);

    // Without startFromHead the newest events come first, and the backward token goes back.
    let tail = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .limit(2)
        .send()
        .await
        .expect("GetLogEvents");
    assert_eq!(messages(tail.events()), ["line 3", "line 4"]);
    let before = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .next_token(tail.next_backward_token().unwrap())
        .limit(2)
        .send()
        .await
        .expect("GetLogEvents");
    assert_eq!(messages(before.events()), ["line 1", "line 2"]);

    // At the end the forward token stays the same (how callers know to stop).
    let end = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .next_token(tail.next_forward_token().unwrap())
        .send()
        .await
        .expect("GetLogEvents");
    assert!(end.events().is_empty());
    assert_eq!(end.next_forward_token(), tail.next_forward_token());

    // A time window: start inclusive, end exclusive.
    let window = client
        .get_log_events()
        .log_group_name("/aws/lambda/f")
        .log_stream_name("2026/01/01/[$LATEST]abc")
        .start_time(t + 1)
        .end_time(t + 3)
        .start_from_head(true)
        .send()
        .await
        .expect("GetLogEvents");
    assert_eq!(messages(window.events()), ["line 1", "line 2"]);
    emulator.stop().await;
}

#[tokio::test]
async fn streams_order_by_last_event_time_descending() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    let t = now() - 60_000;
    for (stream, offset) in [("a", 30), ("b", 10), ("c", 20)] {
        group_with_stream(&client, "/aws/lambda/order", stream).await;
        put(
            &client,
            "/aws/lambda/order",
            stream,
            vec![event(t + offset, stream)],
        )
        .await;
    }
    let newest_first = client
        .describe_log_streams()
        .log_group_name("/aws/lambda/order")
        .order_by(OrderBy::LastEventTime)
        .descending(true)
        .send()
        .await
        .expect("DescribeLogStreams");
    let names: Vec<&str> = newest_first
        .log_streams()
        .iter()
        .map(|s| s.log_stream_name().unwrap())
        .collect();
    assert_eq!(names, ["a", "c", "b"]);
    let a = &newest_first.log_streams()[0];
    assert_eq!(a.last_event_timestamp(), Some(t + 30));
    assert_eq!(a.first_event_timestamp(), Some(t + 30));
    assert!(a.last_ingestion_time().is_some());
    assert_eq!(
        a.arn(),
        Some("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/order:log-stream:a")
    );

    let by_name = client
        .describe_log_streams()
        .log_group_name("/aws/lambda/order")
        .limit(2)
        .send()
        .await
        .expect("DescribeLogStreams");
    let names: Vec<&str> = by_name
        .log_streams()
        .iter()
        .map(|s| s.log_stream_name().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let rest = client
        .describe_log_streams()
        .log_group_name("/aws/lambda/order")
        .next_token(by_name.next_token().expect("a second page"))
        .send()
        .await
        .expect("DescribeLogStreams");
    assert_eq!(rest.log_streams()[0].log_stream_name(), Some("c"));
    assert!(rest.next_token().is_none());

    let err = client
        .describe_log_streams()
        .log_group_name("/aws/lambda/order")
        .order_by(OrderBy::LastEventTime)
        .log_stream_name_prefix("a")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Cannot order by LastEventTime with a logStreamNamePrefix.")
    );
    emulator.stop().await;
}

#[tokio::test]
async fn filter_log_events_searches_streams_with_patterns_and_pages() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    let t = now() - 60_000;
    group_with_stream(&client, "app", "one").await;
    group_with_stream(&client, "app", "two").await;
    put(
        &client,
        "app",
        "one",
        vec![
            event(t, "START RequestId: 1"),
            event(t + 2, r#"{"level":"error","code":500}"#),
            event(t + 4, "END RequestId: 1"),
        ],
    )
    .await;
    put(
        &client,
        "app",
        "two",
        vec![
            event(t + 1, "START RequestId: 2"),
            event(t + 3, "ERROR disk full"),
        ],
    )
    .await;

    let all = client
        .filter_log_events()
        .log_group_name("app")
        .send()
        .await
        .expect("FilterLogEvents");
    let found: Vec<(&str, &str)> = all
        .events()
        .iter()
        .map(|e| (e.log_stream_name().unwrap(), e.message().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("one", "START RequestId: 1"),
            ("two", "START RequestId: 2"),
            ("one", r#"{"level":"error","code":500}"#),
            ("two", "ERROR disk full"),
            ("one", "END RequestId: 1"),
        ]
    );
    assert!(all.events().iter().all(|e| e.event_id().is_some()));

    let starts = client
        .filter_log_events()
        .log_group_name("app")
        .filter_pattern("START")
        .send()
        .await
        .expect("FilterLogEvents");
    assert_eq!(starts.events().len(), 2);
    let json = client
        .filter_log_events()
        .log_group_name("app")
        .filter_pattern("{ $.level = \"error\" && $.code >= 500 }")
        .send()
        .await
        .expect("FilterLogEvents");
    assert_eq!(json.events().len(), 1);
    assert_eq!(json.events()[0].log_stream_name(), Some("one"));
    let only_two = client
        .filter_log_events()
        .log_group_name("app")
        .log_stream_names("two")
        .filter_pattern("?ERROR ?END")
        .send()
        .await
        .expect("FilterLogEvents");
    assert_eq!(only_two.events().len(), 1);
    assert_eq!(only_two.events()[0].message(), Some("ERROR disk full"));

    // Paging: two at a time through all five.
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .filter_log_events()
            .log_group_name("app")
            .limit(2)
            .set_next_token(token)
            .send()
            .await
            .expect("FilterLogEvents");
        assert!(page.events().len() <= 2);
        seen.extend(
            page.events()
                .iter()
                .map(|e| e.message().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[4], "END RequestId: 1");

    let err = client
        .filter_log_events()
        .log_group_name("app")
        .filter_pattern("\"unclosed")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn groups_are_listed_by_prefix_and_deleted() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    for name in ["/aws/lambda/a", "/aws/lambda/b", "/other"] {
        client
            .create_log_group()
            .log_group_name(name)
            .send()
            .await
            .expect("CreateLogGroup");
    }
    let lambda = client
        .describe_log_groups()
        .log_group_name_prefix("/aws/lambda/")
        .limit(1)
        .send()
        .await
        .expect("DescribeLogGroups");
    assert_eq!(lambda.log_groups().len(), 1);
    let group = &lambda.log_groups()[0];
    assert_eq!(group.log_group_name(), Some("/aws/lambda/a"));
    assert_eq!(
        group.arn(),
        Some("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*")
    );
    assert!(group.creation_time().is_some());
    let next = client
        .describe_log_groups()
        .log_group_name_prefix("/aws/lambda/")
        .next_token(lambda.next_token().expect("more groups"))
        .send()
        .await
        .expect("DescribeLogGroups");
    assert_eq!(next.log_groups()[0].log_group_name(), Some("/aws/lambda/b"));
    assert!(next.next_token().is_none());

    let err = client
        .create_log_group()
        .log_group_name("/other")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_already_exists_exception(), "{err:?}");

    client
        .delete_log_group()
        .log_group_name("/aws/lambda/a")
        .send()
        .await
        .expect("DeleteLogGroup");
    let err = client
        .delete_log_group()
        .log_group_name("/aws/lambda/a")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let err = client
        .describe_log_streams()
        .log_group_name("/aws/lambda/a")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let all = client
        .describe_log_groups()
        .send()
        .await
        .expect("DescribeLogGroups");
    assert_eq!(all.log_groups().len(), 2);
    emulator.stop().await;
}

#[tokio::test]
async fn writes_to_missing_streams_and_bad_input_are_refused() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    let err = client
        .put_log_events()
        .log_group_name("nope")
        .log_stream_name("s")
        .log_events(event(now(), "x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    group_with_stream(&client, "g", "s").await;
    let err = client
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("missing")
        .log_events(event(now(), "x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The specified log stream does not exist.")
    );
    let err = client
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(now(), "later"))
        .log_events(event(now() - 1000, "earlier"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");

    // Too old and too new events are rejected, the rest kept.
    let day = 24 * 3600 * 1000;
    let out = client
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(now() - 15 * day, "ancient"))
        .log_events(event(now() - 13 * day, "two days later"))
        .send()
        .await;
    // Spanning more than 24 hours is refused outright.
    let err = out.unwrap_err().into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    let out = client
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(now() - 15 * day, "ancient"))
        .send()
        .await
        .expect("PutLogEvents");
    let rejected = out.rejected_log_events_info().expect("rejected info");
    assert_eq!(rejected.too_old_log_event_end_index(), Some(0));

    let err = client
        .create_log_group()
        .log_group_name("bad name!")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(
        err.message()
            .unwrap()
            .contains("at 'logGroupName' failed to satisfy constraint"),
        "{err:?}"
    );

    let raw = service_client::json_call(
        &emulator.endpoint(),
        "Logs_20140328.DescribeLogGroups",
        "1.1",
        "{not json",
    )
    .await;
    assert_eq!(raw.status, 400);
    assert_eq!(raw.json()["__type"], "InvalidParameterException");
    let raw = service_client::json_call(
        &emulator.endpoint(),
        "Logs_20140328.GetLogEvents",
        "1.1",
        r#"{"logGroupName":"g","logStreamName":"s","limit":"ten"}"#,
    )
    .await;
    assert_eq!(raw.status, 400);
    assert_eq!(raw.json()["__type"], "InvalidParameterException");
    let unsigned = service_client::unsigned_json_call(
        &emulator.endpoint(),
        "Logs_20140328.DescribeLogGroups",
        "1.1",
        "{}",
    )
    .await;
    assert_eq!(unsigned.status, 400);
    assert_eq!(
        unsigned.json()["__type"],
        "MissingAuthenticationTokenException"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn no_request_makes_a_server_error() {
    let emulator = service_client::emulator().await;
    let client = service_client::logs(&emulator.endpoint());
    group_with_stream(&client, "g", "s").await;
    put(&client, "g", "s", vec![event(now(), "hello")]).await;
    let sent = service_client::json_fuzz(
        &emulator.endpoint(),
        "Logs_20140328.",
        "1.1",
        emulator::logs::model::OPERATIONS,
        emulator::logs::model::SHAPES,
        serde_json::json!({"logGroupName": "g", "logStreamName": "s"}),
    )
    .await;
    assert!(sent > 500, "{sent}");
    client
        .describe_log_groups()
        .send()
        .await
        .expect("DescribeLogGroups");
    emulator.stop().await;
}
