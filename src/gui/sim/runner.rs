//! A simulation running on a background thread.
//!
//! The UI holds a [`RunHandle`]: a named thread, a [`Control`] block of
//! atomics it writes (cancel, pause, step, speed) and a [`Shared`] block the
//! worker fills (the summary so far, the phase, timing). The worker advances
//! the engine in slices of a quarter bucket, refreshes the shared summary
//! about twelve times a second (`Simulation::snapshot_into` only appends new
//! buckets), and wakes the UI. At a multiple of real time it paces itself
//! against the wall clock; "as fast as possible" never sleeps.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::graph::queueing::{self, QueueingEstimate};
use crate::metrics::Summary;
use crate::model::{Scenario, Topology};
use crate::sim::Simulation;

/// Wall time between two refreshes of the shared summary.
const PUBLISH_EVERY: Duration = Duration::from_millis(80);

/// Where a run is.
#[derive(Debug, Clone, PartialEq)]
pub enum RunPhase {
    /// Checking the topology and building the simulation.
    Starting,
    Running,
    Paused,
    /// Reached the scenario's end.
    Finished,
    /// Stopped by the user; the summary covers the time simulated so far.
    Cancelled,
    /// Could not start (the message says why and what to fix).
    Failed(String),
}

impl RunPhase {
    /// The worker is gone (finished, cancelled or failed).
    pub fn is_over(&self) -> bool {
        matches!(
            self,
            RunPhase::Finished | RunPhase::Cancelled | RunPhase::Failed(_)
        )
    }
}

/// What the UI tells the worker.
#[derive(Debug, Default)]
pub struct Control {
    pub cancel: AtomicBool,
    pub paused: AtomicBool,
    /// Bucket steps asked for while paused.
    pub steps: AtomicU64,
    /// Simulated seconds per wall second, as `f64` bits; 0 = as fast as possible.
    speed_bits: AtomicU64,
}

impl Control {
    pub fn speed(&self) -> f64 {
        f64::from_bits(self.speed_bits.load(Ordering::Relaxed))
    }

    pub fn set_speed(&self, speed: f64) {
        self.speed_bits.store(speed.to_bits(), Ordering::Relaxed);
    }
}

/// What the worker tells the UI.
#[derive(Debug)]
pub struct Shared {
    pub phase: RunPhase,
    /// The metrics so far (complete when the phase is `Finished`).
    pub summary: Option<Summary>,
    /// Simulated seconds reached and the run's length.
    pub now_s: f64,
    pub duration_s: f64,
    /// Wall seconds spent running (pauses excluded).
    pub busy_wall_s: f64,
    pub events: u64,
}

/// The UI's handle on a background run.
pub struct RunHandle {
    pub control: Arc<Control>,
    shared: Arc<Mutex<Shared>>,
    thread: Option<JoinHandle<()>>,
}

impl RunHandle {
    /// Starts simulating `scenario` on `topology` on a new thread; `wake`
    /// is called whenever there is something new to show. With `stepping`,
    /// the run advances one bucket and pauses.
    pub fn start(
        topology: Topology,
        scenario: Scenario,
        speed: f64,
        stepping: bool,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> RunHandle {
        let control = Arc::new(Control::default());
        control.set_speed(speed);
        if stepping {
            control.paused.store(true, Ordering::Relaxed);
            control.steps.store(1, Ordering::Relaxed);
        }
        let shared = Arc::new(Mutex::new(Shared {
            phase: RunPhase::Starting,
            summary: None,
            now_s: 0.0,
            duration_s: scenario.duration_s,
            busy_wall_s: 0.0,
            events: 0,
        }));
        let worker = Worker {
            control: Arc::clone(&control),
            shared: Arc::clone(&shared),
            wake,
            estimate: None,
        };
        let spawned = std::thread::Builder::new()
            .name("archsim-simulation".to_owned())
            .spawn(move || worker.run(topology, scenario));
        let thread = match spawned {
            Ok(thread) => Some(thread),
            Err(err) => {
                lock(&shared).phase =
                    RunPhase::Failed(format!("cannot start a simulation thread: {err}"));
                None
            }
        };
        RunHandle {
            control,
            shared,
            thread,
        }
    }

    /// The worker's report (held briefly: the worker waits for it).
    pub fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    pub fn cancel(&self) {
        self.control.cancel.store(true, Ordering::Relaxed);
        self.unpark();
    }

    pub fn set_paused(&self, paused: bool) {
        self.control.paused.store(paused, Ordering::Relaxed);
        self.unpark();
    }

    pub fn is_paused(&self) -> bool {
        self.control.paused.load(Ordering::Relaxed)
    }

    /// Pauses and advances one bucket.
    pub fn step(&self) {
        self.control.paused.store(true, Ordering::Relaxed);
        self.control.steps.fetch_add(1, Ordering::Relaxed);
        self.unpark();
    }

    fn unpark(&self) {
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }
}

impl Drop for RunHandle {
    /// A run that is dropped (the app closes, or a new run replaces it)
    /// stops at once; the thread ends by itself.
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Locks the shared block; a worker that panicked leaves it usable.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Worker {
    control: Arc<Control>,
    shared: Arc<Mutex<Shared>>,
    wake: Arc<dyn Fn() + Send + Sync>,
    /// The queueing estimate of the scenario, put beside every summary.
    estimate: Option<QueueingEstimate>,
}

impl Worker {
    fn run(self, topology: Topology, scenario: Scenario) {
        let simulation = crate::model::check(topology)
            .map_err(|diagnostics| {
                let errors: Vec<String> = diagnostics
                    .iter()
                    .filter(|d| d.severity == crate::model::Severity::Error)
                    .take(3)
                    .map(ToString::to_string)
                    .collect();
                format!(
                    "the topology is not valid ({}); fix it (see Problems) and run again",
                    errors.join("; ")
                )
            })
            .and_then(|checked| {
                let run = checked.check_scenario(scenario).map_err(|problems| {
                    let problems: Vec<String> =
                        problems.iter().take(3).map(ToString::to_string).collect();
                    format!(
                        "this scenario cannot run ({}); fix it and run again",
                        problems.join("; ")
                    )
                })?;
                // From the run the engine accepts, so it cannot fail where
                // the run starts; without it the results just lack it.
                let estimate = queueing::estimate_scenario(&run).ok();
                Simulation::new(&run)
                    .map(|simulation| (simulation, estimate))
                    .map_err(|err| err.to_string())
            });
        match simulation {
            Ok((simulation, estimate)) => Worker { estimate, ..self }.drive(simulation),
            Err(message) => {
                lock(&self.shared).phase = RunPhase::Failed(message);
                (self.wake)();
            }
        }
    }

    fn drive(&self, mut simulation: Simulation) {
        let slice_s = simulation.bucket_s() / 4.0;
        let bucket_s = simulation.bucket_s();
        self.publish(&simulation, RunPhase::Running);
        let mut last_publish = Instant::now();
        // Real-time pacing: simulated time `origin.1` was reached at wall `origin.0`.
        let mut origin = (Instant::now(), simulation.now_s());
        let mut paced_speed = self.control.speed();
        let mut was_paused = false;
        loop {
            if self.control.cancel.load(Ordering::Relaxed) {
                let summary = simulation.finish(false);
                self.finish(&simulation, summary, RunPhase::Cancelled);
                return;
            }
            if simulation.is_finished() {
                let now_s = simulation.now_s();
                let events = simulation.events();
                let mut summary = simulation.into_summary(true);
                self.attach_estimate(&mut summary);
                let mut shared = lock(&self.shared);
                shared.now_s = now_s;
                shared.events = events;
                shared.busy_wall_s = summary.wall_s;
                shared.summary = Some(summary);
                shared.phase = RunPhase::Finished;
                drop(shared);
                (self.wake)();
                return;
            }
            let paused = self.control.paused.load(Ordering::Relaxed);
            let step = paused
                && self
                    .control
                    .steps
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok();
            if paused && !step {
                if !was_paused {
                    was_paused = true;
                    self.publish(&simulation, RunPhase::Paused);
                }
                std::thread::park_timeout(Duration::from_millis(100));
                continue;
            }
            let speed = self.control.speed();
            if was_paused || speed != paced_speed {
                origin = (Instant::now(), simulation.now_s());
                paced_speed = speed;
            }
            was_paused = false;
            let now_s = simulation.now_s();
            let target_s = if step {
                ((now_s / bucket_s).floor() + 1.0) * bucket_s
            } else if speed > 0.0 {
                let due_s = origin.1 + speed * origin.0.elapsed().as_secs_f64();
                due_s.min(now_s + slice_s)
            } else {
                now_s + slice_s
            };
            if target_s <= now_s {
                // Ahead of the wall clock: wait a little.
                std::thread::park_timeout(Duration::from_millis(8));
                continue;
            }
            simulation.run_until_with_cancel(target_s, &self.control.cancel);
            if step {
                self.publish(&simulation, RunPhase::Paused);
                last_publish = Instant::now();
            } else if last_publish.elapsed() >= PUBLISH_EVERY {
                self.publish(&simulation, RunPhase::Running);
                last_publish = Instant::now();
            }
        }
    }

    /// Refreshes the shared summary (appending new buckets) and wakes the UI.
    fn publish(&self, simulation: &Simulation, phase: RunPhase) {
        let mut shared = lock(&self.shared);
        match &mut shared.summary {
            Some(summary) => simulation.snapshot_into(summary),
            None => shared.summary = Some(simulation.snapshot()),
        }
        if let Some(summary) = &mut shared.summary {
            self.attach_estimate(summary);
        }
        shared.busy_wall_s = shared.summary.as_ref().map_or(0.0, |s| s.wall_s);
        shared.now_s = simulation.now_s();
        shared.duration_s = simulation.duration_s();
        shared.events = simulation.events();
        shared.phase = phase;
        drop(shared);
        (self.wake)();
    }

    fn attach_estimate(&self, summary: &mut Summary) {
        if let Some(estimate) = &self.estimate {
            estimate.attach(summary);
        }
    }

    fn finish(&self, simulation: &Simulation, mut summary: Summary, phase: RunPhase) {
        self.attach_estimate(&mut summary);
        let mut shared = lock(&self.shared);
        shared.now_s = simulation.now_s();
        shared.events = simulation.events();
        shared.busy_wall_s = summary.wall_s;
        shared.summary = Some(summary);
        shared.phase = phase;
        drop(shared);
        (self.wake)();
    }
}
