//! Writers: HTML and Markdown reports, CSV and JSON data, SVG and PNG
//! images of the graph, Graphviz DOT and Mermaid. No UI.
//!
//! The flow: [`runs::run_scenarios`] simulates the chosen scenarios into
//! [`Run`]s; [`document::build`] turns a topology and its runs into a
//! [`document::Document`] (sections, sentences, tables, charts); the
//! [`html`] and [`markdown`] writers lay that out. [`export`] is the one
//! entry point for files of every [`ExportKind`] — the CLI (`archsim report`,
//! `archsim export`) and the app's File → Export menu call it:
//!
//! ```no_run
//! use archsim::report::{self, ExportInput, ExportKind, ReportOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let checked = archsim::model::load_checked_file("scenarios/shop.json".as_ref())?;
//! let scenarios = report::runs::select_scenarios(checked.topology(), &[], true)?;
//! let runs = report::runs::run_scenarios(&checked, &scenarios, &mut |_| {}, None)?;
//! let options = ReportOptions::now(Some("shop.json".to_owned()))?;
//! let input = ExportInput { checked: &checked, runs: &runs, options: &options, source: None };
//! report::export(ExportKind::ReportHtml, &input, "shop-report.html".as_ref())?;
//! # Ok(()) }
//! ```
//!
//! Safety: every user string is escaped for its format ([`escape`],
//! [`dot::quoted`], [`mermaid::escape`], [`data::cell_text`]); file names
//! made from user text are sanitised ([`escape::file_name`]); an export
//! never writes over its own input (the same file under any name, link or
//! hard link: [`crate::model::refuse_overwriting_inputs`]).

pub mod chart;
mod charts;
pub mod cost;
pub mod data;
pub mod document;
pub mod dot;
pub mod escape;
pub mod experiments;
mod export;
pub mod failure;
pub mod format;
mod graph_legend;
pub mod graph_shapes;
pub mod graph_svg;
pub mod html;
pub mod interval_chart;
pub mod markdown;
pub mod mermaid;
pub mod png;
pub mod runs;
pub mod scene;
mod svg;
mod tables;
pub mod text;
pub mod verdicts;
pub(crate) mod words;

use std::path::PathBuf;

use crate::metrics::Summary;
use crate::model::{Diagnostic, Scenario};
use crate::sim::SimError;

pub use document::{Document, ReportOptions};
pub use experiments::Experiments;
pub use export::{
    ExportInput, ExportKind, Written, assets_dir_name, check_output, export, export_with,
    render_graph,
};

/// One simulated scenario: the scenario as it ran (with any seed or
/// duration override applied) and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub scenario: Scenario,
    pub summary: Summary,
}

/// Why a report or export failed. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A scenario was asked for that the file does not have; the
    /// diagnostic names the scenarios there are.
    #[error(transparent)]
    UnknownScenario(Diagnostic),
    /// Validation refused this scenario for a run (every problem found).
    #[error("cannot simulate scenario \"{scenario}\": {}", join_problems(.problems))]
    Unrunnable {
        scenario: String,
        problems: Vec<Diagnostic>,
    },
    /// The engine refused a checked scenario.
    #[error("cannot simulate scenario \"{scenario}\": {error}")]
    Simulation {
        scenario: String,
        #[source]
        error: SimError,
    },
    #[error(
        "cannot simulate: the topology has no workload; add a \"workload\" entry, e.g. {{\"to\": \"frontend\", \"rate_rps\": 100}}"
    )]
    NoWorkload,
    #[error(
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC (got \"{0}\"); unset it to date the report today"
    )]
    SourceDateEpoch(String),
    #[error("{0}")]
    Render(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to write {path}: it is the input topology file; choose another output path")]
    WouldOverwriteInput { path: PathBuf },
    #[error("{0}")]
    Usage(String),
    #[error("the run was cancelled")]
    Cancelled,
}

/// The problems of an unrunnable scenario on one line.
fn join_problems(problems: &[Diagnostic]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("; ")
}
