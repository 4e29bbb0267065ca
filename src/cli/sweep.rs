//! `archsim sweep FILE [--scenario S] --vary SPEC [--vary SPEC]…
//! [--replications N] [--confidence C] [--jobs J] --out results.csv|results.json`:
//! runs the Cartesian product of the varied values (see
//! [`crate::experiment::sweep`] and [`crate::experiment::vary`] for SPEC).
//!
//! Every SPEC and every point's topology is checked before anything runs.
//! The output is written point by point to a temporary file next to OUT and
//! renamed when complete; `--out -` writes CSV to stdout. Progress goes to
//! stderr on a terminal; Ctrl-C stops the sweep (exit 130, no output file).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};

use super::run::{
    CANCEL, EXIT_CANCELLED, ReplicationArgs, RunsBar, ScenarioArgs, install_ctrl_c,
    load_for_simulation,
};
use crate::experiment::sweep::{CsvWriter, JsonWriter, PointResult, Sweep, value_text};
use crate::experiment::{Control, ExperimentError, ScenarioChoice};

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Topology file (JSON).
    pub file: PathBuf,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// What to vary: load=START:STOP:STEP, replicas.SERVICE=1,2,4,
    /// workers.SERVICE=…, timeout_ms.CALLER>CALLEE=…, retries.CALLER>CALLEE=…
    /// or set:/json/pointer=V1,V2 (repeat for a Cartesian product).
    #[arg(long = "vary", value_name = "SPEC", required = true)]
    pub vary: Vec<String>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// Results file: .csv (one row per point and entry) or .json (every
    /// point's full summary); `-` writes CSV to stdout.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

impl ScenarioArgs {
    /// The scenario options as the experiment library takes them.
    pub fn choice(&self) -> anyhow::Result<ScenarioChoice> {
        self.check_duration()?;
        Ok(ScenarioChoice {
            name: self.scenario.clone(),
            seed: self.seed,
            duration_s: self.duration_s,
        })
    }
}

/// Lines of results printed on the terminal (the file has them all).
const MAX_ROWS_SHOWN: usize = 200;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Json,
}

fn format_of(out: &Path) -> anyhow::Result<Format> {
    if out.as_os_str() == "-" {
        return Ok(Format::Csv);
    }
    match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Ok(Format::Csv),
        Some(e) if e.eq_ignore_ascii_case("json") => Ok(Format::Json),
        _ => bail!(
            "--out {}: name the file .csv or .json (or - for CSV on stdout)",
            out.display()
        ),
    }
}

/// Checks the sweep: every SPEC and every point, before anything runs.
pub fn build(args: &SweepArgs) -> anyhow::Result<Sweep> {
    format_of(&args.out)?;
    let checked = load_for_simulation(&args.file)?;
    let choice = args.scenario.choice()?;
    let plan = args.replication.plan(1);
    Sweep::new(&checked, choice, &args.vary, plan)
        .with_context(|| format!("{}: cannot sweep", args.file.display()))
}

pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let sweep = build(&args)?;
    let format = format_of(&args.out)?;
    install_ctrl_c();
    CANCEL.store(false, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let bar = RunsBar::new(sweep.unit_count(), "sweep runs");
    let on_run_done = || bar.inc();
    let control = Control {
        cancel: &CANCEL,
        on_run_done: &on_run_done,
    };
    let mut rows: Vec<String> = Vec::new();
    let to_stdout = args.out.as_os_str() == "-";
    let result = if to_stdout {
        let stdout = std::io::stdout().lock();
        write_points(&sweep, format, stdout, control, &mut rows)
    } else {
        write_file(&sweep, format, &args.out, control, &mut rows)
    };
    bar.finish();
    match result {
        Ok(()) => {}
        Err(ExperimentError::Cancelled { done, total }) => {
            eprintln!("cancelled (Ctrl-C) after {done} of {total} runs; nothing written");
            return Ok(ExitCode::from(EXIT_CANCELLED));
        }
        Err(e) => {
            return Err(e).with_context(|| format!("{}: sweep failed", args.file.display()));
        }
    }
    if !to_stdout {
        let mut text = rows.join("");
        text.push_str(&format!(
            "{} points × {} replications written to {} in {:.1} s\n",
            sweep.point_count(),
            sweep.plan().replications,
            args.out.display(),
            started.elapsed().as_secs_f64()
        ));
        super::write_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks that `out` names a results file (.csv or .json).
pub(super) fn check_out(out: &Path) -> anyhow::Result<()> {
    format_of(out).map(|_| ())
}

/// Runs the sweep and writes its results to `out` exactly as `archsim sweep
/// --out` does (the same bytes): for `archsim export --sweep`.
pub(super) fn write_results(
    sweep: &Sweep,
    out: &Path,
    control: Control<'_>,
) -> Result<(), ExperimentError> {
    let format = format_of(out).map_err(|e| ExperimentError::Output(e.to_string()))?;
    let mut rows = Vec::new();
    if out.as_os_str() == "-" {
        return write_points(sweep, format, std::io::stdout().lock(), control, &mut rows);
    }
    write_file(sweep, format, out, control, &mut rows)
}

/// Writes to a temporary file beside `out`, renamed over `out` when complete.
fn write_file(
    sweep: &Sweep,
    format: Format,
    out: &Path,
    control: Control<'_>,
    rows: &mut Vec<String>,
) -> Result<(), ExperimentError> {
    let io = |e: std::io::Error| ExperimentError::Output(format!("{}: {e}", out.display()));
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let writer = std::io::BufWriter::new(temp.as_file());
    write_points(sweep, format, writer, control, rows)?;
    temp.persist(out).map_err(|e| io(e.error))?;
    Ok(())
}

/// Runs the sweep, writing each point as it completes; `rows` gets one
/// line per point and entry for the terminal.
fn write_points(
    sweep: &Sweep,
    format: Format,
    writer: impl Write,
    control: Control<'_>,
    rows: &mut Vec<String>,
) -> Result<(), ExperimentError> {
    let mut line = |p: &PointResult| {
        let met = p.slo_met();
        for (i, e) in p.result.summary.entrypoints.iter().enumerate() {
            let vary: Vec<String> = p
                .vary
                .iter()
                .map(|(k, v)| format!("{k}={}", value_text(v)))
                .collect();
            let slo = match met.get(i).copied().flatten() {
                Some(true) => "  SLO met",
                Some(false) => "  SLO missed",
                None => "",
            };
            if rows.len() == MAX_ROWS_SHOWN {
                rows.push("… (every row is in the output file)\n".to_owned());
            }
            if rows.len() > MAX_ROWS_SHOWN {
                continue;
            }
            rows.push(format!(
                "{}  {}: {:.1} ok/s, success {:.2}%, p50 {:.1} ms, p99 {:.1} ms{slo}\n",
                vary.join(" "),
                e.name,
                e.throughput_rps,
                e.success_ratio * 100.0,
                e.latency_ms.p50,
                e.latency_ms.p99
            ));
        }
    };
    match format {
        Format::Csv => {
            let mut w = CsvWriter::new(writer, sweep)?;
            sweep.run(control, |p| {
                line(&p);
                w.point(&p)
            })?;
            w.finish()
        }
        Format::Json => {
            let mut w = JsonWriter::new(writer, sweep)?;
            sweep.run(control, |p| {
                line(&p);
                w.point(&p)
            })?;
            w.finish()
        }
    }
}
