//! Integration tests, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analysis;
mod bench;
mod cli;
mod engine;
mod engine_fidelity;
mod format;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_sim;
mod import;
mod layout;
mod report;
mod resilience;
mod robustness;
mod validation;
