//! Problems: validation errors and warnings of the open document, and why a
//! file could not be opened. Shown in the bottom panel; a click selects the
//! thing the problem is about.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use crate::model::{Checked, Diagnostic, LoadError, Topology};
use crate::report::words::plural;

use super::command::{AppCommand, Selection};

/// One problem, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub error: bool,
    /// Readable place, e.g. `services[3] "checkout" calls[1]`.
    pub place: String,
    /// JSON pointer of the place, e.g. `/services/3/calls/1`.
    pub pointer: String,
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Problem {
    pub fn from_diagnostic(d: &Diagnostic) -> Problem {
        Problem {
            error: d.is_error(),
            place: d.path.clone(),
            pointer: d.pointer.clone(),
            message: d.message.clone(),
            line: d.line,
            column: d.column,
        }
    }

    /// `12:5 services[3] "checkout"`, or just the place.
    pub fn location(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(line), Some(column)) = (self.line, self.column) {
            parts.push(format!("{line}:{column}"));
        }
        if !self.place.is_empty() {
            parts.push(self.place.clone());
        }
        parts.join(" ")
    }

    /// The index of the service, entry or scenario the problem is in.
    pub fn item(&self) -> Option<(&str, usize)> {
        let mut parts = self.pointer.trim_start_matches('/').split('/');
        let list = parts.next()?;
        let index = parts.next()?.parse().ok()?;
        Some((list, index))
    }
}

/// Problems of a validation: the errors, or the warnings of a valid topology.
pub fn problems_of_check(result: Result<&Checked, &Vec<Diagnostic>>) -> Vec<Problem> {
    match result {
        Ok(checked) => checked
            .warnings()
            .iter()
            .map(Problem::from_diagnostic)
            .collect(),
        Err(diagnostics) => diagnostics.iter().map(Problem::from_diagnostic).collect(),
    }
}

/// A file that could not be opened.
#[derive(Debug, Clone)]
pub struct OpenFailure {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
    /// The file parsed but failed validation: it can still be opened to fix it.
    pub parsed: Option<Box<Topology>>,
}

/// Reads, parses and validates a file (on a background thread). `Ok` is a
/// valid topology; an invalid one comes back with its problems located by
/// line and column.
pub fn load(path: &Path) -> Result<Topology, OpenFailure> {
    let origin = path.display().to_string();
    let failure = |err: &LoadError, parsed: Option<Topology>| OpenFailure {
        path: path.to_path_buf(),
        problems: err
            .diagnostics()
            .iter()
            .map(Problem::from_diagnostic)
            .collect(),
        parsed: parsed.map(Box::new),
    };
    let text = crate::model::read_text(path).map_err(|e| failure(&e, None))?;
    let topology = crate::model::load_str(&text, &origin).map_err(|e| failure(&e, None))?;
    match crate::model::load_checked_str(&text, &origin) {
        Ok(_) => Ok(topology),
        Err(e) => Err(failure(&e, Some(topology))),
    }
}

/// The title of the Problems tab: every error and warning the tab lists,
/// those of a file that did not open included.
pub fn tab_title(problems: &[Problem], failure: Option<&OpenFailure>) -> String {
    let failed = failure.map_or(&[][..], |f| &f.problems[..]);
    let errors = problems.iter().chain(failed).filter(|p| p.error).count();
    let warnings = problems.len() + failed.len() - errors;
    let counts = format!(
        "Problems ({}, {})",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    );
    match failure {
        Some(_) => format!("⚠ {counts} — a file did not open"),
        None => counts,
    }
}

/// The problems list. `failure` (a file that did not open) comes first.
pub fn problems_ui(
    ui: &mut Ui,
    problems: &[Problem],
    failure: Option<&OpenFailure>,
    out: &mut Vec<AppCommand>,
) {
    if let Some(failure) = failure {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().error_fg_color,
                RichText::new(format!("Could not open {}", failure.path.display())).strong(),
            );
            ui.weak("— the document you had open stays open.");
        });
        ui.horizontal(|ui| {
            if failure.parsed.is_some() && ui.button("Open it anyway to fix it").clicked() {
                out.push(AppCommand::OpenFailedAnyway);
            }
            if ui.button("Dismiss").clicked() {
                out.push(AppCommand::DismissOpenFailure);
            }
        });
        list_ui(ui, "failure", &failure.problems, None);
        ui.separator();
    }
    if problems.is_empty() {
        if failure.is_none() {
            ui.weak("No problems: the topology is valid.");
        }
        return;
    }
    let errors = problems.iter().filter(|p| p.error).count();
    let warnings = problems.len() - errors;
    ui.label(format!(
        "{} and {} in this document. Click one to select what it is about.",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    list_ui(ui, "document", problems, Some(out));
}

fn list_ui(ui: &mut Ui, id: &str, problems: &[Problem], mut out: Option<&mut Vec<AppCommand>>) {
    egui::Grid::new(("problems", id))
        .num_columns(3)
        .striped(true)
        .spacing([10.0, 3.0])
        .show(ui, |ui| {
            for problem in problems {
                let (icon, color) = if problem.error {
                    ("⊗ error", ui.visuals().error_fg_color)
                } else {
                    ("⚠ warning", ui.visuals().warn_fg_color)
                };
                ui.colored_label(color, icon);
                let location = problem.location();
                let clicked = ui
                    .add(
                        egui::Label::new(RichText::new(&location).monospace())
                            .sense(egui::Sense::click()),
                    )
                    .clicked();
                ui.add(egui::Label::new(&problem.message).wrap());
                ui.end_row();
                if clicked
                    && let Some(out) = out.as_deref_mut()
                    && let Some(selection) = selection_of(problem)
                {
                    out.push(AppCommand::SelectProblem(selection));
                }
            }
        });
}

/// What a click on a problem selects.
fn selection_of(problem: &Problem) -> Option<ProblemTarget> {
    let (list, index) = problem.item()?;
    match list {
        "services" => Some(ProblemTarget::Service(index)),
        "workload" => Some(ProblemTarget::Selection(Selection::Entry(index))),
        "scenarios" => Some(ProblemTarget::Selection(Selection::Scenario(index))),
        _ => None,
    }
}

/// Where a problem points.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemTarget {
    /// A service by index (its name may have changed since).
    Service(usize),
    Selection(Selection),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_reads_the_pointer() {
        let problem = Problem {
            error: true,
            place: String::new(),
            pointer: "/services/3/calls/1".into(),
            message: String::new(),
            line: None,
            column: None,
        };
        assert_eq!(problem.item(), Some(("services", 3)));
    }
}
