//! Modal dialogs of the app: "save changes?" before dropping unsaved work,
//! and the path box used when the system file dialog cannot open.

use egui::{Key, Modal, RichText};

use super::app::{App, PendingAction};
use super::command::{AppCommand, UnsavedAnswer};
use super::tasks::DialogPurpose;

pub fn dialogs_ui(app: &mut App, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    if let PendingAction::AskToSave(waiting) = &app.pending {
        ask_to_save_ui(ctx, &app.doc.topology.name, waiting, out);
    }
    path_box_ui(app, ctx, out);
}

/// "Save the changes?": the answer is queued as a command.
fn ask_to_save_ui(
    ctx: &egui::Context,
    name: &str,
    waiting: &AppCommand,
    out: &mut Vec<AppCommand>,
) {
    let what = match waiting {
        AppCommand::Quit => "closing",
        AppCommand::New => "starting a new document",
        AppCommand::Import { .. } | AppCommand::ImportPaths(_) => "importing",
        _ => "opening another file",
    };
    Modal::new(egui::Id::unique("confirm-unsaved")).show(ctx, |ui| {
        ui.set_max_width(380.0);
        ui.label(RichText::new(format!("Save the changes to “{name}” before {what}?")).strong());
        ui.label("Your changes are lost if you don't save them.");
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let save = ui.button("Save").clicked() || ui.input(|i| i.key_pressed(Key::Enter));
            let discard = ui.button("Don't save").clicked();
            let cancel = ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape));
            let answer = if save {
                Some(UnsavedAnswer::Save)
            } else if discard {
                Some(UnsavedAnswer::Discard)
            } else if cancel {
                Some(UnsavedAnswer::Cancel)
            } else {
                None
            };
            if let Some(answer) = answer {
                out.push(AppCommand::AnswerUnsaved(answer));
            }
        });
    });
}

fn path_box_ui(app: &mut App, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    let Some(mut state) = app.path_box.take() else {
        return;
    };
    let title = match state.purpose {
        DialogPurpose::Open => "Open a topology file",
        DialogPurpose::SaveAs => "Save the topology as",
        DialogPurpose::Screenshot => "Save a screenshot as",
        DialogPurpose::Import { .. } => {
            "Import a compose file, Kubernetes manifest, trace, or a folder of them"
        }
        DialogPurpose::Export(kind) => kind.label(),
        DialogPurpose::CompareTraces => {
            "Compare the design with a trace file (or a folder of them)"
        }
    };
    let mut keep = true;
    Modal::new(egui::Id::unique("path-box")).show(ctx, |ui| {
        ui.set_min_width(460.0);
        ui.label(RichText::new(title).strong());
        ui.label("Type the file's path:");
        let response = ui.add(
            egui::TextEdit::singleline(&mut state.text)
                .desired_width(440.0)
                .id_salt("path-box-text"),
        );
        if !response.has_focus() && !response.lost_focus() {
            response.request_focus();
        }
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let ok = ui.button("OK").clicked() || entered;
            if ok && !state.text.trim().is_empty() {
                let path = std::path::PathBuf::from(state.text.trim());
                out.push(match state.purpose {
                    DialogPurpose::Open => AppCommand::OpenPath(path),
                    DialogPurpose::SaveAs => AppCommand::SaveAsPath(path),
                    DialogPurpose::Screenshot => AppCommand::Screenshot(Some(path)),
                    DialogPurpose::Import { .. } => AppCommand::ImportPaths(vec![path]),
                    DialogPurpose::Export(kind) => AppCommand::ExportTo(kind, path),
                    DialogPurpose::CompareTraces => {
                        AppCommand::Traces(super::traces::TracesCommand::Compare(vec![path]))
                    }
                });
                keep = false;
            }
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                keep = false;
            }
        });
    });
    if keep {
        app.path_box = Some(state);
    }
}
