//! Screenshots: View → Save screenshot, and `archsim FILE --screenshot OUT.png`,
//! which waits until the file is open and the layout has settled, saves the
//! window as a PNG and closes the app.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::app::App;
use super::tasks::TaskResult;

/// Frames to render after everything settled before taking the picture.
const SETTLE_FRAMES: u32 = 4;
/// Give up after this long.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The outcome of a `--screenshot` run, read by [`super::run`] after the
/// window closed.
pub type Outcome = Arc<Mutex<Option<Result<PathBuf, String>>>>;

/// A `--screenshot` run in progress.
#[derive(Debug)]
pub struct ScreenshotRun {
    pub path: PathBuf,
    pub outcome: Outcome,
    started: Instant,
    settled_frames: u32,
    requested: bool,
}

impl ScreenshotRun {
    pub fn new(path: PathBuf, outcome: Outcome) -> Self {
        ScreenshotRun {
            path,
            outcome,
            started: Instant::now(),
            settled_frames: 0,
            requested: false,
        }
    }
}

/// Asks the renderer for the next frame's pixels; they are written on a
/// background thread.
pub fn request(app: &mut App, path: PathBuf) {
    let Some(ctx) = app.ctx.get().cloned() else {
        return;
    };
    let handle = app.tasks.expect_later();
    let out = path.clone();
    ctx.request_screenshot(move |image| {
        handle.run(move || TaskResult::ScreenshotSaved {
            result: super::files::write_png(&out, &image),
            path: out,
        });
    });
    if app.screenshot.is_none() {
        app.set_status(format!("Saving screenshot {}…", path.display()), false);
    }
}

/// Called when a screenshot was written.
pub fn saved(app: &mut App, path: PathBuf, result: Result<(), String>) {
    match &result {
        Ok(()) => app.set_status(format!("Saved screenshot {}", path.display()), false),
        Err(message) => app.set_status(format!("Screenshot not saved: {message}"), true),
    }
    if let Some(run) = &app.screenshot
        && run.path == path
    {
        // A picture of a file that did not open is still a failure.
        let result = match (&app.open_failure, result) {
            (Some(failure), Ok(())) => Err(format!(
                "{} did not open ({} problem{}); {} shows them",
                failure.path.display(),
                failure.problems.len(),
                if failure.problems.len() == 1 { "" } else { "s" },
                path.display()
            )),
            (_, result) => result
                .map(|()| path)
                .map_err(|e| format!("no screenshot: {e}")),
        };
        if let Ok(mut outcome) = run.outcome.lock() {
            *outcome = Some(result);
        }
        app.pending = super::app::PendingAction::Closing;
        if let Some(ctx) = app.ctx.get() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

/// One frame of a `--screenshot` run: wait for a settled view, then shoot.
pub fn step(app: &mut App, ctx: &egui::Context) {
    let idle = app.is_idle();
    let Some(run) = &mut app.screenshot else {
        return;
    };
    if run.requested {
        return;
    }
    if run.started.elapsed() > TIMEOUT {
        if let Ok(mut outcome) = run.outcome.lock() {
            *outcome = Some(Err(format!(
                "no screenshot: the view did not settle within {} s",
                TIMEOUT.as_secs()
            )));
        }
        app.pending = super::app::PendingAction::Closing;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        return;
    }
    let settled = idle && !app.canvas.fit_requested && app.fit_at_generation.is_none();
    run.settled_frames = if settled { run.settled_frames + 1 } else { 0 };
    ctx.request_repaint();
    if run.settled_frames >= SETTLE_FRAMES {
        run.requested = true;
        let path = run.path.clone();
        request(app, path);
    }
}
