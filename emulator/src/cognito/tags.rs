//! Tags of user pools: TagResource, UntagResource, ListTagsForResource, by
//! pool ARN. The tags are the pool's `UserPoolTags` (as CreateUserPool and
//! UpdateUserPool set them and DescribeUserPool shows them), kept in its
//! settings document.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::state::pool::Pool;
use super::{CognitoService, Input, Outcome};
use crate::aws_json::ServiceError;

impl CognitoService {
    /// The pool with this ARN, or `ResourceNotFoundException`.
    fn pool_by_arn(&self, arn: &str) -> Result<Arc<Pool>, ServiceError> {
        self.pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .find(|pool| pool.arn == arn)
            .cloned()
            .ok_or_else(|| {
                ServiceError::new(
                    "ResourceNotFoundException",
                    format!("Resource {arn} does not exist."),
                )
            })
    }

    /// Changes the pool's tags with `change`, under the settings lock.
    fn change_tags(
        &self,
        input: &Input<'_>,
        change: impl FnOnce(&mut Map<String, Value>),
    ) -> Outcome {
        let pool = self.pool_by_arn(input.required("ResourceArn")?)?;
        pool.update_settings(|old| {
            let mut next = old.clone();
            let mut tags = old
                .request
                .get("UserPoolTags")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            change(&mut tags);
            next.request
                .insert("UserPoolTags".into(), Value::Object(tags));
            Ok::<_, ServiceError>(next)
        })?;
        Ok(json!({}))
    }

    pub(super) fn tag_resource(&self, input: &Input<'_>) -> Outcome {
        let added = input
            .value("Tags")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        self.change_tags(input, |tags| tags.extend(added))
    }

    pub(super) fn untag_resource(&self, input: &Input<'_>) -> Outcome {
        let keys = input.strings("TagKeys");
        self.change_tags(input, |tags| {
            for key in keys {
                tags.remove(key);
            }
        })
    }

    pub(super) fn list_tags_for_resource(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool_by_arn(input.required("ResourceArn")?)?;
        let tags = pool
            .settings()
            .request
            .get("UserPoolTags")
            .cloned()
            .unwrap_or(json!({}));
        Ok(json!({ "Tags": tags }))
    }
}
