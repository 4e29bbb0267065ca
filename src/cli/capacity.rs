//! `archsim capacity FILE [--scenario S] [--slo latency_p99_ms=200]…
//! [--replications N] --find max-load|min-replicas|min-cost [--services a,b] [--json OUT|-]`:
//! searches for the largest load, the fewest replicas or the cheapest
//! replicas that meet the SLO
//! (see [`crate::experiment::capacity`]). Progress on stderr; Ctrl-C stops
//! the search (exit 130).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};

use super::run::{
    CANCEL, EXIT_CANCELLED, ReplicationArgs, ScenarioArgs, install_ctrl_c, load_for_simulation,
};
use crate::experiment::capacity::{self, Answer, Capacity, Find, Options};
use crate::experiment::{Control, ExperimentError};
use crate::model::Slo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FindArg {
    /// The largest load multiplier at which every SLO target holds.
    MaxLoad,
    /// The fewest replicas per service that meet the SLO at the scenario's load.
    MinReplicas,
    /// The cheapest replica counts (by their prices per replica-hour) that
    /// meet the SLO at the scenario's load.
    MinCost,
}

#[derive(Debug, clap::Args)]
pub struct CapacityArgs {
    /// Topology file (JSON).
    pub file: PathBuf,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// What to find.
    #[arg(long, value_enum)]
    pub find: FindArg,
    /// An SLO target over the file's: latency_p50_ms=V, latency_p95_ms=V,
    /// latency_p99_ms=V or availability=V (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub slo: Vec<String>,
    /// With --find min-replicas or min-cost: the services to size (default:
    /// every service without autoscaling).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub services: Vec<String>,
    #[command(flatten)]
    pub replication: ReplicationArgs,
    /// Most replications of one evaluation whose interval straddles a
    /// target (default: 4 × --replications).
    #[arg(long, value_name = "N")]
    pub max_replications: Option<u64>,
    /// max-load stops when the bracket is within this share of its upper end.
    #[arg(long, value_name = "SHARE", default_value_t = 0.01)]
    pub tolerance: f64,
    /// Write the result as JSON to OUT, or to stdout with `-`.
    #[arg(long, value_name = "OUT|-")]
    pub json: Option<PathBuf>,
}

/// Default replications of each evaluation.
const DEFAULT_REPLICATIONS: u64 = 5;

/// The file's SLO with `--slo KEY=VALUE` targets on top.
pub(super) fn slo_with(file: Option<&Slo>, args: &[String]) -> anyhow::Result<Slo> {
    let mut slo = file.cloned().unwrap_or_default();
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            bail!("--slo {arg}: expected KEY=VALUE, e.g. --slo latency_p99_ms=200");
        };
        let number: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .with_context(|| format!("--slo {arg}: {value} is not a number > 0"))?;
        match key.trim() {
            "latency_p50_ms" => slo.latency_p50_ms = Some(number),
            "latency_p95_ms" => slo.latency_p95_ms = Some(number),
            "latency_p99_ms" => slo.latency_p99_ms = Some(number),
            "availability" if number <= 1.0 => slo.availability = Some(number),
            "availability" => bail!("--slo {arg}: availability is a share ≤ 1, e.g. 0.999"),
            other => bail!(
                "--slo {arg}: unknown target {other:?}; use latency_p50_ms, latency_p95_ms, latency_p99_ms or availability"
            ),
        }
    }
    Ok(slo)
}

pub fn run(args: CapacityArgs) -> anyhow::Result<ExitCode> {
    if !(args.tolerance > 0.0 && args.tolerance < 1.0) {
        bail!(
            "--tolerance must be a share between 0 and 1, e.g. 0.01 (got {})",
            args.tolerance
        );
    }
    if args.find == FindArg::MaxLoad && !args.services.is_empty() {
        bail!(
            "--services goes with --find min-replicas or min-cost; max-load scales the whole workload"
        );
    }
    let checked = load_for_simulation(&args.file)?;
    let choice = args.scenario.choice()?;
    let slo = slo_with(checked.topology().slo.as_ref(), &args.slo)?;
    let plan = args.replication.plan(DEFAULT_REPLICATIONS);
    let mut options = Options::new(slo, plan);
    if let Some(max) = args.max_replications {
        if max < plan.replications {
            bail!(
                "--max-replications ({max}) must be at least --replications ({}): it is how far an undecided evaluation may grow",
                plan.replications
            );
        }
        options.max_replications = max;
    }
    options.tolerance = args.tolerance;
    let find = match args.find {
        FindArg::MaxLoad => Find::MaxLoad,
        FindArg::MinReplicas => Find::MinReplicas {
            services: args.services.clone(),
        },
        FindArg::MinCost => Find::MinCost {
            services: args.services.clone(),
        },
    };
    install_ctrl_c();
    CANCEL.store(false, Ordering::SeqCst);
    let spinner = Spinner::new();
    let on_run_done = || spinner.tick();
    let control = Control {
        cancel: &CANCEL,
        on_run_done: &on_run_done,
    };
    let result = capacity::search(&checked, &choice, &find, &options, control);
    spinner.finish();
    let found = match result {
        Ok(found) => found,
        Err(ExperimentError::Cancelled { .. }) => {
            eprintln!("cancelled (Ctrl-C); no answer");
            return Ok(ExitCode::from(EXIT_CANCELLED));
        }
        Err(e) => {
            return Err(e).with_context(|| format!("{}: capacity search", args.file.display()));
        }
    };
    let text = answer_text(&found);
    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            let json = serde_json::to_string_pretty(&found).context("cannot format the result")?;
            super::write_stdout(&format!("{json}\n"))?;
        }
        Some(path) => {
            let json = serde_json::to_string_pretty(&found).context("cannot format the result")?;
            crate::model::write_atomic(path, format!("{json}\n").as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::write_stdout(&format!("{text}result written to {}\n", path.display()))?;
        }
        None => super::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The answer in words, and the evaluations one per line.
fn answer_text(found: &Capacity) -> String {
    let targets: Vec<String> = crate::report::verdicts::target_list(&found.slo)
        .iter()
        .map(|t| t.label())
        .collect();
    let mut out = String::new();
    for e in &found.evaluations {
        let point: Vec<String> = e.point.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!(
            "  {}: {} ({} replications, decided by the {})\n",
            point.join(", "),
            if e.slo_met { "meets" } else { "fails" },
            e.replications,
            e.decided_by
        ));
    }
    match &found.answer {
        Answer::MaxLoad {
            load_multiplier,
            bracket,
            rate_rps,
        } => out.push_str(&format!(
            "max load {load_multiplier}× ({rate_rps:.0} rps) with {} held (fails at {}×)\n",
            targets.join(", "),
            bracket[1]
        )),
        Answer::MinReplicas { replicas } => {
            let list: Vec<String> = replicas.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.push_str(&format!(
                "needs replicas: {} for {}\n",
                list.join(", "),
                targets.join(", ")
            ));
        }
        Answer::MinCost {
            replicas,
            cost_per_hour,
            currency,
            cost,
        } => {
            let list: Vec<String> = replicas.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.push_str(&format!(
                "cheapest replicas: {} ({} per hour for these services) for {}\n",
                list.join(", "),
                crate::report::format::money(*cost_per_hour, currency),
                targets.join(", ")
            ));
            if let Some(cost) = cost {
                out.push_str(&format!(
                    "  simulated cost of that run: {} ({} replica-hours, every service)\n",
                    crate::report::format::money(cost.total, &cost.currency),
                    crate::report::format::short(cost.replica_hours)
                ));
            }
        }
    }
    out
}

/// A spinner on a terminal's stderr, counting runs.
pub(super) struct Spinner(Option<indicatif::ProgressBar>);

impl Spinner {
    pub(super) fn new() -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} searching: {pos} runs ({elapsed})")
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Spinner(Some(bar))
    }

    pub(super) fn tick(&self) {
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
