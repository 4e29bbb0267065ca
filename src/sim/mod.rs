//! Discrete-event engine: workload, queues, calls, faults, resilience, scaling. No UI.
//!
//! Build a [`Simulation`] from a [`Checked`](crate::model::Checked) topology
//! and a [`Scenario`], then [`run`](Simulation::run) it, or step it with
//! [`run_until`](Simulation::run_until) and read
//! [`snapshot`](Simulation::snapshot) (the [`Summary`](crate::metrics::Summary)
//! so far) and [`live`](Simulation::live) (what each service is doing now).
//!
//! Determinism: events are ordered by (time, insertion sequence); every
//! random draw comes from a `Pcg64Mcg` stream seeded from the scenario seed
//! and the *name* of the service or entry it belongs to (see `rng.rs`), so the
//! same file, scenario and seed give the same summary, and adding a service
//! does not change the samples of the others.
//!
//! Time is kept in seconds (`f64`); the file's milliseconds are converted
//! once, when the plan is compiled.

mod dist;
mod engine;
mod faults;
mod load;
mod plan;
mod policy;
mod queue;
mod replicas;
mod requests;
mod resilience;
mod rng;
mod scaling;
mod stats;
mod summary;

pub use dist::{DistError, Sampler};
pub use engine::{MAX_BUCKETS, Simulation};
pub use load::{ArrivalProcess, LoadProfile, LoadProfileError};
pub use resilience::BreakerState;
pub use stats::{EdgeLive, LiveState, ServiceLive};

use crate::model::{Scenario, Topology};

/// Why a simulation cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error(
        "cannot simulate: no workload (add a \"workload\" entry, e.g. {{\"to\": \"frontend\", \"rate_rps\": 100}})"
    )]
    NoWorkload,
    #[error("{place}: unknown service \"{name}\"{suggestion}")]
    UnknownService {
        place: String,
        name: String,
        suggestion: String,
    },
    #[error(
        "{place}: service \"{service}\" has no operation \"{operation}\" (it has: {available})"
    )]
    UnknownOperation {
        place: String,
        service: String,
        operation: String,
        available: String,
    },
    #[error("{place}: {source}")]
    Distribution { place: String, source: DistError },
    #[error("{place}: {message}")]
    Invalid { place: String, message: String },
    #[error("{place}: {message}")]
    Override { place: String, message: String },
    #[error(
        "calls form a cycle ({0}): every request would call without end; remove one of these calls"
    )]
    CallCycle(String),
    #[error("unknown scenario \"{name}\"; available: {available}")]
    UnknownScenario { name: String, available: String },
}

/// Seconds simulated by [`default_scenario`].
pub const DEFAULT_DURATION_S: f64 = 60.0;

/// The scenario run when a file has none: 60 s, no warm-up, seed 1, no
/// load changes, faults or overrides.
pub fn default_scenario() -> Scenario {
    Scenario::new("default", DEFAULT_DURATION_S)
}

/// The scenario named `name`, the file's first scenario when `name` is
/// `None`, or [`default_scenario`] when the file has none.
pub fn select_scenario(topology: &Topology, name: Option<&str>) -> Result<Scenario, SimError> {
    match name {
        None => Ok(topology
            .scenarios
            .first()
            .cloned()
            .unwrap_or_else(default_scenario)),
        Some(name) => topology
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| {
                let available: Vec<String> = topology
                    .scenarios
                    .iter()
                    .map(|s| format!("\"{}\"", s.name))
                    .collect();
                SimError::UnknownScenario {
                    name: name.to_owned(),
                    available: if available.is_empty() {
                        "none (the file has no scenarios; omit --scenario to run the default)"
                            .to_owned()
                    } else {
                        available.join(", ")
                    },
                }
            }),
    }
}

/// The bucket width chosen for a run of `duration_s`: 1 s up to 600 s, then
/// the smallest of 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600 s… giving
/// at most 600 buckets.
pub fn default_bucket_s(duration_s: f64) -> f64 {
    const NICE_S: [f64; 11] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
    ];
    for b in NICE_S {
        if duration_s / b <= 600.0 {
            return b;
        }
    }
    let hours = (duration_s / 600.0 / 3600.0).ceil().max(1.0);
    hours * 3600.0
}
