//! Integration tests, one module per topic.

#[allow(clippy::unwrap_used, clippy::expect_used)]
mod engine;
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod engine_fidelity;
