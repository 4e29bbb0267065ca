//! `archsim export FILE --out PATH [--format F] [--scenario NAME]...
//! [--all-scenarios] [--seed N] [--duration-s S]`: write data and images —
//! the JSON summary, CSV tables and time series, the graph as SVG, PNG,
//! DOT or Mermaid, or everything at once into a folder. Graph formats need
//! no simulation.
//!
//! `archsim export FILE --sweep SPEC [--sweep SPEC]… [--replications N]
//! --out results.csv|results.json` writes a sweep's results, byte for byte
//! what `archsim sweep --vary SPEC … --out` writes for the same arguments.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::experiment::sweep::Sweep;
use crate::experiment::{Control, ScenarioChoice};
use crate::report::{ExportKind, escape};

use super::report::{ScenarioArgs, report_written, simulate, write};
use super::run::{CANCEL, ReplicationArgs, RunsBar, install_ctrl_c};

/// What `--format` asks for: one kind of [`ExportKind::ALL`] (by its
/// [`ExportKind::format_name`]), or all of them into a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Kind(ExportKind),
    /// Everything into the folder --out.
    All,
}

/// Every value of `--format`: the export kinds, then `all`.
const FORMATS: [ExportFormat; ExportKind::ALL.len() + 1] = {
    let mut formats = [ExportFormat::All; ExportKind::ALL.len() + 1];
    let mut i = 0;
    while i < ExportKind::ALL.len() {
        formats[i] = ExportFormat::Kind(ExportKind::ALL[i]);
        i += 1;
    }
    formats
};

impl clap::ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            ExportFormat::Kind(kind) => PossibleValue::new(kind.format_name()).help(kind.label()),
            ExportFormat::All => PossibleValue::new("all").help("Everything into the folder --out"),
        })
    }
}

impl ExportFormat {
    fn kind(self) -> Option<ExportKind> {
        match self {
            ExportFormat::Kind(kind) => Some(kind),
            ExportFormat::All => None,
        }
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
    /// Write a sweep's results (.csv or .json, as `archsim sweep --out`):
    /// what to vary, as for `archsim sweep --vary` (repeat for a Cartesian product).
    #[arg(long = "sweep", value_name = "SPEC")]
    pub sweep: Vec<String>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if !args.sweep.is_empty() {
        return export_sweep(&args);
    }
    if args.replication.replications.is_some() || args.replication.jobs.is_some() {
        bail!(
            "--replications and --jobs go with --sweep in archsim export; for a replicated summary use archsim run FILE --replications N --json OUT"
        );
    }
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

/// `archsim export --sweep`: the sweep of one scenario, written as
/// `archsim sweep` writes it.
fn export_sweep(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if args.format.is_some() {
        bail!(
            "--format does not go with --sweep: the sweep is written as CSV or JSON by the extension of --out (.csv or .json)"
        );
    }
    let scenarios = &args.scenarios;
    if scenarios.all_scenarios || scenarios.scenarios.len() > 1 {
        bail!("a sweep varies one scenario; give at most one --scenario NAME");
    }
    super::sweep::check_out(&args.out)?;
    if args.out.as_os_str() != "-" {
        crate::report::check_output(Some(&args.file), &args.out)?;
    }
    let checked = super::run::load_for_simulation(&args.file)?;
    let choice = ScenarioChoice {
        name: scenarios.scenarios.first().cloned(),
        seed: scenarios.seed,
        duration_s: scenarios.duration_s,
    };
    let plan = args.replication.plan(1);
    let sweep = Sweep::new(&checked, choice, &args.sweep, plan)
        .with_context(|| format!("{}: cannot sweep", args.file.display()))?;
    install_ctrl_c();
    CANCEL.store(false, std::sync::atomic::Ordering::SeqCst);
    let bar = RunsBar::new(sweep.unit_count(), "sweep runs");
    let on_run_done = || bar.inc();
    let control = Control {
        cancel: &CANCEL,
        on_run_done: &on_run_done,
    };
    let result = super::sweep::write_results(&sweep, &args.out, control);
    bar.finish();
    if let Some(code) = super::sweep::stopped(result, &args.file)? {
        return Ok(code);
    }
    if args.out.as_os_str() != "-" {
        report_written(std::slice::from_ref(&args.out))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn infer_format(out: &Path) -> anyhow::Result<ExportFormat> {
    if out.is_dir() || out.as_os_str().to_string_lossy().ends_with(['/', '\\']) {
        return Ok(ExportFormat::All);
    }
    if let Some(kind) = ExportKind::from_path(out) {
        return Ok(ExportFormat::Kind(kind));
    }
    let names = |csv: bool| {
        ExportKind::ALL
            .iter()
            .filter(|kind| !csv || kind.extension() == "csv")
            .map(|kind| kind.format_name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        bail!(
            "--out {}: which CSV? give --format with one of: {}",
            out.display(),
            names(true)
        )
    }
    bail!(
        "--out {}: cannot tell the format from the name; give --format ({}, or all for a folder)",
        out.display(),
        names(false)
    )
}
