//! archsim: a desktop architecture visualiser and discrete-event simulator.
//!
//! Data flows one way: file → [`model`] (checked topology, checked scenario)
//! → [`graph`] / [`sim`] → [`metrics`] →
//! [`report`] or the GUI. Nothing in the core imports the GUI.
//!
//! Load a topology, simulate a scenario and read a metric:
//!
//! ```
//! use archsim::{model, sim};
//!
//! let text = r#"{
//!   "name": "shop",
//!   "services": [
//!     {"name": "frontend", "workers": 4,
//!      "service_time": {"dist": "exponential", "mean_ms": 2},
//!      "calls": [{"to": "db"}]},
//!     {"name": "db", "workers": 8, "service_time": {"dist": "lognormal", "median_ms": 3, "p99_ms": 20}}
//!   ],
//!   "workload": [{"name": "browse", "to": "frontend", "rate_rps": 200}],
//!   "scenarios": [{"name": "baseline", "duration_s": 60, "warmup_s": 5, "seed": 7}]
//! }"#;
//! let checked = model::load_checked_str(text, "shop.json")?;
//! // The one door to a run: a scenario checked against the topology.
//! let run = checked.scenario(Some("baseline"))?;
//! let summary = sim::Simulation::new(&run)?.run();
//!
//! let browse = summary.entry("browse").expect("the entry is in the summary");
//! assert!(browse.completed > 10_000);
//! assert!(browse.latency_ms.p99 > browse.latency_ms.p50);
//! let db = summary.service("db").expect("db is in the summary");
//! assert!(db.utilization > 0.05 && db.utilization < 0.2); // 200 rps × ~4 ms / 8 workers
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "cli")]
pub mod cli;
pub mod cluster;
pub mod diff;
pub mod experiment;
pub mod graph;
pub mod import;
pub mod metrics;
pub mod model;
pub mod report;
pub mod sim;

#[cfg(feature = "gui")]
pub mod gui;
