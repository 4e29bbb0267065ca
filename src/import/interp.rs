//! Compose-style variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}`, `${VAR?msg}`,
//! `$$`, nested forms like `${A:-${B}}`) and `.env` file parsing.
//!
//! Only the variables given are used: the process environment is never read,
//! so an import gives the same result on every machine.

use std::collections::BTreeMap;

/// Variables available to interpolation, by name.
pub type Vars = BTreeMap<String, String>;

/// The result of interpolating one string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interpolated {
    pub text: String,
    /// Variables whose values were used, in order of first use.
    pub used: Vec<String>,
    /// Variables that were needed but not set (they expand to "").
    pub missing: Vec<String>,
}

/// Nesting deeper than this (`${A:-${B:-${C...}}}`) is kept literally.
const MAX_DEPTH: usize = 16;

/// Expands every variable reference in `input` from `vars`.
pub fn interpolate(input: &str, vars: &Vars) -> Interpolated {
    let chars: Vec<char> = input.chars().collect();
    let mut pos = 0;
    let mut result = Interpolated::default();
    let text = expand(&chars, &mut pos, 0, vars, &mut result);
    // Text after an unmatched `}` at top level is kept literally by `expand`.
    result.text = text;
    result
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn note(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// Expands from `pos` to the end, or (when `depth > 0`) to the `}` that
/// closes the enclosing `${...}`, which is left unconsumed.
fn expand(
    chars: &[char],
    pos: &mut usize,
    depth: usize,
    vars: &Vars,
    acc: &mut Interpolated,
) -> String {
    let mut out = String::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        if depth > 0 && c == '}' {
            return out;
        }
        if c != '$' {
            out.push(c);
            *pos += 1;
            continue;
        }
        match chars.get(*pos + 1) {
            Some('$') => {
                out.push('$');
                *pos += 2;
            }
            Some('{') => {
                let start = *pos;
                *pos += 2;
                let parsed = if depth < MAX_DEPTH {
                    braced(chars, pos, depth, vars, acc)
                } else {
                    None
                };
                match parsed {
                    Some(text) => out.push_str(&text),
                    None => {
                        // Not a valid reference: keep it literally.
                        out.extend(&chars[start..*pos]);
                    }
                }
            }
            Some(&next) if is_name_start(next) => {
                *pos += 1;
                let name = take_name(chars, pos);
                out.push_str(&lookup(&name, vars, acc).unwrap_or_default());
            }
            _ => {
                out.push('$');
                *pos += 1;
            }
        }
    }
    out
}

fn take_name(chars: &[char], pos: &mut usize) -> String {
    let start = *pos;
    while *pos < chars.len() && is_name_char(chars[*pos]) {
        *pos += 1;
    }
    chars[start..*pos].iter().collect()
}

fn lookup(name: &str, vars: &Vars, acc: &mut Interpolated) -> Option<String> {
    match vars.get(name) {
        Some(value) => {
            note(&mut acc.used, name);
            Some(value.clone())
        }
        None => {
            note(&mut acc.missing, name);
            None
        }
    }
}

/// Parses the inside of `${...}` (after the `{`) and consumes the closing `}`.
/// Returns `None` when the reference is malformed.
fn braced(
    chars: &[char],
    pos: &mut usize,
    depth: usize,
    vars: &Vars,
    acc: &mut Interpolated,
) -> Option<String> {
    if !chars.get(*pos).copied().is_some_and(is_name_start) {
        return None;
    }
    let name = take_name(chars, pos);
    let op: String = match chars.get(*pos) {
        Some('}') => {
            *pos += 1;
            return Some(lookup(&name, vars, acc).unwrap_or_default());
        }
        Some(':') => {
            let op: String = chars.get(*pos..*pos + 2)?.iter().collect();
            if !matches!(op.as_str(), ":-" | ":+" | ":?") {
                return None;
            }
            *pos += 2;
            op
        }
        Some(&c) if matches!(c, '-' | '+' | '?') => {
            *pos += 1;
            c.to_string()
        }
        _ => return None,
    };
    // The argument may itself contain references; expand it apart so that
    // variables of an unused branch are not reported as missing.
    let mut branch = Interpolated::default();
    let arg = expand(chars, pos, depth + 1, vars, &mut branch);
    if chars.get(*pos) != Some(&'}') {
        return None;
    }
    *pos += 1;
    let value = vars.get(&name);
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let take_arg = match op.as_str() {
        ":-" => !non_empty,
        "-" => !set,
        ":+" => non_empty,
        "+" => set,
        // `?` forms: an error in compose when unset; here the variable is
        // reported missing and expands to "".
        _ => false,
    };
    if set {
        note(&mut acc.used, &name);
    } else if matches!(op.as_str(), ":?" | "?") {
        note(&mut acc.missing, &name);
    }
    if take_arg {
        for used in branch.used {
            note(&mut acc.used, &used);
        }
        for missing in branch.missing {
            note(&mut acc.missing, &missing);
        }
        Some(arg)
    } else if matches!(op.as_str(), ":+" | "+") {
        Some(String::new())
    } else {
        Some(value.cloned().unwrap_or_default())
    }
}

/// One `KEY=VALUE` line of a `.env` file.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvLine {
    pub key: String,
    pub value: String,
    /// 1-based line number in the file.
    pub line: usize,
}

/// A parsed `.env` file: its assignments in order and what could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvFile {
    pub lines: Vec<EnvLine>,
    /// `(line, message)` for lines that were skipped.
    pub problems: Vec<(usize, String)>,
}

impl EnvFile {
    /// The assignments as a map (a later line wins).
    pub fn vars(&self) -> Vars {
        self.lines
            .iter()
            .map(|l| (l.key.clone(), l.value.clone()))
            .collect()
    }
}

/// Parses a dotenv file the way docker compose reads `.env`: `KEY=VALUE`
/// lines, `#` comments, optional `export `, single quotes (literal), double
/// quotes (escapes and interpolation) and unquoted values (interpolated, cut
/// at ` #`). Values may refer to earlier keys and to `outer` variables.
pub fn parse_env_file(text: &str, outer: &Vars) -> EnvFile {
    let mut file = EnvFile::default();
    let mut vars = outer.clone();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((key, rest)) = line.split_once('=') else {
            file.problems
                .push((line_no, format!("expected KEY=VALUE, found `{line}`")));
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| is_name_char(c) || c == '.' || c == '-') {
            file.problems
                .push((line_no, format!("`{key}` is not a variable name")));
            continue;
        }
        let rest = rest.trim_start();
        let value = if let Some(body) = rest.strip_prefix('\'') {
            match body.find('\'') {
                Some(end) => body[..end].to_owned(),
                None => {
                    file.problems
                        .push((line_no, format!("unclosed single quote in `{key}`")));
                    continue;
                }
            }
        } else if let Some(body) = rest.strip_prefix('"') {
            match double_quoted(body) {
                Some(unescaped) => interpolate(&unescaped, &vars).text,
                None => {
                    file.problems
                        .push((line_no, format!("unclosed double quote in `{key}`")));
                    continue;
                }
            }
        } else {
            let cut = comment_start(rest).unwrap_or(rest.len());
            interpolate(rest[..cut].trim_end(), &vars).text
        };
        vars.insert(key.to_owned(), value.clone());
        file.lines.push(EnvLine {
            key: key.to_owned(),
            value,
            line: line_no,
        });
    }
    file
}

/// Index of a ` #` comment in an unquoted value.
fn comment_start(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    (1..bytes.len()).find(|&i| bytes[i] == b'#' && bytes[i - 1].is_ascii_whitespace())
}

/// The content of a double-quoted value up to its closing quote, unescaped.
fn double_quoted(body: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn plain_and_braced_references() {
        let v = vars(&[("HOST", "cart"), ("PORT", "7070")]);
        let r = interpolate("http://${HOST}:$PORT/x", &v);
        assert_eq!(r.text, "http://cart:7070/x");
        assert_eq!(r.used, vec!["HOST", "PORT"]);
        assert!(r.missing.is_empty());
    }

    #[test]
    fn defaults_and_alternatives() {
        let v = vars(&[("SET", "a"), ("EMPTY", "")]);
        assert_eq!(interpolate("${SET:-d}", &v).text, "a");
        assert_eq!(interpolate("${EMPTY:-d}", &v).text, "d");
        assert_eq!(interpolate("${EMPTY-d}", &v).text, "");
        assert_eq!(interpolate("${UNSET-d}", &v).text, "d");
        assert_eq!(interpolate("${SET:+alt}", &v).text, "alt");
        assert_eq!(interpolate("${EMPTY:+alt}", &v).text, "");
        assert_eq!(interpolate("${EMPTY+alt}", &v).text, "alt");
        assert_eq!(interpolate("${REGISTRY:-}jaeger", &v).text, "jaeger");
        assert!(interpolate("${REGISTRY:-}jaeger", &v).missing.is_empty());
    }

    #[test]
    fn nested_default_and_escapes() {
        let v = vars(&[("B", "bee")]);
        assert_eq!(interpolate("${A:-${B}}", &v).text, "bee");
        assert_eq!(interpolate("${A:-x${B}y}", &v).text, "xbeey");
        assert_eq!(interpolate("$$HOME costs $5", &v).text, "$HOME costs $5");
        let unused = interpolate("${B:-${MISSING}}", &v);
        assert_eq!(unused.text, "bee");
        assert!(unused.missing.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_recurse_without_bound() {
        let v = Vars::new();
        let deep = "${A:-".repeat(100_000) + &"}".repeat(100_000);
        let r = interpolate(&deep, &v);
        assert!(!r.text.is_empty());
    }

    #[test]
    fn missing_and_malformed() {
        let v = Vars::new();
        let r = interpolate("x${NOPE}y", &v);
        assert_eq!(r.text, "xy");
        assert_eq!(r.missing, vec!["NOPE"]);
        assert_eq!(interpolate("${", &v).text, "${");
        assert_eq!(interpolate("${1A}", &v).text, "${1A}");
        assert_eq!(interpolate("${A:-unclosed", &v).text, "${A:-unclosed");
        assert_eq!(interpolate("${A:?must be set}", &v).missing, vec!["A"]);
    }

    #[test]
    fn env_file_forms() {
        let text = "# comment\nexport A=1\nB = two words # note\nC='${A} literal'\nD=\"x\\\"${A}\\\"\"\nE=${A}-${B}\nbad line\nF=\"open\n";
        let file = parse_env_file(text, &Vars::new());
        let v = file.vars();
        assert_eq!(v["A"], "1");
        assert_eq!(v["B"], "two words");
        assert_eq!(v["C"], "${A} literal");
        assert_eq!(v["D"], "x\"1\"");
        assert_eq!(v["E"], "1-two words");
        assert_eq!(file.problems.len(), 2);
        assert_eq!(file.problems[0].0, 7);
    }
}
