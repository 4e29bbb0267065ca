//! Crash recovery: unsaved edits are written every few seconds to a recovery
//! file in the platform's data directory (`~/.local/share/archsim/recovery`
//! on Linux), atomically, on a background thread, and never over the user's
//! own file. A save, undoing back to the saved state, or a clean exit
//! removes it. When the app starts and finds a recovery file left by an
//! instance that is gone (a crash, a kill, a power cut), it offers to
//! restore or discard it, saying when the edits were made. The "save
//! changes?" prompt is unchanged.
//!
//! A recovery file is a topology file in canonical form with one more
//! top-level key, `x-archsim-recovery` (when, which file, which process), so
//! that it also opens as an ordinary topology file.
//!
//! Off unless enabled ([`Recovery::in_data_dir`] at startup, or
//! [`Recovery::in_dir`] in tests), so that tests and `--screenshot` runs never
//! touch the user's data directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use egui::{Modal, RichText};
use serde::{Deserialize, Serialize};

use crate::model::Topology;

use super::app::{App, PendingAction};
use super::command::{AppCommand, RecoveryAnswer};
use super::document::OpenDocument;
use super::tasks::TaskResult;

/// How often unsaved edits are written at most.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(5);

/// The top-level key of a recovery file that says what it is.
pub const RECOVERY_KEY: &str = "x-archsim-recovery";

/// Environment variable that overrides the folder of recovery files.
pub const RECOVERY_DIR_ENV: &str = "ARCHSIM_RECOVERY_DIR";

/// What a recovery file says about itself (its `x-archsim-recovery` key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryStamp {
    /// When the edits were written, in seconds since 1970 (UTC).
    pub saved_at_unix_s: u64,
    /// The file the document belongs to (`None` for a new or imported one).
    pub path: Option<PathBuf>,
    /// The process that wrote it.
    pub pid: u32,
}

/// A recovery file found at startup, waiting for the user's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// The recovery file.
    pub file: PathBuf,
    pub stamp: RecoveryStamp,
    /// The unsaved document (without the `x-archsim-recovery` key).
    pub topology: Topology,
}

/// Autosave state of one app instance.
#[derive(Debug, Default)]
pub struct Recovery {
    /// This instance's recovery file; `None` when recovery is off.
    own_file: Option<PathBuf>,
    /// What the recovery file holds: (document serial, revision).
    written: Option<(u64, u64)>,
    /// The write under way, if any (one at a time).
    in_flight: Option<(u64, u64)>,
    last_write: Option<Instant>,
    /// Bumped (under the lock) each time the file is removed: a write
    /// started before that finds another number and writes nothing.
    epoch: Arc<Mutex<u64>>,
    /// Recovery files of earlier sessions, newest first.
    pub offers: Vec<Offer>,
    /// Why the last autosave failed (said once in the status bar).
    pub failure: Option<String>,
}

impl Recovery {
    /// Recovery in `$ARCHSIM_RECOVERY_DIR`, else in the platform's data
    /// directory (none on a platform that has none).
    pub fn in_data_dir() -> Recovery {
        let dir = std::env::var_os(RECOVERY_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| eframe::storage_dir("archsim").map(|d| d.join("recovery")));
        match dir {
            Some(dir) => Recovery::in_dir(dir),
            None => Recovery::default(),
        }
    }

    /// Recovery in `dir`; looks there for files left by earlier sessions.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Recovery {
        let dir = dir.into();
        let offers = find_offers(&dir);
        // Unique per instance: the process id and when it started, so that a
        // reused process id never overwrites a file still to be offered.
        let started_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let own_file = dir.join(format!("unsaved-{}-{started_ms}.json", std::process::id()));
        Recovery {
            own_file: Some(own_file),
            offers,
            ..Recovery::default()
        }
    }

    /// Whether autosave is on.
    pub fn enabled(&self) -> bool {
        self.own_file.is_some()
    }

    /// This instance's recovery file (it exists only while there are
    /// unsaved changes).
    pub fn own_file(&self) -> Option<&Path> {
        self.own_file.as_deref()
    }

    /// Removes this instance's recovery file: nothing is unsaved any more.
    /// A write still under way is dropped.
    pub fn clear(&mut self) {
        let Some(file) = &self.own_file else {
            return;
        };
        // A poisoned lock only means a writer panicked; the number is intact.
        let mut epoch = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        *epoch += 1;
        let _ = std::fs::remove_file(file);
        drop(epoch);
        self.written = None;
        self.in_flight = None;
    }
}

/// Writes or removes this instance's recovery file as the document needs;
/// called every frame, starts a write at most every [`AUTOSAVE_INTERVAL`].
pub fn step(app: &mut App) {
    let Some(file) = app.recovery.own_file.clone() else {
        return;
    };
    if app.shooting || app.recovery.in_flight.is_some() {
        // One write at a time; its result comes back as a task result.
        return;
    }
    if !app.doc.is_dirty() {
        if app.recovery.written.is_some() {
            app.recovery.clear();
        }
        return;
    }
    let key = (app.doc_serial, app.doc.revision);
    if app.recovery.written == Some(key) {
        return;
    }
    if let Some(last) = app.recovery.last_write {
        let wait = AUTOSAVE_INTERVAL.saturating_sub(last.elapsed());
        if !wait.is_zero() {
            // No frame may come by itself (nothing moves): ask for one.
            if let Some(ctx) = app.ctx.get() {
                ctx.request_repaint_after(wait);
            }
            return;
        }
    }
    app.recovery.last_write = Some(Instant::now());
    app.recovery.in_flight = Some(key);
    let epoch = Arc::clone(&app.recovery.epoch);
    let started_epoch = *epoch.lock().unwrap_or_else(|e| e.into_inner());
    let topology = app.doc.topology.clone();
    let path = app.doc.path.clone();
    app.tasks.spawn("autosave", move || {
        let result = write(&file, topology, path, &epoch, started_epoch);
        TaskResult::Autosaved { key, result }
    });
}

/// The autosave of `key` finished (see [`step`]).
pub(super) fn written(app: &mut App, key: (u64, u64), result: Result<(), String>) {
    if app.recovery.in_flight != Some(key) {
        // Cleared while it ran: it wrote nothing.
        return;
    }
    app.recovery.in_flight = None;
    match result {
        Ok(()) => {
            app.recovery.written = Some(key);
            app.recovery.failure = None;
        }
        Err(message) => {
            if app.recovery.failure.as_ref() != Some(&message) {
                app.set_status(
                    format!("Autosave failed: {message}. Save the document to keep your changes"),
                    true,
                );
            }
            app.recovery.failure = Some(message);
        }
    }
}

/// Writes the document to the recovery `file`, atomically, unless the file
/// was cleared since the write started (`epoch` moved on).
fn write(
    file: &Path,
    mut topology: Topology,
    path: Option<PathBuf>,
    epoch: &Mutex<u64>,
    started_epoch: u64,
) -> Result<(), String> {
    let stamp = RecoveryStamp {
        saved_at_unix_s: now_unix_s(),
        path: path.clone(),
        pid: std::process::id(),
    };
    let stamp = serde_json::to_value(&stamp).map_err(|e| e.to_string())?;
    topology.extensions.insert(RECOVERY_KEY.to_owned(), stamp);
    let text = crate::model::to_json_string(&topology);
    let dir = file.parent().unwrap_or(Path::new("."));
    let guard = epoch.lock().unwrap_or_else(|e| e.into_inner());
    if *guard != started_epoch {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the recovery folder {}: {e}; set {RECOVERY_DIR_ENV} to a writable folder",
            dir.display()
        )
    })?;
    if let Some(path) = &path {
        crate::model::refuse_overwriting_inputs(file, &[path]).map_err(|e| e.to_string())?;
    }
    crate::model::write_atomic(file, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// Reads a recovery file: its stamp and the document.
pub fn read(file: &Path) -> Result<(RecoveryStamp, Topology), String> {
    let text = crate::model::read_text(file).map_err(|e| e.to_string())?;
    let mut topology =
        crate::model::load_str(&text, &file.display().to_string()).map_err(|e| e.to_string())?;
    let stamp = topology.extensions.remove(RECOVERY_KEY).ok_or_else(|| {
        format!(
            "{}: not a recovery file (no {RECOVERY_KEY})",
            file.display()
        )
    })?;
    let stamp: RecoveryStamp = serde_json::from_value(stamp)
        .map_err(|e| format!("{}: {RECOVERY_KEY}: {e}", file.display()))?;
    Ok((stamp, topology))
}

/// Recovery files in `dir` left by instances that are no longer running,
/// newest first. Files that do not read are skipped (and left alone).
fn find_offers(dir: &Path) -> Vec<Offer> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut offers: Vec<Offer> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("unsaved-") && n.ends_with(".json"))
        })
        .filter_map(|file| {
            let (stamp, topology) = read(&file).ok()?;
            let alive = stamp.pid != std::process::id() && process_running(stamp.pid);
            (!alive).then_some(Offer {
                file,
                stamp,
                topology,
            })
        })
        .collect();
    offers.sort_by(|a, b| {
        b.stamp
            .saved_at_unix_s
            .cmp(&a.stamp.saved_at_unix_s)
            .then_with(|| a.file.cmp(&b.file))
    });
    offers
}

/// Whether another archsim with this process id still runs (then its file
/// is its own live autosave, not something to recover).
fn process_running(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if !proc_dir.is_dir() {
        // No way to tell here: offer the file (restoring twice is harmless).
        return false;
    }
    std::fs::read_to_string(proc_dir.join(pid.to_string()).join("comm"))
        .is_ok_and(|name| name.trim().starts_with("archsim"))
}

fn now_unix_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-12-05 09:41 UTC (3 minutes ago)`.
pub fn when(saved_at_unix_s: u64, now_unix_s: u64) -> String {
    let seconds = i64::try_from(saved_at_unix_s).unwrap_or(i64::MAX);
    let minute_of_day = seconds.rem_euclid(86_400) / 60;
    let stamp = format!(
        "{} {:02}:{:02} UTC",
        crate::report::format::date_of(seconds),
        minute_of_day / 60,
        minute_of_day % 60
    );
    let age_s = now_unix_s.saturating_sub(saved_at_unix_s);
    let age = match age_s {
        0..60 => "less than a minute ago".to_owned(),
        60..120 => "1 minute ago".to_owned(),
        120..7_200 => format!("{} minutes ago", age_s / 60),
        7_200..172_800 => format!("{} hours ago", age_s / 3_600),
        _ => format!("{} days ago", age_s / 86_400),
    };
    format!("{stamp} ({age})")
}

/// Asks about the newest recovery file, if any (one at a time), once the
/// app is free: no other question, nothing loading, nothing unsaved that
/// restoring would replace.
pub fn offer_ui(app: &App, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    let Some(offer) = app.recovery.offers.first() else {
        return;
    };
    if app.pending != PendingAction::None
        || app.tasks.pending() > 0
        || app.doc.is_dirty()
        || app.screenshot.is_some()
    {
        return;
    }
    Modal::new(egui::Id::unique("recovery-offer")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.label(RichText::new("Restore unsaved changes?").strong());
        let what = match &offer.stamp.path {
            Some(path) => format!("{}", path.display()),
            None => "a document that was never saved".to_owned(),
        };
        ui.label(format!(
            "archsim closed without saving changes to “{}” ({what}).",
            offer.topology.name
        ));
        ui.label(format!(
            "Last changes: {}.",
            when(offer.stamp.saved_at_unix_s, now_unix_s())
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let answer = if ui.button("Restore").clicked() {
                Some(RecoveryAnswer::Restore)
            } else if ui.button("Discard").clicked() {
                Some(RecoveryAnswer::Discard)
            } else if ui.button("Not now").clicked() {
                Some(RecoveryAnswer::Later)
            } else {
                None
            };
            if let Some(answer) = answer {
                out.push(AppCommand::AnswerRecovery(answer));
            }
        });
    });
}

/// Applies the answer to the newest offer.
pub(super) fn answer_offer(app: &mut App, answer: RecoveryAnswer) {
    if app.recovery.offers.is_empty() {
        return;
    }
    let offer = app.recovery.offers.remove(0);
    let stamp = when(offer.stamp.saved_at_unix_s, now_unix_s());
    match answer {
        RecoveryAnswer::Restore => {
            let mut doc = OpenDocument::imported(offer.topology, format!("recovered from {stamp}"));
            doc.path = offer.stamp.path;
            app.install(
                doc,
                &format!("Restored the unsaved changes of {stamp}; save them to keep them"),
            );
            // This instance's autosave takes over at once; the old file goes.
            app.recovery.written = None;
            app.recovery.last_write = None;
            let _ = std::fs::remove_file(&offer.file);
        }
        RecoveryAnswer::Discard => match std::fs::remove_file(&offer.file) {
            Ok(()) => app.set_status(format!("Discarded the unsaved changes of {stamp}"), false),
            Err(e) => app.set_status(
                format!(
                    "Could not delete the recovery file {}: {e}; delete it by hand",
                    offer.file.display()
                ),
                true,
            ),
        },
        RecoveryAnswer::Later => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_reads_as_a_date_and_an_age() {
        // 2026-12-05 09:41:00 UTC.
        let t = 1_796_463_660;
        assert_eq!(
            when(t, t + 30),
            "2026-12-05 09:41 UTC (less than a minute ago)"
        );
        assert_eq!(when(t, t + 600), "2026-12-05 09:41 UTC (10 minutes ago)");
        assert_eq!(when(t, t + 3 * 86_400), "2026-12-05 09:41 UTC (3 days ago)");
    }

    #[test]
    fn a_recovery_file_reads_back_with_its_stamp_and_extensions() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let file = dir.path().join("unsaved-1-2.json");
        let mut topology = crate::model::from_json_str(
            r#"{"name": "t", "x-team": "core", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}]}"#,
        )
        .unwrap_or_else(|e| panic!("parse: {e}"));
        let epoch = Mutex::new(0);
        write(
            &file,
            topology.clone(),
            Some(PathBuf::from("/x/t.json")),
            &epoch,
            0,
        )
        .unwrap_or_else(|e| panic!("write: {e}"));
        let (stamp, read_back) = read(&file).unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(stamp.path.as_deref(), Some(Path::new("/x/t.json")));
        assert_eq!(stamp.pid, std::process::id());
        topology.extensions.remove(RECOVERY_KEY);
        assert_eq!(read_back, topology, "x- keys survive the round trip");
    }

    #[test]
    fn a_write_started_before_a_clear_writes_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let file = dir.path().join("unsaved-1-2.json");
        let topology = crate::gui::app::empty_topology();
        let epoch = Mutex::new(1);
        write(&file, topology, None, &epoch, 0).unwrap_or_else(|e| panic!("write: {e}"));
        assert!(!file.exists());
    }
}
