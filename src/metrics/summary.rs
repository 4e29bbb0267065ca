//! The run summary: the `archsim run --json` contract, as serde types.
//!
//! The keys of the contract are those of docs/engine.md ("The summary") not
//! marked extra; extras are marked so there and below. The GUI and the
//! report writers read these types.
//!
//! Conventions: times in milliseconds (`*_ms`) or seconds (`*_s`); counts,
//! means and percentiles cover requests that arrived at or after `warmup_s`;
//! a percentile or mean with no sample is 0; the time series cover the whole
//! run, warm-up included.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// How far a run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The run reached `duration_s`.
    #[default]
    Complete,
    /// A snapshot of a run that is still going.
    Running,
    /// The run was stopped early (Ctrl-C, or the GUI's stop button).
    Cancelled,
    /// The engine stopped the run at `simulated_s` because the requests in
    /// flight passed its budget (`--max-in-flight`): the system could not
    /// keep up and would have grown without end.
    Diverged,
}

/// The summary of one run. Two summaries are equal when their contents are:
/// [`Summary::run_id`] is left out (see [`RunId`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// The topology's `name`.
    pub topology: String,
    /// The scenario's `name`.
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    /// Events processed by the engine.
    pub events: u64,
    /// Wall-clock seconds the run took (the only field that differs between
    /// two runs of the same file, scenario and seed).
    pub wall_s: f64,
    /// Extra: whether the run finished, is running or was cancelled.
    #[serde(default)]
    pub status: RunStatus,
    /// Extra: simulated time reached, in seconds (`duration_s` when complete).
    #[serde(default)]
    pub simulated_s: f64,
    /// Extra: whether the system kept up with its load (see
    /// [`Stability`](super::Stability)).
    #[serde(default)]
    pub stability: super::Stability,
    /// Extra: what went wrong over time, beyond the totals (see
    /// [`Finding`](super::Finding)); empty while a run is still going.
    #[serde(default)]
    pub findings: Vec<super::Finding>,
    /// Extra: what the replicas held over the run cost (see
    /// [`Cost`](super::Cost)); `null` when the file sets no price.
    #[serde(default)]
    pub cost: Option<super::Cost>,
    pub entrypoints: Vec<EntrySummary>,
    pub services: Vec<ServiceSummary>,
    /// Extra: traffic on each caller→callee edge.
    #[serde(default)]
    pub edges: Vec<EdgeSummary>,
    pub timeseries: TimeSeries,
    /// Extra: every change of a service's target replica count, in time order.
    #[serde(default)]
    pub scaling_events: Vec<ScalingEvent>,
    /// Extra: the scenario's faults as they ran (start and end within the run).
    #[serde(default)]
    pub fault_windows: Vec<FaultWindow>,
    /// Extra: notes on how the engine ran the file (e.g. calls that hang
    /// without a timeout across a partition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Which simulation produced this summary (not serialized; 0 when read
    /// from JSON). Lets `Simulation::snapshot_into` extend it in place.
    #[serde(skip)]
    pub run_id: RunId,
}

/// Identifies the simulation a [`Summary`] came from (0: none, e.g. read
/// from JSON). Not part of the summary's value: `Summary`'s `==` leaves it
/// out, so that a summary read back from JSON equals the one written and
/// two runs with the same results are equal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunId(pub u64);

impl PartialEq for Summary {
    fn eq(&self, other: &Self) -> bool {
        // Every field by name, so that a new field cannot be forgotten here.
        let Summary {
            topology,
            scenario,
            seed,
            duration_s,
            warmup_s,
            events,
            wall_s,
            status,
            simulated_s,
            stability,
            findings,
            cost,
            entrypoints,
            services,
            edges,
            timeseries,
            scaling_events,
            fault_windows,
            warnings,
            run_id: _,
        } = self;
        *topology == other.topology
            && *scenario == other.scenario
            && *seed == other.seed
            && *duration_s == other.duration_s
            && *warmup_s == other.warmup_s
            && *events == other.events
            && *wall_s == other.wall_s
            && *status == other.status
            && *simulated_s == other.simulated_s
            && *stability == other.stability
            && *findings == other.findings
            && *cost == other.cost
            && *entrypoints == other.entrypoints
            && *services == other.services
            && *edges == other.edges
            && *timeseries == other.timeseries
            && *scaling_events == other.scaling_events
            && *fault_windows == other.fault_windows
            && *warnings == other.warnings
    }
}

/// Failed requests by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// The caller gave up waiting (its `timeout_ms` passed).
    pub timeout: u64,
    /// A service refused the request: full queue, rate limit, load shedding,
    /// or no live replica.
    pub rejected: u64,
    /// The request failed: error fault, crash of the replica holding it, or
    /// a partition in `fail` mode.
    pub error: u64,
    /// The caller's circuit breaker was open.
    pub circuit_open: u64,
}

impl ErrorCounts {
    /// The causes, named as the summary's keys spell them, in the order of
    /// [`ErrorCounts::by_cause`] and [`ErrorSeriesByCause`].
    pub const CAUSES: [&'static str; 4] = ["timeout", "rejected", "error", "circuit_open"];

    pub fn total(&self) -> u64 {
        self.timeout + self.rejected + self.error + self.circuit_open
    }

    /// The counts in the order of [`ErrorCounts::CAUSES`].
    pub fn by_cause(&self) -> [u64; 4] {
        [self.timeout, self.rejected, self.error, self.circuit_open]
    }
}

/// Per-bucket failures by cause of an entry's or a service's series, in the
/// order of [`ErrorCounts::CAUSES`].
pub trait ErrorSeriesByCause {
    fn errors_by_cause(&self) -> [&[u64]; 4];
}

impl ErrorSeriesByCause for EntrySeries {
    fn errors_by_cause(&self) -> [&[u64]; 4] {
        [
            &self.errors_timeout,
            &self.errors_rejected,
            &self.errors_error,
            &self.errors_circuit_open,
        ]
    }
}

impl ErrorSeriesByCause for ServiceSeries {
    fn errors_by_cause(&self) -> [&[u64]; 4] {
        [
            &self.errors_timeout,
            &self.errors_rejected,
            &self.errors_error,
            &self.errors_circuit_open,
        ]
    }
}

/// End-to-end latency of an entry's successful requests.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LatencyMs {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// Time from arrival at a replica until a worker takes the request.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct WaitMs {
    pub mean: f64,
    pub p99: f64,
    /// Extra.
    #[serde(default)]
    pub max: f64,
}

/// Time from arrival at a service until it responds (wait, own work, calls).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ResponseMs {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// Extra.
    #[serde(default)]
    pub max: f64,
}

/// One workload entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySummary {
    pub name: String,
    /// External requests that arrived after warm-up.
    pub offered: u64,
    /// Of those, requests answered successfully.
    pub completed: u64,
    /// Of those, requests answered with an error.
    pub failed: u64,
    /// Of those, requests still unanswered when the run ended.
    pub in_flight: u64,
    /// `completed` per second of measured time (`duration_s − warmup_s`).
    pub throughput_rps: f64,
    /// `completed / (completed + failed)`; 1 when nothing was offered, 0 when
    /// requests were offered but none was answered.
    pub success_ratio: f64,
    pub latency_ms: LatencyMs,
    pub errors: ErrorCounts,
    /// Extra: the service and operation the entry calls.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub operation: String,
    /// Extra: `offered` per second of measured time.
    #[serde(default)]
    pub offered_rps: f64,
    /// Extra: the queueing estimate of this entry for the same scenario
    /// (see `graph::queueing`); absent where nothing attached one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EntryEstimate>,
}

/// One service, all replicas together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub name: String,
    /// Requests that arrived after warm-up (including rejected ones).
    pub arrivals: u64,
    /// Of those, requests the service answered successfully.
    pub completed: u64,
    /// `completed` per second of measured time.
    pub throughput_rps: f64,
    /// Time-average share of the workers (of live replicas) that are busy.
    pub utilization: f64,
    /// Time-average number of live replicas.
    pub replicas_mean: f64,
    pub wait_ms: WaitMs,
    pub response_ms: ResponseMs,
    /// Time-average number of requests waiting in queues (all replicas).
    pub queue_length_mean: f64,
    /// Largest number of requests waiting in queues (all replicas) at once.
    pub queue_length_max: u64,
    /// Requests the service answered with an error, by cause.
    pub errors: ErrorCounts,
    /// Extra: requests answered with an error (the sum of `errors`).
    #[serde(default)]
    pub failed: u64,
    /// Extra: requests still in the service when the run ended.
    #[serde(default)]
    pub in_flight: u64,
    /// Extra: `arrivals` per second of measured time.
    #[serde(default)]
    pub arrivals_rps: f64,
    /// Extra: time-average number of busy workers (all replicas).
    #[serde(default)]
    pub busy_workers_mean: f64,
    /// Extra: answers that came after the caller had stopped waiting (it
    /// timed out, or went down); counted neither in `completed` nor in
    /// `errors` (the caller's timeout is).
    #[serde(default)]
    pub late: u64,
    /// Extra: retries of this service's calls that its retry budget refused.
    #[serde(default)]
    pub retries_denied: u64,
    /// Extra: the queueing estimate of this service for the same scenario
    /// (see `graph::queueing`); absent where nothing attached one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<ServiceEstimate>,
}

/// The analytic (queueing-theory) estimate of a service, beside what the
/// simulation measured. `None` (JSON `null`) means no steady state: the
/// service, or one it waits on, is offered more work than it can do.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceEstimate {
    /// Offered load ρ = λ·E\[hold\] / (replicas × workers); ≥ 1 is overloaded.
    pub utilization: Option<f64>,
    /// Mean time from arrival at a replica until a worker takes the request.
    pub wait_ms_mean: Option<f64>,
    /// Mean time from arrival until the answer (wait, own work, calls).
    pub response_ms_mean: Option<f64>,
}

/// The analytic (queueing-theory) estimate of an entry; `None` (JSON
/// `null`) when a service it needs has no steady state.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EntryEstimate {
    pub latency_ms_mean: Option<f64>,
}

/// Calls from one service to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeSummary {
    pub from: String,
    pub to: String,
    /// Call attempts sent (retries included) after warm-up; attempts refused
    /// by an open breaker are not sent.
    pub calls: u64,
    /// `calls` per second of measured time.
    pub calls_rps: f64,
    /// Of the attempts made after warm-up, the retries.
    #[serde(default)]
    pub retries: u64,
    /// Failed attempts (including those refused by the breaker), as the caller saw them.
    #[serde(default)]
    pub failed: u64,
    #[serde(default)]
    pub errors: ErrorCounts,
    /// Whether a circuit breaker guards calls on this edge.
    #[serde(default)]
    pub circuit_breaker: bool,
    /// Times the breaker opened from closed after warm-up.
    #[serde(default)]
    pub breaker_opened: u64,
    /// Seconds after warm-up the breaker spent open or half-open.
    #[serde(default)]
    pub breaker_open_s: f64,
}

/// Why a service's target replica count changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingReason {
    /// A scaling step of the scenario.
    Scheduled,
    /// A decision of the service's autoscaler.
    Autoscale,
}

/// A change of a service's target replica count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingEvent {
    pub t_s: f64,
    pub service: String,
    pub from: u64,
    pub to: u64,
    pub reason: ScalingReason,
    /// For the autoscaler: the utilization it measured over its last interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilization: Option<f64>,
}

/// A fault of the scenario, as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    /// `crash`, `latency`, `errors`, `zone_outage` or `partition`.
    pub kind: String,
    /// The service, the zone, or `a ↔ b` for a partition.
    pub target: String,
    pub start_s: f64,
    /// The end, or the end of the run when it lasts beyond.
    pub end_s: f64,
}

/// Per-bucket series. Every array is as long as `t_s`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TimeSeries {
    pub bucket_s: f64,
    /// Start time of each bucket, in seconds.
    pub t_s: Vec<f64>,
    pub services: IndexMap<String, ServiceSeries>,
    pub entrypoints: IndexMap<String, EntrySeries>,
    /// Extra: calls per bucket on each caller→callee edge.
    #[serde(default)]
    pub edges: Vec<EdgeSeries>,
    /// Extra: requests in progress in all services at the end of each
    /// bucket (the backlog the stability verdict follows).
    #[serde(default)]
    pub in_flight: Vec<u64>,
}

/// One service's series (counts by the time they happened).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceSeries {
    pub arrivals: Vec<u64>,
    /// Successful responses.
    pub completed: Vec<u64>,
    /// Failures (all causes), as the callers saw them.
    pub errors: Vec<u64>,
    /// Time-average share of busy workers in the bucket.
    pub utilization: Vec<f64>,
    /// Time-average number of serving replicas (running or draining) in the bucket.
    pub replicas: Vec<f64>,
    /// Time-average number of waiting requests in the bucket.
    pub queue_length: Vec<f64>,
    /// p99 response time of the requests answered in the bucket.
    pub p99_ms: Vec<f64>,
    /// Extra: `errors` by cause.
    #[serde(default)]
    pub errors_timeout: Vec<u64>,
    #[serde(default)]
    pub errors_rejected: Vec<u64>,
    #[serde(default)]
    pub errors_error: Vec<u64>,
    #[serde(default)]
    pub errors_circuit_open: Vec<u64>,
    /// Extra: the target replica count at the end of the bucket.
    #[serde(default)]
    pub replicas_desired: Vec<u64>,
}

/// One entry's series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EntrySeries {
    /// Successful responses per second.
    pub throughput_rps: Vec<f64>,
    /// Failed requests.
    pub errors: Vec<u64>,
    /// Latency percentiles of the successful requests answered in the bucket.
    pub p50_ms: Vec<f64>,
    pub p99_ms: Vec<f64>,
    /// Extra: p95 latency of the successful requests answered in the bucket.
    #[serde(default)]
    pub p95_ms: Vec<f64>,
    /// Extra: external requests that arrived in the bucket.
    #[serde(default)]
    pub offered: Vec<u64>,
    /// Extra: `errors` by cause.
    #[serde(default)]
    pub errors_timeout: Vec<u64>,
    #[serde(default)]
    pub errors_rejected: Vec<u64>,
    #[serde(default)]
    pub errors_error: Vec<u64>,
    #[serde(default)]
    pub errors_circuit_open: Vec<u64>,
}

/// Calls per bucket on one edge.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EdgeSeries {
    pub from: String,
    pub to: String,
    /// Attempts sent.
    pub calls: Vec<u64>,
    /// Failed attempts (all causes, including refusals by the breaker).
    #[serde(default)]
    pub errors: Vec<u64>,
    /// Share of the bucket the edge's breaker was open or half-open (0
    /// without a breaker).
    #[serde(default)]
    pub breaker_open: Vec<f64>,
    /// Of `calls`, the retries (attempts after the first of a call).
    #[serde(default)]
    pub retries: Vec<u64>,
    /// Times the edge's breaker opened from closed in the bucket.
    #[serde(default)]
    pub breaker_opened: Vec<u64>,
}

impl Summary {
    /// The entry named `name`.
    pub fn entry(&self, name: &str) -> Option<&EntrySummary> {
        self.entrypoints.iter().find(|e| e.name == name)
    }

    /// The service named `name`.
    pub fn service(&self, name: &str) -> Option<&ServiceSummary> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The summary as pretty JSON with a final newline.
    pub fn to_json_pretty(&self) -> String {
        let mut bytes = Vec::new();
        // Writing plain data (strings, finite numbers, maps with string keys)
        // to a Vec cannot fail.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// Writes the summary as pretty JSON with a final newline, streaming (a
    /// long run's series are tens of megabytes of text).
    pub fn write_json(&self, mut writer: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }
}
