//! `archsim export FILE --out PATH [--format F] [--scenario NAME]...
//! [--all-scenarios] [--seed N] [--duration-s S]`: write data and images —
//! the JSON summary, CSV tables and time series, the graph as SVG, PNG,
//! DOT or Mermaid, or everything at once into a folder. Graph formats need
//! no simulation.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;

use crate::report::{ExportKind, escape};

use super::report::{ScenarioArgs, report_written, simulate, write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The JSON summary of one run (as `archsim run --json`).
    Json,
    /// Time series, long format: scenario,t_s,kind,name,metric,value.
    CsvTimeseries,
    /// One row per entry and scenario.
    CsvEntrypoints,
    /// One row per service and scenario.
    CsvServices,
    /// One row per caller→callee edge and scenario.
    CsvEdges,
    /// The dependency graph as SVG (the app's layout).
    Svg,
    /// The dependency graph as PNG.
    Png,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// HTML report.
    Html,
    /// Markdown report with SVG images beside it.
    Markdown,
    /// Everything into the folder --out.
    All,
}

impl ExportFormat {
    fn kind(self) -> Option<ExportKind> {
        Some(match self {
            ExportFormat::Json => ExportKind::SummaryJson,
            ExportFormat::CsvTimeseries => ExportKind::TimeseriesCsv,
            ExportFormat::CsvEntrypoints => ExportKind::EntrypointsCsv,
            ExportFormat::CsvServices => ExportKind::ServicesCsv,
            ExportFormat::CsvEdges => ExportKind::EdgesCsv,
            ExportFormat::Svg => ExportKind::GraphSvg,
            ExportFormat::Png => ExportKind::GraphPng,
            ExportFormat::Dot => ExportKind::GraphDot,
            ExportFormat::Mermaid => ExportKind::GraphMermaid,
            ExportFormat::Html => ExportKind::ReportHtml,
            ExportFormat::Markdown => ExportKind::ReportMarkdown,
            ExportFormat::All => return None,
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Topology file (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output file, or folder for --format all.
    #[arg(long, short, value_name = "PATH")]
    pub out: PathBuf,
    /// What to write (default: from the extension of --out; `all` for a folder).
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Some(format) => format,
        None => infer_format(&args.out)?,
    };
    crate::report::check_output(Some(&args.file), &args.out)?;
    let Some(checked) = super::validate::open_checked(&args.file) else {
        return Ok(ExitCode::from(super::EXIT_INVALID));
    };
    let needs_runs = format.kind().is_none_or(ExportKind::needs_runs);
    let runs = if needs_runs {
        simulate(&checked, &args.file, &args.scenarios)?
    } else {
        Vec::new()
    };
    let written = match format.kind() {
        Some(kind) => write(kind, &checked, &runs, &args.file, &args.out)?,
        None => {
            std::fs::create_dir_all(&args.out).map_err(|e| {
                anyhow::anyhow!("cannot create the folder {}: {e}", args.out.display())
            })?;
            let mut written = Vec::new();
            for kind in ExportKind::ALL {
                if kind == ExportKind::SummaryJson {
                    continue;
                }
                let path = args.out.join(kind.default_file_name());
                written.extend(write(kind, &checked, &runs, &args.file, &path)?);
            }
            // One JSON summary per scenario.
            for (i, run) in runs.iter().enumerate() {
                let name = format!(
                    "summary-{:02}-{}.json",
                    i + 1,
                    escape::file_name(&run.summary.scenario, "scenario")
                );
                let path = args.out.join(name);
                written.extend(write(
                    ExportKind::SummaryJson,
                    &checked,
                    std::slice::from_ref(run),
                    &args.file,
                    &path,
                )?);
            }
            written
        }
    };
    if format.kind().is_some() {
        report_written(&written)?;
    } else {
        let mut text = String::new();
        for path in written
            .iter()
            .filter(|p| p.parent() == Some(args.out.as_path()))
        {
            text.push_str(&format!("wrote {}\n", path.display()));
        }
        super::write_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn infer_format(out: &Path) -> anyhow::Result<ExportFormat> {
    if out.is_dir() || out.as_os_str().to_string_lossy().ends_with(['/', '\\']) {
        return Ok(ExportFormat::All);
    }
    let format = match ExportKind::from_path(out) {
        Some(ExportKind::ReportHtml) => ExportFormat::Html,
        Some(ExportKind::ReportMarkdown) => ExportFormat::Markdown,
        Some(ExportKind::SummaryJson) => ExportFormat::Json,
        Some(ExportKind::GraphSvg) => ExportFormat::Svg,
        Some(ExportKind::GraphPng) => ExportFormat::Png,
        Some(ExportKind::GraphDot) => ExportFormat::Dot,
        Some(ExportKind::GraphMermaid) => ExportFormat::Mermaid,
        _ if out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            bail!(
                "--out {}: which CSV? give --format csv-timeseries, csv-entrypoints, csv-services or csv-edges",
                out.display()
            )
        }
        _ => bail!(
            "--out {}: cannot tell the format from the name; give --format (json, csv-timeseries, csv-entrypoints, csv-services, csv-edges, svg, png, dot, mermaid, html, markdown, or all for a folder)",
            out.display()
        ),
    };
    Ok(format)
}
