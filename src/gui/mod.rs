//! The desktop app (cargo feature "gui"): app state, one file per panel, background runs.

use std::path::PathBuf;

/// Opens the app window; returns when it is closed.
pub fn run(file: Option<PathBuf>, screenshot: Option<PathBuf>) -> anyhow::Result<()> {
    let _ = (file, screenshot);
    anyhow::bail!("the desktop app is not built yet")
}
