//! Where the program sends its requests, remembered when the configuration
//! is loaded, so that an error line can name the address that did not answer.

use std::path::Path;
use std::sync::OnceLock;

/// The endpoint and Region of the loaded configuration, and how the user
/// runs this program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Connection {
    /// `AWS_ENDPOINT_URL` (or a profile's `endpoint_url`): the emulator, usually.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// The example's package name, as in `cargo run -p NAME`.
    pub program: String,
}

static LOADED: OnceLock<(Option<String>, Option<String>)> = OnceLock::new();

/// Remembers the endpoint and Region `config` uses (the first one loaded).
pub(crate) fn remember(config: &aws_config::SdkConfig) {
    let _ = LOADED.set((
        config.endpoint_url().map(String::from),
        config.region().map(|region| region.to_string()),
    ));
}

/// What [`remember`] kept, and this program's name.
pub(crate) fn current() -> Connection {
    let (endpoint_url, region) = LOADED.get().cloned().unwrap_or_default();
    let program = std::env::args_os()
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(Path::file_stem)
        .and_then(|stem| stem.to_str())
        .unwrap_or("hello")
        .to_string();
    Connection {
        endpoint_url,
        region,
        program,
    }
}
