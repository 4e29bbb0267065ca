//! `archsim report FILE [--scenario NAME]... [--all-scenarios] [--seed N]
//! [--duration-s S] [--replications N [--confidence C] [--jobs J]]
//! [--sweep SPEC]... [--capacity max-load|min-replicas|min-cost [--slo KEY=V]...]
//! --out PATH.html|PATH.md`: simulate scenarios and write a self-contained
//! HTML report, or a Markdown report with its images in a folder beside it.
//! With `--replications`, every scenario is the mean of N replications and
//! every table and the latency chart show confidence intervals; `--sweep`
//! and `--capacity` add a sweep and a capacity search on the first scenario
//! (see [`crate::report::experiments`]). A progress bar shows on stderr when
//! it is a terminal; Ctrl-C stops the experiments (exit 130, nothing written).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::capacity::{FindArg, Spinner, slo_with};
use super::run::{CANCEL, EXIT_CANCELLED, ReplicationArgs, RunsBar, install_ctrl_c};
use crate::experiment::capacity::{self, Find};
use crate::experiment::sweep::Sweep;
use crate::experiment::{self, Control, ExperimentError, ScenarioChoice};
use crate::metrics::TimeSeries;
use crate::model::{Checked, Scenario};
use crate::report::escape;
use crate::report::experiments::{Experiments, RunIntervals, SweepResults};
use crate::report::runs::{self, Progress};
use crate::report::{ExportInput, ExportKind, ReportOptions, Run};

/// Which scenarios to run, and how (shared with `archsim export`).
#[derive(Debug, Clone, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario to include (repeat for several; default: the file's first).
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Include every scenario of the file.
    #[arg(long, conflicts_with = "scenarios")]
    pub all_scenarios: bool,
    /// Random seed for every scenario (overrides the scenarios' seeds).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated seconds of every scenario (overrides their duration_s).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with its graph and charts as SVG files in PATH-stem_files/.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Topology file (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Output file: .html or .md (see --format).
    #[arg(long, short, value_name = "PATH")]
    pub out: PathBuf,
    /// Output format (default: from the extension of --out).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// Add a sweep of the first scenario: what to vary, as for `archsim
    /// sweep --vary` (repeat for a Cartesian product).
    #[arg(long = "sweep", value_name = "SPEC")]
    pub sweep: Vec<String>,
    /// Add a capacity search on the first scenario (5 replications per
    /// evaluation unless --replications says otherwise).
    #[arg(long, value_enum, value_name = "FIND")]
    pub capacity: Option<FindArg>,
    /// With --capacity: an SLO target over the file's (latency_p50_ms=V,
    /// latency_p95_ms=V, latency_p99_ms=V or availability=V; repeatable).
    #[arg(long, value_name = "KEY=VALUE", requires = "capacity")]
    pub slo: Vec<String>,
}

/// Replications of each capacity evaluation when --replications is not given.
const CAPACITY_REPLICATIONS: u64 = 5;

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let kind = match (args.format, ExportKind::from_path(&args.out)) {
        (Some(ReportFormat::Html), _) | (None, Some(ExportKind::ReportHtml)) => {
            ExportKind::ReportHtml
        }
        (Some(ReportFormat::Markdown), _) | (None, Some(ExportKind::ReportMarkdown)) => {
            ExportKind::ReportMarkdown
        }
        _ => bail!(
            "--out {}: a report is written as .html or .md; name the file so, or give --format html|markdown",
            args.out.display()
        ),
    };
    crate::report::check_output(Some(&args.file), &args.out)?;
    let Some(checked) = super::validate::open_checked(&args.file) else {
        return Ok(ExitCode::from(super::EXIT_INVALID));
    };
    let outcome = simulate_experiments(&checked, &args);
    let (runs, experiments) = match outcome {
        Ok(done) => done,
        Err(e) => {
            if let Some(ExperimentError::Cancelled { done, total }) = e.downcast_ref() {
                eprintln!("cancelled (Ctrl-C) after {done} of {total} runs; nothing written");
                return Ok(ExitCode::from(EXIT_CANCELLED));
            }
            return Err(e);
        }
    };
    let written = write_with(kind, &checked, &runs, &experiments, &args.file, &args.out)?;
    report_written(&written)?;
    Ok(ExitCode::SUCCESS)
}

/// The report's runs (plain, or means of replications) and experiments.
/// Every sweep SPEC and point is checked before anything runs.
fn simulate_experiments(
    checked: &Checked,
    args: &ReportArgs,
) -> anyhow::Result<(Vec<Run>, Experiments)> {
    let file = &args.file;
    let replications = args.replication.replications.unwrap_or(1);
    let plan = args.replication.plan(1);
    plan.check()
        .with_context(|| format!("{}: cannot report", file.display()))?;
    let scenarios = chosen_scenarios(checked, file, &args.scenarios)?;
    let choice = first_choice(&scenarios, &args.scenarios);
    let sweep = if args.sweep.is_empty() {
        None
    } else {
        Some(
            Sweep::new(checked, choice.clone(), &args.sweep, plan)
                .with_context(|| format!("{}: cannot sweep", file.display()))?,
        )
    };
    let mut experiments = Experiments::default();
    let runs = if replications > 1 {
        install_ctrl_c();
        CANCEL.store(false, std::sync::atomic::Ordering::SeqCst);
        let bar = RunsBar::new(replications * scenarios.len() as u64, "replications");
        let on_run_done = || bar.inc();
        let control = Control {
            cancel: &CANCEL,
            on_run_done: &on_run_done,
        };
        let result = replicate_all(checked, &scenarios, &plan, control);
        bar.finish();
        let (runs, intervals) = result.with_context(|| format!("{}", file.display()))?;
        experiments.intervals = intervals;
        warn_about(&runs);
        runs
    } else {
        simulate(checked, file, &args.scenarios)?
    };
    install_ctrl_c();
    CANCEL.store(false, std::sync::atomic::Ordering::SeqCst);
    if let Some(sweep) = &sweep {
        let bar = RunsBar::new(sweep.unit_count(), "sweep runs");
        let on_run_done = || bar.inc();
        let control = Control {
            cancel: &CANCEL,
            on_run_done: &on_run_done,
        };
        let mut points = Vec::new();
        let result = sweep.run(control, |mut point| {
            // The report draws no time series of a point: drop them.
            point.result.summary.timeseries = TimeSeries::default();
            points.push(point);
            Ok(())
        });
        bar.finish();
        result.with_context(|| format!("{}: sweep failed", file.display()))?;
        experiments.sweep = Some(SweepResults {
            info: sweep.info(),
            points,
        });
    }
    if let Some(find) = args.capacity {
        let slo = slo_with(checked.topology().slo.as_ref(), &args.slo)?;
        let plan = args.replication.plan(CAPACITY_REPLICATIONS);
        let options = capacity::Options::new(slo, plan);
        let find = match find {
            FindArg::MaxLoad => Find::MaxLoad,
            FindArg::MinReplicas => Find::MinReplicas {
                services: Vec::new(),
            },
            FindArg::MinCost => Find::MinCost {
                services: Vec::new(),
            },
        };
        let spinner = Spinner::new();
        let on_run_done = || spinner.tick();
        let control = Control {
            cancel: &CANCEL,
            on_run_done: &on_run_done,
        };
        let result = capacity::search(checked, &choice, &find, &options, control);
        spinner.finish();
        experiments.capacity =
            Some(result.with_context(|| format!("{}: capacity search", file.display()))?);
    }
    Ok((runs, experiments))
}

/// The scenarios chosen on the command line, with the seed and duration applied.
fn chosen_scenarios(
    checked: &Checked,
    file: &Path,
    args: &ScenarioArgs,
) -> anyhow::Result<Vec<Scenario>> {
    let chosen = runs::select_scenarios(checked.topology(), &args.scenarios, args.all_scenarios)
        .with_context(|| format!("{}", file.display()))?;
    Ok(chosen
        .into_iter()
        .map(|s| runs::adjust(s, args.seed, args.duration_s))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The first chosen scenario as the experiment library names it (the
/// default scenario, when the file has none, is `None`).
fn first_choice(scenarios: &[Scenario], args: &ScenarioArgs) -> ScenarioChoice {
    let name = scenarios
        .first()
        .map(|s| s.name.clone())
        .filter(|_| !args.scenarios.is_empty() || args.all_scenarios);
    ScenarioChoice {
        name,
        seed: args.seed,
        duration_s: args.duration_s,
    }
}

/// Runs every scenario `plan.replications` times and keeps the means with
/// their intervals, in scenario order.
fn replicate_all(
    checked: &Checked,
    scenarios: &[Scenario],
    plan: &experiment::Plan,
    control: Control<'_>,
) -> Result<(Vec<Run>, Vec<Option<RunIntervals>>), anyhow::Error> {
    let mut runs = Vec::with_capacity(scenarios.len());
    let mut intervals = Vec::with_capacity(scenarios.len());
    for scenario in scenarios {
        let run = checked
            .check_scenario(scenario.clone())
            .map_err(|problems| crate::report::ReportError::Unrunnable {
                scenario: scenario.name.clone(),
                problems,
            })?;
        let replicated = experiment::replicate(&run, plan, control)?;
        intervals.push(Some(RunIntervals::of(&replicated)));
        let mut summary = replicated.summary;
        // Wall-clock time is not part of a report (it would break byte-identity).
        summary.wall_s = 0.0;
        runs.push(Run {
            scenario: scenario.clone(),
            summary,
        });
    }
    Ok((runs, intervals))
}

/// Prints the engine's warnings of every run.
fn warn_about(runs: &[Run]) {
    for run in runs {
        for warning in &run.summary.warnings {
            super::eprint_line(format_args!(
                "warning: scenario \"{}\": {warning}",
                escape::terminal(&run.summary.scenario)
            ));
        }
    }
}

/// Runs the chosen scenarios with a progress bar on a terminal.
pub(super) fn simulate(
    checked: &Checked,
    file: &Path,
    args: &ScenarioArgs,
) -> anyhow::Result<Vec<Run>> {
    let scenarios = chosen_scenarios(checked, file, args)?;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut on_progress = |p: Progress<'_>| {
        if bar.is_none() && terminal && started.elapsed() > Duration::from_millis(500) {
            let b = indicatif::ProgressBar::new(1000);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:30}] {percent:>3}% {msg} (eta {eta})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            let fraction = if p.total_s > 0.0 {
                p.total_done_s / p.total_s
            } else {
                1.0
            };
            b.set_position((fraction * 1000.0).round() as u64);
            b.set_message(format!(
                "scenario {}/{} \"{}\" {:.0}/{} s",
                p.index + 1,
                p.count,
                escape::terminal(p.scenario),
                p.simulated_s,
                p.duration_s
            ));
        }
    };
    let result = runs::run_scenarios(checked, &scenarios, &mut on_progress, None);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let runs = result.with_context(|| format!("{}", file.display()))?;
    warn_about(&runs);
    Ok(runs)
}

/// Writes one export of the runs.
pub(super) fn write(
    kind: ExportKind,
    checked: &Checked,
    runs: &[Run],
    file: &Path,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    write_with(kind, checked, runs, &Experiments::default(), file, out)
}

/// Writes one export of the runs, with the results of experiments.
fn write_with(
    kind: ExportKind,
    checked: &Checked,
    runs: &[Run],
    experiments: &Experiments,
    file: &Path,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let source_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let options = ReportOptions::now(source_name)?;
    let input = ExportInput {
        checked,
        runs,
        options: &options,
        source: Some(file),
    };
    Ok(crate::report::export_with(kind, &input, experiments, out)?)
}

/// Prints the files written, one per line.
pub(super) fn report_written(written: &[PathBuf]) -> anyhow::Result<()> {
    let mut text = String::new();
    if let Some(main) = written.first() {
        text.push_str(&format!("wrote {}\n", main.display()));
    }
    if written.len() > 1 {
        text.push_str(&format!(
            "wrote {} image files beside it in {}\n",
            written.len() - 1,
            written[1]
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    super::write_stdout(&text)
}
