//! Histograms, time series and run summaries. No UI.
//!
//! [`Summary`] is the `archsim run --json` contract; [`LatencyHistogram`] is
//! the bounded-memory percentile estimator the engine records into.

mod histogram;
mod stability;
mod summary;

pub use histogram::{BucketedHistogram, Count, LatencyHistogram};
pub use stability::Stability;
pub use summary::*;
