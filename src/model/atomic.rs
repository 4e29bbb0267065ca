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
//!   `rw-r--r--` rather than the temporary file's `rw-------`;
//! - after the rename the folder is synced too, so that the new name
//!   survives a power cut, not only the new bytes.
//!
//! [`refuse_overwriting_inputs`] is the one check every command that writes
//! makes first: its output must not be one of its inputs, whatever the
//! spelling of the path, a symbolic link or a hard link.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// An output path that names one of the command's inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to write {}: it is the input file {}; choose another output path",
    out.display(),
    input.display()
)]
pub struct OverwritesInput {
    /// The output path as the user gave it.
    pub out: PathBuf,
    /// The input it would replace, as the user gave it.
    pub input: PathBuf,
}

/// Fails when writing `out` would replace one of `inputs`: the same file
/// under another spelling, through a symbolic link, or a hard link to it.
/// An output that does not exist yet is none of the inputs, which exist.
pub fn refuse_overwriting_inputs<P: AsRef<Path>>(
    out: &Path,
    inputs: &[P],
) -> Result<(), OverwritesInput> {
    // `metadata` follows links, as the writer does.
    let Ok(out_meta) = std::fs::metadata(out) else {
        return Ok(());
    };
    if !out_meta.is_file() {
        // A device (`/dev/null`, `/dev/stdout`) or a pipe is written in
        // place and replaces no file.
        return Ok(());
    }
    for input in inputs {
        let input = input.as_ref();
        let Ok(input_meta) = std::fs::metadata(input) else {
            continue;
        };
        if same_file(out, &out_meta, input, &input_meta) {
            return Err(OverwritesInput {
                out: out.to_owned(),
                input: input.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(_: &Path, a: &std::fs::Metadata, _: &Path, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Path, _: &std::fs::Metadata, b: &Path, _: &std::fs::Metadata) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to `path` atomically (see the module documentation).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Like [`write_atomic`], for contents written piece by piece (`write`
/// gets a buffered writer; what it has written replaces `path` only when it
/// succeeds, else the file is left as it was).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let target = resolve_links(path);
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            // A device or a pipe: nothing to replace, just write to it.
            let file = std::fs::OpenOptions::new().write(true).open(&target)?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            return out.flush();
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
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    file.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    file.persist(&target).map_err(|e| e.error)?;
    sync_folder(&dir)
}

/// Makes the rename durable: fsync of the folder that holds the new name.
#[cfg(unix)]
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    match std::fs::File::open(dir).and_then(|folder| folder.sync_all()) {
        // Some file systems cannot sync a folder; the data itself is synced.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Windows has no folder handles to sync; the rename is journaled by NTFS.
#[cfg(not(unix))]
fn sync_folder(_: &Path) -> std::io::Result<()> {
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

    #[test]
    fn an_output_that_is_an_input_is_refused_however_it_is_named() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let input = dir.path().join("a.json");
        std::fs::write(&input, "{}").unwrap_or_else(|e| panic!("write: {e}"));
        let other = dir.path().join("b.json");
        std::fs::write(&other, "{}").unwrap_or_else(|e| panic!("write: {e}"));
        let respelled = dir.path().join(".").join("a.json");
        assert!(refuse_overwriting_inputs(&respelled, &[&input]).is_err());
        assert!(refuse_overwriting_inputs(&other, &[&input]).is_ok());
        assert!(refuse_overwriting_inputs(&dir.path().join("new.json"), &[&input]).is_ok());
        let hard = dir.path().join("hard.json");
        std::fs::hard_link(&input, &hard).unwrap_or_else(|e| panic!("link: {e}"));
        assert!(refuse_overwriting_inputs(&hard, &[&input]).is_err());
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.json");
            std::os::unix::fs::symlink("a.json", &soft).unwrap_or_else(|e| panic!("link: {e}"));
            let error = refuse_overwriting_inputs(&soft, &[&other, &input])
                .err()
                .unwrap_or_else(|| panic!("a link to the input was accepted"));
            assert_eq!(error.input, input);
            assert!(refuse_overwriting_inputs(Path::new("/dev/null"), &[&input]).is_ok());
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
