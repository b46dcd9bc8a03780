//! The PreSignUp trigger of the `signup-trigger` workload: the pass-through
//! function of `src/bin/pass-through-trigger.rs`, deployed to the endpoint's
//! Lambda with a role of its own, and removed again (function, log group,
//! role) when the workload ends.
//!
//! The function runs as a native executable, so this needs an endpoint that
//! runs Lambda functions on this machine: the bundled emulator.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, Runtime};
use example_cli::ExampleError;

use crate::{TriggerClients, setup_failed_at as step};

/// The executable `cargo build --release -p benchmark` builds next to the benchmark.
pub const HANDLER_BINARY: &str = "pass-through-trigger";

/// Cognito waits 5 seconds for a trigger; the function gets as long.
const TIMEOUT_SECONDS: i32 = 5;

/// Lets Lambda, and only Lambda, assume the function's role.
const LAMBDA_TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

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
        let zip = zip_as_bootstrap(&executable)
            .map_err(|err| ExampleError::new(format!("cannot zip the trigger function: {err}")))?;
        let architecture = host_architecture()?;

        let name = format!("benchmark-pre-sign-up-{}", std::process::id());
        let role_arn = clients
            .iam
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(LAMBDA_TRUST_POLICY)
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
            .timeout(TIMEOUT_SECONDS)
            .memory_size(128)
            .description("The benchmark's PreSignUp trigger: returns the event unchanged")
            .send()
            .await
            .map_err(|err| step("CreateFunction")(err.into()))?;
        lambda
            .wait_until_function_active_v2()
            .function_name(&self.name)
            .wait(Duration::from_secs(60))
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
        self.clients
            .lambda
            .add_permission()
            .function_name(&self.name)
            .statement_id("cognito-pre-sign-up")
            .action("lambda:InvokeFunction")
            .principal("cognito-idp.amazonaws.com")
            .source_arn(user_pool_arn)
            .send()
            .await
            .map_err(|err| step("AddPermission")(err.into()))?;
        Ok(())
    }

    /// Deletes the function, its log group and its role. Failures are warnings:
    /// the workload's result stands, and each remaining step is still tried.
    pub async fn remove(self) {
        let name = &self.name;
        let function = self
            .clients
            .lambda
            .delete_function()
            .function_name(name)
            .send()
            .await;
        if let Err(err) = function {
            if err.code() != Some("ResourceNotFoundException") {
                warn("function", name, err.into());
            }
        }
        let log_group = format!("/aws/lambda/{name}");
        let logs = self
            .clients
            .logs
            .delete_log_group()
            .log_group_name(&log_group)
            .send()
            .await;
        if let Err(err) = logs {
            if err.code() != Some("ResourceNotFoundException") {
                warn("log group", &log_group, err.into());
            }
        }
        let role = self.clients.iam.delete_role().role_name(name).send().await;
        if let Err(err) = role {
            warn("role", name, err.into());
        }
    }
}

fn warn(what: &str, name: &str, err: ExampleError) {
    eprintln!("warning: could not delete the trigger's {what} {name}: {err}");
}

/// Lambda's OS-only runtimes run the executable named `bootstrap` at the root
/// of the function's zip.
fn zip_as_bootstrap(executable: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options)?;
    zip.write_all(executable)?;
    Ok(zip.finish()?.into_inner())
}

/// The function runs natively, so it declares this machine's processor.
fn host_architecture() -> Result<Architecture, ExampleError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(Architecture::X8664),
        "aarch64" => Ok(Architecture::Arm64),
        other => Err(ExampleError::new(format!(
            "Lambda runs x86_64 and arm64 executables; this machine is {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_zip_holds_the_executable_as_bootstrap() {
        let zip = zip_as_bootstrap(b"\x7fELF-executable").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_name("bootstrap").unwrap();
        assert_eq!(entry.unix_mode().map(|mode| mode & 0o777), Some(0o755));
        let mut contents = Vec::new();
        entry.read_to_end(&mut contents).unwrap();
        assert_eq!(contents, b"\x7fELF-executable");
    }

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
