//! A handler's zip: what CreateFunction uploads. Lambda's OS-only runtimes
//! run the executable named `bootstrap` at the root of the zip.
//!
//! For real AWS the zip comes from cargo-lambda, which cross-compiles for
//! Amazon Linux: `cargo lambda build --release --output-format zip -p
//! PACKAGE`. Against the bundled emulator, which runs the function on this
//! machine, a plain `cargo build` of the package will do, zipped here as
//! `bootstrap`. The package's executable has the package's name (the
//! default for a `src/main.rs`).

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use aws_sdk_lambda::types::Architecture;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The name Lambda runs.
pub const BOOTSTRAP: &str = "bootstrap";

/// The command that builds `package`'s zip for Lambda.
pub fn cargo_lambda_command(package: &str) -> String {
    format!("cargo lambda build --release --output-format zip -p {package}")
}

/// Where `cargo lambda build --output-format zip` leaves `package`'s zip,
/// under the target directory.
pub fn cargo_lambda_zip_path(package: &str) -> PathBuf {
    Path::new("lambda").join(package).join("bootstrap.zip")
}

/// What the `bootstrap` in a zip was built for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platform {
    /// A Linux executable for a processor Lambda offers.
    Lambda(Architecture),
    /// Anything else (a macOS or Windows build, another processor): the
    /// emulator on the same machine can run it, Lambda cannot.
    Other(String),
}

/// Zips one executable as `bootstrap` (mode 755), compressed.
pub fn zip_bootstrap(executable: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o755)
        .large_file(executable.len() as u64 >= u32::MAX as u64);
    zip.start_file(BOOTSTRAP, options)?;
    zip.write_all(executable)?;
    Ok(zip.finish()?.into_inner())
}

/// Checks that `zip` is a zip with `bootstrap` at its root and says what that
/// executable was built for. `package` is named in the hint how to build it.
pub fn inspect(zip: &[u8], package: &str) -> Result<Platform, String> {
    let mut archive = ZipArchive::new(Cursor::new(zip))
        .map_err(|err| format!("This is not a zip file ({err})."))?;
    let mut bootstrap = archive.by_name(BOOTSTRAP).map_err(|_| {
        format!(
            "The zip has no `bootstrap` at its root, which Lambda's provided.al2023 runtime \
             runs. Build it with: {}",
            cargo_lambda_command(package)
        )
    })?;
    let mut header = Vec::with_capacity(20);
    bootstrap
        .by_ref()
        .take(20)
        .read_to_end(&mut header)
        .map_err(|err| format!("Cannot read `bootstrap` in the zip: {err}"))?;
    Ok(platform(&header))
}

/// The platform an executable was built for, from its first 20 bytes (the
/// ELF header names the OS ABI and the processor).
pub fn platform(header: &[u8]) -> Platform {
    if header.len() < 20 || &header[..4] != b"\x7fELF" {
        return Platform::Other("not a Linux executable".into());
    }
    let little_endian = header[5] == 1;
    let machine = if little_endian {
        u16::from_le_bytes([header[18], header[19]])
    } else {
        u16::from_be_bytes([header[18], header[19]])
    };
    match machine {
        0x3e => Platform::Lambda(Architecture::X8664),
        0xb7 => Platform::Lambda(Architecture::Arm64),
        other => Platform::Other(format!("a Linux executable for ELF machine {other:#x}")),
    }
}

/// The workspace's manifest, in the source tree this program was built from.
pub fn workspace_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml")
}

/// The zip cargo-lambda left for `package` in this source tree's target
/// directory (`CARGO_TARGET_DIR` when set, else `target/`), if it is there.
pub fn cargo_lambda_zip(package: &str) -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join(cargo_lambda_zip_path(package));
    path.is_file().then_some(path)
}

/// Builds `package` with `cargo build` (`--release` when this program is
/// itself a release build) and returns its executable's path, as cargo
/// reports it. Cargo's progress and diagnostics go to standard error.
pub async fn cargo_build_handler(package: &str) -> Result<PathBuf, String> {
    let manifest = workspace_manifest();
    if !manifest.is_file() {
        return Err(format!(
            "Cannot build the handler: its sources are not at {} any more. Give --zip instead.",
            manifest.display()
        ));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = tokio::process::Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", package, "--bin", package])
        .args(["--message-format", "json-render-diagnostics"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let output = command
        .output()
        .await
        .map_err(|err| format!("Cannot run cargo to build the handler: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build of the handler failed ({}); see the messages above.",
            output.status
        ));
    }
    executable_from_cargo_messages(&String::from_utf8_lossy(&output.stdout), package).ok_or_else(
        || "cargo built the handler but did not say where the executable is.".to_string(),
    )
}

/// The path of `package`'s executable in cargo's JSON messages.
pub fn executable_from_cargo_messages(messages: &str, package: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == package
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(machine: u16) -> Vec<u8> {
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2; // 64-bit
        header[5] = 1; // little-endian
        header[18..20].copy_from_slice(&machine.to_le_bytes());
        header
    }

    #[test]
    fn a_zipped_bootstrap_can_be_read_back_with_its_mode() {
        let executable = elf(0x3e);
        let zip = zip_bootstrap(&executable).expect("zipped");

        let mut archive = ZipArchive::new(Cursor::new(&zip)).expect("a zip");
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_name(BOOTSTRAP).expect("bootstrap");
        assert_eq!(entry.unix_mode().map(|mode| mode & 0o777), Some(0o755));
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read");
        assert_eq!(content, executable);
        drop(entry);
        assert_eq!(
            inspect(&zip, "h"),
            Ok(Platform::Lambda(Architecture::X8664))
        );
    }

    #[test]
    fn the_architecture_comes_from_the_elf_header() {
        assert_eq!(platform(&elf(0x3e)), Platform::Lambda(Architecture::X8664));
        assert_eq!(platform(&elf(0xb7)), Platform::Lambda(Architecture::Arm64));
        assert!(matches!(platform(&elf(0x28)), Platform::Other(_)));
        // A Mach-O executable (macOS).
        assert!(matches!(
            platform(&[
                0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0
            ]),
            Platform::Other(_)
        ));
        assert!(matches!(platform(b"\x7fEL"), Platform::Other(_)));
    }

    #[test]
    fn a_zip_without_bootstrap_or_no_zip_at_all_is_refused_with_a_hint() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("handler", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"x").unwrap();
        let zip = zip.finish().unwrap().into_inner();

        let err = inspect(&zip, "some-handler").unwrap_err();
        assert!(
            err.ends_with("cargo lambda build --release --output-format zip -p some-handler"),
            "{err}"
        );
        assert!(
            inspect(b"not a zip", "h")
                .unwrap_err()
                .starts_with("This is not a zip file")
        );
    }

    #[test]
    fn the_executable_path_is_read_from_cargos_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"aws-config"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"auto-confirm-handler","kind":["lib"]},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"auto-confirm-handler","kind":["bin"]},"executable":"/t/debug/auto-confirm-handler"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable_from_cargo_messages(messages, "auto-confirm-handler"),
            Some(PathBuf::from("/t/debug/auto-confirm-handler"))
        );
        assert_eq!(
            executable_from_cargo_messages(messages, "activity-log-handler"),
            None
        );
        assert_eq!(
            executable_from_cargo_messages("not json\n", "auto-confirm-handler"),
            None
        );
    }

    #[test]
    fn the_workspace_this_crate_belongs_to_is_found() {
        let manifest = std::fs::read_to_string(workspace_manifest()).expect("the workspace");
        assert!(manifest.contains("\"trigger-deployment\""), "{manifest}");
        assert_eq!(
            cargo_lambda_zip_path("auto-confirm-handler"),
            Path::new("lambda/auto-confirm-handler/bootstrap.zip")
        );
    }
}
