//! The report as GitHub-flavoured Markdown, with the graph and the charts
//! as SVG files in a folder beside it (links are relative, so the pair can
//! be committed or moved together). Every user string goes through
//! [`escape::markdown`]; asset file names are sanitised.

use std::fmt::Write as _;

use super::document::{Cell, Document, Line, ScenarioSection, Span, Table, Tone};
use super::escape::{self, markdown as md, markdown_inline as md_inline};
use super::experiments::ExperimentSection;

/// A file written beside the Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// File name inside the assets folder (sanitised).
    pub file_name: String,
    pub content: String,
}

/// The report as Markdown, linking its images from `assets_dir` (a folder
/// name next to the Markdown file, already sanitised), and the images.
pub fn render(doc: &Document, assets_dir: &str) -> (String, Vec<Asset>) {
    let mut out = String::with_capacity(64 * 1024);
    let mut assets = Vec::new();
    let _ = writeln!(out, "# {}\n", md(&doc.title));
    out.push_str("*archsim simulation report*\n\n");
    for p in &doc.description {
        let _ = writeln!(out, "{}\n", md(p));
    }
    for (label, value) in &doc.meta {
        let _ = writeln!(out, "- **{}:** {}", md(label), md(value));
    }
    out.push('\n');

    if let Some(overview) = &doc.overview {
        out.push_str("## Summary\n\n");
        table(&mut out, overview);
    }

    out.push_str("## Architecture\n\n");
    let graph_file = "graph.svg".to_owned();
    let _ = writeln!(
        out,
        "![{}]({}/{})\n",
        md(&format!("Dependency graph of {}", doc.title)),
        assets_dir,
        graph_file
    );
    assets.push(Asset {
        file_name: graph_file,
        content: doc.graph_svg.clone(),
    });
    let _ = writeln!(out, "*{}*\n", spans(&doc.graph_caption));
    bullets(&mut out, &doc.architecture);

    if !doc.slo_targets.is_empty() {
        out.push_str("## Service-level objectives\n\n");
        for line in &doc.slo_targets {
            let _ = writeln!(out, "{}\n", spans(line));
        }
        if let Some(slo) = &doc.slo {
            table(&mut out, slo);
        }
    }

    for section in &doc.scenarios {
        scenario(&mut out, &mut assets, section, assets_dir);
    }

    for section in &doc.experiments {
        experiment(&mut out, &mut assets, section, assets_dir);
    }

    if !doc.comparison.is_empty() {
        out.push_str("## Comparison\n\n");
        for line in &doc.comparison_intro {
            let _ = writeln!(out, "{}\n", spans(line));
        }
        for t in &doc.comparison {
            let _ = writeln!(out, "**{}**\n", md(&t.caption));
            table(&mut out, t);
        }
    }

    out.push_str("## How to read this report\n\n");
    bullets(&mut out, &doc.notes);
    (out, assets)
}

fn scenario(out: &mut String, assets: &mut Vec<Asset>, s: &ScenarioSection, dir: &str) {
    let _ = writeln!(out, "## Scenario: {}\n", md(&s.name));
    if let Some(d) = &s.description {
        let _ = writeln!(out, "{}\n", md(d));
    }
    if !s.kpis.is_empty() {
        let row = |f: &dyn Fn(&super::document::Kpi) -> String| {
            let cells: Vec<String> = s.kpis.iter().map(f).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        out.push_str(&row(&|k| md(&k.label)));
        out.push_str(&row(&|_| "---".to_owned()));
        out.push_str(&row(&|k| {
            let value = md(&k.value);
            if k.tone == Tone::Bad {
                format!("**{value}** ({})", md(&k.detail))
            } else {
                format!("{value} ({})", md(&k.detail))
            }
        }));
        out.push('\n');
    }
    out.push_str("### Setup\n\n");
    bullets(out, &s.setup);
    out.push_str("### Findings\n\n");
    bullets(out, &s.findings);
    if !s.warnings.is_empty() {
        out.push_str("> **Engine warnings**\n");
        for w in &s.warnings {
            let _ = writeln!(out, "> - {}", md(w));
        }
        out.push('\n');
    }
    out.push_str("### Over time\n\n");
    for figure in &s.figures {
        let file = format!("{}.svg", escape::file_name(&figure.file_stem, "chart"));
        let _ = writeln!(out, "![{}]({dir}/{file})\n", md(&figure.chart.title));
        assets.push(Asset {
            file_name: file,
            content: figure.chart.to_svg(),
        });
    }
    for figure in &s.interval_figures {
        let file = format!("{}.svg", escape::file_name(&figure.file_stem, "chart"));
        let _ = writeln!(out, "![{}]({dir}/{file})\n", md(&figure.chart.title));
        assets.push(Asset {
            file_name: file,
            content: figure.chart.to_svg(),
        });
    }
    for line in &s.chart_notes {
        let _ = writeln!(out, "{}\n", spans(line));
    }
    for t in &s.tables {
        let _ = writeln!(out, "### {}\n", md(&t.caption));
        table(out, t);
    }
}

fn experiment(out: &mut String, assets: &mut Vec<Asset>, e: &ExperimentSection, dir: &str) {
    let _ = writeln!(out, "## {}\n", md(&e.title));
    for line in &e.lines {
        let _ = writeln!(out, "{}\n", spans(line));
    }
    for figure in &e.charts {
        let file = format!("{}.svg", escape::file_name(&figure.file_stem, "chart"));
        let _ = writeln!(out, "![{}]({dir}/{file})\n", md(&figure.chart.title));
        assets.push(Asset {
            file_name: file,
            content: figure.chart.to_svg(),
        });
    }
    for t in &e.tables {
        let _ = writeln!(out, "### {}\n", md(&t.caption));
        table(out, t);
    }
}

fn bullets(out: &mut String, lines: &[Line]) {
    for line in lines {
        let _ = writeln!(out, "- {}", spans(line));
    }
    if !lines.is_empty() {
        out.push('\n');
    }
}

/// A line as Markdown; only its start can begin a block, so only the first
/// span has its leading markers escaped.
fn spans(line: &[Span]) -> String {
    let mut out = String::new();
    for (i, span) in line.iter().enumerate() {
        let escape = |s: &str| if i == 0 { md(s) } else { md_inline(s) };
        match span {
            Span::Text(s) | Span::Good(s) => out.push_str(&escape(s)),
            Span::Name(s) | Span::Strong(s) | Span::Bad(s) => {
                let text = escape(s);
                let trimmed = text.trim();
                if trimmed.is_empty() {
                    out.push_str(&text);
                } else {
                    // Emphasis must not start or end with a space.
                    let lead = &text[..text.len() - text.trim_start().len()];
                    let tail = &text[text.trim_end().len()..];
                    let _ = write!(out, "{lead}**{trimmed}**{tail}");
                }
            }
        }
    }
    out
}

fn table(out: &mut String, t: &Table) {
    let headers: Vec<String> = t.headers.iter().map(|h| md_inline(&h.text)).collect();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let rule: Vec<&str> = t
        .headers
        .iter()
        .map(|h| if h.numeric { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
    if let Some(note) = &t.note {
        let _ = writeln!(out, "*{}*\n", md(note));
    }
}

fn cell(c: &Cell) -> String {
    let text = md_inline(&c.text);
    let text = match c.tone {
        Tone::Bad if !text.is_empty() => format!("**{text}**"),
        _ => text,
    };
    match &c.sub {
        Some(sub) => format!("{text} · {}", md_inline(sub)),
        None => text,
    }
}
