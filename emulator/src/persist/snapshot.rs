//! The export format: every record as readable JSON, grouped by kind and
//! sorted, so that a snapshot kept in a repository diffs well.
//!
//! ```json
//! {
//!   "emulatorState": 1,
//!   "records": {
//!     "cognito.user": { "us-east-1_AbC/alice": { ... } },
//!     "dynamodb.item": { ... }
//!   }
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Record;
use super::store::FORMAT_VERSION;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Snapshot {
    /// The state format the records are in ([`FORMAT_VERSION`]).
    emulator_state: i64,
    records: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

/// `records` as an export document.
pub fn to_json(records: Vec<Record>) -> serde_json::Value {
    let mut grouped: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
    for record in records {
        grouped
            .entry(record.kind)
            .or_default()
            .insert(record.key, record.value);
    }
    serde_json::to_value(Snapshot {
        emulator_state: FORMAT_VERSION,
        records: grouped,
    })
    .unwrap_or_default()
}

/// The records of an export document, ordered by kind then key; `Err` says
/// what is wrong with it.
pub fn from_json(document: &[u8]) -> Result<Vec<Record>, String> {
    let snapshot: Snapshot =
        serde_json::from_slice(document).map_err(|err| format!("not an emulator export: {err}"))?;
    if snapshot.emulator_state != FORMAT_VERSION {
        return Err(format!(
            "the export is in state format {}, this emulator reads {FORMAT_VERSION}",
            snapshot.emulator_state
        ));
    }
    Ok(snapshot
        .records
        .into_iter()
        .flat_map(|(kind, records)| {
            records.into_iter().map(move |(key, value)| Record {
                kind: kind.clone(),
                key,
                value,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_an_export_document() {
        let records = vec![
            Record {
                kind: "a.one".into(),
                key: "k1".into(),
                value: serde_json::json!({"x": 1}),
            },
            Record {
                kind: "b.two".into(),
                key: "k2".into(),
                value: serde_json::json!("text"),
            },
        ];
        let document = to_json(records.clone());
        assert_eq!(document["emulatorState"], FORMAT_VERSION);
        assert_eq!(document["records"]["a.one"]["k1"]["x"], 1);
        let bytes = serde_json::to_vec(&document).unwrap();
        assert_eq!(from_json(&bytes).unwrap(), records);
    }

    #[test]
    fn refuses_documents_that_are_not_exports_or_of_another_format() {
        assert!(
            from_json(b"[]")
                .unwrap_err()
                .contains("not an emulator export")
        );
        assert!(from_json(br#"{"records": {}}"#).is_err());
        let newer = format!(
            r#"{{"emulatorState": {}, "records": {{}}}}"#,
            FORMAT_VERSION + 1
        );
        assert!(
            from_json(newer.as_bytes())
                .unwrap_err()
                .contains("state format")
        );
    }
}
