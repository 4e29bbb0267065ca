//! An experiment on a background thread: replications, a sweep or a
//! capacity search, through the same `experiment` functions as `archsim
//! run --replications`, `sweep` and `capacity`.
//!
//! The UI holds an [`ExpHandle`]: a named thread, a cancel flag it sets, a
//! count of finished runs the worker bumps after each run (the progress and
//! the time left), and a slot the worker fills with the outcome. The worker
//! wakes the UI after each run. Those runs use every core (rayon), like the
//! command line's.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::experiment::capacity::{self, Capacity, Find, Options};
use crate::experiment::sweep::{PointResult, Sweep};
use crate::experiment::{
    Accumulator, Control, ExperimentError, Plan, ScenarioChoice, run_ordered, run_replication,
};
use crate::model::{self, Slo, Topology};

use super::figures::{BandCollector, ReplicatedRun};

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Replications,
    /// One `--vary` SPEC, as `archsim sweep` reads it.
    Sweep {
        spec: String,
    },
    Capacity {
        find: Find,
        slo: Slo,
    },
}

/// What an experiment found.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Replications(Box<ReplicatedRun>),
    Sweep {
        spec: String,
        /// The varied name, as written in the SPEC.
        name: String,
        points: Vec<PointResult>,
    },
    Capacity(Box<Capacity>),
}

/// How an experiment ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    Done(Outcome),
    /// Cancel was pressed; nothing is kept.
    Cancelled,
    /// Could not run; the message says why and what to change.
    Failed(String),
}

/// Evaluations a capacity search is expected to take (bracketing and
/// about seven bisection steps), for its time-left estimate.
const EXPECTED_EVALUATIONS: u64 = 10;

/// The UI's handle on a background experiment.
pub struct ExpHandle {
    cancel: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    /// Runs the experiment needs (an estimate for a capacity search).
    total: u64,
    /// The total is an estimate.
    pub estimated: bool,
    started: Instant,
    result: Arc<Mutex<Option<Ended>>>,
}

impl ExpHandle {
    /// Starts `job` on `topology` with `choice` and `plan` on a new thread;
    /// `wake` is called after each run and at the end.
    pub fn start(
        job: Job,
        topology: Topology,
        choice: ScenarioChoice,
        plan: Plan,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> ExpHandle {
        let (total, estimated) = match &job {
            Job::Replications => (plan.replications, false),
            // Counted exactly once the sweep is built (below).
            Job::Sweep { .. } => (plan.replications, false),
            Job::Capacity { .. } => (plan.replications * EXPECTED_EVALUATIONS, true),
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let result = Arc::new(Mutex::new(None));
        let mut handle = ExpHandle {
            cancel: Arc::clone(&cancel),
            done: Arc::clone(&done),
            total,
            estimated,
            started: Instant::now(),
            result: Arc::clone(&result),
        };
        // The sweep's size is known before it runs: build it here to count
        // (and to report a bad SPEC at once); it is built again on the thread.
        if let Job::Sweep { spec } = &job {
            match check(&topology)
                .and_then(|c| Sweep::new(&c, choice.clone(), std::slice::from_ref(spec), plan))
            {
                Ok(sweep) => handle.total = sweep.unit_count(),
                Err(e) => {
                    *lock(&result) = Some(Ended::Failed(e.to_string()));
                    return handle;
                }
            }
        }
        let spawned = std::thread::Builder::new()
            .name("archsim-experiment".to_owned())
            .spawn(move || {
                let on_run_done = || {
                    done.fetch_add(1, Ordering::Relaxed);
                    wake();
                };
                let control = Control {
                    cancel: &cancel,
                    on_run_done: &on_run_done,
                };
                let ended = match run(&job, &topology, &choice, &plan, control) {
                    Ok(outcome) => Ended::Done(outcome),
                    Err(ExperimentError::Cancelled { .. }) => Ended::Cancelled,
                    Err(e) => Ended::Failed(e.to_string()),
                };
                *lock(&result) = Some(ended);
                wake();
            });
        if let Err(e) = spawned {
            *lock(&handle.result) = Some(Ended::Failed(format!(
                "cannot start an experiment thread: {e}"
            )));
        }
        handle
    }

    /// Asks the worker to stop; runs in progress stop at their next step.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Runs finished, and runs needed (at least the finished ones).
    pub fn progress(&self) -> (u64, u64) {
        let done = self.done.load(Ordering::Relaxed);
        (done, self.total.max(done))
    }

    /// Seconds left at the pace so far; `None` before the first run ends.
    pub fn time_left_s(&self) -> Option<f64> {
        let (done, total) = self.progress();
        if done == 0 {
            return None;
        }
        let per_run = self.started.elapsed().as_secs_f64() / done as f64;
        Some(per_run * (total - done) as f64)
    }

    /// The outcome, once the worker has ended (taken once).
    pub fn take_ended(&self) -> Option<Ended> {
        lock(&self.result).take()
    }
}

impl Drop for ExpHandle {
    fn drop(&mut self) {
        // A handle dropped (the app closes) stops its worker.
        self.cancel();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked leaves the slot as it was: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The topology validated, or one message that points at the Problems tab.
fn check(topology: &Topology) -> Result<model::Checked, ExperimentError> {
    model::check(topology.clone()).map_err(|diagnostics| {
        let first = diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(ToString::to_string)
            .unwrap_or_default();
        ExperimentError::Scenario(format!(
            "the model has problems; fix them (see the Problems tab) and start again: {first}"
        ))
    })
}

fn run(
    job: &Job,
    topology: &Topology,
    choice: &ScenarioChoice,
    plan: &Plan,
    control: Control<'_>,
) -> Result<Outcome, ExperimentError> {
    let checked = check(topology)?;
    match job {
        Job::Replications => {
            plan.check()?;
            let run = choice.resolve(&checked)?;
            let mut acc = Accumulator::new();
            let mut bands = BandCollector::default();
            run_ordered(
                plan.jobs,
                plan.replications,
                control,
                |r| run_replication(&run, r, plan.max_in_flight, control.cancel),
                |_, summary| {
                    bands.add(&summary);
                    acc.add(&summary)
                },
            )?;
            let result = acc
                .finish(plan.confidence)
                .ok_or(ExperimentError::NoReplications)?;
            Ok(Outcome::Replications(Box::new(ReplicatedRun {
                bands: bands.finish(plan.confidence),
                result,
            })))
        }
        Job::Sweep { spec } => {
            let sweep = Sweep::new(&checked, choice.clone(), std::slice::from_ref(spec), *plan)?;
            let mut points = Vec::with_capacity(sweep.point_count());
            sweep.run(control, |point| {
                points.push(point);
                Ok(())
            })?;
            Ok(Outcome::Sweep {
                spec: spec.clone(),
                name: sweep.names().into_iter().next().unwrap_or_default(),
                points,
            })
        }
        Job::Capacity { find, slo } => {
            let options = Options::new(slo.clone(), *plan);
            Ok(Outcome::Capacity(Box::new(capacity::search(
                &checked, choice, find, &options, control,
            )?)))
        }
    }
}
