//! File → Compare with traces…: the open document against what traces
//! (and compose files or manifests) show — the comparison of
//! [`crate::diff`], the same one `archsim diff` prints.
//!
//! The sources are read once, in the background ([`crate::import::import_paths`]);
//! the [`ImportOutcome`] is kept, and the comparison is made again whenever
//! the document changes (no file is read again), so that adopting an item takes it
//! off the list and undoing the adoption puts it back. The comparison stays
//! while other documents are opened (the traces are the same), until its
//! window is closed.
//!
//! - `list`: the window that walks through the differences, with one click
//!   to adopt an observed edge, service or time (an ordinary edit: undoable).
//! - `overlay`: what the canvas draws over the graph while the window is
//!   open.
//! - `adopt`: the edits that adopt an observed item.

mod adopt;
mod list;
mod overlay;

use std::path::PathBuf;

use crate::diff::{self, Diff};
use crate::import::{ImportOptions, ImportOutcome};

use super::app::App;
use super::command::AppCommand;
use super::import::{ImportReport, files_label};
use super::scene::Scene;
use super::tasks::{DialogPurpose, TaskResult};

pub use adopt::{added_service, adopted_time};
pub use list::window_ui;
pub use overlay::SceneOverlay;

/// A command of File → Compare with traces… and of its window.
#[derive(Debug, Clone, PartialEq)]
pub enum TracesCommand {
    /// Shows the system dialog to choose the sources.
    Pick,
    /// Reads these sources (traces, compose files, manifests) in the
    /// background and compares the document with them.
    Compare(Vec<PathBuf>),
    /// Draws the comparison over the graph, or not.
    ShowOverlay(bool),
    /// The relative difference counted as drift (0.25 = 25%).
    SetThreshold(f64),
    /// Closes the window and forgets the comparison.
    Close,
}

/// The comparison being read and the one shown.
#[derive(Debug, Default)]
pub struct TracesState {
    /// Sources being read.
    pub running: Option<Vec<PathBuf>>,
    pub comparison: Option<Comparison>,
}

/// The document against the sources read.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub paths: Vec<PathBuf>,
    /// What the sources show, as read once.
    pub outcome: Box<ImportOutcome>,
    /// The relative difference counted as drift.
    pub threshold: f64,
    /// The open document against `outcome`, as of `key`.
    pub diff: Diff,
    /// Draw the comparison over the graph.
    pub show_overlay: bool,
    /// (document serial, revision) that `diff` is of.
    key: (u64, u64),
}

impl Comparison {
    /// What the canvas draws for this comparison on `scene`, when shown.
    pub fn overlay(
        &self,
        scene: &Scene,
        topology: &crate::model::Topology,
    ) -> Option<SceneOverlay> {
        self.show_overlay
            .then(|| SceneOverlay::resolve(&self.diff, scene, topology))
    }
}

impl App {
    /// Compares the open document with `paths` (Jaeger or OTLP traces,
    /// compose files, manifests, folders of them), read in the background;
    /// the comparison window opens when they are read. The same as File →
    /// Compare with traces… without the dialog, and as `--compare-traces`.
    pub fn compare_traces(&mut self, paths: Vec<PathBuf>) {
        self.apply(AppCommand::Traces(TracesCommand::Compare(paths)));
    }

    /// The comparison shown, if any.
    pub fn trace_comparison(&self) -> Option<&Comparison> {
        self.traces.comparison.as_ref()
    }

    pub(super) fn apply_traces(&mut self, command: TracesCommand) {
        match command {
            TracesCommand::Pick => self.show_dialog(DialogPurpose::CompareTraces, None),
            TracesCommand::Compare(paths) => self.start_comparison(paths),
            TracesCommand::ShowOverlay(show) => {
                if let Some(comparison) = &mut self.traces.comparison {
                    comparison.show_overlay = show;
                }
            }
            TracesCommand::SetThreshold(threshold) => {
                if let Some(comparison) = &mut self.traces.comparison
                    && threshold.is_finite()
                    && threshold > 0.0
                {
                    comparison.threshold = threshold;
                    comparison.diff =
                        diff::compare(&self.doc.topology, &comparison.outcome, threshold);
                }
            }
            TracesCommand::Close => self.traces.comparison = None,
        }
    }

    fn start_comparison(&mut self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            self.set_status("Choose at least one trace file to compare with", true);
            return;
        }
        if self.traces.running.is_some() {
            self.set_status("Traces are being read already", false);
            return;
        }
        self.set_status(format!("Reading {}…", files_label(&paths)), false);
        self.traces.running = Some(paths.clone());
        self.tasks.spawn("compare", move || {
            let result = crate::import::import_paths(&paths, &ImportOptions::default())
                .map(Box::new)
                .map_err(|e| e.to_string());
            TaskResult::Compared { paths, result }
        });
    }

    /// Takes in the sources read: the comparison, or the error (shown as
    /// an import's: in the status bar and the *Import report* tab).
    pub(super) fn on_compared(
        &mut self,
        paths: Vec<PathBuf>,
        result: Result<Box<ImportOutcome>, String>,
    ) {
        self.traces.running = None;
        let label = files_label(&paths);
        match result {
            Ok(outcome) => {
                let threshold = self
                    .traces
                    .comparison
                    .as_ref()
                    .map_or(diff::DEFAULT_THRESHOLD, |c| c.threshold);
                let diff = diff::compare(&self.doc.topology, &outcome, threshold);
                let message = match diff.differences() {
                    0 => format!("Compared with {label}: the design agrees with it"),
                    1 => format!("Compared with {label}: 1 difference"),
                    n => format!("Compared with {label}: {n} differences"),
                };
                self.set_status(message, false);
                self.traces.comparison = Some(Comparison {
                    paths,
                    outcome,
                    threshold,
                    diff,
                    show_overlay: true,
                    key: (self.doc_serial, self.doc.revision),
                });
            }
            Err(message) => {
                self.set_status(format!("Could not read {label}: {message}"), true);
                self.show_import_report(ImportReport {
                    paths,
                    result: Err(message),
                });
            }
        }
    }

    /// Compares again when the document changed (an edit, an undo, another
    /// document).
    pub(super) fn track_traces(&mut self) {
        let key = (self.doc_serial, self.doc.revision);
        if let Some(comparison) = &mut self.traces.comparison
            && comparison.key != key
        {
            comparison.diff = diff::compare(
                &self.doc.topology,
                &comparison.outcome,
                comparison.threshold,
            );
            comparison.key = key;
        }
    }

    /// The File → Compare with traces… dialog returned.
    pub(super) fn on_picked_traces(&mut self, paths: Vec<PathBuf>, failed: bool) {
        if !paths.is_empty() {
            self.start_comparison(paths);
        } else if failed {
            self.set_status(
                "The system file dialog could not open (no desktop portal or zenity): type the trace file's path.",
                true,
            );
            self.path_box_for(DialogPurpose::CompareTraces);
        }
    }
}
