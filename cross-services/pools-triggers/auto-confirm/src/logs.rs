//! The function's log lines in CloudWatch Logs. Lambda writes everything a
//! function prints to the log group `/aws/lambda/FUNCTION_NAME`, one log
//! stream per instance of the function, plus its own `START`, `END` and
//! `REPORT` lines for every invocation.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::SdkError;
use aws_sdk_cloudwatchlogs::operation::delete_log_group::{
    DeleteLogGroupError, DeleteLogGroupOutput,
};
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError;

/// The log group Lambda writes a function's output to.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// At most this many pages are read: a scenario's function logs a handful of lines.
const MAX_PAGES: usize = 20;

// snippet-start:[rust.cross-service.auto-confirm.FilterLogEvents]
/// The messages in every stream of `log_group`, oldest first, from
/// `start_time` (milliseconds since the Unix epoch) on, with trailing line
/// breaks trimmed. Follows `nextToken` through the pages.
///
/// Lines take a few seconds to arrive in CloudWatch Logs after the function
/// printed them; a group Lambda has not created yet (the function never ran)
/// fails with `ResourceNotFoundException`.
pub async fn function_log(
    client: &Client,
    log_group: &str,
    start_time: i64,
) -> Result<Vec<String>, SdkError<FilterLogEventsError>> {
    let mut lines = Vec::new();
    let mut next_token = None;
    for _ in 0..MAX_PAGES {
        let page = client
            .filter_log_events()
            .log_group_name(log_group)
            .start_time(start_time)
            .set_next_token(next_token)
            .send()
            .await?;
        lines.extend(
            page.events()
                .iter()
                .filter_map(|event| event.message())
                .map(|message| message.trim_end().to_string()),
        );
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    Ok(lines)
}
// snippet-end:[rust.cross-service.auto-confirm.FilterLogEvents]

// snippet-start:[rust.cross-service.auto-confirm.DeleteLogGroup]
/// Deletes a log group with all its streams and lines. Fails with
/// `ResourceNotFoundException` when there is no such group.
pub async fn delete_log_group(
    client: &Client,
    log_group: &str,
) -> Result<DeleteLogGroupOutput, SdkError<DeleteLogGroupError>> {
    client
        .delete_log_group()
        .log_group_name(log_group)
        .send()
        .await
}
// snippet-end:[rust.cross-service.auto-confirm.DeleteLogGroup]

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_clients::mock_logs;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    use aws_smithy_mocks::mock;

    fn event(message: &str) -> FilteredLogEvent {
        FilteredLogEvent::builder().message(message).build()
    }

    #[test]
    fn the_group_is_named_after_the_function() {
        assert_eq!(
            log_group_name("auto-confirm-1"),
            "/aws/lambda/auto-confirm-1"
        );
    }

    #[tokio::test]
    async fn every_page_is_read_in_order_from_the_start_time() {
        let first = mock!(Client::filter_log_events)
            .match_requests(|req| {
                req.log_group_name() == Some("/aws/lambda/f")
                    && req.start_time() == Some(1_700_000_000_000)
                    && req.next_token().is_none()
            })
            .then_output(|| {
                FilterLogEventsOutput::builder()
                    .events(event("START RequestId: 1\n"))
                    .events(event("Sign-up of alice: known user\n"))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(Client::filter_log_events)
            .match_requests(|req| req.next_token() == Some("page-2"))
            .then_output(|| {
                FilterLogEventsOutput::builder()
                    .events(event("END RequestId: 1"))
                    .build()
            });
        let client = mock_logs(&[&first, &second]);

        let lines = function_log(&client, "/aws/lambda/f", 1_700_000_000_000)
            .await
            .expect("read");

        assert_eq!(
            lines,
            [
                "START RequestId: 1",
                "Sign-up of alice: known user",
                "END RequestId: 1"
            ]
        );
        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    }
}
