//! The command line: one file per subcommand. `main.rs` calls [`main`].
//!
//! Output goes through `write_stdout` and `eprint_line`, which escape
//! control characters (a name in a topology file cannot send escape
//! sequences to the terminal), and tables through [`crate::report::text`].

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::report::escape;

mod analyze;
mod bench;
mod capacity;
mod diff;
mod export;
mod graph;
mod import;
mod report;
mod run;
mod sweep;
mod validate;

/// Exit code: the input was invalid (or a run failed on it).
pub const EXIT_INVALID: u8 = 1;
/// Exit code: the command line itself was wrong.
pub const EXIT_USAGE: u8 = 2;

const EXAMPLES: &str = "\
Examples:
  archsim                                   open the app on the built-in example
  archsim scenarios/shop.json               open a file in the app
  archsim validate scenarios/*.json         check files; exit 1 if any is invalid
  archsim analyze scenarios/shop.json       load, bottleneck, critical paths, SPOFs
  archsim graph scenarios/shop.json --format dot | dot -Tsvg > shop.svg
  archsim run scenarios/shop.json --scenario 'black friday' --json -
  archsim run scenarios/shop.json --replications 10 --json -
  archsim sweep scenarios/shop.json --vary load=0.5:2:0.5 --replications 5 --out sweep.csv
  archsim capacity scenarios/shop.json --slo latency_p99_ms=200 --find max-load
  archsim import compose.yaml --out topology.json
  archsim diff scenarios/shop.json traces.json  design against what traces show; exit 1 if they differ
  archsim report scenarios/shop.json --all-scenarios --out report.html
  archsim export scenarios/shop.json --out shop.png
  archsim export scenarios/shop.json --all-scenarios --out results/";

/// archsim: see your service architecture, simulate load, failures and scaling.
#[derive(Debug, Parser)]
#[command(name = "archsim", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Topology file to open in the app (without a subcommand).
    pub file: Option<PathBuf>,
    /// Open the app, render until the layout has settled, save a PNG and exit.
    #[arg(long, value_name = "OUT.png")]
    pub screenshot: Option<PathBuf>,
    /// Open the app comparing the file with these traces (or compose files,
    /// manifests), as File → Compare with traces… does.
    #[arg(long, value_name = "SOURCE", num_args = 1..)]
    pub compare_traces: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check topology files; exit 0 when all are valid, 1 otherwise.
    Validate(validate::ValidateArgs),
    /// Analyse the dependency graph: load, utilization, bottleneck, critical paths.
    Analyze(analyze::AnalyzeArgs),
    /// Print the dependency graph as Graphviz DOT, Mermaid or JSON.
    Graph(graph::GraphArgs),
    /// Run a scenario headless and print a summary (or the JSON contract).
    Run(run::RunArgs),
    /// Run the Cartesian product of varied values (load, replicas, workers, timeouts…).
    Sweep(sweep::SweepArgs),
    /// Find the largest load, or the fewest replicas, that meet the SLO.
    Capacity(capacity::CapacityArgs),
    /// Measure the engine's speed on a scenario (visits and events per CPU second).
    Bench(bench::BenchArgs),
    /// Derive a topology from docker-compose, Kubernetes manifests or traces.
    Import(import::ImportArgs),
    /// Write an HTML or Markdown report of one or more scenarios.
    Report(report::ReportArgs),
    /// Export data (JSON, CSV) or the graph (SVG, PNG, DOT, Mermaid).
    Export(export::ExportArgs),
    /// Compare a declared topology with what traces, compose files or manifests show.
    Diff(diff::DiffArgs),
}

/// Parses `args` and runs the command; returns the process exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Some(Command::Validate(args)) => validate::run(args),
        Some(Command::Analyze(args)) => analyze::run(args),
        Some(Command::Graph(args)) => graph::run(args),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Sweep(args)) => sweep::run(args),
        Some(Command::Capacity(args)) => capacity::run(args),
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Import(args)) => import::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Export(args)) => export::run(args),
        Some(Command::Diff(args)) => diff::run(args),
        None => open_app(cli.file, cli.screenshot, cli.compare_traces),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprint_line(format_args!("error: {err:#}"));
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// Writes `text` to stdout, control characters other than line breaks
/// escaped ([`escape::terminal_lines`]). A closed pipe (`archsim ... | head`)
/// is not an error: the reader has what it wanted.
pub(crate) fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let text = escape::terminal_lines(text);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

/// Writes `message` and a line break to stderr, control characters other
/// than line breaks escaped ([`escape::terminal_lines`]): every message may
/// quote a name from a file.
pub(crate) fn eprint_line(message: impl std::fmt::Display) {
    eprintln!("{}", escape::terminal_lines(&message.to_string()));
}

#[cfg(feature = "gui")]
fn open_app(
    file: Option<PathBuf>,
    screenshot: Option<PathBuf>,
    compare_traces: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    crate::gui::run(file, screenshot, compare_traces)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn open_app(
    _file: Option<PathBuf>,
    _screenshot: Option<PathBuf>,
    _compare_traces: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    eprintln!(
        "error: this archsim was built without the desktop app (cargo feature \"gui\").\n\
         Use a subcommand (see `archsim --help`), or rebuild with default features."
    );
    Ok(ExitCode::from(EXIT_USAGE))
}
