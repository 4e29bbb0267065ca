//! File → Import: docker-compose files, Kubernetes manifests and traces
//! become a new, unsaved document. The import ([`crate::import`]) runs on a
//! background thread; its account — what was inferred from what, how
//! confident, and the warnings — is shown afterwards in the *Import report*
//! tab of the bottom panel, under the name of the document it made, so that
//! it never covers the new graph.

use std::path::{Path, PathBuf};

use egui::{RichText, ScrollArea, Ui};

use crate::import::{Confidence, ImportOptions, ImportSummary, NoteLevel};

use super::app::App;
use super::command::AppCommand;
use super::document::OpenDocument;
use super::settings::BottomTab;
use super::tasks::TaskResult;

/// The import running now and the report of the last one.
#[derive(Debug, Default)]
pub struct ImportState {
    /// Files being imported.
    pub running: Option<Vec<PathBuf>>,
    /// The last import's report, shown until dismissed.
    pub report: Option<ImportReport>,
    /// The bottom tab shown before the report's tab opened: shown again
    /// when the report is dismissed.
    pub tab_before: Option<BottomTab>,
}

/// What the last import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub paths: Vec<PathBuf>,
    /// The account of the import, or why it failed.
    pub result: Result<ImportedSummary, String>,
}

/// A successful import's account.
#[derive(Debug, Clone)]
pub struct ImportedSummary {
    pub summary: ImportSummary,
    /// One line per warning.
    pub warnings: Vec<String>,
}

/// "compose.yaml", "compose.yaml and 2 more files".
pub fn files_label(paths: &[PathBuf]) -> String {
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    match paths {
        [] => "nothing".to_owned(),
        [one] => name(one),
        [first, rest @ ..] => format!(
            "{} and {} more file{}",
            name(first),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// Whether a dropped file looks like something to import rather than a
/// topology to open (YAML: compose files and Kubernetes manifests).
pub fn is_import_source(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

impl App {
    /// Imports `paths` (compose files, Kubernetes manifests, Jaeger or OTLP
    /// traces) into a new unsaved document, in the background; asks first
    /// about unsaved changes. The open document stays when the import fails.
    pub fn import_paths(&mut self, paths: Vec<PathBuf>) {
        self.apply(AppCommand::ImportPaths(paths));
    }

    /// The last import's report (until dismissed).
    pub fn import_report(&self) -> Option<&ImportReport> {
        self.import.report.as_ref()
    }

    /// Shows `report` in its tab of the bottom panel, remembering the tab
    /// to go back to.
    pub(super) fn show_import_report(&mut self, report: ImportReport) {
        if self.settings.bottom_tab != BottomTab::Import {
            self.import.tab_before = Some(self.settings.bottom_tab);
        }
        self.import.report = Some(report);
        self.settings.show_bottom = true;
        self.settings.bottom_tab = BottomTab::Import;
    }

    /// Drops the import report and leaves its tab for the one shown before.
    pub(super) fn dismiss_import_report(&mut self) {
        self.import.report = None;
        let before = self.import.tab_before.take();
        if self.settings.bottom_tab == BottomTab::Import {
            self.settings.bottom_tab = before.unwrap_or_default();
        }
    }

    /// Starts the import (the guard for unsaved changes has passed).
    pub(super) fn start_import(&mut self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            self.set_status("Choose at least one file to import", true);
            return;
        }
        if self.import.running.is_some() {
            self.set_status("An import is running already", false);
            return;
        }
        self.set_status(format!("Importing {}…", files_label(&paths)), false);
        self.import.running = Some(paths.clone());
        self.tasks.spawn("import", move || {
            let result = crate::import::import_paths(&paths, &ImportOptions::default())
                .map(Box::new)
                .map_err(|e| e.to_string());
            TaskResult::Imported { paths, result }
        });
    }

    /// Takes in a finished import: a new document, or the error.
    pub(super) fn on_imported(
        &mut self,
        paths: Vec<PathBuf>,
        result: Result<Box<crate::import::ImportOutcome>, String>,
    ) {
        self.import.running = None;
        let label = files_label(&paths);
        match result {
            Ok(outcome) => {
                let outcome = *outcome;
                let warnings = outcome.warnings.len();
                let message = format!(
                    "Imported {} services from {label}{}; save it to keep it",
                    outcome.topology.services.len(),
                    match warnings {
                        0 => String::new(),
                        1 => " (1 warning)".to_owned(),
                        n => format!(" ({n} warnings)"),
                    }
                );
                self.open_failure = None;
                self.install(
                    OpenDocument::imported(outcome.topology, format!("Imported from {label}")),
                    &message,
                );
                self.show_import_report(ImportReport {
                    paths,
                    result: Ok(ImportedSummary {
                        summary: outcome.summary,
                        warnings: outcome.warnings,
                    }),
                });
            }
            Err(message) => {
                self.set_status(format!("Could not import {label}: {message}"), true);
                self.show_import_report(ImportReport {
                    paths,
                    result: Err(message),
                });
            }
        }
    }
}

/// The *Import report* tab: the document's name and where it came from
/// (as the window title says them), then the account of the import. A
/// tab of the bottom panel, so the new graph stays in view.
pub fn import_tab_ui(
    ui: &mut Ui,
    report: Option<&ImportReport>,
    document_name: &str,
    out: &mut Vec<AppCommand>,
) {
    let Some(report) = report else {
        ui.weak("No import in this session: File → Import… (Ctrl+I) reads compose files, Kubernetes manifests and traces.");
        return;
    };
    let files = files_label(&report.paths);
    let all_paths = report
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    ui.horizontal_wrapped(|ui| {
        match &report.result {
            Ok(_) => {
                ui.label(RichText::new(document_name).strong());
                ui.label(format!("— Imported from {files}, not saved yet"))
                    .on_hover_text(&all_paths);
            }
            Err(_) => {
                ui.label(RichText::new(format!("Importing {files} failed")).strong())
                    .on_hover_text(&all_paths);
            }
        }
        if let Ok(imported) = &report.result
            && ui
                .button("Copy as text")
                .on_hover_text("The same account `archsim import` prints")
                .clicked()
        {
            ui.ctx().copy_text(imported.summary.to_string());
        }
        if ui
            .button("Close")
            .on_hover_text("Close the import report")
            .clicked()
        {
            out.push(AppCommand::DismissImportReport);
        }
    });
    match &report.result {
        Ok(imported) => summary_ui(ui, imported),
        Err(message) => {
            ui.colored_label(ui.visuals().error_fg_color, "The import failed:");
            ui.label(message);
            ui.weak("The document you had open is unchanged.");
        }
    }
}

fn summary_ui(ui: &mut Ui, imported: &ImportedSummary) {
    let s = &imported.summary;
    let (high, medium, low) = s.edge_confidence_counts();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    ui.label(format!(
        "{}, {} ({high} high, {medium} medium, {low} low confidence), {}.",
        plural(s.services.len(), "service", "services"),
        plural(s.edges.len(), "call", "calls"),
        plural(s.entries.len(), "entry", "entries")
    ));
    ui.weak("A new document, not saved yet: check it, then File → Save as.");
    ui.add_space(4.0);
    ScrollArea::vertical()
        .id_salt("import-report-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if !imported.warnings.is_empty() {
                let warn = ui.visuals().warn_fg_color;
                egui::CollapsingHeader::new(
                    RichText::new(format!("⚠ Warnings ({})", imported.warnings.len())).color(warn),
                )
                .id_salt("import-warnings")
                .default_open(true)
                .show(ui, |ui| {
                    for line in &imported.warnings {
                        ui.label(line);
                    }
                });
            }
            section(ui, "Sources", s.sources.len(), false, |ui| {
                for source in &s.sources {
                    ui.label(format!("{} ({})", source.path, source.format));
                }
            });
            section(ui, "Services", s.services.len(), false, |ui| {
                for line in &s.services {
                    let kind = match line.kind_confidence {
                        Some(c) => format!("{} ({c}: {})", line.kind, line.kind_why),
                        None => line.kind.clone(),
                    };
                    ui.label(RichText::new(&line.name).strong());
                    ui.indent(("import-service", &line.name), |ui| {
                        ui.label(format!(
                            "{kind}; ×{} ({}); service time: {}",
                            line.replicas, line.replicas_why, line.service_time_why
                        ));
                    });
                }
            });
            section(ui, "Calls", s.edges.len(), false, |ui| {
                for edge in &s.edges {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(format!("{} → {}", edge.from, edge.to)).strong());
                        ui.label(confidence_text(ui, edge.confidence));
                    });
                    ui.indent(("import-edge", &edge.from, &edge.to), |ui| {
                        for evidence in &edge.evidence {
                            ui.weak(evidence);
                        }
                    });
                }
            });
            section(ui, "Entries", s.entries.len(), false, |ui| {
                for entry in &s.entries {
                    ui.label(format!(
                        "{} “{}” at {} rps ({})",
                        entry.to, entry.operation, entry.rate_rps, entry.why
                    ));
                }
            });
            section(ui, "Left out", s.left_out.len(), false, |ui| {
                for line in &s.left_out {
                    ui.label(line);
                }
            });
            let infos: Vec<String> = s
                .notes
                .iter()
                .filter(|n| n.level == NoteLevel::Info)
                .map(ToString::to_string)
                .collect();
            section(ui, "Notes", infos.len(), false, |ui| {
                for line in &infos {
                    ui.label(line);
                }
            });
        });
}

fn section(ui: &mut Ui, title: &str, count: usize, open: bool, body: impl FnOnce(&mut Ui)) {
    if count == 0 {
        return;
    }
    egui::CollapsingHeader::new(format!("{title} ({count})"))
        .id_salt(("import-section", title))
        .default_open(open)
        .show(ui, body);
}

fn confidence_text(ui: &Ui, confidence: Confidence) -> RichText {
    let color = match confidence {
        Confidence::High => ui.visuals().text_color(),
        Confidence::Medium => ui.visuals().warn_fg_color,
        Confidence::Low => ui.visuals().error_fg_color,
    };
    RichText::new(format!("{confidence} confidence"))
        .color(color)
        .small()
}
