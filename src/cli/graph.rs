//! `archsim graph FILE --format dot|mermaid|json`: the dependency graph for
//! Graphviz, Mermaid or other tools, on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::graph::{self, GraphDocument};
use crate::report::{dot, mermaid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`), groups as clusters.
    Dot,
    /// Mermaid flowchart, groups as subgraphs.
    Mermaid,
    /// Nodes, edges and groups as JSON.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Topology file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

pub fn run(args: GraphArgs) -> anyhow::Result<ExitCode> {
    let Some(checked) = super::validate::open_checked(&args.file) else {
        return Ok(ExitCode::from(super::EXIT_INVALID));
    };
    let analysis = graph::analyze(&checked);
    let document = GraphDocument::new(&checked, &analysis);
    match args.format {
        GraphFormat::Dot => super::write_stdout(&dot::to_dot(&document))?,
        GraphFormat::Mermaid => super::write_stdout(&mermaid::to_mermaid(&document))?,
        GraphFormat::Json => {
            let mut text = serde_json::to_string_pretty(&document)
                .context("cannot write the graph as JSON")?;
            text.push('\n');
            super::write_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
