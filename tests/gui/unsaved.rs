//! New, Open and closing the window with unsaved changes: "Save the
//! changes?" answered Save, Don't save and Cancel, through the dialog's
//! buttons. Each test edits a copy of an example, so that saving writes to a
//! temporary folder.

use std::path::{Path, PathBuf};

use archsim::gui::{App, AppCommand, Edit, PendingAction, UnsavedAnswer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::{harness, open, scenario, settle};

/// A copy of `three-tier.json` in `dir`, opened, with its name changed to
/// "edited" (unsaved).
fn edited_copy(dir: &Path) -> (Harness<'static, App>, PathBuf) {
    let path = dir.join("three-tier.json");
    std::fs::copy(scenario("three-tier.json"), &path).unwrap();
    let mut harness = harness();
    open(&mut harness, &path);
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("edited".into())));
    harness.step();
    assert!(harness.state().doc.is_dirty());
    (harness, path)
}

/// Queues `command` (as a menu would), runs the frames that show the
/// question, and checks it is asked.
fn ask(harness: &mut Harness<'static, App>, command: AppCommand, question: &str) {
    harness.state_mut().queue(command.clone());
    harness.run_steps(3);
    harness.get_by_label_contains(question);
    assert_eq!(harness.state().pending, PendingAction::AskToSave(command));
}

/// An edited copy (see [`edited_copy`]) in a temporary folder, with
/// `command` queued and its question asked.
fn asked(
    command: AppCommand,
    question: &str,
) -> (tempfile::TempDir, Harness<'static, App>, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, path) = edited_copy(dir.path());
    ask(&mut harness, command, question);
    (dir, harness, path)
}

fn answer(harness: &mut Harness<'static, App>, button: &str) {
    harness.get_by_label(button).click();
    harness.run_steps(2);
    settle(harness);
}

fn name_on_disk(path: &Path) -> String {
    archsim::model::load_file(path).unwrap().name
}

#[test]
fn new_with_unsaved_changes_save_writes_the_file_then_starts_the_new_document() {
    let (_dir, mut harness, path) = asked(AppCommand::New, "before starting a new document?");
    answer(&mut harness, "Save");
    assert_eq!(name_on_disk(&path), "edited", "saved first");
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "Untitled", "then the new document");
    assert_eq!(app.pending, PendingAction::None);
    assert!(
        harness
            .query_by_label_contains("Save the changes")
            .is_none()
    );
}

#[test]
fn new_with_unsaved_changes_dont_save_drops_them() {
    let (_dir, mut harness, path) = asked(AppCommand::New, "before starting a new document?");
    answer(&mut harness, "Don't save");
    assert_eq!(name_on_disk(&path), "Three-tier web app", "not saved");
    assert_eq!(harness.state().doc.topology.name, "Untitled");
    assert!(!harness.state().doc.is_dirty());
    assert_eq!(harness.state().pending, PendingAction::None);
}

#[test]
fn new_with_unsaved_changes_cancel_keeps_them() {
    let (_dir, mut harness, path) = asked(AppCommand::New, "before starting a new document?");
    answer(&mut harness, "Cancel");
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "edited");
    assert!(app.doc.is_dirty());
    assert_eq!(app.pending, PendingAction::None);
    assert_eq!(name_on_disk(&path), "Three-tier web app");
}

#[test]
fn open_with_unsaved_changes_save_writes_the_file_then_opens_the_other() {
    let (_dir, mut harness, path) = asked(
        AppCommand::OpenPath(scenario("shop.json")),
        "before opening another file?",
    );
    answer(&mut harness, "Save");
    assert_eq!(name_on_disk(&path), "edited");
    assert_eq!(harness.state().doc.topology.name, "Online Boutique");
    assert_eq!(harness.state().pending, PendingAction::None);
}

#[test]
fn open_with_unsaved_changes_cancel_stays_on_the_document() {
    let (_dir, mut harness, _path) = asked(
        AppCommand::OpenPath(scenario("shop.json")),
        "before opening another file?",
    );
    answer(&mut harness, "Cancel");
    assert_eq!(harness.state().doc.topology.name, "edited");
    assert!(harness.state().doc.is_dirty());
}

#[test]
fn closing_with_unsaved_changes_save_writes_the_file_then_closes() {
    let (_dir, mut harness, path) = asked(AppCommand::Quit, "before closing?");
    answer(&mut harness, "Save");
    assert_eq!(name_on_disk(&path), "edited");
    assert_eq!(harness.state().pending, PendingAction::Closing);
}

#[test]
fn closing_with_unsaved_changes_dont_save_closes_without_writing() {
    let (_dir, mut harness, path) = asked(AppCommand::Quit, "before closing?");
    harness.get_by_label("Don't save").click();
    // The Close command is in the output of the one frame that applies the
    // answer: look at each frame's.
    let closed = (0..3).any(|_| {
        harness.step();
        harness
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::Close))
    });
    assert!(closed, "the window is told to close");
    assert_eq!(harness.state().pending, PendingAction::Closing);
    assert_eq!(name_on_disk(&path), "Three-tier web app");
}

#[test]
fn an_answer_with_no_question_asked_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _path) = edited_copy(dir.path());
    harness
        .state_mut()
        .apply(AppCommand::AnswerUnsaved(UnsavedAnswer::Discard));
    harness.step();
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "edited");
    assert_eq!(app.pending, PendingAction::None);
}

#[test]
fn a_second_file_command_while_asking_keeps_the_first_question() {
    let (_dir, mut harness, _path) = asked(AppCommand::New, "before starting a new document?");
    harness
        .state_mut()
        .apply(AppCommand::OpenPath(scenario("shop.json")));
    assert_eq!(
        harness.state().pending,
        PendingAction::AskToSave(AppCommand::New)
    );
    answer(&mut harness, "Don't save");
    assert_eq!(harness.state().doc.topology.name, "Untitled");
}
