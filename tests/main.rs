//! Integration tests, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analysis;
mod bench;
mod cli;
mod cluster;
mod cost;
mod diff;
mod engine;
mod engine_fidelity;
mod experiments;
mod failure;
mod findings;
mod format;
mod fuzz;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_experiments;
#[cfg(feature = "gui")]
mod gui_sim;
mod import;
mod layout;
mod queueing;
mod report;
mod report_experiments;
mod resilience;
mod robustness;
mod stability;
mod validation;
