//! The app: its state, the frame loop and the panel layout. Commands are
//! applied in [`super::apply`]; dialogs are in [`super::dialogs`].

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use egui::{Panel, Ui};

use crate::model::Topology;
use crate::report::words::plural;

use super::canvas::{self, CanvasState, CanvasView};
use super::command::{AppCommand, Selection};
use super::derive::{DeriveRequest, Derived, Deriver};
use super::document::OpenDocument;
use super::frame_log::FrameLog;
use super::inspector::{self, InspectorState};
use super::marks;
use super::menu::{self, MenuView};
use super::outline::{self, OutlineView};
use super::paint::Marks;
use super::problems::{self, OpenFailure};
use super::scene::{Scene, SceneOptions};
use super::screenshot::ScreenshotRun;
use super::search::{self, SearchState};
use super::settings::{BottomTab, Settings};
use super::tasks::Tasks;
use super::theme;

/// The example shown on first start (Google's Online Boutique).
pub const EXAMPLE_JSON: &str = include_str!("../../scenarios/shop.json");

/// The box that asks for a path when no file dialog can open.
#[derive(Debug, Clone, PartialEq)]
pub struct PathBox {
    pub purpose: super::tasks::DialogPurpose,
    pub text: String,
}

/// What the app waits for before a file command can go ahead: one at a
/// time. Commands that would drop unsaved changes (New, Open, Import, Quit)
/// ask first; the dialog's answer is an [`AppCommand::AnswerUnsaved`],
/// applied with the other commands at the end of the frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PendingAction {
    /// Nothing: commands run as they come.
    #[default]
    None,
    /// "Save the changes?" is shown; the command waits for the answer.
    AskToSave(AppCommand),
    /// A system file dialog is open (on its own thread). With `then`, it is
    /// the Save As of "save, then `then`".
    FileDialog {
        purpose: super::tasks::DialogPurpose,
        then: Option<AppCommand>,
    },
    /// The answer was "Save": the command runs once the save succeeds.
    Saving(AppCommand),
    /// Unsaved changes were answered for (or there were none): the window
    /// closes.
    Closing,
}

/// A message in the status bar.
#[derive(Debug, Clone)]
pub struct Status {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

/// The whole app. Public fields are read by tests; change them through
/// [`App::apply`].
pub struct App {
    pub settings: Settings,
    pub doc: OpenDocument,
    pub selection: Selection,
    /// Entry whose critical path is highlighted.
    pub highlighted_entry: Option<usize>,
    pub hidden_groups: BTreeSet<String>,
    pub canvas: CanvasState,
    pub search: SearchState,
    outline_counts: outline::OutlineCounts,
    pub inspector: InspectorState,
    /// Simulation runs of the session and what of them is shown.
    pub sim: super::sim::SimState,
    /// Experiments of the session (replications, sweeps, capacity searches).
    pub experiments: super::experiments::ExpState,
    pub status: Option<Status>,
    /// Why the last file did not open (shown until dismissed).
    pub open_failure: Option<OpenFailure>,
    /// File → Import: the running import and the last one's report.
    pub import: super::import::ImportState,
    /// File → Compare with traces…: the sources being read and the
    /// comparison shown.
    pub traces: super::traces::TracesState,
    /// File → Export: the running export and how the last one ended.
    pub export: super::export::ExportState,
    /// Autosave of unsaved edits, and the offer to restore those a crashed
    /// session left (off unless enabled: see `gui::recovery`).
    pub recovery: super::recovery::Recovery,
    pub(super) derived: Option<Derived>,
    pub(super) deriver: Deriver,
    pub(super) tasks: Tasks,
    /// Waking the UI from worker threads needs the context, known at the first frame.
    pub(super) ctx: Arc<OnceLock<egui::Context>>,
    /// Commands queued outside a frame (tests, startup) or by the last frame.
    pub(super) queue: Vec<AppCommand>,
    /// What a file command waits for (an answer, a dialog, a save).
    pub pending: PendingAction,
    /// The "type a path" box, when shown.
    pub(super) path_box: Option<PathBox>,
    /// Identifies the open document; bumped whenever another one is opened.
    pub(super) doc_serial: u64,
    /// Bumped when the view filter changes (needs a new scene).
    pub(super) view_revision: u64,
    /// What the last derive request was for: (doc serial, doc revision, view revision).
    derive_key: Option<(u64, u64, u64)>,
    /// Fit the view once the scene of this generation arrives.
    pub(super) fit_at_generation: Option<u64>,
    pub(super) screenshot: Option<ScreenshotRun>,
    title: String,
    frame_log: Option<FrameLog>,
    /// A `--screenshot` run: nothing is persisted.
    pub(super) shooting: bool,
    started: bool,
}

impl App {
    /// A new app with `settings`, showing `initial` (or the built-in example).
    /// Works without a window: tests drive it through [`App::ui_root`].
    pub fn new(mut settings: Settings) -> App {
        // The import report's tab has nothing to show in a new session.
        if settings.bottom_tab == BottomTab::Import {
            settings.bottom_tab = BottomTab::default();
        }
        let ctx: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let waker = {
            let ctx = Arc::clone(&ctx);
            Arc::new(move || {
                if let Some(ctx) = ctx.get() {
                    ctx.request_repaint();
                }
            }) as Arc<dyn Fn() + Send + Sync>
        };
        let doc = OpenDocument::opened(empty_topology(), None);
        App {
            settings,
            doc,
            selection: Selection::None,
            highlighted_entry: None,
            hidden_groups: BTreeSet::new(),
            canvas: CanvasState::default(),
            search: SearchState::default(),
            outline_counts: Default::default(),
            inspector: InspectorState::default(),
            sim: Default::default(),
            experiments: Default::default(),
            status: None,
            open_failure: None,
            import: Default::default(),
            traces: Default::default(),
            export: Default::default(),
            recovery: Default::default(),
            derived: None,
            deriver: Deriver::start(Arc::clone(&waker)),
            tasks: Tasks::new(waker),
            ctx,
            queue: Vec::new(),
            pending: PendingAction::None,
            path_box: None,
            doc_serial: 0,
            view_revision: 0,
            derive_key: None,
            fit_at_generation: None,
            screenshot: None,
            title: String::new(),
            frame_log: FrameLog::from_env(),
            shooting: false,
            started: false,
        }
    }

    /// Queues a command; it is applied at the end of the next frame.
    pub fn queue(&mut self, command: AppCommand) {
        self.queue.push(command);
    }

    /// Starts opening `path` (in the background); the current document stays
    /// until the file has loaded and validated.
    pub fn open_path(&mut self, path: impl Into<PathBuf>) {
        self.apply(AppCommand::OpenPath(path.into()));
    }

    /// Shows the built-in example.
    pub fn open_example(&mut self) {
        match crate::model::load_str(EXAMPLE_JSON, "built-in example") {
            Ok(topology) => self.install(
                OpenDocument::opened(topology, None),
                "Opened the built-in example",
            ),
            Err(err) => self.set_status(format!("The built-in example does not load: {err}"), true),
        }
    }

    /// Nothing running in the background and the scene is up to date.
    pub fn is_idle(&self) -> bool {
        self.tasks.pending() == 0
            && self.derive_key == Some(self.current_key())
            && self
                .derived
                .as_ref()
                .is_some_and(|d| d.generation == self.deriver.requested)
    }

    /// The scene on screen.
    pub fn scene(&self) -> Option<&Scene> {
        self.derived.as_ref().map(|d| &d.scene)
    }

    /// How each node and edge of the scene is emphasised now: the selection
    /// and its blast radius, or the highlighted entry's critical path; with
    /// a comparison with traces shown, declared edges never observed fade.
    pub fn marks(&self) -> Marks {
        let empty = Scene::default();
        let scene = self.derived.as_ref().map_or(&empty, |d| &d.scene);
        let analysis = self.derived.as_ref().and_then(|d| d.analysis.as_ref());
        let mut marks = marks::compute(
            scene,
            &self.doc.topology,
            &self.selection,
            self.highlighted_entry,
            analysis,
            &self.settings,
        );
        if let Some(overlay) = self.trace_overlay(scene) {
            overlay.fade(&mut marks);
        }
        marks
    }

    /// What the comparison with traces draws on `scene`, when shown.
    pub fn trace_overlay(&self, scene: &Scene) -> Option<super::traces::SceneOverlay> {
        self.traces
            .comparison
            .as_ref()
            .and_then(|c| c.overlay(scene, &self.doc.topology))
    }

    /// Validation problems of the open document.
    pub fn problems(&self) -> &[problems::Problem] {
        self.derived.as_ref().map_or(&[], |d| &d.problems)
    }

    pub fn analysis(&self) -> Option<&super::analysis::AnalysisView> {
        self.derived.as_ref().and_then(|d| d.analysis.as_ref())
    }

    pub(super) fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
            at: Instant::now(),
        });
    }

    /// Replaces the document (after an open or New).
    pub(super) fn install(&mut self, doc: OpenDocument, message: &str) {
        self.doc = doc;
        self.doc_serial += 1;
        self.selection = Selection::None;
        self.highlighted_entry = None;
        self.hidden_groups.clear();
        self.inspector = InspectorState::default();
        // The import report is about the document it made.
        self.dismiss_import_report();
        self.fit_at_generation = Some(self.deriver.requested + 1);
        self.set_status(message, false);
    }

    fn current_key(&self) -> (u64, u64, u64) {
        (self.doc_serial, self.doc.revision, self.view_revision)
    }

    /// Sends the topology to the worker when it (or the view filter) changed.
    fn request_derive(&mut self) {
        let key = self.current_key();
        if self.derive_key == Some(key) {
            return;
        }
        let same_doc = self.derive_key.is_some_and(|k| k.0 == key.0);
        self.derive_key = Some(key);
        let previous = match (&self.derived, same_doc) {
            (Some(derived), true) => derived.scene.positions(),
            _ => Default::default(),
        };
        self.deriver.request(DeriveRequest {
            generation: 0,
            topology: self.doc.topology.clone(),
            options: SceneOptions {
                hidden_groups: self.hidden_groups.clone(),
                ..SceneOptions::default()
            },
            previous,
        });
    }

    /// Takes in what background work finished.
    fn poll_background(&mut self) {
        for result in self.tasks.poll() {
            self.on_task_result(result);
        }
        if let Some(derived) = self.deriver.poll() {
            if self
                .fit_at_generation
                .is_some_and(|g| derived.generation >= g)
            {
                self.canvas.fit_requested = true;
                self.fit_at_generation = None;
            }
            self.canvas.scene_replaced();
            self.derived = Some(derived);
        }
    }

    /// eframe's CPU time of the previous frame, for `ARCHSIM_FRAME_TIMES`.
    pub(super) fn record_frame_cpu(&mut self, cpu_s: Option<f32>) {
        if let Some(log) = &mut self.frame_log {
            log.record_frame(cpu_s);
        }
    }

    /// One frame of the whole app.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        let frame_started = Instant::now();
        let ctx = ui.ctx().clone();
        if !self.started {
            self.started = true;
            let _ = self.ctx.set(ctx.clone());
            theme::apply(&ctx, self.settings.theme);
            theme::install_fonts(&ctx);
            theme::solid_scroll_bars(&ctx);
        }
        self.poll_background();
        self.track_document();
        self.track_traces();
        if let Some(message) = self.sim.poll() {
            self.set_status(message, false);
        }
        self.track_experiments();
        if let Some(message) = self.experiments.poll() {
            self.set_status(message, false);
        }
        self.request_derive();

        let mut out: Vec<AppCommand> = std::mem::take(&mut self.queue);
        menu::consume_shortcuts(&ctx, &self.selection, &mut out);
        super::sim::consume_shortcuts(&ctx, &mut out);
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        // YAML (compose, Kubernetes) is imported; anything else opened.
        let (to_import, to_open): (Vec<PathBuf>, Vec<PathBuf>) = dropped
            .into_iter()
            .partition(|p| super::import::is_import_source(p));
        out.extend(to_open.into_iter().map(AppCommand::OpenPath));
        if !to_import.is_empty() {
            out.push(AppCommand::ImportPaths(to_import));
        }
        self.handle_close_request(&ctx, &mut out);

        self.panels_ui(ui, &mut out);
        super::dialogs::dialogs_ui(self, &ctx, &mut out);
        super::traces::window_ui(self, &ctx, &mut out);
        super::export::progress_window_ui(self, &ctx, &mut out);
        super::recovery::offer_ui(self, &ctx, &mut out);

        for command in out {
            self.apply(command);
        }
        super::recovery::step(self);
        self.request_derive();
        self.update_title(&ctx);
        super::screenshot::step(self, &ctx);
        if let Some(log) = &mut self.frame_log {
            log.record(frame_started.elapsed());
        }
        // Keep polling while background work runs; the workers also wake us.
        if self.tasks.pending() > 0
            || !self.is_idle()
            || self.sim.is_running()
            || self.experiments.is_running()
        {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        // Request dots move while the live graph is shown.
        if self.sim.overlay().is_some_and(|o| o.animated) && self.sim.animate {
            ctx.request_repaint_after(std::time::Duration::from_millis(33));
        }
    }

    /// The window's close button: with unsaved changes, the close waits
    /// and File → Quit asks what to do with them.
    fn handle_close_request(&self, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.pending == PendingAction::Closing
        {
            return;
        }
        if self.doc.is_dirty() && self.screenshot.is_none() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            out.push(AppCommand::Quit);
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.doc.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn panels_ui(&mut self, ui: &mut Ui, out: &mut Vec<AppCommand>) {
        Panel::top("menu").show(ui, |ui| {
            let view = MenuView {
                settings: &self.settings,
                undo: self.doc.undo_label(),
                redo: self.doc.redo_label(),
                can_save: true,
                selection: &self.selection,
                sim: self.sim.menu_state(),
                topology: &self.doc.topology,
                busy_exporting: self.export.running.is_some(),
            };
            menu::menu_bar_ui(ui, &view, out);
        });
        Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui, out));
        Panel::top("run-bar").show(ui, |ui| {
            super::sim::run_bar_ui(ui, &self.doc.topology, &self.sim, out)
        });
        Panel::bottom("status").show(ui, |ui| self.status_bar_ui(ui));
        if self.settings.show_bottom {
            Panel::bottom("bottom")
                .resizable(true)
                .default_size(bottom_panel_height(ui.available_height()))
                .min_size(80.0)
                .show(ui, |ui| {
                    // egui remembers a panel at the size of its content: fill
                    // it, or a tab that is short on the first frame (the
                    // analysis still computing) shrinks the panel for good.
                    ui.set_min_height(ui.available_height());
                    self.bottom_ui(ui, out);
                });
        }
        if self.settings.show_outline {
            Panel::left("outline")
                .resizable(true)
                .default_size(230.0)
                .min_size(150.0)
                .show(ui, |ui| {
                    let document = (self.doc_serial, self.doc.revision);
                    self.outline_counts.update(&self.doc.topology, document);
                    let view = OutlineView {
                        topology: &self.doc.topology,
                        counts: &self.outline_counts,
                        selection: &self.selection,
                        hidden_groups: &self.hidden_groups,
                        highlighted_entry: self.highlighted_entry,
                    };
                    outline::outline_ui(ui, &view, out);
                });
        }
        if self.settings.show_inspector {
            Panel::right("inspector")
                .resizable(true)
                .default_size(340.0)
                .min_size(240.0)
                .show(ui, |ui| {
                    let problems = self.derived.as_ref().map_or(&[][..], |d| &d.problems[..]);
                    inspector::inspector_ui(
                        ui,
                        &mut self.inspector,
                        &self.doc.topology,
                        &self.selection,
                        problems,
                        out,
                    );
                });
        }
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let empty = Scene::default();
            let base = self.derived.as_ref().map_or(&empty, |d| &d.scene);
            let generation = self.derived.as_ref().map_or(0, |d| d.generation);
            self.sim.refresh_overlay(
                base,
                generation,
                &self.doc.topology,
                self.settings.bottom_tab,
            );
            let live = self.sim.overlay();
            let scene = live.map_or(base, |o| &o.scene);
            let marks = self.marks();
            let traces = self.trace_overlay(scene);
            let view = CanvasView {
                scene,
                topology: &self.doc.topology,
                marks: &marks,
                settings: &self.settings,
                hover: self.screenshot.is_none(),
                live,
                animate: self.sim.animate,
                traces: traces.as_ref(),
            };
            canvas::canvas_ui(ui, &view, &mut self.canvas, out);
        });
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, out: &mut Vec<AppCommand>) {
        ui.horizontal(|ui| {
            let document = (self.doc_serial, self.doc.revision);
            search::search_ui(ui, &mut self.search, &self.doc.topology, document, out);
            ui.separator();
            if ui
                .button("⛶ Fit")
                .on_hover_text("Fit the graph to the window (Ctrl+0)")
                .clicked()
            {
                out.push(AppCommand::FitView);
            }
            if ui.button("➕").on_hover_text("Zoom in (Ctrl+=)").clicked() {
                out.push(AppCommand::Zoom(1.25));
            }
            if ui.button("➖").on_hover_text("Zoom out (Ctrl+-)").clicked() {
                out.push(AppCommand::Zoom(0.8));
            }
            ui.separator();
            if ui
                .button("➕ Service")
                .on_hover_text("Add a service (Ctrl+Shift+A)")
                .clicked()
            {
                out.push(AppCommand::AddService);
            }
            ui.separator();
            legend_ui(ui, &self.selection, self.highlighted_entry);
        });
    }

    fn status_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Some(status) = &self.status {
                let age = status.at.elapsed().as_secs_f32();
                if status.error || age < 12.0 {
                    if status.error {
                        ui.colored_label(ui.visuals().error_fg_color, &status.text);
                    } else {
                        ui.label(&status.text);
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(derived) = &self.derived {
                    let scene = &derived.scene;
                    ui.weak(format!(
                        "{} · {} · laid out in {:.0} ms · zoom {:.0}%",
                        plural(scene.nodes.len(), "node", "nodes"),
                        plural(scene.edges.len(), "edge", "edges"),
                        derived.elapsed_ms,
                        self.canvas.camera.zoom * 100.0
                    ));
                    if scene.hidden_services > 0 {
                        ui.weak(format!("{} hidden ·", scene.hidden_services));
                    }
                }
                if !self.is_idle() && self.screenshot.is_none() {
                    ui.spinner();
                }
            });
        });
    }

    fn bottom_ui(&mut self, ui: &mut Ui, out: &mut Vec<AppCommand>) {
        ui.horizontal(|ui| {
            let problems_title = problems::tab_title(self.problems(), self.open_failure.as_ref());
            if ui
                .selectable_label(
                    self.settings.bottom_tab == BottomTab::Problems,
                    problems_title,
                )
                .clicked()
            {
                out.push(AppCommand::ShowBottomTab(BottomTab::Problems));
            }
            if ui
                .selectable_label(self.settings.bottom_tab == BottomTab::Analysis, "Analysis")
                .clicked()
            {
                out.push(AppCommand::ShowBottomTab(BottomTab::Analysis));
            }
            ui.separator();
            super::sim::tab_buttons_ui(ui, self.settings.bottom_tab, &self.sim, out);
            ui.separator();
            let running = if self.experiments.is_running() {
                " ⏳"
            } else {
                ""
            };
            if ui
                .selectable_label(
                    self.settings.bottom_tab == BottomTab::Experiments,
                    format!("Experiments{running}"),
                )
                .clicked()
            {
                out.push(AppCommand::ShowBottomTab(BottomTab::Experiments));
            }
            if self.import.report.is_some() {
                ui.separator();
                if ui
                    .selectable_label(
                        self.settings.bottom_tab == BottomTab::Import,
                        "Import report",
                    )
                    .clicked()
                {
                    out.push(AppCommand::ShowBottomTab(BottomTab::Import));
                }
            }
        });
        ui.separator();
        match self.settings.bottom_tab {
            BottomTab::Problems => {
                egui::ScrollArea::vertical()
                    .id_salt("problems-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        problems::problems_ui(ui, self.problems(), self.open_failure.as_ref(), out);
                    });
            }
            BottomTab::Analysis => {
                super::analysis::analysis_ui(ui, self.analysis(), self.highlighted_entry, out);
            }
            BottomTab::Import => super::import::import_tab_ui(
                ui,
                self.import.report.as_ref(),
                &self.doc.topology.name,
                out,
            ),
            BottomTab::Experiments => super::experiments::experiments_tab_ui(
                ui,
                &self.doc.topology,
                &self.experiments,
                out,
            ),
            tab => super::sim::tab_ui(ui, tab, &self.doc.topology, &self.sim, &self.selection, out),
        }
    }
}

/// The bottom panel's first height: two fifths of the height between the
/// bars (about 320 points at the default 1440×900 window), enough for two
/// rows of charts or a verdict with the first rows of its tables; what does
/// not fit scrolls. egui remembers the height the user drags it to.
pub fn bottom_panel_height(available_height: f32) -> f32 {
    (available_height * 0.4).clamp(220.0, 480.0)
}

/// What the highlight colours mean, when something is highlighted.
fn legend_ui(ui: &mut Ui, selection: &Selection, highlighted_entry: Option<usize>) {
    let palette = theme::Palette::for_visuals(ui.visuals());
    let chip = |ui: &mut Ui, color: egui::Color32, text: &str| {
        ui.label(egui::RichText::new("■").color(color));
        ui.label(egui::RichText::new(text).small());
    };
    if matches!(selection, Selection::Service(_)) {
        chip(ui, palette.downstream, "depends on");
        chip(ui, palette.upstream, "depended on by");
    }
    if highlighted_entry.is_some() {
        chip(ui, palette.critical, "critical path");
    }
}

/// The document of File → New.
pub fn empty_topology() -> Topology {
    Topology {
        archsim: crate::model::FORMAT_VERSION,
        name: "Untitled".to_owned(),
        description: None,
        services: Vec::new(),
        workload: Vec::new(),
        scenarios: Vec::new(),
        slo: None,
        cost_per_replica_hour: None,
        currency: None,
        layout: None,
        extensions: Default::default(),
    }
}
