//! Simulation in the app: run a scenario on a background thread
//! and watch it live on the graph, in charts and in result tables; keep the
//! runs of the session and compare two of them.
//!
//! Shape: [`SimState`] is the runtime state (not persisted): the run in
//! progress ([`runner::RunHandle`]), the finished runs ([`RunRecord`]), what
//! is shown (run, replay position, comparison). Panels read it and push
//! [`SimCommand`]s (wrapped in `AppCommand::Sim`); [`App::apply_sim`]
//! applies them. Files: `runner` (thread), `panel` (run bar, scenario
//! timeline), `live` (graph overlay), `charts` (what is charted), `plot` (drawing
//! charts), `results`, `compare`,
//! `naming` (run names from what changed), `timeline` (the scenario's
//! timeline).

mod charts;
mod compare;
mod estimate;
mod live;
mod naming;
mod panel;
mod plot;
mod results;
mod runner;
mod timeline;

use std::sync::Arc;
use std::time::Instant;

use egui::Ui;

use crate::metrics::{RunStatus, Summary};
use crate::model::{Scenario, Topology};

use super::app::App;
use super::command::{AppCommand, Selection};
use super::scene::Scene;
use super::settings::BottomTab;

pub use live::{NodeLive, Overlay};
pub use panel::{MenuState, menu_ui, run_bar_ui};
pub use runner::RunPhase;

/// Speeds offered, in simulated seconds per wall second (0 = as fast as possible).
pub const SPEEDS: [f64; 7] = [0.0, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0];

/// A run kept in the session.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// Unique in the session.
    pub id: u64,
    /// Scenario, number and what changed since the previous run, e.g.
    /// `black friday #2 · cartservice replicas 2→4`.
    pub name: String,
    /// The topology and scenario as they ran.
    pub topology: Topology,
    pub scenario: Scenario,
    pub summary: Summary,
    /// The document it ran on (see [`SimState::track_document`]).
    pub document: u64,
}

impl RunRecord {
    pub fn cancelled(&self) -> bool {
        self.summary.status == RunStatus::Cancelled
    }
}

/// The run in progress.
pub struct ActiveRun {
    pub id: u64,
    pub name: String,
    pub topology: Topology,
    pub scenario: Scenario,
    pub handle: runner::RunHandle,
    pub started: Instant,
    /// The document it runs on.
    pub document: u64,
}

/// How results tables are sorted: column index and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

/// Which results table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Entries,
    Services,
}

/// Commands of the simulation views.
#[derive(Debug, Clone, PartialEq)]
pub enum SimCommand {
    /// Chooses the scenario to run, by index in the file's scenarios.
    ChooseScenario(usize),
    /// Starts a run of the chosen scenario, or resumes a paused one.
    Run,
    /// Pauses or resumes the run in progress.
    TogglePause,
    /// Advances one bucket (starting a paused run when none is going).
    Step,
    /// Stops the run in progress; what was simulated is kept.
    Stop,
    /// Simulated seconds per wall second; 0 = as fast as possible.
    SetSpeed(f64),
    /// Shows the graph at this bucket of the shown run (None = the latest).
    Scrub(Option<usize>),
    /// Shows this run (by index in the session's runs).
    ShowRun(usize),
    DeleteRun(usize),
    /// Picks the runs to compare (by index).
    SetCompare {
        a: Option<usize>,
        b: Option<usize>,
    },
    /// Colours the graph by what got better or worse (in the Compare tab).
    SetCompareGraph(bool),
    /// Shows live figures on the graph.
    SetOverlay(bool),
    /// Animates requests along the arrows.
    SetAnimate(bool),
    SortBy {
        table: Table,
        column: usize,
    },
    /// Charts this entry (None = all entries together).
    ChartEntry(Option<String>),
    /// Dismisses the last error.
    DismissError,
}

impl From<SimCommand> for AppCommand {
    fn from(command: SimCommand) -> Self {
        AppCommand::Sim(command)
    }
}

/// Runtime state of the simulation views.
pub struct SimState {
    /// Index of the chosen scenario in the file's scenarios.
    pub scenario_index: usize,
    /// Simulated seconds per wall second; 0 = as fast as possible.
    pub speed: f64,
    pub active: Option<ActiveRun>,
    pub runs: Vec<RunRecord>,
    /// The run shown (index in `runs`); `None`: the run in progress, else the latest.
    pub shown: Option<usize>,
    /// Replay position (bucket) of the shown run; `None` = the latest bucket.
    pub scrub: Option<usize>,
    pub compare_a: Option<usize>,
    pub compare_b: Option<usize>,
    pub compare_graph: bool,
    pub show_overlay: bool,
    pub animate: bool,
    pub entries_sort: Sort,
    pub services_sort: Sort,
    /// Why the last run could not start.
    pub error: Option<String>,
    /// The entry charted (None = all entries together).
    pub chart_entry: Option<String>,
    overlay: Option<(live::OverlayKey, Overlay)>,
    next_id: u64,
    /// The open document (the app's serial for it): results of other
    /// documents are not shown on it.
    document: u64,
    /// The shown run ran on an earlier version of the open document, and
    /// what that was worked out from: (document, revision, run id).
    stale: Option<((u64, u64, u64), bool)>,
}

impl Default for SimState {
    fn default() -> Self {
        SimState {
            scenario_index: 0,
            speed: 0.0,
            active: None,
            runs: Vec::new(),
            shown: None,
            scrub: None,
            compare_a: None,
            compare_b: None,
            compare_graph: true,
            show_overlay: true,
            animate: true,
            entries_sort: Sort::default(),
            services_sort: Sort::default(),
            error: None,
            chart_entry: None,
            overlay: None,
            next_id: 1,
            document: 0,
            stale: None,
        }
    }
}

/// A run as the views see it: finished, or in progress (a snapshot).
pub struct RunView<'a> {
    pub name: &'a str,
    pub topology: &'a Topology,
    pub scenario: &'a Scenario,
    pub summary: &'a Summary,
    /// The run is in progress.
    pub live: bool,
    /// The run in progress is paused.
    pub paused: bool,
    /// The model was edited since the run: its figures are of an earlier version.
    pub stale: bool,
}

impl SimState {
    /// A run is in progress (running or paused).
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// The phase of the run in progress.
    pub fn phase(&self) -> Option<RunPhase> {
        self.active
            .as_ref()
            .map(|a| a.handle.shared().phase.clone())
    }

    /// The run in progress, when it runs on the open document.
    fn active_here(&self) -> Option<&ActiveRun> {
        self.active.as_ref().filter(|a| a.document == self.document)
    }

    /// Index of the finished run shown, if a finished run is shown: the
    /// chosen one, else the latest, of the open document only.
    pub fn shown_index(&self) -> Option<usize> {
        if self.active_here().is_some() && self.shown.is_none() {
            return None;
        }
        let here = |i: &usize| {
            self.runs
                .get(*i)
                .is_some_and(|r| r.document == self.document)
        };
        self.shown
            .filter(here)
            .or_else(|| (0..self.runs.len()).rev().find(here))
    }

    /// The run ran on the open document (perhaps an earlier version of it).
    pub fn is_of_open_document(&self, run: &RunRecord) -> bool {
        run.document == self.document
    }

    /// The shown run ran on an earlier version of the open document.
    pub fn shown_is_stale(&self) -> bool {
        self.stale.is_some_and(|(_, stale)| stale)
    }

    /// Follows the open document: called every frame with its serial (new
    /// for each document opened or imported), revision and topology. A new
    /// document shows no results (a run in progress on the previous one is
    /// stopped; the session's runs stay in the Compare tab); an edit marks
    /// the shown results as belonging to an earlier version until the next run.
    pub fn track_document(&mut self, serial: u64, revision: u64, topology: &Topology) {
        if serial != self.document {
            self.document = serial;
            if let Some(active) = &self.active {
                active.handle.cancel();
            }
            self.shown = None;
            self.scrub = None;
            self.overlay = None;
            self.error = None;
        }
        let run_id = match (self.active_here(), self.shown) {
            (Some(active), None) => Some((active.id, &active.topology)),
            _ => self
                .shown_index()
                .map(|i| (self.runs[i].id, &self.runs[i].topology)),
        };
        let Some((run_id, ran)) = run_id else {
            self.stale = None;
            return;
        };
        let key = (serial, revision, run_id);
        if self.stale.is_some_and(|(k, _)| k == key) {
            return;
        }
        // Compared once per edit or run shown, not every frame.
        self.stale = Some((key, ran != topology));
    }

    /// Calls `f` with the run shown (the run in progress once it has a
    /// snapshot, else the chosen or latest finished run).
    pub fn with_shown<R>(&self, f: impl FnOnce(&RunView) -> R) -> Option<R> {
        let stale = self.shown_is_stale();
        if let (Some(active), None) = (self.active_here(), self.shown) {
            let shared = active.handle.shared();
            let summary = shared.summary.as_ref()?;
            return Some(f(&RunView {
                name: &active.name,
                topology: &active.topology,
                scenario: &active.scenario,
                summary,
                live: true,
                paused: shared.phase == RunPhase::Paused,
                stale,
            }));
        }
        let run = &self.runs[self.shown_index()?];
        Some(f(&RunView {
            name: &run.name,
            topology: &run.topology,
            scenario: &run.scenario,
            summary: &run.summary,
            live: false,
            paused: false,
            stale,
        }))
    }

    /// The graph with live figures, when one is shown.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref().map(|(_, o)| o)
    }

    /// Takes in what the worker reported: a finished or stopped run joins
    /// the session's runs; a run that could not start leaves its message.
    /// Returns a status line when a run ended.
    pub fn poll(&mut self) -> Option<String> {
        let active = self.active.as_ref()?;
        let phase = active.handle.shared().phase.clone();
        if !phase.is_over() {
            return None;
        }
        let active = self.active.take()?;
        let summary = active.handle.shared().summary.take();
        match (phase, summary) {
            (RunPhase::Failed(message), _) => {
                self.error = Some(message);
                None
            }
            (phase, Some(summary)) => {
                let status = format!(
                    "{} {}: {} s simulated in {} s",
                    active.name,
                    if phase == RunPhase::Cancelled {
                        "stopped"
                    } else {
                        "finished"
                    },
                    crate::report::format::trim(summary.simulated_s),
                    crate::report::format::fixed(summary.wall_s, 2)
                );
                let here = active.document == self.document;
                self.runs.push(RunRecord {
                    id: active.id,
                    name: active.name,
                    topology: active.topology,
                    scenario: active.scenario,
                    summary,
                    document: active.document,
                });
                if !here {
                    // A run of a document no longer open: kept for Compare only.
                    return Some(status);
                }
                if self.shown.is_none() {
                    self.scrub = None;
                }
                let newest = self.runs.len() - 1;
                self.shown = Some(newest);
                self.pair_newest();
                Some(status)
            }
            (_, None) => {
                self.error = Some("the run ended without results".to_owned());
                None
            }
        }
    }

    /// Picks the newest run as B and the run before it of the same
    /// scenario and document as A: like with like. A stopped run is not
    /// paired on its own; the Compare tab names every difference that remains.
    fn pair_newest(&mut self) {
        let Some(newest) = self.runs.len().checked_sub(1) else {
            return;
        };
        let b = &self.runs[newest];
        if b.cancelled() {
            return;
        }
        let partner = (0..newest).rev().find(|&i| {
            let a = &self.runs[i];
            !a.cancelled() && a.document == b.document && a.scenario.name == b.scenario.name
        });
        if let Some(a) = partner {
            self.compare_a = Some(a);
            self.compare_b = Some(newest);
        }
    }

    /// Rebuilds the graph overlay when what it shows changed.
    pub fn refresh_overlay(
        &mut self,
        base: &Scene,
        generation: u64,
        topology: &Topology,
        tab: BottomTab,
    ) {
        let key = self.overlay_key(generation, tab);
        let Some(key) = key else {
            self.overlay = None;
            return;
        };
        if self.overlay.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let overlay = if key.compare {
            match (self.compare_a, self.compare_b) {
                (Some(a), Some(b)) if a < self.runs.len() && b < self.runs.len() => Some(
                    compare::overlay(base, topology, &self.runs[a], &self.runs[b]),
                ),
                _ => None,
            }
        } else {
            let scrub = self.scrub;
            self.with_shown(|run| live::overlay(base, topology, run, scrub))
                .flatten()
        };
        self.overlay = overlay.map(|o| (key, o));
    }

    fn overlay_key(&self, generation: u64, tab: BottomTab) -> Option<live::OverlayKey> {
        if !self.show_overlay {
            return None;
        }
        let compare = tab == BottomTab::Compare
            && self.compare_graph
            && self.compare_a.is_some()
            && self.compare_b.is_some();
        let live = !compare && self.active_here().is_some() && self.shown.is_none();
        let (run, buckets) = if compare {
            (
                self.compare_a.unwrap_or_default() as u64 * 1_000_003
                    + self.compare_b.unwrap_or_default() as u64,
                0,
            )
        } else if let (Some(active), None) = (self.active_here(), self.shown) {
            let shared = active.handle.shared();
            (
                active.id,
                shared
                    .summary
                    .as_ref()
                    .map_or(0, |s| s.timeseries.t_s.len()),
            )
        } else {
            let run = &self.runs[self.shown_index()?];
            (run.id, run.summary.timeseries.t_s.len())
        };
        Some(live::OverlayKey {
            generation,
            run,
            buckets,
            scrub: self.scrub,
            compare,
            stale: self.shown_is_stale(),
            paused: self
                .active_here()
                .is_some_and(|a| a.handle.shared().phase == RunPhase::Paused),
            live,
        })
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

impl App {
    /// Tells the simulation views which document is open (every frame).
    pub(super) fn track_document(&mut self) {
        self.sim
            .track_document(self.doc_serial, self.doc.revision, &self.doc.topology);
    }

    /// Applies a command of the simulation views.
    pub(super) fn apply_sim(&mut self, command: SimCommand) {
        let sim = &mut self.sim;
        match command {
            SimCommand::ChooseScenario(index) => sim.scenario_index = index,
            SimCommand::Run => match &sim.active {
                Some(active) => active.handle.set_paused(false),
                None => self.start_run(false),
            },
            SimCommand::TogglePause => {
                if let Some(active) = &sim.active {
                    active.handle.set_paused(!active.handle.is_paused());
                }
            }
            SimCommand::Step => match &sim.active {
                Some(active) => active.handle.step(),
                None => self.start_run(true),
            },
            SimCommand::Stop => {
                if let Some(active) = &sim.active {
                    active.handle.cancel();
                    self.set_status("Stopping the run…", false);
                }
            }
            SimCommand::SetSpeed(speed) => {
                sim.speed = speed;
                if let Some(active) = &sim.active {
                    active.handle.control.set_speed(speed);
                }
            }
            SimCommand::Scrub(bucket) => sim.scrub = bucket,
            SimCommand::ShowRun(index) => {
                if sim
                    .runs
                    .get(index)
                    .is_some_and(|r| sim.is_of_open_document(r))
                {
                    sim.shown = Some(index);
                    sim.scrub = None;
                }
            }
            SimCommand::DeleteRun(index) => {
                if index < sim.runs.len() {
                    sim.runs.remove(index);
                    let fix = |slot: &mut Option<usize>| {
                        *slot = match *slot {
                            Some(i) if i == index => None,
                            Some(i) if i > index => Some(i - 1),
                            other => other,
                        }
                    };
                    fix(&mut sim.shown);
                    fix(&mut sim.compare_a);
                    fix(&mut sim.compare_b);
                    sim.scrub = None;
                    sim.overlay = None;
                }
            }
            SimCommand::SetCompare { a, b } => {
                sim.compare_a = a;
                sim.compare_b = b;
            }
            SimCommand::SetCompareGraph(on) => sim.compare_graph = on,
            SimCommand::SetOverlay(on) => sim.show_overlay = on,
            SimCommand::SetAnimate(on) => sim.animate = on,
            SimCommand::SortBy { table, column } => {
                let sort = match table {
                    Table::Entries => &mut sim.entries_sort,
                    Table::Services => &mut sim.services_sort,
                };
                if sort.column == column {
                    sort.descending = !sort.descending;
                } else {
                    *sort = Sort {
                        column,
                        descending: column > 0,
                    };
                }
            }
            SimCommand::ChartEntry(entry) => sim.chart_entry = entry,
            SimCommand::DismissError => sim.error = None,
        }
    }

    /// Starts a run of the chosen scenario on the document as it is now.
    fn start_run(&mut self, paused: bool) {
        self.track_document();
        let topology = self.doc.topology.clone();
        let scenario = panel::chosen_scenario(&topology, self.sim.scenario_index);
        let previous = self
            .sim
            .runs
            .iter()
            .rev()
            .find(|r| r.topology.name == topology.name);
        let number = self
            .sim
            .runs
            .iter()
            .filter(|r| r.scenario.name == scenario.name)
            .count()
            + 1;
        let name = naming::run_name(&scenario, number, previous, &topology);
        let ctx = Arc::clone(&self.ctx);
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            if let Some(ctx) = ctx.get() {
                ctx.request_repaint();
            }
        });
        let handle = runner::RunHandle::start(
            topology.clone(),
            scenario.clone(),
            self.sim.speed,
            paused,
            wake,
        );
        let id = self.sim.next_id();
        self.sim.active = Some(ActiveRun {
            id,
            name: name.clone(),
            topology,
            scenario,
            handle,
            started: Instant::now(),
            document: self.doc_serial,
        });
        self.sim.shown = None;
        self.sim.scrub = None;
        self.sim.error = None;
        self.set_status(format!("Running {name}"), false);
    }
}

/// Draws the simulation tabs of the bottom panel.
pub fn tab_ui(
    ui: &mut Ui,
    tab: BottomTab,
    topology: &Topology,
    sim: &SimState,
    selection: &Selection,
    out: &mut Vec<AppCommand>,
) {
    let selected = match selection {
        Selection::Service(name) => Some(name.as_str()),
        _ => None,
    };
    match tab {
        BottomTab::Scenario => panel::scenario_tab_ui(ui, topology, sim, out),
        BottomTab::Charts => charts::charts_tab_ui(ui, sim, selected, out),
        BottomTab::Results => results::results_tab_ui(ui, sim, out),
        BottomTab::Compare => compare::compare_tab_ui(ui, sim, selected, out),
        BottomTab::Problems | BottomTab::Analysis | BottomTab::Experiments | BottomTab::Import => {}
    }
}

/// The tab buttons of the simulation views.
pub fn tab_buttons_ui(ui: &mut Ui, current: BottomTab, sim: &SimState, out: &mut Vec<AppCommand>) {
    for (tab, label) in [
        (BottomTab::Scenario, "Scenario".to_owned()),
        (BottomTab::Charts, "Charts".to_owned()),
        (BottomTab::Results, "Results".to_owned()),
        (
            BottomTab::Compare,
            if sim.runs.is_empty() {
                "Compare".to_owned()
            } else {
                format!("Compare ({})", sim.runs.len())
            },
        ),
    ] {
        if ui.selectable_label(current == tab, label).clicked() {
            out.push(AppCommand::ShowBottomTab(tab));
        }
    }
}

/// Shortcuts of the simulation: F5 run or resume, Shift+F5 stop, F6 pause,
/// F10 step.
pub fn consume_shortcuts(ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    use egui::{Key, KeyboardShortcut, Modifiers};
    ctx.input_mut(|input| {
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::SHIFT, Key::F5)) {
            out.push(SimCommand::Stop.into());
        }
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F5)) {
            out.push(SimCommand::Run.into());
        }
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F6)) {
            out.push(SimCommand::TogglePause.into());
        }
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F10)) {
            out.push(SimCommand::Step.into());
        }
    });
}
