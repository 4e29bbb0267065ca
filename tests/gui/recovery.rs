//! Crash recovery: unsaved edits are autosaved to a recovery file (never
//! over the user's file), and the next start offers to restore or discard
//! them. Here the "crash" is a harness dropped without a clean exit; the real
//! kill of the app process under Xvfb is described in docs/app.md.

use std::path::{Path, PathBuf};

use archsim::gui::recovery::{AUTOSAVE_INTERVAL, RECOVERY_KEY, Recovery, read};
use archsim::gui::{AppCommand, Edit};
use egui_kittest::kittest::Queryable;

use super::{harness, open, scenario, settle};

/// A process id no running process has.
const GONE_PID: u32 = u32::MAX;

/// The recovery files in `dir`.
fn recovery_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Opens a copy of three-tier.json from `user_dir`, edits it with recovery
/// in `dir`, then drops the app without a clean exit, as a kill would, and
/// makes the recovery file name a process that is gone. Returns the user's
/// file and its contents, which must never change.
fn crashed_session(dir: &Path, user_dir: &Path) -> (PathBuf, String) {
    let user_file = user_dir.join("three-tier.json");
    let original = std::fs::read_to_string(scenario("three-tier.json")).unwrap();
    std::fs::write(&user_file, &original).unwrap();
    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir);
    open(&mut harness, &user_file);
    assert!(
        recovery_files(dir).is_empty(),
        "nothing unsaved, nothing written"
    );
    harness.state_mut().apply(AppCommand::edit(Edit::SetName(
        "edited before the crash".into(),
    )));
    settle(&mut harness);
    let files = recovery_files(dir);
    assert_eq!(files.len(), 1, "one recovery file is written: {files:?}");
    assert_eq!(
        Some(files[0].as_path()),
        harness.state().recovery.own_file()
    );
    assert_eq!(
        std::fs::read_to_string(&user_file).unwrap(),
        original,
        "the user's file is untouched"
    );
    // The recovery file is a topology file with a stamp.
    let (stamp, topology) = read(&files[0]).unwrap();
    assert_eq!(topology.name, "edited before the crash");
    assert_eq!(stamp.path.as_deref(), Some(user_file.as_path()));
    // No clean exit: the file stays. Its process is gone.
    drop(harness);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    value[RECOVERY_KEY]["pid"] = GONE_PID.into();
    std::fs::write(&files[0], value.to_string()).unwrap();
    (user_file, original)
}

#[test]
fn unsaved_edits_of_a_killed_session_are_offered_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let user_dir = tempfile::tempdir().unwrap();
    let (user_file, original) = crashed_session(dir.path(), user_dir.path());

    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir.path());
    assert_eq!(harness.state().recovery.offers.len(), 1);
    harness.run_steps(2);
    harness.get_by_label("Restore unsaved changes?");
    harness.get_by_label_contains("“edited before the crash”");
    harness.get_by_label_contains("UTC (less than a minute ago)");
    harness.get_by_label("Restore").click();
    harness.run_steps(2);
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "edited before the crash");
    assert!(
        app.doc.is_dirty(),
        "restored changes are unsaved until saved"
    );
    assert_eq!(app.doc.path.as_deref(), Some(user_file.as_path()));
    assert!(
        !app.doc.topology.extensions.contains_key(RECOVERY_KEY),
        "the stamp is not part of the document"
    );
    assert_eq!(std::fs::read_to_string(&user_file).unwrap(), original);
    assert!(harness.query_by_label("Restore unsaved changes?").is_none());
    // The old file is gone; this session's autosave holds the changes now.
    let files = recovery_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        Some(files[0].as_path()),
        harness.state().recovery.own_file()
    );

    // Saving writes the user's file and removes the recovery file.
    harness.state_mut().apply(AppCommand::Save);
    settle(&mut harness);
    assert!(!harness.state().doc.is_dirty());
    assert_eq!(
        archsim::model::load_file(&user_file).unwrap().name,
        "edited before the crash"
    );
    assert!(recovery_files(dir.path()).is_empty());
}

#[test]
fn discarding_the_offer_removes_the_recovery_file() {
    let dir = tempfile::tempdir().unwrap();
    let user_dir = tempfile::tempdir().unwrap();
    crashed_session(dir.path(), user_dir.path());

    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir.path());
    harness.run_steps(2);
    harness.get_by_label("Discard").click();
    harness.run_steps(2);
    assert!(recovery_files(dir.path()).is_empty());
    assert_ne!(harness.state().doc.topology.name, "edited before the crash");
    assert!(harness.state().recovery.offers.is_empty());
    assert!(harness.query_by_label("Restore unsaved changes?").is_none());
}

#[test]
fn not_now_keeps_the_recovery_file_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let user_dir = tempfile::tempdir().unwrap();
    crashed_session(dir.path(), user_dir.path());

    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir.path());
    harness.run_steps(2);
    harness.get_by_label("Not now").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Restore unsaved changes?").is_none());
    assert_eq!(recovery_files(dir.path()).len(), 1);
    // The next start asks again.
    assert_eq!(Recovery::in_dir(dir.path()).offers.len(), 1);
}

#[test]
fn restoring_after_the_startup_file_opened_shows_the_recovered_document() {
    let dir = tempfile::tempdir().unwrap();
    let user_dir = tempfile::tempdir().unwrap();
    crashed_session(dir.path(), user_dir.path());

    // As at startup: a file starts loading, and a recovery file is found.
    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir.path());
    harness.state_mut().open_path(scenario("shop.json"));
    settle(&mut harness);
    assert_eq!(harness.state().doc.topology.name, "Online Boutique");
    harness.get_by_label("Restore").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(harness.state().doc.topology.name, "edited before the crash");
    harness.state_mut().recovery.clear();
}

#[test]
fn saving_and_undoing_to_the_saved_state_remove_the_recovery_file() {
    let dir = tempfile::tempdir().unwrap();
    let user_dir = tempfile::tempdir().unwrap();
    let user_file = user_dir.path().join("three-tier.json");
    std::fs::copy(scenario("three-tier.json"), &user_file).unwrap();
    let mut harness = harness();
    harness.state_mut().recovery = Recovery::in_dir(dir.path());
    open(&mut harness, &user_file);

    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("undone soon".into())));
    settle(&mut harness);
    assert_eq!(recovery_files(dir.path()).len(), 1);
    harness.state_mut().apply(AppCommand::Undo);
    settle(&mut harness);
    assert!(!harness.state().doc.is_dirty());
    assert!(
        recovery_files(dir.path()).is_empty(),
        "undone: nothing unsaved"
    );

    // Autosaves are at most AUTOSAVE_INTERVAL apart: the next edit waits.
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("saved soon".into())));
    settle(&mut harness);
    assert!(recovery_files(dir.path()).is_empty(), "too soon");
    std::thread::sleep(AUTOSAVE_INTERVAL);
    settle(&mut harness);
    assert_eq!(recovery_files(dir.path()).len(), 1);
    harness.state_mut().apply(AppCommand::Save);
    settle(&mut harness);
    assert!(!harness.state().doc.is_dirty());
    assert!(recovery_files(dir.path()).is_empty());
}
