//! Plain-text tables for a terminal (the command line's output): columns
//! aligned by character count, two spaces apart, no trailing spaces. Every
//! cell is escaped with [`super::escape::terminal`], so a name from a file
//! can neither drive the terminal nor break the table's lines.

use std::fmt::Write as _;

use super::escape;

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

impl Align {
    /// The usual layout of a table of figures: the first column (a name)
    /// left-aligned, the `columns - 1` others right-aligned.
    pub fn name_then_figures(columns: usize) -> Vec<Align> {
        let mut align = vec![Align::Right; columns];
        if let Some(first) = align.first_mut() {
            *first = Align::Left;
        }
        align
    }
}

/// `rows` under `headers`, one line each, every line starting with
/// `indent`. `align[i]` aligns column `i` (left when not given). Rows may
/// be shorter than the headers; extra cells are dropped.
pub fn table(indent: &str, headers: &[&str], align: &[Align], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .take(headers.len())
                .map(|cell| escape::terminal(cell).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header_row).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, &width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let _ = match align.get(i).copied().unwrap_or(Align::Left) {
                Align::Left => write!(line, "{cell:<width$}"),
                Align::Right => write!(line, "{cell:>width$}"),
            };
        }
        let _ = writeln!(out, "{indent}{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_characters_without_trailing_spaces() {
        let rows = vec![
            vec!["a → b".to_owned(), "1".to_owned(), String::new()],
            vec!["checkout".to_owned(), "1,234".to_owned(), "x".to_owned()],
        ];
        let text = table(
            "  ",
            &["edge", "calls", "note"],
            &Align::name_then_figures(2),
            &rows,
        );
        assert_eq!(
            text,
            "  edge      calls  note\n  a → b         1\n  checkout  1,234  x\n"
        );
    }

    #[test]
    fn a_name_with_an_escape_sequence_is_escaped_in_its_cell() {
        let rows = vec![vec!["evil\u{1b}[2J\nname".to_owned(), "1".to_owned()]];
        let text = table("", &["service", "n"], &Align::name_then_figures(2), &rows);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert_eq!(text.lines().count(), 2, "{text:?}");
        assert!(text.contains("evil\\u{1b}[2J\\nname  1"), "{text:?}");
    }
}
