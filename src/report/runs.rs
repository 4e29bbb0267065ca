//! Choosing and running the scenarios of a report or export, with
//! progress reports for a bar and an optional cancel flag.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::{self, Checked, Scenario, Topology};
use crate::sim::Simulation;

use super::{ReportError, Run};

/// Steps each run is divided into, to report progress.
const STEPS: u32 = 200;

/// Where the runs are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress<'a> {
    /// Index of the scenario running (0-based) and how many there are.
    pub index: usize,
    pub count: usize,
    pub scenario: &'a str,
    /// Simulated seconds of this scenario done, and its duration.
    pub simulated_s: f64,
    pub duration_s: f64,
    /// Simulated seconds done over all scenarios, and their total.
    pub total_done_s: f64,
    pub total_s: f64,
}

/// The scenarios to run: those named (in the order given), every scenario
/// of the file (`all`), or the file's first (the default scenario when it
/// has none).
pub fn select_scenarios(
    topology: &Topology,
    names: &[String],
    all: bool,
) -> Result<Vec<Scenario>, ReportError> {
    if all && !names.is_empty() {
        return Err(ReportError::Usage(
            "give either --scenario NAME (one or more) or --all-scenarios, not both".to_owned(),
        ));
    }
    if all {
        return Ok(if topology.scenarios.is_empty() {
            vec![model::default_scenario()]
        } else {
            topology.scenarios.clone()
        });
    }
    if names.is_empty() {
        return Ok(vec![
            topology
                .scenarios
                .first()
                .cloned()
                .unwrap_or_else(model::default_scenario),
        ]);
    }
    let mut chosen: Vec<Scenario> = Vec::new();
    for name in names {
        if chosen.iter().any(|s| &s.name == name) {
            continue;
        }
        let scenario =
            model::find_scenario(topology, Some(name)).map_err(ReportError::UnknownScenario)?;
        chosen.push(scenario.clone());
    }
    Ok(chosen)
}

/// `scenario` with the seed and duration replaced when given.
pub fn adjust(
    mut scenario: Scenario,
    seed: Option<u64>,
    duration_s: Option<f64>,
) -> Result<Scenario, ReportError> {
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    if let Some(duration_s) = duration_s {
        if !(duration_s.is_finite() && duration_s > 0.0) {
            return Err(ReportError::Usage(format!(
                "--duration-s must be a number of seconds > 0 (got {duration_s})"
            )));
        }
        if scenario.warmup_s >= duration_s {
            return Err(ReportError::Usage(format!(
                "--duration-s {duration_s} is not longer than the warm-up ({} s) of scenario \"{}\"; give a longer duration",
                scenario.warmup_s, scenario.name
            )));
        }
        scenario.duration_s = duration_s;
    }
    Ok(scenario)
}

/// Runs each scenario to its end, calling `progress` a few hundred times per
/// run. With `cancel` set, stops at the next step and returns
/// [`ReportError::Cancelled`].
pub fn run_scenarios(
    checked: &Checked,
    scenarios: &[Scenario],
    progress: &mut dyn FnMut(Progress<'_>),
    cancel: Option<&AtomicBool>,
) -> Result<Vec<Run>, ReportError> {
    if checked.require_workload().is_err() {
        return Err(ReportError::NoWorkload);
    }
    let never = AtomicBool::new(false);
    let cancel = cancel.unwrap_or(&never);
    let total_s: f64 = scenarios.iter().map(|s| s.duration_s).sum();
    let mut done_s = 0.0;
    let mut runs = Vec::with_capacity(scenarios.len());
    for (index, scenario) in scenarios.iter().enumerate() {
        let run = checked
            .check_scenario(scenario.clone())
            .map_err(|problems| ReportError::Unrunnable {
                scenario: scenario.name.clone(),
                problems,
            })?;
        let mut sim = Simulation::new(&run).map_err(|error| ReportError::Simulation {
            scenario: scenario.name.clone(),
            error,
        })?;
        let duration_s = sim.duration_s();
        for step in 1..=STEPS {
            let t = duration_s * f64::from(step) / f64::from(STEPS);
            if !sim.run_until_with_cancel(t, cancel) || cancel.load(Ordering::Relaxed) {
                return Err(ReportError::Cancelled);
            }
            progress(Progress {
                index,
                count: scenarios.len(),
                scenario: &scenario.name,
                simulated_s: sim.now_s(),
                duration_s,
                total_done_s: done_s + sim.now_s(),
                total_s,
            });
        }
        done_s += duration_s;
        let mut summary = sim.finish(true);
        // The engine accepted the same run, so the estimate cannot fail
        // here; were it to, the report just goes without it.
        if let Ok(estimate) = crate::graph::queueing::estimate_scenario(&run) {
            estimate.attach(&mut summary);
        }
        runs.push(Run {
            scenario: scenario.clone(),
            summary,
        });
    }
    Ok(runs)
}
