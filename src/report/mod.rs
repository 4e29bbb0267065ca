//! Writers: HTML, Markdown, CSV, SVG, PNG, DOT, Mermaid. No UI.
