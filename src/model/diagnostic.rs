//! Problems found while loading or checking a topology, and where they are.
//!
//! A [`Place`] names a spot in a topology twice: as a JSON pointer
//! (`/services/3/calls/1`, used to find the line and column in the source)
//! and as a path people read (`services[3] "checkout" calls[1]`). A
//! [`Diagnostic`] is one problem at one place, an error or a warning.

use std::fmt;

use super::source_map::{SourceMap, escape_token};

/// A location inside a topology document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// JSON pointer (RFC 6901), e.g. `/services/3/calls/1`; empty for the root.
    pub pointer: String,
    /// Readable path, e.g. `services[3] "checkout" calls[1]`; empty for the root.
    pub display: String,
}

impl Place {
    /// The whole document.
    pub fn root() -> Self {
        Place::default()
    }

    /// The member `key` of this object.
    pub fn key(&self, key: &str) -> Place {
        let mut display = self.display.clone();
        if !display.is_empty() {
            display.push(if display.ends_with('"') { ' ' } else { '.' });
        }
        display.push_str(key);
        Place {
            pointer: format!("{}/{}", self.pointer, escape_token(key)),
            display,
        }
    }

    /// Element `index` of this array.
    pub fn index(&self, index: usize) -> Place {
        Place {
            pointer: format!("{}/{index}", self.pointer),
            display: format!("{}[{index}]", self.display),
        }
    }

    /// Adds the name of the element this place points at, for readers:
    /// `services[3]` becomes `services[3] "checkout"`.
    pub fn named(&self, name: &str) -> Place {
        Place {
            pointer: self.pointer.clone(),
            display: format!("{} {}", self.display, quote(name)),
        }
    }

    /// Shorthand for `key(key).index(index)`.
    pub fn item(&self, key: &str, index: usize) -> Place {
        self.key(key).index(index)
    }
}

/// A user string in double quotes, with quotes, backslashes and control
/// characters escaped so that it cannot break the line it is printed on.
pub fn quote(text: &str) -> String {
    format!("{text:?}")
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// The file works, but probably not as its author meant.
    Warning,
}

/// One problem found in a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where, e.g. `services[3] "checkout" calls[1]`; empty for the whole file.
    pub path: String,
    /// The same place as a JSON pointer, e.g. `/services/3/calls/1`.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// 1-based line in the source text, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the source text, when known.
    pub column: Option<usize>,
}

impl Diagnostic {
    /// An error at `place`.
    pub fn error(place: &Place, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, place, message)
    }

    /// A warning at `place`.
    pub fn warning(place: &Place, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, place, message)
    }

    fn new(severity: Severity, place: &Place, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: place.display.clone(),
            pointer: place.pointer.clone(),
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Fills in line and column from the source text's map.
    pub fn locate(&mut self, map: &SourceMap) {
        if let Some(position) = map.locate(&self.pointer) {
            self.line = Some(position.line);
            self.column = Some(position.column);
        }
    }

    /// The diagnostic as one line for a terminal, prefixed with the file:
    /// `file:line:col: path: message` (or `file: path: message` when the
    /// position is unknown); warnings say `warning:` after the position.
    pub fn render(&self, origin: &str) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{origin}:{line}:{column}: {self}"),
            _ => format!("{origin}: {self}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Sorts diagnostics by position in the file (unknown positions last), then
/// errors before warnings; keeps the order of equal ones.
pub fn sort_by_position(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.line.is_none(), d.line, d.column, d.severity));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_paths() {
        let place = Place::root()
            .item("services", 3)
            .named("checkout")
            .item("calls", 1);
        assert_eq!(place.pointer, "/services/3/calls/1");
        assert_eq!(place.display, "services[3] \"checkout\" calls[1]");
        let deeper = place.item("parallel", 0).key("retries").key("max");
        assert_eq!(
            deeper.display,
            "services[3] \"checkout\" calls[1].parallel[0].retries.max"
        );
        assert_eq!(Place::root().key("a/b~").pointer, "/a~1b~0");
    }

    #[test]
    fn quotes_hostile_names() {
        assert_eq!(quote("a\"];\nevil"), "\"a\\\"];\\nevil\"");
    }
}
