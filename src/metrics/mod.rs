//! Histograms, time series and run summaries. No UI.
//!
//! [`Summary`] is the `archsim run --json` contract; [`LatencyHistogram`] is
//! the bounded-memory percentile estimator the engine records into;
//! [`Finding`]s are read from a finished run's time series; [`Cost`] is
//! what the replicas a run held cost.

mod cost;
mod findings;
mod histogram;
mod stability;
mod summary;
pub mod sustained;

pub use cost::{Cost, CostDelta, ServiceCost};
pub use findings::*;
pub use histogram::{BucketedHistogram, Count, LatencyHistogram};
pub use stability::Stability;
pub use summary::*;
