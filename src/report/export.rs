//! [`export`]: write one kind of output file (report, data, graph image)
//! safely: atomically (a temporary file renamed into place), never over the
//! input topology, with asset folders named from sanitised text.

use std::path::{Path, PathBuf};

use crate::graph::{self, GraphDocument};
use crate::model::Checked;

use super::document::{self, ReportOptions};
use super::experiments::Experiments;
use super::{ReportError, Run, data, dot, escape, html, markdown, mermaid, png};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportKind {
    /// Self-contained HTML report of the runs.
    ReportHtml,
    /// Markdown report; its graph and charts go to SVG files in a folder
    /// beside it (see [`assets_dir_name`]).
    ReportMarkdown,
    /// The JSON summary of one run (the `archsim run --json` contract).
    SummaryJson,
    /// Time series, long format: `scenario,t_s,kind,name,metric,value`.
    TimeseriesCsv,
    /// One row per entry and run.
    EntrypointsCsv,
    /// One row per service and run.
    ServicesCsv,
    /// One row per caller→callee edge and run.
    EdgesCsv,
    /// The dependency graph as SVG (the app's layout).
    GraphSvg,
    /// The dependency graph as PNG (rendered from the SVG).
    GraphPng,
    /// Graphviz DOT, groups as clusters.
    GraphDot,
    /// Mermaid flowchart, groups as subgraphs.
    GraphMermaid,
}

impl ExportKind {
    /// Every kind, in menu order: reports and data (from runs), then the
    /// graph. The app's menu and the command line's `--format` list these.
    pub const ALL: [ExportKind; 11] = [
        ExportKind::ReportHtml,
        ExportKind::ReportMarkdown,
        ExportKind::SummaryJson,
        ExportKind::TimeseriesCsv,
        ExportKind::EntrypointsCsv,
        ExportKind::ServicesCsv,
        ExportKind::EdgesCsv,
        ExportKind::GraphSvg,
        ExportKind::GraphPng,
        ExportKind::GraphDot,
        ExportKind::GraphMermaid,
    ];

    /// The usual file extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::ReportHtml => "html",
            ExportKind::ReportMarkdown => "md",
            ExportKind::SummaryJson => "json",
            ExportKind::TimeseriesCsv
            | ExportKind::EntrypointsCsv
            | ExportKind::ServicesCsv
            | ExportKind::EdgesCsv => "csv",
            ExportKind::GraphSvg => "svg",
            ExportKind::GraphPng => "png",
            ExportKind::GraphDot => "dot",
            ExportKind::GraphMermaid => "mmd",
        }
    }

    /// A default file name (for save dialogs and `--format all`).
    pub fn default_file_name(self) -> &'static str {
        match self {
            ExportKind::ReportHtml => "report.html",
            ExportKind::ReportMarkdown => "report.md",
            ExportKind::SummaryJson => "summary.json",
            ExportKind::TimeseriesCsv => "timeseries.csv",
            ExportKind::EntrypointsCsv => "entrypoints.csv",
            ExportKind::ServicesCsv => "services.csv",
            ExportKind::EdgesCsv => "edges.csv",
            ExportKind::GraphSvg => "graph.svg",
            ExportKind::GraphPng => "graph.png",
            ExportKind::GraphDot => "graph.dot",
            ExportKind::GraphMermaid => "graph.mmd",
        }
    }

    /// Its name for `archsim export --format`, e.g. `csv-services`.
    pub fn format_name(self) -> &'static str {
        match self {
            ExportKind::ReportHtml => "html",
            ExportKind::ReportMarkdown => "markdown",
            ExportKind::SummaryJson => "json",
            ExportKind::TimeseriesCsv => "csv-timeseries",
            ExportKind::EntrypointsCsv => "csv-entrypoints",
            ExportKind::ServicesCsv => "csv-services",
            ExportKind::EdgesCsv => "csv-edges",
            ExportKind::GraphSvg => "svg",
            ExportKind::GraphPng => "png",
            ExportKind::GraphDot => "dot",
            ExportKind::GraphMermaid => "mermaid",
        }
    }

    /// A menu label, e.g. "HTML report".
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::ReportHtml => "HTML report",
            ExportKind::ReportMarkdown => "Markdown report",
            ExportKind::SummaryJson => "Summary (JSON)",
            ExportKind::TimeseriesCsv => "Time series (CSV)",
            ExportKind::EntrypointsCsv => "Entries table (CSV)",
            ExportKind::ServicesCsv => "Services table (CSV)",
            ExportKind::EdgesCsv => "Edges table (CSV)",
            ExportKind::GraphSvg => "Graph image (SVG)",
            ExportKind::GraphPng => "Graph image (PNG)",
            ExportKind::GraphDot => "Graph (Graphviz DOT)",
            ExportKind::GraphMermaid => "Graph (Mermaid)",
        }
    }

    /// Whether it needs simulated runs (the graph exports do not).
    pub fn needs_runs(self) -> bool {
        !matches!(
            self,
            ExportKind::GraphSvg
                | ExportKind::GraphPng
                | ExportKind::GraphDot
                | ExportKind::GraphMermaid
        )
    }

    /// The kind a file name's extension implies (`.csv` is ambiguous: none).
    pub fn from_path(path: &Path) -> Option<ExportKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "html" | "htm" | "xhtml" => ExportKind::ReportHtml,
            "md" | "markdown" => ExportKind::ReportMarkdown,
            "json" => ExportKind::SummaryJson,
            "svg" => ExportKind::GraphSvg,
            "png" => ExportKind::GraphPng,
            "dot" | "gv" => ExportKind::GraphDot,
            "mmd" | "mermaid" => ExportKind::GraphMermaid,
            _ => return None,
        })
    }
}

/// What an export works from.
#[derive(Debug, Clone, Copy)]
pub struct ExportInput<'a> {
    pub checked: &'a Checked,
    /// Simulated scenarios (may be empty for the graph exports).
    pub runs: &'a [Run],
    pub options: &'a ReportOptions,
    /// The topology file the input came from: never overwritten.
    pub source: Option<&'a Path>,
}

/// The files an export wrote, the main one first.
pub type Written = Vec<PathBuf>;

/// The folder the Markdown report at `path` keeps its images in: the
/// sanitised file stem plus `_files` (e.g. `report.md` → `report_files`).
pub fn assets_dir_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{}_files", escape::file_name(&stem, "report"))
}

/// The graph of `checked` in one of the graph formats, as bytes.
pub fn render_graph(checked: &Checked, kind: ExportKind) -> Result<Vec<u8>, ReportError> {
    let analysis = graph::analyze(checked);
    match kind {
        ExportKind::GraphSvg | ExportKind::GraphPng => {
            let svg = document::graph_picture(checked, &analysis, true, false).svg;
            let svg = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- {} -->\n{svg}\n",
                escape::xml_comment(&format!(
                    "archsim dependency graph of {}",
                    checked.topology().name
                ))
            );
            if kind == ExportKind::GraphPng {
                png::svg_to_png(&svg, 2.0)
            } else {
                Ok(svg.into_bytes())
            }
        }
        ExportKind::GraphDot => {
            Ok(dot::to_dot(&GraphDocument::new(checked, &analysis)).into_bytes())
        }
        ExportKind::GraphMermaid => {
            Ok(mermaid::to_mermaid(&GraphDocument::new(checked, &analysis)).into_bytes())
        }
        other => Err(ReportError::Usage(format!(
            "{} is not a graph format",
            other.label()
        ))),
    }
}

/// Writes `kind` to `path` and returns the files written. Reports and data
/// need at least one run; the JSON summary exactly one.
pub fn export(
    kind: ExportKind,
    input: &ExportInput<'_>,
    path: &Path,
) -> Result<Written, ReportError> {
    export_with(kind, input, &Experiments::default(), path)
}

/// [`export`], with the results of experiments in the reports (intervals of
/// replicated runs, a sweep, a capacity search; see [`Experiments`]).
pub fn export_with(
    kind: ExportKind,
    input: &ExportInput<'_>,
    experiments: &Experiments,
    path: &Path,
) -> Result<Written, ReportError> {
    if kind.needs_runs() && input.runs.is_empty() {
        return Err(ReportError::Usage(format!(
            "the {} needs at least one simulated scenario",
            kind.label()
        )));
    }
    let guard = Guard::new(input.source);
    match kind {
        ExportKind::ReportHtml => {
            let doc = document::build_with(input.checked, input.runs, experiments, input.options);
            guard.write(path, html::render(&doc).as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::ReportMarkdown => {
            let dir_name = assets_dir_name(path);
            let dir = folder_of(path).join(&dir_name);
            let doc = document::build_with(input.checked, input.runs, experiments, input.options);
            let (text, assets) = markdown::render(&doc, &dir_name);
            check_output(input.source, path)?;
            std::fs::create_dir_all(&dir).map_err(|source| ReportError::Write {
                path: dir.clone(),
                source,
            })?;
            let mut written = vec![path.to_owned()];
            for asset in &assets {
                let file = dir.join(&asset.file_name);
                guard.write(&file, asset.content.as_bytes())?;
                written.push(file);
            }
            guard.write(path, text.as_bytes())?;
            Ok(written)
        }
        ExportKind::SummaryJson => {
            let [run] = input.runs else {
                return Err(ReportError::Usage(format!(
                    "a JSON summary holds one run, but {} scenarios were run; choose one with --scenario NAME (or export CSV, which holds several)",
                    input.runs.len()
                )));
            };
            guard.write(path, run.summary.to_json_pretty().as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::TimeseriesCsv => {
            guard.write(path, data::timeseries_csv(input.runs)?.as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::EntrypointsCsv => {
            guard.write(path, data::entrypoints_csv(input.runs)?.as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::ServicesCsv => {
            guard.write(path, data::services_csv(input.runs)?.as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::EdgesCsv => {
            guard.write(path, data::edges_csv(input.runs)?.as_bytes())?;
            Ok(vec![path.to_owned()])
        }
        ExportKind::GraphSvg
        | ExportKind::GraphPng
        | ExportKind::GraphDot
        | ExportKind::GraphMermaid => {
            guard.check(path)?;
            let bytes = render_graph(input.checked, kind)?;
            guard.write(path, &bytes)?;
            Ok(vec![path.to_owned()])
        }
    }
}

/// Fails when writing `out` would overwrite `source` (the same file, or a
/// link to it), or when the folder `out` goes in does not exist: call it
/// before a long simulation, so that the user learns at once. [`export`]
/// checks again when it writes.
pub fn check_output(source: Option<&Path>, out: &Path) -> Result<(), ReportError> {
    Guard::new(source).check(out)?;
    let folder = folder_of(out);
    if !folder.is_dir() {
        return Err(ReportError::Usage(format!(
            "cannot write {}: the folder {} does not exist; create it first",
            out.display(),
            folder.display()
        )));
    }
    Ok(())
}

/// The folder a file path is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Refuses to write over the input file; writes atomically.
struct Guard {
    input: Option<PathBuf>,
}

impl Guard {
    fn new(source: Option<&Path>) -> Guard {
        Guard {
            input: source.map(Path::to_owned),
        }
    }

    /// Fails when `path` is (or links to) the input file.
    fn check(&self, path: &Path) -> Result<(), ReportError> {
        let Some(input) = &self.input else {
            return Ok(());
        };
        crate::model::refuse_overwriting_inputs(path, std::slice::from_ref(input)).map_err(|_| {
            ReportError::WouldOverwriteInput {
                path: path.to_owned(),
            }
        })
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it
    /// over `path`.
    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
        check_output(self.input.as_deref(), path)?;
        // Name the file the user asked for, not the temporary file beside it.
        let error = |source: std::io::Error| ReportError::Write {
            path: path.to_owned(),
            source: std::io::Error::new(source.kind(), source.kind().to_string()),
        };
        crate::model::write_atomic(path, bytes).map_err(error)
    }
}
