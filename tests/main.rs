//! Integration tests, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analysis;
mod cli;
mod engine;
mod engine_fidelity;
mod format;
mod import;
mod report;
mod robustness;
mod validation;
