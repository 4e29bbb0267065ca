//! The types of the statistics accumulated while the engine runs, the live
//! state, and warm-up marking (the recorder in `recorder.rs` closes them
//! into time-series buckets as simulated time passes; the summary is built
//! in `summary.rs`).
//!
//! Memory: a fixed set of histograms and counters per service, entry and
//! edge, plus one number per series per closed bucket. Nothing grows with the
//! number of requests simulated.

use crate::metrics::{BucketedHistogram, EntrySeries, ErrorCounts, LatencyHistogram};

use super::engine::Simulation;
use super::resilience::BreakerState;

/// Why a request failed (see `ErrorCounts` for what each cause covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    Timeout,
    Rejected,
    Error,
    CircuitOpen,
}

pub(crate) fn count_error(errors: &mut ErrorCounts, cause: Cause) {
    match cause {
        Cause::Timeout => errors.timeout += 1,
        Cause::Rejected => errors.rejected += 1,
        Cause::Error => errors.error += 1,
        Cause::CircuitOpen => errors.circuit_open += 1,
    }
}

/// Which histograms a duration goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sample {
    /// Wait of a counted visit at a service.
    Wait(u32),
    /// Response time of a service (bucket histogram, and the run's when counted).
    Response { service: u32, counted: bool },
    /// Latency of an entry's successful request.
    Latency { entry: u32, counted: bool },
}

/// Samples buffered before they are recorded: recording them in one tight
/// loop lets the processor overlap the cache misses of a thousand services'
/// histograms, which recording one at a time in the event loop cannot.
pub(crate) const SAMPLE_BUFFER: usize = 1024;

/// Services and entries above which samples are buffered; below it every
/// histogram stays in cache and recording at once is cheaper.
pub(crate) const BUFFER_ABOVE_SERIES: usize = 64;

/// Time integrals of a service's state (request·seconds, replica·seconds).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Areas {
    pub busy: f64,
    pub queued: f64,
    pub replicas: f64,
}

impl Areas {
    pub(super) fn minus(self, other: Areas) -> Areas {
        Areas {
            busy: self.busy - other.busy,
            queued: self.queued - other.queued,
            replicas: self.replicas - other.replicas,
        }
    }
}

/// Counts of one bucket.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BucketCounts {
    pub arrivals: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
}

/// A service's error counters and what closing a bucket needs; the
/// counters of every visit are in [`ServiceState`](super::engine::ServiceState).
#[derive(Debug, Clone, Default)]
#[repr(C)]
pub(crate) struct ServiceStats {
    /// Counted failed requests by cause.
    pub errors: ErrorCounts,
    /// Failed requests of the open bucket by cause.
    pub bucket_errors: ErrorCounts,
    pub cold: Box<ServiceRecord>,
}

impl ServiceStats {
    /// Zero counters.
    pub fn new() -> Self {
        ServiceStats {
            cold: Box::default(),
            ..ServiceStats::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceRecord {
    pub areas_at_warmup: Areas,
    /// `arrivals_total` when warm-up ended: arrivals since then are counted.
    pub arrivals_at_warmup: u64,
    /// The last closed bucket, for [`ServiceLive`].
    pub last_bucket: BucketCounts,
    /// Counted answers that came after the caller stopped waiting.
    pub late: u64,
    /// Counted retries the service's retry budget refused.
    pub retries_denied: u64,
}

/// One closed bucket of one service. Closing a bucket appends one row per
/// service to the recorder's staged rows in one sequential sweep; every
/// [`STAGED_BUCKETS`] buckets the rows go into the services' series, a block
/// of services at a time, so that each series gets that many values in a row
/// instead of a dozen scattered writes per service per bucket.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ServiceRow {
    pub arrivals: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
    pub replicas_desired: u64,
    pub utilization: f64,
    pub replicas: f64,
    pub queue_length: f64,
    pub p99_ms: f64,
}

/// Buckets of rows kept before they go into the series.
pub(crate) const STAGED_BUCKETS: usize = 64;

/// One closed bucket of one edge (staged like [`ServiceRow`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EdgeRow {
    pub calls: u64,
    pub errors: u64,
    pub breaker_open: f64,
    pub retries: u64,
    pub breaker_opened: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EntryStats {
    pub offered: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
    pub bucket: BucketCounts,
    pub series: EntrySeries,
}

/// The histograms written at every visit, kept apart from the other
/// statistics so that the memory touched per visit stays small.
#[derive(Debug, Clone, Default)]
pub(crate) struct HotHistograms {
    /// Per service: waits of counted visits, whole run.
    pub wait: Vec<LatencyHistogram>,
    /// Per service: response times, of the run (counted ones) and of the
    /// open bucket (all).
    pub response: Vec<BucketedHistogram>,
    /// Per entry: latencies of successful requests, likewise.
    pub latency: Vec<BucketedHistogram>,
}

impl HotHistograms {
    pub fn new(services: usize, entries: usize) -> Self {
        HotHistograms {
            wait: vec![LatencyHistogram::new(); services],
            response: vec![BucketedHistogram::new(); services],
            latency: vec![BucketedHistogram::new(); entries],
        }
    }
}

/// Calls on one edge: counted (after warm-up) and in the open bucket.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EdgeCounts {
    pub calls: u64,
    pub bucket_calls: u64,
}

/// What is only touched when a call on the edge fails, is retried, or a
/// bucket closes.
#[derive(Debug, Clone, Default)]
pub(crate) struct EdgeStats {
    pub last_bucket_calls: u64,
    /// Counted retries.
    pub retries: u64,
    /// Retries sent in the open bucket (counted or not).
    pub bucket_retries: u64,
    /// Counted failed attempts by cause.
    pub errors: ErrorCounts,
    /// Failed attempts in the open bucket.
    pub bucket_errors: ErrorCounts,
    pub last_bucket_errors: ErrorCounts,
}

/// The state of one service at this moment, for an animated graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceLive {
    /// Index of the service in the topology's `services`.
    pub service: usize,
    /// Workers busy now (all replicas).
    pub busy_workers: u32,
    /// Workers of the live replicas.
    pub workers_up: u32,
    /// Requests waiting now (all replicas).
    pub queue_length: u32,
    /// Replicas taking new work.
    pub replicas_up: u32,
    /// Replicas starting (after a scale-up or a restart), not taking work yet.
    pub replicas_starting: u32,
    /// Replicas down: crashed, or their zone is out.
    pub replicas_down: u32,
    /// Replicas scaled away that still finish the requests they hold.
    pub replicas_draining: u32,
    /// The target replica count (scheduled steps and autoscaler).
    pub replicas_desired: u32,
    /// Own work added by latency faults now, in ms.
    pub added_latency_ms: f64,
    /// Chance that a request fails now because of error faults.
    pub error_probability: f64,
    /// Requests in the service now (waiting, working or awaiting calls).
    pub in_flight: u32,
    /// Utilization over the last closed bucket.
    pub utilization: f64,
    /// Arrivals in the last closed bucket.
    pub arrivals: u64,
    /// Errors in the last closed bucket, by cause.
    pub errors: ErrorCounts,
}

/// One caller→callee edge: its breaker now, and calls and failures in the
/// last closed bucket.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeLive {
    /// Indices in the topology's `services`.
    pub from: usize,
    pub to: usize,
    pub calls: u64,
    /// Failed attempts, by cause.
    pub errors: ErrorCounts,
    /// The state of the edge's circuit breaker now; `None` without one.
    pub breaker: Option<BreakerState>,
    /// A partition separates the two services now.
    pub partitioned: bool,
}

/// What is happening in a simulation now: cheap to take every frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveState {
    pub now_s: f64,
    pub bucket_s: f64,
    /// Number of closed buckets (the "last closed bucket" is `buckets - 1`).
    pub buckets: usize,
    pub services: Vec<ServiceLive>,
    pub edges: Vec<EdgeLive>,
    /// Indices (in the scenario's `faults`) of the faults in progress now.
    pub active_faults: Vec<usize>,
}

pub(super) fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 && numerator.is_finite() {
        numerator / denominator
    } else {
        0.0
    }
}

impl Simulation {
    /// Integrates every service to `t_s` and stores the integrals at warm-up.
    pub(super) fn mark_warmup(&mut self, t_s: f64) {
        for state in &mut self.services {
            state.integrate(t_s);
            state.stats.cold.areas_at_warmup = state.areas;
            state.stats.cold.arrivals_at_warmup = state.arrivals_total;
        }
        for breaker in &mut self.breakers {
            breaker.mark_warmup(t_s);
        }
    }

    /// The state of every service and edge now.
    pub fn live(&self) -> LiveState {
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(i, state)| (i, state, &state.stats))
            .map(|(i, state, stats)| ServiceLive {
                service: i,
                busy_workers: state.busy,
                workers_up: state.running * self.plan.services[i].workers,
                queue_length: state.queued,
                replicas_up: state.up,
                replicas_starting: self.control[i].starting(),
                replicas_down: self.control[i].stopped(),
                replicas_draining: self.control[i].draining(),
                replicas_desired: self.control[i].target(),
                added_latency_ms: state.extra_work_s * 1e3,
                error_probability: state.error_probability,
                in_flight: state.in_system,
                utilization: self.recorder.last_utilization(i),
                arrivals: stats.cold.last_bucket.arrivals,
                errors: stats.cold.last_bucket.errors,
            })
            .collect();
        let edges = self
            .plan
            .edges
            .iter()
            .zip(self.recorder.edges())
            .map(|(edge, stats)| EdgeLive {
                from: edge.from as usize,
                to: edge.to as usize,
                calls: stats.last_bucket_calls,
                errors: stats.last_bucket_errors,
                breaker: None,
                partitioned: self.faults.partitions_on()
                    && self.partition_between(edge.from, edge.to).is_some(),
            })
            .collect::<Vec<_>>();
        let mut edges = edges;
        for breaker in &self.breakers {
            edges[breaker.edge() as usize].breaker = Some(breaker.state_at(self.now));
        }
        LiveState {
            now_s: self.now_s(),
            bucket_s: self.bucket_s,
            buckets: self.recorder.buckets_closed(),
            services,
            edges,
            active_faults: self.active_faults(),
        }
    }
}
