//! A small YAML writer for the Kubernetes manifests: block style, every string
//! double-quoted in JSON syntax (a subset of YAML's), multi-line strings as
//! block literals when that keeps their bytes exactly. Written here because
//! the YAML crate the project has (serde-saphyr) only reads.

use std::fmt::Write as _;

use serde_json::Value;

/// `documents` as one YAML stream (`---` between documents).
pub fn documents(documents: &[Value]) -> String {
    let mut out = String::new();
    for (i, document) in documents.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        block(&mut out, document, 0);
    }
    out
}

/// Writes `value` as the content of a block at `indent` spaces (maps and
/// lists as lines; a scalar as one line).
fn block(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                push_indent(out, indent);
                out.push_str(&key_text(key));
                out.push(':');
                after_key(out, item, indent);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                push_indent(out, indent);
                out.push('-');
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // The map's first key on the dash's line, the rest under it.
                        let mut first = true;
                        for (key, inner) in map {
                            if first {
                                out.push(' ');
                                first = false;
                            } else {
                                push_indent(out, indent + 2);
                            }
                            out.push_str(&key_text(key));
                            out.push(':');
                            after_key(out, inner, indent + 2);
                        }
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        out.push('\n');
                        block(out, item, indent + 2);
                    }
                    _ => after_key(out, item, indent),
                }
            }
        }
        scalar => {
            push_indent(out, indent);
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

/// Writes what follows `key:` (or `-`): a scalar on the same line, a block
/// literal, or a nested block on the next lines.
fn after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            block(out, value, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            block(out, value, indent + 2);
        }
        Value::String(text) if literal_keeps(text) => {
            let chomp = if !text.ends_with('\n') {
                "-"
            } else if text.ends_with("\n\n") {
                "+"
            } else {
                ""
            };
            let _ = writeln!(out, " |{chomp}");
            for line in text.split_inclusive('\n') {
                let content = line.strip_suffix('\n').unwrap_or(line);
                if !content.is_empty() {
                    push_indent(out, indent + 2);
                    out.push_str(content);
                }
                out.push('\n');
            }
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar (or an empty map or list) in flow syntax.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        // JSON's string, number, boolean and null syntax is YAML's too.
        other => other.to_string(),
    }
}

/// A map key: plain when it can only be read back as that string, else quoted.
fn key_text(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

/// Whether a block literal reads back as exactly `text`: several lines, no
/// character YAML would fold, drop or refuse, and a first line that does not
/// start with a space (which would change the detected indentation).
fn literal_keeps(text: &str) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    text.contains('\n')
        && !text.starts_with([' ', '\n', '\t'])
        && !text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        // A line of blanks only would be read as indentation, not content.
        && !lines.iter().any(|l| !l.is_empty() && l.trim_matches(' ').is_empty())
        && !lines.iter().any(|l| l.ends_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_back(yaml: &str) -> Value {
        serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
    }

    #[test]
    fn values_read_back_the_same() {
        let value = json!({
            "apiVersion": "v1",
            "metadata": {"name": "x", "labels": {"app.kubernetes.io/name": "archsim"}},
            "yes": "no", "on": true, "n": null, "count": 3, "ratio": 0.25,
            "strings": ["1", "true", "null", "- dash", "a: b", "#c", " lead", "tail ", "", "~"],
            "empty": {}, "none": [],
            "nested": [[1, 2], [], {"a": [{"b": 1, "c": {"d": "e"}}]}, {}],
            "weird key: #1": "ok",
            "text": "line one\n  two\n\nthree\n",
            "no newline": "a\nb",
            "two newlines": "a\nb\n\n",
            "lead space": "  a\nb\n",
            "crlf": "a\r\nb\r\n",
            "blank line of spaces": "a\n   \nb\n",
            "tab": "a\tb\n\tc\n",
        });
        assert_eq!(read_back(&documents(std::slice::from_ref(&value))), value);
    }

    #[test]
    fn the_example_topologies_keep_their_bytes_in_a_block_literal() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let value = json!({"data": {"topology.json": text}});
            let yaml = documents(std::slice::from_ref(&value));
            assert!(
                yaml.starts_with("data:\n  topology.json: |"),
                "{}",
                path.display()
            );
            assert_eq!(read_back(&yaml), value, "{}", path.display());
        }
    }

    #[test]
    fn several_documents() {
        let docs = [json!({"a": 1}), json!({"b": [1]})];
        assert_eq!(documents(&docs), "a: 1\n---\nb:\n  - 1\n");
    }
}
