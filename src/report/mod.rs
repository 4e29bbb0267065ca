//! Writers: HTML, Markdown, CSV, SVG, PNG, DOT, Mermaid. No UI.

pub mod dot;
pub mod mermaid;
