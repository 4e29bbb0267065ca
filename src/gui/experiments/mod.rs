//! The Experiments tab: replications with confidence intervals, a sweep
//! over one thing of the model, and a capacity search, each run on a
//! background thread through the same `experiment` functions as `archsim
//! run --replications`, `archsim sweep` and `archsim capacity`.
//!
//! Shape: [`ExpState`] is runtime state (not persisted): the editor's
//! [`ExpForm`], the experiment in progress ([`worker::ExpHandle`]) and the
//! finished ones ([`ExpRecord`], kept for the session like the runs). The
//! tab ([`view`]) reads it and pushes [`ExpCommand`]s (wrapped in
//! `AppCommand::Experiment`); [`App::apply_experiment`] applies them.
//! Results belong to the document they ran on: another document shows none
//! of them, and an edit marks them as of an earlier version. Files:
//! `spec` (what to vary, the SPEC and the command line), `figures` (chart
//! data, knee, card text, bands), `worker` (thread), `view` (drawing).

mod figures;
mod spec;
mod view;
mod worker;

use std::sync::Arc;

use crate::experiment::capacity::Find;
use crate::experiment::{Plan, ScenarioChoice};
use crate::model::{Slo, Topology};

use super::app::App;
use super::command::AppCommand;

pub use figures::{
    Band, ChartPoint, EntryBands, KNEE_FACTOR, Knee, KneeReason, Metric, NO_SLO_HELP,
    ReplicatedRun, SweepChart, capacity_lines, knee, sweep_chart,
};
pub use spec::{VaryChoice, choices, shell_word};
pub use view::experiments_tab_ui;
pub use worker::{Ended, Outcome};

/// What kind of experiment the editor sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpKind {
    #[default]
    Replications,
    Sweep,
    Capacity,
}

impl ExpKind {
    pub fn label(self) -> &'static str {
        match self {
            ExpKind::Replications => "Replications",
            ExpKind::Sweep => "Sweep",
            ExpKind::Capacity => "Capacity",
        }
    }
}

/// What a capacity search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapacityGoal {
    #[default]
    MaxLoad,
    MinReplicas,
    MinCost,
}

impl CapacityGoal {
    /// The choice's words in the editor.
    pub fn label(self) -> &'static str {
        match self {
            CapacityGoal::MaxLoad => "max load",
            CapacityGoal::MinReplicas => "min replicas",
            CapacityGoal::MinCost => "min cost",
        }
    }

    /// The value of `archsim capacity --find`.
    pub fn find_arg(self) -> &'static str {
        match self {
            CapacityGoal::MaxLoad => "max-load",
            CapacityGoal::MinReplicas => "min-replicas",
            CapacityGoal::MinCost => "min-cost",
        }
    }
}

/// The editor's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpForm {
    pub kind: ExpKind,
    /// Replications per point, 1…100.
    pub replications: u64,
    /// Confidence of the intervals: 0.90, 0.95 or 0.99.
    pub confidence: f64,
    /// What the sweep varies.
    pub vary: VaryChoice,
    /// The sweep's values: `START:STOP:STEP` or `v1,v2,…`.
    pub values: String,
    /// What the sweep chart shows, and for which entry (`None`: the first).
    pub metric: Metric,
    pub entry: Option<String>,
    /// Capacity: what to find.
    pub goal: CapacityGoal,
    /// A p99 target (ms) typed for a file without SLO.
    pub typed_p99_ms: String,
}

impl Default for ExpForm {
    fn default() -> Self {
        ExpForm {
            kind: ExpKind::Replications,
            replications: 5,
            confidence: 0.95,
            vary: VaryChoice::Load,
            values: "0.5:2:0.25".to_owned(),
            metric: Metric::P99,
            entry: None,
            goal: CapacityGoal::MaxLoad,
            typed_p99_ms: String::new(),
        }
    }
}

impl ExpForm {
    /// The SLO of a capacity search: the file's, else the typed target.
    pub fn slo(&self, topology: &Topology) -> Option<Slo> {
        if let Some(slo) = topology
            .slo
            .as_ref()
            .filter(|s| crate::experiment::slo::has_targets(s))
        {
            return Some(slo.clone());
        }
        self.typed_slo()
    }

    /// The typed p99 target, when it is a number > 0.
    pub fn typed_slo(&self) -> Option<Slo> {
        let v: f64 = self.typed_p99_ms.trim().parse().ok()?;
        (v.is_finite() && v > 0.0).then(|| Slo {
            latency_p99_ms: Some(v),
            ..Slo::default()
        })
    }
}

/// Commands of the Experiments tab.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpCommand {
    /// Replaces the editor's settings.
    SetForm(ExpForm),
    /// Starts the experiment the editor describes on the document as it is now.
    Start,
    /// Stops the experiment in progress; nothing of it is kept.
    Cancel,
    /// Shows this experiment (by index in the session's experiments).
    Show(usize),
    Delete(usize),
    DismissError,
}

impl From<ExpCommand> for AppCommand {
    fn from(command: ExpCommand) -> Self {
        AppCommand::Experiment(command)
    }
}

/// A finished experiment kept in the session.
#[derive(Debug, Clone)]
pub struct ExpRecord {
    pub id: u64,
    /// E.g. `Sweep load=0.5:2:0.25 ×5`.
    pub name: String,
    /// The equivalent command line.
    pub command: String,
    /// The topology as it ran, and the scenario's name.
    pub topology: Topology,
    pub scenario: String,
    pub outcome: Outcome,
    /// The document it ran on (the app's serial).
    pub document: u64,
}

/// The experiment in progress.
pub struct ActiveExp {
    pub name: String,
    pub command: String,
    pub topology: Topology,
    pub scenario: String,
    pub handle: worker::ExpHandle,
    pub document: u64,
}

/// Runtime state of the Experiments tab.
#[derive(Default)]
pub struct ExpState {
    pub form: ExpForm,
    pub active: Option<ActiveExp>,
    /// Every experiment of the session, of every document.
    pub records: Vec<ExpRecord>,
    /// The record shown (index in `records`); `None`: the latest of the open document.
    pub shown: Option<usize>,
    /// Why the last experiment could not run.
    pub error: Option<String>,
    next_id: u64,
    document: u64,
    revision: u64,
    /// The shown record ran on an earlier version of the open document:
    /// (revision, record id) it was worked out for, and the answer.
    stale: Option<((u64, u64), bool)>,
}

impl ExpState {
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// Indices of the records of the open document, oldest first.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&i| self.records[i].document == self.document)
            .collect()
    }

    /// The record shown: the chosen one, else the latest of the open document.
    pub fn shown_index(&self) -> Option<usize> {
        let here = |i: &usize| {
            self.records
                .get(*i)
                .is_some_and(|r| r.document == self.document)
        };
        self.shown
            .filter(here)
            .or_else(|| self.visible().last().copied())
    }

    pub fn shown_record(&self) -> Option<&ExpRecord> {
        self.records.get(self.shown_index()?)
    }

    /// The shown record ran on an earlier version of the open document.
    pub fn shown_is_stale(&self) -> bool {
        self.stale.is_some_and(|(_, stale)| stale)
    }

    /// Follows the open document (every frame): a new document cancels the
    /// experiment in progress and shows none of the earlier results (they
    /// stay in the session); an edit marks the shown result as stale.
    pub fn track_document(&mut self, serial: u64, revision: u64, topology: &Topology) {
        if serial != self.document {
            self.document = serial;
            if let Some(active) = &self.active {
                active.handle.cancel();
            }
            self.shown = None;
            self.error = None;
            self.stale = None;
            // What to vary names the old document's services.
            self.form.vary = VaryChoice::Load;
            self.form.values = VaryChoice::Load.default_values(topology);
            self.form.entry = None;
        }
        self.revision = revision;
        let Some(record) = self.shown_record() else {
            self.stale = None;
            return;
        };
        let key = (revision, record.id);
        if self.stale.is_some_and(|(k, _)| k == key) {
            return;
        }
        self.stale = Some((key, record.topology != *topology));
    }

    /// Takes in the end of the experiment in progress. Returns a status line.
    pub fn poll(&mut self) -> Option<String> {
        let ended = self.active.as_ref()?.handle.take_ended()?;
        let active = self.active.take()?;
        let (done, total) = active.handle.progress();
        match ended {
            Ended::Done(outcome) => {
                let here = active.document == self.document;
                self.next_id += 1;
                self.records.push(ExpRecord {
                    id: self.next_id,
                    name: active.name.clone(),
                    command: active.command,
                    topology: active.topology,
                    scenario: active.scenario,
                    outcome,
                    document: active.document,
                });
                if here {
                    self.shown = Some(self.records.len() - 1);
                }
                Some(format!(
                    "{} finished: {}",
                    active.name,
                    crate::report::format::counted(done, "run", "runs")
                ))
            }
            Ended::Cancelled => Some(format!(
                "{} cancelled after {} of {} runs; nothing kept",
                active.name, done, total
            )),
            Ended::Failed(message) => {
                if active.document == self.document {
                    self.error = Some(message);
                }
                None
            }
        }
    }
}

impl App {
    /// Tells the Experiments tab which document is open (every frame).
    pub(super) fn track_experiments(&mut self) {
        self.experiments
            .track_document(self.doc_serial, self.doc.revision, &self.doc.topology);
    }

    /// Applies a command of the Experiments tab.
    pub(super) fn apply_experiment(&mut self, command: ExpCommand) {
        let exp = &mut self.experiments;
        match command {
            ExpCommand::SetForm(form) => exp.form = form,
            ExpCommand::Start => {
                if exp.active.is_none() {
                    self.start_experiment();
                }
            }
            ExpCommand::Cancel => {
                if let Some(active) = &exp.active {
                    active.handle.cancel();
                    self.set_status("Cancelling the experiment…", false);
                }
            }
            ExpCommand::Show(index) => {
                if exp
                    .records
                    .get(index)
                    .is_some_and(|r| r.document == exp.document)
                {
                    exp.shown = Some(index);
                }
            }
            ExpCommand::Delete(index) => {
                if index < exp.records.len() {
                    exp.records.remove(index);
                    exp.shown = match exp.shown {
                        Some(i) if i == index => None,
                        Some(i) if i > index => Some(i - 1),
                        other => other,
                    };
                    exp.stale = None;
                }
            }
            ExpCommand::DismissError => exp.error = None,
        }
    }

    /// Starts the experiment of the editor on the document as it is now,
    /// with the scenario chosen in the run bar.
    fn start_experiment(&mut self) {
        self.track_experiments();
        let topology = self.doc.topology.clone();
        let form = self.experiments.form.clone();
        let scenario = topology
            .scenarios
            .get(self.sim.scenario_index)
            .or_else(|| topology.scenarios.first())
            .map(|s| s.name.clone());
        let choice = ScenarioChoice {
            name: scenario.clone(),
            ..ScenarioChoice::default()
        };
        let mut plan = Plan::new(form.replications.clamp(1, 100));
        plan.confidence = form.confidence;
        let path = self.doc.path.as_deref();
        let (job, name, command) = match form.kind {
            ExpKind::Replications => (
                worker::Job::Replications,
                format!("{} replications", plan.replications),
                spec::run_command(
                    path,
                    scenario.as_deref(),
                    plan.replications,
                    plan.confidence,
                ),
            ),
            ExpKind::Sweep => {
                let spec = spec::spec(&form.vary, &form.values);
                let command = spec::sweep_command(
                    path,
                    scenario.as_deref(),
                    &spec,
                    plan.replications,
                    plan.confidence,
                );
                (
                    worker::Job::Sweep { spec: spec.clone() },
                    format!("Sweep {spec} ×{}", plan.replications),
                    command,
                )
            }
            ExpKind::Capacity => {
                let Some(slo) = form.slo(&topology) else {
                    self.experiments.error = Some(NO_SLO_HELP.replace(
                        ", or type a p99 target here:",
                        ", or type a p99 target in the box.",
                    ));
                    return;
                };
                let typed = topology
                    .slo
                    .as_ref()
                    .filter(|s| crate::experiment::slo::has_targets(s))
                    .is_none()
                    .then_some(&slo);
                let command = spec::capacity_command(
                    path,
                    scenario.as_deref(),
                    form.goal,
                    typed,
                    plan.replications,
                );
                let find = match form.goal {
                    CapacityGoal::MaxLoad => Find::MaxLoad,
                    CapacityGoal::MinReplicas => Find::MinReplicas {
                        services: Vec::new(),
                    },
                    CapacityGoal::MinCost => Find::MinCost {
                        services: Vec::new(),
                    },
                };
                let name = format!("Capacity: {}", form.goal.label());
                (worker::Job::Capacity { find, slo }, name, command)
            }
        };
        let ctx = Arc::clone(&self.ctx);
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            if let Some(ctx) = ctx.get() {
                ctx.request_repaint();
            }
        });
        let handle = worker::ExpHandle::start(job, topology.clone(), choice, plan, wake);
        let scenario_name = scenario.unwrap_or_else(|| crate::sim::default_scenario().name);
        self.set_status(format!("Running {name}"), false);
        self.experiments.error = None;
        self.experiments.active = Some(ActiveExp {
            name,
            command,
            topology,
            scenario: scenario_name,
            handle,
            document: self.doc_serial,
        });
    }
}
