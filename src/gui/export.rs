//! File → Export ▸: the graph (SVG, PNG, DOT, Mermaid), the reports (HTML,
//! Markdown) and the data (summary JSON, CSV tables). Everything is written
//! by the core's [`crate::report::export`] on a background thread; exports
//! that need simulated runs simulate the document's scenarios first, with
//! progress shown and a Cancel button.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use egui::{RichText, Ui};

use crate::model::Topology;
use crate::report::runs::{Progress, run_scenarios, select_scenarios};
use crate::report::{ExportInput, ExportKind, ReportError, ReportOptions, check_output, export};

use super::app::App;
use super::command::{AppCommand, Selection};
use super::tasks::TaskResult;

/// The export running now, and how the last one ended.
#[derive(Debug, Default)]
pub struct ExportState {
    pub running: Option<RunningExport>,
    /// The files the last export wrote, or why it failed.
    pub last: Option<Result<Vec<PathBuf>, String>>,
}

/// An export in progress.
#[derive(Debug)]
pub struct RunningExport {
    pub kind: ExportKind,
    pub path: PathBuf,
    pub progress: Arc<Mutex<ExportProgress>>,
    cancel: Arc<AtomicBool>,
    started: Instant,
}

/// Where a running export is, written by its thread.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportProgress {
    /// What it does now, e.g. "Simulating “baseline” (1 of 4): 12 of 60 s".
    pub stage: String,
    /// 0..1 over all scenarios.
    pub fraction: f32,
}

/// Which scenarios an export of `kind` simulates: none for a graph; the
/// selected scenario (else the default one) for the JSON summary, which
/// holds one run; every scenario for the reports and CSV tables.
pub fn scenarios_for(kind: ExportKind, topology: &Topology, selection: &Selection) -> Scenarios {
    if !kind.needs_runs() {
        return Scenarios::None;
    }
    if kind == ExportKind::SummaryJson {
        let name = match selection {
            Selection::Scenario(i) => topology.scenarios.get(*i).map(|s| s.name.clone()),
            _ => None,
        };
        return Scenarios::One(name);
    }
    Scenarios::All
}

/// The scenarios an export simulates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenarios {
    None,
    /// This one by name, or the default scenario.
    One(Option<String>),
    All,
}

impl Scenarios {
    /// For the menu: "(simulates all 4 scenarios)".
    fn describe(&self, topology: &Topology) -> String {
        match self {
            Scenarios::None => String::new(),
            Scenarios::One(Some(name)) => format!("simulates scenario “{name}”"),
            Scenarios::One(None) => match topology.scenarios.first() {
                Some(s) => format!("simulates the default scenario “{}”", s.name),
                None => "simulates the default scenario".to_owned(),
            },
            Scenarios::All => match topology.scenarios.len() {
                0 | 1 => "simulates the default scenario".to_owned(),
                n => format!("simulates all {n} scenarios"),
            },
        }
    }
}

/// The save dialog's suggested file name: `online-boutique-report.html`.
pub fn suggested_file_name(slug: &str, kind: ExportKind) -> String {
    format!("{slug}-{}", kind.default_file_name())
}

impl App {
    /// Writes `kind` of the open document to `path` in the background
    /// (simulating its scenarios first when `kind` needs runs). The outcome
    /// is in the status bar and in [`App::last_export`].
    pub fn export_to(&mut self, kind: ExportKind, path: PathBuf) {
        self.apply(AppCommand::ExportTo(kind, path));
    }

    /// How the last export ended: the files written, or why not.
    pub fn last_export(&self) -> Option<&Result<Vec<PathBuf>, String>> {
        self.export.last.as_ref()
    }

    pub(super) fn start_export(&mut self, kind: ExportKind, path: PathBuf) {
        if self.export.running.is_some() {
            self.set_status("An export is running already; wait or cancel it", true);
            return;
        }
        let scenarios = scenarios_for(kind, &self.doc.topology, &self.selection);
        let progress = Arc::new(Mutex::new(ExportProgress {
            stage: if kind.needs_runs() {
                "Checking the topology…".to_owned()
            } else {
                format!("Writing the {}…", kind.label())
            },
            fraction: 0.0,
        }));
        let cancel = Arc::new(AtomicBool::new(false));
        let job = ExportJob {
            kind,
            path: path.clone(),
            topology: self.doc.topology.clone(),
            source: self.doc.path.clone(),
            scenarios,
            progress: Arc::clone(&progress),
            cancel: Arc::clone(&cancel),
            ctx: Arc::clone(&self.ctx),
        };
        self.set_status(
            format!("Exporting the {} to {}…", kind.label(), path.display()),
            false,
        );
        self.export.running = Some(RunningExport {
            kind,
            path,
            progress,
            cancel,
            started: Instant::now(),
        });
        self.tasks.spawn("export", move || TaskResult::Exported {
            kind,
            result: job.run(),
        });
    }

    pub(super) fn cancel_export(&mut self) {
        if let Some(running) = &self.export.running {
            running.cancel.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn on_exported(&mut self, kind: ExportKind, result: Result<Vec<PathBuf>, String>) {
        self.export.running = None;
        match &result {
            Ok(written) => {
                let main = written
                    .first()
                    .map_or_else(String::new, |p| p.display().to_string());
                let more = match written.len() {
                    0 | 1 => String::new(),
                    n => format!(
                        " and {} image{} beside it",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    ),
                };
                self.set_status(
                    format!("Exported the {} to {main}{more}", kind.label()),
                    false,
                );
            }
            Err(message) if *message == ReportError::Cancelled.to_string() => {
                self.set_status(format!("Export of the {} cancelled", kind.label()), false)
            }
            Err(message) => {
                self.set_status(format!("{} not exported: {message}", kind.label()), true)
            }
        }
        self.export.last = Some(result);
    }
}

/// Everything the export thread needs.
struct ExportJob {
    kind: ExportKind,
    path: PathBuf,
    topology: Topology,
    source: Option<PathBuf>,
    scenarios: Scenarios,
    progress: Arc<Mutex<ExportProgress>>,
    cancel: Arc<AtomicBool>,
    /// To wake the UI when the progress moves.
    ctx: Arc<OnceLock<egui::Context>>,
}

impl ExportJob {
    fn run(self) -> Result<Vec<PathBuf>, String> {
        let checked = crate::model::check(self.topology.clone()).map_err(|diagnostics| {
            let errors: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            format!(
                "the topology has {} problem{}; fix {} first (see Problems): {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                if errors.len() == 1 { "it" } else { "them" },
                errors.first().map_or("", String::as_str)
            )
        })?;
        let source = self.source.as_deref();
        // Fail at once on a bad path, not after a long simulation.
        check_output(source, &self.path).map_err(|e| e.to_string())?;
        let topology = checked.topology();
        let chosen = match &self.scenarios {
            Scenarios::None => Vec::new(),
            Scenarios::One(name) => {
                select_scenarios(topology, name.as_slice(), false).map_err(|e| e.to_string())?
            }
            Scenarios::All => select_scenarios(topology, &[], true).map_err(|e| e.to_string())?,
        };
        let runs = if chosen.is_empty() {
            Vec::new()
        } else {
            let mut on_progress = |p: Progress<'_>| self.report(&p);
            run_scenarios(&checked, &chosen, &mut on_progress, Some(&self.cancel))
                .map_err(|e| e.to_string())?
        };
        if let Ok(mut progress) = self.progress.lock() {
            progress.stage = format!("Writing the {}…", self.kind.label());
            progress.fraction = 1.0;
        }
        let source_name = source
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let options = ReportOptions::now(source_name).map_err(|e| e.to_string())?;
        let input = ExportInput {
            checked: &checked,
            runs: &runs,
            options: &options,
            source,
        };
        export(self.kind, &input, &self.path).map_err(|e| e.to_string())
    }

    fn report(&self, p: &Progress<'_>) {
        if let Ok(mut progress) = self.progress.lock() {
            progress.stage = format!(
                "Simulating “{}” ({} of {}): {:.0} of {:.0} s",
                p.scenario,
                p.index + 1,
                p.count,
                p.simulated_s,
                p.duration_s
            );
            progress.fraction = if p.total_s > 0.0 {
                (p.total_done_s / p.total_s).clamp(0.0, 1.0) as f32
            } else {
                0.0
            };
        }
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// File → Export ▸.
pub fn export_menu_ui(
    ui: &mut Ui,
    topology: &Topology,
    selection: &Selection,
    busy: bool,
    out: &mut Vec<AppCommand>,
) {
    ui.label(RichText::new("Graph").small().weak());
    for kind in ExportKind::ALL.into_iter().filter(|k| !k.needs_runs()) {
        if ui
            .add_enabled(!busy, egui::Button::new(format!("{}…", kind.label())))
            .clicked()
        {
            out.push(AppCommand::Export(kind));
        }
    }
    ui.separator();
    ui.label(RichText::new("Simulation results").small().weak());
    let runnable = !topology.workload.is_empty();
    for kind in ExportKind::ALL.into_iter().filter(|k| k.needs_runs()) {
        let what = scenarios_for(kind, topology, selection).describe(topology);
        let button = ui
            .add_enabled(
                !busy && runnable,
                egui::Button::new(format!("{}…", kind.label())),
            )
            .on_hover_text(format!("Runs the simulation first: {what}."))
            .on_disabled_hover_text(if runnable {
                "An export is running".to_owned()
            } else {
                "Add a workload entry first: there is nothing to simulate.".to_owned()
            });
        if button.clicked() {
            out.push(AppCommand::Export(kind));
        }
    }
}

/// The progress of a running export, with Cancel.
pub fn progress_window_ui(app: &App, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    let Some(running) = &app.export.running else {
        return;
    };
    // Quick exports (a graph) finish before anyone could read a window.
    if !running.kind.needs_runs() && running.started.elapsed().as_secs_f32() < 0.5 {
        return;
    }
    let progress = running
        .progress
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default();
    egui::Window::new("Exporting")
        .id(egui::Id::unique("export-progress"))
        .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -40.0])
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.set_width(340.0);
            ui.label(
                RichText::new(format!(
                    "{} → {}",
                    running.kind.label(),
                    running.path.display()
                ))
                .strong(),
            );
            ui.label(&progress.stage);
            ui.add(egui::ProgressBar::new(progress.fraction).show_percentage());
            if running.kind.needs_runs() && ui.button("Cancel").clicked() {
                out.push(AppCommand::CancelExport);
            }
        });
}
