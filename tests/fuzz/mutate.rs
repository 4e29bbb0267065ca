//! Seeded mutations of a corpus: bytes, tokens, lines and (for JSON) the
//! value tree. Deterministic: the same seed gives the same inputs.

use serde_json::Value;

/// SplitMix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Numbers that break arithmetic: limits, signs, zero, huge, tiny.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "1e-300",
    "1e300",
    "1.7976931348623157e308",
    "-1e308",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "9007199254740993",
    "100000",
    "1000000000",
    "2e9",
    "NaN",
    "Infinity",
    "1e400",
    "3",
    "0.0000001",
];

/// Scalars for YAML and JSON values.
const SCALARS: &[&str] = &[
    "null",
    "true",
    "false",
    "\"\"",
    "[]",
    "{}",
    "~",
    "\"a\"",
    "\"${X}\"",
    "\"${X:-${Y:-z}}\"",
    "\"$$\"",
    "\"\\u0000\"",
    "\"a.b.c\"",
    "\"http://x:8080/a\"",
    "\"x:80\"",
    "*a",
    "&a 1",
    "!!str 1",
];

/// One mutated input made from `input` (and sometimes a piece of another
/// corpus entry).
pub fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        out = match rng.below(10) {
            0..=3 => match mutate_json(rng, &out) {
                Some(bytes) => bytes,
                None => mutate_lines(rng, &out),
            },
            4..=5 => mutate_tokens(rng, &out),
            6..=7 => mutate_lines(rng, &out),
            8 => mutate_bytes(rng, &out),
            _ => splice(rng, &out, corpus),
        };
    }
    out
}

/// A change of the JSON value tree, written back (pretty or compact).
fn mutate_json(rng: &mut Rng, input: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(input).ok()?;
    let donor = value.clone();
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        let target = random_node(rng, &mut value);
        edit_value(rng, target, &donor);
    }
    if rng.chance(2) {
        serde_json::to_vec_pretty(&value).ok()
    } else {
        serde_json::to_vec(&value).ok()
    }
}

/// A node of the tree, reached by a random walk from the root.
fn random_node<'a>(rng: &mut Rng, mut value: &'a mut Value) -> &'a mut Value {
    loop {
        let stop = rng.chance(4);
        let len = match &*value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => 0,
        };
        if stop || len == 0 {
            return value;
        }
        let i = rng.below(len);
        value = match value {
            Value::Array(items) => &mut items[i],
            Value::Object(map) => map.values_mut().nth(i).expect("i is below the length"),
            _ => return value,
        };
    }
}

fn edit_value(rng: &mut Rng, value: &mut Value, donor: &Value) {
    match rng.below(9) {
        0 => {
            if let Some(text) = rng.pick(NUMBERS) {
                *value =
                    serde_json::from_str(text).unwrap_or_else(|_| Value::String((*text).into()));
            }
        }
        1 => {
            if let Some(text) = rng.pick(SCALARS) {
                *value =
                    serde_json::from_str(text).unwrap_or_else(|_| Value::String((*text).into()));
            }
        }
        2 => {
            // Remove a member.
            match value {
                Value::Array(items) if !items.is_empty() => {
                    let i = rng.below(items.len());
                    items.remove(i);
                }
                Value::Object(map) if !map.is_empty() => {
                    let i = rng.below(map.len());
                    if let Some(key) = map.keys().nth(i).cloned() {
                        map.shift_remove(&key);
                    }
                }
                _ => *value = Value::Null,
            }
        }
        3 => {
            // Repeat a member (duplicate names, many copies).
            if let Value::Array(items) = value
                && !items.is_empty()
            {
                let item = items[rng.below(items.len())].clone();
                let copies = if rng.chance(8) { 200 } else { 1 + rng.below(3) };
                for _ in 0..copies {
                    items.push(item.clone());
                }
            }
        }
        4 => {
            // Graft a subtree of the original document here.
            let mut donor = donor.clone();
            *value = random_node(rng, &mut donor).clone();
        }
        5 => {
            // Change a string: empty, long, odd characters, another name.
            if let Value::String(text) = value {
                *text = match rng.below(5) {
                    0 => String::new(),
                    1 => text.repeat(64),
                    2 => format!("{text}\u{202e}<&\"'>\u{0}"),
                    3 => text.chars().rev().collect(),
                    _ => format!("{text}-{}", rng.below(10)),
                };
            } else {
                *value = Value::String("x".into());
            }
        }
        6 => {
            // Wrap in an array or an object.
            let inner = value.take();
            *value = if rng.chance(2) {
                Value::Array(vec![inner])
            } else {
                serde_json::json!({ "x": inner })
            };
        }
        7 => {
            // Add an unexpected key.
            if let Value::Object(map) = value {
                let key = ["x-note", "name", "calls", "to", "unknown", ""][rng.below(6)];
                map.insert(key.to_owned(), donor.clone());
            }
        }
        _ => {
            // Numbers scaled or negated.
            if let Some(n) = value.as_f64() {
                let factor = [-1.0, 0.0, 1e6, 1e-6, 1.5][rng.below(5)];
                *value =
                    serde_json::Number::from_f64(n * factor).map_or(Value::Null, Value::Number);
            }
        }
    }
}

/// Replaces a number or a quoted string found in the text.
fn mutate_tokens(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    let starts: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| {
            (c.is_ascii_digit() || c == '"' || c == '\'')
                && !text[..i].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.')
        })
        .map(|(i, _)| i)
        .collect();
    let Some(&start) = rng.pick(&starts) else {
        return mutate_bytes(rng, input);
    };
    let rest = &text[start..];
    let end = if rest.starts_with(['"', '\'']) {
        let quote = &rest[..1];
        rest[1..].find(quote).map_or(rest.len(), |e| e + 2)
    } else {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
            .unwrap_or(rest.len())
    };
    let replacement = if rng.chance(2) {
        rng.pick(NUMBERS).copied().unwrap_or("0")
    } else {
        rng.pick(SCALARS).copied().unwrap_or("null")
    };
    format!("{}{replacement}{}", &text[..start], &text[start + end..]).into_bytes()
}

/// Deletes, repeats, swaps or re-indents lines; inserts YAML anchors and
/// merge keys.
fn mutate_lines(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return mutate_bytes(rng, input);
    }
    let i = rng.below(lines.len());
    match rng.below(7) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let line = lines[i].clone();
            let copies = if rng.chance(8) { 100 } else { 1 };
            for _ in 0..copies {
                lines.insert(i, line.clone());
            }
        }
        2 => {
            let j = rng.below(lines.len());
            lines.swap(i, j);
        }
        3 => lines[i] = format!("  {}", lines[i]),
        4 => lines[i] = lines[i].trim_start().to_owned(),
        5 => {
            let indent: String = lines[i].chars().take_while(|c| *c == ' ').collect();
            let extra = [
                "<<: *a",
                "x: &a {a: *a}",
                "- *a",
                "? [a, b]\n: c",
                "x: !!binary AAAA",
                "--- ",
                "...",
                "x: |\n  text",
                "image: ${IMAGE:?missing}",
                "{",
                "[",
            ];
            let line = format!("{indent}{}", extra[rng.below(extra.len())]);
            lines.insert(i, line);
        }
        _ => {
            let keep = rng.below(lines.len() + 1);
            lines.truncate(keep);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Byte flips, insertions, deletions and truncation.
fn mutate_bytes(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    if out.is_empty() {
        out.push(b'{');
    }
    let i = rng.below(out.len());
    match rng.below(5) {
        0 => out[i] ^= 1 << rng.below(8),
        1 => out.insert(
            i,
            [b'{', b'}', b'[', b']', b'"', b':', b',', 0, 0xff][rng.below(9)],
        ),
        2 => {
            let end = (i + 1 + rng.below(64)).min(out.len());
            out.drain(i..end);
        }
        3 => out.truncate(i),
        _ => {
            let end = (i + 1 + rng.below(64)).min(out.len());
            let piece = out[i..end].to_vec();
            for _ in 0..1 + rng.below(8) {
                out.splice(i..i, piece.iter().copied());
            }
        }
    }
    out
}

/// The start of `input` followed by the end of another corpus entry.
fn splice(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let Some(other) = rng.pick(corpus) else {
        return mutate_bytes(rng, input);
    };
    let cut = rng.below(input.len() + 1);
    let from = rng.below(other.len() + 1);
    let mut out = input[..cut].to_vec();
    out.extend_from_slice(&other[from..]);
    out
}
