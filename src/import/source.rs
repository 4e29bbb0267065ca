//! Reading input files: YAML (multi-document, anchors, merge keys) and JSON
//! into generic value trees, with file:line:column on syntax errors, and
//! telling the format of a file from its content and name.

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_saphyr::MessageFormatter as _;

use super::ImportError;

/// The kinds of input the importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceFormat {
    /// docker-compose / compose specification YAML.
    Compose,
    /// Kubernetes manifests (YAML, one or many documents).
    K8s,
    /// Jaeger JSON: `{"data":[trace...]}` or one bare trace object.
    Jaeger,
    /// OTLP JSON: `{"resourceSpans":[...]}`, also inside `{"result":{...}}`.
    Otlp,
    /// A dotenv file (`.env`) that compose files interpolate from.
    DotEnv,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Compose => "compose",
            SourceFormat::K8s => "k8s",
            SourceFormat::Jaeger => "jaeger",
            SourceFormat::Otlp => "otlp",
            SourceFormat::DotEnv => "dotenv",
        }
    }

    /// Parses a `--format` value.
    pub fn parse(name: &str) -> Option<SourceFormat> {
        match name.to_ascii_lowercase().as_str() {
            "compose" | "docker-compose" => Some(SourceFormat::Compose),
            "k8s" | "kubernetes" => Some(SourceFormat::K8s),
            "jaeger" => Some(SourceFormat::Jaeger),
            "otlp" => Some(SourceFormat::Otlp),
            "dotenv" | "env" => Some(SourceFormat::DotEnv),
            _ => None,
        }
    }
}

/// One input file, read and parsed.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub format: SourceFormat,
    /// The documents of the file (one for JSON and most YAML; empty for dotenv).
    pub documents: Vec<Value>,
    /// The raw text (kept for dotenv files).
    pub text: String,
}

impl Source {
    /// The file name for evidence and messages.
    pub fn display_name(&self) -> String {
        display_name(&self.path)
    }
}

/// The last component of a path, or the whole path when it has none.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a file as UTF-8 text (a leading byte-order mark is dropped).
pub fn read_text(path: &Path) -> Result<String, ImportError> {
    // The same limit as topology files, for files, pipes and devices alike.
    let bytes =
        crate::model::read_limited(path, crate::model::MAX_FILE_BYTES).map_err(|e| match e {
            crate::model::ReadLimitError::Io(error) => ImportError::Io {
                path: path.to_owned(),
                error,
            },
            other => ImportError::Content {
                path: path.to_owned(),
                message: other.to_string(),
            },
        })?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Content {
        path: path.to_owned(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// Reads and parses one file; `forced` overrides format detection.
pub fn load(path: &Path, forced: Option<SourceFormat>) -> Result<Source, ImportError> {
    let text = read_text(path)?;
    let format = match forced {
        Some(format) => format,
        None if looks_like_dotenv(path) => SourceFormat::DotEnv,
        None => detect_from_content(path, &text)?,
    };
    let documents = match format {
        SourceFormat::DotEnv => Vec::new(),
        SourceFormat::Jaeger | SourceFormat::Otlp if is_json_text(&text) => {
            vec![parse_json(path, &text)?]
        }
        _ => parse_yaml(path, &text)?,
    };
    Ok(Source {
        path: path.to_owned(),
        format,
        documents,
        text,
    })
}

/// True for files read as dotenv whatever `--format` says (`.env`, `*.env`).
pub fn load_is_dotenv(path: &Path) -> bool {
    looks_like_dotenv(path)
}

fn looks_like_dotenv(path: &Path) -> bool {
    let name = display_name(path);
    name == ".env" || name.ends_with(".env") || name.starts_with(".env.")
}

fn is_json_text(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// Parses JSON text, reporting errors at their line and column.
pub fn parse_json(path: &Path, text: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        path: path.to_owned(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: format!("invalid JSON: {}", json_message(&e)),
    })
}

/// serde_json's message without its trailing " at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Parses every YAML document of a stream (empty documents are skipped).
/// Anchors, aliases and `<<` merge keys are resolved.
pub fn parse_yaml(path: &Path, text: &str) -> Result<Vec<Value>, ImportError> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
    };
    let documents: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|err| {
            let (line, column) = err
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            ImportError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: format!(
                    "invalid YAML: {}",
                    serde_saphyr::UserMessageFormatter.format_message(&err)
                ),
            }
        })?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}

/// Tells the format of a file from its content.
pub fn detect_from_content(path: &Path, text: &str) -> Result<SourceFormat, ImportError> {
    let documents = if is_json_text(text) {
        vec![parse_json(path, text)?]
    } else {
        parse_yaml(path, text)?
    };
    if documents.is_empty() {
        return Err(ImportError::UnknownFormat {
            path: path.to_owned(),
            why: "the file is empty".to_owned(),
        });
    }
    if let Some(format) = documents.iter().find_map(detect_document) {
        return Ok(format);
    }
    let keys: Vec<String> = match &documents[0] {
        Value::Object(map) => map.keys().take(5).cloned().collect(),
        _ => Vec::new(),
    };
    let why = if keys.is_empty() {
        "its top level is not a mapping of known keys".to_owned()
    } else {
        format!("top-level keys {}", keys.join(", "))
    };
    Err(ImportError::UnknownFormat {
        path: path.to_owned(),
        why,
    })
}

fn detect_document(doc: &Value) -> Option<SourceFormat> {
    match doc {
        Value::Object(map) => {
            if map.contains_key("resourceSpans") {
                return Some(SourceFormat::Otlp);
            }
            if let Some(result) = map.get("result")
                && result.get("resourceSpans").is_some()
            {
                return Some(SourceFormat::Otlp);
            }
            if map.get("data").is_some_and(|d| d.is_array()) || map.contains_key("spans") {
                return Some(SourceFormat::Jaeger);
            }
            if map.contains_key("apiVersion") && map.contains_key("kind") {
                return Some(SourceFormat::K8s);
            }
            if map
                .get("services")
                .is_some_and(|s| s.is_object() || s.is_null())
            {
                return Some(SourceFormat::Compose);
            }
            None
        }
        Value::Array(items) => {
            if items.iter().any(|t| t.get("spans").is_some()) {
                Some(SourceFormat::Jaeger)
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn yaml_anchors_merge_keys_and_documents() {
        let text = "x: &base {a: 1, b: 2}\ny:\n  <<: *base\n  b: 3\n---\n---\nz: [1, 2]\n";
        let docs = parse_yaml(Path::new("t.yaml"), text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["y"]["a"], 1);
        assert_eq!(docs[0]["y"]["b"], 3);
        assert_eq!(docs[1]["z"][1], 2);
    }

    #[test]
    fn yaml_error_has_position() {
        let err = parse_yaml(
            Path::new("bad.yaml"),
            "services:\n  a:\n    image: [x\n  b: 1\n",
        )
        .unwrap_err();
        match err {
            ImportError::Syntax { line, .. } => assert!(line >= 3, "line {line}"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn json_error_has_position() {
        let err = parse_json(Path::new("bad.json"), "{\n  \"data\": [\n}").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("bad.json:3:1: "), "{text}");
    }

    #[test]
    fn detects_formats() {
        let p = Path::new("x");
        assert_eq!(
            detect_from_content(p, "services:\n  a: {}\n").unwrap(),
            SourceFormat::Compose
        );
        assert_eq!(
            detect_from_content(p, "---\napiVersion: v1\nkind: Service\n").unwrap(),
            SourceFormat::K8s
        );
        assert_eq!(
            detect_from_content(p, "{\"data\": []}").unwrap(),
            SourceFormat::Jaeger
        );
        assert_eq!(
            detect_from_content(p, "{\"result\": {\"resourceSpans\": []}}").unwrap(),
            SourceFormat::Otlp
        );
        assert!(detect_from_content(p, "hello: world\n").is_err());
    }
}
