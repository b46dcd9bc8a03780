//! A function's deployment package: the zip unpacked into a private
//! directory (Lambda's `/var/task`), removed again when the function goes.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The largest unpacked size Lambda accepts for a zip package (250 MB).
const MAX_UNZIPPED: u64 = 262_144_000;

/// Code directories are named `{PREFIX}{pid}-{uuid}`, so that one left
/// behind by an emulator that was killed can be told apart and removed.
const PREFIX: &str = "emulator-lambda-";

/// Removes the code directories of emulators that are no longer running
/// (killed without a chance to clean up). Best effort.
pub(crate) fn remove_stale() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == own || process_exists(pid) {
            continue;
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}

fn process_exists(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Why a package could not be unpacked.
#[derive(Debug)]
pub(crate) enum CodeError {
    /// Not a zip archive, or a damaged one.
    NotAZip(String),
    /// Unpacked, it exceeds Lambda's limit.
    TooLarge,
    /// The disk said no.
    Io(io::Error),
}

impl From<io::Error> for CodeError {
    fn from(err: io::Error) -> Self {
        CodeError::Io(err)
    }
}

/// A private directory (mode 0700) holding one function's code. Removed on
/// drop; [`CodeDir::remove`] removes it explicitly (after the processes that
/// ran from it are gone).
#[derive(Debug)]
pub(crate) struct CodeDir {
    path: PathBuf,
}

impl CodeDir {
    /// Unpacks `zip` into a new private directory under the system temp dir.
    /// Runs blocking file I/O: call it from `spawn_blocking`.
    pub fn unpack(zip: &[u8]) -> Result<CodeDir, CodeError> {
        let mut archive = zip::ZipArchive::new(io::Cursor::new(zip))
            .map_err(|err| CodeError::NotAZip(err.to_string()))?;
        let path = std::env::temp_dir().join(format!(
            "{PREFIX}{}-{}",
            std::process::id(),
            crate::new_uuid().simple()
        ));
        fs::DirBuilder::new().mode(0o700).create(&path)?;
        let dir = CodeDir { path };
        let root = dir.path.canonicalize()?;
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let mut entry = archive
                .by_index(index)
                .map_err(|err| CodeError::NotAZip(err.to_string()))?;
            // Entries whose names would leave the directory are skipped.
            let Some(relative) = entry.enclosed_name() else {
                continue;
            };
            let target = root.join(&relative);
            if entry.is_dir() {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(&target)?;
                continue;
            }
            let Some(parent) = target.parent() else {
                continue;
            };
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(parent)?;
            // A symlink unpacked earlier must not carry a later entry outside.
            if !parent.canonicalize()?.starts_with(&root) {
                continue;
            }
            total = total.saturating_add(entry.size());
            if total > MAX_UNZIPPED {
                return Err(CodeError::TooLarge);
            }
            if entry.is_symlink() {
                let mut link = String::new();
                entry
                    .read_to_string(&mut link)
                    .map_err(|err| CodeError::NotAZip(err.to_string()))?;
                std::os::unix::fs::symlink(link, &target)?;
                continue;
            }
            let mut file = fs::File::create(&target)?;
            // Count what is really written, not what the header claims.
            let written = io::copy(&mut (&mut entry).take(MAX_UNZIPPED + 1), &mut file)
                .map_err(|err| CodeError::NotAZip(err.to_string()))?;
            if written > MAX_UNZIPPED {
                return Err(CodeError::TooLarge);
            }
            // Permissions as packed (the bootstrap must be executable, as in
            // Lambda); entries without Unix permissions get 0644.
            let mode = entry.unix_mode().map_or(0o644, |m| m & 0o777);
            fs::set_permissions(&target, fs::Permissions::from_mode(mode))?;
        }
        Ok(dir)
    }

    /// The directory (`LAMBDA_TASK_ROOT`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory now.
    pub fn remove(&self) {
        if let Err(err) = fs::remove_dir_all(&self.path) {
            if err.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), "cannot remove function code: {err}");
            }
        }
    }
}

impl Drop for CodeDir {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn package(entries: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for (name, contents, mode) in entries {
            let options = SimpleFileOptions::default().unix_permissions(*mode);
            writer.start_file(*name, options).unwrap();
            writer.write_all(contents).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn unpacks_with_modes_and_removes_on_drop() {
        let zip = package(&[
            ("bootstrap", b"#!/bin/sh\n", 0o755),
            ("lib/data.txt", b"data", 0o644),
        ]);
        let dir = CodeDir::unpack(&zip).unwrap();
        let path = dir.path().to_path_buf();
        let mode = fs::metadata(path.join("bootstrap"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(fs::read(path.join("lib/data.txt")).unwrap(), b"data");
        let dir_mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn removes_directories_of_emulators_that_are_gone() {
        // No process has pid 2147483646 (above any kernel's pid_max).
        let stale = std::env::temp_dir().join(format!("{PREFIX}2147483646-test"));
        fs::create_dir_all(&stale).unwrap();
        let live = CodeDir::unpack(&package(&[("bootstrap", b"x", 0o755)])).unwrap();
        remove_stale();
        assert!(!stale.exists());
        assert!(live.path().exists(), "this process's directories stay");
    }

    #[test]
    fn refuses_what_is_not_a_zip() {
        assert!(matches!(
            CodeDir::unpack(b"not a zip"),
            Err(CodeError::NotAZip(_))
        ));
    }

    #[test]
    fn skips_entries_that_leave_the_directory() {
        let zip = package(&[("../escape.txt", b"x", 0o644), ("ok", b"y", 0o644)]);
        let dir = CodeDir::unpack(&zip).unwrap();
        assert!(dir.path().join("ok").exists());
        assert!(!dir.path().parent().unwrap().join("escape.txt").exists());
    }
}
