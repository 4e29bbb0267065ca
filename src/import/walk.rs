//! Folders given as import sources: the YAML, JSON and dotenv files under
//! them, in a stable order.

use std::path::{Path, PathBuf};

use super::error::ImportError;

/// Deepest folder level searched below a given folder.
const MAX_DEPTH: usize = 8;
/// Most files taken from folders, so that pointing at `/` fails quickly.
const MAX_FILES: usize = 2_000;

/// Each given path, with folders replaced by the files under them (sorted by
/// path). The flag is true for files found in a folder.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, ImportError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            collect(path, 0, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(ImportError::Empty(format!(
                    "{}: no .yaml, .yml, .json or .env files in this folder",
                    path.display()
                )));
            }
            out.extend(found.into_iter().map(|p| (p, true)));
        } else {
            out.push((path.clone(), false));
        }
    }
    Ok(out)
}

fn collect(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let io = |error| ImportError::Io {
        path: dir.to_owned(),
        error,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dotenv = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
        if name.starts_with('.') && !is_dotenv || name == "node_modules" || name == "target" {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                collect(&path, depth + 1, found)?;
            }
        } else if is_dotenv || has_source_extension(&path) {
            if found.len() >= MAX_FILES {
                return Err(ImportError::Empty(format!(
                    "{}: more than {MAX_FILES} files to read; point at the folder that holds the manifests",
                    dir.display()
                )));
            }
            found.push(path);
        }
    }
    Ok(())
}

fn has_source_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}
