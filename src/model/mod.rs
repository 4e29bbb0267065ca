//! Topology types (file format v1), loading, saving and validation. No UI.
//!
//! Parse, then check, then use: [`load_file`] / [`load_str`] read a file into
//! the raw [`Topology`] types (reporting syntax and type errors with
//! line:column), [`check`] validates it into a [`Checked`] topology that the
//! analysis and the engine trust without checking again, and [`save_file`] /
//! [`to_json_string`] write it back in canonical form.

mod atomic;
mod callspec;
mod diagnostic;
mod dist;
mod extensions;
mod load;
mod save;
mod source_map;
mod suggest;
mod types;
mod validate;
mod view;

pub use atomic::{OverwritesInput, refuse_overwriting_inputs, write_atomic, write_atomic_with};
pub use diagnostic::{Diagnostic, Place, Severity, quote, sort_by_position};
pub use dist::{NoLognormal, Z_99, lognormal_sigma, quantile_sorted};
pub use extensions::is_extension_key;
pub use load::{
    LoadError, MAX_FILE_BYTES, ReadLimitError, load_file, load_str, read_limited, read_text,
};
pub use save::{SaveError, save_file, to_json_string, to_value};
pub use source_map::{Position, SourceMap};
pub use suggest::did_you_mean;
pub use types::*;
pub use validate::{
    Checked, CheckedScenario, DEFAULT_DURATION_S, apply_overrides, check, default_bucket_s,
    default_scenario, find_scenario, limits,
};
pub use view::{DEFAULT_OPERATION, OperationView};

use std::path::Path;

/// Parses a topology from JSON text (named `<input>` in messages).
pub fn from_json_str(text: &str) -> Result<Topology, LoadError> {
    load_str(text, "<input>")
}

/// Parses and validates a topology from JSON text; every problem (syntax,
/// types, validation) comes back located by line and column, and the
/// warnings of a valid topology are located too.
pub fn load_checked_str(text: &str, origin: &str) -> Result<Checked, LoadError> {
    let topology = load_str(text, origin)?;
    let map = SourceMap::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    match check(topology) {
        Ok(mut checked) => {
            checked.locate_warnings(&map);
            Ok(checked)
        }
        Err(mut diagnostics) => {
            for d in &mut diagnostics {
                d.locate(&map);
            }
            sort_by_position(&mut diagnostics);
            Err(LoadError::Invalid {
                origin: origin.to_owned(),
                diagnostics,
            })
        }
    }
}

/// Reads, parses and validates a topology file (see [`load_checked_str`]).
pub fn load_checked_file(path: &Path) -> Result<Checked, LoadError> {
    let text = read_text(path)?;
    load_checked_str(&text, &path.display().to_string())
}
