//! Where each value of a JSON text starts: JSON pointer → line:column.
//!
//! serde_json gives positions for syntax errors only; once a text is parsed
//! into a `Value`, positions are gone. This small scanner walks the (already
//! valid) text once and records, for every object member and array element,
//! the line and column where it starts — for object members, the position of
//! the key, which is where a reader looks for "unknown field" or "duplicate
//! key" problems. It also notes duplicate keys, which `serde_json::Value`
//! would silently collapse.
//!
//! No maintained crate maps JSON pointers of a serde_json document back to
//! source positions, and this is a hundred lines, so it lives here.

use std::collections::{BTreeSet, HashMap};

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Positions of the values of one JSON text, by JSON pointer (RFC 6901).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    positions: HashMap<String, Position>,
    duplicates: Vec<(String, Position)>,
}

/// Objects nested deeper than this are not indexed (serde_json refuses
/// more than 128 levels anyway).
const MAX_DEPTH: usize = 256;

impl SourceMap {
    /// Indexes `text`. Works on any text; on invalid JSON it indexes what it
    /// can up to the first problem.
    pub fn new(text: &str) -> Self {
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            column: 1,
            map: SourceMap::default(),
        };
        let mut pointer = String::new();
        scanner.skip_ws();
        let here = scanner.position();
        scanner.map.positions.insert(String::new(), here);
        scanner.value(&mut pointer, 0);
        scanner.map
    }

    /// Where the value at `pointer` starts (for an object member: its key).
    /// Falls back to the nearest enclosing value that is known.
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        let mut pointer = pointer;
        loop {
            if let Some(position) = self.positions.get(pointer) {
                return Some(*position);
            }
            let cut = pointer.rfind('/')?;
            pointer = &pointer[..cut];
        }
    }

    /// Keys that appear more than once in the same object: the pointer of
    /// the member and the position of its second (or later) occurrence.
    pub fn duplicates(&self) -> &[(String, Position)] {
        &self.duplicates
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
    map: SourceMap,
}

impl Scanner<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if let Some(byte) = self.peek() {
            self.pos += 1;
            if byte == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if byte & 0xC0 != 0x80 {
                // Count characters: UTF-8 continuation bytes do not start one.
                self.column += 1;
            }
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    /// Scans one value; returns false when the text is not valid JSON here.
    fn value(&mut self, pointer: &mut String, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(pointer, depth),
            Some(b'[') => self.array(pointer, depth),
            Some(b'"') => self.string().is_some(),
            Some(_) => {
                let start = self.pos;
                while let Some(byte) = self.peek() {
                    if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.bump();
                }
                self.pos > start
            }
            None => false,
        }
    }

    /// Scans a string; returns its decoded contents.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.bump(); // opening quote
        loop {
            match self.peek()? {
                b'"' => {
                    self.bump();
                    break;
                }
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                _ => self.bump(),
            }
        }
        serde_json::from_str(self.text.get(start..self.pos)?).ok()
    }

    fn object(&mut self, pointer: &mut String, depth: usize) -> bool {
        self.bump(); // {
        let mut keys = BTreeSet::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.bump();
                    return true;
                }
                Some(b'"') => {}
                _ => return false,
            }
            let key_position = self.position();
            let Some(key) = self.string() else {
                return false;
            };
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_token(&key));
            if keys.insert(key) {
                self.map.positions.insert(pointer.clone(), key_position);
            } else {
                self.map.duplicates.push((pointer.clone(), key_position));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.bump();
            let ok = self.value(pointer, depth + 1);
            pointer.truncate(len);
            if !ok {
                return false;
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {}
                _ => return false,
            }
        }
    }

    fn array(&mut self, pointer: &mut String, depth: usize) -> bool {
        self.bump(); // [
        let mut index = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.bump();
                    return true;
                }
                None => return false,
                _ => {}
            }
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&index.to_string());
            let here = self.position();
            self.map.positions.entry(pointer.clone()).or_insert(here);
            let ok = self.value(pointer, depth + 1);
            pointer.truncate(len);
            if !ok {
                return false;
            }
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {}
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_elements() {
        let text = "{\n  \"a\": [1, {\"b\": 2}],\n  \"é/~\": 3\n}";
        let map = SourceMap::new(text);
        let at = |line, column| Some(Position { line, column });
        assert_eq!(map.locate(""), at(1, 1));
        assert_eq!(map.locate("/a"), at(2, 3));
        assert_eq!(map.locate("/a/1"), at(2, 12));
        assert_eq!(map.locate("/a/1/b"), at(2, 13));
        assert_eq!(map.locate("/a/1/b/c"), at(2, 13));
        assert_eq!(map.locate("/é~1~0"), at(3, 3));
    }

    #[test]
    fn reports_duplicate_keys() {
        let map = SourceMap::new("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(
            map.duplicates(),
            &[("/a".to_owned(), Position { line: 2, column: 2 })]
        );
    }

    #[test]
    fn survives_garbage() {
        for text in [
            "",
            "{",
            "[1,",
            "{\"a\"",
            "\"abc",
            "{\"a\":}",
            "[[[[",
            "}{",
            "\u{0}\u{ff}",
        ] {
            let _ = SourceMap::new(text);
        }
    }
}
