//! Mermaid flowchart of the dependency graph: groups as subgraphs, zones
//! in the node labels, edges labelled with their call rates. User strings
//! are written with Mermaid entity codes (`#34;`) for every character
//! outside a small safe set, so names cannot inject Mermaid syntax or HTML.

use std::fmt::Write as _;

use crate::graph::GraphDocument;

/// The graph as a Mermaid `flowchart` document.
pub fn to_mermaid(graph: &GraphDocument) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "%% {}", escape(&graph.name));
    out.push_str("flowchart LR\n");
    for (g, group) in graph.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph g{g}[\"{}\"]", escape(group));
        for node in graph
            .nodes
            .iter()
            .filter(|n| n.group.as_deref() == Some(group.as_str()))
        {
            let _ = writeln!(out, "    {}", node_statement(graph, node.id));
        }
        out.push_str("  end\n");
    }
    for node in graph.nodes.iter().filter(|n| n.group.is_none()) {
        let _ = writeln!(out, "  {}", node_statement(graph, node.id));
    }
    for edge in &graph.edges {
        let label = graph.edge_label(edge);
        if label.is_empty() {
            let _ = writeln!(out, "  s{} --> s{}", edge.from, edge.to);
        } else {
            let _ = writeln!(
                out,
                "  s{} -->|\"{}\"| s{}",
                edge.from,
                escape(&label),
                edge.to
            );
        }
    }
    let overloaded: Vec<String> = graph
        .nodes
        .iter()
        .filter(|n| n.overloaded)
        .map(|n| format!("s{}", n.id))
        .collect();
    let spof: Vec<String> = graph
        .nodes
        .iter()
        .filter(|n| n.single_point_of_failure && !n.overloaded)
        .map(|n| format!("s{}", n.id))
        .collect();
    if !overloaded.is_empty() {
        out.push_str("  classDef overloaded stroke:#c62828,stroke-width:2px,fill:#fde0dc\n");
        let _ = writeln!(out, "  class {} overloaded", overloaded.join(","));
    }
    if !spof.is_empty() {
        out.push_str("  classDef spof stroke:#ef6c00,stroke-width:2px\n");
        let _ = writeln!(out, "  class {} spof", spof.join(","));
    }
    out
}

fn node_statement(graph: &GraphDocument, id: usize) -> String {
    let node = &graph.nodes[id];
    let label = format!(
        "{}<br/>{}",
        escape(&node.name),
        escape(&graph.node_details(node))
    );
    let (open, close) = match node.kind.as_str() {
        "gateway" => ("{{", "}}"),
        "database" => ("[(", ")]"),
        "cache" => ("[[", "]]"),
        "queue" => ("[/", "/]"),
        "external" => ("((", "))"),
        _ => ("(", ")"),
    };
    format!("s{id}{open}\"{label}\"{close}")
}

/// Text for inside a quoted Mermaid label. Mermaid's and HTML's syntax is
/// ASCII, so ASCII letters, digits, spaces and `-_.,:/()` stay, as do
/// non-ASCII characters; every other ASCII character (quotes, brackets,
/// `<>&#%|;` ...) and invisible direction marks become an entity code
/// `#<decimal>;`, and control characters a space.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if c.is_control() {
            out.push(' ');
        } else if c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '-' | '_' | '.' | ',' | ':' | '/' | '(' | ')')
            || (!c.is_ascii() && !invisible)
        {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", c as u32);
        }
    }
    out
}
