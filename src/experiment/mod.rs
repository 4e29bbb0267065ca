//! Experiments on a model: independent replications with confidence
//! intervals, sweeps over variants of the topology, and capacity search.
//! No UI: the CLI (`run --replications`, `sweep`, `capacity`) and the app
//! drive the same functions.
//!
//! - [`replicate`] runs N replications of one scenario in parallel and
//!   averages them into a [`Replicated`] summary with Student-t intervals
//!   ([`average`], [`stats`]);
//! - [`vary`] parses `--vary` SPECs and edits a [`Topology`] into each
//!   variant, which then passes [`model::check`] like any file;
//! - [`sweep`] runs the Cartesian product of the varied values: its work
//!   units are (point, replication) pairs in point-major order, each unit's
//!   result is a plain [`Summary`], and a point's result is the pure
//!   aggregation of its units, so units can run anywhere and be merged;
//! - [`capacity`] finds the largest load multiplier, or the fewest
//!   replicas, or the cheapest replicas (`min_cost`), that meet the SLO.
//!
//! Determinism: replication `r` runs with seed [`replication_seed`]`(seed,
//! r)`, whatever the point and however many jobs run at once; results are
//! folded in (point, replication) order, so the output is byte-identical
//! for any `--jobs`. Methods and limits: `docs/experiments.md`.

pub mod average;
pub mod capacity;
mod min_cost;
pub mod slo;
pub mod stats;
pub mod sweep;
pub mod vary;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

pub use average::{Accumulator, Ci, ENTRY_CI_FIELDS, Replicated, SERVICE_CI_FIELDS, aggregate};

use crate::metrics::{RunStatus, Summary};
use crate::model::{self, Checked, CheckedScenario, Topology};
use crate::sim::{SimError, Simulation};

/// Why an experiment cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// A `--vary` SPEC (or another option) is wrong; the message says where and how to fix it.
    #[error("{0}")]
    Spec(String),
    /// A variant of the topology does not pass validation.
    #[error(
        "{point}: the varied topology is not valid: {problems}; choose values the model accepts"
    )]
    InvalidVariant { point: String, problems: String },
    #[error("{0}")]
    Sim(#[from] SimError),
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("stopped (Ctrl-C) after {done} of {total} runs")]
    Cancelled { done: u64, total: u64 },
    #[error(
        "replication {replication} does not match the earlier ones (different entries, services or buckets); replications must come from one topology and scenario"
    )]
    Mismatch { replication: u64 },
    #[error("no replication to average; run at least one (--replications ≥ 1)")]
    NoReplications,
    #[error("{0}")]
    Capacity(String),
    #[error("{0}")]
    Output(String),
    #[error("cannot start {jobs} worker threads: {message}; use a smaller --jobs")]
    Threads { jobs: usize, message: String },
}

/// Which scenario to run, and the command line's changes to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioChoice {
    /// The scenario's name; `None` is the file's first, else the default scenario.
    pub name: Option<String>,
    /// Replaces the scenario's seed.
    pub seed: Option<u64>,
    /// Replaces the scenario's duration.
    pub duration_s: Option<f64>,
}

impl ScenarioChoice {
    /// The chosen scenario of `checked`, with the seed and duration
    /// applied, checked for a run (the only way to a simulation).
    pub fn resolve(&self, checked: &Checked) -> Result<CheckedScenario, ExperimentError> {
        let render = |d: &model::Diagnostic| d.to_string();
        let mut run = checked
            .scenario(self.name.as_deref())
            .map_err(|d| ExperimentError::Scenario(render(&d)))?;
        if let Some(seed) = self.seed {
            run = run.with_seed(seed);
        }
        if let Some(duration_s) = self.duration_s {
            let warmup_s = run.scenario().warmup_s;
            if !(duration_s.is_finite() && duration_s > warmup_s) {
                return Err(ExperimentError::Scenario(format!(
                    "duration {duration_s} s must be a number of seconds longer than the scenario's warmup_s {warmup_s}"
                )));
            }
            run = run.with_duration_s(duration_s).map_err(|ds| {
                ExperimentError::Scenario(ds.iter().map(render).collect::<Vec<_>>().join("; "))
            })?;
        }
        Ok(run)
    }
}

/// How many replications, at what confidence, on how many threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Replications per point, ≥ 1.
    pub replications: u64,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
    /// Runs at once, ≥ 1.
    pub jobs: usize,
    /// Each run stops as `diverged` past this many requests in flight
    /// ([`Simulation::set_max_in_flight`]), ≥ 1.
    pub max_in_flight: usize,
}

impl Plan {
    /// `replications` at 95% on every core.
    pub fn new(replications: u64) -> Self {
        Plan {
            replications,
            confidence: 0.95,
            jobs: default_jobs(),
            max_in_flight: crate::sim::DEFAULT_MAX_IN_FLIGHT,
        }
    }

    /// Checks the numbers; the error names the option to change.
    pub fn check(&self) -> Result<(), ExperimentError> {
        if self.replications == 0 {
            return Err(ExperimentError::Spec(
                "--replications must be at least 1".to_owned(),
            ));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(ExperimentError::Spec(format!(
                "--confidence must be between 0 and 1, e.g. 0.95 (got {})",
                self.confidence
            )));
        }
        if self.max_in_flight == 0 {
            return Err(ExperimentError::Spec(
                "--max-in-flight must be at least 1".to_owned(),
            ));
        }
        if self.jobs == 0 {
            return Err(ExperimentError::Spec(
                "--jobs must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The number of cores, the default of `--jobs`.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// What a long experiment reports to and hears from its caller.
#[derive(Clone, Copy)]
pub struct Control<'a> {
    /// Set to stop: runs in progress stop at their next step and the
    /// experiment returns [`ExperimentError::Cancelled`].
    pub cancel: &'a AtomicBool,
    /// Called after each finished run (from worker threads).
    pub on_run_done: &'a (dyn Fn() + Sync),
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("cancel", &self.cancel.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The seed of replication `index` of a scenario seeded `seed`:
/// replication 0 keeps the scenario's seed (so one replication is the plain
/// run), the others are spread by SplitMix64.
pub fn replication_seed(seed: u64, index: u64) -> u64 {
    if index == 0 {
        return seed;
    }
    let mut z = seed.wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs replication `index` of the checked scenario `run` to the end (or until
/// `cancel` is set: then [`ExperimentError::Cancelled`]).
pub fn run_replication(
    run: &CheckedScenario,
    index: u64,
    max_in_flight: usize,
    cancel: &AtomicBool,
) -> Result<Summary, ExperimentError> {
    let seed = replication_seed(run.scenario().seed, index);
    let run = run.clone().with_seed(seed);
    let mut sim = Simulation::new(&run)?;
    sim.set_max_in_flight(max_in_flight);
    let summary = sim.run_with_cancel(cancel);
    if summary.status == RunStatus::Cancelled {
        return Err(ExperimentError::Cancelled { done: 0, total: 0 });
    }
    Ok(summary)
}

/// Checks a topology edited by an experiment: validation decides, and its
/// errors come back as one message naming the variant (`point`).
pub fn check_variant(topology: Topology, point: &str) -> Result<Checked, ExperimentError> {
    model::check(topology).map_err(|diagnostics| ExperimentError::InvalidVariant {
        point: point.to_owned(),
        problems: diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    })
}

/// Runs `plan.replications` replications of the checked scenario `run`,
/// `plan.jobs` at a time, and averages them. The result is the same for
/// any `jobs`; the averaged `wall_s` is the wall-clock time of the whole.
pub fn replicate(
    run: &CheckedScenario,
    plan: &Plan,
    control: Control<'_>,
) -> Result<Replicated, ExperimentError> {
    plan.check()?;
    let started = std::time::Instant::now();
    let mut acc = Accumulator::new();
    run_ordered(
        plan.jobs,
        plan.replications,
        control,
        |r| run_replication(run, r, plan.max_in_flight, control.cancel),
        |_, summary| acc.add(&summary),
    )?;
    let mut out = acc
        .finish(plan.confidence)
        .ok_or(ExperimentError::NoReplications)?;
    out.summary.wall_s = started.elapsed().as_secs_f64();
    Ok(out)
}

/// Runs `work(0..count)` on `jobs` threads, handing each result to `sink`
/// in index order.
///
/// The threads take indices in order from a shared counter, so a thread
/// that finishes early starts the next run at once (no barrier between
/// rounds), and the calling thread folds results into `sink` while the
/// others keep running (no serial phase with idle workers). A thread may
/// only take index `i` while `i < folded + 2 × jobs`: at most `2 × jobs`
/// results (running or waiting to be folded) exist at once, so memory does
/// not grow with `count`.
pub fn run_ordered<T: Send>(
    jobs: usize,
    count: u64,
    control: Control<'_>,
    work: impl Fn(u64) -> Result<T, ExperimentError> + Sync,
    mut sink: impl FnMut(u64, T) -> Result<(), ExperimentError>,
) -> Result<(), ExperimentError> {
    let jobs = jobs.max(1);
    if jobs == 1 {
        for i in 0..count {
            if control.cancel.load(Ordering::Relaxed) {
                return Err(ExperimentError::Cancelled {
                    done: i,
                    total: count,
                });
            }
            match work(i) {
                Ok(value) => {
                    (control.on_run_done)();
                    sink(i, value)?;
                }
                Err(ExperimentError::Cancelled { .. }) => {
                    return Err(ExperimentError::Cancelled {
                        done: i,
                        total: count,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        return Ok(());
    }
    let window = 2 * jobs as u64;
    let gate = Mutex::new(Gate {
        next: 0,
        folded: 0,
        stop: false,
    });
    let turn = Condvar::new();
    let lock = || gate.lock().unwrap_or_else(PoisonError::into_inner);
    // The next index a worker may run, or `None` when there is none left.
    let claim = || {
        let mut g = lock();
        loop {
            if g.stop || g.next >= count {
                return None;
            }
            if g.next < g.folded + window {
                g.next += 1;
                return Some(g.next - 1);
            }
            g = turn.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    };
    let (sender, results) = mpsc::channel::<(u64, Result<T, ExperimentError>)>();
    std::thread::scope(|scope| {
        for w in 0..jobs {
            let sender = sender.clone();
            let (claim, work) = (&claim, &work);
            let spawned = std::thread::Builder::new()
                .name(format!("archsim-experiment-{w}"))
                .spawn_scoped(scope, move || {
                    while let Some(i) = claim() {
                        let result = if control.cancel.load(Ordering::Relaxed) {
                            Err(ExperimentError::Cancelled { done: 0, total: 0 })
                        } else {
                            work(i)
                        };
                        if result.is_ok() {
                            (control.on_run_done)();
                        }
                        if sender.send((i, result)).is_err() {
                            return;
                        }
                    }
                });
            if let Err(e) = spawned {
                lock().stop = true;
                turn.notify_all();
                return Err(ExperimentError::Threads {
                    jobs,
                    message: e.to_string(),
                });
            }
        }
        drop(sender);
        let mut waiting: BTreeMap<u64, Result<T, ExperimentError>> = BTreeMap::new();
        let mut next = 0;
        let mut outcome = Ok(());
        'receive: for (i, result) in results.iter() {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&next) {
                let folded = match result {
                    Ok(value) => sink(next, value),
                    Err(ExperimentError::Cancelled { .. }) => Err(ExperimentError::Cancelled {
                        done: next,
                        total: count,
                    }),
                    Err(e) => Err(e),
                };
                next += 1;
                let failed = folded.is_err();
                {
                    let mut g = lock();
                    g.folded = next;
                    g.stop |= failed;
                }
                turn.notify_all();
                if failed {
                    outcome = folded;
                    break 'receive;
                }
            }
        }
        // Dropping the receiver makes every worker stop after its run.
        drop(results);
        outcome
    })
}

/// Which index [`run_ordered`]'s workers take next, and how far the
/// results have been folded.
struct Gate {
    next: u64,
    folded: u64,
    stop: bool,
}
