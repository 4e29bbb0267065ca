//! Discrete-event engine: workload, queues, calls, faults, resilience, scaling. No UI.
//!
//! Build a [`Simulation`] from a [`CheckedScenario`](crate::model::CheckedScenario)
//! (made by [`Checked::scenario`](crate::model::Checked::scenario)), then
//! [`run`](Simulation::run) it, or step it with
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
mod pools;
mod queue;
mod recorder;
mod replicas;
mod requests;
mod resilience;
mod rng;
mod scaling;
mod stats;
mod summary;

pub use dist::{DistError, Sampler};
pub use engine::{DEFAULT_MAX_IN_FLIGHT, MAX_BUCKETS, Simulation};
pub use load::{ArrivalProcess, LoadProfile, LoadProfileError};
pub use resilience::BreakerState;
pub use stats::{EdgeLive, LiveState, ServiceLive};

pub use crate::model::{DEFAULT_DURATION_S, default_bucket_s, default_scenario};

/// Why a simulation cannot be built from a
/// [`CheckedScenario`](crate::model::CheckedScenario): validation accepted
/// something the engine cannot run. That is a bug in archsim, never a
/// problem of the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error(
        "{place}: {message}; validation accepted this, so it is a bug in archsim: please report it with the file"
    )]
    Unchecked { place: String, message: String },
}

impl SimError {
    pub(crate) fn unchecked(place: impl Into<String>, message: impl Into<String>) -> Self {
        SimError::Unchecked {
            place: place.into(),
            message: message.into(),
        }
    }
}
