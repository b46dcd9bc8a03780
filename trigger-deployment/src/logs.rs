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

/// How much of the log of one invocation has reached CloudWatch Logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrived {
    /// No line about it yet.
    Nothing,
    /// The function's line about it (for example `Sign-up of USERNAME: ...`),
    /// but not yet Lambda's `REPORT` line that closes the invocation.
    Decision,
    /// The function's line and the `REPORT` line after it.
    WholeInvocation,
}

/// How much of the log of the invocations whose decision lines start with
/// `decision` is in `lines`: all `times` of them, and for the last one also
/// Lambda's `REPORT` line after it ([`Arrived::WholeInvocation`]).
pub fn arrived(lines: &[String], decision: &str, times: usize) -> Arrived {
    let decisions = lines.iter().filter(|line| line.starts_with(decision));
    match decisions.count() {
        0 => return Arrived::Nothing,
        seen if seen < times => return Arrived::Decision,
        _ => {}
    }
    match lines.iter().rposition(|line| line.starts_with(decision)) {
        None => Arrived::Nothing,
        Some(at) if lines[at..].iter().any(|line| line.starts_with("REPORT ")) => {
            Arrived::WholeInvocation
        }
        Some(_) => Arrived::Decision,
    }
}

/// At most this many pages are read: a scenario's function logs a handful of lines.
const MAX_PAGES: usize = 20;

// snippet-start:[rust.cross-service.trigger-deployment.FilterLogEvents]
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
// snippet-end:[rust.cross-service.trigger-deployment.FilterLogEvents]

// snippet-start:[rust.cross-service.trigger-deployment.DeleteLogGroup]
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
// snippet-end:[rust.cross-service.trigger-deployment.DeleteLogGroup]

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

    #[test]
    fn a_sign_up_has_arrived_with_the_report_line_after_the_decision() {
        let lines = |all: &[&str]| all.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let first = [
            "START RequestId: 1",
            "Sign-up of alice: known user",
            "END RequestId: 1",
            "REPORT RequestId: 1",
        ];
        let alice = "Sign-up of alice:";
        assert_eq!(arrived(&lines(&first), alice, 1), Arrived::WholeInvocation);
        assert_eq!(arrived(&lines(&first[..3]), alice, 1), Arrived::Decision);
        assert_eq!(
            arrived(&lines(&first), "Sign-up of al:", 1),
            Arrived::Nothing
        );
        // Waiting for two invocations: the first one's REPORT is not enough.
        assert_eq!(arrived(&lines(&first), alice, 2), Arrived::Decision);
        // An earlier invocation's REPORT does not close a later one.
        let mut both = first.to_vec();
        both.extend(["START RequestId: 2", "Sign-up of dave: unknown"]);
        assert_eq!(
            arrived(&lines(&both), "Sign-up of dave:", 1),
            Arrived::Decision
        );
        assert_eq!(
            arrived(&lines(&[]), "Sign-up of dave:", 1),
            Arrived::Nothing
        );
        // The last of several invocations closes with its own REPORT.
        let mut again = both.clone();
        again.extend(["END RequestId: 2", "REPORT RequestId: 2"]);
        again.extend(["START RequestId: 3", "Sign-up of dave: again"]);
        assert_eq!(
            arrived(&lines(&again), "Sign-up of dave:", 2),
            Arrived::Decision
        );
        again.push("REPORT RequestId: 3");
        assert_eq!(
            arrived(&lines(&again), "Sign-up of dave:", 2),
            Arrived::WholeInvocation
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
