//! `archsim run FILE [--scenario NAME] [--seed N] [--duration-s S] [--json PATH|-]`:
//! simulate one scenario headless and print a summary table, or write the
//! JSON summary (its keys: docs/engine.md, "The summary").
//!
//! With `--replications N [--confidence 0.95] [--jobs J]`, N independent
//! replications run in parallel (see [`crate::experiment::replicate`]): the
//! JSON keeps every key with the values averaged, adds `replications`,
//! `confidence` and a `ci` object per entry and service, and the table
//! shows `± half-width`.
//!
//! Without scenarios in the file, the default scenario runs (60 s, no
//! warm-up, seed 1). A progress bar appears on stderr when a run takes more
//! than about a second and stderr is a terminal. Ctrl-C stops the run: the
//! summary of the time simulated so far is still printed (status
//! `cancelled`) and the exit code is 130; a second Ctrl-C exits at once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::experiment;
use crate::graph::queueing::{self, compare::Subject};
use crate::metrics::{ErrorCounts, RunStatus, ScalingReason, Summary};
use crate::model;
use crate::report::escape;
use crate::report::format::ms;
use crate::report::text::{self, Align};
use crate::sim::Simulation;

/// Exit code of a run stopped with Ctrl-C (128 + SIGINT, as shells do).
pub const EXIT_CANCELLED: u8 = 130;

/// Steps a run is divided into, to update the progress bar.
const PROGRESS_STEPS: u32 = 500;

/// The scenario options `run` and `bench` share.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario to run (default: the file's first, else 60 s of steady load).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Random seed (overrides the scenario's).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated seconds (overrides the scenario's duration_s).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
}

impl ScenarioArgs {
    /// Checks `--duration-s` on its own (before the file is read).
    pub fn check_duration(&self) -> anyhow::Result<()> {
        if let Some(d) = self.duration_s
            && !(d.is_finite() && d > 0.0)
        {
            bail!("--duration-s must be a number of seconds > 0 (got {d})");
        }
        Ok(())
    }

    /// The chosen scenario of `checked` (from the file `shown`), with
    /// `--seed` and `--duration-s` applied and checked.
    pub fn scenario(
        &self,
        checked: &model::Checked,
        shown: &str,
    ) -> anyhow::Result<model::CheckedScenario> {
        self.check_duration()?;
        let mut run = checked
            .scenario(self.scenario.as_deref())
            .map_err(|problem| anyhow::anyhow!("{}", problem.render(shown)))?;
        if let Some(seed) = self.seed {
            run = run.with_seed(seed);
        }
        if let Some(duration_s) = self.duration_s {
            let warmup_s = run.scenario().warmup_s;
            if warmup_s >= duration_s {
                bail!(
                    "--duration-s {duration_s} is not longer than the scenario's warmup_s {warmup_s}; give a longer duration",
                );
            }
            run = run.with_duration_s(duration_s).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| p.render(shown)).collect();
                anyhow::anyhow!("with --duration-s {duration_s}:\n{}", lines.join("\n"))
            })?;
        }
        Ok(run)
    }
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Topology file (JSON).
    pub file: PathBuf,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Write the JSON summary to PATH, or to stdout with `-` (then no table is printed).
    #[arg(long, value_name = "PATH|-")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
}

/// `--replications`, `--confidence`, `--jobs`: shared by `run`, `sweep` and `capacity`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplicationArgs {
    /// Independent replications (seeds derived from --seed and the index),
    /// averaged, with confidence intervals.
    #[arg(long, value_name = "N")]
    pub replications: Option<u64>,
    /// Confidence level of the intervals.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    pub confidence: f64,
    /// Runs at once (default: every core); results do not depend on it.
    #[arg(long, value_name = "J")]
    pub jobs: Option<usize>,
    /// Stop a run as `diverged` when more than N requests are in progress
    /// in all services together (guards memory when the load outgrows the
    /// system; 70 to 125 bytes each).
    #[arg(long, value_name = "N", default_value_t = crate::sim::DEFAULT_MAX_IN_FLIGHT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_in_flight: usize,
}

impl ReplicationArgs {
    /// The plan, with `default_replications` when `--replications` is not given.
    pub fn plan(&self, default_replications: u64) -> experiment::Plan {
        experiment::Plan {
            replications: self.replications.unwrap_or(default_replications),
            confidence: self.confidence,
            jobs: self.jobs.unwrap_or_else(experiment::default_jobs),
            max_in_flight: self.max_in_flight,
        }
    }
}

pub(super) static CANCEL: AtomicBool = AtomicBool::new(false);
static INSTALL_HANDLER: Once = Once::new();

/// Installs the Ctrl-C handler once per process: the first Ctrl-C asks the
/// run to stop, the second exits at once.
pub(super) fn install_ctrl_c() {
    INSTALL_HANDLER.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            if CANCEL.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(EXIT_CANCELLED));
            }
        });
        if let Err(err) = installed {
            super::eprint_line(format_args!(
                "warning: Ctrl-C will not stop the run cleanly ({err})"
            ));
        }
    });
}

/// Loads and validates `file` for simulation: its problems and warnings go
/// to stderr, and a file without workload is refused.
pub(super) fn load_for_simulation(file: &std::path::Path) -> anyhow::Result<model::Checked> {
    Ok(read_for_simulation(file)?.1)
}

/// [`load_for_simulation`], also returning the file's text (a sharded sweep
/// hashes it and carries it in its parts).
pub(super) fn read_for_simulation(
    file: &std::path::Path,
) -> anyhow::Result<(String, model::Checked)> {
    let shown = file.display().to_string();
    let text = model::read_text(file).map_err(|error| anyhow::anyhow!("{error}"))?;
    let checked = match model::load_checked_str(&text, &shown) {
        Ok(checked) => checked,
        Err(error @ model::LoadError::Io { .. }) => bail!("{error}"),
        Err(error) => {
            for diagnostic in error.diagnostics() {
                super::eprint_line(diagnostic.render(error.origin()));
            }
            bail!(
                "{shown} is not valid; fix the problems above (`archsim validate {shown}` lists them too)"
            );
        }
    };
    for warning in checked.warnings() {
        super::eprint_line(warning.render(&shown));
    }
    if let Err(problem) = checked.require_workload() {
        bail!("cannot simulate: no workload\n{}", problem.render(&shown));
    }
    Ok((text, checked))
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.display().to_string();
    if let Some(out) = args.json.as_deref().filter(|p| p.as_os_str() != "-") {
        // Before a long run, so that the user learns at once.
        model::refuse_overwriting_inputs(out, &[&args.file])?;
    }
    let checked = load_for_simulation(&args.file)?;
    let run = args.scenario.scenario(&checked, &shown)?;
    if args.replication.replications.is_some() {
        return run_replicated(&args, &run);
    }
    let mut sim = Simulation::new(&run).with_context(|| {
        format!(
            "{shown}: cannot simulate scenario \"{}\"",
            run.scenario().name
        )
    })?;

    sim.set_max_in_flight(args.replication.max_in_flight);

    install_ctrl_c();
    CANCEL.store(false, Ordering::SeqCst);
    let completed = run_with_progress(&mut sim);
    let mut summary = sim.into_summary(completed);
    for warning in &summary.warnings {
        super::eprint_line(format_args!("warning: {warning}"));
    }
    // The table starts with these lines; JSON on stdout has no table.
    if args.json.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        for line in headlines(&summary) {
            super::eprint_line(format_args!("{line}"));
        }
    }
    attach_estimate(&run, &mut summary);
    let table = || {
        format!(
            "{}{}",
            summary_table(&summary),
            estimate_table(run.topology(), run.scenario(), &summary)
        )
    };

    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match summary.write_json(stdout) {
                // A closed pipe (`… --json - | head`) is not an error.
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(err).context("cannot write the JSON summary to stdout");
                }
                _ => {}
            }
        }
        Some(path) => {
            // Checked again: the input may have been linked there meanwhile.
            model::refuse_overwriting_inputs(path, &[&args.file])?;
            model::write_atomic_with(path, |out| summary.write_json(out))
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::write_stdout(&format!(
                "{}JSON summary written to {}\n",
                table(),
                path.display()
            ))?;
        }
        None => super::write_stdout(&table())?,
    }
    if summary.status == RunStatus::Cancelled {
        eprintln!(
            "cancelled at {:.1} s of {} s (Ctrl-C); the summary covers the time simulated",
            summary.simulated_s, summary.duration_s
        );
        return Ok(ExitCode::from(EXIT_CANCELLED));
    }
    Ok(ExitCode::SUCCESS)
}

/// `run --replications N`: replications in parallel, averaged.
fn run_replicated(args: &RunArgs, run: &model::CheckedScenario) -> anyhow::Result<ExitCode> {
    let plan = args.replication.plan(1);
    plan.check()?;
    install_ctrl_c();
    CANCEL.store(false, Ordering::SeqCst);
    let bar = RunsBar::new(plan.replications, "replications");
    let on_run_done = || bar.inc();
    let control = experiment::Control {
        cancel: &CANCEL,
        on_run_done: &on_run_done,
    };
    let result = experiment::replicate(run, &plan, control);
    bar.finish();
    let mut replicated = match result {
        Ok(r) => r,
        Err(experiment::ExperimentError::Cancelled { done, total }) => {
            eprintln!("cancelled (Ctrl-C) after {done} of {total} replications; nothing written");
            return Ok(ExitCode::from(EXIT_CANCELLED));
        }
        Err(e) => {
            return Err(e).with_context(|| {
                format!(
                    "{}: cannot run scenario \"{}\"",
                    args.file.display(),
                    run.scenario().name
                )
            });
        }
    };
    for warning in &replicated.summary.warnings {
        eprintln!("warning: {warning}");
    }
    attach_estimate(run, &mut replicated.summary);
    let table = || {
        format!(
            "{}{}",
            replicated_table(&replicated),
            estimate_table(run.topology(), run.scenario(), &replicated.summary)
        )
    };
    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match replicated.write_json(stdout) {
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(err).context("cannot write the JSON summary to stdout");
                }
                _ => {}
            }
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            replicated
                .write_json(std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::write_stdout(&format!(
                "{}JSON summary written to {}\n",
                table(),
                path.display()
            ))?;
        }
        None => super::write_stdout(&table())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Puts the queueing estimate of `run` beside the simulated figures of
/// `summary`; without one (it cannot fail for a run the engine accepted) a
/// warning says so and the summary goes without.
fn attach_estimate(run: &model::CheckedScenario, summary: &mut Summary) {
    match queueing::estimate_scenario(run) {
        Ok(estimate) => estimate.attach(summary),
        Err(err) => super::eprint_line(format_args!("warning: no queueing estimate: {err}")),
    }
}

/// A progress bar counting finished runs, on a terminal's stderr only.
pub(super) struct RunsBar(Option<indicatif::ProgressBar>);

impl RunsBar {
    pub(super) fn new(total: u64, what: &str) -> Self {
        if !std::io::stderr().is_terminal() || total < 2 {
            return RunsBar(None);
        }
        let bar = indicatif::ProgressBar::new(total);
        let template = format!("{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} (eta {{eta}})");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        RunsBar(Some(bar))
    }

    pub(super) fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The table of a replicated run: the single-run table with `± half-width`.
pub fn replicated_table(replicated: &experiment::Replicated) -> String {
    let mut out = format!(
        "{} replications, {}% intervals (Student-t on the replication means)\n",
        replicated.replications,
        replicated.confidence * 100.0
    );
    out.push_str(&table_with_intervals(&replicated.summary, Some(replicated)));
    out
}

/// Runs to the end in steps, showing a progress bar on a terminal once the
/// run has taken a second; returns `false` when cancelled with Ctrl-C.
fn run_with_progress(sim: &mut Simulation) -> bool {
    let started = Instant::now();
    let duration_s = sim.duration_s();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let show_bar = std::io::stderr().is_terminal();
    let mut completed = true;
    for step in 1..=PROGRESS_STEPS {
        let t = duration_s * f64::from(step) / f64::from(PROGRESS_STEPS);
        if !sim.run_until_with_cancel(t, &CANCEL) || CANCEL.load(Ordering::Relaxed) {
            completed = false;
            break;
        }
        if bar.is_none() && show_bar && started.elapsed() > Duration::from_secs(1) {
            let b = indicatif::ProgressBar::new(u64::from(PROGRESS_STEPS));
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:40}] {percent:>3}% {msg} (eta {eta})",
            );
            if let Ok(style) = style {
                b.set_style(style.progress_chars("=> "));
            }
            // Start the estimate from here, not from the start of the run.
            b.set_position(u64::from(step));
            b.reset_eta();
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(u64::from(step));
            b.set_message(format!("{:.0}/{duration_s} s", sim.now_s()));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    completed
}

/// `rows` under `headers`: the first column (a name) left-aligned, the
/// figures right-aligned.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    text::table("", headers, &Align::name_then_figures(headers.len()), rows)
}

/// Share of the offered requests answered successfully: unlike
/// `success_ratio`, requests still in flight at the end count against it.
fn answered_ratio(e: &crate::metrics::EntrySummary) -> f64 {
    if e.in_flight == 0 || e.offered == 0 {
        e.success_ratio
    } else {
        e.completed as f64 / e.offered as f64
    }
}

/// The human-readable summary printed by `archsim run`.
pub fn summary_table(summary: &Summary) -> String {
    table_with_intervals(summary, None)
}

/// ` ±h` for the interval of `field` of item `i`, formatted by `show`.
fn plus_minus(
    cis: Option<&[experiment::Ci]>,
    i: usize,
    field: &str,
    show: impl Fn(f64) -> String,
) -> String {
    match cis.and_then(|c| c.get(i)).and_then(|c| c.get(field)) {
        Some([lo, hi]) => format!(" ±{}", show((hi - lo) / 2.0)),
        None => String::new(),
    }
}

/// The lines a reader must see first: the stability verdict, then every
/// finding ("finding: …").
fn headlines(summary: &Summary) -> Vec<String> {
    let stability = crate::metrics::Stability::headline(summary);
    let findings = summary
        .findings
        .iter()
        .map(|f| format!("finding: {}", escape::terminal(f.text())));
    stability.into_iter().chain(findings).collect()
}

fn table_with_intervals(summary: &Summary, replicated: Option<&experiment::Replicated>) -> String {
    let entry_ci = replicated.map(|r| r.entry_ci.as_slice());
    let service_ci = replicated.map(|r| r.service_ci.as_slice());
    let mut out = String::new();
    let status = match summary.status {
        RunStatus::Complete => String::new(),
        RunStatus::Running => " (running)".to_owned(),
        RunStatus::Cancelled => format!(" (CANCELLED at {:.1} s)", summary.simulated_s),
        RunStatus::Diverged => format!(" (DIVERGED at {:.1} s)", summary.simulated_s),
    };
    for line in headlines(summary) {
        out.push_str(&format!("{line}\n"));
    }
    out.push_str(&format!(
        "{} — scenario \"{}\", seed {}, {} s (warm-up {} s){status}\n",
        escape::terminal(&summary.topology),
        escape::terminal(&summary.scenario),
        summary.seed,
        summary.duration_s,
        summary.warmup_s
    ));
    let n = replicated.map_or(1, |r| r.replications.max(1));
    let rate = if summary.wall_s > 0.0 {
        (summary.events * n) as f64 / summary.wall_s
    } else {
        0.0
    };
    let events = if n > 1 {
        format!(
            "{} events per replication, {n} replications",
            summary.events
        )
    } else {
        format!("{} events", summary.events)
    };
    out.push_str(&format!(
        "{events} in {:.2} s ({:.1} M events/s)\n",
        summary.wall_s,
        rate / 1e6
    ));
    if let Some(cost) = crate::report::cost::sentence(summary) {
        out.push_str(&format!("{}\n", escape::terminal(&cost)));
    }
    out.push_str("\nEntrypoints (latency in ms)\n");
    let rows: Vec<Vec<String>> = summary
        .entrypoints
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let pm = |field: &str, show: fn(f64) -> String| plus_minus(entry_ci, i, field, show);
            vec![
                e.name.clone(),
                e.offered.to_string(),
                e.completed.to_string(),
                e.failed.to_string(),
                e.in_flight.to_string(),
                format!("{:.1}", e.throughput_rps) + &pm("throughput_rps", |v| format!("{v:.1}")),
                // Requests still in flight count as not (yet) successful.
                format!("{:.2}%", answered_ratio(e) * 100.0)
                    + &pm("success_ratio", |v| format!("{:.2}%", v * 100.0)),
                ms(e.latency_ms.mean) + &pm("latency_ms.mean", ms),
                ms(e.latency_ms.p50) + &pm("latency_ms.p50", ms),
                ms(e.latency_ms.p95) + &pm("latency_ms.p95", ms),
                ms(e.latency_ms.p99) + &pm("latency_ms.p99", ms),
                ms(e.latency_ms.max),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "entry",
            "offered",
            "ok",
            "failed",
            "in flight",
            "ok/s",
            "success",
            "mean",
            "p50",
            "p95",
            "p99",
            "max",
        ],
        &rows,
    ));
    out.push_str("\nServices (times in ms)\n");
    let rows: Vec<Vec<String>> = summary
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pm = |field: &str, show: fn(f64) -> String| plus_minus(service_ci, i, field, show);
            vec![
                s.name.clone(),
                s.arrivals.to_string(),
                format!("{:.1}", s.throughput_rps),
                format!("{:.1}%", s.utilization * 100.0)
                    + &pm("utilization", |v| format!("{:.1}%", v * 100.0)),
                format!("{:.1}", s.replicas_mean),
                ms(s.wait_ms.mean) + &pm("wait_ms.mean", ms),
                ms(s.response_ms.mean) + &pm("response_ms.mean", ms),
                ms(s.response_ms.p99) + &pm("response_ms.p99", ms),
                format!("{:.2}", s.queue_length_mean)
                    + &pm("queue_length_mean", |v| format!("{v:.2}")),
                s.queue_length_max.to_string(),
                s.errors.total().to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "service", "arrivals", "ok/s", "util", "replicas", "wait", "resp", "resp p99", "queue",
            "q max", "errors",
        ],
        &rows,
    ));
    resilience_tables(summary, &mut out);
    out
}

/// Rows of the estimate table listed in full; above that only the
/// flagged ones are.
const ESTIMATE_ROWS: usize = 40;

/// The queueing estimate beside the simulation: mean latency per entry,
/// utilization and mean response per service, `!` where they differ by
/// more than 25%, with the likely reasons. Empty without an estimate.
pub fn estimate_table(
    topology: &model::Topology,
    scenario: &model::Scenario,
    summary: &Summary,
) -> String {
    let rows = queueing::compare::compare(topology, scenario, summary);
    if rows.is_empty() {
        return String::new();
    }
    let flagged = rows.iter().filter(|r| r.flagged).count();
    let all = rows.len() <= ESTIMATE_ROWS;
    let optional_ms = |value: Option<f64>, none: &str| value.map_or_else(|| none.to_owned(), ms);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| all || r.flagged)
        .map(|r| {
            let (util_sim, util_est) = match r.utilization {
                Some((sim, est)) => (
                    format!("{:.1}%", sim * 100.0),
                    est.map_or_else(|| "overload".to_owned(), |u| format!("{:.1}%", u * 100.0)),
                ),
                None => (String::new(), String::new()),
            };
            vec![
                match r.subject {
                    Subject::Entry => format!("entry {}", r.name),
                    Subject::Service => r.name.clone(),
                },
                util_sim,
                util_est,
                optional_ms(r.simulated_ms, "-"),
                optional_ms(r.estimated_ms, "unbounded"),
                r.difference
                    .map_or_else(String::new, |d| format!("{:+.0}%", d * 100.0)),
                if r.flagged {
                    format!("! {}", r.reasons_text())
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let mut out = format!(
        "\nQueueing estimate vs simulation (means in ms; ! = differs by more than {:.0}%, with the likely reason)\n",
        queueing::compare::DISAGREEMENT * 100.0
    );
    out.push_str(&table(
        &[
            "where", "util sim", "util est", "mean sim", "mean est", "diff", "",
        ],
        &cells,
    ));
    if !all {
        out.push_str(&format!(
            "  ... {} more agree within {:.0}% ({flagged} of {} differ)\n",
            rows.len() - flagged,
            queueing::compare::DISAGREEMENT * 100.0,
            rows.len()
        ));
    }
    out
}

/// Failures by cause, edges with retries, failures or breakers, faults and
/// scaling events; each section only when it has something to show.
fn resilience_tables(summary: &Summary, out: &mut String) {
    let causes = |e: &ErrorCounts| e.by_cause().map(|n| n.to_string()).to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in summary.entrypoints.iter().filter(|e| e.errors.total() > 0) {
        rows.push([vec![format!("entry {}", e.name)], causes(&e.errors)].concat());
    }
    for s in summary.services.iter().filter(|s| s.errors.total() > 0) {
        rows.push([vec![s.name.clone()], causes(&s.errors)].concat());
    }
    if !rows.is_empty() {
        out.push_str("\nFailures by cause (as the callers saw them)\n");
        let headers: Vec<&str> = std::iter::once("where")
            .chain(ErrorCounts::CAUSES)
            .collect();
        out.push_str(&table(&headers, &rows));
    }
    let rows: Vec<Vec<String>> = summary
        .edges
        .iter()
        .filter(|e| e.retries > 0 || e.failed > 0 || e.circuit_breaker)
        .map(|e| {
            let breaker = if e.circuit_breaker {
                format!(
                    "opened {}×, {:.1} s open",
                    e.breaker_opened, e.breaker_open_s
                )
            } else {
                "-".to_owned()
            };
            vec![
                format!("{} → {}", e.from, e.to),
                e.calls.to_string(),
                e.retries.to_string(),
                e.failed.to_string(),
                breaker,
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push_str("\nCalls\n");
        out.push_str(&table(
            &["edge", "attempts", "retries", "failed", "breaker"],
            &rows,
        ));
    }
    if !summary.fault_windows.is_empty() {
        out.push_str("\nFaults\n");
        for f in &summary.fault_windows {
            out.push_str(&format!(
                "  {} {}: {} s → {} s\n",
                f.kind,
                escape::terminal(&f.target),
                f.start_s,
                f.end_s
            ));
        }
    }
    if !summary.scaling_events.is_empty() {
        out.push_str("\nScaling\n");
        for e in &summary.scaling_events {
            let why = match (e.reason, e.utilization) {
                (ScalingReason::Autoscale, Some(u)) => {
                    format!("autoscaler, utilization {:.1}%", u * 100.0)
                }
                (ScalingReason::Autoscale, None) => "autoscaler".to_owned(),
                (ScalingReason::Scheduled, _) => "scheduled".to_owned(),
            };
            out.push_str(&format!(
                "  {:.1} s {}: {} → {} ({why})\n",
                e.t_s,
                escape::terminal(&e.service),
                e.from,
                e.to
            ));
        }
    }
}
