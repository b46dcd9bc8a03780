//! The PreSignUp trigger of the `signup-trigger` workload: the pass-through
//! function of `src/bin/pass-through-trigger.rs`, deployed to the endpoint's
//! Lambda with a role of its own, and removed again (function, log group,
//! role) when the workload ends.
//!
//! The function runs as a native executable, so this needs an endpoint that
//! runs Lambda functions on this machine: the bundled emulator. Each call is
//! the one the pools-triggers scenarios share (`trigger_deployment::{role,
//! function, logs}`), but for CreateFunction: this function needs no table,
//! no environment, and its role no permissions (it does not even write logs
//! itself).

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, Runtime};
use example_cli::ExampleError;
use trigger_deployment::handler_zip::{self, Platform};
use trigger_deployment::{function, logs, role};

use crate::{TriggerClients, setup_failed_at as step};

/// The executable `cargo build --release -p benchmark` builds next to the benchmark.
pub const HANDLER_BINARY: &str = "pass-through-trigger";

/// Where the handler is unless `--trigger-handler` says otherwise: next to
/// the running benchmark executable.
pub fn default_handler_path() -> Option<PathBuf> {
    let benchmark = std::env::current_exe().ok()?;
    Some(benchmark.with_file_name(HANDLER_BINARY))
}

/// A deployed PreSignUp function and the role it runs with.
#[derive(Debug)]
pub struct Trigger {
    clients: TriggerClients,
    /// Used for the function and its role alike.
    name: String,
    function_arn: String,
}

impl Trigger {
    /// Creates the role and the function from the `handler` executable, and
    /// waits until the function is active. What was created is removed again
    /// when a later step fails.
    pub async fn deploy(clients: &TriggerClients, handler: &Path) -> Result<Self, ExampleError> {
        let executable = std::fs::read(handler).map_err(|err| {
            ExampleError::new(format!(
                "cannot read the trigger function {} ({err}); build it with \
                 `cargo build --release -p benchmark` or pass --trigger-handler",
                handler.display()
            ))
        })?;
        let architecture = match handler_zip::platform(&executable) {
            Platform::Lambda(architecture) => architecture,
            Platform::Other(what) => {
                return Err(ExampleError::new(format!(
                    "the trigger function {} is {what}, which Lambda cannot run",
                    handler.display()
                )));
            }
        };
        let zip = handler_zip::zip_bootstrap(&executable)
            .map_err(|err| ExampleError::new(format!("cannot zip the trigger function: {err}")))?;

        let name = format!("benchmark-pre-sign-up-{}", std::process::id());
        let role_arn = clients
            .iam
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(role::trust_policy())
            .description("Execution role of the benchmark's pass-through PreSignUp trigger")
            .send()
            .await
            .map_err(|err| step("CreateRole")(err.into()))?
            .role
            .map(|role| role.arn)
            .ok_or_else(|| {
                ExampleError::new("setup failed at CreateRole: no role in the answer")
            })?;

        let mut trigger = Self {
            clients: clients.clone(),
            name,
            function_arn: String::new(),
        };
        match trigger.create_function(&role_arn, zip, architecture).await {
            Ok(function_arn) => {
                trigger.function_arn = function_arn;
                Ok(trigger)
            }
            Err(err) => {
                trigger.remove().await;
                Err(err)
            }
        }
    }

    async fn create_function(
        &self,
        role_arn: &str,
        zip: Vec<u8>,
        architecture: Architecture,
    ) -> Result<String, ExampleError> {
        let lambda = &self.clients.lambda;
        let created = lambda
            .create_function()
            .function_name(&self.name)
            .runtime(Runtime::Providedal2023)
            .handler("bootstrap")
            .architectures(architecture)
            .role(role_arn)
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .timeout(function::TIMEOUT_SECONDS)
            .memory_size(128)
            .description("The benchmark's PreSignUp trigger: returns the event unchanged")
            .send()
            .await
            .map_err(|err| step("CreateFunction")(err.into()))?;
        function::wait_until_active(lambda, &self.name, Duration::from_secs(60))
            .await
            .map_err(|err| {
                ExampleError::new(format!(
                    "setup failed at waiting for the function to become active: {}",
                    DisplayErrorContext(&err)
                ))
            })?;
        created.function_arn.ok_or_else(|| {
            ExampleError::new("setup failed at CreateFunction: no function ARN in the answer")
        })
    }

    /// The function's name (also its role's).
    pub fn function_name(&self) -> &str {
        &self.name
    }

    /// The ARN the pool's `LambdaConfig` names.
    pub fn function_arn(&self) -> &str {
        &self.function_arn
    }

    /// Lets Cognito invoke the function for this one user pool.
    pub async fn allow(&self, user_pool_arn: &str) -> Result<(), ExampleError> {
        function::allow_cognito(&self.clients.lambda, &self.name, user_pool_arn)
            .await
            .map_err(|err| step("AddPermission")(err.into()))?;
        Ok(())
    }

    /// Deletes the function, its log group and its role. Failures are warnings:
    /// the workload's result stands, and each remaining step is still tried.
    pub async fn remove(self) {
        let name = &self.name;
        if let Err(err) = function::delete_function(&self.clients.lambda, name).await {
            if err.code() != Some("ResourceNotFoundException") {
                warn("function", name, err.into());
            }
        }
        let log_group = logs::log_group_name(name);
        if let Err(err) = logs::delete_log_group(&self.clients.logs, &log_group).await {
            if err.code() != Some("ResourceNotFoundException") {
                warn("log group", &log_group, err.into());
            }
        }
        if let Err(err) = role::delete_role(&self.clients.iam, name).await {
            warn("role", name, err.into());
        }
    }
}

fn warn(what: &str, name: &str, err: ExampleError) {
    eprintln!("warning: could not delete the trigger's {what} {name}: {err}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handler_is_looked_for_next_to_the_benchmark() {
        let path = default_handler_path().unwrap();
        assert_eq!(path.file_name().unwrap(), HANDLER_BINARY);
        assert_eq!(
            path.parent(),
            std::env::current_exe().unwrap().parent(),
            "same directory as the running executable"
        );
    }
}
