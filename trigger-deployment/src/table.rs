//! The DynamoDB table a trigger function reads or writes: waiting until a
//! new one is active, filling it, and deleting it. (Creating it is each
//! scenario's own: the key schema is what differs.)

use std::error::Error;
use std::fmt;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
use aws_sdk_dynamodb::operation::delete_table::{DeleteTableError, DeleteTableOutput};
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{TableStatus, WriteRequest};

// snippet-start:[rust.cross-service.trigger-deployment.DescribeTable]
/// Waits until the table is `ACTIVE`, asking DescribeTable every second or
/// two, at most `timeout`.
///
/// (The SDK's `wait_until_table_exists` waiter does the same but sleeps at
/// least 20 seconds between two questions, whereas a new on-demand table is
/// usually active within a few seconds.)
pub async fn wait_for_table(
    client: &Client,
    table_name: &str,
    timeout: Duration,
) -> Result<(), TableWaitError> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(250);
    loop {
        let described = client
            .describe_table()
            .table_name(table_name)
            .send()
            .await
            .map_err(|err| TableWaitError::Describe(Box::new(err)))?;
        match described.table().and_then(|table| table.table_status()) {
            Some(TableStatus::Active) => return Ok(()),
            Some(TableStatus::Creating | TableStatus::Updating) | None => {}
            Some(other) => return Err(TableWaitError::Status(other.as_str().to_string())),
        }
        if Instant::now() + pause > deadline {
            return Err(TableWaitError::TimedOut(timeout));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}
// snippet-end:[rust.cross-service.trigger-deployment.DescribeTable]

/// Why [`wait_for_table`] gave up.
#[derive(Debug)]
pub enum TableWaitError {
    /// DescribeTable failed (for example `ResourceNotFoundException`).
    Describe(Box<SdkError<DescribeTableError>>),
    /// The table went into a state it does not come back from by itself.
    Status(String),
    /// Still not active when the time ran out.
    TimedOut(Duration),
}

impl fmt::Display for TableWaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Describe(err) => match (err.code(), err.message()) {
                (Some(code), Some(message)) => write!(f, "{code}: {message}"),
                _ => write!(f, "{}", DisplayErrorContext(err)),
            },
            Self::Status(status) => write!(f, "the table is {status}"),
            Self::TimedOut(timeout) => {
                write!(f, "still not active after {} s", timeout.as_secs())
            }
        }
    }
}

impl Error for TableWaitError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Describe(err) => Some(err.as_ref()),
            _ => None,
        }
    }
}

// snippet-start:[rust.cross-service.trigger-deployment.BatchWriteItem]
/// Writes `requests` to the table with BatchWriteItem (at most 25 per call).
///
/// DynamoDB may accept only part of a batch and hand the rest back as
/// `UnprocessedItems`; those are sent again, after a short pause, up to
/// `attempts` times in all. Returns how many were still unprocessed at the end.
pub async fn write_items(
    client: &Client,
    table_name: &str,
    requests: Vec<WriteRequest>,
    attempts: u32,
) -> Result<usize, SdkError<BatchWriteItemError>> {
    let mut pending = requests;
    let mut pause = Duration::from_millis(100);
    for attempt in 1..=attempts.max(1) {
        let written = client
            .batch_write_item()
            .request_items(table_name, pending)
            .send()
            .await?;
        pending = written
            .unprocessed_items()
            .and_then(|unprocessed| unprocessed.get(table_name))
            .cloned()
            .unwrap_or_default();
        if pending.is_empty() || attempt == attempts {
            break;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    Ok(pending.len())
}
// snippet-end:[rust.cross-service.trigger-deployment.BatchWriteItem]

// snippet-start:[rust.cross-service.trigger-deployment.DeleteTable]
/// Deletes the table and every item in it. Fails with
/// `ResourceNotFoundException` when there is no such table.
pub async fn delete_table(
    client: &Client,
    table_name: &str,
) -> Result<DeleteTableOutput, SdkError<DeleteTableError>> {
    client.delete_table().table_name(table_name).send().await
}
// snippet-end:[rust.cross-service.trigger-deployment.DeleteTable]

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_clients::mock_dynamodb;
    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
    use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, TableDescription};
    use aws_smithy_mocks::mock;

    #[tokio::test]
    async fn waiting_asks_until_the_table_is_active() {
        let describe = mock!(aws_sdk_dynamodb::Client::describe_table)
            .match_requests(|req| req.table_name() == Some("known-users"))
            .sequence()
            .output(|| described(TableStatus::Creating))
            .times(2)
            .output(|| described(TableStatus::Active))
            .build();
        let client = mock_dynamodb(&[&describe]);

        wait_for_table(&client, "known-users", Duration::from_secs(10))
            .await
            .expect("active");

        assert_eq!(describe.num_calls(), 3);
    }

    #[tokio::test]
    async fn waiting_stops_at_a_state_of_no_return_and_at_the_deadline() {
        let deleting = mock!(aws_sdk_dynamodb::Client::describe_table)
            .then_output(|| described(TableStatus::Deleting));
        let client = mock_dynamodb(&[&deleting]);
        let err = wait_for_table(&client, "known-users", Duration::from_secs(10))
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "the table is DELETING");

        let creating = mock!(aws_sdk_dynamodb::Client::describe_table)
            .then_output(|| described(TableStatus::Creating));
        let client = mock_dynamodb(&[&creating]);
        let err = wait_for_table(&client, "known-users", Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, TableWaitError::TimedOut(_)), "{err}");
    }

    fn described(status: TableStatus) -> DescribeTableOutput {
        DescribeTableOutput::builder()
            .table(TableDescription::builder().table_status(status).build())
            .build()
    }

    fn put(key: &str) -> WriteRequest {
        let put = PutRequest::builder()
            .item("Key", AttributeValue::S(key.into()))
            .build()
            .unwrap();
        WriteRequest::builder().put_request(put).build()
    }

    #[tokio::test]
    async fn unprocessed_items_are_sent_again_until_the_last_attempt() {
        let partly = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .match_requests(|req| req.request_items().unwrap()["t"].len() == 2)
            .then_output(|| {
                BatchWriteItemOutput::builder()
                    .unprocessed_items("t", vec![put("b")])
                    .build()
            });
        let rest = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .match_requests(|req| req.request_items().unwrap()["t"] == [put("b")])
            .then_output(|| BatchWriteItemOutput::builder().build());
        let client = mock_dynamodb(&[&partly, &rest]);
        let left = write_items(&client, "t", vec![put("a"), put("b")], 3)
            .await
            .expect("written");
        assert_eq!(left, 0);
        assert_eq!((partly.num_calls(), rest.num_calls()), (1, 1));

        let never = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| {
            BatchWriteItemOutput::builder()
                .unprocessed_items("t", vec![put("b")])
                .build()
        });
        let client = mock_dynamodb(&[&never]);
        let left = write_items(&client, "t", vec![put("a"), put("b")], 2)
            .await
            .expect("answered");
        assert_eq!(left, 1);
        assert_eq!(never.num_calls(), 2);
    }
}
