//! `archsim sweep FILE [--scenario S] --vary SPEC [--vary SPEC]…
//! [--replications N] [--confidence C] [--jobs J] --out results.csv|results.json`:
//! runs the Cartesian product of the varied values (see
//! [`crate::experiment::sweep`] and [`crate::experiment::vary`] for SPEC).
//!
//! `--shard K/N|auto` runs one shard into a part, `sweep merge PART… --out`
//! merges parts, `--emit slurm|k8s --shards N --out DIR` writes job files
//! (see [`crate::cluster`] and docs/scale-out.md).
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
    load_for_simulation, read_for_simulation,
};
use crate::cluster::emit::{self, JobSpec};
use crate::cluster::sweep::SweepRecipe;
use crate::cluster::{self, ClusterError, ShardSpec};
use crate::experiment::sweep::{CsvWriter, JsonWriter, PointResult, Sweep, value_text};
use crate::experiment::{Control, ExperimentError, ScenarioChoice};
use crate::model;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
    /// Topology file (JSON).
    #[arg(required = true)]
    pub file: Option<PathBuf>,
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
    /// point's full summary); `-` writes CSV to stdout. With --shard: the
    /// folder for the part (or the part's .json path); with --emit: the
    /// folder for the job files.
    #[arg(long, value_name = "PATH", required = true)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Running a sweep on a cluster: one shard of it, or the job files for all.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Run only shard K of N (K counted from 0) of the sweep's (point,
    /// replication) units and write a part for `archsim sweep merge`; `auto`
    /// reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (a Slurm array job)
    /// or JOB_COMPLETION_INDEX with --shards N (a Kubernetes Indexed Job).
    #[arg(long, value_name = "K/N|auto", conflicts_with = "emit")]
    pub shard: Option<String>,
    /// Number of shards: with --shard auto on Kubernetes, and with --emit.
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
    /// Write job files that run the sweep in --shards shards on a cluster's
    /// scheduler (and merge them) into the folder --out.
    #[arg(long, value_enum, value_name = "SCHEDULER", requires = "shards")]
    pub emit: Option<Scheduler>,
    /// Kubernetes: shards running at once (the Indexed Job's parallelism).
    #[arg(long, value_name = "P", default_value_t = 10, requires = "emit")]
    pub parallelism: u64,
    /// Kubernetes: the container image with archsim in it (build it with
    /// the emitted Dockerfile).
    #[arg(long, value_name = "IMAGE", default_value = concat!("archsim:", env!("CARGO_PKG_VERSION")), requires = "emit")]
    pub image: String,
}

/// A cluster's scheduler, for `--emit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheduler {
    /// A Slurm job array (`sweep.sbatch`) and a dependent merge job.
    Slurm,
    /// A Kubernetes Indexed Job, its ConfigMap and volume, and a merge Job.
    K8s,
}

#[derive(Debug, clap::Subcommand)]
pub enum SweepCommand {
    /// Merge the parts written by `sweep --shard` into the sweep's CSV or
    /// JSON, byte-identical to the sweep run on one machine.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Part files, or folders of them (their *.json files).
    #[arg(value_name = "PART", required = true)]
    pub parts: Vec<PathBuf>,
    /// Merged results: .csv or .json.
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

/// The topology file and `--out` (clap requires both unless a subcommand runs).
fn file_and_out(args: &SweepArgs) -> anyhow::Result<(&Path, &Path)> {
    match (&args.file, &args.out) {
        (Some(file), Some(out)) => Ok((file, out)),
        _ => bail!(
            "give the topology file and --out, as in: archsim sweep FILE --vary SPEC --out results.csv"
        ),
    }
}

/// Checks the sweep on the loaded topology: every SPEC and every point.
fn build_on(args: &SweepArgs, file: &Path, checked: &model::Checked) -> anyhow::Result<Sweep> {
    let choice = args.scenario.choice()?;
    let plan = args.replication.plan(1);
    Sweep::new(checked, choice, &args.vary, plan)
        .with_context(|| format!("{}: cannot sweep", file.display()))
}

/// Checks the sweep: every SPEC and every point, before anything runs.
pub fn build(args: &SweepArgs) -> anyhow::Result<Sweep> {
    let (file, out) = file_and_out(args)?;
    format_of(out)?;
    let checked = load_for_simulation(file)?;
    build_on(args, file, &checked)
}

pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    if let Some(SweepCommand::Merge(merge)) = &args.command {
        return run_merge(merge);
    }
    if let Some(scheduler) = args.cluster.emit {
        return emit(&args, scheduler);
    }
    if let Some(shard) = &args.cluster.shard {
        return run_shard(&args, shard);
    }
    if args.cluster.shards.is_some() {
        bail!(
            "--shards goes with --shard auto (a Kubernetes Indexed Job) or --emit; \
             to run one shard give --shard K/N"
        );
    }
    let sweep = build(&args)?;
    let (file, out) = file_and_out(&args)?;
    let format = format_of(out)?;
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
    let to_stdout = out.as_os_str() == "-";
    let result = if to_stdout {
        let stdout = std::io::stdout().lock();
        write_points(&sweep, format, stdout, control, &mut rows)
    } else {
        write_file(&sweep, format, out, control, &mut rows)
    };
    bar.finish();
    if let Some(code) = stopped(result, file)? {
        return Ok(code);
    }
    if !to_stdout {
        let mut text = rows.join("");
        text.push_str(&format!(
            "{} points × {} replications written to {} in {:.1} s\n",
            sweep.point_count(),
            sweep.plan().replications,
            out.display(),
            started.elapsed().as_secs_f64()
        ));
        super::write_stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the topology (keeping its text) and checks the sweep and its recipe.
fn load_sweep(args: &SweepArgs, file: &Path) -> anyhow::Result<(String, Sweep, SweepRecipe)> {
    let (text, checked) = read_for_simulation(file)?;
    let sweep = build_on(args, file, &checked)?;
    let recipe = SweepRecipe::new(
        &file.display().to_string(),
        &args.scenario.choice()?,
        &args.vary,
        sweep.plan(),
    );
    Ok((text, sweep, recipe))
}

/// `--shard K/N|auto`: runs one shard and writes its part.
fn run_shard(args: &SweepArgs, shard_text: &str) -> anyhow::Result<ExitCode> {
    let (file, out) = file_and_out(args)?;
    if out.as_os_str() == "-" {
        bail!("--shard writes a part file: give --out a folder (or a .json file), not -");
    }
    let spec: ShardSpec = shard_text.parse()?;
    let (shard, source) =
        cluster::resolve(spec, args.cluster.shards, |name| std::env::var(name).ok())?;
    let (text, sweep, recipe) = load_sweep(args, file)?;
    install_ctrl_c();
    CANCEL.store(false, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let units = shard.units(sweep.unit_count());
    let bar = RunsBar::new(units.end - units.start, "shard runs");
    let on_run_done = || bar.inc();
    let control = Control {
        cancel: &CANCEL,
        on_run_done: &on_run_done,
    };
    let result = cluster::sweep::run_shard(&sweep, &recipe, &text, shard, out, control);
    bar.finish();
    match result {
        Ok((path, header)) => {
            super::write_stdout(&format!(
                "shard {shard} (from {source}): units {}..{} of {} written to {} in {:.1} s{}\n",
                header.units.start,
                header.units.end,
                header.units.total,
                path.display(),
                started.elapsed().as_secs_f64(),
                peak_memory_note()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ClusterError::Experiment(ExperimentError::Cancelled { done, total })) => {
            eprintln!("cancelled (Ctrl-C) after {done} of {total} runs; no part written");
            Ok(ExitCode::from(EXIT_CANCELLED))
        }
        Err(e) => Err(e).with_context(|| format!("{}: shard {shard} failed", file.display())),
    }
}

/// `--emit slurm|k8s --shards N --out DIR`: measures one unit and writes the job files.
fn emit(args: &SweepArgs, scheduler: Scheduler) -> anyhow::Result<ExitCode> {
    let (file, out) = file_and_out(args)?;
    let Some(shards) = args.cluster.shards else {
        bail!("--emit needs --shards N, the number of jobs to split the sweep into");
    };
    let (text, sweep, recipe) = load_sweep(args, file)?;
    emit::check_shards(shards, sweep.unit_count())?;
    eprintln!(
        "measuring the memory of one unit (the sweep's last point) to size the jobs' requests…"
    );
    let cost = cluster::sweep::measure_unit(&sweep)?;
    let name = file
        .file_stem()
        .map_or_else(|| "sweep".to_owned(), |s| s.to_string_lossy().into_owned());
    let spec = JobSpec {
        name,
        topology: text.into_bytes(),
        sweep_args: recipe.args(),
        shards,
        units: sweep.unit_count(),
        measured_memory_bytes: cost.peak_bytes,
        measured_unit_s: Some(cost.wall_s),
        parallelism: args.cluster.parallelism,
        image: args.cluster.image.clone(),
    };
    let (files, next) = match scheduler {
        Scheduler::Slurm => (
            emit::slurm_files(&spec)?,
            format!("submit with: {}/submit.sh", out.display()),
        ),
        Scheduler::K8s => (
            emit::k8s_files(&spec)?,
            format!(
                "build and push the image {} (Dockerfile), then run: {}/run.sh",
                spec.image,
                out.display()
            ),
        ),
    };
    let written = emit::write_files(out, &files)?;
    let mut text = String::new();
    for path in &written {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    text.push_str(&format!(
        "{} units in {shards} shards; {next}\n",
        sweep.unit_count()
    ));
    super::write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `sweep merge PART… --out results.csv|results.json`.
fn run_merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    cluster::sweep::merge_is_csv(&args.out)?;
    let files = cluster::part_files(&args.parts)?;
    model::refuse_overwriting_inputs(&args.out, &files)?;
    let stats = cluster::sweep::merge(&files, &args.out)?;
    super::write_stdout(&format!(
        "merged {} parts ({} points, {} units) into {} in {:.1} s{}\n",
        stats.parts,
        stats.points,
        stats.units,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        peak_memory_note()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `, peak memory 12.3 MiB` where the system tells (Linux), else nothing.
fn peak_memory_note() -> String {
    cluster::peak_rss_bytes().map_or_else(String::new, |bytes| {
        format!(", peak memory {:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    })
}

/// The exit code of a sweep that was cancelled (`Some`), an error naming
/// `file` for one that failed, `None` for one that completed.
pub(super) fn stopped(
    result: Result<(), ExperimentError>,
    file: &Path,
) -> anyhow::Result<Option<ExitCode>> {
    match result {
        Ok(()) => Ok(None),
        Err(ExperimentError::Cancelled { done, total }) => {
            eprintln!("cancelled (Ctrl-C) after {done} of {total} runs; nothing written");
            Ok(Some(ExitCode::from(EXIT_CANCELLED)))
        }
        Err(e) => Err(e).with_context(|| format!("{}: sweep failed", file.display())),
    }
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
