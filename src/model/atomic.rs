//! Writing a file so that readers see either the old or the new contents,
//! never half of each: the bytes go to a temporary file beside the target,
//! which is then renamed over it.
//!
//! The cases a plain rename gets wrong are handled here once for every
//! writer in archsim (topology saves, imports, reports, exports):
//! - a target that is not a regular file (`/dev/null`, a FIFO, a terminal)
//!   is written in place; renaming over it would replace the device;
//! - a symbolic link is followed, so the link stays and its target changes;
//! - the permissions of a file written over are kept, and a new file gets
//!   `rw-r--r--` rather than the temporary file's `rw-------`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (see the module documentation).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = resolve_links(path);
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            // A device or a pipe: nothing to replace, just write to it.
            let mut file = std::fs::OpenOptions::new().write(true).open(&target)?;
            return file.write_all(bytes);
        }
        _ => {}
    }
    let permissions = std::fs::metadata(&target)
        .ok()
        .map(|meta| meta.permissions())
        .or_else(new_file_permissions);
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(&dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// `path` with symbolic links followed, as far as they lead (a dangling
/// link resolves to the file it names, which is then created).
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_owned();
    // Bounded, so that a loop of links cannot hang us.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => match std::fs::read_link(&current) {
                Ok(next) => {
                    current = match current.parent() {
                        Some(parent) if next.is_relative() => parent.join(next),
                        _ => next,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    current
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_to_dev_null_keeps_the_device() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        write_atomic(null, b"hello").unwrap_or_else(|e| panic!("write: {e}"));
        let meta = std::fs::metadata(null).unwrap_or_else(|e| panic!("metadata: {e}"));
        assert!(!meta.is_file(), "/dev/null was replaced by a regular file");
    }

    #[test]
    fn a_link_is_kept_and_its_target_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap_or_else(|e| panic!("write: {e}"));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink("real.json", &link).unwrap_or_else(|e| panic!("link: {e}"));
            write_atomic(&link, b"new").unwrap_or_else(|e| panic!("write: {e}"));
            assert!(
                std::fs::symlink_metadata(&link)
                    .map(|m| m.file_type().is_symlink())
                    .unwrap_or(false)
            );
            assert_eq!(std::fs::read_to_string(&real).unwrap_or_default(), "new");
        }
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_or_readable_for_new_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let fresh = dir.path().join("fresh.json");
        write_atomic(&fresh, b"x").unwrap_or_else(|e| panic!("write: {e}"));
        let mode = std::fs::metadata(&fresh)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o644);
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o640))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
        write_atomic(&fresh, b"y").unwrap_or_else(|e| panic!("write: {e}"));
        let mode = std::fs::metadata(&fresh)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o640);
    }
}
