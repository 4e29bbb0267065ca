//! Loading a topology from a file or a string, with every problem reported
//! at once and located by line and column.
//!
//! Steps: read (UTF-8, size limit) → parse JSON (syntax errors with
//! line:column) → check the format version → take out `x-` keys → deserialize
//! the top level and each element of `services`, `workload` and `scenarios`
//! separately, so that one bad service does not hide the problems of the
//! next → put the `x-` keys back into the typed model. Semantic checks are
//! [`super::check`]'s job.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use serde_path_to_error::Segment;

use super::diagnostic::{Diagnostic, Place, quote, sort_by_position};
use super::extensions::{self, ServiceExtensions};
use super::source_map::SourceMap;
use super::suggest::did_you_mean;
use super::types::{Call, Entry, FORMAT_VERSION, Scenario, Service, Topology};

/// Input files larger than this (topologies, and every file `archsim import`
/// reads) are refused instead of read into memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Unknown fields reported per element before giving up on it.
const MAX_ERRORS_PER_ELEMENT: usize = 32;

/// Why a topology could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// The text is not valid JSON.
    #[error("{origin}:{line}:{column}: invalid JSON: {message}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON does not describe a topology (wrong types, unknown or missing
    /// fields, wrong version) or, from [`super::load_checked_file`], it failed
    /// validation. Holds every problem found, located when possible.
    #[error("{}", render_all(origin, diagnostics))]
    Invalid {
        origin: String,
        diagnostics: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// The file or name the error is about.
    pub fn origin(&self) -> &str {
        match self {
            LoadError::Io { path, .. } => path,
            LoadError::Syntax { origin, .. } | LoadError::Invalid { origin, .. } => origin,
        }
    }

    /// The problems as diagnostics (a read or syntax error becomes one).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Io { message, .. } => {
                vec![Diagnostic::error(&Place::root(), message.clone())]
            }
            LoadError::Syntax {
                line,
                column,
                message,
                ..
            } => {
                let mut d = Diagnostic::error(&Place::root(), format!("invalid JSON: {message}"));
                d.line = Some(*line);
                d.column = Some(*column);
                vec![d]
            }
            LoadError::Invalid { diagnostics, .. } => diagnostics.clone(),
        }
    }
}

fn render_all(origin: &str, diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(|d| d.render(origin)).collect();
    lines.join("\n")
}

/// Why [`read_limited`] read nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadLimitError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("is a directory; give the path of a file")]
    Directory,
    /// More than the limit: `size` is known for regular files only (a pipe,
    /// a device or standard input is read up to the limit and then dropped).
    #[error("{}, the most archsim reads from one input file", match size {
        Some(size) => format!("the file holds {size} bytes, more than {} MB", limit / (1024 * 1024)),
        None => format!("the input goes on past {} MB", limit / (1024 * 1024)),
    })]
    TooLarge { size: Option<u64>, limit: u64 },
}

/// Reads at most `limit` bytes from `path`, whatever it is: a regular file
/// (refused at once from its size), or a pipe, a device or `/dev/stdin`,
/// read through a bounded reader that stops one byte past the limit — so
/// `/dev/zero` fails quickly instead of filling the memory.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadLimitError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(ReadLimitError::Directory);
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(ReadLimitError::TooLarge {
            size: Some(metadata.len()),
            limit,
        });
    }
    // A regular file's size is a hint only (it may grow while read).
    let expected = if metadata.is_file() {
        metadata.len().min(limit)
    } else {
        0
    };
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadLimitError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// Reads a file as UTF-8 text, refusing huge or non-text files with a clear
/// message; pipes, devices and `/dev/stdin` are held to the same limit.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let io = |message: String| LoadError::Io {
        path: path.display().to_string(),
        message,
    };
    let bytes = read_limited(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadLimitError::Directory => {
            io("is a directory; give the path of a topology JSON file".into())
        }
        ReadLimitError::TooLarge { .. } => io(format!(
            "{e}; split the topology or remove what it does not need"
        )),
        ReadLimitError::Io(_) => io(e.to_string()),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        io(format!(
            "not UTF-8 text (invalid byte at offset {}); topology files are UTF-8 JSON",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads and parses a topology file.
pub fn load_file(path: &Path) -> Result<Topology, LoadError> {
    let text = read_text(path)?;
    load_str(&text, &path.display().to_string())
}

/// Parses a topology from JSON text; `origin` names it in messages (a file
/// path, or e.g. `"<clipboard>"`).
pub fn load_str(text: &str, origin: &str) -> Result<Topology, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut root: Value = serde_json::from_str(text).map_err(|e| syntax_error(text, origin, &e))?;
    let map = SourceMap::new(text);
    let mut diagnostics = Vec::new();
    for (pointer, position) in map.duplicates() {
        let place = place_at(&root, pointer);
        let key = pointer.rsplit('/').next().unwrap_or_default();
        let mut d = Diagnostic::error(
            &place,
            format!(
                "duplicate key {}: each key may appear once in an object; remove all but one",
                quote(&key.replace("~1", "/").replace("~0", "~"))
            ),
        );
        d.line = Some(position.line);
        d.column = Some(position.column);
        diagnostics.push(d);
    }
    let result = parse_document(&mut root, &mut diagnostics);
    if diagnostics.is_empty()
        && let Some(topology) = result
    {
        return Ok(topology);
    }
    for d in &mut diagnostics {
        if d.line.is_none() {
            d.locate(&map);
        }
    }
    sort_by_position(&mut diagnostics);
    Err(LoadError::Invalid {
        origin: origin.to_owned(),
        diagnostics,
    })
}

fn syntax_error(text: &str, origin: &str, error: &serde_json::Error) -> LoadError {
    let full = error.to_string();
    let mut message = match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_owned(),
        None => full,
    };
    if text.trim().is_empty() {
        message = "the file is empty; a topology is a JSON object like {\"name\": \"shop\", \"services\": [...]}".into();
    } else if let Some(kind) = not_json(text) {
        message = format!(
            "{message}: this looks like {kind}, not JSON. A topology file is a JSON object like {{\"name\": \"shop\", \"services\": [...]}}; `archsim import FILE` turns docker-compose files and Kubernetes manifests into one"
        );
    } else if error.is_eof() {
        message.push_str(
            " (the file ends too early: is it truncated, or is a closing bracket missing?)",
        );
    }
    LoadError::Syntax {
        origin: origin.to_owned(),
        line: error.line().max(1),
        column: error.column().max(1),
        message,
    }
}

/// What a text that is not JSON looks like (YAML, TOML, XML or HTML), by
/// its first line that is not blank or a comment; `None` when it starts
/// like JSON or like nothing recognisable.
fn not_json(text: &str) -> Option<String> {
    let (number, line) = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))?;
    let quoted: String = line.chars().take(40).collect();
    let at = format!("`{quoted}` on line {number}");
    let table = line.len() > 2
        && line.starts_with('[')
        && line.ends_with(']')
        && line[1..].starts_with(|c: char| c.is_alphabetic() || c == '[')
        && line[1..line.len() - 1]
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'));
    if table {
        return Some(format!("TOML ({at})"));
    }
    if line.starts_with('{') || line.starts_with('[') || line.starts_with('"') {
        return None;
    }
    if line.starts_with('<') {
        let kind = if line.to_ascii_lowercase().contains("html") {
            "HTML"
        } else {
            "XML"
        };
        return Some(format!("{kind} ({at})"));
    }
    if line == "---" || line.starts_with("- ") {
        return Some(format!("YAML ({at})"));
    }
    if line.contains(" = ") {
        return Some(format!("TOML ({at})"));
    }
    let key = line.split(':').next().unwrap_or_default();
    let is_key = !key.is_empty()
        && key.len() < line.len()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
    is_key.then(|| format!("YAML ({at})"))
}

/// Turns the parsed document into a topology, adding every problem to
/// `diagnostics`. Returns `None` when something could not be read.
fn parse_document(root: &mut Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Topology> {
    let Value::Object(top) = root else {
        diagnostics.push(Diagnostic::error(
            &Place::root(),
            format!(
                "a topology file is a JSON object like {{\"name\": \"shop\", \"services\": [...]}}, not {}",
                kind_of(root)
            ),
        ));
        return None;
    };
    if !version_ok(top, diagnostics) {
        return None;
    }
    let services = take_array(top, "services");
    let workload = take_array(top, "workload");
    let scenarios = take_array(top, "scenarios");
    if services.is_some() {
        top.insert("services".into(), Value::Array(Vec::new()));
    }
    let top_extensions = extensions::take_object(root);
    let mut topology: Option<Topology> = deserialize(root, &Place::root(), diagnostics);

    let mut parsed_services = Vec::new();
    for (i, mut value) in services.unwrap_or_default().into_iter().enumerate() {
        let place = element_place("services", i, &value);
        let taken: ServiceExtensions = extensions::take_service(&mut value);
        if let Some(mut service) = deserialize::<Service>(&mut value, &place, diagnostics) {
            extensions::attach_service(&mut service, taken);
            parsed_services.push(service);
        }
    }
    let mut parsed_entries = Vec::new();
    for (i, mut value) in workload.unwrap_or_default().into_iter().enumerate() {
        let place = element_place("workload", i, &value);
        let taken = extensions::take_object(&mut value);
        if let Some(mut entry) = deserialize::<Entry>(&mut value, &place, diagnostics) {
            entry.extensions = taken;
            parsed_entries.push(entry);
        }
    }
    let mut parsed_scenarios = Vec::new();
    for (i, mut value) in scenarios.unwrap_or_default().into_iter().enumerate() {
        let place = element_place("scenarios", i, &value);
        let taken = extensions::take_object(&mut value);
        if let Some(mut scenario) = deserialize::<Scenario>(&mut value, &place, diagnostics) {
            scenario.extensions = taken;
            parsed_scenarios.push(scenario);
        }
    }
    if let Some(topology) = &mut topology {
        topology.extensions = top_extensions;
        topology.services = parsed_services;
        topology.workload = parsed_entries;
        topology.scenarios = parsed_scenarios;
    }
    topology
}

/// Checks `archsim` (the format version); false when the file is of
/// another version and should not be read further.
fn version_ok(top: &Map<String, Value>, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let Some(version) = top.get("archsim") else {
        return true;
    };
    if version.as_u64() == Some(FORMAT_VERSION) {
        return true;
    }
    let place = Place::root().key("archsim");
    let message = match version.as_u64() {
        Some(v) if v > FORMAT_VERSION => format!(
            "this file is format version {v}, but this archsim reads version {FORMAT_VERSION}; \
             open it with a newer archsim"
        ),
        _ => format!(
            "the format version must be {FORMAT_VERSION} (found {}); write \"archsim\": {FORMAT_VERSION} or leave it out",
            compact(version)
        ),
    };
    diagnostics.push(Diagnostic::error(&place, message));
    false
}

/// Removes `key` from the object when it holds an array, so that its
/// elements can be read one by one. Anything else is left for serde to
/// report.
fn take_array(top: &mut Map<String, Value>, key: &str) -> Option<Vec<Value>> {
    if !matches!(top.get(key), Some(Value::Array(_))) {
        return None;
    }
    match top.remove(key) {
        Some(Value::Array(items)) => Some(items),
        _ => None,
    }
}

fn element_place(key: &str, index: usize, value: &Value) -> Place {
    let place = Place::root().item(key, index);
    match value.get("name").and_then(Value::as_str) {
        Some(name) => place.named(name),
        None => place,
    }
}

/// Deserializes one element, collecting its problems. A field that cannot
/// be read is removed and the element read again, so that the problems of
/// its other fields are reported too.
fn deserialize<T: DeserializeOwned>(
    value: &mut Value,
    place: &Place,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let mut removed: Vec<Vec<String>> = Vec::new();
    let mut suggested: Vec<Vec<String>> = Vec::new();
    for _ in 0..MAX_ERRORS_PER_ELEMENT {
        let error = match serde_path_to_error::deserialize::<_, T>(&*value) {
            Ok(parsed) => return (removed.is_empty()).then_some(parsed),
            Err(error) => error,
        };
        let mut tokens: Vec<String> = error.path().iter().filter_map(segment_token).collect();
        let mut message = error.inner().to_string();
        if let Some((inner_tokens, inner_message)) = refine_call_error(value, &tokens) {
            tokens.extend(inner_tokens);
            message = inner_message;
        }
        let friendly = rewrite_message(&message);
        if let Some(unknown) = &friendly.unknown_key
            && tokens.last() != Some(unknown)
        {
            tokens.push(unknown.clone());
        }
        if let Some(missing) = &friendly.missing_key {
            // A field removed after an earlier error, or suggested for an
            // unknown one, is now missing: that was already reported.
            let mut path = tokens.clone();
            path.push(missing.clone());
            if removed.contains(&path) || suggested.contains(&path) {
                return None;
            }
        }
        if let (Some(best), Some((_, parent))) = (&friendly.suggestion, tokens.split_last()) {
            let mut path = parent.to_vec();
            path.push(best.clone());
            suggested.push(path);
        }
        diagnostics.push(Diagnostic::error(
            &place_below(place, value, &tokens),
            friendly.text,
        ));
        let removable = tokens.last().is_some_and(|t| t.parse::<usize>().is_err());
        if !(removable && remove_at(value, &tokens)) {
            return None;
        }
        removed.push(tokens);
    }
    None
}

pub(super) fn segment_token(segment: &Segment) -> Option<String> {
    match segment {
        Segment::Seq { index } => Some(index.to_string()),
        Segment::Map { key } => Some(key.clone()),
        Segment::Enum { .. } | Segment::Unknown => None,
    }
}

/// Calls are read by a hand-written deserializer, which loses the path
/// inside the call; read the failing call again to find it.
fn refine_call_error(element: &Value, tokens: &[String]) -> Option<(Vec<String>, String)> {
    let [.., calls, index] = tokens else {
        return None;
    };
    if calls != "calls" || index.parse::<usize>().is_err() {
        return None;
    }
    let spec = value_at(element, tokens)?;
    let attempt = |value: &Value| serde_path_to_error::deserialize::<_, Call>(value).err();
    match spec.get("parallel") {
        Some(Value::Array(members)) if spec.as_object().is_some_and(|m| m.len() == 1) => {
            members.iter().enumerate().find_map(|(m, member)| {
                let error = attempt(member)?;
                let mut inner = vec!["parallel".to_owned(), m.to_string()];
                inner.extend(error.path().iter().filter_map(segment_token));
                Some((inner, error.inner().to_string()))
            })
        }
        Some(_) => None,
        None if spec.is_object() => {
            let error = attempt(spec)?;
            Some((
                error.path().iter().filter_map(segment_token).collect(),
                error.inner().to_string(),
            ))
        }
        None => None,
    }
}

fn value_at<'v>(value: &'v Value, tokens: &[String]) -> Option<&'v Value> {
    tokens.iter().try_fold(value, |v, token| match v {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

fn remove_at(value: &mut Value, tokens: &[String]) -> bool {
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut current = value;
    for token in parents {
        current = match current {
            Value::Object(map) => match map.get_mut(token) {
                Some(next) => next,
                None => return false,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i))
            {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match current {
        Value::Object(map) => map.shift_remove(last).is_some(),
        _ => false,
    }
}

/// The place of `tokens` below `place`, naming named elements on the way.
pub(super) fn place_below(place: &Place, element: &Value, tokens: &[String]) -> Place {
    let mut place = place.clone();
    let mut current = Some(element);
    for token in tokens {
        match current {
            Some(Value::Array(items)) => {
                let index = token.parse::<usize>().unwrap_or_default();
                place = place.index(index);
                current = items.get(index);
                if let Some(name) = current.and_then(|v| v.get("name")).and_then(Value::as_str) {
                    place = place.named(name);
                }
            }
            Some(Value::Object(map)) => {
                place = place.key(token);
                current = map.get(token);
            }
            _ => place = place.key(token),
        }
    }
    place
}

/// The place of a JSON pointer in `root`.
fn place_at(root: &Value, pointer: &str) -> Place {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    place_below(&Place::root(), root, &tokens)
}

/// A serde message made readable, and the unknown key it is about, if any.
pub(super) struct Friendly {
    pub text: String,
    pub unknown_key: Option<String>,
    pub missing_key: Option<String>,
    /// The field an unknown field is probably a typo of.
    pub suggestion: Option<String>,
}

/// Rewrites serde's messages: names in quotes, "did you mean", and plain
/// words for Rust types.
pub(super) fn rewrite_message(message: &str) -> Friendly {
    let quoted = backticked(message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let mut text = format!("unknown field {}", quote(&key));
        let suggestion = did_you_mean(&key, expected.iter().copied()).map(str::to_owned);
        if let Some(best) = &suggestion {
            text.push_str(&format!(" (did you mean {}?)", quote(best)));
        } else {
            if rest.contains("there are no fields") {
                text.push_str("; this object takes no fields");
            } else if !expected.is_empty() {
                text.push_str(&format!("; the fields here are: {}", expected.join(", ")));
            }
            text.push_str(" (notes can go in keys starting with \"x-\")");
        }
        return Friendly {
            text,
            unknown_key: Some(key),
            missing_key: None,
            suggestion,
        };
    }
    if message.starts_with("unknown variant ") {
        let found = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let mut text = format!("unknown value {}", quote(&found));
        if let Some(best) = did_you_mean(&found, expected.iter().copied()) {
            text.push_str(&format!(" (did you mean {}?)", quote(best)));
        }
        text.push_str(&format!("; expected one of: {}", expected.join(", ")));
        return Friendly {
            text,
            unknown_key: None,
            missing_key: None,
            suggestion: None,
        };
    }
    if message.starts_with("missing field ") {
        let field = quoted.first().cloned().unwrap_or_default();
        return Friendly {
            text: format!("missing field {}: add it", quote(&field)),
            unknown_key: None,
            missing_key: Some(field),
            suggestion: None,
        };
    }
    let mut text = message
        .replace("expected u64", "expected a whole number (0 or more)")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected an object")
        .replace("expected a boolean", "expected true or false");
    if let Some(cut) = text.find(", expected struct ") {
        text.truncate(cut);
        text.push_str(", expected an object");
    }
    if message.contains("floating point") && message.contains("expected u64") {
        text.push_str(" (write whole numbers without a decimal point, e.g. 2 rather than 2.0)");
    }
    Friendly {
        text: text.replace('`', ""),
        unknown_key: None,
        missing_key: None,
        suggestion: None,
    }
}

/// The `backticked` words of a serde message, in order.
fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}
