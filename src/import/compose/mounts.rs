//! Config files mounted into containers (`configs:` with `file:`, and bind
//! mounts of single files in `volumes:`): their values that name another
//! service are edges, like environment values. Files that are not beside
//! the compose file (or that cannot be read) are skipped silently: a
//! checkout often leaves them out.
//!
//! Whose edge a value is: a file mounted into one service is that
//! service's configuration. A file several services share (DeathStarBench's
//! hotelReservation mounts one `config.json` into eight) is attributed by
//! its key: `GeoMongoAddress: mongodb-geo:27017` is `geo`'s, the words of the
//! key before its store or address words naming one of the services that
//! mount the file. Values whose key names none of them (`consulAddress`)
//! make no edge; a note lists them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::overlay::{ComposeService, Configs};
use super::{find_host, interpolate, resolve};
use crate::import::draft::{Confidence, Draft, Evidence};
use crate::import::hints;
use crate::import::interp::Vars;
use crate::import::naming;
use crate::import::source;
use crate::import::value::scalar_text;

/// Words of a key that say what kind of address it holds, not whose it is.
const ADDRESS_WORDS: &[&str] = &[
    "addr", "address", "host", "hostname", "url", "uri", "endpoint", "server", "port", "dsn",
    "memc",
];

/// One mounted file and who mounts it.
struct Mounted {
    /// The path as the compose file spells it (interpolated).
    spelled: String,
    /// The compose file that mounts it first.
    declared_in: String,
    /// Names of the services that mount it, in compose order.
    services: Vec<String>,
}

/// Adds the edges the mounted config files give (see the module documentation).
pub(super) fn add_edges(
    services: &[ComposeService],
    configs: &Configs,
    project_dir: &Path,
    env: &Vars,
    missing: &mut Vec<String>,
    draft: &mut Draft,
) {
    let mut files: BTreeMap<PathBuf, Mounted> = BTreeMap::new();
    for service in services {
        let from_configs = service
            .configs
            .iter()
            .filter_map(|c| configs.get(&c.value))
            .map(|f| (f.value.clone(), f.file.clone()));
        let from_volumes = service
            .bind_mounts
            .iter()
            .map(|m| (m.value.clone(), m.file.clone()));
        for (raw, file) in from_configs.chain(from_volumes) {
            let spelled = interpolate(&raw, env, missing);
            let path = resolve(project_dir, &spelled);
            if !path.is_file() {
                continue;
            }
            let entry = files.entry(path).or_insert_with(|| Mounted {
                spelled,
                declared_in: file,
                services: Vec::new(),
            });
            if !entry.services.contains(&service.name) {
                entry.services.push(service.name.clone());
            }
        }
    }
    for (path, mounted) in files {
        let Ok(text) = source::read_text(&path) else {
            continue;
        };
        draft.files_read.push(path.clone());
        let pairs = key_values(&path, &text);
        add_file_edges(&mounted, &pairs, &source::display_name(&path), draft);
    }
}

fn add_file_edges(mounted: &Mounted, pairs: &[(String, String)], label: &str, draft: &mut Draft) {
    let owners: Vec<(usize, String)> = mounted
        .services
        .iter()
        .enumerate()
        .map(|(i, name)| (i, naming::stem(name, naming::GENERIC_WORDS)))
        .collect();
    let mut unattributed: Vec<String> = Vec::new();
    for (key, value) in pairs {
        let leaf = key.rsplit('.').next().unwrap_or(key);
        let bare_allowed = key_words(leaf)
            .last()
            .is_some_and(|w| ADDRESS_WORDS.contains(&w.as_str()));
        for (host, form) in hints::hosts_in_value(value, bare_allowed) {
            let Some(to) = find_host(draft, &host) else {
                continue;
            };
            let caller = if let [only] = &mounted.services[..] {
                Some(only.clone())
            } else {
                naming::unique_match(&owner_words(leaf), &owners)
                    .map(|i| mounted.services[i].clone())
            };
            let Some(from) = caller else {
                if !unattributed.contains(key) {
                    unattributed.push(key.clone());
                }
                continue;
            };
            let detail = format!(
                "mounted config {} ({}): {key}={value} ({})",
                mounted.spelled,
                mount_note(mounted),
                form.as_str()
            );
            draft.add_edge(&from, &to, Evidence::new(Confidence::Medium, label, detail));
        }
    }
    if !unattributed.is_empty() {
        draft.info(
            &mounted.declared_in,
            format!(
                "{} is mounted by {}; the keys {} name none of these as the caller: no edge",
                mounted.spelled,
                mounted.services.join(", "),
                unattributed.join(", ")
            ),
        );
    }
}

fn mount_note(mounted: &Mounted) -> String {
    match &mounted.services[..] {
        [only] => format!("mounted by {only}"),
        several => format!(
            "mounted by {} services; the key names the caller",
            several.len()
        ),
    }
}

/// The words of a key before its first store or address word:
/// `ReserveMemcAddress` → `reserve`, `GeoMongoAddress` → `geo`.
fn owner_words(key: &str) -> String {
    key_words(key)
        .into_iter()
        .take_while(|w| {
            !ADDRESS_WORDS.contains(&w.as_str()) && !naming::STORE_WORDS.contains(&w.as_str())
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Lower-case words of a key, split at non-alphanumerics and at camelCase
/// humps: `GeoMongoAddress` → `geo mongo address`.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `(key path, scalar value)` pairs of a config file: JSON and YAML
/// flattened (`a.b.c`), anything else read as `key = value` or
/// `key: value` lines (properties, ini, dotenv), other lines kept whole
/// (nginx's `proxy_pass http://cart:80;`). Unparsable JSON or YAML gives none.
fn key_values(path: &Path, text: &str) -> Vec<(String, String)> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = Vec::new();
    match extension.as_str() {
        "json" => {
            if let Ok(value) = source::parse_json(path, text) {
                flatten("", &value, &mut out);
            }
        }
        "yaml" | "yml" => {
            if let Ok(documents) = source::parse_yaml(path, text) {
                for document in &documents {
                    flatten("", document, &mut out);
                }
            }
        }
        _ => {
            for (index, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with(['#', ';', '!', '[']) {
                    continue;
                }
                let pair = line
                    .split_once(['=', ':'])
                    .map(|(key, value)| (key.trim(), value.trim()))
                    .filter(|(key, _)| !key.is_empty() && !key.contains(char::is_whitespace));
                match pair {
                    Some((key, value)) => out.push((key.to_owned(), value.to_owned())),
                    // Not a pair (`proxy_pass http://cart:80;`): the line is
                    // searched for addresses, under its line number.
                    None => out.push((format!("line {}", index + 1), line.to_owned())),
                }
            }
        }
    }
    out
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                flatten(&join(key), inner, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                flatten(prefix, item, out);
            }
        }
        other => {
            if let Some(text) = scalar_text(other)
                && !prefix.is_empty()
            {
                out.push((prefix.to_owned(), text));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_at_humps_and_owner_words_stop_at_store_words() {
        assert_eq!(key_words("GeoMongoAddress"), ["geo", "mongo", "address"]);
        assert_eq!(
            key_words("spring.data.mongodb.host"),
            ["spring", "data", "mongodb", "host"]
        );
        assert_eq!(owner_words("ReserveMemcAddress"), "reserve");
        assert_eq!(owner_words("RecommendMongoAddress"), "recommend");
        assert_eq!(owner_words("consulAddress"), "consul");
        assert_eq!(owner_words("addr"), "");
    }

    #[test]
    fn config_files_flatten_to_key_paths() {
        let json = key_values(
            Path::new("c.json"),
            r#"{"GeoMongoAddress": "mongodb-geo:27017", "a": {"b": [{"url": "http://x"}]}, "n": 3}"#,
        );
        assert_eq!(
            json,
            [
                ("GeoMongoAddress".to_owned(), "mongodb-geo:27017".to_owned()),
                ("a.b.url".to_owned(), "http://x".to_owned()),
                ("n".to_owned(), "3".to_owned()),
            ]
        );
        let properties = key_values(
            Path::new("application.properties"),
            "# db\nspring.data.mongodb.host = orders-db\n[section]\nproxy_pass http://cart:80;\n",
        );
        assert_eq!(
            properties,
            [
                (
                    "spring.data.mongodb.host".to_owned(),
                    "orders-db".to_owned()
                ),
                ("line 4".to_owned(), "proxy_pass http://cart:80;".to_owned()),
            ]
        );
    }
}
