//! Saving a topology: canonical, pretty-printed JSON written atomically.
//!
//! Canonical form: two-space indentation, fields in the order of the types
//! in [`super::types`] (which is the order of the format reference), values
//! at their default left out, `x-` keys after the fields of their object,
//! and a final newline. Loading and saving a file in canonical form gives
//! the same bytes, so files diff well in git.

use std::path::Path;

use serde_json::Value;

use super::extensions;
use super::types::Topology;

/// Why a topology could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{path}: cannot save: {message}")]
    Io { path: String, message: String },
    #[error("cannot save: {place} is not a finite number; JSON has no NaN or infinity")]
    NotFinite { place: String },
}

/// The topology as a JSON value, `x-` keys included.
pub fn to_value(topology: &Topology) -> Value {
    // Serializing these plain data types into a Value cannot fail: every map
    // key is a string and there are no custom serializers that error.
    let mut value = serde_json::to_value(topology).unwrap_or(Value::Null);
    extensions::put_all(&mut value, topology);
    value
}

/// The topology in canonical form (see the module documentation).
///
/// Numbers that are not finite (NaN, infinity) have no JSON form and come
/// out as `null`; [`save_file`] refuses them instead.
pub fn to_json_string(topology: &Topology) -> String {
    let value = to_value(topology);
    // Writing a Value to a String cannot fail.
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the topology to `path` in canonical form. The file is written to a
/// temporary file in the same directory and then renamed over `path`, so a
/// crash or a full disk never leaves a half-written file behind.
pub fn save_file(path: &Path, topology: &Topology) -> Result<(), SaveError> {
    if let Some(place) = first_non_finite(topology) {
        return Err(SaveError::NotFinite { place });
    }
    let text = to_json_string(topology);
    let shown = path.display().to_string();
    let io = |message: String| SaveError::Io {
        path: shown.clone(),
        message,
    };
    super::atomic::write_atomic(path, text.as_bytes()).map_err(|e| io(e.to_string()))
}

/// The readable path of the first number that is NaN or infinite, if any.
fn first_non_finite(topology: &Topology) -> Option<String> {
    // Serializing turns non-finite floats into null, and the format has no
    // other nulls outside `x-` keys and overrides' `set` objects (where null
    // can mean "unbounded"), so a null elsewhere is a NaN or an infinity.
    fn walk(value: &Value, path: &mut Vec<String>) -> Option<String> {
        match value {
            Value::Null => Some(path.join(".")),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                path.push(format!("[{i}]"));
                let found = walk(item, path);
                path.pop();
                found
            }),
            Value::Object(map) => map.iter().find_map(|(key, item)| {
                if extensions::is_extension_key(key) || key == "set" {
                    return None;
                }
                path.push(key.clone());
                let found = walk(item, path);
                path.pop();
                found
            }),
            _ => None,
        }
    }
    let value = serde_json::to_value(topology).ok()?;
    walk(&value, &mut Vec::new()).map(|p| p.replace(".[", "["))
}
