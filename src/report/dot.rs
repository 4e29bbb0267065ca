//! Graphviz DOT of the dependency graph: groups as clusters, one node per
//! service (shape by kind, zones in the label), edges labelled with their
//! call rates. Every user string is written as an escaped quoted string,
//! so names cannot inject DOT (or HTML-like labels).

use std::fmt::Write as _;

use crate::graph::GraphDocument;

/// The graph as a DOT document.
pub fn to_dot(graph: &GraphDocument) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quoted(&graph.name));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\", newrank=true];",
        quoted(&graph.name)
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    for (g, group) in graph.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{g} {{");
        let _ = writeln!(
            out,
            "    label={}; style=\"rounded,dashed\"; color=\"#8899aa\"; fontname=\"Helvetica\";",
            quoted(group)
        );
        for node in graph
            .nodes
            .iter()
            .filter(|n| n.group.as_deref() == Some(group.as_str()))
        {
            let _ = writeln!(out, "    {}", node_statement(graph, node.id));
        }
        out.push_str("  }\n");
    }
    for node in graph.nodes.iter().filter(|n| n.group.is_none()) {
        let _ = writeln!(out, "  {}", node_statement(graph, node.id));
    }
    for edge in &graph.edges {
        let label = graph.edge_label(edge);
        if label.is_empty() {
            let _ = writeln!(out, "  n{} -> n{};", edge.from, edge.to);
        } else {
            let _ = writeln!(
                out,
                "  n{} -> n{} [label={}];",
                edge.from,
                edge.to,
                quoted(&label)
            );
        }
    }
    out.push_str("}\n");
    out
}

fn node_statement(graph: &GraphDocument, id: usize) -> String {
    let node = &graph.nodes[id];
    let shape = match node.kind.as_str() {
        "gateway" => "hexagon",
        "database" => "cylinder",
        "cache" => "box3d",
        "queue" => "cds",
        "external" => "component",
        _ => "box",
    };
    let label = format!("{}\n{}", node.name, graph.node_details(node));
    let mut attributes = format!("label={}, shape={shape}", quoted(&label));
    if node.overloaded {
        attributes.push_str(", color=\"#c62828\", penwidth=2, fillcolor=\"#fde0dc\"");
    } else if node.single_point_of_failure {
        attributes.push_str(", color=\"#ef6c00\", penwidth=2");
    }
    format!("n{id} [{attributes}];")
}

/// A DOT quoted string: backslashes and quotes escaped, line breaks as
/// `\n`, other control characters dropped.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
