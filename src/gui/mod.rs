//! The desktop app (cargo feature "gui"): app state, one file per panel,
//! background work.
//!
//! Shape: [`App`] holds the saved [`Settings`], the [`OpenDocument`] with
//! its undo history, and runtime state (selection, camera, background
//! tasks). Each frame, panels read the state and push [`AppCommand`]s;
//! [`App::apply`] applies them in one place, where edits become undo steps.
//! Validation, analysis and layout run on a worker thread (`derive`); file
//! dialogs, loading and saving on short-lived threads (`tasks`).

mod analysis;
mod app;
mod apply;
mod camera;
mod canvas;
mod command;
mod derive;
mod dialogs;
mod document;
mod edit;
mod experiments;
mod export;
mod files;
mod frame_log;
mod import;
mod inspector;
mod marks;
mod menu;
mod outline;
mod overview;
mod paint;
mod problems;
pub mod recovery;
mod scene;
mod screenshot;
mod search;
mod settings;
mod shapes;
mod sim;
mod tasks;
mod theme;
mod tooltip;
mod traces;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use app::{App, EXAMPLE_JSON, PendingAction};
pub use camera::Camera;
pub use canvas::CanvasState;
pub use command::{AppCommand, Edit, RecoveryAnswer, Selection, UnsavedAnswer};
pub use derive::{DeriveRequest, Derived, derive};
pub use document::OpenDocument;
pub use experiments::{
    Band, CapacityGoal, ChartPoint, EntryBands, ExpCommand, ExpForm, ExpKind, ExpRecord, ExpState,
    KNEE_FACTOR, Knee, KneeReason, Metric, NO_SLO_HELP, Outcome, ReplicatedRun, SweepChart,
    VaryChoice, capacity_lines, choices, knee, shell_word, sweep_chart,
};
pub use export::{ExportProgress, ExportState};
pub use import::{ImportReport, ImportState, ImportedSummary};
pub use paint::{Mark, Marks};
pub use problems::{OpenFailure, Problem, load as load_checked};
pub use scene::{NodeId, Scene, SceneOptions};
pub use settings::{BottomTab, Settings};
pub use sim::{NodeLive, Overlay, RunPhase, RunRecord, SimCommand, SimState};
pub use traces::{Comparison, SceneOverlay, TracesCommand, TracesState};

/// The window icon (a small dependency graph), 256×256.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Opens the app window; returns when it is closed. With `screenshot`, the
/// window closes by itself once the picture is saved. With `compare_traces`
/// (traces, compose files or manifests), the document is compared with them
/// as by File → Compare with traces….
pub fn run(
    file: Option<PathBuf>,
    screenshot: Option<PathBuf>,
    compare_traces: Vec<PathBuf>,
) -> anyhow::Result<()> {
    let outcome: screenshot::Outcome = Arc::new(Mutex::new(None));
    let shooting = screenshot.is_some();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("archsim")
        .with_app_id("archsim")
        .with_inner_size([1440.0, 900.0])
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    // The icon is compiled in; a broken one would only cost the icon.
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // A screenshot run must look the same every time: no stored window
        // size, panel sizes or recent files.
        persist_window: !shooting,
        ..Default::default()
    };
    let for_app = Arc::clone(&outcome);
    let start_file = file;
    eframe::run_native(
        "archsim",
        options,
        Box::new(move |cc| {
            let settings = match (shooting, cc.storage) {
                (false, Some(storage)) => eframe::get_value(storage, settings::STORAGE_KEY).unwrap_or_default(),
                _ => Settings::default(),
            };
            if shooting {
                // Start from egui's defaults, not from a stored layout.
                cc.egui_ctx.memory_mut(|m| *m = Default::default());
            }
            let mut app = App::new(settings);
            app.shooting = shooting;
            if !shooting {
                // Autosave of unsaved edits, and the offer to restore those
                // a crashed or killed session left.
                app.recovery = recovery::Recovery::in_data_dir();
            }
            // First start: the example. Later starts resume the last file.
            let last = app.settings.recent_files.first().filter(|p| p.exists()).cloned();
            match (start_file, last) {
                (Some(path), _) => app.open_path(path),
                (None, Some(path)) if app.settings.example_shown && !shooting => app.open_path(path),
                (None, _) => {
                    app.open_example();
                    app.settings.example_shown = true;
                }
            }
            if !compare_traces.is_empty() {
                app.compare_traces(compare_traces);
            }
            if let Some(path) = screenshot {
                app.screenshot = Some(screenshot::ScreenshotRun::new(path, for_app));
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the app window: {err}. On Linux, check that DISPLAY or WAYLAND_DISPLAY is set and OpenGL works; the CLI subcommands need no window"))?;

    if shooting {
        let result = outcome
            .lock()
            .map_err(|_| anyhow::anyhow!("the screenshot thread failed"))?
            .take();
        match result {
            Some(Ok(path)) => eprintln!("saved {}", path.display()),
            Some(Err(message)) => anyhow::bail!("{message}"),
            None => anyhow::bail!("no screenshot: the window closed before it was taken"),
        }
    }
    Ok(())
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.record_frame_cpu(frame.info().cpu_usage);
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.shooting {
            eframe::set_value(storage, settings::STORAGE_KEY, &self.settings);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        !self.shooting
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A clean exit: the changes were saved, or knowingly dropped after
        // "save the changes?". Anything else keeps the recovery file.
        if !self.doc.is_dirty() || self.pending == PendingAction::Closing {
            self.recovery.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).unwrap();
        assert_eq!((icon.width, icon.height), (256, 256));
    }
}
