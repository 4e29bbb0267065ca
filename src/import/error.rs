//! Why an import failed. Anything an importer merely cannot understand is a
//! warning in the outcome, not an error; errors are unreadable or malformed
//! inputs and invalid requests.

use std::path::PathBuf;

/// An import that could not produce a topology.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or folder cannot be read (the I/O error is in the message,
    /// not repeated as a source).
    #[error("{}: cannot read: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },

    /// Malformed YAML or JSON, with the 1-based position of the problem.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },

    /// The file parsed, but its content is not what its format requires.
    #[error("{}: {message}", path.display())]
    Content { path: PathBuf, message: String },

    #[error(
        "{}: cannot tell what this file is ({why}); pass --format compose|k8s|jaeger|otlp",
        path.display()
    )]
    UnknownFormat { path: PathBuf, why: String },

    #[error("nothing to import: {0}")]
    Empty(String),

    /// The importer produced a topology that does not validate: a bug in the
    /// importer, reported rather than written.
    #[error("the imported topology is not valid (please report this): {0}")]
    Invalid(String),
}
