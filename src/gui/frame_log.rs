//! Frame time logging for performance work: with `ARCHSIM_FRAME_TIMES=1` the
//! app prints, every 120 frames, the CPU time its UI code took per frame
//! (mean, 95th percentile, max) to stderr. eframe's own measure of the whole
//! frame (UI plus tessellation) is logged next to it.

use std::time::Duration;

/// Frames per report.
const WINDOW: usize = 120;

#[derive(Debug, Default)]
pub struct FrameLog {
    ui_ms: Vec<f64>,
    frame_ms: Vec<f64>,
}

impl FrameLog {
    /// Logging is on when `ARCHSIM_FRAME_TIMES` is set (to anything but `0`).
    pub fn from_env() -> Option<FrameLog> {
        std::env::var_os("ARCHSIM_FRAME_TIMES")
            .filter(|v| v != "0")
            .map(|_| FrameLog::default())
    }

    /// Time spent in the app's UI code this frame.
    pub fn record(&mut self, ui: Duration) {
        self.ui_ms.push(ui.as_secs_f64() * 1000.0);
        if self.ui_ms.len() >= WINDOW {
            eprintln!(
                "archsim frame times: ui {}; whole frame {}",
                summary(&mut self.ui_ms),
                summary(&mut self.frame_ms)
            );
            self.ui_ms.clear();
            self.frame_ms.clear();
        }
    }

    /// eframe's CPU time of the previous whole frame, in seconds.
    pub fn record_frame(&mut self, cpu_s: Option<f32>) {
        if let Some(cpu_s) = cpu_s {
            self.frame_ms.push(f64::from(cpu_s) * 1000.0);
        }
    }
}

/// `mean 1.2 ms, p95 2.0 ms, max 3.1 ms (120 frames)`.
pub fn summary(values: &mut [f64]) -> String {
    if values.is_empty() {
        return "n/a".to_owned();
    }
    values.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let p95 = values[((values.len() as f64 * 0.95).ceil() as usize).clamp(1, values.len()) - 1];
    let max = values[values.len() - 1];
    format!(
        "mean {mean:.2} ms, p95 {p95:.2} ms, max {max:.2} ms ({} frames)",
        values.len()
    )
}
