//! The [`Simulation`]: its state, construction and the event loop
//! (build, then step: `new`, `run_until`, `snapshot`, `run`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rand_pcg::Pcg64Mcg;

use crate::metrics::Summary;
use crate::model::{CheckedScenario, LoadBalancer};

use super::SimError;
use super::faults::FaultState;
use super::load::{ArrivalProcess, LoadProfile};
use super::plan::{self, Plan};
use super::pools::Pools;
use super::queue::{EventKind, EventQueue};
use super::recorder::Recorder;
use super::replicas::Phase;
use super::resilience::{Breaker, TimerQueue};
use super::rng::{Purpose, Streams, stream};
use super::scaling::ServiceControl;
use super::stats::{Areas, ServiceStats};

pub use crate::model::limits::MAX_BUCKETS;

/// Events between two looks at a cancel flag.
const CANCEL_CHECK_EVENTS: u64 = 1 << 14;

/// Default budget of requests in progress (visits, all services together)
/// past which a run stops as `diverged`. A visit in flight costs 70 to
/// 125 bytes with its queue slot, events, call record and timer (measured:
/// four million queued ones in a 280 MB process; 2.3 million waiting on
/// calls in a 287 MB one), so a run stays under about 1 GB.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4_000_000;

/// Hot per-service state: changes at every request.
///
/// Laid out by hand (`repr(C)`, one 64-byte cache line to a block below) so
/// that a visit touches few cache lines: with a thousand services each visit
/// finds its service's state out of the first-level cache, and those misses,
/// not instructions, bound the engine's speed. Arrival, start of work, end of
/// work and response each touch the first two lines only, unless a fault or
/// load shedding applies (`slow_path`).
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub(crate) struct ServiceState {
    // Line 1.
    pub busy: u32,
    pub queued: u32,
    /// Replicas serving requests (running or draining): the capacity that
    /// utilization is measured against.
    pub running: u32,
    /// Requests accepted and not yet answered.
    pub in_system: u32,
    pub workers: u32,
    pub queue_capacity: u32,
    /// Replicas taking new work (running).
    pub up: u32,
    pub rr_next: u32,
    pub first_replica: u32,
    pub replica_count: u32,
    pub load_balancer: LoadBalancer,
    pub blocking_calls: bool,
    /// Arrivals pass an admission check (rate limit, in-flight cap).
    pub admission: bool,
    /// Latency or error faults, or load shedding, apply: the fields of
    /// line 3 must be read.
    pub slow_path: bool,
    /// Longest queue seen by a counted arrival.
    pub queue_max: u32,
    pub last_t: f64,
    /// Counted visits a worker took at once (a wait of zero), not yet in
    /// the wait histogram: counting them here spares the histogram's cache
    /// lines on most visits of a lightly loaded service.
    pub zero_waits: u64,
    // Line 2 (the generator first: it is aligned to 16 bytes).
    /// Own work samples.
    pub time_rng: Pcg64Mcg,
    pub areas: Areas,
    /// Arrivals since the start, counted or not (see [`ServiceRecord`](super::stats::ServiceRecord)
    /// for the counted ones and those of the open bucket).
    pub arrivals_total: u64,
    /// Successful responses since the start, counted or not.
    pub completed_total: u64,
    /// Counted successful responses.
    pub completed: u64,
    // Line 3.
    /// Own work added by latency faults in progress, in seconds.
    pub extra_work_s: f64,
    /// Chance that a request fails after its own work (error faults).
    pub error_probability: f64,
    /// Load shedding: longest wait before a worker takes a request
    /// (infinite when not set).
    pub max_wait_s: f64,
    /// Draws of probabilistic calls.
    pub call_rng: Pcg64Mcg,
    // Lines 3 to 5: errors and what closing a bucket reads.
    pub stats: ServiceStats,
    /// `areas`, `arrivals_total` and `completed_total` when the open bucket started.
    pub areas_at_bucket: Areas,
    pub arrivals_at_bucket: u64,
    pub completed_at_bucket: u64,
}

// Five cache lines, the blocks above.
const _: () = assert!(std::mem::size_of::<ServiceState>() == 320);
const _: () = assert!(std::mem::offset_of!(ServiceState, time_rng) == 64);
const _: () = assert!(std::mem::offset_of!(ServiceState, extra_work_s) == 128);
const _: () = assert!(std::mem::size_of::<Replica>() == 64);

impl ServiceState {
    /// Sets `slow_path` from the fields it covers.
    pub fn update_slow_path(&mut self) {
        self.slow_path = self.extra_work_s != 0.0
            || self.error_probability > 0.0
            || self.max_wait_s < f64::INFINITY;
    }

    /// Brings the time integrals up to `t_s`.
    #[inline]
    pub fn integrate(&mut self, t_s: f64) {
        let dt = t_s - self.last_t;
        if dt > 0.0 {
            self.areas.busy += f64::from(self.busy) * dt;
            self.areas.queued += f64::from(self.queued) * dt;
            self.areas.replicas += f64::from(self.running) * dt;
            self.last_t = t_s;
        }
    }

    /// The integrals as they would be at `t_s`, without changing anything.
    pub fn areas_at(&self, t_s: f64) -> Areas {
        let dt = (t_s - self.last_t).max(0.0);
        Areas {
            busy: self.areas.busy + f64::from(self.busy) * dt,
            queued: self.areas.queued + f64::from(self.queued) * dt,
            replicas: self.areas.replicas + f64::from(self.running) * dt,
        }
    }
}

/// One replica slot of a service (see `replicas.rs`); one cache line.
#[derive(Debug, Clone, Default)]
#[repr(align(64))]
pub(crate) struct Replica {
    pub busy: u32,
    /// Requests accepted and not yet answered (for `least_outstanding`).
    pub outstanding: u32,
    /// Takes new work (phase `Running`).
    pub up: bool,
    pub phase: Phase,
    /// Crash faults holding this slot down.
    pub crash_holds: u16,
    /// Bumped when a start is scheduled or abandoned.
    pub generation: u32,
    pub service: u32,
    pub queue: VecDeque<u32>,
}

/// A discrete-event simulation of one scenario of a topology.
///
/// Build it with [`Simulation::new`], then either [`run`](Self::run) it to
/// the end or step it with [`run_until`](Self::run_until) and read
/// [`snapshot`](Self::snapshot) / [`live`](Self::live) in between.
pub struct Simulation {
    pub(super) plan: Plan,
    pub(super) profile: LoadProfile,
    pub(super) topology_name: String,
    pub(super) scenario_name: String,
    pub(super) seed: u64,
    pub(super) duration_s: f64,
    pub(super) warmup_s: f64,
    pub(super) bucket_s: f64,
    pub(super) now: f64,
    pub(super) events: u64,
    pub(super) wall_s: f64,
    pub(super) queue: EventQueue,
    pub(super) services: Vec<ServiceState>,
    pub(super) replicas: Vec<Replica>,
    /// Visits and call records in progress.
    pub(super) pools: Pools,
    pub(super) arrivals: Vec<ArrivalProcess>,
    /// Random streams other than a service's own-work and call draws.
    pub(super) streams: Streams,
    /// Per service: target count, replica counts, limiter, budget, autoscaler.
    pub(super) control: Vec<ServiceControl>,
    pub(super) faults: FaultState,
    pub(super) timers: Vec<TimerQueue>,
    pub(super) breakers: Vec<Breaker>,
    pub(super) actions: Vec<super::requests::Action>,
    /// Statistics, histograms and series.
    pub(super) recorder: Recorder,
    pub(super) warmed_up: bool,
    pub(super) bucket_count: usize,
    /// Earliest time at which a bucket closes or warm-up ends.
    pub(super) next_boundary_s: f64,
    /// Tells this simulation's summaries apart (see `Simulation::snapshot_into`).
    pub(super) run_id: u64,
    /// Budget of visits in flight (see [`DEFAULT_MAX_IN_FLIGHT`]).
    pub(super) max_in_flight: usize,
    /// When the visits in flight passed `max_in_flight`: the run stopped.
    pub(super) diverged_at_s: Option<f64>,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("topology", &self.topology_name)
            .field("scenario", &self.scenario_name)
            .field("now_s", &self.now)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl Simulation {
    /// Builds a simulation of a checked scenario (see
    /// [`Checked::scenario`](crate::model::Checked::scenario)).
    pub fn new(run: &CheckedScenario) -> Result<Self, SimError> {
        let scenario = run.scenario();
        let bucket_s = run.bucket_s();
        let buckets = run.bucket_count();
        let plan = plan::compile(run)?;
        let profile = LoadProfile::new(&scenario.load).map_err(|e| {
            SimError::unchecked(
                format!("scenario \"{}\" load", scenario.name),
                e.to_string(),
            )
        })?;

        let seed = scenario.seed;
        let mut services = Vec::with_capacity(plan.services.len());
        let mut replicas = Vec::new();
        let mut control = Vec::with_capacity(plan.services.len());
        for (index, s) in plan.services.iter().enumerate() {
            let mut state = ServiceState {
                busy: 0,
                queued: 0,
                running: s.replicas,
                in_system: 0,
                workers: s.workers,
                queue_capacity: s.queue_capacity,
                up: s.replicas,
                rr_next: 0,
                first_replica: replicas.len() as u32,
                replica_count: s.replicas,
                load_balancer: s.load_balancer,
                blocking_calls: s.blocking_calls,
                admission: s.admission(),
                slow_path: false,
                queue_max: 0,
                last_t: 0.0,
                zero_waits: 0,
                time_rng: stream(seed, &s.name, 0, Purpose::ServiceTime),
                areas: Areas::default(),
                arrivals_total: 0,
                completed_total: 0,
                completed: 0,
                extra_work_s: 0.0,
                error_probability: 0.0,
                max_wait_s: s.max_wait_s.unwrap_or(f64::INFINITY),
                call_rng: stream(seed, &s.name, 0, Purpose::Calls),
                stats: ServiceStats::new(),
                areas_at_bucket: Areas::default(),
                arrivals_at_bucket: 0,
                completed_at_bucket: 0,
            };
            state.update_slow_path();
            services.push(state);
            replicas.extend((0..s.capacity).map(|k| Replica {
                up: k < s.replicas,
                phase: if k < s.replicas {
                    Phase::Running
                } else {
                    Phase::Removed
                },
                service: index as u32,
                ..Replica::default()
            }));
            control.push(ServiceControl::new(s));
        }
        let mut arrivals = Vec::with_capacity(plan.entries.len());
        let mut streams = Streams::new(
            seed,
            plan.services.iter().map(|s| s.name.as_str()),
            plan.entries.iter().map(|e| e.name.as_str()),
        );
        // Faults and scaling steps go first: at the same instant they apply
        // before any arrival.
        let mut queue = EventQueue::default();
        super::faults::schedule_controls(&plan, &mut queue);
        for (i, e) in plan.entries.iter().enumerate() {
            let mut process = ArrivalProcess::new(e.rate_rps, e.arrivals);
            let rng = streams.arrivals(i);
            if let Some(t) = process.next(0.0, &profile, scenario.duration_s, rng) {
                queue.push(t, EventKind::Arrival { entry: i as u32 });
            }
            arrivals.push(process);
        }
        let recorder = Recorder::new(
            plan.services.len(),
            plan.entries.len(),
            plan.edges.len(),
            buckets,
        );
        let timers = plan
            .timeouts_s
            .iter()
            .map(|&t| TimerQueue::new(t))
            .collect();
        let breakers = plan.breakers.iter().map(|&b| Breaker::new(b)).collect();
        let faults = FaultState::new(&plan);
        let mut simulation = Simulation {
            plan,
            profile,
            topology_name: run.topology().name.clone(),
            scenario_name: scenario.name.clone(),
            seed,
            duration_s: scenario.duration_s,
            warmup_s: scenario.warmup_s,
            bucket_s,
            now: 0.0,
            events: 0,
            wall_s: 0.0,
            queue,
            services,
            replicas,
            pools: Pools::default(),
            arrivals,
            streams,
            control,
            faults,
            timers,
            breakers,
            actions: Vec::new(),
            recorder,
            warmed_up: false,
            bucket_count: buckets,
            // Checked at the first event, which then sets the real boundary.
            next_boundary_s: 0.0,
            run_id: super::summary::next_run_id(),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            diverged_at_s: None,
        };
        simulation.schedule_autoscalers();
        Ok(simulation)
    }

    /// Simulated time reached, in seconds.
    pub fn now_s(&self) -> f64 {
        self.now
    }

    /// The run's length in simulated seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// Width of a time-series bucket, in seconds.
    pub fn bucket_s(&self) -> f64 {
        self.bucket_s
    }

    /// Share of the run done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        (self.now / self.duration_s).clamp(0.0, 1.0)
    }

    /// Whether the run reached its end, or stopped because it diverged.
    pub fn is_finished(&self) -> bool {
        self.now >= self.duration_s || self.diverged_at_s.is_some()
    }

    /// Sets the budget of requests in progress (visits, all services
    /// together) past which the run stops as `diverged` (default
    /// [`DEFAULT_MAX_IN_FLIGHT`]; at least 1).
    pub fn set_max_in_flight(&mut self, max: usize) {
        self.max_in_flight = max.max(1);
    }

    /// When the run stopped because its requests in flight passed the
    /// budget, if it did.
    pub fn diverged_at_s(&self) -> Option<f64> {
        self.diverged_at_s
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events scheduled and not yet processed.
    pub fn scheduled_events(&self) -> usize {
        self.queue.len()
    }

    /// Requests in progress in the engine now (all services); memory is
    /// proportional to this.
    pub fn visits_in_flight(&self) -> usize {
        self.pools.visits_in_flight()
    }

    /// Names of the services, in the topology's order (the indices used by [`LiveState`](super::LiveState)).
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.plan.services.iter().map(|s| s.name.as_str())
    }

    /// Processes every event before `t_s` (at most the run's end) and moves
    /// the clock to it. Returns `false` when `cancel` was set.
    fn advance(&mut self, t_s: f64, cancel: Option<&AtomicBool>) -> bool {
        let started = Instant::now();
        let target = t_s.min(self.duration_s);
        let mut completed = true;
        if self.diverged_at_s.is_some() {
            return true;
        }
        // Look at the flag before the first event, then every CANCEL_CHECK_EVENTS.
        let mut budget = 0;
        loop {
            if budget == 0 {
                budget = CANCEL_CHECK_EVENTS;
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    completed = false;
                    break;
                }
            }
            budget -= 1;
            let Some(event) = self.queue.take_min_before(target) else {
                break;
            };
            let next = event.time_s();
            self.cross_boundaries(next);
            self.now = next;
            self.events += 1;
            self.handle(event.kind());
            if self.diverged_at_s.is_some() {
                break;
            }
        }
        if completed && target > self.now && self.diverged_at_s.is_none() {
            self.cross_boundaries(target);
            self.now = target;
        }
        self.recorder.flush();
        self.recorder.fold_zero_waits(&mut self.services);
        self.wall_s += started.elapsed().as_secs_f64();
        completed
    }

    /// Start and end of bucket `index`; the last bucket ends at the run's end.
    fn bucket_bounds(&self, index: usize) -> (f64, f64) {
        let start = index as f64 * self.bucket_s;
        let end = if index + 1 >= self.bucket_count {
            self.duration_s
        } else {
            (index + 1) as f64 * self.bucket_s
        };
        (start, end)
    }

    /// Closes buckets and marks warm-up for every boundary at or before `t_s`.
    #[inline]
    fn cross_boundaries(&mut self, t_s: f64) {
        if t_s >= self.next_boundary_s {
            self.cross_boundaries_slow(t_s);
        }
    }

    #[cold]
    fn cross_boundaries_slow(&mut self, t_s: f64) {
        loop {
            let index = self.recorder.buckets_closed();
            if index >= self.bucket_count {
                self.next_boundary_s = f64::INFINITY;
                return;
            }
            let (start, end) = self.bucket_bounds(index);
            if !self.warmed_up && self.warmup_s <= end {
                if self.warmup_s <= t_s {
                    self.warmed_up = true;
                    self.mark_warmup(self.warmup_s);
                    continue;
                }
                self.next_boundary_s = self.warmup_s;
                return;
            }
            if end > t_s {
                self.next_boundary_s = end;
                return;
            }
            let in_flight = self.pools.visits_in_flight() as u64;
            self.recorder.close_bucket(
                (start, end),
                in_flight,
                &self.plan,
                &mut self.services,
                &self.control,
                &mut self.breakers,
            );
        }
    }

    /// Runs until simulated time `t_s` (capped at the run's end).
    pub fn run_until(&mut self, t_s: f64) {
        self.advance(t_s, None);
    }

    /// Runs until `t_s` unless `cancel` is set first; returns `false` when cancelled.
    pub fn run_until_with_cancel(&mut self, t_s: f64, cancel: &AtomicBool) -> bool {
        self.advance(t_s, Some(cancel))
    }

    /// Runs to the end and returns the summary.
    pub fn run(mut self) -> Summary {
        self.advance(self.duration_s, None);
        self.into_summary(true)
    }

    /// Runs to the end unless `cancel` is set; a cancelled run's summary has
    /// status `cancelled` and covers the time simulated so far.
    pub fn run_with_cancel(mut self, cancel: &AtomicBool) -> Summary {
        let completed = self.advance(self.duration_s, Some(cancel));
        self.into_summary(completed)
    }
}
