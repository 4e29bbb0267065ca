//! Escaping of user text for every output format, and safe file names.
//!
//! Every string that comes from a topology file (names, descriptions,
//! groups, zones, scenario names) goes through one of these functions before
//! it is written into HTML, SVG, Markdown, a terminal or a file name. DOT and Mermaid
//! have their own quoting next to their writers ([`super::dot::quoted`],
//! [`super::mermaid::escape`]).

/// Characters XML 1.0 does not allow at all (not even as `&#..;`): the C0
/// controls other than tab, newline and carriage return, and U+FFFE/U+FFFF.
/// Bidirectional overrides and isolates are replaced too, so that a name
/// cannot reorder the text around it.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{fffe}' | '\u{ffff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for HTML/XML/SVG element content or attribute values (quoted with
/// `"` or `'`): `& < > " '` become entities, and so do line breaks and tabs
/// (so that attribute values keep them); characters XML forbids and bidi
/// overrides become U+FFFD.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if unsafe_char(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside an XML comment `<!-- ... -->`: escaped like [`xml`], with
/// `--` broken up (a comment may not contain it) and no trailing `-`.
pub fn xml_comment(text: &str) -> String {
    let mut out = xml(text);
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    if out.ends_with('-') {
        out.push(' ');
    }
    out
}

/// Inline Markdown text (CommonMark/GFM): safe in a paragraph, heading,
/// list item or table cell. Line breaks and tabs become spaces; `&`, `<`
/// and `>` become entities (no raw HTML, no entity tricks); ASCII
/// punctuation that means something in Markdown (`` \ ` * _ [ ] # ! | ~ {
/// } $ ``) is backslash-escaped (parentheses need not be: without `[` and
/// `]` there is no link), and so is a leading `-`, `+` or `=` or a list
/// number (`1.` or `1)` then a space) at the start.
pub fn markdown(text: &str) -> String {
    let mut out = markdown_inline(text);
    // A leading "-", "+" or "=" (list, thematic break, heading underline)
    // or "1." / "1)" (ordered list).
    if out.starts_with(['-', '=', '+']) {
        out.insert(0, '\\');
    } else {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        let mut rest = out[digits..].chars();
        if digits > 0
            && matches!(rest.next(), Some('.' | ')'))
            && rest.next().is_none_or(char::is_whitespace)
        {
            out.insert(digits, '\\');
        }
    }
    out
}

/// Like [`markdown`], for text that never starts a block (inside a table
/// cell, or after other text on its line): leading markers stay as they are.
pub fn markdown_inline(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(flat.len() + 8);
    for c in flat.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '|' | '~' | '{' | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if unsafe_char(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A user string for a terminal (the command line's tables and messages):
/// control characters (escape sequences, line breaks, tabs) and
/// bidirectional overrides are written as Rust escapes (`\u{1b}`, `\n`,
/// `\u{202e}`), so that a name can neither drive the terminal nor break or
/// reorder the line it is printed on. Text without them is borrowed as is.
pub fn terminal(text: &str) -> std::borrow::Cow<'_, str> {
    terminal_keeping(text, false)
}

/// Like [`terminal`], for whole messages of several lines: line breaks stay.
pub fn terminal_lines(text: &str) -> std::borrow::Cow<'_, str> {
    terminal_keeping(text, true)
}

fn terminal_keeping(text: &str, newlines: bool) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| (unsafe_char(c) || c.is_control()) && !(newlines && c == '\n');
    if !text.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) && c.is_control() {
            out.extend(c.escape_debug());
        } else if escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Longest file name [`file_name`] returns, in bytes (without extension).
pub const MAX_FILE_NAME_BYTES: usize = 60;

/// Names Windows reserves for devices, with or without an extension.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file name (without directory) derived from user text: letters and
/// digits (any script) are kept, ASCII letters lower-cased; everything else
/// (path separators, dots, spaces, control characters, punctuation)
/// becomes one `-`; no leading or trailing `-`; at most
/// [`MAX_FILE_NAME_BYTES`] bytes; Windows device names get a `_` suffix;
/// `fallback` when nothing is left. The result never contains `/`, `\`,
/// `..` or a control character, and is never empty.
pub fn file_name(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() && !unsafe_char(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if out.len() + c.len_utf8() > MAX_FILE_NAME_BYTES {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' && !out.is_empty() && !dash {
            out.push('_');
        } else {
            dash = true;
        }
    }
    let trimmed = out.trim_end_matches(['-', '_']);
    let mut name = if trimmed.is_empty() {
        file_name_fallback(fallback)
    } else {
        trimmed.to_owned()
    };
    if WINDOWS_RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

fn file_name_fallback(fallback: &str) -> String {
    let clean: String = fallback
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(MAX_FILE_NAME_BYTES)
        .collect();
    if clean.is_empty() {
        "unnamed".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            xml("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(xml("a\"];evil'&"), "a&quot;];evil&#39;&amp;");
        assert_eq!(xml("a\u{0}b\u{1b}c\nd"), "a\u{fffd}b\u{fffd}c&#10;d");
        assert_eq!(xml("x\u{202e}y"), "x\u{fffd}y");
    }

    #[test]
    fn terminal_text_cannot_drive_the_terminal() {
        assert_eq!(terminal("checkout"), "checkout");
        assert!(matches!(
            terminal("checkout"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(terminal("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(terminal("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert_eq!(terminal_lines("a\nb\u{1b}c\n"), "a\nb\\u{1b}c\n");
        for text in ["\u{1b}]0;title\u{7}", "\u{9b}31m", "\u{2066}x\u{2069}"] {
            let safe = terminal(text);
            assert!(
                !safe.chars().any(|c| c.is_control() || unsafe_char(c)),
                "{safe:?}"
            );
        }
    }

    #[test]
    fn comments_never_contain_double_dashes() {
        for text in ["a--b", "---", "a-", "--->", "-- -->"] {
            let c = xml_comment(text);
            assert!(!c.contains("--"), "{text:?} -> {c:?}");
            assert!(!c.ends_with('-'), "{text:?} -> {c:?}");
        }
    }

    #[test]
    fn markdown_is_inert() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("`x`\n# y"), "\\`x\\` \\# y");
        assert_eq!(markdown("<b>&amp;"), "&lt;b&gt;&amp;amp;");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("1. item"), "1\\. item");
        assert_eq!(markdown("0.1.0"), "0.1.0");
        assert_eq!(markdown("[x](javascript:y)"), "\\[x\\](javascript:y)");
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("Black Friday", "s"), "black-friday");
        assert_eq!(file_name("../../etc/passwd", "s"), "etc-passwd");
        assert_eq!(file_name("a/b\\c", "s"), "a-b-c");
        assert_eq!(file_name("...", "scenario-1"), "scenario-1");
        assert_eq!(file_name("", ""), "unnamed");
        assert_eq!(file_name("CON", "s"), "con_");
        assert_eq!(file_name("nul", "s"), "nul_");
        assert_eq!(file_name("a\u{0}b\u{7f}", "s"), "a-b");
        assert_eq!(file_name("Zürich 東京", "s"), "zürich-東京");
        let long = file_name(&"x".repeat(500), "s");
        assert_eq!(long.len(), MAX_FILE_NAME_BYTES);
        let long_multibyte = file_name(&"é".repeat(500), "s");
        assert!(long_multibyte.len() <= MAX_FILE_NAME_BYTES);
    }
}
