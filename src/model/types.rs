//! The topology file format, version 1, as serde types.
//!
//! These are the *raw* file types: what a file says, field for field, in the
//! order they are saved. Nothing here is trusted yet; [`super::validate`]
//! turns a [`Topology`] into a [`super::Checked`] topology that the engine and
//! the analysis can use without re-checking.
//!
//! Field order in each struct is the order fields are written on save, so that
//! saved files diff well. Optional fields that are absent (or at their
//! default) are not written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `"x-..."` keys of one JSON object, kept so that saving does not lose them.
/// They are ignored by archsim itself.
pub type Extensions = BTreeMap<String, Value>;

/// The current (and only) format version.
pub const FORMAT_VERSION: u64 = 1;

/// A whole topology file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Format version; absent means 1.
    #[serde(default = "format_version")]
    pub archsim: u64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<Slo>,
    /// Price of one replica for one hour, for services without their own
    /// `cost_per_replica_hour`; `None`: such services cost nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_replica_hour: Option<f64>,
    /// Currency of every price in the file (a label only); `None` means
    /// [`DEFAULT_CURRENCY`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// `x-...` keys at the top level.
    #[serde(skip)]
    pub extensions: Extensions,
}

/// The currency of prices when the file names none.
pub const DEFAULT_CURRENCY: &str = "USD";

impl Topology {
    /// The currency of the file's prices: `currency`, else [`DEFAULT_CURRENCY`].
    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)
    }

    /// The price of one replica of `service` for one hour: its own
    /// `cost_per_replica_hour`, else the file's, else `None` (free).
    pub fn price_per_replica_hour(&self, service: &Service) -> Option<f64> {
        service.cost_per_replica_hour.or(self.cost_per_replica_hour)
    }

    /// Whether any price is set (the file's default or a service's): runs
    /// of a file without one have no `cost` in their summary.
    pub fn has_prices(&self) -> bool {
        self.cost_per_replica_hour.is_some()
            || self
                .services
                .iter()
                .any(|s| s.cost_per_replica_hour.is_some())
    }
}

fn format_version() -> u64 {
    FORMAT_VERSION
}

/// What a service is; decides how it is drawn and some defaults.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    #[default]
    Service,
    Gateway,
    Database,
    Cache,
    Queue,
    External,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 6] = [
        ServiceKind::Service,
        ServiceKind::Gateway,
        ServiceKind::Database,
        ServiceKind::Cache,
        ServiceKind::Queue,
        ServiceKind::External,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Service => "service",
            ServiceKind::Gateway => "gateway",
            ServiceKind::Database => "database",
            ServiceKind::Cache => "cache",
            ServiceKind::Queue => "queue",
            ServiceKind::External => "external",
        }
    }
}

/// How callers pick one of a service's replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancer {
    #[default]
    RoundRobin,
    Random,
    LeastOutstanding,
}

impl LoadBalancer {
    pub const ALL: [LoadBalancer; 3] = [
        LoadBalancer::RoundRobin,
        LoadBalancer::Random,
        LoadBalancer::LeastOutstanding,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadBalancer::RoundRobin => "round_robin",
            LoadBalancer::Random => "random",
            LoadBalancer::LeastOutstanding => "least_outstanding",
        }
    }
}

/// One service: a set of identical replicas behind a load balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: ServiceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Zone names; replica `i` is placed in `zones[i % zones.len()]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub replicas: u64,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub workers: u64,
    /// Requests waiting per replica beyond its busy workers; `None` is unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_capacity: Option<u64>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub load_balancer: LoadBalancer,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub blocking_calls: bool,
    /// Own work of the default operation; required unless every operation has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_time: Option<Distribution>,
    /// Calls made by the default operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallSpec>,
    /// Named operations; empty means one operation, `"default"`, built from
    /// `service_time` and `calls`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    /// Time a new or restarted replica needs before it takes work, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// Admitted requests per second for the whole service; the excess is rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_shedding: Option<LoadShedding>,
    /// Caps the retries this service sends, as a share of its normal calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_budget: Option<RetryBudget>,
    /// Price of one replica for one hour (in the file's `currency`);
    /// `None` takes the file's `cost_per_replica_hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_replica_hour: Option<f64>,
    #[serde(skip)]
    pub extensions: Extensions,
}

impl Service {
    /// A service with the given name, one replica, one worker and the given
    /// own-work distribution; every other field at its default.
    pub fn new(name: impl Into<String>, service_time: Distribution) -> Self {
        Service {
            name: name.into(),
            kind: ServiceKind::Service,
            group: None,
            zones: Vec::new(),
            replicas: 1,
            workers: 1,
            queue_capacity: None,
            load_balancer: LoadBalancer::RoundRobin,
            blocking_calls: true,
            service_time: Some(service_time),
            calls: Vec::new(),
            operations: Vec::new(),
            startup_s: None,
            autoscale: None,
            rate_limit_rps: None,
            load_shedding: None,
            retry_budget: None,
            cost_per_replica_hour: None,
            extensions: Extensions::new(),
        }
    }
}

/// A named operation of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub name: String,
    /// Own work; falls back to the service's `service_time` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_time: Option<Distribution>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallSpec>,
    #[serde(skip)]
    pub extensions: Extensions,
}

/// An entry of a `calls` list: one call, or a group issued at once.
///
/// In a file, a group is `{"parallel": [CALL, CALL]}` and a single call is a
/// CALL object. (De)serialized by hand in `model::load` for clear errors.
#[derive(Debug, Clone, PartialEq)]
pub enum CallSpec {
    Single(Call),
    Parallel(Vec<Call>),
}

impl CallSpec {
    /// The calls in this entry: one, or every call of the parallel group.
    pub fn calls(&self) -> &[Call] {
        match self {
            CallSpec::Single(call) => std::slice::from_ref(call),
            CallSpec::Parallel(calls) => calls,
        }
    }

    pub fn calls_mut(&mut self) -> &mut [Call] {
        match self {
            CallSpec::Single(call) => std::slice::from_mut(call),
            CallSpec::Parallel(calls) => calls,
        }
    }
}

/// One call from an operation to an operation of another service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub to: String,
    #[serde(
        default = "default_operation",
        skip_serializing_if = "is_default_operation"
    )]
    pub operation: String,
    /// Chance that a request makes this call at all, drawn once per request.
    #[serde(default = "one_f64", skip_serializing_if = "is_one_f64")]
    pub probability: f64,
    /// When the call is made, it is repeated this many times in sequence.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retries>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreaker>,
    /// A failure of an optional call does not fail the caller.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    #[serde(skip)]
    pub extensions: Extensions,
}

impl Call {
    /// A plain call to the default operation of `to`.
    pub fn to(to: impl Into<String>) -> Self {
        Call {
            to: to.into(),
            operation: default_operation(),
            probability: 1.0,
            count: 1,
            timeout_ms: None,
            retries: None,
            circuit_breaker: None,
            optional: false,
            extensions: Extensions::new(),
        }
    }
}

/// Retry policy of a call: up to `max` further attempts after a failure,
/// waiting `backoff_ms × multiplier^(attempt-1)` (capped by `max_backoff_ms`),
/// with full jitter when `jitter` is true.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    pub max: u64,
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: f64,
    #[serde(default = "two_f64")]
    pub multiplier: f64,
    #[serde(default = "yes")]
    pub jitter: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_backoff_ms: Option<f64>,
}

/// A circuit breaker on one caller→callee edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreaker {
    /// Opens when at least this share of the last `window` calls failed.
    pub failure_ratio: f64,
    /// Number of most recent calls the ratio is computed over.
    #[serde(default = "default_window")]
    pub window: u64,
    /// Seconds the breaker stays open before letting probes through.
    #[serde(default = "default_open_s")]
    pub open_s: f64,
    /// Probe calls let through while half-open; all must succeed to close.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub half_open_probes: u64,
}

/// Caps a service's retries (over all its calls) at `ratio` × its first
/// attempts, plus `min_per_s` retries per second that are always allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryBudget {
    pub ratio: f64,
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub min_per_s: f64,
}

/// Load shedding at a service: requests are rejected instead of served when
/// the service is past these limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadShedding {
    /// A request that has waited longer than this in the queue is dropped
    /// (rejected) when a worker would take it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_ms: Option<f64>,
    /// Requests in progress at the service (all replicas) above which new
    /// arrivals are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
}

/// Autoscaling of one service on its utilization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    pub min: u64,
    pub max: u64,
    pub target_utilization: f64,
    #[serde(default = "default_interval_s")]
    pub interval_s: f64,
    /// Seconds before a new replica takes work; defaults to the service's
    /// `startup_s`, else 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_s: Option<f64>,
    #[serde(default = "default_cooldown_s")]
    pub cooldown_s: f64,
}

/// A distribution of times, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    Constant { ms: f64 },
    Exponential { mean_ms: f64 },
    Uniform { min_ms: f64, max_ms: f64 },
    Lognormal { median_ms: f64, p99_ms: f64 },
    Erlang { k: u64, mean_ms: f64 },
    Empirical { samples_ms: Vec<f64> },
}

impl Distribution {
    /// The name used in files (`"dist"`).
    pub fn kind_str(&self) -> &'static str {
        match self {
            Distribution::Constant { .. } => "constant",
            Distribution::Exponential { .. } => "exponential",
            Distribution::Uniform { .. } => "uniform",
            Distribution::Lognormal { .. } => "lognormal",
            Distribution::Erlang { .. } => "erlang",
            Distribution::Empirical { .. } => "empirical",
        }
    }
}

/// How external requests of an entry arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    #[default]
    Poisson,
    /// Evenly spaced.
    Uniform,
}

/// External traffic into one operation of one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Defaults to `"<to> <operation>"`; see [`Entry::display_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub to: String,
    #[serde(
        default = "default_operation",
        skip_serializing_if = "is_default_operation"
    )]
    pub operation: String,
    pub rate_rps: f64,
    #[serde(default, skip_serializing_if = "is_default")]
    pub arrivals: Arrivals,
    #[serde(skip)]
    pub extensions: Extensions,
}

impl Entry {
    /// The entry's name, or `"<to> <operation>"` when it has none.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("{} {}", self.to, self.operation),
        }
    }
}

/// A named what-if run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub duration_s: f64,
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub warmup_s: f64,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub seed: u64,
    /// Width of a time-series bucket; by default chosen from the duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load: Vec<LoadChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scaling: Vec<ScalingStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    #[serde(skip)]
    pub extensions: Extensions,
}

impl Scenario {
    /// A plain scenario: no load changes, faults, scaling or overrides.
    pub fn new(name: impl Into<String>, duration_s: f64) -> Self {
        Scenario {
            name: name.into(),
            description: None,
            duration_s,
            warmup_s: 0.0,
            seed: 1,
            bucket_s: None,
            load: Vec::new(),
            faults: Vec::new(),
            scaling: Vec::new(),
            overrides: Vec::new(),
            extensions: Extensions::new(),
        }
    }
}

/// The shape of a load change; when absent it is inferred: `ramp` if
/// `ramp_s` is given, else `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadKind {
    /// From `at_s` on, the base multiplier is `multiplier`.
    Step,
    /// From `at_s`, the base multiplier moves linearly to `multiplier` over `ramp_s`.
    Ramp,
    /// From `at_s` for `duration_s`, the load is multiplied by `multiplier`,
    /// then returns to what it was.
    Spike,
    /// From `at_s` on, the load is multiplied by
    /// `1 + amplitude × sin(2π (t − at_s) / period_s)`.
    Diurnal,
}

impl LoadKind {
    /// Every kind, in the order the format documents them.
    pub const ALL: [LoadKind; 4] = [
        LoadKind::Step,
        LoadKind::Ramp,
        LoadKind::Spike,
        LoadKind::Diurnal,
    ];

    /// The kind's name in the file (`"kind": "ramp"`).
    pub fn name(self) -> &'static str {
        match self {
            LoadKind::Step => "step",
            LoadKind::Ramp => "ramp",
            LoadKind::Spike => "spike",
            LoadKind::Diurnal => "diurnal",
        }
    }
}

/// One change of a scenario's load multiplier. Steps and ramps set the base
/// level in time order; spikes and diurnal cycles multiply it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LoadKind>,
    pub at_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amplitude: Option<f64>,
}

impl LoadChange {
    /// The kind, inferred when the file does not say it.
    pub fn effective_kind(&self) -> LoadKind {
        match self.kind {
            Some(kind) => kind,
            None if self.ramp_s.is_some() => LoadKind::Ramp,
            None => LoadKind::Step,
        }
    }
}

/// What happens to calls across a network partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionMode {
    /// Calls fail at once (connection refused).
    #[default]
    Fail,
    /// Calls get no answer; the caller waits until its timeout (forever
    /// without one).
    Hang,
}

/// A fault injected by a scenario. `duration_s` absent means until the end
/// of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// `replicas` replicas (all when absent) stop; their in-flight and queued
    /// requests fail. After the fault they restart, taking the service's
    /// startup time.
    Crash {
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replicas: Option<u64>,
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
    },
    /// Adds `add_ms` to the own work of every request of the service.
    Latency {
        service: String,
        add_ms: f64,
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
    },
    /// Each request fails after its own work with this probability.
    Errors {
        service: String,
        probability: f64,
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
    },
    /// Every replica placed in the zone is down.
    ZoneOutage {
        zone: String,
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
    },
    /// Calls between the two services (either direction) fail or hang.
    Partition {
        between: [String; 2],
        #[serde(default, skip_serializing_if = "is_default")]
        mode: PartitionMode,
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
    },
}

impl Fault {
    pub fn at_s(&self) -> f64 {
        match self {
            Fault::Crash { at_s, .. }
            | Fault::Latency { at_s, .. }
            | Fault::Errors { at_s, .. }
            | Fault::ZoneOutage { at_s, .. }
            | Fault::Partition { at_s, .. } => *at_s,
        }
    }

    pub fn duration_s(&self) -> Option<f64> {
        match self {
            Fault::Crash { duration_s, .. }
            | Fault::Latency { duration_s, .. }
            | Fault::Errors { duration_s, .. }
            | Fault::ZoneOutage { duration_s, .. }
            | Fault::Partition { duration_s, .. } => *duration_s,
        }
    }

    /// The start and the duration, to change them whatever the kind.
    pub fn window_mut(&mut self) -> (&mut f64, &mut Option<f64>) {
        match self {
            Fault::Crash {
                at_s, duration_s, ..
            }
            | Fault::Latency {
                at_s, duration_s, ..
            }
            | Fault::Errors {
                at_s, duration_s, ..
            }
            | Fault::ZoneOutage {
                at_s, duration_s, ..
            }
            | Fault::Partition {
                at_s, duration_s, ..
            } => (at_s, duration_s),
        }
    }

    /// The name used in files (`"kind"`).
    pub fn kind_str(&self) -> &'static str {
        match self {
            Fault::Crash { .. } => "crash",
            Fault::Latency { .. } => "latency",
            Fault::Errors { .. } => "errors",
            Fault::ZoneOutage { .. } => "zone_outage",
            Fault::Partition { .. } => "partition",
        }
    }
}

/// A scheduled change of a service's replica count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingStep {
    pub at_s: f64,
    pub service: String,
    pub replicas: u64,
}

/// Changes to one service's fields for the duration of a scenario. `set` is
/// a partial service object, e.g. `{"workers": 8}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub service: String,
    pub set: serde_json::Map<String, Value>,
}

/// Service-level objectives, checked against every entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p50_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p95_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_ms: Option<f64>,
    /// Minimum share of successful requests, e.g. 0.999.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<f64>,
}

/// Saved positions of graph nodes, written by the app.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Service name → position of its node's centre, in graph units.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, Point>,
    /// Groups drawn collapsed into one node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collapsed_groups: Vec<String>,
}

/// A point in graph units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

pub(crate) fn default_operation() -> String {
    "default".to_owned()
}
fn is_default_operation(s: &str) -> bool {
    s == "default"
}
fn one() -> u64 {
    1
}
fn is_one(v: &u64) -> bool {
    *v == 1
}
fn one_f64() -> f64 {
    1.0
}
fn is_one_f64(v: &f64) -> bool {
    *v == 1.0
}
fn two_f64() -> f64 {
    2.0
}
fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}
fn yes() -> bool {
    true
}
fn is_true(v: &bool) -> bool {
    *v
}
fn is_false(v: &bool) -> bool {
    !*v
}
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
fn default_backoff_ms() -> f64 {
    10.0
}
fn default_window() -> u64 {
    20
}
fn default_open_s() -> f64 {
    5.0
}
fn default_interval_s() -> f64 {
    15.0
}
fn default_cooldown_s() -> f64 {
    60.0
}
