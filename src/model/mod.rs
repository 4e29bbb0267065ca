//! Topology types (file format v1), loading, saving and validation. No UI.

mod callspec;
mod types;
mod validate;

pub use types::*;
pub use validate::{Checked, Diagnostic, check};

use std::path::Path;

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
}

/// Parses a topology from JSON text.
pub fn from_json_str(text: &str) -> Result<Topology, LoadError> {
    serde_json::from_str(text).map_err(|e| LoadError::Parse(e.to_string()))
}

/// Reads and parses a topology file.
pub fn load_file(path: &Path) -> Result<Topology, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_json_str(&text)
}

/// The topology as pretty-printed JSON, fields in a stable order, with a final newline.
pub fn to_json_string(topology: &Topology) -> String {
    // Serializing plain data types to a String cannot fail.
    let mut text = serde_json::to_string_pretty(topology).unwrap_or_default();
    text.push('\n');
    text
}
