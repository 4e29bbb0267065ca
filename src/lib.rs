//! archsim: a desktop architecture visualiser and discrete-event simulator.
//!
//! Data flows one way: file → [`model`] → [`graph`] / [`sim`] → [`metrics`] →
//! [`report`] or the GUI. Nothing in the core imports the GUI.

pub mod cli;
pub mod graph;
pub mod import;
pub mod metrics;
pub mod model;
pub mod report;
pub mod sim;

#[cfg(feature = "gui")]
pub mod gui;
