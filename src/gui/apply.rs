//! Applying commands: the one place where the app state changes, and where
//! edits become undo steps. Also takes in the results of background tasks.

use super::app::{App, PathBox, PendingAction, empty_topology};
use super::canvas::add_service_command;
use super::command::{AppCommand, Edit, PanelId, Selection, UnsavedAnswer, ViewToggle};
use super::document::OpenDocument;
use super::problems::ProblemTarget;
use super::tasks::{DialogPurpose, TaskResult};
use super::{edit, files, theme};

impl App {
    /// Applies one command now (panels queue theirs; tests may call this).
    pub fn apply(&mut self, command: AppCommand) {
        match command {
            command @ (AppCommand::New
            | AppCommand::Open
            | AppCommand::OpenPath(_)
            | AppCommand::OpenExample
            | AppCommand::Quit
            | AppCommand::Import { .. }
            | AppCommand::ImportPaths(_)) => self.unless_it_drops_changes(command),
            AppCommand::AnswerUnsaved(answer) => self.answer_unsaved(answer),
            AppCommand::AnswerRecovery(answer) => super::recovery::answer_offer(self, answer),
            AppCommand::Save => match self.doc.path.clone() {
                Some(path) => self.save_to(path),
                None => self.show_dialog(DialogPurpose::SaveAs, None),
            },
            AppCommand::SaveAs => self.show_dialog(DialogPurpose::SaveAs, None),
            AppCommand::SaveAsPath(path) => self.save_to(path),
            AppCommand::ShowOpenPathBox => {
                let start = self
                    .doc
                    .path
                    .as_ref()
                    .and_then(|p| p.parent())
                    .map(|p| format!("{}/", p.display()));
                self.path_box = Some(PathBox {
                    purpose: DialogPurpose::Open,
                    text: start.unwrap_or_default(),
                });
            }
            AppCommand::DismissImportReport => self.dismiss_import_report(),
            AppCommand::Export(kind) => self.show_dialog(DialogPurpose::Export(kind), None),
            AppCommand::ExportTo(kind, path) => self.start_export(kind, path),
            AppCommand::CancelExport => self.cancel_export(),
            AppCommand::Undo => match self.doc.undo() {
                Some(label) => self.after_history(format!("Undid {label}")),
                None => self.set_status("Nothing to undo", false),
            },
            AppCommand::Redo => match self.doc.redo() {
                Some(label) => self.after_history(format!("Redid {label}")),
                None => self.set_status("Nothing to redo", false),
            },
            AppCommand::Edit { edit, coalesce } => self.apply_edit(edit, coalesce),
            AppCommand::Select(selection) => {
                if !matches!(selection, Selection::Entry(_)) {
                    self.highlighted_entry = None;
                }
                self.doc.seal();
                // A scenario chosen in the outline is the one the run bar runs.
                if let Selection::Scenario(index) = selection {
                    self.sim.scenario_index = index;
                }
                self.selection = selection;
            }
            AppCommand::Reveal(name) => {
                self.highlighted_entry = None;
                self.selection = Selection::Service(name.clone());
                self.canvas.reveal = Some(name);
            }
            AppCommand::FitView => self.canvas.fit_requested = true,
            AppCommand::Zoom(factor) => {
                let rect = self.canvas.rect;
                self.canvas.camera.zoom_at(rect, rect.center(), factor);
            }
            AppCommand::SetTheme(choice) => {
                self.settings.theme = choice;
                if let Some(ctx) = self.ctx.get() {
                    theme::apply(ctx, choice);
                }
            }
            AppCommand::TogglePanel(panel) => {
                let flag = match panel {
                    PanelId::Outline => &mut self.settings.show_outline,
                    PanelId::Inspector => &mut self.settings.show_inspector,
                    PanelId::Bottom => &mut self.settings.show_bottom,
                };
                *flag = !*flag;
            }
            AppCommand::ShowBottomTab(tab) => {
                self.settings.show_bottom = true;
                self.settings.bottom_tab = tab;
            }
            AppCommand::Toggle(toggle) => {
                let s = &mut self.settings;
                let flag = match toggle {
                    ViewToggle::Rates => &mut s.show_rates,
                    ViewToggle::GroupBoxes => &mut s.show_group_boxes,
                    ViewToggle::ZoneBoxes => &mut s.show_zone_boxes,
                    ViewToggle::BlastRadius => &mut s.show_blast_radius,
                };
                *flag = !*flag;
            }
            AppCommand::SetGroupHidden { group, hidden } => {
                let changed = if hidden {
                    self.hidden_groups.insert(group)
                } else {
                    self.hidden_groups.remove(&group)
                };
                if changed {
                    self.view_revision += 1;
                }
            }
            AppCommand::HighlightEntry(entry) => self.highlighted_entry = entry,
            AppCommand::Screenshot(Some(path)) => super::screenshot::request(self, path),
            AppCommand::Screenshot(None) => self.show_dialog(DialogPurpose::Screenshot, None),
            AppCommand::FocusSearch => self.search.focus_requested = true,
            AppCommand::AddService => {
                let centre = self
                    .canvas
                    .camera
                    .to_graph(self.canvas.rect, self.canvas.rect.center());
                let at = self
                    .doc
                    .topology
                    .layout
                    .as_ref()
                    .is_some_and(|l| !l.nodes.is_empty())
                    .then_some(centre);
                let command = add_service_command(&self.doc.topology, at);
                self.apply(command);
            }
            AppCommand::DeleteSelection => {
                let edit = match &self.selection {
                    Selection::Service(name) => Some(Edit::DeleteService(name.clone())),
                    Selection::Edge { from, to } => Some(Edit::DeleteCalls {
                        from: from.clone(),
                        to: to.clone(),
                    }),
                    Selection::Entry(i) => Some(Edit::DeleteEntry(*i)),
                    Selection::Scenario(i) => Some(Edit::DeleteScenario(*i)),
                    Selection::Group(_) | Selection::None => None,
                };
                match edit {
                    Some(edit) => self.apply_edit(edit, None),
                    None => self
                        .set_status("Select a service, call, entry or scenario to delete", false),
                }
            }
            AppCommand::Status(text) => self.set_status(text, false),
            AppCommand::OpenFailedAnyway => {
                if let Some(failure) = self.open_failure.take()
                    && let Some(topology) = failure.parsed
                {
                    {
                        let path = failure.path.clone();
                        self.settings.remember(&path);
                        self.install(
                            OpenDocument::opened(*topology, Some(path.clone())),
                            &format!(
                                "Opened {} with its problems; fix them and save",
                                path.display()
                            ),
                        );
                    }
                }
            }
            AppCommand::DismissOpenFailure => self.open_failure = None,
            AppCommand::Sim(command) => self.apply_sim(command),
            AppCommand::Experiment(command) => self.apply_experiment(command),
            AppCommand::Traces(command) => self.apply_traces(command),
            AppCommand::SelectProblem(target) => {
                self.selection = match target {
                    ProblemTarget::Service(i) => match self.doc.topology.services.get(i) {
                        Some(service) => Selection::Service(service.name.clone()),
                        None => Selection::None,
                    },
                    ProblemTarget::Selection(selection) => selection,
                };
                if let Selection::Service(name) = &self.selection {
                    self.canvas.reveal = Some(name.clone());
                }
            }
        }
    }

    /// Runs a file command that replaces or closes the document, unless
    /// that would drop unsaved changes: then it asks first.
    fn unless_it_drops_changes(&mut self, command: AppCommand) {
        if !self.doc.is_dirty() || self.screenshot.is_some() {
            return self.go_ahead(command);
        }
        match &self.pending {
            PendingAction::None => self.pending = PendingAction::AskToSave(command),
            PendingAction::Closing => {}
            waiting => {
                let message = busy_message(waiting);
                self.set_status(message, false);
            }
        }
    }

    /// Runs a file command whose unsaved changes were answered for (or
    /// that drops none).
    fn go_ahead(&mut self, command: AppCommand) {
        match command {
            AppCommand::New => {
                self.install(OpenDocument::opened(empty_topology(), None), "New document")
            }
            AppCommand::Open => self.show_dialog(DialogPurpose::Open, None),
            AppCommand::OpenPath(path) => {
                self.set_status(format!("Opening {}…", path.display()), false);
                files::load(&mut self.tasks, path);
            }
            AppCommand::OpenExample => self.open_example(),
            AppCommand::Quit => {
                self.pending = PendingAction::Closing;
                if let Some(ctx) = self.ctx.get() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            AppCommand::Import { folder } => {
                self.show_dialog(DialogPurpose::Import { folder }, None)
            }
            AppCommand::ImportPaths(paths) => self.start_import(paths),
            other => self.apply(other),
        }
    }

    /// The answer to "save the changes?".
    fn answer_unsaved(&mut self, answer: UnsavedAnswer) {
        let waiting = match std::mem::take(&mut self.pending) {
            PendingAction::AskToSave(waiting) => waiting,
            // Nothing asked (a late answer): nothing to do.
            other => {
                self.pending = other;
                return;
            }
        };
        match answer {
            UnsavedAnswer::Save => match self.doc.path.clone() {
                Some(path) => {
                    self.pending = PendingAction::Saving(waiting);
                    self.save_to(path);
                }
                None => self.show_dialog(DialogPurpose::SaveAs, Some(waiting)),
            },
            UnsavedAnswer::Discard => self.go_ahead(waiting),
            UnsavedAnswer::Cancel => {}
        }
    }

    /// Opens the system file dialog for `purpose` (on its own thread); with
    /// `then`, the Save As of "save, then `then`".
    pub(super) fn show_dialog(&mut self, purpose: DialogPurpose, then: Option<AppCommand>) {
        if self.pending != PendingAction::None {
            let message = busy_message(&self.pending);
            self.set_status(message, false);
            return;
        }
        self.pending = PendingAction::FileDialog { purpose, then };
        let name = match purpose {
            DialogPurpose::Open | DialogPurpose::Import { .. } | DialogPurpose::CompareTraces => {
                None
            }
            DialogPurpose::Export(kind) => Some(super::export::suggested_file_name(
                &slug(&self.doc.topology.name),
                kind,
            )),
            DialogPurpose::SaveAs => Some(format!("{}.json", slug(&self.doc.topology.name))),
            DialogPurpose::Screenshot => Some(format!("{}.png", slug(&self.doc.topology.name))),
        };
        files::pick(
            &mut self.tasks,
            purpose,
            files::dialog_directory(self.doc.path.as_deref()),
            name,
        );
    }

    fn save_to(&mut self, path: std::path::PathBuf) {
        self.set_status(format!("Saving {}…", path.display()), false);
        files::save(&mut self.tasks, path, self.doc.topology.clone());
    }

    fn apply_edit(&mut self, edit: Edit, coalesce: Option<String>) {
        let label = edit.label();
        let result = self.doc.change(label, coalesce, |t| edit::apply(t, &edit));
        match result {
            Ok(summary) => {
                if !summary.is_empty() {
                    self.set_status(summary, false);
                }
                self.selection_after(&edit);
            }
            Err(err) => self.set_status(format!("Not done: {err}"), true),
        }
    }

    /// Keeps the selection meaningful after an edit.
    fn selection_after(&mut self, edit: &Edit) {
        match edit {
            Edit::RenameService { from, to }
                if self.selection == Selection::Service(from.clone()) =>
            {
                self.selection = Selection::Service(to.clone());
            }
            Edit::MakeDefaultScenario(_) => self.selection = Selection::Scenario(0),
            Edit::AddService { service, .. } => {
                self.selection = Selection::Service(service.name.clone())
            }
            Edit::DeleteService(_)
            | Edit::DeleteCalls { .. }
            | Edit::DeleteEntry(_)
            | Edit::DeleteScenario(_) => {
                self.selection = Selection::None;
                self.highlighted_entry = None;
            }
            _ => {}
        }
    }

    /// After undo or redo: drop a selection that no longer exists.
    fn after_history(&mut self, message: String) {
        let t = &self.doc.topology;
        let exists = match &self.selection {
            Selection::Service(name) => t.services.iter().any(|s| s.name == *name),
            Selection::Entry(i) => *i < t.workload.len(),
            Selection::Scenario(i) => *i < t.scenarios.len(),
            Selection::Edge { from, to } => {
                t.services.iter().any(|s| s.name == *from)
                    && t.services.iter().any(|s| s.name == *to)
            }
            Selection::Group(_) | Selection::None => true,
        };
        if !exists {
            self.selection = Selection::None;
        }
        self.set_status(message, false);
    }

    pub(super) fn on_task_result(&mut self, result: TaskResult) {
        match result {
            TaskResult::Loaded { path, result } => match result {
                Ok(topology) => {
                    self.settings.remember(&path);
                    self.open_failure = None;
                    self.install(
                        OpenDocument::opened(*topology, Some(path.clone())),
                        &format!("Opened {}", path.display()),
                    );
                }
                Err(failure) => {
                    let count = failure.problems.len();
                    if !path.exists() {
                        self.settings.forget(&path);
                    }
                    self.set_status(
                        format!(
                            "Could not open {}: {count} problem{} (see Problems)",
                            path.display(),
                            if count == 1 { "" } else { "s" }
                        ),
                        true,
                    );
                    self.settings.show_bottom = true;
                    self.settings.bottom_tab = super::settings::BottomTab::Problems;
                    self.open_failure = Some(*failure);
                }
            },
            TaskResult::Saved {
                path,
                saved,
                result,
            } => match result {
                Ok(()) => {
                    self.settings.remember(&path);
                    self.doc.mark_saved(path.clone(), *saved);
                    self.set_status(format!("Saved {}", path.display()), false);
                    if let PendingAction::Saving(next) = std::mem::take(&mut self.pending) {
                        self.go_ahead(next);
                    }
                }
                Err(message) => {
                    if matches!(self.pending, PendingAction::Saving(_)) {
                        self.pending = PendingAction::None;
                    }
                    self.set_status(format!("Not saved: {message}"), true);
                }
            },
            TaskResult::Picked {
                purpose,
                path,
                failed,
            } => {
                let then = self.dialog_returned();
                match (path, failed) {
                    (Some(path), _) => match purpose {
                        DialogPurpose::Open => self.go_ahead(AppCommand::OpenPath(path)),
                        DialogPurpose::SaveAs => {
                            if let Some(next) = then {
                                self.pending = PendingAction::Saving(next);
                            }
                            self.save_to(with_extension(path, "json"))
                        }
                        DialogPurpose::Screenshot => {
                            super::screenshot::request(self, with_extension(path, "png"))
                        }
                        DialogPurpose::Import { .. } => {
                            self.go_ahead(AppCommand::ImportPaths(vec![path]))
                        }
                        DialogPurpose::Export(kind) => self.apply(AppCommand::ExportTo(
                            kind,
                            with_extension(path, kind.extension()),
                        )),
                        DialogPurpose::CompareTraces => self.apply(AppCommand::Traces(
                            super::traces::TracesCommand::Compare(vec![path]),
                        )),
                    },
                    (None, true) => {
                        let hint = match purpose {
                            DialogPurpose::Open | DialogPurpose::Import { .. } => {
                                "type the file's path, or drop the file onto the window"
                            }
                            DialogPurpose::CompareTraces => "type the trace file's path",
                            _ => "type the path to save to",
                        };
                        self.set_status(
                            format!("The system file dialog could not open (no desktop portal or zenity): {hint}."),
                            true,
                        );
                        if purpose == DialogPurpose::Open {
                            self.apply(AppCommand::ShowOpenPathBox);
                        } else {
                            self.path_box_for(purpose);
                        }
                    }
                    (None, false) => {}
                }
            }
            TaskResult::ScreenshotSaved { path, result } => {
                super::screenshot::saved(self, path, result)
            }
            TaskResult::PickedImport { paths, failed } => {
                self.dialog_returned();
                if !paths.is_empty() {
                    self.go_ahead(AppCommand::ImportPaths(paths));
                } else if failed {
                    self.set_status(
                        "The system file dialog could not open (no desktop portal or zenity): type the file's path, or drop the files onto the window.",
                        true,
                    );
                    self.path_box_for(DialogPurpose::Import { folder: false });
                }
            }
            TaskResult::Imported { paths, result } => self.on_imported(paths, result),
            TaskResult::PickedTraces { paths, failed } => {
                self.dialog_returned();
                self.on_picked_traces(paths, failed);
            }
            TaskResult::Compared { paths, result } => self.on_compared(paths, result),
            TaskResult::Exported { kind, result } => self.on_exported(kind, result),
            TaskResult::Autosaved { key, result } => super::recovery::written(self, key, result),
        }
    }

    /// Without a dialog, Save As and screenshots ask for a path in a box.
    pub(super) fn path_box_for(&mut self, purpose: DialogPurpose) {
        let dir = self
            .doc
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".".into());
        let slug = slug(&self.doc.topology.name);
        let file = match purpose {
            DialogPurpose::SaveAs => format!("{slug}.json"),
            DialogPurpose::Export(kind) => super::export::suggested_file_name(&slug, kind),
            DialogPurpose::Import { .. } | DialogPurpose::CompareTraces => String::new(),
            DialogPurpose::Open | DialogPurpose::Screenshot => format!("{slug}.png"),
        };
        self.path_box = Some(PathBox {
            purpose,
            text: format!("{dir}/{file}"),
        });
    }

    /// The file dialog closed: what was to run after it, if anything.
    fn dialog_returned(&mut self) -> Option<AppCommand> {
        match std::mem::take(&mut self.pending) {
            PendingAction::FileDialog { then, .. } => then,
            other => {
                self.pending = other;
                None
            }
        }
    }
}

/// Why a file command cannot start now.
fn busy_message(pending: &PendingAction) -> &'static str {
    match pending {
        PendingAction::FileDialog { .. } => "A file dialog is open already",
        PendingAction::Saving(_) => "Saving; try again when it is done",
        PendingAction::AskToSave(_) => "Answer \"save the changes?\" first",
        PendingAction::None | PendingAction::Closing => "Closing",
    }
}

/// `Online Boutique` → `online-boutique`.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        "topology".to_owned()
    } else {
        slug
    }
}

fn with_extension(path: std::path::PathBuf, extension: &str) -> std::path::PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension(extension)
    }
}
